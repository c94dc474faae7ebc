/*
 * test_repl_teach.c - what the REPL tells a student must be right (Arm
 * ARM): pagewalk's effective permissions, explain's syndromes, floats
 * as exact as gdb prints them; and the everyday defects a gdb user hits
 * (Ctrl-C at the prompt, breakpoints on data, register watchpoints,
 * overflowing numbers, a `next` over an endless loop, error texts).
 * The real program runs in a pseudo-terminal (tests/support/term.h).
 */
#include <check.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hvdbg_env.h"
#include "term.h"

static struct hvdbg_env g_env;
static char g_paging[400], g_exceptions[400], g_dbgtest[400], g_fpsimd[400];
static char g_loop[400], g_pair[400], g_pie[400], g_ret[400], g_timer[400];

/* b . forever after one instruction: a `next` never reaches a new line. */
static const char loop_src[] = "\t.text\n\t.globl _start\n\t.type _start, %function\n"
			       "_start:\n\tmov\tx0, #1\nspin:\tb\tspin\n\tmov\tx0, #2\n\t.size _start, .-_start\n";
/* A pair load from an unmapped IPA: a stage-2 abort with no syndrome. */
static const char pair_src[] = "\t.text\n\t.globl _start\n_start:\n\tmov\tx2, #0x10000000\n"
			       "\tldp\tx0, x1, [x2]\n\tb\t.\n";

/* C functions returning each kind of value (AAPCS64 6.9). */
static const char ret_src[] =
	"struct pair { long a, b; };\nstruct big { long a, b, c; };\nstruct hfa { double x, y; };\n"
	"#define F __attribute__((noinline))\n"
	"F double half(double x) { return x / 2; }\nF float third(float x) { return x / 3; }\n"
	"F int neg(int x) { return -x; }\nF struct pair mk(long a) { struct pair p = { a, a + 1 }; return p; }\n"
	"F struct big mkbig(long a) { struct big b = { a, a, a }; return b; }\n"
	"F struct hfa mkhfa(double a) { struct hfa h = { a, a * 2 }; return h; }\n"
	"F void nothing(void) { __asm__ volatile(\"nop\"); }\n"
	"volatile double vd; volatile float vf; volatile int vi; volatile long vl;\n"
	"void cmain(void) { vd = half(3.0); vf = third(1.0f); vi = neg(5); vl = mk(7).b; vl = mkbig(9).c;\n"
	"  vd = mkhfa(1.5).y; nothing(); }\n"
	"__asm__(\".globl _start\\n_start:\\n\\tmov x0, #(3 << 20)\\n\\tmsr cpacr_el1, x0\\n\\tisb\\n\"\n"
	"  \"\\tldr x0, =0x48000000\\n\\tmov sp, x0\\n\\tbl cmain\\n\\tmovz w0, #0x0008\\n\"\n"
	"  \"\\tmovk w0, #0x8400, lsl #16\\n\\thvc #0\\n\\tb .\\n\");\n";

static void setup_all(void)
{
	hvdbg_env_setup(&g_env, "repl-teach", __FILE__);
	hvdbg_env_example(&g_env, "paging", g_paging, sizeof(g_paging));
	hvdbg_env_example(&g_env, "exceptions", g_exceptions, sizeof(g_exceptions));
	hvdbg_env_example(&g_env, "dbgtest", g_dbgtest, sizeof(g_dbgtest));
	hvdbg_env_example(&g_env, "fpsimd", g_fpsimd, sizeof(g_fpsimd));
	hvdbg_env_example(&g_env, "timer", g_timer, sizeof(g_timer));
	hvdbg_env_asm(&g_env, "loop", loop_src, g_loop, sizeof(g_loop));
	hvdbg_env_asm(&g_env, "pair", pair_src, g_pair, sizeof(g_pair));
	char path[600];
	snprintf(path, sizeof(path), "%s/ret.c", g_env.tmp);
	FILE *f = fopen(path, "w");
	if (!f || fputs(ret_src, f) < 0 || fclose(f) != 0) {
		fprintf(stderr, "test_repl_teach: cannot write %s\n", path);
		exit(1);
	}
	snprintf(g_ret, sizeof(g_ret), "%s/ret.elf", g_env.tmp);
	char cc[2000];
	snprintf(cc, sizeof(cc), "aarch64-linux-gnu-gcc -g -O1 -ffreestanding -nostdlib -static -fno-pie -no-pie "
		 "-Wl,-Ttext=0x40000000 -Wl,--build-id=none -o %s %s", g_ret, path);
	if (system(cc) != 0) {
		fprintf(stderr, "test_repl_teach: cannot compile the C guest\n");
		exit(1);
	}
	snprintf(g_pie, sizeof(g_pie), "%s/pie.elf", g_env.tmp);
	char cmd[1200];
	snprintf(cmd, sizeof(cmd), "aarch64-linux-gnu-gcc -nostdlib -static-pie -o %s %s/loop.S", g_pie, g_env.tmp);
	if (system(cmd) != 0)
		g_pie[0] = 0;
}

static void start(struct term *t, const char *const *args)
{
	hvdbg_env_spawn(&g_env, t, args);
}

#define EXPECT(t, s) TERM_EXPECT((t), (s), 15000)
#define PROMPT "(hvdbg) "

/* The screen between the mark and the next prompt does not hold s. */
static void expect_absent_before_prompt(struct term *t, const char *s)
{
	size_t from = t->mark;
	TERM_EXPECT(t, PROMPT, 15000);
	char *seg = strndup(t->out + from, t->mark - from);
	ck_assert_msg(!strstr(seg, s), "unexpected \"%s\" in:\n%s", s, seg);
	free(seg);
}

/* ------------------------------------------------------- pagewalk */

START_TEST(pagewalk_table_limits)
{
	struct term t;
	const char *args[] = { "--no-color", g_paging, NULL };
	start(&t, args);
	EXPECT(&t, PROMPT);
	term_send(&t, "break mmu_is_on\ncontinue\n");
	EXPECT(&t, "Breakpoint 1, vCPU 0 at mmu_is_on");
	EXPECT(&t, PROMPT);
	/* uart_addr's page is EL1 RW; APTable[1] in its L1 table descriptor
	 * (TTBR0 [1] at 0x40014008) takes writes away below it. */
	term_send(&t, "pagewalk 0x40012000\n");
	EXPECT(&t, "effective: EL1 rw-, EL0 ---");
	term_send(&t, "set *0x40014008 = 0x4000000040015003\npagewalk 0x40012000\n");
	EXPECT(&t, "-> IPA 0x40012000 (4 KiB page), EL1 RW, EL0 none");
	EXPECT(&t, "effective: EL1 r--, EL0 ---");
	EXPECT(&t, "no write at EL1 or EL0: APTable[1] (bit 62) in the L1 table descriptor");
	/* PXNTable: the code page (EL1 executable) loses execute */
	term_send(&t, "set *0x40014008 = 0x0800000040015003\npagewalk 0x40000000\n");
	EXPECT(&t, "effective: EL1 r--, EL0 ---");
	EXPECT(&t, "no execute at EL1: PXNTable (bit 59) in the L1 table descriptor");
	/* AP = 0b01 (EL0 RW) without PXN: PXN is implied */
	term_send(&t, "set *0x40014008 = 0x40015003\nset *0x40016000 = 0x0040000040000743\npagewalk 0x40000000\n");
	EXPECT(&t, "EL1 RW, EL0 RW, UXN");
	EXPECT(&t, "effective: EL1 rw-, EL0 rw-");
	EXPECT(&t, "no execute at EL1: writable at EL0 implies PXN");
	/* EPD1: no TTBR1 walks at all */
	term_send(&t, "set $tcr_el1 = $tcr_el1 | (1 << 23)\npagewalk 0xffff000000000000\n");
	EXPECT(&t, "VA 0xffff000000000000: TTBR1: TTBR1 walks disabled (TCR_EL1.EPD1 = 1): translation fault, level 0");
	expect_absent_before_prompt(&t, "0 KiB granule");
	ck_assert_int_eq(term_quit(&t), 0);
}
END_TEST

/* -------------------------------------------------------- explain */

START_TEST(explain_syndromes)
{
	struct term t;
	const char *args[] = { "--no-color", g_exceptions, NULL };
	start(&t, args);
	EXPECT(&t, PROMPT);
	/* before anything happened */
	term_send(&t, "explain\n");
	EXPECT(&t, "vCPU 0 has not exited to the hypervisor yet: nothing to explain");
	term_send(&t, "explain el1\n");
	EXPECT(&t, "vCPU 0 has taken no synchronous exception to EL1 yet");
	expect_absent_before_prompt(&t, "16-bit");
	/* register 31 is the zero register; system registers by name */
	term_send(&t, "explain 0x931f0047\n");
	EXPECT(&t, "write of 1 byte from wzr");
	term_send(&t, "explain 0x623003e1\n");
	EXPECT(&t, "MRS xzr, MIDR_EL1 (read)");
	term_send(&t, "explain 0x62303019\n");
	EXPECT(&t, "MRS x0, ICC_IAR1_EL1 (read)");
	term_send(&t, "explain 0x2000000\n");
	EXPECT(&t, "IL 1 (RES1 for this class)");
	/* a stage-1 abort taken by the guest: ISV is 0 in ESR_EL1 always,
	 * whatever the instruction (here a plain ldr x2, [x1]) */
	term_send(&t, "break do_dabort\ncontinue\n");
	EXPECT(&t, "Breakpoint 1, vCPU 0 at do_dabort");
	EXPECT(&t, PROMPT);
	term_send(&t, "explain el1\n");
	EXPECT(&t, "at ELR_EL1: ldr");
	EXPECT(&t, "ISV = 0, no instruction syndrome: always so in ESR_EL1 (only stage-2 aborts reported at EL2 have one)");
	expect_absent_before_prompt(&t, "pair, atomic or writeback");
	ck_assert_int_eq(term_quit(&t), 0);
}
END_TEST

/* At the IRQ vector: an IRQ writes no ESR_EL1, and explain el1 says so. */
START_TEST(explain_el1_at_irq_vector)
{
	struct term t;
	const char *args[] = { "--no-color", g_timer, NULL };
	start(&t, args);
	EXPECT(&t, PROMPT);
	term_send(&t, "break *vectors+0x280\ncontinue\n");
	EXPECT(&t, "Breakpoint 1, vCPU 0 at vectors+0x280");
	EXPECT(&t, PROMPT);
	term_send(&t, "explain el1\n");
	EXPECT(&t, "vCPU 0 is at an EL1 vector: the IRQ one for the current EL with SP_ELx (VBAR_EL1 + 0x280)");
	EXPECT(&t, "an IRQ writes neither ESR_EL1 nor FAR_EL1");
	EXPECT(&t, "has taken no synchronous exception to EL1 yet");
	ck_assert_int_eq(term_quit(&t), 0);
}
END_TEST

/* A stage-2 abort without a syndrome: the reason is the instruction's. */
START_TEST(explain_isv0_at_el2)
{
	struct term t;
	const char *args[] = { "--no-color", g_pair, NULL };
	start(&t, args);
	EXPECT(&t, PROMPT);
	term_send(&t, "continue\n");
	EXPECT(&t, "an exit the machine cannot handle");
	EXPECT(&t, "IL 1 (RES1 for this class)");
	EXPECT(&t, PROMPT);
	term_send(&t, "explain\n");
	EXPECT(&t, "IPA 0x10000000");
	EXPECT(&t, "the instruction is a register pair (LDP/STP)");
	ck_assert_int_eq(term_quit(&t), 0);
}
END_TEST

/* --------------------------------------------------------- floats */

START_TEST(floats_round_trip)
{
	struct term t;
	const char *args[] = { "--no-color", g_fpsimd, NULL };
	start(&t, args);
	EXPECT(&t, PROMPT);
	term_send(&t, "break sqrt2_newton\ncontinue\n");
	EXPECT(&t, "Breakpoint 1, vCPU 0 at sqrt2_newton");
	term_send(&t, "finish\n");
	EXPECT(&t, "Run till exit");
	EXPECT(&t, PROMPT);
	/* Newton's result is 1 ulp below sqrt(2): 17 digits show it */
	term_send(&t, "p/f $d0\n");
	EXPECT(&t, "= 1.4142135623730949\r\n");
	term_send(&t, "p/f 0x3fb999999999999a\n");
	EXPECT(&t, "= 0.10000000000000001\r\n");
	term_send(&t, "set *($sp - 16) = 0x4000000000000001\nx/1fg $sp - 16\n");
	EXPECT(&t, "2.0000000000000004");
	ck_assert_int_eq(term_quit(&t), 0);
}
END_TEST

/* finish: the value where the DWARF return type puts it */
START_TEST(finish_return_types)
{
	struct term t;
	const char *args[] = { "--no-color", g_ret, NULL };
	start(&t, args);
	EXPECT(&t, PROMPT);
	static const char *const fns[] = { "half", "third", "neg", "mk", "mkbig", "mkhfa", "nothing" };
	static const char *const want[] = {
		"Value returned in d0 (double): 1.5\r\n",
		"Value returned in s0 (float): 0.333333343\r\n",
		"Value returned in w0 (int): -5\r\n",
		"Value returned in x0, x1 (struct pair, 16 bytes): x0 0x7, x1 0x8\r\n",
		"(mkbig returns a 24-byte struct big in memory: the caller's buffer, whose address it passed in x8)",
		"Value returned in d0-d1 (struct hfa): d0 = 1.5, d1 = 3\r\n",
		"(nothing returns void: no value)",
	};
	for (unsigned i = 0; i < 7; i++) {
		char cmd[64], hit[64];
		snprintf(cmd, sizeof(cmd), "break %s\ncontinue\n", fns[i]);
		snprintf(hit, sizeof(hit), "vCPU 0 at %s\r\n", fns[i]);
		term_send(&t, cmd);
		EXPECT(&t, hit);
		EXPECT(&t, PROMPT);
		term_send(&t, "finish\n");
		EXPECT(&t, want[i]);
	}
	ck_assert_int_eq(term_quit(&t), 0);
}
END_TEST

/* -------------------------------------------------------- Ctrl-C */

START_TEST(ctrl_c_at_the_prompt)
{
	struct term t;
	const char *args[] = { "--no-color", g_dbgtest, NULL };
	start(&t, args);
	EXPECT(&t, PROMPT);
	/* a half-typed line: dropped, a new prompt, still running */
	term_send(&t, "info reg");
	EXPECT(&t, "info reg");
	term_send(&t, "\003");
	EXPECT(&t, PROMPT);
	term_send(&t, "info registers x1\n");
	EXPECT(&t, "x1              0x");
	EXPECT(&t, PROMPT);
	/* an empty line, after a step */
	term_send(&t, "si\n");
	EXPECT(&t, "<_start+0x4>");
	EXPECT(&t, PROMPT);
	term_send(&t, "\003");
	EXPECT(&t, PROMPT);
	/* after an interrupted continue (the guest waits in WFI at the end) */
	term_send(&t, "continue\n");
	EXPECT(&t, "Continuing.");
	term_send(&t, "\003");
	EXPECT(&t, "Interrupted (Ctrl-C)");
	EXPECT(&t, PROMPT);
	term_send(&t, "\003");
	EXPECT(&t, PROMPT);
	term_send(&t, "echo alive\\n\n");
	EXPECT(&t, "alive");
	ck_assert_int_eq(term_quit(&t), 0);
}
END_TEST

/* ---------------------------------------------- breaks and watches */

START_TEST(break_on_data_refused)
{
	struct term t;
	const char *args[] = { "--no-color", g_exceptions, NULL };
	start(&t, args);
	EXPECT(&t, PROMPT);
	/* a string in .text (after a $d mapping symbol) */
	term_send(&t, "break msg_start\n");
	EXPECT(&t, "msg_start is data, not code (a label of bytes, not instructions)");
	term_send(&t, "info breakpoints\n");
	EXPECT(&t, "No breakpoints");
	/* insisting with *ADDR works, with a warning */
	term_send(&t, "break *msg_start\n");
	EXPECT(&t, "warning: 0x");
	EXPECT(&t, "which is data");
	EXPECT(&t, "Breakpoint 1 at");
	term_send(&t, "delete\n");
	/* the guest's first line still prints, code breakpoints still work */
	term_send(&t, "break do_dabort\ncontinue\n");
	EXPECT(&t, "kernel: at EL1, vectors installed");
	EXPECT(&t, "Breakpoint 2, vCPU 0 at do_dabort");
	ck_assert_int_eq(term_quit(&t), 0);
}
END_TEST

START_TEST(watch_and_numbers)
{
	struct term t;
	const char *args[] = { "--no-color", g_dbgtest, NULL };
	start(&t, args);
	EXPECT(&t, PROMPT);
	term_send(&t, "break counter\n");
	EXPECT(&t, "counter is data, not code (an object symbol)");
	term_send(&t, "watch $x0\n");
	EXPECT(&t, "$x0 is a register: hardware watchpoints watch memory");
	term_send(&t, "watch counter 0\n");
	EXPECT(&t, "the length must be at least 1 byte");
	term_send(&t, "info breakpoints\n");
	EXPECT(&t, "No breakpoints");
	term_send(&t, "p 0x10000000000000000\n");
	EXPECT(&t, "number 0x10000000000000000 is too large for 64 bits");
	term_send(&t, "x/100000000xb 0x40000000\n");
	EXPECT(&t, "count in '/100000000xb' out of range: 1 to 65536 units");
	term_send(&t, "advance\n");
	EXPECT(&t, "advance needs a location");
	term_send(&t, "info registers w0\n");
	EXPECT(&t, "w0              0x00000000 ");
	/* help: whole first sentences */
	term_send(&t, "help\n");
	EXPECT(&t, "record at [x29+8] once the function has made calls), and show the value it returned:");
	EXPECT(&t, "hbreak       Set a hardware breakpoint (DBGBVR/DBGBCR), e.g. for code the guest rewrites.");
	ck_assert_int_eq(term_quit(&t), 0);
}
END_TEST

/* `changed:` is what the guest changed; info vcpus before any run. */
START_TEST(changed_and_vcpus)
{
	struct term t;
	const char *args[] = { "--no-color", "--smp", "2", g_dbgtest, NULL };
	start(&t, args);
	EXPECT(&t, PROMPT);
	term_send(&t, "info vcpus\n");
	EXPECT(&t, "_start             at its entry, not run yet");
	EXPECT(&t, "not started (PSCI CPU_ON starts it)");
	term_send(&t, "set $x5 = 7\nstepi\n");
	EXPECT(&t, "changed: x1=");
	expect_absent_before_prompt(&t, "x5=");
	ck_assert_int_eq(term_quit(&t), 0);
}
END_TEST

/* ------------------------------------------------ next over b . */

START_TEST(next_over_endless_loop)
{
	struct term t;
	const char *args[] = { "--no-color", g_loop, NULL };
	start(&t, args);
	EXPECT(&t, PROMPT);
	term_send(&t, "next\n");
	EXPECT(&t, "<spin>");
	EXPECT(&t, PROMPT);
	/* bounded in time: gives up after 5 s (it used to take a minute) */
	long t0 = term_now_ms();
	term_send(&t, "next\n");
	TERM_EXPECT(&t, "(gave up after ", 20000);
	long took = term_now_ms() - t0;
	ck_assert_msg(took < 12000, "next took %ld ms", took);
	EXPECT(&t, PROMPT);
	/* and Ctrl-C stops it at once */
	term_send(&t, "next\n");
	EXPECT(&t, "next\r\n");
	usleep(300 * 1000); /* well inside the loop */
	t0 = term_now_ms();
	term_send(&t, "\003");
	EXPECT(&t, "Interrupted (Ctrl-C)");
	took = term_now_ms() - t0;
	ck_assert_msg(took < 3000, "Ctrl-C took %ld ms", took);
	EXPECT(&t, PROMPT);
	ck_assert_int_eq(term_quit(&t), 0);
}
END_TEST

/* ----------------------------------------------------- error texts */

static void expect_exit_error(const char *const *args, const char *want, const char *absent)
{
	struct term t;
	start(&t, args);
	TERM_EXPECT(&t, want, 15000);
	ck_assert_int_ne(term_wait_exit(&t, 10000), 0);
	if (absent)
		ck_assert_msg(!strstr(t.out, absent), "unexpected \"%s\" in:\n%s", absent, t.out);
}

START_TEST(error_texts)
{
	const char *ls[] = { "/bin/ls", NULL };
	expect_exit_error(ls, "hvdbg: /bin/ls: ELF machine 62: not AArch64", "/bin/ls: /bin/ls");
	const char *ram[] = { "--ram", "64G", g_dbgtest, NULL };
	expect_exit_error(ram, "does not fit the VM's 36-bit IPA space", "0xfae94003");
	if (g_pie[0]) {
		const char *pie[] = { g_pie, NULL };
		expect_exit_error(pie, "a position-independent (ET_DYN) image loads where --base ADDR says", NULL);
	}
	/* x/ past the end of RAM: the error, no dangling address line */
	struct term t;
	const char *args[] = { "--no-color", g_dbgtest, NULL };
	start(&t, args);
	EXPECT(&t, PROMPT);
	term_send(&t, "x/8xg 0x47fffff0\n");
	EXPECT(&t, "0x47fffff0:\t0x0000000000000000\t0x0000000000000000\r\ncannot access memory at 0x48000000");
	term_send(&t, "x/2xg 0x48000000\n");
	EXPECT(&t, "x/2xg 0x48000000\r\ncannot access memory at 0x48000000");
	/* gdbserver 0: never "target remote :0" */
	term_send(&t, "gdbserver 0\n");
	EXPECT(&t, "gdb server listening on 127.0.0.1:");
	ck_assert_msg(!strstr(t.out, "target remote :0"), "%s", t.out);
	kill(t.pid, SIGKILL);
	term_wait_exit(&t, 5000);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("repl_teach");
	TCase *c = tcase_create("pty");
	tcase_set_timeout(c, 90);
	tcase_add_test(c, pagewalk_table_limits);
	tcase_add_test(c, explain_syndromes);
	tcase_add_test(c, explain_isv0_at_el2);
	tcase_add_test(c, explain_el1_at_irq_vector);
	tcase_add_test(c, floats_round_trip);
	tcase_add_test(c, finish_return_types);
	tcase_add_test(c, ctrl_c_at_the_prompt);
	tcase_add_test(c, break_on_data_refused);
	tcase_add_test(c, watch_and_numbers);
	tcase_add_test(c, changed_and_vcpus);
	tcase_add_test(c, next_over_endless_loop);
	tcase_add_test(c, error_texts);
	suite_add_tcase(s, c);
	return s;
}

int main(void)
{
	setup_all();
	return hvdbg_env_run(&g_env, suite());
}
