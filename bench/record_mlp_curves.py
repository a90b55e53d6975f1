#!/usr/bin/python3
"""Records real learning curves for the early-termination benchmark.

Runs the quickstart's MLP (examples/quickstart/train.py, scikit-learn digits) over a
grid of learning rates and hidden-layer widths, once per seed, and writes each run's
per-epoch validation loss as one line of bench/mlp_curves.txt:

    seed learning_rate_init hidden_units loss@1 loss@2 ... loss@EPOCHS

The training code is train.py itself (imported, its main() called with W&B-style
flags and $SWEEP_METRICS pointed at a scratch file), so these are exactly the curves a
sweep of the quickstart would see. Deterministic given the flags; run it once and
check the file in:

    /usr/bin/python3 bench/record_mlp_curves.py [--seeds 10] [--epochs 30]

To add seeds to an existing file (e.g. after an interrupted recording), append them:

    /usr/bin/python3 bench/record_mlp_curves.py --first-seed 7 --seeds 10 --append
"""

import argparse
import contextlib
import io
import json
import os
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "examples", "quickstart"))
import train  # noqa: E402  (the quickstart's training script)

LEARNING_RATES = [1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 1e-1]
WIDTHS = [4, 16, 64, 256]


def run_one(seed, lr, width, epochs, scratch):
    with open(scratch, "w", encoding="utf-8"):
        pass  # truncate: Reporter appends
    os.environ["SWEEP_METRICS"] = scratch
    argv = [f"--learning_rate_init={lr}", f"--hidden_units={width}",
            f"--epochs={epochs}", f"--seed={seed}"]
    with contextlib.redirect_stdout(io.StringIO()):
        rc = train.main(argv)
    if rc != 0:
        raise SystemExit(f"train.py {argv} exited {rc}")
    with open(scratch, encoding="utf-8") as f:
        rows = [json.loads(line) for line in f if line.strip()]
    return [r["val_loss"] for r in rows]


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--seeds", type=int, default=10, help="last seed recorded")
    p.add_argument("--first-seed", type=int, default=1)
    p.add_argument("--append", action="store_true",
                   help="append to --out instead of rewriting it (no header)")
    p.add_argument("--epochs", type=int, default=30)
    p.add_argument("--out", default=os.path.join(HERE, "mlp_curves.txt"))
    a = p.parse_args()
    header = [
        "# quickstart MLP (examples/quickstart/train.py, sklearn digits) val_loss per epoch",
        f"# grid: learning_rate_init {LEARNING_RATES} x hidden_units {WIDTHS}; "
        f"seeds 1..{a.seeds}; {a.epochs} epochs; recorded by bench/record_mlp_curves.py",
        "# seed learning_rate_init hidden_units loss@1 ... loss@epochs",
    ]
    # Written line by line, so an interrupted recording keeps the seeds it finished.
    if a.first_seed < 1 or a.seeds < a.first_seed:
        p.error("need 1 <= --first-seed <= --seeds")
    mode = "a" if a.append else "w"
    with tempfile.TemporaryDirectory() as tmp, open(a.out, mode, encoding="utf-8") as out:
        if not a.append:
            out.write("\n".join(header) + "\n")
        scratch = os.path.join(tmp, "metrics.jsonl")
        for seed in range(a.first_seed, a.seeds + 1):
            for lr in LEARNING_RATES:
                for width in WIDTHS:
                    curve = run_one(seed, lr, width, a.epochs, scratch)
                    out.write(f"{seed} {lr:g} {width} " + " ".join(f"{v:.6g}" for v in curve) + "\n")
                    out.flush()
            print(f"seed {seed} done", file=sys.stderr, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
