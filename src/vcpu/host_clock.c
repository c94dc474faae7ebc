/*
 * host_clock.c - the host time base in mach_absolute_time() units.
 *
 * On aarch64 hosts it is the virtual counter CNTVCT_EL0 at CNTFRQ_EL0 (what
 * KVM guests count with, so that guest CNTVCT = mach_absolute_time() -
 * vtimer_offset holds).  Elsewhere it is a 24 MHz tick (Apple silicon's
 * frequency) derived from CLOCK_MONOTONIC.
 */
#include <mach/mach_time.h>
#include <time.h>

#include "vm.h"

#define EMULATED_TICKS_PER_SECOND 24000000ull

static uint64_t ns_to_ticks(uint64_t sec, uint64_t nsec)
{
#if defined(__aarch64__)
	uint64_t f = hv_host_ticks_per_second();
	return sec * f + (uint64_t)((unsigned __int128)nsec * f / 1000000000u);
#else
	/* 24 ticks per microsecond: ns * 24 / 1000 = ns * 3 / 125. */
	return sec * EMULATED_TICKS_PER_SECOND + nsec * 3 / 125;
#endif
}

uint64_t hv_host_ticks_per_second(void)
{
#if defined(__aarch64__)
	uint64_t f;
	__asm__ volatile("mrs %0, cntfrq_el0" : "=r"(f));
	return f ? f : EMULATED_TICKS_PER_SECOND;
#else
	return EMULATED_TICKS_PER_SECOND;
#endif
}

uint64_t hv_host_ticks(void)
{
#if defined(__aarch64__)
	uint64_t c;
	__asm__ volatile("isb; mrs %0, cntvct_el0" : "=r"(c) : : "memory");
	return c;
#else
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ns_to_ticks((uint64_t)ts.tv_sec, (uint64_t)ts.tv_nsec);
#endif
}

uint64_t hv_thread_cpu_ticks(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return ns_to_ticks((uint64_t)ts.tv_sec, (uint64_t)ts.tv_nsec);
}

/* <mach/mach_time.h> for programs written for macOS. */
unsigned long long mach_absolute_time(void)
{
	return hv_host_ticks();
}

int mach_timebase_info(mach_timebase_info_t info)
{
	if (!info)
		return 4; /* KERN_INVALID_ARGUMENT */
	uint64_t f = hv_host_ticks_per_second();
	/* ns = ticks * numer / denom; reduce 1e9 / f. */
	uint64_t a = 1000000000u, b = f;
	while (b) {
		uint64_t t = a % b;
		a = b;
		b = t;
	}
	info->numer = (uint32_t)(1000000000u / a);
	info->denom = (uint32_t)(f / a);
	return 0;
}
