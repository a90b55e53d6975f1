"""Peers of bench/store_bench.cc, run by it in the same session.

  store_bench_peer.py sqlite N BATCH   raw inserts of N metric rows through Python's
                                       sqlite3.executemany, BATCH rows per transaction,
                                       same table shape and pragmas as our store
  store_bench_peer.py optuna N         N trial.report() calls into Optuna 3.1 SQLite
                                       storage (one trial), the metric path an Optuna
                                       user has

Prints one line: "<rate per wall second> <rate per CPU second of this process>".
"""
import math
import os
import sqlite3
import sys
import tempfile
import time


def raw_sqlite(n, batch):
    with tempfile.TemporaryDirectory() as d:
        db = sqlite3.connect(os.path.join(d, "peer.db"), isolation_level=None)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        db.execute("CREATE TABLE points (trial INTEGER, name INTEGER, step INTEGER, "
                   "value REAL, wall REAL)")
        db.execute("CREATE INDEX points_by_series ON points (trial, name, step)")
        start, cpu = time.perf_counter(), time.process_time()
        step = 0
        while step < n:
            rows = [(step // 10000, 1, s, math.sin(s), 1.7e9 + s)
                    for s in range(step, min(n, step + batch))]
            db.execute("BEGIN")
            db.executemany("INSERT INTO points VALUES (?, ?, ?, ?, ?)", rows)
            db.execute("COMMIT")
            step += len(rows)
        return n / (time.perf_counter() - start), n / (time.process_time() - cpu)


def optuna_report(n):
    import optuna
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    with tempfile.TemporaryDirectory() as d:
        study = optuna.create_study(storage="sqlite:///" + os.path.join(d, "optuna.db"))
        trial = study.ask()
        start, cpu = time.perf_counter(), time.process_time()
        for step in range(n):
            trial.report(math.sin(step), step)
        return n / (time.perf_counter() - start), n / (time.process_time() - cpu)


if __name__ == "__main__":
    if sys.argv[1] == "sqlite":
        wall, cpu = raw_sqlite(int(sys.argv[2]), int(sys.argv[3]))
    else:
        wall, cpu = optuna_report(int(sys.argv[2]))
    print(f"{wall:.1f} {cpu:.1f}")
