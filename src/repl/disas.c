/*
 * disas.c - AArch64 disassembly with capstone (CS_ARCH_ARM64, capstone 4;
 * capstone 6 renamed it CS_ARCH_AARCH64, hence the shim), branch/literal
 * targets annotated with <symbol+off> (computed from the encoding, which
 * is exact), and the `disassemble` command.
 */
#include <capstone/capstone.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "repl_internal.h"

#if defined(CS_ARCH_AARCH64) && !defined(CS_ARCH_ARM64)
#define HV_CS_ARCH CS_ARCH_AARCH64
#else
#define HV_CS_ARCH CS_ARCH_ARM64
#endif

static csh g_cs;
static bool g_cs_ok;

bool disas_init(void)
{
	if (!g_cs_ok && cs_open(HV_CS_ARCH, CS_MODE_LITTLE_ENDIAN, &g_cs) == CS_ERR_OK)
		g_cs_ok = true;
	return g_cs_ok;
}

void disas_fini(void)
{
	if (g_cs_ok)
		cs_close(&g_cs);
	g_cs_ok = false;
}

static int64_t sext(uint64_t v, unsigned bits)
{
	uint64_t m = 1ull << (bits - 1);
	return (int64_t)((v ^ m) - m);
}

/* PC-relative targets: B/BL, B.cond, CBZ/CBNZ, TBZ/TBNZ, ADR/ADRP, LDR literal. */
static bool insn_target(uint64_t pc, uint32_t insn, uint64_t *t)
{
	if ((insn & 0x7c000000u) == 0x14000000u) {
		*t = pc + (uint64_t)(sext(insn & 0x3ffffff, 26) * 4);
	} else if ((insn & 0xff000010u) == 0x54000000u || (insn & 0x7e000000u) == 0x34000000u ||
		   (insn & 0x3b000000u) == 0x18000000u) {
		*t = pc + (uint64_t)(sext((insn >> 5) & 0x7ffff, 19) * 4);
	} else if ((insn & 0x7e000000u) == 0x36000000u) {
		*t = pc + (uint64_t)(sext((insn >> 5) & 0x3fff, 14) * 4);
	} else if ((insn & 0x1f000000u) == 0x10000000u) {
		uint64_t imm = ((uint64_t)((insn >> 5) & 0x7ffff) << 2) | ((insn >> 29) & 3);
		if (insn & 0x80000000u) /* ADRP */
			*t = (pc & ~0xfffull) + (uint64_t)(sext(imm, 21) * 4096);
		else
			*t = pc + (uint64_t)sext(imm, 21);
	} else {
		return false;
	}
	return true;
}

bool disas_one(struct repl *r, uint64_t addr, uint32_t insn, char *buf, size_t len)
{
	uint8_t code[4];
	cs_insn *ci = NULL;
	for (unsigned i = 0; i < 4; i++)
		code[i] = (uint8_t)(insn >> (8 * i));
	size_t n = g_cs_ok ? cs_disasm(g_cs, code, 4, addr, 1, &ci) : 0;
	if (n == 0) {
		snprintf(buf, len, ".inst\t0x%08x%s", insn, g_cs_ok ? " ; undefined" : "");
		return false;
	}
	int k = snprintf(buf, len, "%s\t%s", ci[0].mnemonic, ci[0].op_str);
	cs_free(ci, n);
	uint64_t t;
	if (k > 0 && (size_t)k < len && insn_target(addr, insn, &t)) {
		char sym[128];
		elf_format_addr(r->img, t, sym, sizeof(sym));
		if (sym[0] != '0') /* a symbol name, not a bare address */
			snprintf(buf + k, len - (size_t)k, " <%s>", sym);
	}
	return true;
}

void disas_print(struct repl *r, uint64_t addr, unsigned n)
{
	uint64_t pc = 0;
	bool have_pc = machine_get_reg(r->m, r->cur, HV_REG_PC, &pc) == 0;
	for (unsigned i = 0; i < n; i++, addr += 4) {
		uint32_t insn;
		char text[192], sym[128], loc[144];
		if (machine_read_virt(r->m, r->cur, addr, &insn, 4) != 4) {
			printf("   0x%016llx:\tcannot access memory\n", (unsigned long long)addr);
			break;
		}
		disas_one(r, addr, insn, text, sizeof(text));
		elf_format_addr(r->img, addr, sym, sizeof(sym));
		if (sym[0] != '0')
			snprintf(loc, sizeof(loc), " <%s>", sym);
		else
			loc[0] = 0;
		bool at_pc = have_pc && addr == pc;
		struct repl_bp *b = bp_at(r, addr);
		printf("%s%c 0x%016llx%s:\t%08x\t%s%s\n", at_pc ? "=>" : "  ", b ? '*' : ' ',
		       (unsigned long long)addr, loc, insn, text, "");
	}
	r->disas_next = addr;
	r->disas_valid = true;
}

/* disassemble [LOC [COUNT]]: the function around LOC (or pc) when the
 * symbol has a size, else COUNT (16) instructions. */
int cmd_disassemble(struct repl *r, const char *fmt, char *args)
{
	(void)fmt;
	char err[160];
	uint64_t addr, count = 0;
	args = skip_ws(args);
	rstrip(args);
	bool explicit = *args != 0;
	if (!explicit) {
		if (machine_get_reg(r->m, r->cur, HV_REG_PC, &addr) != 0)
			return repl_err(r, "cannot read pc");
	} else {
		/* a trailing number after a space is the count */
		char *sp = strrchr(args, ' ');
		if (sp) {
			char *end;
			unsigned long long c = strtoull(sp + 1, &end, 0);
			if (*end == 0 && end != sp + 1) {
				count = c;
				*sp = 0;
				rstrip(args);
			}
		}
		if (expr_location(r, args, &addr, err, sizeof(err)) != 0)
			return repl_err(r, "%s", err);
	}
	if (count > 4096)
		count = 4096;
	uint64_t off;
	const struct elf_symbol *s = r->img ? elf_sym_by_addr(r->img, addr, &off) : NULL;
	if (!count && s && s->size && s->size / 4 <= 1024) {
		printf("Dump of assembler code for function %s:\n", s->name);
		disas_print(r, s->addr, (unsigned)(s->size / 4));
		printf("End of assembler dump.\n");
		return 0;
	}
	disas_print(r, addr & ~3ull, count ? (unsigned)count : 16);
	return 0;
}
