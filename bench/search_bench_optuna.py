#!/usr/bin/python3
"""Peer of search_bench.cc: Optuna's RandomSampler / GridSampler ask+tell latency.

Same spaces and the same loop as search_bench.cc: a fresh in-memory study per case,
then n times `trial = study.ask(distributions)` + `study.tell(trial, value)`, each pair
timed with time.perf_counter_ns. Optuna's per-ask cost grows with the number of trials
already in the study, so each case stops at a time budget (--budget seconds, default
120) and reports how far it got ("reached") and the per-ask cost at that point (mean
of the last 10% of the trials it ran); nothing is extrapolated.

Prints one JSON line per case, the shape search_bench prints. Run with /usr/bin/python3
(the Debian interpreter that has optuna 3.1).
"""
import argparse
import json
import logging
import time
import warnings

import optuna
from optuna.distributions import (CategoricalDistribution, FloatDistribution,
                                  IntDistribution)

RANDOM_SPACE = {
    "optimizer": CategoricalDistribution(["adam", "sgd", "rmsprop"]),
    "activation": CategoricalDistribution(["relu", "gelu", "tanh", "silu"]),
    "norm": CategoricalDistribution(["batch", "layer", "none"]),
    "layers": IntDistribution(1, 8),
    "units": IntDistribution(16, 512),
    "lr": FloatDistribution(1e-5, 1e-1, log=True),
    "weight_decay": FloatDistribution(1e-6, 1e-2, log=True),
    "dropout": FloatDistribution(0.0, 0.5),
}

GRID_VALUES = {
    "a": list(range(0, 50)),
    "b": list(range(0, 50)),
    "width": [w * 32 for w in range(1, 11)],
    "bias": [True, False],
    "scale": [0.5, 1.0],
}
GRID_SPACE = {
    "a": IntDistribution(0, 49),
    "b": IntDistribution(0, 49),
    "width": CategoricalDistribution(GRID_VALUES["width"]),
    "bias": CategoricalDistribution(GRID_VALUES["bias"]),
    "scale": CategoricalDistribution(GRID_VALUES["scale"]),
}


def run_case(strategy, n, budget):
    if strategy == "random":
        sampler, space = optuna.samplers.RandomSampler(seed=1), RANDOM_SPACE
    else:
        sampler, space = optuna.samplers.GridSampler(GRID_VALUES, seed=1), GRID_SPACE
    study = optuna.create_study(sampler=sampler, direction="minimize")
    ns = []
    cpu0 = time.process_time()
    start = time.perf_counter()
    for k in range(n):
        t0 = time.perf_counter_ns()
        trial = study.ask(space)
        study.tell(trial, (k % 97) * 0.01)
        ns.append(time.perf_counter_ns() - t0)
        if time.perf_counter() - start > budget:
            break
    total_s = time.perf_counter() - start
    cpu_s = time.process_time() - cpu0
    reached = len(ns)
    tenth = max(1, reached // 10)
    ordered = sorted(ns)

    def pct(q, xs=ordered):
        return xs[min(len(xs) - 1, int(q * len(xs)))] / 1000.0

    return {
        "impl": "optuna",
        "strategy": strategy,
        "n": n,
        "reached": reached,
        "total_s": round(total_s, 6),
        "cpu_s": round(cpu_s, 6),
        "mean_us": sum(ns) / reached / 1000.0,
        "p50_us": pct(0.5),
        "p99_us": pct(0.99),
        "first10_us": sum(ns[:tenth]) / tenth / 1000.0,
        "last10_us": sum(ns[-tenth:]) / tenth / 1000.0,
        "first10_p50_us": pct(0.5, sorted(ns[:tenth])),
        "last10_p50_us": pct(0.5, sorted(ns[-tenth:])),
        "budget_s": budget,
        "optuna": optuna.__version__,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sizes", nargs="*", type=int, default=[1000, 10000, 100000])
    parser.add_argument("--budget", type=float, default=120.0,
                        help="seconds per case before it stops (default 120)")
    args = parser.parse_args()
    optuna.logging.set_verbosity(optuna.logging.ERROR)
    logging.getLogger("optuna").setLevel(logging.ERROR)
    warnings.simplefilter("ignore")  # experimental-API and grid-exhaustion warnings
    for strategy in ("random", "grid"):
        for n in args.sizes:
            print(json.dumps(run_case(strategy, n, args.budget)), flush=True)


if __name__ == "__main__":
    main()
