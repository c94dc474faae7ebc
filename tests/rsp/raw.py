"""Raw-socket protocol checks (no gdb), lldb-server-test style: malformed
packets, bad checksums, oversized packets, garbage, disconnects mid-packet
and while running, then reconnects; plus exact replies gdb relies on
(g size, target.xml, watchpoint stop reply with the PC at the access).

    python3 raw.py PORT GUEST.elf        exit status = failures
"""
import socket
import subprocess
import sys
import time

PORT = int(sys.argv[1])
SYMS = {}
for line in subprocess.run(["nm", sys.argv[2]], capture_output=True, text=True).stdout.splitlines():
    f = line.split()
    if len(f) == 3:
        SYMS[f[2]] = int(f[0], 16)
failures = 0


def report(cond, msg):
    global failures
    print("%s: %s" % ("PASS" if cond else "FAIL", msg))
    failures += 0 if cond else 1
    return cond


def frame(data):
    return b"$" + data + b"#%02x" % (sum(data) & 0xff)


def unrle(data):
    out = bytearray()
    i = 0
    while i < len(data):
        if data[i] == ord("*"):
            out += out[-1:] * (data[i + 1] - 29)
            i += 2
        elif data[i] == ord("}"):
            out.append(data[i + 1] ^ 0x20)
            i += 2
        else:
            out.append(data[i])
            i += 1
    return bytes(out)


class Conn:
    def __init__(self):
        for _ in range(50):
            try:
                self.s = socket.create_connection(("127.0.0.1", PORT), timeout=20)
                break
            except OSError:
                time.sleep(0.1)
        self.buf = b""

    def recv_more(self):
        d = self.s.recv(65536)
        if not d:
            raise EOFError("server closed the connection")
        self.buf += d

    def byte(self):
        """Next ack byte (+/-)."""
        while not self.buf:
            self.recv_more()
        c, self.buf = self.buf[:1], self.buf[1:]
        return c

    def packet(self):
        while True:
            while self.buf[:1] in (b"+", b"-"):
                self.buf = self.buf[1:]
            j = self.buf.find(b"$")
            i = self.buf.find(b"#", j + 1) if j >= 0 else -1
            if j >= 0 and i >= 0 and len(self.buf) >= i + 3:
                data = self.buf[j + 1:i]
                cs = int(self.buf[i + 1:i + 3], 16)
                self.buf = self.buf[i + 3:]
                assert cs == sum(data) & 0xff, "bad checksum from the server"
                self.s.sendall(b"+")
                return unrle(data)
            self.recv_more()

    def cmd(self, data):
        self.s.sendall(frame(data))
        return self.packet()

    def close(self):
        self.s.close()


def attach():
    c = Conn()
    r = c.cmd(b"qSupported:multiprocess+;swbreak+;hwbreak+")
    return c, r


# --- basics and exact replies -------------------------------------------
c, r = attach()
report(b"PacketSize=" in r and b"QStartNoAckMode+" in r, "qSupported: %s" % r[:80])
report(c.cmd(b"vMustReplyEmpty") == b"", "vMustReplyEmpty -> empty")
report(c.cmd(b"?").startswith(b"T05thread:p1.1;"), "? -> T05thread:p1.1")
g = c.cmd(b"g")
report(len(g) == 536, "g = 268 bytes (%d hex)" % len(g))
report(len(c.cmd(b"p22")) == 32, "p22 (v0) = 16 bytes")
report(len(c.cmd(b"p43")) == 8, "p43 (fpcr) = 4 bytes")
report(c.cmd(b"p44").isalnum(), "p44 (first system register)")
report(c.cmd(b"pfff").startswith(b"E"), "p of a missing register -> E")
xml = b""
while True:
    r = c.cmd(b"qXfer:features:read:target.xml:%x,200" % len(xml))
    xml += r[1:]
    if r[:1] == b"l":
        break
report(all(f in xml for f in (b"org.gnu.gdb.aarch64.core", b"org.gnu.gdb.aarch64.fpu",
                              b"sctlr_el1", b"</target>")), "target.xml in 0x200-byte chunks (%d bytes)" % len(xml))

# --- malformed input ------------------------------------------------------
c.s.sendall(b"garbage\x00\xff\xfe hello }}}} ###")
report(c.cmd(b"?").startswith(b"T05"), "garbage between packets is ignored")
c.s.sendall(b"$g#00")
report(c.byte() == b"-", "bad checksum -> '-'")
c.s.sendall(b"$*#" + b"%02x" % (ord("*") & 0xff))
report(c.byte() == b"-", "malformed RLE -> '-'")
c.s.sendall(b"$g#zz")
report(c.byte() == b"-", "non-hex checksum -> '-'")
r = c.cmd(b"m" + b"0" * 0x30000)
report(r.startswith(b"E"), "oversized packet -> error reply (%s)" % r)
for bad in (b"m", b"mxyz", b"m40000000", b"m40000000,", b"M40000000,4:zz", b"M40000000,4:001122",
            b"X40000000,10:ab", b"Z9,0,0", b"Z0,zz", b"Hgp7.9", b"Hx1", b"vCont;q", b"vCont;s:p1.99",
            b"qRcmd,123", b"qRcmd,zz", b"P1=00", b"G00", b"T99", b"qXfer:features:read:nope.xml:0,10",
            b"m" + b"f" * 40 + b",4", b"m40000000,ffffffffffffffffff"):
    r = c.cmd(bad)
    report(r.startswith(b"E") or r == b"", "%r -> %r" % (bad[:30], r[:20]))
report(len(c.cmd(b"m40000000,100000")) > 0, "huge m length is a short read")
report(c.cmd(b"m0,4").startswith(b"E"), "m outside RAM -> E")
report(c.cmd(b"M9000000,1:41").startswith(b"E"), "M to the UART (MMIO) is refused")
report(c.cmd(b"Mffffffffffffff00,100:" + b"00" * 256).startswith(b"E"), "M wrapping the address space -> E")
report(c.cmd(b"\x00\x01\x02") in (b"", b"E16"), "NUL bytes in a packet")
report(c.cmd(b"X40080000,4:\x00}\x03\x07".replace(b"}", b"}\x5d")) == b"OK", "X binary write with an escape")
report(c.cmd(b"m40080000,4") == b"007d0307", "X wrote the escaped bytes")
r, text = c.cmd(b"qRcmd," + b"help".hex().encode()), b""
while r.startswith(b"O") and r != b"OK":
    text += bytes.fromhex(r[1:].decode())
    r = c.packet()
report(r == b"OK" and b"pagewalk" in text, "monitor help: O packets then OK")

# --- watchpoint stop reply: address and the PC of the access ------------
counter = SYMS["counter"]
report(c.cmd(b"Z2,%x,8" % counter) == b"OK", "Z2 on counter")
r = c.cmd(b"vCont;c:p1.-1")
report(b"watch:%x;" % counter in r, "stop reply names the watched address: %s" % r[:60])
pcv = [f for f in r.split(b";") if f.startswith(b"20:")]
pcval = int.from_bytes(bytes.fromhex(pcv[0][3:].decode()), "little") if pcv else 0
report(pcval == SYMS["do_write"], "PC at the accessing instruction (%#x)" % pcval)
report(c.cmd(b"z2,%x,8" % counter) == b"OK", "z2")
report(c.cmd(b"Z4,%x,10" % (counter + 4)) == b"OK", "unaligned 16-byte awatch is split over slots")
report(c.cmd(b"z4,%x,10" % (counter + 4)) == b"OK", "and removed")
report(c.cmd(b"Z2,%x,100000" % (counter + 3)).startswith(b"E"), "a range needing too many slots -> E")

# --- Ctrl-C -----------------------------------------------------------------
c.s.sendall(frame(b"vCont;c"))
time.sleep(0.3)
c.s.sendall(b"\x03")
r = c.packet()
report(r.startswith(b"T02"), "0x03 while running -> T02 (%s)" % r[:20])

# --- disconnects -------------------------------------------------------------
c.s.sendall(b"$m4000")            # half a packet, then gone
c.close()
c, _ = attach()
report(c.cmd(b"?").startswith(b"T05"), "reconnect after a half packet")
c.s.sendall(frame(b"vCont;c"))    # running, then gone
time.sleep(0.2)
c.close()
c, _ = attach()
report(c.cmd(b"?").startswith(b"T05"), "reconnect after disconnecting while running")
report(c.cmd(b"QStartNoAckMode") == b"OK", "QStartNoAckMode")
report(c.cmd(b"g").__len__() == 536, "no-ack mode works")
c.s.sendall(b"$g#00")             # bad checksum in no-ack mode: dropped
report(c.cmd(b"?").startswith(b"T05"), "bad checksum in no-ack mode is dropped")
c.s.sendall(frame(b"vKill;1"))
report(c.packet() == b"OK", "vKill -> OK")
c.close()
print("RESULT: %d failure(s)" % failures)
sys.exit(failures)
