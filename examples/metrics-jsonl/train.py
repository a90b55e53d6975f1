#!/usr/bin/env python3
"""Metric channel 1: JSON lines appended to the file named by $SWEEP_METRICS.

The most robust channel: one JSON object per line, written and flushed as the
trial goes, e.g. {"step": 3, "loss": 0.41, "val_loss": 0.47, "val_acc": 0.86}.
"step" is optional (sweep counts up from the previous line when it is missing);
NaN and Infinity are accepted. Standard library only.

The "training" is a synthetic learning curve shaped by the flags (no ML needed),
deterministic given its flags. Outside sweep ($SWEEP_METRICS unset) the same
lines go to stdout, so the script still runs on its own.
"""

import argparse
import contextlib
import json
import math
import os
import random
import sys
import time


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--lr", type=float, default=0.01)
    p.add_argument("--momentum", type=float, default=0.9)
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


def curve(args):
    """Yields (epoch, loss, val_loss, val_acc): a plausible, deterministic curve."""
    # Best near lr=1e-2 and momentum=0.9; too large a step makes it noisy.
    final = 0.08 + 0.25 * (math.log10(args.lr) + 2) ** 2 + 0.8 * (args.momentum - 0.9) ** 2
    speed = 0.15 + 0.6 * min(1.0, math.sqrt(args.lr * 10))
    rng = random.Random(f"{args.lr!r}/{args.momentum!r}")  # str seed: stable across runs
    noise = 0.01 + 0.05 * min(1.0, args.lr)
    for epoch in range(1, args.epochs + 1):
        loss = final + (2.3 - final) * math.exp(-speed * epoch)
        val_loss = loss * 1.08 + abs(rng.gauss(0, noise))
        val_acc = max(0.0, min(1.0, 1.0 - val_loss / 2.5))
        yield epoch, loss, val_loss, val_acc


def main(argv):
    args = parse_args(argv)
    path = os.environ.get("SWEEP_METRICS")
    print(f"writing metrics to {path or 'stdout'}", flush=True)
    with (open(path, "a", encoding="utf-8") if path else contextlib.nullcontext(sys.stdout)) as out:
        for epoch, loss, val_loss, val_acc in curve(args):
            out.write(json.dumps({"step": epoch, "loss": loss, "val_loss": val_loss,
                                  "val_acc": val_acc}) + "\n")
            out.flush()  # sweep tails the file while the trial runs
            time.sleep(args.epoch_seconds)
    print(f"done after {args.epochs} epochs, last val_loss {val_loss:.4f}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
