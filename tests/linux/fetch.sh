#!/usr/bin/env bash
# fetch.sh [HVDBG] - Debian's arm64 kernel, busybox-static and the
# kernel's symbol table, each made once into the tests/kvm/run-vm cache;
# prints "KERNEL BUSYBOX SYSTEM_MAP".
#
# Debian ships the real System.map only in the (huge) -dbg package, so
# the map is the kernel's own /proc/kallsyms, read once by booting the
# kernel with nokaslr in hvdbg (HVDBG, default build/hvdbg) with
# tests/linux/kallsyms-init as /init: the same addresses.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
hvdbg=${1:-$here/../../build/hvdbg}
read -r kernel busybox < <("$here/../kvm/run-vm" --linux)
map=$(dirname "$kernel")/kallsyms.map
if [ ! -s "$map" ]; then
	[ -x "$hvdbg" ] || { echo "fetch.sh: no $hvdbg (make build/hvdbg)" >&2; exit 1; }
	tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
	python3 "$here/../../scripts/mkinitramfs.py" "$tmp/initrd" dir:proc dir:dev \
		cdev:dev/console=5,1 "file:bin/busybox=$busybox:755" "file:init=$here/kallsyms-init:755"
	echo "fetch.sh: reading the kernel's symbols (one boot, about a minute)" >&2
	"$hvdbg" --kernel "$kernel" --initrd "$tmp/initrd" --append "console=ttyAMA0 quiet" \
		--run --timeout 600 </dev/null >"$tmp/console"
	sed -n '/^--- kallsyms begin/,/^--- kallsyms end/{/^---/d;s/\r$//;p}' "$tmp/console" >"$tmp/map"
	grep -q ' T start_kernel$' "$tmp/map" || { echo "fetch.sh: no start_kernel in the kernel's symbols" >&2; exit 1; }
	mv "$tmp/map" "$map"
fi
echo "$kernel $busybox $map"
