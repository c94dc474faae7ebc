/*
 * rsp_regs.c - gdb register numbers and the target description.
 *
 *   0-30 x0-x30, 31 sp, 32 pc, 33 cpsr (32-bit)     org.gnu.gdb.aarch64.core
 *   34-65 v0-v31 (128-bit), 66 fpsr, 67 fpcr        org.gnu.gdb.aarch64.fpu
 *   68-   system registers of hv_sys_reg_t (64-bit)  org.hvdbg.aarch64.sysregs
 *
 * 'g' carries the core block only (268 bytes, as QEMU): gdb reads the
 * rest with 'p'.  The system-register feature lists the registers of
 * hv_sys_reg_t that the backend can read (probed at start), named as in
 * the Arm ARM, in lower case (p $sctlr_el1), in gdb's "system" group.
 */
#include "rsp_internal.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SR(n) { #n, HV_SYS_REG_##n }
static const struct rsp_sysreg all_sysregs[] = {
	SR(DBGBVR0_EL1),
	SR(DBGBCR0_EL1),
	SR(DBGWVR0_EL1),
	SR(DBGWCR0_EL1),
	SR(DBGBVR1_EL1),
	SR(DBGBCR1_EL1),
	SR(DBGWVR1_EL1),
	SR(DBGWCR1_EL1),
	SR(DBGBVR2_EL1),
	SR(DBGBCR2_EL1),
	SR(DBGWVR2_EL1),
	SR(DBGWCR2_EL1),
	SR(DBGBVR3_EL1),
	SR(DBGBCR3_EL1),
	SR(DBGWVR3_EL1),
	SR(DBGWCR3_EL1),
	SR(DBGBVR4_EL1),
	SR(DBGBCR4_EL1),
	SR(DBGWVR4_EL1),
	SR(DBGWCR4_EL1),
	SR(DBGBVR5_EL1),
	SR(DBGBCR5_EL1),
	SR(DBGWVR5_EL1),
	SR(DBGWCR5_EL1),
	SR(DBGBVR6_EL1),
	SR(DBGBCR6_EL1),
	SR(DBGWVR6_EL1),
	SR(DBGWCR6_EL1),
	SR(DBGBVR7_EL1),
	SR(DBGBCR7_EL1),
	SR(DBGWVR7_EL1),
	SR(DBGWCR7_EL1),
	SR(DBGBVR8_EL1),
	SR(DBGBCR8_EL1),
	SR(DBGWVR8_EL1),
	SR(DBGWCR8_EL1),
	SR(DBGBVR9_EL1),
	SR(DBGBCR9_EL1),
	SR(DBGWVR9_EL1),
	SR(DBGWCR9_EL1),
	SR(DBGBVR10_EL1),
	SR(DBGBCR10_EL1),
	SR(DBGWVR10_EL1),
	SR(DBGWCR10_EL1),
	SR(DBGBVR11_EL1),
	SR(DBGBCR11_EL1),
	SR(DBGWVR11_EL1),
	SR(DBGWCR11_EL1),
	SR(DBGBVR12_EL1),
	SR(DBGBCR12_EL1),
	SR(DBGWVR12_EL1),
	SR(DBGWCR12_EL1),
	SR(DBGBVR13_EL1),
	SR(DBGBCR13_EL1),
	SR(DBGWVR13_EL1),
	SR(DBGWCR13_EL1),
	SR(DBGBVR14_EL1),
	SR(DBGBCR14_EL1),
	SR(DBGWVR14_EL1),
	SR(DBGWCR14_EL1),
	SR(DBGBVR15_EL1),
	SR(DBGBCR15_EL1),
	SR(DBGWVR15_EL1),
	SR(DBGWCR15_EL1),
	SR(MDCCINT_EL1),
	SR(MDSCR_EL1),
	SR(MIDR_EL1),
	SR(MPIDR_EL1),
	SR(ID_AA64PFR0_EL1),
	SR(ID_AA64PFR1_EL1),
	SR(ID_AA64ZFR0_EL1),
	SR(ID_AA64SMFR0_EL1),
	SR(ID_AA64DFR0_EL1),
	SR(ID_AA64DFR1_EL1),
	SR(ID_AA64ISAR0_EL1),
	SR(ID_AA64ISAR1_EL1),
	SR(ID_AA64MMFR0_EL1),
	SR(ID_AA64MMFR1_EL1),
	SR(ID_AA64MMFR2_EL1),
	SR(SCTLR_EL1),
	SR(ACTLR_EL1),
	SR(CPACR_EL1),
	SR(SMPRI_EL1),
	SR(SMCR_EL1),
	SR(TTBR0_EL1),
	SR(TTBR1_EL1),
	SR(TCR_EL1),
	SR(APIAKEYLO_EL1),
	SR(APIAKEYHI_EL1),
	SR(APIBKEYLO_EL1),
	SR(APIBKEYHI_EL1),
	SR(APDAKEYLO_EL1),
	SR(APDAKEYHI_EL1),
	SR(APDBKEYLO_EL1),
	SR(APDBKEYHI_EL1),
	SR(APGAKEYLO_EL1),
	SR(APGAKEYHI_EL1),
	SR(SPSR_EL1),
	SR(ELR_EL1),
	SR(SP_EL0),
	SR(AFSR0_EL1),
	SR(AFSR1_EL1),
	SR(ESR_EL1),
	SR(FAR_EL1),
	SR(PAR_EL1),
	SR(MAIR_EL1),
	SR(AMAIR_EL1),
	SR(VBAR_EL1),
	SR(CONTEXTIDR_EL1),
	SR(TPIDR_EL1),
	SR(SCXTNUM_EL1),
	SR(CNTKCTL_EL1),
	SR(CSSELR_EL1),
	SR(TPIDR_EL0),
	SR(TPIDRRO_EL0),
	SR(TPIDR2_EL0),
	SR(SCXTNUM_EL0),
	SR(CNTV_CTL_EL0),
	SR(CNTV_CVAL_EL0),
	SR(SP_EL1),
	SR(CNTP_CTL_EL0),
	SR(CNTP_CVAL_EL0),
	SR(CNTP_TVAL_EL0),
	SR(CNTHCTL_EL2),
	SR(CNTHP_CTL_EL2),
	SR(CNTHP_CVAL_EL2),
	SR(CNTHP_TVAL_EL2),
	SR(CNTVOFF_EL2),
	SR(CPTR_EL2),
	SR(ELR_EL2),
	SR(ESR_EL2),
	SR(FAR_EL2),
	SR(HCR_EL2),
	SR(HPFAR_EL2),
	SR(MAIR_EL2),
	SR(MDCR_EL2),
	SR(SCTLR_EL2),
	SR(SPSR_EL2),
	SR(SP_EL2),
	SR(TCR_EL2),
	SR(TPIDR_EL2),
	SR(TTBR0_EL2),
	SR(TTBR1_EL2),
	SR(VBAR_EL2),
	SR(VMPIDR_EL2),
	SR(VPIDR_EL2),
	SR(VTCR_EL2),
	SR(VTTBR_EL2),
};
#undef SR

#define NSYSREGS (sizeof(all_sysregs) / sizeof(all_sysregs[0]))
static char sysreg_names[NSYSREGS][24]; /* lower-case copies */

static const char fpu_types[] =
	"  <vector id=\"v2d\" type=\"ieee_double\" count=\"2\"/>\n"
	"  <vector id=\"v2u\" type=\"uint64\" count=\"2\"/>\n"
	"  <vector id=\"v2i\" type=\"int64\" count=\"2\"/>\n"
	"  <vector id=\"v4f\" type=\"ieee_single\" count=\"4\"/>\n"
	"  <vector id=\"v4u\" type=\"uint32\" count=\"4\"/>\n"
	"  <vector id=\"v4i\" type=\"int32\" count=\"4\"/>\n"
	"  <vector id=\"v8f\" type=\"ieee_half\" count=\"8\"/>\n"
	"  <vector id=\"v8u\" type=\"uint16\" count=\"8\"/>\n"
	"  <vector id=\"v8i\" type=\"int16\" count=\"8\"/>\n"
	"  <vector id=\"v16u\" type=\"uint8\" count=\"16\"/>\n"
	"  <vector id=\"v16i\" type=\"int8\" count=\"16\"/>\n"
	"  <vector id=\"v1u\" type=\"uint128\" count=\"1\"/>\n"
	"  <vector id=\"v1i\" type=\"int128\" count=\"1\"/>\n"
	"  <union id=\"vnd\"><field name=\"f\" type=\"v2d\"/><field name=\"u\" type=\"v2u\"/>"
	"<field name=\"s\" type=\"v2i\"/></union>\n"
	"  <union id=\"vns\"><field name=\"f\" type=\"v4f\"/><field name=\"u\" type=\"v4u\"/>"
	"<field name=\"s\" type=\"v4i\"/></union>\n"
	"  <union id=\"vnh\"><field name=\"f\" type=\"v8f\"/><field name=\"u\" type=\"v8u\"/>"
	"<field name=\"s\" type=\"v8i\"/></union>\n"
	"  <union id=\"vnb\"><field name=\"u\" type=\"v16u\"/><field name=\"s\" type=\"v16i\"/></union>\n"
	"  <union id=\"vnq\"><field name=\"u\" type=\"v1u\"/><field name=\"s\" type=\"v1i\"/></union>\n"
	"  <union id=\"aarch64v\"><field name=\"d\" type=\"vnd\"/><field name=\"s\" type=\"vns\"/>"
	"<field name=\"h\" type=\"vnh\"/><field name=\"b\" type=\"vnb\"/>"
	"<field name=\"q\" type=\"vnq\"/></union>\n";

static const char cpsr_flags[] =
	"  <flags id=\"cpsr_flags\" size=\"4\">\n"
	"    <field name=\"SP\" start=\"0\" end=\"0\"/><field name=\"EL\" start=\"2\" end=\"3\"/>\n"
	"    <field name=\"nRW\" start=\"4\" end=\"4\"/><field name=\"F\" start=\"6\" end=\"6\"/>\n"
	"    <field name=\"I\" start=\"7\" end=\"7\"/><field name=\"A\" start=\"8\" end=\"8\"/>\n"
	"    <field name=\"D\" start=\"9\" end=\"9\"/><field name=\"BTYPE\" start=\"10\" end=\"11\"/>\n"
	"    <field name=\"SSBS\" start=\"12\" end=\"12\"/><field name=\"IL\" start=\"20\" end=\"20\"/>\n"
	"    <field name=\"SS\" start=\"21\" end=\"21\"/><field name=\"PAN\" start=\"22\" end=\"22\"/>\n"
	"    <field name=\"UAO\" start=\"23\" end=\"23\"/><field name=\"DIT\" start=\"24\" end=\"24\"/>\n"
	"    <field name=\"TCO\" start=\"25\" end=\"25\"/><field name=\"V\" start=\"28\" end=\"28\"/>\n"
	"    <field name=\"C\" start=\"29\" end=\"29\"/><field name=\"Z\" start=\"30\" end=\"30\"/>\n"
	"    <field name=\"N\" start=\"31\" end=\"31\"/>\n"
	"  </flags>\n";

int rsp_tdesc_build(struct rsp_server *s)
{
	s->sys = calloc(NSYSREGS, sizeof(*s->sys));
	if (!s->sys)
		return -1;
	/* Only what this backend can read (EL2/GIC registers need a VM
	 * configured for them, SME ones SME). */
	s->nsys = 0;
	for (size_t i = 0; i < NSYSREGS; i++) {
		uint64_t v;
		if (machine_get_sys_reg(s->m, 0, all_sysregs[i].reg, &v) != 0)
			continue;
		char *lc = sysreg_names[i];
		size_t k = 0;
		for (const char *p = all_sysregs[i].name; *p && k + 1 < sizeof(sysreg_names[i]); p++)
			lc[k++] = (char)tolower((unsigned char)*p);
		lc[k] = 0;
		s->sys[s->nsys].name = lc;
		s->sys[s->nsys].reg = all_sysregs[i].reg;
		s->nsys++;
	}

	size_t size = 0;
	char *buf = NULL;
	FILE *f = open_memstream(&buf, &size);
	if (!f)
		return -1;
	fputs("<?xml version=\"1.0\"?>\n<!DOCTYPE target SYSTEM \"gdb-target.dtd\">\n"
	      "<target version=\"1.0\">\n<architecture>aarch64</architecture>\n"
	      "<feature name=\"org.gnu.gdb.aarch64.core\">\n", f);
	for (int i = 0; i < 31; i++)
		fprintf(f, "  <reg name=\"x%d\" bitsize=\"64\" regnum=\"%d\"/>\n", i, i);
	fputs("  <reg name=\"sp\" bitsize=\"64\" type=\"data_ptr\" regnum=\"31\"/>\n"
	      "  <reg name=\"pc\" bitsize=\"64\" type=\"code_ptr\" regnum=\"32\"/>\n", f);
	fputs(cpsr_flags, f);
	fputs("  <reg name=\"cpsr\" bitsize=\"32\" type=\"cpsr_flags\" regnum=\"33\"/>\n</feature>\n"
	      "<feature name=\"org.gnu.gdb.aarch64.fpu\">\n", f);
	fputs(fpu_types, f);
	for (int i = 0; i < 32; i++)
		fprintf(f, "  <reg name=\"v%d\" bitsize=\"128\" type=\"aarch64v\" regnum=\"%d\"/>\n", i,
			RSP_REG_V0 + i);
	fprintf(f, "  <reg name=\"fpsr\" bitsize=\"32\" regnum=\"%d\"/>\n"
		   "  <reg name=\"fpcr\" bitsize=\"32\" regnum=\"%d\"/>\n</feature>\n",
		RSP_REG_FPSR, RSP_REG_FPCR);
	fputs("<feature name=\"org.hvdbg.aarch64.sysregs\">\n", f);
	for (unsigned i = 0; i < s->nsys; i++)
		fprintf(f, "  <reg name=\"%s\" bitsize=\"64\" type=\"uint64\" group=\"system\" regnum=\"%u\"/>\n",
			s->sys[i].name, RSP_REG_SYS0 + i);
	fputs("</feature>\n</target>\n", f);
	if (fclose(f) != 0) {
		free(buf);
		return -1;
	}
	s->tdesc = buf;
	s->tdesc_len = size;
	return 0;
}

void rsp_tdesc_free(struct rsp_server *s)
{
	free(s->tdesc);
	free(s->sys);
	s->tdesc = NULL;
	s->sys = NULL;
}

static void put64(uint8_t *b, uint64_t v, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		b[i] = (uint8_t)(v >> (8 * i));
}

static uint64_t get64(const uint8_t *b, unsigned n)
{
	uint64_t v = 0;
	for (unsigned i = 0; i < n; i++)
		v |= (uint64_t)b[i] << (8 * i);
	return v;
}

/* Size in bytes of register regno, 0 if there is none. */
static unsigned reg_size(const struct rsp_server *s, unsigned regno)
{
	if (regno <= RSP_REG_PC)
		return 8;
	if (regno == RSP_REG_CPSR || regno == RSP_REG_FPSR || regno == RSP_REG_FPCR)
		return 4;
	if (regno >= RSP_REG_V0 && regno < RSP_REG_V0 + 32)
		return 16;
	if (regno >= RSP_REG_SYS0 && regno - RSP_REG_SYS0 < s->nsys)
		return 8;
	return 0;
}

void rsp_cache_invalidate(struct rsp_server *s)
{
	for (unsigned i = 0; i < MACHINE_MAX_VCPUS; i++) {
		s->cache[i].core_valid = false;
		s->cache[i].mmu = -1;
	}
}

const uint64_t *rsp_core_regs(struct rsp_server *s, unsigned vcpu)
{
	struct rsp_vcache *c = &s->cache[vcpu];
	if (vcpu >= s->ncpus)
		return NULL;
	if (!c->core_valid) {
		if (machine_get_core_regs(s->m, vcpu, c->core) != 0)
			return NULL;
		c->core_valid = true;
	}
	return c->core;
}

int rsp_reg_read(struct rsp_server *s, unsigned vcpu, unsigned regno, uint8_t buf[16])
{
	unsigned size = reg_size(s, regno);
	uint64_t v = 0;
	int rc;
	if (size == 0)
		return MACHINE_ERR_ARG;
	if (regno <= RSP_REG_CPSR) {
		const uint64_t *r = rsp_core_regs(s, vcpu);
		if (!r)
			return MACHINE_ERR_HV;
		put64(buf, r[regno], size);
		return (int)size;
	}
	if (regno <= 30)
		rc = machine_get_reg(s->m, vcpu, (hv_reg_t)(HV_REG_X0 + regno), &v);
	else if (regno == RSP_REG_SP)
		rc = machine_get_sp(s->m, vcpu, &v);
	else if (regno == RSP_REG_PC)
		rc = machine_get_reg(s->m, vcpu, HV_REG_PC, &v);
	else if (regno == RSP_REG_CPSR)
		rc = machine_get_reg(s->m, vcpu, HV_REG_CPSR, &v);
	else if (regno == RSP_REG_FPSR)
		rc = machine_get_reg(s->m, vcpu, HV_REG_FPSR, &v);
	else if (regno == RSP_REG_FPCR)
		rc = machine_get_reg(s->m, vcpu, HV_REG_FPCR, &v);
	else if (size == 16)
		return (rc = machine_get_simd(s->m, vcpu, regno - RSP_REG_V0, buf)) ? rc : 16;
	else
		rc = machine_get_sys_reg(s->m, vcpu, s->sys[regno - RSP_REG_SYS0].reg, &v);
	if (rc)
		return rc;
	put64(buf, v, size);
	return (int)size;
}

static int reg_write(struct rsp_server *s, unsigned vcpu, unsigned regno, const uint8_t *buf)
{
	unsigned size = reg_size(s, regno);
	if (size == 0)
		return MACHINE_ERR_ARG;
	rsp_cache_invalidate(s); /* e.g. SCTLR_EL1 changes how memory reads */
	if (size == 16)
		return machine_set_simd(s->m, vcpu, regno - RSP_REG_V0, buf);
	uint64_t v = get64(buf, size);
	if (regno <= 30)
		return machine_set_reg(s->m, vcpu, (hv_reg_t)(HV_REG_X0 + regno), v);
	if (regno == RSP_REG_SP)
		return machine_set_sp(s->m, vcpu, v);
	if (regno == RSP_REG_PC)
		return machine_set_reg(s->m, vcpu, HV_REG_PC, v);
	if (regno == RSP_REG_CPSR)
		return machine_set_reg(s->m, vcpu, HV_REG_CPSR, v);
	if (regno == RSP_REG_FPSR)
		return machine_set_reg(s->m, vcpu, HV_REG_FPSR, v);
	if (regno == RSP_REG_FPCR)
		return machine_set_reg(s->m, vcpu, HV_REG_FPCR, v);
	return machine_set_sys_reg(s->m, vcpu, s->sys[regno - RSP_REG_SYS0].reg, v);
}

#define CORE_BYTES (31 * 8 + 8 + 8 + 4)

enum rsp_action rsp_cmd_g(struct rsp_server *s)
{
	uint8_t b[CORE_BYTES];
	const uint64_t *r = rsp_core_regs(s, s->g_cpu);
	if (!r) {
		rsp_reply_error(s, 14);
		return RSP_REPLY;
	}
	for (unsigned i = 0; i < 33; i++)
		put64(b + 8 * i, r[i], 8);
	put64(b + 8 * 33, r[33], 4);
	rsp_reply_hex(s, b, sizeof(b));
	return RSP_REPLY;
}

enum rsp_action rsp_cmd_G(struct rsp_server *s, const char *args)
{
	uint8_t b[CORE_BYTES];
	if (strlen(args) < 2 * sizeof(b) || !rsp_hex_decode(args, sizeof(b), b)) {
		rsp_reply_error(s, 22);
		return RSP_REPLY;
	}
	for (unsigned i = 0; i <= RSP_REG_CPSR; i++) {
		unsigned off = i < RSP_REG_CPSR ? 8 * i : 8 * RSP_REG_CPSR;
		if (reg_write(s, s->g_cpu, i, b + off) != 0) {
			rsp_reply_error(s, 14);
			return RSP_REPLY;
		}
	}
	rsp_reply_str(s, "OK");
	return RSP_REPLY;
}

enum rsp_action rsp_cmd_p(struct rsp_server *s, const char *args)
{
	uint64_t regno;
	uint8_t buf[16];
	if (!rsp_parse_hex(&args, &regno) || *args || regno > 0xffff) {
		rsp_reply_error(s, 22);
		return RSP_REPLY;
	}
	int n = rsp_reg_read(s, s->g_cpu, (unsigned)regno, buf);
	if (n == MACHINE_ERR_ARG)
		rsp_reply_error(s, 22); /* no such register */
	else if (n < 0)
		rsp_reply_error(s, 14);
	else
		rsp_reply_hex(s, buf, (size_t)n);
	return RSP_REPLY;
}

enum rsp_action rsp_cmd_P(struct rsp_server *s, const char *args)
{
	uint64_t regno;
	uint8_t buf[16];
	if (!rsp_parse_hex(&args, &regno) || *args++ != '=' || regno > 0xffff) {
		rsp_reply_error(s, 22);
		return RSP_REPLY;
	}
	unsigned size = reg_size(s, (unsigned)regno);
	if (size == 0 || strlen(args) != 2 * size || !rsp_hex_decode(args, size, buf)) {
		rsp_reply_error(s, 22);
		return RSP_REPLY;
	}
	if (reg_write(s, s->g_cpu, (unsigned)regno, buf) != 0)
		rsp_reply_error(s, 14);
	else
		rsp_reply_str(s, "OK");
	return RSP_REPLY;
}
