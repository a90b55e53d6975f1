"""Remote-agent benchmark of issue 7, beside its peer in the same run.

  sweep   `sweep launch --listen 127.0.0.1:0 --workers 0` and N `sweep agent` processes
          on loopback, M /bin/true trials: throughput (trials/s from the first start to
          the sweep's end), controller CPU seconds and peak RSS (wait4 rusage of the
          controller process alone), p50/p99 assign latency (a trial's created_at, when
          the controller assigned it, to its started_at, when its agent had spawned it;
          one clock, since everything runs on this machine) and store-lock errors
          (grep of every log for "database is locked": zero by construction, since
          agents never open the store).
  optuna  the same number of worker processes sharing one Optuna 3.1 study in an
          SQLite RDB storage, each running /bin/true per trial with subprocess.run: the
          set-up W&B/Optuna users reach for; trials/s and "database is locked" errors.

Usage: /usr/bin/python3 bench/run_agents_bench.py [--build build] [--agents 32]
       [--trials 10000] [--optuna-trials 2000]   (--optuna-trials 0 skips Optuna)
"""
import argparse
import glob
import json
import os
import re
import sqlite3
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))

OPTUNA_WORKER = r"""
import subprocess, sys, optuna
optuna.logging.set_verbosity(optuna.logging.ERROR)
storage, n = sys.argv[1], int(sys.argv[2])
errors = 0
study = optuna.load_study(study_name="bench", storage=storage)
def objective(trial):
    x = trial.suggest_float("x", 0, 1e6)
    subprocess.run(["/bin/true", f"--x={x}"], check=True)
    return x
done = 0
while done < n:
    try:
        study.optimize(objective, n_trials=1)
        done += 1
    except Exception as e:  # "database is locked" and friends
        errors += 1
        if errors > 1000:
            break
print(errors)
"""


def percentile(xs, p):
    xs = sorted(xs)
    if not xs:
        return float("nan")
    k = min(len(xs) - 1, max(0, int(round(p / 100 * (len(xs) - 1)))))
    return xs[k]


def run_sweep(sweep, agents, trials, tmp, track, name):
    spec = os.path.join(tmp, name + ".yaml")
    with open(spec, "w") as f:
        f.write("method: random\ncommand: [/bin/true, '${args}']\n"
                f"run_cap: {trials}\nparameters:\n  x: {{min: 0, max: 1000000}}\n")
        if not track:
            f.write("track: {git: false, env: false, system_metrics_interval: 0}\n")
    tmp = os.path.join(tmp, name)
    os.makedirs(tmp)
    store = os.path.join(tmp, "store")
    err = open(os.path.join(tmp, "controller.err"), "w+")
    t0 = time.perf_counter()
    ctl = subprocess.Popen([sweep, "--store", store, "launch", spec, "--quiet", "--listen",
                            "127.0.0.1:0", "--workers", "0"], cwd=tmp, stdout=subprocess.DEVNULL,
                           stderr=err)
    port = None
    while port is None and time.perf_counter() - t0 < 60:
        time.sleep(0.05)
        err.seek(0)
        m = re.search(r"listening for agents on 127\.0\.0\.1:(\d+)", err.read())
        if m:
            port = m.group(1)
    if port is None:
        ctl.kill()
        sys.exit("the controller never listened")
    procs = []
    for i in range(agents):
        procs.append(subprocess.Popen(
            [sweep, "agent", f"127.0.0.1:{port}", "--token-file", os.path.join(store, "agent.token"),
             "--workers", "1", "--name", f"bench-{i}"], cwd=tmp, stdout=subprocess.DEVNULL,
            stderr=open(os.path.join(tmp, f"agent{i}.err"), "w")))
    _, status, ru = os.wait4(ctl.pid, 0)
    wall = time.perf_counter() - t0
    for p in procs:
        try:
            p.wait(timeout=30)
        except subprocess.TimeoutExpired:
            p.kill()
    if os.waitstatus_to_exitcode(status) != 0:
        err.seek(0)
        sys.exit("the sweep failed:\n" + err.read()[-3000:])
    db = sqlite3.connect(os.path.join(store, "sweep.db"))
    rows = db.execute("SELECT created_at, started_at, ended_at, status FROM trials").fetchall()
    finished = sum(1 for r in rows if r[3] == "finished")
    first = min(r[0] for r in rows)
    last = max(r[2] for r in rows)
    lat = [max(0.0, r[1] - r[0]) for r in rows if r[1] > 0]
    locked = 0
    for path in glob.glob(os.path.join(tmp, "*.err")):  # this run's logs only
        locked += open(path, errors="replace").read().count("database is locked")
    return {
        "trials": len(rows), "finished": finished, "wall_s": wall,
        "trials_per_s": finished / (last - first) if last > first else float("nan"),
        "controller_cpu_s": ru.ru_utime + ru.ru_stime,
        "controller_rss_mb": ru.ru_maxrss / 1024,
        "assign_p50_ms": 1000 * percentile(lat, 50), "assign_p99_ms": 1000 * percentile(lat, 99),
        "lock_errors": locked,
    }


def run_optuna(workers, trials, tmp):
    db = os.path.join(tmp, "optuna.db")
    storage = f"sqlite:///{db}"
    py = "/usr/bin/python3"
    subprocess.run([py, "-c", "import optuna; optuna.create_study(study_name='bench', "
                    f"storage='{storage}')"], check=True, capture_output=True)
    script = os.path.join(tmp, "optuna_worker.py")
    with open(script, "w") as f:
        f.write(OPTUNA_WORKER)
    per = max(1, trials // workers)
    t0 = time.perf_counter()
    procs = [subprocess.Popen([py, script, storage, str(per)], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for _ in range(workers)]
    errors = 0
    locked = 0
    for p in procs:
        out, err = p.communicate()
        errors += int(out.strip() or 0)
        locked += err.count("database is locked")
    wall = time.perf_counter() - t0
    con = sqlite3.connect(db)
    done = con.execute("SELECT COUNT(*) FROM trials WHERE state = 'COMPLETE'").fetchone()[0]
    return {"trials": done, "wall_s": wall, "trials_per_s": done / wall,
            "errors": errors, "lock_errors": locked}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default=os.path.join(HERE, "..", "build"))
    ap.add_argument("--agents", type=int, default=32)
    ap.add_argument("--trials", type=int, default=10000)
    ap.add_argument("--optuna-trials", type=int, default=2000)
    a = ap.parse_args()
    sweep = os.path.abspath(os.path.join(a.build, "sweep"))
    tmp = tempfile.mkdtemp(prefix="sweep-agents-bench-")
    print(f"# sweep remote-agent benchmark, {time.strftime('%Y-%m-%d')}, {os.cpu_count()} cores, "
          f"{a.agents} agents")
    results = {}
    for track in (False, True):
        name = "tracked" if track else "protocol"
        s = run_sweep(sweep, a.agents, a.trials, tmp, track, name)
        results[name] = s
        label = ("with provenance capture (git, environment, pip) per trial" if track
                 else "protocol only (track: git/env/system metrics off)")
        print(f"sweep, {label}:\n  {s['finished']}/{a.trials} trials in {s['wall_s']:.1f} s; "
              f"{s['trials_per_s']:.0f} trials/s; controller CPU {s['controller_cpu_s']:.1f} s "
              f"({1000 * s['controller_cpu_s'] / max(1, s['finished']):.2f} ms/trial), peak RSS "
              f"{s['controller_rss_mb']:.1f} MiB; assign latency p50 {s['assign_p50_ms']:.1f} ms, "
              f"p99 {s['assign_p99_ms']:.1f} ms; store-lock errors {s['lock_errors']}")
    if a.optuna_trials <= 0:  # --optuna-trials 0: the sweep rows only
        print(json.dumps(results))
        return
    o = run_optuna(a.agents, a.optuna_trials, tmp)
    results["optuna"] = o
    print(f"optuna: {o['trials']} trials by {a.agents} workers on one SQLite storage in "
          f"{o['wall_s']:.1f} s; {o['trials_per_s']:.0f} trials/s; failed optimize calls "
          f"{o['errors']}, 'database is locked' {o['lock_errors']}")
    for name in ("protocol", "tracked"):
        print(f"ratio, sweep {name} / optuna trials/s: "
              f"{results[name]['trials_per_s'] / o['trials_per_s']:.1f}x")
    print(json.dumps(results))


if __name__ == "__main__":
    main()
