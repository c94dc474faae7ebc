/*
 * simd_3diff.c - Advanced SIMD "three different" (vector and scalar):
 * long (xADDL, xSUBL, xABAL, xABDL, xMLAL, xMLSL, xMULL, PMULL,
 * SQDMLAL/SQDMLSL/SQDMULL), wide (xADDW, xSUBW) and high-narrowing
 * (ADDHN, RADDHN, SUBHN, RSUBHN) forms; the "2" forms (Q = 1) use the
 * upper halves of the narrow sources / destination.
 */
#include "simd.h"

typedef __int128 i128;

static inline uint64_t satq2(i128 v, unsigned bits, bool *sat)
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

static uint64_t pmull_elem(uint64_t a, uint64_t b, unsigned bits)
{
	uint64_t r = 0;
	for (unsigned i = 0; i < bits; i++)
		if ((b >> i) & 1)
			r ^= a << i;
	return r;
}

void simd_three_diff(struct emu_cpu *cpu, uint32_t insn, bool scalar)
{
	bool q = (insn >> 30) & 1, u = (insn >> 29) & 1;
	unsigned size = (insn >> 22) & 3, opc = (insn >> 12) & 15;
	unsigned rm = (insn >> 16) & 31, rn = (insn >> 5) & 31, rd = insn & 31;
	bool sqd = opc == 9 || opc == 11 || opc == 13;
	if (size == 3 || opc == 15)
		emu_undefined(cpu);
	if (sqd && (u || size == 0))
		emu_undefined(cpu);
	if (opc == 14 && (u || size != 0))
		emu_undefined(cpu); /* PMULL: 64-bit form needs FEAT_PMULL (crypto) */
	if (scalar && !sqd)
		emu_undefined(cpu);
	unsigned bits = 8u << size, wide = 2 * bits, lg = size;
	vec128 vn = vreg(cpu, rn), vm = vreg(cpu, rm), vd = vreg(cpu, rd), r;
	bool sat = false;
	unsigned n = scalar ? 1 : 64 / bits, part = (q && !scalar) ? n : 0;
	r.d[0] = r.d[1] = 0;

	if (opc == 4 || opc == 6) { /* ADDHN/RADDHN/SUBHN/RSUBHN */
		r = vd;
		if (!q)
			r.d[1] = 0;
		for (unsigned i = 0; i < n; i++) {
			uint64_t a = vget(&vn, i, lg + 1), b = vget(&vm, i, lg + 1);
			uint64_t s = opc == 4 ? a + b : a - b;
			if (u)
				s += 1ull << (bits - 1);
			vset(&r, part + i, lg, (s & esz_mask(wide)) >> bits);
		}
		set_vreg(cpu, rd, &r, true);
		return;
	}
	for (unsigned i = 0; i < n; i++) {
		uint64_t ea, eb = vget(&vm, part + i, lg);
		bool wide_n = opc == 1 || opc == 3;
		ea = wide_n ? vget(&vn, i, lg + 1) : vget(&vn, part + i, lg);
		/* Elements of at most 32 bits (size 3 is UNDEF), a wide Vn
		 * element of at most 64: the results are taken modulo 2^wide,
		 * so 64-bit arithmetic is exact for all but the saturating
		 * doubling forms, which get 128 bits. */
		uint64_t x = u ? ea : (uint64_t)sext(ea, wide_n ? wide : bits);
		uint64_t y = u ? eb : (uint64_t)sext(eb, bits);
		uint64_t acc = vget(&vd, i, lg + 1), res;
		/* |x - y|: both fit in 33 bits signed here (not wide_n) */
		uint64_t ad = (int64_t)x > (int64_t)y ? x - y : y - x;
		switch (opc) {
		case 0: case 1: res = x + y; break;
		case 2: case 3: res = x - y; break;
		case 5: res = acc + ad; break;
		case 7: res = ad; break;
		case 8: res = acc + x * y; break;
		case 10: res = acc - x * y; break;
		case 12: res = x * y; break;
		case 14: res = pmull_elem(ea, eb, bits); break;
		default: { /* SQDMLAL, SQDMLSL, SQDMULL */
			uint64_t p = satq2((i128)(int64_t)x * (int64_t)y * 2, wide, &sat); /* signed */
			if (opc == 13) {
				res = p;
			} else {
				i128 pa = sext(acc, wide), pp = sext(p, wide);
				res = satq2(opc == 9 ? pa + pp : pa - pp, wide, &sat);
			}
			break;
		}
		}
		vset(&r, i, lg + 1, res & esz_mask(wide));
	}
	if (scalar)
		set_vscalar(cpu, rd, r.d[0]);
	else
		set_vreg(cpu, rd, &r, true);
	set_qc(cpu, sat);
}
