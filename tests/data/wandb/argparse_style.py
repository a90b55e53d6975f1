"""W&B's argparse style: flags from the agent, wandb.init(config=args)."""
import argparse

import wandb

parser = argparse.ArgumentParser()
parser.add_argument("--lr", type=float, default=0.5)
parser.add_argument("--epochs", type=int, default=4)
parser.add_argument("--optimizer", type=str, default="sgd")
args = parser.parse_args()

run = wandb.init(project="demo", config=args)
for epoch in range(wandb.config.epochs):
    loss = (wandb.config.lr - 0.01) ** 2 + 1.0 / (epoch + 1)
    wandb.log({"loss": loss, "epoch": epoch, "lr_seen": wandb.config["lr"]})
run.finish()
