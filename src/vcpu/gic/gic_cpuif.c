/*
 * gic_cpuif.c - the CPU interface as system registers (ICC_*_EL1, GICv3
 * 12.2): acknowledge (IAR), priority drop and deactivation (EOIR, DIR,
 * EOImode), the priority mask and binary points, active priorities, and
 * SGI generation (SGI1R, ASGI1R, SGI0R) with affinity routing and IRM.
 */
#include "gic.h"

#define ENC(op0, op1, crn, crm, op2) \
	((uint16_t)((op0) << 14 | (op1) << 11 | (crn) << 7 | (crm) << 3 | (op2)))

enum {
	ICC_PMR = ENC(3, 0, 4, 6, 0),
	ICC_IAR0 = ENC(3, 0, 12, 8, 0),
	ICC_EOIR0 = ENC(3, 0, 12, 8, 1),
	ICC_HPPIR0 = ENC(3, 0, 12, 8, 2),
	ICC_BPR0 = ENC(3, 0, 12, 8, 3),
	ICC_AP0R0 = ENC(3, 0, 12, 8, 4),
	ICC_AP0R3 = ENC(3, 0, 12, 8, 7),
	ICC_AP1R0 = ENC(3, 0, 12, 9, 0),
	ICC_AP1R3 = ENC(3, 0, 12, 9, 3),
	ICC_DIR = ENC(3, 0, 12, 11, 1),
	ICC_RPR = ENC(3, 0, 12, 11, 3),
	ICC_SGI1R = ENC(3, 0, 12, 11, 5),
	ICC_ASGI1R = ENC(3, 0, 12, 11, 6),
	ICC_SGI0R = ENC(3, 0, 12, 11, 7),
	ICC_IAR1 = ENC(3, 0, 12, 12, 0),
	ICC_EOIR1 = ENC(3, 0, 12, 12, 1),
	ICC_HPPIR1 = ENC(3, 0, 12, 12, 2),
	ICC_BPR1 = ENC(3, 0, 12, 12, 3),
	ICC_CTLR = ENC(3, 0, 12, 12, 4),
	ICC_SRE = ENC(3, 0, 12, 12, 5),
	ICC_IGRPEN0 = ENC(3, 0, 12, 12, 6),
	ICC_IGRPEN1 = ENC(3, 0, 12, 12, 7),
};

#define CTLR_CBPR 1u
#define CTLR_EOIMODE 2u
#define CTLR_PMHE (1u << 6)
#define CTLR_WRITABLE (CTLR_CBPR | CTLR_EOIMODE | CTLR_PMHE)
#define CTLR_PRIBITS ((uint32_t)(GIC_PRIO_BITS - 1) << 8)
#define SRE_VALUE 7u /* SRE, DFB, DIB: system registers only */

bool gic_icc_is_reg(uint16_t enc)
{
	return enc == ICC_PMR || (enc >= ICC_IAR0 && enc <= ICC_AP1R3) ||
	       (enc >= ICC_DIR && enc <= ICC_IGRPEN1 && enc != ENC(3, 0, 12, 11, 0) &&
		enc != ENC(3, 0, 12, 11, 2) && enc != ENC(3, 0, 12, 11, 4));
}

/* IAR: acknowledges the HPPI of `group1` if it can be signaled. */
static unsigned acknowledge(struct gic_cpu *c, bool group1)
{
	uint8_t prio;
	unsigned intid = gic_hppi_locked(c, &prio);
	if (!gic_can_signal(c, intid, prio))
		return GIC_INTID_SPURIOUS;
	struct gic_irq *q = gic_irq_of(c, intid);
	if (q->group1 != group1)
		return GIC_INTID_SPURIOUS;
	q->active = true;
	q->latch = false; /* a level-sensitive line held high stays pending */
	c->apr[group1] |= 1u << (gic_group_prio(c, prio, group1) >> (8 - GIC_PRIO_BITS));
	gic_update_locked(c->gic);
	return intid;
}

/* EOI: drops the running priority (the highest active one); with
 * EOImode 0 also deactivates the INTID. */
static void end_of_interrupt(struct gic_cpu *c, unsigned intid)
{
	if (intid >= GIC_NR_INTIDS)
		return; /* special INTIDs */
	uint32_t a = c->apr[0] | c->apr[1];
	if (a) {
		uint32_t bit = a & -a;
		if (c->apr[0] & bit)
			c->apr[0] &= ~bit;
		else
			c->apr[1] &= ~bit;
	}
	if (!(c->ctlr & CTLR_EOIMODE))
		gic_irq_of(c, intid)->active = false;
	gic_update_locked(c->gic);
}

static void deactivate(struct gic_cpu *c, unsigned intid)
{
	if (intid >= GIC_NR_INTIDS || !(c->ctlr & CTLR_EOIMODE))
		return;
	gic_irq_of(c, intid)->active = false;
	gic_update_locked(c->gic);
}

/* ICC_SGI*R: INTID [27:24], TargetList [15:0] of Aff1 [23:16], Aff2
 * [39:32], Aff3 [55:48], RS [47:44]; IRM [40]: every PE but this one.
 * The SGI is set pending only where it is configured in `group1`. */
static void send_sgi(struct gic_cpu *src, uint64_t v, bool group1)
{
	struct gic *g = src->gic;
	unsigned intid = (unsigned)(v >> 24) & 0xf;
	bool irm = (v >> 40) & 1;
	uint64_t aff321 = ((v >> 48) & 0xff) << 32 | ((v >> 32) & 0xff) << 16 | ((v >> 16) & 0xff) << 8;
	unsigned rs = (unsigned)(v >> 44) & 0xf;
	for (unsigned i = 0; i < GIC_MAX_CPUS; i++) {
		struct gic_cpu *t = g->cpus[i];
		if (!t)
			continue;
		if (irm) {
			if (t == src)
				continue;
		} else {
			unsigned aff0 = (unsigned)(t->mpidr & 0xff);
			if ((t->mpidr & 0xff00ffff00ull) != aff321 || aff0 >> 4 != rs ||
			    !((v >> (aff0 & 15)) & 1))
				continue;
		}
		if (t->priv[intid].group1 == group1)
			t->priv[intid].latch = true;
	}
	gic_update_locked(g);
}

bool gic_icc_read(struct gic_cpu *c, uint16_t enc, uint64_t *value, bool guest)
{
	struct gic *g = c->gic;
	bool ok = true;
	pthread_mutex_lock(&g->lock);
	switch (enc) {
	case ICC_PMR: *value = c->pmr; break;
	case ICC_BPR0: *value = c->bpr0; break;
	case ICC_BPR1: *value = (c->ctlr & CTLR_CBPR) ? c->bpr0 + 1u : c->bpr1; break;
	case ICC_AP0R0: *value = c->apr[0]; break;
	case ICC_AP1R0: *value = c->apr[1]; break;
	case ICC_RPR: {
		unsigned rp = gic_running_prio(c);
		*value = rp > 0xff ? 0xff : rp;
		break;
	}
	case ICC_CTLR: *value = c->ctlr | CTLR_PRIBITS; break;
	case ICC_SRE: *value = SRE_VALUE; break;
	case ICC_IGRPEN0: *value = c->igrpen0; break;
	case ICC_IGRPEN1: *value = c->igrpen1; break;
	case ICC_IAR0:
	case ICC_IAR1:
		*value = guest ? acknowledge(c, enc == ICC_IAR1) : GIC_INTID_SPURIOUS;
		break;
	case ICC_HPPIR0:
	case ICC_HPPIR1: {
		unsigned intid = gic_hppi_locked(c, NULL);
		*value = intid != GIC_INTID_SPURIOUS && gic_irq_of(c, intid)->group1 == (enc == ICC_HPPIR1)
				 ? intid
				 : GIC_INTID_SPURIOUS;
		break;
	}
	default:
		if ((enc > ICC_AP0R0 && enc <= ICC_AP0R3) || (enc > ICC_AP1R0 && enc <= ICC_AP1R3))
			*value = 0; /* AP?R1-3: only 32 priorities are implemented */
		else
			ok = false; /* write-only */
		break;
	}
	pthread_mutex_unlock(&g->lock);
	return ok;
}

bool gic_icc_write(struct gic_cpu *c, uint16_t enc, uint64_t v, bool guest)
{
	struct gic *g = c->gic;
	bool ok = true;
	const uint8_t bpr_min = 7 - GIC_PRIO_BITS;
	pthread_mutex_lock(&g->lock);
	switch (enc) {
	case ICC_PMR: c->pmr = (uint8_t)v & GIC_PRIO_MASK; break;
	case ICC_BPR0: c->bpr0 = (uint8_t)((v & 7) < bpr_min ? bpr_min : v & 7); break;
	case ICC_BPR1:
		if (!(c->ctlr & CTLR_CBPR))
			c->bpr1 = (uint8_t)((v & 7) < bpr_min + 1u ? bpr_min + 1u : v & 7);
		break;
	case ICC_AP0R0: c->apr[0] = (uint32_t)v; break;
	case ICC_AP1R0: c->apr[1] = (uint32_t)v; break;
	case ICC_CTLR: c->ctlr = (uint32_t)v & CTLR_WRITABLE; break;
	case ICC_SRE: break; /* RAO/WI */
	case ICC_IGRPEN0: c->igrpen0 = v & 1; break;
	case ICC_IGRPEN1: c->igrpen1 = v & 1; break;
	case ICC_EOIR0:
	case ICC_EOIR1:
		if (guest)
			end_of_interrupt(c, (unsigned)v & 0xffffff);
		break;
	case ICC_DIR:
		if (guest)
			deactivate(c, (unsigned)v & 0xffffff);
		break;
	case ICC_SGI1R:
	case ICC_ASGI1R:
	case ICC_SGI0R:
		if (guest)
			send_sgi(c, v, enc != ICC_SGI0R);
		break;
	default:
		if (!((enc > ICC_AP0R0 && enc <= ICC_AP0R3) || (enc > ICC_AP1R0 && enc <= ICC_AP1R3)))
			ok = false; /* read-only */
		break;
	}
	gic_update_locked(g);
	pthread_mutex_unlock(&g->lock);
	return ok;
}
