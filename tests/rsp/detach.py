"""Detach lets the guest run on; a new connection stops it again."""
import os
import threading
import time
import gdb
from gdbtest import *


def test():
    gdb.Breakpoint("*main_loop")
    run("continue")
    run("delete")
    t0 = read_u64(sym("ticks"))
    run("detach")
    time.sleep(0.5)
    run("target remote 127.0.0.1:%s" % os.environ["RSP_PORT"])
    report(gdb.selected_inferior().pid != 0, "reattached")
    t1 = read_u64(sym("ticks"))
    report(t1 > t0, "the guest ran while detached (ticks %d -> %d)" % (t0, t1))
    report(sym("main_loop") <= pc() < sym("secondary"), "stopped in main_loop (%#x)" % pc())
    # Breakpoints still work in the new session.
    gdb.Breakpoint("*main_loop")
    run("continue")
    report(pc() == sym("main_loop"), "breakpoint after reattach")
    run("delete")
    run("detach")
    run("target remote 127.0.0.1:%s" % os.environ["RSP_PORT"])
    report(gdb.selected_inferior().pid != 0, "reattached twice")


main(test)
