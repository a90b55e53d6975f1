#!/usr/bin/env bash
# A real single-node Slurm cluster on this machine, for sweep's Slurm tests.
#
#   tests/slurm/cluster.sh start    write the config, start munged/slurmctld/slurmd, wait for idle
#   tests/slurm/cluster.sh stop     stop the daemons this script started (by their pid files)
#   tests/slurm/cluster.sh status   print the node state; exit 0 only when the node is usable
#
# Installs nothing: Debian's slurm-wlm and munge must be installed (.ci/setup does it).
# Run as root. Idempotent: `start` on a running cluster only checks it. The config goes to
# /etc/slurm/slurm.conf (where every Slurm command looks) unless a slurm.conf that this
# script did not write is there: then it refuses, so a real cluster is never touched.
# State, spool, logs and pid files live in $SWEEP_SLURM_DIR (default /var/tmp/sweep-slurm).
# See tests/slurm/README.md.
set -euo pipefail

STATE_DIR="${SWEEP_SLURM_DIR:-/var/tmp/sweep-slurm}"
CONF=/etc/slurm/slurm.conf
MARKER="# Written by sweep tests/slurm/cluster.sh"
WAIT_S="${SWEEP_SLURM_WAIT_S:-30}"
NODE="$(hostname -s)"

die() {
  echo "cluster.sh: $*" >&2
  exit 1
}

need() {
  command -v "$1" >/dev/null 2>&1 ||
    die "$1 not found: install Debian's slurm-wlm and munge (apt-get install -y slurm-wlm munge)"
}

pid_alive() { # pidfile
  [ -s "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null
}

node_state() {
  timeout 15 sinfo -h -n "$NODE" -o %t 2>/dev/null | head -n1 || true
}

write_config() {
  if [ -e "$CONF" ] && ! grep -qF "$MARKER" "$CONF"; then
    die "$CONF exists and was not written by this script; refusing to replace a real cluster's config"
  fi
  # The node's real hardware as slurmd sees it, so the node never drains for a mismatch.
  local node_line
  node_line="$(slurmd -C 2>/dev/null | grep '^NodeName=' | head -n1 || true)"
  if [ -z "$node_line" ]; then
    local mem_mb
    mem_mb="$(awk '/^MemTotal:/ {print int($2 / 1024)}' /proc/meminfo)"
    node_line="NodeName=$NODE CPUs=$(nproc) RealMemory=$mem_mb"
  fi
  mkdir -p "$(dirname "$CONF")" "$STATE_DIR/ctld" "$STATE_DIR/spool" "$STATE_DIR/log"
  local tmp="$CONF.tmp.$$"
  cat >"$tmp" <<EOF
$MARKER (single-node test cluster; safe to delete)
ClusterName=sweep-test
SlurmctldHost=$NODE(127.0.0.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CryptoType=crypto/munge
MpiDefault=none
SwitchType=switch/none
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerType=sched/backfill
ReturnToService=2
MinJobAge=10
KillWait=2
InactiveLimit=0
SlurmctldTimeout=30
SlurmdTimeout=60
StateSaveLocation=$STATE_DIR/ctld
SlurmdSpoolDir=$STATE_DIR/spool
SlurmctldPidFile=$STATE_DIR/slurmctld.pid
SlurmdPidFile=$STATE_DIR/slurmd.pid
SlurmctldLogFile=$STATE_DIR/log/slurmctld.log
SlurmdLogFile=$STATE_DIR/log/slurmd.log
$node_line NodeAddr=127.0.0.1 State=UNKNOWN
# Jobs share cores (up to 8 per core) so parallel tests never wait on each other.
PartitionName=debug Nodes=$NODE Default=YES MaxTime=INFINITE State=UP OverSubscribe=FORCE:8
EOF
  mv "$tmp" "$CONF"
}

start_munge() {
  # A munged that already answers (ours or the system's) is used as it is.
  if munge -n 2>/dev/null | unmunge >/dev/null 2>&1; then return; fi
  if [ ! -s /etc/munge/munge.key ]; then
    mkdir -p /etc/munge
    (umask 077 && head -c 1024 /dev/urandom >/etc/munge/munge.key)
  fi
  mkdir -p /run/munge /var/lib/munge /var/log/munge
  chown munge:munge /etc/munge /etc/munge/munge.key /run/munge /var/lib/munge /var/log/munge
  chmod 0700 /etc/munge
  chmod 0400 /etc/munge/munge.key
  chmod 0755 /run/munge
  rm -f /run/munge/munged.pid
  # munged daemonizes; it runs as the munge user, as Debian's service does.
  runuser -u munge -- munged --pid-file=/run/munge/munged.pid ||
    die "munged failed to start (see /var/log/munge/munged.log)"
  local i
  for i in $(seq 1 50); do
    [ -s /run/munge/munged.pid ] && break
    sleep 0.1
  done
  # Our own copy: `stop` kills only a munged that this script started.
  cp /run/munge/munged.pid "$STATE_DIR/munged.pid"
  munge -n | unmunge >/dev/null || die "munge does not work (see /var/log/munge/munged.log)"
}

start() {
  [ "$(id -u)" = 0 ] || die "run as root (it starts slurmd and munged)"
  need munged
  need slurmctld
  need slurmd
  need sinfo
  mkdir -p "$STATE_DIR"
  chown munge:munge "$STATE_DIR" 2>/dev/null || true
  chmod 0755 "$STATE_DIR"
  write_config
  start_munge
  pid_alive "$STATE_DIR/slurmctld.pid" || slurmctld || die "slurmctld failed to start; log: $STATE_DIR/log/slurmctld.log"
  pid_alive "$STATE_DIR/slurmd.pid" || slurmd || die "slurmd failed to start; log: $STATE_DIR/log/slurmd.log"
  local deadline=$((SECONDS + WAIT_S)) state=""
  while [ $SECONDS -lt $deadline ]; do
    state="$(node_state)"
    case "$state" in
    idle | mix | alloc) break ;;
    drain* | down* | drng* | inval*)
      # A restarted node can come back drained ("Kill task failed" etc.): return it.
      scontrol update NodeName="$NODE" State=RESUME >/dev/null 2>&1 || true
      ;;
    esac
    sleep 0.5
  done
  case "$state" in
  idle | mix | alloc) echo "slurm cluster up: node $NODE $state (config $CONF, state $STATE_DIR)" ;;
  *)
    echo "cluster.sh: node $NODE not idle after ${WAIT_S}s (state: '${state:-no answer from slurmctld}')" >&2
    tail -n 5 "$STATE_DIR/log/slurmctld.log" "$STATE_DIR/log/slurmd.log" >&2 2>/dev/null || true
    exit 1
    ;;
  esac
}

stop_one() { # name pidfile
  local pidfile="$2" pid i
  pid_alive "$pidfile" || {
    rm -f "$pidfile"
    return 0
  }
  pid="$(cat "$pidfile")"
  kill "$pid" 2>/dev/null || true
  for i in $(seq 1 50); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$pid" 2>/dev/null; then
    echo "cluster.sh: $1 ($pid) ignored SIGTERM for 5s; sending SIGKILL" >&2
    kill -9 "$pid" 2>/dev/null || true
  fi
  rm -f "$pidfile"
}

stop() {
  stop_one slurmd "$STATE_DIR/slurmd.pid"
  stop_one slurmctld "$STATE_DIR/slurmctld.pid"
  stop_one munged "$STATE_DIR/munged.pid"
  echo "slurm cluster stopped"
}

status() {
  local d
  for d in munged slurmctld slurmd; do
    if pid_alive "$STATE_DIR/$d.pid"; then echo "$d: running (pid $(cat "$STATE_DIR/$d.pid"))"; else echo "$d: stopped"; fi
  done
  local state
  state="$(node_state)"
  echo "node $NODE: ${state:-unknown}"
  case "$state" in idle | mix | alloc) return 0 ;; *) return 1 ;; esac
}

case "${1:-}" in
start) start ;;
stop) stop ;;
status) status ;;
*)
  echo "usage: $0 start|stop|status" >&2
  exit 2
  ;;
esac
