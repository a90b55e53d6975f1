"""A scripted trial for integration tests. Flags: --x (the objective's input),
--steps (reports), --sleep (seconds per step), --mode ok|fail|hang|nometric|misspelt|
ignore_term|jsonl, --out (a file to dump argv and SWEEP_* env into)."""
import json
import os
import signal
import sys
import time

args = {}
for a in sys.argv[1:]:
    if a.startswith("--") and "=" in a:
        k, v = a[2:].split("=", 1)
        args[k] = v

x = float(args.get("x", 0))
steps = int(args.get("steps", 3))
sleep = float(args.get("sleep", 0))
mode = args.get("mode", "ok")
trial_dir = os.environ.get("SWEEP_TRIAL_DIR", ".")

with open(os.path.join(trial_dir, "seen.json"), "w") as f:
    json.dump({"argv": sys.argv[1:],
               "env": {k: v for k, v in os.environ.items()
                       if k.startswith("SWEEP_") or k in ("CUDA_VISIBLE_DEVICES", "PYTHONPATH", "EXTRA")},
               "cwd": os.getcwd()}, f)

if mode == "ignore_term":
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
if mode == "fail":
    sys.stderr.write("boom: the trial failed on purpose\n")
    sys.exit(3)
if mode == "hang":
    time.sleep(3600)

for step in range(steps):
    loss = (x - 3.0) ** 2 + 1.0 / (step + 1)
    if mode == "nometric":
        print(f"val/loss={loss}", flush=True)
    elif mode == "jsonl":
        with open(os.environ["SWEEP_METRICS"], "a") as f:
            f.write(json.dumps({"step": step, "loss": loss}) + "\n")
    else:
        print(f"epoch={step} loss={loss}", flush=True)
    time.sleep(sleep)
