"""gdb-multiarch on a booting Linux kernel (tests/test_linux.c): a hardware
breakpoint at a physical address with the MMU off, stepi through the MMU
being turned on, a hardware breakpoint at start_kernel's virtual address
(from the kernel's symbol table; gdb has no vmlinux), bt and lr, system registers,
kernel memory by virtual address, on to userspace (busybox's entry at
EL0), and Ctrl-C while the idle kernel sleeps in WFI.

Environment: K_ENABLE_MMU (physical address of __enable_mmu), K_START
(start_kernel), K_CALLER (__primary_switched), K_TEXT (_text), K_PHYS (where _text is loaded), BB_ENTRY
(busybox's entry point), UART_LOG (the console output), SCALE."""
import os
import threading
import time
import gdb
from gdbtest import *

env = lambda k: int(os.environ[k], 0)
scale = int(os.environ.get("SCALE", "1"))
signals = []


def on_stop(ev):
    if isinstance(ev, gdb.SignalEvent):
        signals.append(ev.stop_signal)


def uart():
    with open(os.environ["UART_LOG"], "rb") as f:
        return f.read()


def test():
    gdb.events.stop.connect(on_stop)
    enable_mmu, start, text, phys = env("K_ENABLE_MMU"), env("K_START"), env("K_TEXT"), env("K_PHYS")
    run("hbreak *%#x" % enable_mmu)
    run("continue")
    report(pc() == enable_mmu, "stopped at __enable_mmu's physical address (%#x)" % pc())
    report(reg("sctlr_el1") & 1 == 0, "MMU off there (sctlr_el1 %#x)" % reg("sctlr_el1"))
    steps = 0
    while reg("sctlr_el1") & 1 == 0 and steps < 64:
        run("stepi")
        steps += 1
    report(reg("sctlr_el1") & 1 == 1, "stepi turned the MMU on after %d steps" % steps)
    report(phys <= pc() < phys + (64 << 20), "still running at physical addresses (%#x)" % pc())
    run("delete")
    run("hbreak *%#x" % start)
    run("continue")
    report(pc() == start, "hbreak at start_kernel's virtual address (%#x)" % pc())
    # gdb has no symbols (Debian ships no vmlinux): its bt stops at frame
    # 0; the caller is in lr, as the REPL's bt shows by name.
    bt = run("bt 1")
    report(("%x" % start) in bt.splitlines()[0], "bt frame 0 at start_kernel: %r" % bt.strip())
    lr, caller = reg("x30"), env("K_CALLER")
    report(caller <= lr < caller + 0x200, "lr %#x in __primary_switched (%#x)" % (lr, caller))
    regs = run("info registers sctlr_el1 ttbr1_el1 vbar_el1")
    report("ttbr1_el1" in regs and "vbar_el1" in regs, "system registers: %r" % regs.strip())
    va = bytes(gdb.selected_inferior().read_memory(start, 16))
    pa = bytes(gdb.selected_inferior().read_memory(start - text + phys, 16))
    report(va == pa, "x/ of the kernel's virtual address reads its code (%s)" % va.hex())
    x = run("x/2i $pc")
    report("0x" in x, "x/2i $pc: %r" % x.strip())
    run("delete")
    run("hbreak *%#x" % env("BB_ENTRY"))
    run("continue")
    report(pc() == env("BB_ENTRY"), "on to userspace: busybox's entry (%#x)" % pc())
    report(reg("cpsr") & 0xf == 0, "at EL0 (cpsr %#x)" % reg("cpsr"))
    run("delete")
    # Ctrl-C while the kernel idles: until the shell's prompt is out.
    deadline = time.time() + 240 * scale
    while time.time() < deadline:
        threading.Timer(3, lambda: gdb.post_event(lambda: gdb.execute("interrupt"))).start()
        run("continue")
        if b"/ # " in uart():
            break
    report(signals and signals[-1] == "SIGINT", "Ctrl-C stopped the running kernel (%s)" % signals[-1:])
    report(b"built-in shell" in uart(), "the shell started (console: %r)" % uart()[-200:])


main(test)
