/*
 * gic_state.c - the hv_gic_state blob: a versioned snapshot of the
 * distributor and every redistributor (CPU interface registers are
 * saved separately through hv_gic_get_icc_reg, as on macOS).  Layout,
 * little-endian: magic, version, vCPU count, size; then GICD_CTLR, per
 * SPI a priority byte, a flags byte and IROUTER; then per vCPU (by id)
 * its id, GICR_WAKER and per SGI/PPI a priority and a flags byte.
 */
#include <string.h>

#include "gic.h"

#define STATE_MAGIC 0x53475648u /* "HVGS" */
#define STATE_VERSION 1u
#define HDR_SIZE 16u
#define SPI_REC 10u  /* prio, flags, irouter (8) */
#define CPU_HDR 8u   /* id, waker */
#define PRIV_REC 2u  /* prio, flags */

static unsigned present(const struct gic *g)
{
	unsigned n = 0;
	for (unsigned i = 0; i < GIC_MAX_CPUS; i++)
		n += g->cpus[i] != NULL;
	return n;
}

static size_t size_for(unsigned ncpus)
{
	return HDR_SIZE + 4 + (size_t)GIC_NR_SPIS * SPI_REC + ncpus * (CPU_HDR + GIC_NR_PRIV * PRIV_REC);
}

size_t gic_state_size(const struct gic *g)
{
	return size_for(present(g));
}

static uint8_t flags_of(const struct gic_irq *q)
{
	return (uint8_t)(q->group1 | q->enabled << 1 | q->latch << 2 | q->level << 3 | q->active << 4 |
			 q->edge << 5);
}

static void set_flags(struct gic_irq *q, uint8_t f)
{
	q->group1 = f & 1;
	q->enabled = (f >> 1) & 1;
	q->latch = (f >> 2) & 1;
	q->level = (f >> 3) & 1;
	q->active = (f >> 4) & 1;
	q->edge = (f >> 5) & 1;
}

static void put32(uint8_t **p, uint32_t v)
{
	memcpy(*p, &v, 4);
	*p += 4;
}

static uint32_t get32(const uint8_t **p)
{
	uint32_t v;
	memcpy(&v, *p, 4);
	*p += 4;
	return v;
}

void gic_state_save(struct gic *g, void *buf)
{
	pthread_mutex_lock(&g->lock);
	unsigned n = present(g);
	uint8_t *p = buf;
	put32(&p, STATE_MAGIC);
	put32(&p, STATE_VERSION);
	put32(&p, n);
	put32(&p, (uint32_t)size_for(n));
	put32(&p, g->ctlr);
	for (unsigned s = 0; s < GIC_NR_SPIS; s++) {
		*p++ = g->spi[s].prio;
		*p++ = flags_of(&g->spi[s]);
		memcpy(p, &g->irouter[s], 8);
		p += 8;
	}
	for (unsigned i = 0; i < GIC_MAX_CPUS; i++) {
		const struct gic_cpu *c = g->cpus[i];
		if (!c)
			continue;
		put32(&p, c->id);
		put32(&p, c->waker);
		for (unsigned k = 0; k < GIC_NR_PRIV; k++) {
			*p++ = c->priv[k].prio;
			*p++ = flags_of(&c->priv[k]);
		}
	}
	pthread_mutex_unlock(&g->lock);
}

/* Validates everything before changing anything. */
bool gic_state_restore(struct gic *g, const void *buf, size_t size)
{
	const uint8_t *p = buf;
	bool ok = false;
	pthread_mutex_lock(&g->lock);
	unsigned n = present(g);
	if (size != size_for(n) || get32(&p) != STATE_MAGIC || get32(&p) != STATE_VERSION ||
	    get32(&p) != n || get32(&p) != size)
		goto out;
	const uint8_t *cpus = p + 4 + (size_t)GIC_NR_SPIS * SPI_REC;
	for (unsigned i = 0, k = 0; i < GIC_MAX_CPUS; i++) {
		if (!g->cpus[i])
			continue;
		uint32_t id;
		memcpy(&id, cpus + (size_t)k++ * (CPU_HDR + GIC_NR_PRIV * PRIV_REC), 4);
		if (id != i)
			goto out; /* a different set of vCPUs */
	}
	g->ctlr = get32(&p) & 3;
	for (unsigned s = 0; s < GIC_NR_SPIS; s++) {
		g->spi[s].prio = *p++ & GIC_PRIO_MASK;
		set_flags(&g->spi[s], *p++);
		memcpy(&g->irouter[s], p, 8);
		g->irouter[s] &= 0xff80ffffffull;
		p += 8;
	}
	for (unsigned i = 0; i < GIC_MAX_CPUS; i++) {
		struct gic_cpu *c = g->cpus[i];
		if (!c)
			continue;
		p += 4;
		c->waker = get32(&p) & 2;
		for (unsigned k = 0; k < GIC_NR_PRIV; k++) {
			c->priv[k].prio = *p++ & GIC_PRIO_MASK;
			set_flags(&c->priv[k], *p++);
			if (k < 16)
				c->priv[k].edge = true;
		}
	}
	gic_update_locked(g);
	ok = true;
out:
	pthread_mutex_unlock(&g->lock);
	return ok;
}
