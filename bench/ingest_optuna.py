"""Peer for the metric-ingestion benchmark: Optuna 3.1 trial.report() of N points into
SQLite storage (its intermediate values), timed until the trial is told.
Usage: /usr/bin/python3 ingest_optuna.py N DB_PATH"""
import json
import sys
import time

import optuna

optuna.logging.set_verbosity(optuna.logging.WARNING)
n = int(sys.argv[1])
db = sys.argv[2]
study = optuna.create_study(storage=f"sqlite:///{db}")
trial = study.ask()
start = time.perf_counter()
for step in range(n):
    trial.report(1.0 / (step + 1), step)
study.tell(trial, 0.0)
seconds = time.perf_counter() - start
print(json.dumps({"points": n, "seconds": round(seconds, 4), "per_s": round(n / seconds, 1)}))
