#!/bin/sh
# Conditional-space and warm-start benchmark (issue 18): sweep's bayes and random and
# the warm-start check (bench/conditional_bench) against Optuna 3.1 TPE
# (multivariate, group, define-by-run; bench/conditional_optuna.py), all in one run at
# nice 10, then the medians table (bench/conditional_summary.py).
#   bench/run_conditional_bench.sh BUILD_DIR [SEEDS] [OUT_DIR]
# BUILD_DIR needs -DSWEEP_BUILD_BENCH=ON and the conditional_bench target built.
set -eu
build=${1:?usage: run_conditional_bench.sh BUILD_DIR [SEEDS] [OUT_DIR]}
seeds=${2:-10}
here=$(cd "$(dirname "$0")" && pwd)
out=${3:-$here/results-conditional}
mkdir -p "$out"
nice -n 10 "$build/conditional_bench" --seeds "$seeds" --budget 100 > "$out/sweep.csv" &
ours=$!
nice -n 10 /usr/bin/python3 "$here/conditional_optuna.py" --seeds "$seeds" --budget 100 \
  > "$out/tpe.csv"
wait $ours
python3 "$here/conditional_summary.py" "$out/sweep.csv" "$out/tpe.csv" | tee "$out/summary.md"
