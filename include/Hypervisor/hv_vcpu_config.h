/* hv_vcpu_config.h - vCPU configuration objects and feature registers. */
#ifndef HV_VCPU_CONFIG_H
#define HV_VCPU_CONFIG_H

#include <Hypervisor/hv_vcpu_types.h>

__BEGIN_DECLS

/* Returns a retained object; release it with os_release(). */
OS_EXPORT OS_OBJECT_RETURNS_RETAINED hv_vcpu_config_t hv_vcpu_config_create(void);

/* ID register value a vCPU created with this configuration exposes. */
OS_EXPORT hv_return_t hv_vcpu_config_get_feature_reg(hv_vcpu_config_t config,
						     hv_feature_reg_t feature_reg,
						     uint64_t *value);

/* The eight CCSIDR_EL1 values (one per cache level) for a cache type. */
OS_EXPORT hv_return_t hv_vcpu_config_get_ccsidr_el1_sys_reg_values(
	hv_vcpu_config_t config, hv_cache_type_t cache_type,
	uint64_t values[8]);

__END_DECLS

#endif /* HV_VCPU_CONFIG_H */
