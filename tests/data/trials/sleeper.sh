#!/bin/sh
# Never exits on its own (dies on SIGTERM like any sh).
echo started
sleep 1000
