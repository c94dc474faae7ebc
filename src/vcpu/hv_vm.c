/*
 * hv_vm.c - VM lifecycle and the guest physical memory map (API layer).
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "config.h"
#include "vm.h"

static pthread_mutex_t vm_global_lock = PTHREAD_MUTEX_INITIALIZER;
static struct hv_vm_obj *the_vm;

struct hv_vm_obj *hv_current_vm(void)
{
	return __atomic_load_n(&the_vm, __ATOMIC_ACQUIRE);
}

hv_return_t hv_vm_get_max_vcpu_count(uint32_t *max_vcpu_count)
{
	if (!max_vcpu_count)
		return HV_BAD_ARGUMENT;
	*max_vcpu_count = HV_MAX_VCPUS;
	return HV_SUCCESS;
}

hv_return_t hv_vm_create(hv_vm_config_t config)
{
	if (config && !hv_vm_config_valid(config))
		return HV_BAD_ARGUMENT;
	pthread_mutex_lock(&vm_global_lock);
	hv_return_t ret = HV_BUSY; /* one VM per process */
	if (the_vm)
		goto out;
	ret = HV_UNSUPPORTED;
	const struct hv_backend_ops *ops = hv_backend_select();
	if (!ops || (config && config->el2_enabled && !ops->el2))
		goto out; /* (EL2: HV_BACKEND changed since the config was made) */
	ret = HV_NO_RESOURCES;
	struct hv_vm_obj *vm = calloc(1, sizeof(*vm));
	if (!vm)
		goto out;
	vm->ops = ops;
	vm->ipa_bits = config && config->ipa_bits ? config->ipa_bits : HV_DEFAULT_IPA_BITS;
	vm->el2_enabled = config ? config->el2_enabled : false;
	pthread_rwlock_init(&vm->mem_lock, NULL);
	pthread_mutex_init(&vm->vcpus_lock, NULL);
	hv_memmap_init(&vm->mem);
	atomic_init(&vm->mem_generation, 1);
	ret = ops->vm_create(vm);
	if (ret != HV_SUCCESS) {
		pthread_rwlock_destroy(&vm->mem_lock);
		pthread_mutex_destroy(&vm->vcpus_lock);
		free(vm);
		goto out;
	}
	__atomic_store_n(&the_vm, vm, __ATOMIC_RELEASE);
out:
	pthread_mutex_unlock(&vm_global_lock);
	return ret;
}

hv_return_t hv_vm_destroy(void)
{
	pthread_mutex_lock(&vm_global_lock);
	struct hv_vm_obj *vm = the_vm;
	hv_return_t ret = HV_BAD_ARGUMENT;
	if (!vm)
		goto out;
	pthread_mutex_lock(&vm->vcpus_lock);
	for (unsigned i = 0; i < HV_MAX_VCPUS; i++) {
		if (vm->vcpus[i]) {
			pthread_mutex_unlock(&vm->vcpus_lock);
			ret = HV_BUSY; /* every vCPU must be destroyed first */
			goto out;
		}
	}
	pthread_mutex_unlock(&vm->vcpus_lock);
	if (vm->has_gic)
		vm->ops->gic->destroy(vm);
	free(vm->gic_cfg);
	vm->ops->vm_destroy(vm);
	hv_memmap_free(&vm->mem);
	pthread_rwlock_destroy(&vm->mem_lock);
	pthread_mutex_destroy(&vm->vcpus_lock);
	__atomic_store_n(&the_vm, NULL, __ATOMIC_RELEASE);
	free(vm);
	ret = HV_SUCCESS;
out:
	pthread_mutex_unlock(&vm_global_lock);
	return ret;
}

static uint64_t host_page_size(void)
{
	static long page;
	if (!page)
		page = sysconf(_SC_PAGESIZE);
	return (uint64_t)page;
}

/* Checks alignment and that the range fits in the VM's IPA space. */
static bool ipa_range_ok(const struct hv_vm_obj *vm, hv_ipa_t ipa, size_t size)
{
	uint64_t page = host_page_size();
	if (size == 0 || (ipa & (page - 1)) || (size & (page - 1)))
		return false;
	uint64_t limit = 1ull << vm->ipa_bits;
	return ipa < limit && size <= limit - ipa;
}

static bool flags_ok(hv_memory_flags_t flags)
{
	return (flags & ~(HV_MEMORY_READ | HV_MEMORY_WRITE | HV_MEMORY_EXEC)) == 0;
}

/* After a change of the map: bump the generation (vCPUs drop cached
 * translations) and let the backend apply it. */
static hv_return_t mem_changed(struct hv_vm_obj *vm, hv_ipa_t ipa, size_t size)
{
	atomic_fetch_add(&vm->mem_generation, 1);
	return vm->ops->vm_mem_changed(vm, ipa, size);
}

hv_return_t hv_vm_map(void *addr, hv_ipa_t ipa, size_t size, hv_memory_flags_t flags)
{
	struct hv_vm_obj *vm = hv_current_vm();
	if (!vm)
		return HV_BAD_ARGUMENT;
	if (!addr || ((uintptr_t)addr & (host_page_size() - 1)) || !ipa_range_ok(vm, ipa, size) ||
	    !flags_ok(flags))
		return HV_BAD_ARGUMENT;
	/* The host range must be mapped memory (msync fails with ENOMEM
	 * otherwise): the guest must never reach unmapped host memory. */
	if (msync(addr, size, MS_ASYNC) != 0)
		return HV_BAD_ARGUMENT;
	pthread_rwlock_wrlock(&vm->mem_lock);
	int rc = hv_memmap_add(&vm->mem, ipa, size, addr, flags);
	pthread_rwlock_unlock(&vm->mem_lock);
	if (rc)
		return HV_BAD_ARGUMENT;
	hv_return_t ret = mem_changed(vm, ipa, size);
	if (ret != HV_SUCCESS) {
		pthread_rwlock_wrlock(&vm->mem_lock);
		hv_memmap_remove(&vm->mem, ipa, size);
		pthread_rwlock_unlock(&vm->mem_lock);
		atomic_fetch_add(&vm->mem_generation, 1);
	}
	return ret;
}

hv_return_t hv_vm_unmap(hv_ipa_t ipa, size_t size)
{
	struct hv_vm_obj *vm = hv_current_vm();
	if (!vm || !ipa_range_ok(vm, ipa, size))
		return HV_BAD_ARGUMENT;
	pthread_rwlock_wrlock(&vm->mem_lock);
	int rc = hv_memmap_remove(&vm->mem, ipa, size);
	pthread_rwlock_unlock(&vm->mem_lock);
	if (rc)
		return HV_BAD_ARGUMENT;
	return mem_changed(vm, ipa, size);
}

hv_return_t hv_vm_protect(hv_ipa_t ipa, size_t size, hv_memory_flags_t flags)
{
	struct hv_vm_obj *vm = hv_current_vm();
	if (!vm || !ipa_range_ok(vm, ipa, size) || !flags_ok(flags))
		return HV_BAD_ARGUMENT;
	struct hv_memmap saved;
	pthread_rwlock_wrlock(&vm->mem_lock);
	int rc = hv_memmap_clone(&saved, &vm->mem);
	if (rc == 0)
		rc = hv_memmap_protect(&vm->mem, ipa, size, flags);
	pthread_rwlock_unlock(&vm->mem_lock);
	if (rc) {
		hv_memmap_free(&saved);
		return HV_BAD_ARGUMENT;
	}
	hv_return_t ret = mem_changed(vm, ipa, size);
	if (ret != HV_SUCCESS) {
		/* The backend refused the new permissions: keep the old ones. */
		pthread_rwlock_wrlock(&vm->mem_lock);
		hv_memmap_free(&vm->mem);
		vm->mem = saved;
		pthread_rwlock_unlock(&vm->mem_lock);
		atomic_fetch_add(&vm->mem_generation, 1);
	} else {
		hv_memmap_free(&saved);
	}
	return ret;
}

hv_return_t hv_vm_allocate(void **uvap, size_t size, hv_allocate_flags_t flags)
{
	if (!uvap || size == 0 || (size & (host_page_size() - 1)) || flags != HV_ALLOCATE_DEFAULT)
		return HV_BAD_ARGUMENT;
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return HV_NO_RESOURCES;
	*uvap = p;
	return HV_SUCCESS;
}

hv_return_t hv_vm_deallocate(void *uva, size_t size)
{
	if (!uva || size == 0 || ((uintptr_t)uva & (host_page_size() - 1)) ||
	    (size & (host_page_size() - 1)))
		return HV_BAD_ARGUMENT;
	return munmap(uva, size) == 0 ? HV_SUCCESS : HV_BAD_ARGUMENT;
}
