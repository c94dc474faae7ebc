/*
 * fast_fp.c - cached operations for the frequent FP arithmetic forms:
 * FADD, FSUB, FMUL, FDIV, FMLA and FMLS on vectors (.2S, .4S, .2D) and by
 * element, and scalar FADD/FSUB/FMUL/FDIV and FMADD/FMSUB/FNMADD/FNMSUB
 * (single, double).  All lanes go through the host's SSE unit at once
 * when the result cannot differ from Arm's: FPCR round-to-nearest without
 * flush-to-zero, no NaN or infinite operand, every result normal and
 * finite (Arm detects tininess before rounding, x86 after; NaNs
 * propagate differently).  Anything else, and a trapped SIMD&FP access,
 * runs the generic path (fpsimd.c, fp_arith.c), which defines the
 * semantics; it starts from scratch because nothing was written yet.
 * The flags stay in the run's MXCSR (fp_arith.h, fpu_env_enter); those
 * of an attempt given up are a subset of what the generic path raises
 * (round to nearest, no flush: x86's underflow after rounding implies
 * Arm's before).
 *
 * x86-64 hosts only (and the MXCSR path of fp_arith.c): elsewhere every
 * FP instruction takes the generic path.
 */
#include "icache.h"

#if defined(__x86_64__) && defined(__SSE2__) && !defined(EMU_FP_USE_FENV)
#include <immintrin.h>

#include "fp_arith.h"

/* op->imm: what the operation does. */
enum { FF_ADD = EMU_FP_ADD, FF_SUB = EMU_FP_SUB, FF_MUL = EMU_FP_MUL, FF_DIV = EMU_FP_DIV, FF_FMA = EMU_FP_FMA };
#define FF_OP(imm) ((unsigned)(imm) & 7)
#define FF_D (1u << 3)       /* double precision */
#define FF_NEG_N (1u << 4)   /* FMA: negate the multiplicand Vn (FMLS, FMSUB, FNMADD) */
#define FF_NEG_A (1u << 5)   /* FMA: negate the addend (FNMADD, FNMSUB) */
#define FF_ELEM (1u << 6)    /* by element: Vm[index] in every lane */
#define FF_SCALAR (1u << 7)  /* one lane, the rest of Vd zeroed; FMA addend in Ra */
#define FF_Q (1u << 8)       /* 128-bit vector */
#define FF_INDEX_SHIFT 9     /* by element: the index (2 bits) */
/* What each handler reads from op->imm at run time (the rest is its own). */
#define FF_RUNTIME (FF_NEG_N | FF_NEG_A | 3u << FF_INDEX_SHIFT)

static __attribute__((noinline)) void fp_generic(struct emu_cpu *cpu, const struct emu_op *op)
{
	ic_set_pc(cpu, op);
	emu_exec_fpsimd(cpu, op->insn);
	cc_load(cpu, cpu->nzcv);
}

/* The lanes of one operand as 4 x 32 or 2 x 64 bits; unused lanes hold
 * 1.0 (every operation on 1.0s is exact: no flag, no special result). */
static inline __m128i operand(const struct emu_cpu *cpu, unsigned r, unsigned imm, bool is_b)
{
	bool d = imm & FF_D;
	__m128i v;
	if (is_b && (imm & FF_ELEM)) {
		unsigned idx = (imm >> FF_INDEX_SHIFT) & 3;
		uint32_t e32;
		if (d)
			return _mm_set1_epi64x((long long)cpu->v[r][idx & 1]);
		memcpy(&e32, (const uint8_t *)cpu->v[r] + 4 * idx, 4);
		v = _mm_set1_epi32((int)e32);
	} else {
		v = _mm_loadu_si128((const __m128i *)(const void *)cpu->v[r]);
	}
	if (imm & FF_Q)
		return v;
	/* Keep lane 0 (scalar) or the low 64 bits (.2S): the rest is 1.0. */
	const __m128i one = d ? _mm_set1_epi64x(0x3ff0000000000000ll) : _mm_set1_epi32(0x3f800000);
	__m128i keep = (imm & FF_SCALAR) && !d ? _mm_set_epi32(0, 0, 0, -1) : _mm_set_epi32(0, 0, -1, -1);
	return _mm_or_si128(_mm_and_si128(keep, v), _mm_andnot_si128(keep, one));
}

/* Lanes (a bit each in movemask_ps order) whose exponent is all ones
 * (NaN, infinity), or, for results (also_tiny), 0 or 1 too: zero,
 * denormal, or so close to the normal minimum that Arm's tininess
 * (before rounding) may differ from x86's (after). */
static inline unsigned special_lanes(__m128i v, bool d, bool also_tiny)
{
	__m128i e, emax;
	if (d) { /* the exponent lands in each 64-bit lane's low word */
		e = _mm_and_si128(_mm_srli_epi64(v, 52), _mm_set1_epi64x(0x7ff));
		emax = _mm_set1_epi64x(0x7ff);
	} else {
		e = _mm_and_si128(_mm_srli_epi32(v, 23), _mm_set1_epi32(0xff));
		emax = _mm_set1_epi32(0xff);
	}
	__m128i bad = _mm_cmpeq_epi32(e, emax);
	if (also_tiny)
		bad = _mm_or_si128(bad, _mm_cmpeq_epi32(_mm_srli_epi32(e, 1), _mm_setzero_si128()));
	return (unsigned)_mm_movemask_ps(_mm_castsi128_ps(bad)) & (d ? 5u : 15u);
}

__attribute__((target("fma"))) static __m128i fma_ps(__m128i a, __m128i b, __m128i c)
{
	return _mm_castps_si128(_mm_fmadd_ps(_mm_castsi128_ps(a), _mm_castsi128_ps(b), _mm_castsi128_ps(c)));
}

__attribute__((target("fma"))) static __m128i fma_pd(__m128i a, __m128i b, __m128i c)
{
	return _mm_castpd_si128(_mm_fmadd_pd(_mm_castsi128_pd(a), _mm_castsi128_pd(b), _mm_castsi128_pd(c)));
}

static inline __m128i arith(unsigned fop, bool d, __m128i a, __m128i b, __m128i c)
{
	if (d) {
		__m128d x = _mm_castsi128_pd(a), y = _mm_castsi128_pd(b);
		switch (fop) {
		case FF_ADD: return _mm_castpd_si128(_mm_add_pd(x, y));
		case FF_SUB: return _mm_castpd_si128(_mm_sub_pd(x, y));
		case FF_MUL: return _mm_castpd_si128(_mm_mul_pd(x, y));
		case FF_DIV: return _mm_castpd_si128(_mm_div_pd(x, y));
		default: return fma_pd(a, b, c);
		}
	}
	__m128 x = _mm_castsi128_ps(a), y = _mm_castsi128_ps(b);
	switch (fop) {
	case FF_ADD: return _mm_castps_si128(_mm_add_ps(x, y));
	case FF_SUB: return _mm_castps_si128(_mm_sub_ps(x, y));
	case FF_MUL: return _mm_castps_si128(_mm_mul_ps(x, y));
	case FF_DIV: return _mm_castps_si128(_mm_div_ps(x, y));
	default: return fma_ps(a, b, c);
	}
}

/* The operation on the host, or false (nothing written) when the generic
 * path must do it.  imm: a constant but for FF_RUNTIME, so that each
 * handler below is compiled for its own form. */
static inline __attribute__((always_inline)) bool fp_fast(struct emu_cpu *cpu, const struct emu_op *op,
							    unsigned imm)
{
	unsigned fop = FF_OP(imm);
	bool d = imm & FF_D;
	if (cpu->fpcr & (FPCR_FZ | 3u << FPCR_RMODE_SHIFT))
		return false;
	__m128i a = operand(cpu, op->rn, imm, false), b = operand(cpu, op->rm, imm, true), c = a;
	unsigned bad = special_lanes(a, d, false) | special_lanes(b, d, false);
	if (fop == FF_FMA) {
		c = operand(cpu, (imm & FF_SCALAR) ? op->ra : op->rd, imm, false);
		bad |= special_lanes(c, d, false);
		const __m128i sign = d ? _mm_set1_epi64x((long long)0x8000000000000000ull) : _mm_set1_epi32((int)0x80000000u);
		if (imm & FF_NEG_N)
			a = _mm_xor_si128(a, sign);
		if (imm & FF_NEG_A)
			c = _mm_xor_si128(c, sign);
	}
	/* the lanes the instruction has (the others hold 1.0 op 1.0) */
	unsigned lanes = (imm & FF_SCALAR) ? 1u : (imm & FF_Q) ? 15u : d ? 1u : 3u;
	if (bad & lanes)
		return false;
	/* in the run's MXCSR (fpu_env_enter), which keeps the flags */
	__m128i r = arith(fop, d, a, b, c);
	if (special_lanes(r, d, true) & lanes) /* tiny, zero, infinite or NaN: Arm's rules */
		return false;
	uint64_t lo = (uint64_t)_mm_cvtsi128_si64(r), hi = (uint64_t)_mm_cvtsi128_si64(_mm_unpackhi_epi64(r, r));
	if (imm & FF_SCALAR)
		lo = d ? lo : (uint32_t)lo;
	cpu->v[op->rd][0] = lo;
	cpu->v[op->rd][1] = (imm & FF_Q) ? hi : 0;
	return true;
}

/* One handler per operation, precision and shape: [fop][d][shape]; each
 * with the operation as a plain call (exec_*) for the translator. */
enum { SH_VQ = EMU_FP_VQ, SH_V64 = EMU_FP_V64, SH_EQ = EMU_FP_EQ, SH_E64 = EMU_FP_E64, SH_SCALAR = EMU_FP_SCALAR,
       SH_N };
static const unsigned shape_bits[SH_N] = { FF_Q, 0, FF_ELEM | FF_Q, FF_ELEM, FF_SCALAR };
#define FP_OP(fop, d, sh)                                                                            \
	static void exec_fp_##fop##_##d##_##sh(struct emu_cpu *cpu, const struct emu_op *op)        \
	{                                                                                            \
		unsigned imm = FF_##fop | ((d) ? FF_D : 0) | shape_bits[SH_##sh];                     \
		if (!emu_fp_enabled_fast(cpu) || !fp_fast(cpu, op, imm | ((unsigned)op->imm & FF_RUNTIME))) \
			fp_generic(cpu, op);                                                         \
	}                                                                                            \
	static bool op_fp_##fop##_##d##_##sh(struct emu_cpu *cpu, const struct emu_op *op)          \
	{                                                                                            \
		exec_fp_##fop##_##d##_##sh(cpu, op);                                                 \
		return IC_NEXT(cpu, op);                                                             \
	}
#define FP_SHAPES(fop, d) FP_OP(fop, d, VQ) FP_OP(fop, d, V64) FP_OP(fop, d, EQ) FP_OP(fop, d, E64) \
	FP_OP(fop, d, SCALAR)
#define FP_ROW(fop) FP_SHAPES(fop, 0) FP_SHAPES(fop, 1)
FP_ROW(ADD)
FP_ROW(SUB)
FP_ROW(MUL)
FP_ROW(DIV)
FP_ROW(FMA)
#define FP_FN(pfx, fop, d) \
	{ pfx##fop##_##d##_VQ, pfx##fop##_##d##_V64, pfx##fop##_##d##_EQ, pfx##fop##_##d##_E64, \
	  pfx##fop##_##d##_SCALAR }
#define FP_TABLE(pfx)                                                                          \
	{ { FP_FN(pfx, ADD, 0), FP_FN(pfx, ADD, 1) }, { FP_FN(pfx, SUB, 0), FP_FN(pfx, SUB, 1) }, \
	  { FP_FN(pfx, MUL, 0), FP_FN(pfx, MUL, 1) }, { FP_FN(pfx, DIV, 0), FP_FN(pfx, DIV, 1) }, \
	  { FP_FN(pfx, FMA, 0), FP_FN(pfx, FMA, 1) } }
static const emu_op_fn fp_ops[5][2][SH_N] = FP_TABLE(op_fp_);
static const emu_exec_fn fp_execs[5][2][SH_N] = FP_TABLE(exec_fp_);

emu_exec_fn emu_fast_fp_exec(emu_op_fn fn)
{
	for (unsigned i = 0; i < 5 * 2 * SH_N; i++)
		if ((&fp_ops[0][0][0])[i] == fn)
			return (&fp_execs[0][0][0])[i];
	return NULL;
}

bool emu_fast_fp_form(emu_op_fn fn, const struct emu_op *op, struct emu_fp_form *f)
{
	for (unsigned i = 0; i < 5 * 2 * SH_N; i++)
		if ((&fp_ops[0][0][0])[i] == fn) {
			*f = (struct emu_fp_form){ .op = (uint8_t)(i / (2 * SH_N)), .shape = (uint8_t)(i % SH_N),
						   .d = (i / SH_N) & 1, .neg_n = (op->imm & FF_NEG_N) != 0,
						   .neg_a = (op->imm & FF_NEG_A) != 0,
						   .index = (uint8_t)((op->imm >> FF_INDEX_SHIFT) & 3) };
			return true;
		}
	return false;
}

bool emu_fast_fp(struct emu_op *op, uint32_t insn)
{
	unsigned rd = insn & 31, rn = (insn >> 5) & 31, rm = (insn >> 16) & 31;
	bool q = (insn >> 30) & 1, sz = (insn >> 22) & 1;
	unsigned imm;
	switch (insn & 0xbfa0fc00u) { /* vector three same: Q, sz, Rm, Rn, Rd free */
	case 0x0e20d400u: imm = FF_ADD; goto vector;
	case 0x0ea0d400u: imm = FF_SUB; goto vector;
	case 0x2e20dc00u: imm = FF_MUL; goto vector;
	case 0x2e20fc00u: imm = FF_DIV; goto vector;
	case 0x0e20cc00u: imm = FF_FMA; goto vector; /* FMLA */
	case 0x0ea0cc00u: imm = FF_FMA | FF_NEG_N; goto vector; /* FMLS */
	default: break;
	}
	switch (insn & 0xbf80f400u) { /* by element (sz: bit 22), not half */
	case 0x0f801000u: imm = FF_FMA | FF_ELEM; goto element; /* FMLA */
	case 0x0f805000u: imm = FF_FMA | FF_NEG_N | FF_ELEM; goto element; /* FMLS */
	case 0x0f809000u: imm = FF_MUL | FF_ELEM; goto element; /* FMUL */
	default: break;
	}
	if ((insn & 0xffa0cc00u) == 0x1e200800u) { /* FMUL, FDIV, FADD, FSUB (scalar) */
		static const unsigned ops[4] = { FF_MUL, FF_DIV, FF_ADD, FF_SUB };
		imm = ops[(insn >> 12) & 3] | FF_SCALAR;
		goto scalar;
	}
	if ((insn & 0xff800000u) == 0x1f000000u) { /* FMADD, FMSUB, FNMADD, FNMSUB */
		bool o1 = (insn >> 21) & 1, o0 = (insn >> 15) & 1;
		imm = FF_FMA | FF_SCALAR | (o1 != o0 ? FF_NEG_N : 0) | (o1 ? FF_NEG_A : 0);
		op->ra = (insn >> 10) & 31;
		goto scalar;
	}
	return false;
element: {
	unsigned h = (insn >> 11) & 1, l = (insn >> 21) & 1;
	if (sz && (l || !q))
		return false; /* unallocated: the generic path raises it */
	imm |= (sz ? h : (h << 1 | l)) << FF_INDEX_SHIFT;
	goto vector; /* Rm is M:Rm, as for three same */
}
vector:
	if (sz && !q)
		return false;
	imm |= q ? FF_Q : 0;
	/* fall through */
scalar:
	if (FF_OP(imm) == FF_FMA && !fpu_host_has_fma())
		return false;
	op->imm = imm | (sz ? FF_D : 0);
	op->rd = (uint8_t)rd;
	op->rn = (uint8_t)rn;
	op->rm = (uint8_t)rm;
	unsigned shape = (imm & FF_SCALAR) ? SH_SCALAR : (imm & FF_ELEM) ? ((imm & FF_Q) ? SH_EQ : SH_E64)
	                                                                 : ((imm & FF_Q) ? SH_VQ : SH_V64);
	op->fn = fp_ops[FF_OP(imm)][sz][shape];
	return true;
}

#else /* no SSE: the generic path does all FP */

bool emu_fast_fp(struct emu_op *op, uint32_t insn)
{
	(void)op, (void)insn;
	return false;
}

emu_exec_fn emu_fast_fp_exec(emu_op_fn fn)
{
	(void)fn;
	return NULL;
}

bool emu_fast_fp_form(emu_op_fn fn, const struct emu_op *op, struct emu_fp_form *f)
{
	(void)fn, (void)op, (void)f;
	return false;
}

#endif
