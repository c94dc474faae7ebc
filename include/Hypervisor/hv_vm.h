/* hv_vm.h - VM lifecycle and guest physical memory (arm64). */
#ifndef HV_VM_H
#define HV_VM_H

#include <Hypervisor/hv_vm_types.h>

__BEGIN_DECLS

/* Maximum number of vCPUs a VM may have. */
OS_EXPORT hv_return_t hv_vm_get_max_vcpu_count(uint32_t *max_vcpu_count);

/* Creates the process's VM; NULL selects the default configuration. */
OS_EXPORT hv_return_t hv_vm_create(hv_vm_config_t config);

/* Destroys the VM; every vCPU must have been destroyed first. */
OS_EXPORT hv_return_t hv_vm_destroy(void);

/* Maps host memory [addr, addr+size) at guest physical address ipa. */
OS_EXPORT hv_return_t hv_vm_map(void *addr, hv_ipa_t ipa, size_t size,
				hv_memory_flags_t flags);

OS_EXPORT hv_return_t hv_vm_unmap(hv_ipa_t ipa, size_t size);

OS_EXPORT hv_return_t hv_vm_protect(hv_ipa_t ipa, size_t size,
				    hv_memory_flags_t flags);

__END_DECLS

#endif /* HV_VM_H */
