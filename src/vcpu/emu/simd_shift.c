/*
 * simd_shift.c - Advanced SIMD shift by immediate (vector and scalar):
 * [SU]SHR, [SU]SRA, [SU]RSHR, [SU]RSRA, SRI, SHL, SLI, SQSHLU,
 * [SU]QSHL, the narrowing shifts (SHRN, RSHRN, SQ[R]SHR[U]N, UQ[R]SHRN),
 * [SU]SHLL and the fixed-point conversions [SU]CVTF / FCVTZ[SU].
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

/* Right shift by 1..bits of x (exact integer), optionally rounding. */
static inline i128 shr_round(i128 x, unsigned shift, bool round)
{
	if (round)
		x += (i128)1 << (shift - 1);
	return x >> shift;
}

/* Non-narrowing ops on one element (bits wide); shift already decoded. */
static uint64_t shift_elem(unsigned opc, bool u, unsigned bits, unsigned shift, uint64_t a,
			   uint64_t d, bool *sat)
{
	uint64_t m = esz_mask(bits);
	i128 x = u ? (i128)a : (i128)sext(a, bits);
	switch (opc) {
	case 0x00: return (uint64_t)shr_round(x, shift, false) & m;
	case 0x02: return (d + (uint64_t)shr_round(x, shift, false)) & m;
	case 0x04: return (uint64_t)shr_round(x, shift, true) & m;
	case 0x06: return (d + (uint64_t)shr_round(x, shift, true)) & m;
	case 0x08: { /* SRI */
		uint64_t mask = shift >= 64 ? 0 : m >> shift;
		return (d & ~mask) | (shift >= 64 ? 0 : a >> shift);
	}
	case 0x0a: /* SHL / SLI */
		if (!u)
			return (a << shift) & m;
		return (d & ~(m << shift) & m) | ((a << shift) & m);
	case 0x0c: /* SQSHLU: signed source, unsigned saturation */
		return satq((i128)sext(a, bits) * ((i128)1 << shift), bits, true, sat);
	default: /* 0x0e SQSHL/UQSHL */
		return satq(x * ((i128)1 << shift), bits, u, sat);
	}
}

void simd_shift_imm(struct emu_cpu *cpu, uint32_t insn, bool scalar)
{
	bool q = (insn >> 30) & 1, u = (insn >> 29) & 1;
	unsigned immh = (insn >> 19) & 15, immhb = (insn >> 16) & 127, opc = (insn >> 11) & 31;
	unsigned rn = (insn >> 5) & 31, rd = insn & 31;
	unsigned lg = 31 - (unsigned)__builtin_clz(immh), bits = 8u << lg;
	unsigned rshift = 2 * bits - immhb, lshift = immhb - bits;
	bool sat = false;
	vec128 vn = vreg(cpu, rn), vd = vreg(cpu, rd), r = { { 0, 0 } };

	switch (opc) {
	case 0x00: case 0x02: case 0x04: case 0x06: case 0x08: case 0x0a: case 0x0c: case 0x0e: {
		if (opc == 0x08 && !u)
			emu_undefined(cpu);
		if (opc == 0x0c && !u)
			emu_undefined(cpu);
		bool left = opc >= 0x0a;
		unsigned sh = left ? lshift : rshift;
		if (scalar) {
			if (opc < 0x0c && lg != 3)
				emu_undefined(cpu);
			uint64_t res = shift_elem(opc, u, bits, sh, cpu->v[rn][0] & esz_mask(bits),
						  cpu->v[rd][0] & esz_mask(bits), &sat);
			set_vscalar(cpu, rd, res);
			set_qc(cpu, sat);
			return;
		}
		if (lg == 3 && !q)
			emu_undefined(cpu);
		unsigned n = (q ? 128u : 64u) / bits;
		for (unsigned i = 0; i < n; i++)
			vset(&r, i, lg, shift_elem(opc, u, bits, sh, vget(&vn, i, lg), vget(&vd, i, lg), &sat));
		set_vreg(cpu, rd, &r, q);
		set_qc(cpu, sat);
		return;
	}
	case 0x10: case 0x11: case 0x12: case 0x13: { /* narrowing right shifts */
		if (lg == 3)
			emu_undefined(cpu);
		if (scalar && opc <= 0x11 && !u)
			emu_undefined(cpu); /* SHRN/RSHRN have no scalar form */
		bool round = opc & 1;
		unsigned n = scalar ? 1 : 64 / bits, base = (q && !scalar) ? n : 0;
		r = scalar ? r : vd;
		if (!q)
			r.d[1] = 0;
		for (unsigned i = 0; i < n; i++) {
			uint64_t a = vget(&vn, i, lg + 1), res;
			if (opc <= 0x11 && !u) { /* SHRN/RSHRN */
				res = (uint64_t)shr_round((i128)a, rshift, round) & esz_mask(bits);
			} else if (opc <= 0x11) { /* SQSHRUN/SQRSHRUN */
				res = satq(shr_round(sext(a, 2 * bits), rshift, round), bits, true, &sat);
			} else { /* [SU]Q[R]SHRN */
				i128 x = u ? (i128)a : (i128)sext(a, 2 * bits);
				res = satq(shr_round(x, rshift, round), bits, u, &sat);
			}
			vset(&r, base + i, lg, res);
		}
		set_vreg(cpu, rd, &r, true);
		set_qc(cpu, sat);
		return;
	}
	case 0x14: { /* SSHLL/USHLL */
		if (lg == 3 || scalar)
			emu_undefined(cpu);
		unsigned n = 64 / bits;
		for (unsigned i = 0; i < n; i++) {
			uint64_t a = vget(&vn, (q ? n : 0) + i, lg);
			uint64_t x = u ? a : (uint64_t)sext(a, bits);
			vset(&r, i, lg + 1, x << lshift);
		}
		set_vreg(cpu, rd, &r, true);
		return;
	}
	case 0x1c: case 0x1f: { /* [SU]CVTF, FCVTZ[SU] (fixed point) */
		if (lg < 1 || (!scalar && lg == 3 && !q))
			emu_undefined(cpu);
		unsigned n = scalar ? 1 : (q ? 128u : 64u) / bits;
		struct fpst st = fpst_begin(cpu);
		for (unsigned i = 0; i < n; i++) {
			uint64_t a = vget(&vn, i, lg), res;
			if (opc == 0x1c)
				res = fpu_from_int(&st, bits, a, bits, rshift, u, fpst_rmode(&st));
			else
				res = fpu_to_int(&st, bits, a, rshift, bits, u, FPR_RZ);
			vset(&r, i, lg, res);
		}
		fpst_end(cpu, &st);
		set_vreg(cpu, rd, &r, q && !scalar);
		return;
	}
	default:
		emu_undefined(cpu);
	}
}
