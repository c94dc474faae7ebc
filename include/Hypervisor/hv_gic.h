/*
 * hv_gic.h - the in-framework GICv3 (macOS 15): creation, interrupt
 * injection, register access, state restore and reset.
 *
 * Order: hv_vm_create, hv_gic_config_create + setters, hv_gic_create
 * (before any hv_vcpu_create), hv_vcpu_create, MPIDR_EL1, then
 * hv_gic_get_redistributor_base.  Redistributor, ICC, ICH and ICV calls
 * must come from the vCPU's owning thread; the others from any thread.
 */
#ifndef HV_GIC_H
#define HV_GIC_H

#include <Hypervisor/hv_gic_config.h>
#include <Hypervisor/hv_gic_parameters.h>
#include <Hypervisor/hv_gic_state.h>
#include <Hypervisor/hv_gic_types.h>
#include <Hypervisor/hv_vcpu_types.h>

__BEGIN_DECLS

/* One GIC per VM, after hv_vm_create and before any vCPU. */
OS_EXPORT hv_return_t hv_gic_create(hv_gic_config_t gic_config);

/* Drives an SPI's line (edge-triggered SPIs: true makes an edge). */
OS_EXPORT hv_return_t hv_gic_set_spi(uint32_t intid, bool level);
/* An MSI: address is the MSI frame's GICM_SET_SPI_NSR. */
OS_EXPORT hv_return_t hv_gic_send_msi(hv_ipa_t address, uint32_t intid);

OS_EXPORT hv_return_t hv_gic_get_distributor_reg(hv_gic_distributor_reg_t reg, uint64_t *value);
OS_EXPORT hv_return_t hv_gic_set_distributor_reg(hv_gic_distributor_reg_t reg, uint64_t value);

OS_EXPORT hv_return_t hv_gic_get_redistributor_base(hv_vcpu_t vcpu,
						    hv_ipa_t *redistributor_base_address);
OS_EXPORT hv_return_t hv_gic_get_redistributor_reg(hv_vcpu_t vcpu, hv_gic_redistributor_reg_t reg,
						   uint64_t *value);
OS_EXPORT hv_return_t hv_gic_set_redistributor_reg(hv_vcpu_t vcpu, hv_gic_redistributor_reg_t reg,
						   uint64_t value);

OS_EXPORT hv_return_t hv_gic_get_icc_reg(hv_vcpu_t vcpu, hv_gic_icc_reg_t reg, uint64_t *value);
OS_EXPORT hv_return_t hv_gic_set_icc_reg(hv_vcpu_t vcpu, hv_gic_icc_reg_t reg, uint64_t value);
OS_EXPORT hv_return_t hv_gic_get_ich_reg(hv_vcpu_t vcpu, hv_gic_ich_reg_t reg, uint64_t *value);
OS_EXPORT hv_return_t hv_gic_set_ich_reg(hv_vcpu_t vcpu, hv_gic_ich_reg_t reg, uint64_t value);
OS_EXPORT hv_return_t hv_gic_get_icv_reg(hv_vcpu_t vcpu, hv_gic_icv_reg_t reg, uint64_t *value);
OS_EXPORT hv_return_t hv_gic_set_icv_reg(hv_vcpu_t vcpu, hv_gic_icv_reg_t reg, uint64_t value);

OS_EXPORT hv_return_t hv_gic_get_msi_reg(hv_gic_msi_reg_t reg, uint64_t *value);
OS_EXPORT hv_return_t hv_gic_set_msi_reg(hv_gic_msi_reg_t reg, uint64_t value);

/* Restores a blob from hv_gic_state_get_data: after the GIC and the
 * vCPUs exist, before any vCPU runs. */
OS_EXPORT hv_return_t hv_gic_set_state(const void *gic_state_data, size_t gic_state_size);

/* Resets distributor, redistributors and CPU interfaces. */
OS_EXPORT hv_return_t hv_gic_reset(void);

__END_DECLS

#endif /* HV_GIC_H */
