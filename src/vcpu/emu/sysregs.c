/*
 * sysregs.c - the system register table: encoding -> storage, guest
 * access rules (EL0 access, read-only, traps to EL1 and to the host),
 * host API access (hv_vcpu_get/set_sys_reg), reset and ID values.
 *
 * One table, keyed by the hv_sys_reg_t encoding op0<<14 | op1<<11 |
 * CRn<<7 | CRm<<3 | op2 (= bits [20:5] of MRS/MSR).  The 64 debug
 * breakpoint/watchpoint registers are matched arithmetically, and a few
 * encoding ranges (unallocated ID space, PMU, GIC CPU interface, LOR) by
 * a classifier, so the table only lists individual registers.
 *
 * Host API choices (documented in the report / docs):
 *  - EL2 registers need EL2 enabled in the VM configuration and CNTP_*
 *    a GIC: else HV_BAD_ARGUMENT.  The guest reaches the EL2 ones only
 *    at its EL2; el2.c decides what HCR_EL2 & co. trap from EL0/EL1.
 *  - MDCR_EL2 answers to 0xe089 and to the SDK 15 headers' 0xe019.
 *  - SME is not implemented: SMCR_EL1, SMPRI_EL1, TPIDR2_EL0 are
 *    HV_BAD_ARGUMENT; ID_AA64ZFR0/SMFR0 read 0 and accept only 0.
 *  - SCXTNUM_EL0/EL1: FEAT_CSV2_2 is not advertised, HV_BAD_ARGUMENT
 *    (and UNDEF for the guest).
 *  - ACTLR_EL1: only bit 1 (EnTSO) is kept; guest writes are ignored.
 *  - Host writes are stored as given (state restore round-trips), except
 *    for the masks above; guest MSR applies the architectural RES0/RES1
 *    masks.
 */
#include <string.h>

#include "el2.h"
#include "fp_arith.h"
#include "sysregs.h"
#include "../gic/gic.h"

/* ------------------------------------------------------------------ */
/* Identification values (what the interpreter implements).            */

/* CSV2 = CSV3 = 1: an interpreter does not speculate, so neither branch
 * targets nor faulting loads leak (Spectre-v2, Meltdown); Linux then
 * needs no KPTI.  CSV2 = 1 also says SCXTNUM_ELx is not implemented. */
#define ID_PFR0_CSV 0x1100000000000000ull
#if EMU_HAVE_FPSIMD
#define ID_PFR0_VALUE (ID_PFR0_CSV | 0x0000000000110011ull) /* EL0/EL1 AArch64, FP, AdvSIMD with FP16 */
#else
#define ID_PFR0_VALUE (ID_PFR0_CSV | 0x0000000000ff0011ull) /* FP = AdvSIMD = 0xf: none */
#endif
#define ID_DFR0_VALUE 0x0000000000f0f006ull  /* v8.0 debug, 16 BRPs, 16 WRPs, no PMU */
#define ID_ISAR0_VALUE 0x0000000000210000ull /* CRC32, LSE atomics */
#define ID_ISAR1_VALUE 0x0000000000100000ull /* LRCPC */
#define ID_MMFR0_VALUE 0x0000000000100022ull /* 40-bit PA, 16-bit ASID, 4K/16K/64K */
/* PAN; ECBHB: no branch history exists to be exploited (Spectre-BHB). */
#define ID_MMFR1_VALUE 0x1000000000100000ull
#define CTR_VALUE 0x000000008444c004ull      /* 64-byte lines, PIPT I-cache */
#define CLIDR_VALUE 0x000000000a200023ull    /* L1 I+D, L2 unified, LoUIS=LoUU=1, LoC=2 */
#define DCZID_VALUE 0x4ull                   /* 64-byte DC ZVA block */
#define MIDR_VALUE 0x00000000000f0000ull
#define DCZID_DZP (1ull << 4)

/* SCTLR_EL1 for this CPU (v8.0 + PAN, AArch64 only, little-endian
 * only): RES1 = bits 29,28,22,20,11 and ITD(7)/SED(8), which are RES1
 * without AArch32 at EL0.  Writable: M A C SA SA0 UMA I DZE UCT nTWI
 * nTWE WXN SPAN UCI.  Reset: RES1 | SPAN with the MMU and caches off. */
#define SCTLR_RES1 0x30500980ull
#define SCTLR_WRITABLE 0x048dd21full
#define SCTLR_RESET (SCTLR_RES1 | SCTLR_SPAN)
#define CPACR_WRITABLE 0x10300000ull /* TTA, FPEN */
#define CPACR_RESET 0x00300000ull    /* FPEN = 0b11: no FP trap */
#define MDSCR_WRITABLE 0x0000f001ull /* SS, TDCC, KDE, HDE, MDE */
#define DBGBCR_WRITABLE 0x00ffe1e7ull
#define DBGWCR_WRITABLE 0x1f1fffffull
#define FPCR_WRITABLE 0x07c80000ull /* AHP DN FZ RMode FZ16 */
#define FPSR_WRITABLE 0x0800009full
#define ACTLR_ENTSO 0x2ull

uint64_t emu_feature_reg(hv_feature_reg_t reg)
{
	switch (reg) {
	case HV_FEATURE_REG_ID_AA64DFR0_EL1: return ID_DFR0_VALUE;
	case HV_FEATURE_REG_ID_AA64ISAR0_EL1: return ID_ISAR0_VALUE;
	case HV_FEATURE_REG_ID_AA64ISAR1_EL1: return ID_ISAR1_VALUE;
	case HV_FEATURE_REG_ID_AA64MMFR0_EL1: return ID_MMFR0_VALUE;
	case HV_FEATURE_REG_ID_AA64MMFR1_EL1: return ID_MMFR1_VALUE;
	case HV_FEATURE_REG_ID_AA64PFR0_EL1: return ID_PFR0_VALUE;
	case HV_FEATURE_REG_CTR_EL0: return CTR_VALUE;
	case HV_FEATURE_REG_CLIDR_EL1: return CLIDR_VALUE;
	case HV_FEATURE_REG_DCZID_EL0: return DCZID_VALUE;
	default: return 0; /* DFR1, MMFR2, PFR1, SMFR0, ZFR0: nothing */
	}
}

/* CCSIDR_EL1 without FEAT_CCIDX: NumSets-1 [27:13], Associativity-1
 * [12:3], LineSize = log2(bytes) - 4 [2:0]. */
#define CCSIDR(sets, ways, line_log2) \
	((uint64_t)((sets) - 1) << 13 | (uint64_t)((ways) - 1) << 3 | ((line_log2) - 4))

uint64_t emu_ccsidr(bool insn, unsigned level)
{
	if (level == 0) /* L1 I and D: 64 KiB, 4-way, 64-byte lines */
		return CCSIDR(256, 4, 6);
	if (level == 1 && !insn) /* L2 unified: 4 MiB, 16-way */
		return CCSIDR(4096, 16, 6);
	return 0;
}

/* ------------------------------------------------------------------ */
/* The table.                                                          */

enum sysreg_kind {
	K_SR,      /* plain storage cpu->sr[idx] */
	K_SPECIAL, /* handled by sr_read/sr_write on idx (enum special) */
	K_DBGBVR,  /* cpu->dbg.*[n], n from the encoding */
	K_DBGBCR,
	K_DBGWVR,
	K_DBGWCR,
};

enum special {
	S_NONE,
	S_SP_EL0,
	S_SP_EL1,
	S_SPSEL,
	S_CURRENTEL,
	S_PAN,
	S_DAIF,
	S_NZCV,
	S_FPCR,
	S_FPSR,
	S_CTR,
	S_DCZID,
	S_CLIDR,
	S_CCSIDR,
	S_ISR,
	S_SCTLR,
	S_ACTLR,
	S_CPACR,
	S_CSSELR,
	S_VBAR,
	S_CONTEXTIDR,
	S_CNTKCTL,
	S_MDSCR,
	S_CNTFRQ,
	S_CNTVCT,
	S_CNTV_CTL,
	S_CNTV_TVAL,
	S_CNTPCT,  /* host trap, EL0 gated by CNTKCTL.EL0PCTEN */
	S_CNTP_TVAL, /* the EL1 physical timer (F_GIC), EL0 gated by CNTKCTL.EL0PTEN */
	S_CNTP_CTL,
	S_CNTP_CVAL,
	S_ICC,       /* GIC CPU interface (gic_cpuif.c; ICV: gic_vcpuif.c) */
	S_ICH,       /* GIC virtual interface control, at EL2 (gic_vcpuif.c) */
	S_SP_EL2,
	S_CNTHP_TVAL, /* the EL2 physical timer (timer.c) */
	S_CNTHP_CTL,
	S_CNTHV_TVAL, /* the EL2 virtual timer (FEAT_VHE) */
	S_CNTHV_CTL,
	S_MDCCSR,  /* RAZ, EL0 gated by MDSCR_EL1.TDCC */
	S_ZERO,    /* RAZ/WI */
	S_ZERO_ID, /* RAZ; the host may only write 0 */
};

enum {
	F_HV = 1u << 0,       /* hv_vcpu_get/set_sys_reg */
	F_EL0R = 1u << 1,     /* MRS allowed at EL0 (subject to EL1 traps) */
	F_EL0W = 1u << 2,     /* MSR allowed at EL0 */
	F_RO = 1u << 3,       /* MSR is UNDEFINED */
	F_WO = 1u << 4,       /* MRS is UNDEFINED */
	F_NOGUEST = 1u << 5,  /* not accessible to the guest at all */
	F_HOST = 1u << 6,     /* guest access exits to the host (EC 0x18) */
	F_TDA = 1u << 7,      /* exits when trap_debug_reg_accesses */
	F_TLB = 1u << 8,      /* write drops cached translations */
	F_DBGUPD = 1u << 9,   /* write re-evaluates debug state */
	F_FP = 1u << 10,      /* CPACR_EL1.FPEN access check */
	F_GIC = 1u << 11,     /* only with a GIC: else a host exit, and HV_BAD_ARGUMENT */
	F_EL2G = 1u << 12,    /* the guest reaches it only at EL2 (UNDEF below) */
	F_EL2H = 1u << 13,    /* host API only with EL2 enabled */
	F_PMU = 1u << 14,     /* PMU: host exit without EL2, PMUVer rule with it (pmu.c) */
	F_EL2W = 1u << 15,    /* guest writes masked by el2_guest_write_value */
};

struct sysreg_desc {
	uint16_t enc;
	uint16_t flags;
	uint8_t kind;
	uint8_t idx;
};

#define E SYSREG_ENC
#define F_ID (F_HV | F_RO)
#define F_EL0RW (F_EL0R | F_EL0W)
#define F_EL2R (F_HV | F_EL2G | F_EL2H | F_EL2W) /* an EL2 register */

/* X(name, encoding, kind, index, flags) */
#define SYSREG_LIST(X) \
	/* debug (op0 = 2) */ \
	X(MDCCINT_EL1, E(2, 0, 0, 2, 0), K_SR, SR_MDCCINT_EL1, F_HV | F_TDA) \
	X(MDSCR, E(2, 0, 0, 2, 2), K_SPECIAL, S_MDSCR, F_HV | F_TDA | F_DBGUPD) \
	X(MDRAR_EL1, E(2, 0, 1, 0, 0), K_SPECIAL, S_ZERO, F_RO) \
	X(OSLAR_EL1, E(2, 0, 1, 0, 4), K_SPECIAL, S_NONE, F_HOST | F_WO) \
	X(OSLSR_EL1, E(2, 0, 1, 1, 4), K_SPECIAL, S_NONE, F_HOST | F_RO) \
	X(OSDLR_EL1, E(2, 0, 1, 3, 4), K_SPECIAL, S_NONE, F_HOST) \
	X(DBGPRCR_EL1, E(2, 0, 1, 4, 4), K_SPECIAL, S_NONE, F_HOST) \
	X(DBGCLAIMSET_EL1, E(2, 0, 7, 8, 6), K_SPECIAL, S_ZERO, F_TDA) \
	X(DBGCLAIMCLR_EL1, E(2, 0, 7, 9, 6), K_SPECIAL, S_ZERO, F_TDA) \
	X(MDCCSR, E(2, 3, 0, 1, 0), K_SPECIAL, S_MDCCSR, F_TDA | F_EL0R | F_RO) \
	/* identification */ \
	X(MIDR_EL1, E(3, 0, 0, 0, 0), K_SR, SR_MIDR_EL1, F_ID) \
	X(MPIDR_EL1, E(3, 0, 0, 0, 5), K_SR, SR_MPIDR_EL1, F_ID) \
	X(REVIDR_EL1, E(3, 0, 0, 0, 6), K_SPECIAL, S_ZERO, F_RO) \
	X(ID_AA64PFR0_EL1, E(3, 0, 0, 4, 0), K_SR, SR_ID_AA64PFR0_EL1, F_ID) \
	X(ID_AA64PFR1_EL1, E(3, 0, 0, 4, 1), K_SR, SR_ID_AA64PFR1_EL1, F_ID) \
	X(ID_AA64ZFR0_EL1, E(3, 0, 0, 4, 4), K_SPECIAL, S_ZERO_ID, F_ID) \
	X(ID_AA64SMFR0_EL1, E(3, 0, 0, 4, 5), K_SPECIAL, S_ZERO_ID, F_ID) \
	X(ID_AA64DFR0_EL1, E(3, 0, 0, 5, 0), K_SR, SR_ID_AA64DFR0_EL1, F_ID) \
	X(ID_AA64DFR1_EL1, E(3, 0, 0, 5, 1), K_SR, SR_ID_AA64DFR1_EL1, F_ID) \
	X(ID_AA64ISAR0_EL1, E(3, 0, 0, 6, 0), K_SR, SR_ID_AA64ISAR0_EL1, F_ID) \
	X(ID_AA64ISAR1_EL1, E(3, 0, 0, 6, 1), K_SR, SR_ID_AA64ISAR1_EL1, F_ID) \
	X(ID_AA64MMFR0_EL1, E(3, 0, 0, 7, 0), K_SR, SR_ID_AA64MMFR0_EL1, F_ID) \
	X(ID_AA64MMFR1_EL1, E(3, 0, 0, 7, 1), K_SR, SR_ID_AA64MMFR1_EL1, F_ID) \
	X(ID_AA64MMFR2_EL1, E(3, 0, 0, 7, 2), K_SR, SR_ID_AA64MMFR2_EL1, F_ID) \
	X(CCSIDR, E(3, 1, 0, 0, 0), K_SPECIAL, S_CCSIDR, F_RO) \
	X(CLIDR, E(3, 1, 0, 0, 1), K_SPECIAL, S_CLIDR, F_RO) \
	X(AIDR_EL1, E(3, 1, 0, 0, 7), K_SPECIAL, S_ZERO, F_RO) \
	X(CSSELR, E(3, 2, 0, 0, 0), K_SPECIAL, S_CSSELR, F_HV) \
	X(CTR, E(3, 3, 0, 0, 1), K_SPECIAL, S_CTR, F_RO | F_EL0R) \
	X(DCZID, E(3, 3, 0, 0, 7), K_SPECIAL, S_DCZID, F_RO | F_EL0R) \
	/* system control, translation */ \
	X(SCTLR, E(3, 0, 1, 0, 0), K_SPECIAL, S_SCTLR, F_HV | F_TLB) \
	X(ACTLR, E(3, 0, 1, 0, 1), K_SPECIAL, S_ACTLR, F_HV) \
	X(CPACR, E(3, 0, 1, 0, 2), K_SPECIAL, S_CPACR, F_HV) \
	X(TTBR0_EL1, E(3, 0, 2, 0, 0), K_SR, SR_TTBR0_EL1, F_HV | F_TLB) \
	X(TTBR1_EL1, E(3, 0, 2, 0, 1), K_SR, SR_TTBR1_EL1, F_HV | F_TLB) \
	X(TCR_EL1, E(3, 0, 2, 0, 2), K_SR, SR_TCR_EL1, F_HV | F_TLB) \
	/* pointer authentication keys: FEAT_PAuth is not advertised, so \
	 * the guest cannot reach them; the host can (Apple has them). */ \
	X(APIAKEYLO_EL1, E(3, 0, 2, 1, 0), K_SR, SR_APIAKEYLO_EL1, F_HV | F_NOGUEST) \
	X(APIAKEYHI_EL1, E(3, 0, 2, 1, 1), K_SR, SR_APIAKEYHI_EL1, F_HV | F_NOGUEST) \
	X(APIBKEYLO_EL1, E(3, 0, 2, 1, 2), K_SR, SR_APIBKEYLO_EL1, F_HV | F_NOGUEST) \
	X(APIBKEYHI_EL1, E(3, 0, 2, 1, 3), K_SR, SR_APIBKEYHI_EL1, F_HV | F_NOGUEST) \
	X(APDAKEYLO_EL1, E(3, 0, 2, 2, 0), K_SR, SR_APDAKEYLO_EL1, F_HV | F_NOGUEST) \
	X(APDAKEYHI_EL1, E(3, 0, 2, 2, 1), K_SR, SR_APDAKEYHI_EL1, F_HV | F_NOGUEST) \
	X(APDBKEYLO_EL1, E(3, 0, 2, 2, 2), K_SR, SR_APDBKEYLO_EL1, F_HV | F_NOGUEST) \
	X(APDBKEYHI_EL1, E(3, 0, 2, 2, 3), K_SR, SR_APDBKEYHI_EL1, F_HV | F_NOGUEST) \
	X(APGAKEYLO_EL1, E(3, 0, 2, 3, 0), K_SR, SR_APGAKEYLO_EL1, F_HV | F_NOGUEST) \
	X(APGAKEYHI_EL1, E(3, 0, 2, 3, 1), K_SR, SR_APGAKEYHI_EL1, F_HV | F_NOGUEST) \
	/* exception state, special-purpose registers */ \
	X(SPSR_EL1, E(3, 0, 4, 0, 0), K_SR, SR_SPSR_EL1, F_HV) \
	X(ELR_EL1, E(3, 0, 4, 0, 1), K_SR, SR_ELR_EL1, F_HV) \
	X(SP_EL0, E(3, 0, 4, 1, 0), K_SPECIAL, S_SP_EL0, F_HV) \
	X(SPSEL, E(3, 0, 4, 2, 0), K_SPECIAL, S_SPSEL, 0) \
	X(CURRENTEL, E(3, 0, 4, 2, 2), K_SPECIAL, S_CURRENTEL, F_RO) \
	X(PAN, E(3, 0, 4, 2, 3), K_SPECIAL, S_PAN, 0) \
	X(NZCV, E(3, 3, 4, 2, 0), K_SPECIAL, S_NZCV, F_EL0RW) \
	X(DAIF, E(3, 3, 4, 2, 1), K_SPECIAL, S_DAIF, F_EL0RW) \
	X(FPCR, E(3, 3, 4, 4, 0), K_SPECIAL, S_FPCR, F_EL0RW | F_FP) \
	X(FPSR, E(3, 3, 4, 4, 1), K_SPECIAL, S_FPSR, F_EL0RW | F_FP) \
	X(SP_EL1, E(3, 4, 4, 1, 0), K_SPECIAL, S_SP_EL1, F_HV | F_EL2G) \
	X(AFSR0_EL1, E(3, 0, 5, 1, 0), K_SR, SR_AFSR0_EL1, F_HV) \
	X(AFSR1_EL1, E(3, 0, 5, 1, 1), K_SR, SR_AFSR1_EL1, F_HV) \
	X(ESR_EL1, E(3, 0, 5, 2, 0), K_SR, SR_ESR_EL1, F_HV) \
	X(FAR_EL1, E(3, 0, 6, 0, 0), K_SR, SR_FAR_EL1, F_HV) \
	X(PAR_EL1, E(3, 0, 7, 4, 0), K_SR, SR_PAR_EL1, F_HV) \
	X(MAIR_EL1, E(3, 0, 10, 2, 0), K_SR, SR_MAIR_EL1, F_HV | F_TLB) \
	X(AMAIR_EL1, E(3, 0, 10, 3, 0), K_SR, SR_AMAIR_EL1, F_HV) \
	X(VBAR, E(3, 0, 12, 0, 0), K_SPECIAL, S_VBAR, F_HV) \
	X(ISR, E(3, 0, 12, 1, 0), K_SPECIAL, S_ISR, F_RO) \
	X(CONTEXTIDR, E(3, 0, 13, 0, 1), K_SPECIAL, S_CONTEXTIDR, F_HV) \
	X(TPIDR_EL1, E(3, 0, 13, 0, 4), K_SR, SR_TPIDR_EL1, F_HV) \
	X(TPIDR_EL0, E(3, 3, 13, 0, 2), K_SR, SR_TPIDR_EL0, F_HV | F_EL0RW) \
	X(TPIDRRO_EL0, E(3, 3, 13, 0, 3), K_SR, SR_TPIDRRO_EL0, F_HV | F_EL0R) \
	/* generic timer */ \
	X(CNTKCTL, E(3, 0, 14, 1, 0), K_SPECIAL, S_CNTKCTL, F_HV) \
	X(CNTFRQ, E(3, 3, 14, 0, 0), K_SPECIAL, S_CNTFRQ, F_RO | F_EL0R) \
	X(CNTPCT, E(3, 3, 14, 0, 1), K_SPECIAL, S_CNTPCT, F_HOST | F_RO | F_EL0R) \
	X(CNTVCT, E(3, 3, 14, 0, 2), K_SPECIAL, S_CNTVCT, F_RO | F_EL0R) \
	X(CNTP_TVAL, E(3, 3, 14, 2, 0), K_SPECIAL, S_CNTP_TVAL, F_GIC | F_HV | F_EL0RW) \
	X(CNTP_CTL, E(3, 3, 14, 2, 1), K_SPECIAL, S_CNTP_CTL, F_GIC | F_HV | F_EL0RW) \
	X(CNTP_CVAL, E(3, 3, 14, 2, 2), K_SPECIAL, S_CNTP_CVAL, F_GIC | F_HV | F_EL0RW) \
	X(CNTV_TVAL, E(3, 3, 14, 3, 0), K_SPECIAL, S_CNTV_TVAL, F_EL0RW) \
	X(CNTV_CTL, E(3, 3, 14, 3, 1), K_SPECIAL, S_CNTV_CTL, F_HV | F_EL0RW) \
	X(CNTV_CVAL_EL0, E(3, 3, 14, 3, 2), K_SR, SR_CNTV_CVAL_EL0, F_HV | F_EL0RW) \
	/* EL2 (hv_vm_config_set_el2_enabled), E2H = 0 layout */ \
	X(VPIDR_EL2, E(3, 4, 0, 0, 0), K_SR, SR_VPIDR_EL2, F_EL2R) \
	X(VMPIDR_EL2, E(3, 4, 0, 0, 5), K_SR, SR_VMPIDR_EL2, F_EL2R) \
	X(SCTLR_EL2, E(3, 4, 1, 0, 0), K_SR, SR_SCTLR_EL2, F_EL2R) \
	X(ACTLR_EL2, E(3, 4, 1, 0, 1), K_SR, SR_ACTLR_EL2, F_EL2G | F_EL2W) \
	X(HCR_EL2, E(3, 4, 1, 1, 0), K_SR, SR_HCR_EL2, F_EL2R) \
	X(MDCR_EL2, E(3, 4, 1, 1, 1), K_SR, SR_MDCR_EL2, F_EL2R) \
	X(CPTR_EL2, E(3, 4, 1, 1, 2), K_SR, SR_CPTR_EL2, F_EL2R) \
	X(HSTR_EL2, E(3, 4, 1, 1, 3), K_SR, SR_HSTR_EL2, F_EL2G | F_EL2W) \
	X(HACR_EL2, E(3, 4, 1, 1, 7), K_SR, SR_HACR_EL2, F_EL2G | F_EL2W) \
	X(TTBR0_EL2, E(3, 4, 2, 0, 0), K_SR, SR_TTBR0_EL2, F_EL2R) \
	X(TTBR1_EL2, E(3, 4, 2, 0, 1), K_SR, SR_TTBR1_EL2, F_EL2R) /* E2H only (access check) */ \
	X(TCR_EL2, E(3, 4, 2, 0, 2), K_SR, SR_TCR_EL2, F_EL2R) \
	X(VTTBR_EL2, E(3, 4, 2, 1, 0), K_SR, SR_VTTBR_EL2, F_EL2R) \
	X(VTCR_EL2, E(3, 4, 2, 1, 2), K_SR, SR_VTCR_EL2, F_EL2R) \
	X(SPSR_EL2, E(3, 4, 4, 0, 0), K_SR, SR_SPSR_EL2, F_EL2R) \
	X(ELR_EL2, E(3, 4, 4, 0, 1), K_SR, SR_ELR_EL2, F_EL2R) \
	X(SP_EL2, E(3, 6, 4, 1, 0), K_SPECIAL, S_SP_EL2, F_HV | F_EL2H | F_NOGUEST) \
	X(AFSR0_EL2, E(3, 4, 5, 1, 0), K_SR, SR_AFSR0_EL2, F_EL2G) \
	X(AFSR1_EL2, E(3, 4, 5, 1, 1), K_SR, SR_AFSR1_EL2, F_EL2G) \
	X(ESR_EL2, E(3, 4, 5, 2, 0), K_SR, SR_ESR_EL2, F_EL2R) \
	X(FAR_EL2, E(3, 4, 6, 0, 0), K_SR, SR_FAR_EL2, F_EL2R) \
	X(HPFAR_EL2, E(3, 4, 6, 0, 4), K_SR, SR_HPFAR_EL2, F_EL2R) \
	X(MAIR_EL2, E(3, 4, 10, 2, 0), K_SR, SR_MAIR_EL2, F_EL2R) \
	X(AMAIR_EL2, E(3, 4, 10, 3, 0), K_SR, SR_AMAIR_EL2, F_EL2G) \
	X(VBAR_EL2, E(3, 4, 12, 0, 0), K_SR, SR_VBAR_EL2, F_EL2R) \
	X(TPIDR_EL2, E(3, 4, 13, 0, 2), K_SR, SR_TPIDR_EL2, F_EL2R) \
	X(CNTVOFF_EL2, E(3, 4, 14, 0, 3), K_SR, SR_CNTVOFF_EL2, F_EL2R) \
	X(CNTHCTL_EL2, E(3, 4, 14, 1, 0), K_SR, SR_CNTHCTL_EL2, F_EL2R) \
	X(CNTHP_TVAL_EL2, E(3, 4, 14, 2, 0), K_SPECIAL, S_CNTHP_TVAL, F_HV | F_EL2G | F_EL2H) \
	X(CNTHP_CTL_EL2, E(3, 4, 14, 2, 1), K_SPECIAL, S_CNTHP_CTL, F_HV | F_EL2G | F_EL2H) \
	X(CNTHP_CVAL_EL2, E(3, 4, 14, 2, 2), K_SR, SR_CNTHP_CVAL_EL2, F_EL2R) \
	/* FEAT_VHE additions (not in hv_sys_reg_t) */ \
	X(CONTEXTIDR_EL2, E(3, 4, 13, 0, 1), K_SR, SR_CONTEXTIDR_EL2, F_EL2G | F_EL2W) \
	X(CNTHV_TVAL_EL2, E(3, 4, 14, 3, 0), K_SPECIAL, S_CNTHV_TVAL, F_EL2G) \
	X(CNTHV_CTL_EL2, E(3, 4, 14, 3, 1), K_SPECIAL, S_CNTHV_CTL, F_EL2G) \
	X(CNTHV_CVAL_EL2, E(3, 4, 14, 3, 2), K_SR, SR_CNTHV_CVAL_EL2, F_EL2G | F_EL2W)

enum sysreg_id {
#define SYSREG_ID(name, enc, kind, idx, flags) R_##name,
	SYSREG_LIST(SYSREG_ID)
#undef SYSREG_ID
	R_COUNT
};

static const struct sysreg_desc sysreg_table[R_COUNT] = {
#define SYSREG_ENTRY(name, enc, kind, idx, flags) [R_##name] = {(enc), (flags), (kind), (idx)},
	SYSREG_LIST(SYSREG_ENTRY)
#undef SYSREG_ENTRY
};

/* The debug breakpoint/watchpoint registers: (2,0,0,n,4..7). */
static const struct sysreg_desc dbg_desc[4] = {
	{0, F_HV | F_TDA | F_DBGUPD, K_DBGBVR, 0},
	{0, F_HV | F_TDA | F_DBGUPD, K_DBGBCR, 0},
	{0, F_HV | F_TDA | F_DBGUPD, K_DBGWVR, 0},
	{0, F_HV | F_TDA | F_DBGUPD, K_DBGWCR, 0},
};

/* Encoding ranges the guest may touch without a table entry. */
static const struct sysreg_desc id_raz_desc = {0, F_RO, K_SPECIAL, S_ZERO};
static const struct sysreg_desc host_el1_desc = {0, F_HOST, K_SPECIAL, S_NONE};
static const struct sysreg_desc pmu_el1_desc = {0, F_HOST | F_PMU, K_SPECIAL, S_NONE};
static const struct sysreg_desc pmu_el0_desc = {0, F_HOST | F_PMU | F_EL0RW, K_SPECIAL, S_NONE};
static const struct sysreg_desc icc_desc = {0, F_GIC, K_SPECIAL, S_ICC};
static const struct sysreg_desc ich_desc = {0, F_GIC | F_EL2G, K_SPECIAL, S_ICH};

/* Table index of an encoding: a switch the compiler turns into a
 * search tree (duplicate encodings fail to compile). */
static int sysreg_index(uint16_t enc)
{
	switch (enc) {
#define SYSREG_CASE(name, enc, kind, idx, flags) \
	case (enc): \
		return R_##name;
		SYSREG_LIST(SYSREG_CASE)
#undef SYSREG_CASE
	default:
		return -1;
	}
}

/* Registers listed in the table or the debug register block. */
static const struct sysreg_desc *sysreg_find(uint16_t enc, unsigned *dbg_n)
{
	if ((enc & 0xff84) == 0x8004) { /* DBG{B,W}{V,C}Rn_EL1 */
		*dbg_n = (enc >> 3) & 15;
		return &dbg_desc[(enc & 7) - 4];
	}
	int i = sysreg_index(enc);
	return i < 0 ? NULL : &sysreg_table[i];
}

/* Encodings without a table entry that the guest may still reach:
 * the reserved ID space reads as zero, and the register groups Apple's
 * hypervisor traps to the VMM (PMU, see F_PMU; GIC CPU interface
 * without an hv_gic, LORegions) exit to the host. */
static const struct sysreg_desc *sysreg_classify(uint16_t enc)
{
	unsigned op1 = (enc >> 11) & 7, crn = (enc >> 7) & 15, crm = (enc >> 3) & 15;
	unsigned op2 = enc & 7;
	if (enc >> 14 != 3)
		return NULL;
	if (op1 == 0 && crn == 0 && crm >= 1 && crm <= 7)
		return &id_raz_desc;
	if (emu_pmu_is_reg(enc)) /* the _EL0 ones have op1 3 */
		return op1 == 3 ? &pmu_el0_desc : &pmu_el1_desc;
	if (op1 == 0 && ((crn == 12 && crm >= 8 && crm <= 12) || enc == SYSREG_ENC(3, 0, 4, 6, 0)))
		return gic_icc_is_reg(enc) ? &icc_desc : &host_el1_desc; /* ICC_*_EL1 */
	if (op1 == 4 && crn == 12 && crm >= 8 && crm <= 13)
		return gic_ich_is_reg(enc) ? &ich_desc : NULL; /* ICH_*_EL2, ICC_SRE_EL2 */
	if (op1 == 0 && crn == 10 && crm == 4 && (op2 <= 3 || op2 == 7))
		return &host_el1_desc; /* LORSA/LOREA/LORN/LORC/LORID_EL1 */
	return NULL;
}

void emu_sysreg_reset(struct emu_cpu *cpu, unsigned vcpu_id)
{
	for (unsigned i = 0; i < SR_COUNT; i++)
		cpu->sr[i] = 0;
	for (unsigned i = 0; i < EMU_NUM_BRP; i++)
		cpu->dbg.bvr[i] = cpu->dbg.bcr[i] = 0;
	for (unsigned i = 0; i < EMU_NUM_WRP; i++)
		cpu->dbg.wvr[i] = cpu->dbg.wcr[i] = 0;
	cpu->cntp_ctl = cpu->cntp_cval = 0;
	memset(&cpu->pmu, 0, sizeof(cpu->pmu));
	cpu->sr[SR_SCTLR_EL1] = SCTLR_RESET;
	cpu->sr[SR_CPACR_EL1] = CPACR_RESET;
	cpu->sr[SR_MIDR_EL1] = MIDR_VALUE;
	cpu->sr[SR_MPIDR_EL1] = 0x80000000ull | (vcpu_id & 0xff); /* U=0, Aff0 = id */
	cpu->sr[SR_ID_AA64PFR0_EL1] = emu_feature_reg(HV_FEATURE_REG_ID_AA64PFR0_EL1);
	cpu->sr[SR_ID_AA64PFR1_EL1] = emu_feature_reg(HV_FEATURE_REG_ID_AA64PFR1_EL1);
	cpu->sr[SR_ID_AA64DFR0_EL1] = emu_feature_reg(HV_FEATURE_REG_ID_AA64DFR0_EL1);
	cpu->sr[SR_ID_AA64DFR1_EL1] = emu_feature_reg(HV_FEATURE_REG_ID_AA64DFR1_EL1);
	cpu->sr[SR_ID_AA64ISAR0_EL1] = emu_feature_reg(HV_FEATURE_REG_ID_AA64ISAR0_EL1);
	cpu->sr[SR_ID_AA64ISAR1_EL1] = emu_feature_reg(HV_FEATURE_REG_ID_AA64ISAR1_EL1);
	cpu->sr[SR_ID_AA64MMFR0_EL1] = emu_feature_reg(HV_FEATURE_REG_ID_AA64MMFR0_EL1);
	cpu->sr[SR_ID_AA64MMFR1_EL1] = emu_feature_reg(HV_FEATURE_REG_ID_AA64MMFR1_EL1);
	cpu->sr[SR_ID_AA64MMFR2_EL1] = emu_feature_reg(HV_FEATURE_REG_ID_AA64MMFR2_EL1);
	cpu->sp_el[0] = cpu->sp_el[1] = cpu->sp_el[2] = 0;
	if (cpu->el2) {
		/* EL2 implemented (ID_AA64PFR0_EL1.EL2 = 1, AArch64 only, with
		 * FEAT_VHE: ID_AA64MMFR1_EL1.VH = 1); its
		 * controls start with nothing trapped or routed, the EL1
		 * physical counter and timer open, the virtual IDs real. */
		cpu->sr[SR_ID_AA64PFR0_EL1] |= 1ull << 8;
		cpu->sr[SR_ID_AA64MMFR1_EL1] |= 1ull << 8; /* VH: FEAT_VHE */
		cpu->sr[SR_HCR_EL2] = HCR_RES1;
		cpu->sr[SR_SCTLR_EL2] = SCTLR_EL2_RES1;
		cpu->sr[SR_TCR_EL2] = TCR_EL2_RES1;
		cpu->sr[SR_VTCR_EL2] = VTCR_RES1;
		cpu->sr[SR_CPTR_EL2] = CPTR_RES1;
		cpu->sr[SR_CNTHCTL_EL2] = CNTHCTL_EL1PCTEN | CNTHCTL_EL1PCEN;
		cpu->sr[SR_VPIDR_EL2] = cpu->sr[SR_MIDR_EL1];
		cpu->sr[SR_VMPIDR_EL2] = cpu->sr[SR_MPIDR_EL1];
	}
	cpu->event_register = false;
	cpu->debug_step_flags = 0;
}

/* ------------------------------------------------------------------ */
/* Reads and writes (shared by the guest and the host API).            */

static uint64_t sr_read(struct emu_cpu *cpu, const struct sysreg_desc *d, unsigned n)
{
	switch ((enum sysreg_kind)d->kind) {
	case K_SR: return cpu->sr[d->idx];
	case K_DBGBVR: return cpu->dbg.bvr[n];
	case K_DBGBCR: return cpu->dbg.bcr[n];
	case K_DBGWVR: return cpu->dbg.wvr[n];
	case K_DBGWCR: return cpu->dbg.wcr[n];
	case K_SPECIAL: break;
	}
	switch ((enum special)d->idx) {
	case S_SP_EL0: return cpu->sp_el[0];
	case S_SP_EL1: return cpu->sp_el[1];
	case S_SP_EL2: return cpu->sp_el[2];
	case S_SPSEL: return cpu->spsel;
	case S_CURRENTEL: return (uint64_t)cpu->el << 2;
	case S_PAN: return cpu->pstate_pan ? PSTATE_PAN : 0;
	case S_DAIF: return cpu->daif;
	case S_NZCV: return cpu->nzcv;
	case S_FPCR: return cpu->fpcr;
	case S_FPSR: fpu_env_sync(cpu); return cpu->fpsr;
	case S_CTR: return CTR_VALUE;
	case S_DCZID:
		/* DZP: DC ZVA prohibited (EL0 with SCTLR_EL1.DZE clear, or
		 * EL0/EL1 under HCR_EL2.TDZ). */
		return DCZID_VALUE | ((cpu->el == 0 && !(emu_el0_sctlr(cpu) & SCTLR_DZE)) || el2_traps(cpu, HCR_TDZ)
					      ? DCZID_DZP
					      : 0);
	case S_CLIDR: return CLIDR_VALUE;
	case S_CCSIDR: {
		uint64_t csselr = cpu->sr[SR_CSSELR_EL1];
		return emu_ccsidr(csselr & 1, (unsigned)(csselr >> 1) & 7);
	}
	case S_ISR: return emu_isr(cpu);
	case S_SCTLR: return cpu->sr[SR_SCTLR_EL1];
	case S_ACTLR: return cpu->sr[SR_ACTLR_EL1];
	case S_CPACR: return cpu->sr[SR_CPACR_EL1];
	case S_CSSELR: return cpu->sr[SR_CSSELR_EL1];
	case S_VBAR: return cpu->sr[SR_VBAR_EL1];
	case S_CONTEXTIDR: return cpu->sr[SR_CONTEXTIDR_EL1];
	case S_CNTKCTL: return cpu->sr[SR_CNTKCTL_EL1];
	case S_MDSCR: return cpu->sr[SR_MDSCR_EL1];
	case S_CNTFRQ: return hv_host_ticks_per_second();
	case S_CNTVCT: return emu_timer_cntvct(cpu);
	case S_CNTV_CTL: return emu_timer_read_ctl(cpu);
	case S_CNTV_TVAL: return emu_timer_read_tval(cpu);
	case S_CNTP_CTL: return emu_ptimer_read_ctl(cpu);
	case S_CNTP_TVAL: return emu_ptimer_read_tval(cpu);
	case S_CNTP_CVAL: return cpu->cntp_cval;
	case S_CNTHP_CTL: return emu_hptimer_read_ctl(cpu);
	case S_CNTHP_TVAL: return emu_hptimer_read_tval(cpu);
	case S_CNTHV_CTL: return emu_hvtimer_read_ctl(cpu);
	case S_CNTHV_TVAL: return emu_hvtimer_read_tval(cpu);
	case S_NONE:
	case S_CNTPCT:
	case S_ICC:
	case S_ICH:
	case S_MDCCSR:
	case S_ZERO:
	case S_ZERO_ID:
		break;
	}
	return 0;
}

/* Writes `v`; `guest` applies the architectural masks of MSR. */
static void sr_write(struct emu_cpu *cpu, const struct sysreg_desc *d, unsigned n, uint64_t v, bool guest)
{
	switch ((enum sysreg_kind)d->kind) {
	case K_SR: cpu->sr[d->idx] = d->flags & F_EL2W ? el2_guest_write_value(cpu, d->idx, v) : v; break;
	case K_DBGBVR: cpu->dbg.bvr[n] = guest ? v & ~3ull : v; break;
	case K_DBGBCR: cpu->dbg.bcr[n] = guest ? v & DBGBCR_WRITABLE : v; break;
	case K_DBGWVR: cpu->dbg.wvr[n] = guest ? v & ~3ull : v; break;
	case K_DBGWCR: cpu->dbg.wcr[n] = guest ? v & DBGWCR_WRITABLE : v; break;
	case K_SPECIAL:
		switch ((enum special)d->idx) {
		case S_SP_EL0: cpu->sp_el[0] = v; break;
		case S_SP_EL1: cpu->sp_el[1] = v; break;
		case S_SP_EL2: cpu->sp_el[2] = v; break;
		case S_SPSEL: cpu->spsel = v & 1; break;
		case S_PAN: cpu->pstate_pan = (v & PSTATE_PAN) != 0; break; /* picks the data TLB views */
		case S_DAIF:
			cpu->daif = (uint32_t)v & PSTATE_DAIF_MASK;
			cpu->budget = 0; /* a pending interrupt may now be taken */
			cpu->irq_check = true;
			break;
		case S_NZCV: cpu->nzcv = (uint32_t)v & PSTATE_NZCV_MASK; break;
		case S_FPCR: cpu->fpcr = (uint32_t)(v & FPCR_WRITABLE); break;
		case S_FPSR: /* the flags in MXCSR go too */
			fpu_env_sync(cpu);
			cpu->fpsr = (uint32_t)(v & FPSR_WRITABLE);
			break;
		case S_SCTLR: cpu->sr[SR_SCTLR_EL1] = guest ? (v & SCTLR_WRITABLE) | SCTLR_RES1 : v; break;
		case S_ACTLR:
			if (!guest) /* the guest cannot change EnTSO */
				cpu->sr[SR_ACTLR_EL1] = v & ACTLR_ENTSO;
			break;
		case S_CPACR: cpu->sr[SR_CPACR_EL1] = guest ? v & CPACR_WRITABLE : v; break;
		case S_CSSELR: cpu->sr[SR_CSSELR_EL1] = guest ? v & 0xf : v; break;
		case S_VBAR: cpu->sr[SR_VBAR_EL1] = guest ? v & ~0x7ffull : v; break;
		case S_CONTEXTIDR: cpu->sr[SR_CONTEXTIDR_EL1] = guest ? v & 0xffffffffull : v; break;
		case S_CNTKCTL: cpu->sr[SR_CNTKCTL_EL1] = guest ? v & 0x3ffull : v; break;
		case S_MDSCR: cpu->sr[SR_MDSCR_EL1] = guest ? v & MDSCR_WRITABLE : v; break;
		case S_CNTV_CTL: cpu->sr[SR_CNTV_CTL_EL0] = v & 3; break; /* ISTATUS is computed */
		case S_CNTV_TVAL: emu_timer_write_tval(cpu, v); break;
		case S_CNTP_CTL: cpu->cntp_ctl = v & 3; break;
		case S_CNTP_TVAL: emu_ptimer_write_tval(cpu, v); break;
		case S_CNTP_CVAL: cpu->cntp_cval = v; break;
		case S_CNTHP_CTL: cpu->sr[SR_CNTHP_CTL_EL2] = v & 3; break;
		case S_CNTHP_TVAL: emu_hptimer_write_tval(cpu, v); break;
		case S_CNTHV_CTL: cpu->sr[SR_CNTHV_CTL_EL2] = v & 3; break;
		case S_CNTHV_TVAL: emu_hvtimer_write_tval(cpu, v); break;
		case S_NONE:
		case S_CURRENTEL:
		case S_CTR:
		case S_DCZID:
		case S_CLIDR:
		case S_CCSIDR:
		case S_ISR:
		case S_CNTFRQ:
		case S_CNTVCT:
		case S_CNTPCT:
		case S_ICC:
		case S_ICH:
		case S_MDCCSR:
		case S_ZERO:
		case S_ZERO_ID:
			break;
		}
		break;
	}
	if (d->kind == K_SPECIAL && (d->idx == S_CNTV_CTL || d->idx == S_CNTV_TVAL || d->idx == S_CNTP_CTL ||
				     d->idx == S_CNTP_TVAL || d->idx == S_CNTP_CVAL || d->idx == S_CNTHP_CTL ||
				     d->idx == S_CNTHP_TVAL || d->idx == S_CNTHV_CTL || d->idx == S_CNTHV_TVAL))
		cpu->budget = 0; /* the timer outputs are evaluated right away */
	if (d->kind == K_SR && (d->flags & F_EL2G))
		el2_written(cpu, d->idx);
	if (d->flags & F_TLB)
		mem_tlb_flush(cpu);
	if (d->flags & F_DBGUPD)
		emu_debug_update(cpu);
}

/* ------------------------------------------------------------------ */
/* Guest MRS/MSR.                                                      */

/* Traps of EL0 accesses to EL1 (EC 0x18), controlled by SCTLR_EL1,
 * CNTKCTL_EL1 and MDSCR_EL1.  These have priority over traps to EL2. */
static bool el0_access_trapped(const struct emu_cpu *cpu, const struct sysreg_desc *d)
{
	uint64_t sctlr = emu_el0_sctlr(cpu), cntkctl = emu_el0_cntkctl(cpu);
	if (d->kind != K_SPECIAL)
		return false;
	switch ((enum special)d->idx) {
	case S_CTR: return !(sctlr & SCTLR_UCT);
	case S_DAIF: return !(sctlr & SCTLR_UMA);
	case S_CNTFRQ: return !(cntkctl & (CNTKCTL_EL0PCTEN | CNTKCTL_EL0VCTEN));
	case S_CNTPCT: return !(cntkctl & CNTKCTL_EL0PCTEN);
	case S_CNTVCT: return !(cntkctl & CNTKCTL_EL0VCTEN);
	case S_CNTP_CTL:
	case S_CNTP_TVAL:
	case S_CNTP_CVAL: return !(cntkctl & CNTKCTL_EL0PTEN);
	case S_CNTV_CTL:
	case S_CNTV_TVAL: return !(cntkctl & CNTKCTL_EL0VTEN);
	case S_MDCCSR: return (cpu->sr[SR_MDSCR_EL1] & MDSCR_TDCC) != 0;
	default: return false;
	}
}

/* PMU registers with EL2 enabled (facts: hv_vm_config_set_el2_enabled):
 * UNDEFINED while ID_AA64DFR0_EL1.PMUVer says no PMU (0 or 0xf); with a
 * valid PMUVer, which only the host can set, emulated (pmu.c). */
static bool pmu_undefined(const struct emu_cpu *cpu)
{
	return cpu->el2 && !emu_pmu_present(cpu);
}

/* Priority (D1.3): UNDEFINED, then EL0 traps to EL1, FP traps, the guest
 * hypervisor's traps to EL2, and last what the host traps.  With
 * FEAT_VHE the checks are those of the register reached, except for the
 * host's EL0 timers, checked as the EL0 registers they are written as. */
void emu_sysreg_access(struct emu_cpu *cpu, uint32_t insn)
{
	uint16_t enc = sysreg_enc_of_insn(insn);
	unsigned rt = insn & 31, n = 0;
	bool is_read = (insn >> 21) & 1;
	uint16_t to = el2_vhe_redirect(cpu, enc);
	if (!to || (to == SYSREG_ENC(3, 4, 2, 0, 1) && !el2_e2h(cpu))) /* EL12/EL02, TTBR1_EL2: E2H only */
		emu_undefined(cpu);
	const struct sysreg_desc *d = sysreg_find(cpu->el == 0 ? enc : to, &n);
	if (!d)
		d = sysreg_classify(enc);
	if (!d && el2_impdef_trapped(cpu, enc))
		emu_take_el2(cpu, sysreg_trap_esr(enc, rt, is_read), 0, false, 0, false);
	if (!d || (d->flags & (F_NOGUEST | (is_read ? F_WO : F_RO))) || ((d->flags & F_EL2G) && cpu->el < 2) ||
	    ((d->flags & F_PMU) && pmu_undefined(cpu)))
		emu_undefined(cpu);
	if ((d->flags & F_PMU) && cpu->el2) {
		emu_pmu_access(cpu, enc, rt, is_read);
		return;
	}
	if (cpu->el == 0) {
		if (!(d->flags & (is_read ? F_EL0R : F_EL0W)))
			emu_undefined(cpu);
		if (el0_access_trapped(cpu, d))
			emu_take_sync(cpu, sysreg_trap_esr(enc, rt, is_read), 0, false);
	} else if (d->kind == K_SPECIAL && d->idx == S_SP_EL0 && cpu->spsel == 0) {
		emu_undefined(cpu); /* SP_EL0 is the current SP */
	}
	if (d->flags & F_FP) {
		emu_check_fp_access(cpu);
		if (!EMU_HAVE_FPSIMD)
			emu_undefined(cpu);
	}
	if (el2_sysreg_trapped(cpu, enc, is_read))
		emu_take_el2(cpu, sysreg_trap_esr(enc, rt, is_read), 0, false, 0, false);
	bool gic = cpu->obj->gic != NULL;
	if ((d->flags & F_HOST) || ((d->flags & F_GIC) && !gic) ||
	    ((d->flags & F_TDA) && cpu->obj->trap_debug_reg_accesses))
		emu_exit_exception(cpu, sysreg_trap_esr(enc, rt, is_read), 0, 0, cpu->insn_pc);
	if (to != enc && cpu->el == 0) /* the host's EL0 timers: the EL2 ones */
		d = sysreg_find(to, &n);
	/* EL1 reads its identity from VPIDR_EL2/VMPIDR_EL2. */
	if (is_read && cpu->el == 1 && cpu->el2 && (enc == SYSREG_ENC(3, 0, 0, 0, 0) || enc == SYSREG_ENC(3, 0, 0, 0, 5))) {
		set_xreg(cpu, rt, cpu->sr[enc & 7 ? SR_VMPIDR_EL2 : SR_VPIDR_EL2]);
		return;
	}
	if (d->kind == K_SPECIAL && (d->idx == S_ICC || d->idx == S_ICH)) {
		struct gic_cpu *gc = cpu->obj->gic;
		uint64_t v = xreg(cpu, rt);
		bool ok;
		if (d->idx == S_ICH) {
			ok = is_read ? gic_ich_read(gc, enc, &v) : gic_ich_write(gc, enc, v);
		} else if (el2_icc_virtual(cpu, enc)) {
			if (gic_icv_trapped(gc, enc))
				emu_take_el2(cpu, sysreg_trap_esr(enc, rt, is_read), 0, false, 0, false);
			ok = is_read ? gic_icv_read(gc, enc, &v, true) : gic_icv_write(gc, enc, v, true);
		} else {
			ok = is_read ? gic_icc_read(gc, enc, &v, true) : gic_icc_write(gc, enc, v, true);
		}
		if (!ok)
			emu_undefined(cpu); /* a write-only register read, or the reverse */
		if (is_read)
			set_xreg(cpu, rt, v);
		/* EOI, PMR, enables: the interrupt to take may have changed */
		cpu->budget = 0;
		cpu->irq_check = true;
		return;
	}
	if (is_read)
		set_xreg(cpu, rt, sr_read(cpu, d, n));
	else
		sr_write(cpu, d, n, xreg(cpu, rt), true);
}

/* ------------------------------------------------------------------ */
/* Host API.                                                           */

#define MDCR_EL2_SDK15_ALIAS 0xe019

static const struct sysreg_desc *host_find(const struct emu_cpu *cpu, uint16_t hv_reg, unsigned *n)
{
	if (hv_reg == MDCR_EL2_SDK15_ALIAS)
		hv_reg = SYSREG_ENC(3, 4, 1, 1, 1);
	const struct sysreg_desc *d = sysreg_find(hv_reg, n);
	if (!d || !(d->flags & F_HV) || ((d->flags & F_GIC) && !cpu->obj->gic) || ((d->flags & F_EL2H) && !cpu->el2))
		return NULL;
	return d;
}

hv_return_t emu_sysreg_get(struct emu_cpu *cpu, uint16_t hv_reg, uint64_t *value)
{
	unsigned n = 0;
	const struct sysreg_desc *d = host_find(cpu, hv_reg, &n);
	if (!d)
		return HV_BAD_ARGUMENT;
	*value = sr_read(cpu, d, n);
	return HV_SUCCESS;
}

hv_return_t emu_sysreg_set(struct emu_cpu *cpu, uint16_t hv_reg, uint64_t value)
{
	unsigned n = 0;
	const struct sysreg_desc *d = host_find(cpu, hv_reg, &n);
	if (!d)
		return HV_BAD_ARGUMENT;
	if (d->kind == K_SPECIAL && d->idx == S_ZERO_ID && value != 0)
		return HV_BAD_ARGUMENT; /* cannot advertise SVE/SME */
	sr_write(cpu, d, n, value, false);
	return HV_SUCCESS;
}
