/*
 * mach/mach_time.h - the Darwin time base programs use with
 * Hypervisor.framework (vtimer offsets, hv_vcpu_get_exec_time units).
 * Ticks are 24 MHz, as on Apple silicon; guest CNTVCT_EL0 =
 * mach_absolute_time() - vtimer_offset.
 */
#ifndef HV_MACH_TIME_H
#define HV_MACH_TIME_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct mach_timebase_info {
	uint32_t numer; /* nanoseconds = ticks * numer / denom */
	uint32_t denom;
} mach_timebase_info_data_t, *mach_timebase_info_t;

/* unsigned long long, as uint64_t is on macOS: "%llu" works unchanged. */
extern __attribute__((visibility("default"))) unsigned long long mach_absolute_time(void);
extern __attribute__((visibility("default"))) int mach_timebase_info(mach_timebase_info_t info);

#ifdef __cplusplus
}
#endif

#endif /* HV_MACH_TIME_H */
