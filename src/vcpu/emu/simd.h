/*
 * simd.h - contract between the FP/Advanced SIMD files: fpsimd.c (top
 * decode), fp_scalar.c, simd_*.c, ldst_simd.c; vector register helpers.
 *
 * Handlers read their sources into local 128-bit copies, compute, then
 * write the destination (so Rd may alias a source).  A 64-bit vector or
 * scalar result zeroes bits [127:64] of the destination.
 */
#ifndef EMU_SIMD_H
#define EMU_SIMD_H

#include <string.h>

#include "cpu.h"
#include "fp_arith.h"

typedef struct {
	uint64_t d[2];
} vec128;

static inline uint64_t esz_mask(unsigned bits)
{
	return bits >= 64 ? ~0ull : (1ull << bits) - 1;
}

/* Element idx of size 8 << lg bits. */
static inline uint64_t vget(const vec128 *v, unsigned idx, unsigned lg)
{
	unsigned bits = 8u << lg, off = idx << (lg + 3);
	return (v->d[off >> 6] >> (off & 63)) & esz_mask(bits);
}
static inline void vset(vec128 *v, unsigned idx, unsigned lg, uint64_t val)
{
	unsigned bits = 8u << lg, off = idx << (lg + 3);
	uint64_t m = esz_mask(bits) << (off & 63);
	v->d[off >> 6] = (v->d[off >> 6] & ~m) | ((val << (off & 63)) & m);
}
static inline int64_t sext(uint64_t v, unsigned bits)
{
	if (bits >= 64)
		return (int64_t)v;
	uint64_t m = 1ull << (bits - 1);
	v &= (m << 1) - 1;
	return (int64_t)((v ^ m) - m);
}

static inline vec128 vreg(const struct emu_cpu *cpu, unsigned n)
{
	vec128 v = { { cpu->v[n][0], cpu->v[n][1] } };
	return v;
}
/* Writes Vd; q = 0: 64-bit result, upper half zeroed. */
static inline void set_vreg(struct emu_cpu *cpu, unsigned n, const vec128 *v, bool q)
{
	cpu->v[n][0] = v->d[0];
	cpu->v[n][1] = q ? v->d[1] : 0;
}
/* Scalar result (B/H/S/D register): the rest of the register is zeroed. */
static inline void set_vscalar(struct emu_cpu *cpu, unsigned n, uint64_t bits)
{
	cpu->v[n][0] = bits;
	cpu->v[n][1] = 0;
}

/* Saturation helpers; *sat set when the value was clamped (FPSR.QC). */
static inline uint64_t sat_s(int64_t v, unsigned bits, bool *sat)
{
	int64_t hi = (int64_t)(esz_mask(bits - 1)), lo = -hi - 1;
	if (v > hi) {
		*sat = true;
		return (uint64_t)hi & esz_mask(bits);
	}
	if (v < lo) {
		*sat = true;
		return (uint64_t)lo & esz_mask(bits);
	}
	return (uint64_t)v & esz_mask(bits);
}
static inline uint64_t sat_u(int64_t v, unsigned bits, bool *sat)
{
	if (v < 0) {
		*sat = true;
		return 0;
	}
	if ((uint64_t)v > esz_mask(bits)) {
		*sat = true;
		return esz_mask(bits);
	}
	return (uint64_t)v;
}
/* Unsigned value (as uint64) to a bits-wide unsigned. */
static inline uint64_t sat_uu(uint64_t v, unsigned bits, bool *sat)
{
	if (v > esz_mask(bits)) {
		*sat = true;
		return esz_mask(bits);
	}
	return v;
}
static inline void set_qc(struct emu_cpu *cpu, bool sat)
{
	if (sat)
		cpu->fpsr |= FPSR_QC;
}

/* FP element width for sz (bit 22) in the vector FP classes. */
static inline unsigned fp_w(unsigned sz)
{
	return sz ? 64 : 32;
}

/* VFPExpandImm: the FMOV immediate imm8 in format w (16, 32, 64). */
static inline uint64_t vfp_expand_imm(unsigned imm8, unsigned w)
{
	unsigned E = w == 16 ? 5 : w == 32 ? 8 : 11, F = w - E - 1;
	uint64_t b6 = (imm8 >> 6) & 1;
	uint64_t exp = (b6 ^ 1) << (E - 1) | (b6 ? esz_mask(E - 3) : 0) << 2 | ((imm8 >> 4) & 3);
	return (uint64_t)(imm8 >> 7) << (w - 1) | exp << F | (uint64_t)(imm8 & 15) << (F - 4);
}

/* Handlers; `scalar` selects the AdvSIMD scalar variant of a class. */
void emu_fp_scalar(struct emu_cpu *cpu, uint32_t insn);                /* fp_scalar.c */
void simd_three_same(struct emu_cpu *cpu, uint32_t insn, bool scalar); /* simd_3same.c */
void simd_three_same_fp16(struct emu_cpu *cpu, uint32_t insn, bool scalar); /* simd_3same.c */
void simd_three_diff(struct emu_cpu *cpu, uint32_t insn, bool scalar); /* simd_3diff.c */
void simd_two_misc(struct emu_cpu *cpu, uint32_t insn, bool scalar);   /* simd_2misc.c */
void simd_across(struct emu_cpu *cpu, uint32_t insn);                  /* simd_reduce.c */
void simd_pairwise_scalar(struct emu_cpu *cpu, uint32_t insn);         /* simd_reduce.c */
void simd_copy(struct emu_cpu *cpu, uint32_t insn, bool scalar);       /* simd_move.c */
void simd_mod_imm(struct emu_cpu *cpu, uint32_t insn);                 /* simd_move.c */
void simd_permute(struct emu_cpu *cpu, uint32_t insn);                 /* simd_move.c */
void simd_ext(struct emu_cpu *cpu, uint32_t insn);                     /* simd_move.c */
void simd_tbl(struct emu_cpu *cpu, uint32_t insn);                     /* simd_move.c */
void simd_shift_imm(struct emu_cpu *cpu, uint32_t insn, bool scalar);  /* simd_shift.c */
void simd_indexed(struct emu_cpu *cpu, uint32_t insn, bool scalar);    /* simd_indexed.c */

/* Shared integer element operations (simd_3same.c), also used by the
 * indexed and scalar classes.  Return the bits-wide result. */
uint64_t simd_sqdmulh(uint64_t a, uint64_t b, unsigned bits, bool round, bool *sat);
/* FP ops over the lanes of a vector (simd_3same.c): op on n lanes. */

#endif /* EMU_SIMD_H */
