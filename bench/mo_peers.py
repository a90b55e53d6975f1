#!/usr/bin/python3
"""Peers and statistics for the multi-objective benchmark (run with /usr/bin/python3).

  run    Optuna 3.1 NSGA-II (NSGAIISampler, defaults: population 50) and MOTPE
         (TPESampler with several directions, defaults) on the problems of
         bench/mo_problems.h (same definitions, same CSV rows as bench/mo_quality);
         cbraincurrin passes its constraint through constraints_func.
  stats  median hypervolume (and quartiles) per problem, method and budget, and whether
         sweep's bayes is above both peers, from the CSV files of both runs.
"""
import argparse, csv, math, sys, time, warnings

warnings.filterwarnings("ignore")

REF = {"branincurrin": (18.0, 6.0), "zdt1": (11.0, 11.0), "dtlz2": (1.1, 1.1, 1.1),
       "cbraincurrin": (80.0, 12.0)}
DIMS = {"branincurrin": 2, "zdt1": 6, "dtlz2": 6, "cbraincurrin": 2}
CONSTRAINT_MAX = 50.0


def branin_currin(x0, x1):
    u, v = 15 * x0 - 5, 15 * x1
    b = (v - 5.1 / (4 * math.pi ** 2) * u * u + 5 / math.pi * u - 6) ** 2 + \
        10 * (1 - 1 / (8 * math.pi)) * math.cos(u) + 10
    x1s = max(x1, 1e-12)
    c = (1 - math.exp(-1 / (2 * x1s))) * (2300 * x0 ** 3 + 1900 * x0 ** 2 + 2092 * x0 + 60) / \
        (100 * x0 ** 3 + 500 * x0 ** 2 + 4 * x0 + 20)
    return [b, c]


def evaluate(name, x):
    if name in ("branincurrin", "cbraincurrin"):
        return branin_currin(x[0], x[1])
    if name == "zdt1":
        g = 1 + 9 * sum(x[1:]) / (len(x) - 1)
        return [x[0], g * (1 - math.sqrt(x[0] / g))]
    g = sum((xi - 0.5) ** 2 for xi in x[2:])
    a, b = x[0] * math.pi / 2, x[1] * math.pi / 2
    return [(1 + g) * math.cos(a) * math.cos(b), (1 + g) * math.cos(a) * math.sin(b),
            (1 + g) * math.sin(a)]


def constraint(x):
    u, v = 15 * x[0] - 5, 15 * x[1]
    return (u - 2.5) ** 2 + (v - 7.5) ** 2


def dominated_by_any(p, pts):
    return any(all(q[k] <= p[k] for k in range(len(p))) and q != p for q in pts)


def hypervolume(points, ref):
    """Exact hypervolume (minimisation) by slicing on the last objective."""
    pts = [list(p) for p in points if all(p[k] < ref[k] for k in range(len(ref)))]
    m = len(ref)
    if not pts:
        return 0.0
    if m == 1:
        return ref[0] - min(p[0] for p in pts)
    if m == 2:
        pts.sort()
        vol, ybound = 0.0, ref[1]
        for p in pts:
            if p[1] < ybound:
                vol += (ref[0] - p[0]) * (ybound - p[1])
                ybound = p[1]
        return vol
    pts.sort(key=lambda p: p[-1])
    vol = 0.0
    for i, p in enumerate(pts):
        nxt = pts[i + 1][-1] if i + 1 < len(pts) else ref[-1]
        if nxt > p[-1]:
            vol += (nxt - p[-1]) * hypervolume([q[:-1] for q in pts[:i + 1]], ref[:-1])
    return vol


def run(args):
    import optuna
    optuna.logging.set_verbosity(optuna.logging.ERROR)
    print("problem,method,seed,hv40,hv%d,ask_s" % args.budget)
    for name in args.problems.split(","):
        d, ref = DIMS[name], REF[name]
        m = len(ref)
        constrained = name == "cbraincurrin"
        for method in args.methods.split(","):
            for seed in range(args.first_seed, args.first_seed + args.seeds):
                cf = (lambda t: t.user_attrs["c"]) if constrained else None
                if method == "nsga2":
                    sampler = optuna.samplers.NSGAIISampler(seed=seed, constraints_func=cf)
                else:
                    sampler = optuna.samplers.TPESampler(seed=seed, constraints_func=cf)
                study = optuna.create_study(directions=["minimize"] * m, sampler=sampler)
                feasible, hv40, ask = [], 0.0, 0.0
                for i in range(args.budget):
                    t0 = time.perf_counter()
                    trial = study.ask()
                    x = [trial.suggest_float("x%d" % j, 0.0, 1.0) for j in range(d)]
                    ask += time.perf_counter() - t0
                    f = evaluate(name, x)
                    ok = True
                    if constrained:
                        g = constraint(x)
                        trial.set_user_attr("c", (g - CONSTRAINT_MAX,))
                        ok = g <= CONSTRAINT_MAX
                    study.tell(trial, f)
                    if ok:
                        feasible.append(f)
                    if i + 1 == 40:
                        hv40 = hypervolume(feasible, ref)
                print("%s,optuna_%s,%d,%.6g,%.6g,%.4g" % (name, method, seed, hv40,
                      hypervolume(feasible, ref), ask / args.budget))
                sys.stdout.flush()


def quartiles(v):
    v = sorted(v)
    def q(p):
        pos = p * (len(v) - 1)
        lo = int(pos)
        hi = min(lo + 1, len(v) - 1)
        return v[lo] + (pos - lo) * (v[hi] - v[lo])
    return q(0.25), q(0.5), q(0.75)


def stats(args):
    rows = []
    for path in args.files:
        with open(path) as f:
            rows.extend(csv.DictReader(f))
    budget_col = [k for k in rows[0] if k.startswith("hv") and k != "hv40"][0]
    problems = list(dict.fromkeys(r["problem"] for r in rows))
    methods = list(dict.fromkeys(r["method"] for r in rows))
    print("| problem | method | seeds | HV@40 median [q1, q3] | HV@%s median [q1, q3] | s/ask |"
          % budget_col[2:])
    print("|---|---|---|---|---|---|")
    verdict = []
    for p in problems:
        med = {}
        for meth in methods:
            sel = [r for r in rows if r["problem"] == p and r["method"] == meth]
            if not sel:
                continue
            a = quartiles([float(r["hv40"]) for r in sel])
            b = quartiles([float(r[budget_col]) for r in sel])
            t = sum(float(r["ask_s"]) for r in sel) / len(sel)
            med[meth] = (a[1], b[1])
            print("| %s | %s | %d | %.4g [%.4g, %.4g] | %.4g [%.4g, %.4g] | %.3g |" %
                  (p, meth, len(sel), a[1], a[0], a[2], b[1], b[0], b[2], t))
        if "sweep_bayes" in med:
            for i, budget in enumerate(("40", budget_col[2:])):
                peers = [k for k in med if k.startswith("optuna_")]
                ok = all(med["sweep_bayes"][i] > med[k][i] for k in peers)
                verdict.append("%s @%s: sweep bayes %s every Optuna peer (%s)" % (
                    p, budget, "above" if ok else "NOT above",
                    ", ".join("%s %.4g" % (k, med[k][i]) for k in peers)))
    print()
    for v in verdict:
        print("- " + v)


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("run")
    r.add_argument("--problems", default="branincurrin,zdt1,dtlz2,cbraincurrin")
    r.add_argument("--methods", default="nsga2,motpe")
    r.add_argument("--seeds", type=int, default=10)
    r.add_argument("--first-seed", type=int, default=0)
    r.add_argument("--budget", type=int, default=100)
    s = sub.add_parser("stats")
    s.add_argument("files", nargs="+")
    a = ap.parse_args()
    run(a) if a.cmd == "run" else stats(a)


if __name__ == "__main__":
    main()
