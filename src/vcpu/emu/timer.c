/*
 * timer.c - the generic timer as the guest sees it: the virtual count
 * (host ticks minus the per-vCPU vtimer offset, i.e. CNTVOFF_EL2), the
 * EL1 virtual timer CNTV_{CTL,CVAL,TVAL}_EL0 and, with a GIC, the EL1
 * physical timer CNTP_{CTL,CVAL,TVAL}_EL0 (physical count = host ticks).
 * With EL2 enabled the guest hypervisor's CNTVOFF_EL2 is subtracted as
 * well (not for the EL2&0 regime of FEAT_VHE), and its EL2 physical and
 * virtual timers CNTHP_* and CNTHV_* drive PPIs 26 and 28 (with a GIC).
 *
 * Without a GIC the virtual timer firing is a host exit (Apple:
 * HV_EXIT_REASON_VTIMER_ACTIVATED, which masks the vtimer until the host
 * unmasks it).  With a GIC both timers drive their PPIs (27, 30) as
 * level-sensitive lines, inside the library, and there is no exit.
 */
#include "el2.h"
#include "sysregs.h"
#include "../gic/gic.h"

#define CNT_CTL_ENABLE 1ull
#define CNT_CTL_IMASK 2ull
#define CNT_CTL_ISTATUS 4ull

#define GIC_PPI_HPTIMER 26
#define GIC_PPI_HVTIMER 28

/* Physical count minus the EL1 virtual count: the host's vtimer offset
 * and the guest hypervisor's CNTVOFF_EL2. */
static uint64_t vcount_offset(const struct emu_cpu *cpu)
{
	return cpu->obj->vtimer_offset + (cpu->el2 ? cpu->sr[SR_CNTVOFF_EL2] : 0);
}

/* The virtual count of the EL2&0 regime (FEAT_VHE: CNTVOFF_EL2 is taken
 * as zero), which the EL2 virtual timer compares with too. */
static uint64_t hvcount(const struct emu_cpu *cpu)
{
	return hv_host_ticks() - cpu->obj->vtimer_offset;
}

/* The EL1 virtual count, whatever EL reads the EL1 timer (KVM at EL2
 * saves it through CNTV_*_EL02). */
static uint64_t el1_vcount(const struct emu_cpu *cpu)
{
	return hv_host_ticks() - vcount_offset(cpu);
}

/* CNTVCT_EL0 as the current EL reads it. */
uint64_t emu_timer_cntvct(struct emu_cpu *cpu)
{
	bool el20 = (emu_hcr(cpu) & HCR_E2H) && (cpu->el == 2 || (cpu->el == 0 && (emu_hcr(cpu) & HCR_TGE)));
	return el20 ? hvcount(cpu) : el1_vcount(cpu);
}

/* ISTATUS is the timer condition (CVAL <= count) while enabled. */
static uint64_t read_ctl(uint64_t ctl_reg, uint64_t cval, uint64_t count)
{
	uint64_t ctl = ctl_reg & (CNT_CTL_ENABLE | CNT_CTL_IMASK);
	if ((ctl & CNT_CTL_ENABLE) && count >= cval)
		ctl |= CNT_CTL_ISTATUS;
	return ctl;
}

uint64_t emu_timer_read_ctl(struct emu_cpu *cpu)
{
	return read_ctl(cpu->sr[SR_CNTV_CTL_EL0], cpu->sr[SR_CNTV_CVAL_EL0], el1_vcount(cpu));
}

uint64_t emu_hvtimer_read_ctl(struct emu_cpu *cpu)
{
	return read_ctl(cpu->sr[SR_CNTHV_CTL_EL2], cpu->sr[SR_CNTHV_CVAL_EL2], hvcount(cpu));
}

uint64_t emu_ptimer_read_ctl(struct emu_cpu *cpu)
{
	return read_ctl(cpu->cntp_ctl, cpu->cntp_cval, hv_host_ticks());
}

uint64_t emu_hptimer_read_ctl(struct emu_cpu *cpu)
{
	return read_ctl(cpu->sr[SR_CNTHP_CTL_EL2], cpu->sr[SR_CNTHP_CVAL_EL2], hv_host_ticks());
}

/* TVAL: the low 32 bits of CVAL - count (a signed 32-bit down-count). */
uint64_t emu_timer_read_tval(struct emu_cpu *cpu)
{
	return (cpu->sr[SR_CNTV_CVAL_EL0] - el1_vcount(cpu)) & 0xffffffffull;
}

uint64_t emu_hvtimer_read_tval(struct emu_cpu *cpu)
{
	return (cpu->sr[SR_CNTHV_CVAL_EL2] - hvcount(cpu)) & 0xffffffffull;
}

uint64_t emu_ptimer_read_tval(struct emu_cpu *cpu)
{
	return (cpu->cntp_cval - hv_host_ticks()) & 0xffffffffull;
}

uint64_t emu_hptimer_read_tval(struct emu_cpu *cpu)
{
	return (cpu->sr[SR_CNTHP_CVAL_EL2] - hv_host_ticks()) & 0xffffffffull;
}

/* Writing TVAL sets CVAL = count + SignExtend(TVAL[31:0]). */
static uint64_t cval_of_tval(uint64_t value, uint64_t count)
{
	uint64_t tval = value & 0xffffffffull;
	tval = (tval ^ 0x80000000ull) - 0x80000000ull;
	return count + tval;
}

void emu_timer_write_tval(struct emu_cpu *cpu, uint64_t value)
{
	cpu->sr[SR_CNTV_CVAL_EL0] = cval_of_tval(value, el1_vcount(cpu));
}

void emu_hvtimer_write_tval(struct emu_cpu *cpu, uint64_t value)
{
	cpu->sr[SR_CNTHV_CVAL_EL2] = cval_of_tval(value, hvcount(cpu));
}

void emu_ptimer_write_tval(struct emu_cpu *cpu, uint64_t value)
{
	cpu->cntp_cval = cval_of_tval(value, hv_host_ticks());
}

void emu_hptimer_write_tval(struct emu_cpu *cpu, uint64_t value)
{
	cpu->sr[SR_CNTHP_CVAL_EL2] = cval_of_tval(value, hv_host_ticks());
}

static bool live(uint64_t ctl)
{
	return (ctl & (CNT_CTL_ENABLE | CNT_CTL_IMASK)) == CNT_CTL_ENABLE;
}

/* With a GIC: the timer outputs into their PPIs (only on a change). */
static void drive_ppis(struct emu_cpu *cpu, struct gic_cpu *gc)
{
	uint64_t now = hv_host_ticks();
	bool v = live(cpu->sr[SR_CNTV_CTL_EL0]) && now - vcount_offset(cpu) >= cpu->sr[SR_CNTV_CVAL_EL0];
	bool p = live(cpu->cntp_ctl) && now >= cpu->cntp_cval;
	bool hp = live(cpu->sr[SR_CNTHP_CTL_EL2]) && now >= cpu->sr[SR_CNTHP_CVAL_EL2];
	bool hv = live(cpu->sr[SR_CNTHV_CTL_EL2]) && now - cpu->obj->vtimer_offset >= cpu->sr[SR_CNTHV_CVAL_EL2];
	if (v != cpu->vtimer_level) {
		cpu->vtimer_level = v;
		gic_set_ppi_level(gc, GIC_PPI_VTIMER, v);
	}
	if (p != cpu->ptimer_level) {
		cpu->ptimer_level = p;
		gic_set_ppi_level(gc, GIC_PPI_PTIMER, p);
	}
	if (hp != cpu->hptimer_level) {
		cpu->hptimer_level = hp;
		gic_set_ppi_level(gc, GIC_PPI_HPTIMER, hp);
	}
	if (hv != cpu->hvtimer_level) {
		cpu->hvtimer_level = hv;
		gic_set_ppi_level(gc, GIC_PPI_HVTIMER, hv);
	}
}

void emu_timer_check(struct emu_cpu *cpu)
{
	struct gic_cpu *gc = cpu->obj->gic;
	if (gc) {
		if (cpu->vtimer_level || cpu->ptimer_level || cpu->hptimer_level || cpu->hvtimer_level ||
		    live(cpu->sr[SR_CNTV_CTL_EL0]) || live(cpu->cntp_ctl) || live(cpu->sr[SR_CNTHP_CTL_EL2]) ||
		    live(cpu->sr[SR_CNTHV_CTL_EL2]))
			drive_ppis(cpu, gc);
		return;
	}
	uint64_t ctl = cpu->sr[SR_CNTV_CTL_EL0];
	/* Cheap tests first: the clock is read only for a live timer. */
	if (!live(ctl) || cpu->obj->vtimer_masked)
		return;
	if (el1_vcount(cpu) < cpu->sr[SR_CNTV_CVAL_EL0])
		return;
	cpu->obj->vtimer_masked = true;
	emu_exit_reason(cpu, HV_EXIT_REASON_VTIMER_ACTIVATED);
}

/* Host clock at which a live timer that has not fired yet will fire (the
 * earliest), 0 if none: how long WFI may sleep. */
uint64_t emu_timer_deadline(struct emu_cpu *cpu)
{
	uint64_t d = 0;
	if (live(cpu->sr[SR_CNTV_CTL_EL0]) && !cpu->vtimer_level)
		d = cpu->sr[SR_CNTV_CVAL_EL0] + vcount_offset(cpu);
	if (live(cpu->cntp_ctl) && !cpu->ptimer_level) {
		uint64_t p = cpu->cntp_cval;
		if (!d || p < d)
			d = p;
	}
	if (live(cpu->sr[SR_CNTHP_CTL_EL2]) && !cpu->hptimer_level) {
		uint64_t p = cpu->sr[SR_CNTHP_CVAL_EL2];
		if (!d || p < d)
			d = p;
	}
	if (live(cpu->sr[SR_CNTHV_CTL_EL2]) && !cpu->hvtimer_level) {
		uint64_t p = cpu->sr[SR_CNTHV_CVAL_EL2] + cpu->obj->vtimer_offset;
		if (!d || p < d)
			d = p;
	}
	return d;
}
