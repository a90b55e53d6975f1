"""The run object of sweep's wandb module: log, summary, config, files, finish.

Steps follow W&B: log() without a step commits a row at the run's step and moves to
the next; commit=False keeps adding to the current row; an explicit step larger than
the current one commits the pending row first, an explicit smaller one is ignored
with a warning (W&B's "steps must be monotonically increasing"). Scalars (bool, int,
float, numpy and torch scalars) become metric points, nested dicts become "a/b"
names, media are kept as files or counted (_media.py), anything else is skipped with
one warning per kind; NaN is recorded as NaN with one warning. Every public method
takes one lock, so a script may log from several threads.
"""

import math
import os
import shutil
import sys
import threading
import time

from . import _output
from ._config import Config
from ._media import Media
from ._summary import MetricDefinition, Summary


class NotProvided(AttributeError):
    """Raised for a W&B API that sweep's bundled module does not provide."""


def not_provided(what):
    return NotProvided(
        "%s is not provided by sweep's bundled wandb module (it runs your script under "
        "`sweep launch`, nothing leaves the machine); set `reporting.wandb: tee` in the "
        "sweep spec to also call the real wandb package, or `off` to use only the real one"
        % what)


def _scalar(value):
    """value as an int or float when it is a scalar metric, else None."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, (int, float)):
        return value
    item = getattr(value, "item", None)
    shape = getattr(value, "shape", None)
    if callable(item) and shape is not None and tuple(shape) == ():
        try:
            v = item()
        except Exception:
            return None
        if isinstance(v, bool):
            return int(v)
        return v if isinstance(v, (int, float)) else None
    return None


def _flatten(prefix, value, out):
    for k, v in value.items():
        name = "%s/%s" % (prefix, k) if prefix else str(k)
        if isinstance(v, dict):
            _flatten(name, v, out)
        else:
            out[name] = v


class Run(object):
    """wandb.run: one per wandb.init() in a trial; usable as a context manager."""

    def __init__(self, settings, config, tee=None):
        self._lock = threading.RLock()
        self._settings = dict(settings)
        self._tee = tee
        self._step = 0
        self._pending = {}
        self._finished = False
        self._files = []  # (source path, name under files/)
        self._artifacts = []  # relative paths under the trial folder
        self._notes = []
        self._media = []
        self.config = config
        config._on_change = self._write
        self.summary = Summary(on_change=self._write)
        self.start_time = time.time()
        self._write()

    # -- identity (W&B's Run properties) ---------------------------------------
    @property
    def id(self):
        return self._settings.get("id") or os.environ.get("SWEEP_TRIAL_ID", "offline")

    @property
    def name(self):
        return self._settings.get("name") or self.id

    @name.setter
    def name(self, value):
        self._settings["name"] = value
        self._write()

    @property
    def notes(self):
        return self._settings.get("notes")

    @notes.setter
    def notes(self, value):
        self._settings["notes"] = value
        self._write()

    @property
    def tags(self):
        return tuple(self._settings.get("tags") or ())

    @tags.setter
    def tags(self, value):
        self._settings["tags"] = list(value)
        self._write()

    project = property(lambda self: self._settings.get("project") or "uncategorized")
    entity = property(lambda self: self._settings.get("entity") or "")
    group = property(lambda self: self._settings.get("group") or "")
    job_type = property(lambda self: self._settings.get("job_type") or "")
    sweep_id = property(lambda self: os.environ.get("SWEEP_ID"))
    dir = property(lambda self: _output.trial_dir())
    step = property(lambda self: self._step)
    path = property(lambda self: "/".join([self.entity, self.project, self.id]))
    url = property(lambda self: None)
    offline = property(lambda self: True)
    disabled = property(lambda self: False)
    resumed = property(lambda self: False)
    settings = property(lambda self: self._settings.get("settings"))

    def get_url(self):
        return None

    def get_project_url(self):
        return None

    def get_sweep_url(self):
        return None

    # -- logging ---------------------------------------------------------------
    def log(self, data, step=None, commit=None, sync=None):
        """W&B's run.log: see the module comment for steps, types and bad input."""
        with self._lock:
            if self._finished:
                _output.warn_once("log-finished", "wandb.log called after wandb.finish(); ignored")
                return
            if not isinstance(data, dict):
                _output.warn_once("log-non-dict", "wandb.log expects a dict, got %s; "
                                  "that call was ignored" % type(data).__name__)
                return
            if step is not None:
                try:
                    step = int(step)
                except (TypeError, ValueError):
                    _output.warn_once("log-step", "wandb.log step=%r is not an integer; "
                                      "the run's own step is used" % (step,))
                    step = None
            if step is not None:
                if step < self._step:
                    _output.warn_once("log-step-back", "Tried to log to step %d that is less "
                                      "than the current step %d. Steps must be monotonically "
                                      "increasing, so this data will be ignored." % (step, self._step))
                    return
                if step > self._step:
                    self._commit()
                    self._step = step
            flat = {}
            _flatten("", data, flat)
            self._pending.update(flat)
            if commit or (commit is None and step is None):
                self._commit()
            if self._tee is not None:
                self._tee.call("log", data, step=step, commit=commit)
        # In wandb.agent(function=): a trial the sweep stopped ends here (Pruned).
        from ._sweep import check_stopped
        check_stopped()

    def _commit(self):
        """Writes the pending row at the current step and moves to the next step."""
        if not self._pending:
            return
        row, self._pending = self._pending, {}
        values = {}
        for name, value in row.items():
            v = _scalar(value)
            if v is not None:
                if isinstance(v, float) and math.isnan(v):
                    _output.warn_once("nan", "%r is NaN at step %d (recorded as NaN)"
                                      % (name, self._step))
                if name == "step":
                    _output.warn_once("step-key", "a metric named 'step' is recorded as "
                                      "'step_' (sweep reads 'step' as the step number)")
                    name = "step_"
                values[name] = v
                self.summary._logged(name, v)
            elif isinstance(value, Media):
                rel = value._save(name, self._step)
                if rel:
                    self._media.append(rel)
            else:
                kind = type(value).__name__
                _output.warn_once("skip-" + kind, "values of type %s (e.g. %r) are not metrics; "
                                  "they are skipped" % (kind, name))
        _output.write_points(self._step, values)
        self._step += 1

    def define_metric(self, name, step_metric=None, step_sync=None, hidden=None,
                      summary=None, goal=None, overwrite=None, **kwargs):
        """W&B's define_metric: the summary mode and goal of `name` (globs allowed)."""
        with self._lock:
            d = MetricDefinition(name, step_metric=step_metric, summary=summary, goal=goal,
                                 hidden=hidden)
            self.summary._define(d)
            if self._tee is not None:
                self._tee.call("define_metric", name, step_metric=step_metric, summary=summary,
                               goal=goal, hidden=hidden)
            return d

    # -- files -----------------------------------------------------------------
    def save(self, glob_str=None, base_path=None, policy="live"):
        """Copies matching files into the trial's files/ folder when the run finishes."""
        import glob as globmod
        if glob_str is None:
            return []
        with self._lock:
            pattern = os.fspath(glob_str)
            paths = sorted(globmod.glob(pattern))
            base = base_path or os.path.dirname(pattern.split("*")[0]) or "."
            for p in paths:
                if os.path.isfile(p):
                    self._files.append((os.path.abspath(p), os.path.relpath(p, base)))
            if self._tee is not None:
                self._tee.call("save", glob_str, base_path=base_path, policy=policy)
            return paths

    def log_artifact(self, artifact_or_path, name=None, type=None, aliases=None, tags=None):
        """Copies the artifact's files to artifacts/<name>/ in the trial folder."""
        from ._artifact import Artifact
        with self._lock:
            art = artifact_or_path
            if not isinstance(art, Artifact):
                path = os.fspath(artifact_or_path)
                art = Artifact(name or os.path.basename(path.rstrip("/")), type or "unspecified")
                (art.add_dir if os.path.isdir(path) else art.add_file)(path)
            self._artifacts.extend(art._materialise(_output.trial_dir()))
            if self._tee is not None:
                self._tee.log_artifact(art, aliases=aliases)
            self._write()
            return art

    upsert_artifact = log_artifact

    def log_model(self, path, name=None, aliases=None):
        return self.log_artifact(path, name=name, type="model", aliases=aliases)

    def link_model(self, path, registered_model_name, name=None, aliases=None):
        return self.log_artifact(path, name=name or registered_model_name, type="model")

    def use_artifact(self, *args, **kwargs):
        raise not_provided("run.use_artifact (downloading from W&B)")

    def alert(self, title, text, level=None, wait_duration=None):
        """Becomes a note on the trial ("alert: TITLE: TEXT")."""
        with self._lock:
            lvl = getattr(level, "value", level)
            self._notes.append("alert%s: %s: %s" % (" (%s)" % lvl if lvl else "", title, text))
            if self._tee is not None:
                self._tee.call("alert", title=title, text=text, level=level)
            self._write()

    def watch(self, *args, **kwargs):
        return None

    def unwatch(self, *args, **kwargs):
        return None

    def log_code(self, *args, **kwargs):
        return None

    def mark_preempting(self):
        return None

    def display(self, *args, **kwargs):
        return False

    # -- the end ---------------------------------------------------------------
    def finish(self, exit_code=None, quiet=None):
        """Commits the pending row, copies saved files, writes the run file."""
        with self._lock:
            if self._finished:
                return
            self._commit()
            self._copy_saved()
            self._finished = True
            self._settings["exit_code"] = exit_code
            self._write()
            if self._tee is not None:
                self._tee.call("finish", exit_code=exit_code)
        from . import _state
        _state.finished(self)

    def _copy_saved(self):
        folder = os.path.join(_output.trial_dir(), "files")
        for src, rel in self._files:
            rel = os.path.normpath(rel)
            if rel.startswith("..") or os.path.isabs(rel):
                rel = os.path.basename(src)
            dst = os.path.join(folder, rel)
            try:
                os.makedirs(os.path.dirname(dst), exist_ok=True)
                if os.path.abspath(src) != os.path.abspath(dst):
                    shutil.copyfile(src, dst)
                self._artifacts.append(os.path.join("files", rel))
            except OSError as e:
                _output.warn_once("save-" + rel, "wandb.save: could not copy %s: %s" % (src, e))

    def _write(self):
        if not hasattr(self, "summary"):
            return
        with self._lock:
            run = {k: self._settings.get(k) for k in ("name", "project", "entity", "group",
                                                       "job_type", "notes", "tags", "exit_code")
                   if self._settings.get(k) is not None}
            _output.write_run_file({
                "config": self.config.as_dict(),
                "summary": self.summary.as_dict(),
                "summary_modes": self.summary._modes(),
                "notes": list(self._notes),
                "artifacts": sorted(set(self._artifacts)),
                "media": len(self._media),
                "run": run,
                "finished": self._finished,
            })

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        self.finish(exit_code=0 if exc_type is None else 1)
        return False

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        if self._tee is not None and self._tee.run is not None:
            return getattr(self._tee.run, name)
        raise not_provided("run.%s" % name)

    def __repr__(self):
        return "<Run %s (sweep)>" % self.id
