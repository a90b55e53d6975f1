"""A trial for the Slurm example: a synthetic learning curve, standard library only.

Runs in a second or two. Besides its metrics it prints where it ran (host, Slurm job
and array task, the GPUs it was given), so the trial's log shows that Slurm placed it.
Metrics: JSON lines appended to $SWEEP_METRICS when sweep sets it, otherwise
`name=value` pairs on stdout, so `python3 train.py` also runs on its own.
"""

import argparse
import contextlib
import json
import math
import os
import socket
import sys
import time


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--lr", type=float, default=0.01)
    p.add_argument("--width", type=int, default=64)
    p.add_argument("--epochs", type=int, default=5)
    p.add_argument("--epoch_seconds", type=float, default=0.2)
    args, unknown = p.parse_known_args(argv)
    if unknown:
        print(f"ignoring unknown arguments {unknown}", file=sys.stderr)
    if not (args.lr > 0 and math.isfinite(args.lr)):
        p.error("--lr must be a positive number")
    if not 1 <= args.epochs <= 1000 or not 1 <= args.width <= 100000:
        p.error("--epochs must be in 1..1000 and --width in 1..100000")
    return args


def main(argv):
    args = parse_args(argv)
    print(f"host={socket.gethostname()} slurm_job={os.environ.get('SLURM_JOB_ID', '-')} "
          f"array_task={os.environ.get('SLURM_ARRAY_TASK_ID', '-')} "
          f"gpus={os.environ.get('CUDA_VISIBLE_DEVICES', '-')}", flush=True)
    # Best near lr=0.01 and a wider layer; deterministic given the flags.
    final = 0.05 + 0.3 * (math.log10(args.lr) + 2) ** 2 + 2.0 / args.width
    path = os.environ.get("SWEEP_METRICS")
    with (open(path, "a", encoding="utf-8") if path else contextlib.nullcontext(None)) as out:
        for epoch in range(1, args.epochs + 1):
            val_loss = final + (2.3 - final) * math.exp(-0.7 * epoch)
            if out:
                out.write(json.dumps({"step": epoch, "val_loss": val_loss}) + "\n")
                out.flush()
            else:
                print(f"step={epoch} val_loss={val_loss:.5f}", flush=True)
            time.sleep(max(0.0, args.epoch_seconds))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
