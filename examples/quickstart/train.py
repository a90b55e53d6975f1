#!/usr/bin/env python3
"""Quickstart: train a small MLP on scikit-learn's bundled digits dataset.

A real (if small) training run: 1,797 8x8 images of handwritten digits, a
one-hidden-layer MLPClassifier trained epoch by epoch with partial_fit, and the
validation loss and accuracy reported after every epoch. No download: the data
ships with scikit-learn. Takes about a second per trial on one CPU core.

Hyperparameters arrive as W&B-style flags (--learning_rate_init=0.001 ...); every
flag has a default, so `python3 train.py` runs on its own. The run is
deterministic given its flags (the seed drives the split, the initial weights
and the minibatch order).

Metrics: when sweep runs the trial it sets $SWEEP_METRICS, and each epoch is
appended there as one JSON line {"step": 3, "val_loss": 0.21, "val_acc": 0.93}.
Run by hand, the same numbers are printed as `val_loss=0.21 val_acc=0.93` pairs
(which is sweep's stdout channel, so the script also works without the variable).
"""

import argparse
import json
import math
import os
import sys
import time
import warnings

try:
    import numpy as np
    from sklearn.datasets import load_digits
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.metrics import log_loss
    from sklearn.model_selection import train_test_split
    from sklearn.neural_network import MLPClassifier
except ImportError as e:  # the python3 first on PATH may lack scikit-learn
    sys.exit(
        f"train.py: {e}. This example needs numpy and scikit-learn; on Debian run it "
        "with /usr/bin/python3 (apt install python3-sklearn)."
    )


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--learning_rate_init", type=float, default=1e-3)
    p.add_argument("--hidden_units", type=int, default=64)
    p.add_argument("--alpha", type=float, default=1e-4, help="L2 penalty")
    p.add_argument("--batch_size", type=int, default=32)
    p.add_argument("--epochs", type=int, default=20)
    p.add_argument("--seed", type=int, default=0)
    # Unknown flags are ignored (with a note) so that a spec may carry parameters
    # this script does not use, as W&B users often do.
    args, unknown = p.parse_known_args(argv)
    if unknown:
        print(f"train.py: ignoring unknown arguments {unknown}", file=sys.stderr)
    if args.epochs < 1 or args.hidden_units < 1 or args.batch_size < 1:
        p.error("epochs, hidden_units and batch_size must be positive")
    if not (args.learning_rate_init > 0 and math.isfinite(args.learning_rate_init)):
        p.error("learning_rate_init must be a positive number")
    if not (args.alpha >= 0 and math.isfinite(args.alpha)):
        p.error("alpha must be a non-negative number")
    return args


class Reporter:
    """Appends JSON lines to $SWEEP_METRICS when set, else prints name=value pairs."""

    def __init__(self):
        path = os.environ.get("SWEEP_METRICS")
        self.file = open(path, "a", encoding="utf-8") if path else None

    def report(self, step, **metrics):
        if self.file:
            self.file.write(json.dumps({"step": step, **metrics}) + "\n")
            self.file.flush()  # sweep reads the file while the trial runs
            # A human-readable line without name=value pairs, so the stdout
            # channel does not count the same numbers twice.
            shown = "  ".join(f"{k} {v:.4f}" for k, v in metrics.items())
            print(f"epoch {step}  {shown}", flush=True)
        else:
            pairs = " ".join(f"{k}={v:.6g}" for k, v in metrics.items())
            print(f"step={step} {pairs}", flush=True)


def main(argv):
    args = parse_args(argv)
    print(f"params: {json.dumps(vars(args), sort_keys=True)}", flush=True)

    digits = load_digits()
    x = digits.data / 16.0  # pixel values 0..16 -> 0..1
    y = digits.target
    x_train, x_val, y_train, y_val = train_test_split(
        x, y, test_size=0.25, random_state=args.seed, stratify=y
    )
    classes = np.unique(y)

    model = MLPClassifier(
        hidden_layer_sizes=(args.hidden_units,),
        alpha=args.alpha,
        batch_size=min(args.batch_size, len(x_train)),
        learning_rate_init=args.learning_rate_init,
        random_state=args.seed,
        shuffle=True,
    )
    reporter = Reporter()
    start = time.monotonic()
    for epoch in range(1, args.epochs + 1):
        with warnings.catch_warnings():
            # One partial_fit is one epoch; sklearn warns that it "did not converge".
            warnings.simplefilter("ignore", ConvergenceWarning)
            model.partial_fit(x_train, y_train, classes=classes)
        proba = model.predict_proba(x_val)
        val_loss = float(log_loss(y_val, proba, labels=classes))
        val_acc = float(np.mean(model.classes_[proba.argmax(axis=1)] == y_val))
        reporter.report(
            epoch, train_loss=float(model.loss_), val_loss=val_loss, val_acc=val_acc
        )
    print(f"done: {args.epochs} epochs in {time.monotonic() - start:.2f}s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
