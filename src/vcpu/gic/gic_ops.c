/*
 * gic_ops.c - the GIC model as the emu backend's hv_gic_ops: the API
 * layer's calls mapped onto the model (vm->gic, each vCPU's v->gic).
 */
#include "../vm.h"
#include "gic.h"

static hv_return_t model_create(struct hv_vm_obj *vm, const struct gic_config *cfg)
{
	struct gic *g = gic_new(cfg);
	if (!g)
		return HV_NO_RESOURCES;
	__atomic_store_n(&vm->gic, g, __ATOMIC_RELEASE);
	return HV_SUCCESS;
}

static void model_destroy(struct hv_vm_obj *vm)
{
	gic_free(vm->gic);
	vm->gic = NULL;
}

static hv_return_t model_attach(struct hv_vcpu_obj *v)
{
	uint64_t mpidr = 0;
	v->vm->ops->get_sys_reg(v, HV_SYS_REG_MPIDR_EL1, &mpidr);
	v->gic = gic_cpu_attach(v->vm->gic, (unsigned)v->id, mpidr);
	return v->gic ? HV_SUCCESS : HV_NO_RESOURCES;
}

static void model_detach(struct hv_vcpu_obj *v)
{
	gic_cpu_detach(v->gic);
	v->gic = NULL;
}

static void model_mpidr(struct hv_vcpu_obj *v, uint64_t mpidr)
{
	gic_cpu_set_mpidr(v->gic, mpidr);
}

static hv_return_t model_set_spi(struct hv_vm_obj *vm, uint32_t intid, bool level)
{
	gic_set_spi(vm->gic, intid, level);
	return HV_SUCCESS;
}

static hv_return_t model_send_msi(struct hv_vm_obj *vm, uint32_t intid)
{
	gic_send_msi(vm->gic, intid);
	return HV_SUCCESS;
}

static hv_return_t model_dist_read(struct hv_vm_obj *vm, uint32_t off, unsigned size, uint64_t *value)
{
	pthread_mutex_lock(&vm->gic->lock);
	gic_dist_read(vm->gic, off, size, value);
	pthread_mutex_unlock(&vm->gic->lock);
	return HV_SUCCESS;
}

static hv_return_t model_dist_write(struct hv_vm_obj *vm, uint32_t off, unsigned size, uint64_t value)
{
	pthread_mutex_lock(&vm->gic->lock);
	gic_dist_write(vm->gic, off, size, value);
	pthread_mutex_unlock(&vm->gic->lock);
	return HV_SUCCESS;
}

static hv_return_t model_redist_read(struct hv_vcpu_obj *v, uint32_t off, unsigned size, uint64_t *value)
{
	pthread_mutex_lock(&v->gic->gic->lock);
	gic_redist_read(v->gic, off, size, value);
	pthread_mutex_unlock(&v->gic->gic->lock);
	return HV_SUCCESS;
}

static hv_return_t model_redist_write(struct hv_vcpu_obj *v, uint32_t off, unsigned size, uint64_t value)
{
	pthread_mutex_lock(&v->gic->gic->lock);
	gic_redist_write(v->gic, off, size, value);
	pthread_mutex_unlock(&v->gic->gic->lock);
	return HV_SUCCESS;
}

static hv_return_t model_icc_read(struct hv_vcpu_obj *v, uint16_t reg, uint64_t *value)
{
	return gic_icc_read(v->gic, reg, value, false) ? HV_SUCCESS : HV_BAD_ARGUMENT;
}

static hv_return_t model_icc_write(struct hv_vcpu_obj *v, uint16_t reg, uint64_t value)
{
	return gic_icc_write(v->gic, reg, value, false) ? HV_SUCCESS : HV_BAD_ARGUMENT;
}

static hv_return_t model_ich_read(struct hv_vcpu_obj *v, uint16_t reg, uint64_t *value)
{
	return gic_ich_read(v->gic, reg, value) ? HV_SUCCESS : HV_BAD_ARGUMENT;
}

static hv_return_t model_ich_write(struct hv_vcpu_obj *v, uint16_t reg, uint64_t value)
{
	return gic_ich_write(v->gic, reg, value) ? HV_SUCCESS : HV_BAD_ARGUMENT;
}

static hv_return_t model_icv_read(struct hv_vcpu_obj *v, uint16_t reg, uint64_t *value)
{
	return gic_icv_read(v->gic, reg, value, false) ? HV_SUCCESS : HV_BAD_ARGUMENT;
}

static hv_return_t model_icv_write(struct hv_vcpu_obj *v, uint16_t reg, uint64_t value)
{
	return gic_icv_write(v->gic, reg, value, false) ? HV_SUCCESS : HV_BAD_ARGUMENT;
}

static hv_return_t model_state_size(struct hv_vm_obj *vm, size_t *size)
{
	pthread_mutex_lock(&vm->gic->lock);
	*size = gic_state_size(vm->gic);
	pthread_mutex_unlock(&vm->gic->lock);
	return HV_SUCCESS;
}

static hv_return_t model_state_save(struct hv_vm_obj *vm, void *buf)
{
	gic_state_save(vm->gic, buf);
	return HV_SUCCESS;
}

static hv_return_t model_state_restore(struct hv_vm_obj *vm, const void *buf, size_t size)
{
	return gic_state_restore(vm->gic, buf, size) ? HV_SUCCESS : HV_BAD_ARGUMENT;
}

static hv_return_t model_reset(struct hv_vm_obj *vm)
{
	gic_reset(vm->gic);
	return HV_SUCCESS;
}

const struct hv_gic_ops gic_model_ops = {
	.nr_spis = GIC_NR_SPIS,
	.create = model_create,
	.destroy = model_destroy,
	.vcpu_attach = model_attach,
	.vcpu_detach = model_detach,
	.mpidr_changed = model_mpidr,
	.set_spi = model_set_spi,
	.send_msi = model_send_msi,
	.dist_read = model_dist_read,
	.dist_write = model_dist_write,
	.redist_read = model_redist_read,
	.redist_write = model_redist_write,
	.icc_read = model_icc_read,
	.icc_write = model_icc_write,
	.ich_read = model_ich_read,
	.ich_write = model_ich_write,
	.icv_read = model_icv_read,
	.icv_write = model_icv_write,
	.state_size = model_state_size,
	.state_save = model_state_save,
	.state_restore = model_state_restore,
	.reset = model_reset,
};
