"""wandb.config for sweep's bundled wandb module: W&B's Config semantics.

Keys set by the sweep are *locked* (W&B's agent locks them the same way): the
sweep's value wins over ``wandb.init(config=...)`` defaults and over later updates,
which are ignored with one warning per key, exactly as W&B prints
"Config item 'lr' was locked by 'sweep' (ignored update)". Nested parameter groups
are plain dicts (``wandb.config["optimizer"]["lr"]``), as with W&B.
"""

import argparse
import sys

class ConfigError(Exception):
    """Raised, as by W&B, when update() would change a value without allow_val_change."""


_RESERVED = ("_items", "_locked", "_on_change", "_warned", "_forward")


def _as_dict(obj):
    """A mapping from a dict, argparse.Namespace, absl flags or any object with vars()."""
    if obj is None:
        return {}
    if isinstance(obj, dict):
        return dict(obj)
    if isinstance(obj, argparse.Namespace):
        return dict(vars(obj))
    if hasattr(obj, "flag_values_dict"):  # absl.flags
        return dict(obj.flag_values_dict())
    if hasattr(obj, "keys") and hasattr(obj, "__getitem__"):
        return {k: obj[k] for k in obj.keys()}
    if hasattr(obj, "__dict__"):
        return {k: v for k, v in vars(obj).items() if not k.startswith("_")}
    raise TypeError("wandb.config.update() expects a dict or argparse.Namespace, got %s"
                    % type(obj).__name__)


def _merge(base, extra):
    """Recursive dict merge: nested dicts are merged, other values replaced."""
    for k, v in extra.items():
        if isinstance(v, dict) and isinstance(base.get(k), dict):
            _merge(base[k], v)
        else:
            base[k] = v


class Config(object):
    """wandb.config: attribute and item access to the run's configuration."""

    def __init__(self, on_change=None):
        object.__setattr__(self, "_items", {})
        object.__setattr__(self, "_locked", {})
        object.__setattr__(self, "_on_change", on_change)
        object.__setattr__(self, "_warned", set())
        object.__setattr__(self, "_forward", None)  # tee: the real package's config.update

    # -- what the sweep sets -------------------------------------------------
    def _lock(self, params, user="sweep"):
        """Merges params (a nested dict) in and locks their top-level keys for `user`.

        Nested groups merge recursively into what is there (W&B's merge_locked), so a
        sweep over optimizer.lr keeps the script's optimizer.momentum default.
        """
        for k, v in params.items():
            if isinstance(v, dict) and isinstance(self._items.get(k), dict):
                merged = _copy(self._items[k])
                _merge(merged, v)
                v = merged
            self._items[k] = v
            self._locked[k] = user

    def _set(self, key, value, allow_val_change=True):
        key = str(key)
        if key in self._locked:
            if self._items.get(key) != value and key not in self._warned:
                self._warned.add(key)
                sys.stderr.write("wandb: WARNING Config item '%s' was locked by '%s' "
                                 "(ignored update).\n" % (key, self._locked[key]))
            return
        if not allow_val_change and key in self._items and self._items[key] != value:
            raise ConfigError(
                "Attempted to change value of key %r from %r to %r. If you really want to "
                "do this, pass allow_val_change=True to config.update()"
                % (key, self._items[key], value))
        self._items[key] = value

    def _changed(self, items=None):
        if self._on_change is not None:
            self._on_change()
        if self._forward is not None and items:
            self._forward(items)

    # -- W&B's public surface ------------------------------------------------
    def update(self, d=None, allow_val_change=False, **kwargs):
        """Sets every key of d (dict or argparse.Namespace); locked keys keep the sweep's value."""
        items = _as_dict(d)
        items.update(kwargs)
        for k, v in items.items():
            self._set(k, v, allow_val_change)
        self._changed({k: self._items[k] for k in items if k in self._items})

    def setdefaults(self, d):
        """Sets the keys of d that are not set yet (W&B's setdefaults)."""
        for k, v in _as_dict(d).items():
            if k not in self._items:
                self._items[str(k)] = v
        self._changed()

    def persist(self):
        """Writes the configuration now (it is also written at every change)."""
        self._changed()

    def get(self, key, default=None):
        return self._items.get(key, default)

    def keys(self):
        return self._items.keys()

    def values(self):
        return self._items.values()

    def items(self):
        return self._items.items()

    def as_dict(self):
        """A copy of the configuration as a plain (nested) dict."""
        return _copy(self._items)

    _as_dict = as_dict

    def __getitem__(self, key):
        return self._items[key]

    def __setitem__(self, key, value):
        self._set(key, value)
        self._changed({key: self._items.get(key)})

    def __delitem__(self, key):
        self._items.pop(key, None)
        self._changed()

    def __contains__(self, key):
        return key in self._items

    def __iter__(self):
        return iter(self._items)

    def __len__(self):
        return len(self._items)

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        try:
            return self._items[name]
        except KeyError:
            raise AttributeError("wandb.config has no key %r" % name) from None

    def __setattr__(self, name, value):
        if name in _RESERVED:
            object.__setattr__(self, name, value)
            return
        self.__setitem__(name, value)

    def __repr__(self):
        return repr(self._items)

    def __str__(self):
        return str(self._items)


def _copy(value):
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copy(v) for v in value]
    return value


def merge_defaults(base, extra):
    """Public for _run: merge nested defaults (config-defaults.yaml, init(config=))."""
    _merge(base, extra)
