/*
 * simd_reduce.c - Advanced SIMD across lanes (ADDV, [SU]ADDLV, [SU]MAXV,
 * [SU]MINV, FMAXV, FMINV, FMAXNMV, FMINNMV) and the scalar pairwise ops
 * (ADDP, FADDP, FMAXP, FMINP, FMAXNMP, FMINNMP); the FP ones also on
 * half precision (U = 0 forms, FEAT_FP16).
 *
 * FP reductions follow the pseudocode's Reduce(): the two halves are
 * reduced recursively and then combined, which fixes which NaN wins and
 * the order of flag-raising operations.
 */
#include "simd.h"

static uint64_t fp_reduce(struct fpst *st, const uint64_t *e, unsigned n, unsigned w, unsigned kind)
{
	if (n == 1)
		return e[0];
	uint64_t lo = fp_reduce(st, e, n / 2, w, kind), hi = fp_reduce(st, e + n / 2, n / 2, w, kind);
	if (kind == 4)
		return fpu_op1(st, FOP_ADD, w, lo, hi, 0);
	return fpu_minmax(st, w, lo, hi, kind);
}

void simd_across(struct emu_cpu *cpu, uint32_t insn)
{
	bool q = (insn >> 30) & 1, u = (insn >> 29) & 1;
	unsigned size = (insn >> 22) & 3, opc = (insn >> 12) & 31;
	unsigned rn = (insn >> 5) & 31, rd = insn & 31;
	vec128 vn = vreg(cpu, rn);
	if (opc == 0x0c || opc == 0x0f) { /* FMAXNMV/FMINNMV, FMAXV/FMINV: 4S; U = 0: 4H/8H */
		if ((size & 1) || (u && !q))
			emu_undefined(cpu);
		bool min = size & 2;
		unsigned kind = opc == 0x0c ? (min ? FMM_MINNM : FMM_MAXNM) : (min ? FMM_MIN : FMM_MAX);
		unsigned w = u ? 32 : 16, lg = u ? 2 : 1, n = (q ? 128u : 64u) / w;
		uint64_t e[8];
		for (unsigned i = 0; i < n; i++)
			e[i] = vget(&vn, i, lg);
		struct fpst st = fpst_begin(cpu);
		uint64_t r = fp_reduce(&st, e, n, w, kind);
		fpst_end(cpu, &st);
		set_vscalar(cpu, rd, r);
		return;
	}
	if (size == 3 || (size == 2 && !q))
		emu_undefined(cpu);
	unsigned bits = 8u << size, n = (q ? 128u : 64u) / bits;
	uint64_t r;
	switch (opc) {
	case 0x03: { /* SADDLV/UADDLV: 2*bits wide result */
		uint64_t s = 0;
		for (unsigned i = 0; i < n; i++) {
			uint64_t e = vget(&vn, i, size);
			s += u ? e : (uint64_t)sext(e, bits);
		}
		r = s & esz_mask(2 * bits);
		break;
	}
	case 0x1b: { /* ADDV */
		if (u)
			emu_undefined(cpu);
		uint64_t s = 0;
		for (unsigned i = 0; i < n; i++)
			s += vget(&vn, i, size);
		r = s & esz_mask(bits);
		break;
	}
	case 0x0a: case 0x1a: { /* [SU]MAXV, [SU]MINV */
		bool min = opc == 0x1a;
		int64_t best = 0;
		for (unsigned i = 0; i < n; i++) {
			uint64_t e = vget(&vn, i, size);
			int64_t v = u ? (int64_t)e : sext(e, bits);
			if (i == 0 || (min ? v < best : v > best))
				best = v;
		}
		r = (uint64_t)best & esz_mask(bits);
		break;
	}
	default:
		emu_undefined(cpu);
	}
	set_vscalar(cpu, rd, r);
}

void simd_pairwise_scalar(struct emu_cpu *cpu, uint32_t insn)
{
	bool u = (insn >> 29) & 1;
	unsigned size = (insn >> 22) & 3, opc = (insn >> 12) & 31;
	unsigned rn = (insn >> 5) & 31, rd = insn & 31;
	if (!u && opc == 0x1b) {
		if (size != 3)
			emu_undefined(cpu);
		set_vscalar(cpu, rd, cpu->v[rn][0] + cpu->v[rn][1]); /* ADDP */
		return;
	}
	if (!u && (size & 1))
		emu_undefined(cpu);
	/* U = 0: the FP16 forms on Vn.2H */
	unsigned w = !u ? 16 : fp_w(size & 1), lg = !u ? 1 : (size & 1) ? 3 : 2;
	bool min = size & 2;
	vec128 vn = vreg(cpu, rn);
	uint64_t a = vget(&vn, 0, lg), b = vget(&vn, 1, lg), r;
	struct fpst st = fpst_begin(cpu);
	switch (opc) {
	case 0x0c: r = fpu_minmax(&st, w, a, b, min ? FMM_MINNM : FMM_MAXNM); break;
	case 0x0d:
		if (min)
			emu_undefined(cpu);
		r = fpu_op1(&st, FOP_ADD, w, a, b, 0);
		break;
	case 0x0f: r = fpu_minmax(&st, w, a, b, min ? FMM_MIN : FMM_MAX); break;
	default: emu_undefined(cpu);
	}
	fpst_end(cpu, &st);
	set_vscalar(cpu, rd, r);
}
