/* hv_vm_allocate.h - memory suitable for guest RAM. */
#ifndef HV_VM_ALLOCATE_H
#define HV_VM_ALLOCATE_H

#include <Hypervisor/hv_vm_types.h>

__BEGIN_DECLS

/* Anonymous, page-aligned memory; size must be a multiple of the page size. */
OS_EXPORT hv_return_t hv_vm_allocate(void **uvap,
				     size_t size, hv_allocate_flags_t flags);
OS_EXPORT hv_return_t hv_vm_deallocate(void *uva, size_t size);

__END_DECLS

#endif /* HV_VM_ALLOCATE_H */
