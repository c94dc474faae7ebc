/*
 * system.c - the system instruction class (Arm ARM C5: 1101010100 L op0
 * op1 CRn CRm op2 Rt): hints (NOP, YIELD, WFE, WFI, SEV, SEVL, and the
 * hint-space features we do not advertise, which execute as NOP),
 * barriers, CLREX, MSR (immediate), SYS (DC, IC, TLBI, AT) and
 * MRS/MSR (register), which go to sysregs.c.
 */
#include <string.h>

#include "el2.h"
#include "mem_fast.h"
#include "sysregs.h"

/* emu_exec_unallocated never returns (it raises UNDEF); say so. */
static inline _Noreturn void undef(struct emu_cpu *cpu, uint32_t insn)
{
	emu_exec_unallocated(cpu, insn);
	emu_undefined(cpu);
}

static inline unsigned f_op1(uint32_t insn) { return (insn >> 16) & 7; }
static inline unsigned f_crn(uint32_t insn) { return (insn >> 12) & 15; }
static inline unsigned f_crm(uint32_t insn) { return (insn >> 8) & 15; }
static inline unsigned f_op2(uint32_t insn) { return (insn >> 5) & 7; }
static inline unsigned f_rt(uint32_t insn) { return insn & 31; }

/* EL0 access to an instruction SCTLR_EL1 gates: trap to EL1, EC 0x18. */
static inline void el0_gate(struct emu_cpu *cpu, uint32_t insn, uint64_t sctlr_bit)
{
	if (cpu->el == 0 && !(emu_el0_sctlr(cpu) & sctlr_bit))
		emu_take_sync(cpu, sysreg_trap_esr(sysreg_enc_of_insn(insn), f_rt(insn), false), 0, false);
}

/* An instruction HCR_EL2 traps from EL0/EL1: to EL2, EC 0x18. */
static inline void el2_gate(struct emu_cpu *cpu, uint32_t insn, uint64_t hcr_bits)
{
	if (el2_traps(cpu, hcr_bits))
		emu_take_el2(cpu, sysreg_trap_esr(sysreg_enc_of_insn(insn), f_rt(insn), false), 0, false, 0, false);
}

/* IC IVAU of va (all = false) and IC IALLU(IS): every vCPU re-checks the
 * code it decoded from the host page of va (all of it, if va is not in
 * RAM) at its next event check (exec.c) or ISB. */
static void ic_invalidated(struct emu_cpu *cpu, bool all, uint64_t va)
{
	const uint8_t *p = all ? NULL : mem_probe_host(cpu, va);
	emu_ic_note_invalidation(cpu, p ? (uintptr_t)p >> MEM_TLB_PAGE_SHIFT : EMU_IC_INVAL_ALL);
}

/* WFI/WFE.  They complete at once when a wake-up event is already there
 * (WFE: the event register; both: a pending IRQ/FIQ), as no low-power
 * state would be entered and so nothing is trapped.  Otherwise EL0 is
 * trapped to EL1 by SCTLR_EL1.nTWI/nTWE clear, EL0/EL1 to the guest's
 * EL2 by HCR_EL2.TWI/TWE, and everything else to the host (HCR_EL2.TWI/TWE
 * on Apple), with the PC at the instruction. */
static void exec_wfx(struct emu_cpu *cpu, bool wfe)
{
	if (wfe && cpu->event_register) {
		cpu->event_register = false;
		return;
	}
	if (emu_interrupt_pending(cpu))
		return;
	uint32_t esr = (uint32_t)EC_WFX << ESR_EC_SHIFT | ESR_IL | ISS_CV_COND_AL | (wfe ? 1u : 0u);
	if (cpu->el == 0 && !(emu_el0_sctlr(cpu) & (wfe ? SCTLR_NTWE : SCTLR_NTWI)))
		emu_take_sync(cpu, esr, 0, false);
	if (el2_traps(cpu, wfe ? HCR_TWE : HCR_TWI))
		emu_take_el2(cpu, esr, 0, false, 0, false);
	if (cpu->obj->gic && !wfe) {
		/* With a GIC, WFI waits in the library (no exit) until an
		 * interrupt is signaled, a timer fires, or a cancel; then it
		 * completes and the loop looks at events at once.  WFE still
		 * exits: SEV from another vCPU is not tracked. */
		emu_timer_check(cpu);
		if (!emu_interrupt_pending(cpu))
			gic_wait(cpu->obj->gic, &cpu->obj->cancel_pending, emu_timer_deadline(cpu));
		cpu->budget = 0;
		cpu->irq_check = true;
		return;
	}
	emu_exit_exception(cpu, esr, 0, 0, cpu->insn_pc);
}

static inline unsigned f_hint(uint32_t insn) { return f_crm(insn) << 3 | f_op2(insn); }

/* HINT #2..#5 (WFE, WFI, SEV, SEVL) act; every other hint is a NOP. */
static inline bool hint_acts(unsigned imm) { return imm >= 2 && imm <= 5; }

/* HINT #imm (op1 = 011, CRn = 0010, Rt = 31). */
static void exec_hint(struct emu_cpu *cpu, uint32_t insn)
{
	if (!hint_acts(f_hint(insn)))
		return; /* NOP, YIELD, and the unallocated / unadvertised hints
		         * (ESB, PSB, TSB, CSDB, BTI, PAC*SP, XPACLRI, DGH, ...) */
	switch (f_hint(insn)) {
	case 2: /* WFE */
		exec_wfx(cpu, true);
		return;
	case 3: /* WFI */
		exec_wfx(cpu, false);
		return;
	case 4: /* SEV: other vCPUs' WFE exits to the host, which wakes them */
	default: /* 5: SEVL */
		cpu->event_register = true;
		return;
	}
}

/* Host ordering for DMB/DSB by access type (CRm[1:0]: 01 loads, 10
 * stores, 11 / 00 all). */
static inline void barrier_fence(unsigned crm)
{
	switch (crm & 3) {
	case 1: __atomic_thread_fence(__ATOMIC_ACQUIRE); break;
	case 2: __atomic_thread_fence(__ATOMIC_RELEASE); break;
	default: __atomic_thread_fence(__ATOMIC_SEQ_CST); break;
	}
}

enum { BARRIER_CLREX = 2, BARRIER_DSB = 4, BARRIER_DMB = 5, BARRIER_ISB = 6 };

/* Barriers and CLREX (op1 = 011, CRn = 0011, Rt = 31). */
static void exec_barrier(struct emu_cpu *cpu, uint32_t insn)
{
	unsigned crm = f_crm(insn);
	switch (f_op2(insn)) {
	case BARRIER_CLREX:
		cpu->excl_valid = false;
		return;
	case BARRIER_DSB: /* CRm 0000 = SSBB, 0100 = PSSBB (speculation only) */
		if (crm == 0 || crm == 4)
			return;
		barrier_fence(crm);
		return;
	case BARRIER_DMB:
		barrier_fence(crm);
		return;
	case BARRIER_ISB: /* ends its block (emu_sys_class); code another
			   * vCPU invalidated is fetched anew from here on */
		(void)emu_ic_see_invalidations(cpu);
		return;
	default: /* SB (FEAT_SB), DSB nXS (FEAT_XS), TCOMMIT: not implemented */
		undef(cpu, insn);
	}
}

/* MSR (immediate) to PSTATE fields (CRn = 0100, Rt = 31), by op1:op2. */
enum { MSR_IMM_DAIFSET = 0x1e, MSR_IMM_DAIFCLR = 0x1f };
static void exec_msr_imm(struct emu_cpu *cpu, uint32_t insn)
{
	unsigned crm = f_crm(insn);
	switch (f_op1(insn) << 3 | f_op2(insn)) {
	case MSR_IMM_DAIFSET: /* op1 011, op2 110 */
		el0_gate(cpu, insn, SCTLR_UMA);
		cpu->daif |= crm << 6;
		return;
	case MSR_IMM_DAIFCLR:
		el0_gate(cpu, insn, SCTLR_UMA);
		cpu->daif &= ~(crm << 6);
		cpu->budget = 0; /* take a now-unmasked pending interrupt */
		cpu->irq_check = true;
		return;
	case 0x04: { /* PAN (op1 000, op2 100; FEAT_PAN) */
		if (cpu->el == 0)
			break;
		cpu->pstate_pan = crm & 1; /* data TLB views depend on PAN (mem_fast.h) */
		return;
	}
	case 0x05: /* SPSel */
		if (cpu->el == 0)
			break;
		cpu->spsel = crm & 1;
		return;
	default:
		/* CFINV/XAFLAG/AXFLAG (FlagM), UAO, DIT, SSBS, TCO, ALLINT,
		 * SVCR...: not advertised, UNDEFINED. */
		break;
	}
	undef(cpu, insn);
}

/* DC ZVA: zero the 64-byte block containing Xt (a store for permission
 * checks, faults and watchpoints; no syndrome register info). */
static void exec_dc_zva(struct emu_cpu *cpu, uint32_t insn)
{
	el0_gate(cpu, insn, SCTLR_DZE);
	el2_gate(cpu, insn, HCR_TDZ);
	uint64_t va = xreg(cpu, f_rt(insn)) & ~(uint64_t)(EMU_DCZ_BLOCK - 1);
	cpu->dabt_iss = 0;
	uint8_t *p = mem_write_ptr(cpu, va, EMU_DCZ_BLOCK, 0);
	memset(p, 0, EMU_DCZ_BLOCK);
}

/* PAR_EL1 for an AT result: the output address and attributes, or the
 * fault (FST, PTW = stage 2 on a stage-1 walk, S = stage 2). */
static uint64_t par_of(const struct emu_walk_result *r)
{
	if (!r->ok && !(r->stage2 && !r->guest_s2))
		return 1 | (uint64_t)(r->fsc & 0x3f) << 1 | (r->s1ptw ? 1ull << 8 : 0) |
		       (r->guest_s2 ? 1ull << 9 : 0) | 1ull << 11;
	uint64_t pa = r->ok ? r->pa : r->ipa;
	/* SH: the walk does not report it; Device and Normal Non-cacheable
	 * are Outer Shareable, other memory is reported as Inner Shareable
	 * (what the guest's tables normally say). */
	uint64_t sh = (r->device || r->attrs == 0x44) ? 2 : 3;
	return (pa & 0x0000fffffffff000ull) | (r->attrs & 0xff) << 56 | sh << 7 | 1ull << 11;
}

/* AT S1E{0,1}{R,W} (EL1, EL2), S1E2{R,W} and S12E{0,1}{R,W} (EL2): a
 * translation into PAR_EL1.  Stage-1 results are IPAs.  A stage-2 fault
 * on the stage-1 walk of an AT from EL1 is a data abort (CM = 1, S1PTW)
 * to the guest's EL2 or, for the VM's own map, to the host; from EL2 the
 * guest's stage-2 faults are reported in PAR_EL1. */
static void exec_at(struct emu_cpu *cpu, uint32_t insn, enum emu_at_stages stages)
{
	unsigned op2 = f_op2(insn);
	uint64_t va = xreg(cpu, f_rt(insn));
	enum emu_access acc = (op2 & 1) ? ACC_WRITE : ACC_READ;
	bool el0_perms = stages == AT_S1E2 ? false : (op2 & 2) != 0;
	struct emu_walk_result r = emu_mmu_translate_at(cpu, va, acc, el0_perms, stages);
	if (!r.ok && r.stage2 && r.s1ptw && (!r.guest_s2 || cpu->el < 2)) {
		uint32_t esr = (uint32_t)EC_DABT_LOWER << ESR_EC_SHIFT | ESR_IL | 1u << 8 /* CM */ |
			       1u << 7 /* S1PTW */ | 1u << 6 /* WnR */ | (r.fsc & 0x3fu);
		if (r.guest_s2)
			emu_take_el2(cpu, esr, va, true, el2_hpfar_of(r.ipa), true);
		emu_exit_exception(cpu, esr, va, r.ipa, cpu->insn_pc);
	}
	cpu->sr[SR_PAR_EL1] = par_of(&r);
}

/* Drops translations cached by this vCPU; the Inner Shareable forms also
 * make every other vCPU drop its TLB at its next event check (bumping
 * the VM's generation, which only ever makes vCPUs flush). */
static void exec_tlbi(struct emu_cpu *cpu, bool broadcast)
{
	mem_tlb_flush(cpu);
	if (broadcast)
		atomic_fetch_add(&cpu->vm->mem_generation, 1);
}

/* The EL1 TLBI forms: CRn 8, op1 0, CRm 7 or 3 (Inner Shareable). */
static inline bool tlbi_el1_form(unsigned op1, unsigned crn, unsigned crm)
{
	return crn == 8 && op1 == 0 && (crm == 3 || crm == 7);
}

/* Of those, VAE1, VAAE1, VALE1, VAALE1 (op2 1, 3, 5, 7) drop one page;
 * VMALLE1 and ASIDE1 (op2 0, 2) everything. */
static inline bool tlbi_by_va(unsigned op2)
{
	return op2 & 1;
}

/* SYS operations (op0 = 01) by op1, CRm and op2; the data cache ones by
 * VA and the IC ones have names because emu_sys_class lets them stay in
 * a block. */
#define SYS_KEY(op1, crm, op2) ((op1) << 7 | (crm) << 3 | (op2))
enum {
	DC_ZVA = SYS_KEY(3, 4, 1),
	DC_CVAC = SYS_KEY(3, 10, 1),
	DC_CVAU = SYS_KEY(3, 11, 1),
	DC_CIVAC = SYS_KEY(3, 14, 1),
	DC_IVAC = SYS_KEY(0, 6, 1),
	IC_IVAU = SYS_KEY(3, 5, 1),
	IC_IALLUIS = SYS_KEY(0, 1, 0),
	IC_IALLU = SYS_KEY(0, 5, 0),
};
static inline unsigned sys_key(uint32_t insn) { return f_op1(insn) << 7 | f_crm(insn) << 3 | f_op2(insn); }

/* SYS (op0 = 01, L = 0): cache maintenance, AT, TLBI. */
static void exec_sys(struct emu_cpu *cpu, uint32_t insn)
{
	unsigned op1 = f_op1(insn), crn = f_crn(insn), crm = f_crm(insn), op2 = f_op2(insn);
	unsigned key = sys_key(insn);
	if (crn == 7) {
		switch (key) {
		case DC_ZVA:
			exec_dc_zva(cpu, insn);
			return;
		case DC_CVAC:
		case DC_CVAU:
		case DC_CIVAC:
			el0_gate(cpu, insn, SCTLR_UCI);
			el2_gate(cpu, insn, crm == 11 ? HCR_TPU : HCR_TPCP);
			/* Translate as a read: faults report CM = 1. */
			cpu->dabt_iss = 0;
			(void)mem_read(cpu, xreg(cpu, f_rt(insn)), 1, MEMF_CM);
			return;
		case IC_IVAU:
			el0_gate(cpu, insn, SCTLR_UCI);
			el2_gate(cpu, insn, HCR_TPU);
			ic_invalidated(cpu, false, xreg(cpu, f_rt(insn)));
			return;
		default:
			break;
		}
		if (cpu->el == 0)
			undef(cpu, insn);
		switch (key) {
		case DC_IVAC: /* needs write permission */
			el2_gate(cpu, insn, HCR_TPCP);
			cpu->dabt_iss = 0;
			(void)mem_write_ptr(cpu, xreg(cpu, f_rt(insn)), 1, MEMF_CM);
			return;
		case SYS_KEY(0, 6, 2):  /* DC ISW */
		case SYS_KEY(0, 10, 2): /* DC CSW */
		case SYS_KEY(0, 14, 2): /* DC CISW */
			el2_gate(cpu, insn, HCR_TSW);
			return;
		case IC_IALLUIS:
		case IC_IALLU:
			el2_gate(cpu, insn, HCR_TPU);
			ic_invalidated(cpu, true, 0);
			return;
		case SYS_KEY(0, 8, 0): /* AT S1E1R */
		case SYS_KEY(0, 8, 1): /* AT S1E1W */
		case SYS_KEY(0, 8, 2): /* AT S1E0R */
		case SYS_KEY(0, 8, 3): /* AT S1E0W */
			exec_at(cpu, insn, AT_S1E1);
			return;
		default:
			break;
		}
		if (cpu->el == 2) {
			switch (key) {
			case SYS_KEY(4, 8, 0): /* AT S1E2R */
			case SYS_KEY(4, 8, 1): /* AT S1E2W */
				exec_at(cpu, insn, AT_S1E2);
				return;
			case SYS_KEY(4, 8, 4): /* AT S12E1R */
			case SYS_KEY(4, 8, 5): /* AT S12E1W */
			case SYS_KEY(4, 8, 6): /* AT S12E0R */
			case SYS_KEY(4, 8, 7): /* AT S12E0W */
				exec_at(cpu, insn, AT_S12);
				return;
			default:
				break;
			}
		}
	} else if (tlbi_el1_form(op1, crn, crm) && cpu->el != 0) {
		/* TLBI VMALLE1, VAE1, ASIDE1, VAAE1, VALE1, VAALE1 (CRm 7) and
		 * their Inner Shareable forms (CRm 3).  The OS and range forms
		 * (FEAT_TLBIOS, FEAT_TLBIRANGE) are not advertised. */
		if (op2 != 4 && op2 != 6) {
			el2_gate(cpu, insn, HCR_TTLB);
			if (tlbi_by_va(op2))
				emu_tlbi_va(cpu, xreg(cpu, f_rt(insn)), crm == 3);
			else
				exec_tlbi(cpu, crm == 3);
			return;
		}
	} else if (crn == 8 && op1 == 4 && cpu->el == 2 && (crm == 0 || crm == 3 || crm == 4 || crm == 7)) {
		/* The EL2 forms: IPAS2E1, IPAS2LE1 (CRm 4, IS: 0), ALLE2, VAE2,
		 * ALLE1, VALE2, VMALLS12E1 (CRm 7, IS: 3).  Our TLB holds
		 * combined translations without VMID tags: every form drops
		 * all of it, which is always correct. */
		bool ipa_form = crm == 0 || crm == 4;
		if (ipa_form ? (op2 == 1 || op2 == 5) : (op2 <= 1 || op2 == 4 || op2 == 5 || op2 == 6)) {
			exec_tlbi(cpu, crm == 0 || crm == 3);
			return;
		}
	}
	undef(cpu, insn);
}

void emu_exec_system(struct emu_cpu *cpu, uint32_t insn)
{
	unsigned l = (insn >> 21) & 1, op0 = (insn >> 19) & 3;
	if (op0 >= 2) { /* MRS / MSR (register) */
		emu_sysreg_access(cpu, insn);
		return;
	}
	if (l) /* SYSL: nothing allocated in v8.0; L=1 with op0=0: unallocated */
		undef(cpu, insn);
	if (op0 == 1) {
		exec_sys(cpu, insn);
		return;
	}
	if (f_rt(insn) != 31)
		undef(cpu, insn); /* includes WFET/WFIT (FEAT_WFxT) */
	switch (f_crn(insn)) {
	case 2:
		if (f_op1(insn) == 3) {
			exec_hint(cpu, insn);
			return;
		}
		break;
	case 3:
		if (f_op1(insn) == 3) {
			exec_barrier(cpu, insn);
			return;
		}
		break;
	case 4:
		exec_msr_imm(cpu, insn);
		return;
	default:
		break;
	}
	undef(cpu, insn);
}

/* For the block builder (icache.c): what a system instruction may do to
 * the block holding it.  QUIET ones change no translation, PC or PSTATE
 * the block depends on; QUIET_MEM ones also access memory (checked as a
 * store is, so a write to code is caught) or drop a page's translation
 * (TLBI by VA, which moves the epoch itself when the page held code).
 * MRS of a PMU register ends the block: the cycle counter counts retired
 * instructions, and those are counted ahead at block entry.  STOP ones
 * end the block so that the run loop sees what they changed (MSR: an
 * unmasked interrupt, the SP selected, debug state; ISB: code
 * invalidated by other vCPUs, exec_barrier; WFI: the wait) but leave
 * the epoch: what changes a translation drops the TLB, which moves it.
 * END ones (exception generation, the other TLBI and AT forms, anything
 * unallocated) move it; ERET is STOP: the EL is part of the epoch. */
enum emu_sys_class emu_sys_class(uint32_t insn)
{
	unsigned l = (insn >> 21) & 1, op0 = (insn >> 19) & 3;
	if (insn == 0xd69f03e0u) /* ERET */
		return EMU_SYS_STOP;
	if ((insn & 0xffc00000u) != 0xd5000000u) /* not the system class */
		return EMU_SYS_END;
	if (op0 >= 2) {
		uint16_t enc = sysreg_enc_of_insn(insn);
		/* MSR: what it changes is seen from the run loop on; the
		 * registers of translation drop the TLB, which moves the
		 * epoch (F_TLB, el2_written). */
		if (!l)
			return EMU_SYS_STOP;
		if (enc == SYSREG_ENC(3, 0, 4, 1, 0) && f_rt(insn) != 31)
			return EMU_SYS_MRS_SP_EL0; /* Linux's `current`, all the time */
		return emu_pmu_is_reg(enc) ? EMU_SYS_END : EMU_SYS_QUIET;
	}
	if (l)
		return EMU_SYS_END;
	if (op0 == 1) {
		unsigned key = sys_key(insn), crn = f_crn(insn), crm = f_crm(insn);
		bool dc_by_va = key == DC_ZVA || key == DC_CVAC || key == DC_CVAU || key == DC_CIVAC ||
		                key == DC_IVAC;
		if (crn == 7 && dc_by_va)
			return EMU_SYS_QUIET_MEM;
		/* IC: the VM's code generation moves, which this vCPU sees
		 * at its ISB (its own stores to code it sees at once). */
		if (crn == 7 && (key == IC_IVAU || key == IC_IALLUIS || key == IC_IALLU))
			return EMU_SYS_QUIET;
		/* TLBI by VA moves the epoch itself if the page held code
		 * (tlbi.c), as a store does: checked after it. */
		if (tlbi_el1_form(f_op1(insn), crn, crm) && tlbi_by_va(f_op2(insn)))
			return EMU_SYS_QUIET_MEM;
		return EMU_SYS_END;
	}
	if (f_rt(insn) != 31 || f_op1(insn) != 3)
		return EMU_SYS_END;
	if (f_crn(insn) == 2)
		return hint_acts(f_hint(insn)) ? EMU_SYS_STOP : EMU_SYS_NOP; /* WFx, SEV[L] */
	if (f_crn(insn) == 3) {
		unsigned op2 = f_op2(insn);
		if (op2 == BARRIER_ISB)
			return EMU_SYS_STOP;
		return op2 == BARRIER_CLREX || op2 == BARRIER_DSB || op2 == BARRIER_DMB ? EMU_SYS_QUIET
		                                                                         : EMU_SYS_END;
	}
	unsigned msr_imm = f_op1(insn) << 3 | f_op2(insn);
	if (f_crn(insn) == 4 && (msr_imm == MSR_IMM_DAIFSET || msr_imm == MSR_IMM_DAIFCLR))
		return EMU_SYS_STOP;
	return EMU_SYS_END;
}
