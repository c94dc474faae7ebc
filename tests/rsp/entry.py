"""Breakpoints at the PC, as gdb expects them from QEMU's gdbstub: the
server never steps over anything itself.  A breakpoint at the PC of the
initial stop (reported by '?') is stepped over by gdb (stop_pc == pc);
after `set $pc` to a breakpoint address, continue hits it at once."""
import gdb
from gdbtest import *


def test():
    start = sym("_start")
    report(pc() == start, "stopped at _start on attach")
    entry = gdb.Breakpoint("*%d" % start)
    fb = gdb.Breakpoint("*func")
    run("continue")
    # gdb itself stepped over the breakpoint at the initial stop's pc.
    report(pc() == sym("func"), "continue from the initial stop reaches func: pc=%#x" % pc())
    report(entry.hit_count == 0, "the entry breakpoint was stepped over by gdb")
    report(fb.hit_count == 1, "func breakpoint hit once")
    # Continue from a breakpoint stop: gdb steps over it; the next stop is
    # the entry breakpoint reached by moving the pc there by hand.
    run("set $pc = %d" % start)
    run("continue")
    report(pc() == start, "set $pc to a breakpoint, continue: hit at once (pc=%#x)" % pc())
    report(entry.hit_count == 1, "entry breakpoint hit after set $pc")
    # And from that stop, continue steps over it again, to func.
    run("continue")
    report(pc() == sym("func") and fb.hit_count == 2, "then on to func again: pc=%#x" % pc())
    # A hardware breakpoint at the pc behaves the same.
    entry.delete()
    fb.delete()
    hb = gdb.Breakpoint("*%d" % start, type=gdb.BP_HARDWARE_BREAKPOINT)
    run("set $pc = %d" % start)
    run("continue")
    report(pc() == start and hb.hit_count == 1,
           "hardware breakpoint at a hand-set pc hits at once (pc=%#x)" % pc())
    hb.delete()

main(test)
