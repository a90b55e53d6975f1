#!/usr/bin/env python3
"""Metric channel 3: the sweep_client helper (`from sweep_client import report`).

sweep puts its standard-library helper, agents/python/sweep_client.py, on every
trial's PYTHONPATH. `report(step=None, **metrics)` records one step of metrics
(a JSON line in $SWEEP_METRICS under sweep; name=value pairs on stdout when run
by hand), and `params()` returns the trial's parameters, so this script needs no
command-line parsing at all: its spec's command passes no arguments.

The "training" is a synthetic learning curve shaped by the parameters (no ML
needed), deterministic given them.
"""

import math
import os
import random
import sys
import time

try:
    from sweep_client import params, report
except ImportError:
    # Run by hand from a checkout: use the helper that ships in the repository.
    here = os.path.dirname(os.path.abspath(__file__))
    sys.path.insert(0, os.path.join(here, "..", "..", "agents", "python"))
    try:
        from sweep_client import params, report
    except ImportError:
        sys.exit("train.py: cannot import sweep_client; run it through `sweep launch` "
                 "or put the repository's agents/python on PYTHONPATH")

DEFAULTS = {"dropout": 0.2, "width": 256, "epochs": 10, "epoch_seconds": 0.0}


def main():
    hp = dict(DEFAULTS)
    hp.update(params() or {})  # empty outside sweep: the defaults apply
    dropout = float(hp["dropout"])
    width = int(hp["width"])
    epochs = int(hp["epochs"])
    if not (0 <= dropout < 1 and width >= 1 and 1 <= epochs <= 10000):
        sys.exit(f"train.py: parameters out of range: {hp}")
    print(f"dropout {dropout:g}, width {width}, {epochs} epochs", flush=True)

    # Wider nets fit faster; the best dropout grows with width (more to regularise).
    best_dropout = 0.1 + 0.1 * math.log2(width / 64)
    final = 0.07 + 1.5 * (dropout - best_dropout) ** 2 + 4.0 / width
    speed = 0.2 + 0.05 * math.log2(width)
    rng = random.Random(f"{dropout!r}/{width}")
    for epoch in range(1, epochs + 1):
        train_loss = final * 0.8 + (2.3 - final) * math.exp(-speed * epoch)
        val_loss = final + (2.3 - final) * math.exp(-speed * epoch) + abs(rng.gauss(0, 0.01))
        report(step=epoch, train_loss=train_loss, val_loss=val_loss)
        time.sleep(float(hp["epoch_seconds"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
