"""A stand-in for the real wandb package: records the calls it gets in $STANDIN_LOG."""
import json
import os

import yaml

__standin__ = True


def _record(call, **fields):
    with open(os.environ["STANDIN_LOG"], "a") as f:
        f.write(json.dumps(dict(call=call, **fields), default=repr) + "\n")


class _Run:
    def __init__(self, config):
        self.config = _Config(config)
        self.summary = {}

    def log(self, data, step=None, commit=None):
        _record("log", data=data)

    def define_metric(self, name, **kwargs):
        _record("define_metric", name=name)

    def finish(self, exit_code=None):
        _record("finish")


class _Config(dict):
    def update(self, d, allow_val_change=False):
        dict.update(self, d)


def init(**kwargs):
    """Reads the sweep's params the way W&B's SDK does: $WANDB_SWEEP_PARAM_PATH."""
    config = dict(kwargs.get("config") or {})
    path = os.environ.get("WANDB_SWEEP_PARAM_PATH")
    if path:
        with open(path) as f:
            for k, v in yaml.safe_load(f).items():
                if k != "wandb_version":
                    config[k] = v["value"]
    _record("init", config=config)
    global config_
    run = _Run(config)
    globals()["run"] = run
    globals()["config"] = run.config
    globals()["log"] = run.log
    return run
