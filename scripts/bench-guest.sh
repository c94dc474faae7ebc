#!/usr/bin/env bash
# bench-guest.sh - runs one bare-metal benchmark guest on libhypervisor's
# emu backend and on qemu-system-aarch64 (TCG), side by side; used by
# bench/interp.sh and bench/fp.sh.
#
#   scripts/bench-guest.sh NAME LABEL START.S GUEST.c [GCC FLAGS...]
#
# The guest is built with REPS=$LO and REPS=$HI and the difference is timed,
# so start-up costs cancel out.  Prints guest instructions (counted by our
# interpreter), MIPS for ours (the default: translator on where the host
# has one), ours interpreted only (HV_EMU_JIT=0) and QEMU, the speed
# ratios ours/QEMU (> 1: we are faster) and the peak host memory (RSS) of
# each at REPS=$HI.  All must print the same checksum.
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

best_of() { # best_of N FN COUNT [BEST] : the minimum wall time of N runs of FN COUNT (and BEST)
	local n=$1 fn=$2 count=$3 best=${4:-}
	for _ in $(seq "$n"); do
		local t0 t1
		t0=$(date +%s.%N); "$fn" "$count" >/dev/null 2>&1; t1=$(date +%s.%N)
		best=$(echo "$t0 $t1 $best" | awk '{d=$2-$1; if ($3=="" || d<$3) print d; else print $3}')
	done
	echo "$best"
}

ours() { HV_BACKEND=emu "$BUILD/bench/bench_vmm" "$out/${name}_$1.bin"; }
interp() { HV_EMU_JIT=0 ours "$@"; }
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
ck_interp=$(interp "$HI" 2>/dev/null)
[ "$ck_ours" = "$ck_qemu" ] && [ "$ck_interp" = "$ck_qemu" ] ||
	{ echo "checksum mismatch: ours=$ck_ours interpreter=$ck_interp qemu=$ck_qemu" >&2; exit 1; }

# Peak resident memory in MiB (GNU time's %M is KiB).
peak() { /usr/bin/time -f %M "$@" 2>&1 >/dev/null | tail -1 | awk '{ printf "%.1f", $1 / 1024 }'; }
m_ours=$(peak env HV_BACKEND=emu "$BUILD/bench/bench_vmm" "$out/${name}_$HI.bin")
m_interp=$(peak env HV_EMU_JIT=0 HV_BACKEND=emu "$BUILD/bench/bench_vmm" "$out/${name}_$HI.bin")
m_qemu=$(peak timeout 120 qemu-system-aarch64 -M virt -cpu max -m 256M -display none \
	-monitor none -nodefaults -kernel "$out/${name}_$HI.elf")

# Interleaved, round after round (ours, interpreted, QEMU at both
# counts), so that a host whose speed drifts (a shared VM) slows all of
# them alike; each keeps its best time.
o_lo= o_hi= i_lo= i_hi= q_lo= q_hi=
for round in 1 2 3 4 5; do
	o_lo=$(best_of 1 ours "$LO" "$o_lo"); o_hi=$(best_of 1 ours "$HI" "$o_hi")
	if [ "$round" -le 3 ]; then
		i_lo=$(best_of 1 interp "$LO" "$i_lo"); i_hi=$(best_of 1 interp "$HI" "$i_hi")
	fi
	q_lo=$(best_of 1 qemu "$LO" "$q_lo"); q_hi=$(best_of 1 qemu "$HI" "$q_hi")
done
awk -v label="$label" -v n="$insns" -v olo="$o_lo" -v ohi="$o_hi" -v ilo="$i_lo" -v ihi="$i_hi" \
	-v qlo="$q_lo" -v qhi="$q_hi" -v mo="$m_ours" -v mi="$m_interp" -v mq="$m_qemu" 'BEGIN {
	o = ohi - olo; i = ihi - ilo; q = qhi - qlo
	printf "%s: %d guest instructions\n", label, n
	printf "  hvdbg emu : %8.3f s  %7.1f MIPS  %6.1f MiB peak\n", o, n / o / 1e6, mo
	printf "  hvdbg interpreter only (HV_EMU_JIT=0): %8.3f s  %7.1f MIPS  %6.1f MiB peak\n", i, n / i / 1e6, mi
	printf "  qemu TCG  : %8.3f s  %7.1f MIPS  %6.1f MiB peak\n", q, n / q / 1e6, mq
	printf "  ratio emu/qemu speed: %.2fx\n", q / o
	printf "  ratio interpreter only/qemu speed: %.2fx\n", q / i
}'
