#!/bin/sh
# Kills itself with the signal named in $1 (default KILL).
echo "dying" >&2
kill -"${1:-KILL}" $$
sleep 10
