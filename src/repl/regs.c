/*
 * regs.c - register names (core, w views, SIMD/FP, system registers),
 * reading and writing them on the selected vCPU, `info registers
 * [core|fp|sys|all|NAME...]` with changed values highlighted, and `set`.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../machine/sysreg_names.h"
#include "repl_internal.h"

struct named_sysreg {
	const char *name;
	hv_sys_reg_t reg;
};

static const struct named_sysreg sys_regs[] = {
	{ "sctlr_el1", HV_SYS_REG_SCTLR_EL1 },   { "tcr_el1", HV_SYS_REG_TCR_EL1 },
	{ "ttbr0_el1", HV_SYS_REG_TTBR0_EL1 },   { "ttbr1_el1", HV_SYS_REG_TTBR1_EL1 },
	{ "mair_el1", HV_SYS_REG_MAIR_EL1 },     { "amair_el1", HV_SYS_REG_AMAIR_EL1 },
	{ "vbar_el1", HV_SYS_REG_VBAR_EL1 },     { "elr_el1", HV_SYS_REG_ELR_EL1 },
	{ "spsr_el1", HV_SYS_REG_SPSR_EL1 },     { "esr_el1", HV_SYS_REG_ESR_EL1 },
	{ "far_el1", HV_SYS_REG_FAR_EL1 },       { "par_el1", HV_SYS_REG_PAR_EL1 },
	{ "sp_el0", HV_SYS_REG_SP_EL0 },         { "sp_el1", HV_SYS_REG_SP_EL1 },
	{ "cpacr_el1", HV_SYS_REG_CPACR_EL1 },   { "contextidr_el1", HV_SYS_REG_CONTEXTIDR_EL1 },
	{ "tpidr_el0", HV_SYS_REG_TPIDR_EL0 },   { "tpidrro_el0", HV_SYS_REG_TPIDRRO_EL0 },
	{ "tpidr_el1", HV_SYS_REG_TPIDR_EL1 },   { "afsr0_el1", HV_SYS_REG_AFSR0_EL1 },
	{ "afsr1_el1", HV_SYS_REG_AFSR1_EL1 },   { "csselr_el1", HV_SYS_REG_CSSELR_EL1 },
	{ "cntkctl_el1", HV_SYS_REG_CNTKCTL_EL1 }, { "cntv_ctl_el0", HV_SYS_REG_CNTV_CTL_EL0 },
	{ "cntv_cval_el0", HV_SYS_REG_CNTV_CVAL_EL0 }, { "cntp_ctl_el0", HV_SYS_REG_CNTP_CTL_EL0 },
	{ "cntp_cval_el0", HV_SYS_REG_CNTP_CVAL_EL0 }, { "mdscr_el1", HV_SYS_REG_MDSCR_EL1 },
	{ "mpidr_el1", HV_SYS_REG_MPIDR_EL1 },   { "midr_el1", HV_SYS_REG_MIDR_EL1 },
	{ "id_aa64pfr0_el1", HV_SYS_REG_ID_AA64PFR0_EL1 },
	{ "id_aa64mmfr0_el1", HV_SYS_REG_ID_AA64MMFR0_EL1 },
	{ "id_aa64dfr0_el1", HV_SYS_REG_ID_AA64DFR0_EL1 },
	{ "id_aa64isar0_el1", HV_SYS_REG_ID_AA64ISAR0_EL1 },
};
#define NSYS (sizeof(sys_regs) / sizeof(sys_regs[0]))

/* `info registers el2`: the guest hypervisor's registers (hvdbg --el2). */
static const struct named_sysreg el2_regs[] = {
	{ "hcr_el2", HV_SYS_REG_HCR_EL2 },       { "sctlr_el2", HV_SYS_REG_SCTLR_EL2 },
	{ "vbar_el2", HV_SYS_REG_VBAR_EL2 },     { "elr_el2", HV_SYS_REG_ELR_EL2 },
	{ "spsr_el2", HV_SYS_REG_SPSR_EL2 },     { "esr_el2", HV_SYS_REG_ESR_EL2 },
	{ "far_el2", HV_SYS_REG_FAR_EL2 },       { "hpfar_el2", HV_SYS_REG_HPFAR_EL2 },
	{ "sp_el2", HV_SYS_REG_SP_EL2 },         { "vttbr_el2", HV_SYS_REG_VTTBR_EL2 },
	{ "vtcr_el2", HV_SYS_REG_VTCR_EL2 },     { "ttbr0_el2", HV_SYS_REG_TTBR0_EL2 },
	{ "tcr_el2", HV_SYS_REG_TCR_EL2 },       { "mair_el2", HV_SYS_REG_MAIR_EL2 },
	{ "cptr_el2", HV_SYS_REG_CPTR_EL2 },     { "mdcr_el2", HV_SYS_REG_MDCR_EL2 },
	{ "cnthctl_el2", HV_SYS_REG_CNTHCTL_EL2 }, { "cntvoff_el2", HV_SYS_REG_CNTVOFF_EL2 },
	{ "cnthp_ctl_el2", HV_SYS_REG_CNTHP_CTL_EL2 }, { "cnthp_cval_el2", HV_SYS_REG_CNTHP_CVAL_EL2 },
	{ "vpidr_el2", HV_SYS_REG_VPIDR_EL2 },   { "vmpidr_el2", HV_SYS_REG_VMPIDR_EL2 },
	{ "tpidr_el2", HV_SYS_REG_TPIDR_EL2 },
};



static const char *const core_names[REPL_NREGS] = {
	"x0", "x1", "x2", "x3", "x4", "x5", "x6", "x7", "x8", "x9", "x10", "x11",
	"x12", "x13", "x14", "x15", "x16", "x17", "x18", "x19", "x20", "x21", "x22",
	"x23", "x24", "x25", "x26", "x27", "x28", "x29", "x30", "sp", "pc", "cpsr",
};

const char *reg_core_name(unsigned i)
{
	return i < REPL_NREGS ? core_names[i] : "?";
}

/* "x12" style: prefix letter then 0..max. */
static bool numbered(const char *name, const char *prefix, unsigned max, unsigned *n)
{
	size_t pl = strlen(prefix);
	if (strncasecmp(name, prefix, pl) != 0 || !isdigit((unsigned char)name[pl]))
		return false;
	char *end;
	unsigned long v = strtoul(name + pl, &end, 10);
	if (*end || v > max || (name[pl] == '0' && name[pl + 1]))
		return false;
	*n = (unsigned)v;
	return true;
}

bool reg_lookup(const char *name, struct reg_desc *d)
{
	unsigned n;
	d->name = name;
	if (numbered(name, "x", 30, &n)) {
		d->cls = RC_CORE, d->idx = n;
	} else if (numbered(name, "w", 30, &n)) {
		d->cls = RC_W, d->idx = n;
	} else if (numbered(name, "q", 31, &n) || numbered(name, "v", 31, &n)) {
		d->cls = RC_SIMD, d->idx = n, d->size = 16;
	} else if (numbered(name, "d", 31, &n)) {
		d->cls = RC_SIMD, d->idx = n, d->size = 8;
	} else if (numbered(name, "s", 31, &n)) {
		d->cls = RC_SIMD, d->idx = n, d->size = 4;
	} else if (numbered(name, "h", 31, &n)) {
		d->cls = RC_SIMD, d->idx = n, d->size = 2;
	} else if (numbered(name, "b", 31, &n)) {
		d->cls = RC_SIMD, d->idx = n, d->size = 1;
	} else if (!strcasecmp(name, "fp")) {
		d->cls = RC_CORE, d->idx = 29;
	} else if (!strcasecmp(name, "lr")) {
		d->cls = RC_CORE, d->idx = 30;
	} else if (!strcasecmp(name, "ip0") || !strcasecmp(name, "ip1")) {
		d->cls = RC_CORE, d->idx = name[2] == '0' ? 16 : 17;
	} else if (!strcasecmp(name, "sp")) {
		d->cls = RC_CORE, d->idx = REG_SP;
	} else if (!strcasecmp(name, "pc")) {
		d->cls = RC_CORE, d->idx = REG_PC;
	} else if (!strcasecmp(name, "cpsr") || !strcasecmp(name, "pstate")) {
		d->cls = RC_CORE, d->idx = REG_CPSR;
	} else if (!strcasecmp(name, "fpsr")) {
		d->cls = RC_FPSR, d->idx = 0;
	} else if (!strcasecmp(name, "fpcr")) {
		d->cls = RC_FPCR, d->idx = 0;
	} else {
		for (size_t i = 0; i < NSYS; i++)
			if (!strcasecmp(name, sys_regs[i].name)) {
				d->cls = RC_SYS, d->idx = sys_regs[i].reg;
				d->name = sys_regs[i].name;
				return true;
			}
		/* any other register of the API (the list above is what
		 * `info registers sys` shows) */
		unsigned enc;
		if (!sysreg_api_by_name(name, &enc))
			return false;
		d->cls = RC_SYS, d->idx = enc;
	}
	return true;
}

int reg_read(struct repl *r, const struct reg_desc *d, uint64_t *v)
{
	uint8_t q[16];
	int rc;
	switch (d->cls) {
	case RC_CORE:
		if (d->idx == REG_SP)
			return machine_get_sp(r->m, r->cur, v);
		return machine_get_reg(r->m, r->cur,
				       d->idx == REG_PC ? HV_REG_PC : d->idx == REG_CPSR ? HV_REG_CPSR
											: (hv_reg_t)(HV_REG_X0 + d->idx),
				       v);
	case RC_W:
		rc = machine_get_reg(r->m, r->cur, (hv_reg_t)(HV_REG_X0 + d->idx), v);
		*v &= 0xffffffffu;
		return rc;
	case RC_SIMD:
		rc = machine_get_simd(r->m, r->cur, d->idx, q);
		*v = 0;
		memcpy(v, q, d->size < 8 ? d->size : 8); /* the low bytes (little-endian host) */
		return rc;
	case RC_FPSR:
		return machine_get_reg(r->m, r->cur, HV_REG_FPSR, v);
	case RC_FPCR:
		return machine_get_reg(r->m, r->cur, HV_REG_FPCR, v);
	case RC_SYS:
		return machine_get_sys_reg(r->m, r->cur, (hv_sys_reg_t)d->idx, v);
	default:
		return MACHINE_ERR_ARG;
	}
}

int reg_write(struct repl *r, const struct reg_desc *d, uint64_t v)
{
	uint8_t q[16] = { 0 };
	switch (d->cls) {
	case RC_CORE:
		if (d->idx == REG_SP)
			return machine_set_sp(r->m, r->cur, v);
		return machine_set_reg(r->m, r->cur,
				       d->idx == REG_PC ? HV_REG_PC : d->idx == REG_CPSR ? HV_REG_CPSR
											: (hv_reg_t)(HV_REG_X0 + d->idx),
				       v);
	case RC_W: /* a W write zero-extends, as in the architecture */
		return machine_set_reg(r->m, r->cur, (hv_reg_t)(HV_REG_X0 + d->idx), v & 0xffffffffu);
	case RC_SIMD: { /* the view's bytes; the rest of the register stays */
		int rc = machine_get_simd(r->m, r->cur, d->idx, q);
		if (rc)
			return rc;
		memcpy(q, &v, d->size < 8 ? d->size : 8);
		return machine_set_simd(r->m, r->cur, d->idx, q);
	}
	case RC_FPSR:
		return machine_set_reg(r->m, r->cur, HV_REG_FPSR, v);
	case RC_FPCR:
		return machine_set_reg(r->m, r->cur, HV_REG_FPCR, v);
	case RC_SYS:
		return machine_set_sys_reg(r->m, r->cur, (hv_sys_reg_t)d->idx, v);
	default:
		return MACHINE_ERR_ARG;
	}
}

void reg_names(int (*fn)(void *ctx, const char *name), void *ctx)
{
	for (unsigned i = 0; i < REPL_NREGS; i++)
		if (fn(ctx, core_names[i]))
			return;
	static const char *const extra[] = { "fp", "lr", "fpsr", "fpcr" };
	for (size_t i = 0; i < sizeof(extra) / sizeof(extra[0]); i++)
		if (fn(ctx, extra[i]))
			return;
	char name[8];
	for (unsigned i = 0; i <= 30; i++) {
		snprintf(name, sizeof(name), "w%u", i);
		if (fn(ctx, name))
			return;
	}
	for (unsigned i = 0; i < 32; i++) {
		snprintf(name, sizeof(name), "q%u", i);
		if (fn(ctx, name))
			return;
	}
	for (size_t i = 0; i < NSYS; i++)
		if (fn(ctx, sys_regs[i].name))
			return;
}

void regs_snapshot(struct repl *r, unsigned vcpu)
{
	uint64_t regs[REPL_NREGS];
	if (vcpu >= MACHINE_MAX_VCPUS || machine_get_core_regs(r->m, vcpu, regs) != 0)
		return;
	if (r->have_now[vcpu])
		memcpy(r->prev[vcpu], r->now[vcpu], sizeof(regs));
	else
		memcpy(r->prev[vcpu], regs, sizeof(regs));
	memcpy(r->now[vcpu], regs, sizeof(regs));
	r->have_now[vcpu] = true;
}

/* "[ EL1h nzCv D A I F ]" */
static void cpsr_decode(uint64_t v, char *buf, size_t len)
{
	static const char *const modes[16] = {
		"EL0t", "?", "?", "?", "EL1t", "EL1h", "?", "?",
		"EL2t", "EL2h", "?", "?", "EL3t", "EL3h", "?", "?",
	};
	snprintf(buf, len, "[ %s %c%c%c%c%s%s%s%s%s%s ]", modes[v & 15],
		 (v >> 31) & 1 ? 'N' : 'n', (v >> 30) & 1 ? 'Z' : 'z', (v >> 29) & 1 ? 'C' : 'c',
		 (v >> 28) & 1 ? 'V' : 'v', (v >> 9) & 1 ? " D" : "", (v >> 8) & 1 ? " A" : "",
		 (v >> 7) & 1 ? " I" : "", (v >> 6) & 1 ? " F" : "", (v >> 21) & 1 ? " SS" : "",
		 (v >> 20) & 1 ? " IL" : "");
}

static void print_reg_line(struct repl *r, const char *name, uint64_t v, bool changed, const char *extra)
{
	printf("%s%-15s 0x%016llx%s  %s\n", changed ? repl_hl_on(r) : "", name,
	       (unsigned long long)v, changed ? repl_hl_off(r) : "", extra);
}

static void show_core(struct repl *r, unsigned i, const uint64_t *regs)
{
	char extra[160];
	const uint64_t *prev = r->have_now[r->cur] ? r->prev[r->cur] : regs;
	bool changed = regs[i] != prev[i];
	if (i == REG_CPSR) {
		cpsr_decode(regs[i], extra, sizeof(extra));
	} else if (i == REG_PC || i == 30 || i == REG_SP || i == 29) {
		char sym[128];
		elf_format_addr(r->img, regs[i], sym, sizeof(sym));
		if (sym[0] != '0')
			snprintf(extra, sizeof(extra), "<%s>", sym);
		else
			snprintf(extra, sizeof(extra), "%llu", (unsigned long long)regs[i]);
	} else {
		snprintf(extra, sizeof(extra), "%lld", (long long)regs[i]);
	}
	print_reg_line(r, reg_core_name(i), regs[i], changed, extra);
}

static void show_simd(struct repl *r, unsigned q)
{
	uint8_t b[16];
	if (machine_get_simd(r->m, r->cur, q, b) != 0) {
		printf("q%-14u <unavailable>\n", q);
		return;
	}
	uint64_t lo, hi;
	memcpy(&lo, b, 8);
	memcpy(&hi, b + 8, 8);
	char name[8], lanes[512];
	snprintf(name, sizeof(name), "q%u", q);
	simd_lanes_text(b, NULL, 0, lanes, sizeof(lanes));
	printf("%-15s 0x%016llx%016llx  %s\n", name, (unsigned long long)hi, (unsigned long long)lo, lanes);
}

static void show_sysregs(struct repl *r, const struct named_sysreg *list, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		uint64_t v;
		if (machine_get_sys_reg(r->m, r->cur, list[i].reg, &v) == 0)
			print_reg_line(r, list[i].name, v, false, "");
		else
			printf("%-15s <unavailable>\n", list[i].name);
	}
}

static int show_el2(struct repl *r)
{
	uint64_t v;
	if (machine_get_sys_reg(r->m, r->cur, HV_SYS_REG_HCR_EL2, &v) != 0)
		return repl_err(r, "no EL2 in this VM (hvdbg --el2 gives the guest one)");
	show_sysregs(r, el2_regs, sizeof(el2_regs) / sizeof(el2_regs[0]));
	return 0;
}

static void show_group(struct repl *r, bool core, bool fp, bool sys)
{
	uint64_t regs[REPL_NREGS];
	if (core) {
		if (machine_get_core_regs(r->m, r->cur, regs) != 0) {
			repl_err(r, "cannot read the registers of vCPU %u", r->cur);
			return;
		}
		for (unsigned i = 0; i < REPL_NREGS; i++)
			show_core(r, i, regs);
	}
	if (fp) {
		for (unsigned q = 0; q < 32; q++)
			show_simd(r, q);
		uint64_t v;
		if (machine_get_reg(r->m, r->cur, HV_REG_FPSR, &v) == 0)
			print_reg_line(r, "fpsr", v, false, "");
		if (machine_get_reg(r->m, r->cur, HV_REG_FPCR, &v) == 0)
			print_reg_line(r, "fpcr", v, false, "");
	}
	if (sys)
		show_sysregs(r, sys_regs, NSYS);
}

int cmd_info_registers(struct repl *r, char *args)
{
	if (machine_running(r->m))
		return repl_err(r, "the guest is running");
	args = skip_ws(args);
	if (!*args || !strcmp(args, "core") || !strcmp(args, "gp")) {
		show_group(r, true, false, false);
		return 0;
	}
	if (!strcmp(args, "fp") || !strcmp(args, "simd")) {
		show_group(r, false, true, false);
		return 0;
	}
	if (!strcmp(args, "sys")) {
		show_group(r, false, false, true);
		return 0;
	}
	if (!strcmp(args, "all")) {
		show_group(r, true, true, true);
		return 0;
	}
	if (!strcmp(args, "el2"))
		return show_el2(r);
	int rc = 0;
	for (char *tok = strtok(args, " \t"); tok; tok = strtok(NULL, " \t")) {
		if (*tok == '$')
			tok++;
		struct reg_desc d;
		uint64_t v;
		if (!reg_lookup(tok, &d)) {
			rc = repl_err(r, "invalid register '%s'", tok);
			continue;
		}
		if (d.cls == RC_CORE) {
			uint64_t regs[REPL_NREGS];
			if (machine_get_core_regs(r->m, r->cur, regs) == 0) {
				show_core(r, d.idx, regs);
				continue;
			}
		}
		if (d.cls == RC_SIMD && d.size == 16) {
			show_simd(r, d.idx);
			continue;
		}
		if (d.cls == RC_SIMD) { /* a scalar view: its bits and its value */
			uint8_t q[16];
			char text[64];
			if (machine_get_simd(r->m, r->cur, d.idx, q) != 0) {
				rc = repl_err(r, "cannot read %s", tok);
				continue;
			}
			uint64_t bits = 0;
			memcpy(&bits, q, d.size);
			if (d.size == 1)
				snprintf(text, sizeof(text), "%u", (unsigned)bits);
			else
				simd_scalar_text(q, d.size, text, sizeof(text));
			printf("%-15s 0x%0*llx%*s  %s\n", tok, (int)d.size * 2, (unsigned long long)bits,
			       (int)(16 - d.size * 2), "", text);
			continue;
		}
		if (reg_read(r, &d, &v) != 0) {
			rc = repl_err(r, "cannot read %s", tok);
			continue;
		}
		char extra[32];
		if (d.cls == RC_W) { /* 32 bits: eight digits, signed as int32 */
			snprintf(extra, sizeof(extra), "%d", (int32_t)(uint32_t)v);
			printf("%-15s 0x%08llx          %s\n", tok, (unsigned long long)(v & 0xffffffffu), extra);
			continue;
		}
		snprintf(extra, sizeof(extra), "%lld", (long long)v);
		print_reg_line(r, tok, v, false, extra);
	}
	return rc;
}

/* "*(u32*)expr" -> size 4, expr; "*expr" -> 8. */
static unsigned mem_lvalue(char **s)
{
	static const struct { const char *cast; unsigned size; } casts[] = {
		{ "(u8*)", 1 }, { "(u16*)", 2 }, { "(u32*)", 4 }, { "(u64*)", 8 },
		{ "(char*)", 1 }, { "(short*)", 2 }, { "(int*)", 4 }, { "(long*)", 8 },
	};
	char compact[16];
	size_t n = 0;
	const char *p = *s;
	while (*p && n + 1 < sizeof(compact) && *p != ')') {
		if (*p != ' ')
			compact[n++] = *p;
		p++;
	}
	if (*p == ')' && n + 1 < sizeof(compact))
		compact[n++] = ')', p++;
	compact[n] = 0;
	for (size_t i = 0; i < sizeof(casts) / sizeof(casts[0]); i++)
		if (!strcmp(compact, casts[i].cast)) {
			*s = (char *)p;
			return casts[i].size;
		}
	return 8;
}

/* set $reg = expr | set var $reg = expr | set *ADDR = expr | set color on|off
 * | set trace on|off */
int cmd_set(struct repl *r, const char *fmt, char *args)
{
	(void)fmt;
	char err[160];
	args = skip_ws(args);
	if (!strncmp(args, "var ", 4) || !strncmp(args, "variable ", 9))
		args = skip_ws(strchr(args, ' '));
	if (!strncmp(args, "color", 5) || !strncmp(args, "trace", 5)) {
		char *v = skip_ws(args + 5);
		bool on = !strcmp(v, "on") || !strcmp(v, "1");
		if (!on && strcmp(v, "off") && strcmp(v, "0"))
			return repl_err(r, "usage: set %.5s on|off", args);
		if (args[0] == 'c')
			r->color = on;
		else
			r->trace = on;
		return 0;
	}
	char *eq = strchr(args, '=');
	if (!eq || eq[1] == '=')
		return repl_err(r, "usage: set $REG = EXPR, set *ADDR = EXPR (see 'help set')");
	*eq = 0;
	char *lhs = args, *rhs = eq + 1;
	rstrip(lhs);
	uint64_t v;
	if (expr_eval(r, rhs, &v, err, sizeof(err)) != 0)
		return repl_err(r, "%s", err);
	if (lhs[0] == '$') {
		struct reg_desc d;
		if (!reg_lookup(lhs + 1, &d))
			return repl_err(r, "unknown register '%s'", lhs);
		int rc = reg_write(r, &d, v);
		if (rc != 0)
			return repl_err(r, "cannot set %s: %s", lhs, machine_strerror(rc));
		/* The user's own change is not the next stop's news: refresh the
		 * latest snapshot (prev stays: `info registers` still shows what
		 * the last stop changed). */
		uint64_t regs[REPL_NREGS];
		if (r->cur < MACHINE_MAX_VCPUS && r->have_now[r->cur] && machine_get_core_regs(r->m, r->cur, regs) == 0)
			memcpy(r->now[r->cur], regs, sizeof(regs));
		return 0;
	}
	if (lhs[0] == '*') {
		char *p = skip_ws(lhs + 1);
		unsigned size = mem_lvalue(&p);
		uint64_t addr;
		if (expr_eval(r, p, &addr, err, sizeof(err)) != 0)
			return repl_err(r, "%s", err);
		uint8_t b[8];
		for (unsigned i = 0; i < 8; i++)
			b[i] = (uint8_t)(v >> (8 * i));
		if (machine_write_virt(r->m, r->cur, addr, b, size) != (long)size)
			return repl_err(r, "cannot write memory at 0x%llx", (unsigned long long)addr);
		return 0;
	}
	return repl_err(r, "cannot assign to '%s': use $REG or *ADDR", lhs);
}
