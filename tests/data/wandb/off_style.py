"""reporting.wandb: off: the real (here: stand-in) wandb sees the sweep's params."""
import json
import os

import wandb

assert getattr(wandb, "__standin__", False), "expected the stand-in wandb, got %r" % wandb
run = wandb.init(config={"lr": 0.5, "width": 3})
with open(os.environ["SWEEP_METRICS"], "a") as f:
    f.write(json.dumps({"loss": run.config["lr"], "width": run.config["width"]}) + "\n")
