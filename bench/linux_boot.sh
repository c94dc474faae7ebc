#!/usr/bin/env bash
# linux_boot.sh - boot-to-init of Debian's arm64 kernel (tests/linux/
# fetch.sh) to an initramfs whose /init powers off at once: hvdbg (emu
# backend, its GIC machine) against qemu-system-aarch64 -M virt,
# gic-version=3 TCG, the same kernel, initramfs, command line and vCPU
# count, run one after the other on this host.  QEMU twice: -cpu max, and
# -cpu cortex-a76 (v8.2: LSE, RCpc, FP16, PAN - close to what emu
# advertises).  hvdbg twice too: as it runs by default (translator on
# x86-64 hosts), and interpreted only (HV_EMU_JIT=0).  Wall time (best of
# RUNS) and peak host memory (max RSS).
#
#   bench/linux_boot.sh [RUNS]     (default 3)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-3}
build=${BUILD:-build}
smp=${SMP:-2}
unset MAKEFLAGS MFLAGS MAKEOVERRIDES MAKELEVEL SAN OPT CFLAGS LDFLAGS LDLIBS
make -s BUILD="$build" "$build/hvdbg" >&2
command -v qemu-system-aarch64 >/dev/null || { echo "skipped: qemu-system-aarch64 not installed"; exit 0; }
read -r kernel _ _ < <(tests/linux/fetch.sh "$build/hvdbg")
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
tests/linux/initramfs.sh poweroff "$tmp/initrd"
append="console=ttyAMA0 quiet nokaslr panic=-1"

# best WALL_S MAXRSS_KB over $runs runs of "$@" (must print the marker)
measure() {
	local best="" rss=0
	for _ in $(seq "$runs"); do
		/usr/bin/time -f "%e %M" -o "$tmp/time" timeout 600 "$@" </dev/null >"$tmp/out" 2>&1 || true
		grep -q "hvdbg-bench: init reached" "$tmp/out" || { echo "failed: no init ($(tail -1 "$tmp/out"))"; return; }
		read -r t m <"$tmp/time"
		best=$(awk -v a="$best" -v b="$t" 'BEGIN { print (a == "" || b < a) ? b : a }')
		[ "$m" -gt "$rss" ] && rss=$m
	done
	echo "$best s $((rss / 1024)) MiB"
}

echo "kernel $(basename "$(readlink -f "$kernel")") ($(cat "$(dirname "$kernel")/package" 2>/dev/null || echo ?)), smp $smp, 512 MiB, best of $runs"
echo "hvdbg emu:          $(HV_BACKEND=emu measure "$build/hvdbg" --kernel "$kernel" --initrd "$tmp/initrd" \
	--smp "$smp" --ram 512M --append "$append" --run)"
echo "hvdbg interpreted:  $(HV_EMU_JIT=0 HV_BACKEND=emu measure "$build/hvdbg" --kernel "$kernel" --initrd "$tmp/initrd" \
	--smp "$smp" --ram 512M --append "$append" --run)"
for cpu in max cortex-a76; do
	printf '%-19s %s\n' "qemu TCG $cpu:" "$(measure qemu-system-aarch64 -M virt,gic-version=3 -cpu "$cpu" \
		-accel tcg,thread=multi -smp "$smp" -m 512 -display none -monitor none -serial stdio -no-reboot \
		-kernel "$kernel" -initrd "$tmp/initrd" -append "$append")"
done
