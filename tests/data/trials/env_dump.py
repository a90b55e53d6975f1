#!/usr/bin/python3
"""Writes its environment and cwd as JSON to $SWEEP_TRIAL_DIR/env.json."""
import json
import os

with open(os.path.join(os.environ["SWEEP_TRIAL_DIR"], "env.json"), "w") as f:
    json.dump({"env": dict(os.environ), "cwd": os.getcwd()}, f)
