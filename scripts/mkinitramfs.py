#!/usr/bin/env python3
"""mkinitramfs.py - writes a newc cpio archive (an initramfs) without root:
device nodes such as /dev/console are written as archive entries, not
created on the host.

  mkinitramfs.py OUT ENTRY...
    file:DEST=SRC[:MODE]   a host file (mode default: the host file's)
    dir:DEST               a directory (0755)
    link:DEST=TARGET       a symbolic link
    cdev:DEST=MAJ,MIN      a character device (0600)
"""
import os
import stat
import sys


def header(ino, mode, size, nlink=1, rmaj=0, rmin=0, namesize=0):
    fields = [ino, mode, 0, 0, nlink, 0, size, 0, 0, rmaj, rmin, namesize, 0]
    return b"070701" + b"".join(b"%08x" % f for f in fields)


def pad(n):
    return b"\0" * ((4 - n % 4) % 4)


def entry(out, ino, name, mode, data=b"", rmaj=0, rmin=0):
    nb = name.encode() + b"\0"
    h = header(ino, mode, len(data), 2 if stat.S_ISDIR(mode) else 1, rmaj, rmin, len(nb))
    out.write(h + nb + pad(len(h) + len(nb)))
    out.write(data + pad(len(data)))


def main(argv):
    if len(argv) < 2:
        sys.exit(__doc__)
    ents = []
    for spec in argv[2:]:
        kind, _, rest = spec.partition(":")
        dest, _, src = rest.partition("=")
        dest = dest.lstrip("/")
        if kind == "file":
            path, _, mode = src.partition(":")
            with open(path, "rb") as f:
                data = f.read()
            m = int(mode, 8) if mode else stat.S_IMODE(os.stat(path).st_mode)
            ents.append((dest, stat.S_IFREG | m, data, 0, 0))
        elif kind == "dir":
            ents.append((dest, stat.S_IFDIR | 0o755, b"", 0, 0))
        elif kind == "link":
            ents.append((dest, stat.S_IFLNK | 0o777, src.encode(), 0, 0))
        elif kind == "cdev":
            maj, mn = (int(x) for x in src.split(","))
            ents.append((dest, stat.S_IFCHR | 0o600, b"", maj, mn))
        else:
            sys.exit("mkinitramfs.py: unknown entry kind in %r" % spec)
    # parents before children
    seen = {e[0] for e in ents}
    for d in sorted({os.path.dirname(e[0]) for e in ents}):
        parts = d.split("/") if d else []
        for i in range(len(parts)):
            p = "/".join(parts[: i + 1])
            if p not in seen:
                seen.add(p)
                ents.append((p, stat.S_IFDIR | 0o755, b"", 0, 0))
    ents.sort(key=lambda e: e[0])
    tmp = argv[1] + ".tmp"
    with open(tmp, "wb") as out:
        for ino, (name, mode, data, rmaj, rmin) in enumerate(ents, 1):
            entry(out, ino, name, mode, data, rmaj, rmin)
        entry(out, 0, "TRAILER!!!", 0)
        out.write(b"\0" * ((512 - out.tell() % 512) % 512))
    os.replace(tmp, argv[1])


if __name__ == "__main__":
    main(sys.argv)
