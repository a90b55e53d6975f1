#!/usr/bin/env python3
"""Metric channel 2: name=value pairs printed on stdout.

The zero-effort channel for scripts that already print their progress: sweep
scans every stdout line for pairs like `val_loss=0.47 val_acc=0.86` (names such
as val_loss, val/loss or train.acc; values are numbers, nan or inf). Lines
without pairs are ordinary log output and are simply kept in the trial's log.
Each line with pairs is one step: the step named by a `step=N` pair, else the
previous step + 1 (the first is 0). Standard library only.

The "training" is a synthetic learning curve shaped by the flags (no ML needed),
deterministic given its flags; the output is the same inside and outside sweep.
"""

import argparse
import math
import random
import sys
import time


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--lr", type=float, default=0.01)
    p.add_argument("--optimizer", choices=["sgd", "adam"], default="sgd")
    p.add_argument("--epochs", type=int, default=10)
    p.add_argument("--epoch_seconds", type=float, default=0.0,
                   help="sleep per epoch, to watch a trial live")
    args, unknown = p.parse_known_args(argv)
    if unknown:
        print(f"ignoring unknown arguments {unknown}", file=sys.stderr)
    if not (args.lr > 0 and math.isfinite(args.lr)):
        p.error("--lr must be a positive number")
    if not 1 <= args.epochs <= 10000:
        p.error("--epochs must be in 1..10000")
    return args


def main(argv):
    args = parse_args(argv)
    # Ordinary log lines: no name=value pairs, so they are not metrics.
    print(f"Training with {args.optimizer} at learning rate {args.lr:g}", flush=True)

    # Adam likes smaller steps than SGD; the best final loss sits at a different lr.
    best_lr = 1e-3 if args.optimizer == "adam" else 3e-2
    final = 0.06 + 0.2 * (math.log10(args.lr) - math.log10(best_lr)) ** 2
    speed = 0.5 if args.optimizer == "adam" else 0.3
    rng = random.Random(f"{args.optimizer}/{args.lr!r}")  # deterministic per config
    for epoch in range(1, args.epochs + 1):
        loss = final + (2.3 - final) * math.exp(-speed * epoch)
        val_loss = loss * 1.05 + abs(rng.gauss(0, 0.015))
        val_acc = max(0.0, min(1.0, 1.0 - val_loss / 2.5))
        print(f"epoch {epoch}/{args.epochs}: step={epoch} loss={loss:.5f} val_loss={val_loss:.5f} "
              f"val_acc={val_acc:.4f}", flush=True)  # flush: sweep reads it live
        time.sleep(args.epoch_seconds)
    print("Finished.", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
