"""sweep's bundled `wandb` module: W&B scripts run unchanged under `sweep launch`.

sweep puts this package first on a trial's PYTHONPATH (spec key `reporting.wandb`,
default `shim`), and only there: other programs still import the real wandb. It
speaks W&B's API with W&B's meaning and records everything in sweep's store:
wandb.log -> the trial's metric series ($SWEEP_METRICS), wandb.config -> params
(the sweep's params win over init(config=) defaults, other keys are recorded too),
wandb.summary / define_metric -> the trial's summary and value, wandb.save /
log_artifact -> artifacts with SHA-256, wandb.alert -> a note. With `tee` every call
also goes to the real wandb package when it is importable. Standard library only.

Anything of W&B's API this module lacks raises an AttributeError that names it and
says so, rather than silently doing nothing.
"""

import sys as _sys

from . import _media, _state
from ._artifact import Artifact
from ._config import Config, ConfigError
from ._media import Audio, Histogram, Html, Image, Molecule, Object3D, Table, Video, plot, plot_table
from ._output import warn_once as _warn_once
from ._run import NotProvided, Run, not_provided as _not_provided

__version__ = "0.0.0+sweep"
__sweep__ = True  # tells a script (or a test) that this is sweep's stand-in


class _PreInit(object):
    """wandb.config / wandb.summary before wandb.init(): W&B's error on use."""

    def __init__(self, name):
        object.__setattr__(self, "_name", name)

    def _fail(self, *args, **kwargs):
        raise RuntimeError("You must call wandb.init() before wandb.%s" % self._name)

    __getitem__ = __setitem__ = __contains__ = __iter__ = __len__ = _fail

    def __getattr__(self, key):
        if key.startswith("__"):
            raise AttributeError(key)
        self._fail()

    def __setattr__(self, key, value):
        self._fail()


run = None
config = _PreInit("config")
summary = _PreInit("summary")


def _refresh_globals(current):
    """Points wandb.run / wandb.config / wandb.summary at the current run (or pre-init)."""
    module = _sys.modules[__name__]
    module.run = current
    module.config = current.config if current is not None else _PreInit("config")
    module.summary = current.summary if current is not None else _PreInit("summary")


def init(*args, **kwargs):
    """wandb.init(project=, entity=, config=, name=, notes=, tags=, group=, job_type=,
    reinit=, mode=, dir=, settings=, resume=, id=, ...): every W&B keyword is accepted;
    those that mean nothing under sweep are ignored. Returns the run."""
    if args:
        kwargs.setdefault("job_type", args[0])
    return _state.init(**kwargs)


def _require(what):
    current = _state.current()
    if current is None:
        raise RuntimeError("You must call wandb.init() before wandb.%s()" % what)
    return current


def log(data, step=None, commit=None, sync=None):
    """wandb.log: see Run.log."""
    _require("log").log(data, step=step, commit=commit)


def define_metric(name, *args, **kwargs):
    """wandb.define_metric: see Run.define_metric."""
    return _require("define_metric").define_metric(name, *args, **kwargs)


def finish(exit_code=None, quiet=None):
    """wandb.finish: ends the current run (no-op without one, as in W&B)."""
    current = _state.current()
    if current is not None:
        current.finish(exit_code=exit_code)


def save(glob_str=None, base_path=None, policy="live"):
    """wandb.save: the files are copied into the trial's files/ folder at finish."""
    return _require("save").save(glob_str, base_path=base_path, policy=policy)


def log_artifact(artifact_or_path, name=None, type=None, aliases=None, tags=None):
    return _require("log_artifact").log_artifact(artifact_or_path, name=name, type=type,
                                                 aliases=aliases)


def log_model(path, name=None, aliases=None):
    return _require("log_model").log_model(path, name=name, aliases=aliases)


def use_artifact(*args, **kwargs):
    raise _not_provided("wandb.use_artifact (downloading from W&B)")


def alert(title, text, level=None, wait_duration=None):
    """wandb.alert: becomes a note on the trial."""
    _require("alert").alert(title, text, level=level)


def watch(*args, **kwargs):
    """wandb.watch: gradients are not recorded by sweep; harmless."""
    return None


def unwatch(*args, **kwargs):
    return None


def login(*args, **kwargs):
    """wandb.login: nothing to log in to under sweep; returns True."""
    real = _state.real_module()
    if real is not None:
        try:
            return real.login(*args, **kwargs)
        except Exception as e:
            _warn_once("tee-login", "the real wandb.login failed: %s" % e)
    return True


def setup(*args, **kwargs):
    return None


def teardown(*args, **kwargs):
    finish()


def termlog(string="", newline=True, repeat=True, prefix=True):
    _sys.stderr.write(("wandb: " if prefix else "") + str(string) + ("\n" if newline else ""))


def termwarn(string, **kwargs):
    termlog("WARNING " + str(string))


def termerror(string, **kwargs):
    termlog("ERROR " + str(string))


def sweep(sweep, entity=None, project=None, prior_runs=None):
    """wandb.sweep(config): creates an in-process sweep in sweep's store (see _sweep.py)."""
    from . import _sweep
    return _sweep.sweep(sweep, entity=entity, project=project, prior_runs=prior_runs)


def agent(sweep_id, function=None, entity=None, project=None, count=None):
    """wandb.agent(sweep_id, function=train, count=N): runs trials in this process."""
    from . import _sweep
    return _sweep.agent(sweep_id, function=function, entity=entity, project=project, count=count)


class Settings(dict):
    """wandb.Settings(**kwargs): kept as given, means nothing under sweep."""

    def __init__(self, *args, **kwargs):
        dict.__init__(self, *args, **kwargs)

    def __getattr__(self, name):
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None


class AlertLevel(object):
    INFO = "INFO"
    WARN = "WARN"
    ERROR = "ERROR"


def __getattr__(name):
    """Unknown attributes: the real package's under tee, else a clear error."""
    if name.startswith("_"):  # private names and submodules being imported (from . import _x)
        raise AttributeError(name)
    real = _state.real_module()
    if real is not None and hasattr(real, name):
        return getattr(real, name)
    raise _not_provided("wandb.%s" % name)
