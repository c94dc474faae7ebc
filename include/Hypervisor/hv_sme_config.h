/* hv_sme_config.h - SME limits (macOS 15.2).  No SME here: HV_UNSUPPORTED. */
#ifndef HV_SME_CONFIG_H
#define HV_SME_CONFIG_H

#include <Hypervisor/hv_vcpu_types.h>

__BEGIN_DECLS

OS_EXPORT hv_return_t hv_sme_config_get_max_svl_bytes(size_t *value);

__END_DECLS

#endif /* HV_SME_CONFIG_H */
