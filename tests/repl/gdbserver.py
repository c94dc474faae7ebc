"""gdb-multiarch on the REPL's `gdbserver PORT` (tests/test_repl.c): the
REPL stopped at its own breakpoint on func_a, then serves gdb.  The
REPL's breakpoints are out of the machine, watchpoints stop before the
access (gdb steps over it itself), and detach returns to the REPL."""
import gdb
from gdbtest import *


def test():
    report(pc() == sym("func_a"), "attached where the REPL stopped: pc=%#x" % pc())
    bp = gdb.Breakpoint("*do_write")
    run("continue")
    report(pc() == sym("do_write"), "gdb breakpoint at do_write: pc=%#x" % pc())
    report(bp.hit_count == 1, "hit once")
    run("stepi")
    report(pc() == sym("do_write") + 4, "stepi: pc=%#x" % pc())
    bp.delete()
    counter = sym("counter")
    w = gdb.Breakpoint("*(long *)%d" % counter, gdb.BP_WATCHPOINT, gdb.WP_WRITE)
    run("continue")
    # Stop-before from the server: gdb steps the store and stops right
    # after it.  A stop-after report would make gdb step the load too.
    report(pc() == sym("do_read"), "write watchpoint: pc after the store only (%#x)" % pc())
    report(read_u64(counter) == 0x1234, "the store is done")
    report(reg("x8") != 0x1234, "the following load has not run (x8 = %#x)" % reg("x8"))
    report(w.hit_count == 1, "the watchpoint hit once")
    w.delete()
    run("detach")


main(test, kill=False)
