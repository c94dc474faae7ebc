/*
 * jit_perfmap.c - HV_EMU_JIT_PERFMAP=1 appends each translation to
 * /tmp/perf-<pid>.map ("start size name", the format perf(1) reads for
 * code it cannot find in a file), so `perf report` names translated
 * blocks by guest PC instead of showing raw addresses.  A profiling aid,
 * like QEMU's -perfmap; off by default.
 */
#include "jit_priv.h"

#if EMU_JIT_SUPPORTED
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static pthread_mutex_t perfmap_lock = PTHREAD_MUTEX_INITIALIZER;
static FILE *perfmap;
static _Atomic int perfmap_state; /* 0 not looked at, 1 on, -1 off */

void jit_perfmap_add(uintptr_t start, size_t size, uint64_t guest_pc)
{
	if (perfmap_state < 0) /* the usual case: no lock per translation */
		return;
	pthread_mutex_lock(&perfmap_lock);
	if (!perfmap_state) {
		const char *v = getenv("HV_EMU_JIT_PERFMAP");
		perfmap_state = -1;
		if (v && v[0] == '1' && !v[1]) {
			char path[64];
			snprintf(path, sizeof(path), "/tmp/perf-%ld.map", (long)getpid());
			perfmap = fopen(path, "a");
			if (perfmap)
				perfmap_state = 1;
			else
				fprintf(stderr, "hvdbg: HV_EMU_JIT_PERFMAP: cannot open %s\n", path);
		}
	}
	if (perfmap_state > 0) {
		fprintf(perfmap, "%lx %zx guest_%llx\n", (unsigned long)start, size,
			(unsigned long long)guest_pc);
		fflush(perfmap);
	}
	pthread_mutex_unlock(&perfmap_lock);
}
#endif
