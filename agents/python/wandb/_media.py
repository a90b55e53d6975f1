"""Stand-ins for W&B's media and chart types (wandb.Image, Table, Histogram, plot ...).

They are never metric points. When a run logs one, the cheap ones are kept as files
in the trial's media/ folder (a Table or plot as JSON, Html as .html, a Histogram as
its bins, an Image or Video given as a file path as a copy); the others (images from
arrays, audio samples ...) are counted and skipped with one warning per kind.
"""

import json
import os
import shutil

from . import _output


class Media(object):
    """Base of every stand-in: remembers what it was built from."""

    _kind = "media"

    def __init__(self, data_or_path=None, *args, **kwargs):
        self._data = data_or_path
        self._args = args
        self._kwargs = kwargs

    def _save(self, key, step):
        """Writes this value for `key` at `step`; returns the relative path or None."""
        path = self._data if isinstance(self._data, str) else None
        if path and os.path.isfile(path):
            suffix = os.path.splitext(path)[1][:10]
            rel = _output.write_media(key, step, suffix, b"")
            if rel:
                try:
                    shutil.copyfile(path, os.path.join(_output.trial_dir(), rel))
                except OSError:
                    return None
            return rel
        _output.warn_once("media-" + self._kind,
                          "wandb.%s values are not kept by sweep (only counted); other "
                          "metrics are recorded as usual" % type(self).__name__)
        return None


class Image(Media):
    _kind = "image"


class Video(Media):
    _kind = "video"


class Audio(Media):
    _kind = "audio"


class Object3D(Media):
    _kind = "object3d"


class Molecule(Media):
    _kind = "molecule"


class Html(Media):
    _kind = "html"

    def _save(self, key, step):
        if isinstance(self._data, str) and not os.path.isfile(self._data):
            return _output.write_media(key, step, ".html", self._data)
        return Media._save(self, key, step)


class Histogram(Media):
    """wandb.Histogram(sequence=None, np_histogram=None, num_bins=64)."""

    _kind = "histogram"

    def __init__(self, sequence=None, np_histogram=None, num_bins=64):
        Media.__init__(self, sequence)
        self._np = np_histogram
        self._bins = num_bins

    def _save(self, key, step):
        doc = {"num_bins": self._bins}
        try:
            if self._np is not None:
                counts, edges = self._np
                doc["counts"] = [float(c) for c in counts]
                doc["bins"] = [float(e) for e in edges]
            elif self._data is not None:
                values = [float(v) for v in list(self._data)[:100000]]
                doc["values"] = values
        except (TypeError, ValueError):
            return Media._save(self, key, step)
        return _output.write_media(key, step, ".histogram.json", json.dumps(doc))


class Table(Media):
    """wandb.Table(columns=None, data=None, dataframe=None): add_data, add_column, get_column."""

    _kind = "table"

    def __init__(self, columns=None, data=None, rows=None, dataframe=None, **kwargs):
        Media.__init__(self, data)
        if dataframe is not None:
            columns = list(dataframe.columns)
            data = dataframe.values.tolist()
        self.columns = list(columns or [])
        self.data = [list(r) for r in (data if data is not None else rows or [])]
        if not self.columns and self.data:
            self.columns = ["Column_%d" % (i + 1) for i in range(len(self.data[0]))]

    def add_data(self, *values):
        self.data.append(list(values))

    def add_column(self, name, data):
        self.columns.append(name)
        for row, value in zip(self.data, data):
            row.append(value)

    def get_column(self, name):
        i = self.columns.index(name)
        return [row[i] for row in self.data]

    def _save(self, key, step):
        doc = {"columns": self.columns, "data": _output._jsonable(self.data)}
        return _output.write_media(key, step, ".table.json", json.dumps(doc))


class _Chart(Media):
    """What wandb.plot.* and wandb.plot_table return: a table plus the chart's fields."""

    _kind = "plot"

    def __init__(self, chart, table=None, **fields):
        Media.__init__(self, None)
        self._chart, self._table, self._fields = chart, table, fields

    def _save(self, key, step):
        doc = {"chart": self._chart, "fields": _output._jsonable(self._fields)}
        if isinstance(self._table, Table):
            doc["columns"] = self._table.columns
            doc["data"] = _output._jsonable(self._table.data)
        return _output.write_media(key, step, ".plot.json", json.dumps(doc))


class _Plot(object):
    """wandb.plot: every chart helper returns a _Chart kept as JSON."""

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)

        def chart(*args, **kwargs):
            table = args[0] if args and isinstance(args[0], Table) else kwargs.get("table")
            return _Chart(name, table, **{k: v for k, v in kwargs.items() if k != "table"})

        return chart


plot = _Plot()


def plot_table(vega_spec_name, data_table, fields, string_fields=None, split_table=False):
    """wandb.plot_table: a custom chart, kept as its table and fields."""
    return _Chart(vega_spec_name, data_table, fields=fields, string_fields=string_fields)
