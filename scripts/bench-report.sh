#!/usr/bin/env bash
# bench-report.sh - runs every benchmark (bench/*.sh), each against its
# peer, and regenerates bench/README.md (one table of ratios) and
# bench/interp-throughput.png (gnuplot: guest MIPS per workload, emu vs
# qemu-system-aarch64 TCG).  `make bench` calls it.
#
#   scripts/bench-report.sh [--no-run]
#
# --no-run: rebuild README and plot from the last raw outputs in
# $BUILD/bench/report/ (default BUILD=build).  A benchmark that is
# skipped (missing peer, no nested-KVM VM, no gdb-multiarch) shows as
# "skipped" with its reason.  Numbers are noisy on a loaded machine: run
# it when the cores are idle.
set -uo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
OUT=$BUILD/bench/report
mkdir -p "$OUT"

if [ "${1:-}" != --no-run ]; then
	for b in interp parse fp emu_exits kvm_exits gdb_step gic linux_boot; do
		[ -x "bench/$b.sh" ] || continue
		echo "== bench/$b.sh" >&2
		if "bench/$b.sh" >"$OUT/$b.txt" 2>"$OUT/$b.err"; then :; else
			echo "bench/$b.sh failed (exit $?): $(tail -1 "$OUT/$b.err")" >"$OUT/$b.txt"
		fi
		cat "$OUT/$b.txt" >&2
	done
fi

# ---- parse -----------------------------------------------------------
get() { [ -f "$OUT/$1.txt" ] && cat "$OUT/$1.txt" || echo "not run"; }
# MIPS for "hvdbg emu" and "qemu TCG" lines of interp.sh / fp.sh.
mips() { get "$1" | awk -v w="$2" '$0 ~ w { for (i = 1; i <= NF; i++) if ($i == "MIPS") print $(i-1) }' | head -1; }
why_not() { get "$1" | grep -iE 'skipped|failed|not built|not installed|mismatch' | head -1; }

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a > 0 && b > 0) printf "%.2f", a / b }'; }

rows=()
plot=()
# Peak host memory (MiB) on the "hvdbg emu" / "qemu TCG" lines.
peak() { get "$1" | awk -v w="$2" '$0 ~ w { for (i = 1; i <= NF; i++) if ($i == "MiB") print $(i-1) }' | head -1; }
for w in "interp:integer (cpu_bound.c, gcc -O2)" "parse:integer, tokenizer and linked list (parse_list.c, gcc -O2)" \
	"fp:FP/SIMD (fp_kernels.c, gcc -O3)"; do
	b=${w%%:*} name=${w#*:}
	o=$(mips "$b" "hvdbg emu") i=$(mips "$b" "hvdbg interpreter only") q=$(mips "$b" "qemu TCG")
	if [ -n "$o" ] && [ -n "$q" ]; then
		rows+=("| \`$b.sh\` emu, $name | $o MIPS | $q MIPS (qemu-system-aarch64 TCG) | $(ratio "$o" "$q")x speed |")
		[ -n "$i" ] && rows+=("| \`$b.sh\` the same interpreted only (\`HV_EMU_JIT=0\`) | $i MIPS | $q MIPS (qemu-system-aarch64 TCG) | $(ratio "$i" "$q")x speed |")
		plot+=("\"${name%% (*}\" $o ${i:-0} $q")
	else
		rows+=("| \`$b.sh\` emu, $name | - | - | skipped: $(why_not "$b") |")
	fi
done
mo=$(peak interp "hvdbg emu") mq=$(peak interp "qemu TCG")
[ -n "$mo" ] && [ -n "$mq" ] &&
	rows+=("| \`interp.sh\` peak host memory of that run | $mo MiB | $mq MiB (qemu-system-aarch64 TCG) | $(ratio "$mo" "$mq")x cost |")

# emu_exits.sh: "translator: MMIO round trip A us, hv_vcpus_exit latency B us"
# and the same for "interpreter only".
ee() { get emu_exits | awk -v k="$1" 'index($0, k) == 1 { for (i = 1; i < NF; i++) if ($(i+1) == "us" || $(i+1) == "us,") print $i }' | tr '\n' ' '; }
read -r jt jl <<<"$(ee 'translator:')"
read -r it il <<<"$(ee 'interpreter only:')"
if [ -n "${jt:-}" ] && [ -n "${it:-}" ]; then
	rows+=("| \`emu_exits.sh\` MMIO store exit round trip, emu with the translator | $jt us | $it us (emu interpreted only) | $(ratio "$jt" "$it")x cost |")
	rows+=("| \`emu_exits.sh\` hv_vcpus_exit latency on a spinning guest, emu with the translator | $jl us | $il us (emu interpreted only) | $(ratio "$jl" "$il")x cost |")
else
	rows+=("| \`emu_exits.sh\` exit costs on emu | - | - | skipped: $(why_not emu_exits) |")
fi

# kvm_exits.sh: rows "raw KVM_RUN + the VMM's work" and "hv_vcpu_run + the
# VMM's work", columns MMIO store, MMIO load, HVC (us): the same VMM work.
kv_raw=$(get kvm_exits | awk '/^ *raw KVM_RUN \+ the VMM/ { print $(NF-2), $(NF-1), $NF }')
kv_hv=$(get kvm_exits | awk '/^ *hv_vcpu_run \+ the VMM/ { print $(NF-2), $(NF-1), $NF }')
if [ -n "$kv_raw" ] && [ -n "$kv_hv" ]; then
	read -r rs rl rh <<<"$kv_raw"
	read -r hs hl hh <<<"$kv_hv"
	rows+=("| \`kvm_exits.sh\` MMIO store exit round trip (nested KVM) | $hs us | $rs us (raw KVM_RUN) | $(ratio "$hs" "$rs")x cost |")
	rows+=("| \`kvm_exits.sh\` MMIO load exit round trip (nested KVM) | $hl us | $rl us (raw KVM_RUN) | $(ratio "$hl" "$rl")x cost |")
	rows+=("| \`kvm_exits.sh\` HVC exit round trip (nested KVM) | $hh us | $rh us (raw KVM_RUN) | $(ratio "$hh" "$rh")x cost |")
else
	rows+=("| \`kvm_exits.sh\` exit round trip (nested KVM) | - | - | skipped: $(why_not kvm_exits) |")
fi

# gdb_step.sh: "gdb stepi/s hvdbg A qemu B" and friends.
gd() { get gdb_step | awk -v k="$1" 'index($0, k) == 1 { for (i = 1; i < NF; i++) { if ($i == "hvdbg") h = $(i+1); if ($i == "qemu") q = $(i+1) } print h, q }' | head -1; }
if [ -n "$(gd 'gdb stepi/s')" ]; then
	for k in "gdb stepi/s:gdb \`stepi\` per second:steps/s" "x/ read KiB/s:gdb \`x/\` memory read:KiB/s" "raw read MiB/s:gdb memory read (4 MiB):MiB/s"; do
		key=${k%%:*} rest=${k#*:} label=${rest%%:*} unit=${rest#*:}
		read -r h q <<<"$(gd "$key")"
		rows+=("| \`gdb_step.sh\` $label | $h $unit | $q $unit (QEMU gdbstub) | $(ratio "$h" "$q")x |")
	done
else
	rows+=("| \`gdb_step.sh\` gdb \`stepi\` rate | - | - | skipped: $(why_not gdb_step) |")
fi

# gic.sh: "SPI injection ... N us" and "SGI round trip ... N us" under
# "emu:" and "kvm (nested):".
gicv() { get gic | awk -v sec="$1" -v key="$2" '/^emu:/ { s = "emu" } /^kvm/ { s = "kvm" } s == sec && index($0, key) { print $(NF-1) }' | head -1; }
for k in "SPI injection:SPI from a host thread to the guest handler" "SGI round trip:SGI round trip between two vCPUs"; do
	key=${k%%:*} label=${k#*:}
	e=$(gicv emu "$key") q=$(gicv kvm "$key")
	if [ -n "$e" ] && [ -n "$q" ]; then
		rows+=("| \`gic.sh\` $label | $e us (emu) | $q us (kvm backend, nested KVM) | $(ratio "$e" "$q")x cost |")
	elif [ -n "$e" ]; then
		rows+=("| \`gic.sh\` $label | $e us (emu) | - | kvm skipped: $(why_not gic) |")
	else
		rows+=("| \`gic.sh\` $label | - | - | skipped: $(why_not gic) |")
	fi
done

# linux_boot.sh: "hvdbg emu: T s M MiB", "qemu TCG max: ...", "qemu TCG cortex-a76: ...".
lb() { get linux_boot | awk -v k="$1" 'index($0, k) == 1 { print $(NF-3), $(NF-1) }' | head -1; }
read -r lt lm <<<"$(lb 'hvdbg emu:')"
if [ -n "${lt:-}" ]; then
	for cpu in cortex-a76 max; do
		read -r qt qm <<<"$(lb "qemu TCG $cpu:")"
		[ -n "${qt:-}" ] || continue
		rows+=("| \`linux_boot.sh\` Debian kernel boot to init, smp 2 (QEMU \`-cpu $cpu\`) | $lt s | $qt s (qemu-system-aarch64 virt TCG) | $(ratio "$qt" "$lt")x speed |")
	done
	read -r it _ <<<"$(lb 'hvdbg interpreted:')"
	if [ -n "${it:-}" ]; then
		read -r qt qm <<<"$(lb 'qemu TCG cortex-a76:')"
		[ -n "${qt:-}" ] && rows+=("| \`linux_boot.sh\` the same interpreted only (\`HV_EMU_JIT=0\`, QEMU \`-cpu cortex-a76\`) | $it s | $qt s (qemu-system-aarch64 virt TCG) | $(ratio "$qt" "$it")x speed |")
	fi
	read -r qt qm <<<"$(lb 'qemu TCG cortex-a76:')"
	[ -n "${qm:-}" ] && rows+=("| \`linux_boot.sh\` peak host memory of that boot (512 MiB guest) | $lm MiB | $qm MiB (QEMU) | $(ratio "$lm" "$qm")x cost |")
else
	rows+=("| \`linux_boot.sh\` Debian kernel boot to init | - | - | skipped: $(why_not linux_boot) |")
fi

# ---- plot ------------------------------------------------------------
png=bench/interp-throughput.png
if [ ${#plot[@]} -gt 0 ] && command -v gnuplot >/dev/null; then
	printf '%s\n' "${plot[@]}" >"$OUT/interp.dat"
	gnuplot <<GP
set terminal pngcairo size 800,450 noenhanced font ",11"
set output "$png"
set title "emu throughput per workload (guest MIPS, higher is better)"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set boxwidth 0.9
set ylabel "guest MIPS"
set yrange [0:*]
set xrange [-0.6:${#plot[@]}-0.4]
set grid ytics
set key top right
plot "$OUT/interp.dat" using 2:xtic(1) title "hvdbg emu" lc rgb "#2a7ab0", \
     "" using 3 title "hvdbg emu, HV_EMU_JIT=0" lc rgb "#9ecae1", \
     "" using 4 title "qemu-system-aarch64 TCG" lc rgb "#c0504d", \
     "" using (\$0-0.3):2:2 with labels offset 0,0.7 notitle, \
     "" using 0:3:3 with labels offset 0,0.7 notitle, \
     "" using (\$0+0.3):4:4 with labels offset 0,0.7 notitle
GP
elif ! command -v gnuplot >/dev/null; then
	echo "bench-report: gnuplot not installed (make deps): $png not regenerated" >&2
fi

# ---- README ----------------------------------------------------------
cpu=$(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo)
qv=$(qemu-system-aarch64 --version 2>/dev/null | head -1 | sed 's/ (.*//')
rev=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
{
	cat <<EOF
# Benchmarks

Generated by \`scripts/bench-report.sh\` (\`make bench\`) on $(date -u +%Y-%m-%d),
commit $rev; host: ${cpu:-unknown CPU}, $(nproc) cores; peer: ${qv:-qemu-system-aarch64}.
Each benchmark runs against its peer on the same machine, side by side;
ratios above 1 mean faster for throughput, "cost" ratios are ours / peer
(below 1 is cheaper). Numbers vary with load: regenerate on an idle machine.

| benchmark | ours | peer | ratio |
|---|---|---|---|
EOF
	printf '%s\n' "${rows[@]}"
	cat <<'EOF'

![emu throughput per workload](interp-throughput.png)

## What each one measures

* `interp.sh`, `parse.sh`, `fp.sh`: the same bare-metal guest
  (bench/guest/) on the emu backend (`bench/bench_vmm.c`; translator on,
  and again with `HV_EMU_JIT=0`) and on `qemu-system-aarch64 -M virt
  -cpu max` (TCG). Each is run at two repetition counts and the difference
  is timed, so start-up costs cancel; the runs alternate, round after
  round, and each keeps its best (a host whose speed drifts slows all of
  them alike); instructions are counted by our
  interpreter; all must print the same checksum. Peak memory is the RSS of
  the whole process (GNU time) at the higher count.
* `emu_exits.sh`: on the emu backend (bench/emu_exits.c), an MMIO store
  exit and re-entry, and the time from `hv_vcpus_exit` on another thread
  until `hv_vcpu_run` returns on a guest spinning in `B .`; with the
  translator against interpreted only.
* `kvm_exits.sh`: one exit round trip (MMIO store, HVC) through
  `hv_vcpu_run` on the kvm backend against a raw `KVM_RUN` loop, in the
  nested-KVM VM of tests/kvm/run-vm (so both are slow in absolute terms;
  the ratio is the layer's overhead).
* `gdb_step.sh`: gdb-multiarch `stepi` round trips and memory reads
  against `hvdbg --gdb` and QEMU's gdbstub, same ELF.
* `gic.sh`: interrupt latency through `hv_gic_*` (bench/gic_latency.c): an
  edge SPI raised by a host thread until the guest's handler has counted
  it, and an SGI round trip between two vCPUs on two threads; emu on this
  host against the kvm backend (KVM's vgic-v3) in the nested-KVM VM.

Raw outputs: `build/bench/report/*.txt`; `scripts/bench-report.sh --no-run`
rebuilds this page from them.
EOF
} >bench/README.md

# The top-level README quotes the ratios only (absolute numbers drift with
# load and machine), between its bench-table markers.
if grep -q '<!-- bench-table:begin' README.md; then
	{
		echo "<!-- bench-table:begin (scripts/bench-report.sh writes this table) -->"
		echo "Measured side by side on $(date -u +%Y-%m-%d), commit $rev, $(nproc) cores"
		echo "(absolute numbers: [bench/README.md](bench/README.md)):"
		echo
		echo "| benchmark | peer | ratio |"
		echo "|---|---|---|"
		printf '%s\n' "${rows[@]}" | awk -F' [|] ' '{ sub(/^[|] /, "", $1); sub(/ [|]$/, "", $4); p = $3; sub(/^[^(]*[(]/, "", p); sub(/[)].*$/, "", p); print "| " $1 " | " p " | " $4 " |" }'
		echo "<!-- bench-table:end -->"
	} >"$OUT/readme-table.md"
	awk -v t="$OUT/readme-table.md" '
		/<!-- bench-table:begin/ { while ((getline l < t) > 0) print l; skip = 1; next }
		/<!-- bench-table:end/ { skip = 0; next }
		!skip { print }' README.md >"$OUT/README.md.new" && mv "$OUT/README.md.new" README.md
fi
echo "bench-report: wrote bench/README.md, README.md's table${plot:+ and $png}" >&2
