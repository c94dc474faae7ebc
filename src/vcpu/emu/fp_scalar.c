/*
 * fp_scalar.c - scalar floating-point data processing (op0 = x0x1 1111x):
 * conversions to/from fixed point and integers, FMOV (register, general,
 * immediate), 1-, 2- and 3-source arithmetic, FCMP/FCMPE, FCCMP/FCCMPE,
 * FCSEL (Arm ARM C4.1.7).  ftype 11 is half precision (FEAT_FP16).
 */
#include "alu.h"
#include "simd.h"

/* ftype -> width; 0 for the reserved 10. */
static inline unsigned ftype_w(unsigned ftype)
{
	static const unsigned w[4] = { 32, 64, 0, 16 };
	return w[ftype];
}

/* Fixed-point <-> FP (bit 21 = 0). */
static void fp_fixed(struct emu_cpu *cpu, uint32_t insn)
{
	unsigned sf = insn >> 31, w = ftype_w((insn >> 22) & 3);
	unsigned rmode = (insn >> 19) & 3, opc = (insn >> 16) & 7, scale = (insn >> 10) & 63;
	unsigned rn = (insn >> 5) & 31, rd = insn & 31, ibits = sf ? 64 : 32;
	if (!w || (insn & (1u << 29)) || (!sf && scale < 32))
		emu_undefined(cpu);
	unsigned fbits = 64 - scale;
	struct fpst st = fpst_begin(cpu);
	if (rmode == 3 && opc <= 1) { /* FCVTZS/FCVTZU */
		uint64_t r = fpu_to_int(&st, w, cpu->v[rn][0] & esz_mask(w), fbits, ibits, opc, FPR_RZ);
		fpst_end(cpu, &st);
		if (sf)
			set_xreg(cpu, rd, r);
		else
			set_wreg(cpu, rd, (uint32_t)r);
	} else if (rmode == 0 && (opc == 2 || opc == 3)) { /* SCVTF/UCVTF */
		uint64_t r = fpu_from_int(&st, w, xreg(cpu, rn), ibits, fbits, opc == 3, fpst_rmode(&st));
		fpst_end(cpu, &st);
		set_vscalar(cpu, rd, r);
	} else {
		emu_undefined(cpu);
	}
}

/* Integer <-> FP and FMOV general (bits [15:10] = 0). */
static void fp_int(struct emu_cpu *cpu, uint32_t insn)
{
	unsigned sf = insn >> 31, ftype = (insn >> 22) & 3;
	unsigned rmode = (insn >> 19) & 3, opc = (insn >> 16) & 7;
	unsigned rn = (insn >> 5) & 31, rd = insn & 31, ibits = sf ? 64 : 32;
	if (insn & (1u << 29))
		emu_undefined(cpu);
	if (opc >= 6) { /* FMOV */
		bool to_fp = opc == 7;
		if (rmode == 0 && ftype == 3) { /* FMOV Hd <-> Wn/Xn: low 16 bits */
			if (to_fp)
				set_vscalar(cpu, rd, xreg(cpu, rn) & 0xffff);
			else
				set_xreg(cpu, rd, cpu->v[rn][0] & 0xffff);
			return;
		}
		if (rmode == 0 && ((sf == 0 && ftype == 0) || (sf == 1 && ftype == 1))) {
			if (to_fp)
				set_vscalar(cpu, rd, sf ? xreg(cpu, rn) : wreg(cpu, rn));
			else if (sf)
				set_xreg(cpu, rd, cpu->v[rn][0]);
			else
				set_wreg(cpu, rd, (uint32_t)cpu->v[rn][0]);
			return;
		}
		if (rmode == 1 && sf == 1 && ftype == 2) { /* FMOV Vd.D[1] <-> Xn */
			if (to_fp)
				cpu->v[rd][1] = xreg(cpu, rn);
			else
				set_xreg(cpu, rd, cpu->v[rn][1]);
			return;
		}
		emu_undefined(cpu); /* FJCVTZS (JSCVT) */
	}
	unsigned w = ftype_w(ftype);
	if (!w)
		emu_undefined(cpu);
	struct fpst st = fpst_begin(cpu);
	if (opc == 2 || opc == 3) { /* SCVTF/UCVTF */
		if (rmode != 0)
			emu_undefined(cpu);
		uint64_t r = fpu_from_int(&st, w, xreg(cpu, rn), ibits, 0, opc == 3, fpst_rmode(&st));
		fpst_end(cpu, &st);
		set_vscalar(cpu, rd, r);
		return;
	}
	unsigned rm;
	if (opc <= 1)
		rm = rmode == 0 ? FPR_RN : rmode == 1 ? FPR_RP : rmode == 2 ? FPR_RM : FPR_RZ;
	else if (rmode == 0) /* FCVTAS/FCVTAU */
		rm = FPR_TA;
	else
		emu_undefined(cpu);
	uint64_t r = fpu_to_int(&st, w, cpu->v[rn][0] & esz_mask(w), 0, ibits, opc & 1, rm);
	fpst_end(cpu, &st);
	if (sf)
		set_xreg(cpu, rd, r);
	else
		set_wreg(cpu, rd, (uint32_t)r);
}

static void fp_1src(struct emu_cpu *cpu, uint32_t insn)
{
	unsigned ftype = (insn >> 22) & 3, opc = (insn >> 15) & 63;
	unsigned rn = (insn >> 5) & 31, rd = insn & 31;
	if (insn & (1u << 29))
		emu_undefined(cpu);
	if (opc >= 4 && opc <= 7) { /* FCVT */
		static const unsigned wof[4] = { 32, 64, 0, 16 };
		unsigned from = wof[ftype], to = wof[opc & 3];
		if (!from || !to || from == to)
			emu_undefined(cpu);
		struct fpst st = fpst_begin(cpu);
		uint64_t r = fpu_convert(&st, cpu->v[rn][0] & esz_mask(from), from, to, fpst_rmode(&st));
		fpst_end(cpu, &st);
		set_vscalar(cpu, rd, r);
		return;
	}
	unsigned w = ftype_w(ftype);
	if (!w)
		emu_undefined(cpu);
	uint64_t a = cpu->v[rn][0] & esz_mask(w), r;
	struct fpst st = fpst_begin(cpu);
	switch (opc) {
	case 0: r = a; break;
	case 1: r = fp_abs(w, a); break;
	case 2: r = fp_neg(w, a); break;
	case 3: r = fpu_op1(&st, FOP_SQRT, w, a, 0, 0); break;
	case 8: r = fpu_round_int(&st, w, a, FPR_RN, false); break;
	case 9: r = fpu_round_int(&st, w, a, FPR_RP, false); break;
	case 10: r = fpu_round_int(&st, w, a, FPR_RM, false); break;
	case 11: r = fpu_round_int(&st, w, a, FPR_RZ, false); break;
	case 12: r = fpu_round_int(&st, w, a, FPR_TA, false); break;
	case 14: r = fpu_round_int(&st, w, a, fpst_rmode(&st), true); break;
	case 15: r = fpu_round_int(&st, w, a, fpst_rmode(&st), false); break;
	default: emu_undefined(cpu); /* FRINT32/64 (FRINTTS), BFCVT */
	}
	fpst_end(cpu, &st);
	set_vscalar(cpu, rd, r);
}

static void fp_2src(struct emu_cpu *cpu, uint32_t insn)
{
	unsigned w = ftype_w((insn >> 22) & 3), opc = (insn >> 12) & 15;
	unsigned rm = (insn >> 16) & 31, rn = (insn >> 5) & 31, rd = insn & 31;
	if (!w || opc > 8 || (insn & (1u << 29)))
		emu_undefined(cpu);
	uint64_t a = cpu->v[rn][0] & esz_mask(w), b = cpu->v[rm][0] & esz_mask(w), r;
	struct fpst st = fpst_begin(cpu);
	switch (opc) {
	case 0: r = fpu_op1(&st, FOP_MUL, w, a, b, 0); break;
	case 1: r = fpu_op1(&st, FOP_DIV, w, a, b, 0); break;
	case 2: r = fpu_op1(&st, FOP_ADD, w, a, b, 0); break;
	case 3: r = fpu_op1(&st, FOP_SUB, w, a, b, 0); break;
	case 4: r = fpu_minmax(&st, w, a, b, FMM_MAX); break;
	case 5: r = fpu_minmax(&st, w, a, b, FMM_MIN); break;
	case 6: r = fpu_minmax(&st, w, a, b, FMM_MAXNM); break;
	case 7: r = fpu_minmax(&st, w, a, b, FMM_MINNM); break;
	default: r = fp_neg(w, fpu_op1(&st, FOP_MUL, w, a, b, 0)); break; /* FNMUL */
	}
	fpst_end(cpu, &st);
	set_vscalar(cpu, rd, r);
}

/* FMADD/FMSUB/FNMADD/FNMSUB: Ra is negated when o1, Rn when o1 != o0,
 * before FPMulAdd (so the negation also flips a NaN operand's sign). */
static void fp_3src(struct emu_cpu *cpu, uint32_t insn)
{
	unsigned w = ftype_w((insn >> 22) & 3), o1 = (insn >> 21) & 1, o0 = (insn >> 15) & 1;
	unsigned rm = (insn >> 16) & 31, ra = (insn >> 10) & 31, rn = (insn >> 5) & 31, rd = insn & 31;
	if (!w || (insn & (1u << 29)) || (insn >> 31))
		emu_undefined(cpu);
	uint64_t a = cpu->v[ra][0] & esz_mask(w), n = cpu->v[rn][0] & esz_mask(w);
	uint64_t m = cpu->v[rm][0] & esz_mask(w);
	if (o1 != o0)
		n = fp_neg(w, n);
	if (o1)
		a = fp_neg(w, a);
	struct fpst st = fpst_begin(cpu);
	uint64_t r = fpu_op1(&st, FOP_FMA, w, n, m, a);
	fpst_end(cpu, &st);
	set_vscalar(cpu, rd, r);
}

static void fp_compare(struct emu_cpu *cpu, uint32_t insn)
{
	unsigned w = ftype_w((insn >> 22) & 3), op = (insn >> 14) & 3, opc2 = insn & 31;
	unsigned rm = (insn >> 16) & 31, rn = (insn >> 5) & 31;
	if (!w || op != 0 || (opc2 & 7) || (insn & (1u << 29)))
		emu_undefined(cpu);
	uint64_t a = cpu->v[rn][0] & esz_mask(w);
	uint64_t b = (opc2 & 8) ? 0 : cpu->v[rm][0] & esz_mask(w);
	struct fpst st = fpst_begin(cpu);
	unsigned f = fpu_compare(&st, w, a, b, (opc2 & 16) != 0);
	fpst_end(cpu, &st);
	cpu->nzcv = f << 28;
}

static void fp_ccmp(struct emu_cpu *cpu, uint32_t insn)
{
	unsigned w = ftype_w((insn >> 22) & 3), cond = (insn >> 12) & 15;
	unsigned rm = (insn >> 16) & 31, rn = (insn >> 5) & 31;
	if (!w || (insn & (1u << 29)))
		emu_undefined(cpu);
	if (!condition_holds(cpu->nzcv, cond)) {
		cpu->nzcv = (insn & 15) << 28;
		return;
	}
	struct fpst st = fpst_begin(cpu);
	unsigned f = fpu_compare(&st, w, cpu->v[rn][0] & esz_mask(w), cpu->v[rm][0] & esz_mask(w),
				 (insn >> 4) & 1);
	fpst_end(cpu, &st);
	cpu->nzcv = f << 28;
}

static void fp_csel(struct emu_cpu *cpu, uint32_t insn)
{
	unsigned w = ftype_w((insn >> 22) & 3), cond = (insn >> 12) & 15;
	unsigned rm = (insn >> 16) & 31, rn = (insn >> 5) & 31, rd = insn & 31;
	if (!w || (insn & (1u << 29)))
		emu_undefined(cpu);
	unsigned src = condition_holds(cpu->nzcv, cond) ? rn : rm;
	set_vscalar(cpu, rd, cpu->v[src][0] & esz_mask(w));
}

static void fp_imm(struct emu_cpu *cpu, uint32_t insn)
{
	unsigned w = ftype_w((insn >> 22) & 3);
	if (!w || ((insn >> 5) & 31) || (insn & (1u << 29)))
		emu_undefined(cpu);
	set_vscalar(cpu, insn & 31, vfp_expand_imm((insn >> 13) & 0xff, w));
}

/* op0 = x0x1, op1 = 1x: the scalar FP classes. */
void emu_fp_scalar(struct emu_cpu *cpu, uint32_t insn)
{
	if (insn & (1u << 24)) {
		fp_3src(cpu, insn);
		return;
	}
	if (!(insn & (1u << 21))) {
		fp_fixed(cpu, insn);
		return;
	}
	switch ((insn >> 10) & 3) {
	case 1:
		if (insn >> 31)
			emu_undefined(cpu);
		fp_ccmp(cpu, insn);
		return;
	case 2:
		if (insn >> 31)
			emu_undefined(cpu);
		fp_2src(cpu, insn);
		return;
	case 3:
		if (insn >> 31)
			emu_undefined(cpu);
		fp_csel(cpu, insn);
		return;
	default:
		break;
	}
	if (((insn >> 10) & 63) == 0) {
		fp_int(cpu, insn);
		return;
	}
	if (insn >> 31)
		emu_undefined(cpu);
	if (((insn >> 10) & 31) == 16)
		fp_1src(cpu, insn);
	else if (((insn >> 10) & 15) == 8)
		fp_compare(cpu, insn);
	else if (((insn >> 10) & 7) == 4)
		fp_imm(cpu, insn);
	else
		emu_undefined(cpu);
}
