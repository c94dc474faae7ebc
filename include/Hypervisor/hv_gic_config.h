/*
 * hv_gic_config.h - configuration of the in-framework GICv3 (macOS 15):
 * where the distributor, the redistributor region and the MSI frame sit
 * in guest physical memory, and which SPIs are MSIs.
 */
#ifndef HV_GIC_CONFIG_H
#define HV_GIC_CONFIG_H

#include <Hypervisor/hv_gic_types.h>
#include <Hypervisor/hv_kern_types.h>
#include <Hypervisor/hv_vm_types.h>

__BEGIN_DECLS

/* A configuration object (released with os_release). */
OS_EXPORT hv_gic_config_t hv_gic_config_create(void);

/* Bases must honour the alignments of hv_gic_parameters.h; the regions
 * must not overlap (both default to 0: set at least one of them). */
OS_EXPORT hv_return_t hv_gic_config_set_distributor_base(hv_gic_config_t config,
							 hv_ipa_t distributor_base_address);
OS_EXPORT hv_return_t hv_gic_config_set_redistributor_base(hv_gic_config_t config,
							   hv_ipa_t redistributor_base_address);
OS_EXPORT hv_return_t hv_gic_config_set_msi_region_base(hv_gic_config_t config,
							hv_ipa_t msi_region_base_address);
/* MSIs exist only when both the MSI region and this range are set; the
 * range lies inside the SPI range. */
OS_EXPORT hv_return_t hv_gic_config_set_msi_interrupt_range(hv_gic_config_t config,
							    uint32_t msi_intid_base,
							    uint32_t msi_intid_count);

__END_DECLS

#endif /* HV_GIC_CONFIG_H */
