/*
 * gic_redist.c - a vCPU's redistributor (GICv3 12.10/12.11): the RD frame
 * (CTLR, TYPER with its affinity and Last, WAKER) and the SGI frame at
 * +0x10000 (the SGI/PPI register arrays).  No LPIs.
 */
#include "gic.h"

#define GICR_CTLR 0x0000
#define GICR_IIDR 0x0004
#define GICR_TYPER 0x0008
#define GICR_WAKER 0x0014
#define GICR_SGI 0x10000
#define WAKER_PROCESSOR_SLEEP (1u << 1)
#define WAKER_CHILDREN_ASLEEP (1u << 2)

static struct gic_irq *priv_at(void *ctx, unsigned intid)
{
	struct gic_cpu *c = ctx;
	return intid < GIC_NR_PRIV ? &c->priv[intid] : NULL;
}

/* The highest vCPU id has the last redistributor of the region. */
static bool is_last(const struct gic_cpu *c)
{
	for (unsigned i = c->id + 1; i < GIC_MAX_CPUS; i++)
		if (c->gic->cpus[i])
			return false;
	return true;
}

static uint64_t typer(const struct gic_cpu *c)
{
	uint64_t m = c->mpidr;
	uint64_t aff = (m & 0xffffff) | ((m >> 32) & 0xff) << 24;
	return aff << 32 | (uint64_t)c->id << 8 | (is_last(c) ? 1u << 4 : 0);
}

bool gic_redist_read(struct gic_cpu *c, uint64_t off, unsigned size, uint64_t *value)
{
	*value = 0;
	if (off >= GICR_SGI) {
		gic_array_read(priv_at, c, off - GICR_SGI, size, value); /* else RAZ */
		return true;
	}
	switch (off) {
	case GICR_TYPER: *value = size == 8 ? typer(c) : (uint32_t)typer(c); break;
	case GICR_TYPER + 4: *value = typer(c) >> 32; break;
	case GICR_WAKER:
		*value = c->waker & WAKER_PROCESSOR_SLEEP ? WAKER_PROCESSOR_SLEEP | WAKER_CHILDREN_ASLEEP : 0;
		break;
	case GIC_PIDR2: *value = GIC_PIDR2_V3; break;
	default: break; /* CTLR (no LPIs), IIDR, STATUSR: RAZ */
	}
	return true;
}

bool gic_redist_write(struct gic_cpu *c, uint64_t off, unsigned size, uint64_t value)
{
	if (off >= GICR_SGI)
		gic_array_write(priv_at, c, off - GICR_SGI, size, value);
	else if (off == GICR_WAKER)
		c->waker = (uint32_t)value & WAKER_PROCESSOR_SLEEP;
	gic_update_locked(c->gic);
	return true;
}
