#!/usr/bin/env bash
# The .deb, end to end: builds it with CPack from a configured build folder, checks its
# control fields and contents, installs it with `apt-get install ./sweep_*.deb` into a
# clean Debian 12 root made by debootstrap, and there runs a small sweep with the
# installed `sweep`, renders `man sweep` and completes `sweep la<TAB>`.
#
#   tests/package/check_deb.sh [BUILD_DIR]        (default: ./build)
#
# Not part of the test suite: it needs root (chroot, mount), debootstrap and network
# (Debian's archive, for the root and for the package's dependencies), and a cold run
# takes minutes. SWEEP_DEB_BASE=DIR copies a pristine root made earlier with
# `debootstrap --variant=minbase bookworm DIR` instead of bootstrapping a new one;
# SWEEP_DEB_MIRROR picks the mirror (default http://deb.debian.org/debian);
# SWEEP_DEB_KEEP=1 keeps the root for a look afterwards; SWEEP_DEB=FILE checks that
# package instead of building one. The example is
# examples/metrics-jsonl (standard-library Python): the quickstart's scikit-learn would
# pull hundreds of megabytes into the root and prove nothing more about the package.
set -euo pipefail

SRC="$(cd "$(dirname "$0")/../.." && pwd)"
BUILD="$(cd "${1:-$SRC/build}" && pwd)"
MIRROR="${SWEEP_DEB_MIRROR:-http://deb.debian.org/debian}"
START=$SECONDS
say() { printf '[check_deb %4ds] %s\n' $((SECONDS - START)) "$*"; }
fail() { printf 'check_deb: FAILED: %s\n' "$*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || fail "run as root (debootstrap, chroot and mount need it)"
for tool in cpack dpkg-deb dpkg-shlibdeps debootstrap chroot; do
  command -v "$tool" >/dev/null || fail "$tool not found (apt-get install cmake dpkg-dev debootstrap)"
done

if [ -n "${SWEEP_DEB:-}" ]; then
  DEB="$(cd "$(dirname "$SWEEP_DEB")" && pwd)/$(basename "$SWEEP_DEB")"
  say "checking the given package $DEB"
else
  say "building the package in $BUILD"
  cmake --build "$BUILD" -j2 --target sweep sweep_man
  rm -f "$BUILD"/sweep_*.deb
  (cd "$BUILD" && cpack -G DEB >/dev/null)
  DEB="$(ls "$BUILD"/sweep_*.deb)"
  say "built $(basename "$DEB") ($(du -h "$DEB" | cut -f1))"
fi

field() { dpkg-deb -f "$DEB" "$1"; }
[ "$(field Package)" = sweep ] || fail "Package is '$(field Package)'"
DEPENDS="$(field Depends)"
[ -n "$DEPENDS" ] || fail "no Depends: dpkg-shlibdeps did not run"
if grep -q -- '-dev' <<<"$DEPENDS"; then fail "Depends names a -dev package: $DEPENDS"; fi
[ "$(field Recommends)" = python3 ] || fail "Recommends is '$(field Recommends)', not python3"
say "Depends: $DEPENDS"
say "Recommends: $(field Recommends); Maintainer: $(field Maintainer); Version: $(field Version)"
CONTENTS="$(dpkg-deb -c "$DEB" | awk '$1 !~ /^d/ {print $NF}' | sort)"
EXPECTED="$(printf '%s\n' ./usr/bin/sweep ./usr/share/bash-completion/completions/sweep \
  ./usr/share/man/man1/sweep.1.gz ./usr/share/zsh/vendor-completions/_sweep | sort)"
[ "$CONTENTS" = "$EXPECTED" ] || fail "package contents differ:
$CONTENTS"
say "contents: $(tr '\n' ' ' <<<"$CONTENTS")"

ROOT="$(mktemp -d /var/tmp/sweep-deb-root.XXXXXX)"
cleanup() {
  if mountpoint -q "$ROOT/proc"; then umount "$ROOT/proc" || true; fi
  if [ "${SWEEP_DEB_KEEP:-0}" = 1 ]; then
    echo "check_deb: root kept in $ROOT"
  elif ! mountpoint -q "$ROOT/proc"; then
    rm -rf --one-file-system "$ROOT"
  fi
}
trap cleanup EXIT
if [ -n "${SWEEP_DEB_BASE:-}" ]; then
  say "copying the clean Debian 12 root $SWEEP_DEB_BASE"
  cp -a "$SWEEP_DEB_BASE"/. "$ROOT"/
else
  say "debootstrap --variant=minbase bookworm (from $MIRROR)"
  debootstrap --variant=minbase bookworm "$ROOT" "$MIRROR" >"$ROOT.debootstrap.log" 2>&1 ||
    fail "debootstrap failed, see $ROOT.debootstrap.log"
  rm -f "$ROOT.debootstrap.log"
fi
grep -q '^12\.' "$ROOT/etc/debian_version" || fail "the root is not Debian 12"
! chroot "$ROOT" sh -c 'command -v sweep' >/dev/null || fail "the clean root already has sweep"
cp /etc/resolv.conf "$ROOT/etc/resolv.conf"
mount -t proc proc "$ROOT/proc"
cp "$DEB" "$ROOT/tmp/"
in_root() { chroot "$ROOT" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root \
  LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive "$@"; }

say "apt-get install ./$(basename "$DEB") (and man-db, to read the page)"
in_root apt-get update -q >/dev/null
in_root sh -c "cd /tmp && apt-get install -y -q ./$(basename "$DEB") man-db" >"$ROOT/tmp/apt.log" 2>&1 ||
  { tail -20 "$ROOT/tmp/apt.log"; fail "apt-get install failed"; }
say "installed: $(in_root sweep --version)"
[ "$(in_root sh -c 'command -v sweep')" = /usr/bin/sweep ] || fail "sweep is not /usr/bin/sweep"
in_root python3 --version >/dev/null || fail "python3 (Recommends) was not installed"

say "running examples/metrics-jsonl with the installed sweep"
mkdir -p "$ROOT/root/example"
cp "$SRC/examples/metrics-jsonl/sweep.yaml" "$SRC/examples/metrics-jsonl/train.py" "$ROOT/root/example/"
in_root sh -c 'cd /root/example && sweep launch sweep.yaml --max-trials 4 --workers 2 --seed 7' \
  >"$ROOT/tmp/launch.log" 2>&1 || { cat "$ROOT/tmp/launch.log"; fail "sweep launch failed"; }
tail -6 "$ROOT/tmp/launch.log" | sed 's/^/    /'
FINISHED="$(in_root sh -c 'cd /root/example && sweep export latest --format csv' | grep -c ',finished,' || true)"
[ "$FINISHED" = 4 ] || fail "expected 4 finished trials in the store, got $FINISHED"
in_root sh -c 'cd /root/example && sweep top -k 2' | sed 's/^/    /'

say "man sweep"
MAN="$(in_root env MANWIDTH=80 man -P cat sweep 2>&1)" || fail "man sweep failed: $MAN"
for part in NAME SYNOPSIS COMMANDS "sweep launch" "EXIT STATUS"; do
  grep -q "$part" <<<"$MAN" || fail "man sweep lacks '$part'"
done
head -8 <<<"$MAN" | sed 's/^/    /'

say "bash completion of 'sweep la<TAB>'"
COMPLETED="$(in_root bash --norc -c 'cd /root/example && source /usr/share/bash-completion/completions/sweep &&
  COMP_WORDS=(sweep la) COMP_CWORD=1 && _sweep && echo "${COMPREPLY[*]}"')"
[ "$COMPLETED" = launch ] || fail "completed to '$COMPLETED'"
IDS="$(in_root bash --norc -c 'cd /root/example && source /usr/share/bash-completion/completions/sweep &&
  COMP_WORDS=(sweep show "") COMP_CWORD=2 && _sweep && echo "${#COMPREPLY[@]}"')"
[ "$IDS" = 4 ] || fail "'sweep show <TAB>' offered $IDS trial ids, not 4"
say "completed to '$COMPLETED'; 'sweep show <TAB>' offers the $IDS trial ids"

say "OK: $(basename "$DEB") installs on a clean Debian 12 root and works"
