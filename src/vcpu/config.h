/* config.h - OS-object layout of the configuration objects. */
#ifndef HV_CONFIG_H
#define HV_CONFIG_H

#include <stdatomic.h>

#include <Hypervisor/Hypervisor.h>

/* Common header of every object os_retain/os_release accept. */
struct hv_os_object {
	uint32_t magic;
	atomic_int refcount;
};

#define HV_VM_CONFIG_MAGIC 0x68766d63u   /* 'hvmc' */
#define HV_VCPU_CONFIG_MAGIC 0x68766363u /* 'hvcc' */

struct hv_vm_config_s {
	struct hv_os_object obj;
	uint32_t ipa_bits;
	bool el2_enabled;
	hv_ipa_granule_t granule;
};

struct hv_vcpu_config_s {
	struct hv_os_object obj;
};

#define HV_DEFAULT_IPA_BITS 36
#define HV_MAX_IPA_BITS 40
/* KVM's smallest stage-2 input size; a smaller configured size is
 * enforced by the API layer's map checks alone. */
#define HV_MIN_BACKEND_IPA_BITS 32

/* A new OS object of `size` bytes (header included, rest zeroed) with one
 * reference; NULL when out of memory. */
void *hv_os_object_alloc(size_t size, uint32_t magic);

/* Validates a config pointer (NULL or a live object of the right kind). */
bool hv_vm_config_valid(hv_vm_config_t config);
bool hv_vcpu_config_valid(hv_vcpu_config_t config);

#endif /* HV_CONFIG_H */
