"""wandb.init and the module-level state (wandb.run, wandb.config, wandb.summary).

init builds the configuration the way W&B's agent does: config-defaults.yaml and
$WANDB_CONFIG_PATHS, then init(config=...) (with config_include_keys /
config_exclude_keys), then the sweep's params, locked so that they win. The run is
finished at interpreter exit if the script does not call finish() itself, and when
sweep stops the trial (SIGTERM), so the run summary is written either way.
"""

import atexit
import os
import sys

from . import _defaults, _output
from ._config import Config, _as_dict, merge_defaults
from ._run import Run

_current = [None]
_tee = [None]
_real = [None, False]  # the real module, imported yet?


def mode():
    """shim, tee or off ($SWEEP_WANDB, set by sweep; shim outside a trial)."""
    return os.environ.get("SWEEP_WANDB", "shim")


def real_module():
    if mode() != "tee":
        return None
    if not _real[1]:
        from . import _tee
        _real[0] = _tee.import_real()
        _real[1] = True
    return _real[0]


def current():
    return _current[0]


def finished(run):
    if _current[0] is run:
        _current[0] = None
        from . import _refresh_globals
        _refresh_globals(None)


def init(**kwargs):
    """W&B's wandb.init: every keyword accepted; returns the run (a context manager)."""
    reinit = kwargs.get("reinit")
    run = _current[0]
    if run is not None:
        if reinit in (None, False, "default", "return_previous"):
            return run
        run.finish()
    config_arg = kwargs.get("config")
    if isinstance(config_arg, str):
        config_arg = _defaults.load_config_file(config_arg)
    config_items = _as_dict(config_arg)
    include = kwargs.get("config_include_keys")
    exclude = kwargs.get("config_exclude_keys")
    if include:
        config_items = {k: v for k, v in config_items.items() if k in include}
    if exclude:
        config_items = {k: v for k, v in config_items.items() if k not in exclude}
    merged = _defaults.defaults()
    merge_defaults(merged, config_items)
    config = Config()
    config.update(merged)
    params = _defaults.sweep_params()
    config._lock(params, user="sweep")
    if kwargs.get("mode") == "disabled":
        _output.warn_once("mode-disabled", "wandb.init(mode='disabled') is ignored under "
                          "sweep: the trial is recorded as usual")
    tee = None
    real = real_module()
    if real is not None:
        from ._tee import Tee
        tee = Tee(real)
        tee.init(kwargs)
        config._forward = tee.config_update
    settings = {k: kwargs.get(k) for k in ("name", "project", "entity", "group", "job_type",
                                           "notes", "id", "settings", "mode")}
    settings["tags"] = list(kwargs.get("tags") or [])
    run = Run(settings, config, tee=tee)
    if tee is not None:
        run.summary._forward = tee.summary_update
    _current[0] = run
    _finish_on_sigterm()
    from . import _refresh_globals
    _refresh_globals(run)
    return run


def _finish_on_sigterm():
    """A trial stopped by sweep (SIGTERM) still writes its summary, then dies of SIGTERM.

    Only when the script left SIGTERM at its default and init runs in the main thread.
    """
    import signal
    import threading
    if threading.current_thread() is not threading.main_thread():
        return
    if signal.getsignal(signal.SIGTERM) is not signal.SIG_DFL:
        return

    def handler(signum, frame):
        _at_exit()
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        os.kill(os.getpid(), signal.SIGTERM)

    signal.signal(signal.SIGTERM, handler)


def _at_exit():
    run = _current[0]
    if run is not None:
        try:
            run.finish()
        except Exception as e:  # never turn a finished script into a failure
            sys.stderr.write("wandb (sweep): could not finish the run: %s\n" % e)


atexit.register(_at_exit)
