#!/usr/bin/env bash
# Runs an already built frame-decoder fuzzer (wire_fuzz) for a bounded time.
#
#   tests/fuzz/run_bounded.sh BUILD_DIR SECONDS
#
# Builds nothing: BUILD_DIR must hold wire_fuzz (a clang build, see cmake/Fuzz.cmake or
# tests/fuzz/run_wire_fuzz.sh, which also builds it). The seeds in tests/fuzz/corpus
# (one byte choosing how the stream is cut, then frames) are read but never written:
# new inputs go to BUILD_DIR/fuzz-corpus/wire. Exit status: 0 no finding, 2 usage or no
# binary, anything else the fuzzer's (a crash, leak, timeout or invariant violation;
# the reproducer is in BUILD_DIR/fuzz-artifacts/).
set -euo pipefail

if [ $# -ne 2 ]; then
  echo "usage: $0 BUILD_DIR SECONDS" >&2
  exit 2
fi
build="$1"
seconds="$2"
case "$seconds" in '' | *[!0-9]*) echo "run_bounded: SECONDS must be a whole number" >&2; exit 2 ;; esac
here="$(cd "$(dirname "$0")" && pwd)"
fuzzer="$build/wire_fuzz"
if [ ! -x "$fuzzer" ]; then
  echo "run_bounded: $fuzzer not found; build it with clang (tests/fuzz/run_wire_fuzz.sh)" >&2
  exit 2
fi

work="$build/fuzz-corpus/wire"
artifacts="$build/fuzz-artifacts/"
mkdir -p "$work" "$artifacts"
echo "run_bounded: fuzzing $fuzzer for ${seconds}s" >&2
# The first corpus folder receives new inputs; the seed folder is only read.
exec "$fuzzer" -max_total_time="$seconds" -max_len=4096 -timeout=10 -rss_limit_mb=2048 \
  -artifact_prefix="$artifacts" -print_final_stats=1 "$work" "$here/corpus"
