#!/bin/sh
# Starts a grandchild that would run for a long time (its pid goes to file $1), keeps
# its stdout on our pipe, and exits at once.
sleep 1000 &
echo $! > "$1.tmp"
mv "$1.tmp" "$1"
echo "leader done"
exit 0
