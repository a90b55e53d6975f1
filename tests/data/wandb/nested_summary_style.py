"""Nested params, define_metric, an explicit summary, a context manager, commit=False."""
import wandb

with wandb.init(config={"optimizer": {"lr": 0.5, "momentum": 0.9}, "seed": 7}) as run:
    wandb.define_metric("val_loss", summary="min")
    lr = wandb.config["optimizer"]["lr"]
    values = [3.0, lr, 2.0]  # the minimum is the sweep's lr, the last is 2.0
    for i, v in enumerate(values):
        run.log({"val_loss": v}, commit=False)
        run.log({"train": {"acc": i / 10}})
    run.summary["best_acc"] = 0.99
    wandb.alert(title="done", text="lr=%s" % lr)
