#!/usr/bin/env bash
# check.sh - cross-builds the library, the example VMM and the Check suites
# for aarch64 (into build-arm64/, with the kvm backend) and runs them with
# HV_BACKEND=kvm inside the nested-KVM VM of tests/kvm/run-vm.
#
#   tests/kvm/check.sh [--if-available] [SUITE...]
#                                   e.g. test_api test_exits (default: all)
#
# --if-available (make check): when a prerequisite is missing (cross
# compiler, cpio, qemu-system-aarch64, a Debian apt setup) or the kernel and
# arm64 libraries cannot be fetched, print why and exit 0 instead of failing.
#
# Environment: KVM_BUILD (default build-arm64), CROSS (default
# aarch64-linux-gnu-), CK_DEFAULT_TIMEOUT (default 300), RUN_VM_OPTS (extra
# run-vm options).
# Exit status: 0 if the demo and every suite passed.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(cd "$here/../.." && pwd)
build=${KVM_BUILD:-build-arm64}
cross=${CROSS:-aarch64-linux-gnu-}
cd "$top"
# Called from make: the parent's flags and command-line variables (BUILD,
# SAN, OPT, ...) must not leak into the cross build.
unset MAKEFLAGS MFLAGS MAKEOVERRIDES MAKELEVEL BUILD SAN OPT CFLAGS LDFLAGS LDLIBS

if [ "${1:-}" = --if-available ]; then
	shift
	skip() { echo "kvm suites skipped: $*"; exit 0; }
	for t in "${cross}gcc" cpio apt-get dpkg-deb; do
		command -v "$t" >/dev/null || skip "no $t"
	done
	[ -x "${HVDBG_KVM_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/hvdbg-kvm}/qemu/usr/bin/qemu-system-aarch64" ] ||
		command -v qemu-system-aarch64 >/dev/null || skip "no qemu-system-aarch64"
	"$here/run-vm" --fetch-only >/dev/null 2>&1 || skip "cannot fetch the arm64 kernel (tests/kvm/run-vm --fetch-only)"
	"$here/run-vm" --sysroot >/dev/null 2>&1 || skip "cannot fetch the arm64 libraries (tests/kvm/run-vm --sysroot)"
fi

sysroot=$("$here/run-vm" --sysroot)
libdir=$sysroot/usr/lib/aarch64-linux-gnu
absbuild=$(mkdir -p "$build" && cd "$build" && pwd)
# The suites link libunicorn (tests/support/diff_harness.c), which only
# works as a shared library (its static archive overflows the GOT and
# clashes with emu symbols): they are linked dynamically and run-vm puts
# the libraries into the initramfs.  The demo VMM is static.
# HVDBG_LIB(S) empty: the backend suites do not use the debugger layers
# (libhvdbg needs libelf, libdw, libedit, capstone, absent from the sysroot).
make_args=(CC="${cross}gcc" CROSS="$cross" OBJCOPY="${cross}objcopy" BUILD="$build" HOST_ARCH=aarch64 HVDBG_LIB= HVDBG_LIBS=
	TEST_CFLAGS="-I$sysroot/usr/include -Itests/support -DGUEST_DIR=\\\"$absbuild/tests/guests\\\""
	TEST_LIBS="-L$libdir -Wl,-Bstatic -lcheck -lsubunit -Wl,-Bdynamic -lunicorn -lm -lrt")
suites=()
want_linux=1
if [ $# -gt 0 ]; then
	want_linux=0
	for s in "$@"; do
		s=${s#tests/}; s=${s%.c}
		if [ "$s" = test_linux ]; then want_linux=1; else suites+=("$build/tests/$s"); fi
	done
else
	# The backend conformance suites: those built on the public-API
	# fixture (tests/support/guest.h), plus the FP guest/trap suite.  Not
	# test_diff_* (the interpreter against unicorn, no backend involved)
	# nor the debugger layers' suites (ELF loader, machine, REPL, gdb
	# server, tutorial: they need libelf/libedit/capstone and gdb).
	for s in tests/test_*.c; do
		grep -q '^#include "guest.h"' "$s" || [ "$s" = tests/test_fp_guest.c ] || continue
		grep -q '^#include "\.\./src/' "$s" && continue
		s=${s#tests/}; suites+=("$build/tests/${s%.c}")
	done
fi
make -s -j2 "${make_args[@]}" LDFLAGS=-static examples >&2
make -s -j2 "${make_args[@]}" guests ${suites[@]+"${suites[@]}"} >&2

cmds=("$build/examples/vmm/mini_vmm" "$build/examples/guests/hello.bin")
for s in ${suites[@]+"${suites[@]}"}; do cmds+=(--then "$s"); done

# The Linux boot of test_linux on kvm (all suites, or test_linux asked
# for): the hvdbg program, static against the sysroot's archives, boots
# Debian's kernel (the nested VM's own) with --smp 2 to tests/linux/
# check-init; its checks failing end in SYSTEM_RESET (exit 3).
if [ $want_linux = 1 ]; then
	make -s -j2 "${make_args[@]}" HVDBG_LIB="$build/libhvdbg.a" HVDBG_CFLAGS="-I$sysroot/usr/include" \
		LDFLAGS=-static HVDBG_LIBS="-L$libdir -ledit -ltinfo -lbsd -lmd -lcapstone -lfdt -ldw -lelf -lz -llzma -lbz2 -lzstd" \
		"$build/hvdbg" 2>&1 | grep -v 'statically linked applications requires at runtime\|in function' >&2 || true
	read -r kernel _ < <("$here/run-vm" --linux)
	mkdir -p "$absbuild/linux"
	sum=$("$top/tests/linux/initramfs.sh" check "$absbuild/linux/check.cpio")
	cmds+=(--then "$build/hvdbg" --kernel "$kernel" --initrd "$absbuild/linux/check.cpio" --smp 2 --run
		--timeout 1200 --append "console=ttyAMA0 panic=-1 quiet hvdbg.online=0-1 hvdbg.sum=$sum")
fi
# HVDBG_TEST_L0: the KVM host is QEMU TCG (tests/support/backend.h).
# shellcheck disable=SC2086 # RUN_VM_OPTS is a list of options
exec "$here/run-vm" ${RUN_VM_OPTS:-} --env HV_BACKEND=kvm --env HVDBG_TEST_L0=tcg \
	--env "CK_DEFAULT_TIMEOUT=${CK_DEFAULT_TIMEOUT:-300}" \
	--add "$build/tests/guests" --lib "$libdir/libunicorn.so.2" "${cmds[@]}"
