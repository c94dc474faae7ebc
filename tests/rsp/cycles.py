"""Connection churn while the guest runs: 1,000 connect/disconnect cycles,
each resuming the guest and then sending a malformed stream (random bytes,
partial packets, bad checksums, stray Ctrl-C) and hanging up, often in the
middle of a packet.  Afterwards the server must still answer a clean
session.

    python3 cycles.py PORT [CYCLES]      exit status = failures
"""
import random
import socket
import sys
import time

PORT = int(sys.argv[1])
CYCLES = int(sys.argv[2]) if len(sys.argv) > 2 else 1000
rng = random.Random(1234)


def frame(data):
    return b"$" + data + b"#%02x" % (sum(data) & 0xff)


def connect():
    for _ in range(100):
        try:
            return socket.create_connection(("127.0.0.1", PORT), timeout=20)
        except OSError:
            time.sleep(0.05)
    raise SystemExit("FAIL: cannot connect")


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


def read_packet(s):
    buf = b""
    while True:
        d = s.recv(65536)
        if not d:
            raise EOFError("server closed the connection")
        buf += d
        j = buf.find(b"$")
        i = buf.find(b"#", j + 1) if j >= 0 else -1
        if j >= 0 and i >= 0 and len(buf) >= i + 3:
            s.sendall(b"+")
            return unrle(buf[j + 1:i])


def malformed():
    kind = rng.randrange(6)
    if kind == 0:
        return bytes(rng.randrange(256) for _ in range(rng.randrange(1, 200)))
    if kind == 1:
        return b"$m40000000,4"  # hang up mid-packet
    if kind == 2:
        return b"$g#00"  # bad checksum
    if kind == 3:
        return b"\x03" + frame(b"vCont;c")  # interrupt, then resume again
    if kind == 4:
        return frame(b"M40000000," + b"f" * rng.randrange(1, 50))  # malformed M
    return b"$" + b"Z" * rng.randrange(1, 5000)  # long unterminated packet


t0 = time.time()
for n in range(CYCLES):
    s = connect()
    try:
        # A round trip first, so that the client goes at the server's
        # pace (otherwise the listen backlog fills and the kernel drops
        # SYNs, which only measures TCP's retransmit timer).
        s.sendall(frame(b"?"))
        r = read_packet(s)
        if not (r.startswith(b"T") or r.startswith(b"S")):
            print("FAIL: cycle %d: ? -> %r" % (n, r[:20]))
            sys.exit(1)
        s.sendall(frame(b"vCont;c"))  # the guest runs while we misbehave
        s.sendall(malformed())
    except (OSError, EOFError) as e:
        print("FAIL: cycle %d: %s" % (n, e))
        sys.exit(1)
    s.close()
elapsed = time.time() - t0

failures = 0
s = connect()
s.sendall(frame(b"?"))
r = read_packet(s)
ok = r.startswith(b"T") or r.startswith(b"S")
print("%s: after %d cycles in %.1f s, ? -> %r" % ("PASS" if ok else "FAIL", CYCLES, elapsed, r[:20]))
failures += 0 if ok else 1
s.sendall(frame(b"g"))
r = read_packet(s)
ok = len(r) >= 536
print("%s: g -> %d hex digits" % ("PASS" if ok else "FAIL", len(r)))
failures += 0 if ok else 1
s.sendall(frame(b"m40000000,4"))
r = read_packet(s)
ok = len(r) == 8
print("%s: m40000000,4 -> %r" % ("PASS" if ok else "FAIL", r))
failures += 0 if ok else 1
s.close()
sys.exit(failures)
