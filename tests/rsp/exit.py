"""A guest that powers off (PSCI SYSTEM_OFF): gdb sees the exit (W00)."""
import gdb
from gdbtest import *

codes = []


def on_exit(ev):
    codes.append(getattr(ev, "exit_code", None))


def test():
    gdb.events.exited.connect(on_exit)
    run("continue")
    report(codes == [0], "inferior exited with code 0 (%s)" % codes)


main(test, kill=False)
