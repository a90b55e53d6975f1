#!/usr/bin/python3
"""Peers and statistics for the Bayesian benchmarks (run with /usr/bin/python3).

  run      Optuna 3.1 TPE (default, multivariate=True), CMA-ES (continuous problems
           only) and a scikit-learn GP-EI loop standing in for W&B's bayes method, on
           the problems of bench/bayes_problems.h (same definitions, same CSV rows as
           bench/bayes_quality).
  latency  seconds per ask of the sklearn stand-in and of Optuna TPE with n random
           observations in 10-D (what bench/bayes_latency measures for sweep).
  stats    medians, quartiles and Mann-Whitney U p-values of sweep bayes against each
           peer, per problem and budget, next to BoTorch's reference medians.
"""
import argparse, csv, math, sys, time, warnings
import numpy as np

warnings.filterwarnings("ignore")

# name -> (params, f, optimum); params are (name, kind, lo, hi, choices)
def branin(p):
    x0, x1 = p["x0"], p["x1"]
    b, c, t = 5.1 / (4 * math.pi ** 2), 5 / math.pi, 1 / (8 * math.pi)
    return (x1 - b * x0 ** 2 + c * x0 - 6) ** 2 + 10 * (1 - t) * math.cos(x0) + 10

A = np.array([[10, 3, 17, 3.5, 1.7, 8], [0.05, 10, 17, 0.1, 8, 14],
              [3, 3.5, 1.7, 10, 17, 8], [17, 8, 0.05, 10, 0.1, 14]])
P = np.array([[0.1312, 0.1696, 0.5569, 0.0124, 0.8283, 0.5886],
              [0.2329, 0.4135, 0.8307, 0.3736, 0.1004, 0.9991],
              [0.2348, 0.1451, 0.3522, 0.2883, 0.3047, 0.6650],
              [0.4047, 0.8828, 0.8732, 0.5743, 0.1091, 0.0381]])
ALPHA = np.array([1.0, 1.2, 3.0, 3.2])

def vec(p, d):
    return np.array([p["x%d" % i] for i in range(d)])

def on(f, d):
    """f of a point, as a function of the first d params x0..x(d-1)."""
    return lambda p: f(vec(p, d))

def hartmann6(p):
    x = vec(p, 6)
    return -float(np.sum(ALPHA * np.exp(-np.sum(A * (x - P) ** 2, axis=1))))

def rosenbrock(x):
    return float(np.sum(100 * (x[1:] - x[:-1] ** 2) ** 2 + (1 - x[:-1]) ** 2))

def ackley(x):
    return float(-20 * np.exp(-0.2 * np.sqrt(np.mean(x ** 2))) - np.exp(np.mean(np.cos(2 * np.pi * x))) + 20 + math.e)

def levy(x):
    w = 1 + (x - 1) / 4
    s = math.sin(math.pi * w[0]) ** 2
    s += float(np.sum((w[:-1] - 1) ** 2 * (1 + 10 * np.sin(np.pi * w[:-1] + 1) ** 2)))
    return s + (w[-1] - 1) ** 2 * (1 + math.sin(2 * math.pi * w[-1]) ** 2)

def rastrigin5(p):
    x = vec(p, 5)
    return float(10 * len(x) + np.sum(x ** 2 - 10 * np.cos(2 * np.pi * x)))

def schwefel5(p):
    x = vec(p, 5)
    return float(418.9828872724338 * len(x) - np.sum(x * np.sin(np.sqrt(np.abs(x)))))

def michalewicz5(p):
    x = vec(p, 5)
    i = np.arange(1, len(x) + 1)
    return float(-np.sum(np.sin(x) * np.sin(i * x ** 2 / np.pi) ** 20))

def mixed(p):
    o = p["opt"]
    shift = {"sgd": 1.5, "adam": -2.0, "rmsprop": 0.5}[o]
    base = {"sgd": 0.0, "adam": 0.3, "rmsprop": 0.6}[o]
    l = math.log10(p["lr"]) + 3
    return (p["x"] - shift) ** 2 + 2 * (p["y"] + 0.5) ** 2 + l * l + 0.25 * (p["n"] - 7) ** 2 + base

def box(d, lo, hi):
    return [("x%d" % i, "float", lo, hi, None) for i in range(d)]

PROBLEMS = {
    "branin": ([("x0", "float", -5, 10, None), ("x1", "float", 0, 15, None)], branin, 0.397887357729739),
    "hartmann6": (box(6, 0, 1), hartmann6, -3.32237),
    "rosenbrock4": (box(4, -5, 10), on(rosenbrock, 4), 0.0),
    "ackley5": (box(5, -32.768, 32.768), on(ackley, 5), 0.0),
    "levy4": (box(4, -10, 10), on(levy, 4), 0.0),
    "rosenbrock10": (box(10, -5, 10), on(rosenbrock, 10), 0.0),
    "ackley10": (box(10, -32.768, 32.768), on(ackley, 10), 0.0),
    "levy10": (box(10, -10, 10), on(levy, 10), 0.0),
    "rastrigin5": (box(5, -5.12, 5.12), rastrigin5, 0.0),
    "schwefel5": (box(5, -500, 500), schwefel5, 0.0),
    "michalewicz5": (box(5, 0, math.pi), michalewicz5, -4.687658),
    "mixed": ([("x", "float", -5, 5, None), ("y", "float", -5, 5, None), ("lr", "log", 1e-5, 1e-1, None),
               ("n", "int", 0, 10, None), ("opt", "cat", 0, 0, ["sgd", "adam", "rmsprop"])], mixed, 0.0),
}
# The 10-D problems are for long sweeps and run only when named (as in bayes_quality).
LONG = {"rosenbrock10", "ackley10", "levy10"}
CONTINUOUS = {"branin", "hartmann6", "rosenbrock4", "ackley5", "levy4", "rosenbrock10", "ackley10", "levy10", "rastrigin5", "schwefel5", "michalewicz5"}
# BoTorch reference medians from issue 5 (10 seeds, GPU machine): (budget 50, budget 100)
BOTORCH = {"branin": (0.39938, 0.39832), "hartmann6": (-3.1924, -3.2929), "rosenbrock4": (467.3, None),
           "ackley5": (5.405, None), "levy4": (0.3714, None)}
TPE_REF = {"branin": (0.57925, 0.41418), "hartmann6": (-2.7364, -3.0738), "rosenbrock4": (358.3, None),
           "ackley5": (13.07, None), "levy4": (0.9285, None)}


def decode(params, u):
    """Unit-cube point -> params, the same warping as sweep's UnitCube."""
    out = {}
    for (name, kind, lo, hi, choices), v in zip(params, u):
        v = min(max(v, 0.0), 1.0)
        if kind == "float":
            out[name] = lo + v * (hi - lo)
        elif kind == "log":
            out[name] = math.exp(math.log(lo) + v * (math.log(hi) - math.log(lo)))
        elif kind == "int":
            out[name] = int(min(hi, math.floor(lo + v * (hi - lo + 1))))
        else:
            out[name] = choices[min(len(choices) - 1, int(v * len(choices)))]
    return out


def optuna_suggest(trial, params):
    p = {}
    for name, kind, lo, hi, choices in params:
        if kind == "float":
            p[name] = trial.suggest_float(name, lo, hi)
        elif kind == "log":
            p[name] = trial.suggest_float(name, lo, hi, log=True)
        elif kind == "int":
            p[name] = trial.suggest_int(name, lo, hi)
        else:
            p[name] = trial.suggest_categorical(name, choices)
    return p


def run_optuna(method, params, f, seed, budget):
    import optuna
    optuna.logging.set_verbosity(optuna.logging.ERROR)
    if method == "tpe":
        sampler = optuna.samplers.TPESampler(seed=seed)
    elif method == "tpe_mv":
        sampler = optuna.samplers.TPESampler(seed=seed, multivariate=True)
    else:
        sampler = optuna.samplers.CmaEsSampler(seed=seed)
    study = optuna.create_study(sampler=sampler)
    values, asks = [], 0.0
    for _ in range(budget):
        t0 = time.perf_counter()
        trial = study.ask()
        p = optuna_suggest(trial, params)
        asks += time.perf_counter() - t0
        v = f(p)
        study.tell(trial, v)
        values.append(v)
    return values, asks / budget


def gp_ei_ask(X, y, d, rng, n_candidates=1000):
    """One ask of the W&B stand-in: sklearn GP (Matern-5/2 + noise, normalized y)
    fitted on (X, y) (minimisation), EI over uniform random candidates."""
    from scipy.stats import norm
    from sklearn.gaussian_process import GaussianProcessRegressor
    from sklearn.gaussian_process.kernels import ConstantKernel, Matern, WhiteKernel
    kernel = ConstantKernel(1.0) * Matern(length_scale=np.ones(d), nu=2.5) + WhiteKernel(1e-3)
    gp = GaussianProcessRegressor(kernel=kernel, normalize_y=True, n_restarts_optimizer=2,
                                  random_state=int(rng.integers(1 << 31)))
    gp.fit(X, y)
    cand = rng.random((n_candidates, d))
    mu, sd = gp.predict(cand, return_std=True)
    sd = np.maximum(sd, 1e-12)
    best = np.min(y)
    z = (best - mu) / sd
    ei = (best - mu) * norm.cdf(z) + sd * norm.pdf(z)
    return cand[int(np.argmax(ei))]


def run_skgp(params, f, seed, budget, n_init=10):
    rng = np.random.default_rng(seed)
    d = len(params)
    X, y, asks = [], [], 0.0
    for i in range(budget):
        t0 = time.perf_counter()
        u = rng.random(d) if i < n_init else gp_ei_ask(np.array(X), np.array(y), d, rng)
        asks += time.perf_counter() - t0
        X.append(u)
        y.append(f(decode(params, u)))
    return y, asks / budget


def cmd_run(args):
    w = csv.writer(sys.stdout)
    w.writerow(["problem", "method", "seed", "best50", "best%d" % args.budget, "ask_s", "duplicates"])
    for pname in args.problems.split(","):
        params, f, _ = PROBLEMS[pname]
        for m in args.methods.split(","):
            if m == "cmaes" and pname not in CONTINUOUS:
                continue
            for seed in range(args.first_seed, args.first_seed + args.seeds):
                if m == "skgp":
                    vals, ask = run_skgp(params, f, seed, args.budget)
                else:
                    vals, ask = run_optuna(m, params, f, seed, args.budget)
                w.writerow([pname, m, seed, "%.10g" % min(vals[:50]), "%.10g" % min(vals), "%.4g" % ask, 0])
                sys.stdout.flush()


def cmd_latency(args):
    import optuna
    optuna.logging.set_verbosity(optuna.logging.ERROR)
    d = 10
    print("method,n,p50_s,p95_s,reps,cpu_p50_s,cpu_p95_s")
    for n in [int(v) for v in args.n.split(",")]:
        rng = np.random.default_rng(n)
        X = rng.random((n, d))
        y = np.sum((X - 0.3) ** 2, axis=1) + 0.1 * np.sin(10 * X[:, 0])
        times, cpu = [], []
        for r in range(args.reps):
            t0, c0 = time.perf_counter(), time.process_time()
            gp_ei_ask(X, y, d, rng)
            times.append(time.perf_counter() - t0)
            cpu.append(time.process_time() - c0)
            if sum(times) > args.max_seconds:
                break
        print("skgp,%d,%.4g,%.4g,%d,%.4g,%.4g" % (n, np.percentile(times, 50), np.percentile(times, 95), len(times),
                                               np.percentile(cpu, 50), np.percentile(cpu, 95)))
        sys.stdout.flush()
        dists = {"x%d" % i: optuna.distributions.FloatDistribution(0, 1) for i in range(d)}
        study = optuna.create_study(sampler=optuna.samplers.TPESampler(seed=0))
        study.add_trials([optuna.trial.create_trial(params={"x%d" % i: float(X[k, i]) for i in range(d)},
                                                    distributions=dists, value=float(y[k])) for k in range(n)])
        times, cpu = [], []
        for r in range(args.reps):
            t0, c0 = time.perf_counter(), time.process_time()
            t = study.ask()
            for i in range(d):
                t.suggest_float("x%d" % i, 0, 1)
            times.append(time.perf_counter() - t0)
            cpu.append(time.process_time() - c0)
            study.tell(t, 1.0)
        print("optuna_tpe,%d,%.4g,%.4g,%d,%.4g,%.4g" % (n, np.percentile(times, 50), np.percentile(times, 95),
                                                     len(times), np.percentile(cpu, 50), np.percentile(cpu, 95)))
        sys.stdout.flush()


def cmd_stats(args):
    from scipy.stats import mannwhitneyu
    rows = []
    for path in args.inputs:
        with open(path) as fh:
            for r in csv.reader(fh):
                if r and r[0] != "problem":
                    rows.append(r)
    data = {}  # (problem, method, budget) -> regrets
    for r in rows:
        opt = PROBLEMS[r[0]][2]
        data.setdefault((r[0], r[1], 50), []).append(float(r[3]) - opt)
        data.setdefault((r[0], r[1], 100), []).append(float(r[4]) - opt)
    problems = [p for p in PROBLEMS if any(k[0] == p for k in data)]
    methods = sorted({k[1] for k in data}, key=lambda m: (m != "bayes", m))
    wins = {50: 0, 100: 0}
    for budget in (50, 100):
        print("\n## Simple regret after %d evaluations: median [q1, q3] (n seeds); p = Mann-Whitney U "
              "two-sided, bayes vs that method" % budget)
        for p in problems:
            ours = data.get((p, "bayes", budget))
            line, beats_all = [], True
            for m in methods:
                v = data.get((p, m, budget))
                if not v:
                    continue
                q1, med, q3 = np.percentile(v, [25, 50, 75])
                s = "%s %.4g [%.3g, %.3g] (%d)" % (m, med, q1, q3, len(v))
                if ours and m != "bayes":
                    s += " p=%.2g" % mannwhitneyu(ours, v, alternative="two-sided").pvalue
                    if m not in ("bayes4",) and np.median(ours) >= med:
                        beats_all = False
                line.append(s)
            ref = BOTORCH.get(p, (None, None))[0 if budget == 50 else 1]
            if ref is not None:
                opt = PROBLEMS[p][2]
                line.append("BoTorch-ref %.4g%s" % (ref - opt, "" if not ours else
                            (" (bayes lower)" if np.median(ours) < ref - opt else " (bayes NOT lower)")))
            if ours and beats_all:
                wins[budget] += 1
            print("- %s: %s" % (p, "; ".join(line)))
    print("\nproblems where bayes has the lowest median regret of all peers: @50 %d, @100 %d of %d"
          % (wins[50], wins[100], len(problems)))
    # The asynchronous check: bayes4 against sequential bayes on the same seeds.
    seeds = {}  # (problem, method) -> {seed: regret@100}
    dups = {}
    for r in rows:
        seeds.setdefault((r[0], r[1]), {})[int(r[2])] = float(r[4]) - PROBLEMS[r[0]][2]
        dups[r[1]] = dups.get(r[1], 0) + int(r[6])
    par = [p for p in problems if (p, "bayes4") in seeds]
    if par:
        print("\n## 4 asynchronous workers vs sequential, regret after 100 evaluations (same seeds)")
        for p in par:
            common = sorted(set(seeds[(p, "bayes4")]) & set(seeds.get((p, "bayes"), {})))
            if not common:
                continue
            a = np.median([seeds[(p, "bayes4")][k] for k in common])
            b = np.median([seeds[(p, "bayes")][k] for k in common])
            print("- %s: parallel %.4g, sequential %.4g, ratio %.2f (%d seeds)" % (p, a, b, a / b if b > 0 else float("nan"), len(common)))
    print("\nduplicate suggestions: " + ", ".join("%s %d" % kv for kv in sorted(dups.items())))


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("run")
    r.add_argument("--problems", default=",".join(p for p in PROBLEMS if p not in LONG))
    r.add_argument("--methods", default="tpe,tpe_mv,cmaes,skgp")
    r.add_argument("--seeds", type=int, default=20)
    r.add_argument("--first-seed", type=int, default=0)
    r.add_argument("--budget", type=int, default=100)
    l = sub.add_parser("latency")
    l.add_argument("--n", default="100,500,1000,2000")
    l.add_argument("--reps", type=int, default=10)
    l.add_argument("--max-seconds", type=float, default=60)
    s = sub.add_parser("stats")
    s.add_argument("inputs", nargs="+")
    a = ap.parse_args()
    {"run": cmd_run, "latency": cmd_latency, "stats": cmd_stats}[a.cmd](a)


if __name__ == "__main__":
    main()
