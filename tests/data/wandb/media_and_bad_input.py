"""Media, non-scalars and bad input: nothing may crash or lose the other metrics."""
import threading

import wandb

run = wandb.init()
wandb.log({"table": wandb.Table(columns=["a", "b"], data=[[1, 2]]),
           "img": wandb.Image([[0, 1], [1, 0]]), "hist": wandb.Histogram([1, 2, 2, 3]),
           "text": "hello", "loss": 1.0})
wandb.log(42)                                  # not a dict
wandb.log({"loss": float("nan")})              # NaN
wandb.log({"k%05d" % i: i for i in range(10000)})  # 10,000 keys in one call
threads = [threading.Thread(target=lambda n=n: [wandb.log({"t%d" % n: j}) for j in range(100)])
           for n in range(4)]
for t in threads:
    t.start()
for t in threads:
    t.join()
with open("model.bin", "wb") as f:
    f.write(b"weights")
art = wandb.Artifact("model", type="model")
art.add_file("model.bin")
run.log_artifact(art)
wandb.log({"loss": 0.25})
try:
    wandb.no_such_api()
except AttributeError as e:
    print("clear error:", e)
