"""A two-objective trial for integration tests: --x and --y in [0, 1] give
loss = x + y, latency = (1 - x) + 2 * (1 - y) (they conflict), memory = 10 * y.
--mode=nomemory leaves memory unreported."""
import sys

args = dict(a[2:].split("=", 1) for a in sys.argv[1:] if a.startswith("--") and "=" in a)
x = float(args.get("x", 0))
y = float(args.get("y", 0))
print(f"loss={x + y} latency={(1 - x) + 2 * (1 - y)}")
if args.get("mode") != "nomemory":
    print(f"memory={10 * y}")
