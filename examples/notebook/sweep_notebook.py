"""The W&B notebook pattern, run in-process by sweep: a dict config, wandb.sweep,
then wandb.agent(sweep_id, function=train, count=6). Standard library only.

Run it (the bundled `wandb` module must be importable; `sweep python-path` prints
the folder that holds it):

    PYTHONPATH=$(sweep python-path) python3 sweep_notebook.py
    sweep top <SWEEP>            # the id is printed; or `sweep ls`

In a notebook, the first cell does the same:

    import subprocess, sys
    sys.path.insert(0, subprocess.check_output(["sweep", "python-path"], text=True).strip())
"""

import math
import random

import wandb

sweep_config = {
    "name": "notebook-demo",
    "method": "random",
    "metric": {"name": "val_loss", "goal": "minimize"},
    "parameters": {
        "lr": {"distribution": "log_uniform_values", "min": 1e-4, "max": 1e-1},
        "batch_size": {"values": [16, 32, 64]},
        "dropout": {"min": 0.0, "max": 0.5},
    },
    "run_cap": 20,
}


def train():
    """A synthetic learning curve: the best lr is near 0.01, dropout ~0.2 helps."""
    run = wandb.init()
    cfg = wandb.config
    rng = random.Random(cfg.batch_size)
    quality = abs(math.log10(cfg.lr) + 2) + abs(cfg.dropout - 0.2) + cfg.batch_size / 640
    for epoch in range(10):
        val_loss = quality + 1.0 / (epoch + 1) + rng.uniform(0, 0.01)
        wandb.log({"epoch": epoch, "val_loss": val_loss, "train_loss": val_loss * 0.9})
    run.finish()


if __name__ == "__main__":
    sweep_id = wandb.sweep(sweep_config, project="notebook-demo")
    wandb.agent(sweep_id, function=train, count=6)
    print("sweep id:", sweep_id)
