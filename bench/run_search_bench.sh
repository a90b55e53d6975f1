#!/usr/bin/env bash
# Runs search_bench (ours) and search_bench_optuna.py (Optuna 3.1) on the same spaces
# and prints one table with the ratios. Builds nothing: build first with
#   cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release -DSWEEP_BUILD_BENCH=ON && ninja -C build search_bench
# Usage: bench/run_search_bench.sh [BUILD_DIR] [BUDGET_SECONDS_PER_OPTUNA_CASE] [N ...]
#   defaults: build, 120, 1000 10000 100000
# Environment: PYTHON (default /usr/bin/python3, the interpreter that has optuna).
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
build="${1:-build}"
budget="${2:-120}"
shift $(( $# > 2 ? 2 : $# ))
sizes=("$@")
if [ ${#sizes[@]} -eq 0 ]; then sizes=(1000 10000 100000); fi
python="${PYTHON:-/usr/bin/python3}"
bench="$build/search_bench"
if [ ! -x "$bench" ]; then
  echo "run_search_bench: $bench not found; build it first (see the top of this script)" >&2
  exit 2
fi

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

echo "sweep:  $bench ${sizes[*]}" >&2
"$bench" "${sizes[@]}" > "$tmp/sweep.jsonl"
echo "optuna: $python $here/search_bench_optuna.py --budget $budget ${sizes[*]}" >&2
"$python" "$here/search_bench_optuna.py" --budget "$budget" "${sizes[@]}" > "$tmp/optuna.jsonl"

"$python" - "$tmp/sweep.jsonl" "$tmp/optuna.jsonl" <<'EOF'
import json, sys

def load(path):
    return {(r["strategy"], r["n"]): r for r in map(json.loads, open(path))}

ours, peer = load(sys.argv[1]), load(sys.argv[2])
# first/last 10%: mean (median) of the per-ask+tell times over the first and the last
# tenth of the trials run; flat = last/first of the medians. cpu/wall: process CPU time
# over wall time for the case (well below 1 = the machine was busy with other work).
head = ("strategy", "n", "impl", "reached", "mean us", "p50 us", "p99 us",
        "first10% us", "last10% us", "flat", "cpu/wall")
fmt = "{:<8} {:>7} {:<7} {:>8} {:>11} {:>11} {:>11} {:>21} {:>21} {:>6} {:>8}"
print(fmt.format(*head))
def num(x):
    return "%.3f" % x if x < 1000 else "%.0f" % x
ratios = []
for key in sorted(ours, key=lambda k: (k[0], k[1])):
    for name, r in (("sweep", ours[key]), ("optuna", peer.get(key))):
        if r is None:
            continue
        print(fmt.format(key[0], key[1], name, r["reached"], num(r["mean_us"]),
                         num(r["p50_us"]), num(r["p99_us"]),
                         "%s (%s)" % (num(r["first10_us"]), num(r["first10_p50_us"])),
                         "%s (%s)" % (num(r["last10_us"]), num(r["last10_p50_us"])),
                         "%.2f" % (r["last10_p50_us"] / r["first10_p50_us"]),
                         "%.2f" % (r["cpu_s"] / r["total_s"])))
    if key in peer:
        o, s = peer[key], ours[key]
        ratios.append((key, o["mean_us"] / s["mean_us"], o["p50_us"] / s["p50_us"],
                       o["last10_p50_us"] / s["last10_p50_us"],
                       (o["cpu_s"] / o["reached"]) / (s["cpu_s"] / s["reached"]),
                       o["reached"], o["n"]))
print()
print("Optuna time / sweep time per ask+tell (higher is better for sweep); cpu ratio:")
print("process CPU seconds per trial, which a busy machine does not inflate:")
print("{:<8} {:>7} {:>12} {:>12} {:>18} {:>10}  {}".format(
    "strategy", "n", "mean ratio", "p50 ratio", "last10% p50 ratio", "cpu ratio", "note"))
for (strategy, n), mean_r, p50_r, last_r, cpu_r, reached, want in ratios:
    note = "" if reached == want else \
        "optuna stopped at %d of %d trials (budget); its figures cover those" % (reached, want)
    print("{:<8} {:>7} {:>12.0f} {:>12.0f} {:>18.0f} {:>10.0f}  {}".format(
        strategy, n, mean_r, p50_r, last_r, cpu_r, note))
EOF
echo
echo "raw:"
cat "$tmp/sweep.jsonl" "$tmp/optuna.jsonl"
