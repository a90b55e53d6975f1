#!/usr/bin/env python3
"""A W&B training script in W&B's own style, run unchanged by `sweep launch`.

argparse flags (W&B's agent passes --name=value), `wandb.init(config=args)`, the
config read back through `wandb.config`, metrics through `wandb.log`, the best
validation loss as the summary through `define_metric`. Under sweep, `import wandb`
finds sweep's bundled module (see the README, "Coming from W&B"); with the real
package installed it runs against W&B as well. Standard library only otherwise.

    cd examples/wandb && sweep launch wandb-script.yaml --workers 2
"""

import argparse
import math

import wandb

parser = argparse.ArgumentParser()
parser.add_argument("--lr", type=float, default=0.01)
parser.add_argument("--batch_size", type=int, default=32)
parser.add_argument("--optimizer", default="adam")
parser.add_argument("--epochs", type=int, default=8)
args = parser.parse_args()

run = wandb.init(project="sweep-example", config=args)
wandb.define_metric("val_loss", summary="min")
config = wandb.config

# A deterministic stand-in for training: the floor depends on every parameter.
floor = abs(math.log10(config.lr) + 2.5) * 0.2 + (0.05 if config.optimizer == "sgd" else 0.0)
floor += abs(math.log2(config.batch_size) - 6) * 0.03
for epoch in range(config.epochs):
    train_loss = floor + 1.5 * math.exp(-0.6 * epoch)
    val_loss = train_loss + 0.05 + 0.02 * max(0, epoch - 5)  # overfits after epoch 5
    wandb.log({"epoch": epoch, "train": {"loss": train_loss}, "val_loss": val_loss})

table = wandb.Table(columns=["epoch", "val_loss"], data=[[config.epochs - 1, val_loss]])
wandb.log({"final": table})
run.summary["final_train_loss"] = train_loss
run.finish()
