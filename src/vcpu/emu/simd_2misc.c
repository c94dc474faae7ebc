/*
 * simd_2misc.c - Advanced SIMD "two-register miscellaneous" (vector and
 * scalar): REV*, CLS/CLZ/CNT/NOT/RBIT, pairwise long adds, saturating
 * abs/neg/accumulate, compares with zero, ABS/NEG, narrowing (XTN,
 * SQXTN, UQXTN, SQXTUN), SHLL, the FP ops (FABS, FNEG, FSQRT, FRINT*,
 * FCVT* to integer, xCVTF, FCVTN/FCVTL/FCVTXN, compares with zero,
 * estimates) and URECPE/URSQRTE; the FP ops also in their FP16 class
 * (bits [22:17] = 111100, same U:a:opcode keys, half lanes).
 */
#include "simd.h"

typedef __int128 i128;

/* Bits set in v (SWAR: __builtin_popcountll is a libgcc call without
 * -mpopcnt, and the library links against libc and libm only). */
static inline uint64_t popcount64(uint64_t v)
{
	v -= (v >> 1) & 0x5555555555555555ull;
	v = (v & 0x3333333333333333ull) + ((v >> 2) & 0x3333333333333333ull);
	v = (v + (v >> 4)) & 0x0f0f0f0f0f0f0f0full;
	return (v * 0x0101010101010101ull) >> 56;
}

static inline uint64_t satq(i128 v, unsigned bits, bool u, bool *sat)
{
	i128 hi = u ? (i128)esz_mask(bits) : (i128)esz_mask(bits - 1);
	i128 lo = u ? 0 : -hi - 1;
	if (v > hi) {
		*sat = true;
		v = hi;
	} else if (v < lo) {
		*sat = true;
		v = lo;
	}
	return (uint64_t)v & esz_mask(bits);
}

static uint64_t rbit(uint64_t v, unsigned bits)
{
	uint64_t r = 0;
	for (unsigned i = 0; i < bits; i++)
		r |= ((v >> i) & 1) << (bits - 1 - i);
	return r;
}

static unsigned clz_e(uint64_t v, unsigned bits)
{
	if (v == 0)
		return bits;
	return (unsigned)__builtin_clzll(v) - (64 - bits);
}

/* One element of the integer unary ops (opcode, U). */
static uint64_t int_unary(unsigned opc, bool u, unsigned bits, uint64_t a, uint64_t d, bool *sat)
{
	uint64_t m = esz_mask(bits);
	int64_t s = sext(a, bits);
	switch (u << 5 | opc) {
	case 0x03: /* SUQADD: signed d + unsigned a */
		return satq((i128)sext(d, bits) + (i128)a, bits, false, sat);
	case 0x23: /* USQADD: unsigned d + signed a */
		return satq((i128)d + (i128)s, bits, true, sat);
	case 0x04: return (uint64_t)(clz_e((s < 0 ? ~a : a) & m, bits) - 1); /* CLS */
	case 0x24: return clz_e(a, bits);
	case 0x05: return popcount64(a); /* CNT */
	case 0x25: return bits == 8 ? ~a & m : rbit(a, 8); /* NOT / RBIT (bytes) */
	case 0x07: return satq(s < 0 ? -(i128)s : (i128)s, bits, false, sat);
	case 0x27: return satq(-(i128)s, bits, false, sat);
	case 0x08: return s > 0 ? m : 0;
	case 0x28: return s >= 0 ? m : 0;
	case 0x09: return a == 0 ? m : 0;
	case 0x29: return s <= 0 ? m : 0;
	case 0x0a: return s < 0 ? m : 0;
	case 0x0b: return (s < 0 ? 0 - a : a) & m;
	default: return (0 - a) & m; /* 0x2b NEG */
	}
}

/* FP two-reg misc: opcode<4:0> with a (size<1>) and U. */
static uint64_t fp_unary(struct fpst *st, unsigned key, unsigned w, uint64_t x, bool *bad)
{
	uint64_t m = esz_mask(w);
	unsigned rm = fpst_rmode(st);
	switch (key) { /* U:a:opcode */
	case 0x0c | 0x20: return fpu_cmp(st, w, x, 0, 2) ? m : 0;           /* FCMGT #0 */
	case 0x0d | 0x20: return fpu_cmp(st, w, x, 0, 0) ? m : 0;           /* FCMEQ #0 */
	case 0x0e | 0x20: return fpu_cmp(st, w, 0, x, 2) ? m : 0;           /* FCMLT #0 */
	case 0x0f | 0x20: return fp_abs(w, x);
	case 0x4c | 0x20: return fpu_cmp(st, w, x, 0, 1) ? m : 0;           /* FCMGE #0 */
	case 0x4d | 0x20: return fpu_cmp(st, w, 0, x, 1) ? m : 0;           /* FCMLE #0 */
	case 0x4f | 0x20: return fp_neg(w, x);
	case 0x5f | 0x20: return fpu_op1(st, FOP_SQRT, w, x, 0, 0);
	case 0x18: return fpu_round_int(st, w, x, FPR_RN, false);
	case 0x19: return fpu_round_int(st, w, x, FPR_RM, false);
	case 0x38: return fpu_round_int(st, w, x, FPR_RP, false);
	case 0x39: return fpu_round_int(st, w, x, FPR_RZ, false);
	case 0x58: return fpu_round_int(st, w, x, FPR_TA, false);
	case 0x59: return fpu_round_int(st, w, x, rm, true);
	case 0x79: return fpu_round_int(st, w, x, rm, false);
	case 0x1a: return fpu_to_int(st, w, x, 0, w, false, FPR_RN);
	case 0x1b: return fpu_to_int(st, w, x, 0, w, false, FPR_RM);
	case 0x1c: return fpu_to_int(st, w, x, 0, w, false, FPR_TA);
	case 0x3a: return fpu_to_int(st, w, x, 0, w, false, FPR_RP);
	case 0x3b: return fpu_to_int(st, w, x, 0, w, false, FPR_RZ);
	case 0x5a: return fpu_to_int(st, w, x, 0, w, true, FPR_RN);
	case 0x5b: return fpu_to_int(st, w, x, 0, w, true, FPR_RM);
	case 0x5c: return fpu_to_int(st, w, x, 0, w, true, FPR_TA);
	case 0x7a: return fpu_to_int(st, w, x, 0, w, true, FPR_RP);
	case 0x7b: return fpu_to_int(st, w, x, 0, w, true, FPR_RZ);
	case 0x1d: return fpu_from_int(st, w, x, w, 0, false, rm);
	case 0x5d: return fpu_from_int(st, w, x, w, 0, true, rm);
	case 0x3d: return fpu_recpe(st, w, x);
	case 0x7d: return fpu_rsqrte(st, w, x);
	case 0x3c: if (w == 32) return fpu_urecpe((uint32_t)x); break;
	case 0x7c: if (w == 32) return fpu_ursqrte((uint32_t)x); break;
	default: break;
	}
	*bad = true;
	return 0;
}

/* Narrowing: XTN, SQXTN, UQXTN, SQXTUN of a 2*bits element. */
static uint64_t narrow(unsigned key, unsigned bits, uint64_t a, bool *sat)
{
	unsigned wb = 2 * bits;
	switch (key) {
	case 0x12: return a & esz_mask(bits);                                 /* XTN */
	case 0x14: return satq(sext(a, wb), bits, false, sat);               /* SQXTN */
	case 0x34: return satq((i128)a, bits, true, sat);                    /* UQXTN */
	default: return satq(sext(a, wb), bits, true, sat);                  /* SQXTUN */
	}
}

static void fp_narrow_widen(struct emu_cpu *cpu, uint32_t insn, unsigned key, bool scalar)
{
	bool q = (insn >> 30) & 1;
	unsigned sz = (insn >> 22) & 1, rn = (insn >> 5) & 31, rd = insn & 31;
	vec128 vn = vreg(cpu, rn), vd = vreg(cpu, rd), r;
	struct fpst st = fpst_begin(cpu);
	if (key == 0x17) { /* FCVTL: half->single (sz 0), single->double */
		unsigned nw = sz ? 32 : 16, lg = sz ? 2 : 1, n = 64 / nw;
		r.d[0] = r.d[1] = 0;
		for (unsigned i = 0; i < n; i++)
			vset(&r, i, lg + 1, fpu_convert(&st, vget(&vn, (q ? n : 0) + i, lg), nw, 2 * nw,
							 fpst_rmode(&st)));
		fpst_end(cpu, &st);
		set_vreg(cpu, rd, &r, true);
		return;
	}
	/* FCVTN (sz 0: single->half, 1: double->single), FCVTXN (sz = 1). */
	if (key == 0x36 && !sz)
		emu_undefined(cpu);
	unsigned ww = sz ? 64 : 32, lg = sz ? 2 : 1, n = scalar ? 1 : 64 / (ww / 2);
	unsigned rmode = key == 0x36 ? FPR_ODD : fpst_rmode(&st);
	r = vd;
	if (!q || scalar)
		r.d[1] = 0;
	if (scalar)
		r.d[0] = 0;
	for (unsigned i = 0; i < n; i++)
		vset(&r, (q && !scalar ? n : 0) + i, lg,
		     fpu_convert(&st, vget(&vn, i, lg + 1), ww, ww / 2, rmode));
	fpst_end(cpu, &st);
	set_vreg(cpu, rd, &r, true);
}

static void rev(struct emu_cpu *cpu, uint32_t insn, unsigned opc, bool u)
{
	bool q = (insn >> 30) & 1;
	unsigned size = (insn >> 22) & 3, rn = (insn >> 5) & 31, rd = insn & 31;
	unsigned clg = opc == 1 ? 1 : u ? 2 : 3; /* container: REV16, REV32, REV64 (log2 bytes) */
	if (size >= clg)
		emu_undefined(cpu);
	vec128 vn = vreg(cpu, rn), r;
	unsigned n = (q ? 16u : 8u) >> size, k = 1u << (clg - size);
	r.d[0] = r.d[1] = 0;
	for (unsigned i = 0; i < n; i++)
		vset(&r, i, size, vget(&vn, (i / k) * k + (k - 1 - i % k), size));
	set_vreg(cpu, rd, &r, q);
}

void simd_two_misc(struct emu_cpu *cpu, uint32_t insn, bool scalar)
{
	bool q = (insn >> 30) & 1, u = (insn >> 29) & 1;
	unsigned size = (insn >> 22) & 3, opc = (insn >> 12) & 31;
	unsigned rn = (insn >> 5) & 31, rd = insn & 31;
	unsigned key = u << 5 | opc;
	bool sat = false;

	/* FP ops: opcode 0x0c-0x0f with size<1> = 1, 0x18-0x1f. */
	bool fp = (opc >= 0x0c && opc <= 0x0f && (size & 2)) || opc >= 0x18;
	bool half = ((insn >> 17) & 0xf) == 0xc; /* FP16 class */
	if (half && !fp)
		emu_undefined(cpu);
	if (fp) {
		unsigned fkey = (unsigned)u << 6 | (size & 2) << 4 | opc;
		unsigned w = half ? 16 : fp_w(size & 1);
		if (w == 64 && !scalar && !q)
			emu_undefined(cpu);
		if (scalar && (fkey == 0x18 || fkey == 0x19 || fkey == 0x38 || fkey == 0x39 ||
			       fkey == 0x58 || fkey == 0x59 || fkey == 0x79 || fkey == 0x4f + 0x20 ||
			       fkey == 0x0f + 0x20 || fkey == 0x5f + 0x20 || fkey == 0x3c || fkey == 0x7c)) {
			emu_undefined(cpu); /* vector only */
		}
		struct fpst st = fpst_begin(cpu);
		bool bad = false;
		if (scalar) {
			uint64_t x = cpu->v[rn][0] & esz_mask(w), r;
			if (fkey == 0x3f) /* FRECPX (scalar only) */
				r = fpu_recpx(&st, w, x);
			else
				r = fp_unary(&st, fkey, w, x, &bad);
			if (bad)
				emu_undefined(cpu);
			fpst_end(cpu, &st);
			set_vscalar(cpu, rd, r);
			return;
		}
		vec128 vn = vreg(cpu, rn), r;
		unsigned lg = w == 16 ? 1 : w == 64 ? 3 : 2, n = (q ? 128u : 64u) / w;
		r.d[0] = r.d[1] = 0;
		if (fkey == 0x5f + 0x20) { /* FSQRT: host lanes at once */
			uint64_t x[8], y[8];
			for (unsigned i = 0; i < n; i++)
				x[i] = vget(&vn, i, lg);
			fpu_arith(&st, FOP_SQRT, w, n, x, NULL, NULL, y);
			for (unsigned i = 0; i < n; i++)
				vset(&r, i, lg, y[i]);
		} else {
			for (unsigned i = 0; i < n; i++)
				vset(&r, i, lg, fp_unary(&st, fkey, w, vget(&vn, i, lg), &bad));
		}
		if (bad)
			emu_undefined(cpu);
		fpst_end(cpu, &st);
		set_vreg(cpu, rd, &r, q);
		return;
	}

	switch (key) {
	case 0x00: case 0x01: case 0x20:
		if (scalar)
			emu_undefined(cpu);
		rev(cpu, insn, opc, u);
		return;
	case 0x16: case 0x17: case 0x36: /* FCVTN, FCVTL, FCVTXN */
		if (size & 2 || (scalar && key != 0x36))
			emu_undefined(cpu);
		fp_narrow_widen(cpu, insn, key, scalar);
		return;
	case 0x12: case 0x14: case 0x32: case 0x34: { /* XTN, SQXTN, SQXTUN, UQXTN */
		if (size == 3 || (scalar && key == 0x12))
			emu_undefined(cpu);
		vec128 vn = vreg(cpu, rn), r = vreg(cpu, rd);
		unsigned bits = 8u << size, n = scalar ? 1 : 64 / bits, base = (q && !scalar) ? n : 0;
		if (!q || scalar)
			r.d[1] = 0;
		if (scalar)
			r.d[0] = 0;
		for (unsigned i = 0; i < n; i++)
			vset(&r, base + i, size, narrow(key, bits, vget(&vn, i, size + 1), &sat));
		set_vreg(cpu, rd, &r, true);
		set_qc(cpu, sat);
		return;
	}
	case 0x33: { /* SHLL/SHLL2 */
		if (size == 3 || scalar)
			emu_undefined(cpu);
		vec128 vn = vreg(cpu, rn), r = { { 0, 0 } };
		unsigned bits = 8u << size, n = 64 / bits;
		for (unsigned i = 0; i < n; i++)
			vset(&r, i, size + 1, vget(&vn, (q ? n : 0) + i, size) << bits);
		set_vreg(cpu, rd, &r, true);
		return;
	}
	case 0x02: case 0x06: case 0x22: case 0x26: { /* [SU]ADDLP, [SU]ADALP */
		if (size == 3 || scalar)
			emu_undefined(cpu);
		vec128 vn = vreg(cpu, rn), vd = vreg(cpu, rd), r;
		unsigned bits = 8u << size, n = (q ? 64u : 32u) / bits;
		r.d[0] = r.d[1] = 0;
		for (unsigned i = 0; i < n; i++) {
			uint64_t a = vget(&vn, 2 * i, size), b = vget(&vn, 2 * i + 1, size);
			uint64_t s = u ? a + b : (uint64_t)(sext(a, bits) + sext(b, bits));
			if (opc == 6)
				s += vget(&vd, i, size + 1);
			vset(&r, i, size + 1, s);
		}
		set_vreg(cpu, rd, &r, q);
		return;
	}
	case 0x03: case 0x23: case 0x07: case 0x27:
		break;
	case 0x08: case 0x09: case 0x0a: case 0x0b: case 0x28: case 0x29: case 0x2b:
		if (scalar && size != 3)
			emu_undefined(cpu);
		break;
	case 0x04: case 0x24:
		if (size == 3 || scalar)
			emu_undefined(cpu);
		break;
	case 0x05: case 0x25:
		if (scalar || (key == 0x05 && size != 0) || (key == 0x25 && size > 1))
			emu_undefined(cpu);
		size = 0; /* NOT/RBIT/CNT work on bytes */
		if (key == 0x25 && ((insn >> 22) & 1))
			key = 0x25 | 0x80; /* RBIT */
		break;
	default:
		emu_undefined(cpu);
	}
	if (!scalar && size == 3 && !q)
		emu_undefined(cpu);
	unsigned bits = 8u << size;
	if (scalar) {
		uint64_t r = int_unary(opc, u, bits, cpu->v[rn][0] & esz_mask(bits),
				       cpu->v[rd][0] & esz_mask(bits), &sat);
		set_vscalar(cpu, rd, r);
		set_qc(cpu, sat);
		return;
	}
	vec128 vn = vreg(cpu, rn), vd = vreg(cpu, rd), r;
	unsigned n = (q ? 128u : 64u) / bits;
	r.d[0] = r.d[1] = 0;
	for (unsigned i = 0; i < n; i++) {
		uint64_t a = vget(&vn, i, size), res;
		if (key == (0x25 | 0x80))
			res = rbit(a, 8);
		else if (key == 0x25)
			res = ~a & 0xff;
		else
			res = int_unary(opc, u, bits, a, vget(&vd, i, size), &sat);
		vset(&r, i, size, res);
	}
	set_vreg(cpu, rd, &r, q);
	set_qc(cpu, sat);
}
