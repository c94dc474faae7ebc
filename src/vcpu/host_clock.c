/*
 * host_clock.c - the host time base in mach_absolute_time() units.
 *
 * Apple silicon counts at 24 MHz; programs compute vtimer offsets from
 * mach_absolute_time(), so we expose the same 24 MHz tick from
 * CLOCK_MONOTONIC.  Guest CNTVCT_EL0 = ticks - vtimer_offset.
 */
#include <time.h>

#include "vm.h"

uint64_t hv_host_ticks(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	/* 24 ticks per microsecond: ns * 24 / 1000 without overflow. */
	return (uint64_t)ts.tv_sec * HV_TICKS_PER_SECOND + (uint64_t)ts.tv_nsec * 3 / 125;
}
