"""run.summary and wandb.define_metric for sweep's wandb module, with W&B's meaning.

A key's summary is its last logged value unless the script set it (summary[k] = v,
summary.update) or define_metric gave it a summary mode (min, max, mean, first,
last, best with the metric's goal, none); several modes ("min,max") keep the first
for ranking. The target metric's summary is the trial's value when the spec leaves
metric.summary at its default, as a W&B sweep ranks by the run summary.
"""

import fnmatch
import math

_MODES = ("min", "max", "mean", "first", "last", "best", "none", "copy")


class MetricDefinition(object):
    """What define_metric returns; its fields mirror W&B's wandb_metric.Metric."""

    def __init__(self, name, step_metric=None, summary=None, goal=None, hidden=False, **kwargs):
        self.name = name
        self.step_metric = step_metric
        self.summary = summary
        self.goal = goal
        self.hidden = hidden
        self.modes = []
        for mode in str(summary or "").split(","):
            mode = mode.strip().lower()
            if mode:
                if mode not in _MODES:
                    raise ValueError("wandb.define_metric: unknown summary %r (one of %s)"
                                     % (mode, ", ".join(_MODES)))
                self.modes.append(mode)
        if goal is not None and str(goal).lower() not in ("minimize", "maximize", "min", "max"):
            raise ValueError("wandb.define_metric: goal must be 'minimize' or 'maximize'")


class _Series(object):
    __slots__ = ("first", "last", "min", "max", "total", "count", "finite")

    def __init__(self):
        self.first = self.last = self.min = self.max = None
        self.total, self.count, self.finite = 0.0, 0, 0

    def add(self, v):
        if self.count == 0:
            self.first = v
        self.last = v
        self.count += 1
        if isinstance(v, float) and math.isnan(v):
            return
        self.total += v
        self.finite += 1
        self.min = v if self.min is None or v < self.min else self.min
        self.max = v if self.max is None or v > self.max else self.max


class Summary(object):
    """run.summary: a dict-like view; explicit sets win until the key is logged again."""

    def __init__(self, on_change=None):
        self._series = {}
        self._explicit = {}
        self._definitions = {}
        self._on_change = on_change
        self._forward = None  # tee: the real package's summary.update

    # -- fed by the run --------------------------------------------------------
    def _logged(self, name, value):
        series = self._series.get(name)
        if series is None:
            series = self._series[name] = _Series()
        series.add(value)
        self._explicit.pop(name, None)

    def _define(self, definition):
        self._definitions[definition.name] = definition

    def _definition(self, name):
        d = self._definitions.get(name)
        if d is not None:
            return d
        for pattern, d in self._definitions.items():
            if "*" in pattern and fnmatch.fnmatchcase(name, pattern):
                return d
        return None

    def _value(self, name):
        if name in self._explicit:
            return self._explicit[name]
        s = self._series.get(name)
        if s is None:
            raise KeyError(name)
        d = self._definition(name)
        modes = d.modes if d is not None and d.modes else ["last"]
        mode = modes[0]
        if mode == "best":
            goal = str(d.goal or "minimize").lower()
            mode = "max" if goal in ("maximize", "max") else "min"
        if mode == "none":
            raise KeyError(name)
        if mode == "mean":
            return s.total / s.finite if s.finite else s.last
        if mode in ("min", "max"):
            v = getattr(s, mode)
            return s.last if v is None else v
        return s.first if mode == "first" else s.last

    def _modes(self):
        out = {}
        for name in self._series:
            d = self._definition(name)
            if d is not None and d.modes and name not in self._explicit:
                out[name] = ",".join(d.modes)
        return out

    # -- W&B's public surface -------------------------------------------------
    def keys(self):
        names = list(self._series) + [k for k in self._explicit if k not in self._series]
        out = []
        for n in names:
            try:
                self._value(n)
                out.append(n)
            except KeyError:
                pass
        return out

    def items(self):
        return [(k, self._value(k)) for k in self.keys()]

    def values(self):
        return [self._value(k) for k in self.keys()]

    def get(self, key, default=None):
        try:
            return self._value(key)
        except KeyError:
            return default

    def update(self, d=None, **kwargs):
        items = dict(d or {})
        items.update(kwargs)
        for k, v in items.items():
            self._explicit[str(k)] = v
        if self._on_change:
            self._on_change()
        if self._forward is not None:
            self._forward(items)

    def as_dict(self):
        return dict(self.items())

    def __getitem__(self, key):
        return self._value(key)

    def __setitem__(self, key, value):
        self.update({key: value})

    def __delitem__(self, key):
        self._explicit.pop(key, None)
        self._series.pop(key, None)

    def __contains__(self, key):
        return key in self.keys()

    def __iter__(self):
        return iter(self.keys())

    def __len__(self):
        return len(self.keys())

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        try:
            return self._value(name)
        except KeyError:
            raise AttributeError("run.summary has no key %r" % name) from None

    def __setattr__(self, name, value):
        if name.startswith("_"):
            object.__setattr__(self, name, value)
        else:
            self.update({name: value})

    def __repr__(self):
        return repr(self.as_dict())
