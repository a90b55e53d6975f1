#!/bin/sh
# Closes stdout early, keeps running a little, then writes to stderr and exits 0.
echo "before close"
exec 1>&-
sleep 0.2
echo "after close" >&2
exit 0
