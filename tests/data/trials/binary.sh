#!/bin/sh
# Invalid UTF-8, NUL bytes and control characters on stdout and stderr, then a metric.
printf 'bad \377\376 utf8 \200\n' 
printf 'nul \000 inside\n'
printf '\033[31mcolour\033[0m \r carriage\n'
printf '\377\376\000\001 binary on stderr\n' >&2
printf 'acc=0.5 \377\n'
