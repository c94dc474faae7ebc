/*
 * hv_gic_parameters.h - fixed sizes and alignments of the GIC regions,
 * the SPI range and the reserved interrupt IDs.
 */
#ifndef HV_GIC_PARAMETERS_H
#define HV_GIC_PARAMETERS_H

#include <Hypervisor/hv_gic_types.h>
#include <Hypervisor/hv_kern_types.h>

__BEGIN_DECLS

OS_EXPORT hv_return_t hv_gic_get_distributor_size(size_t *distributor_size);
OS_EXPORT hv_return_t hv_gic_get_distributor_base_alignment(size_t *distributor_base_alignment);
/* The whole redistributor region (room for every vCPU a VM may have). */
OS_EXPORT hv_return_t hv_gic_get_redistributor_region_size(size_t *redistributor_region_size);
/* One vCPU's redistributor: RD and SGI frames, 64 KiB each. */
OS_EXPORT hv_return_t hv_gic_get_redistributor_size(size_t *redistributor_size);
OS_EXPORT hv_return_t hv_gic_get_redistributor_base_alignment(size_t *redistributor_base_alignment);
OS_EXPORT hv_return_t hv_gic_get_msi_region_size(size_t *msi_region_size);
OS_EXPORT hv_return_t hv_gic_get_msi_region_base_alignment(size_t *msi_region_base_alignment);
OS_EXPORT hv_return_t hv_gic_get_spi_interrupt_range(uint32_t *spi_intid_base,
						     uint32_t *spi_intid_count);
OS_EXPORT hv_return_t hv_gic_get_intid(hv_gic_intid_t interrupt, uint32_t *intid);

__END_DECLS

#endif /* HV_GIC_PARAMETERS_H */
