#!/usr/bin/env bash
# Browser tests of `sweep ui`: builds a store (the bench's builder: 300 trials with
# curves, logs and a few failures), serves it with `sweep ui --port 0`, runs the
# Playwright checks in headless Chromium, stops the server. Exits non-zero when any
# check fails. Screenshots land in $SCREENSHOT_DIR (default BUILD/ui-screenshots).
#
#   tests/ui_e2e/run.sh [BUILD_DIR]
# Needs: /usr/bin/chromium (Debian's `chromium`), node + npm, and `npm ci` here (done
# on first run when node_modules is missing). SWEEP_UI_BIN overrides the binary that
# is run as `$SWEEP_UI_BIN ui ...` (default BUILD/sweep). SWEEP_UI_STORE=DIR tests a
# copy of an existing store instead (e.g. one made by the quickstart; it needs a sweep
# with a target metric and at least 8 finished trials).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
build="$(cd "${1:-$repo/build}" && pwd)"
bin="${SWEEP_UI_BIN:-$build/sweep}"
export SCREENSHOT_DIR="${SCREENSHOT_DIR:-$build/ui-screenshots}"

[ -x /usr/bin/chromium ] || { echo "run.sh: /usr/bin/chromium is missing (apt-get install chromium)" >&2; exit 1; }
if [ ! -d "$here/node_modules/playwright-core" ]; then
  (cd "$here" && npm ci --no-audit --no-fund)
fi

work="$(mktemp -d /tmp/sweep-ui-e2e-XXXXXX)"
server_pid=""
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

if [ -n "${SWEEP_UI_STORE:-}" ]; then
  cp -r "$SWEEP_UI_STORE" "$work/store"
else
  "$build/ui_bench" --build-only "$work/store" --trials 300 --points-per-trial 80 --running
fi
"$bin" --store "$work/store" ui --port 0 > "$work/ui.out" 2> "$work/ui.err" &
server_pid=$!
url=""
for _ in $(seq 1 100); do
  url="$(grep -o 'http://[0-9.]*:[0-9]*/' "$work/ui.out" 2>/dev/null || true)"
  [ -n "$url" ] && break
  kill -0 "$server_pid" 2>/dev/null || { cat "$work/ui.err" >&2; exit 1; }
  sleep 0.1
done
[ -n "$url" ] || { echo "run.sh: sweep ui did not start" >&2; cat "$work/ui.err" >&2; exit 1; }
echo "sweep ui at $url"
cd "$here"
SWEEP_UI_URL="$url" node ui.test.js
