/*
 * vgic.c - hv_gic_* on the kvm backend: KVM's in-kernel vgic-v3
 * (KVM_DEV_TYPE_ARM_VGIC_V3).  Guest GIC accesses, WFI, the timer PPIs
 * and SGIs stay in the kernel; the API's register calls are device
 * attributes; SPIs are KVM_IRQ_LINE; the MSI frame, which KVM does not
 * have, is emulated here (a guest store to it is completed without an
 * exit, run.c).
 *
 * KVM wants every vCPU created before the vgic is initialised, and the
 * vgic initialised before any KVM_RUN or KVM_IRQ_LINE; Apple's order is
 * GIC, then vCPUs.  So the vgic is initialised at the first run, SPI or
 * register access: from then on the topology is final (Apple: once the
 * vCPUs run) and hv_vcpu_create of a new id fails.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "../gic/gic.h"
#include "kvm.h"

/* KVM takes at most 1023 INTIDs in multiples of 32: 992, SPIs 32..991. */
#define KVM_VGIC_NR_IRQS 992u

static int attr(int fd, bool set, uint32_t group, uint64_t a, void *val)
{
	struct kvm_device_attr d = { .group = group, .attr = a, .addr = (uintptr_t)val };
	return ioctl(fd, set ? KVM_SET_DEVICE_ATTR : KVM_GET_DEVICE_ATTR, &d);
}

static hv_return_t vgic_create(struct hv_vm_obj *vm, const struct gic_config *cfg)
{
	struct kvm_vm_state *s = kvm_vm_of(vm);
	struct kvm_create_device cd = { .type = KVM_DEV_TYPE_ARM_VGIC_V3 };
	if (ioctl(s->fd, KVM_CREATE_DEVICE, &cd) < 0)
		return HV_UNSUPPORTED; /* no GICv3 on the host */
	uint64_t dist = cfg->dist_base, redist = cfg->redist_base;
	uint32_t nr = KVM_VGIC_NR_IRQS;
	if (attr((int)cd.fd, true, KVM_DEV_ARM_VGIC_GRP_ADDR, KVM_VGIC_V3_ADDR_TYPE_DIST, &dist) ||
	    attr((int)cd.fd, true, KVM_DEV_ARM_VGIC_GRP_ADDR, KVM_VGIC_V3_ADDR_TYPE_REDIST, &redist) ||
	    attr((int)cd.fd, true, KVM_DEV_ARM_VGIC_GRP_NR_IRQS, 0, &nr)) {
		close((int)cd.fd);
		return HV_BAD_ARGUMENT;
	}
	s->vgic_fd = (int)cd.fd;
	s->vgic_ready = false;
	return HV_SUCCESS;
}

static void vgic_destroy(struct hv_vm_obj *vm)
{
	struct kvm_vm_state *s = kvm_vm_of(vm);
	if (s->vgic_fd >= 0)
		close(s->vgic_fd);
	s->vgic_fd = -1;
}

/* Initialises the vgic once (see the top of the file). */
int kvm_vgic_ready(struct hv_vm_obj *vm)
{
	struct kvm_vm_state *s = kvm_vm_of(vm);
	if (s->vgic_fd < 0 || __atomic_load_n(&s->vgic_ready, __ATOMIC_ACQUIRE))
		return 0;
	pthread_mutex_lock(&s->lock);
	int r = 0;
	if (!s->vgic_ready) {
		r = attr(s->vgic_fd, true, KVM_DEV_ARM_VGIC_GRP_CTRL, KVM_DEV_ARM_VGIC_CTRL_INIT, NULL);
		if (r == 0)
			__atomic_store_n(&s->vgic_ready, true, __ATOMIC_RELEASE);
	}
	pthread_mutex_unlock(&s->lock);
	return r;
}

/* KVM gives each vCPU its redistributor at KVM_CREATE_VCPU (which fails
 * for a new id once the vgic is initialised). */
static hv_return_t vgic_attach(struct hv_vcpu_obj *v)
{
	(void)v;
	return HV_SUCCESS;
}

static void vgic_detach(struct hv_vcpu_obj *v)
{
	(void)v;
}

static void vgic_mpidr(struct hv_vcpu_obj *v, uint64_t mpidr)
{
	(void)v;
	(void)mpidr; /* KVM derives routing and GICR_TYPER from MPIDR_EL1 itself */
}

#define READY(vm)                             \
	do {                                  \
		if (kvm_vgic_ready(vm))       \
			return HV_BAD_ARGUMENT; \
	} while (0)

static hv_return_t irq_line(struct hv_vm_obj *vm, uint32_t intid, int level)
{
	struct kvm_irq_level l = { .irq = (KVM_ARM_IRQ_TYPE_SPI << KVM_ARM_IRQ_TYPE_SHIFT) | intid,
				   .level = (uint32_t)level };
	return ioctl(kvm_vm_of(vm)->fd, KVM_IRQ_LINE, &l) ? HV_ERROR : HV_SUCCESS;
}

static hv_return_t dist_get32(struct hv_vm_obj *vm, uint32_t off, uint32_t *v)
{
	*v = 0;
	return attr(kvm_vm_of(vm)->vgic_fd, false, KVM_DEV_ARM_VGIC_GRP_DIST_REGS, off, v) ? HV_ERROR
											 : HV_SUCCESS;
}

static hv_return_t dist_set32(struct hv_vm_obj *vm, uint32_t off, uint32_t v)
{
	return attr(kvm_vm_of(vm)->vgic_fd, true, KVM_DEV_ARM_VGIC_GRP_DIST_REGS, off, &v) ? HV_ERROR
											 : HV_SUCCESS;
}

/* Edge-triggered (ICFGR) SPIs get a pulse per true; level ones the line. */
static hv_return_t vgic_set_spi(struct hv_vm_obj *vm, uint32_t intid, bool level)
{
	READY(vm);
	uint32_t cfg = 0;
	dist_get32(vm, 0xc00 + (intid / 16) * 4, &cfg);
	if (!((cfg >> (2 * (intid % 16) + 1)) & 1))
		return irq_line(vm, intid, level);
	if (!level)
		return HV_SUCCESS;
	hv_return_t r = irq_line(vm, intid, 1);
	return r ? r : irq_line(vm, intid, 0);
}

static hv_return_t vgic_send_msi(struct hv_vm_obj *vm, uint32_t intid)
{
	READY(vm);
	hv_return_t r = irq_line(vm, intid, 1);
	return r ? r : irq_line(vm, intid, 0);
}

/* 64-bit registers (IROUTER) are two 32-bit halves; KVM keeps no Aff3. */
static hv_return_t vgic_dist_read(struct hv_vm_obj *vm, uint32_t off, unsigned size, uint64_t *value)
{
	READY(vm);
	uint32_t lo = 0, hi = 0;
	if (off >= 0x280 && off < 0x300)
		off -= 0x80; /* KVM's user reads of ICPENDR are RAZ: read ISPENDR */
	hv_return_t r = dist_get32(vm, off, &lo);
	if (r == HV_SUCCESS && size == 8)
		r = dist_get32(vm, off + 4, &hi);
	*value = (uint64_t)hi << 32 | lo;
	return HV_SUCCESS; /* registers KVM does not expose read as zero */
}

static hv_return_t vgic_dist_write(struct hv_vm_obj *vm, uint32_t off, unsigned size, uint64_t value)
{
	READY(vm);
	/* KVM's user writes of ISPENDR assign the pending bits (and ICPENDR
	 * may not clear a latch): give the API the registers' meaning. */
	if (off >= 0x204 && off < 0x300) {
		uint32_t isp = off < 0x280 ? off : off - 0x80, cur = 0;
		dist_get32(vm, isp, &cur);
		cur = off < 0x280 ? cur | (uint32_t)value : cur & ~(uint32_t)value;
		dist_set32(vm, isp, cur);
		if (off < 0x280) /* queue what became pending (see restore) */
			for (unsigned b = 0; b < 32; b++)
				if (((uint32_t)value >> b) & 1 && 8 * (isp - 0x200) + b < KVM_VGIC_NR_IRQS)
					vgic_send_msi(vm, 8 * (isp - 0x200) + b);
		return HV_SUCCESS;
	}
	dist_set32(vm, off, (uint32_t)value); /* read-only ones: KVM ignores or refuses, as WI */
	if (size == 8)
		dist_set32(vm, off + 4, (uint32_t)(value >> 32));
	return HV_SUCCESS;
}

/* The vCPU's affinity in the attribute's MPIDR field (Aff3..Aff0). */
static uint64_t mpidr_attr(struct hv_vcpu_obj *v)
{
	uint64_t m = 0;
	kvm_get_one(kvm_vcpu_of(v)->fd, KVM_SYSREG(HV_SYS_REG_MPIDR_EL1), &m);
	uint64_t aff = (m & 0xffffff) | ((m >> 32) & 0xff) << 24;
	return aff << KVM_DEV_ARM_VGIC_V3_MPIDR_SHIFT;
}

static hv_return_t redist32(struct hv_vcpu_obj *v, bool set, uint32_t off, uint32_t *val)
{
	int fd = kvm_vm_of(v->vm)->vgic_fd;
	return attr(fd, set, KVM_DEV_ARM_VGIC_GRP_REDIST_REGS, mpidr_attr(v) | off, val) ? HV_ERROR : HV_SUCCESS;
}

static hv_return_t vgic_redist_read(struct hv_vcpu_obj *v, uint32_t off, unsigned size, uint64_t *value)
{
	READY(v->vm);
	uint32_t lo = 0, hi = 0;
	if (off == 0x10280)
		off = 0x10200; /* as for the distributor */
	redist32(v, false, off, &lo);
	if (size == 8)
		redist32(v, false, off + 4, &hi);
	*value = (uint64_t)hi << 32 | lo;
	return HV_SUCCESS;
}

static hv_return_t vgic_redist_write(struct hv_vcpu_obj *v, uint32_t off, unsigned size, uint64_t value)
{
	READY(v->vm);
	uint32_t lo = (uint32_t)value;
	if (size == 8) /* TYPER (the only 8-byte one) is read-only */
		return HV_SUCCESS;
	if (off == 0x10200 || off == 0x10280) { /* IS/ICPENDR0: as for the distributor */
		uint32_t cur = 0;
		redist32(v, false, 0x10200, &cur);
		cur = off == 0x10200 ? cur | lo : cur & ~lo;
		redist32(v, true, 0x10200, &cur);
		return HV_SUCCESS;
	}
	redist32(v, true, off, &lo);
	return HV_SUCCESS;
}

static hv_return_t icc(struct hv_vcpu_obj *v, bool set, uint16_t reg, uint64_t *value)
{
	READY(v->vm);
	int fd = kvm_vm_of(v->vm)->vgic_fd;
	if (attr(fd, set, KVM_DEV_ARM_VGIC_GRP_CPU_SYSREGS, mpidr_attr(v) | reg, value))
		return errno == EINVAL || errno == ENXIO ? HV_BAD_ARGUMENT : HV_ERROR;
	return HV_SUCCESS;
}

/* KVM exposes no ICC_RPR_EL1: the running priority is the highest
 * active one in the active-priority registers (5 priority bits). */
static hv_return_t vgic_icc_read(struct hv_vcpu_obj *v, uint16_t reg, uint64_t *value)
{
	if (reg != HV_GIC_ICC_REG_RPR_EL1)
		return icc(v, false, reg, value);
	uint64_t a0 = 0, a1 = 0;
	hv_return_t r = icc(v, false, HV_GIC_ICC_REG_AP0R0_EL1, &a0);
	if (r == HV_SUCCESS)
		r = icc(v, false, HV_GIC_ICC_REG_AP1R0_EL1, &a1);
	uint32_t a = (uint32_t)(a0 | a1);
	*value = a ? (uint64_t)__builtin_ctz(a) << (8 - GIC_PRIO_BITS) : 0xff;
	return r;
}

/* KVM refuses an ICC_CTLR_EL1 whose ID fields (PRIbits, IDbits, SEIS,
 * A3V) differ from its own: only CBPR, EOImode and PMHE are written. */
#define ICC_CTLR_WRITABLE 0x43ull
static hv_return_t vgic_icc_write(struct hv_vcpu_obj *v, uint16_t reg, uint64_t value)
{
	if (reg == HV_GIC_ICC_REG_SRE_EL1)
		return HV_SUCCESS; /* RAO/WI (KVM refuses SRE = 0) */
	if (reg == HV_GIC_ICC_REG_CTLR_EL1) {
		uint64_t cur = 0;
		hv_return_t r = icc(v, false, reg, &cur);
		if (r != HV_SUCCESS)
			return r;
		value = (cur & ~ICC_CTLR_WRITABLE) | (value & ICC_CTLR_WRITABLE);
	}
	return icc(v, true, reg, &value);
}

/* ---- state: the distributor and redistributor registers of Apple's
 * enums, and the SPIs' input levels (KVM_DEV_ARM_VGIC_GRP_LEVEL_INFO). */

#define VSTATE_MAGIC 0x4b564753u /* "SGVK" */
#define VSTATE_VERSION 1u

/* Distributor words saved, in restore order: groups, configuration,
 * priorities, routing, then (after the levels) pending, active, enable,
 * and CTLR last. */
struct span {
	uint32_t off, n;
};
static const struct span dist_cfg[] = { { 0x084, 31 }, { 0xc08, 62 }, { 0x420, 247 }, { 0x6100, 988 } };
static const struct span dist_state[] = { { 0x204, 31 }, { 0x304, 31 }, { 0x104, 31 } };
static const struct span redist_cfg[] = { { 0x10080, 1 }, { 0x10c04, 1 }, { 0x10400, 8 }, { 0x14, 1 } };
static const struct span redist_state[] = { { 0x10200, 1 }, { 0x10300, 1 }, { 0x10100, 1 } };
#define NSPANS(a) (sizeof(a) / sizeof((a)[0]))

static unsigned words(const struct span *sp, size_t n)
{
	unsigned w = 0;
	for (size_t i = 0; i < n; i++)
		w += sp[i].n;
	return w;
}

static unsigned vcpu_count(struct hv_vm_obj *vm)
{
	unsigned n = 0;
	for (unsigned i = 0; i < HV_MAX_VCPUS; i++)
		n += vm->vcpus[i] != NULL;
	return n;
}

static size_t blob_size(struct hv_vm_obj *vm)
{
	unsigned dw = words(dist_cfg, NSPANS(dist_cfg)) + 31 + words(dist_state, NSPANS(dist_state)) + 1;
	unsigned rw = 1 + words(redist_cfg, NSPANS(redist_cfg)) + words(redist_state, NSPANS(redist_state));
	return 16 + 4 * ((size_t)dw + (size_t)rw * vcpu_count(vm));
}

static hv_return_t vgic_state_size(struct hv_vm_obj *vm, size_t *size)
{
	READY(vm);
	*size = blob_size(vm);
	return HV_SUCCESS;
}

/* IROUTER is a 64-bit register: its low word at 8-byte steps. */
static uint32_t span_off(const struct span *sp, uint32_t k)
{
	return sp->off + (sp->off >= 0x6000 && sp->off < 0x8000 ? 8 : 4) * k;
}

static uint64_t level_attr(unsigned first)
{
	return (uint64_t)VGIC_LEVEL_INFO_LINE_LEVEL << KVM_DEV_ARM_VGIC_LINE_LEVEL_INFO_SHIFT |
	       first;
}

/* Walks the blob for save (out) or restore (in). */
static hv_return_t walk(struct hv_vm_obj *vm, uint32_t *p, bool restore)
{
	int fd = kvm_vm_of(vm)->vgic_fd;
	struct hv_vcpu_obj *any = NULL;
	for (unsigned i = 0; i < HV_MAX_VCPUS && !any; i++)
		any = vm->vcpus[i];
	for (size_t s = 0; s < NSPANS(dist_cfg); s++)
		for (uint32_t k = 0; k < dist_cfg[s].n; k++, p++)
			restore ? dist_set32(vm, span_off(&dist_cfg[s], k), *p)
				: dist_get32(vm, span_off(&dist_cfg[s], k), p);
	for (unsigned i = 1; i < 32; i++, p++) { /* SPI line levels, 32 at a time */
		uint64_t a = (any ? mpidr_attr(any) : 0) | level_attr(32 * i);
		if (!restore)
			*p = 0;
		attr(fd, restore, KVM_DEV_ARM_VGIC_GRP_LEVEL_INFO, a, p);
	}
	for (size_t s = 0; s < NSPANS(dist_state); s++)
		for (uint32_t k = 0; k < dist_state[s].n; k++, p++)
			restore ? dist_set32(vm, span_off(&dist_state[s], k), *p)
				: dist_get32(vm, span_off(&dist_state[s], k), p);
	for (unsigned i = 0; i < HV_MAX_VCPUS; i++) {
		struct hv_vcpu_obj *v = vm->vcpus[i];
		if (!v)
			continue;
		if (restore && *p != i)
			return HV_BAD_ARGUMENT;
		*p++ = i;
		for (size_t s = 0; s < NSPANS(redist_cfg); s++)
			for (uint32_t k = 0; k < redist_cfg[s].n; k++, p++)
				redist32(v, restore, span_off(&redist_cfg[s], k), p);
		for (size_t s = 0; s < NSPANS(redist_state); s++)
			for (uint32_t k = 0; k < redist_state[s].n; k++, p++)
				redist32(v, restore, span_off(&redist_state[s], k), p);
	}
	restore ? dist_set32(vm, 0, *p) : dist_get32(vm, 0, p);
	return HV_SUCCESS;
}

static hv_return_t vgic_state_save(struct hv_vm_obj *vm, void *buf)
{
	READY(vm);
	uint32_t *p = buf;
	p[0] = VSTATE_MAGIC;
	p[1] = VSTATE_VERSION;
	p[2] = vcpu_count(vm);
	p[3] = (uint32_t)blob_size(vm);
	return walk(vm, p + 4, false);
}

/* Clears what the saved set bits do not cover, then writes. */
static void clear_all(struct hv_vm_obj *vm)
{
	for (uint32_t w = 1; w < 32; w++) {
		dist_set32(vm, 0x180 + 4 * w, ~0u); /* ICENABLER */
		dist_set32(vm, 0x280 + 4 * w, ~0u); /* ICPENDR */
		dist_set32(vm, 0x200 + 4 * w, 0);   /* ISPENDR: KVM's user write assigns */
		dist_set32(vm, 0x380 + 4 * w, ~0u); /* ICACTIVER */
	}
	for (unsigned i = 0; i < HV_MAX_VCPUS; i++) {
		struct hv_vcpu_obj *v = vm->vcpus[i];
		uint32_t ones = ~0u;
		if (!v)
			continue;
		redist32(v, true, 0x10180, &ones);
		redist32(v, true, 0x10280, &ones);
		redist32(v, true, 0x10380, &ones);
	}
}

static hv_return_t vgic_state_restore(struct hv_vm_obj *vm, const void *buf, size_t size)
{
	READY(vm);
	if (size != blob_size(vm) || size < 16)
		return HV_BAD_ARGUMENT;
	uint32_t *copy = malloc(size);
	if (!copy)
		return HV_NO_RESOURCES;
	memcpy(copy, buf, size);
	hv_return_t r = HV_BAD_ARGUMENT;
	if (copy[0] == VSTATE_MAGIC && copy[1] == VSTATE_VERSION && copy[2] == vcpu_count(vm) &&
	    copy[3] == size) {
		/* The vCPU ids must match before anything is written. */
		size_t dw = words(dist_cfg, NSPANS(dist_cfg)) + 31 + words(dist_state, NSPANS(dist_state));
		size_t rw = 1 + words(redist_cfg, NSPANS(redist_cfg)) + words(redist_state, NSPANS(redist_state));
		const uint32_t *ids = copy + 4 + dw;
		bool same = true;
		for (unsigned i = 0, k = 0; i < HV_MAX_VCPUS; i++)
			if (vm->vcpus[i] && ids[rw * k++] != i)
				same = false;
		if (same) {
			clear_all(vm);
			r = walk(vm, copy + 4, true);
			/* KVM queues an SPI for delivery only when its line moves,
			 * not when user space restores it pending: move the line
			 * of every pending SPI, ending where it was. */
			const uint32_t *levels = copy + 4 + words(dist_cfg, NSPANS(dist_cfg));
			for (unsigned w = 1; w < 32; w++) {
				uint32_t pend = 0;
				dist_get32(vm, 0x200 + 4 * w, &pend);
				for (unsigned b = 0; b < 32; b++) {
					uint32_t intid = 32 * w + b;
					if (!((pend >> b) & 1) || intid >= KVM_VGIC_NR_IRQS)
						continue;
					int high = (levels[w - 1] >> b) & 1;
					irq_line(vm, intid, !high);
					irq_line(vm, intid, high);
				}
			}
		}
	}
	free(copy);
	return r;
}

/* The reset state: everything disabled, inactive, not pending, group 0,
 * priority 0, level-sensitive, routed to 0; lines low; CPU interfaces
 * masked. */
static hv_return_t vgic_reset(struct hv_vm_obj *vm)
{
	READY(vm);
	clear_all(vm);
	for (uint32_t intid = GIC_SPI_BASE; intid < KVM_VGIC_NR_IRQS; intid++)
		irq_line(vm, intid, 0); /* every SPI line low */
	for (size_t s = 0; s < NSPANS(dist_cfg); s++)
		for (uint32_t k = 0; k < dist_cfg[s].n; k++)
			dist_set32(vm, span_off(&dist_cfg[s], k), 0);
	dist_set32(vm, 0, 0);
	static const uint16_t icc_regs[] = { HV_GIC_ICC_REG_PMR_EL1, HV_GIC_ICC_REG_IGRPEN0_EL1,
					     HV_GIC_ICC_REG_IGRPEN1_EL1, HV_GIC_ICC_REG_AP0R0_EL1,
					     HV_GIC_ICC_REG_AP1R0_EL1, HV_GIC_ICC_REG_CTLR_EL1 };
	for (unsigned i = 0; i < HV_MAX_VCPUS; i++) {
		struct hv_vcpu_obj *v = vm->vcpus[i];
		if (!v)
			continue;
		uint32_t zero = 0, sleep = 2;
		redist32(v, true, 0x10080, &zero);
		for (uint32_t k = 0; k < 8; k++)
			redist32(v, true, 0x10400 + 4 * k, &zero);
		redist32(v, true, 0x14, &sleep);
		for (size_t k = 0; k < sizeof(icc_regs) / sizeof(icc_regs[0]); k++) {
			uint64_t z = 0;
			icc(v, true, icc_regs[k], &z);
		}
	}
	return HV_SUCCESS;
}

/* A guest access to the MSI frame (KVM has none): SET_SPI_NSR stores
 * raise the MSI, TYPER reads describe the range.  True if handled; run->
 * mmio.data then holds a read's value for KVM's completion. */
bool kvm_vgic_mmio(struct hv_vm_obj *vm, struct kvm_run *run)
{
	const struct gic_config *cfg = vm->gic_cfg;
	if (!vm->has_gic || !cfg->msi_intid_count || run->mmio.phys_addr - cfg->msi_base >= GIC_MSI_SIZE)
		return false;
	uint64_t off = run->mmio.phys_addr - cfg->msi_base, v = 0;
	if (run->mmio.is_write) {
		memcpy(&v, run->mmio.data, run->mmio.len <= 8 ? run->mmio.len : 8);
		if (off == GICM_SET_SPI_NSR && gic_config_is_msi(cfg, v))
			vgic_send_msi(vm, (uint32_t)v);
	} else {
		v = off == GICM_TYPER ? gic_msi_typer(cfg) : 0;
		memcpy(run->mmio.data, &v, run->mmio.len <= 8 ? run->mmio.len : 8);
	}
	return true;
}

const struct hv_gic_ops kvm_vgic_ops = {
	.nr_spis = KVM_VGIC_NR_IRQS - GIC_SPI_BASE,
	.create = vgic_create,
	.destroy = vgic_destroy,
	.vcpu_attach = vgic_attach,
	.vcpu_detach = vgic_detach,
	.mpidr_changed = vgic_mpidr,
	.set_spi = vgic_set_spi,
	.send_msi = vgic_send_msi,
	.dist_read = vgic_dist_read,
	.dist_write = vgic_dist_write,
	.redist_read = vgic_redist_read,
	.redist_write = vgic_redist_write,
	.icc_read = vgic_icc_read,
	.icc_write = vgic_icc_write,
	.state_size = vgic_state_size,
	.state_save = vgic_state_save,
	.state_restore = vgic_state_restore,
	.reset = vgic_reset,
};
