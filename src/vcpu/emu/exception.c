/*
 * exception.c - exception entry to the guest's EL1 or, with EL2 enabled,
 * its EL2 (synchronous, IRQ, FIQ, SError), exception return (ERET), the
 * exception-generating instructions (SVC, HVC, SMC, BRK, HLT, DCPS) and
 * exits to the host (Arm ARM D1.3, "Exception entry",
 * AArch64.TakeException / AArch64.ExceptionReturn).
 *
 * Host-visible conventions (what Apple's Hypervisor.framework reports):
 * HVC exits with the PC after the instruction, SMC/BRK/debug/sysreg
 * traps with the PC at the instruction; ESR values are ESR_EL2-shaped
 * with IL = 1.  With EL2 enabled the guest hypervisor gets what its
 * HCR_EL2 asks for (el2.h); HVC and SMC at its EL2 still exit.
 */
#include "el2.h"
#include "sysregs.h"

/* emu_exec_unallocated never returns (it raises UNDEF); say so. */
static inline _Noreturn void undef(struct emu_cpu *cpu, uint32_t insn)
{
	emu_exec_unallocated(cpu, insn);
	emu_undefined(cpu);
}

/* Vector offsets from VBAR_EL1. */
#define VEC_CURRENT_SP0 0x000u
#define VEC_CURRENT_SPX 0x200u
#define VEC_LOWER_A64 0x400u

/* Debug ECs come in lower-EL / same-EL pairs; the others are the same
 * from either EL except aborts. */
static inline bool ec_has_same_el_variant(unsigned ec)
{
	return ec == EC_IABT_LOWER || ec == EC_IABT_SAME || ec == EC_DABT_LOWER || ec == EC_DABT_SAME ||
	       (ec >= EC_BKPT_LOWER && ec <= EC_WATCH_SAME);
}

static inline bool ec_is_debug(unsigned ec)
{
	return (ec >= EC_BKPT_LOWER && ec <= EC_WATCH_SAME) || ec == EC_BRK64;
}

/* The vector offset for an exception taken to target_el from here. */
static uint32_t vector_base_offset(const struct emu_cpu *cpu, unsigned target_el)
{
	if (cpu->el < target_el)
		return VEC_LOWER_A64;
	return cpu->spsel ? VEC_CURRENT_SPX : VEC_CURRENT_SP0;
}

/* Enter EL1 or EL2 at VBAR_ELx + vector offset with the given return
 * address: SPSR_ELx = PSTATE, ELR_ELx = ret, PSTATE = ELxh with D, A, I,
 * F masked, SS and IL cleared; entering EL1 sets PAN unless
 * SCTLR_EL1.SPAN, entering EL2 with E2H and TGE (a VHE host) unless
 * SCTLR_EL2.SPAN (PAN has no meaning in the EL2 regime without VHE). */
static void enter_el(struct emu_cpu *cpu, unsigned target, uint64_t ret, uint32_t type_offset)
{
	uint32_t off = vector_base_offset(cpu, target);
	bool el2 = target == 2;
	cpu->sr[el2 ? SR_SPSR_EL2 : SR_SPSR_EL1] = emu_get_pstate(cpu);
	cpu->sr[el2 ? SR_ELR_EL2 : SR_ELR_EL1] = ret;
	cpu->el = (uint8_t)target;
	emu_ic_set_el(cpu);
	cpu->spsel = 1;
	cpu->daif = PSTATE_DAIF_MASK;
	cpu->pstate_ss = false;
	cpu->pstate_il = false;
	bool set_pan = el2 ? el2_host_el0(cpu) && !(cpu->sr[SR_SCTLR_EL2] & SCTLR_SPAN)
			   : !(cpu->sr[SR_SCTLR_EL1] & SCTLR_SPAN);
	if (set_pan)
		cpu->pstate_pan = true; /* data TLB views depend on PAN (mem_fast.h) */
	emu_debug_step_reset(cpu);
	cpu->pc = (cpu->sr[el2 ? SR_VBAR_EL2 : SR_VBAR_EL1] & ~0x7ffull) + off + type_offset;
}

_Noreturn void emu_take_el2(struct emu_cpu *cpu, uint32_t esr, uint64_t far, bool far_valid, uint64_t hpfar,
			    bool hpfar_valid)
{
	unsigned ec = esr >> ESR_EC_SHIFT;
	if (ec_has_same_el_variant(ec)) {
		ec = (ec & ~1u) | (cpu->el == 2);
		esr = (esr & ~(0x3fu << ESR_EC_SHIFT)) | (uint32_t)ec << ESR_EC_SHIFT;
	}
	uint64_t ret = ec == EC_SVC64 || ec == EC_HVC64 ? cpu->pc : cpu->insn_pc;
	cpu->sr[SR_ESR_EL2] = esr;
	if (far_valid)
		cpu->sr[SR_FAR_EL2] = far;
	if (hpfar_valid)
		cpu->sr[SR_HPFAR_EL2] = hpfar;
	enter_el(cpu, 2, ret, 0x000);
	longjmp(cpu->stop_jmp, STOP_EXCEPTION_TAKEN);
}

/* Where a synchronous exception from the current EL is taken: EL2 from
 * EL2, from EL0 under HCR_EL2.TGE, and debug exceptions under
 * MDCR_EL2.TDE; else EL1. */
static unsigned sync_target_el(const struct emu_cpu *cpu, unsigned ec)
{
	if (!cpu->el2)
		return 1;
	if (cpu->el == 2 || (cpu->el == 0 && (emu_hcr(cpu) & HCR_TGE)))
		return 2;
	return ec_is_debug(ec) && (cpu->sr[SR_MDCR_EL2] & MDCR_TDE) ? 2 : 1;
}

_Noreturn void emu_exit_exception(struct emu_cpu *cpu, uint64_t esr, uint64_t far, uint64_t ipa, uint64_t pc)
{
	hv_vcpu_exit_t *exit = &cpu->obj->exit;
	exit->reason = HV_EXIT_REASON_EXCEPTION;
	exit->exception.syndrome = esr;
	exit->exception.virtual_address = far;
	exit->exception.physical_address = ipa;
	cpu->pc = pc;
	longjmp(cpu->stop_jmp, STOP_EXIT);
}

_Noreturn void emu_exit_reason(struct emu_cpu *cpu, hv_exit_reason_t reason)
{
	hv_vcpu_exit_t *exit = &cpu->obj->exit;
	exit->reason = reason;
	exit->exception.syndrome = 0;
	exit->exception.virtual_address = 0;
	exit->exception.physical_address = 0;
	longjmp(cpu->stop_jmp, STOP_EXIT);
}

/* Callers may pass either EC of a lower/same-EL pair: the right one is
 * chosen here from the current and the target EL.  Debug exceptions go to the host when
 * it traps them (MDCR_EL2.TDE), as lower-EL ECs with the PC at the
 * instruction (software step: at the next instruction to step, which is
 * what cpu->insn_pc holds when debug.c raises it). */
_Noreturn void emu_take_sync(struct emu_cpu *cpu, uint32_t esr, uint64_t far, bool far_valid)
{
	unsigned ec = esr >> ESR_EC_SHIFT;
	if (ec_is_debug(ec) && cpu->obj->trap_debug_exceptions) {
		if (ec != EC_BRK64)
			esr &= ~(1u << ESR_EC_SHIFT); /* lower-EL EC as seen from EL2 */
		emu_exit_exception(cpu, esr, far_valid ? far : 0, 0, cpu->insn_pc);
	}
	if (sync_target_el(cpu, ec) == 2)
		emu_take_el2(cpu, esr, far, far_valid, 0, false);
	if (ec_has_same_el_variant(ec)) {
		ec = (ec & ~1u) | (cpu->el != 0);
		esr = (esr & ~(0x3fu << ESR_EC_SHIFT)) | (uint32_t)ec << ESR_EC_SHIFT;
	}
	uint64_t ret = ec == EC_SVC64 ? cpu->pc : cpu->insn_pc;
	cpu->sr[SR_ESR_EL1] = esr;
	if (far_valid)
		cpu->sr[SR_FAR_EL1] = far;
	enter_el(cpu, 1, ret, 0x000);
	longjmp(cpu->stop_jmp, STOP_EXCEPTION_TAKEN);
}

_Noreturn void emu_undefined(struct emu_cpu *cpu)
{
	emu_take_sync(cpu, (uint32_t)EC_UNKNOWN << ESR_EC_SHIFT | ESR_IL, 0, false);
}

/* Between instructions: the preferred return address is the next
 * instruction to execute. */
void emu_take_interrupt(struct emu_cpu *cpu, unsigned target_el, uint32_t vector_offset)
{
	enter_el(cpu, target_el, cpu->pc, vector_offset);
}

/* ERET (EL1 or EL2; branch.c checks): PSTATE from SPSR_ELx, PC from
 * ELR_ELx.  A return to a higher EL, to EL1 while HCR_EL2.TGE is set, or
 * to a mode emu_set_pstate refuses (AArch32, EL3, EL0 with SP_ELx, EL2
 * without EL2) is an illegal return: mode kept, PSTATE.IL set.  An
 * exception return clears the local monitor and sets the event
 * register. */
void emu_eret(struct emu_cpu *cpu)
{
	bool from_el2 = cpu->el == 2;
	uint64_t spsr = cpu->sr[from_el2 ? SR_SPSR_EL2 : SR_SPSR_EL1];
	uint64_t elr = cpu->sr[from_el2 ? SR_ELR_EL2 : SR_ELR_EL1];
	unsigned target = (unsigned)(spsr >> 2) & 3;
	bool stepping = (cpu->debug_step_flags & STEP_ACTIVE) != 0;
	if (target > cpu->el || (target == 1 && (emu_hcr(cpu) & HCR_TGE)))
		spsr |= 0x10; /* not an AArch64 mode: the return is illegal */
	emu_set_pstate(cpu, spsr);
	cpu->pc = elr;
	cpu->excl_valid = false;
	cpu->event_register = true;
	cpu->budget = 0; /* unmasked pending interrupts are taken next */
	cpu->irq_check = true;
	/* A stepped ERET: the step state comes from SPSR_ELx.SS. */
	cpu->debug_step_flags = stepping ? STEP_ACTIVE | STEP_ERET : 0;
}

/* FP/SIMD access traps: CPACR_EL1.FPEN at EL0/EL1 (0bx0 traps EL0 and
 * EL1, 0b01 traps EL0, 0b11 none; not under TGE, where EL0 is the
 * hypervisor's), then CPTR_EL2 to EL2: TFP from every EL, or with E2H
 * its CPACR-like FPEN (0bx0 traps everything, 0b01 the host's EL0).
 * ISS for an AArch64 trap: CV = 1, COND = 0b1110. */
void emu_check_fp_access(struct emu_cpu *cpu)
{
	uint32_t esr = (uint32_t)EC_FP_ACCESS << ESR_EC_SHIFT | ESR_IL | ISS_CV_COND_AL;
	unsigned fpen = (unsigned)(cpu->sr[SR_CPACR_EL1] >> 20) & 3;
	bool tge = (emu_hcr(cpu) & HCR_TGE) != 0;
	if (cpu->el < 2 && !tge && !(fpen == 3 || (fpen == 1 && cpu->el == 1)))
		emu_take_sync(cpu, esr, 0, false);
	if (!cpu->el2)
		return;
	uint64_t cptr = cpu->sr[SR_CPTR_EL2];
	bool trap;
	if (el2_e2h(cpu)) {
		unsigned fpen2 = (unsigned)(cptr >> 20) & 3;
		trap = !(fpen2 & 1) || (fpen2 == 1 && cpu->el == 0 && tge);
	} else {
		trap = (cptr & CPTR_TFP) != 0;
	}
	if (trap)
		emu_take_el2(cpu, esr, 0, false, 0, false);
}

/* SVC, HVC, SMC, BRK, HLT, DCPS1-3 (C4.1.66: opc[23:21], imm16[20:5],
 * op2[4:2], LL[1:0]). */
void emu_exec_exception_gen(struct emu_cpu *cpu, uint32_t insn)
{
	unsigned opc = (insn >> 21) & 7, op2 = (insn >> 2) & 7, ll = insn & 3;
	uint32_t imm16 = (insn >> 5) & 0xffff;
	if (op2 != 0)
		undef(cpu, insn);
	switch (opc << 2 | ll) {
	case 0x01: /* SVC: preferred return is the next instruction */
		emu_debug_step_advance(cpu);
		emu_take_sync(cpu, (uint32_t)EC_SVC64 << ESR_EC_SHIFT | ESR_IL | imm16, 0, false);
	case 0x02: /* HVC: PC after the HVC; to the guest's EL2 from EL1 */
		if (cpu->el == 0 || (emu_hcr(cpu) & HCR_HCD)) /* HCD: without EL3, UNDEF at EL1 and EL2 */
			break;
		emu_debug_step_advance(cpu);
		if (cpu->el == 1 && cpu->el2)
			emu_take_el2(cpu, (uint32_t)EC_HVC64 << ESR_EC_SHIFT | ESR_IL | imm16, 0, false, 0, false);
		emu_exit_exception(cpu, (uint64_t)EC_HVC64 << ESR_EC_SHIFT | ESR_IL | imm16, 0, 0, cpu->pc);
	case 0x03: /* SMC: a trap (PC at the SMC), the guest's under HCR_EL2.TSC */
		if (cpu->el == 0)
			break;
		if (el2_traps(cpu, HCR_TSC))
			emu_take_el2(cpu, (uint32_t)EC_SMC64 << ESR_EC_SHIFT | ESR_IL | imm16, 0, false, 0, false);
		emu_exit_exception(cpu, (uint64_t)EC_SMC64 << ESR_EC_SHIFT | ESR_IL | imm16, 0, 0, cpu->insn_pc);
	case 0x04: /* BRK */
		emu_take_sync(cpu, (uint32_t)EC_BRK64 << ESR_EC_SHIFT | ESR_IL | imm16, 0, false);
	default:
		/* HLT: halting debug is not enabled (EDSCR.HDE = 0), UNDEFINED.
		 * DCPS1-3: UNDEFINED outside Debug state.  Others unallocated. */
		break;
	}
	undef(cpu, insn);
}
