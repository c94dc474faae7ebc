#!/usr/bin/env bash
# bench-guest.sh - runs one bare-metal benchmark guest on libhypervisor's
# emu backend and on qemu-system-aarch64 (TCG), side by side; used by
# bench/interp.sh and bench/fp.sh.
#
#   scripts/bench-guest.sh NAME LABEL START.S GUEST.c [GCC FLAGS...]
#
# The guest is built with REPS=$LO and REPS=$HI and the difference is timed,
# so start-up costs cancel out.  Prints guest instructions (counted by our
# interpreter), MIPS for both, and the speed ratio ours/QEMU (> 1: we are
# faster).  Both must print the same checksum.
set -euo pipefail
cd "$(dirname "$0")/.."
name=$1 label=$2 start=$3 src=$4
shift 4
BUILD=${BUILD:-build}
CROSS=${CROSS:-aarch64-linux-gnu-}
out=$BUILD/bench/guest
mkdir -p "$out"
for reps in $LO $HI; do
	${CROSS}gcc "$@" -ffreestanding -nostdlib -static -fno-pie -no-pie -Wl,--no-warn-rwx-segments \
		-DREPS=$reps -T bench/guest/link.ld -Wl,--build-id=none \
		-o "$out/${name}_$reps.elf" "$start" "$src"
	${CROSS}objcopy -O binary "$out/${name}_$reps.elf" "$out/${name}_$reps.bin"
done

best_of() { # best_of N cmd... : the minimum wall time of N runs
	local n=$1; shift; local best=
	for _ in $(seq "$n"); do
		local t0 t1
		t0=$(date +%s.%N); "$@" >/dev/null 2>&1; t1=$(date +%s.%N)
		best=$(echo "$t0 $t1 $best" | awk '{d=$2-$1; if ($3=="" || d<$3) print d; else print $3}')
	done
	echo "$best"
}

ours() { HV_BACKEND=emu "$BUILD/bench/bench_vmm" "$out/${name}_$1.bin"; }
qemu() {
	timeout 120 qemu-system-aarch64 -M virt -cpu max -m 256M -display none \
		-monitor none -nodefaults -kernel "$out/${name}_$1.elf" "${@:2}"
}

# Instructions the guest executes per extra repetition, counted by our
# interpreter (HV_EMU_STATS prints the retired-instruction count).
icount() { HV_EMU_STATS=1 HV_BACKEND=emu "$BUILD/bench/bench_vmm" "$out/${name}_$1.bin" 2>&1 >/dev/null |
	awk '/instructions retired/ {print $NF}'; }
ilo=$(icount "$LO"); ihi=$(icount "$HI")
insns=$((ihi - ilo))
# Both must print the same checksum: the workload ran the same.
ck_ours=$(ours "$HI" 2>/dev/null); ck_qemu=$(qemu "$HI" -serial stdio 2>/dev/null | tr -d "\r")
[ "$ck_ours" = "$ck_qemu" ] || { echo "checksum mismatch: ours=$ck_ours qemu=$ck_qemu" >&2; exit 1; }

o_lo=$(best_of 3 ours "$LO"); o_hi=$(best_of 3 ours "$HI")
q_lo=$(best_of 3 qemu "$LO"); q_hi=$(best_of 3 qemu "$HI")
awk -v label="$label" -v n="$insns" -v olo="$o_lo" -v ohi="$o_hi" -v qlo="$q_lo" -v qhi="$q_hi" 'BEGIN {
	o = ohi - olo; q = qhi - qlo
	printf "%s: %d guest instructions\n", label, n
	printf "  hvdbg emu : %8.3f s  %7.1f MIPS\n", o, n / o / 1e6
	printf "  qemu TCG  : %8.3f s  %7.1f MIPS\n", q, n / q / 1e6
	printf "  ratio emu/qemu speed: %.2fx\n", q / o
}'
