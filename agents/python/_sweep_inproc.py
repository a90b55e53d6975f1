"""In-process sweeps: the channel between a Python process and its sweep controller.

wandb.sweep/wandb.agent (wandb/_sweep.py) and sweep_client.optimize build on this.
Standard library only. How it works (schemas/inprocess-protocol.md):

- create(): runs `sweep inproc-create - --json` (never through a shell) with the spec
  as JSON or YAML text on stdin; the controller validates it exactly as `sweep launch`
  would (no `program` needed) and records the sweep. Errors raise SpecError.
- serve(): runs `sweep inproc-serve ID` as a child in its own session (so a Ctrl-C in
  the terminal reaches only this process) with two pipes. The child is the sweep's
  controller and the only writer of the store; it sends one JSON line per trial to
  run and per early-stopping verdict, and this process answers with one line per
  trial end. Metrics go to the trial's metrics.jsonl (report() / wandb.log), which
  the controller tails as it tails any trial's.
- Ctrl-C (KeyboardInterrupt) or any other exception out of the loop closes the pipe:
  the controller records the running trials as lost and the sweep as interrupted,
  resumable by calling wandb.agent / optimize on the same id again.

The sweep binary: $SWEEP_BIN, else the `_sweep_bin` file that `sweep python-path`
writes beside these modules, else `sweep` on $PATH.
"""

import json
import os
import queue
import shutil
import subprocess
import sys
import threading
import traceback

__all__ = ["SpecError", "SweepError", "Pruned", "create", "serve", "current_trial", "top"]


# The exceptions live in sweep_client (imported by every trial, so kept cheap there).
from sweep_client import Pruned, SpecError, SweepError  # noqa: E402


_local = threading.local()
_active = set()  # sweep ids with a serve() loop in this process
_active_lock = threading.Lock()


def binary():
    """The sweep executable to run (see the module comment), or raises SweepError."""
    env = os.environ.get("SWEEP_BIN")
    if env:
        return env
    marker = os.path.join(os.path.dirname(os.path.abspath(__file__)), "_sweep_bin")
    try:
        with open(marker, encoding="utf-8") as f:
            path = f.read().strip()
        if path and os.access(path, os.X_OK):
            return path
    except OSError:
        pass
    found = shutil.which("sweep")
    if found:
        return found
    raise SweepError("cannot find the sweep binary: set $SWEEP_BIN, put sweep on $PATH, or "
                     "import these modules from the folder `sweep python-path` prints")


def _base(store):
    argv = [binary()]
    if store:
        argv += ["--store", os.fspath(store)]
    return argv


def create(spec, store=None, seed=None, name=None, error_name="<config dict>"):
    """Creates an in-process sweep from a dict or a spec file path; returns the JSON the
    binary printed: {"id","name","metric","goal","objectives","store"}."""
    argv = _base(store) + ["inproc-create"]
    stdin = None
    if isinstance(spec, dict):
        try:
            stdin = json.dumps(spec, indent=2, allow_nan=False)
        except (TypeError, ValueError) as e:
            raise SpecError("%s: the config is not JSON-serializable: %s" % (error_name, e)) from None
        argv += ["-", "--file-name", error_name]
    elif isinstance(spec, (str, os.PathLike)):
        argv += [os.fspath(spec)]
    else:
        raise TypeError("spec must be a dict or the path of a YAML spec, got %s"
                        % type(spec).__name__)
    if seed is not None:
        argv += ["--seed", str(int(seed))]
    if name:
        argv += ["--name", str(name)]
    argv += ["--json"]
    proc = subprocess.run(argv, input=stdin, capture_output=True, text=True)
    notes = [l for l in proc.stderr.splitlines() if l.startswith("note: ")]
    for note in notes:
        sys.stderr.write("sweep: %s\n" % note)
    if proc.returncode == 2:
        raise SpecError("\n".join(l for l in proc.stderr.splitlines() if l not in notes).strip())
    if proc.returncode != 0:
        raise SweepError(proc.stderr.strip() or "sweep inproc-create failed (exit %d)"
                         % proc.returncode)
    return json.loads(proc.stdout)


def top(sweep_id, store=None):
    """`sweep top ID --json -k 0`: the ranked trials (schemas/cli-json.md)."""
    proc = subprocess.run(_base(store) + ["top", sweep_id, "--json", "-k", "0"],
                          capture_output=True, text=True)
    if proc.returncode != 0:
        raise SweepError(proc.stderr.strip())
    return json.loads(proc.stdout)


def export(sweep_id, store=None):
    """`sweep export ID --format json`: every trial's params and summary metrics."""
    proc = subprocess.run(_base(store) + ["export", sweep_id, "--format", "json"],
                          capture_output=True, text=True)
    if proc.returncode != 0:
        raise SweepError(proc.stderr.strip())
    return json.loads(proc.stdout)


class Trial(object):
    """One trial handed to this process: id, params (nested dict), dir (its folder)."""

    def __init__(self, message):
        self.id = message["id"]
        self.sweep_id = message.get("sweep")
        self.number = message.get("number")
        self.params = message.get("params") or {}
        self.dir = message["dir"]
        self.metrics_path = os.path.join(self.dir, "metrics.jsonl")
        self.stop_reason = None  # set by the reader thread when the controller stops it


def current_trial():
    """The Trial this thread runs, or None."""
    return getattr(_local, "trial", None)


class _Channel(object):
    """The child controller and the reader thread that turns its lines into work."""

    def __init__(self, argv):
        self.proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, start_new_session=True)
        self.work = queue.Queue()
        self.trials = {}
        self.write_lock = threading.Lock()
        self.closed = None  # the close message, once seen
        self.last_lines = []  # the controller's last stderr lines, for error messages
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()
        # The controller's log goes to sys.stderr (a notebook shows it in the cell).
        self.logger = threading.Thread(target=self._forward_log, daemon=True)
        self.logger.start()

    def _forward_log(self):
        for raw in self.proc.stderr:
            line = raw.decode("utf-8", "replace")
            self.last_lines = (self.last_lines + [line.rstrip("\n")])[-5:]
            try:
                sys.stderr.write(line)
                sys.stderr.flush()
            except (OSError, ValueError):
                pass

    def _read(self):
        try:
            for raw in self.proc.stdout:
                try:
                    msg = json.loads(raw)
                except ValueError:
                    continue
                kind = msg.get("type")
                if kind == "trial":
                    trial = Trial(msg)
                    self.trials[trial.id] = trial
                    self.work.put(trial)
                elif kind == "stop":
                    trial = self.trials.get(msg.get("id"))
                    if trial is not None:
                        trial.stop_reason = msg.get("reason") or "stopped"
                elif kind == "close":
                    self.closed = msg
        finally:
            self.work.put(None)  # the controller is done (or gone)

    def send_end(self, trial, status, error=""):
        line = json.dumps({"type": "end", "id": trial.id, "status": status,
                           "error": error[-4096:]}) + "\n"
        self.trials.pop(trial.id, None)
        with self.write_lock:
            try:
                self.proc.stdin.write(line.encode("utf-8"))
                self.proc.stdin.flush()
            except (BrokenPipeError, ValueError, OSError):
                pass

    def close(self):
        try:
            self.proc.stdin.close()
        except (BrokenPipeError, OSError):
            pass
        code = self.proc.wait()
        self.logger.join(5)
        return code


def _bind(trial, env):
    """Binds `trial` to this thread (and to os.environ when env: for wandb, one worker)."""
    _local.trial = trial
    if not env:
        return None
    saved = {k: os.environ.get(k) for k in ("SWEEP_ID", "SWEEP_TRIAL_ID", "SWEEP_TRIAL_DIR",
                                             "SWEEP_PARAMS", "SWEEP_METRICS")}
    os.environ.update({"SWEEP_ID": trial.sweep_id or "", "SWEEP_TRIAL_ID": trial.id,
                       "SWEEP_TRIAL_DIR": trial.dir,
                       "SWEEP_PARAMS": os.path.join(trial.dir, "params.json"),
                       "SWEEP_METRICS": trial.metrics_path})
    return saved


def _unbind(saved):
    _local.trial = None
    if saved is None:
        return
    for k, v in saved.items():
        if v is None:
            os.environ.pop(k, None)
        else:
            os.environ[k] = v


def serve(sweep_id, run_trial, count=None, workers=1, store=None, quiet=False, set_env=False):
    """Runs the sweep's controller and calls run_trial(trial) for each trial it hands
    out, `workers` at a time on threads. run_trial returns normally (finished), raises
    Pruned (stopped) or another Exception (failed, traceback recorded and printed; the
    loop goes on). Returns the controller's exit code (0 finished, 1 failed). Ctrl-C:
    the sweep is left interrupted and KeyboardInterrupt propagates. Raises SweepError
    when the sweep cannot be run (unknown id, run by another controller)."""
    with _active_lock:
        if sweep_id in _active:
            raise SweepError("sweep %s already has an agent in this process; a process runs "
                             "one agent per sweep (use workers= for parallel trials)" % sweep_id)
        _active.add(sweep_id)
    try:
        return _serve(sweep_id, run_trial, count, workers, store, quiet, set_env)
    finally:
        with _active_lock:
            _active.discard(sweep_id)


def _serve(sweep_id, run_trial, count, workers, store, quiet, set_env):
    argv = _base(store) + ["inproc-serve", sweep_id, "--workers", str(int(workers))]
    if count is not None:
        argv += ["--count", str(int(count))]
    if quiet:
        argv += ["--quiet"]
    channel = _Channel(argv)

    def one(trial):
        saved = _bind(trial, set_env)
        try:
            run_trial(trial)
        except Pruned:
            channel.send_end(trial, "pruned")
        except Exception:
            text = traceback.format_exc()
            sys.stderr.write("sweep: trial %s raised:\n%s" % (trial.id, text))
            channel.send_end(trial, "failed", text)
        else:
            channel.send_end(trial, "ok")
        finally:
            _unbind(saved)

    def worker():
        while True:
            trial = channel.work.get()
            if trial is None:
                channel.work.put(None)  # for the other workers
                return
            one(trial)

    try:
        if workers <= 1:
            worker()
        else:
            threads = [threading.Thread(target=worker, daemon=True) for _ in range(workers)]
            for t in threads:
                t.start()
            for t in threads:
                while t.is_alive():
                    t.join(0.2)  # a join with a timeout lets Ctrl-C through
    except BaseException:
        channel.close()
        raise
    code = channel.close()
    if code not in (0, 1):
        raise SweepError(_exit_message(sweep_id, code, channel.last_lines))
    return code


def _exit_message(sweep_id, code, lines):
    errors = [l[len("error: "):] for l in lines if l.startswith("error: ")]
    if code == 3 and errors:
        return errors[-1]
    if code == 130:
        return "sweep %s was interrupted; call again with the same id to continue it" % sweep_id
    return "sweep %s could not be run (exit %d): %s" % (sweep_id, code, " / ".join(lines))


def metrics_line(values, step=None):
    """One metrics.jsonl line for {name: number} (NaN/inf as Python's json spells them)."""
    record = {}
    if step is not None:
        record["step"] = step
    record.update(values)
    return json.dumps(record, allow_nan=True, separators=(",", ":")) + "\n"


def append(path, line):
    """Appends one line with a single O_APPEND write (threads never interleave)."""
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_NOFOLLOW, 0o644)
    try:
        data = line.encode("utf-8")
        while data:
            data = data[os.write(fd, data):]
    finally:
        os.close(fd)
