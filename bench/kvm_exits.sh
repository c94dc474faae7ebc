#!/usr/bin/env bash
# kvm_exits.sh - exit round-trip cost through hv_vcpu_run (kvm backend)
# against a raw KVM_RUN loop, for an MMIO store and an HVC, measured in the
# nested-KVM VM of tests/kvm/run-vm (bench/kvm_exits.c; goal: the hv layer
# adds < 5%).  Skips with a message when the VM's prerequisites are missing.
#
#   bench/kvm_exits.sh [ITERATIONS [ROUNDS]]     (default 5000 3)
#
# Environment: KVM_BUILD (default build-arm64), CROSS (default
# aarch64-linux-gnu-), RUN_VM_OPTS (extra run-vm options), RAW_NO_PTRAUTH=1
# (raw vCPU without pointer authentication).
set -euo pipefail
cd "$(dirname "$0")/.."
build=${KVM_BUILD:-build-arm64}
cross=${CROSS:-aarch64-linux-gnu-}
unset MAKEFLAGS MFLAGS MAKEOVERRIDES MAKELEVEL BUILD SAN OPT CFLAGS LDFLAGS LDLIBS

command -v "${cross}gcc" >/dev/null || { echo "kvm_exits: skipped (no ${cross}gcc)"; exit 0; }
tests/kvm/run-vm --fetch-only >/dev/null 2>&1 || { echo "kvm_exits: skipped (tests/kvm/run-vm --fetch-only failed)"; exit 0; }
make -s -j2 CC="${cross}gcc" CROSS="$cross" OBJCOPY="${cross}objcopy" BUILD="$build" HOST_ARCH=aarch64 LDFLAGS=-static \
	"$build/bench/kvm_exits" >&2
# shellcheck disable=SC2086 # RUN_VM_OPTS is a list of options
tests/kvm/run-vm ${RUN_VM_OPTS:-} --smp 1 --env HV_BACKEND=kvm ${RAW_NO_PTRAUTH:+--env RAW_NO_PTRAUTH=1} "$build/bench/kvm_exits" "${1:-5000}" "${2:-3}" |
	grep -v '^hvdbg-kvm: /'
