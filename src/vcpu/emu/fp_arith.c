/*
 * fp_arith.c - see fp_arith.h.
 *
 * Host arithmetic: the guest rounding mode is installed with fesetround
 * only around non-RN operations (and restored, so the host program keeps
 * its environment); exceptions are read with fetestexcept.  Operands go
 * through volatile objects so the compiler neither folds nor moves the
 * operation across the fenv calls (gcc has no FENV_ACCESS).
 *
 * Arm differences fixed here:
 *  - NaN operands never reach the host: FPProcessNaNs picks the first
 *    signalling NaN, else the first quiet NaN (operand order), quietened;
 *    FPCR.DN gives the default NaN 0x7fc00000 / 0x7ff8000000000000, as
 *    does any invalid operation (x86's default NaN is negative);
 *  - FPCR.FZ: denormal inputs become zero (IDC); results that are tiny
 *    *before rounding* become zero with only UFC set;
 *  - tininess: Arm detects it before rounding, x86 after.  They differ
 *    only when the result rounds to +-min normal; then the operation is
 *    redone towards zero to see whether the exact value is below it.
 */
#include "fp_arith.h"

/* Build with -DEMU_FP_USE_FENV to use <fenv.h> on x86-64 too (the path
 * other hosts take; used to test it). */

#include <fenv.h>
#include <math.h>
#include <string.h>
#if defined(__x86_64__) && defined(__SSE2__) && !defined(EMU_FP_USE_FENV)
#include <xmmintrin.h>
#endif

/* ---------------------------------------------------------------- */
/* Formats. */

static inline unsigned fmt_e(unsigned w)
{
	return w == 16 ? 5 : w == 32 ? 8 : 11;
}
static inline unsigned fmt_f(unsigned w)
{
	return w == 16 ? 10 : w == 32 ? 23 : 52;
}
static inline uint64_t mask64(unsigned n)
{
	return n >= 64 ? ~0ull : (1ull << n) - 1;
}
static inline uint64_t exp_field(unsigned w, uint64_t a)
{
	return (a >> fmt_f(w)) & mask64(fmt_e(w));
}
static inline uint64_t frac_field(unsigned w, uint64_t a)
{
	return a & mask64(fmt_f(w));
}
static inline bool is_nan(unsigned w, uint64_t a)
{
	return exp_field(w, a) == mask64(fmt_e(w)) && frac_field(w, a) != 0;
}
static inline bool is_snan(unsigned w, uint64_t a)
{
	return is_nan(w, a) && !((a >> (fmt_f(w) - 1)) & 1);
}
static inline bool is_inf(unsigned w, uint64_t a)
{
	return exp_field(w, a) == mask64(fmt_e(w)) && frac_field(w, a) == 0;
}
static inline bool is_zero(unsigned w, uint64_t a)
{
	return fp_abs(w, a) == 0;
}
static inline bool is_denorm(unsigned w, uint64_t a)
{
	return exp_field(w, a) == 0 && frac_field(w, a) != 0;
}
static inline uint64_t quiet(unsigned w, uint64_t a)
{
	return a | 1ull << (fmt_f(w) - 1);
}
static inline uint64_t default_nan(unsigned w)
{
	return (mask64(fmt_e(w)) << fmt_f(w)) | 1ull << (fmt_f(w) - 1);
}
static inline uint64_t fp_inf(unsigned w, bool sign)
{
	return (sign ? fp_sign_bit(w) : 0) | mask64(fmt_e(w)) << fmt_f(w);
}
static inline uint64_t fp_zero(unsigned w, bool sign)
{
	return sign ? fp_sign_bit(w) : 0;
}
static inline uint64_t fp_max_normal(unsigned w, bool sign)
{
	return (sign ? fp_sign_bit(w) : 0) | (mask64(fmt_e(w)) - 1) << fmt_f(w) | mask64(fmt_f(w));
}
static inline uint64_t min_normal(unsigned w)
{
	return 1ull << fmt_f(w);
}
static inline bool sign_of(unsigned w, uint64_t a)
{
	return (a >> (w - 1)) & 1;
}

/* Flush-to-zero control of format w: FZ16 for half, FZ otherwise. */
static inline bool fz_on(const struct fpst *st, unsigned w)
{
	return (st->fpcr & (w == 16 ? FPCR_FZ16 : FPCR_FZ)) != 0;
}

/* Input flush (FPUnpack); flushing a half input raises no IDC. */
static inline uint64_t flush_in(struct fpst *st, unsigned w, uint64_t a)
{
	if (fz_on(st, w) && is_denorm(w, a)) {
		if (w != 16)
			st->flags |= FPSR_IDC;
		return a & fp_sign_bit(w);
	}
	return a;
}

static inline uint64_t nan_result(struct fpst *st, unsigned w, uint64_t a)
{
	return (st->fpcr & FPCR_DN) ? default_nan(w) : quiet(w, a);
}

/* FPProcessNaN for one operand known to be a NaN. */
static uint64_t process_nan(struct fpst *st, unsigned w, uint64_t a)
{
	if (is_snan(w, a))
		st->flags |= FPSR_IOC;
	return nan_result(st, w, a);
}

/* FPProcessNaNs3 (n operands); returns true with *r when one is a NaN. */
static bool process_nans(struct fpst *st, unsigned w, const uint64_t *ops, unsigned n, uint64_t *r)
{
	for (unsigned i = 0; i < n; i++) {
		if (is_snan(w, ops[i])) {
			st->flags |= FPSR_IOC;
			*r = nan_result(st, w, ops[i]);
			return true;
		}
	}
	for (unsigned i = 0; i < n; i++) {
		if (is_nan(w, ops[i])) {
			*r = nan_result(st, w, ops[i]);
			return true;
		}
	}
	return false;
}

/* ---------------------------------------------------------------- */
/* Unpacked values and the software rounder (FPRound). */

enum fpt { T_ZERO, T_NUM, T_INF, T_QNAN, T_SNAN };
struct unp {
	enum fpt t;
	bool sign;
	int exp;       /* value = mant / 2^63 * 2^exp */
	uint64_t mant; /* normalised: bit 63 set (T_NUM) */
};

/* FPUnpackBase; ahp: half precision with FPCR.AHP (no inf/NaN). */
static struct unp unpack(struct fpst *st, unsigned w, uint64_t a, bool ahp)
{
	struct unp u;
	unsigned E = fmt_e(w), F = fmt_f(w);
	int bias = (1 << (E - 1)) - 1;
	uint64_t e = exp_field(w, a), f = frac_field(w, a);
	u.sign = sign_of(w, a);
	u.exp = 0;
	u.mant = 0;
	if (e == 0) {
		if (f == 0 || fz_on(st, w)) {
			if (f != 0 && w != 16)
				st->flags |= FPSR_IDC;
			u.t = T_ZERO;
			return u;
		}
		int p = 63 - __builtin_clzll(f);
		u.t = T_NUM;
		u.mant = f << (63 - p);
		u.exp = p + 1 - bias - (int)F;
		return u;
	}
	if (e == mask64(E) && !ahp) {
		u.t = f == 0 ? T_INF : ((f >> (F - 1)) & 1) ? T_QNAN : T_SNAN;
		return u;
	}
	u.t = T_NUM;
	u.mant = (1ull << F | f) << (63 - F);
	u.exp = (int)e - bias;
	return u;
}

static inline bool overflow_to_inf(unsigned rmode, bool sign)
{
	switch (rmode) {
	case FPR_RN: case FPR_TA: return true;
	case FPR_RP: return !sign;
	case FPR_RM: return sign;
	default: return false;
	}
}

/* FPRoundBase of sign * mant/2^63 * 2^exp (mant != 0, bit 63 set; a
 * sticky bit may be ORed into bit 0).  fz: FPCR.FZ (FZ16 for half) applies;
 * ahp: alternative half-precision format. */
static uint64_t round_pack(struct fpst *st, unsigned w, bool sign, int exp, uint64_t mant,
			   unsigned rmode, bool fz, bool ahp)
{
	unsigned E = fmt_e(w), F = fmt_f(w);
	int bias = (1 << (E - 1)) - 1, minexp = 1 - bias;
	uint64_t sbit = sign ? fp_sign_bit(w) : 0;

	if (exp < minexp && fz) {
		st->flags |= FPSR_UFC;
		return sbit;
	}
	int64_t biased = (int64_t)exp - minexp + 1;
	uint64_t shift = 63 - F;
	if (biased <= 0) {
		shift += (uint64_t)((int64_t)minexp - exp);
		biased = 0;
	}
	uint64_t im, rem;
	if (shift < 64) {
		im = mant >> shift;
		rem = mant << (64 - shift);
	} else {
		im = 0;
		if (shift == 64)
			rem = mant;
		else if (shift < 128)
			rem = (mant >> (shift - 64)) | ((mant << (128 - shift)) != 0);
		else
			rem = 1;
	}
	const uint64_t H = 1ull << 63;
	bool err = rem != 0, up;
	if (biased == 0 && err)
		st->flags |= FPSR_UFC;
	switch (rmode) {
	case FPR_RN: up = rem > H || (rem == H && (im & 1)); break;
	case FPR_TA: up = rem >= H; break;
	case FPR_RP: up = err && !sign; break;
	case FPR_RM: up = err && sign; break;
	default: up = false; break;
	}
	if (up) {
		im++;
		if (biased == 0 && im >= 1ull << F)
			biased = 1;
		else if (im == 1ull << (F + 1)) {
			im >>= 1;
			biased++;
		}
	}
	if (err && rmode == FPR_ODD)
		im |= 1;
	if (!ahp) {
		if (biased >= (int64_t)mask64(E)) {
			st->flags |= FPSR_OFC | FPSR_IXC;
			return overflow_to_inf(rmode, sign) ? fp_inf(w, sign) : fp_max_normal(w, sign);
		}
	} else if (biased > (int64_t)mask64(E)) {
		st->flags |= FPSR_IOC;
		return sbit | mask64(w - 1);
	}
	if (err)
		st->flags |= FPSR_IXC;
	return sbit | (uint64_t)biased << F | (im & mask64(F));
}

/* ---------------------------------------------------------------- */
/* Host operations. */

static inline float f32_of(uint64_t a)
{
	uint32_t u = (uint32_t)a;
	float f;
	memcpy(&f, &u, 4);
	return f;
}
static inline uint64_t bits_f32(float f)
{
	uint32_t u;
	memcpy(&u, &f, 4);
	return u;
}
static inline double f64_of(uint64_t a)
{
	double d;
	memcpy(&d, &a, 8);
	return d;
}
static inline uint64_t bits_f64(double d)
{
	uint64_t u;
	memcpy(&u, &d, 8);
	return u;
}


#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <cpuid.h>
/* FMA3 usable: CPUID.1:ECX.FMA, and the OS saves YMM state (OSXSAVE, XCR0
 * SSE|AVX).  Asked of CPUID directly rather than __builtin_cpu_supports,
 * whose __cpu_model lives in libgcc.a: the library must link with nothing
 * beyond -lpthread -lm (consumers such as rustc pass -nodefaultlibs). */
static bool host_has_fma(void)
{
	static int known; /* 0 unknown, 1 no, 2 yes; benign race: same answer */
	int k = __atomic_load_n(&known, __ATOMIC_RELAXED);
	if (k == 0) {
		unsigned a, b, c, d;
		bool ok = __get_cpuid(1, &a, &b, &c, &d) && (c & bit_FMA) && (c & bit_OSXSAVE);
		if (ok) {
			unsigned lo, hi;
			__asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
			ok = (lo & 6) == 6;
		}
		k = ok ? 2 : 1;
		__atomic_store_n(&known, k, __ATOMIC_RELAXED);
	}
	return k == 2;
}
bool fpu_host_has_fma(void)
{
	return host_has_fma();
}
/* Inline FMA3 when the host has it (libm's fma goes through the PLT and a
 * dispatcher); the result is the same correctly rounded value. */
__attribute__((target("fma"))) static double fma_hw(double a, double b, double c)
{
	return __builtin_fma(a, b, c);
}
__attribute__((target("fma"))) static float fmaf_hw(float a, float b, float c)
{
	return __builtin_fmaf(a, b, c);
}
static inline double host_fma(double a, double b, double c)
{
	return host_has_fma() ? fma_hw(a, b, c) : fma(a, b, c);
}
/* The FMLA/FMADD lanes in one FMA3 loop. */
#define HAVE_FMA_LOOP 1
static inline float f32_of(uint64_t a);
static inline uint64_t bits_f32(float f);
static inline double f64_of(uint64_t a);
static inline uint64_t bits_f64(double d);
__attribute__((target("fma"))) static void fma_loop(unsigned w, unsigned n, const uint64_t *a,
						      const uint64_t *b, const uint64_t *c, uint64_t *d)
{
	if (w == 32) {
		for (unsigned i = 0; i < n; i++) {
			volatile float x = f32_of(a[i]), y = f32_of(b[i]), z = f32_of(c[i]);
			volatile float r = __builtin_fmaf(x, y, z);
			d[i] = bits_f32(r);
		}
	} else {
		for (unsigned i = 0; i < n; i++) {
			volatile double x = f64_of(a[i]), y = f64_of(b[i]), z = f64_of(c[i]);
			volatile double r = __builtin_fma(x, y, z);
			d[i] = bits_f64(r);
		}
	}
}
static inline float host_fmaf(float a, float b, float c)
{
	return host_has_fma() ? fmaf_hw(a, b, c) : fmaf(a, b, c);
}
#else
#define host_fma fma
#define host_fmaf fmaf
#endif

static inline double host_op64(enum fpu_op op, double x, double y, double z)
{
	volatile double a = x, b = y, c = z, r;
	switch (op) {
	case FOP_ADD: r = a + b; break;
	case FOP_SUB: r = a - b; break;
	case FOP_MUL: case FOP_MULX: r = a * b; break;
	case FOP_DIV: r = a / b; break;
	case FOP_SQRT: r = sqrt(a); break;
	case FOP_FMA: r = host_fma(a, b, c); break;
	case FOP_RECPS: r = host_fma(a, b, 2.0); break;
	default: /* (3 + a*b) / 2 = 1.5 + (a/2)*b, halving an operand exactly */
		if (((bits_f64(a) >> 52) & 0x7ff) >= 2)
			r = host_fma(a * 0.5, b, 1.5);
		else if (((bits_f64(b) >> 52) & 0x7ff) >= 2)
			r = host_fma(a, b * 0.5, 1.5);
		else /* both tiny: a*b and a*b/2 round 1.5 the same way */
			r = host_fma(a, b, 1.5);
		break;
	}
	return r;
}
static inline float host_op32(enum fpu_op op, float x, float y, float z)
{
	volatile float a = x, b = y, c = z, r;
	switch (op) {
	case FOP_ADD: r = a + b; break;
	case FOP_SUB: r = a - b; break;
	case FOP_MUL: case FOP_MULX: r = a * b; break;
	case FOP_DIV: r = a / b; break;
	case FOP_SQRT: r = sqrtf(a); break;
	case FOP_FMA: r = host_fmaf(a, b, c); break;
	case FOP_RECPS: r = host_fmaf(a, b, 2.0f); break;
	default:
		if (((bits_f32(a) >> 23) & 0xff) >= 2)
			r = host_fmaf(a * 0.5f, b, 1.5f);
		else if (((bits_f32(b) >> 23) & 0xff) >= 2)
			r = host_fmaf(a, b * 0.5f, 1.5f);
		else
			r = host_fmaf(a, b, 1.5f);
		break;
	}
	return r;
}

#if defined(__x86_64__) && defined(__SSE2__) && !defined(EMU_FP_USE_FENV)
/* x86-64: the SSE unit's MXCSR directly (glibc's feclearexcept and
 * fetestexcept also save/restore the x87 environment, which dominated
 * the profile).  During a run the thread's MXCSR is 0x1f80 (RN, no
 * FTZ/DAZ, all masked) plus sticky flags that belong to the guest
 * (fpu_env_enter), so an op in RN without FZ just runs there and leaves
 * its flags (fast; the caller also gets them).  One that needs exactly
 * its own flags (precise: FZ fixes them up, dummy lanes, tininess) or
 * another rounding mode moves the sticky flags to st first. */
static const unsigned mxcsr_rc[4] = { 0, 2, 1, 3 }; /* RN, RP, RM, RZ -> RC */
static inline unsigned host_env_enter(struct fpst *st, unsigned rmode, bool precise, bool *restore)
{
	unsigned saved = _mm_getcsr();
	*restore = precise || rmode != FPR_RN || (st->fpcr & FPCR_FZ);
	if (*restore) {
		st->flags |= fpu_fpsr_of_mxcsr(saved);
		_mm_setcsr(MXCSR_RUN | mxcsr_rc[rmode & 3] << 13);
	}
	return saved;
}
static inline uint32_t host_env_leave(unsigned saved, bool restore)
{
	(void)saved;
	unsigned m = _mm_getcsr();
	if (restore)
		_mm_setcsr(MXCSR_RUN);
	return fpu_fpsr_of_mxcsr(m);
}

/* (LDMXCSR only when the value changes: an exit's round trip does two
 * STMXCSR when the host thread has the default MXCSR and the guest
 * raised no FP flag.) */
void fpu_env_enter(struct emu_cpu *cpu)
{
	cpu->host_mxcsr = _mm_getcsr();
	if (cpu->host_mxcsr != MXCSR_RUN)
		_mm_setcsr(MXCSR_RUN);
	cpu->fpenv_live = true;
}

void fpu_env_sync(struct emu_cpu *cpu)
{
	if (!cpu->fpenv_live)
		return;
	cpu->fpsr |= fpu_fpsr_of_mxcsr(_mm_getcsr());
	_mm_setcsr(MXCSR_RUN);
}

void fpu_env_leave(struct emu_cpu *cpu)
{
	unsigned m = _mm_getcsr();
	cpu->fpsr |= fpu_fpsr_of_mxcsr(m);
	cpu->fpenv_live = false;
	if (m != cpu->host_mxcsr)
		_mm_setcsr(cpu->host_mxcsr);
}
#else
static inline uint32_t host_flags(int e)
{
	return ((e & FE_INVALID) ? FPSR_IOC : 0) | ((e & FE_DIVBYZERO) ? FPSR_DZC : 0) |
	       ((e & FE_OVERFLOW) ? FPSR_OFC : 0) | ((e & FE_UNDERFLOW) ? FPSR_UFC : 0) |
	       ((e & FE_INEXACT) ? FPSR_IXC : 0);
}

static const int host_rmode[4] = { FE_TONEAREST, FE_UPWARD, FE_DOWNWARD, FE_TOWARDZERO };

/* Every op gets exactly its own flags: cleared before, read after. */
static inline unsigned host_env_enter(struct fpst *st, unsigned rmode, bool precise, bool *restore)
{
	(void)st, (void)precise;
	*restore = true;
	if (rmode != FPR_RN)
		fesetround(host_rmode[rmode & 3]);
	feclearexcept(FE_ALL_EXCEPT);
	return rmode;
}
static inline uint32_t host_env_leave(unsigned rmode, bool restore)
{
	(void)restore;
	int e = fetestexcept(FE_ALL_EXCEPT);
	if (rmode != FPR_RN)
		fesetround(FE_TONEAREST);
	return host_flags(e);
}

void fpu_env_enter(struct emu_cpu *cpu)
{
	(void)cpu;
}

void fpu_env_sync(struct emu_cpu *cpu)
{
	(void)cpu;
}

void fpu_env_leave(struct emu_cpu *cpu)
{
	(void)cpu;
}
#endif

/* Runs n lanes on the host under rmode; returns the host flags, which
 * may include earlier guest flags unless precise. */
static uint32_t host_lanes(struct fpst *st, enum fpu_op op, unsigned w, unsigned n, const uint64_t *a,
			   const uint64_t *b, const uint64_t *c, uint64_t *d, unsigned rmode, bool precise)
{
	bool restore;
	unsigned saved = host_env_enter(st, rmode, precise, &restore);
#ifdef HAVE_FMA_LOOP
	if (op == FOP_FMA && host_has_fma()) {
		fma_loop(w, n, a, b, c, d);
		return host_env_leave(saved, restore);
	}
#endif
	if (w == 32) {
		for (unsigned i = 0; i < n; i++)
			d[i] = bits_f32(host_op32(op, f32_of(a[i]), f32_of(b[i]), f32_of(c[i])));
	} else {
		for (unsigned i = 0; i < n; i++)
			d[i] = bits_f64(host_op64(op, f64_of(a[i]), f64_of(b[i]), f64_of(c[i])));
	}
	return host_env_leave(saved, restore);
}

/* Pre-pass of one lane: input flush, NaNs and the special cases the
 * host does not do as Arm.  Returns true with *r when the lane is done. */
static bool lane_special(struct fpst *st, enum fpu_op op, unsigned w, uint64_t *a, uint64_t *b,
			 uint64_t *c, uint64_t *r)
{
	if (op == FOP_RECPS || op == FOP_RSQRTS)
		*a = fp_neg(w, *a);
	/* Common case: no NaN/infinity, and no denormal to flush. */
	uint64_t emax = mask64(fmt_e(w)), ea = exp_field(w, *a), eb = exp_field(w, *b);
	uint64_t ec = op == FOP_FMA ? exp_field(w, *c) : 1;
	if (op == FOP_SQRT)
		eb = 1;
	if (!fz_on(st, w)) {
		if (ea != emax && eb != emax && ec != emax)
			return false;
	} else if (ea != emax && eb != emax && ec != emax && ea && eb && ec) {
		return false;
	}
	*a = flush_in(st, w, *a);
	if (op != FOP_SQRT)
		*b = flush_in(st, w, *b);
	switch (op) {
	case FOP_SQRT: {
		if (is_nan(w, *a)) {
			*r = process_nan(st, w, *a);
			return true;
		}
		return false;
	}
	case FOP_FMA: {
		*c = flush_in(st, w, *c);
		uint64_t ops[3] = { *c, *a, *b };
		bool done = process_nans(st, w, ops, 3, r);
		bool infzero = (is_inf(w, *a) && is_zero(w, *b)) || (is_zero(w, *a) && is_inf(w, *b));
		if (infzero && is_nan(w, *c) && !is_snan(w, *c)) {
			st->flags |= FPSR_IOC;
			*r = default_nan(w);
			return true;
		}
		return done;
	}
	case FOP_RECPS: case FOP_RSQRTS: {
		uint64_t ops[2] = { *a, *b };
		if (process_nans(st, w, ops, 2, r))
			return true;
		if ((is_inf(w, *a) && is_zero(w, *b)) || (is_zero(w, *a) && is_inf(w, *b))) {
			/* 2.0 or 1.5 */
			uint64_t one = (mask64(fmt_e(w)) >> 1) << fmt_f(w);
			*r = op == FOP_RECPS ? one + min_normal(w) : one | 1ull << (fmt_f(w) - 1);
			return true;
		}
		return false;
	}
	default: {
		uint64_t ops[2] = { *a, *b };
		if (process_nans(st, w, ops, 2, r))
			return true;
		if (op == FOP_MULX && ((is_inf(w, *a) && is_zero(w, *b)) ||
				       (is_zero(w, *a) && is_inf(w, *b)))) {
			uint64_t two = ((mask64(fmt_e(w)) >> 1) + 1) << fmt_f(w);
			*r = two | ((*a ^ *b) & fp_sign_bit(w));
			return true;
		}
		return false;
	}
	}
}

/* Is the host result r one whose flags or value might differ from Arm's
 * (tiny or around the underflow threshold)? */
static inline bool lane_suspicious(unsigned w, uint64_t r)
{
	uint64_t m = fp_abs(w, r);
	return m <= min_normal(w);
}

/* One lane with its own host flags, fixing underflow per Arm. */
static uint64_t lane_exact(struct fpst *st, enum fpu_op op, unsigned w, uint64_t a, uint64_t b,
			   uint64_t c)
{
	uint64_t r;
	unsigned rm = fpst_rmode(st);
	uint32_t hf = host_lanes(st, op, w, 1, &a, &b, &c, &r, rm, true);
	if (is_nan(w, r)) {
		st->flags |= hf;
		return default_nan(w);
	}
	uint64_t m = fp_abs(w, r);
	bool tiny;
	if (m == 0)
		tiny = (hf & FPSR_UFC) != 0;
	else if (m < min_normal(w))
		tiny = true;
	else if (m == min_normal(w) && (hf & FPSR_IXC)) {
		uint64_t rz;
		host_lanes(st, op, w, 1, &a, &b, &c, &rz, FPR_RZ, true);
		tiny = fp_abs(w, rz) < min_normal(w);
	} else
		tiny = false;
	if (tiny && (st->fpcr & FPCR_FZ)) {
		st->flags |= FPSR_UFC;
		return r & fp_sign_bit(w);
	}
	if (tiny && (hf & FPSR_IXC))
		hf |= FPSR_UFC;
	st->flags |= hf;
	return r;
}

/* Fast path (no FZ; no NaN or infinity operand, so nothing for the
 * pre-pass): all lanes on the host at once.  False if a result needs the
 * careful path (tiny or around the underflow threshold). */
static bool arith_fast(struct fpst *st, enum fpu_op op, unsigned w, unsigned n, const uint64_t *a,
		       const uint64_t *b, const uint64_t *c, uint64_t *d)
{
	static const uint64_t zeros[4];
	uint64_t emax = mask64(fmt_e(w));
	if (st->fpcr & FPCR_FZ)
		return false;
	switch (op) {
	case FOP_ADD: case FOP_SUB: case FOP_MUL: case FOP_DIV: case FOP_FMA:
		break;
	default:
		return false;
	}
	if (op != FOP_FMA)
		c = zeros;
	for (unsigned i = 0; i < n; i++)
		if (exp_field(w, a[i]) == emax || exp_field(w, b[i]) == emax || exp_field(w, c[i]) == emax)
			return false;
	uint32_t hf = host_lanes(st, op, w, n, a, b, c, d, fpst_rmode(st), false);
	for (unsigned i = 0; i < n; i++) {
		if (fp_abs(w, d[i]) <= min_normal(w))
			return false;
		if (is_nan(w, d[i])) /* 0/0 */
			d[i] = default_nan(w);
	}
	st->flags |= hf;
	return true;
}

/* ---------------------------------------------------------------- */
/* Half precision (FEAT_FP16): exact integer arithmetic, one rounding.
 * A finite half is m * 2^e with m < 2^11, e in [-24, 5]; sums and
 * products of such values (FMA included) are exact in 128 bits, and
 * quotients/roots carry a sticky bit far below the rounding point, so
 * round_pack sees the exact value (no double rounding through the host's
 * single or double). */

typedef unsigned __int128 u128;
struct hx {
	bool s;  /* sign */
	int e;   /* value = m * 2^e */
	u128 m;
};

static inline struct hx h_val(uint64_t a) /* a finite half (zero allowed) */
{
	unsigned ex = (a >> 10) & 31;
	struct hx v = { (a >> 15) & 1, (ex ? (int)ex : 1) - 25, (a & 0x3ff) | (ex ? 0x400u : 0) };
	return v;
}

/* Exact x + y (aligned at the smaller exponent; shifts stay below 64). */
static inline struct hx h_sum(struct hx x, struct hx y)
{
	int e = x.e < y.e ? x.e : y.e;
	u128 a = x.m << (x.e - e), b = y.m << (y.e - e);
	struct hx r = { x.s, e, 0 };
	if (x.s == y.s)
		r.m = a + b;
	else if (a >= b)
		r.m = a - b;
	else {
		r.s = y.s;
		r.m = b - a;
	}
	return r;
}

/* FPRound to half of a nonzero exact value (FZ16, tininess before rounding). */
static uint64_t h_round(struct fpst *st, struct hx v, unsigned rmode)
{
	uint64_t hi = (uint64_t)(v.m >> 64), lo = (uint64_t)v.m, mant;
	int p = hi ? 127 - __builtin_clzll(hi) : 63 - __builtin_clzll(lo);
	if (p > 63) {
		unsigned sh = (unsigned)p - 63;
		mant = (uint64_t)(v.m >> sh) | ((v.m & (((u128)1 << sh) - 1)) != 0);
	} else {
		mant = lo << (63 - p);
	}
	return round_pack(st, 16, v.s, v.e + p, mant, rmode, fz_on(st, 16), false);
}

static inline uint64_t h_invalid(struct fpst *st)
{
	st->flags |= FPSR_IOC;
	return default_nan(16);
}

/* c + a * b (FPMulAdd; also FRECPS with c = 2.0 and FRSQRTS with c = 3.0
 * and halve = 1): operands already past the NaN/flush pre-pass. */
static uint64_t h_muladd(struct fpst *st, uint64_t a, uint64_t b, uint64_t c, int halve,
			 unsigned rmode)
{
	bool ia = is_inf(16, a), ib = is_inf(16, b), ic = is_inf(16, c);
	bool za = is_zero(16, a), zb = is_zero(16, b), zc = is_zero(16, c);
	bool sp = sign_of(16, a) ^ sign_of(16, b), sc = sign_of(16, c);
	if ((ia && zb) || (za && ib) || ((ia || ib) && ic && sp != sc))
		return h_invalid(st);
	if (ia || ib)
		return fp_inf(16, sp);
	if (ic)
		return fp_inf(16, sc);
	if ((za || zb) && zc)
		return fp_zero(16, sp == sc ? sc : rmode == FPR_RM);
	struct hx x = h_val(a), y = h_val(b), p = { sp, x.e + y.e, x.m * y.m };
	struct hx r = h_sum(p, h_val(c));
	if (r.m == 0)
		return fp_zero(16, rmode == FPR_RM);
	r.e -= halve;
	return h_round(st, r, rmode);
}

/* One half-precision lane of fpu_arith. */
static uint64_t lane_f16(struct fpst *st, enum fpu_op op, uint64_t a, uint64_t b, uint64_t c)
{
	uint64_t r;
	if (lane_special(st, op, 16, &a, &b, &c, &r))
		return r;
	unsigned rm = fpst_rmode(st);
	bool ia = is_inf(16, a), ib = is_inf(16, b), za = is_zero(16, a), zb = is_zero(16, b);
	bool sa = sign_of(16, a), sb = sign_of(16, b);
	switch (op) {
	case FOP_SUB: /* FPSub: the NaN pass saw the original b */
		b = fp_neg(16, b);
		sb = !sb;
		/* fall through */
	case FOP_ADD:
		if (ia || ib) {
			if (ia && ib && sa != sb)
				return h_invalid(st);
			return fp_inf(16, ia ? sa : sb);
		}
		if (za && zb)
			return fp_zero(16, sa == sb ? sa : rm == FPR_RM);
		{
			struct hx v = h_sum(h_val(a), h_val(b));
			return v.m ? h_round(st, v, rm) : fp_zero(16, rm == FPR_RM);
		}
	case FOP_MUL: case FOP_MULX: /* FMULX's inf * 0 was done by the pre-pass */
		if ((ia && zb) || (za && ib))
			return h_invalid(st);
		if (ia || ib)
			return fp_inf(16, sa ^ sb);
		if (za || zb)
			return fp_zero(16, sa ^ sb);
		{
			struct hx x = h_val(a), y = h_val(b), v = { sa ^ sb, x.e + y.e, x.m * y.m };
			return h_round(st, v, rm);
		}
	case FOP_DIV:
		if ((ia && ib) || (za && zb))
			return h_invalid(st);
		if (ia || zb) {
			if (!ia)
				st->flags |= FPSR_DZC;
			return fp_inf(16, sa ^ sb);
		}
		if (za || ib)
			return fp_zero(16, sa ^ sb);
		{
			struct hx x = h_val(a), y = h_val(b);
			/* m < 2^11: a 61-bit dividend leaves 39+ quotient bits
			 * and a sticky bit, in 64-bit arithmetic (a 128-bit
			 * division would need libgcc's __udivti3). */
			uint64_t num = (uint64_t)x.m << 50, ym = (uint64_t)y.m, q = num / ym;
			struct hx v = { sa ^ sb, x.e - 50 - y.e, q | (q * ym != num) };
			return h_round(st, v, rm);
		}
	case FOP_SQRT:
		if (za)
			return a;
		if (sa)
			return h_invalid(st);
		if (ia)
			return a;
		{
			struct hx x = h_val(a);
			if ((unsigned)x.e & 1) {
				x.m <<= 1;
				x.e--;
			}
			/* floor(sqrt(m * 2^40)), m * 2^40 < 2^53: exact in double */
			uint64_t n = (uint64_t)x.m << 40, s = (uint64_t)sqrt((double)n);
			while (s * s > n)
				s--;
			while ((s + 1) * (s + 1) <= n)
				s++;
			struct hx v = { false, (x.e - 40) / 2, s | (s * s != n) };
			return h_round(st, v, rm);
		}
	case FOP_FMA:
		return h_muladd(st, a, b, c, 0, rm);
	case FOP_RECPS: /* 2 + (-a) * b; a negated by the pre-pass */
		return h_muladd(st, a, b, 0x4000, 0, rm);
	default: /* FOP_RSQRTS: (3 + (-a) * b) / 2 */
		return h_muladd(st, a, b, 0x4200, 1, rm);
	}
}

void fpu_arith(struct fpst *st, enum fpu_op op, unsigned w, unsigned n, const uint64_t *a,
	       const uint64_t *b, const uint64_t *c, uint64_t *d)
{
	if (w == 16) {
		for (unsigned i = 0; i < n; i++)
			d[i] = lane_f16(st, op, a[i], b ? b[i] : 0, c ? c[i] : 0);
		return;
	}
	if (arith_fast(st, op, w, n, a, b, c, d))
		return;
	uint64_t x[4] = { 0 }, y[4] = { 0 }, z[4] = { 0 }, r[4] = { 0 };
	bool done[4], any_done = false;
	for (unsigned i = 0; i < n; i++) {
		x[i] = a[i];
		y[i] = b ? b[i] : 0;
		z[i] = c ? c[i] : 0;
		done[i] = lane_special(st, op, w, &x[i], &y[i], &z[i], &r[i]);
		if (done[i]) {
			any_done = true;
			x[i] = y[i] = z[i] = 0; /* harmless for the host pass */
		}
	}
	uint32_t hf = host_lanes(st, op, w, n, x, y, z, d, fpst_rmode(st), any_done);
	bool slow = false;
	for (unsigned i = 0; i < n; i++) {
		if (done[i])
			continue;
		if (lane_suspicious(w, d[i]))
			slow = true;
		else if (is_nan(w, d[i]))
			d[i] = default_nan(w);
	}
	if (slow || (any_done && (hf & ~FPSR_IOC))) {
		/* Redo lane by lane (flags of the dummy lanes must not count). */
		for (unsigned i = 0; i < n; i++)
			if (!done[i])
				d[i] = lane_exact(st, op, w, x[i], y[i], z[i]);
	} else {
		if (any_done) {
			/* Dummy lanes (0 op 0) may have raised IOC (0/0, 0*inf): recount. */
			hf = 0;
			for (unsigned i = 0; i < n; i++)
				if (!done[i] && is_nan(w, d[i]))
					hf = FPSR_IOC;
			/* A real lane's invalid shows as default NaN (set above). */
			for (unsigned i = 0; i < n; i++)
				if (!done[i] && d[i] == default_nan(w))
					hf = FPSR_IOC;
		}
		st->flags |= hf;
	}
	for (unsigned i = 0; i < n; i++)
		if (done[i])
			d[i] = r[i];
}

uint64_t fpu_op1(struct fpst *st, enum fpu_op op, unsigned w, uint64_t a, uint64_t b, uint64_t c)
{
	uint64_t d;
	fpu_arith(st, op, w, 1, &a, &b, &c, &d);
	return d;
}

/* ---------------------------------------------------------------- */
/* Min/max and compares (software). */

/* Ordering of two non-NaN values as a total order on reals: -1, 0, 1
 * (zeros equal). */
static int cmp_num(unsigned w, uint64_t a, uint64_t b)
{
	if (is_zero(w, a) && is_zero(w, b))
		return 0;
	bool sa = sign_of(w, a), sb = sign_of(w, b);
	if (sa != sb)
		return sa ? -1 : 1;
	uint64_t ma = fp_abs(w, a), mb = fp_abs(w, b);
	if (ma == mb)
		return 0;
	return ((ma < mb) != sa) ? -1 : 1;
}

uint64_t fpu_minmax(struct fpst *st, unsigned w, uint64_t a, uint64_t b, unsigned kind)
{
	a = flush_in(st, w, a);
	b = flush_in(st, w, b);
	bool is_max = kind == FMM_MAX || kind == FMM_MAXNM;
	if (kind >= FMM_MAXNM) {
		bool qa = is_nan(w, a) && !is_snan(w, a), qb = is_nan(w, b) && !is_snan(w, b);
		if (qa && !qb && !is_snan(w, b))
			return b;
		if (qb && !qa && !is_snan(w, a))
			return a;
		/* one QNaN and one SNaN: FPMax processes both */
	}
	uint64_t ops[2] = { a, b }, r;
	if (process_nans(st, w, ops, 2, &r))
		return r;
	if (is_zero(w, a) && is_zero(w, b)) {
		bool s = is_max ? (sign_of(w, a) && sign_of(w, b)) : (sign_of(w, a) || sign_of(w, b));
		return fp_zero(w, s);
	}
	int c = cmp_num(w, a, b);
	if (is_max)
		return c > 0 ? a : b;
	return c < 0 ? a : b;
}

unsigned fpu_compare(struct fpst *st, unsigned w, uint64_t a, uint64_t b, bool signal)
{
	a = flush_in(st, w, a);
	b = flush_in(st, w, b);
	if (is_nan(w, a) || is_nan(w, b)) {
		if (signal || is_snan(w, a) || is_snan(w, b))
			st->flags |= FPSR_IOC;
		return 0x3;
	}
	int c = cmp_num(w, a, b);
	return c == 0 ? 0x6 : c < 0 ? 0x8 : 0x2;
}

bool fpu_cmp(struct fpst *st, unsigned w, uint64_t a, uint64_t b, unsigned cond)
{
	a = flush_in(st, w, a);
	b = flush_in(st, w, b);
	if (is_nan(w, a) || is_nan(w, b)) {
		if (cond != 0 || is_snan(w, a) || is_snan(w, b))
			st->flags |= FPSR_IOC;
		return false;
	}
	int c = cmp_num(w, a, b);
	return cond == 0 ? c == 0 : cond == 1 ? c >= 0 : c > 0;
}

/* ---------------------------------------------------------------- */
/* Integer rounding, conversions. */

/* Rounds sign * mant/2^63 * 2^exp to an integer magnitude; *inexact,
 * *ovf (does not fit in 64 bits). */
static uint64_t round_to_integer(bool sign, int exp, uint64_t mant, unsigned rmode, bool *inexact,
				 bool *ovf)
{
	uint64_t ip, frac;
	*ovf = false;
	if (exp >= 64) {
		*ovf = true;
		*inexact = false;
		return ~0ull;
	}
	if (exp >= 63) {
		ip = mant;
		frac = 0;
	} else if (exp >= 0) {
		ip = mant >> (63 - exp);
		frac = mant << (exp + 1);
	} else {
		ip = 0;
		unsigned s = (unsigned)(-1 - exp); /* frac = mant >> s */
		frac = s == 0 ? mant : s < 64 ? (mant >> s) | ((mant << (64 - s)) != 0) : 1;
	}
	const uint64_t H = 1ull << 63;
	bool up;
	switch (rmode) {
	case FPR_RN: up = frac > H || (frac == H && (ip & 1)); break;
	case FPR_TA: up = frac >= H; break;
	case FPR_RP: up = frac && !sign; break;
	case FPR_RM: up = frac && sign; break;
	default: up = false; break;
	}
	*inexact = frac != 0;
	if (up) {
		if (ip == ~0ull)
			*ovf = true;
		ip++;
	}
	return ip;
}

uint64_t fpu_to_int(struct fpst *st, unsigned w, uint64_t a, unsigned fbits, unsigned ibits,
		    bool is_unsigned, unsigned rmode)
{
	struct unp u = unpack(st, w, a, false);
	if (u.t == T_QNAN || u.t == T_SNAN) {
		st->flags |= FPSR_IOC;
		return 0;
	}
	if (u.t == T_ZERO)
		return 0;
	bool inexact = false, ovf = false;
	uint64_t m;
	if (u.t == T_INF) {
		ovf = true;
		m = ~0ull;
	} else {
		m = round_to_integer(u.sign, u.exp + (int)fbits, u.mant, rmode, &inexact, &ovf);
	}
	uint64_t maxpos = is_unsigned ? mask64(ibits) : mask64(ibits - 1);
	uint64_t res;
	if (u.sign) {
		uint64_t lim = is_unsigned ? 0 : 1ull << (ibits - 1);
		if (ovf || m > lim) {
			st->flags |= FPSR_IOC;
			res = is_unsigned ? 0 : 1ull << (ibits - 1);
			return res & mask64(ibits);
		}
		res = (0 - m) & mask64(ibits);
	} else {
		if (ovf || m > maxpos) {
			st->flags |= FPSR_IOC;
			return maxpos;
		}
		res = m;
	}
	if (inexact)
		st->flags |= FPSR_IXC;
	return res;
}

uint64_t fpu_from_int(struct fpst *st, unsigned w, uint64_t v, unsigned ibits, unsigned fbits,
		      bool is_unsigned, unsigned rmode)
{
	v &= mask64(ibits);
	bool sign = false;
	if (!is_unsigned && ibits && ((v >> (ibits - 1)) & 1)) {
		sign = true;
		v = (0 - v) & mask64(ibits);
		if (v == 0) /* -2^63 as a 64-bit magnitude */
			v = 1ull << (ibits - 1);
	}
	if (v == 0)
		return 0; /* +0 */
	int p = 63 - __builtin_clzll(v);
	return round_pack(st, w, sign, p - (int)fbits, v << (63 - p), rmode, fz_on(st, w), false);
}

uint64_t fpu_round_int(struct fpst *st, unsigned w, uint64_t a, unsigned rmode, bool exact)
{
	struct unp u = unpack(st, w, a, false);
	switch (u.t) {
	case T_QNAN: case T_SNAN:
		return process_nan(st, w, a);
	case T_ZERO:
		return fp_zero(w, u.sign);
	case T_INF:
		return a;
	default:
		break;
	}
	if (u.exp >= (int)fmt_f(w))
		return a; /* already integral */
	bool inexact, ovf;
	uint64_t m = round_to_integer(u.sign, u.exp, u.mant, rmode, &inexact, &ovf);
	if (inexact && exact)
		st->flags |= FPSR_IXC;
	if (m == 0)
		return fp_zero(w, u.sign);
	int p = 63 - __builtin_clzll(m);
	struct fpst tmp = *st;
	return round_pack(&tmp, w, u.sign, p, m << (63 - p), FPR_RZ, false, false);
}

static uint64_t convert(struct fpst *st, uint64_t a, unsigned from_w, unsigned to_w, unsigned rmode);

/* FPConvert unpacks and rounds half precision without FZ16
 * (FPUnpackCV, FPRoundCV); FZ still applies to single/double. */
uint64_t fpu_convert(struct fpst *st, uint64_t a, unsigned from_w, unsigned to_w, unsigned rmode)
{
	uint32_t fpcr = st->fpcr;
	st->fpcr &= ~FPCR_FZ16;
	uint64_t r = convert(st, a, from_w, to_w, rmode);
	st->fpcr = fpcr;
	return r;
}

static uint64_t convert(struct fpst *st, uint64_t a, unsigned from_w, unsigned to_w, unsigned rmode)
{
	bool ahp = (st->fpcr & FPCR_AHP) != 0;
	struct unp u = unpack(st, from_w, a, ahp && from_w == 16);
	bool alt = ahp && to_w == 16;
	switch (u.t) {
	case T_QNAN: case T_SNAN:
		if (alt) {
			st->flags |= FPSR_IOC;
			return fp_zero(to_w, u.sign);
		}
		if (u.t == T_SNAN)
			st->flags |= FPSR_IOC;
		if (st->fpcr & FPCR_DN)
			return default_nan(to_w);
		{
			/* FPConvertNaN: keep the top payload bits. */
			unsigned ff = fmt_f(from_w), tf = fmt_f(to_w);
			uint64_t frac = frac_field(from_w, a);
			frac = tf >= ff ? frac << (tf - ff) : frac >> (ff - tf);
			return fp_sign_bit(to_w) * u.sign | mask64(fmt_e(to_w)) << tf | frac |
			       1ull << (tf - 1);
		}
	case T_INF:
		if (alt) {
			st->flags |= FPSR_IOC;
			return (u.sign ? fp_sign_bit(16) : 0) | 0x7fff;
		}
		return fp_inf(to_w, u.sign);
	case T_ZERO:
		return fp_zero(to_w, u.sign);
	default:
		return round_pack(st, to_w, u.sign, u.exp, u.mant, rmode,
				  (st->fpcr & FPCR_FZ) && to_w != 16, alt);
	}
}

/* ---------------------------------------------------------------- */
/* Estimates (Arm ARM RecipEstimate / RecipSqrtEstimate). */

static uint32_t recip_estimate(uint32_t a) /* a in [256, 511] */
{
	a = a * 2 + 1;
	uint32_t b = (1u << 19) / a;
	return (b + 1) / 2;
}

static uint32_t rsqrt_estimate(uint32_t a) /* a in [128, 511] */
{
	if (a < 256)
		a = a * 2 + 1;
	else {
		a = (a >> 1) << 1;
		a = (a + 1) * 2;
	}
	uint64_t b = 512;
	while ((uint64_t)a * (b + 1) * (b + 1) < (1ull << 28))
		b++;
	return (uint32_t)((b + 1) / 2);
}

uint64_t fpu_recpe(struct fpst *st, unsigned w, uint64_t a)
{
	struct unp u = unpack(st, w, a, false);
	unsigned E = fmt_e(w), F = fmt_f(w);
	switch (u.t) {
	case T_QNAN: case T_SNAN: return process_nan(st, w, a);
	case T_INF: return fp_zero(w, u.sign);
	case T_ZERO: st->flags |= FPSR_DZC; return fp_inf(w, u.sign);
	default: break;
	}
	/* |value| < 2^-(bias+1): overflow. */
	int bias = (1 << (E - 1)) - 1;
	if (u.exp < -(bias + 1)) {
		st->flags |= FPSR_OFC | FPSR_IXC;
		return overflow_to_inf(fpst_rmode(st), u.sign) ? fp_inf(w, u.sign)
							       : fp_max_normal(w, u.sign);
	}
	if (fz_on(st, w) && u.exp >= bias - 1) {
		st->flags |= FPSR_UFC;
		return fp_zero(w, u.sign);
	}
	int64_t exp = (int64_t)exp_field(w, a);
	uint64_t fraction = frac_field(w, a) << (52 - F); /* 52-bit */
	if (exp == 0) {
		if (!((fraction >> 51) & 1)) {
			exp = -1;
			fraction = (fraction << 2) & mask64(52);
		} else
			fraction = (fraction << 1) & mask64(52);
	}
	uint32_t scaled = (uint32_t)(0x100 | (fraction >> 44));
	int64_t rexp = 2 * bias - 1 - exp;
	uint64_t est = recip_estimate(scaled);
	fraction = (est & 0xff) << 44;
	if (rexp == 0)
		fraction = 1ull << 51 | fraction >> 1;
	else if (rexp == -1) {
		fraction = 1ull << 50 | fraction >> 2;
		rexp = 0;
	}
	return (u.sign ? fp_sign_bit(w) : 0) | ((uint64_t)rexp & mask64(E)) << F | fraction >> (52 - F);
}

uint64_t fpu_rsqrte(struct fpst *st, unsigned w, uint64_t a)
{
	struct unp u = unpack(st, w, a, false);
	unsigned E = fmt_e(w), F = fmt_f(w);
	switch (u.t) {
	case T_QNAN: case T_SNAN: return process_nan(st, w, a);
	case T_ZERO: st->flags |= FPSR_DZC; return fp_inf(w, u.sign);
	default: break;
	}
	if (u.sign) {
		st->flags |= FPSR_IOC;
		return default_nan(w);
	}
	if (u.t == T_INF)
		return 0;
	int64_t exp = (int64_t)exp_field(w, a);
	uint64_t fraction = frac_field(w, a) << (52 - F);
	if (exp == 0) {
		while (!((fraction >> 51) & 1)) {
			fraction = (fraction << 1) & mask64(52);
			exp--;
		}
		fraction = (fraction << 1) & mask64(52);
	}
	uint32_t scaled = (exp & 1) ? (uint32_t)(0x80 | (fraction >> 45))
				    : (uint32_t)(0x100 | (fraction >> 44));
	int bias = (1 << (E - 1)) - 1;
	int64_t rexp = (3 * (int64_t)bias - 1 - exp) / 2;
	uint64_t est = rsqrt_estimate(scaled);
	return ((uint64_t)rexp & mask64(E)) << F | (est & 0xff) << (F - 8);
}

uint64_t fpu_recpx(struct fpst *st, unsigned w, uint64_t a)
{
	struct unp u = unpack(st, w, a, false);
	if (u.t == T_QNAN || u.t == T_SNAN)
		return process_nan(st, w, a);
	unsigned E = fmt_e(w), F = fmt_f(w);
	uint64_t e = exp_field(w, a), s = u.sign ? fp_sign_bit(w) : 0;
	if (e == 0)
		return s | (mask64(E) - 1) << F;
	return s | (~e & mask64(E)) << F;
}

uint32_t fpu_urecpe(uint32_t a)
{
	if (!(a >> 31))
		return 0xffffffffu;
	return (recip_estimate(a >> 23) & 0x1ff) << 23;
}

uint32_t fpu_ursqrte(uint32_t a)
{
	if (!(a >> 30))
		return 0xffffffffu;
	return (rsqrt_estimate(a >> 23) & 0x1ff) << 23;
}
