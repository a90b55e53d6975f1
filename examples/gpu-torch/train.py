#!/usr/bin/env python3
"""A small PyTorch training run that uses the GPU of its slot, or the CPU.

sweep gives each trial its GPU slot through CUDA_VISIBLE_DEVICES (`sweep launch
--gpus all` or `--gpus 0,2`). This script trains on CUDA when that variable
leaves it a GPU and torch.cuda.is_available(); otherwise (no GPU, no CUDA build
of torch, CUDA_VISIBLE_DEVICES empty or -1) it trains on the CPU. It prints
which device it used. `--device cpu|cuda` overrides the choice.

The task: 10-way classification of 32-dimensional points labelled by a fixed,
randomly initialised "teacher" network (the same task for every trial; no
download), learnt by an MLP. Each epoch reports train_loss, val_loss and
val_acc: a JSON line in $SWEEP_METRICS under sweep, name=value pairs on stdout
otherwise. Deterministic on the CPU given its flags; on a GPU, up to the order
of floating-point reductions.

Needs torch (Debian: apt install python3-torch, used by /usr/bin/python3).
"""

import argparse
import json
import math
import os
import sys
import time

try:
    import torch
    import torch.nn.functional as F
    from torch import nn
except ImportError as e:
    sys.exit(f"train.py: {e}. This example needs PyTorch; on Debian run it with "
             "/usr/bin/python3 after `apt install python3-torch`.")

FEATURES, CLASSES, SAMPLES = 32, 10, 4000


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--lr", type=float, default=3e-3)
    p.add_argument("--hidden", type=int, default=128)
    p.add_argument("--optimizer", choices=["adam", "sgd"], default="adam")
    p.add_argument("--batch_size", type=int, default=128)
    p.add_argument("--epochs", type=int, default=6)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--device", choices=["auto", "cpu", "cuda"], default="auto")
    # One CPU thread per trial by default: sweep runs several trials side by side.
    p.add_argument("--threads", type=int, default=1)
    args, unknown = p.parse_known_args(argv)
    if unknown:
        print(f"train.py: ignoring unknown arguments {unknown}", file=sys.stderr)
    if not (args.lr > 0 and math.isfinite(args.lr)):
        p.error("--lr must be a positive number")
    if min(args.hidden, args.batch_size, args.epochs, args.threads) < 1:
        p.error("--hidden, --batch_size, --epochs and --threads must be positive")
    return args


def pick_device(requested):
    visible = os.environ.get("CUDA_VISIBLE_DEVICES")
    hidden_by_env = visible is not None and visible.strip() in ("", "-1", "none", "NoDevFiles")
    available = not hidden_by_env and torch.cuda.is_available()
    if requested == "cuda" and not available:
        sys.exit(f"train.py: --device cuda, but no GPU is usable "
                 f"(CUDA_VISIBLE_DEVICES is {visible!r}, "
                 f"torch.cuda.is_available() is {torch.cuda.is_available()})")
    if requested == "cpu" or not available:
        return torch.device("cpu"), f"cpu (CUDA_VISIBLE_DEVICES is {visible!r})"
    device = torch.device("cuda", 0)  # the first GPU this process may see: its slot
    return device, (f"cuda:0, {torch.cuda.get_device_name(device)} "
                    f"(CUDA_VISIBLE_DEVICES is {visible!r})")


def make_data():
    """The fixed task: points and the labels a random teacher network gives them."""
    g = torch.Generator().manual_seed(1234)  # not the trial's seed: same task for all
    x = torch.randn(SAMPLES, FEATURES, generator=g)
    w1 = torch.randn(FEATURES, 16, generator=g) / math.sqrt(FEATURES)
    w2 = torch.randn(16, CLASSES, generator=g) / 4.0
    logits = torch.tanh(x @ w1) @ w2 * 4.0
    y = logits.argmax(1)
    split = SAMPLES * 4 // 5
    return (x[:split], y[:split]), (x[split:], y[split:])


class Reporter:
    """Appends JSON lines to $SWEEP_METRICS when set, else prints name=value pairs."""

    def __init__(self):
        path = os.environ.get("SWEEP_METRICS")
        self.file = open(path, "a", encoding="utf-8") if path else None

    def report(self, step, **metrics):
        if self.file:
            self.file.write(json.dumps({"step": step, **metrics}) + "\n")
            self.file.flush()
            shown = "  ".join(f"{k} {v:.4f}" for k, v in metrics.items())
            print(f"epoch {step}  {shown}", flush=True)
        else:
            pairs = " ".join(f"{k}={v:.6g}" for k, v in metrics.items())
            print(f"step={step} {pairs}", flush=True)


def main(argv):
    args = parse_args(argv)
    torch.set_num_threads(args.threads)
    device, description = pick_device(args.device)
    print(f"device: {description}", flush=True)
    print(f"params: {json.dumps(vars(args), sort_keys=True)}", flush=True)

    (x_train, y_train), (x_val, y_val) = make_data()
    x_train, y_train = x_train.to(device), y_train.to(device)
    x_val, y_val = x_val.to(device), y_val.to(device)

    torch.manual_seed(args.seed)
    model = nn.Sequential(
        nn.Linear(FEATURES, args.hidden), nn.ReLU(),
        nn.Linear(args.hidden, args.hidden), nn.ReLU(),
        nn.Linear(args.hidden, CLASSES),
    ).to(device)
    if args.optimizer == "adam":
        opt = torch.optim.Adam(model.parameters(), lr=args.lr)
    else:
        opt = torch.optim.SGD(model.parameters(), lr=args.lr, momentum=0.9)

    shuffle = torch.Generator().manual_seed(args.seed)
    reporter = Reporter()
    start = time.monotonic()
    for epoch in range(1, args.epochs + 1):
        model.train()
        order = torch.randperm(len(x_train), generator=shuffle).to(device)
        total = 0.0
        for i in range(0, len(order), args.batch_size):
            batch = order[i:i + args.batch_size]
            loss = F.cross_entropy(model(x_train[batch]), y_train[batch])
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            total += loss.item() * len(batch)
        model.eval()
        with torch.no_grad():
            logits = model(x_val)
            val_loss = F.cross_entropy(logits, y_val).item()
            val_acc = (logits.argmax(1) == y_val).float().mean().item()
        reporter.report(epoch, train_loss=total / len(x_train), val_loss=val_loss,
                        val_acc=val_acc)
    print(f"done: {args.epochs} epochs on {device} in {time.monotonic() - start:.2f}s",
          flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
