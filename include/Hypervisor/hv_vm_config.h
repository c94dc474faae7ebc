/* hv_vm_config.h - VM configuration objects (macOS 13+ API). */
#ifndef HV_VM_CONFIG_H
#define HV_VM_CONFIG_H

#include <Hypervisor/hv_vm_types.h>

__BEGIN_DECLS

/* Returns a retained object; release it with os_release(). */
OS_EXPORT OS_OBJECT_RETURNS_RETAINED hv_vm_config_t hv_vm_config_create(void);

OS_EXPORT hv_return_t hv_vm_config_get_max_ipa_size(uint32_t *ipa_bit_length);
OS_EXPORT hv_return_t hv_vm_config_get_default_ipa_size(uint32_t *ipa_bit_length);
OS_EXPORT hv_return_t hv_vm_config_set_ipa_size(hv_vm_config_t config,
						uint32_t ipa_bit_length);
OS_EXPORT hv_return_t hv_vm_config_get_ipa_size(hv_vm_config_t config,
						uint32_t *ipa_bit_length);

OS_EXPORT hv_return_t hv_vm_config_get_el2_supported(bool *el2_supported);
OS_EXPORT hv_return_t hv_vm_config_get_el2_enabled(hv_vm_config_t config,
						   bool *el2_enabled);
OS_EXPORT hv_return_t hv_vm_config_set_el2_enabled(hv_vm_config_t config,
						   bool el2_enabled);

OS_EXPORT hv_return_t hv_vm_config_get_default_ipa_granule(hv_ipa_granule_t *granule);
OS_EXPORT hv_return_t hv_vm_config_get_ipa_granule(hv_vm_config_t config,
						   hv_ipa_granule_t *granule);
OS_EXPORT hv_return_t hv_vm_config_set_ipa_granule(hv_vm_config_t config,
						   hv_ipa_granule_t granule);

__END_DECLS

#endif /* HV_VM_CONFIG_H */
