#!/usr/bin/python3
"""Per-evaluation overhead of sweep_client.optimize() beside Optuna's study.optimize.

A trivial objective (a 2-parameter quadratic, microseconds of work) is optimized by
each contender in the same run, on the same machine, once with N/4 and once with N
evaluations. The objective costs nothing, so the slope (T(N) - T(N/4)) / (3N/4) is
the per-evaluation overhead, and T(N/4) minus N/4 slopes the fixed cost of one call
(for sweep: starting the controller, the first provenance capture with `pip freeze`,
the final ranking; for Optuna: creating the study and its tables). Contenders:

  sweep random   optimize(method random) -- every evaluation a trial in sweep's
                 SQLite store (committed before it counts), with provenance
  sweep bayes    optimize(method bayes)  -- the same with a GP suggestion per trial
  optuna memory  optuna.create_study() (in-memory), RandomSampler / TPESampler
  optuna sqlite  create_study(storage="sqlite:///...") with the same samplers

Usage (Debian's python3-optuna serves /usr/bin/python3):
  SWEEP_BIN=build/sweep /usr/bin/python3 bench/optimize_overhead.py [--trials N]
      [--bayes-trials N] [--repeats R]
Prints one table (medians of R repeats per contender) and the ratios the issue asks
for (Optuna + SQLite over sweep, random and bayes). Optuna's samplers are the closest
match: RandomSampler beside random, TPESampler (Optuna's default) beside bayes.
"""

import argparse
import os
import statistics
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "agents", "python"))

import sweep_client  # noqa: E402


def objective_params(p):
    return (p["x"] - 1.5) ** 2 + (p["y"] + 0.5) ** 2


def run_sweep(method, n, store):
    spec = {"method": method, "metric": {"name": "loss", "goal": "minimize"},
            "parameters": {"x": {"min": -5.0, "max": 5.0}, "y": {"min": -5.0, "max": 5.0}}}
    start = time.perf_counter()
    sweep_client.optimize(spec, objective_params, n_trials=n, seed=1, store=store, quiet=True)
    return time.perf_counter() - start


def run_optuna(sampler_name, n, storage):
    import optuna
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    sampler = (optuna.samplers.RandomSampler(seed=1) if sampler_name == "random"
               else optuna.samplers.TPESampler(seed=1))

    def objective(trial):
        return objective_params({"x": trial.suggest_float("x", -5, 5),
                                 "y": trial.suggest_float("y", -5, 5)})

    start = time.perf_counter()
    study = optuna.create_study(storage=storage, sampler=sampler, direction="minimize")
    study.optimize(objective, n_trials=n)
    return time.perf_counter() - start


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--trials", type=int, default=300, help="evaluations per random run")
    ap.add_argument("--bayes-trials", type=int, default=100, help="evaluations per bayes/TPE run")
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()
    import optuna
    rows = []
    with tempfile.TemporaryDirectory(prefix="optimize_overhead.") as tmp:
        contenders = [
            ("sweep random", "random", args.trials,
             lambda i, n: run_sweep("random", n, os.path.join(tmp, "store-r%d" % i))),
            ("optuna memory random", "random", args.trials,
             lambda i, n: run_optuna("random", n, None)),
            ("optuna sqlite random", "random", args.trials,
             lambda i, n: run_optuna("random", n, "sqlite:///%s/o-r%d.db" % (tmp, i))),
            ("sweep bayes", "bayes", args.bayes_trials,
             lambda i, n: run_sweep("bayes", n, os.path.join(tmp, "store-b%d" % i))),
            ("optuna memory tpe", "bayes", args.bayes_trials,
             lambda i, n: run_optuna("tpe", n, None)),
            ("optuna sqlite tpe", "bayes", args.bayes_trials,
             lambda i, n: run_optuna("tpe", n, "sqlite:///%s/o-b%d.db" % (tmp, i))),
        ]
        for name, kind, n, fn in contenders:
            small = max(1, n // 4)
            slopes, fixed = [], []
            for i in range(args.repeats):
                t_small = fn(2 * i, small)
                t_large = fn(2 * i + 1, n)
                slope = (t_large - t_small) / (n - small)
                slopes.append(slope)
                fixed.append(t_small - small * slope)
            per = statistics.median(slopes) * 1000
            rows.append((name, kind, n, per, statistics.median(fixed)))
            sys.stderr.write("%-22s %4d evals: %8.3f ms/eval, %6.3f s fixed per call\n"
                             % (name, n, per, statistics.median(fixed)))
    print("optuna %s, python %s; medians of %d repeats" % (optuna.__version__,
                                                            sys.version.split()[0], args.repeats))
    print("| contender | evaluations | ms per evaluation | fixed cost per call (s) |")
    print("|---|---:|---:|---:|")
    for name, _, n, per, fixed in rows:
        print("| %s | %d | %.3f | %.3f |" % (name, n, per, fixed))
    per = {name: p for name, _, _, p, _ in rows}
    for kind, ours, memory, sqlite in (("random", "sweep random", "optuna memory random",
                                        "optuna sqlite random"),
                                       ("bayes", "sweep bayes", "optuna memory tpe",
                                        "optuna sqlite tpe")):
        print("%s: per evaluation, Optuna+SQLite / sweep = %.1fx; Optuna in-memory / sweep = "
              "%.2fx" % (kind, per[sqlite] / per[ours], per[memory] / per[ours]))


if __name__ == "__main__":
    main()
