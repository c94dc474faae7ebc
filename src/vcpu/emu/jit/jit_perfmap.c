/*
 * jit_perfmap.c - HV_EMU_JIT_PERFMAP=1 appends each translation to
 * /tmp/perf-<pid>.map ("start size name", the format perf(1) reads for
 * code it cannot find in a file), so `perf report` names translated
 * blocks by guest PC instead of showing raw addresses.  With
 * HV_EMU_JIT_DUMP=DIR too, each translation's code goes to
 * DIR/<start>.bin (start as in the map, hex), for a profile by host
 * instruction (scripts/jit-profile.py).  Profiling aids, like QEMU's
 * -perfmap and -d out_asm; off by default.
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
static const char *dump_dir; /* HV_EMU_JIT_DUMP, or NULL */
static _Atomic int perfmap_state; /* 0 not looked at, 1 on, -1 off */

/* DIR/<start>.bin = the translation's code (from the executable view:
 * what runs). */
static void dump_code(uintptr_t start, size_t size)
{
	char path[4096];
	int n = snprintf(path, sizeof(path), "%s/%lx.bin", dump_dir, (unsigned long)start);
	if (n < 0 || (size_t)n >= sizeof(path))
		return;
	FILE *f = fopen(path, "w");
	if (!f) {
		fprintf(stderr, "hvdbg: HV_EMU_JIT_DUMP: cannot write %s\n", path);
		dump_dir = NULL;
		return;
	}
	fwrite((const void *)start, 1, size, f);
	fclose(f);
}

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
			const char *d = getenv("HV_EMU_JIT_DUMP");
			dump_dir = d && *d ? d : NULL;
		}
	}
	if (perfmap_state > 0) {
		fprintf(perfmap, "%lx %zx guest_%llx\n", (unsigned long)start, size,
			(unsigned long long)guest_pc);
		fflush(perfmap);
		if (dump_dir)
			dump_code(start, size);
	}
	pthread_mutex_unlock(&perfmap_lock);
}
#endif
