"""Where sweep's wandb module writes: metric lines, the run file, media files.

Metric points go to $SWEEP_METRICS as JSON lines (the channel every trial has), one
O_APPEND write per line so that threads and processes never interleave, each line
carrying its step and kept well under the controller's 1 MiB line limit. What is not
a time series (the whole config, the run summary, alerts, saved files) goes to
$SWEEP_TRIAL_DIR/reported.json, rewritten atomically, which the agent reads when the
trial ends. Outside a trial (no $SWEEP_METRICS) metrics are printed as name=value
pairs so that a script still runs.
"""

import json
import math
import os
import re
import sys

MAX_LINE_BYTES = 256 * 1024  # the controller accepts 1 MiB; keep lines far below it
MAX_MEDIA_FILES = 1000

_warned = set()


def warn_once(kind, message):
    """Prints `message` on stderr the first time `kind` is seen in this process."""
    if kind in _warned:
        return
    _warned.add(kind)
    sys.stderr.write("wandb (sweep): WARNING %s\n" % message)
    sys.stderr.flush()


def trial_dir():
    """The trial's folder, or the working directory outside a trial."""
    return os.environ.get("SWEEP_TRIAL_DIR") or os.getcwd()


def _dumps(record):
    return json.dumps(record, allow_nan=True, separators=(",", ":"), ensure_ascii=False)


def _append(path, text):
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        data = text.encode("utf-8", "replace")
        while data:
            data = data[os.write(fd, data):]
    finally:
        os.close(fd)


def _format(value):
    if isinstance(value, float):
        if math.isnan(value):
            return "NaN"
        if math.isinf(value):
            return "Infinity" if value > 0 else "-Infinity"
        return repr(value)
    return str(value)


def write_points(step, values):
    """Writes {name: number} at `step`; large rows are split into several lines."""
    if not values:
        return
    path = os.environ.get("SWEEP_METRICS")
    if not path:
        pairs = " ".join("%s=%s" % (re.sub(r"\s", "_", n), _format(v)) for n, v in values.items())
        sys.stdout.write("step=%d %s\n" % (step, pairs))
        sys.stdout.flush()
        return
    lines = []
    record = {"step": step}
    size = 16
    for name, value in values.items():
        piece = len(_dumps({name: value}))
        if len(record) > 1 and size + piece > MAX_LINE_BYTES:
            lines.append(_dumps(record))
            record = {"step": step}
            size = 16
        record[name] = value
        size += piece
    lines.append(_dumps(record))
    for line in lines:
        _append(path, line + "\n")


def _jsonable(value, depth=0):
    """A JSON-compatible copy of a config or summary value (others become their repr)."""
    if depth > 20:
        return repr(value)
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else _format(value)
    if isinstance(value, dict):
        return {str(k): _jsonable(v, depth + 1) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v, depth + 1) for v in value]
    item = getattr(value, "item", None)
    if callable(item) and getattr(value, "shape", None) == ():
        try:
            return _jsonable(item(), depth + 1)
        except Exception:
            pass
    return repr(value)


def write_run_file(state):
    """Atomically replaces $SWEEP_TRIAL_DIR/reported.json with `state` (a dict)."""
    if not os.environ.get("SWEEP_TRIAL_DIR"):
        return
    path = os.path.join(trial_dir(), "reported.json")
    tmp = "%s.tmp%d" % (path, os.getpid())
    try:
        with open(tmp, "w", encoding="utf-8") as f:
            json.dump(_jsonable(state), f, allow_nan=False)
        os.replace(tmp, path)
    except (OSError, ValueError) as e:
        warn_once("run-file", "could not write %s: %s" % (path, e))


_media_count = [0]


def safe_name(text):
    """A file-name-safe version of a metric key."""
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", str(text)).strip("._")[:100] or "media"


def write_media(key, step, suffix, content):
    """Writes one media file under $SWEEP_TRIAL_DIR/media/; returns its relative path or None."""
    if _media_count[0] >= MAX_MEDIA_FILES:
        warn_once("media-cap", "more than %d media files; further media are skipped"
                  % MAX_MEDIA_FILES)
        return None
    folder = os.path.join(trial_dir(), "media")
    os.makedirs(folder, exist_ok=True)
    rel = os.path.join("media", "%s_%d%s" % (safe_name(key), step, suffix))
    mode = "wb" if isinstance(content, bytes) else "w"
    try:
        with open(os.path.join(trial_dir(), rel), mode) as f:
            f.write(content)
    except OSError as e:
        warn_once("media-write", "could not write %s: %s" % (rel, e))
        return None
    _media_count[0] += 1
    return rel
