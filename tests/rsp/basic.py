"""Breakpoint at a symbol, continue, core/FP/system registers, memory,
the g packet size, monitor commands."""
import gdb
from gdbtest import *


def test():
    report(pc() == sym("_start"), "stopped at _start on attach")
    # Breakpoint at a symbol (software, BRK #0) and continue.
    bp = gdb.Breakpoint("*func")
    run("continue")
    report(pc() == sym("func"), "stopped at func: pc=%#x" % pc())
    report(bp.hit_count == 1, "breakpoint hit once")
    report(reg("x30") == sym("straight"), "lr = return address")
    bp.delete()
    # The original instruction is visible, not the BRK.
    insn = read_u64(sym("func")) & 0xffffffff
    report(insn != 0xd4200000, "memory shows the original code (%#x)" % insn)

    # Core registers: write and read back.
    run("set $x5 = 0x1122334455667788")
    report(reg("x5") == 0x1122334455667788, "write/read x5")
    run("set $sp = 0x40100000")
    report(reg("sp") == 0x40100000, "write/read sp")
    cpsr = reg("cpsr")
    report(cpsr & 0xf == 5, "cpsr says EL1h (%#x)" % cpsr)
    # g carries the core block only: 34 registers, 268 bytes.
    g = run("maint packet g")
    data = g.split("received: \"")[1].rstrip().rstrip('"')
    report(len(data) == 536, "g reply is 268 bytes (%d hex chars)" % len(data))

    # FP/SIMD registers.
    run("set $v3.d.u[0] = 0x0123456789abcdef")
    run("set $v3.d.u[1] = 0xfedcba9876543210")
    report(int(gdb.parse_and_eval("$v3.d.u[0]")) == 0x0123456789abcdef and
           int(gdb.parse_and_eval("$v3.d.u[1]")) == 0xfedcba9876543210, "write/read v3 (128 bits)")
    run("set $fpcr = 0x3000000")
    report(reg("fpcr") == 0x3000000, "write/read fpcr")
    gdb.Breakpoint("*start_sec")
    run("continue")
    report(float(gdb.parse_and_eval("$d0.f")) == 1.5 and float(gdb.parse_and_eval("$d1.f")) == -2.0,
           "guest fmov values in d0/d1")

    # System registers (own feature, group system).
    report(reg("sctlr_el1") != 0, "read sctlr_el1 (%#x)" % reg("sctlr_el1"))
    report(reg("mpidr_el1") & 0xff == 0, "mpidr_el1 of vCPU 0")
    run("set $tpidr_el1 = 0xabcdef")
    report(reg("tpidr_el1") == 0xabcdef, "write/read tpidr_el1")
    regs = run("info registers system")
    report("vbar_el1" in regs and "ttbr0_el1" in regs, "info registers system lists sysregs")

    # Memory read/write.
    buf = sym("buffer")
    report(bytes(gdb.selected_inferior().read_memory(buf, 16)) == b"0123456789abcdef", "read memory")
    gdb.selected_inferior().write_memory(buf + 2, b"XYZ")
    report(bytes(gdb.selected_inferior().read_memory(buf, 6)) == b"01XYZ5", "write memory")
    big = bytes(range(256)) * 16
    gdb.selected_inferior().write_memory(0x40080000, big)
    report(bytes(gdb.selected_inferior().read_memory(0x40080000, len(big))) == big, "4 KiB write/read")
    try:
        gdb.selected_inferior().read_memory(0x10, 4)
        report(False, "reading outside RAM fails")
    except gdb.MemoryError:
        report(True, "reading outside RAM fails")

    # Monitor commands.
    out = run("monitor info registers")
    report("sctlr_el1" in out and "x30" in out, "monitor info registers")
    out = run("monitor explain")
    report("ESR" in out or "exit" in out, "monitor explain: " + out.strip().splitlines()[0])
    out = run("monitor pagewalk 0x40000000")
    report("0x40000000" in out, "monitor pagewalk: " + out.strip().splitlines()[0])
    out = run("monitor esr 0x93c08004")
    report("data abort" in out, "monitor esr decodes")
    out = run("monitor info vcpus")
    report("vCPU 0" in out, "monitor info vcpus")


main(test)
