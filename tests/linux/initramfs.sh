#!/usr/bin/env bash
# initramfs.sh demo|check|poweroff OUT - builds the initramfs of the Linux
# demo (busybox shell), of the boot benchmark (powers off from /init), or
# of the boot test (tests/linux/check-init and a 1 MiB
# random /payload whose SHA-256 is printed, for hvdbg.sum=) from Debian's
# arm64 busybox-static (fetched once by tests/kvm/run-vm --linux).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
[ $# = 2 ] || { echo "usage: $0 demo|check|poweroff OUT" >&2; exit 2; }
kind=$1 out=$2
read -r _ busybox < <("$here/../kvm/run-vm" --linux)
entries=(dir:proc dir:sys dir:dev dir:tmp dir:root cdev:dev/console=5,1 cdev:dev/null=1,3
	"file:bin/busybox=$busybox:755" link:bin/sh=busybox)
case $kind in
demo) entries+=("file:init=$here/demo-init:755") ;;
poweroff) entries+=("file:init=$here/poweroff-init:755") ;;
check)
	tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
	head -c 1048576 /dev/urandom >"$tmp/payload"
	entries+=("file:init=$here/check-init:755" "file:payload=$tmp/payload:644")
	sha256sum "$tmp/payload" | cut -d' ' -f1
	;;
*) echo "$0: demo, check or poweroff, not $kind" >&2; exit 2 ;;
esac
python3 "$here/../../scripts/mkinitramfs.py" "$out" "${entries[@]}"
