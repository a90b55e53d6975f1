"""Medians table for bench/run_conditional_bench.sh (standard library only).
Reads CSV rows problem,method,seed,best40,best100,ask_ms from every file given and
prints, per problem, the median best value after 40 and 100 evaluations for each
method, and the warm-start check (warm 30+10 against cold bayes 40)."""
import csv
import statistics
import sys


def main():
    rows = []
    for path in sys.argv[1:]:
        with open(path) as f:
            rows += list(csv.DictReader(f))
    by = {}
    for r in rows:
        by.setdefault((r["problem"], r["method"]), []).append(r)
    problems = sorted({r["problem"] for r in rows})
    print("| problem | method | n | median best @40 | median best @100 | mean ask ms |")
    print("|---|---|---|---|---|---|")
    for p in problems:
        for m in ("bayes", "bayes_branch", "tpe", "random"):
            rs = by.get((p, m))
            if not rs:
                continue
            b40 = statistics.median(float(r["best40"]) for r in rs)
            b100 = statistics.median(float(r["best100"]) for r in rs)
            ask = statistics.mean(float(r["ask_ms"]) for r in rs)
            print(f"| {p} | {m} | {len(rs)} | {b40:.4f} | {b100:.4f} | {ask:.1f} |")
    print()
    print("| problem | cold bayes 40 (median) | warm 30+10 (median) | warm wins/ties of n |")
    print("|---|---|---|---|")
    for p in problems:
        cold = {r["seed"]: float(r["best40"]) for r in by.get((p, "bayes"), [])}
        warm = {r["seed"]: float(r["best40"]) for r in by.get((p, "warm"), [])}
        seeds = sorted(set(cold) & set(warm), key=int)
        if not seeds:
            continue
        wins = sum(1 for s in seeds if warm[s] <= cold[s])
        print(f"| {p} | {statistics.median(cold[s] for s in seeds):.4f} | "
              f"{statistics.median(warm[s] for s in seeds):.4f} | {wins}/{len(seeds)} |")


if __name__ == "__main__":
    main()
