/*
 * hv_vcpu.c - vCPU lifecycle, thread ownership, run loop entry and
 * register access (API layer).  Every call except hv_vcpus_exit must come
 * from the owning thread; others get HV_BAD_ARGUMENT, as re-implementations
 * of the framework do.
 */
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "vm.h"

/* The vCPU owned by this thread (a thread owns at most one). */
static __thread struct hv_vcpu_obj *tls_vcpu __attribute__((tls_model("initial-exec")));

/* Looks up a vCPU the calling thread owns. */
hv_return_t hv_owned_vcpu(hv_vcpu_t id, struct hv_vcpu_obj **out)
{
	struct hv_vcpu_obj *v = tls_vcpu;
	if (!v || v->id != id || !hv_current_vm())
		return HV_BAD_ARGUMENT;
	*out = v;
	return HV_SUCCESS;
}

hv_return_t hv_vcpu_create(hv_vcpu_t *vcpu, hv_vcpu_exit_t **exit, hv_vcpu_config_t config)
{
	struct hv_vm_obj *vm = hv_current_vm();
	if (!vm || !vcpu || !exit || (config && !hv_vcpu_config_valid(config)))
		return HV_BAD_ARGUMENT;
	if (tls_vcpu)
		return HV_BUSY; /* one vCPU per thread at a time */
	struct hv_vcpu_obj *v = calloc(1, sizeof(*v));
	if (!v)
		return HV_NO_RESOURCES;
	v->owner = pthread_self();
	v->vm = vm;
	atomic_init(&v->cancel_pending, false);
	atomic_init(&v->running, false);

	pthread_mutex_lock(&vm->vcpus_lock);
	unsigned id = 0;
	while (id < HV_MAX_VCPUS && vm->vcpus[id])
		id++;
	if (id == HV_MAX_VCPUS) {
		pthread_mutex_unlock(&vm->vcpus_lock);
		free(v);
		return HV_NO_RESOURCES;
	}
	v->id = id;
	hv_return_t ret = vm->ops->vcpu_create(v);
	if (ret != HV_SUCCESS) {
		pthread_mutex_unlock(&vm->vcpus_lock);
		free(v);
		return ret;
	}
	if (vm->has_gic) {
		ret = vm->ops->gic->vcpu_attach(v); /* its redistributor */
		if (ret != HV_SUCCESS) {
			vm->ops->vcpu_destroy(v);
			pthread_mutex_unlock(&vm->vcpus_lock);
			free(v);
			return ret;
		}
	}
	vm->vcpus[id] = v;
	pthread_mutex_unlock(&vm->vcpus_lock);

	tls_vcpu = v;
	*vcpu = id;
	*exit = &v->exit;
	return HV_SUCCESS;
}

hv_return_t hv_vcpu_destroy(hv_vcpu_t vcpu)
{
	WITH_VCPU(vcpu, v);
	struct hv_vm_obj *vm = v->vm;
	pthread_mutex_lock(&vm->vcpus_lock);
	vm->vcpus[v->id] = NULL;
	if (vm->has_gic)
		vm->ops->gic->vcpu_detach(v);
	vm->ops->vcpu_destroy(v);
	pthread_mutex_unlock(&vm->vcpus_lock);
	tls_vcpu = NULL;
	free(v);
	return HV_SUCCESS;
}

hv_return_t hv_vcpu_run(hv_vcpu_t vcpu)
{
	WITH_VCPU(vcpu, v);
	hv_return_t ret = HV_SUCCESS;
	memset(&v->exit, 0, sizeof(v->exit));
	if (atomic_exchange(&v->cancel_pending, false)) {
		/* Cancelled while not running: return without entering. */
		v->exit.reason = HV_EXIT_REASON_CANCELED;
	} else {
		v->reg_written = 0; /* the guest's own values from now on */
		atomic_store(&v->running, true);
		/* Guest run time: wall time spent inside the backend's run,
		 * from the host counter (CNTVCT on aarch64, a vDSO clock
		 * elsewhere): a thread-CPU-time syscall costs a third of a
		 * KVM exit round trip.  emu never blocks inside a run (WFI
		 * exits), so for it this is CPU time too. */
		uint64_t t0 = hv_host_ticks();
		ret = v->vm->ops->vcpu_run(v);
		v->exec_time += hv_host_ticks() - t0;
		atomic_store(&v->running, false);
	}
	/* The virtual IRQ/FIQ lines hold for one entry only. */
	v->pending_irq = false;
	v->pending_fiq = false;
	return ret;
}

hv_return_t hv_vcpus_exit(hv_vcpu_t *vcpus, uint32_t vcpu_count)
{
	struct hv_vm_obj *vm = hv_current_vm();
	if (!vm || (!vcpus && vcpu_count))
		return HV_BAD_ARGUMENT;
	pthread_mutex_lock(&vm->vcpus_lock);
	for (uint32_t i = 0; i < vcpu_count; i++) {
		if (vcpus[i] >= HV_MAX_VCPUS || !vm->vcpus[vcpus[i]]) {
			pthread_mutex_unlock(&vm->vcpus_lock);
			return HV_BAD_ARGUMENT;
		}
	}
	for (uint32_t i = 0; i < vcpu_count; i++) {
		struct hv_vcpu_obj *v = vm->vcpus[vcpus[i]];
		atomic_store(&v->cancel_pending, true);
		vm->ops->vcpu_kick(v);
	}
	pthread_mutex_unlock(&vm->vcpus_lock);
	return HV_SUCCESS;
}

/* Index into reg_as_written of FPCR, FPSR, CPSR; -1 for the others. */
static int written_slot(hv_reg_t reg)
{
	return reg >= HV_REG_FPCR && reg <= HV_REG_CPSR ? (int)(reg - HV_REG_FPCR) : -1;
}

hv_return_t hv_vcpu_get_reg(hv_vcpu_t vcpu, hv_reg_t reg, uint64_t *value)
{
	WITH_VCPU(vcpu, v);
	if (!value || reg > HV_REG_CPSR)
		return HV_BAD_ARGUMENT;
	int slot = written_slot(reg);
	if (slot >= 0 && (v->reg_written & (1u << slot))) {
		*value = v->reg_as_written[slot];
		return HV_SUCCESS;
	}
	return v->vm->ops->get_reg(v, reg, value);
}

hv_return_t hv_vcpu_set_reg(hv_vcpu_t vcpu, hv_reg_t reg, uint64_t value)
{
	WITH_VCPU(vcpu, v);
	if (reg > HV_REG_CPSR)
		return HV_BAD_ARGUMENT;
	hv_return_t ret = v->vm->ops->set_reg(v, reg, value);
	int slot = written_slot(reg);
	if (ret == HV_SUCCESS && slot >= 0) {
		v->reg_as_written[slot] = value;
		v->reg_written |= (uint8_t)(1u << slot);
	}
	return ret;
}

hv_return_t hv_vcpu_get_simd_fp_reg(hv_vcpu_t vcpu, hv_simd_fp_reg_t reg, hv_simd_fp_uchar16_t *value)
{
	WITH_VCPU(vcpu, v);
	if (!value || reg > HV_SIMD_FP_REG_Q31)
		return HV_BAD_ARGUMENT;
	uint8_t bytes[16];
	hv_return_t ret = v->vm->ops->get_simd_fp_reg(v, reg, bytes);
	if (ret == HV_SUCCESS)
		memcpy(value, bytes, 16);
	return ret;
}

hv_return_t hv_vcpu_set_simd_fp_reg(hv_vcpu_t vcpu, hv_simd_fp_reg_t reg, hv_simd_fp_uchar16_t value)
{
	WITH_VCPU(vcpu, v);
	if (reg > HV_SIMD_FP_REG_Q31)
		return HV_BAD_ARGUMENT;
	uint8_t bytes[16];
	memcpy(bytes, &value, 16);
	return v->vm->ops->set_simd_fp_reg(v, reg, bytes);
}

hv_return_t hv_vcpu_get_sys_reg(hv_vcpu_t vcpu, hv_sys_reg_t reg, uint64_t *value)
{
	WITH_VCPU(vcpu, v);
	if (!value)
		return HV_BAD_ARGUMENT;
	return v->vm->ops->get_sys_reg(v, reg, value);
}

hv_return_t hv_vcpu_set_sys_reg(hv_vcpu_t vcpu, hv_sys_reg_t reg, uint64_t value)
{
	WITH_VCPU(vcpu, v);
	hv_return_t ret = v->vm->ops->set_sys_reg(v, reg, value);
	if (ret == HV_SUCCESS && reg == HV_SYS_REG_MPIDR_EL1 && v->vm->has_gic) {
		uint64_t mpidr = value;
		v->vm->ops->get_sys_reg(v, reg, &mpidr);
		v->vm->ops->gic->mpidr_changed(v, mpidr); /* routing and GICR_TYPER follow */
	}
	return ret;
}

hv_return_t hv_vcpu_get_pending_interrupt(hv_vcpu_t vcpu, hv_interrupt_type_t type, bool *pending)
{
	WITH_VCPU(vcpu, v);
	if (!pending || type > HV_INTERRUPT_TYPE_FIQ)
		return HV_BAD_ARGUMENT;
	*pending = type == HV_INTERRUPT_TYPE_IRQ ? v->pending_irq : v->pending_fiq;
	return HV_SUCCESS;
}

hv_return_t hv_vcpu_set_pending_interrupt(hv_vcpu_t vcpu, hv_interrupt_type_t type, bool pending)
{
	WITH_VCPU(vcpu, v);
	if (type > HV_INTERRUPT_TYPE_FIQ)
		return HV_BAD_ARGUMENT;
	if (type == HV_INTERRUPT_TYPE_IRQ)
		v->pending_irq = pending;
	else
		v->pending_fiq = pending;
	return HV_SUCCESS;
}

/* Sets one of the debug trap flags and lets the backend apply it; the
 * old value stays if the backend refuses (kvm: reg accesses). */
static hv_return_t set_debug_trap(struct hv_vcpu_obj *v, bool *flag, bool value)
{
	bool old = *flag;
	*flag = value;
	hv_return_t ret = v->vm->ops->debug_traps_changed(v);
	if (ret != HV_SUCCESS)
		*flag = old;
	return ret;
}

static hv_return_t get_flag(bool flag, bool *value)
{
	if (!value)
		return HV_BAD_ARGUMENT;
	*value = flag;
	return HV_SUCCESS;
}

hv_return_t hv_vcpu_get_trap_debug_exceptions(hv_vcpu_t vcpu, bool *value)
{
	WITH_VCPU(vcpu, v);
	return get_flag(v->trap_debug_exceptions, value);
}

hv_return_t hv_vcpu_set_trap_debug_exceptions(hv_vcpu_t vcpu, bool value)
{
	WITH_VCPU(vcpu, v);
	return set_debug_trap(v, &v->trap_debug_exceptions, value);
}

hv_return_t hv_vcpu_get_trap_debug_reg_accesses(hv_vcpu_t vcpu, bool *value)
{
	WITH_VCPU(vcpu, v);
	return get_flag(v->trap_debug_reg_accesses, value);
}

hv_return_t hv_vcpu_set_trap_debug_reg_accesses(hv_vcpu_t vcpu, bool value)
{
	WITH_VCPU(vcpu, v);
	return set_debug_trap(v, &v->trap_debug_reg_accesses, value);
}

hv_return_t hv_vcpu_get_exec_time(hv_vcpu_t vcpu, uint64_t *time)
{
	WITH_VCPU(vcpu, v);
	if (!time)
		return HV_BAD_ARGUMENT;
	*time = v->exec_time;
	return HV_SUCCESS;
}

hv_return_t hv_vcpu_get_vtimer_mask(hv_vcpu_t vcpu, bool *vtimer_is_masked)
{
	WITH_VCPU(vcpu, v);
	return get_flag(v->vtimer_masked, vtimer_is_masked);
}

hv_return_t hv_vcpu_set_vtimer_mask(hv_vcpu_t vcpu, bool vtimer_is_masked)
{
	WITH_VCPU(vcpu, v);
	v->vtimer_masked = vtimer_is_masked;
	return HV_SUCCESS;
}

hv_return_t hv_vcpu_get_vtimer_offset(hv_vcpu_t vcpu, uint64_t *vtimer_offset)
{
	WITH_VCPU(vcpu, v);
	if (!vtimer_offset)
		return HV_BAD_ARGUMENT;
	*vtimer_offset = v->vtimer_offset;
	return HV_SUCCESS;
}

hv_return_t hv_vcpu_set_vtimer_offset(hv_vcpu_t vcpu, uint64_t vtimer_offset)
{
	WITH_VCPU(vcpu, v);
	v->vtimer_offset = vtimer_offset;
	return HV_SUCCESS;
}
