#!/bin/sh
# A line of $1 bytes (default 50 MB) without newline on stdout, then a short line.
head -c "${1:-50000000}" /dev/zero | tr '\0' 'x'
printf '\nshort=1\n'
