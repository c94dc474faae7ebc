/*
 * el2.h - the guest's own EL2 (hv_vm_config_set_el2_enabled): the
 * controls of HCR_EL2, CPTR_EL2, MDCR_EL2 and CNTHCTL_EL2 that route
 * exceptions from EL0/EL1 to the guest hypervisor, for exception.c,
 * sysregs.c, system.c, mem.c and timer.c.  See docs/emu-design.md,
 * "EL2 guests".
 *
 * Two hypervisors are stacked: the guest's (at the emulated EL2) and the
 * host (the real EL2, reached by an exit).  What the host traps keeps
 * exiting as before; what the guest hypervisor asked for in HCR_EL2 is
 * taken to its VBAR_EL2 with ESR_EL2/FAR_EL2/HPFAR_EL2 as the Arm ARM
 * (D1.3, "Exception entry"; D8, stage 2) says.
 *
 * FEAT_VHE: with HCR_EL2.E2H the EL2 registers take the EL1 layout, EL1
 * register encodings at EL2 reach the EL2 ones and the *_EL12/_EL02 ones
 * the EL1/EL0 ones, EL2 translates with the two-range EL2&0 regime, and
 * with TGE EL0 is the hypervisor's own (a host kernel's processes).
 * Not implemented, so not advertised: FEAT_NV, FEAT_RAS (VSE takes an
 * SError with ESR_EL1 = EC 0x2f, ISS 0).
 */
#ifndef EMU_EL2_H
#define EMU_EL2_H

#include "cpu.h"

/* HCR_EL2 bits (D19.2.48). */
#define HCR_VM (1ull << 0)
#define HCR_SWIO (1ull << 1)
#define HCR_PTW (1ull << 2)
#define HCR_FMO (1ull << 3)
#define HCR_IMO (1ull << 4)
#define HCR_AMO (1ull << 5)
#define HCR_VF (1ull << 6)
#define HCR_VI (1ull << 7)
#define HCR_VSE (1ull << 8)
#define HCR_DC (1ull << 12)
#define HCR_TWI (1ull << 13)
#define HCR_TWE (1ull << 14)
#define HCR_TID0 (1ull << 15)
#define HCR_TID1 (1ull << 16)
#define HCR_TID2 (1ull << 17)
#define HCR_TID3 (1ull << 18)
#define HCR_TSC (1ull << 19)
#define HCR_TIDCP (1ull << 20)
#define HCR_TACR (1ull << 21)
#define HCR_TSW (1ull << 22)
#define HCR_TPCP (1ull << 23)
#define HCR_TPU (1ull << 24)
#define HCR_TTLB (1ull << 25)
#define HCR_TVM (1ull << 26)
#define HCR_TGE (1ull << 27)
#define HCR_TDZ (1ull << 28)
#define HCR_HCD (1ull << 29)
#define HCR_TRVM (1ull << 30)
#define HCR_RW (1ull << 31)
#define HCR_E2H (1ull << 34)
/* Writable by the guest: v8.0 controls without AArch32 (RW is RES1 as
 * EL1 is AArch64 only), E2H (FEAT_VHE), without NV/RAS/PAuth/MTE. */
#define HCR_WRITABLE (0x3ffffffffull | HCR_E2H)
#define HCR_RES1 HCR_RW

/* CPTR_EL2 (E2H = 0): TFP traps FP/SIMD, TCPAC traps CPACR_EL1, TTA
 * trace.  RES1: bits 13, 12, 9:0 (the SVE/SME traps, absent). */
#define CPTR_TFP (1ull << 10)
#define CPTR_TTA (1ull << 20)
#define CPTR_TCPAC (1ull << 31)
#define CPTR_RES1 0x000033ffull
#define CPTR_WRITABLE (CPTR_TFP | CPTR_TTA | CPTR_TCPAC)

/* MDCR_EL2: TDE routes debug exceptions to EL2, TDA traps the debug
 * registers, TDOSA the OS lock ones, TPM/TPMCR the PMU (pmu.c); HPMN is
 * 0 (no PMU event counters). */
#define MDCR_TDA (1ull << 9)
#define MDCR_TDE (1ull << 8)
#define MDCR_TDOSA (1ull << 10)
#define MDCR_TDRA (1ull << 11)
#define MDCR_WRITABLE (MDCR_TDE | MDCR_TDA | MDCR_TDOSA | MDCR_TDRA | 3ull << 5 /* TPMCR, TPM */)

/* CNTHCTL_EL2 (E2H = 0): EL1PCTEN [0] and EL1PCEN [1] let EL0/EL1 use
 * the physical counter and timer.  With E2H: CNTKCTL's layout for EL0
 * (bits 0, 1, 8, 9) and EL1PCTEN [10], EL1PTEN [11]. */
#define CNTHCTL_EL1PCTEN (1ull << 0)
#define CNTHCTL_EL1PCEN (1ull << 1)
#define CNTHCTL_WRITABLE 0xffull /* EL1PCTEN EL1PCEN EVNTEN EVNTDIR EVNTI */
#define CNTHCTL_E2H_EL1PCTEN (1ull << 10)
#define CNTHCTL_E2H_EL1PTEN (1ull << 11)
#define CNTHCTL_E2H_WRITABLE 0xfffull

/* SCTLR_EL2 (E2H = 0): RES1 bits 29:28, 23:22, 18, 16, 11, 5:4.
 * Writable: M A C SA I WXN EE(no) IESB(no). */
#define SCTLR_EL2_RES1 0x30c50830ull
#define SCTLR_EL2_WRITABLE 0x0008100full

/* TCR_EL2 (E2H = 0): T0SZ, IRGN0, ORGN0, SH0, TG0, PS, TBI, HPD;
 * RES1 bits 31 and 23. */
#define TCR_EL2_RES1 0x80800000ull
#define TCR_EL2_WRITABLE 0x0117ff3full
#define TCR_EL2_TBI (1ull << 20)
#define TCR_EL2_HPD (1ull << 24)

/* VTCR_EL2: T0SZ, SL0, IRGN0, ORGN0, SH0, TG0, PS; RES1 bit 31. */
#define VTCR_RES1 0x80000000ull
#define VTCR_WRITABLE 0x0007ffffull

static inline uint64_t emu_hcr(const struct emu_cpu *cpu)
{
	return cpu->el2 ? cpu->sr[SR_HCR_EL2] : 0;
}

/* FEAT_VHE: HCR_EL2.E2H (the EL2&0 regime, the EL1 layouts), and EL0
 * as the host's own processes (E2H and TGE). */
static inline bool el2_e2h(const struct emu_cpu *cpu)
{
	return (emu_hcr(cpu) & HCR_E2H) != 0;
}
static inline bool el2_host_el0(const struct emu_cpu *cpu)
{
	return (emu_hcr(cpu) & (HCR_E2H | HCR_TGE)) == (HCR_E2H | HCR_TGE);
}
/* The controls of EL0 accesses: SCTLR_EL1 and CNTKCTL_EL1, or
 * SCTLR_EL2 and CNTHCTL_EL2 for the host's EL0 (E2H and TGE). */
static inline uint64_t emu_el0_sctlr(const struct emu_cpu *cpu)
{
	return cpu->sr[el2_host_el0(cpu) ? SR_SCTLR_EL2 : SR_SCTLR_EL1];
}
static inline uint64_t emu_el0_cntkctl(const struct emu_cpu *cpu)
{
	return cpu->sr[el2_host_el0(cpu) ? SR_CNTHCTL_EL2 : SR_CNTKCTL_EL1];
}

/* An instruction or access at EL0/EL1 that HCR_EL2 traps. */
static inline bool el2_traps(const struct emu_cpu *cpu, uint64_t hcr_bits)
{
	return cpu->el < 2 && (emu_hcr(cpu) & hcr_bits) != 0;
}

/* The guest's stage 2 applies to the EL1&0 regime (HCR_EL2.VM, and not
 * while TGE makes EL0 the host's own). */
static inline bool el2_stage2_on(const struct emu_cpu *cpu)
{
	uint64_t hcr = emu_hcr(cpu);
	return (hcr & HCR_VM) && !(hcr & HCR_TGE);
}

/* Exception entry to the guest's EL2 (exception.c).  esr is the full
 * ESR_EL2 value; far goes to FAR_EL2 when far_valid; hpfar (already in
 * HPFAR_EL2 format) is written when hpfar_valid.  The preferred return
 * address is cpu->insn_pc except for HVC/SMC/SVC-class ECs (cpu->pc for
 * HVC and SVC; SMC returns to the SMC itself, as it is a trap). */
_Noreturn void emu_take_el2(struct emu_cpu *cpu, uint32_t esr, uint64_t far, bool far_valid, uint64_t hpfar,
			    bool hpfar_valid);

/* el2.c: does HCR_EL2/MDCR_EL2/CPTR_EL2/CNTHCTL_EL2 trap this MRS/MSR
 * from EL0/EL1 to EL2 (EC 0x18)?  And an IMPLEMENTATION DEFINED one
 * (TIDCP)? */
bool el2_sysreg_trapped(const struct emu_cpu *cpu, uint16_t enc, bool is_read);
bool el2_impdef_trapped(const struct emu_cpu *cpu, uint16_t enc);
/* Whether this ICC_* access from EL0/EL1 is one of the virtual CPU
 * interface (ICV_*) under HCR_EL2.IMO/FMO. */
bool el2_icc_virtual(const struct emu_cpu *cpu, uint16_t enc);
/* The value a write of an EL2 register (cpu->sr index) keeps: RES0/RES1
 * and unimplemented fields applied (in the E2H layout with E2H).
 * el2_written: its side effects. */
uint64_t el2_guest_write_value(const struct emu_cpu *cpu, unsigned sr_idx, uint64_t v);
/* FEAT_VHE at EL2 with E2H (and the host's EL0 for its timers): the
 * encoding an MRS/MSR really reaches - EL1 registers become EL2 ones,
 * *_EL12/_EL02 the EL1/EL0 ones.  Returns enc unchanged otherwise, and
 * 0 for an *_EL12/_EL02 encoding outside EL2 with E2H (UNDEFINED). */
uint16_t el2_vhe_redirect(const struct emu_cpu *cpu, uint16_t enc);
void el2_written(struct emu_cpu *cpu, unsigned sr_idx);

/* HPFAR_EL2.FIPA for an IPA: IPA[47:12] in bits [39:4]. */
static inline uint64_t el2_hpfar_of(uint64_t ipa)
{
	return (ipa >> 12) << 4 & 0x000000fffffffff0ull;
}

#endif /* EMU_EL2_H */
