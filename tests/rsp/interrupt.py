"""Ctrl-C (0x03) on a guest spinning in an infinite loop; the UART output
keeps flowing while gdb is attached (RSP_UART names the server's stdout)."""
import os
import threading
import time
import gdb
from gdbtest import *

signals = []


def on_stop(ev):
    if isinstance(ev, gdb.SignalEvent):
        signals.append(ev.stop_signal)


def interrupt_later(delay):
    threading.Timer(delay, lambda: gdb.post_event(lambda: gdb.execute("interrupt"))).start()


def test():
    gdb.events.stop.connect(on_stop)
    loop, end = sym("main_loop"), sym("secondary")
    for i in range(3):
        interrupt_later(0.7)
        run("continue")
        report(signals and signals[-1] == "SIGINT", "stopped by SIGINT (%s)" % signals)
        report(loop <= pc() < end, "pc in main_loop (%#x)" % pc())
    ticks = read_u64(sym("ticks"))
    report(ticks > 0, "the guest ran (ticks = %d)" % ticks)
    # Single steps still work after an interrupt.
    before = pc()
    run("stepi")
    report(pc() != before or loop <= pc() < end, "stepi after interrupt")
    time.sleep(0.2)
    uart = open(os.environ["RSP_UART"], "rb").read()
    report(b"rsptest: hello" in uart, "UART greeting printed while under gdb")
    report(uart.count(b".") >= 1, "UART output kept flowing (%d dots)" % uart.count(b"."))


main(test)
