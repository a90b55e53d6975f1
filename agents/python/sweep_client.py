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

__all__ = ["report", "params", "log_params", "optimize", "Pruned", "SpecError", "SweepError"]


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
    if _report_in_process(step, values):
        return
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


# -- sweeps from Python: optimize() ------------------------------------------------
# The channel to the controller lives in _sweep_inproc.py (shipped beside this file).

class SweepError(RuntimeError):
    """The sweep binary refused or failed (the message is its own)."""


class SpecError(ValueError):
    """A spec with errors. .errors: [{"file","line","col","key","message"}]; str() lists them."""

    def __init__(self, message):
        ValueError.__init__(self, message)
        self.errors = []
        for line in message.splitlines():
            parts = line.split(":", 3)  # file:line:col: [key.path: ]what
            if len(parts) < 4 or not parts[1].isdigit() or not parts[2].isdigit():
                continue
            key, _, what = parts[3].strip().partition(": ")
            if not what or " " in key:  # a message without a key path
                key, what = "", parts[3].strip()
            self.errors.append({"file": parts[0], "line": int(parts[1]), "col": int(parts[2]),
                                "key": key, "message": what})


class Pruned(Exception):
    """Raised by report() inside an objective once the sweep's early-stopping rule has
    stopped that trial (like optuna.TrialPruned); the trial is recorded as stopped.
    An objective may also raise it itself to end its trial as stopped."""


def _report_in_process(step, values):
    """Inside an optimize() objective: writes to that trial's metrics and raises Pruned
    once the controller has stopped it. Returns False outside one."""
    inproc = sys.modules.get("_sweep_inproc")
    trial = inproc.current_trial() if inproc is not None else None
    if trial is None:
        return False
    inproc.append(trial.metrics_path, inproc.metrics_line(dict(values), step))
    if trial.stop_reason is not None:
        raise Pruned("trial %s was stopped: %s" % (trial.id, trial.stop_reason))
    return True


def optimize(spec, objective, n_trials=None, seed=None, workers=1, store=None, sweep_id=None,
             quiet=False):
    """Runs a sweep whose trials are calls of objective(params) in this process.

    spec: a dict (a W&B sweep config) or the path of a YAML spec; `program` is not
      needed. None with sweep_id= continues that sweep (e.g. after Ctrl-C).
    objective(params) -> a number (the spec's target metric), a dict of metrics
      ({name: number}), a sequence of numbers (one per `metrics:` objective), or
      None (the metrics it reported itself). Inside it, report(step=..., **metrics)
      records a time series and raises Pruned when the early-stopping rule stops the
      trial; any other exception fails the trial (traceback recorded) and the sweep
      goes on.
    n_trials: configurations to run now (None: until the search space, run_cap or
      the target ends the sweep, or Ctrl-C). seed: the search's seed.
    workers: objectives run at once, on threads of this process.
    store: the store folder (default: $SWEEP_STORE, else ./.sweep).
    Returns the best trial as {"id", "params", "value", "metrics"}; for a
    multi-objective spec (`metrics:`), the Pareto front as a list of such dicts (each
    with "values" in objective order). None when no trial reported the target.
    Raises SpecError for a bad spec, SweepError when the sweep cannot run, and
    KeyboardInterrupt after Ctrl-C (the sweep is then interrupted and resumable).
    """
    import _sweep_inproc as inproc
    if int(workers) < 1:
        raise ValueError("workers must be at least 1, got %r" % (workers,))
    if n_trials is not None and int(n_trials) < 0:
        raise ValueError("n_trials must be >= 0, got %r" % (n_trials,))
    if sweep_id is None:
        if spec is None:
            raise ValueError("optimize needs a spec (dict or YAML path) or sweep_id=")
        created = inproc.create(spec, store=store, seed=seed, error_name="<optimize spec>")
    else:
        created = _sweep_info(inproc, sweep_id, store)
    sid = created["id"]
    metric = created.get("metric")
    objectives = [o["name"] for o in created.get("objectives") or []]
    params_of = {}

    def run_trial(trial):
        params_of[trial.id] = trial.params
        result = objective(trial.params)
        values = _objective_metrics(result, metric, objectives)
        if values:
            inproc.append(trial.metrics_path, inproc.metrics_line(values))

    # One worker: wandb.init() inside the objective is bound to the trial too (SWEEP_*
    # variables); with threads only report() is, per thread.
    inproc.serve(sid, run_trial, count=n_trials, workers=int(workers), store=store, quiet=quiet,
                 set_env=int(workers) == 1)
    return _best(inproc, sid, store, metric, objectives, params_of)


def _sweep_info(inproc, sweep_id, store):
    """{"id","metric","objectives"} of an existing sweep, from `sweep status --json`."""
    import json
    import subprocess
    proc = subprocess.run(inproc._base(store) + ["status", sweep_id, "--json"],
                          capture_output=True, text=True)
    if proc.returncode != 0:
        raise SweepError(proc.stderr.strip())
    status = json.loads(proc.stdout)
    pareto = status.get("pareto") or {}
    return {"id": status.get("id", sweep_id), "metric": status.get("metric"),
            "objectives": pareto.get("objectives") or []}


def _objective_metrics(result, metric, objectives):
    """What an objective returned, as {name: number} for the trial's metrics."""
    if result is None:
        return {}
    if isinstance(result, dict):
        return {str(k): _number(k, v) for k, v in result.items()}
    if isinstance(result, (list, tuple)):
        if len(result) != len(objectives):
            raise ValueError("the objective returned %d values; the spec's metrics: names %d "
                             "objectives (%s)" % (len(result), len(objectives),
                                                  ", ".join(objectives) or "none"))
        return {name: _number(name, v) for name, v in zip(objectives, result)}
    if objectives:
        raise ValueError("the objective returned one number; the spec's metrics: names %d "
                         "objectives (%s): return a sequence or a dict"
                         % (len(objectives), ", ".join(objectives)))
    if not metric:
        raise ValueError("the objective returned a number but the spec names no metric; "
                         "add metric: {name: ..., goal: ...} or return a dict of metrics")
    return {metric: _number(metric, result)}


def _best(inproc, sid, store, metric, objectives, params_of):
    """The best trial (or the Pareto front) from the store's own ranking."""
    if not metric and not objectives:
        return None  # nothing to rank by
    ranked = inproc.top(sid, store=store)
    rows = {r["id"]: r for r in inproc.export(sid, store=store)["trials"]}
    picked = [t for t in ranked["trials"]
              if (t.get("front") == 1 if objectives else t.get("value") is not None)
              and t.get("status") == "finished"]
    if not objectives:
        picked = picked[:1]
    out = []
    for t in picked:
        row = rows.get(t["id"], {})
        metrics = {k: v for k, v in (row.get("metrics") or {}).items()}
        entry = {"id": t["id"], "params": params_of.get(t["id"], t.get("params")),
                 "value": t.get("value"), "metrics": metrics}
        if objectives:
            entry["values"] = t.get("values")
        out.append(entry)
    if objectives:
        return out
    return out[0] if out else None
