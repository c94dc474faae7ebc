"""target remote | hvdbg --gdb-stdio: the same protocol over a pipe."""
import gdb
from gdbtest import *


def test():
    report(pc() == sym("_start"), "stopped at _start")
    gdb.Breakpoint("*func")
    run("continue")
    report(pc() == sym("func"), "breakpoint over a pipe")
    run("stepi")
    report(pc() == sym("func") + 4, "stepi over a pipe")


main(test)
