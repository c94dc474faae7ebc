/*
 * simd_indexed.c - Advanced SIMD "x indexed element" (vector and scalar):
 * MUL, MLA, MLS, [SU]MULL, [SU]MLAL, [SU]MLSL, SQDMULL, SQDMLAL, SQDMLSL,
 * SQDMULH, SQRDMULH, FMUL, FMULX, FMLA, FMLS by element (half, single,
 * double).
 */
#include "simd.h"

typedef __int128 i128;

static inline uint64_t satq_s(i128 v, unsigned bits, bool *sat)
{
	i128 hi = (i128)esz_mask(bits - 1), lo = -hi - 1;
	if (v > hi) {
		*sat = true;
		v = hi;
	} else if (v < lo) {
		*sat = true;
		v = lo;
	}
	return (uint64_t)v & esz_mask(bits);
}

static void fp_indexed(struct emu_cpu *cpu, uint32_t insn, bool scalar, unsigned key)
{
	bool q = (insn >> 30) & 1;
	unsigned size = (insn >> 22) & 3, l = (insn >> 21) & 1, h = (insn >> 11) & 1;
	unsigned rm = (insn >> 16) & 31, rn = (insn >> 5) & 31, rd = insn & 31;
	if (size == 1)
		emu_undefined(cpu);
	bool sz = size & 1;
	if (sz && (l || (!q && !scalar)))
		emu_undefined(cpu);
	unsigned w = fp_w(sz), lg = sz ? 3 : 2, idx = sz ? h : (h << 1 | l);
	if (size == 0) { /* half: index H:L:M, Vm in V0-V15 */
		w = 16;
		lg = 1;
		idx = h << 2 | l << 1 | ((insn >> 20) & 1);
		rm &= 15;
	}
	vec128 vm = vreg(cpu, rm), vn = vreg(cpu, rn), vd = vreg(cpu, rd), r = { { 0, 0 } };
	uint64_t e = vget(&vm, idx, lg), a[8], b[8], c[8], d[8];
	unsigned n = scalar ? 1 : (q ? 128u : 64u) / w;
	for (unsigned i = 0; i < n; i++) {
		a[i] = vget(&vn, i, lg);
		if (key == 0x05) /* FMLS: negate the vector operand (FPNeg before FPMulAdd) */
			a[i] = fp_neg(w, a[i]);
		b[i] = e;
		c[i] = vget(&vd, i, lg);
	}
	struct fpst st = fpst_begin(cpu);
	switch (key) {
	case 0x01: case 0x05: fpu_arith(&st, FOP_FMA, w, n, a, b, c, d); break;
	case 0x09: fpu_arith(&st, FOP_MUL, w, n, a, b, NULL, d); break;
	default: fpu_arith(&st, FOP_MULX, w, n, a, b, NULL, d); break;
	}
	fpst_end(cpu, &st);
	for (unsigned i = 0; i < n; i++)
		vset(&r, i, lg, d[i]);
	set_vreg(cpu, rd, &r, q && !scalar);
}

void simd_indexed(struct emu_cpu *cpu, uint32_t insn, bool scalar)
{
	bool q = (insn >> 30) & 1, u = (insn >> 29) & 1;
	unsigned size = (insn >> 22) & 3, l = (insn >> 21) & 1, mbit = (insn >> 20) & 1;
	unsigned opc = (insn >> 12) & 15, h = (insn >> 11) & 1;
	unsigned rm = (insn >> 16) & 15, rn = (insn >> 5) & 31, rd = insn & 31;
	unsigned key = (unsigned)u << 4 | opc;

	switch (key) {
	case 0x01: case 0x05: case 0x09: case 0x19:
		fp_indexed(cpu, insn, scalar, key);
		return;
	case 0x03: case 0x07: case 0x0b: case 0x0c: case 0x0d: /* SQDMxxx */
		break;
	case 0x02: case 0x06: case 0x08: case 0x0a: case 0x10: case 0x12: case 0x14: case 0x16:
	case 0x1a:
		if (scalar)
			emu_undefined(cpu);
		break;
	default:
		emu_undefined(cpu); /* FMLAL (FHM), DOT, RDM, FCMLA */
	}
	if (size == 0 || size == 3)
		emu_undefined(cpu);
	unsigned idx, bits = 8u << size;
	if (size == 1) {
		idx = h << 2 | l << 1 | mbit;
	} else {
		idx = h << 1 | l;
		rm |= mbit << 4;
	}
	vec128 vm = vreg(cpu, rm), vn = vreg(cpu, rn), vd = vreg(cpu, rd), r = { { 0, 0 } };
	uint64_t e = vget(&vm, idx, size);
	bool sat = false;
	bool longop = opc == 2 || opc == 3 || opc == 6 || opc == 7 || opc == 10 || opc == 11;
	if (!longop) { /* MUL, MLA, MLS, SQDMULH, SQRDMULH */
		unsigned n = scalar ? 1 : (q ? 128u : 64u) / bits;
		for (unsigned i = 0; i < n; i++) {
			uint64_t a = vget(&vn, i, size), d = vget(&vd, i, size), res;
			switch (key) {
			case 0x08: res = a * e; break;
			case 0x10: res = d + a * e; break;
			case 0x14: res = d - a * e; break;
			default: res = simd_sqdmulh(a, e, bits, opc == 0x0d, &sat); break;
			}
			vset(&r, i, size, res & esz_mask(bits));
		}
		set_vreg(cpu, rd, &r, q && !scalar);
		set_qc(cpu, sat);
		return;
	}
	unsigned wide = 2 * bits, n = scalar ? 1 : 64 / bits, part = (q && !scalar) ? n : 0;
	i128 y = u ? (i128)e : (i128)sext(e, bits);
	for (unsigned i = 0; i < n; i++) {
		uint64_t ea = vget(&vn, part + i, size), acc = vget(&vd, i, size + 1), res;
		i128 x = u ? (i128)ea : (i128)sext(ea, bits);
		switch (opc) {
		case 2: res = acc + (uint64_t)(x * y); break;
		case 6: res = acc - (uint64_t)(x * y); break;
		case 10: res = (uint64_t)(x * y); break;
		default: { /* SQDMLAL, SQDMLSL, SQDMULL */
			uint64_t p = satq_s(x * y * 2, wide, &sat);
			if (opc == 11)
				res = p;
			else {
				i128 pa = sext(acc, wide), pp = sext(p, wide);
				res = satq_s(opc == 3 ? pa + pp : pa - pp, wide, &sat);
			}
			break;
		}
		}
		vset(&r, i, size + 1, res & esz_mask(wide));
	}
	if (scalar)
		set_vscalar(cpu, rd, r.d[0]);
	else
		set_vreg(cpu, rd, &r, true);
	set_qc(cpu, sat);
}
