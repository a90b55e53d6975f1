#!/bin/sh
# Runs the multi-objective benchmark (issue 17) and prints the statistics.
#
#   bench/run_mo_bench.sh [BUILD_DIR]        (default: build; needs -DSWEEP_BUILD_BENCH=ON)
#
# Environment: SEEDS (10), BUDGET (100; the 40-evaluation figures come from the same
# runs), PROBLEMS (all four), REPS (20) for the latency runs. Results go to
# BUILD_DIR/bench/mo_*.csv. BLAS is pinned to one thread (the machine may be shared).
set -eu
BUILD=${1:-build}
SEEDS=${SEEDS:-10}
BUDGET=${BUDGET:-100}
PROBLEMS=${PROBLEMS:-branincurrin,zdt1,dtlz2,cbraincurrin}
REPS=${REPS:-20}
PY=/usr/bin/python3
HERE=$(cd "$(dirname "$0")" && pwd)
OUT=$BUILD/bench
mkdir -p "$OUT"
export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1

ninja -C "$BUILD" mo_quality mo_latency >/dev/null

# One process per problem and program (the long ones: DTLZ2, and MOTPE on DTLZ2, whose
# hypervolume bookkeeping in 3-D takes seconds per ask), niced: the machine may be shared.
echo "== sweep bayes and random, Optuna NSGA-II and MOTPE ($SEEDS seeds, budget $BUDGET)" >&2
for p in $(echo "$PROBLEMS" | tr , ' '); do
  nice -n 10 "$BUILD/mo_quality" --problems "$p" --seeds "$SEEDS" --budget "$BUDGET" \
    > "$OUT/mo_sweep_$p.csv" &
  nice -n 10 $PY "$HERE/mo_peers.py" run --problems "$p" --seeds "$SEEDS" --budget "$BUDGET" \
    > "$OUT/mo_optuna_$p.csv" &
done
wait
echo "== latency (2 objectives, 6 parameters)" >&2
"$BUILD/mo_latency" --n 100,500 --reps "$REPS" > "$OUT/mo_latency.csv"

$PY "$HERE/mo_peers.py" stats "$OUT"/mo_sweep_*.csv "$OUT"/mo_optuna_*.csv
echo
echo "## Latency (seconds per ask; wall and single-thread CPU)"
cat "$OUT/mo_latency.csv"
