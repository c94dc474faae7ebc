#!/bin/sh
# check-valgrind.sh - the Check suites under valgrind memcheck, each test in
# the suite's own process (CK_FORK=no, so memcheck sees every test and no
# fork hides an error); any memcheck error or definite leak fails.
#
#   scripts/check-valgrind.sh [SUITE...]     (default: all but the list below)
#
# Environment: BUILD (default build; the normal -O2 gcc build, no
# sanitizers), VALGRIND_OPTS (extra options).  Heavy suites are scaled
# down (DIFF_SCALE, LOAD_SECONDS) so that the whole run stays in minutes.
#
# Not run (they depend on fork or on other processes by design):
#   test_rsp_gdb   forks the gdb server and drives gdb-multiarch against it;
#                  timing-sensitive and the work is in the child
#   test_examples  forks/execs the example VMMs and the hvdbg program
#   test_repl, test_tutorial  drive the hvdbg program as a child process
#   test_install   runs make install and builds/runs programs against it
# Those programs' code is covered in-process by the other suites.
#
# The translator (src/vcpu/emu/jit/) is off (HV_EMU_JIT=0): valgrind
# would run stale copies of code it rewrites in its shared-file mapping.
#
# Memcheck only (a failing check is not an error, a memcheck error is):
#   test_diff_fp, test_fp_guest   valgrind does not emulate the host's
#                  floating-point exception flags nor non-default rounding
#                  modes, which the emu's FP core reads and sets through
#                  <fenv.h>: FPSR flags and directed roundings come out
#                  wrong under valgrind only.
set -eu
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
SKIP="test_rsp_gdb test_examples test_repl test_tutorial test_install"
MEMCHECK_ONLY="test_diff_fp test_fp_guest"
command -v valgrind >/dev/null || { echo "check-valgrind: valgrind not installed (make deps)"; exit 1; }
unset MAKEFLAGS MFLAGS MAKEOVERRIDES

if [ $# -eq 0 ]; then
	for f in tests/test_*.c; do
		s=$(basename "$f" .c)
		case " $SKIP " in *" $s "*) continue ;; esac
		set -- "$@" "$s"
	done
fi
bins=
for s in "$@"; do bins="$bins $BUILD/tests/${s%.c}"; done
# shellcheck disable=SC2086 # list of targets
make -s BUILD="$BUILD" $bins guests >&2

# --smc-check=all-non-file: unicorn (the differential suites' oracle) and
# our own guests' self-modifying code run from anonymous memory that
# changes under valgrind's translation cache.
VG="valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite
    --smc-check=all-non-file --suppressions=scripts/valgrind.supp ${VALGRIND_OPTS:-}"
fail=0
for s in "$@"; do
	s=${s%.c}
	echo "== valgrind $s"
	t0=$(date +%s)
	rc=0
	# shellcheck disable=SC2086 # VG is a command line
	HV_EMU_JIT=0 HV_TEST_TIME_SCALE=100 CANCEL_ROUNDS=${CANCEL_ROUNDS:-300} CK_FORK=no CK_DEFAULT_TIMEOUT=900 DIFF_SCALE=${DIFF_SCALE:-2} LOAD_SECONDS=${LOAD_SECONDS:-3} \
		HOSTILE_STEP=${HOSTILE_STEP:-0x400000} $VG "$BUILD/tests/$s" || rc=$?
	case " $MEMCHECK_ONLY " in *" $s "*) [ $rc -eq 1 ] && rc=0 && echo "   (check failures ignored: see the header)" ;; esac
	if [ $rc -eq 0 ]; then
		echo "   ok ($(($(date +%s) - t0)) s)"
	else
		[ $rc -eq 99 ] && why="memcheck errors" || why="exit $rc"
		echo "   FAILED: $s ($why)"
		fail=1
	fi
done
exit $fail
