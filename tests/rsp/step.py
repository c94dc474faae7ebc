"""stepi x100 with PC checks, then a hardware breakpoint."""
import gdb
from gdbtest import *


def test():
    gdb.Breakpoint("*straight")
    run("continue")
    start = sym("straight")
    report(pc() == start, "at straight")
    x0 = reg("x0")
    ok = True
    for i in range(100):
        run("stepi")
        if pc() != start + 4 * (i + 1) or reg("x0") != x0 + i + 1:
            ok = report(False, "step %d: pc=%#x x0=%d" % (i, pc(), reg("x0")))
            break
    report(ok, "100 stepi: pc advanced by 4 and x0 by 1 each time")
    run("delete")
    # Hardware breakpoint (Z1).
    hb = gdb.Breakpoint("*do_read", type=gdb.BP_HARDWARE_BREAKPOINT)
    run("continue")
    report(pc() == sym("do_read"), "hardware breakpoint at do_read: pc=%#x" % pc())
    report(hb.hit_count == 1, "hardware breakpoint hit once")
    # Stepping off a hardware breakpoint works (gdb removes/steps/reinserts).
    run("stepi")
    report(pc() == sym("do_access"), "stepi off the hardware breakpoint")
    hb.delete()
    # nexti over a call.
    run("set $pc = straight - 4")
    run("nexti")
    report(pc() == sym("straight"), "nexti steps over bl func: pc=%#x" % pc())


main(test)
