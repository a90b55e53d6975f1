#!/usr/bin/env python3
"""A Hydra-style W&B training script: OmegaConf config, key=value overrides, wandb.

Hydra itself is not packaged for Debian, so this script does what `@hydra.main`
does with OmegaConf (python3-omegaconf): a base config, overridden from the command
line by `++key=value` (add or override) / `+key=value` (add) / `key=value`
(override) arguments, which is what W&B's ${args_override_hydra},
${args_append_hydra} and ${args_no_hyphens} produce. The resolved config goes to
`wandb.init(config=...)`; the sweep's params win there too.

    cd examples/wandb && sweep launch hydra-overrides.yaml
"""

import sys

import wandb
from omegaconf import OmegaConf

BASE = OmegaConf.create({
    "model": {"width": 64, "dropout": 0.1},
    "optimizer": {"name": "adam", "lr": 0.001},
    "trainer": {"epochs": 5},
})


def overrides(argv):
    """Hydra's override grammar, the part W&B's macros produce."""
    dotlist = []
    for arg in argv:
        key, sep, value = arg.lstrip("+").partition("=")
        if not sep:
            raise SystemExit("not an override: %r" % arg)
        if not arg.startswith("+") and OmegaConf.select(BASE, key) is None:
            raise SystemExit("Could not override '%s': no such key (use +%s=...)" % (key, key))
        dotlist.append("%s=%s" % (key, value))
    return OmegaConf.from_dotlist(dotlist)


cfg = OmegaConf.merge(BASE, overrides(sys.argv[1:]))
run = wandb.init(project="sweep-hydra", config=OmegaConf.to_container(cfg, resolve=True))
lr, width = cfg.optimizer.lr, cfg.model.width
for epoch in range(cfg.trainer.epochs):
    loss = abs(lr - 0.003) * 50 + 8.0 / width + 1.0 / (epoch + 1) + cfg.model.dropout * 0.1
    wandb.log({"val_loss": loss, "epoch": epoch})
run.finish()
