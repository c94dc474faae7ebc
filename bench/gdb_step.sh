#!/bin/sh
# gdb_step.sh - gdb `stepi` round trips per second and `x/` memory-read
# throughput against hvdbg's gdb server vs qemu-system-aarch64's gdbstub
# (-s -S), on the same guest ELF (examples/guests/rsptest.elf), printed
# as ratios.  Goal: hvdbg's step rate >= 2x QEMU's.
#
#   bench/gdb_step.sh [HVDBG_BINARY]      (default build/hvdbg)
# Environment: STEPS (default 500), XKB (KiB read by x/, default 512).
# Noisy on a loaded machine: run it when the cores are idle.
set -eu
cd "$(dirname "$0")/.."
HVDBG=${1:-build/hvdbg}
ELF=build/examples/guests/rsptest.elf
STEPS=${STEPS:-500}
XKB=${XKB:-512}
command -v gdb-multiarch >/dev/null || { echo "gdb_step: gdb-multiarch not installed, skipped"; exit 0; }
[ -x "$HVDBG" ] || { echo "gdb_step: $HVDBG not built (make build/hvdbg), skipped"; exit 0; }
[ -f "$ELF" ] || make -s "${ELF%.elf}.bin"
TMP=$(mktemp -d)
trap 'kill $SRV 2>/dev/null || true; rm -rf "$TMP"' EXIT

cat > "$TMP/bench.py" <<PY
import gdb, time
gdb.execute("break *straight")
gdb.execute("continue")
gdb.execute("delete")
n = $STEPS
t = time.time()
for i in range(n):
    gdb.execute("stepi", to_string=True)
    if i % 100 == 99:   # stay inside the straight-line block
        gdb.execute("set \$pc = straight", to_string=True)
dt = time.time() - t
words = $XKB * 1024 // 8
t2 = time.time()
gdb.execute("x/%dgx 0x40000000" % words, to_string=True)
dt2 = time.time() - t2
t3 = time.time()
gdb.selected_inferior().read_memory(0x40000000, 4 << 20)
dt3 = time.time() - t3
print("RESULT %.1f %.1f %.1f" % (n / dt, $XKB / dt2, 4 / dt3))
gdb.execute("kill")
PY

run_gdb() { # port
	timeout 300 gdb-multiarch -q -n -batch -ex 'set pagination off' -ex 'set confirm off' \
		-ex "target remote 127.0.0.1:$1" -x "$TMP/bench.py" "$ELF" 2>&1 | sed -n 's/^RESULT //p'
}

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

P=$(free_port)
"$HVDBG" --gdb "$P" "$ELF" >/dev/null 2>"$TMP/hv.err" & SRV=$!
sleep 0.5
HV=$(run_gdb "$P")
kill $SRV 2>/dev/null || true; wait $SRV 2>/dev/null || true

P=$(free_port)
qemu-system-aarch64 -M virt -cpu cortex-a57 -m 128M -nographic -monitor none -serial none \
	-S -gdb tcp:127.0.0.1:$P -kernel "$ELF" 2>/dev/null & SRV=$!
sleep 1
QE=$(run_gdb "$P")
kill $SRV 2>/dev/null || true; wait $SRV 2>/dev/null || true

echo "gdb stepi/s      hvdbg $(echo $HV | cut -d' ' -f1)   qemu $(echo $QE | cut -d' ' -f1)"
echo "x/ read KiB/s    hvdbg $(echo $HV | cut -d' ' -f2)   qemu $(echo $QE | cut -d' ' -f2)"
echo "raw read MiB/s   hvdbg $(echo $HV | cut -d' ' -f3)   qemu $(echo $QE | cut -d' ' -f3)   (python read_memory, 4 MiB)"
python3 - "$HV" "$QE" <<'PY'
import sys
h = [float(x) for x in sys.argv[1].split()]; q = [float(x) for x in sys.argv[2].split()]
print("ratio hvdbg/qemu: stepi %.2fx (goal 2x), x/ %.2fx, raw read %.2fx" % (h[0] / q[0], h[1] / q[1], h[2] / q[2]))
PY
