#!/usr/bin/env python3
"""Early termination: scripted learning curves that hyperband can cut short.

Each epoch takes --epoch_seconds (0.15 s by default) and reports val_loss, so a
full trial lasts about 4 s and the controller has time to stop the weak ones at
hyperband's brackets. The curve is a plausible, deterministic function of the
flags: the learning rate sets both the speed and the floor (too small: slow and
high; too large: fast at first, then stuck high and noisy), the batch size adds
a little. A trial stopped by sweep gets SIGTERM and says at which epoch.

Metrics: a JSON line per epoch in $SWEEP_METRICS under sweep; `val_loss=...`
pairs on stdout when run by hand. Standard library only.
"""

import argparse
import json
import math
import os
import random
import signal
import sys
import time

epoch_now = 0


def on_sigterm(signum, frame):
    print(f"stopped by SIGTERM during epoch {epoch_now}", flush=True)
    sys.exit(128 + signum)


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--lr", type=float, default=0.01)
    p.add_argument("--batch_size", type=int, default=64)
    p.add_argument("--epochs", type=int, default=27)
    p.add_argument("--epoch_seconds", type=float, default=0.15)
    args, unknown = p.parse_known_args(argv)
    if unknown:
        print(f"ignoring unknown arguments {unknown}", file=sys.stderr)
    if not (args.lr > 0 and math.isfinite(args.lr)) or args.batch_size < 1:
        p.error("--lr must be a positive number and --batch_size positive")
    if not 1 <= args.epochs <= 10000 or not 0 <= args.epoch_seconds <= 60:
        p.error("--epochs must be in 1..10000 and --epoch_seconds in 0..60")
    return args


def val_losses(args):
    """The scripted curve: val_loss after each epoch."""
    distance = math.log10(args.lr) + 2  # 0 at the best learning rate, 1e-2
    floor = 0.1 + 0.35 * min(distance**2, 4.0) + 0.02 * math.log2(args.batch_size / 16)
    speed = 0.08 * 10 ** (0.5 * min(distance, 1.5))  # bigger steps learn faster
    noise = 0.005 + (0.08 if distance > 1 else 0.0)
    rng = random.Random(f"{args.lr!r}/{args.batch_size}")
    for epoch in range(1, args.epochs + 1):
        value = floor + (2.3 - floor) * math.exp(-speed * epoch)
        yield epoch, value + abs(rng.gauss(0, noise))


def main(argv):
    global epoch_now
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, on_sigterm)
    path = os.environ.get("SWEEP_METRICS")
    out = open(path, "a", encoding="utf-8") if path else None
    print(f"lr {args.lr:g}, batch size {args.batch_size}, {args.epochs} epochs", flush=True)
    for epoch, val_loss in val_losses(args):
        epoch_now = epoch
        time.sleep(args.epoch_seconds)  # the "training"
        if out:
            out.write(json.dumps({"step": epoch, "val_loss": val_loss}) + "\n")
            out.flush()
        else:
            print(f"step={epoch} val_loss={val_loss:.5f}", flush=True)
    print(f"finished all {args.epochs} epochs, val_loss {val_loss:.5f}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
