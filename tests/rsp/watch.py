"""Write, read and access watchpoints: the reported address and PC."""
import gdb
from gdbtest import *

stops = []


def on_stop(ev):
    if isinstance(ev, gdb.BreakpointEvent):
        stops.append([b.number for b in ev.breakpoints])


def test():
    gdb.events.stop.connect(on_stop)
    counter = sym("counter")
    w = gdb.Breakpoint("*(long *)%d" % counter, gdb.BP_WATCHPOINT, gdb.WP_WRITE)
    out = run("continue")
    # gdb steps over the store itself: the stop is after it.
    report(pc() == sym("do_read"), "write watchpoint: pc after the store (%#x)" % pc())
    report(read_u64(counter) == 0x1234, "the store completed after gdb stepped over it")
    report(stops and w.number in stops[-1], "stop attributed to the write watchpoint")
    w.delete()
    r = gdb.Breakpoint("*(long *)%d" % counter, gdb.BP_WATCHPOINT, gdb.WP_READ)
    out = run("continue")
    report(pc() == sym("do_access"), "read watchpoint: pc after the load (%#x)" % pc())
    report(reg("x8") == 0x1234, "the load completed (x8 = %#x)" % reg("x8"))
    report(stops and r.number in stops[-1], "stop attributed to the read watchpoint")
    r.delete()
    a = gdb.Breakpoint("*(long *)%d" % counter, gdb.BP_WATCHPOINT, gdb.WP_ACCESS)
    out = run("continue")
    # ldr x9, [x6, #8] (outside) then ldr x9, [x6] (inside) at do_access + 4.
    report(pc() == sym("fp_setup"), "access watchpoint: pc after the second load (%#x)" % pc())
    report(stops and a.number in stops[-1], "stop attributed to the access watchpoint")
    a.delete()


main(test)
