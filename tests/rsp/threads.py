"""Two vCPUs are two threads; a breakpoint in vCPU 1's code stops thread 2."""
import gdb
from gdbtest import *


def test():
    threads = gdb.selected_inferior().threads()
    report(len(threads) == 2, "two threads (%d)" % len(threads))
    out = run("info threads")
    report("vCPU 0" in out and "vCPU 1" in out, "thread names")
    bp = gdb.Breakpoint("*sec_store")
    run("continue")
    t = gdb.selected_thread()
    report(t.num == 2, "stopped in thread 2 (%d)" % t.num)
    report(pc() == sym("sec_store"), "thread 2 at sec_store")
    report(reg("x0") == 0x55, "CPU_ON context id in x0 of vCPU 1 (%#x)" % reg("x0"))
    report(reg("mpidr_el1") & 0xff == 1, "mpidr_el1 of vCPU 1")
    first = reg("x10")
    run("continue")
    report(gdb.selected_thread().num == 2 and reg("x10") == first + 1,
           "second hit: x10 %d -> %d" % (first, reg("x10")))
    bp.delete()
    run("thread 1")
    report(sym("start_sec") <= pc() < sym("secondary"), "thread 1 is on vCPU 0 (%#x)" % pc())
    out = run("monitor info vcpus")
    report(out.count("stopped") == 2, "both vCPUs stopped (all-stop)")
    # Step thread 1 with scheduler-locking: thread 2 stays put.
    run("set scheduler-locking step")
    run("thread 2")
    pc2 = pc()
    run("thread 1")
    run("stepi")
    run("thread 2")
    report(pc() == pc2, "scheduler-locking: thread 2 did not move")


main(test)
