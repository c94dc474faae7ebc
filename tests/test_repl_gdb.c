/*
 * test_repl_gdb.c - the gdb commands a gdb user reaches for, in the
 * REPL driven in a pseudo-terminal: list and the source line at each
 * stop, frame/up/down/info frame, display, run/reset, conditional
 * breakpoints with ignore counts and command lists, print assignments
 * and comparisons, x/-N and xp, the FP/SIMD views, the note on
 * duplicate breakpoints, info sysreg, type-ahead across Ctrl-C, and
 * commands while the guest runs (continue &).
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hvdbg_env.h"
#include "term.h"

static struct hvdbg_env g_env;
static char g_frames[400], g_dbgtest[400], g_fpsimd[400], g_paging[400], g_count[400], g_loop[400];

/* tick(i) for i = 0..9, then SYSTEM_OFF. */
static const char count_src[] =
	"\t.text\n\t.globl _start\n\t.type _start, %function\n_start:\n\tmov\tx19, #0\n"
	"1:\tmov\tx0, x19\n\tbl\ttick\n\tadd\tx19, x19, #1\n\tcmp\tx19, #10\n\tb.ne\t1b\n"
	"\tmovz\tw0, #0x0008\n\tmovk\tw0, #0x8400, lsl #16\n\thvc\t#0\n\t.size _start, .-_start\n"
	"\t.type tick, %function\ntick:\n\tadd\tx1, x0, x0\n\tret\n\t.size tick, .-tick\n";
static const char loop_src[] = "\t.text\n\t.globl _start\n\t.type _start, %function\n"
			       "_start:\n\tmov\tx0, #1\nspin:\tb\tspin\n\t.size _start, .-_start\n";

static void setup_all(void)
{
	hvdbg_env_setup(&g_env, "repl-gdb", __FILE__);
	hvdbg_env_example(&g_env, "frames", g_frames, sizeof(g_frames));
	hvdbg_env_example(&g_env, "dbgtest", g_dbgtest, sizeof(g_dbgtest));
	hvdbg_env_example(&g_env, "fpsimd", g_fpsimd, sizeof(g_fpsimd));
	hvdbg_env_example(&g_env, "paging", g_paging, sizeof(g_paging));
	hvdbg_env_asm(&g_env, "count", count_src, g_count, sizeof(g_count));
	hvdbg_env_asm(&g_env, "loop", loop_src, g_loop, sizeof(g_loop));
}

static void start(struct term *t, const char *const *args)
{
	hvdbg_env_spawn(&g_env, t, args);
}

#define EXPECT(t, s) TERM_EXPECT((t), (s), 15000)
#define PROMPT "(hvdbg) "

START_TEST(list_and_source_lines)
{
	struct term t;
	const char *args[] = { "--no-color", g_frames, NULL };
	start(&t, args);
	/* the entry's source line under its location */
	EXPECT(&t, "[frames.S:14]\r\n14\t\tmov\tx29, #0");
	EXPECT(&t, PROMPT);
	term_send(&t, "break leaf\ncontinue\n");
	EXPECT(&t, "Breakpoint 1, vCPU 0 at leaf");
	EXPECT(&t, "\r\n54\t\tadd\tx0, x0, #20\r\n");
	EXPECT(&t, PROMPT);
	term_send(&t, "list\n");
	EXPECT(&t, "49\t\t.size\tmiddle, .-middle\r\n");
	EXPECT(&t, "53\tleaf:\r\n");
	EXPECT(&t, "56\t\t.size\tleaf, .-leaf\r\n");
	EXPECT(&t, PROMPT);
	term_send(&t, "list\n"); /* past the end */
	EXPECT(&t, "Line number 57 out of range; \"");
	EXPECT(&t, "frames.S\" has 56 lines.");
	term_send(&t, "list frames.S:10\n");
	EXPECT(&t, "5\t * PSCI function");
	EXPECT(&t, "10\t\t.text\r\n");
	term_send(&t, "list outer\n");
	EXPECT(&t, "32\touter:\r\n");
	term_send(&t, "list -\n");
	EXPECT(&t, "26\t");
	term_send(&t, "list nosuchfile.S:3\n");
	EXPECT(&t, "no source file named nosuchfile.S in the line table");
	ck_assert_int_eq(term_quit(&t), 0);
}
END_TEST

START_TEST(frame_selection)
{
	struct term t;
	const char *args[] = { "--no-color", g_frames, NULL };
	start(&t, args);
	EXPECT(&t, PROMPT);
	term_send(&t, "break leaf\ncontinue\n");
	EXPECT(&t, "Breakpoint 1, vCPU 0 at leaf");
	term_send(&t, "info frame\n");
	EXPECT(&t, "Stack level 0, pc = 0x40000054 in leaf");
	EXPECT(&t, "called by frame 1: returns to 0x4000004c in middle+0xc (still in LR: this function has not saved it)");
	term_send(&t, "up\n");
	EXPECT(&t, "#1  0x000000004000004c in middle+0xc at frames.S:46");
	EXPECT(&t, "46\t\tbl\tleaf");
	term_send(&t, "info frame\n");
	EXPECT(&t, "Stack level 1, pc = 0x4000004c in middle+0xc");
	EXPECT(&t, "saved LR in the frame record at 0x");
	term_send(&t, "list\n"); /* around the selected frame's call */
	EXPECT(&t, "41\t\t.globl\tmiddle");
	term_send(&t, "frame 3\n");
	EXPECT(&t, "#3  0x000000004000000c in _start+0xc at frames.S:16");
	term_send(&t, "up\n");
	EXPECT(&t, "Initial frame selected; you cannot go up (4 frames).");
	term_send(&t, "down 3\n");
	EXPECT(&t, "#0  0x0000000040000054 in leaf at frames.S:54");
	term_send(&t, "down\n");
	EXPECT(&t, "Bottom (innermost) frame selected; you cannot go down.");
	ck_assert_int_eq(term_quit(&t), 0);
}
END_TEST

START_TEST(displays)
{
	struct term t;
	const char *args[] = { "--no-color", g_count, NULL };
	start(&t, args);
	EXPECT(&t, PROMPT);
	term_send(&t, "display $x19\n");
	EXPECT(&t, "1: $x19 = 0x0 (0)");
	term_send(&t, "display/i $pc\n");
	EXPECT(&t, "2: x/i $pc");
	/* keys typed while the guest runs go to its UART: one command per stop */
	term_send(&t, "break tick\ncontinue\n");
	EXPECT(&t, "1: $x19 = 0x0 (0)");
	EXPECT(&t, PROMPT);
	term_send(&t, "continue\n");
	EXPECT(&t, "1: $x19 = 0x1 (1)");
	EXPECT(&t, "2: x/i $pc\r\n=>* 0x0000000040000024 <tick>:");
	term_send(&t, "undisplay 2\ninfo display\n");
	EXPECT(&t, "1   y   $x19\r\n");
	term_send(&t, "continue\n");
	EXPECT(&t, "1: $x19 = 0x2 (2)\r\n" PROMPT);
	term_send(&t, "display $nosuch\n");
	EXPECT(&t, "unknown register '$nosuch'");
	term_send(&t, "info display\n");
	EXPECT(&t, "1   y   $x19\r\n" PROMPT);
	ck_assert_int_eq(term_quit(&t), 0);
}
END_TEST

START_TEST(run_again_and_reset)
{
	struct term t;
	const char *args[] = { "--no-color", "--smp", "2", g_dbgtest, NULL };
	start(&t, args);
	EXPECT(&t, PROMPT);
	term_send(&t, "break func_a\nrun\n");
	EXPECT(&t, "Breakpoint 1, vCPU 0 at func_a");
	term_send(&t, "delete\ncontinue\n");
	EXPECT(&t, "[guest powered off: PSCI SYSTEM_OFF]");
	term_send(&t, "continue\n");
	EXPECT(&t, "'run' starts it again");
	/* from the entry: the first line again, the breakpoint again */
	term_send(&t, "break func_a\nrun\n");
	EXPECT(&t, "Starting the guest again from its entry");
	EXPECT(&t, "hi");
	EXPECT(&t, "Breakpoint 2, vCPU 0 at func_a");
	term_send(&t, "info exits\n");
	EXPECT(&t, "vCPU 0: 4 exits");
	term_send(&t, "reset\n");
	EXPECT(&t, "The guest is reset: at its entry, nothing run.");
	EXPECT(&t, "=> 0x0000000040000000 <_start>:");
	term_send(&t, "info vcpus\n");
	EXPECT(&t, "_start             at its entry, not run yet");
	EXPECT(&t, "not started (PSCI CPU_ON starts it)");
	term_send(&t, "x/1xg counter\n");
	EXPECT(&t, "<counter>:\t0x0000000000000000");
	ck_assert_int_eq(term_quit(&t), 0);
}
END_TEST

START_TEST(conditions_ignore_commands)
{
	struct term t;
	const char *args[] = { "--no-color", g_count, NULL };
	start(&t, args);
	EXPECT(&t, PROMPT);
	term_send(&t, "break tick if $x0 == 7\ncontinue\n");
	EXPECT(&t, "Breakpoint 1, vCPU 0 at tick");
	term_send(&t, "p $x0\n");
	EXPECT(&t, "= 0x7 (7)");
	term_send(&t, "info breakpoints\n");
	EXPECT(&t, "\tstop only if $x0 == 7");
	EXPECT(&t, "\tbreakpoint already hit 1 time");
	term_send(&t, "condition 1\nignore 1 1\ncontinue\n");
	EXPECT(&t, "Breakpoint 1 now unconditional.");
	EXPECT(&t, "Will ignore next 1 crossing of breakpoint 1.");
	EXPECT(&t, "Breakpoint 1, vCPU 0 at tick");
	term_send(&t, "p $x0\n");
	EXPECT(&t, "= 0x9 (9)");
	term_send(&t, "break if $x1 == 0\n"); /* at the pc */
	EXPECT(&t, "Note: breakpoint 1 also set at pc 0x40000024.");
	EXPECT(&t, "Breakpoint 2 at 0x40000024 <tick>");
	term_send(&t, "info breakpoints\n");
	EXPECT(&t, "\tstop only if $x1 == 0");
	ck_assert_int_eq(term_quit(&t), 0);

	/* commands: run at each stop; `continue` among them goes on */
	start(&t, args);
	EXPECT(&t, PROMPT);
	term_send(&t, "break tick\ncommands\n");
	EXPECT(&t, "End with a line saying just \"end\".");
	EXPECT(&t, ">");
	term_send(&t, "print $x0 * 100\ncontinue\nend\ncontinue\n");
	EXPECT(&t, "= 0x0 (0)");
	EXPECT(&t, "= 0x64 (100)");
	EXPECT(&t, "= 0x384 (900)");
	EXPECT(&t, "[guest powered off: PSCI SYSTEM_OFF]");
	term_send(&t, "info breakpoints\n");
	EXPECT(&t, "breakpoint already hit 10 times");
	EXPECT(&t, "        print $x0 * 100");
	term_send(&t, "break tick if $nosuch\n");
	EXPECT(&t, "bad condition '$nosuch'");
	ck_assert_int_eq(term_quit(&t), 0);
}
END_TEST

START_TEST(print_memory_and_simd)
{
	struct term t;
	const char *args[] = { "--no-color", g_fpsimd, NULL };
	start(&t, args);
	EXPECT(&t, PROMPT);
	term_send(&t, "p $x5 = 5\n");
	EXPECT(&t, "$1 = 0x5 (5)");
	term_send(&t, "p $x5 == 5 && $x5 < 6\n");
	EXPECT(&t, "$2 = 0x1 (1)");
	term_send(&t, "set var $x6 = -1\np $x6 < 0\n");
	EXPECT(&t, "$3 = 0x1 (1)");
	/* duplicate breakpoints are noted */
	term_send(&t, "break sqrt2_newton\nbreak sqrt2_newton\n");
	EXPECT(&t, "Note: breakpoint 1 also set at pc 0x400001a8.");
	term_send(&t, "delete 2\ncontinue\n");
	EXPECT(&t, "Breakpoint 1, vCPU 0 at sqrt2_newton");
	EXPECT(&t, PROMPT);
	term_send(&t, "finish\n");
	EXPECT(&t, "Run till exit");
	EXPECT(&t, PROMPT);
	term_send(&t, "p $d0\n");
	EXPECT(&t, "= 1.4142135623730949\r\n");
	term_send(&t, "p $v0.2d\n");
	EXPECT(&t, "= {f = {1.4142135623730949, 0}, u = {4609047870845172684, 0}, s = {4609047870845172684, 0}}");
	term_send(&t, "p/x $v0.4s\n");
	EXPECT(&t, "= {0x667f3bcc, 0x3ff6a09e, 0x0, 0x0}");
	term_send(&t, "info registers d0 s0 h0\n");
	EXPECT(&t, "d0              0x3ff6a09e667f3bcc  1.4142135623730949");
	EXPECT(&t, "s0              0x667f3bcc          3.01326628e+23");
	EXPECT(&t, "h0              0x3bcc              0.97461");
	term_send(&t, "set $s1 = 0x3fc00000\np $s1\n");
	EXPECT(&t, "= 1.5\r\n");
	term_send(&t, "info registers q0\n");
	EXPECT(&t, "s = {3.01326628e+23, 1.92677665, 0, 0}, d = {1.4142135623730949, 0}");
	term_send(&t, "p $v0.3s\n");
	EXPECT(&t, "bad lanes '3s'");
	/* x backwards, xp physical */
	term_send(&t, "x/-2i $pc\n");
	EXPECT(&t, "<_start+0x40>:\t");
	EXPECT(&t, "<_start+0x44>:\t");
	term_send(&t, "x/-2xw mat_c+8\n");
	EXPECT(&t, "<mat_c>:\t0x");
	term_send(&t, "xp/2xw 0x40000000\n");
	EXPECT(&t, "0x40000000 <_start>:\t0x");
	term_send(&t, "xp/i 0x40000000\n");
	EXPECT(&t, "xp shows data");
	ck_assert_int_eq(term_quit(&t), 0);
}
END_TEST

START_TEST(sysreg_fields)
{
	struct term t;
	const char *args[] = { "--no-color", g_paging, NULL };
	start(&t, args);
	EXPECT(&t, PROMPT);
	term_send(&t, "break mmu_is_on\ncontinue\n");
	EXPECT(&t, "Breakpoint 1, vCPU 0 at mmu_is_on");
	EXPECT(&t, PROMPT);
	term_send(&t, "info sysreg SCTLR_EL1\n");
	EXPECT(&t, "sctlr_el1 = 0x");
	EXPECT(&t, "  M        [0]      1            stage-1 MMU for EL1&0");
	term_send(&t, "info sysreg tcr_el1\n");
	EXPECT(&t, "  T0SZ     [5:0]    0x19 (25)    TTBR0 region is 2^(64-T0SZ) bytes");
	EXPECT(&t, "  TG1      [31:30]  0x2 (2)      TTBR1 granule (1 16K, 2 4K, 3 64K)");
	term_send(&t, "info sysreg mair_el1\n");
	EXPECT(&t, "Attr1  [15: 8]  0x04  Device-nGnRE");
	term_send(&t, "info sysreg foo\n");
	EXPECT(&t, "no field table for 'foo'");
	/* every register of the API by name, not only the listed ones */
	term_send(&t, "info registers id_aa64mmfr1_el1\n");
	EXPECT(&t, "id_aa64mmfr1_el1 0x");
	term_send(&t, "p/x $actlr_el1\n");
	EXPECT(&t, "= 0x");
	ck_assert_int_eq(term_quit(&t), 0);
}
END_TEST

/* Keys typed while `next` runs are not lost to the Ctrl-C that stops it. */
START_TEST(type_ahead_across_ctrl_c)
{
	struct term t;
	const char *args[] = { "--no-color", g_loop, NULL };
	start(&t, args);
	EXPECT(&t, PROMPT);
	term_send(&t, "next\n");
	EXPECT(&t, "<spin>");
	EXPECT(&t, PROMPT);
	term_send(&t, "next\n");
	EXPECT(&t, "next\r\n");
	usleep(200 * 1000);
	term_send(&t, "info registers x0\n");
	EXPECT(&t, "info registers x0"); /* the tty's echo: typed while it runs */
	usleep(200 * 1000);
	term_send(&t, "\003");
	EXPECT(&t, "Interrupted (Ctrl-C)");
	EXPECT(&t, "x0              0x0000000000000001  1");
	ck_assert_int_eq(term_quit(&t), 0);
}
END_TEST

/* continue &: the prompt stays; what works meanwhile; the stop arrives */
START_TEST(continue_in_background)
{
	struct term t;
	const char *args[] = { "--no-color", g_loop, NULL };
	start(&t, args);
	EXPECT(&t, PROMPT);
	term_send(&t, "continue &\n");
	EXPECT(&t, "Continuing in the background");
	EXPECT(&t, PROMPT);
	term_send(&t, "info vcpus\n");
	EXPECT(&t, "running  0x0000000000000000  -                  (running)");
	term_send(&t, "xp/1xw 0x40000000\n");
	EXPECT(&t, "0x40000000 <_start>:\t0xd2800020"); /* mov x0, #1 */
	term_send(&t, "x/2xw _start\n"); /* by VA: translated as at the last stop */
	EXPECT(&t, "0x40000000 <_start>:\t0xd2800020\t0x14000000");
	term_send(&t, "x/2xg $sp\n");
	EXPECT(&t, "the guest is running");
	term_send(&t, "info registers x0\n");
	EXPECT(&t, "the guest is running: 'interrupt' (or Ctrl-C) stops it");
	term_send(&t, "interrupt\n");
	EXPECT(&t, "Interrupted (Ctrl-C): vCPU 0 stopped");
	EXPECT(&t, "<spin>");
	term_send(&t, "info registers x0\n");
	EXPECT(&t, "x0              0x0000000000000001  1");
	/* Ctrl-C at the background prompt stops it too */
	term_send(&t, "continue &\n");
	EXPECT(&t, "Continuing in the background");
	EXPECT(&t, PROMPT);
	term_send(&t, "\003");
	EXPECT(&t, "Interrupted (Ctrl-C): vCPU 0 stopped");
	ck_assert_int_eq(term_quit(&t), 0);

	/* a breakpoint hit while the prompt waits is shown at once; its
	 * condition is checked as in the foreground */
	const char *cargs[] = { "--no-color", g_count, NULL };
	start(&t, cargs);
	EXPECT(&t, PROMPT);
	term_send(&t, "break tick if $x0 == 3\ncontinue &\n");
	EXPECT(&t, "Continuing in the background");
	EXPECT(&t, "Breakpoint 1, vCPU 0 at tick");
	EXPECT(&t, PROMPT);
	term_send(&t, "p $x0\n");
	EXPECT(&t, "= 0x3 (3)");
	ck_assert_int_eq(term_quit(&t), 0);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("repl_gdb");
	TCase *c = tcase_create("pty");
	tcase_set_timeout(c, 90);
	tcase_add_test(c, list_and_source_lines);
	tcase_add_test(c, frame_selection);
	tcase_add_test(c, displays);
	tcase_add_test(c, run_again_and_reset);
	tcase_add_test(c, conditions_ignore_commands);
	tcase_add_test(c, print_memory_and_simd);
	tcase_add_test(c, sysreg_fields);
	tcase_add_test(c, type_ahead_across_ctrl_c);
	tcase_add_test(c, continue_in_background);
	suite_add_tcase(s, c);
	return s;
}

int main(void)
{
	setup_all();
	return hvdbg_env_run(&g_env, suite());
}
