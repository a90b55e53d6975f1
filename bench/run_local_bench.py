"""Local-run benchmarks of issue 3, each beside its peer in the same run:

  dispatch   2,000 /bin/true trials with 2 workers through `sweep launch` (every store
             write included) vs the raw posix_spawn+wait rate (bench/raw_spawn.cc) and an
             Optuna 3.1 ask/tell loop with SQLite storage and subprocess.run per trial;
             per-trial overhead at 100, 1,000 and 10,000 trials.
  ingest     one trial appending 1,000,000 JSON metric lines, until durable in the store,
             vs Optuna trial.report() into SQLite storage.
  memory     controller peak RSS for a 10,000-trial sweep storing 1,000,000 points.

Usage: /usr/bin/python3 bench/run_local_bench.py [--build build] [--quick]
"""
import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def timed(cmd, **kw):
    """Runs cmd under GNU time; returns (seconds, peak RSS in KiB, completed process)."""
    t0 = time.perf_counter()
    p = subprocess.run(["/usr/bin/time", "-f", "%M"] + cmd, capture_output=True, text=True, **kw)
    seconds = time.perf_counter() - t0
    if p.returncode != 0:
        sys.exit(f"failed: {' '.join(cmd)}\n{p.stderr[-2000:]}")
    rss = int(p.stderr.strip().splitlines()[-1])
    return seconds, rss, p


def sweep_launch(sweep, spec_text, tmp, name, extra):
    spec = os.path.join(tmp, name + ".yaml")
    with open(spec, "w") as f:
        f.write(spec_text)
    store = os.path.join(tmp, name + "-store")
    return timed([sweep, "--store", store, "launch", spec, "--quiet"] + extra, cwd=tmp), store


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default=os.path.join(HERE, "..", "build"))
    ap.add_argument("--quick", action="store_true", help="smaller sizes, for a smoke run")
    a = ap.parse_args()
    sweep = os.path.abspath(os.path.join(a.build, "sweep"))
    raw = os.path.abspath(os.path.join(a.build, "raw_spawn"))
    n = 200 if a.quick else 2000
    tmp = tempfile.mkdtemp(prefix="sweep-bench-")
    true_spec = ("method: random\ncommand: [/bin/true, '${args}']\n"
                 "parameters:\n  x: {min: 0, max: 1000000}\n")
    print(f"# sweep local benchmarks, {time.strftime('%Y-%m-%d')}, {os.cpu_count()} cores")

    # Dispatch.
    raw_out = json.loads(subprocess.run([raw, str(n), "2"], capture_output=True, text=True,
                                        check=True).stdout)
    (secs, rss, _), _ = sweep_launch(sweep, true_spec, tmp, "dispatch",
                                     ["--workers", "2", "--max-trials", str(n), "--seed", "1"])
    ours = n / secs
    optuna_n = min(n, 500)
    peer = json.loads(subprocess.run(["/usr/bin/python3", os.path.join(HERE, "dispatch_optuna.py"),
                                      str(optuna_n), os.path.join(tmp, "optuna.db")],
                                     capture_output=True, text=True, check=True).stdout)
    print(f"\n## dispatch: {n} x /bin/true, 2 workers")
    print(f"| runner | trials/s | ratio |\n|---|---|---|")
    print(f"| raw posix_spawn+wait (C++) | {raw_out['per_s']:.0f} | sweep = {ours / raw_out['per_s']:.2f} x raw |")
    print(f"| sweep launch (store writes included) | {ours:.0f} | 1 |")
    print(f"| Optuna 3.1 loop, SQLite, subprocess.run ({optuna_n} trials) | {peer['per_s']:.0f} | sweep = {ours / peer['per_s']:.1f} x Optuna |")
    print(f"controller peak RSS: {rss / 1024:.1f} MiB")

    print("\n## per-trial overhead vs sweep size (2 workers)")
    print("| trials | seconds | ms per trial |\n|---|---|---|")
    for size in ([100, 1000] if a.quick else [100, 1000, 10000]):
        (secs, _, _), _ = sweep_launch(sweep, true_spec, tmp, f"flat{size}",
                                       ["--workers", "2", "--max-trials", str(size), "--seed", "2"])
        print(f"| {size} | {secs:.2f} | {1000 * secs / size:.3f} |")

    # Ingestion.
    points = 100_000 if a.quick else 1_000_000
    lines = os.path.join(tmp, "points.jsonl")
    with open(lines, "w") as f:
        for i in range(points):
            f.write('{"step": %d, "loss": %r, "acc": %r}\n' % (i, 1.0 / (i + 1), i / points))
    ingest_spec = ("method: grid\nmetric: {name: loss}\n"
                   f"command: [/bin/sh, -c, 'cat {lines} >> \"$SWEEP_METRICS\"']\n"
                   "parameters:\n  x: {value: 1}\n")
    (secs, rss, _), store = sweep_launch(sweep, ingest_spec, tmp, "ingest", [])
    exported = json.loads(subprocess.run([sweep, "--store", store, "export", "latest", "--format",
                                          "json"], capture_output=True, text=True, check=True).stdout)["trials"]
    shown = json.loads(subprocess.run([sweep, "--store", store, "show", exported[0]["id"], "--json"],
                                      capture_output=True, text=True, check=True).stdout)
    stored = sum(m.get("count", 0) for m in shown.get("metrics", {}).values()) \
        if isinstance(shown.get("metrics"), dict) else None
    total_points = 2 * points  # two metrics per line
    ours = total_points / secs
    peer_n = 5000 if a.quick else 20000
    peer = json.loads(subprocess.run(["/usr/bin/python3", os.path.join(HERE, "ingest_optuna.py"),
                                      str(peer_n), os.path.join(tmp, "optuna-ingest.db")],
                                     capture_output=True, text=True, check=True).stdout)
    print(f"\n## metric ingestion: {points} JSON lines x 2 metrics, end to end until durable")
    print("| runner | points/s | ratio |\n|---|---|---|")
    print(f"| sweep launch (whole sweep wall time; {stored} points stored) | {ours:.0f} | 1 |")
    print(f"| Optuna 3.1 trial.report, SQLite ({peer_n} points) | {peer['per_s']:.0f} | sweep = {ours / peer['per_s']:.0f} x Optuna |")
    print(f"controller peak RSS: {rss / 1024:.1f} MiB")

    # Memory.
    trials = 1000 if a.quick else 10000
    per_trial = 100
    hundred = os.path.join(tmp, "hundred.jsonl")
    with open(hundred, "w") as f:
        for i in range(per_trial):
            f.write('{"loss": %r}\n' % (1.0 / (i + 1)))
    mem_spec = ("method: random\nmetric: {name: loss}\n"
                f"command: [/bin/sh, -c, 'cat {hundred} >> \"$SWEEP_METRICS\"', '${{args}}']\n"
                "parameters:\n  x: {min: 0, max: 1000000}\n")
    (secs, rss, _), _ = sweep_launch(sweep, mem_spec, tmp, "memory",
                                     ["--workers", "2", "--max-trials", str(trials), "--seed", "3"])
    print(f"\n## memory: {trials} trials x {per_trial} points = {trials * per_trial} points")
    print(f"controller peak RSS: {rss / 1024:.1f} MiB (target <= 64 MiB); wall {secs:.1f} s")
    subprocess.run(["rm", "-rf", tmp])


if __name__ == "__main__":
    main()
