#!/usr/bin/env bash
# kvm-inside.sh HVDBG KERNEL BUSYBOX [CMDLINE...] - nested virtualization
# end to end:
# Debian's arm64 kernel booted at EL2 by hvdbg --el2 (the emu backend, so
# on any host) initializes KVM, and our mini_vmm, cross-built for aarch64
# with the kvm backend (static, as tests/kvm/check.sh builds it), runs
# examples/guests/hello.bin on it.  The kernel picks VHE (it runs at EL2)
# unless the extra command line says kvm-arm.mode=nvhe (it drops to EL1
# and keeps a small hypervisor at EL2).  Prints the console; exit 77 when
# the cross compiler is missing (the caller counts it as skipped).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(cd "$here/../.." && pwd)
[ $# -ge 3 ] || { echo "usage: $0 HVDBG KERNEL BUSYBOX [CMDLINE...]" >&2; exit 2; }
hvdbg=$1 kernel=$2 busybox=$3
shift 3
cross=${CROSS:-aarch64-linux-gnu-}
build=${KVM_BUILD:-build-arm64}
command -v "${cross}gcc" >/dev/null || { echo "kvm-inside.sh: no ${cross}gcc" >&2; exit 77; }
# The caller's make flags must not leak into the cross build.
unset MAKEFLAGS MFLAGS MAKEOVERRIDES MAKELEVEL BUILD SAN OPT CFLAGS LDFLAGS LDLIBS
make -s -C "$top" -j2 CC="${cross}gcc" CROSS="$cross" OBJCOPY="${cross}objcopy" BUILD="$build" \
	HOST_ARCH=aarch64 HVDBG_LIB= HVDBG_LIBS= LDFLAGS=-static examples >&2
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
python3 "$top/scripts/mkinitramfs.py" "$tmp/initrd" dir:proc dir:dev cdev:dev/console=5,1 \
	"file:bin/busybox=$busybox:755" "file:init=$here/kvm-inside-init:755" \
	"file:mini_vmm=$top/$build/examples/vmm/mini_vmm:755" \
	"file:hello.bin=$top/$build/examples/guests/hello.bin:644"
"$hvdbg" --el2 --kernel "$kernel" --initrd "$tmp/initrd" --append "console=ttyAMA0 quiet $*" \
	--run --timeout "${KVM_INSIDE_TIMEOUT:-600}" </dev/null
