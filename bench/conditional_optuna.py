"""Optuna TPE on the conditional benchmark problems (bench/conditional_problems.h),
define-by-run, with TPESampler(multivariate=True, group=True, seed=seed): the
configuration Optuna recommends for conditional spaces. Prints the same CSV rows as
bench/conditional_bench: problem,method,seed,best40,best100,ask_ms.

Run with /usr/bin/python3 (Debian's python3-optuna 3.1):
  /usr/bin/python3 bench/conditional_optuna.py --seeds 10 --budget 100
The objective functions mirror conditional_problems.h line for line; keep them equal."""
import argparse
import math
import time
import warnings

import optuna

warnings.filterwarnings("ignore")
optuna.logging.set_verbosity(optuna.logging.ERROR)


def optim3(t):
    opt = t.suggest_categorical("optimizer", ["sgd", "adam", "rmsprop"])
    lr = t.suggest_float("lr", 1e-5, 1.0, log=True)
    l10 = math.log10(lr)
    if opt == "sgd":
        m = t.suggest_float("momentum", 0.0, 0.99)
        nest = t.suggest_categorical("nesterov", [True, False])
        return 0.15 + 0.5 * (l10 + 1.5) ** 2 + 4 * (m - 0.9) ** 2 + (0.0 if nest else 0.1)
    if opt == "adam":
        b1 = t.suggest_float("beta1", 0.5, 0.999)
        b2 = t.suggest_float("beta2", 0.9, 0.99999)
        return (l10 + 3.3) ** 2 + 8 * (b1 - 0.88) ** 2 + 3 * abs(math.log10(1 - b2) + 3)
    r = t.suggest_float("rho", 0.5, 0.999)
    c = t.suggest_categorical("centered", [True, False])
    return 0.3 + 0.25 * (l10 + 2.5) ** 2 + 2 * (r - 0.9) ** 2 + (0.05 if c else 0.0)


def depth3(t):
    depth = t.suggest_categorical("depth", [1, 2, 3])
    dropout = t.suggest_float("dropout", 0.0, 0.8)
    widths = [t.suggest_float("width1", 0.0, 1.0)]
    if depth >= 2:
        widths.append(t.suggest_float("width2", 0.0, 1.0))
    if depth >= 3:
        widths.append(t.suggest_float("width3", 0.0, 1.0))
    v = [0.6, 0.3, 0.0][depth - 1] + 2 * (dropout - 0.1 * depth) ** 2
    for i, w in enumerate(widths, start=1):
        z = w - (0.15 + 0.2 * i + 0.1 * depth)
        v += 4 * z * z + 0.08 * (1 - math.cos(6 * math.pi * z))
    return v


A = [[3, 10, 30], [0.1, 10, 35], [3, 10, 30], [0.1, 10, 35]]
P = [[0.3689, 0.1170, 0.2673], [0.4699, 0.4387, 0.7470],
     [0.1091, 0.8732, 0.5547], [0.0381, 0.5743, 0.8828]]
ALPHA = [1.0, 1.2, 3.0, 3.2]


def branin_hart(t):
    branch = t.suggest_categorical("branch", ["a", "b"])
    if branch == "a":
        x1 = t.suggest_float("a_x1", -5, 10)
        x2 = t.suggest_float("a_x2", 0, 15)
        b, c, s = 5.1 / (4 * math.pi ** 2), 5 / math.pi, 1 / (8 * math.pi)
        br = (x2 - b * x1 * x1 + c * x1 - 6) ** 2 + 10 * (1 - s) * math.cos(x1) + 10
        return 0.2 + br / 10
    y = [t.suggest_float(k, 0, 1) for k in ("b_y1", "b_y2", "b_y3")]
    h = 0.0
    for i in range(4):
        e = sum(A[i][j] * (y[j] - P[i][j]) ** 2 for j in range(3))
        h -= ALPHA[i] * math.exp(-e)
    return (h + 3.86278) / 3.86278 * 4


PROBLEMS = {"optim3": optim3, "depth3": depth3, "branin_hart": branin_hart}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--problems", default=",".join(PROBLEMS))
    ap.add_argument("--seeds", type=int, default=10)
    ap.add_argument("--first-seed", type=int, default=0)
    ap.add_argument("--budget", type=int, default=100)
    a = ap.parse_args()
    print("problem,method,seed,best40,best100,ask_ms", flush=True)
    for name in a.problems.split(","):
        f = PROBLEMS[name]
        for seed in range(a.first_seed, a.first_seed + a.seeds):
            sampler = optuna.samplers.TPESampler(multivariate=True, group=True, seed=seed)
            study = optuna.create_study(direction="minimize", sampler=sampler)
            values, ask = [], 0.0
            for _ in range(a.budget):
                t0 = time.perf_counter()
                trial = study.ask()
                ask += time.perf_counter() - t0  # sampling happens inside suggest_*
                t1 = time.perf_counter()
                v = f(trial)
                ask += time.perf_counter() - t1  # (the objective itself is negligible)
                study.tell(trial, v)
                values.append(v)
            print(f"{name},tpe,{seed},{min(values[:40]):.6g},{min(values):.6g},"
                  f"{1000 * ask / len(values):.3f}", flush=True)


if __name__ == "__main__":
    main()
