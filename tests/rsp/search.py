"""find (qSearch:memory) with patterns that hold NUL bytes, a match across
the server's read windows, no match, repeated finds in one session; a
monitor command longer than 512 bytes."""
import gdb
from gdbtest import *

BASE = 0x40080000


def find(expr):
    return run("find " + expr)


def test():
    inf = gdb.selected_inferior()
    # 8 KiB of 0xff, then B (0x14000000 = "b .", bytes 00 00 00 14) at
    # +0x100 and again across the 4 KiB window edge at +0xffe.
    inf.write_memory(BASE, b"\xff" * 0x2000)
    word = (0x14000000).to_bytes(4, "little")
    inf.write_memory(BASE + 0x100, word)
    out = find("/w %#x, +0x1000, 0x14000000" % BASE)
    report(("%#x" % (BASE + 0x100)) in out and "1 pattern found" in out,
           "find /w of a word with NUL bytes: " + out.strip().replace("\n", " | "))
    inf.write_memory(BASE + 0x100, b"\xff" * 4)
    inf.write_memory(BASE + 0xffe, word)
    out = find("/w %#x, +0x2000, 0x14000000" % BASE)
    report(("%#x" % (BASE + 0xffe)) in out, "match across a window edge: " + out.strip().replace("\n", " | "))
    out = find("/b %#x, +0x800, 0, 0, 0, 0x15" % BASE)
    report("Pattern not found" in out, "no match: " + out.strip())
    # Later finds in the same session still work (no protocol error).
    out = find("/b %#x, +0x10, '4', '5'" % sym("buffer"))
    report(("%#x" % (sym("buffer") + 4)) in out, "a later find: " + out.strip().replace("\n", " | "))
    # The server answers qSearch:memory itself (not gdb's fallback).
    out = run("maint packet qSearch:memory:%x;10;89ab" % sym("buffer"))
    report(("1,%x" % (sym("buffer") + 8)) in out, "qSearch:memory reply: " + out.strip())
    out = run("maint packet qSearch:memory:%x;8;89ab" % sym("buffer"))
    report('"0"' in out, "qSearch:memory, not in range: " + out.strip())
    # Unreadable memory in the range is an error, not "not found".
    out = run("maint packet qSearch:memory:10;100;89ab")
    report('"E' in out, "qSearch:memory outside RAM: " + out.strip())

    # A monitor command of more than 512 bytes: an HVC syndrome written
    # with 600 leading zeros.
    out = run("monitor esr 0x" + "0" * 600 + "5a000001")
    report("HVC" in out, "600-byte monitor command: " + out.strip()[:80])


main(test)
