/*
 * el2.c - what the guest hypervisor's controls decide: the routing of
 * physical and virtual interrupts (HCR_EL2.IMO/FMO/AMO/TGE, VI/VF/VSE),
 * the GIC's virtual CPU interface (list registers) as a second source of
 * virtual IRQ/FIQ, which ICC registers EL1 sees as ICV ones,
 * the system register accesses and instructions from EL0/EL1 that
 * HCR_EL2, CPTR_EL2, MDCR_EL2 and CNTHCTL_EL2 trap to EL2, and the guest
 * write masks of the EL2 registers.  Without EL2 (cpu->el2 false) every
 * control reads as zero, and this file changes nothing.
 *
 * Arm ARM D1.3.6 (asynchronous exception routing and masking) and the
 * per-register "Traps and enables" of D19.
 */
#include "el2.h"
#include "sysregs.h"
#include "../gic/gic.h"

/* ------------------------------------------------------------------ */
/* Interrupts.                                                          */

#define VEC_IRQ 0x080u
#define VEC_FIQ 0x100u
#define VEC_SERROR 0x180u

/* A physical interrupt (the host's pending line or the GIC's output)
 * goes to EL2 when HCR_EL2 routes it (route bit or TGE), else to EL1.
 * Towards a higher EL it is not masked by PSTATE; towards the current
 * EL (or EL1 from EL0) it is masked by `mask`; towards a lower EL it
 * waits for the return there. */
static bool phys_taken(const struct emu_cpu *cpu, uint64_t route, uint32_t mask, unsigned *target)
{
	*target = emu_hcr(cpu) & (route | HCR_TGE) ? 2 : 1;
	if (*target < cpu->el)
		return false;
	if (*target == 2 && cpu->el < 2)
		return true;
	return !(cpu->daif & mask);
}

/* The virtual IRQ (VI) or FIQ (VF) line: HCR_EL2's bit or the GIC's
 * virtual CPU interface; SError (VSE) only from HCR_EL2. */
static bool virt_line(const struct emu_cpu *cpu, uint64_t line)
{
	const struct gic_cpu *gc = cpu->obj->gic;
	if (emu_hcr(cpu) & line)
		return true;
	if (!gc || line == HCR_VSE)
		return false;
	return atomic_load_explicit(line == HCR_VI ? &gc->vif.virq_out : &gc->vif.vfiq_out, memory_order_relaxed);
}

/* A virtual interrupt is pending for EL0/EL1: its line, the route bit
 * that enables it, and TGE clear. */
static bool virt_pending(const struct emu_cpu *cpu, uint64_t line, uint64_t route)
{
	uint64_t hcr = emu_hcr(cpu);
	return cpu->el < 2 && (hcr & route) && !(hcr & HCR_TGE) && virt_line(cpu, line);
}

/* Priority: physical FIQ, physical IRQ, virtual SError, FIQ, IRQ. */
void emu_take_pending_interrupt(struct emu_cpu *cpu)
{
	unsigned target;
	if (emu_fiq_line(cpu) && phys_taken(cpu, HCR_FMO, PSTATE_F, &target)) {
		emu_take_interrupt(cpu, target, VEC_FIQ);
		return;
	}
	if (emu_irq_line(cpu) && phys_taken(cpu, HCR_IMO, PSTATE_I, &target)) {
		emu_take_interrupt(cpu, target, VEC_IRQ);
		return;
	}
	if (!cpu->el2)
		return;
	if (virt_pending(cpu, HCR_VSE, HCR_AMO) && !(cpu->daif & PSTATE_A)) {
		/* Without FEAT_RAS: ESR_EL1 = SError, ISS 0; taking it clears
		 * HCR_EL2.VSE. */
		cpu->sr[SR_HCR_EL2] &= ~HCR_VSE;
		emu_take_interrupt(cpu, 1, VEC_SERROR);
		cpu->sr[SR_ESR_EL1] = (uint32_t)EC_SERROR << ESR_EC_SHIFT | ESR_IL;
		return;
	}
	if (virt_pending(cpu, HCR_VF, HCR_FMO) && !(cpu->daif & PSTATE_F))
		emu_take_interrupt(cpu, 1, VEC_FIQ);
	else if (virt_pending(cpu, HCR_VI, HCR_IMO) && !(cpu->daif & PSTATE_I))
		emu_take_interrupt(cpu, 1, VEC_IRQ);
}

bool emu_interrupt_pending(const struct emu_cpu *cpu)
{
	return emu_irq_line(cpu) || emu_fiq_line(cpu) || virt_pending(cpu, HCR_VI, HCR_IMO) ||
	       virt_pending(cpu, HCR_VF, HCR_FMO) || virt_pending(cpu, HCR_VSE, HCR_AMO);
}

/* At EL0/EL1 with a route bit set, ISR_EL1 shows the virtual line
 * instead of the physical one. */
uint64_t emu_isr(const struct emu_cpu *cpu)
{
	uint64_t hcr = cpu->el < 2 && !(emu_hcr(cpu) & HCR_TGE) ? emu_hcr(cpu) : 0;
	bool i = hcr & HCR_IMO ? virt_line(cpu, HCR_VI) : emu_irq_line(cpu);
	bool f = hcr & HCR_FMO ? virt_line(cpu, HCR_VF) : emu_fiq_line(cpu);
	bool a = (hcr & HCR_AMO) && (hcr & HCR_VSE);
	return (a ? PSTATE_A : 0) | (i ? PSTATE_I : 0) | (f ? PSTATE_F : 0);
}

/* ------------------------------------------------------------------ */
/* System register traps from EL0/EL1.                                 */

#define ENC SYSREG_ENC

/* The registers of HCR_EL2.TVM (writes) / TRVM (reads). */
static bool is_tvm_reg(uint16_t enc)
{
	switch (enc) {
	case ENC(3, 0, 1, 0, 0):  /* SCTLR_EL1 */
	case ENC(3, 0, 2, 0, 0):  /* TTBR0_EL1 */
	case ENC(3, 0, 2, 0, 1):  /* TTBR1_EL1 */
	case ENC(3, 0, 2, 0, 2):  /* TCR_EL1 */
	case ENC(3, 0, 5, 1, 0):  /* AFSR0_EL1 */
	case ENC(3, 0, 5, 1, 1):  /* AFSR1_EL1 */
	case ENC(3, 0, 5, 2, 0):  /* ESR_EL1 */
	case ENC(3, 0, 6, 0, 0):  /* FAR_EL1 */
	case ENC(3, 0, 10, 2, 0): /* MAIR_EL1 */
	case ENC(3, 0, 10, 3, 0): /* AMAIR_EL1 */
	case ENC(3, 0, 13, 0, 1): /* CONTEXTIDR_EL1 */
		return true;
	default:
		return false;
	}
}

/* The debug registers MDCR_EL2.TDA traps (besides the DBG*n block). */
static bool is_tda_reg(uint16_t enc)
{
	return (enc & 0xff84) == 0x8004 || enc == ENC(2, 0, 0, 2, 0) || enc == ENC(2, 0, 0, 2, 2) ||
	       enc == ENC(2, 0, 7, 8, 6) || enc == ENC(2, 0, 7, 9, 6) || enc == ENC(2, 3, 0, 1, 0);
}

bool el2_sysreg_trapped(const struct emu_cpu *cpu, uint16_t enc, bool is_read)
{
	if (cpu->el >= 2 || !cpu->el2)
		return false;
	uint64_t hcr = cpu->sr[SR_HCR_EL2], mdcr = cpu->sr[SR_MDCR_EL2], cnthctl = cpu->sr[SR_CNTHCTL_EL2];
	unsigned op0 = enc >> 14, op1 = (enc >> 11) & 7, crn = (enc >> 7) & 15, crm = (enc >> 3) & 15;
	if (is_tvm_reg(enc) && (hcr & (is_read ? HCR_TRVM : HCR_TVM)))
		return true;
	if (op0 == 3 && op1 == 0 && crn == 0 && crm >= 1 && crm <= 7)
		return (hcr & HCR_TID3) && is_read;
	switch (enc) {
	case ENC(3, 0, 0, 0, 6): /* REVIDR_EL1 */
	case ENC(3, 1, 0, 0, 7): /* AIDR_EL1 */
		return (hcr & HCR_TID1) != 0;
	case ENC(3, 3, 0, 0, 1): /* CTR_EL0 */
	case ENC(3, 1, 0, 0, 0): /* CCSIDR_EL1 */
	case ENC(3, 1, 0, 0, 1): /* CLIDR_EL1 */
	case ENC(3, 2, 0, 0, 0): /* CSSELR_EL1 */
		return (hcr & HCR_TID2) != 0;
	case ENC(3, 0, 1, 0, 1): /* ACTLR_EL1 */
		return (hcr & HCR_TACR) != 0;
	case ENC(3, 0, 1, 0, 2): /* CPACR_EL1, from EL1 */
		return cpu->el == 1 && (cpu->sr[SR_CPTR_EL2] & CPTR_TCPAC);
	case ENC(3, 3, 14, 0, 1): /* CNTPCT_EL0: from EL0 under TGE the EL0 bits rule */
		if (el2_host_el0(cpu))
			return false;
		return !(cnthctl & (hcr & HCR_E2H ? CNTHCTL_E2H_EL1PCTEN : CNTHCTL_EL1PCTEN));
	case ENC(3, 3, 14, 2, 0): /* CNTP_TVAL_EL0 */
	case ENC(3, 3, 14, 2, 1): /* CNTP_CTL_EL0 */
	case ENC(3, 3, 14, 2, 2): /* CNTP_CVAL_EL0 */
		if (el2_host_el0(cpu))
			return false;
		return !(cnthctl & (hcr & HCR_E2H ? CNTHCTL_E2H_EL1PTEN : CNTHCTL_EL1PCEN));
	case ENC(2, 0, 1, 0, 4): /* OSLAR_EL1 */
	case ENC(2, 0, 1, 1, 4): /* OSLSR_EL1 */
	case ENC(2, 0, 1, 3, 4): /* OSDLR_EL1 */
	case ENC(2, 0, 1, 4, 4): /* DBGPRCR_EL1 */
		return (mdcr & (MDCR_TDOSA | MDCR_TDE)) != 0;
	case ENC(2, 0, 1, 0, 0): /* MDRAR_EL1 */
		return (mdcr & (MDCR_TDRA | MDCR_TDE)) != 0;
	default:
		break;
	}
	/* GIC: the SGI registers trap under the routing bit of their group. */
	if (op0 == 3 && op1 == 0 && crn == 12 && crm == 11) {
		enum gic_icc_class k = gic_icc_class(enc);
		if (k == GIC_ICC_SGI0 || k == GIC_ICC_SGI1)
			return !is_read && (hcr & (k == GIC_ICC_SGI0 ? HCR_FMO : HCR_IMO));
	}
	/* TDE implies TDA, TDOSA and TDRA (D19.2.74). */
	if (is_tda_reg(enc))
		return (mdcr & (MDCR_TDA | MDCR_TDE)) != 0;
	return false;
}

/* IMPLEMENTATION DEFINED encodings (op0 = 3, CRn = 11 or 15), which
 * HCR_EL2.TIDCP traps instead of leaving them UNDEFINED. */
bool el2_impdef_trapped(const struct emu_cpu *cpu, uint16_t enc)
{
	unsigned crn = (enc >> 7) & 15;
	return el2_traps(cpu, HCR_TIDCP) && enc >> 14 == 3 && (crn == 11 || crn == 15);
}

bool el2_icc_virtual(const struct emu_cpu *cpu, uint16_t enc)
{
	uint64_t hcr = emu_hcr(cpu);
	if (cpu->el >= 2 || (hcr & HCR_TGE))
		return false;
	switch (gic_icc_class(enc)) {
	case GIC_ICC_GROUP0: return (hcr & HCR_FMO) != 0;
	case GIC_ICC_GROUP1: return (hcr & HCR_IMO) != 0;
	case GIC_ICC_COMMON: return (hcr & (HCR_IMO | HCR_FMO)) != 0;
	default: return false;
	}
}

/* ------------------------------------------------------------------ */
/* FEAT_VHE register redirection (D8.7 / the E2H tables of D19).        */

uint16_t el2_vhe_redirect(const struct emu_cpu *cpu, uint16_t enc)
{
	unsigned op0 = enc >> 14, op1 = (enc >> 11) & 7, crn = (enc >> 7) & 15, crm = (enc >> 3) & 15, op2 = enc & 7;
	bool at_el2_e2h = cpu->el == 2 && el2_e2h(cpu);
	if (op0 != 3)
		return enc;
	if (op1 == 5) { /* *_EL12 and *_EL02: the EL1/EL0 registers from EL2 */
		if (!at_el2_e2h)
			return 0;
		if (crn == 14 && (crm == 2 || crm == 3))
			return ENC(3, 3, 14, crm, op2); /* CNTP_*_EL02, CNTV_*_EL02 */
		return ENC(3, 0, crn, crm, op2);
	}
	/* The EL0 timers of the host's EL0 are the EL2 ones too. */
	if ((at_el2_e2h || (cpu->el == 0 && el2_host_el0(cpu))) && op1 == 3 && crn == 14 && (crm == 2 || crm == 3))
		return ENC(3, 4, 14, crm, op2); /* CNTP -> CNTHP, CNTV -> CNTHV */
	if (!at_el2_e2h || op1 != 0)
		return enc;
	/* The MMU and fault registers (those of TVM), SPSR, ELR and VBAR
	 * have an EL2 twin at op1 = 4. */
	if (is_tvm_reg(enc) || enc == ENC(3, 0, 4, 0, 0) || enc == ENC(3, 0, 4, 0, 1) || enc == ENC(3, 0, 12, 0, 0))
		return (uint16_t)(enc | 4u << 11);
	switch (enc) {
	case ENC(3, 0, 1, 0, 2): /* CPACR_EL1 -> CPTR_EL2 */
		return ENC(3, 4, 1, 1, 2);
	case ENC(3, 0, 14, 1, 0): /* CNTKCTL_EL1 -> CNTHCTL_EL2 */
		return ENC(3, 4, 14, 1, 0);
	default:
		return enc;
	}
}

/* ------------------------------------------------------------------ */
/* Guest writes of the EL2 registers (at EL2).                         */

/* With E2H: SCTLR_EL2 as SCTLR_EL1 (RES1 bits, writable M A C SA SA0
 * UMA I DZE UCT nTWI nTWE WXN SPAN UCI), TCR_EL2 as TCR_EL1 (stored as
 * written, as TCR_EL1 is), CPTR_EL2 as CPACR_EL1 (FPEN, TTA). */
#define SCTLR_E2H_RES1 0x30500980ull
#define SCTLR_E2H_WRITABLE 0x048dd21full
#define CPTR_E2H_WRITABLE 0x10300000ull

uint64_t el2_guest_write_value(const struct emu_cpu *cpu, unsigned sr_idx, uint64_t v)
{
	bool e2h = el2_e2h(cpu);
	switch (sr_idx) {
	case SR_HCR_EL2: return (v & HCR_WRITABLE) | HCR_RES1;
	case SR_SCTLR_EL2:
		return e2h ? (v & SCTLR_E2H_WRITABLE) | SCTLR_E2H_RES1 : (v & SCTLR_EL2_WRITABLE) | SCTLR_EL2_RES1;
	case SR_TCR_EL2: return e2h ? v : (v & TCR_EL2_WRITABLE) | TCR_EL2_RES1;
	case SR_VTCR_EL2: return (v & VTCR_WRITABLE) | VTCR_RES1;
	case SR_CPTR_EL2: return e2h ? v & CPTR_E2H_WRITABLE : (v & CPTR_WRITABLE) | CPTR_RES1;
	case SR_MDCR_EL2: return v & MDCR_WRITABLE;
	case SR_CNTHCTL_EL2: return v & (e2h ? CNTHCTL_E2H_WRITABLE : CNTHCTL_WRITABLE);
	case SR_CNTHP_CTL_EL2:
	case SR_CNTHV_CTL_EL2: return v & 3; /* ISTATUS is computed */
	case SR_CONTEXTIDR_EL2: return v & 0xffffffffull;
	case SR_VBAR_EL2: return v & ~0x7ffull;
	case SR_HSTR_EL2: return v & 0xbfffull; /* AArch32 traps: no effect */
	case SR_ACTLR_EL2:
	case SR_HACR_EL2: return 0; /* IMPLEMENTATION DEFINED: nothing */
	case SR_VMPIDR_EL2: return (v & 0xff00ffffffull) | 0x80000000ull;
	case SR_VPIDR_EL2: return v & 0xffffffffull;
	case SR_ESR_EL2: return v & 0xffffffffull;
	case SR_HPFAR_EL2: return v & 0xffffffffff0ull;
	default: return v;
	}
}

void el2_written(struct emu_cpu *cpu, unsigned sr_idx)
{
	switch (sr_idx) {
	case SR_HCR_EL2:
		/* VM, DC, TGE change translations; VI/VF/VSE, IMO/FMO/AMO the
		 * interrupts to take. */
		mem_tlb_flush(cpu);
		cpu->budget = 0;
		cpu->irq_check = true;
		break;
	case SR_SCTLR_EL2:
	case SR_TCR_EL2:
	case SR_TTBR0_EL2:
	case SR_TTBR1_EL2:
	case SR_MAIR_EL2:
	case SR_VTTBR_EL2:
	case SR_VTCR_EL2:
	case SR_CONTEXTIDR_EL2:
		mem_tlb_flush(cpu);
		break;
	case SR_CNTHCTL_EL2:
	case SR_CNTVOFF_EL2:
	case SR_CNTHP_CTL_EL2:
	case SR_CNTHP_CVAL_EL2:
	case SR_CNTHV_CTL_EL2:
	case SR_CNTHV_CVAL_EL2:
		cpu->budget = 0; /* timer outputs are evaluated right away */
		break;
	case SR_MDCR_EL2:
		emu_debug_update(cpu);
		break;
	default:
		break;
	}
}
