#!/usr/bin/env bash
# interp.sh - interpreter throughput on integer code: the CPU-bound guest
# bench/guest/cpu_bound.c (CRC-32, insertion sort, hashing; gcc -O2) on the
# emu backend and on qemu-system-aarch64 TCG (scripts/bench-guest.sh).
# HI: about a quarter second timed, so that scheduler noise weighs less.
set -euo pipefail
cd "$(dirname "$0")/.."
LO=${LO:-10} HI=${HI:-810} exec scripts/bench-guest.sh cpu_bound "interp cpu_bound" \
	bench/guest/start.S bench/guest/cpu_bound.c -O2 -mgeneral-regs-only
