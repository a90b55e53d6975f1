#!/usr/bin/python3
"""Bayesmark-style tuning suite: sweep's bayes against Optuna 3.1 TPE (default and
multivariate), CMA-ES and random search on the scikit-learn tasks of tasks.py.

  run_suite.py --build BUILD [--seeds 10] [--budget 60] [-j 2] [--tasks a,b]
               [--methods sweep,tpe,tpe_mv,cmaes,random] [--quick] [--out DIR]

sweep is driven through BUILD/bayes_asktell (the real strategy over stdin/stdout JSON
lines; the spec goes through sweep's own parser, with run_cap = the budget, so sweep
runs once per reported budget and the peers' budget-30 figures are the first 30
evaluations of their budget-60 runs). Every (task, method, seed) run is one
job; jobs run in -j parallel processes. Model evaluations are cached by configuration
in OUT/cache.sqlite (the tasks are deterministic), so a configuration is trained once
per suite however many methods propose it; a task whose definition changed (model,
dataset, space, evaluation code or scikit-learn version: tasks.fingerprint) has its
cached evaluations dropped at the next run. Each run's values go to OUT/runs.jsonl
(one line per run, appended; a run already there is not repeated), and the report is
printed from all of them: per task and budget the median best loss of each method,
and Bayesmark's normalized score (100 * (E[random best] - best) / (E[random best] -
best of any method); E[random best] is the expected minimum of n draws from the pooled
random-search evaluations, as bayesmark.expected_max does), mean over seeds.
--quick: 2 seeds, budget 30, three cheap tasks (a check that everything runs).
"""
import argparse, json, math, multiprocessing as mp, os, sqlite3, subprocess, sys, tempfile, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tasks as T  # noqa: E402

ALL_METHODS = ["sweep", "tpe", "tpe_mv", "cmaes", "random"]


class Cache:
    """Configuration -> loss, shared by the parallel jobs (SQLite, WAL).

    Entries are valid only for the task definition that produced them: `task_defs`
    records each task's fingerprint (tasks.fingerprint), and invalidate() drops a
    task's evaluations when its definition changed since they were computed."""

    def __init__(self, path):
        self.db = sqlite3.connect(path, timeout=120)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("CREATE TABLE IF NOT EXISTS evals(task TEXT, key TEXT, loss REAL, PRIMARY KEY(task, key))")
        self.db.execute("CREATE TABLE IF NOT EXISTS task_defs(task TEXT PRIMARY KEY, fingerprint TEXT)")
        self.db.commit()

    def invalidate(self, tasks):
        """Called once, before the workers start. A task whose recorded fingerprint
        differs from its current one loses its cached evaluations. A cache from before
        fingerprints were recorded (evals but no task_defs row) is adopted as current:
        it was written by the definitions this change was made on."""
        for t in tasks:
            fp = T.fingerprint(t)
            row = self.db.execute("SELECT fingerprint FROM task_defs WHERE task=?", (t,)).fetchone()
            if row and row[0] != fp:
                n = self.db.execute("DELETE FROM evals WHERE task=?", (t,)).rowcount
                print("%s: definition changed, %d cached evaluations dropped" % (t, n), file=sys.stderr)
            self.db.execute("INSERT OR REPLACE INTO task_defs VALUES(?,?)", (t, fp))
        self.db.commit()

    def loss(self, task, params):
        key = json.dumps(params, sort_keys=True)
        row = self.db.execute("SELECT loss FROM evals WHERE task=? AND key=?", (task, key)).fetchone()
        if row:
            return row[0]
        v = T.evaluate(task, params)
        self.db.execute("INSERT OR REPLACE INTO evals VALUES(?,?,?)", (task, key, v))
        self.db.commit()
        return v


def run_sweep(build, task, seed, budget, cache, out_dir):
    # run_cap tells sweep its budget, as a user's spec would (it sizes the initial design).
    spec = {"program": "train.py", "method": "bayes", "metric": {"name": "loss", "goal": "minimize"},
            "run_cap": budget, "parameters": T.spec_parameters(T.TASKS[task][2])}
    fd, path = tempfile.mkstemp(suffix=".yaml", dir=out_dir)
    with os.fdopen(fd, "w") as fh:
        json.dump(spec, fh)
    proc = subprocess.Popen([os.path.join(build, "bayes_asktell"), path, "--seed", str(seed)],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    values, asks = [], 0.0
    try:
        for _ in range(budget):
            t0 = time.perf_counter()
            line = proc.stdout.readline()
            asks += time.perf_counter() - t0
            p = json.loads(line)
            if p.get("exhausted"):
                break
            v = cache.loss(task, p)
            values.append(v)
            proc.stdin.write(json.dumps(v) + "\n")
            proc.stdin.flush()
    finally:
        proc.stdin.close()
        proc.wait()
        os.unlink(path)
    return values, asks / max(1, len(values))


def run_optuna(method, task, seed, budget, cache):
    import optuna
    optuna.logging.set_verbosity(optuna.logging.ERROR)
    import warnings
    warnings.filterwarnings("ignore")
    s = optuna.samplers
    sampler = {"tpe": lambda: s.TPESampler(seed=seed),
               "tpe_mv": lambda: s.TPESampler(seed=seed, multivariate=True),
               "cmaes": lambda: s.CmaEsSampler(seed=seed),
               "random": lambda: s.RandomSampler(seed=seed)}[method]()
    study = optuna.create_study(sampler=sampler)
    values, asks = [], 0.0
    for _ in range(budget):
        t0 = time.perf_counter()
        trial = study.ask()
        p = T.optuna_params(trial, T.TASKS[task][2])
        asks += time.perf_counter() - t0
        v = cache.loss(task, p)
        study.tell(trial, v)
        values.append(v)
    return values, asks / budget


def job(args):
    build, out_dir, task, method, seed, budget = args
    cache = Cache(os.path.join(out_dir, "cache.sqlite"))
    t0 = time.time()
    if method == "sweep":
        values, ask = run_sweep(build, task, seed, budget, cache, out_dir)
    else:
        values, ask = run_optuna(method, task, seed, budget, cache)
    return {"task": task, "method": method, "seed": seed, "budget": budget, "values": values,
            "ask_s": ask, "wall_s": time.time() - t0}


def expected_min(pool, n):
    """E[min of n draws without replacement from pool] (bayesmark.expected_max, negated)."""
    v = sorted(pool)
    N = len(v)
    if n >= N:
        return v[0]
    # P(min is the i-th smallest) = C(N-1-i, n-1) / C(N, n), i 0-based.
    total, log_cnn = 0.0, math.lgamma(N + 1) - math.lgamma(n + 1) - math.lgamma(N - n + 1)
    for i in range(N - n + 1):
        k = N - 1 - i
        lp = math.lgamma(k + 1) - math.lgamma(n) - math.lgamma(k - n + 2) - log_cnn
        total += v[i] * math.exp(lp)
    return total


def median(xs):
    s = sorted(xs)
    m = len(s) // 2
    return s[m] if len(s) % 2 else 0.5 * (s[m - 1] + s[m])


def at_budget(runs, b):
    """The runs that give each method's figures at budget b: a method's own runs of
    budget b where it has them (sweep, which knows its budget, runs once per budget),
    else the first b evaluations of its longer runs (the peers do not use a budget)."""
    own = {(r["task"], r["method"]) for r in runs if r["budget"] == b}
    return [r for r in runs if r["budget"] == b or ((r["task"], r["method"]) not in own and r["budget"] > b)]


def report(all_runs, budgets):
    tasks = [t for t in T.TASKS if any(r["task"] == t for r in all_runs)]
    methods = [m for m in ALL_METHODS if any(r["method"] == m for r in all_runs)]
    for b in budgets:
        runs = at_budget(all_runs, b)
        print("\n### Budget %d: median best loss per task (n seeds); normalized score mean (100 = best of any "
              "method, 0 = random's expected best)" % b)
        print("| task | " + " | ".join(methods) + " |")
        print("|---|" + "---|" * len(methods))
        overall = {m: [] for m in methods}
        wins = {m: 0 for m in methods}
        for t in tasks:
            rs = [r for r in runs if r["task"] == t and len(r["values"]) > 0]
            pool = [v for r in rs if r["method"] == "random" for v in r["values"]]
            best_any = min(min(r["values"][:b]) for r in rs)
            e_rand = expected_min(pool, b) if pool else None
            cells, meds = [], {}
            for m in methods:
                bests = [min(r["values"][:b]) for r in rs if r["method"] == m]
                if not bests:
                    cells.append("-")
                    continue
                meds[m] = median(bests)
                cell = "%.4g (%d)" % (meds[m], len(bests))
                if e_rand is not None and e_rand > best_any:
                    score = sum(100 * (e_rand - x) / (e_rand - best_any) for x in bests) / len(bests)
                    overall[m].append(score)
                    cell += " / %.1f" % score
                cells.append(cell)
            print("| %s | %s |" % (t, " | ".join(cells)))
            if "sweep" in meds:
                for m in methods:
                    if m != "sweep" and m in meds and meds["sweep"] <= meds[m]:
                        wins[m] += 1
        print("| **overall score (mean of tasks)** | " + " | ".join(
            "%.1f" % (sum(v) / len(v)) if v else "-" for v in overall.values()) + " |")
        # A task every method solves has E[random best] ~ best, and one bad run then
        # dominates the mean: the median over tasks is shown beside it.
        print("| overall score (median of tasks) | " + " | ".join(
            "%.1f" % median(v) if v else "-" for v in overall.values()) + " |")
        if "sweep" in methods:
            print("\nsweep's median at or below the method's median on: " + ", ".join(
                "%s %d/%d" % (m, wins[m], len(tasks)) for m in methods if m != "sweep"))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default="build")
    ap.add_argument("--seeds", type=int, default=10)
    ap.add_argument("--first-seed", type=int, default=0)
    ap.add_argument("--budget", type=int, default=60)
    ap.add_argument("-j", type=int, default=2)
    ap.add_argument("--tasks", default=",".join(T.TASKS))
    ap.add_argument("--methods", default=",".join(ALL_METHODS))
    ap.add_argument("--out", default=None, help="default BUILD/bench/tuning_suite")
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--report-only", action="store_true")
    a = ap.parse_args()
    if a.quick:
        a.seeds, a.budget = 2, 30
        a.tasks = "SVM-breast,lasso-wine,lasso-diabetes"
    out = a.out or os.path.join(a.build, "bench", "tuning_suite" + ("_quick" if a.quick else ""))
    os.makedirs(out, exist_ok=True)
    runs_path = os.path.join(out, "runs.jsonl")
    runs = []
    if os.path.exists(runs_path):
        with open(runs_path) as fh:
            runs = [json.loads(l) for l in fh if l.strip()]
    done = {(r["task"], r["method"], r["seed"], r["budget"]) for r in runs}
    budgets = sorted({30, a.budget}) if a.budget >= 30 else [a.budget]
    # sweep reads its budget from run_cap, so it runs once per reported budget; the
    # peers' shorter budgets are prefixes of their longest run.
    jobs = [(a.build, out, t, m, s, b) for t in a.tasks.split(",") for m in a.methods.split(",")
            for b in (budgets if m == "sweep" else [a.budget])
            for s in range(a.first_seed, a.first_seed + a.seeds) if (t, m, s, b) not in done]
    for t in a.tasks.split(","):
        if t not in T.TASKS:
            sys.exit("unknown task %s (known: %s)" % (t, ", ".join(T.TASKS)))
    if not a.report_only and jobs:
        # Create the tables and drop stale entries before the workers race.
        Cache(os.path.join(out, "cache.sqlite")).invalidate(sorted({j[2] for j in jobs}))
        with mp.Pool(a.j) as pool, open(runs_path, "a") as fh:
            for i, r in enumerate(pool.imap_unordered(job, jobs)):
                fh.write(json.dumps(r) + "\n")
                fh.flush()
                runs.append(r)
                print("[%d/%d] %s %s seed %d: best %.5g (%.0f s)" % (i + 1, len(jobs), r["task"], r["method"],
                      r["seed"], min(r["values"]), r["wall_s"]), file=sys.stderr)
    runs = [r for r in runs if r["budget"] in budgets and r["task"] in a.tasks.split(",")]
    report(runs, budgets)


if __name__ == "__main__":
    main()
