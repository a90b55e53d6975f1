#!/usr/bin/python3
"""Optuna 3.1's pruners on the curves curve_bench simulates, and the merged table.

    ./build/curve_bench --rows /tmp/sweep_rows.tsv --dump /tmp/curves.txt
    /usr/bin/python3 bench/early_stop_optuna.py /tmp/curves.txt /tmp/sweep_rows.tsv > table.md

Reads the curves (one line per configuration: family seed index loss@1 ... loss@E, in
the order they are enqueued), runs HyperbandPruner, SuccessiveHalvingPruner and
MedianPruner on them with the same clock as curve_bench (1 and 4 workers; a freed
worker takes the next enqueued configuration at once; every running trial reports one
epoch per tick and asks should_prune right after), and prints one markdown table per
family with sweep's rows (from curve_bench's TSV) beside Optuna's. Standard library
plus python3-optuna (Debian); always run with /usr/bin/python3.
"""

import collections
import math
import sys

import optuna
from optuna.distributions import IntDistribution


def read_curves(path):
    out = collections.defaultdict(dict)  # (family, seed) -> index -> curve
    with open(path, encoding="utf-8") as f:
        for line in f:
            parts = line.split()
            if len(parts) < 4:
                continue
            family, seed, index = parts[0], int(parts[1]), int(parts[2])
            out[(family, seed)][index] = [float(v) for v in parts[3:]]
    return {k: [v[i] for i in sorted(v)] for k, v in out.items()}


def final(curve):
    return math.inf if math.isnan(curve[-1]) else curve[-1]


def pruners(epochs):
    return [
        ("optuna HyperbandPruner (min_resource=1, max_resource=E, reduction_factor=3)",
         lambda: optuna.pruners.HyperbandPruner(min_resource=1, max_resource=epochs,
                                                reduction_factor=3)),
        ("optuna SuccessiveHalvingPruner (reduction_factor=3)",
         lambda: optuna.pruners.SuccessiveHalvingPruner(reduction_factor=3)),
        ("optuna MedianPruner (defaults)", lambda: optuna.pruners.MedianPruner()),
    ]


def simulate(curves, make_pruner, workers):
    study = optuna.create_study(direction="minimize", pruner=make_pruner(),
                                sampler=optuna.samplers.RandomSampler(seed=0))
    n = len(curves)
    for i in range(n):
        study.enqueue_trial({"cfg": i})
    dist = {"cfg": IntDistribution(0, n - 1)}
    running, nxt, used, finished, stopped = [], 0, 0, set(), 0
    while nxt < n or running:
        while len(running) < workers and nxt < n:
            trial = study.ask(dist)
            cfg = trial.params["cfg"]
            assert cfg == nxt, (cfg, nxt)
            running.append([trial, cfg, 0])
            nxt += 1
        still = []
        for trial, cfg, epoch in running:
            value = curves[cfg][epoch]
            epoch += 1
            used += 1
            if epoch == len(curves[cfg]):
                study.tell(trial, value)  # NaN makes it a failed trial, as in Optuna
                finished.add(cfg)
                continue
            trial.report(value, epoch)
            if trial.should_prune():
                study.tell(trial, state=optuna.trial.TrialState.PRUNED)
                stopped += 1
            else:
                still.append([trial, cfg, epoch])
        running = still
    return used, finished, stopped


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: early_stop_optuna.py CURVES SWEEP_ROWS.tsv")
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    curves = read_curves(sys.argv[1])
    rows = []
    with open(sys.argv[2], encoding="utf-8") as f:
        next(f)
        for line in f:
            fam, w, rule, seed, run, full, kept, regret, stopped = line.rstrip("\n").split("\t")
            rows.append((fam, int(w), rule, int(seed), int(run), int(full), int(kept),
                         float(regret), int(stopped)))
    for (family, seed), cs in sorted(curves.items()):
        best = min(range(len(cs)), key=lambda i: final(cs[i]))
        full = sum(len(c) for c in cs)
        for workers in (1, 4):
            for label, make in pruners(len(cs[0])):
                used, finished, stopped = simulate(cs, make, workers)
                best_full = min((final(cs[i]) for i in finished), default=math.inf)
                rows.append((family, workers, label, seed, used, full, int(best in finished),
                             best_full - final(cs[best]), stopped))
        print(f"{family} seed {seed} done", file=sys.stderr, flush=True)

    agg = collections.OrderedDict()
    for fam, w, rule, seed, run, full, kept, regret, stopped in rows:
        a = agg.setdefault((fam, w, rule), [0, 0, 0, 0, 0.0, 0.0])
        a[0] += run
        a[1] += full
        a[2] += kept
        a[3] += 1
        a[4] += regret
        a[5] = max(a[5], regret)
    families = list(dict.fromkeys(k[0] for k in agg))
    for fam in families:
        print(f"\n#### {fam}\n")
        print("| workers | rule | epochs saved | true best kept | regret mean | regret max |")
        print("|---:|---|---:|---:|---:|---:|")
        for (f, w, rule), a in agg.items():
            if f != fam or rule == "none":
                continue
            print(f"| {w} | {rule} | {100 * (1 - a[0] / a[1]):.1f}% | {a[2]}/{a[3]} | "
                  f"{a[4] / a[3]:.4f} | {a[5]:.4f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
