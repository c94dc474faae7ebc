#!/usr/bin/env bash
# fp.sh - FP/Advanced SIMD interpreter throughput: the vectorised guest
# bench/guest/fp_kernels.c (gcc -O3) on the emu backend and on
# qemu-system-aarch64 TCG (scripts/bench-guest.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
LO=${LO:-10} HI=${HI:-310} exec scripts/bench-guest.sh fp "fp/simd fp_kernels" \
	bench/guest/fp_start.S bench/guest/fp_kernels.c -O3 -fno-math-errno -mstrict-align
