/*
 * gic_info.c - the GIC's state for the debugger (REPL `info gic`), read
 * through the public hv_gic_* API: the distributor from any thread, a
 * vCPU's redistributor and CPU interface on that vCPU's thread.
 */
#include "machine_internal.h"

#include <string.h>

#define GICD_CTLR 0x0000u
#define GICD_IGROUPR 0x0080u
#define GICD_ISENABLER 0x0100u
#define GICD_ISPENDR 0x0200u
#define GICD_ISACTIVER 0x0300u
#define GICD_IPRIORITYR 0x0400u
#define GICD_ICFGR 0x0c00u
#define GICD_IROUTER 0x6000u
#define GICR_SGI 0x10000u /* the SGI frame's registers sit at the same offsets */

bool machine_has_gic(const struct machine *m) { return m->o.gic; }

/* One interrupt's state from a register file: dist (SPIs) or a vCPU's
 * redistributor (SGIs, PPIs). */
static hv_return_t rd(struct mvcpu *v, bool dist, uint32_t off, uint64_t *val)
{
	if (dist)
		return hv_gic_get_distributor_reg((hv_gic_distributor_reg_t)off, val);
	return hv_gic_get_redistributor_reg(v->hv, (hv_gic_redistributor_reg_t)(GICR_SGI + off), val);
}

static int irq_state(struct mvcpu *v, uint32_t intid, struct machine_gic_irq *q)
{
	bool dist = intid >= 32;
	uint32_t word = (intid / 32) * 4, bit = intid % 32;
	uint64_t grp, en, pend, act, prio, cfg, route = 0;
	if (rd(v, dist, GICD_IGROUPR + word, &grp) || rd(v, dist, GICD_ISENABLER + word, &en) ||
	    rd(v, dist, GICD_ISPENDR + word, &pend) || rd(v, dist, GICD_ISACTIVER + word, &act) ||
	    rd(v, dist, GICD_IPRIORITYR + (intid & ~3u), &prio) ||
	    rd(v, dist, GICD_ICFGR + (intid / 16) * 4, &cfg))
		return MACHINE_ERR_HV;
	if (dist && hv_gic_get_distributor_reg((hv_gic_distributor_reg_t)(GICD_IROUTER + intid * 8), &route))
		return MACHINE_ERR_HV;
	*q = (struct machine_gic_irq){
		.intid = intid,
		.group1 = grp >> bit & 1,
		.enabled = en >> bit & 1,
		.pending = pend >> bit & 1,
		.active = act >> bit & 1,
		.priority = (uint8_t)(prio >> (intid % 4) * 8),
		.edge = cfg >> ((intid % 16) * 2 + 1) & 1,
		.route = route,
	};
	return 0;
}

struct gic_call {
	struct machine_gic_irq *out;
	size_t max, n;
	bool all;
	struct machine_gic_cpu *cpu;
};

static int local_irqs_fn(struct mvcpu *v, void *arg)
{
	struct gic_call *c = arg;
	for (uint32_t id = 0; id < 32 && c->n < c->max; id++) {
		struct machine_gic_irq q;
		int rc = irq_state(v, id, &q);
		if (rc)
			return rc;
		if (c->all || q.enabled || q.pending || q.active)
			c->out[c->n++] = q;
	}
	return 0;
}

static int cpu_fn(struct mvcpu *v, void *arg)
{
	struct machine_gic_cpu *p = ((struct gic_call *)arg)->cpu;
	memset(p, 0, sizeof(*p));
	if (hv_gic_get_icc_reg(v->hv, HV_GIC_ICC_REG_PMR_EL1, &p->pmr) ||
	    hv_gic_get_icc_reg(v->hv, HV_GIC_ICC_REG_RPR_EL1, &p->rpr) ||
	    hv_gic_get_icc_reg(v->hv, HV_GIC_ICC_REG_IGRPEN1_EL1, &p->igrpen1) ||
	    hv_gic_get_icc_reg(v->hv, HV_GIC_ICC_REG_CTLR_EL1, &p->ctlr) ||
	    hv_gic_get_icc_reg(v->hv, HV_GIC_ICC_REG_AP1R0_EL1, &p->ap1r0))
		return MACHINE_ERR_HV;
	return 0;
}

int machine_gic_irqs(struct machine *m, unsigned vcpu, bool all, struct machine_gic_irq *out,
		     size_t max, size_t *n)
{
	*n = 0;
	if (!m->o.gic)
		return MACHINE_ERR_UNSUPPORTED;
	struct gic_call c = { .out = out, .max = max, .all = all };
	int rc = vcpu_call(m, vcpu, local_irqs_fn, &c);
	if (rc)
		return rc;
	uint32_t base = 0, count = 0;
	if (hv_gic_get_spi_interrupt_range(&base, &count) != HV_SUCCESS)
		return MACHINE_ERR_HV;
	for (uint32_t id = base; id < base + count && c.n < max; id++) {
		struct machine_gic_irq q;
		if ((rc = irq_state(&m->vcpu[vcpu], id, &q)) != 0)
			return rc;
		if (all ? q.enabled || q.priority : q.enabled || q.pending || q.active)
			out[c.n++] = q;
	}
	*n = c.n;
	return 0;
}

int machine_gic_cpu_state(struct machine *m, unsigned vcpu, struct machine_gic_cpu *s)
{
	if (!m->o.gic)
		return MACHINE_ERR_UNSUPPORTED;
	struct gic_call c = { .cpu = s };
	return vcpu_call(m, vcpu, cpu_fn, &c);
}

static int vif_fn(struct mvcpu *v, void *p)
{
	struct machine_gic_vif *s = p;
	uint64_t vtr = 0;
	hv_return_t r = hv_gic_get_ich_reg(v->hv, HV_GIC_ICH_REG_HCR_EL2, &s->hcr);
	r |= hv_gic_get_ich_reg(v->hv, HV_GIC_ICH_REG_VMCR_EL2, &s->vmcr);
	r |= hv_gic_get_ich_reg(v->hv, HV_GIC_ICH_REG_MISR_EL2, &s->misr);
	r |= hv_gic_get_ich_reg(v->hv, HV_GIC_ICH_REG_ELRSR_EL2, &s->elrsr);
	r |= hv_gic_get_ich_reg(v->hv, HV_GIC_ICH_REG_VTR_EL2, &vtr);
	if (r != HV_SUCCESS)
		return MACHINE_ERR_HV;
	s->nlrs = (unsigned)(vtr & 0x1f) + 1; /* ICH_VTR_EL2.ListRegs */
	if (s->nlrs > MACHINE_GIC_MAX_LRS)
		s->nlrs = MACHINE_GIC_MAX_LRS;
	for (unsigned i = 0; i < s->nlrs; i++)
		if (hv_gic_get_ich_reg(v->hv, (hv_gic_ich_reg_t)(HV_GIC_ICH_REG_LR0_EL2 + i), &s->lr[i]) != HV_SUCCESS)
			return MACHINE_ERR_HV;
	return 0;
}

int machine_gic_vif_state(struct machine *m, unsigned vcpu, struct machine_gic_vif *s)
{
	if (!m->o.gic || !m->o.el2)
		return MACHINE_ERR_UNSUPPORTED;
	return vcpu_call(m, vcpu, vif_fn, s);
}

int machine_gic_dist_ctlr(struct machine *m, uint64_t *ctlr)
{
	if (!m->o.gic)
		return MACHINE_ERR_UNSUPPORTED;
	return hv_gic_get_distributor_reg((hv_gic_distributor_reg_t)GICD_CTLR, ctlr) ? MACHINE_ERR_HV : 0;
}
