/*
 * sysreg_names.c - the names of system registers by encoding (op0, op1,
 * CRn, CRm, op2), for syndromes (`explain`: an MSR/MRS trap names its
 * register) and field decode: every hv_sys_reg_t and GIC register of the
 * API's headers, plus the ones guests commonly touch that the API has no
 * constant for (counters, the GIC's acknowledge/EOI/SGI registers, PMU).
 */
#include <stdbool.h>
#include <stdio.h>
#include <strings.h>

#include <Hypervisor/Hypervisor.h>

#include "sysreg_names.h"

/* hv_sys_reg_t and hv_gic_*_reg_t are op0<<14 | op1<<11 | CRn<<7 | CRm<<3 | op2. */
#define ENC(op0, op1, crn, crm, op2) ((op0) << 14 | (op1) << 11 | (crn) << 7 | (crm) << 3 | (op2))
/* api: an hv_sys_reg_t (hv_vcpu_get/set_sys_reg reach it) */
#define R(name) { HV_SYS_REG_##name, #name, true }
#define G(kind, name) { HV_GIC_##kind##_REG_##name, #kind "_" #name, false }
#define E(op0, op1, crn, crm, op2, name) { ENC(op0, op1, crn, crm, op2), name, false }

static const struct {
	unsigned enc;
	const char *name;
	bool api;
} names[] = {
	R(MDCCINT_EL1), R(MDSCR_EL1), R(MIDR_EL1), R(MPIDR_EL1), R(ID_AA64PFR0_EL1), R(ID_AA64PFR1_EL1),
	R(ID_AA64ZFR0_EL1), R(ID_AA64SMFR0_EL1), R(ID_AA64DFR0_EL1), R(ID_AA64DFR1_EL1),
	R(ID_AA64ISAR0_EL1), R(ID_AA64ISAR1_EL1), R(ID_AA64MMFR0_EL1), R(ID_AA64MMFR1_EL1),
	R(ID_AA64MMFR2_EL1), R(SCTLR_EL1), R(ACTLR_EL1), R(CPACR_EL1), R(SMPRI_EL1), R(SMCR_EL1),
	R(TTBR0_EL1), R(TTBR1_EL1), R(TCR_EL1), R(APIAKEYLO_EL1), R(APIAKEYHI_EL1), R(APIBKEYLO_EL1),
	R(APIBKEYHI_EL1), R(APDAKEYLO_EL1), R(APDAKEYHI_EL1), R(APDBKEYLO_EL1), R(APDBKEYHI_EL1),
	R(APGAKEYLO_EL1), R(APGAKEYHI_EL1), R(SPSR_EL1), R(ELR_EL1), R(SP_EL0), R(AFSR0_EL1),
	R(AFSR1_EL1), R(ESR_EL1), R(FAR_EL1), R(PAR_EL1), R(MAIR_EL1), R(AMAIR_EL1), R(VBAR_EL1),
	R(CONTEXTIDR_EL1), R(TPIDR_EL1), R(SCXTNUM_EL1), R(CNTKCTL_EL1), R(CSSELR_EL1), R(TPIDR_EL0),
	R(TPIDRRO_EL0), R(TPIDR2_EL0), R(SCXTNUM_EL0), R(CNTV_CTL_EL0), R(CNTV_CVAL_EL0), R(SP_EL1),
	R(CNTP_CTL_EL0), R(CNTP_CVAL_EL0), R(CNTP_TVAL_EL0), R(CNTHCTL_EL2), R(CNTHP_CTL_EL2),
	R(CNTHP_CVAL_EL2), R(CNTHP_TVAL_EL2), R(CNTVOFF_EL2), R(CPTR_EL2), R(ELR_EL2), R(ESR_EL2),
	R(FAR_EL2), R(HCR_EL2), R(HPFAR_EL2), R(MAIR_EL2), R(MDCR_EL2), R(SCTLR_EL2), R(SPSR_EL2),
	R(SP_EL2), R(TCR_EL2), R(TPIDR_EL2), R(TTBR0_EL2), R(TTBR1_EL2), R(VBAR_EL2), R(VMPIDR_EL2),
	R(VPIDR_EL2), R(VTCR_EL2), R(VTTBR_EL2),
	G(ICC, PMR_EL1), G(ICC, BPR0_EL1), G(ICC, AP0R0_EL1), G(ICC, AP1R0_EL1), G(ICC, RPR_EL1),
	G(ICC, BPR1_EL1), G(ICC, CTLR_EL1), G(ICC, SRE_EL1), G(ICC, IGRPEN0_EL1), G(ICC, IGRPEN1_EL1),
	G(ICC, SRE_EL2), G(ICH, AP0R0_EL2), G(ICH, AP1R0_EL2), G(ICH, HCR_EL2), G(ICH, VTR_EL2),
	G(ICH, MISR_EL2), G(ICH, EISR_EL2), G(ICH, ELRSR_EL2), G(ICH, VMCR_EL2),
	E(3, 0, 12, 8, 0, "ICC_IAR0_EL1"), E(3, 0, 12, 8, 1, "ICC_EOIR0_EL1"), E(3, 0, 12, 8, 2, "ICC_HPPIR0_EL1"),
	E(3, 0, 12, 12, 0, "ICC_IAR1_EL1"), E(3, 0, 12, 12, 1, "ICC_EOIR1_EL1"), E(3, 0, 12, 12, 2, "ICC_HPPIR1_EL1"),
	E(3, 0, 12, 11, 1, "ICC_DIR_EL1"), E(3, 0, 12, 11, 5, "ICC_SGI1R_EL1"), E(3, 0, 12, 11, 6, "ICC_ASGI1R_EL1"),
	E(3, 0, 12, 11, 7, "ICC_SGI0R_EL1"), E(3, 0, 12, 9, 1, "ICC_AP1R1_EL1"), E(3, 0, 12, 8, 5, "ICC_AP0R1_EL1"),
	E(3, 3, 14, 0, 0, "CNTFRQ_EL0"), E(3, 3, 14, 0, 1, "CNTPCT_EL0"), E(3, 3, 14, 0, 2, "CNTVCT_EL0"),
	E(3, 3, 14, 0, 5, "CNTPCTSS_EL0"), E(3, 3, 14, 0, 6, "CNTVCTSS_EL0"), E(3, 3, 14, 3, 0, "CNTV_TVAL_EL0"),
	E(3, 0, 4, 2, 2, "CurrentEL"), E(3, 3, 4, 2, 1, "DAIF"), E(3, 3, 4, 2, 0, "NZCV"), E(3, 0, 4, 2, 3, "PAN"),
	E(3, 0, 4, 2, 4, "UAO"), E(3, 3, 4, 4, 0, "FPCR"), E(3, 3, 4, 4, 1, "FPSR"), 
	E(3, 0, 4, 2, 0, "SPSel"), E(3, 1, 0, 0, 0, "CCSIDR_EL1"), E(3, 1, 0, 0, 1, "CLIDR_EL1"),
	E(3, 3, 0, 0, 1, "CTR_EL0"), E(3, 3, 0, 0, 7, "DCZID_EL0"), E(3, 0, 0, 0, 6, "REVIDR_EL1"),
	E(3, 0, 0, 4, 2, "ID_AA64PFR2_EL1"), E(3, 0, 0, 6, 2, "ID_AA64ISAR2_EL1"), E(3, 0, 0, 7, 3, "ID_AA64MMFR3_EL1"),
	E(3, 0, 0, 7, 4, "ID_AA64MMFR4_EL1"),
	E(3, 0, 10, 4, 0, "MPAM1_EL1"), 
	E(3, 0, 12, 0, 1, "RVBAR_EL1"), E(3, 0, 12, 1, 0, "ISR_EL1"), E(3, 0, 5, 3, 0, "ERRIDR_EL1"),
	E(3, 0, 5, 3, 1, "ERRSELR_EL1"), E(3, 0, 2, 0, 3, "TCR2_EL1"),
	E(3, 3, 9, 12, 0, "PMCR_EL0"), E(3, 3, 9, 12, 1, "PMCNTENSET_EL0"), E(3, 3, 9, 12, 2, "PMCNTENCLR_EL0"),
	E(3, 3, 9, 12, 3, "PMOVSCLR_EL0"), E(3, 3, 9, 12, 5, "PMSELR_EL0"), E(3, 3, 9, 12, 6, "PMCEID0_EL0"),
	E(3, 3, 9, 12, 7, "PMCEID1_EL0"), E(3, 3, 9, 13, 0, "PMCCNTR_EL0"), E(3, 3, 9, 14, 0, "PMUSERENR_EL0"),
	E(3, 0, 9, 14, 1, "PMINTENSET_EL1"), E(3, 0, 9, 14, 2, "PMINTENCLR_EL1"), E(3, 3, 14, 15, 7, "PMCCFILTR_EL0"),
	E(2, 0, 1, 0, 4, "OSLAR_EL1"), E(2, 0, 1, 1, 4, "OSLSR_EL1"),
	E(2, 0, 1, 3, 4, "OSDLR_EL1"), E(2, 0, 1, 4, 4, "DBGPRCR_EL1"), E(2, 0, 0, 0, 2, "OSDTRRX_EL1"),
	E(2, 0, 0, 3, 2, "OSDTRTX_EL1"), E(2, 0, 0, 6, 2, "OSECCR_EL1"), E(2, 0, 7, 14, 6, "DBGAUTHSTATUS_EL1"),
	E(2, 0, 7, 8, 6, "DBGCLAIMSET_EL1"), E(2, 0, 7, 9, 6, "DBGCLAIMCLR_EL1"), E(2, 3, 0, 1, 0, "MDCCSR_EL0"),
	E(2, 3, 0, 4, 0, "DBGDTR_EL0"), E(2, 3, 0, 5, 0, "DBGDTRRX_EL0"),
};

bool sysreg_api_by_name(const char *name, unsigned *enc)
{
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].api && !strcasecmp(names[i].name, name)) {
			*enc = names[i].enc;
			return true;
		}
	return false;
}

const char *sysreg_name(unsigned op0, unsigned op1, unsigned crn, unsigned crm, unsigned op2, char *buf, size_t len)
{
	unsigned enc = ENC(op0 & 3, op1 & 7, crn & 15, crm & 15, op2 & 7);
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].enc == enc)
			return names[i].name;
	/* numbered families: the debug register pairs and the list registers */
	static const char *const dbg[] = { "DBGBVR", "DBGBCR", "DBGWVR", "DBGWCR" };
	if (op0 == 2 && op1 == 0 && crn == 0 && op2 >= 4) {
		snprintf(buf, len, "%s%u_EL1", dbg[op2 - 4], crm);
		return buf;
	}
	if (op0 == 3 && op1 == 4 && crn == 12 && (crm == 12 || crm == 13)) {
		snprintf(buf, len, "ICH_LR%u_EL2", (crm - 12) * 8 + op2);
		return buf;
	}
	if (op0 == 3 && op1 == 3 && crn == 14 && (crm >> 2) == 2) {
		snprintf(buf, len, "PMEVCNTR%u_EL0", (crm & 3) * 8 + op2);
		return buf;
	}
	if (op0 == 3 && op1 == 3 && crn == 14 && (crm >> 2) == 3 && !(crm == 15 && op2 == 7)) {
		snprintf(buf, len, "PMEVTYPER%u_EL0", (crm & 3) * 8 + op2);
		return buf;
	}
	snprintf(buf, len, "S%u_%u_C%u_C%u_%u", op0, op1, crn, crm, op2);
	return buf;
}
