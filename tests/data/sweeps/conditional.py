"""A trial for the conditional-space integration tests: fails (exit 4) when a parameter
that its `when:` makes inactive reaches argv or $SWEEP_PARAMS, or an active one is
missing; otherwise reports loss, which depends on the branch."""
import json
import math
import os
import sys

argv = {}
for a in sys.argv[1:]:
    if a.startswith("--") and "=" in a:
        k, v = a[2:].split("=", 1)
        argv[k] = v
with open(os.environ["SWEEP_PARAMS"]) as f:
    params = json.load(f)

opt = params.get("optimizer")
expected = {"optimizer", "lr"}
if opt == "sgd":
    expected |= {"momentum"}
elif opt == "adam":
    expected |= {"beta2"}
for name, seen in (("argv", set(argv)), ("SWEEP_PARAMS", set(params))):
    if seen != expected:
        sys.stderr.write(f"{name} has {sorted(seen)}, expected {sorted(expected)}\n")
        sys.exit(4)

lr = float(params["lr"])
loss = (math.log10(lr) + 2) ** 2
if opt == "sgd":
    loss += abs(float(params["momentum"]) - 0.9)
else:
    loss += 0.25 + abs(float(params["beta2"]) - 0.99)
print(f"loss={loss}", flush=True)
