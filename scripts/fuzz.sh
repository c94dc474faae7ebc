#!/bin/sh
# fuzz.sh - builds the libFuzzer targets fuzz/*.c with clang
# (-fsanitize=fuzzer,address,undefined) and runs each for a bounded time.
#
#   scripts/fuzz.sh [TARGET...]          (default: every fuzz/*.c)
#
# Environment: FUZZ_SECONDS (per target, default 60), FUZZ_BUILD (default
# build-fuzz), FUZZ_BUILD_ONLY=1 (build, do not run), CLANG (default clang).
#
# Corpora: the committed seeds tests/fuzz-corpus/TARGET/ are read; inputs
# found during the run go to $FUZZ_BUILD/corpus/TARGET/ (not committed),
# crashes to $FUZZ_BUILD/crashes/TARGET/.  Exits non-zero if any target
# found a crash; reproduce with $FUZZ_BUILD/TARGET CRASH_FILE.
set -eu
cd "$(dirname "$0")/.."
B=${FUZZ_BUILD:-build-fuzz}
SECS=${FUZZ_SECONDS:-60}
CLANG=${CLANG:-clang}
SAN="-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer"

command -v "$CLANG" >/dev/null || { echo "fuzz: $CLANG not installed (make deps)"; exit 1; }
unset MAKEFLAGS MFLAGS MAKEOVERRIDES

# The library with coverage instrumentation (fuzzer-no-link) and sanitizers.
lib() { # lib TARGET.a
	make -s BUILD="$B" CC="$CLANG" OPT=-O1 SAN="-fsanitize=fuzzer-no-link $SAN" "$B/$1" >&2
}

build() { # build TARGET -> $B/TARGET
	t=$1 src=fuzz/$1.c extra= libs=
	case $t in
	a64_exec_fuzz)
		lib libhypervisor.a; extra="fuzz/support/a64_guest.c tests/support/hvc_image.c $B/libhypervisor.a"; libs="-lpthread -lm" ;;
	jit_diff_fuzz)	# asks the backend what it retired (src/vcpu/emu/probe.h)
		lib libhypervisor-internal.a
		extra="fuzz/support/a64_guest.c tests/support/hvc_image.c tests/support/vcpu_outcome.c $B/libhypervisor-internal.a"
		libs="-lpthread -lm" ;;
	elf_load_fuzz)
		extra="src/elf/elf_image.c src/elf/elf_lines.c src/elf/elf_funcs.c"; libs="-lelf -ldw" ;;
	rsp_packet_fuzz)
		extra="src/rsp/rsp_packet.c" ;;
	*)	# anything else: the whole debugger library
		lib libhypervisor.a; lib libhvdbg.a
		extra="$B/libhvdbg.a $B/libhypervisor.a"
		libs="-lelf -ldw -ledit -lcapstone -lpthread -lm" ;;
	esac
	# shellcheck disable=SC2086 # lists of files and flags
	"$CLANG" -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -g -O1 -Iinclude \
		-fsanitize=fuzzer $SAN -o "$B/$t" "$src" $extra $libs
}

if [ $# -eq 0 ]; then
	set --
	for f in fuzz/*.c; do set -- "$@" "$(basename "$f" .c)"; done
fi
mkdir -p "$B"
for t in "$@"; do
	echo "== fuzz: building $t"
	build "$t"
done
[ -n "${FUZZ_BUILD_ONLY:-}" ] && exit 0

fail=0
for t in "$@"; do
	seeds=tests/fuzz-corpus/$t
	[ "$t" = jit_diff_fuzz ] && seeds=tests/fuzz-corpus/a64_exec_fuzz # the same input format
	[ -d "$seeds" ] || seeds=tests/fuzz-corpus/${t%_fuzz}
	mkdir -p "$B/corpus/$t" "$B/crashes/$t" "$seeds"
	echo "== fuzz: $t for ${SECS}s"
	# -timeout: one input may not take longer (a hang is a finding too).
	if "$B/$t" -max_total_time="$SECS" -timeout=10 -rss_limit_mb=2048 \
		-print_final_stats=1 \
		-artifact_prefix="$B/crashes/$t/" "$B/corpus/$t" "$seeds" \
		>"$B/$t.log" 2>&1; then
		grep -E '^stat::number_of_executed_units|^#[0-9]+.*DONE' "$B/$t.log" | tail -2
	else
		fail=1
		echo "fuzz: $t FAILED; log $B/$t.log, inputs in $B/crashes/$t/:"
		ls "$B/crashes/$t/"
		grep -E 'ERROR|SUMMARY|_fuzz:|==[0-9]+==' "$B/$t.log" | head -20
	fi
done
exit $fail
