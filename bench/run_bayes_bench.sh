#!/bin/sh
# Runs every Bayesian benchmark and prints the statistics.
#
#   bench/run_bayes_bench.sh [BUILD_DIR]        (default: build)
#
# Environment: SEEDS (20) seeds for sweep bayes/random, Optuna TPE and CMA-ES;
# SKGP_SEEDS (10) for the slower scikit-learn GP-EI stand-in; PAR_SEEDS (5) for the
# 4-worker asynchronous check; BUDGET (100; the 50-evaluation figures come from the same
# runs). Results go to BUILD_DIR/bench/*.csv. Problems run one at a time (the machine is
# shared); BLAS is pinned to one thread so that every latency figure is single-threaded.
# SUITE=1 also runs the Bayesmark-style tuning suite (bench/tuning_suite/run_suite.py,
# which can be run alone; see its --help).
set -eu
BUILD=${1:-build}
SEEDS=${SEEDS:-20}
SKGP_SEEDS=${SKGP_SEEDS:-10}
PAR_SEEDS=${PAR_SEEDS:-5}
BUDGET=${BUDGET:-100}
PY=/usr/bin/python3
HERE=$(cd "$(dirname "$0")" && pwd)
OUT=$BUILD/bench
mkdir -p "$OUT"
export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1

ninja -C "$BUILD" bayes_quality bayes_latency bayes_asktell >/dev/null

echo "== quality: sweep bayes and random ($SEEDS seeds, budget $BUDGET)" >&2
"$BUILD/bayes_quality" --seeds "$SEEDS" --budget "$BUDGET" --methods bayes,random > "$OUT/quality_sweep.csv"
echo "== quality: Optuna TPE, TPE multivariate, CMA-ES ($SEEDS seeds)" >&2
$PY "$HERE/bayes_peers.py" run --methods tpe,tpe_mv,cmaes --seeds "$SEEDS" --budget "$BUDGET" > "$OUT/quality_optuna.csv"
echo "== quality: scikit-learn GP-EI stand-in for W&B ($SKGP_SEEDS seeds)" >&2
$PY "$HERE/bayes_peers.py" run --methods skgp --seeds "$SKGP_SEEDS" --budget "$BUDGET" > "$OUT/quality_skgp.csv"
echo "== parallel: 4 asynchronous workers ($PAR_SEEDS seeds)" >&2
"$BUILD/bayes_quality" --problems branin,hartmann6,levy4 --seeds "$PAR_SEEDS" --budget "$BUDGET" \
  --methods bayes4 > "$OUT/quality_parallel.csv"
echo "== latency" >&2
"$BUILD/bayes_latency" --n 100,500,1000,2000 --reps 10 > "$OUT/latency_sweep.csv"
$PY "$HERE/bayes_peers.py" latency --n 100,500,1000 --reps 5 --max-seconds 120 > "$OUT/latency_peers.csv"

$PY "$HERE/bayes_peers.py" stats "$OUT/quality_sweep.csv" "$OUT/quality_optuna.csv" \
  "$OUT/quality_skgp.csv" "$OUT/quality_parallel.csv"
echo
echo "## Latency (seconds per ask, 10-D; wall and single-thread CPU)"
cat "$OUT/latency_sweep.csv"
tail -n +2 "$OUT/latency_peers.csv"

if [ "${SUITE:-0}" = 1 ]; then
  echo
  echo "## Tuning suite (scikit-learn tasks, Bayesmark search spaces)"
  $PY "$HERE/tuning_suite/run_suite.py" --build "$BUILD" -j 2
fi
