"""`reporting.wandb: tee`: forward each call to the real wandb package too.

Our package shadows the real one on sys.path, so the real one is imported with our
folder taken off the path and our modules out of sys.modules for the duration; then
ours are put back under the name "wandb" (the script keeps using them) while the
real package's submodules stay registered, so its own `import wandb.sdk...` works.
A failure in the real package never stops the recording: it is warned about once and
forwarding stops.
"""

import importlib
import os
import sys

from . import _output

_HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def import_real():
    """The real wandb module, or None when it is not importable."""
    ours = {k: m for k, m in sys.modules.items() if k == "wandb" or k.startswith("wandb.")}
    for k in ours:
        del sys.modules[k]
    saved = list(sys.path)
    sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != _HERE]
    real = None
    try:
        real = importlib.import_module("wandb")
    except Exception as e:  # ImportError, or the real package failing to import
        _output.warn_once("tee-import", "reporting.wandb is tee but the real wandb package "
                          "cannot be imported (%s); recording in sweep only" % e)
    finally:
        sys.path[:] = saved
        sys.modules.update(ours)
    return real


class Tee(object):
    """Forwards run calls to the real package's run; off after the first failure."""

    def __init__(self, real):
        self.real = real
        self.run = None

    def init(self, kwargs):
        try:
            self.run = self.real.init(**kwargs)
        except Exception as e:
            self._failed("init", e)

    def call(self, method, *args, **kwargs):
        if self.run is None:
            return None
        kwargs = {k: v for k, v in kwargs.items() if v is not None}
        try:
            return getattr(self.run, method)(*args, **kwargs)
        except Exception as e:
            self._failed(method, e)
            return None

    def config_update(self, items):
        if self.run is None:
            return
        try:
            self.run.config.update(items, allow_val_change=True)
        except Exception as e:
            self._failed("config.update", e)

    def summary_update(self, items):
        if self.run is None:
            return
        try:
            self.run.summary.update(items)
        except Exception as e:
            self._failed("summary.update", e)

    def log_artifact(self, art, aliases=None):
        if self.run is None:
            return
        try:
            real = self.real.Artifact(art.name, type=art.type, description=art.description,
                                      metadata=art.metadata)
            for src, rel in art._entries:
                real.add_file(src, name=rel)
            for ref in art._references:
                real.add_reference(ref)
            self.run.log_artifact(real, aliases=aliases)
        except Exception as e:
            self._failed("log_artifact", e)

    def _failed(self, what, error):
        _output.warn_once("tee-fail", "the real wandb package failed in %s (%s: %s); "
                          "forwarding stops, sweep keeps recording"
                          % (what, type(error).__name__, error))
        self.run = None
