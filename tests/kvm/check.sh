#!/usr/bin/env bash
# check.sh - cross-builds the library, the example VMM and the Check suites
# statically for aarch64 (into build-arm64/, with the kvm backend) and runs
# them with HV_BACKEND=kvm inside the nested-KVM VM of tests/kvm/run-vm.
#
#   tests/kvm/check.sh [SUITE...]    e.g. test_api test_exits (default: all)
#
# Environment: BUILD (default build-arm64), CROSS (default aarch64-linux-gnu-),
# CK_DEFAULT_TIMEOUT (default 300), RUN_VM_OPTS (extra run-vm options).
# Exit status: 0 if the demo and every suite passed.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(cd "$here/../.." && pwd)
build=${BUILD:-build-arm64}
cross=${CROSS:-aarch64-linux-gnu-}
cd "$top"

sysroot=$("$here/run-vm" --sysroot)
libdir=$sysroot/usr/lib/aarch64-linux-gnu
absbuild=$(mkdir -p "$build" && cd "$build" && pwd)
# The suites link libunicorn (tests/support/diff_harness.c), which only
# works as a shared library (its static archive overflows the GOT and
# clashes with emu symbols): they are linked dynamically and run-vm puts
# the libraries into the initramfs.  The demo VMM is static.
make_args=(CC="${cross}gcc" CROSS="$cross" BUILD="$build" HOST_ARCH=aarch64
	TEST_CFLAGS="-I$sysroot/usr/include -Itests/support -DGUEST_DIR=\\\"$absbuild/tests/guests\\\""
	TEST_LIBS="-L$libdir -Wl,-Bstatic -lcheck -lsubunit -Wl,-Bdynamic -lunicorn -lm -lrt")
make -s "${make_args[@]}" LDFLAGS=-static examples >&2
make -s "${make_args[@]}" tests >&2

suites=()
if [ $# -gt 0 ]; then
	for s in "$@"; do suites+=("$build/tests/${s#tests/}"); done
else # test_diff_*: the interpreter against unicorn, no backend involved
	for s in "$build"/tests/test_*; do [ -x "$s" ] && case $s in */test_diff_*) ;; *) suites+=("$s") ;; esac; done
fi

cmds=("$build/examples/vmm/mini_vmm" "$build/examples/guests/hello.bin")
for s in "${suites[@]}"; do cmds+=(--then "$s"); done
# shellcheck disable=SC2086 # RUN_VM_OPTS is a list of options
exec "$here/run-vm" ${RUN_VM_OPTS:-} --env HV_BACKEND=kvm \
	--env "CK_DEFAULT_TIMEOUT=${CK_DEFAULT_TIMEOUT:-300}" \
	--add "$build/tests/guests" --lib "$libdir/libunicorn.so.2" "${cmds[@]}"
