/*
 * gic_vcpuif.c - the virtual CPU interface for EL2 guests (GICv3 chapter
 * 6 "Virtual interrupt handling" and 12.4/12.5): the guest hypervisor's
 * ICH_*_EL2 registers (list registers, HCR, VMCR, MISR, EISR, ELRSR,
 * active priorities, VTR) and the ICV_*_EL1 registers its EL1 guest sees
 * instead of ICC_* while HCR_EL2.IMO/FMO are set.
 *
 * Four list registers, 5 priority and preemption bits, 16-bit vINTIDs,
 * no GICv4 direct injection.  A list register with HW = 1 deactivates
 * its physical INTID when the guest deactivates the virtual one.  The
 * maintenance interrupt is PPI 25, level-sensitive, from ICH_MISR_EL2.
 * The virtual IRQ/FIQ outputs are published as atomics like the physical
 * ones; the interpreter ORs them with HCR_EL2.VI/VF.
 */
#include "gic.h"

#define ENC(op0, op1, crn, crm, op2) \
	((uint16_t)((op0) << 14 | (op1) << 11 | (crn) << 7 | (crm) << 3 | (op2)))

enum {
	ICH_AP0R0 = ENC(3, 4, 12, 8, 0),
	ICH_AP0R3 = ENC(3, 4, 12, 8, 3),
	ICH_AP1R0 = ENC(3, 4, 12, 9, 0),
	ICH_AP1R3 = ENC(3, 4, 12, 9, 3),
	ICC_SRE_EL2 = ENC(3, 4, 12, 9, 5),
	ICH_HCR = ENC(3, 4, 12, 11, 0),
	ICH_VTR = ENC(3, 4, 12, 11, 1),
	ICH_MISR = ENC(3, 4, 12, 11, 2),
	ICH_EISR = ENC(3, 4, 12, 11, 3),
	ICH_ELRSR = ENC(3, 4, 12, 11, 5),
	ICH_VMCR = ENC(3, 4, 12, 11, 7),
	ICH_LR0 = ENC(3, 4, 12, 12, 0), /* LR0-7: CRm 12, LR8-15: CRm 13 */

	ICV_PMR = ENC(3, 0, 4, 6, 0),
	ICV_IAR0 = ENC(3, 0, 12, 8, 0),
	ICV_EOIR0 = ENC(3, 0, 12, 8, 1),
	ICV_HPPIR0 = ENC(3, 0, 12, 8, 2),
	ICV_BPR0 = ENC(3, 0, 12, 8, 3),
	ICV_AP0R0 = ENC(3, 0, 12, 8, 4),
	ICV_AP0R3 = ENC(3, 0, 12, 8, 7),
	ICV_AP1R0 = ENC(3, 0, 12, 9, 0),
	ICV_AP1R3 = ENC(3, 0, 12, 9, 3),
	ICV_DIR = ENC(3, 0, 12, 11, 1),
	ICV_RPR = ENC(3, 0, 12, 11, 3),
	ICC_SGI1R = ENC(3, 0, 12, 11, 5),
	ICC_ASGI1R = ENC(3, 0, 12, 11, 6),
	ICC_SGI0R = ENC(3, 0, 12, 11, 7),
	ICV_IAR1 = ENC(3, 0, 12, 12, 0),
	ICV_EOIR1 = ENC(3, 0, 12, 12, 1),
	ICV_HPPIR1 = ENC(3, 0, 12, 12, 2),
	ICV_BPR1 = ENC(3, 0, 12, 12, 3),
	ICV_CTLR = ENC(3, 0, 12, 12, 4),
	ICC_SRE_EL1 = ENC(3, 0, 12, 12, 5),
	ICV_IGRPEN0 = ENC(3, 0, 12, 12, 6),
	ICV_IGRPEN1 = ENC(3, 0, 12, 12, 7),
};

/* List register fields. */
#define LR_VINTID(lr) ((unsigned)((lr) & 0xffff))
#define LR_PINTID(lr) ((unsigned)((lr) >> 32) & 0x1fff)
#define LR_EOI (1ull << 41) /* HW = 0: maintenance interrupt on EOI */
#define LR_PRIO(lr) ((uint8_t)((lr) >> 48) & GIC_PRIO_MASK)
#define LR_GROUP1 (1ull << 60)
#define LR_HW (1ull << 61)
#define LR_PENDING (1ull << 62)
#define LR_ACTIVE (1ull << 63)
#define LR_STATE (LR_PENDING | LR_ACTIVE)
/* vINTID (16 bits), pINTID/EOI, priority (5 bits), group, HW, state. */
#define LR_WRITABLE (0xffffull | 0x1fffull << 32 | (uint64_t)GIC_PRIO_MASK << 48 | 0xfull << 60)

/* ICH_HCR_EL2 */
#define HCR_EN (1u << 0)
#define HCR_UIE (1u << 1)
#define HCR_LRENPIE (1u << 2)
#define HCR_NPIE (1u << 3)
#define HCR_VGRP0EIE (1u << 4)
#define HCR_VGRP0DIE (1u << 5)
#define HCR_VGRP1EIE (1u << 6)
#define HCR_VGRP1DIE (1u << 7)
#define HCR_TC (1u << 10)
#define HCR_TALL0 (1u << 11)
#define HCR_TALL1 (1u << 12)
#define HCR_TDIR (1u << 14)
#define HCR_EOICOUNT_SHIFT 27
#define HCR_WRITABLE 0xf80058ffu

/* ICH_VMCR_EL2 */
#define VMCR_VENG0 (1u << 0)
#define VMCR_VENG1 (1u << 1)
#define VMCR_VFIQEN (1u << 3) /* RES1: group 0 is always FIQ */
#define VMCR_VCBPR (1u << 4)
#define VMCR_VEOIM (1u << 9)
#define VMCR_VBPR1(v) (((v) >> 18) & 7)
#define VMCR_VBPR0(v) (((v) >> 21) & 7)
#define VMCR_VPMR(v) ((uint8_t)((v) >> 24))

/* ListRegs = n - 1, PREbits = PRIbits = 5 - 1, IDbits = 16, nV4 (no
 * direct injection). */
#define VTR_VALUE ((uint64_t)(GIC_NR_LRS - 1) | 4ull << 26 | 4ull << 29 | 1ull << 20)
#define BPR_MIN (7 - GIC_PRIO_BITS)

static unsigned lr_index(uint16_t enc)
{
	return (unsigned)(enc - ICH_LR0);
}

/* ---- priorities and the highest pending virtual interrupt ------------ */

static uint8_t vgroup_prio(const struct gic_vif *v, uint8_t prio, bool group1)
{
	unsigned bpr = group1 && !(v->vmcr & VMCR_VCBPR) ? VMCR_VBPR1(v->vmcr) - 1 : VMCR_VBPR0(v->vmcr);
	return (uint8_t)(prio & (0xffu << (bpr + 1)));
}

static unsigned vrunning_prio(const struct gic_vif *v)
{
	uint32_t a = v->apr[0] | v->apr[1];
	return a ? (unsigned)__builtin_ctz(a) << (8 - GIC_PRIO_BITS) : 0x100;
}

static bool vgroup_enabled(const struct gic_vif *v, bool group1)
{
	return (v->vmcr & (group1 ? VMCR_VENG1 : VMCR_VENG0)) != 0;
}

/* The pending list register of highest priority whose group is enabled
 * (lowest index on ties), -1 if none. */
static int hppvi(const struct gic_vif *v)
{
	int best = -1;
	for (unsigned i = 0; i < GIC_NR_LRS; i++) {
		uint64_t lr = v->lr[i];
		if ((lr & LR_STATE) != LR_PENDING || !vgroup_enabled(v, lr & LR_GROUP1))
			continue;
		if (best < 0 || LR_PRIO(lr) < LR_PRIO(v->lr[best]))
			best = (int)i;
	}
	return best;
}

static bool can_signal(const struct gic_vif *v, int i)
{
	if (i < 0 || !(v->hcr & HCR_EN))
		return false;
	uint64_t lr = v->lr[i];
	return LR_PRIO(lr) < VMCR_VPMR(v->vmcr) && vgroup_prio(v, LR_PRIO(lr), lr & LR_GROUP1) < vrunning_prio(v);
}

static uint64_t eisr(const struct gic_vif *v)
{
	uint64_t m = 0;
	for (unsigned i = 0; i < GIC_NR_LRS; i++)
		if (!(v->lr[i] & (LR_STATE | LR_HW)) && (v->lr[i] & LR_EOI))
			m |= 1ull << i;
	return m;
}

static uint64_t elrsr(const struct gic_vif *v)
{
	uint64_t m = 0;
	for (unsigned i = 0; i < GIC_NR_LRS; i++)
		if (!(v->lr[i] & LR_STATE) && ((v->lr[i] & LR_HW) || !(v->lr[i] & LR_EOI)))
			m |= 1ull << i;
	return m;
}

static uint64_t misr(const struct gic_vif *v)
{
	unsigned valid = 0;
	bool pending = false;
	for (unsigned i = 0; i < GIC_NR_LRS; i++) {
		valid += (v->lr[i] & LR_STATE) != 0;
		pending |= (v->lr[i] & LR_STATE) == LR_PENDING;
	}
	bool veng0 = v->vmcr & VMCR_VENG0, veng1 = v->vmcr & VMCR_VENG1;
	uint64_t m = 0;
	m |= eisr(v) ? 1u : 0;
	m |= (v->hcr & HCR_UIE) && valid <= 1 ? 2u : 0;
	m |= (v->hcr & HCR_LRENPIE) && (v->hcr >> HCR_EOICOUNT_SHIFT) ? 4u : 0;
	m |= (v->hcr & HCR_NPIE) && !pending ? 8u : 0;
	m |= (v->hcr & HCR_VGRP0EIE) && veng0 ? 0x10u : 0;
	m |= (v->hcr & HCR_VGRP0DIE) && !veng0 ? 0x20u : 0;
	m |= (v->hcr & HCR_VGRP1EIE) && veng1 ? 0x40u : 0;
	m |= (v->hcr & HCR_VGRP1DIE) && !veng1 ? 0x80u : 0;
	return m;
}

/* Recomputes the virtual outputs and the maintenance interrupt (which
 * changes the physical state: gic_update_locked runs after). */
static void vif_update_locked(struct gic_cpu *c)
{
	struct gic_vif *v = &c->vif;
	int i = hppvi(v);
	bool sig = can_signal(v, i);
	atomic_store(&v->virq_out, sig && (v->lr[i] & LR_GROUP1));
	atomic_store(&v->vfiq_out, sig && !(v->lr[i] & LR_GROUP1));
	struct gic_irq *m = &c->priv[GIC_PPI_MAINTENANCE];
	m->level = (v->hcr & HCR_EN) && misr(v) != 0;
	gic_update_locked(c->gic);
}

void gic_vif_reset_locked(struct gic_cpu *c)
{
	struct gic_vif *v = &c->vif;
	v->hcr = 0;
	v->vmcr = VMCR_VFIQEN | (uint64_t)BPR_MIN << 21 | (uint64_t)(BPR_MIN + 1) << 18;
	for (unsigned i = 0; i < GIC_NR_LRS; i++)
		v->lr[i] = 0;
	v->apr[0] = v->apr[1] = 0;
	atomic_store(&v->virq_out, false);
	atomic_store(&v->vfiq_out, false);
}

/* ---- ICV operations ---------------------------------------------------- */

static unsigned vacknowledge(struct gic_cpu *c, bool group1)
{
	struct gic_vif *v = &c->vif;
	int i = hppvi(v);
	if (!can_signal(v, i) || !(v->lr[i] & LR_GROUP1) != !group1)
		return GIC_INTID_SPURIOUS;
	uint64_t *lr = &v->lr[i];
	*lr = (*lr & ~LR_STATE) | LR_ACTIVE;
	v->apr[group1] |= 1u << (vgroup_prio(v, LR_PRIO(*lr), group1) >> (8 - GIC_PRIO_BITS));
	return LR_VINTID(*lr);
}

/* Deactivates vINTID: its active list register loses the active state
 * (and, for HW = 1, the physical INTID too); no list register holds it
 * active: ICH_HCR_EL2.EOIcount counts it. */
static void vdeactivate(struct gic_cpu *c, unsigned intid)
{
	struct gic_vif *v = &c->vif;
	for (unsigned i = 0; i < GIC_NR_LRS; i++) {
		uint64_t *lr = &v->lr[i];
		if ((*lr & LR_ACTIVE) && LR_VINTID(*lr) == intid) {
			*lr &= ~LR_ACTIVE;
			if (*lr & LR_HW) {
				struct gic_irq *p = LR_PINTID(*lr) < GIC_NR_INTIDS ? gic_irq_of(c, LR_PINTID(*lr)) : NULL;
				if (p)
					p->active = false;
			}
			return;
		}
	}
	uint64_t count = (v->hcr >> HCR_EOICOUNT_SHIFT) + 1;
	v->hcr = (v->hcr & ~(0x1full << HCR_EOICOUNT_SHIFT)) | (count & 0x1f) << HCR_EOICOUNT_SHIFT;
}

static void vend_of_interrupt(struct gic_cpu *c, unsigned intid)
{
	struct gic_vif *v = &c->vif;
	if (intid >= 1020 && intid <= 1023)
		return;
	uint32_t a = v->apr[0] | v->apr[1];
	if (a) {
		uint32_t bit = a & -a;
		if (v->apr[0] & bit)
			v->apr[0] &= ~bit;
		else
			v->apr[1] &= ~bit;
	}
	if (!(v->vmcr & VMCR_VEOIM))
		vdeactivate(c, intid);
}

static unsigned vhppir(const struct gic_vif *v, bool group1)
{
	int i = hppvi(v);
	return i >= 0 && !(v->lr[i] & LR_GROUP1) == !group1 ? LR_VINTID(v->lr[i]) : GIC_INTID_SPURIOUS;
}

/* ---- which registers, and traps ------------------------------------------ */

bool gic_ich_is_reg(uint16_t enc)
{
	return (enc >= ICH_AP0R0 && enc <= ICH_AP0R3) || (enc >= ICH_AP1R0 && enc <= ICH_AP1R3) ||
	       enc == ICC_SRE_EL2 || enc == ICH_HCR || enc == ICH_VTR || enc == ICH_MISR || enc == ICH_EISR ||
	       enc == ICH_ELRSR || enc == ICH_VMCR || (enc >= ICH_LR0 && lr_index(enc) < GIC_NR_LRS);
}

enum gic_icc_class gic_icc_class(uint16_t enc)
{
	switch (enc) {
	case ICV_IAR0: case ICV_EOIR0: case ICV_HPPIR0: case ICV_BPR0: case ICV_IGRPEN0:
		return GIC_ICC_GROUP0;
	case ICV_IAR1: case ICV_EOIR1: case ICV_HPPIR1: case ICV_BPR1: case ICV_IGRPEN1:
		return GIC_ICC_GROUP1;
	case ICV_PMR: case ICV_RPR: case ICV_CTLR: case ICV_DIR:
		return GIC_ICC_COMMON;
	case ICC_SGI0R:
		return GIC_ICC_SGI0;
	case ICC_SGI1R: case ICC_ASGI1R:
		return GIC_ICC_SGI1;
	case ICC_SRE_EL1:
		return GIC_ICC_SRE;
	default:
		if (enc >= ICV_AP0R0 && enc <= ICV_AP0R3)
			return GIC_ICC_GROUP0;
		if (enc >= ICV_AP1R0 && enc <= ICV_AP1R3)
			return GIC_ICC_GROUP1;
		return GIC_ICC_SRE; /* not reached for ICC registers */
	}
}

/* ICH_HCR_EL2.TALL0/TALL1/TC/TDIR: an ICV access from EL1 to EL2. */
bool gic_icv_trapped(struct gic_cpu *c, uint16_t enc)
{
	pthread_mutex_lock(&c->gic->lock);
	uint64_t hcr = c->vif.hcr;
	pthread_mutex_unlock(&c->gic->lock);
	switch (gic_icc_class(enc)) {
	case GIC_ICC_GROUP0: return (hcr & HCR_TALL0) != 0;
	case GIC_ICC_GROUP1: return (hcr & HCR_TALL1) != 0;
	case GIC_ICC_COMMON: return (hcr & HCR_TC) || (enc == ICV_DIR && (hcr & HCR_TDIR));
	default: return false;
	}
}

/* ---- ICV_* (EL1 under IMO/FMO; the host's hv_gic_*_icv_reg) ---------- */

bool gic_icv_read(struct gic_cpu *c, uint16_t enc, uint64_t *value, bool guest)
{
	struct gic_vif *v = &c->vif;
	bool ok = true;
	pthread_mutex_lock(&c->gic->lock);
	switch (enc) {
	case ICV_PMR: *value = VMCR_VPMR(v->vmcr); break;
	case ICV_BPR0: *value = VMCR_VBPR0(v->vmcr); break;
	case ICV_BPR1: *value = v->vmcr & VMCR_VCBPR ? VMCR_VBPR0(v->vmcr) + 1u : VMCR_VBPR1(v->vmcr); break;
	case ICV_AP0R0: *value = v->apr[0]; break;
	case ICV_AP1R0: *value = v->apr[1]; break;
	case ICV_RPR: {
		unsigned rp = vrunning_prio(v);
		*value = rp > 0xff ? 0xff : rp;
		break;
	}
	case ICV_CTLR:
		*value = ((v->vmcr & VMCR_VCBPR) ? 1u : 0) | ((v->vmcr & VMCR_VEOIM) ? 2u : 0) |
			 (uint64_t)(GIC_PRIO_BITS - 1) << 8;
		break;
	case ICC_SRE_EL1: *value = 7; break;
	case ICV_IGRPEN0: *value = (v->vmcr & VMCR_VENG0) != 0; break;
	case ICV_IGRPEN1: *value = (v->vmcr & VMCR_VENG1) != 0; break;
	case ICV_IAR0:
	case ICV_IAR1:
		*value = guest ? vacknowledge(c, enc == ICV_IAR1) : GIC_INTID_SPURIOUS;
		break;
	case ICV_HPPIR0:
	case ICV_HPPIR1: *value = vhppir(v, enc == ICV_HPPIR1); break;
	default:
		if ((enc > ICV_AP0R0 && enc <= ICV_AP0R3) || (enc > ICV_AP1R0 && enc <= ICV_AP1R3))
			*value = 0; /* 32 priorities: AP?R1-3 RAZ */
		else
			ok = false; /* write-only */
		break;
	}
	if (ok && guest)
		vif_update_locked(c);
	pthread_mutex_unlock(&c->gic->lock);
	return ok;
}

static void set_vmcr_field(struct gic_vif *v, unsigned shift, uint64_t mask, uint64_t value)
{
	v->vmcr = (v->vmcr & ~(mask << shift)) | (value & mask) << shift;
}

bool gic_icv_write(struct gic_cpu *c, uint16_t enc, uint64_t val, bool guest)
{
	struct gic_vif *v = &c->vif;
	bool ok = true;
	pthread_mutex_lock(&c->gic->lock);
	switch (enc) {
	case ICV_PMR: set_vmcr_field(v, 24, 0xff, val & GIC_PRIO_MASK); break;
	case ICV_BPR0: set_vmcr_field(v, 21, 7, (val & 7) < BPR_MIN ? BPR_MIN : val & 7); break;
	case ICV_BPR1:
		if (!(v->vmcr & VMCR_VCBPR))
			set_vmcr_field(v, 18, 7, (val & 7) < BPR_MIN + 1u ? BPR_MIN + 1u : val & 7);
		break;
	case ICV_AP0R0: v->apr[0] = (uint32_t)val; break;
	case ICV_AP1R0: v->apr[1] = (uint32_t)val; break;
	case ICV_CTLR:
		set_vmcr_field(v, 4, 1, val & 1);
		set_vmcr_field(v, 9, 1, (val >> 1) & 1);
		break;
	case ICC_SRE_EL1: break; /* RAO/WI */
	case ICV_IGRPEN0: set_vmcr_field(v, 0, 1, val & 1); break;
	case ICV_IGRPEN1: set_vmcr_field(v, 1, 1, val & 1); break;
	case ICV_EOIR0:
	case ICV_EOIR1:
		if (guest)
			vend_of_interrupt(c, (unsigned)val & 0xffffff);
		break;
	case ICV_DIR:
		if (guest && (v->vmcr & VMCR_VEOIM))
			vdeactivate(c, (unsigned)val & 0xffffff);
		break;
	default:
		if (!((enc > ICV_AP0R0 && enc <= ICV_AP0R3) || (enc > ICV_AP1R0 && enc <= ICV_AP1R3)))
			ok = false; /* read-only */
		break;
	}
	vif_update_locked(c);
	pthread_mutex_unlock(&c->gic->lock);
	return ok;
}

/* ---- ICH_*_EL2 (the guest hypervisor at EL2; hv_gic_*_ich_reg) -------- */

bool gic_ich_read(struct gic_cpu *c, uint16_t enc, uint64_t *value)
{
	struct gic_vif *v = &c->vif;
	bool ok = true;
	pthread_mutex_lock(&c->gic->lock);
	switch (enc) {
	case ICH_AP0R0: *value = v->apr[0]; break;
	case ICH_AP1R0: *value = v->apr[1]; break;
	case ICC_SRE_EL2: *value = 0xf; break; /* SRE, DFB, DIB, Enable */
	case ICH_HCR: *value = v->hcr; break;
	case ICH_VTR: *value = VTR_VALUE; break;
	case ICH_MISR: *value = misr(v); break;
	case ICH_EISR: *value = eisr(v); break;
	case ICH_ELRSR: *value = elrsr(v); break;
	case ICH_VMCR: *value = v->vmcr; break;
	default:
		if (enc >= ICH_LR0 && lr_index(enc) < GIC_NR_LRS)
			*value = v->lr[lr_index(enc)];
		else if ((enc > ICH_AP0R0 && enc <= ICH_AP0R3) || (enc > ICH_AP1R0 && enc <= ICH_AP1R3))
			*value = 0;
		else
			ok = false;
		break;
	}
	pthread_mutex_unlock(&c->gic->lock);
	return ok;
}

/* VMCR writable: VENG0, VENG1, VCBPR, VEOIM, VBPR1, VBPR0, VPMR (the
 * implemented priority bits); VFIQEn reads as one. */
#define VMCR_WRITABLE (VMCR_VENG0 | VMCR_VENG1 | VMCR_VCBPR | VMCR_VEOIM | 7u << 18 | 7u << 21 | \
		       (uint32_t)GIC_PRIO_MASK << 24)

bool gic_ich_write(struct gic_cpu *c, uint16_t enc, uint64_t val)
{
	struct gic_vif *v = &c->vif;
	bool ok = true;
	pthread_mutex_lock(&c->gic->lock);
	switch (enc) {
	case ICH_AP0R0: v->apr[0] = (uint32_t)val; break;
	case ICH_AP1R0: v->apr[1] = (uint32_t)val; break;
	case ICC_SRE_EL2: break; /* RAO/WI */
	case ICH_HCR: v->hcr = val & HCR_WRITABLE; break;
	case ICH_VMCR: {
		uint64_t m = (val & VMCR_WRITABLE) | VMCR_VFIQEN;
		if (VMCR_VBPR0(m) < BPR_MIN)
			m = (m & ~(7ull << 21)) | (uint64_t)BPR_MIN << 21;
		if (VMCR_VBPR1(m) < BPR_MIN + 1u)
			m = (m & ~(7ull << 18)) | (uint64_t)(BPR_MIN + 1) << 18;
		v->vmcr = m;
		break;
	}
	case ICH_VTR:
	case ICH_MISR:
	case ICH_EISR:
	case ICH_ELRSR:
		break; /* read-only */
	default:
		if (enc >= ICH_LR0 && lr_index(enc) < GIC_NR_LRS)
			v->lr[lr_index(enc)] = val & LR_WRITABLE;
		else if (!((enc > ICH_AP0R0 && enc <= ICH_AP0R3) || (enc > ICH_AP1R0 && enc <= ICH_AP1R3)))
			ok = false;
		break;
	}
	vif_update_locked(c);
	pthread_mutex_unlock(&c->gic->lock);
	return ok;
}
