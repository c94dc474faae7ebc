/*
 * vm.h - the process's VM and vCPU objects as the API layer keeps them.
 */
#ifndef HV_VM_OBJ_H
#define HV_VM_OBJ_H

#include <pthread.h>
#include <stdatomic.h>

#include <Hypervisor/Hypervisor.h>

#include "backend.h"
#include "memmap.h"

#define HV_MAX_VCPUS 64

struct gic;
struct gic_cpu;

struct hv_vcpu_obj {
	hv_vcpu_t id;
	pthread_t owner;
	struct hv_vm_obj *vm;
	/* Framework-owned exit record handed out by hv_vcpu_create. */
	hv_vcpu_exit_t exit;

	/* Set by hv_vcpus_exit (any thread), consumed by the owner's run. */
	atomic_bool cancel_pending;
	atomic_bool running;

	/* Host-visible state; backends read these at run time. */
	bool pending_irq, pending_fiq; /* cleared when hv_vcpu_run returns */
	bool vtimer_masked;
	uint64_t vtimer_offset;
	bool trap_debug_exceptions;
	bool trap_debug_reg_accesses;
	uint64_t exec_time; /* mach_absolute_time() units */
	/* FPCR, FPSR and CPSR read back exactly as the host wrote them, as
	 * on Apple hardware, until the guest next runs; the backend holds the
	 * architecturally valid part, which is what the guest sees. */
	uint64_t reg_as_written[3];
	uint8_t reg_written; /* bit n: reg_as_written[n] is valid */

	/* This vCPU's redistributor and CPU interface when the VM has a GIC. */
	struct gic_cpu *gic;

	void *backend_state;
};

struct hv_vm_obj {
	const struct hv_backend_ops *ops;
	uint32_t ipa_bits;
	bool el2_enabled;
	/* Guest physical memory map; readers are vCPUs, writers map/unmap. */
	pthread_rwlock_t mem_lock;
	struct hv_memmap mem;
	/* Bumped on every change of the memory map, so that vCPUs drop
	 * cached translations. */
	atomic_uint_fast64_t mem_generation;

	pthread_mutex_t vcpus_lock;
	struct hv_vcpu_obj *vcpus[HV_MAX_VCPUS];
	/* The GIC (hv_gic_create): has_gic and its configuration for every
	 * backend; gic is the library's model (emu), NULL elsewhere. */
	bool has_gic;
	struct gic_config *gic_cfg;
	struct gic *gic;
	void *backend_state;
};

/* The vCPU `id` if the calling thread owns it (else HV_BAD_ARGUMENT). */
hv_return_t hv_owned_vcpu(hv_vcpu_t id, struct hv_vcpu_obj **out);
#define WITH_VCPU(id, v)                                   \
	struct hv_vcpu_obj *v;                             \
	do {                                               \
		hv_return_t r_ = hv_owned_vcpu((id), &v);  \
		if (r_ != HV_SUCCESS)                      \
			return r_;                         \
	} while (0)

/* The process's VM, or NULL. */
struct hv_vm_obj *hv_current_vm(void);

/* Host clock in mach_absolute_time() units: the host's virtual counter
 * CNTVCT_EL0 on aarch64 hosts (so that guest CNTVCT = mach_absolute_time()
 * - vtimer_offset holds under KVM), 24 MHz ticks from CLOCK_MONOTONIC
 * elsewhere, as on Apple silicon (src/vcpu/host_clock.c). */
uint64_t hv_host_ticks(void);
/* Frequency of hv_host_ticks(), the guest's CNTFRQ_EL0. */
uint64_t hv_host_ticks_per_second(void);
/* CPU time the calling thread has used, in hv_host_ticks() units. */
uint64_t hv_thread_cpu_ticks(void);

#endif /* HV_VM_OBJ_H */
