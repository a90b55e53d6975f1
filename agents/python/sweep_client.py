"""Report metrics to sweep from a training script (standard library only).

Usage inside a trial::

    from sweep_client import report, params

    cfg = params()              # {'lr': 0.01, 'layers': 3, ...}
    for epoch in range(10):
        ...
        report(step=epoch, loss=loss, acc=acc)

sweep puts this folder on the trial's PYTHONPATH and sets $SWEEP_METRICS (the
trial's metrics.jsonl) and $SWEEP_PARAMS (its params.json). Each report() call
appends one JSON line to $SWEEP_METRICS with a single O_APPEND write, so lines from
several processes or threads never interleave.

Run outside sweep ($SWEEP_METRICS unset), report() prints ``name=value`` pairs on
stdout instead, which sweep would also understand, so the script works standalone.

``log_params(lr=0.1, model="resnet")`` declares params the program used (a tracked
run's or a trial's); they join the trial's params like ``wandb.config`` keys do,
and a sweep's own params still win over them.
"""

import json
import math
import os
import sys

__all__ = ["report", "params", "log_params"]


def _number(name, value):
    """Returns value as a float (ints stay ints), or raises TypeError naming the metric.

    Accepts ints, floats, bools (as 0/1) and anything float() accepts such as numpy
    scalars or 0-d tensors.
    """
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return value
    try:
        return float(value)
    except (TypeError, ValueError):
        raise TypeError("metric %r: %r is not a number" % (name, value)) from None


def _format(value):
    """A value as sweep reads it: NaN, Infinity and -Infinity spelled as Python's json."""
    if isinstance(value, float):
        if math.isnan(value):
            return "NaN"
        if math.isinf(value):
            return "Infinity" if value > 0 else "-Infinity"
        return repr(value)
    return str(value)


def report(step=None, **metrics):
    """Reports metric values, optionally at an explicit step.

    step: an int; when omitted, sweep uses the previous step + 1 (the first is 0).
    metrics: name=value pairs; values are ints, floats, bools or numpy scalars.
    NaN and infinities are recorded as such. Raises TypeError for a value that is
    not a number, and ValueError for a step that is not an integer.
    """
    if step is not None:
        if isinstance(step, bool) or float(step) != int(step):
            raise ValueError("step must be an integer, got %r" % (step,))
        step = int(step)
    values = [(str(name), _number(name, value)) for name, value in metrics.items()]
    path = os.environ.get("SWEEP_METRICS")
    if not path:
        pairs = ([("step", step)] if step is not None else []) + values
        print(" ".join("%s=%s" % (n, _format(v)) for n, v in pairs))
        sys.stdout.flush()
        return
    record = {}
    if step is not None:
        record["step"] = step
    record.update(values)
    line = json.dumps(record, allow_nan=True, separators=(",", ":")) + "\n"
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        data = line.encode("utf-8")
        while data:
            written = os.write(fd, data)
            data = data[written:]
    finally:
        os.close(fd)


def params():
    """Returns this trial's parameters (the dict in $SWEEP_PARAMS), or {} outside sweep."""
    path = os.environ.get("SWEEP_PARAMS")
    if not path:
        return {}
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def log_params(params=None, **more):
    """Declares params this run used; they are recorded with the trial's params.

    params: a dict (nested dicts become dotted names, as with wandb.config); more:
    name=value pairs, merged over it. Values are JSON scalars or anything str() can
    spell. Repeated calls merge; a later value of a name replaces the earlier one.
    They are kept in $SWEEP_TRIAL_DIR/logged_params.json (replaced atomically) and
    read when the trial ends; a sweep's own params win over them, and they win over
    `--key value` pairs `sweep run` read from the command line. Outside sweep
    ($SWEEP_TRIAL_DIR unset) it does nothing. Raises TypeError for a params that is
    not a dict.
    """
    if params is None:
        params = {}
    if not isinstance(params, dict):
        raise TypeError("log_params: params must be a dict, got %s" % type(params).__name__)
    update = dict(params)
    update.update(more)
    folder = os.environ.get("SWEEP_TRIAL_DIR")
    if not folder:
        return
    path = os.path.join(folder, "logged_params.json")
    current = {}
    try:
        with open(path, encoding="utf-8") as f:
            loaded = json.load(f)
        if isinstance(loaded, dict):
            current = loaded
    except (OSError, ValueError):
        pass
    current.update(update)
    tmp = "%s.tmp%d" % (path, os.getpid())
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(current, f, default=str, allow_nan=True)
    os.replace(tmp, path)
