"""W&B's config-defaults style: no flags, defaults in init(config=), the sweep wins."""
import wandb

defaults = {"lr": 0.5, "batch_size": 32, "dropout": 0.25}
wandb.init(config=defaults)
config = wandb.config
config.update({"lr": 99.0}, allow_val_change=True)  # locked by the sweep: ignored
for step in range(3):
    wandb.log({"loss": config.lr * (3 - step), "batch_seen": config.batch_size})
wandb.finish()
