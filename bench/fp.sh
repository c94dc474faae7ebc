#!/usr/bin/env bash
# fp.sh - FP/Advanced SIMD interpreter throughput: the vectorised
# bare-metal guest bench/guest/fp_kernels.c (gcc -O3) on libhypervisor's
# emu backend and on qemu-system-aarch64 (TCG).  As interp.sh: two
# repetition counts, the difference cancels start-up costs; prints guest
# MIPS (instructions counted by our interpreter) and the speed ratio
# ours/QEMU (> 1: we are faster).  Both must print the same checksum.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
CROSS=${CROSS:-aarch64-linux-gnu-}
out=$BUILD/bench/guest
mkdir -p "$out"
LO=${LO:-10} HI=${HI:-310}
for reps in $LO $HI; do
	${CROSS}gcc -O3 -fno-math-errno -ffreestanding -nostdlib -static -fno-pie -no-pie -mstrict-align \
		-Wl,--no-warn-rwx-segments -DREPS=$reps -T bench/guest/link.ld -Wl,--build-id=none \
		-o "$out/fp_$reps.elf" bench/guest/fp_start.S bench/guest/fp_kernels.c
	${CROSS}objcopy -O binary "$out/fp_$reps.elf" "$out/fp_$reps.bin"
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

ours() { HV_BACKEND=emu "$BUILD/bench/bench_vmm" "$out/fp_$1.bin"; }
qemu() {
	timeout 120 qemu-system-aarch64 -M virt -cpu max -m 256M -display none \
		-monitor none -nodefaults -kernel "$out/fp_$1.elf" "${@:2}"
}
icount() { HV_EMU_STATS=1 HV_BACKEND=emu "$BUILD/bench/bench_vmm" "$out/fp_$1.bin" 2>&1 >/dev/null |
	awk '/instructions retired/ {print $NF}'; }
ilo=$(icount $LO); ihi=$(icount $HI)
insns=$((ihi - ilo))
ck_ours=$(ours $HI 2>/dev/null); ck_qemu=$(qemu $HI -serial stdio 2>/dev/null | tr -d "\r")
[ "$ck_ours" = "$ck_qemu" ] || { echo "checksum mismatch: ours=$ck_ours qemu=$ck_qemu" >&2; exit 1; }

o_lo=$(best_of 3 ours $LO); o_hi=$(best_of 3 ours $HI)
q_lo=$(best_of 3 qemu $LO); q_hi=$(best_of 3 qemu $HI)
awk -v n="$insns" -v olo="$o_lo" -v ohi="$o_hi" -v qlo="$q_lo" -v qhi="$q_hi" 'BEGIN {
	o = ohi - olo; q = qhi - qlo
	printf "fp/simd fp_kernels: %d guest instructions\n", n
	printf "  hvdbg emu : %8.3f s  %7.1f MIPS\n", o, n / o / 1e6
	printf "  qemu TCG  : %8.3f s  %7.1f MIPS\n", q, n / q / 1e6
	printf "  ratio emu/qemu speed: %.2fx\n", q / o
}'
