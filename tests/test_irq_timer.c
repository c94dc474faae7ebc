/*
 * test_irq_timer.c - virtual IRQ/FIQ lines (hv_vcpu_set_pending_interrupt),
 * the virtual timer exit and its mask, the vtimer offset, exec time.
 */
#include <mach/mach_time.h>
#include <time.h>
#include <unistd.h>

#include "guest.h"

enum { E_SPIN, E_MASKED, E_TIMER, E_CNTVCT, E_BUSY, E_CNTV_CTL, E_CNTFRQ };

#define CPSR_EL1H_I_CLEAR 0x345ull /* D, A, F set */
#define CPSR_EL1H_F_CLEAR 0x385ull /* D, A, I set */
#define CNTV_ISTATUS 4ull

static void setup(void)
{
	vm_setup();
	guest_load("irq");
	set_sysreg(HV_SYS_REG_VBAR_EL1, GUEST_VBAR);
}

static bool pending(hv_interrupt_type_t type)
{
	bool b = true;
	ck_assert_int_eq(hv_vcpu_get_pending_interrupt(g_vcpu, type, &b), HV_SUCCESS);
	return b;
}

static void interrupt_taken(hv_interrupt_type_t type, uint64_t cpsr, unsigned vec)
{
	guest_start(E_SPIN);
	set_reg(HV_REG_CPSR, cpsr);
	ck_assert_int_eq(hv_vcpu_set_pending_interrupt(g_vcpu, type, true), HV_SUCCESS);
	guest_run();
	ASSERT_HVC(VEC_HVC(vec));
	ASSERT_U64_EQ(sysreg(HV_SYS_REG_ELR_EL1), guest_addr(4 * E_SPIN));
	ASSERT_U64_EQ(sysreg(HV_SYS_REG_SPSR_EL1), cpsr);
	ASSERT_U64_EQ(reg(HV_REG_CPSR) & 0x3cf, 0x3c5); /* entry masks DAIF */
	ck_assert(!pending(type));                       /* cleared by run */
}

START_TEST(irq_taken)
{
	interrupt_taken(HV_INTERRUPT_TYPE_IRQ, CPSR_EL1H_I_CLEAR, VEC_CUR_SPX_IRQ);
}
END_TEST

START_TEST(fiq_taken)
{
	interrupt_taken(HV_INTERRUPT_TYPE_FIQ, CPSR_EL1H_F_CLEAR, VEC_CUR_SPX_FIQ);
}
END_TEST

START_TEST(irq_wrong_mask_not_taken)
{
	/* I masked, F clear: a pending IRQ is not taken (FIQ line low). */
	guest_start(E_MASKED);
	set_reg(HV_REG_CPSR, CPSR_EL1H_F_CLEAR);
	ck_assert_int_eq(hv_vcpu_set_pending_interrupt(g_vcpu, HV_INTERRUPT_TYPE_IRQ, true), HV_SUCCESS);
	guest_run();
	ASSERT_HVC(1);
}
END_TEST

/* Pending but masked: not taken, and the line is dropped when run
 * returns, so unmasking later takes nothing. */
static void masked_then_cleared(hv_interrupt_type_t type)
{
	guest_start(E_MASKED);
	ck_assert_int_eq(hv_vcpu_set_pending_interrupt(g_vcpu, type, true), HV_SUCCESS);
	guest_run();
	ASSERT_HVC(1);
	ck_assert(!pending(type));
	guest_run();
	ASSERT_HVC(2);
	ASSERT_U64_EQ(reg(HV_REG_CPSR) & 0x3cf, 0x305); /* I, F now clear */
}

START_TEST(irq_masked_then_cleared)
{
	masked_then_cleared(HV_INTERRUPT_TYPE_IRQ);
}
END_TEST

START_TEST(fiq_masked_then_cleared)
{
	masked_then_cleared(HV_INTERRUPT_TYPE_FIQ);
}
END_TEST

START_TEST(irq_after_unmask)
{
	/* Re-asserted before the run that unmasks: taken right after MSR DAIFClr. */
	guest_start(E_MASKED);
	guest_run();
	ASSERT_HVC(1);
	ck_assert_int_eq(hv_vcpu_set_pending_interrupt(g_vcpu, HV_INTERRUPT_TYPE_IRQ, true), HV_SUCCESS);
	uint64_t daifclr_pc = guest_pc();
	guest_run();
	ASSERT_HVC(VEC_HVC(VEC_CUR_SPX_IRQ));
	/* Taken after the MSR, before the HVC two instructions later. */
	uint64_t elr = sysreg(HV_SYS_REG_ELR_EL1);
	ck_assert_msg(elr >= daifclr_pc + 4 && elr <= daifclr_pc + 12, "ELR_EL1 %#llx, MSR at %#llx",
		      (unsigned long long)elr, (unsigned long long)daifclr_pc);
}
END_TEST

static uint64_t cntv_ctl(void)
{
	return sysreg(HV_SYS_REG_CNTV_CTL_EL0);
}

static bool vtimer_masked(void)
{
	bool b = false;
	ck_assert_int_eq(hv_vcpu_get_vtimer_mask(g_vcpu, &b), HV_SUCCESS);
	return b;
}

START_TEST(vtimer_exit_and_mask)
{
	guest_start(E_TIMER);
	set_reg(HV_REG_X1, 2400); /* ~100 us at 24 MHz */
	guest_run();
	ASSERT_EXIT_REASON(HV_EXIT_REASON_VTIMER_ACTIVATED);
	ck_assert(vtimer_masked());
	ASSERT_U64_EQ(cntv_ctl() & 7, 1 | CNTV_ISTATUS);

	/* Still pending but masked: no further timer exit. */
	guest_run_for(100);
	ASSERT_EXIT_REASON(HV_EXIT_REASON_CANCELED);
	ck_assert(vtimer_masked());

	/* Unmasking while still asserted exits again at once. */
	ck_assert_int_eq(hv_vcpu_set_vtimer_mask(g_vcpu, false), HV_SUCCESS);
	guest_run();
	ASSERT_EXIT_REASON(HV_EXIT_REASON_VTIMER_ACTIVATED);
	ck_assert(vtimer_masked());

	/* Guest-style acknowledge (IMASK) then unmask: no exit. */
	set_sysreg(HV_SYS_REG_CNTV_CTL_EL0, 3);
	ck_assert_int_eq(hv_vcpu_set_vtimer_mask(g_vcpu, false), HV_SUCCESS);
	guest_run_for(100);
	ASSERT_EXIT_REASON(HV_EXIT_REASON_CANCELED);
	ck_assert(!vtimer_masked());
}
END_TEST

START_TEST(vtimer_host_mask)
{
	ck_assert_int_eq(hv_vcpu_set_vtimer_mask(g_vcpu, true), HV_SUCCESS);
	guest_start(E_TIMER);
	set_reg(HV_REG_X1, 240);
	guest_run_for(100);
	ASSERT_EXIT_REASON(HV_EXIT_REASON_CANCELED);
	/* The condition is met (ISTATUS) but masked by the host. */
	ASSERT_U64_EQ(cntv_ctl() & 7, 1 | CNTV_ISTATUS);
}
END_TEST

START_TEST(vtimer_guest_istatus)
{
	/* The guest reads ISTATUS set once CVAL has passed. */
	set_sysreg(HV_SYS_REG_CNTV_CVAL_EL0, 0);
	set_sysreg(HV_SYS_REG_CNTV_CTL_EL0, 3); /* enabled, IMASK */
	guest_start(E_CNTV_CTL);
	guest_run();
	ASSERT_HVC(5);
	ASSERT_U64_EQ(reg(HV_REG_X0), 3 | CNTV_ISTATUS);
}
END_TEST

static uint64_t guest_cntvct(void)
{
	guest_start(E_CNTVCT);
	guest_run();
	ASSERT_HVC(3);
	return reg(HV_REG_X0);
}

START_TEST(vtimer_offset)
{
	ck_assert_int_eq(hv_vcpu_set_vtimer_offset(g_vcpu, 0), HV_SUCCESS);
	uint64_t c0 = guest_cntvct();
	uint64_t c0b = guest_cntvct();
	ck_assert_uint_ge(c0b, c0);
	ck_assert_uint_gt(c0, 0);

	ck_assert_int_eq(hv_vcpu_set_vtimer_offset(g_vcpu, c0), HV_SUCCESS);
	uint64_t c1 = guest_cntvct();
	/* Guest counter = host counter - offset: now a few ms at most. */
	ck_assert_msg(c1 < c0 && c1 < 24000000ull * 5, "CNTVCT %#llx with offset %#llx",
		      (unsigned long long)c1, (unsigned long long)c0);
	uint64_t off;
	ck_assert_int_eq(hv_vcpu_get_vtimer_offset(g_vcpu, &off), HV_SUCCESS);
	ASSERT_U64_EQ(off, c0);
}
END_TEST

START_TEST(vtimer_compares_with_offset_counter)
{
	/* CVAL is compared with the guest's counter (host - offset): with
	 * offset = now, CVAL = now / 2 lies in the guest's future. */
	uint64_t c0 = guest_cntvct();
	ck_assert_int_eq(hv_vcpu_set_vtimer_offset(g_vcpu, c0), HV_SUCCESS);
	set_sysreg(HV_SYS_REG_CNTV_CVAL_EL0, c0 / 2);
	set_sysreg(HV_SYS_REG_CNTV_CTL_EL0, 1);
	guest_start(E_SPIN);
	guest_run_for(100);
	ASSERT_EXIT_REASON(HV_EXIT_REASON_CANCELED);
	ASSERT_U64_EQ(sysreg(HV_SYS_REG_CNTV_CTL_EL0) & CNTV_ISTATUS, 0);
	/* Moving CVAL into the guest's past fires it. */
	set_sysreg(HV_SYS_REG_CNTV_CVAL_EL0, 1);
	guest_run();
	ASSERT_EXIT_REASON(HV_EXIT_REASON_VTIMER_ACTIVATED);
}
END_TEST

START_TEST(exec_time_only_counts_runs)
{
	uint64_t t0, t1;
	guest_start(E_BUSY);
	set_reg(HV_REG_X1, 1000);
	guest_run();
	ck_assert_int_eq(hv_vcpu_get_exec_time(g_vcpu, &t0), HV_SUCCESS);
	usleep(50000);
	ck_assert_int_eq(hv_vcpu_get_exec_time(g_vcpu, &t1), HV_SUCCESS);
	ASSERT_U64_EQ(t1, t0);
	/* A 100 ms run adds roughly 100 ms.  Units: mach_absolute_time()
	 * ticks (24 MHz on Apple silicon and emu; CNTFRQ_EL0 on aarch64
	 * hosts, e.g. 1 GHz under QEMU). */
	guest_start(E_SPIN);
	guest_run_for(100);
	ck_assert_int_eq(hv_vcpu_get_exec_time(g_vcpu, &t1), HV_SUCCESS);
	mach_timebase_info_data_t tb;
	ck_assert_int_eq(mach_timebase_info(&tb), 0);
	double ms = (double)(t1 - t0) * tb.numer / tb.denom / 1e6;
	ck_assert_msg(ms > 50 && ms < 1000, "exec time grew by %llu ticks (%.1f ms)",
		      (unsigned long long)(t1 - t0), ms);
}
END_TEST

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

START_TEST(counter_frequency)
{
	/* CNTVCT advances at CNTFRQ (24 MHz on Apple silicon). */
	guest_start(E_CNTFRQ);
	guest_run();
	ASSERT_HVC(6);
	uint64_t freq = reg(HV_REG_X0);
	ck_assert_uint_ge(freq, 1000000);
	/* Bracket each counter read by host times: the counter interval
	 * must lie between the inner and the outer host interval. */
	double a0 = now();
	uint64_t c0 = guest_cntvct();
	double b0 = now();
	usleep(200000);
	double a1 = now();
	uint64_t c1 = guest_cntvct();
	double b1 = now();
	double secs = (double)(c1 - c0) / (double)freq;
	ck_assert_msg(secs > 0.98 * (a1 - b0) && secs < 1.02 * (b1 - a0),
		      "counter interval %.4f s, host interval %.4f..%.4f s (CNTFRQ %llu)", secs,
		      a1 - b0, b1 - a0, (unsigned long long)freq);
}
END_TEST

START_TEST(exec_time_increases)
{
	uint64_t t0, t1;
	ck_assert_int_eq(hv_vcpu_get_exec_time(g_vcpu, &t0), HV_SUCCESS);
	guest_start(E_BUSY);
	set_reg(HV_REG_X1, 2000000);
	guest_run();
	ASSERT_HVC(4);
	ASSERT_U64_EQ(reg(HV_REG_X0), 0);
	ck_assert_int_eq(hv_vcpu_get_exec_time(g_vcpu, &t1), HV_SUCCESS);
	ck_assert_uint_gt(t1, t0);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("irq_timer");
	TCase *t = tcase_create("irq_timer");
	tcase_add_checked_fixture(t, setup, vm_teardown);
	tcase_set_timeout(t, 10);
	tcase_add_test(t, irq_taken);
	tcase_add_test(t, fiq_taken);
	tcase_add_test(t, irq_wrong_mask_not_taken);
	tcase_add_test(t, irq_masked_then_cleared);
	tcase_add_test(t, fiq_masked_then_cleared);
	tcase_add_test(t, irq_after_unmask);
	tcase_add_test(t, vtimer_exit_and_mask);
	tcase_add_test(t, vtimer_host_mask);
	tcase_add_test(t, vtimer_guest_istatus);
	tcase_add_test(t, vtimer_offset);
	tcase_add_test(t, exec_time_increases);
	tcase_add_test(t, counter_frequency);
	tcase_add_test(t, vtimer_compares_with_offset_counter);
	tcase_add_test(t, exec_time_only_counts_runs);
	suite_add_tcase(s, t);
	return run_suite(s);
}
