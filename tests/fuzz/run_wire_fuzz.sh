#!/usr/bin/env bash
# Builds the frame-decoder fuzzer with clang and runs it for a bounded time.
#
#   tests/fuzz/run_wire_fuzz.sh [SECONDS] [BUILD_DIR]
#
# SECONDS defaults to 30 (FUZZ_SECONDS in the environment also works), BUILD_DIR to
# build-fuzz. Needs clang and libclang-rt-14-dev (apt-get install clang
# libclang-rt-14-dev) and the top-level CMakeLists.txt to include cmake/Fuzz.cmake.
# Exits non-zero when the build fails or the fuzzer finds a crash, a leak or an
# invariant violation; the reproducer is left in BUILD_DIR/fuzz-artifacts/.
set -euo pipefail

seconds="${1:-${FUZZ_SECONDS:-30}}"
root="$(cd "$(dirname "$0")/../.." && pwd)"
build="${2:-$root/build-fuzz}"
jobs="${FUZZ_BUILD_JOBS:-2}"

command -v clang++ >/dev/null || { echo "run_wire_fuzz: clang++ not found (apt-get install clang libclang-rt-14-dev)" >&2; exit 2; }

generator=()
command -v ninja >/dev/null && generator=(-G Ninja)
CC=clang CXX=clang++ cmake -S "$root" -B "$build" "${generator[@]}" \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSWEEP_BUILD_TESTS=OFF -DSWEEP_BUILD_BENCH=OFF \
  -DSWEEP_BUILD_FUZZ=ON >"$build.configure.log" 2>&1 ||
  { cat "$build.configure.log" >&2; exit 2; }
if ! cmake --build "$build" --target wire_fuzz -j "$jobs"; then
  echo "run_wire_fuzz: build failed (does CMakeLists.txt include cmake/Fuzz.cmake?)" >&2
  exit 2
fi

corpus="$build/fuzz-corpus/wire"
artifacts="$build/fuzz-artifacts/"
mkdir -p "$corpus" "$artifacts"
# Seeds: a few well-formed frames so the fuzzer starts past the header checks, beside the
# checked-in ones of tests/fuzz/corpus (read, never written: new inputs go to $corpus).
printf '\x00\x00\x00\x00\x01\x10' >"$corpus/seed-bye"
printf '\x05\x00\x00\x00\x12\x10{"reason":"done"}' >"$corpus/seed-bye-reason"
printf '\x00\x00\x00\x00\x26\x0c{"lease_ids":["L1","L2"],"sent_at":1}' >"$corpus/seed-heartbeat"
printf '\x03\x00\x00\x00\x40\x09{"trial_id":"t","lease_id":"L","stream":"stdout","offset":0}\nhi' >"$corpus/seed-log"

echo "run_wire_fuzz: fuzzing for ${seconds}s" >&2
"$build/wire_fuzz" -max_total_time="$seconds" -max_len=4096 -timeout=10 -rss_limit_mb=2048 \
  -artifact_prefix="$artifacts" -print_final_stats=1 "$corpus" "$root/tests/fuzz/corpus"
