#!/bin/sh
# Ignores SIGTERM; says "ready" once the trap is set, then never exits on its own.
trap '' TERM
echo ready
while :; do sleep 0.05; done
