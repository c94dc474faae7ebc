/*
 * test_machine.c - the default board and the run control used by the
 * REPL and the gdb server: ELF boot, UART output, PSCI (CPU_ON with two
 * vCPUs, SYSTEM_OFF), software/hardware breakpoints with step-over,
 * single-step, watchpoints (address, kind, PC), interrupt, registers,
 * memory by virtual address and the page-table walker, vtimer IRQ.
 *
 * The guest is examples/guests/dbgtest.S, linked here as an ELF with the
 * cross compiler (the Makefile only builds flat binaries for tests).
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../src/machine/machine.h"
#include "../src/machine/pagewalk.h"

static char g_elf[256];
static struct machine *M;
static char g_out[4096];
static size_t g_out_len;

static void capture(void *ctx, const char *buf, size_t len)
{
	(void)ctx;
	if (g_out_len + len < sizeof(g_out)) {
		memcpy(g_out + g_out_len, buf, len);
		g_out_len += len;
	}
}

/* Builds the ELF guest once, before the tests fork. */
static void build_guest(void)
{
	const char *src = getenv("HVDBG_SRCDIR");
	char dir[200];
	if (!src) {
		/* __FILE__ is tests/test_machine.c relative to the repository. */
		snprintf(dir, sizeof(dir), "%s", __FILE__);
		char *slash = strrchr(dir, '/');
		if (slash)
			*slash = 0;
		else
			snprintf(dir, sizeof(dir), ".");
		strncat(dir, "/..", sizeof(dir) - strlen(dir) - 1);
		src = dir;
	}
	snprintf(g_elf, sizeof(g_elf), "/tmp/hvdbg-test-machine-%d.elf", (int)getpid());
	char cmd[768];
	snprintf(cmd, sizeof(cmd),
		 "aarch64-linux-gnu-gcc -g -nostdlib -static -Wl,-Ttext=0x40000000 "
		 "-Wl,--build-id=none -o %s %s/examples/guests/dbgtest.S",
		 g_elf, src);
	if (system(cmd) != 0) {
		fprintf(stderr, "test_machine: cannot build the guest: %s\n", cmd);
		exit(1);
	}
}

static void remove_guest(void)
{
	unlink(g_elf);
}

static void boot(unsigned ncpus, bool watch_after)
{
	struct machine_opts o;
	char err[256];
	machine_opts_default(&o);
	o.ncpus = ncpus;
	o.uart_out = capture;
	o.watch_stop_after = watch_after;
	g_out_len = 0;
	M = machine_create(&o, err, sizeof(err));
	ck_assert_msg(M != NULL, "machine_create: %s", err);
	ck_assert_msg(machine_load_elf(M, g_elf, 0, err, sizeof(err)) == 0, "load: %s", err);
}

static void setup1(void) { boot(1, false); }
static void setup2(void) { boot(2, false); }
static void teardown(void)
{
	machine_destroy(M);
	M = NULL;
}

static uint64_t sym(const char *name)
{
	const struct elf_symbol *s = elf_sym_by_name(machine_image(M), name);
	ck_assert_msg(s != NULL, "no symbol %s", name);
	return s->addr;
}

static uint64_t reg(unsigned vcpu, hv_reg_t r)
{
	uint64_t v = 0;
	ck_assert_int_eq(machine_get_reg(M, vcpu, r, &v), 0);
	return v;
}

static uint64_t mem64(uint64_t va)
{
	uint64_t v = 0;
	ck_assert_int_eq(machine_read_virt(M, 0, va, &v, 8), 8);
	return v;
}

static struct machine_stop cont(void)
{
	struct machine_stop st;
	ck_assert_int_eq(machine_cont(M, &st, 5000), 0);
	return st;
}

#define ASSERT_STOP(st, r) \
	ck_assert_msg((st).reason == (r), "stop reason %d, expected %d (pc 0x%llx esr 0x%llx)", \
		      (int)(st).reason, (int)(r), (unsigned long long)(st).pc, (unsigned long long)(st).esr)

START_TEST(boot_state)
{
	ck_assert_uint_eq(reg(0, HV_REG_PC), sym("_start"));
	ck_assert_uint_eq(reg(0, HV_REG_X0), 0);
	ck_assert_uint_eq(reg(0, HV_REG_CPSR) & 0xf, 5); /* EL1h */
	uint64_t sp;
	ck_assert_int_eq(machine_get_sp(M, 0, &sp), 0);
	ck_assert_uint_eq(sp, machine_ram_base(M) + machine_ram_size(M));
	ck_assert_int_eq(machine_vcpu_state(M, 1), VCPU_OFF);
	/* .data loaded, .bss zeroed */
	ck_assert_uint_eq(mem64(sym("entry_x0")), 0xdead);
	ck_assert_uint_eq(mem64(sym("bss_buf")), 0);
}
END_TEST

START_TEST(run_to_poweroff_smp)
{
	struct machine_stop st = cont();
	ASSERT_STOP(st, STOP_GUEST_EXIT);
	ck_assert(!st.reset);
	ck_assert(machine_exited(M));
	ck_assert_int_eq((int)g_out_len, 3);
	ck_assert(memcmp(g_out, "hi\n", 3) == 0);
	ck_assert_uint_eq(mem64(sym("entry_x0")), 0);
	ck_assert_uint_eq(mem64(sym("counter")), 0x1234);
	ck_assert_uint_eq(mem64(sym("flag")), 0x77); /* vCPU 1 got x0 = context id */
	ck_assert_uint_eq(reg(0, HV_REG_X20), 0);     /* CPU_ON: SUCCESS */
	ck_assert_int_eq(machine_vcpu_state(M, 1), VCPU_OFF); /* it did CPU_OFF */
	ck_assert_int_eq(machine_resume(M, NULL), MACHINE_ERR_EXITED);
}
END_TEST

START_TEST(breakpoint_step_continue)
{
	uint64_t f = sym("func_a");
	uint32_t orig, now;
	ck_assert_int_eq(machine_read_virt(M, 0, f, &orig, 4), 4);
	ck_assert_int_eq(machine_bp_insert(M, f), 0);
	ck_assert_int_eq(machine_bp_insert(M, f), MACHINE_ERR_EXISTS);
	ck_assert_int_eq(machine_bp_insert(M, f + 8), 0);
	struct machine_stop st = cont();
	ASSERT_STOP(st, STOP_BREAKPOINT);
	ck_assert_uint_eq(st.pc, f);
	ck_assert_uint_eq(st.vcpu, 0);
	/* While stopped memory shows the original instruction. */
	ck_assert_int_eq(machine_read_virt(M, 0, f, &now, 4), 4);
	ck_assert_uint_eq(now, orig);
	/* Step from the breakpoint: one instruction. */
	ck_assert_int_eq(machine_stepi(M, 0, false, &st), 0);
	ASSERT_STOP(st, STOP_STEP);
	ck_assert_uint_eq(st.pc, f + 4);
	ck_assert_uint_eq(reg(0, HV_REG_X0), 1);
	/* Continue: the next breakpoint. */
	st = cont();
	ASSERT_STOP(st, STOP_BREAKPOINT);
	ck_assert_uint_eq(st.pc, f + 8);
	ck_assert_uint_eq(reg(0, HV_REG_X0), 3);
	/* Continue from a breakpoint address: stepped over, runs to the end. */
	ck_assert_int_eq(machine_bp_remove(M, f), 0);
	st = cont();
	ASSERT_STOP(st, STOP_GUEST_EXIT);
	ck_assert_uint_eq(reg(0, HV_REG_X19), 6);
	ck_assert_int_eq(machine_read_virt(M, 0, f + 8, &now, 4), 4);
	ck_assert_uint_ne(now, 0xd4200000u); /* removed from memory on stop */
}
END_TEST

/* gdb's rule: a breakpoint at the PC is stepped over only when resuming
 * from a stop reported at that PC.  From the boot state (nothing run yet)
 * or after the PC was moved by hand, continue reports it at once. */
START_TEST(breakpoint_at_boot_pc)
{
	uint64_t start = sym("_start"), f = sym("func_a");
	ck_assert_int_eq(machine_bp_insert(M, start), 0);
	struct machine_stop st = cont();
	ASSERT_STOP(st, STOP_BREAKPOINT);
	ck_assert_uint_eq(st.pc, start);
	ck_assert_int_eq((int)g_out_len, 0); /* nothing ran */
	/* Resuming from that stop steps over it. */
	ck_assert_int_eq(machine_bp_insert(M, f), 0);
	st = cont();
	ASSERT_STOP(st, STOP_BREAKPOINT);
	ck_assert_uint_eq(st.pc, f);
	/* PC moved by hand onto a breakpoint: hit without executing. */
	ck_assert_int_eq(machine_set_reg(M, 0, HV_REG_PC, start), 0);
	st = cont();
	ASSERT_STOP(st, STOP_BREAKPOINT);
	ck_assert_uint_eq(st.pc, start);
	/* The same for a hardware breakpoint. */
	ck_assert_int_eq(machine_bp_remove(M, start), 0);
	ck_assert_int_eq(machine_hwbp_insert(M, f + 4), 0);
	ck_assert_int_eq(machine_set_reg(M, 0, HV_REG_PC, f + 4), 0);
	st = cont();
	ASSERT_STOP(st, STOP_HW_BREAKPOINT);
	ck_assert_uint_eq(st.pc, f + 4);
	/* A single step always executes the instruction at the PC. */
	ck_assert_int_eq(machine_stepi(M, 0, false, &st), 0);
	ASSERT_STOP(st, STOP_STEP);
	ck_assert_uint_eq(st.pc, f + 8);
}
END_TEST

START_TEST(stepi_from_boot_breakpoint)
{
	uint64_t start = sym("_start");
	struct machine_stop st;
	ck_assert_int_eq(machine_bp_insert(M, start), 0);
	ck_assert_int_eq(machine_stepi(M, 0, false, &st), 0);
	ASSERT_STOP(st, STOP_STEP);
	ck_assert_uint_eq(st.pc, start + 4);
}
END_TEST

START_TEST(stepi_sequence)
{
	uint64_t pc0 = reg(0, HV_REG_PC);
	struct machine_stop st;
	for (unsigned i = 1; i <= 5; i++) { /* straight-line code at _start */
		ck_assert_int_eq(machine_stepi(M, 0, false, &st), 0);
		ASSERT_STOP(st, STOP_STEP);
		ck_assert_uint_eq(st.pc, pc0 + 4 * i);
	}
	ck_assert_uint_eq(reg(0, HV_REG_X1), 0); /* MPIDR.Aff0 of vCPU 0 */
	/* Step across the UART loop: a store to MMIO completes the step. */
	for (unsigned i = 0; i < 40; i++) {
		ck_assert_int_eq(machine_stepi(M, 0, false, &st), 0);
		ASSERT_STOP(st, STOP_STEP);
	}
	ck_assert_int_eq((int)g_out_len, 3);
	ck_assert(memcmp(g_out, "hi\n", 3) == 0);
}
END_TEST

START_TEST(hw_breakpoint)
{
	uint64_t f = sym("func_a");
	ck_assert_uint_ge(machine_hw_bp_count(M), 2);
	ck_assert_int_eq(machine_hwbp_insert(M, f + 4), 0);
	struct machine_stop st = cont();
	ASSERT_STOP(st, STOP_HW_BREAKPOINT);
	ck_assert_uint_eq(st.pc, f + 4);
	ck_assert_int_eq(st.hw_slot, 0);
	ck_assert_uint_eq(reg(0, HV_REG_X0), 1);
	/* Continue steps over it. */
	st = cont();
	ASSERT_STOP(st, STOP_GUEST_EXIT);
}
END_TEST

START_TEST(watch_write_before_access)
{
	uint64_t c = sym("counter");
	ck_assert_int_eq(machine_wp_insert(M, c, 8, WATCH_WRITE), 0);
	struct machine_stop st = cont();
	ASSERT_STOP(st, STOP_WATCHPOINT);
	ck_assert_uint_eq(st.data_addr, c);
	ck_assert_int_eq(st.watch_kind, WATCH_WRITE);
	ck_assert(st.access_is_write);
	ck_assert_uint_eq(st.pc, sym("do_write") + 8);
	ck_assert_uint_eq(st.watch_pc, st.pc);
	ck_assert_uint_eq(mem64(c), 0); /* the store has not happened */
	/* The read does not trigger a write watchpoint; continue steps over. */
	st = cont();
	ASSERT_STOP(st, STOP_GUEST_EXIT);
	ck_assert_uint_eq(mem64(c), 0x1234);
}
END_TEST

START_TEST(watch_read_and_access)
{
	uint64_t c = sym("counter");
	ck_assert_int_eq(machine_wp_insert(M, c, 8, WATCH_READ), 0);
	struct machine_stop st = cont();
	ASSERT_STOP(st, STOP_WATCHPOINT);
	ck_assert_int_eq(st.watch_kind, WATCH_READ);
	ck_assert(!st.access_is_write);
	ck_assert_uint_eq(st.pc, sym("do_read"));
	ck_assert_int_eq(machine_wp_remove(M, c, 8, WATCH_READ), 0);
	ck_assert_int_eq(machine_wp_remove(M, c, 8, WATCH_READ), MACHINE_ERR_EXISTS);
	/* 4 bytes in the middle of the doubleword, any access. */
	ck_assert_int_eq(machine_wp_insert(M, c + 4, 4, WATCH_ACCESS), 0);
	ck_assert_int_eq(machine_wp_insert(M, c + 6, 4, WATCH_ACCESS), MACHINE_ERR_UNSUPPORTED);
	st = cont();
	ASSERT_STOP(st, STOP_GUEST_EXIT); /* the read already happened */
}
END_TEST

static void setup_after(void) { boot(2, true); }

START_TEST(watch_stop_after_access)
{
	uint64_t c = sym("counter");
	ck_assert_int_eq(machine_wp_insert(M, c, 8, WATCH_WRITE), 0);
	struct machine_stop st = cont();
	ASSERT_STOP(st, STOP_WATCHPOINT);
	ck_assert_uint_eq(st.watch_pc, sym("do_write") + 8);
	ck_assert_uint_eq(st.pc, sym("do_write") + 12);
	ck_assert_uint_eq(mem64(c), 0x1234);
	st = cont();
	ASSERT_STOP(st, STOP_GUEST_EXIT);
}
END_TEST

/* After a watchpoint stop reported after the access, the next
 * instruction is not stepped with the watchpoints off: its own access
 * (the read at do_read) must trigger. */
START_TEST(watch_after_then_next_access)
{
	uint64_t c = sym("counter");
	ck_assert_int_eq(machine_wp_insert(M, c, 8, WATCH_WRITE), 0);
	struct machine_stop st = cont();
	ASSERT_STOP(st, STOP_WATCHPOINT);
	ck_assert_uint_eq(st.pc, sym("do_read"));
	ck_assert_int_eq(machine_wp_insert(M, c, 8, WATCH_READ), 0);
	st = cont();
	ASSERT_STOP(st, STOP_WATCHPOINT);
	ck_assert_int_eq(st.watch_kind, WATCH_READ);
	ck_assert_uint_eq(st.watch_pc, sym("do_read"));
	ck_assert_uint_eq(st.pc, sym("do_read") + 4);
	ck_assert_uint_eq(reg(0, HV_REG_X8), 0x1234);
	/* Switching to stop-before (gdb) mode while stopped. */
	ck_assert(machine_watch_stop_after(M));
	ck_assert_int_eq(machine_set_watch_stop_after(M, false), 0);
	ck_assert(!machine_watch_stop_after(M));
	ck_assert_int_eq(machine_wp_remove(M, c, 8, WATCH_WRITE), 0);
	ck_assert_int_eq(machine_wp_remove(M, c, 8, WATCH_READ), 0);
	ck_assert_int_eq(machine_set_reg(M, 0, HV_REG_PC, sym("do_read")), 0);
	ck_assert_int_eq(machine_wp_insert(M, c, 8, WATCH_READ), 0);
	st = cont();
	ASSERT_STOP(st, STOP_WATCHPOINT);
	ck_assert_uint_eq(st.pc, sym("do_read"));
	ck_assert_uint_eq(st.watch_pc, st.pc);
	/* Resuming from it steps over the load (no second hit). */
	st = cont();
	ASSERT_STOP(st, STOP_GUEST_EXIT);
}
END_TEST

START_TEST(interrupt_spinning_guest)
{
	/* One vCPU: CPU_ON fails, the guest spins on the flag forever. */
	ck_assert_int_eq(machine_resume(M, NULL), 0);
	struct machine_stop st;
	ck_assert_int_eq(machine_wait(M, &st, 100), MACHINE_ERR_TIMEOUT);
	ck_assert(machine_running(M));
	machine_interrupt(M);
	ck_assert_int_eq(machine_wait(M, &st, 5000), 0);
	ASSERT_STOP(st, STOP_INTERRUPT);
	ck_assert_uint_eq(st.vcpu, 0);
	ck_assert_uint_eq((uint64_t)(int64_t)reg(0, HV_REG_X20), (uint64_t)-2); /* INVALID_PARAMETERS */
	uint64_t pc = reg(0, HV_REG_PC);
	ck_assert(pc >= sym("do_read") && pc < sym("power_off"));
	/* Let it finish: set the flag by hand. */
	uint64_t one = 1;
	ck_assert_int_eq(machine_write_virt(M, 0, sym("flag"), &one, 8), 8);
	st = cont();
	ASSERT_STOP(st, STOP_GUEST_EXIT);
}
END_TEST

START_TEST(registers)
{
	ck_assert_int_eq(machine_set_reg(M, 0, HV_REG_X5, 0x1122334455667788ull), 0);
	ck_assert_uint_eq(reg(0, HV_REG_X5), 0x1122334455667788ull);
	uint64_t core[34];
	ck_assert_int_eq(machine_get_core_regs(M, 0, core), 0);
	ck_assert_uint_eq(core[5], 0x1122334455667788ull);
	ck_assert_uint_eq(core[32], sym("_start"));
	uint64_t v;
	ck_assert_int_eq(machine_set_sys_reg(M, 1, HV_SYS_REG_TPIDR_EL1, 42), 0);
	ck_assert_int_eq(machine_get_sys_reg(M, 1, HV_SYS_REG_TPIDR_EL1, &v), 0);
	ck_assert_uint_eq(v, 42);
	ck_assert_int_eq(machine_get_sys_reg(M, 1, HV_SYS_REG_MPIDR_EL1, &v), 0);
	ck_assert_uint_eq(v & 0xff, 1);
	uint8_t q[16], r[16];
	for (int i = 0; i < 16; i++)
		q[i] = (uint8_t)(i * 3);
	ck_assert_int_eq(machine_set_simd(M, 0, 7, q), 0);
	ck_assert_int_eq(machine_get_simd(M, 0, 7, r), 0);
	ck_assert(memcmp(q, r, 16) == 0);
	ck_assert_int_eq(machine_get_reg(M, 9, HV_REG_X0, &v), MACHINE_ERR_ARG);
}
END_TEST

START_TEST(unhandled_exit)
{
	/* movz x0, #0x1000, lsl #16; ldr x1, [x0]: an unmapped IPA. */
	uint32_t code[] = { 0xd2a20000u, 0xf9400001u };
	char err[128];
	ck_assert_int_eq(machine_load_flat(M, code, sizeof(code), 0x40200000, 0x40200000, err, sizeof(err)), 0);
	struct machine_stop st = cont();
	ASSERT_STOP(st, STOP_UNHANDLED);
	ck_assert_uint_eq(st.esr >> 26, 0x24);
	ck_assert_uint_eq(st.ipa, 0x10000000);
	ck_assert_uint_eq(st.pc, 0x40200004);
	hv_vcpu_exit_t ex;
	ck_assert_int_eq(machine_vcpu_last_exit(M, 0, &ex), 0);
	ck_assert_uint_eq(ex.exception.syndrome, st.esr);
	char buf[512];
	machine_explain_esr(st.esr, buf, sizeof(buf));
	ck_assert_msg(strstr(buf, "data abort") && strstr(buf, "read of 8 bytes into x1"), "%s", buf);
}
END_TEST

START_TEST(vtimer_irq)
{
	ck_assert_int_eq(machine_set_reg(M, 0, HV_REG_PC, sym("timer_test")), 0);
	struct machine_stop st = cont();
	ASSERT_STOP(st, STOP_GUEST_EXIT);
	ck_assert_uint_eq(mem64(sym("irq_count")), 1);
	ck_assert_uint_eq(reg(0, HV_REG_X21), 27); /* ICC_IAR1_EL1 acknowledged the PPI */
	struct machine_exit_stats s;
	ck_assert_int_eq(machine_vcpu_stats(M, 0, &s), 0);
	ck_assert_uint_ge(s.vtimer, 1);
}
END_TEST

/* Builds 4K-granule tables in RAM: VA 0x1000_0000_0000 + page -> IPA. */
START_TEST(pagewalk_tables)
{
	uint64_t base = machine_ram_base(M), t0 = base + 0x100000, t1 = t0 + 0x1000, t2 = t1 + 0x1000,
		 t3 = t2 + 0x1000, target = base + 0x200000;
	uint64_t va = 0x0000100000003000ull;
	uint64_t d;
	d = t1 | 3;
	machine_write_phys(M, t0 + ((va >> 39) & 511) * 8, &d, 8);
	d = t2 | 3;
	machine_write_phys(M, t1 + ((va >> 30) & 511) * 8, &d, 8);
	d = t3 | 3;
	machine_write_phys(M, t2 + ((va >> 21) & 511) * 8, &d, 8);
	d = target | 3 | 1ull << 10 | 1ull << 6; /* page, AF, EL0 RW */
	machine_write_phys(M, t3 + ((va >> 12) & 511) * 8, &d, 8);
	machine_set_sys_reg(M, 0, HV_SYS_REG_TCR_EL1, 16); /* T0SZ 16, 4K */
	machine_set_sys_reg(M, 0, HV_SYS_REG_TTBR0_EL1, t0);
	machine_set_sys_reg(M, 0, HV_SYS_REG_SCTLR_EL1, 0x30d00801ull);
	uint64_t ipa;
	ck_assert_int_eq(machine_translate(M, 0, va + 0x123, &ipa), 0);
	ck_assert_uint_eq(ipa, target + 0x123);
	uint64_t magic = 0xfeedfacecafebeefull, got = 0;
	machine_write_phys(M, target + 8, &magic, 8);
	ck_assert_int_eq(machine_read_virt(M, 0, va + 8, &got, 8), 8);
	ck_assert_uint_eq(got, magic);
	/* The next page is unmapped: a short read. */
	uint8_t buf[16];
	ck_assert_int_eq(machine_read_virt(M, 0, va + 0xff8, buf, 16), 8);
	struct pagewalk_result r;
	ck_assert_int_eq(machine_pagewalk(M, 0, va, &r), 0);
	ck_assert(r.ok);
	ck_assert_int_eq(r.nlevels, 4);
	ck_assert_int_eq(r.lv[3].type, PW_PAGE);
	ck_assert_uint_eq(r.ap, 1);
	ck_assert_int_eq(machine_pagewalk(M, 0, va + 0x1000, &r), 0);
	ck_assert(!r.ok);
	ck_assert_msg(strstr(r.fault, "level 3") != NULL, "%s", r.fault);
	char out[1024];
	pagewalk_format(&r, va + 0x1000, out, sizeof(out));
	ck_assert(strstr(out, "L0:") && strstr(out, "fault"));
}
END_TEST

START_TEST(parse_ram)
{
	uint64_t size = 0, b = 0x40000000;
	ck_assert_int_eq(machine_parse_ram("256M", &size, &b), 0);
	ck_assert_uint_eq(size, 256ull << 20);
	ck_assert_uint_eq(b, 0x40000000);
	ck_assert_int_eq(machine_parse_ram("1G@0x80000000", &size, &b), 0);
	ck_assert_uint_eq(size, 1ull << 30);
	ck_assert_uint_eq(b, 0x80000000);
	ck_assert_int_eq(machine_parse_ram("12Q", &size, &b), MACHINE_ERR_ARG);
	ck_assert_int_eq(machine_parse_ram("0", &size, &b), MACHINE_ERR_ARG);
}
END_TEST

static TCase *tc(const char *name, void (*setup)(void))
{
	TCase *t = tcase_create(name);
	tcase_add_checked_fixture(t, setup, teardown);
	tcase_set_timeout(t, 30);
	return t;
}

int main(void)
{
	build_guest();
	Suite *s = suite_create("machine");
	TCase *t1 = tc("one_vcpu", setup1), *t2 = tc("two_vcpus", setup2), *t3 = tc("watch_after", setup_after);
	tcase_add_test(t2, boot_state);
	tcase_add_test(t2, run_to_poweroff_smp);
	tcase_add_test(t2, breakpoint_step_continue);
	tcase_add_test(t2, breakpoint_at_boot_pc);
	tcase_add_test(t2, stepi_from_boot_breakpoint);
	tcase_add_test(t2, stepi_sequence);
	tcase_add_test(t2, hw_breakpoint);
	tcase_add_test(t2, watch_write_before_access);
	tcase_add_test(t2, watch_read_and_access);
	tcase_add_test(t3, watch_stop_after_access);
	tcase_add_test(t3, watch_after_then_next_access);
	tcase_add_test(t1, interrupt_spinning_guest);
	tcase_add_test(t2, registers);
	tcase_add_test(t1, unhandled_exit);
	tcase_add_test(t1, vtimer_irq);
	tcase_add_test(t1, pagewalk_tables);
	tcase_add_test(t1, parse_ram);
	suite_add_tcase(s, t1);
	suite_add_tcase(s, t2);
	suite_add_tcase(s, t3);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	remove_guest();
	return failed ? 1 : 0;
}
