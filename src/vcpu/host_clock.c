/*
 * host_clock.c - the host time base in mach_absolute_time() units.
 *
 * Apple silicon counts at 24 MHz; programs compute vtimer offsets from
 * mach_absolute_time(), so we expose the same 24 MHz tick from
 * CLOCK_MONOTONIC.  Guest CNTVCT_EL0 = ticks - vtimer_offset.
 */
#include <mach/mach_time.h>
#include <time.h>

#include "vm.h"

uint64_t hv_host_ticks(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	/* 24 ticks per microsecond: ns * 24 / 1000 without overflow. */
	return (uint64_t)ts.tv_sec * HV_TICKS_PER_SECOND + (uint64_t)ts.tv_nsec * 3 / 125;
}

/* <mach/mach_time.h> for programs written for macOS. */
uint64_t mach_absolute_time(void)
{
	return hv_host_ticks();
}

int mach_timebase_info(mach_timebase_info_t info)
{
	if (!info)
		return 4; /* KERN_INVALID_ARGUMENT */
	info->numer = 125; /* 1e9 / 24e6 = 125 / 3 */
	info->denom = 3;
	return 0;
}
