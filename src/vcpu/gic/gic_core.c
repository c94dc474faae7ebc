/*
 * gic_core.c - GIC model state: creation, reset, interrupt inputs, the
 * highest-priority-pending computation and each vCPU's IRQ/FIQ outputs
 * (GICv3 4.8: signaled when priority < PMR and the group priority is
 * higher than the running priority), and the WFI sleep.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../vm.h"
#include "gic.h"

struct gic *gic_new(const struct gic_config *cfg)
{
	struct gic *g = calloc(1, sizeof(*g));
	if (!g)
		return NULL;
	pthread_mutex_init(&g->lock, NULL);
	g->cfg = *cfg;
	gic_reset(g);
	return g;
}

void gic_free(struct gic *g)
{
	if (!g)
		return;
	for (unsigned i = 0; i < GIC_MAX_CPUS; i++)
		if (g->cpus[i])
			gic_cpu_detach(g->cpus[i]);
	pthread_mutex_destroy(&g->lock);
	free(g);
}

/* SGIs are edge-triggered (ICFGR0 reads 0xaaaaaaaa), PPIs level. */
void gic_reset_cpu_locked(struct gic_cpu *c)
{
	memset(c->priv, 0, sizeof(c->priv));
	for (unsigned i = 0; i < 16; i++)
		c->priv[i].edge = true;
	c->waker = 2; /* ProcessorSleep: the guest wakes its redistributor */
	c->pmr = 0;
	c->bpr0 = 7 - GIC_PRIO_BITS; /* the minimum: 2 */
	c->bpr1 = c->bpr0 + 1;
	c->ctlr = 0;
	c->igrpen0 = c->igrpen1 = false;
	c->apr[0] = c->apr[1] = 0;
	gic_vif_reset_locked(c);
}

void gic_reset(struct gic *g)
{
	pthread_mutex_lock(&g->lock);
	g->ctlr = 0;
	memset(g->spi, 0, sizeof(g->spi));
	memset(g->irouter, 0, sizeof(g->irouter));
	for (unsigned i = 0; i < GIC_MAX_CPUS; i++)
		if (g->cpus[i])
			gic_reset_cpu_locked(g->cpus[i]);
	gic_update_locked(g);
	pthread_mutex_unlock(&g->lock);
}

struct gic_cpu *gic_cpu_attach(struct gic *g, unsigned id, uint64_t mpidr)
{
	if (id >= GIC_MAX_CPUS)
		return NULL;
	struct gic_cpu *c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	c->gic = g;
	c->id = id;
	c->mpidr = mpidr;
	atomic_init(&c->irq_out, false);
	atomic_init(&c->fiq_out, false);
	atomic_init(&c->vif.virq_out, false);
	atomic_init(&c->vif.vfiq_out, false);
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&c->wake, &ca);
	pthread_condattr_destroy(&ca);
	pthread_mutex_lock(&g->lock);
	gic_reset_cpu_locked(c);
	__atomic_store_n(&g->cpus[id], c, __ATOMIC_RELEASE); /* gic_owns reads it unlocked */
	pthread_mutex_unlock(&g->lock);
	return c;
}

void gic_cpu_detach(struct gic_cpu *c)
{
	struct gic *g = c->gic;
	pthread_mutex_lock(&g->lock);
	__atomic_store_n(&g->cpus[c->id], NULL, __ATOMIC_RELEASE);
	gic_update_locked(g);
	pthread_mutex_unlock(&g->lock);
	pthread_cond_destroy(&c->wake);
	free(c);
}

void gic_cpu_set_mpidr(struct gic_cpu *c, uint64_t mpidr)
{
	pthread_mutex_lock(&c->gic->lock);
	c->mpidr = mpidr;
	gic_update_locked(c->gic); /* SPI routing follows the affinity */
	pthread_mutex_unlock(&c->gic->lock);
}

#define AFF_MASK 0xff00ffffffull /* Aff3 [39:32], Aff2..Aff0 [23:0] */

struct gic_cpu *gic_cpu_by_affinity(struct gic *g, uint64_t aff)
{
	for (unsigned i = 0; i < GIC_MAX_CPUS; i++)
		if (g->cpus[i] && (g->cpus[i]->mpidr & AFF_MASK) == (aff & AFF_MASK))
			return g->cpus[i];
	return NULL;
}

struct gic_irq *gic_irq_of(struct gic_cpu *c, unsigned intid)
{
	if (intid < GIC_NR_PRIV)
		return &c->priv[intid];
	if (intid < GIC_NR_INTIDS)
		return &c->gic->spi[intid - GIC_SPI_BASE];
	return NULL;
}

/* ---- priorities ------------------------------------------------------ */

static bool group_enabled(const struct gic *g, const struct gic_cpu *c, bool group1)
{
	return group1 ? (g->ctlr & 2) && c->igrpen1 : (g->ctlr & 1) && c->igrpen0;
}

/* Group priority: the bits above the binary point (BPR1 with CBPR clear
 * counts one bit lower, GICv3 4.8.3). */
uint8_t gic_group_prio(const struct gic_cpu *c, uint8_t prio, bool group1)
{
	unsigned bpr = group1 && !(c->ctlr & 1) ? (unsigned)c->bpr1 - 1 : c->bpr0;
	return (uint8_t)(prio & (0xffu << (bpr + 1)));
}

/* Running priority: the highest active group priority, 0x100 if idle. */
unsigned gic_running_prio(const struct gic_cpu *c)
{
	uint32_t a = c->apr[0] | c->apr[1];
	return a ? (unsigned)__builtin_ctz(a) << (8 - GIC_PRIO_BITS) : 0x100;
}

static bool routed_to(const struct gic *g, unsigned spi, const struct gic_cpu *c)
{
	uint64_t r = g->irouter[spi];
	if (r & (1ull << 31)) /* IRM: any participating PE */
		return true;
	return (r & AFF_MASK) == (c->mpidr & AFF_MASK);
}

static bool candidate(const struct gic *g, const struct gic_cpu *c, const struct gic_irq *i)
{
	return i->enabled && !i->active && gic_irq_pending(i) && group_enabled(g, c, i->group1);
}

unsigned gic_hppi_locked(const struct gic_cpu *c, uint8_t *prio_out)
{
	const struct gic *g = c->gic;
	unsigned best = GIC_INTID_SPURIOUS, bp = 0x100;
	for (unsigned i = 0; i < GIC_NR_PRIV; i++) {
		const struct gic_irq *q = &c->priv[i];
		if (q->prio < bp && candidate(g, c, q)) {
			best = i;
			bp = q->prio;
		}
	}
	for (unsigned s = 0; s < GIC_NR_SPIS; s++) {
		const struct gic_irq *q = &g->spi[s];
		if (q->prio < bp && candidate(g, c, q) && routed_to(g, s, c)) {
			best = s + GIC_SPI_BASE;
			bp = q->prio;
		}
	}
	if (prio_out)
		*prio_out = (uint8_t)bp;
	return best;
}

/* Whether the HPPI (intid, prio) may be signaled: above the priority
 * mask and preempting the running priority. */
bool gic_can_signal(const struct gic_cpu *c, unsigned intid, uint8_t prio)
{
	if (intid == GIC_INTID_SPURIOUS || prio >= c->pmr)
		return false;
	const struct gic_irq *q = gic_irq_of((struct gic_cpu *)c, intid);
	return gic_group_prio(c, prio, q->group1) < gic_running_prio(c);
}

void gic_update_locked(struct gic *g)
{
	for (unsigned i = 0; i < GIC_MAX_CPUS; i++) {
		struct gic_cpu *c = g->cpus[i];
		if (!c)
			continue;
		uint8_t prio;
		unsigned intid = gic_hppi_locked(c, &prio);
		bool irq = false, fiq = false;
		if (gic_can_signal(c, intid, prio)) {
			if (gic_irq_of(c, intid)->group1)
				irq = true;
			else
				fiq = true;
		}
		bool was = atomic_load(&c->irq_out) || atomic_load(&c->fiq_out);
		atomic_store(&c->irq_out, irq);
		atomic_store(&c->fiq_out, fiq);
		if ((irq || fiq) && !was)
			pthread_cond_broadcast(&c->wake);
	}
}

/* ---- inputs ---------------------------------------------------------- */

void gic_set_spi(struct gic *g, unsigned intid, bool level)
{
	pthread_mutex_lock(&g->lock);
	struct gic_irq *q = &g->spi[intid - GIC_SPI_BASE];
	if (q->edge) {
		if (level)
			q->latch = true; /* each true is an edge */
	} else {
		q->level = level;
	}
	gic_update_locked(g);
	pthread_mutex_unlock(&g->lock);
}

void gic_send_msi(struct gic *g, unsigned intid)
{
	pthread_mutex_lock(&g->lock);
	g->spi[intid - GIC_SPI_BASE].latch = true; /* a message is an edge */
	gic_update_locked(g);
	pthread_mutex_unlock(&g->lock);
}

void gic_set_ppi_level(struct gic_cpu *c, unsigned intid, bool level)
{
	pthread_mutex_lock(&c->gic->lock);
	struct gic_irq *q = &c->priv[intid];
	if (q->edge) {
		if (level && !q->level)
			q->latch = true;
	}
	q->level = level;
	gic_update_locked(c->gic);
	pthread_mutex_unlock(&c->gic->lock);
}

/* ---- WFI ------------------------------------------------------------- */

void gic_wait(struct gic_cpu *c, const atomic_bool *stop, uint64_t deadline)
{
	struct timespec until;
	if (deadline) {
		uint64_t now = hv_host_ticks();
		if (deadline <= now)
			return;
		uint64_t hz = hv_host_ticks_per_second();
		uint64_t d = deadline - now;
		uint64_t ns = d / hz * 1000000000ull + d % hz * 1000000000ull / hz;
		clock_gettime(CLOCK_MONOTONIC, &until);
		until.tv_sec += (time_t)(ns / 1000000000ull);
		until.tv_nsec += (long)(ns % 1000000000ull);
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
	}
	pthread_mutex_lock(&c->gic->lock);
	while (!atomic_load(&c->irq_out) && !atomic_load(&c->fiq_out) && !atomic_load(stop)) {
		if (!deadline) {
			pthread_cond_wait(&c->wake, &c->gic->lock);
		} else if (pthread_cond_timedwait(&c->wake, &c->gic->lock, &until) == ETIMEDOUT) {
			break;
		}
	}
	pthread_mutex_unlock(&c->gic->lock);
}

void gic_kick(struct gic_cpu *c)
{
	pthread_mutex_lock(&c->gic->lock);
	pthread_cond_broadcast(&c->wake);
	pthread_mutex_unlock(&c->gic->lock);
}
