/*
 * pagewalk_s2.c - the stage-2 walk of an EL2 guest's own hypervisor
 * (Arm ARM D8, VTCR_EL2/VTTBR_EL2), for the debugger: IPA -> PA with the
 * granule (TG0), input size (T0SZ), start level (SL0), concatenated
 * start tables, table/block/page descriptors, S2AP and XN.  Descriptors
 * are read through the callback, as in pagewalk.c.
 */
#include "pagewalk.h"
#include "outbuf.h"

#include <stdio.h>
#include <string.h>

static bool s2_fault(struct pagewalk_s2_result *r, const char *why, int level)
{
	snprintf(r->fault, sizeof(r->fault), "stage-2 %s, level %d", why, level);
	r->ok = false;
	return false;
}

/* Start level from SL0 and the granule (D8.2.7); -1: reserved. */
static int start_level(unsigned gbits, unsigned sl0)
{
	if (gbits == 12)
		return sl0 <= 2 ? 2 - (int)sl0 : -1;
	return sl0 <= 2 ? 3 - (int)sl0 : -1;
}

bool pagewalk_s2(const struct pagewalk_s2_regs *regs, uint64_t ipa, pagewalk_read_fn read, void *ctx,
		 struct pagewalk_s2_result *r)
{
	memset(r, 0, sizeof(*r));
	unsigned tg = (unsigned)(regs->vtcr >> 14) & 3;
	unsigned gbits = tg == 1 ? 16 : tg == 2 ? 14 : 12;
	unsigned t0sz = (unsigned)regs->vtcr & 0x3f;
	r->granule = 1u << gbits;
	r->input_bits = 64 - t0sz;
	int level = start_level(gbits, (unsigned)(regs->vtcr >> 6) & 3);
	if (level < 0 || r->input_bits > 48 || r->input_bits < 16) {
		snprintf(r->fault, sizeof(r->fault), "VTCR_EL2 0x%llx: reserved SL0/T0SZ combination",
			 (unsigned long long)regs->vtcr);
		return false;
	}
	if (ipa >> r->input_bits)
		return s2_fault(r, "translation fault (IPA beyond T0SZ)", level);
	unsigned stride = gbits - 3;
	uint64_t table = regs->vttbr & 0x0000fffffffffffeull & ~((1ull << gbits) - 1);
	for (;; level++) {
		unsigned shift = gbits + stride * (unsigned)(3 - level);
		/* The start level indexes everything above its shift: more
		 * entries than a table holds are concatenated tables. */
		uint64_t index = r->nlevels == 0 ? ipa >> shift : (ipa >> shift) & ((1ull << stride) - 1);
		struct pagewalk_level *L = &r->lv[r->nlevels++];
		L->level = level;
		L->table = table;
		L->index = index;
		L->desc_addr = table + 8 * index;
		uint64_t d = 0;
		if (!read(ctx, L->desc_addr, &d))
			return s2_fault(r, "table outside RAM", level);
		L->desc = d;
		if (!(d & 1)) {
			L->type = PW_INVALID;
			return s2_fault(r, "translation fault", level);
		}
		uint64_t oa = d & 0x0000fffffffff000ull & ~((1ull << gbits) - 1);
		if ((d & 2) && level < 3) {
			L->type = PW_TABLE;
			table = oa;
			if (r->nlevels == 4)
				return s2_fault(r, "translation fault (too many levels)", level);
			continue;
		}
		bool block_ok = gbits == 12 ? level == 1 || level == 2 : level == 2;
		if (level == 3 ? !(d & 2) : !block_ok) {
			L->type = PW_INVALID;
			return s2_fault(r, "translation fault (reserved descriptor)", level);
		}
		L->type = level == 3 ? PW_PAGE : PW_BLOCK;
		r->block_size = 1ull << shift;
		r->pa = (oa & ~(r->block_size - 1)) | (ipa & (r->block_size - 1));
		r->s2ap = (unsigned)(d >> 6) & 3;
		r->xn = (d >> 54) & 1;
		r->memattr = (unsigned)(d >> 2) & 0xf;
		if (!((d >> 10) & 1))
			return s2_fault(r, "access flag fault", level);
		r->ok = true;
		return true;
	}
}

const char *pagewalk_s2_format(const struct pagewalk_s2_result *r, uint64_t ipa, char *buf, size_t len)
{
	static const char *const s2ap[] = { "no access", "read-only", "write-only", "read/write" };
	size_t n = 0;
#define OUT(...) OUTBUF_APPEND(buf, len, n, __VA_ARGS__)
	if (len)
		buf[0] = 0;
	if (!r->granule || !r->nlevels) {
		OUT("stage 2, IPA 0x%llx: %s\n", (unsigned long long)ipa, r->fault);
		return buf;
	}
	OUT("stage 2 (VTTBR_EL2), IPA 0x%llx: %u KiB granule, %u-bit IPA\n", (unsigned long long)ipa,
	    r->granule / 1024, r->input_bits);
	for (int i = 0; i < r->nlevels; i++)
		n += pagewalk_format_level(&r->lv[i], buf + (n < len ? n : len), n < len ? len - n : 0);
	if (r->ok)
		OUT("  -> PA 0x%llx (%llu KiB %s), S2AP %s%s, MemAttr 0x%x (%s)\n", (unsigned long long)r->pa,
		    (unsigned long long)(r->block_size / 1024), r->lv[r->nlevels - 1].type == PW_PAGE ? "page" : "block",
		    s2ap[r->s2ap], r->xn ? ", XN" : "", r->memattr, (r->memattr >> 2) ? "Normal" : "Device");
	else
		OUT("  fault: %s (taken to the guest's EL2 with HPFAR_EL2)\n", r->fault);
#undef OUT
	return buf;
}
