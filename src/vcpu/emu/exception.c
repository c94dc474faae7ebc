/*
 * exception.c - exception entry to guest EL1 (synchronous, IRQ, FIQ),
 * exception return (ERET), the exception-generating instructions
 * (SVC, HVC, SMC, BRK, HLT, DCPS) and exits to the host (Arm ARM D1.3,
 * "Exception entry", AArch64.TakeException / AArch64.ExceptionReturn).
 *
 * Host-visible conventions (what Apple's Hypervisor.framework reports):
 * HVC exits with the PC after the instruction, SMC/BRK/debug/sysreg
 * traps with the PC at the instruction; ESR values are ESR_EL2-shaped
 * with IL = 1.
 */
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

/* Enter EL1 at VBAR_EL1 + vector offset with the given return address:
 * SPSR_EL1 = PSTATE, PSTATE = EL1h with D, A, I, F masked, SS and IL
 * cleared, PAN set unless SCTLR_EL1.SPAN. */
static void enter_el1(struct emu_cpu *cpu, uint64_t ret, uint32_t type_offset)
{
	uint32_t off = cpu->el == 0 ? VEC_LOWER_A64 : (cpu->spsel ? VEC_CURRENT_SPX : VEC_CURRENT_SP0);
	cpu->sr[SR_SPSR_EL1] = emu_get_pstate(cpu);
	cpu->sr[SR_ELR_EL1] = ret;
	cpu->el = 1;
	cpu->spsel = 1;
	cpu->daif = PSTATE_DAIF_MASK;
	cpu->pstate_ss = false;
	cpu->pstate_il = false;
	if (!(cpu->sr[SR_SCTLR_EL1] & SCTLR_SPAN) && !cpu->pstate_pan) {
		cpu->pstate_pan = true;
		mem_tlb_flush(cpu); /* the TLB index does not include PAN */
	}
	emu_debug_step_reset(cpu);
	cpu->pc = (cpu->sr[SR_VBAR_EL1] & ~0x7ffull) + off + type_offset;
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
 * chosen here from the current EL.  Debug exceptions go to the host when
 * it traps them (MDCR_EL2.TDE), as lower-EL ECs with the PC at the
 * instruction (software step: at the next instruction to step, which is
 * what cpu->insn_pc holds when debug.c raises it). */
_Noreturn void emu_take_sync(struct emu_cpu *cpu, uint32_t esr, uint64_t far, bool far_valid)
{
	unsigned ec = esr >> ESR_EC_SHIFT;
	if (ec_has_same_el_variant(ec)) {
		ec = (ec & ~1u) | (cpu->el != 0);
		esr = (esr & ~(0x3fu << ESR_EC_SHIFT)) | (uint32_t)ec << ESR_EC_SHIFT;
	}
	if (ec_is_debug(ec) && cpu->obj->trap_debug_exceptions) {
		if (ec != EC_BRK64)
			esr &= ~(1u << ESR_EC_SHIFT); /* lower-EL EC as seen from EL2 */
		emu_exit_exception(cpu, esr, far_valid ? far : 0, 0, cpu->insn_pc);
	}
	uint64_t ret = ec == EC_SVC64 ? cpu->pc : cpu->insn_pc;
	cpu->sr[SR_ESR_EL1] = esr;
	if (far_valid)
		cpu->sr[SR_FAR_EL1] = far;
	enter_el1(cpu, ret, 0x000);
	longjmp(cpu->stop_jmp, STOP_EXCEPTION_TAKEN);
}

_Noreturn void emu_undefined(struct emu_cpu *cpu)
{
	emu_take_sync(cpu, (uint32_t)EC_UNKNOWN << ESR_EC_SHIFT | ESR_IL, 0, false);
}

/* Between instructions: the preferred return address is the next
 * instruction to execute. */
void emu_take_interrupt(struct emu_cpu *cpu, uint32_t vector_offset)
{
	enter_el1(cpu, cpu->pc, vector_offset);
}

/* ERET (EL1 only; branch.c checks): PSTATE from SPSR_EL1, PC from
 * ELR_EL1.  emu_set_pstate turns a return to EL2/EL3, AArch32 or EL0 with
 * SP_ELx into an illegal return (mode kept, PSTATE.IL set).  An
 * exception return clears the local monitor and sets the event
 * register. */
void emu_eret(struct emu_cpu *cpu)
{
	uint64_t spsr = cpu->sr[SR_SPSR_EL1];
	uint64_t elr = cpu->sr[SR_ELR_EL1];
	bool stepping = (cpu->debug_step_flags & STEP_ACTIVE) != 0;
	emu_set_pstate(cpu, spsr);
	cpu->pc = elr;
	cpu->excl_valid = false;
	cpu->event_register = true;
	cpu->budget = 0; /* unmasked pending interrupts are taken next */
	cpu->irq_check = true;
	/* A stepped ERET: the step state comes from SPSR_EL1.SS. */
	cpu->debug_step_flags = stepping ? STEP_ACTIVE | STEP_ERET : 0;
}

/* CPACR_EL1.FPEN: 0bx0 traps EL0 and EL1, 0b01 traps EL0, 0b11 none.
 * ISS for an AArch64 trap: CV = 1, COND = 0b1110. */
void emu_check_fp_access(struct emu_cpu *cpu)
{
	unsigned fpen = (unsigned)(cpu->sr[SR_CPACR_EL1] >> 20) & 3;
	if (fpen == 3 || (fpen == 1 && cpu->el == 1))
		return;
	emu_take_sync(cpu, (uint32_t)EC_FP_ACCESS << ESR_EC_SHIFT | ESR_IL | ISS_CV_COND_AL, 0, false);
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
	case 0x02: /* HVC: trapped by the hypervisor, PC after the HVC */
		if (cpu->el == 0)
			break;
		emu_debug_step_advance(cpu);
		emu_exit_exception(cpu, (uint64_t)EC_HVC64 << ESR_EC_SHIFT | ESR_IL | imm16, 0, 0, cpu->pc);
	case 0x03: /* SMC: trapped (HCR_EL2.TSC), PC at the SMC */
		if (cpu->el == 0)
			break;
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
