#!/usr/bin/python3
"""Writes good, malformed and oversized (50 MB) lines to $SWEEP_METRICS and stdout."""
import os
import sys

path = os.environ["SWEEP_METRICS"]
with open(path, "a") as f:
    f.write('{"step": 0, "loss": 1.5}\n')
    f.write('{"loss": \n')
    f.write('not json at all\n')
    f.write('{"step": 1, "loss": ' + "9" * 50_000_000 + "}\n")
    f.write('{"step": 2, "loss": NaN, "acc": Infinity, "note": "x", "nested": {"a": [1]}}\n')
sys.stdout.write("y" * 50_000_000)
sys.stdout.write("\nacc=0.75\n")
