/*
 * sysreg_fields.c - `info sysreg NAME`: a system register's fields by
 * name with what each value means (Arm ARM D23/D24 register
 * descriptions), for the registers a student meets first: SCTLR_EL1,
 * TCR_EL1, MAIR_EL1, CPACR_EL1, SPSR_EL1/CPSR, MDSCR_EL1, the timer
 * controls, TTBRn_EL1, the main ID registers, and for EL2 guests the
 * guest hypervisor's HCR_EL2, VTCR_EL2, CPTR_EL2 and SPSR_EL2.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "repl_internal.h"

struct field {
	unsigned lsb, width;
	const char *name;
	const char *meaning; /* what a set bit (or the field) controls */
};

#define F(lsb, w, n, m) { lsb, w, n, m }
static const struct field sctlr[] = {
	F(0, 1, "M", "stage-1 MMU for EL1&0"), F(1, 1, "A", "alignment checking"),
	F(2, 1, "C", "data caches (cacheable memory types take effect)"), F(3, 1, "SA", "SP alignment check, EL1"),
	F(4, 1, "SA0", "SP alignment check, EL0"), F(12, 1, "I", "instruction caches"),
	F(19, 1, "WXN", "writable memory is execute-never"), F(23, 1, "SPAN", "1: PSTATE.PAN unchanged on exception entry"),
	F(9, 1, "UMA", "EL0 sets DAIF"), F(14, 1, "DZE", "EL0 DC ZVA allowed"), F(15, 1, "UCT", "EL0 reads CTR_EL0"),
	F(16, 1, "nTWI", "1: EL0 WFI not trapped"), F(18, 1, "nTWE", "1: EL0 WFE not trapped"),
	F(24, 1, "E0E", "EL0 data big-endian"), F(25, 1, "EE", "EL1 data and table walks big-endian"),
	F(26, 1, "UCI", "EL0 cache maintenance allowed"),
};
static const struct field tcr[] = {
	F(0, 6, "T0SZ", "TTBR0 region is 2^(64-T0SZ) bytes"), F(7, 1, "EPD0", "TTBR0 walks disabled"),
	F(8, 2, "IRGN0", "TTBR0 walk inner cacheability"), F(10, 2, "ORGN0", "TTBR0 walk outer cacheability"),
	F(12, 2, "SH0", "TTBR0 walk shareability"), F(14, 2, "TG0", "TTBR0 granule (0 4K, 1 64K, 2 16K)"),
	F(16, 6, "T1SZ", "TTBR1 region is 2^(64-T1SZ) bytes"), F(22, 1, "A1", "ASID from TTBR1 (else TTBR0)"),
	F(23, 1, "EPD1", "TTBR1 walks disabled"), F(30, 2, "TG1", "TTBR1 granule (1 16K, 2 4K, 3 64K)"),
	F(32, 3, "IPS", "output size (0 32, 1 36, 2 40, 3 42, 4 44, 5 48, 6 52 bits)"),
	F(36, 1, "AS", "16-bit ASIDs"), F(37, 1, "TBI0", "TTBR0 top byte ignored"), F(38, 1, "TBI1", "TTBR1 top byte ignored"),
	F(39, 1, "HA", "hardware access flag"), F(40, 1, "HD", "hardware dirty state"),
	F(41, 1, "HPD0", "TTBR0 hierarchical permissions off"), F(42, 1, "HPD1", "TTBR1 hierarchical permissions off"),
	F(59, 1, "DS", "52-bit addresses with 4K/16K (FEAT_LPA2)"),
};
static const struct field cpacr[] = {
	F(16, 2, "ZEN", "SVE: 0/2 trapped, 1 EL0 trapped, 3 not trapped"),
	F(20, 2, "FPEN", "FP/SIMD: 0/2 trapped, 1 EL0 trapped, 3 not trapped"),
	F(24, 2, "SMEN", "SME: as FPEN"), F(28, 1, "TTA", "trace register access trapped"),
};
static const struct field spsr[] = {
	F(0, 4, "M", "mode: 0 EL0t, 4 EL1t (SP_EL0), 5 EL1h (SP_EL1)"), F(4, 1, "M[4]", "AArch32"),
	F(6, 1, "F", "FIQ masked"), F(7, 1, "I", "IRQ masked"), F(8, 1, "A", "SError masked"),
	F(9, 1, "D", "debug exceptions masked"), F(20, 1, "IL", "illegal execution state"),
	F(21, 1, "SS", "software step"), F(22, 1, "PAN", "privileged access never"),
	F(28, 1, "V", "overflow"), F(29, 1, "C", "carry"), F(30, 1, "Z", "zero"), F(31, 1, "N", "negative"),
};
static const struct field mdscr[] = {
	F(0, 1, "SS", "software step enabled"), F(12, 1, "TDCC", "EL0 DCC access trapped"),
	F(13, 1, "KDE", "debug exceptions at the same EL (EL1)"), F(15, 1, "MDE", "breakpoints and watchpoints enabled"),
};
static const struct field timer_ctl[] = {
	F(0, 1, "ENABLE", "timer enabled"), F(1, 1, "IMASK", "interrupt masked"),
	F(2, 1, "ISTATUS", "condition met (read-only)"),
};
static const struct field ttbr[] = {
	F(0, 1, "CnP", "common not private"), F(1, 47, "BADDR", "table base address (bits [47:1])"),
	F(48, 16, "ASID", "address space identifier"),
};
static const struct field pfr0[] = {
	F(0, 4, "EL0", "1 AArch64, 2 and AArch32"), F(4, 4, "EL1", "1 AArch64, 2 and AArch32"),
	F(8, 4, "EL2", "0 none, 1 AArch64"), F(12, 4, "EL3", "0 none, 1 AArch64"),
	F(16, 4, "FP", "0 FP, 1 +FP16, 15 none"), F(20, 4, "AdvSIMD", "0 SIMD, 1 +FP16, 15 none"),
	F(24, 4, "GIC", "1 GICv3 system registers"), F(28, 4, "RAS", "RAS extension"),
	F(32, 4, "SVE", "1 SVE"), F(56, 4, "CSV2", "branch target speculation safe"),
	F(60, 4, "CSV3", "faulting loads safe from speculation"),
};
static const struct field mmfr0[] = {
	F(0, 4, "PARange", "0 32, 1 36, 2 40, 3 42, 4 44, 5 48, 6 52 bits"), F(4, 4, "ASIDBits", "0 8, 2 16 bits"),
	F(20, 4, "TGran16", "16K granule: 1 yes, 2 52-bit"), F(24, 4, "TGran64", "64K granule: 0 yes, 15 no"),
	F(28, 4, "TGran4", "4K granule: 0 yes, 1 52-bit, 15 no"),
};
static const struct field isar0[] = {
	F(4, 4, "AES", "1 AES, 2 +PMULL"), F(8, 4, "SHA1", "SHA1"), F(12, 4, "SHA2", "1 SHA256, 2 +SHA512"),
	F(16, 4, "CRC32", "CRC32"), F(20, 4, "Atomic", "2 LSE atomics"), F(28, 4, "RDM", "SQRDMLAH"),
	F(44, 4, "DP", "dot product"), F(60, 4, "RNDR", "random numbers"),
};
static const struct field dfr0[] = {
	F(0, 4, "DebugVer", "6 v8, 8 v8.2, 9 v8.4"), F(12, 4, "BRPs", "breakpoints - 1"),
	F(20, 4, "WRPs", "watchpoints - 1"), F(28, 4, "CTX_CMPs", "context-aware breakpoints - 1"),
	F(8, 4, "PMUVer", "PMU version"),
};
static const struct field hcr[] = {
	F(0, 1, "VM", "stage 2 for EL1&0 (VTTBR_EL2)"), F(1, 1, "SWIO", "set/way invalidate as clean+invalidate"),
	F(3, 1, "FMO", "FIQs to EL2; EL1 gets virtual FIQs"), F(4, 1, "IMO", "IRQs to EL2; EL1 gets virtual IRQs"),
	F(5, 1, "AMO", "SErrors to EL2; EL1 gets virtual SErrors"), F(6, 1, "VF", "virtual FIQ pending"),
	F(7, 1, "VI", "virtual IRQ pending"), F(8, 1, "VSE", "virtual SError pending"),
	F(12, 1, "DC", "EL1&0 stage 1 off, memory Normal"), F(13, 1, "TWI", "WFI at EL0/EL1 traps"),
	F(14, 1, "TWE", "WFE at EL0/EL1 traps"), F(16, 1, "TID1", "REVIDR/AIDR reads trap"),
	F(17, 1, "TID2", "CTR/CCSIDR/CLIDR/CSSELR trap"), F(18, 1, "TID3", "ID register reads trap"),
	F(19, 1, "TSC", "SMC traps"), F(20, 1, "TIDCP", "IMPLEMENTATION DEFINED registers trap"),
	F(21, 1, "TACR", "ACTLR_EL1 traps"), F(22, 1, "TSW", "DC set/way traps"),
	F(23, 1, "TPCP", "DC to the point of coherency traps"), F(24, 1, "TPU", "IC/DC to the point of unification trap"),
	F(25, 1, "TTLB", "TLBI at EL1 traps"), F(26, 1, "TVM", "writes of the EL1 MMU registers trap"),
	F(27, 1, "TGE", "EL0 runs under EL2 (the host's own processes)"), F(28, 1, "TDZ", "DC ZVA traps"),
	F(29, 1, "HCD", "HVC undefined"), F(30, 1, "TRVM", "reads of the EL1 MMU registers trap"),
	F(31, 1, "RW", "EL1 is AArch64"), F(34, 1, "E2H", "VHE: EL2 with the EL1 layouts, the EL2&0 regime"),
};
static const struct field vtcr[] = {
	F(0, 6, "T0SZ", "IPA space is 2^(64-T0SZ) bytes"), F(6, 2, "SL0", "start level (4K: 0 L2, 1 L1, 2 L0)"),
	F(8, 2, "IRGN0", "walk inner cacheability"), F(10, 2, "ORGN0", "walk outer cacheability"),
	F(12, 2, "SH0", "walk shareability"), F(14, 2, "TG0", "granule (0 4K, 1 64K, 2 16K)"),
	F(16, 3, "PS", "output size (0 32, 1 36, 2 40 bits, ...)"),
};
static const struct field cptr[] = {
	F(10, 1, "TFP", "FP/SIMD at every EL traps to EL2"), F(20, 1, "TTA", "trace register access traps"),
	F(31, 1, "TCPAC", "CPACR_EL1 accesses from EL1 trap"),
};
static const struct field spsr2[] = {
	F(0, 4, "M", "mode: 0 EL0t, 4 EL1t, 5 EL1h, 8 EL2t, 9 EL2h"), F(4, 1, "M[4]", "AArch32"),
	F(6, 1, "F", "FIQ masked"), F(7, 1, "I", "IRQ masked"), F(8, 1, "A", "SError masked"),
	F(9, 1, "D", "debug exceptions masked"), F(20, 1, "IL", "illegal execution state"),
	F(21, 1, "SS", "software step"), F(22, 1, "PAN", "privileged access never"),
	F(28, 1, "V", "overflow"), F(29, 1, "C", "carry"), F(30, 1, "Z", "zero"), F(31, 1, "N", "negative"),
};

static const struct {
	const char *name;
	const struct field *f;
	size_t n;
} regs[] = {
#define R(n, t) { n, t, sizeof(t) / sizeof(t[0]) }
	R("sctlr_el1", sctlr), R("tcr_el1", tcr), R("cpacr_el1", cpacr), R("spsr_el1", spsr), R("cpsr", spsr),
	R("mdscr_el1", mdscr), R("cntv_ctl_el0", timer_ctl), R("cntp_ctl_el0", timer_ctl), R("ttbr0_el1", ttbr),
	R("ttbr1_el1", ttbr), R("id_aa64pfr0_el1", pfr0), R("id_aa64mmfr0_el1", mmfr0),
	R("id_aa64isar0_el1", isar0), R("id_aa64dfr0_el1", dfr0), { "mair_el1", NULL, 0 },
	R("hcr_el2", hcr), R("vtcr_el2", vtcr), R("cptr_el2", cptr), R("spsr_el2", spsr2), { "mair_el2", NULL, 0 },
#undef R
};

/* MAIR: eight attribute bytes, each decoded. */
static void mair(uint64_t v)
{
	for (unsigned i = 0; i < 8; i++) {
		unsigned a = (unsigned)(v >> (8 * i)) & 0xff;
		const char *what = a == 0x00 ? "Device-nGnRnE" : a == 0x04 ? "Device-nGnRE" : a == 0x08 ? "Device-nGRE"
				 : a == 0x0c ? "Device-GRE" : a == 0xff ? "Normal, write-back (inner and outer)"
				 : a == 0x44 ? "Normal, non-cacheable" : a == 0xbb ? "Normal, write-through"
				 : (a & 0xf0) == 0 ? "Device (other)" : "Normal (other cacheability)";
		printf("  Attr%u  [%2u:%2u]  0x%02x  %s\n", i, 8 * i + 7, 8 * i, a, what);
	}
}

static void decode(const char *name, uint64_t v, const struct field *f, size_t n)
{
	printf("%s = 0x%016llx\n", name, (unsigned long long)v);
	if (!f) {
		mair(v);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		uint64_t mask = f[i].width >= 64 ? ~0ull : (1ull << f[i].width) - 1;
		uint64_t x = (v >> f[i].lsb) & mask;
		char bits[16];
		if (f[i].width == 1)
			snprintf(bits, sizeof(bits), "[%u]", f[i].lsb);
		else
			snprintf(bits, sizeof(bits), "[%u:%u]", f[i].lsb + f[i].width - 1, f[i].lsb);
		char val[40];
		if (f[i].width == 1)
			snprintf(val, sizeof(val), "%llu", (unsigned long long)x);
		else
			snprintf(val, sizeof(val), "0x%llx (%llu)", (unsigned long long)x, (unsigned long long)x);
		printf("  %-8s %-8s %-12s %s\n", f[i].name, bits, val, f[i].meaning);
	}
}

int info_sysreg(struct repl *r, char *args)
{
	args = skip_ws(args);
	rstrip(args);
	if (*args == '$')
		args++;
	if (!*args) {
		printf("info sysreg NAME decodes:");
		for (size_t i = 0; i < sizeof(regs) / sizeof(regs[0]); i++)
			printf(" %s", regs[i].name);
		printf("\n");
		return 0;
	}
	for (size_t i = 0; i < sizeof(regs) / sizeof(regs[0]); i++) {
		if (strcasecmp(args, regs[i].name))
			continue;
		struct reg_desc d;
		uint64_t v;
		if (!reg_lookup(regs[i].name, &d) || reg_read(r, &d, &v) != 0)
			return repl_err(r, "cannot read %s", regs[i].name);
		decode(regs[i].name, v, regs[i].f, regs[i].n);
		return 0;
	}
	return repl_err(r, "no field table for '%s' ('info sysreg' lists them; 'explain' decodes ESR values)", args);
}
