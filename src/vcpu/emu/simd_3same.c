/*
 * simd_3same.c - Advanced SIMD "three same" (vector and scalar): integer
 * arithmetic, halving/saturating ops, shifts by register, compares,
 * min/max, absolute difference, multiply(-accumulate), pairwise ops,
 * logic, and the FP three-same operations (single/double, and the FP16
 * class with the same U:a:opcode table).
 *
 * Integer elements are computed exactly in 128-bit arithmetic and then
 * truncated or saturated (FPSR.QC), which is what the pseudocode's
 * unbounded integers mean; the common ops have whole-word fast paths.
 */
#include "simd.h"

typedef __int128 i128;

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

/* SSHL/USHL/SRSHL/URSHL/SQSHL/UQSHL/SQRSHL/UQRSHL by the signed low
 * byte of b. */
static uint64_t shift_reg(i128 x, uint64_t b, unsigned bits, bool u, bool round, bool sat_op,
			  bool *sat)
{
	int shift = (int8_t)(uint8_t)b;
	i128 v;
	if (shift >= 0) {
		if (x == 0)
			v = 0;
		else if (shift >= 64) {
			if (!sat_op)
				return 0;
			v = x < 0 ? -((i128)1 << 100) : ((i128)1 << 100); /* saturates */
		} else
			v = x * ((i128)1 << shift);
	} else {
		int s = -shift;
		if (s >= 64) {
			if (round)
				v = (s == 64 && u && (uint64_t)x >> 63) ? 1 : 0;
			else
				v = x < 0 ? -1 : 0;
		} else {
			if (round)
				x += (i128)1 << (s - 1);
			v = x >> s;
		}
	}
	if (sat_op)
		return satq(v, bits, u, sat);
	return (uint64_t)v & esz_mask(bits);
}

static uint64_t pmul8(uint64_t a, uint64_t b)
{
	uint64_t r = 0;
	for (unsigned i = 0; i < 8; i++)
		if ((b >> i) & 1)
			r ^= a << i;
	return r & 0xff;
}

uint64_t simd_sqdmulh(uint64_t a, uint64_t b, unsigned bits, bool round, bool *sat)
{
	i128 p = (i128)sext(a, bits) * sext(b, bits) * 2;
	if (round)
		p += (i128)1 << (bits - 1);
	return satq(p >> bits, bits, false, sat);
}

/* One element of an integer three-same op (not pairwise, not logic). */
static uint64_t int_elem(unsigned opc, bool u, unsigned bits, uint64_t a, uint64_t b, uint64_t d,
			 bool *sat)
{
	uint64_t m = esz_mask(bits);
	i128 x = u ? (i128)a : (i128)sext(a, bits);
	i128 y = u ? (i128)b : (i128)sext(b, bits);
	switch (opc) {
	case 0x00: return (uint64_t)((x + y) >> 1) & m;
	case 0x01: return satq(x + y, bits, u, sat);
	case 0x02: return (uint64_t)((x + y + 1) >> 1) & m;
	case 0x04: return (uint64_t)((x - y) >> 1) & m;
	case 0x05: return satq(x - y, bits, u, sat);
	case 0x06: return x > y ? m : 0;
	case 0x07: return x >= y ? m : 0;
	case 0x08: return shift_reg(x, b, bits, u, false, false, sat);
	case 0x09: return shift_reg(x, b, bits, u, false, true, sat);
	case 0x0a: return shift_reg(x, b, bits, u, true, false, sat);
	case 0x0b: return shift_reg(x, b, bits, u, true, true, sat);
	case 0x0c: return (uint64_t)(x > y ? x : y) & m;
	case 0x0d: return (uint64_t)(x < y ? x : y) & m;
	case 0x0e: return (uint64_t)(x > y ? x - y : y - x) & m;
	case 0x0f: return (d + (uint64_t)(x > y ? x - y : y - x)) & m;
	case 0x10: return (u ? a - b : a + b) & m;
	case 0x11: return u ? (a == b ? m : 0) : ((a & b) ? m : 0);
	case 0x12: return (u ? d - a * b : d + a * b) & m;
	case 0x13: return u ? pmul8(a, b) : (a * b) & m;
	case 0x14: return (uint64_t)(x > y ? x : y) & m; /* SMAXP/UMAXP */
	case 0x15: return (uint64_t)(x < y ? x : y) & m; /* SMINP/UMINP */
	case 0x16: return simd_sqdmulh(a, b, bits, u, sat);
	default: return (a + b) & m; /* 0x17 ADDP */
	}
}

/* Lane-wise add/sub on 64-bit words holding lanes of `bits`. */
static inline uint64_t swar_add(uint64_t a, uint64_t b, unsigned bits)
{
	if (bits == 64)
		return a + b;
	uint64_t h = 0;
	for (unsigned i = bits - 1; i < 64; i += bits)
		h |= 1ull << i;
	return ((a & ~h) + (b & ~h)) ^ ((a ^ b) & h);
}
static inline uint64_t swar_sub(uint64_t a, uint64_t b, unsigned bits)
{
	if (bits == 64)
		return a - b;
	uint64_t h = 0;
	for (unsigned i = bits - 1; i < 64; i += bits)
		h |= 1ull << i;
	return ((a | h) - (b & ~h)) ^ ((a ^ ~b) & h);
}

static void logic3(struct emu_cpu *cpu, uint32_t insn, bool q)
{
	unsigned rm = (insn >> 16) & 31, rn = (insn >> 5) & 31, rd = insn & 31;
	unsigned op = ((insn >> 29) & 1) << 2 | ((insn >> 22) & 3);
	vec128 r;
	for (unsigned i = 0; i < 2; i++) {
		uint64_t a = cpu->v[rn][i], b = cpu->v[rm][i], d = cpu->v[rd][i];
		switch (op) {
		case 0: r.d[i] = a & b; break;
		case 1: r.d[i] = a & ~b; break;
		case 2: r.d[i] = a | b; break;
		case 3: r.d[i] = a | ~b; break;
		case 4: r.d[i] = a ^ b; break;
		case 5: r.d[i] = (d & a) | (~d & b); break; /* BSL */
		case 6: r.d[i] = (a & b) | (d & ~b); break; /* BIT */
		default: r.d[i] = (d & b) | (a & ~b); break; /* BIF */
		}
	}
	set_vreg(cpu, rd, &r, q);
}

/* ---------------------------------------------------------------- */
/* FP three same. */

enum { F_BAD, F_HOST, F_MAX, F_MIN, F_MAXNM, F_MINNM, F_CMEQ, F_CMGE, F_CMGT, F_ACGE, F_ACGT,
       F_ABD, F_MLA, F_MLS };
struct fp3 {
	uint8_t kind, op, pairwise;
};

/* Indexed by U:a:opcode<2:0>. */
static const struct fp3 fp3_tab[32] = {
	[0x00] = { F_MAXNM, 0, 0 }, [0x01] = { F_MLA, 0, 0 }, [0x02] = { F_HOST, FOP_ADD, 0 },
	[0x03] = { F_HOST, FOP_MULX, 0 }, [0x04] = { F_CMEQ, 0, 0 }, [0x06] = { F_MAX, 0, 0 },
	[0x07] = { F_HOST, FOP_RECPS, 0 },
	[0x08] = { F_MINNM, 0, 0 }, [0x09] = { F_MLS, 0, 0 }, [0x0a] = { F_HOST, FOP_SUB, 0 },
	[0x0e] = { F_MIN, 0, 0 }, [0x0f] = { F_HOST, FOP_RSQRTS, 0 },
	[0x10] = { F_MAXNM, 0, 1 }, [0x12] = { F_HOST, FOP_ADD, 1 }, [0x13] = { F_HOST, FOP_MUL, 0 },
	[0x14] = { F_CMGE, 0, 0 }, [0x15] = { F_ACGE, 0, 0 }, [0x16] = { F_MAX, 0, 1 },
	[0x17] = { F_HOST, FOP_DIV, 0 },
	[0x18] = { F_MINNM, 0, 1 }, [0x1a] = { F_ABD, 0, 0 }, [0x1c] = { F_CMGT, 0, 0 },
	[0x1d] = { F_ACGT, 0, 0 }, [0x1e] = { F_MIN, 0, 1 },
};

/* Lane-wise FP op of the table over n lanes (a, b, d = accumulator). */
static void fp3_lanes(struct fpst *st, const struct fp3 *f, unsigned w, unsigned n,
		      const uint64_t *a, const uint64_t *b, const uint64_t *d, uint64_t *r)
{
	uint64_t t[8];
	switch (f->kind) {
	case F_HOST:
		fpu_arith(st, (enum fpu_op)f->op, w, n, a, b, NULL, r);
		return;
	case F_MLA:
		fpu_arith(st, FOP_FMA, w, n, a, b, d, r);
		return;
	case F_MLS:
		for (unsigned i = 0; i < n; i++)
			t[i] = fp_neg(w, a[i]);
		fpu_arith(st, FOP_FMA, w, n, t, b, d, r);
		return;
	case F_ABD:
		fpu_arith(st, FOP_SUB, w, n, a, b, NULL, r);
		for (unsigned i = 0; i < n; i++)
			r[i] = fp_abs(w, r[i]);
		return;
	default:
		break;
	}
	for (unsigned i = 0; i < n; i++) {
		uint64_t x = a[i], y = b[i], m = esz_mask(w);
		switch (f->kind) {
		case F_MAX: r[i] = fpu_minmax(st, w, x, y, FMM_MAX); break;
		case F_MIN: r[i] = fpu_minmax(st, w, x, y, FMM_MIN); break;
		case F_MAXNM: r[i] = fpu_minmax(st, w, x, y, FMM_MAXNM); break;
		case F_MINNM: r[i] = fpu_minmax(st, w, x, y, FMM_MINNM); break;
		case F_CMEQ: r[i] = fpu_cmp(st, w, x, y, 0) ? m : 0; break;
		case F_CMGE: r[i] = fpu_cmp(st, w, x, y, 1) ? m : 0; break;
		case F_CMGT: r[i] = fpu_cmp(st, w, x, y, 2) ? m : 0; break;
		case F_ACGE: r[i] = fpu_cmp(st, w, fp_abs(w, x), fp_abs(w, y), 1) ? m : 0; break;
		default: r[i] = fpu_cmp(st, w, fp_abs(w, x), fp_abs(w, y), 2) ? m : 0; break;
		}
	}
}

/* w: 16 for the FP16 class (same U:a:opcode table), else from sz. */
static void fp_three_same(struct emu_cpu *cpu, uint32_t insn, bool scalar, bool half)
{
	bool q = (insn >> 30) & 1, u = (insn >> 29) & 1;
	unsigned sz = (insn >> 22) & 1, a = (insn >> 23) & 1, opc = (insn >> 11) & 7;
	unsigned rm = (insn >> 16) & 31, rn = (insn >> 5) & 31, rd = insn & 31;
	const struct fp3 *f = &fp3_tab[u << 4 | a << 3 | opc];
	unsigned w = half ? 16 : fp_w(sz);
	if (f->kind == F_BAD || (!scalar && w == 64 && !q))
		emu_undefined(cpu);
	if (scalar) {
		/* FMULX, FCMEQ, FRECPS, FRSQRTS, FCMGE, FACGE, FABD, FCMGT, FACGT */
		static const uint32_t ok = 1u << 0x03 | 1u << 0x04 | 1u << 0x07 | 1u << 0x0f |
					   1u << 0x14 | 1u << 0x15 | 1u << 0x1a | 1u << 0x1c |
					   1u << 0x1d;
		if (!((ok >> (u << 4 | a << 3 | opc)) & 1))
			emu_undefined(cpu);
		uint64_t x = cpu->v[rn][0] & esz_mask(w), y = cpu->v[rm][0] & esz_mask(w), r;
		struct fpst st = fpst_begin(cpu);
		fp3_lanes(&st, f, w, 1, &x, &y, NULL, &r);
		fpst_end(cpu, &st);
		set_vscalar(cpu, rd, r);
		return;
	}
	vec128 vn = vreg(cpu, rn), vm = vreg(cpu, rm), vd = vreg(cpu, rd), res;
	unsigned lg = w == 16 ? 1 : sz ? 3 : 2, n = (q ? 128u : 64u) / w;
	uint64_t x[8], y[8], d[8], r[8];
	for (unsigned i = 0; i < n; i++) {
		if (f->pairwise) {
			/* concatenation Vm:Vn, pairs of adjacent elements */
			unsigned j = 2 * i;
			x[i] = j < n ? vget(&vn, j, lg) : vget(&vm, j - n, lg);
			y[i] = j + 1 < n ? vget(&vn, j + 1, lg) : vget(&vm, j + 1 - n, lg);
		} else {
			x[i] = vget(&vn, i, lg);
			y[i] = vget(&vm, i, lg);
		}
		d[i] = vget(&vd, i, lg);
	}
	struct fpst st = fpst_begin(cpu);
	fp3_lanes(&st, f, w, n, x, y, d, r);
	fpst_end(cpu, &st);
	res.d[0] = res.d[1] = 0;
	for (unsigned i = 0; i < n; i++)
		vset(&res, i, lg, r[i]);
	set_vreg(cpu, rd, &res, q);
}

void simd_three_same_fp16(struct emu_cpu *cpu, uint32_t insn, bool scalar)
{
	fp_three_same(cpu, insn, scalar, true);
}

/* ---------------------------------------------------------------- */

void simd_three_same(struct emu_cpu *cpu, uint32_t insn, bool scalar)
{
	unsigned opc = (insn >> 11) & 31, size = (insn >> 22) & 3;
	bool q = (insn >> 30) & 1, u = (insn >> 29) & 1;
	unsigned rm = (insn >> 16) & 31, rn = (insn >> 5) & 31, rd = insn & 31;
	if (opc >= 0x18) {
		fp_three_same(cpu, insn, scalar, false);
		return;
	}
	unsigned bits = 8u << size;
	bool sat = false;
	if (scalar) {
		switch (opc) {
		case 0x01: case 0x05: case 0x09: case 0x0b:
			break;
		case 0x06: case 0x07: case 0x08: case 0x0a: case 0x10: case 0x11:
			if (size != 3)
				emu_undefined(cpu);
			break;
		case 0x16:
			if (size != 1 && size != 2)
				emu_undefined(cpu);
			break;
		default:
			emu_undefined(cpu);
		}
		uint64_t a = cpu->v[rn][0] & esz_mask(bits), b = cpu->v[rm][0] & esz_mask(bits);
		uint64_t r = int_elem(opc, u, bits, a, b, 0, &sat);
		set_vscalar(cpu, rd, r);
		set_qc(cpu, sat);
		return;
	}
	switch (opc) {
	case 0x03:
		logic3(cpu, insn, q);
		return;
	case 0x00: case 0x02: case 0x04: case 0x0c: case 0x0d: case 0x0e: case 0x0f:
	case 0x12: case 0x14: case 0x15:
		if (size == 3)
			emu_undefined(cpu);
		break;
	case 0x13:
		if (size == 3 || (u && size != 0))
			emu_undefined(cpu);
		break;
	case 0x16:
		if (size == 0 || size == 3)
			emu_undefined(cpu);
		break;
	case 0x17:
		if (u)
			emu_undefined(cpu);
		break;
	default:
		break;
	}
	if (size == 3 && !q)
		emu_undefined(cpu);
	vec128 r;
	if (opc == 0x10) { /* ADD/SUB fast path */
		for (unsigned i = 0; i < 2; i++)
			r.d[i] = u ? swar_sub(cpu->v[rn][i], cpu->v[rm][i], bits)
				   : swar_add(cpu->v[rn][i], cpu->v[rm][i], bits);
		set_vreg(cpu, rd, &r, q);
		return;
	}
	vec128 vn = vreg(cpu, rn), vm = vreg(cpu, rm), vd = vreg(cpu, rd);
	unsigned n = (q ? 128u : 64u) / bits;
	bool pairwise = opc == 0x14 || opc == 0x15 || opc == 0x17;
	r.d[0] = r.d[1] = 0;
	for (unsigned i = 0; i < n; i++) {
		uint64_t a, b;
		if (pairwise) {
			unsigned j = 2 * i;
			a = j < n ? vget(&vn, j, size) : vget(&vm, j - n, size);
			b = j + 1 < n ? vget(&vn, j + 1, size) : vget(&vm, j + 1 - n, size);
		} else {
			a = vget(&vn, i, size);
			b = vget(&vm, i, size);
		}
		vset(&r, i, size, int_elem(opc, u, bits, a, b, vget(&vd, i, size), &sat));
	}
	set_vreg(cpu, rd, &r, q);
	set_qc(cpu, sat);
}
