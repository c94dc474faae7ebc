/*
 * hv_gic_state.h - save and restore of the GIC's distributor and
 * redistributor state (an opaque, versioned blob; the CPU interface
 * registers are saved through hv_gic_get_icc_reg).
 */
#ifndef HV_GIC_STATE_H
#define HV_GIC_STATE_H

#include <Hypervisor/hv_gic_types.h>
#include <Hypervisor/hv_kern_types.h>

__BEGIN_DECLS

/* A snapshot of the current state (the vCPUs must not be running);
 * NULL without a GIC.  Released with os_release. */
OS_EXPORT hv_gic_state_t hv_gic_state_create(void);
OS_EXPORT hv_return_t hv_gic_state_get_size(hv_gic_state_t state, size_t *gic_state_size);
/* Copies hv_gic_state_get_size bytes to gic_state_data. */
OS_EXPORT hv_return_t hv_gic_state_get_data(hv_gic_state_t state, void *gic_state_data);

__END_DECLS

#endif /* HV_GIC_STATE_H */
