#!/usr/bin/python3
"""Reports through all three channels: sweep_client.report, stdout pairs, raw JSON lines."""
import numpy as np
from sweep_client import params, report

p = params()
report(loss=1.0, acc=0.5)                       # step 0
report(step=5, loss=float("nan"), big=float("inf"), neg=float("-inf"), flag=True)
report(loss=np.float32(0.25), count=np.int64(7))  # step 6
print("loss=0.125 lr=%s" % p["lr"])             # step 7, via stdout
