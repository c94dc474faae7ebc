/*
 * probe.h - what the test suites may ask the emu backend about one of
 * their vCPUs (not part of the public API; tests link the library's
 * objects as they are, see LIB_INTERNAL in the Makefile).
 */
#ifndef EMU_PROBE_H
#define EMU_PROBE_H

#include <stdbool.h>
#include <stdint.h>

#include <Hypervisor/Hypervisor.h>

struct emu_probe {
	uint64_t retired;   /* instructions retired since creation */
	bool translating;   /* the vCPU has a translator (jit/jit.h) */
	uint64_t blocks;    /* blocks translated */
	uint64_t members;   /* ... and blocks translated into their regions */
	uint64_t flushes;   /* code cache flushes (full, or icache reset) */
	uint64_t fp_inline; /* FP operations translated inline (jit_fp.c) */
	uint64_t simd_inline; /* SIMD integer ones (jit_simd.c) */
	uint64_t predicted;   /* accesses emitted through a predicted addend */
};

/* Fills *p for a vCPU of the calling thread on the emu backend;
 * HV_BAD_ARGUMENT for others (or another backend). */
hv_return_t emu_probe_vcpu(hv_vcpu_t vcpu, struct emu_probe *p);

#endif /* EMU_PROBE_H */
