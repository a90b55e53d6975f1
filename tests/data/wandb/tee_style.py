"""reporting.wandb: tee: sweep records, and the real (stand-in) package gets the calls."""
import wandb

assert getattr(wandb, "__sweep__", False), "expected sweep's wandb module"
run = wandb.init(config={"lr": 0.5})
wandb.define_metric("loss", summary="min")
for i in range(3):
    wandb.log({"loss": wandb.config.lr + i})
wandb.finish()
