/*
 * hv_gic.c - Apple's hv_gic_* API (macOS 15): configuration and state
 * objects, argument checks, ordering and thread rules, over the backend's
 * hv_gic_ops (emu: the model of src/vcpu/gic/; kvm: KVM's vgic-v3).
 *
 * Choices where Apple is silent (docs/compatibility.md): a call that
 * needs a GIC without one is HV_NO_DEVICE; a second hv_gic_create is
 * HV_EXISTS, one after a vCPU exists HV_BUSY; ICH/ICV and ICC_SRE_EL2
 * need EL2 (hv_vm_config_set_el2_enabled) and a backend with a virtual
 * CPU interface (emu): else HV_BAD_ARGUMENT.
 */
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "gic/gic.h"
#include "vm.h"

#define HV_GIC_CONFIG_MAGIC 0x68676363u /* 'hgcc' */
#define HV_GIC_STATE_MAGIC 0x68677374u  /* 'hgst' */

struct hv_gic_config_s {
	struct hv_os_object obj;
	struct gic_config cfg;
};

struct hv_gic_state_s {
	struct hv_os_object obj;
	size_t size;
	uint8_t data[];
};

static bool config_valid(hv_gic_config_t c)
{
	return c && c->obj.magic == HV_GIC_CONFIG_MAGIC;
}

static bool state_valid(hv_gic_state_t s)
{
	return s && s->obj.magic == HV_GIC_STATE_MAGIC;
}

/* The VM if it has a GIC. */
static struct hv_vm_obj *gic_vm(void)
{
	struct hv_vm_obj *vm = hv_current_vm();
	return vm && __atomic_load_n(&vm->has_gic, __ATOMIC_ACQUIRE) ? vm : NULL;
}

#define WITH_GIC(vm)                         \
	struct hv_vm_obj *vm = gic_vm();     \
	if (!vm)                             \
	return HV_NO_DEVICE

static bool is_msi(const struct hv_vm_obj *vm, uint64_t intid)
{
	return gic_config_is_msi(vm->gic_cfg, intid);
}

/* ---- parameters ------------------------------------------------------ */

static hv_return_t put_size(size_t *out, size_t v)
{
	if (!out)
		return HV_BAD_ARGUMENT;
	*out = v;
	return HV_SUCCESS;
}

hv_return_t hv_gic_get_distributor_size(size_t *v) { return put_size(v, GIC_DIST_SIZE); }
hv_return_t hv_gic_get_distributor_base_alignment(size_t *v) { return put_size(v, GIC_DIST_ALIGN); }
hv_return_t hv_gic_get_redistributor_region_size(size_t *v) { return put_size(v, GIC_REDIST_REGION_SIZE); }
hv_return_t hv_gic_get_redistributor_size(size_t *v) { return put_size(v, GIC_REDIST_SIZE); }
hv_return_t hv_gic_get_redistributor_base_alignment(size_t *v) { return put_size(v, GIC_REDIST_ALIGN); }
hv_return_t hv_gic_get_msi_region_size(size_t *v) { return put_size(v, GIC_MSI_SIZE); }
hv_return_t hv_gic_get_msi_region_base_alignment(size_t *v) { return put_size(v, GIC_MSI_ALIGN); }

/* The backend's GIC (the VM's, or the one a VM would get), NULL: none. */
static const struct hv_gic_ops *backend_gic(void)
{
	struct hv_vm_obj *vm = hv_current_vm();
	const struct hv_backend_ops *b = vm ? vm->ops : hv_backend_select();
	return b ? b->gic : NULL;
}

/* SPIs 32..1019 on emu; KVM's vgic stops at 991. */
hv_return_t hv_gic_get_spi_interrupt_range(uint32_t *base, uint32_t *count)
{
	if (!base || !count)
		return HV_BAD_ARGUMENT;
	const struct hv_gic_ops *g = backend_gic();
	*base = GIC_SPI_BASE;
	*count = g ? g->nr_spis : GIC_NR_SPIS;
	return HV_SUCCESS;
}

hv_return_t hv_gic_get_intid(hv_gic_intid_t interrupt, uint32_t *intid)
{
	if (!intid)
		return HV_BAD_ARGUMENT;
	switch (interrupt) {
	case HV_GIC_INT_PERFORMANCE_MONITOR:
	case HV_GIC_INT_MAINTENANCE:
	case HV_GIC_INT_EL2_PHYSICAL_TIMER:
	case HV_GIC_INT_EL1_VIRTUAL_TIMER:
	case HV_GIC_INT_EL1_PHYSICAL_TIMER:
		*intid = interrupt;
		return HV_SUCCESS;
	default:
		return HV_BAD_ARGUMENT;
	}
}

/* ---- configuration --------------------------------------------------- */

hv_gic_config_t hv_gic_config_create(void)
{
	return hv_os_object_alloc(sizeof(struct hv_gic_config_s), HV_GIC_CONFIG_MAGIC);
}

/* Aligned, and base + size does not wrap. */
static bool base_ok(hv_ipa_t base, uint64_t size, uint64_t align)
{
	return !(base & (align - 1)) && base <= UINT64_MAX - size;
}

hv_return_t hv_gic_config_set_distributor_base(hv_gic_config_t c, hv_ipa_t base)
{
	if (!config_valid(c) || !base_ok(base, GIC_DIST_SIZE, GIC_DIST_ALIGN))
		return HV_BAD_ARGUMENT;
	c->cfg.dist_base = base;
	return HV_SUCCESS;
}

hv_return_t hv_gic_config_set_redistributor_base(hv_gic_config_t c, hv_ipa_t base)
{
	if (!config_valid(c) || !base_ok(base, GIC_REDIST_REGION_SIZE, GIC_REDIST_ALIGN))
		return HV_BAD_ARGUMENT;
	c->cfg.redist_base = base;
	return HV_SUCCESS;
}

hv_return_t hv_gic_config_set_msi_region_base(hv_gic_config_t c, hv_ipa_t base)
{
	if (!config_valid(c) || !base_ok(base, GIC_MSI_SIZE, GIC_MSI_ALIGN))
		return HV_BAD_ARGUMENT;
	c->cfg.msi_base = base;
	c->cfg.msi_base_set = true;
	return HV_SUCCESS;
}

hv_return_t hv_gic_config_set_msi_interrupt_range(hv_gic_config_t c, uint32_t base, uint32_t count)
{
	if (!config_valid(c) || count == 0 || base < GIC_SPI_BASE || base >= GIC_NR_INTIDS ||
	    count > GIC_NR_INTIDS - base)
		return HV_BAD_ARGUMENT;
	c->cfg.msi_intid_base = base;
	c->cfg.msi_intid_count = count;
	return HV_SUCCESS;
}

static bool overlap(uint64_t a, uint64_t asz, uint64_t b, uint64_t bsz)
{
	return a < b + bsz && b < a + asz;
}

hv_return_t hv_gic_create(hv_gic_config_t config)
{
	struct hv_vm_obj *vm = hv_current_vm();
	if (!vm || !config_valid(config))
		return HV_BAD_ARGUMENT;
	const struct hv_gic_ops *ops = vm->ops->gic;
	if (!ops)
		return HV_UNSUPPORTED;
	struct gic_config cfg = config->cfg;
	bool msi = cfg.msi_base_set && cfg.msi_intid_count;
	uint64_t limit = vm->ipa_bits >= 64 ? UINT64_MAX : (1ull << vm->ipa_bits);
	if (overlap(cfg.dist_base, GIC_DIST_SIZE, cfg.redist_base, GIC_REDIST_REGION_SIZE) ||
	    (msi && (overlap(cfg.msi_base, GIC_MSI_SIZE, cfg.dist_base, GIC_DIST_SIZE) ||
		     overlap(cfg.msi_base, GIC_MSI_SIZE, cfg.redist_base, GIC_REDIST_REGION_SIZE))) ||
	    cfg.dist_base + GIC_DIST_SIZE > limit || cfg.redist_base + GIC_REDIST_REGION_SIZE > limit ||
	    (msi && cfg.msi_base + GIC_MSI_SIZE > limit))
		return HV_BAD_ARGUMENT;
	if (msi && cfg.msi_intid_base + cfg.msi_intid_count > GIC_SPI_BASE + ops->nr_spis)
		return HV_BAD_ARGUMENT; /* beyond this backend's SPIs */
	if (!msi) { /* MSIs need both the frame and the range */
		cfg.msi_base_set = false;
		cfg.msi_intid_count = 0;
	}
	hv_return_t ret = HV_SUCCESS;
	pthread_mutex_lock(&vm->vcpus_lock);
	if (vm->has_gic) {
		ret = HV_EXISTS;
	} else {
		for (unsigned i = 0; i < HV_MAX_VCPUS; i++)
			if (vm->vcpus[i])
				ret = HV_BUSY; /* the GIC comes before any vCPU */
	}
	if (ret == HV_SUCCESS) {
		vm->gic_cfg = malloc(sizeof(cfg));
		ret = vm->gic_cfg ? ops->create(vm, &cfg) : HV_NO_RESOURCES;
		if (ret == HV_SUCCESS) {
			*vm->gic_cfg = cfg;
			__atomic_store_n(&vm->has_gic, true, __ATOMIC_RELEASE);
		} else {
			free(vm->gic_cfg);
			vm->gic_cfg = NULL;
		}
	}
	pthread_mutex_unlock(&vm->vcpus_lock);
	return ret;
}

/* ---- injection ------------------------------------------------------- */

hv_return_t hv_gic_set_spi(uint32_t intid, bool level)
{
	WITH_GIC(vm);
	if (intid < GIC_SPI_BASE || intid >= GIC_SPI_BASE + vm->ops->gic->nr_spis || is_msi(vm, intid))
		return HV_BAD_ARGUMENT;
	return vm->ops->gic->set_spi(vm, intid, level);
}

hv_return_t hv_gic_send_msi(hv_ipa_t address, uint32_t intid)
{
	WITH_GIC(vm);
	if (!vm->gic_cfg->msi_intid_count || address != vm->gic_cfg->msi_base + GICM_SET_SPI_NSR ||
	    !is_msi(vm, intid))
		return HV_BAD_ARGUMENT;
	return vm->ops->gic->send_msi(vm, intid);
}

/* ---- registers ------------------------------------------------------- */

/* Distributor offsets the API accepts: the registers of the enum (and
 * the rest of their arrays), 4-byte aligned; IROUTER 8-byte aligned. */
static bool dist_reg_ok(uint32_t off, unsigned *size)
{
	*size = 4;
	if (off >= 0x6000 + 8 * GIC_SPI_BASE && off < 0x6000 + 8 * GIC_NR_INTIDS) {
		*size = 8;
		return !(off & 7);
	}
	return !(off & 3) && (off <= 0x4 || (off >= 0x80 && off < 0x400) ||
			      (off >= 0x400 && off < 0x400 + GIC_NR_INTIDS) ||
			      (off >= 0xc00 && off < 0xd00) || off == GIC_PIDR2);
}

hv_return_t hv_gic_get_distributor_reg(hv_gic_distributor_reg_t reg, uint64_t *value)
{
	WITH_GIC(vm);
	unsigned size;
	if (!value || !dist_reg_ok(reg, &size))
		return HV_BAD_ARGUMENT;
	return vm->ops->gic->dist_read(vm, reg, size, value);
}

hv_return_t hv_gic_set_distributor_reg(hv_gic_distributor_reg_t reg, uint64_t value)
{
	WITH_GIC(vm);
	unsigned size;
	if (!dist_reg_ok(reg, &size))
		return HV_BAD_ARGUMENT;
	return vm->ops->gic->dist_write(vm, reg, size, value); /* read-only registers ignore it */
}

hv_return_t hv_gic_get_redistributor_base(hv_vcpu_t vcpu, hv_ipa_t *base)
{
	WITH_GIC(vm);
	if (!base || vcpu >= HV_MAX_VCPUS)
		return HV_BAD_ARGUMENT;
	pthread_mutex_lock(&vm->vcpus_lock);
	bool exists = vm->vcpus[vcpu] != NULL;
	pthread_mutex_unlock(&vm->vcpus_lock);
	if (!exists)
		return HV_BAD_ARGUMENT;
	*base = vm->gic_cfg->redist_base + vcpu * GIC_REDIST_SIZE;
	return HV_SUCCESS;
}

/* RD frame TYPER/PIDR2, SGI frame arrays: as in the enum, 4-byte aligned
 * (TYPER 8). */
static bool redist_reg_ok(uint32_t off, unsigned *size)
{
	*size = off == 0x8 ? 8 : 4;
	if (off & 3)
		return false;
	return off == 0x8 || off == GIC_PIDR2 || (off >= 0x10080 && off < 0x10400) ||
	       (off >= 0x10400 && off < 0x10420) || off == 0x10c00 || off == 0x10c04;
}

static hv_return_t vcpu_gic(hv_vcpu_t vcpu, struct hv_vcpu_obj **out)
{
	if (!gic_vm())
		return HV_NO_DEVICE;
	return hv_owned_vcpu(vcpu, out);
}

hv_return_t hv_gic_get_redistributor_reg(hv_vcpu_t vcpu, hv_gic_redistributor_reg_t reg, uint64_t *value)
{
	struct hv_vcpu_obj *c;
	unsigned size;
	hv_return_t r = vcpu_gic(vcpu, &c);
	if (r != HV_SUCCESS)
		return r;
	if (!value || !redist_reg_ok(reg, &size))
		return HV_BAD_ARGUMENT;
	return c->vm->ops->gic->redist_read(c, reg, size, value);
}

hv_return_t hv_gic_set_redistributor_reg(hv_vcpu_t vcpu, hv_gic_redistributor_reg_t reg, uint64_t value)
{
	struct hv_vcpu_obj *c;
	unsigned size;
	hv_return_t r = vcpu_gic(vcpu, &c);
	if (r != HV_SUCCESS)
		return r;
	if (!redist_reg_ok(reg, &size))
		return HV_BAD_ARGUMENT;
	return c->vm->ops->gic->redist_write(c, reg, size, value);
}

/* The virtual interface exists for EL2 guests on a backend that has it. */
static hv_return_t vif_vcpu(hv_vcpu_t vcpu, struct hv_vcpu_obj **out)
{
	hv_return_t r = vcpu_gic(vcpu, out);
	if (r != HV_SUCCESS)
		return r;
	return (*out)->vm->el2_enabled && (*out)->vm->ops->gic->ich_read ? HV_SUCCESS : HV_BAD_ARGUMENT;
}

/* The ICC registers of Apple's enum (ICC_SRE_EL2 needs EL2). */
static bool icc_api_reg(uint16_t reg)
{
	switch (reg) {
	case HV_GIC_ICC_REG_PMR_EL1:
	case HV_GIC_ICC_REG_BPR0_EL1:
	case HV_GIC_ICC_REG_AP0R0_EL1:
	case HV_GIC_ICC_REG_AP1R0_EL1:
	case HV_GIC_ICC_REG_RPR_EL1:
	case HV_GIC_ICC_REG_BPR1_EL1:
	case HV_GIC_ICC_REG_CTLR_EL1:
	case HV_GIC_ICC_REG_SRE_EL1:
	case HV_GIC_ICC_REG_IGRPEN0_EL1:
	case HV_GIC_ICC_REG_IGRPEN1_EL1:
		return true;
	default:
		return false;
	}
}

hv_return_t hv_gic_get_icc_reg(hv_vcpu_t vcpu, hv_gic_icc_reg_t reg, uint64_t *value)
{
	struct hv_vcpu_obj *c;
	hv_return_t r = vcpu_gic(vcpu, &c);
	if (r != HV_SUCCESS)
		return r;
	if (value && reg == HV_GIC_ICC_REG_SRE_EL2 && vif_vcpu(vcpu, &c) == HV_SUCCESS)
		return c->vm->ops->gic->ich_read(c, reg, value);
	if (!value || !icc_api_reg(reg))
		return HV_BAD_ARGUMENT;
	return c->vm->ops->gic->icc_read(c, reg, value);
}

hv_return_t hv_gic_set_icc_reg(hv_vcpu_t vcpu, hv_gic_icc_reg_t reg, uint64_t value)
{
	struct hv_vcpu_obj *c;
	hv_return_t r = vcpu_gic(vcpu, &c);
	if (r != HV_SUCCESS)
		return r;
	if (reg == HV_GIC_ICC_REG_SRE_EL2 && vif_vcpu(vcpu, &c) == HV_SUCCESS)
		return c->vm->ops->gic->ich_write(c, reg, value);
	if (!icc_api_reg(reg) || reg == HV_GIC_ICC_REG_RPR_EL1)
		return reg == HV_GIC_ICC_REG_RPR_EL1 ? HV_SUCCESS : HV_BAD_ARGUMENT; /* RPR: read-only */
	return c->vm->ops->gic->icc_write(c, reg, value);
}

/* Apple's ICH enum: AP0R0, AP1R0, HCR, VTR, MISR, EISR, ELRSR, VMCR,
 * LR0-15 (the list registers beyond ICH_VTR_EL2.ListRegs do not exist). */
static bool ich_api_reg(uint16_t reg, bool *read_only)
{
	*read_only = reg == HV_GIC_ICH_REG_VTR_EL2 || reg == HV_GIC_ICH_REG_MISR_EL2 ||
		     reg == HV_GIC_ICH_REG_EISR_EL2 || reg == HV_GIC_ICH_REG_ELRSR_EL2;
	return reg == HV_GIC_ICH_REG_AP0R0_EL2 || reg == HV_GIC_ICH_REG_AP1R0_EL2 || reg == HV_GIC_ICH_REG_HCR_EL2 ||
	       reg == HV_GIC_ICH_REG_VMCR_EL2 || *read_only ||
	       (reg >= HV_GIC_ICH_REG_LR0_EL2 && reg <= HV_GIC_ICH_REG_LR15_EL2);
}

hv_return_t hv_gic_get_ich_reg(hv_vcpu_t vcpu, hv_gic_ich_reg_t reg, uint64_t *value)
{
	struct hv_vcpu_obj *c;
	bool ro;
	hv_return_t r = vif_vcpu(vcpu, &c);
	if (r != HV_SUCCESS)
		return r;
	if (!value || !ich_api_reg(reg, &ro))
		return HV_BAD_ARGUMENT;
	return c->vm->ops->gic->ich_read(c, reg, value);
}

hv_return_t hv_gic_set_ich_reg(hv_vcpu_t vcpu, hv_gic_ich_reg_t reg, uint64_t value)
{
	struct hv_vcpu_obj *c;
	bool ro;
	hv_return_t r = vif_vcpu(vcpu, &c);
	if (r != HV_SUCCESS)
		return r;
	if (!ich_api_reg(reg, &ro))
		return HV_BAD_ARGUMENT;
	return ro ? HV_SUCCESS : c->vm->ops->gic->ich_write(c, reg, value); /* read-only: as ICC_RPR */
}

/* ICV: the same members as the ICC enum without ICC_SRE_EL2. */
hv_return_t hv_gic_get_icv_reg(hv_vcpu_t vcpu, hv_gic_icv_reg_t reg, uint64_t *value)
{
	struct hv_vcpu_obj *c;
	hv_return_t r = vif_vcpu(vcpu, &c);
	if (r != HV_SUCCESS)
		return r;
	if (!value || !icc_api_reg(reg))
		return HV_BAD_ARGUMENT;
	return c->vm->ops->gic->icv_read(c, reg, value);
}

hv_return_t hv_gic_set_icv_reg(hv_vcpu_t vcpu, hv_gic_icv_reg_t reg, uint64_t value)
{
	struct hv_vcpu_obj *c;
	hv_return_t r = vif_vcpu(vcpu, &c);
	if (r != HV_SUCCESS)
		return r;
	if (!icc_api_reg(reg))
		return HV_BAD_ARGUMENT;
	if (reg == HV_GIC_ICV_REG_RPR_EL1)
		return HV_SUCCESS;
	return c->vm->ops->gic->icv_write(c, reg, value);
}

/* The MSI frame is the same on every backend: TYPER from the
 * configuration, SET_SPI_NSR an MSI (INTIDs outside the range ignored). */
hv_return_t hv_gic_get_msi_reg(hv_gic_msi_reg_t reg, uint64_t *value)
{
	WITH_GIC(vm);
	if (!value || (reg != HV_GIC_REG_GICM_TYPER && reg != HV_GIC_REG_GICM_SET_SPI_NSR))
		return HV_BAD_ARGUMENT;
	*value = reg == HV_GIC_REG_GICM_TYPER ? gic_msi_typer(vm->gic_cfg) : 0;
	return HV_SUCCESS;
}

hv_return_t hv_gic_set_msi_reg(hv_gic_msi_reg_t reg, uint64_t value)
{
	WITH_GIC(vm);
	if (reg != HV_GIC_REG_GICM_TYPER && reg != HV_GIC_REG_GICM_SET_SPI_NSR)
		return HV_BAD_ARGUMENT;
	if (reg == HV_GIC_REG_GICM_SET_SPI_NSR && is_msi(vm, value))
		return vm->ops->gic->send_msi(vm, (uint32_t)value);
	return HV_SUCCESS; /* TYPER is read-only */
}

/* ---- state and reset ------------------------------------------------- */

hv_gic_state_t hv_gic_state_create(void)
{
	struct hv_vm_obj *vm = gic_vm();
	size_t size = 0;
	if (!vm || vm->ops->gic->state_size(vm, &size) != HV_SUCCESS)
		return NULL;
	struct hv_gic_state_s *s = hv_os_object_alloc(sizeof(*s) + size, HV_GIC_STATE_MAGIC);
	if (!s)
		return NULL;
	s->size = size;
	if (vm->ops->gic->state_save(vm, s->data) != HV_SUCCESS) {
		os_release(s);
		return NULL;
	}
	return s;
}

hv_return_t hv_gic_state_get_size(hv_gic_state_t state, size_t *size)
{
	if (!state_valid(state) || !size)
		return HV_BAD_ARGUMENT;
	*size = state->size;
	return HV_SUCCESS;
}

hv_return_t hv_gic_state_get_data(hv_gic_state_t state, void *data)
{
	if (!state_valid(state) || !data)
		return HV_BAD_ARGUMENT;
	memcpy(data, state->data, state->size);
	return HV_SUCCESS;
}

hv_return_t hv_gic_set_state(const void *data, size_t size)
{
	WITH_GIC(vm);
	if (!data)
		return HV_BAD_ARGUMENT;
	return vm->ops->gic->state_restore(vm, data, size);
}

hv_return_t hv_gic_reset(void)
{
	WITH_GIC(vm);
	return vm->ops->gic->reset(vm);
}
