/*
 * gic_regs.c - the per-INTID register arrays (IGROUPR, IS/ICENABLER,
 * IS/ICPENDR, IS/ICACTIVER: one bit per INTID; IPRIORITYR: one byte;
 * ICFGR: two bits), shared by the distributor and the redistributors'
 * SGI frames.  The caller holds the GIC lock and updates the outputs.
 */
#include "gic.h"

static bool field_get(const struct gic_irq *q, enum gic_field f)
{
	switch (f) {
	case GF_GROUP: return q->group1;
	case GF_ENABLE: return q->enabled;
	case GF_PEND: return gic_irq_pending(q);
	case GF_ACTIVE: return q->active;
	}
	return false;
}

static void field_set(struct gic_irq *q, enum gic_field f, bool v)
{
	switch (f) {
	case GF_GROUP: q->group1 = v; break;
	case GF_ENABLE: q->enabled = v; break;
	case GF_PEND: q->latch = v; break; /* ICPENDR does not lower a line */
	case GF_ACTIVE: q->active = v; break;
	}
}

uint32_t gic_bits_read(gic_irq_at at, void *ctx, unsigned first, enum gic_field f)
{
	uint32_t v = 0;
	for (unsigned i = 0; i < 32; i++) {
		const struct gic_irq *q = at(ctx, first + i);
		if (q && field_get(q, f))
			v |= 1u << i;
	}
	return v;
}

void gic_bits_write(gic_irq_at at, void *ctx, unsigned first, enum gic_field f, uint32_t v,
		    enum gic_bits_op op)
{
	for (unsigned i = 0; i < 32; i++) {
		struct gic_irq *q = at(ctx, first + i);
		bool bit = (v >> i) & 1;
		if (!q || (op != GB_ASSIGN && !bit))
			continue;
		field_set(q, f, op == GB_ASSIGN ? bit : op == GB_SET);
	}
}

uint64_t gic_prio_read(gic_irq_at at, void *ctx, unsigned first, unsigned n)
{
	uint64_t v = 0;
	for (unsigned i = 0; i < n; i++) {
		const struct gic_irq *q = at(ctx, first + i);
		if (q)
			v |= (uint64_t)q->prio << (8 * i);
	}
	return v;
}

void gic_prio_write(gic_irq_at at, void *ctx, unsigned first, unsigned n, uint64_t v)
{
	for (unsigned i = 0; i < n; i++) {
		struct gic_irq *q = at(ctx, first + i);
		if (q)
			q->prio = (uint8_t)(v >> (8 * i)) & GIC_PRIO_MASK;
	}
}

/* Two bits per INTID; bit 1 of each = edge-triggered.  SGIs are always
 * edge (read-only). */
uint32_t gic_cfg_read(gic_irq_at at, void *ctx, unsigned first)
{
	uint32_t v = 0;
	for (unsigned i = 0; i < 16; i++) {
		const struct gic_irq *q = at(ctx, first + i);
		if (q && q->edge)
			v |= 2u << (2 * i);
	}
	return v;
}

void gic_cfg_write(gic_irq_at at, void *ctx, unsigned first, uint32_t v)
{
	for (unsigned i = 0; i < 16; i++) {
		struct gic_irq *q = at(ctx, first + i);
		if (q && first + i >= 16)
			q->edge = (v >> (2 * i + 1)) & 1;
	}
}

/* Which 1-bit array an offset falls in (each is 0x80 bytes: 1024 INTIDs). */
static bool bit_array(uint64_t off, enum gic_field *f, enum gic_bits_op *op)
{
	switch (off & ~0x7full) {
	case GIC_IGROUPR: *f = GF_GROUP; *op = GB_ASSIGN; return true;
	case GIC_ISENABLER: *f = GF_ENABLE; *op = GB_SET; return true;
	case GIC_ICENABLER: *f = GF_ENABLE; *op = GB_CLEAR; return true;
	case GIC_ISPENDR: *f = GF_PEND; *op = GB_SET; return true;
	case GIC_ICPENDR: *f = GF_PEND; *op = GB_CLEAR; return true;
	case GIC_ISACTIVER: *f = GF_ACTIVE; *op = GB_SET; return true;
	case GIC_ICACTIVER: *f = GF_ACTIVE; *op = GB_CLEAR; return true;
	default: return false;
	}
}

bool gic_array_read(gic_irq_at at, void *ctx, uint64_t off, unsigned size, uint64_t *value)
{
	enum gic_field f;
	enum gic_bits_op op;
	if (off >= GIC_IPRIORITYR && off < GIC_IPRIORITYR + GIC_NR_INTIDS) {
		unsigned first = (unsigned)(off - GIC_IPRIORITYR);
		*value = gic_prio_read(at, ctx, first, size > 8 ? 8 : size);
		return true;
	}
	if (size != 4 || (off & 3))
		return false;
	if (off >= GIC_ICFGR && off < GIC_ICFGR + 0x100) {
		*value = gic_cfg_read(at, ctx, (unsigned)(off - GIC_ICFGR) * 4);
		return true;
	}
	if (off >= GIC_IGROUPR && off < GIC_IPRIORITYR && bit_array(off, &f, &op)) {
		*value = gic_bits_read(at, ctx, (unsigned)(off & 0x7f) * 8, f);
		return true;
	}
	return false;
}

bool gic_array_write(gic_irq_at at, void *ctx, uint64_t off, unsigned size, uint64_t value)
{
	enum gic_field f;
	enum gic_bits_op op;
	if (off >= GIC_IPRIORITYR && off < GIC_IPRIORITYR + GIC_NR_INTIDS) {
		gic_prio_write(at, ctx, (unsigned)(off - GIC_IPRIORITYR), size > 8 ? 8 : size, value);
		return true;
	}
	if (size != 4 || (off & 3))
		return false;
	if (off >= GIC_ICFGR && off < GIC_ICFGR + 0x100) {
		gic_cfg_write(at, ctx, (unsigned)(off - GIC_ICFGR) * 4, (uint32_t)value);
		return true;
	}
	if (off >= GIC_IGROUPR && off < GIC_IPRIORITYR && bit_array(off, &f, &op)) {
		gic_bits_write(at, ctx, (unsigned)(off & 0x7f) * 8, f, (uint32_t)value, op);
		return true;
	}
	return false;
}
