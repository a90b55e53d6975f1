"""Peer for the dispatch benchmark: an Optuna 3.1 ask/tell loop with SQLite storage
that runs each trial as a subprocess (/bin/true, without arguments: the same child as
the sweep and raw_spawn rows), the way people drive Optuna from a script.
Usage: /usr/bin/python3 dispatch_optuna.py N DB_PATH"""
import json
import subprocess
import sys
import time

import optuna

optuna.logging.set_verbosity(optuna.logging.WARNING)
n = int(sys.argv[1])
db = sys.argv[2]
study = optuna.create_study(storage=f"sqlite:///{db}", sampler=optuna.samplers.RandomSampler(seed=1))
start = time.perf_counter()
for _ in range(n):
    trial = study.ask()
    trial.suggest_int("x", 0, 1_000_000)
    subprocess.run(["/bin/true"], check=True)
    study.tell(trial, 0.0)
seconds = time.perf_counter() - start
print(json.dumps({"trials": n, "seconds": round(seconds, 4), "per_s": round(n / seconds, 1)}))
