"""Helpers for the gdb end-to-end scenarios (run inside gdb-multiarch -batch
with -x SCRIPT, after `target remote`), in the style of QEMU's
tests/guest-debug/test_gdbstub.py: report() counts failures, finish()
exits gdb with the failure count as its status."""
import gdb

failures = 0


def report(cond, msg):
    global failures
    print("%s: %s" % ("PASS" if cond else "FAIL", msg))
    if not cond:
        failures += 1
    return cond


def sym(name):
    """Address of a (possibly untyped assembler) symbol."""
    return int(gdb.parse_and_eval("(unsigned long)&%s" % name))


def reg(name):
    v = gdb.parse_and_eval("$%s" % name)
    if v.type.code == gdb.TYPE_CODE_FLAGS:  # cpsr: no cast, but int() works
        return int(v)
    return int(v.cast(gdb.lookup_type("unsigned long")))


def pc():
    return reg("pc")


def read_u64(addr):
    mem = gdb.selected_inferior().read_memory(addr, 8)
    return int.from_bytes(bytes(mem), "little")


def run(cmd):
    return gdb.execute(cmd, to_string=True)


def finish(kill=True):
    if kill:
        try:
            gdb.execute("kill")
        except gdb.error:
            pass
    print("RESULT: %d failure(s)" % failures)
    gdb.execute("exit %d" % failures)


def main(test, kill=True):
    try:
        report(gdb.selected_inferior().pid != 0, "attached")
        test()
    except Exception as e:  # a gdb error is a failure, not a crash
        report(False, "exception: %r" % (e,))
    finish(kill)
