/*
 * vcpu_outcome.h - what one run of a vCPU left behind (general and
 * SIMD&FP registers, FPCR and FPSR, the exit, retired instructions, a window of guest memory), captured so that
 * two runs of the same code (translator vs interpreter: tests/test_jit.c,
 * fuzz/jit_diff_fuzz.c) can be compared field by field.
 */
#ifndef VCPU_OUTCOME_H
#define VCPU_OUTCOME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <Hypervisor/Hypervisor.h>

struct vcpu_outcome {
	uint64_t x[31], sp, pc, cpsr, elr, esr1, far1;
	uint64_t v[32][2], fpcr, fpsr; /* SIMD&FP registers, V[n][0] the low half */
	uint32_t reason, syndrome;
	uint64_t va, pa, retired;
	uint8_t *data;    /* data_size bytes of guest memory, caller's buffer */
	size_t data_size;
};

/* Reads the registers and the exit of `vcpu` (the calling thread's) into
 * *o and copies o->data_size bytes from `mem`; retired is the caller's. */
hv_return_t vcpu_outcome_capture(hv_vcpu_t vcpu, const hv_vcpu_exit_t *ex, const uint8_t *mem,
				 struct vcpu_outcome *o);

/* Whether a and b differ; if so the first difference, named, goes to
 * buf ("x3: interp 0x1 jit 0x2"; a is "interp", b "jit"). */
bool vcpu_outcome_differs(const struct vcpu_outcome *a, const struct vcpu_outcome *b, char *buf, size_t n);

#endif /* VCPU_OUTCOME_H */
