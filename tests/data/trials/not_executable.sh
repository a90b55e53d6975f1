#!/bin/sh
# Deliberately not executable (mode 644): spawning it must fail with a clear error.
echo "should never run"
