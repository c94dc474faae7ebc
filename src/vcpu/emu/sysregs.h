/*
 * sysregs.h - internal contract between sysregs.c, system.c,
 * exception.c, debug.c and timer.c (system register encodings, the
 * EC 0x18 syndrome, feature switches).  Not part of cpu.h because only
 * the system-level files need it.
 */
#ifndef EMU_SYSREGS_H
#define EMU_SYSREGS_H

#include "cpu.h"

/* FP/SIMD execution (issue 7).  Switches ID_AA64PFR0_EL1.FP/AdvSIMD and
 * whether MRS/MSR FPCR/FPSR exist. */
#ifndef EMU_HAVE_FPSIMD
#define EMU_HAVE_FPSIMD 1
#endif

/* hv_sys_reg_t-style key: op0<<14 | op1<<11 | CRn<<7 | CRm<<3 | op2.  For
 * MRS/MSR/SYS it is bits [20:5] of the instruction. */
#define SYSREG_ENC(op0, op1, crn, crm, op2) \
	((uint16_t)((op0) << 14 | (op1) << 11 | (crn) << 7 | (crm) << 3 | (op2)))
static inline uint16_t sysreg_enc_of_insn(uint32_t insn)
{
	return (uint16_t)((insn >> 5) & 0xffff);
}

/* ESR for an EC 0x18 trap (MSR/MRS/SYS): ISS = Op0[21:20] Op2[19:17]
 * Op1[16:14] CRn[13:10] Rt[9:5] CRm[4:1] Direction[0] (1 = read). */
static inline uint32_t sysreg_trap_esr(uint16_t enc, unsigned rt, bool is_read)
{
	uint32_t op0 = enc >> 14, op1 = (enc >> 11) & 7, crn = (enc >> 7) & 15;
	uint32_t crm = (enc >> 3) & 15, op2 = enc & 7;
	return (uint32_t)EC_SYSREG << ESR_EC_SHIFT | ESR_IL | op0 << 20 | op2 << 17 | op1 << 14 |
	       crn << 10 | (uint32_t)rt << 5 | crm << 1 | (is_read ? 1u : 0u);
}

/* SCTLR_EL1 bits used by the system instructions. */
#define SCTLR_M (1ull << 0)
#define SCTLR_UMA (1ull << 9)
#define SCTLR_DZE (1ull << 14)
#define SCTLR_UCT (1ull << 15)
#define SCTLR_NTWI (1ull << 16)
#define SCTLR_NTWE (1ull << 18)
#define SCTLR_SPAN (1ull << 23)
#define SCTLR_UCI (1ull << 26)

/* MDSCR_EL1 bits. */
#define MDSCR_SS (1ull << 0)
#define MDSCR_TDCC (1ull << 12)
#define MDSCR_KDE (1ull << 13)
#define MDSCR_MDE (1ull << 15)

/* CNTKCTL_EL1 bits. */
#define CNTKCTL_EL0PCTEN (1ull << 0)
#define CNTKCTL_EL0VCTEN (1ull << 1)
#define CNTKCTL_EL0VTEN (1ull << 8)
#define CNTKCTL_EL0PTEN (1ull << 9)

/* DC ZVA block: DCZID_EL0.BS = 4 (words) -> 64 bytes. */
#define EMU_DCZ_BLOCK 64u

/* ISS of WFx and FP-access traps from AArch64: CV = 1, COND = 0b1110. */
#define ISS_CV_COND_AL 0x01e00000u

/* sysregs.c: MRS/MSR (register) for the guest; called by system.c with
 * the full instruction. */
void emu_sysreg_access(struct emu_cpu *cpu, uint32_t insn);

/* pmu.c: the PMU of an EL2 guest whose ID_AA64DFR0_EL1.PMUVer is valid
 * (emu_pmu_present); an MRS/MSR of a PMU register (EL0 rules and EL2
 * traps included). */
bool emu_pmu_present(const struct emu_cpu *cpu);
bool emu_pmu_is_reg(uint16_t enc); /* the PMU's register space */
void emu_pmu_access(struct emu_cpu *cpu, uint16_t enc, unsigned rt, bool is_read);

/* timer.c: guest view of the virtual timer registers. */
uint64_t emu_timer_read_ctl(struct emu_cpu *cpu);
uint64_t emu_timer_read_tval(struct emu_cpu *cpu);
void emu_timer_write_tval(struct emu_cpu *cpu, uint64_t value);
/* ... and of the physical timer (with a GIC). */
uint64_t emu_ptimer_read_ctl(struct emu_cpu *cpu);
uint64_t emu_ptimer_read_tval(struct emu_cpu *cpu);
void emu_ptimer_write_tval(struct emu_cpu *cpu, uint64_t value);
/* ... and of the guest hypervisor's EL2 physical timer (PPI 26). */
uint64_t emu_hptimer_read_ctl(struct emu_cpu *cpu);
uint64_t emu_hptimer_read_tval(struct emu_cpu *cpu);
void emu_hptimer_write_tval(struct emu_cpu *cpu, uint64_t value);
/* ... and its EL2 virtual timer (FEAT_VHE, PPI 28). */
uint64_t emu_hvtimer_read_ctl(struct emu_cpu *cpu);
uint64_t emu_hvtimer_read_tval(struct emu_cpu *cpu);
void emu_hvtimer_write_tval(struct emu_cpu *cpu, uint64_t value);

/* debug.c: software step bookkeeping used by exception entry/return and
 * the exception-generating instructions. */
#define STEP_ACTIVE 0x01u /* the current instruction is being stepped */
#define STEP_EX 0x02u     /* ... and it is a load-exclusive */
#define STEP_DONE 0x04u   /* an instruction completed a step (ISV=1) */
#define STEP_DONE_EX 0x08u
#define STEP_ERET 0x10u   /* the stepped instruction was an ERET */
/* SVC/HVC/SMC complete the stepped instruction before the exception:
 * PSTATE.SS goes to 0 so that the step exception follows the return. */
void emu_debug_step_advance(struct emu_cpu *cpu);
/* Exception entry / return: no stepped instruction is recorded. */
static inline void emu_debug_step_reset(struct emu_cpu *cpu)
{
	cpu->debug_step_flags = 0;
}

#endif /* EMU_SYSREGS_H */
