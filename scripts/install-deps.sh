#!/bin/sh
# Installs the Debian packages hvdbg needs to build, test and benchmark
# (libclang-rt-dev: libFuzzer for make fuzz; valgrind: make check-valgrind;
# gnuplot-nox: the plot of make bench; libfdt-dev, zlib1g-dev: the Linux
# machine's device tree and Image.gz; device-tree-compiler: tests decompile it).
set -e
SUDO=
[ "$(id -u)" -ne 0 ] && SUDO=sudo
PKGS="build-essential clang pkg-config check libunicorn-dev libcapstone-dev \
libedit-dev libelf-dev libdw-dev gcc-aarch64-linux-gnu binutils-aarch64-linux-gnu \
qemu-system-arm gdb-multiarch python3 cpio libc6-dev-arm64-cross \
libclang-rt-dev valgrind gnuplot-nox libfdt-dev zlib1g-dev device-tree-compiler"
missing=
for p in $PKGS; do
	dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"
done
if [ -n "$missing" ]; then
	$SUDO apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $missing
fi
