#!/usr/bin/env bash
# gic.sh - interrupt latencies through hv_gic_* (bench/gic_latency.c): an
# SPI from a host thread to the guest's handler, and an SGI round trip
# between two vCPUs, on emu (this host) and on kvm (KVM's vgic-v3 in the
# nested-KVM VM of tests/kvm/run-vm), side by side.
#
#   bench/gic.sh [ITERATIONS]      (default 2000)
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-2000}
build=${BUILD:-build}
kbuild=${KVM_BUILD:-build-arm64}
cross=${CROSS:-aarch64-linux-gnu-}
unset MAKEFLAGS MFLAGS MAKEOVERRIDES MAKELEVEL SAN OPT CFLAGS LDFLAGS LDLIBS
make -s -j2 BUILD="$build" "$build/bench/gic_latency" "$build/tests/guests/gic.bin" >&2
echo "emu:"
HV_BACKEND=emu "$build/bench/gic_latency" "$build/tests/guests/gic.bin" "$n" | sed 's/^/  /'
if ! command -v "${cross}gcc" >/dev/null || ! tests/kvm/run-vm --fetch-only >/dev/null 2>&1; then
	echo "kvm: skipped (no cross compiler or nested-KVM VM)"
	exit 0
fi
unset BUILD
make -s -j2 CC="${cross}gcc" CROSS="$cross" OBJCOPY="${cross}objcopy" BUILD="$kbuild" HOST_ARCH=aarch64 \
	LDFLAGS=-static "$kbuild/bench/gic_latency" "$kbuild/tests/guests/gic.bin" >&2
echo "kvm (nested):"
# shellcheck disable=SC2086 # RUN_VM_OPTS is a list of options
tests/kvm/run-vm ${RUN_VM_OPTS:-} --smp 2 --env HV_BACKEND=kvm --add "$kbuild/tests/guests" \
	"$kbuild/bench/gic_latency" "$(cd "$kbuild" && pwd)/tests/guests/gic.bin" "$n" |
	grep -v '^hvdbg-kvm:' | grep -v '^\[' | sed 's/^/  /'
