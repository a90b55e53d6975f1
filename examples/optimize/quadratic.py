"""sweep_client.optimize: an Optuna-style loop whose every evaluation is a trial in
sweep's store. Bayesian search on a 2-parameter quadratic (minimum at x=1.5, y=-0.5),
then a second sweep with early stopping: report() raises Pruned when hyperband stops
a trial. Standard library only.

    PYTHONPATH=$(sweep python-path) python3 quadratic.py
    sweep top <SWEEP>                       # every evaluation, ranked
"""

import sweep_client
from sweep_client import Pruned, report

SPEC = {
    "method": "bayes",
    "metric": {"name": "loss", "goal": "minimize"},
    "parameters": {"x": {"min": -5.0, "max": 5.0}, "y": {"min": -5.0, "max": 5.0}},
}


def quadratic(params):
    return (params["x"] - 1.5) ** 2 + (params["y"] + 0.5) ** 2


EARLY_STOP_SPEC = {
    "method": "random",
    "metric": {"name": "loss", "goal": "minimize"},
    "parameters": {"lr": {"distribution": "log_uniform_values", "min": 1e-3, "max": 1.0}},
    "early_terminate": {"type": "hyperband", "min_iter": 3, "eta": 2},
}


def curve(params):
    """A learning curve that ends at |log10(lr) + 1|; reports every step."""
    import math
    import time
    final = abs(math.log10(params["lr"]) + 1)
    loss = None
    for step in range(12):
        loss = final + 2.0 / (step + 1)
        report(step=step, loss=loss)  # raises Pruned once hyperband stops this trial
        time.sleep(0.05)
    return loss


if __name__ == "__main__":
    best = sweep_client.optimize(SPEC, quadratic, n_trials=25, seed=1)
    print("best:", best["params"], "loss=%.4f" % best["value"], "trial", best["id"])
    try:
        best = sweep_client.optimize(EARLY_STOP_SPEC, curve, n_trials=12, seed=2, workers=2)
        print("early-stopping sweep best:", best["params"], "loss=%.4f" % best["value"])
    except Pruned:
        raise AssertionError("Pruned never escapes optimize()")
