#!/usr/bin/env python3
"""A stand-in training script for W&B-style sweep specs: accepts any parameters.

Every spec in this folder runs this script. It accepts its parameters in every
form a W&B command macro produces, and prints what it received, so a run shows
how each macro reached the program:

  --lr=0.01 --layers=2            ${args}  (values as Python str(): True, None, ...)
  --use_bn  (flag absent = False)  ${args_no_boolean_flags}
  lr=0.01 layers=2                 ${args_no_hyphens}  (Hydra style; +key=value too)
  '{"lr": 0.01, "layers": 2}'      ${args_json}  (one argument)
  /path/to/params.json             ${args_json_file}
  --config config.json             a fixed extra argument written in the command
  --optimizer={'lr': 0.01}         a nested parameter, the way W&B passes it
  --optimizer.lr=0.01              a nested parameter as a dotted name

It then "trains" for `epochs` epochs (default 5, `epoch_seconds` apart, default
0): a synthetic, deterministic learning curve whose floor depends on every
parameter value. Each epoch reports loss, val_loss, acc and val_acc: a JSON line
in $SWEEP_METRICS under sweep, name=value pairs on stdout otherwise.
Standard library only, so any python3 runs it.
"""

import ast
import json
import math
import os
import random
import sys
import time
import zlib


def parse_value(text):
    """The value a flag stands for: JSON, else a Python literal, else the string."""
    for parse in (json.loads, ast.literal_eval):
        try:
            return parse(text)
        except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
            pass
    return text


def set_dotted(params, key, value):
    """params["a"]["b"] = value for key "a.b" (a plain key when a level is not a dict)."""
    node = params
    parts = key.split(".")
    for part in parts[:-1]:
        child = node.get(part)
        if not isinstance(child, dict):
            if child is not None:  # "a" already holds a value: keep the dotted key
                params[key] = value
                return
            child = node[part] = {}
        node = child
    node[parts[-1]] = value


def parse_argv(argv):
    """Returns (params, notes): parameters in any macro's form, and what was odd."""
    params, notes = {}, []
    i = 0
    while i < len(argv):
        arg = argv[i]
        i += 1
        if arg.startswith("--") and len(arg) > 2:
            key, eq, text = arg[2:].partition("=")
            if eq:
                set_dotted(params, key, parse_value(text))
            elif i < len(argv) and not argv[i].startswith("-") and "=" not in argv[i]:
                set_dotted(params, key, parse_value(argv[i]))  # --key value
                i += 1
            else:
                set_dotted(params, key, True)  # a boolean flag
        elif arg.lstrip().startswith("{"):
            value = parse_value(arg)
            if isinstance(value, dict):
                params.update(value)  # ${args_json}
            else:
                notes.append(f"not a JSON object: {arg[:80]!r}")
        elif "=" in arg and not arg.startswith("="):
            key, _, text = arg.lstrip("+").partition("=")  # Hydra: key=v, +key=v
            set_dotted(params, key, parse_value(text))
        elif os.path.isfile(arg):
            try:
                with open(arg, encoding="utf-8") as f:
                    value = json.load(f)  # ${args_json_file}
            except (OSError, ValueError) as e:
                notes.append(f"cannot read {arg}: {e}")
                continue
            if isinstance(value, dict):
                params.update(value)
            else:
                notes.append(f"{arg} does not hold a JSON object")
        else:
            notes.append(f"ignored argument {arg[:80]!r}")
    return params, notes


def leaves(value, prefix=""):
    """(dotted name, value) for every non-dict value in nested params."""
    if isinstance(value, dict):
        for k in sorted(value, key=str):
            yield from leaves(value[k], f"{prefix}.{k}" if prefix else str(k))
    else:
        yield prefix, value


def unit_hash(text):
    return zlib.crc32(text.encode("utf-8", "replace")) / 2**32


def badness(name, value):
    """How much one parameter value hurts, in [0, 1]: smooth in numbers."""
    if isinstance(value, bool) or value is None:
        return unit_hash(f"{name}={value}")
    if isinstance(value, (int, float)):
        if not math.isfinite(value):
            return 1.0
        phase = 2 * math.pi * unit_hash(name)
        return 0.5 * (1 + math.sin(phase + 1.3 * math.asinh(value * 100)))
    return unit_hash(f"{name}={value}")


def as_number(value, default, lo, hi):
    try:
        x = float(value)
    except (TypeError, ValueError):
        return default
    return min(hi, max(lo, x)) if math.isfinite(x) else default


def main(argv):
    params, notes = parse_argv(argv)
    for note in notes:
        print(f"train.py: {note}", file=sys.stderr)
    print("params " + json.dumps(params, sort_keys=True, default=str), flush=True)

    epochs = int(as_number(params.get("epochs"), 5, 1, 1000))
    pause = as_number(params.get("epoch_seconds"), 0.0, 0.0, 60.0)
    named = [(n, v) for n, v in leaves(params) if n not in ("epochs", "epoch_seconds")]
    floor = 0.05 + 0.5 * (sum(badness(n, v) for n, v in named) / len(named) if named else 0.5)
    rng = random.Random(json.dumps(params, sort_keys=True, default=str))

    path = os.environ.get("SWEEP_METRICS")
    out = open(path, "a", encoding="utf-8") if path else None
    for epoch in range(1, epochs + 1):
        loss = floor + (2.3 - floor) * math.exp(-0.35 * epoch)
        val_loss = loss * 1.05 + abs(rng.gauss(0, 0.01))
        point = {"loss": loss, "val_loss": val_loss, "acc": 1 - loss / 2.5,
                 "val_acc": 1 - val_loss / 2.5}
        if out:
            out.write(json.dumps({"step": epoch, **point}) + "\n")
            out.flush()
        else:
            print(f"step={epoch} " + " ".join(f"{k}={v:.5f}" for k, v in point.items()),
                  flush=True)
        time.sleep(pause)
    print(f"done: {epochs} epochs, val_loss {val_loss:.5f}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
