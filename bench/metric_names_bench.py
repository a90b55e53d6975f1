#!/usr/bin/python3
"""A sweep whose trials report 100,000 distinct metric names, through the real binary.

Runs `sweep launch` on a 2-trial grid whose trials each append 100,000 distinct
names (plus `loss`) to $SWEEP_METRICS, with reporting.max_metric_names raised to
100,000 so that nothing is dropped, then times every read command (ls, status, top,
show, metrics, export csv/json, compare) and the dashboard's trial page and trial
table over HTTP, and reports the controller's longest event-loop stall (the launch
runs with SWEEP_REPORT_LOOP_STALL=1, which makes it log that figure). A second run
with the default cap (10,000) shows the one warning naming what was dropped.

Usage: /usr/bin/python3 bench/metric_names_bench.py --build build [--names 100000]
Prints the load average and a Markdown table of wall and CPU seconds per step (on a
shared, loaded machine compare CPU seconds); targets: every read command under 1 s,
the loop never blocked for more than 100 ms. Standard library only.
"""
import argparse
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request

TRIAL = r'''
import json, os, sys
n = int(os.environ["BENCH_NAMES"])
with open(os.environ["SWEEP_METRICS"], "a") as f:
    chunk = 1000
    for start in range(0, n, chunk):
        row = {"layer%06d/grad_norm" % i: i * 0.5 for i in range(start, min(n, start + chunk))}
        f.write(json.dumps(row) + "\n")
    f.write(json.dumps({"loss": 1.0 / (1 + len(sys.argv))}) + "\n")
'''


def children_cpu():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def run(argv, env=None, timeout=600, cwd=None):
    # Launches run with cwd set: trials run, and find a relative `program`, there.
    # Returns wall seconds, the process, and its CPU seconds (user + system, children
    # included): on a loaded shared machine the CPU time is the figure to compare.
    t0, c0 = time.monotonic(), children_cpu()
    p = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=timeout, cwd=cwd)
    return time.monotonic() - t0, p, children_cpu() - c0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default="build")
    ap.add_argument("--names", type=int, default=100000)
    ap.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = ap.parse_args()
    sweep = os.path.abspath(os.path.join(args.build, "sweep"))
    work = tempfile.mkdtemp(prefix="metric_names_bench.")
    store = os.path.join(work, "store")
    with open(os.path.join(work, "trial.py"), "w") as f:
        f.write(TRIAL)

    def spec(cap):
        path = os.path.join(work, "sweep-%d.yaml" % cap)
        with open(path, "w") as f:
            f.write("program: trial.py\ninterpreter: /usr/bin/python3\nmethod: grid\n"
                    "metric: {name: loss, goal: minimize}\n"
                    "parameters:\n  x: {values: [1, 2]}\n"
                    "reporting: {max_metric_names: %d}\n" % cap)
        return path

    env = dict(os.environ, BENCH_NAMES=str(args.names), SWEEP_REPORT_LOOP_STALL="1")
    load = os.getloadavg()
    rows = []
    seconds, p, cpu = run([sweep, "--store", store, "launch", spec(args.names), "--workers", "2"],
                          env=env, cwd=work)
    if p.returncode != 0:
        sys.exit("launch failed: " + p.stderr[-2000:])
    stall = re.search(r"event loop: longest stall (\d+) ms", p.stdout + p.stderr)
    rows.append(("launch (2 trials x %d names, end to end)" % args.names, seconds, cpu))
    trials = json.loads(run([sweep, "--store", store, "export", "latest", "--format",
                             "json"])[1].stdout)["trials"]
    ids = [t["id"] for t in trials]
    reads = [
        ("ls", ["ls"]),
        ("status", ["status"]),
        ("top", ["top"]),
        ("show", ["show", ids[0]]),
        ("show --json", ["show", ids[0], "--json"]),
        ("metrics (every series)", ["metrics", ids[0]]),
        ("metrics --name loss", ["metrics", ids[0], "--name", "loss"]),
        ("export csv", ["export", "latest", "--format", "csv"]),
        ("export json", ["export", "latest", "--format", "json"]),
        ("compare", ["compare", ids[0], ids[1]]),
    ]
    for name, argv in reads:
        seconds, p, cpu = run([sweep, "--store", store] + argv)
        if p.returncode != 0:
            sys.exit("%s failed (%d): %s" % (name, p.returncode, p.stderr[-2000:]))
        rows.append(("sweep " + name, seconds, cpu))

    ui = subprocess.Popen([sweep, "--store", store, "ui", "--port", "0"], stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True)
    try:
        line = ui.stdout.readline()
        port = re.search(r":(\d+)", line.split("http://", 1)[1]).group(1)
        base = "http://127.0.0.1:%s" % port
        sweep_id = trials[0]["sweep"]
        for name, path in [("dashboard trial page /api/trials/ID", "/api/trials/" + ids[0]),
                           ("dashboard trial table /api/sweeps/ID/trials",
                            "/api/sweeps/%s/trials" % sweep_id)]:
            for attempt in ("first", "again"):
                t0 = time.monotonic()
                with urllib.request.urlopen(base + path, timeout=600) as r:
                    body = r.read()
                rows.append(("%s (%s, %d KiB)" % (name, attempt, len(body) // 1024),
                             time.monotonic() - t0, None))
    finally:
        ui.terminate()
        ui.wait()

    # The default cap: one warning, names dropped.
    store2 = os.path.join(work, "store-default")
    seconds, p, _ = run([sweep, "--store", store2, "launch", spec(10000)], env=env, cwd=work)
    warning = [l for l in (p.stdout + p.stderr).splitlines() if "max_metric_names" in l]

    print("load average at the start: %.2f %.2f %.2f" % load)
    print("| step | wall s | CPU s |\n|---|---|---|")
    for name, s, cpu in rows:
        print("| %s | %.3f | %s |" % (name, s, "–" if cpu is None else "%.3f" % cpu))
    print("\ncontroller event loop, longest stall: %s ms" % (stall.group(1) if stall else "?"))
    print("default cap (10000): %s" % (warning[0] if warning else "no warning (?)"))
    if args.keep:
        print("kept " + work)
    else:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
