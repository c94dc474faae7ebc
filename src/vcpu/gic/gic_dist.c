/*
 * gic_dist.c - the distributor (GICD_*, GICv3 12.9) and the MSI frame
 * (GICM_TYPER / GICM_SET_SPI_NSR).  With affinity routing the SGI/PPI
 * parts of the distributor arrays are RAZ/WI (they live in the
 * redistributors); IROUTER routes each SPI.
 */
#include "gic.h"

#define GICD_CTLR 0x0000
#define GICD_TYPER 0x0004
#define GICD_IIDR 0x0008
#define GICD_TYPER2 0x000c
#define GICD_STATUSR 0x0010
#define GICD_IROUTER 0x6000
#define GICD_CTLR_ARE (1u << 4)
#define GICD_CTLR_DS (1u << 6)
/* 1024 INTIDs (ITLinesNumber 31), 16 INTID bits, no LPIs, no MBIS, no
 * Aff3 (Apple reads back 0x0478001f; bit 26, nASSGIcap, is GICv4.1). */
#define GICD_TYPER_VALUE ((15u << 19) | 31u)
#define IROUTER_MASK 0xff80ffffffull /* Aff3, IRM, Aff2, Aff1, Aff0 */

static struct gic_irq *spi_at(void *ctx, unsigned intid)
{
	struct gic *g = ctx;
	return intid >= GIC_SPI_BASE && intid < GIC_NR_INTIDS ? &g->spi[intid - GIC_SPI_BASE] : NULL;
}

/* IROUTER<n> for SPIs; 64-bit, or either 32-bit half. */
static bool irouter_index(uint64_t off, unsigned *spi)
{
	if (off < GICD_IROUTER + 8 * GIC_SPI_BASE || off >= GICD_IROUTER + 8 * GIC_NR_INTIDS)
		return false;
	*spi = (unsigned)((off - GICD_IROUTER) / 8) - GIC_SPI_BASE;
	return true;
}

bool gic_dist_read(struct gic *g, uint64_t off, unsigned size, uint64_t *value)
{
	unsigned spi;
	*value = 0;
	if (irouter_index(off, &spi)) {
		uint64_t r = g->irouter[spi];
		*value = (off & 4) ? r >> 32 : size == 8 ? r : (uint32_t)r;
		return true;
	}
	if (gic_array_read(spi_at, g, off, size, value))
		return true;
	switch (off) {
	case GICD_CTLR: *value = g->ctlr | GICD_CTLR_ARE | GICD_CTLR_DS; break;
	case GICD_TYPER: *value = GICD_TYPER_VALUE; break;
	case GIC_PIDR2: *value = GIC_PIDR2_V3; break;
	default: break; /* IIDR, TYPER2, STATUSR, reserved: RAZ */
	}
	return true;
}

bool gic_dist_write(struct gic *g, uint64_t off, unsigned size, uint64_t value)
{
	unsigned spi;
	if (irouter_index(off, &spi)) {
		uint64_t r = g->irouter[spi];
		if (size == 8)
			r = value;
		else if (off & 4)
			r = (r & 0xffffffffull) | value << 32;
		else
			r = (r & ~0xffffffffull) | (uint32_t)value;
		g->irouter[spi] = r & IROUTER_MASK;
	} else if (off == GICD_CTLR) {
		g->ctlr = (uint32_t)value & 3; /* EnableGrp0/1; ARE, DS RAO/WI */
	} else {
		gic_array_write(spi_at, g, off, size, value); /* else WI */
	}
	gic_update_locked(g);
	return true;
}

/* The MSI frame: TYPER = first SPI [25:16], number of SPIs [9:0]. */
static bool gic_msi_read(struct gic *g, uint64_t off, unsigned size, uint64_t *value)
{
	(void)size;
	*value = off == GICM_TYPER ? gic_msi_typer(&g->cfg) : 0;
	return true;
}

/* A write of an INTID outside the frame's range is ignored. */
static bool gic_msi_write(struct gic *g, uint64_t off, unsigned size, uint64_t value)
{
	(void)size;
	if (off == GICM_SET_SPI_NSR && gic_config_is_msi(&g->cfg, value)) {
		g->spi[(value & 0x3ff) - GIC_SPI_BASE].latch = true;
		gic_update_locked(g);
	}
	return true;
}

/* Of the redistributor region only the frames of existing vCPUs are the
 * GIC's: the rest of its 32 MiB stays ordinary guest physical space (a
 * VMM may put a UART there, as QEMU's virt layout does). */
bool gic_owns(const struct gic *g, uint64_t addr)
{
	const struct gic_config *cfg = &g->cfg;
	uint64_t r = addr - cfg->redist_base;
	if (r < GIC_REDIST_REGION_SIZE && r / GIC_REDIST_SIZE < GIC_MAX_CPUS &&
	    __atomic_load_n(&g->cpus[r / GIC_REDIST_SIZE], __ATOMIC_ACQUIRE))
		return true;
	return addr - cfg->dist_base < GIC_DIST_SIZE ||
	       (cfg->msi_base_set && addr - cfg->msi_base < GIC_MSI_SIZE);
}

bool gic_mmio(struct gic *g, uint64_t addr, unsigned size, bool is_write, uint64_t *value)
{
	const struct gic_config *cfg = &g->cfg;
	bool ok = false;
	pthread_mutex_lock(&g->lock);
	if (addr - cfg->dist_base < GIC_DIST_SIZE) {
		ok = is_write ? gic_dist_write(g, addr - cfg->dist_base, size, *value)
			      : gic_dist_read(g, addr - cfg->dist_base, size, value);
	} else if (addr - cfg->redist_base < GIC_REDIST_REGION_SIZE) {
		uint64_t off = addr - cfg->redist_base;
		unsigned idx = (unsigned)(off / GIC_REDIST_SIZE);
		struct gic_cpu *c = idx < GIC_MAX_CPUS ? g->cpus[idx] : NULL;
		ok = true;
		if (!c) { /* no vCPU behind it: RAZ/WI */
			if (!is_write)
				*value = 0;
		} else if (is_write) {
			gic_redist_write(c, off % GIC_REDIST_SIZE, size, *value);
		} else {
			gic_redist_read(c, off % GIC_REDIST_SIZE, size, value);
		}
	} else if (cfg->msi_base_set && addr - cfg->msi_base < GIC_MSI_SIZE) {
		ok = is_write ? gic_msi_write(g, addr - cfg->msi_base, size, *value)
			      : gic_msi_read(g, addr - cfg->msi_base, size, value);
	}
	pthread_mutex_unlock(&g->lock);
	return ok;
}
