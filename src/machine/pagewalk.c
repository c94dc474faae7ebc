/*
 * pagewalk.c - stage-1 walk for the debugger (Arm ARM D8,
 * AArch64.TranslationTableWalk): TTBR selection by VA bit 55 with the
 * TBI byte ignored, TnSZ input size, starting level from the granule,
 * table/block/page descriptors, 52-bit virtual and physical addresses
 * (FEAT_LVA/FEAT_LPA with 64 KiB pages, FEAT_LPA2 with TCR_EL1.DS: level
 * -1, OA[51:50] in descriptor bits [9:8]), and the effective
 * permissions (Arm ARM D8.4: hierarchical APTable/PXNTable/UXNTable, PXN
 * implied for EL0-writable regions, SCTLR_EL1.WXN).
 */
#include "pagewalk.h"
#include "outbuf.h"

#include <stdio.h>
#include <string.h>

#define TCR_EPD0 (1ull << 7)
#define TCR_EPD1 (1ull << 23)
#define TCR_TBI0 (1ull << 37)
#define TCR_TBI1 (1ull << 38)
#define TCR_DS (1ull << 59)
#define TCR_HPD0 (1ull << 41)
#define TCR_HPD1 (1ull << 42)
#define SCTLR_WXN (1ull << 19)
#define OA_MASK 0x0000fffffffff000ull /* descriptor output address [47:12] */

/* The output (or next table) address in a descriptor: [47:12], plus
 * [51:50] from bits [9:8] with DS, or [51:48] from bits [15:12] with
 * 64 KiB pages. */
static uint64_t desc_oa(uint64_t d, unsigned g, bool ds)
{
	if (ds)
		return (d & 0x0003fffffffff000ull) | ((d >> 8) & 3) << 50;
	if (g == 16)
		return (d & 0x0000ffffffff0000ull) | ((d >> 12) & 0xf) << 48;
	return d & OA_MASK;
}

/* The hierarchical controls of the table descriptors walked through:
 * where each was first set (-2: never). */
struct table_limits {
	int ap_el0, ap_ro, pxn, uxn;
};

/* "what: why", plus the table descriptor's level when level > -2. */
static void add_limit(struct pagewalk_result *r, const char *what, int level)
{
	if (r->nlimits == 6)
		return;
	char *out = r->limits[r->nlimits++];
	if (level > -2)
		snprintf(out, sizeof(r->limits[0]), "%s in the L%d table descriptor", what, level);
	else
		snprintf(out, sizeof(r->limits[0]), "%s", what);
}

/* Descriptor AP/XN, then each rule that takes something away (D8.4). */
static void effective_perms(struct pagewalk_result *r, const struct table_limits *t, bool wxn)
{
	bool ro = r->ap & 2, el0 = r->ap & 1;
	r->el1_w = !ro;
	r->el0_r = el0;
	r->el0_w = el0 && !ro;
	r->el1_x = !r->pxn;
	r->el0_x = !r->uxn;
	if (t->ap_ro != -2 && (r->el1_w || r->el0_w)) {
		r->el1_w = r->el0_w = false;
		add_limit(r, "no write at EL1 or EL0: APTable[1] (bit 62)", t->ap_ro);
	}
	if (t->ap_el0 != -2 && r->el0_r) {
		r->el0_r = r->el0_w = false;
		add_limit(r, "no EL0 data access: APTable[0] (bit 61)", t->ap_el0);
	}
	if (t->pxn != -2 && r->el1_x) {
		r->el1_x = false;
		add_limit(r, "no execute at EL1: PXNTable (bit 59)", t->pxn);
	}
	if (t->uxn != -2 && r->el0_x) {
		r->el0_x = false;
		add_limit(r, "no execute at EL0: UXNTable (bit 60)", t->uxn);
	}
	if (r->el0_w && r->el1_x) {
		r->el1_x = false;
		add_limit(r, "no execute at EL1: writable at EL0 implies PXN", -2);
	}
	if (wxn && (r->el1_w || r->el0_w) && (r->el1_x || r->el0_x)) {
		r->el1_x = r->el0_x = false;
		add_limit(r, "no execute: SCTLR_EL1.WXN makes writable regions execute-never", -2);
	}
}

static bool fault(struct pagewalk_result *r, const char *why, int level)
{
	if (level >= 0)
		snprintf(r->fault, sizeof(r->fault), "%s, level %d", why, level);
	else
		snprintf(r->fault, sizeof(r->fault), "%s", why);
	r->ok = false;
	return false;
}

/* TG0 and TG1 encode the granule differently. */
static unsigned granule_bits(uint64_t tcr, int ttbr)
{
	unsigned tg = ttbr ? (unsigned)(tcr >> 30) & 3 : (unsigned)(tcr >> 14) & 3;
	if (ttbr)
		return tg == 1 ? 14 : tg == 3 ? 16 : 12; /* 2 = 4K (1 16K, 3 64K) */
	return tg == 1 ? 16 : tg == 2 ? 14 : 12;         /* 0 = 4K */
}

bool pagewalk(const struct pagewalk_regs *regs, uint64_t va, pagewalk_read_fn read, void *ctx,
	      struct pagewalk_result *r)
{
	memset(r, 0, sizeof(*r));
	r->el2 = regs->el2;
	for (int i = 0; i < 5; i++)
		r->lv[i].level = -1;
	r->mmu_on = regs->sctlr & 1;
	if (!r->mmu_on) {
		r->ok = true;
		r->ipa = va;
		return true;
	}
	uint64_t tcr = regs->tcr;
	int ttbr = (va >> 55) & 1;
	r->ttbr = ttbr;
	unsigned tsz = (unsigned)(ttbr ? tcr >> 16 : tcr) & 63;
	bool tbi = (tcr & (ttbr ? TCR_TBI1 : TCR_TBI0)) != 0;
	if (tcr & (ttbr ? TCR_EPD1 : TCR_EPD0))
		return fault(r, ttbr ? "TTBR1 walks disabled (TCR_EL1.EPD1 = 1): translation fault, level 0"
				     : "TTBR0 walks disabled (TCR_EL1.EPD0 = 1): translation fault, level 0", -1);
	unsigned g = granule_bits(tcr, ttbr), stride = g - 3;
	bool ds = (tcr & TCR_DS) && g != 16;
	unsigned min_tsz = ds || g == 16 ? 12 : 16; /* 52-bit VAs: LPA2, or LVA with 64K */
	if (tsz < min_tsz)
		tsz = min_tsz;
	if (tsz > 39)
		tsz = 39;
	unsigned in = 64 - tsz;
	r->input_bits = in;
	r->granule = 1u << g;
	/* Bits [top:in] must all equal bit 55 (top = 55 with TBI, else 63). */
	unsigned top = tbi ? 55 : 63;
	uint64_t hi = va >> in, want = ttbr ? ~0ull : 0;
	uint64_t hmask = (top - in + 1 >= 64) ? ~0ull : ((1ull << (top - in + 1)) - 1);
	if ((hi & hmask) != (want & hmask))
		return fault(r, "address outside both TTBR ranges", 0);
	/* Levels: the last resolves g bits, each resolves stride bits. */
	int level = 3 - (int)((in - g - 1) / stride);
	struct table_limits lim = { -2, -2, -2, -2 };
	bool hpd = tcr & (ttbr ? TCR_HPD1 : TCR_HPD0);
	uint64_t tb = ttbr ? regs->ttbr1 : regs->ttbr0;
	uint64_t table = tb & 0x0000fffffffffffeull;
	if (ds || g == 16) /* 52-bit PA: BADDR[51:48] in TTBR bits [5:2] */
		table = (tb & 0x0000ffffffffffc0ull) | ((tb >> 2) & 0xf) << 48;
	for (;; level++) {
		unsigned shift = g + (unsigned)(3 - level) * stride;
		unsigned bits = (in - shift) < stride ? in - shift : stride;
		uint64_t idx = (va >> shift) & ((1ull << bits) - 1);
		if (r->nlevels == 5)
			return fault(r, "walk deeper than five levels", level);
		struct pagewalk_level *L = &r->lv[r->nlevels++];
		L->level = level;
		L->table = table & ~7ull;
		L->index = idx;
		L->desc_addr = L->table + idx * 8;
		if (!read(ctx, L->desc_addr, &L->desc))
			return fault(r, "descriptor not in RAM", level);
		uint64_t d = L->desc;
		if (!(d & 1)) {
			L->type = PW_INVALID;
			return fault(r, "translation fault (invalid descriptor)", level);
		}
		bool is_table = (d & 2) != 0;
		if (level == 3) {
			if (!is_table) {
				L->type = PW_INVALID;
				return fault(r, "translation fault (reserved level-3 descriptor)", level);
			}
			L->type = PW_PAGE;
		} else if (is_table) {
			L->type = PW_TABLE;
			table = desc_oa(d, g, ds) & ~((1ull << g) - 1);
			if (!hpd) {
				if ((d >> 61) & 1 && lim.ap_el0 == -2)
					lim.ap_el0 = level;
				if ((d >> 62) & 1 && lim.ap_ro == -2)
					lim.ap_ro = level;
				if ((d >> 59) & 1 && lim.pxn == -2)
					lim.pxn = level;
				if ((d >> 60) & 1 && lim.uxn == -2)
					lim.uxn = level;
			}
			continue;
		} else {
			/* Blocks: level 2 (all granules), level 1 (4K; 16K with
			 * DS), level 0 (4K with DS). */
			bool ok = level == 2 || (level == 1 && (g == 12 || (ds && g == 14))) ||
				  (level == 0 && ds && g == 12);
			if (!ok) {
				L->type = PW_INVALID;
				return fault(r, "translation fault (block not allowed here)", level);
			}
			L->type = PW_BLOCK;
		}
		uint64_t size = 1ull << shift;
		r->block_size = size;
		r->ipa = (desc_oa(d, g, ds) & ~(size - 1)) | (va & (size - 1));
		r->ap = (unsigned)(d >> 6) & 3;
		/* With DS the descriptor's SH bits are OA[51:50]: TCR's SH applies. */
		r->sh = ds ? (unsigned)(ttbr ? tcr >> 28 : tcr >> 12) & 3 : (unsigned)(d >> 8) & 3;
		r->attr_index = (unsigned)(d >> 2) & 7;
		r->af = (d >> 10) & 1;
		r->ng = (d >> 11) & 1;
		r->pxn = (d >> 53) & 1;
		r->uxn = (d >> 54) & 1;
		effective_perms(r, &lim, regs->sctlr & SCTLR_WXN);
		if (!r->af)
			fault(r, "access flag fault", level);
		else
			r->ok = true;
		return r->ok;
	}
}

static const char *type_name(enum pagewalk_desc_type t)
{
	switch (t) {
	case PW_TABLE: return "table";
	case PW_BLOCK: return "block";
	case PW_PAGE: return "page";
	default: return "invalid";
	}
}

size_t pagewalk_format_level(const struct pagewalk_level *L, char *buf, size_t len)
{
	int k = snprintf(buf, len, "  L%d: table 0x%llx [%llu] @0x%llx = 0x%016llx  %s\n", L->level,
			 (unsigned long long)L->table, (unsigned long long)L->index, (unsigned long long)L->desc_addr,
			 (unsigned long long)L->desc, type_name(L->type));
	return k < 0 ? 0 : (size_t)k;
}

const char *pagewalk_format(const struct pagewalk_result *r, uint64_t va, char *buf, size_t len)
{
	size_t n = 0;
#define OUT(...) OUTBUF_APPEND(buf, len, n, __VA_ARGS__)
	if (len)
		buf[0] = 0;
	if (!r->mmu_on) {
		OUT("MMU off (SCTLR_EL%d.M = 0): VA 0x%llx = IPA 0x%llx\n", r->el2 ? 2 : 1, (unsigned long long)va,
		    (unsigned long long)va);
		return buf;
	}
	if (!r->granule) { /* refused before any table was read */
		OUT("VA 0x%llx: TTBR%d: %s\n", (unsigned long long)va, r->ttbr, r->fault);
		return buf;
	}
	OUT("VA 0x%llx: TTBR%d, %u KiB granule, %u-bit input\n", (unsigned long long)va, r->ttbr,
	    r->granule / 1024, r->input_bits);
	for (int i = 0; i < r->nlevels; i++)
		n += pagewalk_format_level(&r->lv[i], buf + (n < len ? n : len), n < len ? len - n : 0);
	if (r->ok || r->block_size) {
		static const char *const ap[] = { "EL1 RW, EL0 none", "EL1 RW, EL0 RW",
						  "EL1 RO, EL0 none", "EL1 RO, EL0 RO" };
		OUT("  -> IPA 0x%llx (%llu KiB %s), %s%s%s, AttrIndx %u, SH %u%s%s\n",
		    (unsigned long long)r->ipa, (unsigned long long)(r->block_size / 1024),
		    r->lv[r->nlevels - 1].type == PW_PAGE ? "page" : "block", ap[r->ap & 3],
		    r->pxn ? ", PXN" : "", r->uxn ? ", UXN" : "", r->attr_index, r->sh,
		    r->af ? "" : ", AF=0", r->ng ? ", nG" : "");
		OUT("  effective: EL1 r%c%c, EL0 %c%c%c\n", r->el1_w ? 'w' : '-', r->el1_x ? 'x' : '-',
		    r->el0_r ? 'r' : '-', r->el0_w ? 'w' : '-', r->el0_x ? 'x' : '-');
		for (int i = 0; i < r->nlimits; i++)
			OUT("    %s\n", r->limits[i]);
	}
	if (!r->ok)
		OUT("  fault: %s\n", r->fault);
#undef OUT
	return buf;
}
