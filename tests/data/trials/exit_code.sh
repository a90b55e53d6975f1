#!/bin/sh
# Writes a message to stderr and exits with the code given as $1 (default 3).
echo "about to fail" >&2
echo "fatal: something broke" >&2
exit "${1:-3}"
