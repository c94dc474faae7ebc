/* hv_vm_types.h - VM-level types (arm64). */
#ifndef HV_VM_TYPES_H
#define HV_VM_TYPES_H

#include <Hypervisor/hv_base.h>
#include <Hypervisor/hv_kern_types.h>

/* Guest physical address (intermediate physical address). */
typedef hv_u64_t_ hv_ipa_t;

/* Opaque configuration objects; released with os_release(). */
typedef struct hv_vm_config_s *hv_vm_config_t;

OS_ENUM(hv_ipa_granule, uint32_t,
	HV_IPA_GRANULE_4KB = 0,
	HV_IPA_GRANULE_16KB = 1
);

typedef hv_u64_t_ hv_allocate_flags_t;
#define HV_ALLOCATE_DEFAULT ((hv_allocate_flags_t)0)

#endif /* HV_VM_TYPES_H */
