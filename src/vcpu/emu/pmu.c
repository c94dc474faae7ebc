/*
 * pmu.c - the PMU of an EL2 guest whose ID_AA64DFR0_EL1.PMUVer the host
 * set to a valid version (the rule of hv_vm_config_set_el2_enabled:
 * "the framework emulates the PMU").  A PMUv3 with no event counters
 * (PMCR_EL0.N = 0) and the cycle counter, which counts retired
 * instructions (one cycle each, so CPU_CYCLES is the one common event
 * PMCEID0_EL0 lists).  Not modelled: overflow flags and the overflow
 * interrupt (PPI 23), PMCCFILTR_EL0's EL filtering (stored only).
 *
 * Access rules (Arm ARM D12, "PMU register access"): EL0 by
 * PMUSERENR_EL0.EN/SW/CR/ER (else a trap to EL1, or to EL2 under
 * HCR_EL2.TGE), EL0/EL1 traps to EL2 by MDCR_EL2.TPM (all) and TPMCR
 * (PMCR_EL0).
 */
#include "el2.h"
#include "sysregs.h"

#define ENC SYSREG_ENC

enum {
	PMCR = ENC(3, 3, 9, 12, 0),
	PMCNTENSET = ENC(3, 3, 9, 12, 1),
	PMCNTENCLR = ENC(3, 3, 9, 12, 2),
	PMOVSCLR = ENC(3, 3, 9, 12, 3),
	PMSWINC = ENC(3, 3, 9, 12, 4),
	PMSELR = ENC(3, 3, 9, 12, 5),
	PMCEID0 = ENC(3, 3, 9, 12, 6),
	PMCEID1 = ENC(3, 3, 9, 12, 7),
	PMCCNTR = ENC(3, 3, 9, 13, 0),
	PMXEVTYPER = ENC(3, 3, 9, 13, 1),
	PMXEVCNTR = ENC(3, 3, 9, 13, 2),
	PMUSERENR = ENC(3, 3, 9, 14, 0),
	PMOVSSET = ENC(3, 3, 9, 14, 3),
	PMCCFILTR = ENC(3, 3, 14, 15, 7),
	PMINTENSET = ENC(3, 0, 9, 14, 1),
	PMINTENCLR = ENC(3, 0, 9, 14, 2),
	PMMIR = ENC(3, 0, 9, 14, 6),
};

#define PMCR_E (1u << 0)
#define PMCR_C (1u << 2)
#define PMCR_WRITABLE 0xe9u /* E, D, X, DP, LC, LP (P, C act, read as 0) */
#define PMU_C (1u << 31)   /* the cycle counter's bit in the set/clear registers */
#define USERENR_EN 1u
#define USERENR_SW 2u
#define USERENR_CR 4u
#define USERENR_ER 8u
#define CPU_CYCLES_EVENT (1ull << 0x11)
#define MDCR_TPMCR (1ull << 5)
#define MDCR_TPM (1ull << 6)

/* PMCR_EL0..PMOVSSET_EL0 (CRn 9, CRm 12-14), PMEVCNTRn/PMEVTYPERn and
 * PMCCFILTR_EL0 (CRn 14, CRm 8-15), and the EL1 ones: PMINTENSET/CLR,
 * PMMIR. */
bool emu_pmu_is_reg(uint16_t enc)
{
	unsigned op1 = (enc >> 11) & 7, crn = (enc >> 7) & 15, crm = (enc >> 3) & 15;
	unsigned op2 = enc & 7;
	if (enc >> 14 != 3)
		return false;
	if (op1 == 3)
		return (crn == 9 && crm >= 12 && crm <= 14) || (crn == 14 && crm >= 8);
	return op1 == 0 && crn == 9 && crm == 14 && (op2 == 1 || op2 == 2 || op2 == 6);
}

bool emu_pmu_present(const struct emu_cpu *cpu)
{
	unsigned v = (unsigned)(cpu->sr[SR_ID_AA64DFR0_EL1] >> 8) & 0xf;
	return cpu->el2 && v != 0 && v != 0xf;
}

static uint64_t ccnt_now(const struct emu_cpu *cpu)
{
	const struct emu_pmu *p = &cpu->pmu;
	return p->running ? p->ccnt + (cpu->insn_count - p->base) : p->ccnt;
}

/* The cycle counter runs while PMCR_EL0.E and PMCNTENSET.C. */
static void ccnt_update(struct emu_cpu *cpu)
{
	struct emu_pmu *p = &cpu->pmu;
	bool run = (p->pmcr & PMCR_E) && (p->cnten & PMU_C);
	p->ccnt = ccnt_now(cpu);
	p->base = cpu->insn_count;
	p->running = run;
}

/* Which EL0 accesses PMUSERENR_EL0 allows. */
static bool el0_allowed(const struct emu_cpu *cpu, uint16_t enc, bool is_read)
{
	unsigned u = cpu->pmu.userenr;
	if (u & USERENR_EN)
		return true;
	switch (enc) {
	case PMSWINC: return !is_read && (u & USERENR_SW);
	case PMCCNTR: return is_read && (u & USERENR_CR);
	case PMSELR: return u & USERENR_ER;
	case PMXEVCNTR: return is_read && (u & USERENR_ER);
	case PMUSERENR: return is_read;
	default: return false;
	}
}

void emu_pmu_access(struct emu_cpu *cpu, uint16_t enc, unsigned rt, bool is_read)
{
	struct emu_pmu *p = &cpu->pmu;
	uint32_t esr = sysreg_trap_esr(enc, rt, is_read);
	bool el1_only = enc == PMINTENSET || enc == PMINTENCLR || enc == PMMIR;
	if (cpu->el == 0 && (el1_only || !el0_allowed(cpu, enc, is_read)))
		emu_take_sync(cpu, esr, 0, false); /* to EL1 (EL2 under TGE) */
	uint64_t mdcr = cpu->sr[SR_MDCR_EL2];
	if (cpu->el < 2 && ((mdcr & MDCR_TPM) || (enc == PMCR && (mdcr & MDCR_TPMCR))))
		emu_take_el2(cpu, esr, 0, false, 0, false);
	bool ro = enc == PMCEID0 || enc == PMCEID1 || enc == PMMIR;
	if ((ro && !is_read) || (enc == PMSWINC && is_read))
		emu_undefined(cpu);
	uint64_t v = is_read ? 0 : xreg(cpu, rt);
	switch (enc) {
	case PMCR:
		if (is_read) {
			v = p->pmcr; /* N = 0, IDCODE/IMP 0 */
		} else {
			if (v & PMCR_C) {
				p->ccnt = 0;
				p->base = cpu->insn_count;
			}
			p->pmcr = (uint32_t)v & PMCR_WRITABLE;
			ccnt_update(cpu);
		}
		break;
	case PMCNTENSET:
	case PMCNTENCLR:
		if (is_read) {
			v = p->cnten;
		} else {
			p->cnten = enc == PMCNTENSET ? p->cnten | ((uint32_t)v & PMU_C) : p->cnten & ~((uint32_t)v & PMU_C);
			ccnt_update(cpu);
		}
		break;
	case PMOVSSET:
	case PMOVSCLR:
		if (is_read)
			v = p->ovs;
		else
			p->ovs = enc == PMOVSSET ? p->ovs | ((uint32_t)v & PMU_C) : p->ovs & ~((uint32_t)v & PMU_C);
		break;
	case PMINTENSET:
	case PMINTENCLR:
		if (is_read)
			v = p->inten;
		else
			p->inten = enc == PMINTENSET ? p->inten | ((uint32_t)v & PMU_C) : p->inten & ~((uint32_t)v & PMU_C);
		break;
	case PMSELR:
		if (is_read)
			v = p->selr;
		else
			p->selr = (uint32_t)v & 31;
		break;
	case PMCCNTR:
		if (is_read) {
			v = ccnt_now(cpu);
		} else {
			p->ccnt = v;
			p->base = cpu->insn_count;
		}
		break;
	case PMXEVTYPER: /* PMSELR.SEL = 31: PMCCFILTR; no event counters */
	case PMCCFILTR:
		if (enc == PMCCFILTR || p->selr == 31) {
			if (is_read)
				v = p->ccfiltr;
			else
				p->ccfiltr = (uint32_t)v & 0xf8000000u; /* P U NSK NSU NSH */
		}
		break;
	case PMUSERENR:
		if (is_read)
			v = p->userenr;
		else if (cpu->el > 0)
			p->userenr = (uint32_t)v & 0xf;
		else
			emu_undefined(cpu); /* read-only at EL0 */
		break;
	case PMCEID0: v = CPU_CYCLES_EVENT; break;
	default: /* PMSWINC, PMXEVCNTR, PMEVCNTRn/PMEVTYPERn (none exist), PMCEID1, PMMIR */
		v = 0;
		break;
	}
	if (is_read)
		set_xreg(cpu, rt, v);
}
