#!/usr/bin/env bash
# parse.sh - integer throughput on branchy, load-heavy code of another shape
# than interp.sh's: the guest bench/guest/parse_list.c (a byte tokenizer and
# a scattered linked list; gcc -O2) on the emu backend and on
# qemu-system-aarch64 TCG (scripts/bench-guest.sh).
# HI: about a quarter second timed, so that scheduler noise weighs less.
set -euo pipefail
cd "$(dirname "$0")/.."
LO=${LO:-10} HI=${HI:-1210} exec scripts/bench-guest.sh parse_list "int parse_list" \
	bench/guest/start.S bench/guest/parse_list.c -O2 -mgeneral-regs-only
