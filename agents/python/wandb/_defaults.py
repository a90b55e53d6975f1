"""W&B's config files: config-defaults.yaml, $WANDB_CONFIG_PATHS, the sweep params.

Each file maps a key either to {value: V, desc: ...} or (newer W&B) to V itself;
"wandb_version" and "_wandb" are skipped. PyYAML is used when installed; otherwise a
small reader for the block mappings and plain scalars these files hold.
"""

import ast
import json
import os

from . import _output


def _scalar(text):
    t = text.strip()
    if t == "" or t in ("~", "null", "Null", "NULL"):
        return None
    if t in ("true", "True", "TRUE"):
        return True
    if t in ("false", "False", "FALSE"):
        return False
    if t[0] in "\"'[{":
        try:
            return json.loads(t)
        except ValueError:
            try:
                return ast.literal_eval(t)
            except (ValueError, SyntaxError):
                return t.strip("\"'")
    for conv in (int, float):
        try:
            return conv(t)
        except ValueError:
            pass
    return t


def _mini_yaml(text):
    """Block mappings with plain scalars, nested by indentation."""
    root = {}
    stack = [(-1, root)]
    for raw in text.splitlines():
        line = raw.split(" #")[0].rstrip()
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        indent = len(line) - len(line.lstrip())
        key, sep, rest = line.strip().partition(":")
        if not sep:
            raise ValueError("cannot read line %r" % raw)
        while stack[-1][0] >= indent:
            stack.pop()
        parent = stack[-1][1]
        key = key.strip().strip("\"'")
        if rest.strip():
            parent[key] = _scalar(rest)
        else:
            parent[key] = {}
            stack.append((indent, parent[key]))
    return root


def load_config_file(path):
    """The {key: value} a W&B config file holds, or {} (with a warning) when unreadable."""
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except OSError as e:
        _output.warn_once("cfg-" + path, "cannot read config file %s: %s" % (path, e))
        return {}
    try:
        try:
            import yaml  # PyYAML, when installed
            data = yaml.safe_load(text) or {}
        except ImportError:
            data = _mini_yaml(text)
    except Exception as e:
        _output.warn_once("cfg-" + path, "cannot parse config file %s: %s" % (path, e))
        return {}
    out = {}
    if not isinstance(data, dict):
        return out
    for k, v in data.items():
        if k in ("wandb_version", "_wandb"):
            continue
        if isinstance(v, dict) and "value" in v:
            v = v["value"]
        out[str(k)] = v
    return out


def defaults():
    """config-defaults.yaml in the working directory, then each $WANDB_CONFIG_PATHS file."""
    out = {}
    paths = []
    if os.path.isfile("config-defaults.yaml"):
        paths.append("config-defaults.yaml")
    paths += [p for p in os.environ.get("WANDB_CONFIG_PATHS", "").split(",") if p.strip()]
    for p in paths:
        out.update(load_config_file(p.strip()))
    return out


def sweep_params():
    """This trial's params ($SWEEP_PARAMS, nested dict), or {} outside a trial."""
    path = os.environ.get("SWEEP_PARAMS")
    if not path:
        return {}
    try:
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
    except (OSError, ValueError) as e:
        _output.warn_once("params", "cannot read the sweep's params %s: %s" % (path, e))
        return {}
    return data if isinstance(data, dict) else {}
