/*
 * test_repl.c - the hvdbg REPL as a user sees it.  The real program
 * ($(BUILD)/hvdbg) runs in a pseudo-terminal (forkpty): the test types
 * keys (TAB, arrows, Enter, Ctrl-C) and reads the screen output.  Also
 * the non-interactive modes (-ex, -x FILE, --batch) through a pipe.
 *
 * Guests: examples/guests/{dbgtest,frames,mmu}.S, built here as ELFs with
 * the cross compiler.  HOME is a fresh temporary directory, so the
 * history file (~/.hvdbg_history) is the test's own.
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "hvdbg_env.h"
#include "term.h"

static char g_src[512], g_build[512], g_hvdbg[600], g_tmp[256];
static char g_dbgtest[400], g_frames[400], g_mmu[400];

/* ------------------------------------------------------------ setup */

static struct hvdbg_env g_env;

static void setup_all(void)
{
	hvdbg_env_setup(&g_env, "repl", __FILE__);
	snprintf(g_src, sizeof(g_src), "%s", g_env.src);
	snprintf(g_build, sizeof(g_build), "%s", g_env.build);
	snprintf(g_hvdbg, sizeof(g_hvdbg), "%s", g_env.hvdbg);
	snprintf(g_tmp, sizeof(g_tmp), "%s", g_env.tmp);
	hvdbg_env_example(&g_env, "dbgtest", g_dbgtest, sizeof(g_dbgtest));
	hvdbg_env_example(&g_env, "frames", g_frames, sizeof(g_frames));
	hvdbg_env_example(&g_env, "mmu", g_mmu, sizeof(g_mmu));
}

static void cleanup_all(void)
{
	hvdbg_env_cleanup(&g_env);
}

/* The program in a pseudo-terminal: tests/support/term.h. */
static void term_start(struct term *t, const char *shared_home, const char *const *args)
{
	term_spawn(t, g_hvdbg, g_tmp, shared_home, args);
}

#define EXPECT(t, s) TERM_EXPECT((t), (s), 15000)

#define PROMPT "(hvdbg) "

/* ------------------------------------------------- interactive tests */

START_TEST(break_step_registers)
{
	struct term t;
	const char *args[] = { "--smp", "2", g_dbgtest, NULL };
	term_start(&t, NULL, args);
	EXPECT(&t, "<_start>:\tmrs\tx1, mpidr_el1");
	EXPECT(&t, PROMPT);
	term_send(&t, "break func_a\n");
	EXPECT(&t, "Breakpoint 1 at 0x40000088 <func_a> (dbgtest.S:69)");
	term_send(&t, "continue\n");
	EXPECT(&t, "hi");
	EXPECT(&t, "Breakpoint 1, vCPU 0 at func_a");
	EXPECT(&t, "=> 0x0000000040000088 <func_a>:\tmovz\tx0, #0x1");
	/* the changed registers are highlighted (a terminal: color on) */
	EXPECT(&t, "changed: \033[1;33mx2=");
	term_send(&t, "stepi\n");
	EXPECT(&t, "<func_a+0x4>:\tadd\tx0, x0, #2");
	EXPECT(&t, "\033[1;33mx0=0x1\033[0m");
	/* Enter repeats the last step command */
	term_send(&t, "\n");
	EXPECT(&t, "<func_a+0x8>:\tadd\tx0, x0, #3");
	EXPECT(&t, "x0=0x3");
	term_send(&t, "info registers x0 pc\n");
	/* both changed at the last stop: highlighted */
	EXPECT(&t, "\033[1;33mx0              0x0000000000000003\033[0m  3");
	EXPECT(&t, "\033[1;33mpc              0x0000000040000090\033[0m  <func_a+0x8>");
	term_send(&t, "info registers\n");
	EXPECT(&t, "x30");
	EXPECT(&t, "cpsr            0x00000000000003c5  [ EL1h nzcv D A I F ]");
	term_send(&t, "set $x0 = 0x41\n");
	EXPECT(&t, PROMPT);
	term_send(&t, "p $x0 + 1\n");
	EXPECT(&t, "$1 = 0x42 (66)");
	term_send(&t, "x/4xg counter\n");
	EXPECT(&t, "<counter>:\t0x0000000000000000\t0x0000000000000000");
	term_send(&t, "x/s msg\n");
	EXPECT(&t, "<msg>:\t\"hi\\n\"");
	term_send(&t, "x/3i $pc\n");
	EXPECT(&t, "=>  0x0000000040000090 <func_a+0x8>:\t91000c00\tadd\tx0, x0, #3");
	EXPECT(&t, "ret");
	term_send(&t, "x/16xb _start\n");
	EXPECT(&t, "<_start>:\t0xa1\t0x00\t0x38\t0xd5\t0x21\t0x1c\t0x40\t0x92");
	term_send(&t, "disassemble\n");
	EXPECT(&t, "Dump of assembler code for function func_a:");
	EXPECT(&t, "  * 0x0000000040000088 <func_a>:");
	EXPECT(&t, "=>  0x0000000040000090 <func_a+0x8>:");
	ck_assert_int_eq(term_quit(&t), 0);
}
END_TEST

START_TEST(disassemble_and_backtrace)
{
	struct term t;
	const char *args[] = { g_frames, NULL };
	term_start(&t, NULL, args);
	EXPECT(&t, PROMPT);
	term_send(&t, "break leaf\n");
	EXPECT(&t, "Breakpoint 1 at 0x40000054 <leaf>");
	term_send(&t, "c\n");
	EXPECT(&t, "Breakpoint 1, vCPU 0 at leaf");
	term_send(&t, "bt\n");
	EXPECT(&t, "#0  0x0000000040000054 in leaf at frames.S:54");
	EXPECT(&t, "#1  0x000000004000004c in middle+0xc at frames.S:46");
	EXPECT(&t, "#2  0x0000000040000038 in outer+0x10 at frames.S:36");
	EXPECT(&t, "#3  0x000000004000000c in _start+0xc at frames.S:16");
	term_send(&t, "disassemble outer\n");
	EXPECT(&t, "Dump of assembler code for function outer:");
	EXPECT(&t, "bl\t#0x40000040 <middle>");
	EXPECT(&t, "End of assembler dump.");
	term_send(&t, "finish\n");
	EXPECT(&t, "Run till exit to 0x4000004c <middle+0xc>");
	EXPECT(&t, "Return type unknown (no DWARF type for leaf): x0 = 0x23 (35)");
	term_send(&t, "next\n");
	EXPECT(&t, "<middle+0x10>:\tret");
	ck_assert_int_eq(term_quit(&t), 0);
}
END_TEST

START_TEST(explain_hvc_and_data_abort)
{
	struct term t;
	const char *args[] = { g_frames, NULL };
	term_start(&t, NULL, args);
	EXPECT(&t, PROMPT);
	term_send(&t, "until call_hvc+4\n");
	EXPECT(&t, "<call_hvc+0x4>:\thvc\t#0x42");
	term_send(&t, "si\n");
	EXPECT(&t, "<call_hvc+0x8>:\tmov\tx20, x0");
	term_send(&t, "explain\n");
	EXPECT(&t, "EC 0x16 HVC from AArch64 (hypervisor call)");
	EXPECT(&t, "immediate #0x42");
	term_send(&t, "c\n");
	EXPECT(&t, "an exit the machine cannot handle (FAR 0x1000, IPA 0x1000)");
	EXPECT(&t, "<bad_load+0x4>:\tldr\tx2, [x1]");
	term_send(&t, "explain\n");
	EXPECT(&t, "EC 0x24 data abort from a lower EL");
	EXPECT(&t, "read of 8 bytes into x2");
	EXPECT(&t, "IPA 0x1000 is outside RAM");
	term_send(&t, "explain 0x96000045\n");
	EXPECT(&t, "EC 0x25 data abort, same EL");
	ck_assert_int_eq(term_quit(&t), 0);
}
END_TEST

START_TEST(pagewalk_levels)
{
	struct term t;
	const char *args[] = { g_mmu, NULL };
	term_start(&t, NULL, args);
	EXPECT(&t, PROMPT);
	term_send(&t, "pagewalk 0x40000000\n");
	EXPECT(&t, "MMU off");
	term_send(&t, "break done\n");
	EXPECT(&t, PROMPT);
	term_send(&t, "c\n");
	EXPECT(&t, "mmu on");
	EXPECT(&t, "Breakpoint 1, vCPU 0 at done");
	term_send(&t, "pagewalk 0x40000000\n");
	EXPECT(&t, "TTBR0, 4 KiB granule, 39-bit input");
	EXPECT(&t, "L1: table 0x");
	EXPECT(&t, "table");
	EXPECT(&t, "L2: table 0x");
	EXPECT(&t, "L3: table 0x");
	EXPECT(&t, "page");
	EXPECT(&t, "-> IPA 0x40000000 (4 KiB page)");
	term_send(&t, "pagewalk 0x80000010\n");
	EXPECT(&t, "block");
	EXPECT(&t, "-> IPA 0x40000010");
	term_send(&t, "pagewalk 0xc0000000\n");
	EXPECT(&t, "translation fault");
	term_send(&t, "p/x *(u64*)(magic + 0x40000000)\n"); /* through the alias mapping */
	EXPECT(&t, "= 0x1122334455667788");
	ck_assert_int_eq(term_quit(&t), 0);
}
END_TEST

START_TEST(watchpoint_old_new)
{
	struct term t;
	const char *args[] = { "--smp", "2", g_dbgtest, NULL };
	term_start(&t, NULL, args);
	EXPECT(&t, PROMPT);
	term_send(&t, "watch counter\n");
	EXPECT(&t, "Hardware watchpoint 1: counter (0x");
	term_send(&t, "c\n");
	EXPECT(&t, "Hardware watchpoint 1: counter (write of 0x");
	EXPECT(&t, "Old value = 0x0 (0)");
	EXPECT(&t, "New value = 0x1234 (4660)");
	EXPECT(&t, "accessed by 0x4000003c <do_write+0x8>: str\tx7, [x6]");
	EXPECT(&t, "=> 0x0000000040000040 <do_read>:");
	/* a read watchpoint set at the stop; disabled, the write one is
	 * silent (continue does not stop again on it) */
	term_send(&t, "disable 1\n");
	EXPECT(&t, PROMPT);
	term_send(&t, "rwatch flag\n");
	EXPECT(&t, "Read watchpoint 2: flag");
	term_send(&t, "c\n");
	EXPECT(&t, "Read watchpoint 2: flag (read of 0x");
	EXPECT(&t, "Value = 0x");
	EXPECT(&t, "accessed by 0x40000060 <do_read+0x20>: ldr\tx10, [x9]");
	term_send(&t, "info breakpoints\n");
	EXPECT(&t, "read watchpoint");
	EXPECT(&t, "already hit 1 time");
	term_send(&t, "delete\n");
	EXPECT(&t, PROMPT);
	term_send(&t, "c\n");
	EXPECT(&t, "[guest powered off: PSCI SYSTEM_OFF]");
	term_send(&t, "c\n");
	EXPECT(&t, "the guest has exited");
	ck_assert_int_eq(term_quit(&t), 0);
}
END_TEST

START_TEST(tab_completion)
{
	struct term t;
	const char *args[] = { g_dbgtest, NULL };
	term_start(&t, NULL, args);
	EXPECT(&t, PROMPT);
	/* a command */
	term_send(&t, "disas\t");
	EXPECT(&t, "semble "); /* the completed rest of the word */
	/* then a symbol */
	term_send(&t, " func_\t"); /* "func_" alone is no symbol */
	term_send(&t, "\n");
	EXPECT(&t, "Dump of assembler code for function func_a:");
	/* a register after '$' */
	term_send(&t, "p $sctlr\t\n");
	EXPECT(&t, "$1 = 0x30d00800");
	/* a register name after info registers, and an info subcommand */
	term_send(&t, "info reg\t");
	EXPECT(&t, "isters ");
	term_send(&t, "mpidr\t\n");
	EXPECT(&t, "mpidr_el1       0x0000000080000000");
	/* tbreak at a symbol completed from a prefix */
	term_send(&t, "tbreak power_o\t\n");
	EXPECT(&t, "Temporary breakpoint 1 at 0x40000068 <power_off>");
	ck_assert_int_eq(term_quit(&t), 0);
}
END_TEST

START_TEST(history_across_runs)
{
	char home[300];
	snprintf(home, sizeof(home), "%s/home-hist-XXXXXX", g_tmp);
	ck_assert_ptr_nonnull(mkdtemp(home));
	struct term t;
	const char *args[] = { g_dbgtest, NULL };
	term_start(&t, home, args);
	EXPECT(&t, PROMPT);
	term_send(&t, "p 12345 + 1\n");
	EXPECT(&t, "$1 = 0x303a (12346)");
	ck_assert_int_eq(term_quit(&t), 0);

	char path[400], buf[4096];
	snprintf(path, sizeof(path), "%s/.hvdbg_history", home);
	FILE *f = fopen(path, "r");
	ck_assert_msg(f != NULL, "no history file %s", path);
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = 0;
	fclose(f);
	ck_assert_msg(strstr(buf, "12345"), "history file lacks the command: %s", buf);

	/* a second run: Up arrow brings the command back (the last line of
	 * the history is "quit", so Up twice) */
	term_start(&t, home, args);
	EXPECT(&t, PROMPT);
	term_send(&t, "\033[A\033[A");
	EXPECT(&t, "12345");
	term_send(&t, "\n");
	EXPECT(&t, "$1 = 0x303a (12346)");
	ck_assert_int_eq(term_quit(&t), 0);
}
END_TEST

START_TEST(ctrl_c_stops_guest)
{
	struct term t;
	/* one vCPU: dbgtest waits forever for vCPU 1 */
	const char *args[] = { g_dbgtest, NULL };
	term_start(&t, NULL, args);
	EXPECT(&t, PROMPT);
	term_send(&t, "c\n");
	EXPECT(&t, "Continuing.");
	usleep(300 * 1000);
	term_send(&t, "\003");
	EXPECT(&t, "Interrupted (Ctrl-C): vCPU 0 stopped");
	EXPECT(&t, "<do_read+");
	EXPECT(&t, PROMPT);
	/* Ctrl-C at the prompt does not kill hvdbg */
	term_send(&t, "\003");
	term_send(&t, "p 7\n");
	EXPECT(&t, "= 0x7 (7)");
	ck_assert_int_eq(term_quit(&t), 0);
}
END_TEST

START_TEST(errors_do_not_crash)
{
	struct term t;
	const char *args[] = { g_dbgtest, NULL };
	term_start(&t, NULL, args);
	EXPECT(&t, PROMPT);
	term_send(&t, "frobnicate\n");
	EXPECT(&t, "undefined command: \"frobnicate\".  Try \"help\".");
	term_send(&t, "d\n"); /* alias of delete: fine with no breakpoints */
	EXPECT(&t, PROMPT);
	term_send(&t, "dis\n");
	EXPECT(&t, "ambiguous command \"dis\"");
	term_send(&t, "x/4q 0\n");
	EXPECT(&t, "bad format");
	term_send(&t, "x/4xg 0x10\n");
	EXPECT(&t, "cannot access memory at 0x10");
	term_send(&t, "break nosuchsym\n");
	EXPECT(&t, "no symbol \"nosuchsym\"");
	term_send(&t, "break *0x40000002\n");
	EXPECT(&t, "not 4-byte aligned");
	term_send(&t, "p 1/0\n");
	EXPECT(&t, "division by zero");
	term_send(&t, "p (1 + \n");
	EXPECT(&t, "expression expected");
	term_send(&t, "p (1 + 2\n");
	EXPECT(&t, "missing ')'");
	term_send(&t, "vcpu 9\n");
	EXPECT(&t, "no vCPU 9");
	term_send(&t, "watch counter+4 8\n"); /* crosses a doubleword */
	EXPECT(&t, "cannot set it");
	term_send(&t, "info nothing\n");
	EXPECT(&t, "undefined info command");
	term_send(&t, "set $nosuch = 1\n");
	EXPECT(&t, "unknown register");
	term_send(&t, "help x\n");
	EXPECT(&t, "x/NFU ADDR");
	term_send(&t, "help\n");
	EXPECT(&t, "pagewalk");
	EXPECT(&t, "quit");
	ck_assert_int_eq(term_quit(&t), 0);
}
END_TEST

START_TEST(trace_mode)
{
	struct term t;
	const char *args[] = { "--no-color", g_frames, NULL };
	term_start(&t, NULL, args);
	EXPECT(&t, PROMPT);
	term_send(&t, "break call_hvc\n");
	EXPECT(&t, PROMPT);
	term_send(&t, "trace on\n");
	EXPECT(&t, "trace on");
	term_send(&t, "c\n");
	EXPECT(&t, "0x0000000040000000 <_start>:\tmovz\tx29, #0");
	EXPECT(&t, "0x0000000040000004 <_start+0x4>:\tmovz\tx0, #0x5");
	EXPECT(&t, "        x0=0x5");
	EXPECT(&t, "<leaf>:\tadd\tx0, x0, #0x14");
	EXPECT(&t, "        x0=0x23");
	EXPECT(&t, "Breakpoint 1, vCPU 0 at call_hvc");
	ck_assert_msg(strstr(t.out, "\033[1;33m") == NULL, "--no-color still printed colors");
	ck_assert_int_eq(term_quit(&t), 0);
}
END_TEST

/* `gdbserver 0` from the REPL, driven by gdb-multiarch
 * (tests/repl/gdbserver.py): breakpoints, stepi and a watchpoint stop in
 * gdb's stop-before mode; after detach the REPL is back with its own
 * watchpoint mode (stop after the access) and breakpoints. */
START_TEST(gdbserver_session)
{
	if (system("command -v gdb-multiarch >/dev/null 2>&1") != 0) {
		printf("test_repl: gdb-multiarch not installed, gdbserver_session skipped\n");
		return;
	}
	struct term t;
	const char *args[] = { "--no-color", g_dbgtest, NULL };
	term_start(&t, NULL, args);
	EXPECT(&t, PROMPT);
	term_send(&t, "break func_a\n");
	EXPECT(&t, PROMPT);
	term_send(&t, "c\n");
	EXPECT(&t, "Breakpoint 1, vCPU 0 at func_a");
	EXPECT(&t, PROMPT);
	term_send(&t, "gdbserver 0\n");
	EXPECT(&t, "listening on 127.0.0.1:");
	size_t at = t.mark;
	EXPECT(&t, "\n"); /* the whole port number is there */
	int port = atoi(t.out + at);
	ck_assert_int_gt(port, 0);
	char cmd[3072], log[400];
	snprintf(log, sizeof(log), "%s/gdbserver-gdb-%d.log", g_tmp, (int)getpid());
	snprintf(cmd, sizeof(cmd),
		 "PYTHONPATH=%s/tests/rsp timeout 100 gdb-multiarch -q -n -nx -batch -ex 'set pagination off' "
		 "-ex 'set confirm off' -ex 'target remote 127.0.0.1:%d' -x %s/tests/repl/gdbserver.py %s "
		 ">%s 2>&1",
		 g_src, port, g_src, g_dbgtest, log);
	pid_t gdb = fork();
	ck_assert_int_ge(gdb, 0);
	if (gdb == 0) {
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	bool ended = term_expect(&t, "back in the REPL.", 110000);
	int st = -1;
	waitpid(gdb, &st, 0);
	if (!ended || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		FILE *f = fopen(log, "r");
		char line[512];
		fprintf(stderr, "---- %s\n", cmd);
		while (f && fgets(line, sizeof(line), f))
			fputs(line, stderr);
		if (f)
			fclose(f);
	}
	ck_assert_msg(ended, "the REPL did not come back; screen:\n%s", t.out + t.mark);
	ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0, "gdb scenario failed (status 0x%x)", st);
	EXPECT(&t, PROMPT);
	/* The REPL's watchpoints stop after the access again. */
	term_send(&t, "rwatch flag\n");
	EXPECT(&t, "Read watchpoint 2: flag");
	term_send(&t, "c\n");
	EXPECT(&t, "Read watchpoint 2: flag (read of 0x");
	EXPECT(&t, "accessed by 0x40000060 <do_read+0x20>: ldr\tx10, [x9]");
	EXPECT(&t, "=> 0x0000000040000064 <do_read+0x24>:");
	term_send(&t, "delete\n");
	EXPECT(&t, PROMPT);
	/* One vCPU: the guest waits for vCPU 1 forever; set the flag for it. */
	term_send(&t, "set *flag = 1\n");
	EXPECT(&t, PROMPT);
	term_send(&t, "c\n");
	EXPECT(&t, "[guest powered off: PSCI SYSTEM_OFF]");
	ck_assert_int_eq(term_quit(&t), 0);
}
END_TEST

/* ------------------------------------------------- non-interactive */

/* Runs hvdbg with args (a shell fragment) through a pipe; returns the
 * exit status, output in buf. */
static int run_batch(const char *args, char *buf, size_t len)
{
	char cmd[2048];
	snprintf(cmd, sizeof(cmd), "cd %s && HOME=%s timeout 60 %s %s 2>&1 </dev/null", g_src, g_tmp, g_hvdbg,
		 args);
	FILE *p = popen(cmd, "r");
	ck_assert_ptr_nonnull(p);
	size_t n = fread(buf, 1, len - 1, p);
	buf[n] = 0;
	int st = pclose(p);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

#define CONTAINS(buf, s) ck_assert_msg(strstr((buf), (s)) != NULL, "missing \"%s\" in:\n%s", (s), (buf))

START_TEST(batch_ex)
{
	static char out[1 << 16];
	char args[1024];
	snprintf(args, sizeof(args),
		 "--batch --smp 2 -ex 'break do_read' -ex continue -ex 'info registers x7' -ex 'p/x counter' "
		 "-ex 'x/2xw counter' -ex 'c' %s",
		 g_dbgtest);
	int rc = run_batch(args, out, sizeof(out));
	ck_assert_int_eq(rc, 0);
	CONTAINS(out, "Breakpoint 1, vCPU 0 at do_read");
	CONTAINS(out, "x7              0x0000000000001234  4660");
	CONTAINS(out, "$1 = 0x1234");
	CONTAINS(out, "<counter>:\t0x00001234\t0x00000000");
	CONTAINS(out, "[guest powered off: PSCI SYSTEM_OFF]");
	ck_assert_msg(strstr(out, "\033[") == NULL, "colors in a pipe");
}
END_TEST

/* Regressions: a breakpoint at the entry is reported by the first run
 * (nothing has executed yet); after a write watchpoint stop (reported
 * after the store) a read watchpoint catches the very next instruction. */
START_TEST(batch_entry_break_and_watch)
{
	static char out[1 << 16];
	char args[1024];
	snprintf(args, sizeof(args),
		 "--batch --smp 2 -ex 'break _start' -ex run -ex 'info registers pc' -ex 'watch counter' -ex c "
		 "-ex 'rwatch counter' -ex c -ex delete -ex c %s",
		 g_dbgtest);
	int rc = run_batch(args, out, sizeof(out));
	ck_assert_int_eq(rc, 0);
	CONTAINS(out, "Breakpoint 1, vCPU 0 at _start");
	CONTAINS(out, "pc              0x0000000040000000");
	CONTAINS(out, "Hardware watchpoint 2: counter (write of 0x");
	CONTAINS(out, "Read watchpoint 3: counter (read of 0x");
	CONTAINS(out, "accessed by 0x40000040 <do_read>: ldr\tx8, [x6]");
	CONTAINS(out, "[guest powered off: PSCI SYSTEM_OFF]");
	/* "hi" is printed once, after the entry stop. */
	char *bp = strstr(out, "Breakpoint 1, vCPU 0 at _start"), *hi = strstr(out, "hi\n");
	ck_assert_msg(hi && bp < hi, "the guest ran before the entry breakpoint:\n%s", out);
}
END_TEST

/* explain on the UART's MMIO exit names the UART; explain el1 words a
 * data abort of the guest's own ESR_EL1 as a stage-1 fault. */
START_TEST(batch_explain_uart_and_el1)
{
	static char out[1 << 16];
	char args[1024];
	snprintf(args, sizeof(args),
		 "--batch -ex 'stepi 10' -ex explain -ex 'set $esr_el1 = 0x92000005' -ex 'explain el1' %s",
		 g_dbgtest);
	int rc = run_batch(args, out, sizeof(out));
	ck_assert_int_eq(rc, 0);
	CONTAINS(out, "FAR 0x9000000, IPA 0x9000000");
	CONTAINS(out, "write of 1 byte from w5");
	CONTAINS(out, "IPA 0x9000000 is the PL011 UART [0x9000000, 0x9001000): MMIO the machine emulates");
	ck_assert_msg(!strstr(out, "is not the UART"), "UART access called unmapped:\n%s", out);
	CONTAINS(out, "ESR 0x92000005: EC 0x24 data abort from a lower EL");
	CONTAINS(out, "(a stage-1 fault taken by the guest: its own page tables do not map FAR_EL1");
	char *el1 = strstr(out, "The guest's last exception taken to EL1");
	ck_assert_msg(el1 && !strstr(el1, "unmapped IPA"), "explain el1 speaks of an unmapped IPA:\n%s", out);
}
END_TEST

/* until without argument: next, but not backwards in a loop (the UART
 * loop of dbgtest: 1: ldrb / cbz 2f / strb / b 1b at 0x40000028). */
START_TEST(batch_until_loop)
{
	static char out[1 << 16];
	char args[1024];
	snprintf(args, sizeof(args),
		 "--batch -ex 'break *0x40000028' -ex c -ex next -ex c -ex until -ex delete -ex until "
		 "-ex 'info registers pc' %s",
		 g_dbgtest);
	int rc = run_batch(args, out, sizeof(out));
	ck_assert_int_eq(rc, 0);
	/* next from `b 1b` goes back to the loop head */
	CONTAINS(out, "=> 0x000000004000001c <_start+0x1c>:\tldrb\tw5, [x4], #1");
	/* until from there steps the loop but stops at a breakpoint in it... */
	char *second = strstr(out, "Breakpoint 1, vCPU 0 at _start+0x28");
	ck_assert_msg(second && strstr(second + 1, "Breakpoint 1, vCPU 0 at _start+0x28"),
		      "until did not stop at the breakpoint in the loop:\n%s", out);
	/* ...and without it runs the loop out, to the line after it */
	CONTAINS(out, "=> 0x000000004000002c <_start+0x2c>:\tbl\t#0x40000088 <func_a>");
	CONTAINS(out, "pc              0x000000004000002c");
}
END_TEST

START_TEST(batch_script_file)
{
	static char out[1 << 16];
	char args[1024];
	snprintf(args, sizeof(args), "--batch -x tests/repl/frames.hvdbg %s", g_frames);
	int rc = run_batch(args, out, sizeof(out));
	ck_assert_int_eq(rc, 0);
	CONTAINS(out, "Breakpoint 1, vCPU 0 at middle");
	CONTAINS(out, "#1  0x0000000040000038 in outer+0x10");
	CONTAINS(out, "x0 = 0x23 (35) if it returns an integer");
	CONTAINS(out, "EC 0x24 data abort from a lower EL");
	CONTAINS(out, "-- script done --");
}
END_TEST

START_TEST(batch_error_status)
{
	static char out[1 << 16];
	char args[1024];
	snprintf(args, sizeof(args), "--batch -ex 'nonsense' -ex 'p 2*21' %s", g_dbgtest);
	int rc = run_batch(args, out, sizeof(out));
	ck_assert_int_eq(rc, 1); /* a failed command makes --batch fail */
	CONTAINS(out, "undefined command: \"nonsense\"");
	CONTAINS(out, "$1 = 0x2a (42)"); /* later commands still run */
}
END_TEST

START_TEST(stdin_commands)
{
	static char out[1 << 16];
	char cmd[2048];
	/* not a terminal: lines are read plainly; Enter still repeats si */
	snprintf(cmd, sizeof(cmd), "printf 'si\\n\\ninfo registers pc\\n' | HOME=%s timeout 60 %s %s 2>&1", g_tmp,
		 g_hvdbg, g_dbgtest);
	FILE *p = popen(cmd, "r");
	ck_assert_ptr_nonnull(p);
	size_t n = fread(out, 1, sizeof(out) - 1, p);
	out[n] = 0;
	ck_assert_int_eq(pclose(p), 0);
	CONTAINS(out, "<_start+0x4>:\tand");
	CONTAINS(out, "<_start+0x8>:\tcbnz");
	CONTAINS(out, "pc              0x0000000040000008");
	ck_assert_msg(!strstr(out, "(hvdbg) "), "no prompts for piped commands:\n%s", out);
}
END_TEST

int main(void)
{
	setup_all();
	Suite *s = suite_create("repl");
	TCase *pty = tcase_create("pty");
	tcase_add_test(pty, break_step_registers);
	tcase_add_test(pty, disassemble_and_backtrace);
	tcase_add_test(pty, explain_hvc_and_data_abort);
	tcase_add_test(pty, pagewalk_levels);
	tcase_add_test(pty, watchpoint_old_new);
	tcase_add_test(pty, tab_completion);
	tcase_add_test(pty, history_across_runs);
	tcase_add_test(pty, ctrl_c_stops_guest);
	tcase_add_test(pty, errors_do_not_crash);
	tcase_add_test(pty, trace_mode);
	tcase_add_test(pty, gdbserver_session);
	tcase_set_timeout(pty, 120);
	TCase *batch = tcase_create("batch");
	tcase_add_test(batch, batch_ex);
	tcase_add_test(batch, batch_entry_break_and_watch);
	tcase_add_test(batch, batch_explain_uart_and_el1);
	tcase_add_test(batch, batch_until_loop);
	tcase_add_test(batch, batch_script_file);
	tcase_add_test(batch, batch_error_status);
	tcase_add_test(batch, stdin_commands);
	tcase_set_timeout(batch, 120);
	suite_add_tcase(s, pty);
	suite_add_tcase(s, batch);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	cleanup_all();
	return failed ? 1 : 0;
}
