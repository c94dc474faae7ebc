/*
 * test_examples.c - every example guest (examples/guests/) runs to PSCI
 * SYSTEM_OFF on the default machine (src/machine/) and prints exactly what
 * it should; the ones that need neither interrupts nor a second vCPU also
 * run on the minimal VMM (examples/vmm/mini_vmm.c, public API only) with
 * the same output.
 *
 * The guests are built here with the cross compiler, as the Makefile
 * does (ELF linked at 0x40000000, and a flat .bin for mini_vmm).
 * mini_vmm.c is compiled into this test (its main renamed) and run in a
 * child process with its stdout sent to a file.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../src/machine/machine.h"
#include "backend.h"

#define main mini_vmm_main
#include "../examples/vmm/mini_vmm.c"
#undef main
int mini_vmm_main(int argc, char **argv);

static char g_src[512], g_tmp[256];

/* ------------------------------------------------------------ guests */

static void find_src(void)
{
	const char *src = getenv("HVDBG_SRCDIR");
	if (src) {
		snprintf(g_src, sizeof(g_src), "%s", src);
		return;
	}
	/* __FILE__ is tests/test_examples.c relative to the repository. */
	snprintf(g_src, sizeof(g_src), "%s", __FILE__);
	char *slash = strrchr(g_src, '/');
	if (slash)
		*slash = 0;
	else
		snprintf(g_src, sizeof(g_src), ".");
	strncat(g_src, "/..", sizeof(g_src) - strlen(g_src) - 1);
}

static const char *const guests[] = { "hello", "exceptions", "paging", "timer",
				      "smp", "fpsimd", "watch", "mini_hyp" };

static void build_guests(void)
{
	for (size_t i = 0; i < sizeof(guests) / sizeof(guests[0]); i++) {
		char cmd[2048];
		snprintf(cmd, sizeof(cmd),
			 "cd %s && aarch64-linux-gnu-gcc -g -nostdlib -nostartfiles -static "
			 "-Wl,-Ttext=0x40000000 -Wl,--build-id=none -o %s/%s.elf examples/guests/%s.S && "
			 "aarch64-linux-gnu-objcopy -O binary %s/%s.elf %s/%s.bin",
			 g_src, g_tmp, guests[i], guests[i], g_tmp, guests[i], g_tmp, guests[i]);
		if (system(cmd) != 0) {
			fprintf(stderr, "test_examples: cannot build %s: %s\n", guests[i], cmd);
			exit(1);
		}
	}
}

/* ------------------------------------------------ the default machine */

static struct machine *M;
static char g_out[8192];
static size_t g_out_len;

static void capture(void *ctx, const char *buf, size_t len)
{
	(void)ctx;
	if (g_out_len + len < sizeof(g_out)) {
		memcpy(g_out + g_out_len, buf, len);
		g_out_len += len;
		g_out[g_out_len] = 0;
	}
}

/* Creates the machine (ncpus vCPUs; at EL2 with a GIC: el2; the REPL's
 * watchpoint stop after the access: watch_after) and loads NAME.elf. */
static void boot_guest(const char *name, unsigned ncpus, bool el2, bool watch_after)
{
	struct machine_opts o;
	char err[256], path[400];
	machine_opts_default(&o);
	o.ncpus = ncpus;
	o.el2 = o.gic = el2;
	o.watch_stop_after = watch_after;
	o.uart_out = capture;
	g_out_len = 0;
	g_out[0] = 0;
	M = machine_create(&o, err, sizeof(err));
	ck_assert_msg(M != NULL, "machine_create: %s", err);
	snprintf(path, sizeof(path), "%s/%s.elf", g_tmp, name);
	ck_assert_msg(machine_load_elf(M, path, 0, err, sizeof(err)) == 0, "load %s: %s", path, err);
}

/* Boots NAME.elf (see boot_guest) and runs it to the end. */
static void run_guest_at(const char *name, unsigned ncpus, bool el2)
{
	boot_guest(name, ncpus, el2, false);
	struct machine_stop st;
	ck_assert_int_eq(machine_cont(M, &st, 20000), 0);
	ck_assert_msg(st.reason == STOP_GUEST_EXIT,
		      "%s: stop reason %d, pc 0x%llx esr 0x%llx; output so far:\n%s", name,
		      (int)st.reason, (unsigned long long)st.pc, (unsigned long long)st.esr, g_out);
}

static void run_guest(const char *name, unsigned ncpus)
{
	run_guest_at(name, ncpus, false);
}

static void teardown(void)
{
	if (M)
		machine_destroy(M);
	M = NULL;
}

static uint64_t sym(const char *name)
{
	const struct elf_symbol *s = elf_sym_by_name(machine_image(M), name);
	ck_assert_msg(s != NULL, "no symbol %s", name);
	return s->addr;
}

static uint64_t mem64(uint64_t va)
{
	uint64_t v = 0;
	ck_assert_int_eq(machine_read_virt(M, 0, va, &v, 8), 8);
	return v;
}

#define ASSERT_OUTPUT(expected) \
	ck_assert_msg(strcmp(g_out, (expected)) == 0, "output:\n%s\nexpected:\n%s", g_out, (expected))

/* ------------------------------------------------ expected outputs */

static const char hello_out[] = "Hello from an ARM64 guest, through MMIO exits!\n";

static const char exceptions_out[] =
	"kernel: at EL1, vectors installed\n"
	"kernel: MMU on, dropping to EL0\n"
	"user: hello from EL0 (printed by SVC #1)\n"
	"user: SVC #3 says the kernel runs at EL1\n"
	"user: executing UDF #0x1234\n"
	"kernel: undefined instruction 0x1234 - skipped\n"
	"user: reading 0x80000000 (unmapped)\n"
	"kernel: data abort from EL0: translation fault, level 1, FAR 0x80000000 - skipped\n"
	"user: reading 0x40000000 (kernel memory)\n"
	"kernel: data abort from EL0: permission fault, level 3, FAR 0x40000000 - skipped\n"
	"user: done, exit\n"
	"kernel: exit after 9 SVCs, 1 undefined instruction, 2 page faults\n";

/* %llx: the address of ro_value */
static const char paging_fmt[] =
	"paging: MMU off, UART at its physical address 0x9000000\n"
	"paging: MMU on (TTBR0: RAM, TTBR1: UART), UART at 0xffffff8009000000\n"
	"paging: ro_value = 0x1111 in a read-only page, writing 0x2222\n"
	"fault: permission fault, level 3, FAR 0x%llx: page made writable, retrying\n"
	"paging: ro_value = 0x2222 after the retry; permission faults handled: 1\n";

static const char timer_out[] =
	"timer: virtual timer every 10 ms, waiting in WFI\n"
	"tick 1: IRQ, INTID 27\n"
	"tick 2: IRQ, INTID 27\n"
	"tick 3: IRQ, INTID 27\n"
	"tick 4: IRQ, INTID 27\n"
	"tick 5: IRQ, INTID 27\n"
	"timer: 5 ticks, timer off\n";

static const char fpsimd_out[] =
	"fpsimd: FP/SIMD enabled (CPACR_EL1.FPEN = 3)\n"
	"dot(a, b) = 816 (NEON FMLA on 4 float lanes)\n"
	"sqrt(2): Newton 1.414213562, FSQRT 1.414213562 (FSQRT - Newton = 1 ulp)\n"
	"A * B (FMLA by element):\n"
	"  [8, 2, 4, 6]\n"
	"  [16, 10, 12, 14]\n"
	"  [24, 18, 20, 22]\n"
	"  [32, 26, 28, 30]\n"
	"byte sum: UADDLV 5238, scalar loop 5238\n"
	"1.0 / 0.0 = 0x7ff0000000000000 (+inf), FPSR 0x2\n";

static const char watch_out[] =
	"watch: counter = 0, three increments, +10, report, double, report\n"
	"watch: counter = 13\n"
	"watch: counter = 26\n";

static void smp_expected(unsigned n, char *buf, size_t len)
{
	size_t o = (size_t)snprintf(buf, len,
				    "smp: CPU 0 up, starting the others with PSCI CPU_ON\n"
				    "smp: CPUs online: %u\n", n);
	for (unsigned i = 0; i < n && o < len; i++)
		o += (size_t)snprintf(buf + o, len - o, "CPU %u: my turn, MPIDR_EL1 0x%x\n", i,
				      0x80000000u | i);
	if (o < len)
		snprintf(buf + o, len - o, "smp: counters: exclusives %u, LSE %u, expected %u\n",
			 1000 * n, 1000 * n, 1000 * n);
}

/* ------------------------------------------- on the default machine */

START_TEST(machine_hello)
{
	run_guest("hello", 1);
	ASSERT_OUTPUT(hello_out);
}
END_TEST

START_TEST(machine_exceptions)
{
	run_guest("exceptions", 1);
	ASSERT_OUTPUT(exceptions_out);
	ck_assert_uint_eq(mem64(sym("svc_count")), 9);
}
END_TEST

START_TEST(machine_paging)
{
	run_guest("paging", 1);
	char exp[1024];
	snprintf(exp, sizeof(exp), paging_fmt, (unsigned long long)sym("ro_value"));
	ASSERT_OUTPUT(exp);
	/* The MMU is still on: the debugger reads through the guest's tables. */
	ck_assert_uint_eq(mem64(sym("ro_value")), 0x2222);
	uint64_t ipa = 0;
	ck_assert_int_eq(machine_translate(M, 0, 0xffffff8009000000ull, &ipa), 0);
	ck_assert_uint_eq(ipa, 0x09000000);
}
END_TEST

START_TEST(machine_timer)
{
	run_guest("timer", 1);
	ASSERT_OUTPUT(timer_out);
	struct machine_exit_stats s;
	ck_assert_int_eq(machine_vcpu_stats(M, 0, &s), 0);
	ck_assert_uint_ge(s.vtimer, 5);
}
END_TEST

/* --smp 1, 2, 4 */
START_TEST(machine_smp)
{
	static const unsigned n[] = { 1, 2, 4 };
	char exp[1024];
	run_guest("smp", n[_i]);
	smp_expected(n[_i], exp, sizeof(exp));
	ASSERT_OUTPUT(exp);
}
END_TEST

START_TEST(machine_fpsimd)
{
	run_guest("fpsimd", 1);
	ASSERT_OUTPUT(fpsimd_out);
}
END_TEST

START_TEST(machine_watch)
{
	run_guest("watch", 1);
	ASSERT_OUTPUT(watch_out);
	ck_assert_uint_eq(mem64(sym("counter")), 26);
	ck_assert_uint_eq(mem64(sym("spare")), 0);
}
END_TEST

static const char mini_hyp_out[] =
	"hyp: at EL2, building stage 2 for the guest\n"
	"hyp: ERET to the guest at EL1\n"
	"guest: hello from EL1, my UART is emulated at EL2\n"
	"hyp: HVC #1 from the guest, answering 42\n"
	"guest: the hypervisor's number is 42\n"
	"hyp: HVC #2, injecting virtual interrupt 48 (ICH_LR0_EL2)\n"
	"guest: virtual interrupt 48\n"
	"guest: done\n"
	"hyp: HVC #0, the guest is done; UART stores emulated: 127\n"
	"hyp: powering off\n";

/* The hypervisor example (--el2): its guest's UART stores trapped by
 * stage 2 and emulated at EL2, a hypercall, a list-register interrupt. */
START_TEST(machine_mini_hyp)
{
	if (!hv_test_have_el2(__func__))
		return;
	run_guest_at("mini_hyp", 1, true);
	ASSERT_OUTPUT(mini_hyp_out);
	ck_assert_uint_eq(mem64(sym("mmio_count")), 127);
}
END_TEST

/* The debugger in a hypervisor: a hardware breakpoint on EL2 code, a
 * watchpoint written at EL2, a hardware breakpoint in its EL1 guest. */
START_TEST(machine_mini_hyp_debug)
{
	if (!hv_test_have_el2(__func__))
		return;
	boot_guest("mini_hyp", 1, true, true);
	struct machine_stop st;
	ck_assert_int_eq(machine_hwbp_insert(M, sym("hyp_mmio")), 0);
	ck_assert_int_eq(machine_hwbp_insert(M, sym("guest_after_irq")), 0);
	ck_assert_int_eq(machine_cont(M, &st, 5000), 0);
	ck_assert_int_eq(st.reason, STOP_HW_BREAKPOINT);
	ck_assert_uint_eq(st.pc, sym("hyp_mmio"));
	ck_assert_int_eq(machine_hwbp_remove(M, sym("hyp_mmio")), 0);
	ck_assert_int_eq(machine_wp_insert(M, sym("mmio_count"), 8, WATCH_WRITE), 0);
	ck_assert_int_eq(machine_cont(M, &st, 5000), 0);
	ck_assert_int_eq(st.reason, STOP_WATCHPOINT);
	ck_assert_uint_eq(mem64(sym("mmio_count")), 1);
	ck_assert_int_eq(machine_wp_remove(M, sym("mmio_count"), 8, WATCH_WRITE), 0);
	ck_assert_int_eq(machine_cont(M, &st, 5000), 0);
	ck_assert_int_eq(st.reason, STOP_HW_BREAKPOINT);
	ck_assert_uint_eq(st.pc, sym("guest_after_irq"));
	uint64_t regs[34];
	ck_assert_int_eq(machine_get_core_regs(M, 0, regs), 0);
	ck_assert_uint_eq(regs[33] & 0xf, 5); /* at EL1h */
}
END_TEST

/* A write watchpoint on `counter` stops at each of its writers in turn. */
START_TEST(machine_watch_writers)
{
	boot_guest("watch", 1, false, true);
	uint64_t c = sym("counter");
	ck_assert_int_eq(machine_wp_insert(M, c, 8, WATCH_WRITE), 0);
	static const char *const writers[] = { "set_counter", "increment", "increment",
					       "increment", "set_counter", "double_it" };
	static const uint64_t values[] = { 0, 1, 2, 3, 13, 26 };
	for (unsigned i = 0; i < 6; i++) {
		struct machine_stop st;
		ck_assert_int_eq(machine_cont(M, &st, 5000), 0);
		ck_assert_msg(st.reason == STOP_WATCHPOINT, "write %u: stop %d", i, (int)st.reason);
		const struct elf_symbol *s = elf_sym_by_addr(machine_image(M), st.watch_pc, NULL);
		ck_assert_ptr_nonnull(s);
		ck_assert_str_eq(s->name, writers[i]);
		ck_assert_uint_eq(mem64(c), values[i]);
	}
	struct machine_stop st;
	ck_assert_int_eq(machine_cont(M, &st, 5000), 0);
	ck_assert_int_eq(st.reason, STOP_GUEST_EXIT);
}
END_TEST

/* ------------------------------------------------------- on mini_vmm */

/* Runs mini_vmm NAME.bin in a child; its stdout into out. */
static int run_mini_vmm(const char *name, char *out, size_t len)
{
	char bin[400], log[400];
	snprintf(bin, sizeof(bin), "%s/%s.bin", g_tmp, name);
	snprintf(log, sizeof(log), "%s/%s.%d.out", g_tmp, name, (int)getpid());
	fflush(NULL);
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		if (!freopen(log, "w", stdout))
			_exit(126);
		char *argv[] = { "mini_vmm", bin, NULL };
		int status = mini_vmm_main(2, argv);
		fflush(stdout);
		_exit(status);
	}
	int ws = 0;
	ck_assert_int_eq(waitpid(pid, &ws, 0), pid);
	FILE *f = fopen(log, "r");
	ck_assert_ptr_nonnull(f);
	size_t n = fread(out, 1, len - 1, f);
	out[n] = 0;
	fclose(f);
	unlink(log);
	return WIFEXITED(ws) ? WEXITSTATUS(ws) : -1;
}

START_TEST(mini_vmm_guests)
{
	static const char *const names[] = { "hello", "exceptions", "fpsimd", "watch", "paging" };
	const char *name = names[_i];
	char out[8192], exp[1024];
	const char *want = exp;
	if (!strcmp(name, "hello"))
		want = hello_out;
	else if (!strcmp(name, "exceptions"))
		want = exceptions_out;
	else if (!strcmp(name, "fpsimd"))
		want = fpsimd_out;
	else if (!strcmp(name, "watch"))
		want = watch_out;
	else {
		/* ro_value's address, from the ELF's symbols */
		char cmd[600];
		snprintf(cmd, sizeof(cmd), "aarch64-linux-gnu-nm %s/paging.elf | grep ' ro_value$'", g_tmp);
		FILE *p = popen(cmd, "r");
		ck_assert_ptr_nonnull(p);
		unsigned long long a = 0;
		ck_assert_int_eq(fscanf(p, "%llx", &a), 1);
		pclose(p);
		snprintf(exp, sizeof(exp), paging_fmt, a);
	}
	int status = run_mini_vmm(name, out, sizeof(out));
	ck_assert_msg(status == 0, "mini_vmm %s: exit status %d; output:\n%s", name, status, out);
	ck_assert_msg(strcmp(out, want) == 0, "mini_vmm %s output:\n%s\nexpected:\n%s", name, out, want);
}
END_TEST

/* examples/vmm/gic_vmm with its guest: the SPI reaches the guest through
 * the GIC (no exits), the guest acknowledges and ends it.  The device
 * thread may raise the line before or after the guest's first line is
 * out; the rest is ordered by cause and effect. */
START_TEST(gic_vmm_example)
{
	char build[512], cmd[1200], out[4096];
	snprintf(build, sizeof(build), "%s", GUEST_DIR);
	char *cut = strstr(build, "/tests/guests");
	if (cut)
		*cut = 0;
	snprintf(cmd, sizeof(cmd), "%s/examples/vmm/gic_vmm %s/examples/guests/gic_hello.bin", build, build);
	FILE *p = popen(cmd, "r");
	ck_assert_ptr_nonnull(p);
	size_t n = fread(out, 1, sizeof(out) - 1, p);
	out[n] = 0;
	int st = pclose(p);
	ck_assert_msg(st == 0, "gic_vmm: status %d, output:\n%s", st, out);
	const char *wait = strstr(out, "guest: GIC set up, waiting for SPI 40 in WFI\n");
	const char *raise = strstr(out, "device: raising SPI 40\n");
	const char *irq = strstr(out, "guest: IRQ 40 acknowledged from ICC_IAR1_EL1\n");
	const char *ack = strstr(out, "device: acknowledged, lowering SPI 40\n");
	const char *done = strstr(out, "guest: EOI done, powering off\n");
	ck_assert_msg(wait && raise && irq && ack && done, "gic_vmm output:\n%s", out);
	ck_assert_msg(wait < irq && raise < irq && irq < ack && ack < done, "gic_vmm order:\n%s", out);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("examples");
	TCase *tc = tcase_create("machine");
	tcase_add_checked_fixture(tc, NULL, teardown);
	tcase_add_test(tc, machine_hello);
	tcase_add_test(tc, machine_exceptions);
	tcase_add_test(tc, machine_paging);
	tcase_add_test(tc, machine_timer);
	tcase_add_loop_test(tc, machine_smp, 0, 3);
	tcase_add_test(tc, machine_fpsimd);
	tcase_add_test(tc, machine_watch);
	tcase_add_test(tc, machine_watch_writers);
	tcase_add_test(tc, machine_mini_hyp);
	tcase_add_test(tc, machine_mini_hyp_debug);
	suite_add_tcase(s, tc);
	TCase *tv = tcase_create("mini_vmm");
	tcase_add_loop_test(tv, mini_vmm_guests, 0, 5);
	tcase_add_test(tv, gic_vmm_example);
	suite_add_tcase(s, tv);
	return s;
}

int main(void)
{
	find_src();
	snprintf(g_tmp, sizeof(g_tmp), "/tmp/hvdbg-test-examples-%d", (int)getpid());
	if (mkdir(g_tmp, 0700) != 0) {
		perror(g_tmp);
		return 1;
	}
	build_guests();
	SRunner *sr = srunner_create(suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	char cmd[300];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", g_tmp);
	if (system(cmd) != 0)
		fprintf(stderr, "test_examples: cannot remove %s\n", g_tmp);
	return failed ? 1 : 0;
}
