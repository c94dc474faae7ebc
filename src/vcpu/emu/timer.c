/*
 * timer.c - the generic timer as the guest sees it: the virtual count
 * (host ticks minus the per-vCPU vtimer offset, i.e. CNTVOFF_EL2), the
 * EL1 virtual timer CNTV_{CTL,CVAL,TVAL}_EL0, and the host exit when the
 * virtual timer fires (Apple: HV_EXIT_REASON_VTIMER_ACTIVATED, which
 * masks the vtimer until the host unmasks it).
 */
#include "sysregs.h"

#define CNTV_CTL_ENABLE 1ull
#define CNTV_CTL_IMASK 2ull
#define CNTV_CTL_ISTATUS 4ull

uint64_t emu_timer_cntvct(struct emu_cpu *cpu)
{
	return hv_host_ticks() - cpu->obj->vtimer_offset;
}

/* ISTATUS is the timer condition (CVAL <= CNTVCT) while enabled. */
uint64_t emu_timer_read_ctl(struct emu_cpu *cpu)
{
	uint64_t ctl = cpu->sr[SR_CNTV_CTL_EL0] & (CNTV_CTL_ENABLE | CNTV_CTL_IMASK);
	if ((ctl & CNTV_CTL_ENABLE) && emu_timer_cntvct(cpu) >= cpu->sr[SR_CNTV_CVAL_EL0])
		ctl |= CNTV_CTL_ISTATUS;
	return ctl;
}

/* TVAL: the low 32 bits of CVAL - CNTVCT (a signed 32-bit down-count). */
uint64_t emu_timer_read_tval(struct emu_cpu *cpu)
{
	return (cpu->sr[SR_CNTV_CVAL_EL0] - emu_timer_cntvct(cpu)) & 0xffffffffull;
}

/* Writing TVAL sets CVAL = CNTVCT + SignExtend(TVAL[31:0]). */
void emu_timer_write_tval(struct emu_cpu *cpu, uint64_t value)
{
	uint64_t tval = value & 0xffffffffull;
	tval = (tval ^ 0x80000000ull) - 0x80000000ull;
	cpu->sr[SR_CNTV_CVAL_EL0] = emu_timer_cntvct(cpu) + tval;
}

void emu_timer_check(struct emu_cpu *cpu)
{
	uint64_t ctl = cpu->sr[SR_CNTV_CTL_EL0];
	/* Cheap tests first: the clock is read only for a live timer. */
	if ((ctl & (CNTV_CTL_ENABLE | CNTV_CTL_IMASK)) != CNTV_CTL_ENABLE || cpu->obj->vtimer_masked)
		return;
	if (emu_timer_cntvct(cpu) < cpu->sr[SR_CNTV_CVAL_EL0])
		return;
	cpu->obj->vtimer_masked = true;
	emu_exit_reason(cpu, HV_EXIT_REASON_VTIMER_ACTIVATED);
}
