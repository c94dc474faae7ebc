/*
 * hv_vcpu.h - vCPU lifecycle, run loop and register access (arm64).
 *
 * Every function except hv_vcpus_exit must be called on the thread that
 * created the vCPU; other threads get HV_BAD_ARGUMENT.
 */
#ifndef HV_VCPU_H
#define HV_VCPU_H

#include <Hypervisor/hv_vcpu_types.h>

__BEGIN_DECLS

/* Creates a vCPU owned by the calling thread; *exit is updated by run. */
OS_EXPORT hv_return_t hv_vcpu_create(hv_vcpu_t *vcpu,
				     hv_vcpu_exit_t **exit,
				     hv_vcpu_config_t config);
OS_EXPORT hv_return_t hv_vcpu_destroy(hv_vcpu_t vcpu);

OS_EXPORT hv_return_t hv_vcpu_get_reg(hv_vcpu_t vcpu, hv_reg_t reg, uint64_t *value);
OS_EXPORT hv_return_t hv_vcpu_set_reg(hv_vcpu_t vcpu, hv_reg_t reg, uint64_t value);

OS_EXPORT hv_return_t hv_vcpu_get_simd_fp_reg(hv_vcpu_t vcpu, hv_simd_fp_reg_t reg,
					      hv_simd_fp_uchar16_t *value);
OS_EXPORT hv_return_t hv_vcpu_set_simd_fp_reg(hv_vcpu_t vcpu, hv_simd_fp_reg_t reg,
					      hv_simd_fp_uchar16_t value);

OS_EXPORT hv_return_t hv_vcpu_get_sys_reg(hv_vcpu_t vcpu, hv_sys_reg_t reg, uint64_t *value);
OS_EXPORT hv_return_t hv_vcpu_set_sys_reg(hv_vcpu_t vcpu, hv_sys_reg_t reg, uint64_t value);

/* Virtual IRQ/FIQ line for the next hv_vcpu_run only (cleared on return). */
OS_EXPORT hv_return_t hv_vcpu_get_pending_interrupt(hv_vcpu_t vcpu,
						    hv_interrupt_type_t type,
						    bool *pending);
OS_EXPORT hv_return_t hv_vcpu_set_pending_interrupt(hv_vcpu_t vcpu,
						    hv_interrupt_type_t type,
						    bool pending);

/* Debug exceptions (BRK, breakpoints, watchpoints, step) exit to the host. */
OS_EXPORT hv_return_t hv_vcpu_get_trap_debug_exceptions(hv_vcpu_t vcpu, bool *value);
OS_EXPORT hv_return_t hv_vcpu_set_trap_debug_exceptions(hv_vcpu_t vcpu, bool value);

/* Guest accesses to debug registers exit to the host (EC 0x18). */
OS_EXPORT hv_return_t hv_vcpu_get_trap_debug_reg_accesses(hv_vcpu_t vcpu, bool *value);
OS_EXPORT hv_return_t hv_vcpu_set_trap_debug_reg_accesses(hv_vcpu_t vcpu, bool value);

/* Runs the guest until the next exit; fills the exit structure. */
OS_EXPORT hv_return_t hv_vcpu_run(hv_vcpu_t vcpu);

/* Any thread: forces the listed vCPUs out with HV_EXIT_REASON_CANCELED. */
OS_EXPORT hv_return_t hv_vcpus_exit(hv_vcpu_t *vcpus, uint32_t vcpu_count);

/* Cumulative guest run time, in mach_absolute_time() units. */
OS_EXPORT hv_return_t hv_vcpu_get_exec_time(hv_vcpu_t vcpu, uint64_t *time);

OS_EXPORT hv_return_t hv_vcpu_get_vtimer_mask(hv_vcpu_t vcpu, bool *vtimer_is_masked);
OS_EXPORT hv_return_t hv_vcpu_set_vtimer_mask(hv_vcpu_t vcpu, bool vtimer_is_masked);

/* Guest CNTVCT_EL0 = mach_absolute_time() - offset. */
OS_EXPORT hv_return_t hv_vcpu_get_vtimer_offset(hv_vcpu_t vcpu, uint64_t *vtimer_offset);
OS_EXPORT hv_return_t hv_vcpu_set_vtimer_offset(hv_vcpu_t vcpu, uint64_t vtimer_offset);

/* SME (macOS 15.2): no SME on this implementation -> HV_UNSUPPORTED. */
OS_EXPORT hv_return_t hv_vcpu_get_sme_state(hv_vcpu_t vcpu, hv_vcpu_sme_state_t *sme_state);
OS_EXPORT hv_return_t hv_vcpu_set_sme_state(hv_vcpu_t vcpu, const hv_vcpu_sme_state_t *sme_state);
OS_EXPORT hv_return_t hv_vcpu_get_sme_z_reg(hv_vcpu_t vcpu, hv_sme_z_reg_t reg,
					    uint8_t *value, size_t length);
OS_EXPORT hv_return_t hv_vcpu_set_sme_z_reg(hv_vcpu_t vcpu, hv_sme_z_reg_t reg,
					    const uint8_t *value, size_t length);
OS_EXPORT hv_return_t hv_vcpu_get_sme_p_reg(hv_vcpu_t vcpu, hv_sme_p_reg_t reg,
					    uint8_t *value, size_t length);
OS_EXPORT hv_return_t hv_vcpu_set_sme_p_reg(hv_vcpu_t vcpu, hv_sme_p_reg_t reg,
					    const uint8_t *value, size_t length);
OS_EXPORT hv_return_t hv_vcpu_get_sme_za_reg(hv_vcpu_t vcpu, uint8_t *value, size_t length);
OS_EXPORT hv_return_t hv_vcpu_set_sme_za_reg(hv_vcpu_t vcpu, const uint8_t *value, size_t length);
OS_EXPORT hv_return_t hv_vcpu_get_sme_zt0_reg(hv_vcpu_t vcpu, hv_sme_zt0_uchar64_t *value);
OS_EXPORT hv_return_t hv_vcpu_set_sme_zt0_reg(hv_vcpu_t vcpu, const hv_sme_zt0_uchar64_t *value);

__END_DECLS

#endif /* HV_VCPU_H */
