/*
 * fp_arith.h - IEEE 754 arithmetic with the Arm semantics (Arm ARM
 * "FPAdd", "FPMulAdd", "FPRound", "FPProcessNaNs", ... ) for the FP and
 * Advanced SIMD handlers.
 *
 * Values are bit patterns in uint64_t; `w` is the format width (16, 32 or
 * 64).  Half precision (FEAT_FP16) honours FPCR.FZ16 instead of FZ, and
 * its input flush sets no IDC; half arithmetic is exact integer
 * arithmetic rounded once in software (no host half type).
 * Every function accumulates FPSR cumulative flags into st->flags; the
 * caller ORs them into cpu->fpsr once per instruction (fpst_end).
 *
 * Correctly rounded add/sub/mul/div/sqrt/fma come from the host (IEEE on
 * x86-64 SSE2 and AArch64) under the guest rounding mode; everything the
 * host does differently from Arm (NaN propagation and default NaN,
 * flush-to-zero, tininess detected before rounding, conversions) is done
 * here in software.
 */
#ifndef EMU_FP_ARITH_H
#define EMU_FP_ARITH_H

#include "cpu.h"

/* FPSR bits. */
#define FPSR_IOC 0x01u
#define FPSR_DZC 0x02u
#define FPSR_OFC 0x04u
#define FPSR_UFC 0x08u
#define FPSR_IXC 0x10u
#define FPSR_IDC 0x80u
#define FPSR_QC (1u << 27)
/* FPCR bits. */
#define FPCR_AHP (1u << 26)
#define FPCR_DN (1u << 25)
#define FPCR_FZ (1u << 24)
#define FPCR_FZ16 (1u << 19)
#define FPCR_RMODE_SHIFT 22

/* Rounding modes: FPCR.RMode values, then the two only instructions use. */
enum {
	FPR_RN = 0,  /* to nearest, ties to even */
	FPR_RP = 1,  /* towards +inf */
	FPR_RM = 2,  /* towards -inf */
	FPR_RZ = 3,  /* towards zero */
	FPR_TA = 4,  /* to nearest, ties away (FCVTA*, FRINTA) */
	FPR_ODD = 5, /* von Neumann rounding (FCVTXN) */
};

struct fpst {
	uint32_t fpcr;
	uint32_t flags; /* FPSR bits raised by this instruction */
};

static inline struct fpst fpst_begin(const struct emu_cpu *cpu)
{
	struct fpst s = { cpu->fpcr, 0 };
	return s;
}
static inline void fpst_end(struct emu_cpu *cpu, const struct fpst *s)
{
	cpu->fpsr |= s->flags;
}
static inline unsigned fpst_rmode(const struct fpst *s)
{
	return (s->fpcr >> FPCR_RMODE_SHIFT) & 3;
}

/* The host's FP environment during a run (x86-64: MXCSR; elsewhere
 * nothing).  enter saves the host thread's and installs the guest's: round
 * to nearest, no flush, all exceptions masked, no sticky flags.  From
 * then on the sticky flags belong to the guest: its FP operations (the
 * handlers, fast_fp.c, translated code) may leave theirs there, so the
 * guest's FPSR is cpu->fpsr plus them; sync moves them to cpu->fpsr
 * (before FPSR is read or written), leave too, then restores the host's
 * MXCSR. */
void fpu_env_enter(struct emu_cpu *cpu);
void fpu_env_sync(struct emu_cpu *cpu);
void fpu_env_leave(struct emu_cpu *cpu);
#if defined(__x86_64__) && defined(__SSE2__) && !defined(EMU_FP_USE_FENV)
#define MXCSR_RUN 0x1f80u
/* MXCSR's sticky flags (IE, ZE, OE, UE, PE; not DE) as FPSR bits: IE is
 * bit 0 as IOC, ZE..PE (bits 2-5) are DZC..IXC (bits 1-4). */
static inline uint32_t fpu_fpsr_of_mxcsr(unsigned m)
{
	return (m & 1u) | (m >> 1 & 0x1eu);
}
#endif

/* Host-assisted operations, lane-wise over n (<= 4; half: any) lanes:
 * d[i] = op(a[i], b[i], c[i]). */
enum fpu_op {
	FOP_ADD,    /* a + b */
	FOP_SUB,    /* a - b */
	FOP_MUL,    /* a * b */
	FOP_DIV,    /* a / b */
	FOP_SQRT,   /* sqrt(a) */
	FOP_FMA,    /* c + a * b, NaNs checked in the order c, a, b (FPMulAdd) */
	FOP_MULX,   /* FMULX: inf * 0 = 2.0 */
	FOP_RECPS,  /* FRECPS: 2 - a * b (fused); a is negated by the op */
	FOP_RSQRTS, /* FRSQRTS: (3 - a * b) / 2 (fused) */
};
void fpu_arith(struct fpst *st, enum fpu_op op, unsigned w, unsigned n, const uint64_t *a,
	       const uint64_t *b, const uint64_t *c, uint64_t *d);
/* One lane. */
/* x86-64 hosts: FMA3 is there (fused multiply-add in one instruction). */
bool fpu_host_has_fma(void);
uint64_t fpu_op1(struct fpst *st, enum fpu_op op, unsigned w, uint64_t a, uint64_t b, uint64_t c);

enum { FMM_MAX, FMM_MIN, FMM_MAXNM, FMM_MINNM };
uint64_t fpu_minmax(struct fpst *st, unsigned w, uint64_t a, uint64_t b, unsigned kind);
/* FCMP/FCMPE: NZCV in bits [3:0]; signal: every NaN raises IOC. */
unsigned fpu_compare(struct fpst *st, unsigned w, uint64_t a, uint64_t b, bool signal);
/* Vector compares: cond 0 EQ (quiet), 1 GE, 2 GT (signalling). */
bool fpu_cmp(struct fpst *st, unsigned w, uint64_t a, uint64_t b, unsigned cond);

/* FRINT*: round to an integral value in the same format. */
uint64_t fpu_round_int(struct fpst *st, unsigned w, uint64_t a, unsigned rmode, bool exact);
/* FCVT[NPMZA][SU] / fixed point: a * 2^fbits to an ibits-wide integer,
 * saturating (IOC) as FPToFixed does. */
uint64_t fpu_to_int(struct fpst *st, unsigned w, uint64_t a, unsigned fbits, unsigned ibits,
		    bool is_unsigned, unsigned rmode);
/* SCVTF/UCVTF: the ibits-wide integer v / 2^fbits to format w. */
uint64_t fpu_from_int(struct fpst *st, unsigned w, uint64_t v, unsigned ibits, unsigned fbits,
		      bool is_unsigned, unsigned rmode);
/* FCVT between formats (FPConvert; honours FPCR.AHP for half). */
uint64_t fpu_convert(struct fpst *st, uint64_t a, unsigned from_w, unsigned to_w, unsigned rmode);
/* Estimates (FRECPE, FRSQRTE, FRECPX) and their unsigned forms. */
uint64_t fpu_recpe(struct fpst *st, unsigned w, uint64_t a);
uint64_t fpu_rsqrte(struct fpst *st, unsigned w, uint64_t a);
uint64_t fpu_recpx(struct fpst *st, unsigned w, uint64_t a);
uint32_t fpu_urecpe(uint32_t a);
uint32_t fpu_ursqrte(uint32_t a);

/* Bit-level helpers. */
static inline uint64_t fp_sign_bit(unsigned w)
{
	return 1ull << (w - 1);
}
static inline uint64_t fp_neg(unsigned w, uint64_t a)
{
	return a ^ fp_sign_bit(w);
}
static inline uint64_t fp_abs(unsigned w, uint64_t a)
{
	return a & (fp_sign_bit(w) - 1);
}

#endif /* EMU_FP_ARITH_H */
