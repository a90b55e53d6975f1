#!/bin/sh
# Prints about $1 bytes (default 100 MB) of lines to stdout, then a marker line.
yes 'flood flood flood flood flood flood flood flood flood flood flood' | head -c "${1:-100000000}"
echo
echo TAIL_MARKER
