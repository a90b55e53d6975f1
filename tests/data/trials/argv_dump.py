#!/usr/bin/python3
"""Writes its argv (after the program name) as a JSON list to the file $ARGV_OUT."""
import json
import os
import sys

with open(os.environ["ARGV_OUT"], "w") as f:
    json.dump(sys.argv[1:], f)
