"""Dispatch benchmark of issue 16: /bin/true trials through `sweep launch` with the
default spec (default tracking: git, environment, packages, system metrics), 2
workers, beside the raw posix_spawn+wait rate (bench/raw_spawn.cc) and an Optuna 3.1
ask/tell loop with SQLite storage and subprocess.run per trial, in the same run.

  sizes     raw spawn and sweep at each size (default 100, 1000, 10000): trials/s,
            ms per trial, the ratio to raw, and sweep's overhead per trial over raw
            (flat = the same at every size)
  optuna    the Optuna loop at --optuna-trials (default 1000), its trials/s, and
            sweep's ratio to it at each size
  variants  the same 1,000 trials with the sweep's working directory inside a small
            dirty git repository (code tracking then runs git), and with tracking off

Each sweep/raw figure is the median of --repeat runs (default 3); the load average is
printed before and after, since other work on the machine distorts absolute figures
(the ratios are taken within one repetition, side by side).

Usage: /usr/bin/python3 bench/run_dispatch_bench.py [--build build] [--sizes 100,1000,10000]
       [--repeat 3] [--optuna-trials 1000]
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def spec(n, track_off=False, args=False):
    # command [/bin/true] as in the issue: the child is then the very process raw_spawn
    # runs. With ${args}, coreutils' true gets one argument, and with exactly one it
    # calls setlocale() (it might be --help), about 80 more system calls per child;
    # the `args` variant compares that with raw_spawn running the same argv.
    values = ", ".join(str(i) for i in range(n))
    command = "[/bin/true, '${args}']" if args else "[/bin/true]"
    text = (f"method: grid\ncommand: {command}\n"
            f"parameters:\n  x: {{values: [{values}]}}\n")
    if track_off:
        text += "track: {git: false, env: false, packages: false, system_metrics_interval: 0}\n"
    return text


def run_sweep(sweep, n, tmp, name, cwd, track_off=False, args=False):
    path = os.path.join(tmp, name + ".yaml")
    with open(path, "w") as f:
        f.write(spec(n, track_off, args))
    store = os.path.join(tmp, name + "-store")
    subprocess.run(["rm", "-rf", store], check=True)
    t0 = time.perf_counter()
    p = subprocess.run([sweep, "--store", store, "launch", path, "--quiet", "--workers", "2"],
                       cwd=cwd, capture_output=True, text=True)
    secs = time.perf_counter() - t0
    if p.returncode != 0:
        sys.exit(f"sweep failed ({p.returncode}): {p.stderr[-2000:]}")
    ex = subprocess.run([sweep, "--store", store, "export", "latest", "--format", "json"],
                        capture_output=True, text=True, check=True)
    trials = json.loads(ex.stdout)["trials"]
    finished = sum(1 for t in trials if t["status"] == "finished")
    if finished != n:
        sys.exit(f"{name}: {finished} of {n} trials finished")
    return secs


def raw(raw_bin, n, args=False):
    argv = [raw_bin, str(n), "2"] + (["--x=0"] if args else [])
    out = subprocess.run(argv, capture_output=True, text=True, check=True)
    return json.loads(out.stdout)["seconds"]


def make_repo(path, files=20):
    """A dirty repository of `files` small modules, 50 to a folder past the first 20."""
    os.makedirs(path)
    git = ["git", "-c", "user.email=b@example.com", "-c", "user.name=b"]
    subprocess.run(git + ["init", "-q"], cwd=path, check=True)
    for i in range(files):
        sub = "" if i < 20 else f"pkg{i // 50}"
        os.makedirs(os.path.join(path, sub), exist_ok=True)
        with open(os.path.join(path, sub, f"mod{i}.py"), "w") as f:
            f.write(f"X = {i}\n" * 50)
    subprocess.run(git + ["add", "."], cwd=path, check=True)
    subprocess.run(git + ["commit", "-qm", "bench"], cwd=path, check=True)
    with open(os.path.join(path, "mod0.py"), "a") as f:
        f.write("Y = 1\n")  # dirty: the diff is captured (and cached)
    with open(os.path.join(path, ".gitignore"), "w") as f:
        f.write("*.yaml\n*-store/\n")
    old = time.time() - 3600  # an edit an hour ago: the cache may trust the tree
    for root, dirs, files in os.walk(path):
        for name in dirs + files:
            os.utime(os.path.join(root, name), (old, old), follow_symlinks=False)
    os.utime(path, (old, old))


def load():
    return "%.2f %.2f %.2f" % os.getloadavg()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default=os.path.join(HERE, "..", "build"))
    ap.add_argument("--sizes", default="100,1000,10000")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--optuna-trials", type=int, default=1000)
    ap.add_argument("--no-variants", action="store_true")
    a = ap.parse_args()
    sweep = os.path.abspath(os.path.join(a.build, "sweep"))
    raw_bin = os.path.abspath(os.path.join(a.build, "raw_spawn"))
    sizes = [int(s) for s in a.sizes.split(",")]
    tmp = tempfile.mkdtemp(prefix="sweep-dispatch-")
    print(f"# sweep dispatch benchmark (issue 16), {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, "
          f"{os.cpu_count()} cores, load average {load()}")

    optuna = json.loads(subprocess.run(
        ["/usr/bin/python3", os.path.join(HERE, "dispatch_optuna.py"), str(a.optuna_trials),
         os.path.join(tmp, "optuna.db")], capture_output=True, text=True, check=True).stdout)
    print(f"\nOptuna 3.1 loop, SQLite, subprocess.run: {a.optuna_trials} trials, "
          f"{optuna['per_s']:.0f} trials/s")

    print("\n## default spec, default tracking, 2 workers, /bin/true (median of "
          f"{a.repeat}; ratio within each repetition)")
    print("| trials | raw trials/s | sweep trials/s | sweep / raw | sweep / Optuna | "
          "sweep ms/trial | overhead over raw, ms/trial |")
    print("|---|---|---|---|---|---|---|")
    for n in sizes:
        raws, ours, ratios = [], [], []
        for r in range(a.repeat):
            rs = raw(raw_bin, n)
            os_ = run_sweep(sweep, n, tmp, f"n{n}-{r}", tmp)
            raws.append(rs)
            ours.append(os_)
            ratios.append(rs / os_)
        rs, os_ = statistics.median(raws), statistics.median(ours)
        print(f"| {n} | {n / rs:.0f} | {n / os_:.0f} | {statistics.median(ratios):.2f} "
              f"(min {min(ratios):.2f}) | {n / os_ / optuna['per_s']:.1f} | "
              f"{1000 * os_ / n:.3f} | {1000 * (os_ - rs) / n:.3f} |")

    if not a.no_variants:
        n = 1000
        repo = os.path.join(tmp, "repo")
        make_repo(repo)
        big = os.path.join(tmp, "big-repo")
        make_repo(big, 2000)
        print(f"\n## {n} trials, variants (median of {a.repeat})")
        print("| variant | raw trials/s | sweep trials/s | sweep / raw |")
        print("|---|---|---|---|")
        for i, (label, cwd, off, args) in enumerate([
                ("default tracking, working directory in a dirty git repository", repo, False,
                 False),
                ("default tracking, working directory in a dirty git repository of 2,000 files "
                 "in 40 folders", big, False, False),
                ("tracking off (`track: {git: false, env: false, ...}`)", tmp, True, False),
                ("default tracking, `command: [/bin/true, '${args}']`; raw spawn runs "
                 "`/bin/true --x=0`", tmp, False, True)]):
            raws, ours, ratios = [], [], []
            for r in range(a.repeat):
                rs = raw(raw_bin, n, args)
                os_ = run_sweep(sweep, n, tmp, f"v{i}-{r}", cwd, off, args)
                raws.append(rs)
                ours.append(os_)
                ratios.append(rs / os_)
            print(f"| {label} | {n / statistics.median(raws):.0f} | "
                  f"{n / statistics.median(ours):.0f} | {statistics.median(ratios):.2f} |")
    print(f"\nload average at the end: {load()}")
    subprocess.run(["rm", "-rf", tmp])


if __name__ == "__main__":
    main()
