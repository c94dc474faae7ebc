#!/usr/bin/env python3
"""jit-profile.py - where a program's time goes in the emu backend's
translated code, by translation and by host instruction, on a host
without hardware performance counters (perf's cpu-clock samples).

  scripts/jit-profile.py [-n TOP] [-a GUEST_PC] [-F HZ] -- COMMAND [ARG...]

Runs COMMAND (a VMM on libhypervisor, e.g. build/bench/bench_vmm GUEST.bin
or build/hvdbg --kernel ...) under `perf record -e cpu-clock` with
HV_EMU_JIT_PERFMAP=1 and HV_EMU_JIT_DUMP (jit_perfmap.c), then prints the
share of samples in translated code, in the TOP translations (named
guest_<pc> by the guest PC they are entered at) and in the rest of the
process; with -a, the x86-64 code of the translation entered at GUEST_PC
(objdump) with each instruction's share (a sample lands on the
instruction after the one that waited, as usual).  A code cache reused
after a flush maps one address to several translations: samples go to
the last one made there.  Needs perf (Debian: linux-perf) and objdump.
"""
import argparse
import bisect
import collections
import os
import re
import shutil
import subprocess
import sys
import tempfile


def main():
    ap = argparse.ArgumentParser(usage=__doc__)
    ap.add_argument("-n", type=int, default=15, help="translations listed")
    ap.add_argument("-a", metavar="GUEST_PC", help="annotate the translation entered at this PC (hex)")
    ap.add_argument("-F", type=int, default=10000, help="samples per second")
    ap.add_argument("command", nargs=argparse.REMAINDER)
    args = ap.parse_args()
    cmd = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not cmd:
        ap.error("no command")
    for tool in ("perf", "objdump"):
        if not shutil.which(tool):
            sys.exit("jit-profile: %s not installed" % tool)
    tmp = tempfile.mkdtemp(prefix="jit-profile-")
    env = dict(os.environ, HV_EMU_JIT_PERFMAP="1", HV_EMU_JIT_DUMP=tmp)
    data = os.path.join(tmp, "perf.data")
    rc = subprocess.call(["perf", "record", "-q", "-e", "cpu-clock", "-F", str(args.F), "-o", data, "--"] + cmd,
                         env=env, stdout=subprocess.DEVNULL)
    if rc != 0:
        print("jit-profile: the command exited with %d" % rc, file=sys.stderr)
    out = subprocess.run(["perf", "script", "-i", data, "-F", "pid,ip,sym"], capture_output=True, text=True).stdout

    samples = []  # (pid, ip, symbol)
    for line in out.splitlines():
        f = line.split(None, 2)
        if len(f) >= 2:
            try:
                samples.append((int(f[0]), int(f[1], 16), f[2] if len(f) > 2 else "?"))
            except ValueError:
                pass
    if not samples:
        sys.exit("jit-profile: no samples")

    # Translations of every process sampled: (start, size, name) from its map.
    maps = {}
    for pid in {s[0] for s in samples}:
        ents = []
        try:
            with open("/tmp/perf-%d.map" % pid) as m:
                for line in m:
                    a, n, name = line.split()
                    ents.append((int(a, 16), int(n, 16), name))
        except OSError:
            pass
        ents.sort()
        maps[pid] = ([e[0] for e in ents], ents)

    by_block = collections.Counter()
    by_insn = collections.Counter()
    by_sym = collections.Counter()
    where = {}  # name -> start of its last translation
    for pid, ip, sym in samples:
        starts, ents = maps.get(pid, ([], []))
        i = bisect.bisect_right(starts, ip) - 1
        if i >= 0 and ip < ents[i][0] + ents[i][1]:
            start, _, name = ents[i]
            by_block[name] += 1
            by_insn[(start, ip - start)] += 1
            where[name] = start
        else:
            by_sym[sym.split("+")[0]] += 1
    total = len(samples)
    jit = sum(by_block.values())
    print("%d samples: %.1f%% in %d translations, %.1f%% elsewhere" %
          (total, 100.0 * jit / total, len(by_block), 100.0 * (total - jit) / total))
    print("translations:")
    for name, v in by_block.most_common(args.n):
        print("  %6.2f%%  %s" % (100.0 * v / total, name))
    print("elsewhere:")
    for name, v in by_sym.most_common(args.n):
        print("  %6.2f%%  %s" % (100.0 * v / total, name))

    if args.a:
        name = "guest_%x" % int(args.a, 16)
        if name not in where:
            sys.exit("jit-profile: no samples in %s" % name)
        start = where[name]
        dis = subprocess.run(["objdump", "-D", "-b", "binary", "-m", "i386:x86-64",
                              os.path.join(tmp, "%x.bin" % start)], capture_output=True, text=True).stdout
        print("%s (host code at 0x%x):" % (name, start))
        for line in dis.splitlines():
            m = re.match(r"^\s*([0-9a-f]+):\s+(?:[0-9a-f]{2} )+\s*(.*)", line)
            if m:
                v = by_insn.get((start, int(m.group(1), 16)), 0)
                print("  %6.2f%%  %5s  %s" % (100.0 * v / total, m.group(1), m.group(2)))
    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
