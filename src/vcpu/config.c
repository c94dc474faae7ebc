/*
 * config.c - VM and vCPU configuration objects, os_retain/os_release.
 */
#include <stdlib.h>

#include "config.h"
#include "vm.h"

void *os_retain(void *object)
{
	struct hv_os_object *o = object;
	if (o)
		atomic_fetch_add(&o->refcount, 1);
	return object;
}

void *hv_os_object_alloc(size_t size, uint32_t magic)
{
	struct hv_os_object *o = calloc(1, size);
	if (!o)
		return NULL;
	o->magic = magic;
	atomic_init(&o->refcount, 1); /* returned retained, as Apple's creators */
	return o;
}

void os_release(void *object)
{
	struct hv_os_object *o = object;
	if (!o)
		return;
	if (atomic_fetch_sub(&o->refcount, 1) == 1) {
		o->magic = 0; /* catches use after release in *_valid() */
		free(o);
	}
}

bool hv_vm_config_valid(hv_vm_config_t config)
{
	return config && config->obj.magic == HV_VM_CONFIG_MAGIC;
}

bool hv_vcpu_config_valid(hv_vcpu_config_t config)
{
	return config && config->obj.magic == HV_VCPU_CONFIG_MAGIC;
}

hv_vm_config_t hv_vm_config_create(void)
{
	struct hv_vm_config_s *c = hv_os_object_alloc(sizeof(*c), HV_VM_CONFIG_MAGIC);
	if (!c)
		return NULL;
	c->ipa_bits = HV_DEFAULT_IPA_BITS;
	c->granule = HV_IPA_GRANULE_16KB;
	return c;
}

hv_return_t hv_vm_config_get_max_ipa_size(uint32_t *ipa_bit_length)
{
	if (!ipa_bit_length)
		return HV_BAD_ARGUMENT;
	*ipa_bit_length = HV_MAX_IPA_BITS;
	return HV_SUCCESS;
}

hv_return_t hv_vm_config_get_default_ipa_size(uint32_t *ipa_bit_length)
{
	if (!ipa_bit_length)
		return HV_BAD_ARGUMENT;
	*ipa_bit_length = HV_DEFAULT_IPA_BITS;
	return HV_SUCCESS;
}

/* As on macOS: any size up to the maximum is accepted, 0 included (the VM
 * then gets the default size); above it the answer is HV_UNSUPPORTED. */
hv_return_t hv_vm_config_set_ipa_size(hv_vm_config_t config, uint32_t ipa_bit_length)
{
	if (!hv_vm_config_valid(config))
		return HV_BAD_ARGUMENT;
	if (ipa_bit_length > HV_MAX_IPA_BITS)
		return HV_UNSUPPORTED;
	config->ipa_bits = ipa_bit_length;
	return HV_SUCCESS;
}

hv_return_t hv_vm_config_get_ipa_size(hv_vm_config_t config, uint32_t *ipa_bit_length)
{
	if (!hv_vm_config_valid(config) || !ipa_bit_length)
		return HV_BAD_ARGUMENT;
	*ipa_bit_length = config->ipa_bits;
	return HV_SUCCESS;
}

/* Nested virtualisation (guest EL2): what the backend the VM would use
 * offers (emu yes, kvm no). */
hv_return_t hv_vm_config_get_el2_supported(bool *el2_supported)
{
	if (!el2_supported)
		return HV_BAD_ARGUMENT;
	const struct hv_backend_ops *ops = hv_backend_select();
	*el2_supported = ops && ops->el2;
	return HV_SUCCESS;
}

hv_return_t hv_vm_config_get_el2_enabled(hv_vm_config_t config, bool *el2_enabled)
{
	if (!hv_vm_config_valid(config) || !el2_enabled)
		return HV_BAD_ARGUMENT;
	*el2_enabled = config->el2_enabled;
	return HV_SUCCESS;
}

hv_return_t hv_vm_config_set_el2_enabled(hv_vm_config_t config, bool el2_enabled)
{
	if (!hv_vm_config_valid(config))
		return HV_BAD_ARGUMENT;
	bool supported = false;
	if (el2_enabled && (hv_vm_config_get_el2_supported(&supported) != HV_SUCCESS || !supported))
		return HV_UNSUPPORTED;
	config->el2_enabled = el2_enabled;
	return HV_SUCCESS;
}

hv_return_t hv_vm_config_get_default_ipa_granule(hv_ipa_granule_t *granule)
{
	if (!granule)
		return HV_BAD_ARGUMENT;
	*granule = HV_IPA_GRANULE_16KB;
	return HV_SUCCESS;
}

hv_return_t hv_vm_config_get_ipa_granule(hv_vm_config_t config, hv_ipa_granule_t *granule)
{
	if (!hv_vm_config_valid(config) || !granule)
		return HV_BAD_ARGUMENT;
	*granule = config->granule;
	return HV_SUCCESS;
}

hv_return_t hv_vm_config_set_ipa_granule(hv_vm_config_t config, hv_ipa_granule_t granule)
{
	if (!hv_vm_config_valid(config) ||
	    (granule != HV_IPA_GRANULE_4KB && granule != HV_IPA_GRANULE_16KB))
		return HV_BAD_ARGUMENT;
	config->granule = granule;
	return HV_SUCCESS;
}

hv_vcpu_config_t hv_vcpu_config_create(void)
{
	return hv_os_object_alloc(sizeof(struct hv_vcpu_config_s), HV_VCPU_CONFIG_MAGIC);
}

/* Feature registers come from the backend the VM would use; answering
 * needs no VM, as on macOS. */
static const struct hv_backend_ops *config_backend(void)
{
	struct hv_vm_obj *vm = hv_current_vm();
	return vm ? vm->ops : hv_backend_select();
}

hv_return_t hv_vcpu_config_get_feature_reg(hv_vcpu_config_t config, hv_feature_reg_t feature_reg,
					   uint64_t *value)
{
	if (!hv_vcpu_config_valid(config) || !value || feature_reg > HV_FEATURE_REG_ID_AA64ZFR0_EL1)
		return HV_BAD_ARGUMENT;
	const struct hv_backend_ops *ops = config_backend();
	if (!ops)
		return HV_UNSUPPORTED;
	return ops->feature_reg(feature_reg, value);
}

hv_return_t hv_vcpu_config_get_ccsidr_el1_sys_reg_values(hv_vcpu_config_t config,
							  hv_cache_type_t cache_type,
							  uint64_t values[8])
{
	if (!hv_vcpu_config_valid(config) || !values ||
	    (cache_type != HV_CACHE_TYPE_DATA && cache_type != HV_CACHE_TYPE_INSTRUCTION))
		return HV_BAD_ARGUMENT;
	const struct hv_backend_ops *ops = config_backend();
	if (!ops)
		return HV_UNSUPPORTED;
	return ops->ccsidr_values(cache_type, values);
}

hv_return_t hv_sme_config_get_max_svl_bytes(size_t *value)
{
	(void)value;
	return HV_UNSUPPORTED;
}
