/*
 * jit_fp.c - inline code for the frequent FP arithmetic forms that
 * fast_fp.c has handlers for (FADD, FSUB, FMUL, FDIV, FMLA, FMLS on
 * vectors and by element, the scalar arithmetic and FMADD family), on the
 * host's AVX and FMA3 units, with fast_fp.c's rule for when the host's
 * result is Arm's checked in line:
 *  - FPCR: round to nearest, no flush to zero; SIMD&FP accessible
 *    (CPACR_EL1.FPEN 0b11, no EL2 of the guest's own);
 *  - every result lane normal and clear of the underflow threshold (its
 *    exponent not 0, 1 or all ones: no NaN, infinity, zero or denormal,
 *    where NaN propagation and tininess differ).
 * Else the slow path runs the handler, which starts from scratch: nothing
 * was written.  Operand lanes need no check: a NaN or an infinity among
 * them gives a NaN, infinite or zero result.  The flags stay in the run's
 * MXCSR (fp_arith.h fpu_env_enter); those of an attempt given up are
 * ones Arm raises too (round to nearest, no flush: x86's underflow after
 * rounding implies Arm's before).  Lanes a 64-bit or scalar form does
 * not have are zeros, on which add, subtract, multiply and multiply-add
 * raise nothing (so no 64-bit vector divide, 0 / 0, and no 64-bit by
 * element form, whose broadcast lanes would not be zeros).
 */
#include <stddef.h>

#include "../fp_arith.h"
#include "../icache.h"
#include "jit_priv.h"

/* The result check's constants (jit->fp_const): per precision, a bias
 * and a limit such that, with r's bits shifted left by one (the sign
 * dropped), (r << 1) + bias > limit (signed) exactly when r's exponent
 * is 0, 1 or all ones.  Single: 2|r| < 0x02000000 or >= 0xff000000; double:
 * 2|r| < 0x0040000000000000 or >= 0xffe0000000000000. */
enum { K_BIAS_S = 0, K_LIM_S = 16, K_BIAS_D = 32, K_LIM_D = 48 };

void jit_fp_emit_consts(struct emu_jit *jit, struct x86_buf *b)
{
	while (x86_here(b) & 15)
		x86_byte(b, 0xcc);
	jit->fp_const = x86_here(b);
	for (unsigned i = 0; i < 4; i++)
		x86_u32(b, 0x7e000000u);
	for (unsigned i = 0; i < 4; i++)
		x86_u32(b, 0x7cffffffu);
	for (unsigned i = 0; i < 2; i++)
		x86_u64(b, 0x7fc0000000000000ull);
	for (unsigned i = 0; i < 2; i++)
		x86_u64(b, 0x7f9fffffffffffffull);
}

uint8_t *jit_fp_access_check(struct x86_buf *b)
{
	x86_load(b, false, RCX, RBX, CPU(sr) + 8 * SR_CPACR_EL1);
	x86_not(b, false, RCX);
	x86_alu_ri(b, ALU_AND, false, RCX, 3 << 20);
	x86_load_zx(b, 1, RAX, RBX, CPU(el2));
	x86_alu_rr(b, ALU_OR, false, RAX, RCX);
	return x86_jcc(b, CC_NE);
}

void jit_fp_store_v(struct x86_buf *b, unsigned size, unsigned n, unsigned base, unsigned index, int32_t disp)
{
	if (size == 16) {
		x86_vload128(b, 0, RBX, VREG(n));
		x86_vstore128x(b, 0, base, index, disp);
	} else {
		x86_load(b, size == 8, RDX, RBX, VREG(n));
		x86_store_nx(b, size, RDX, base, index, disp);
	}
}

void jit_fp_load_v(struct x86_buf *b, unsigned size, unsigned n, unsigned base, unsigned index, int32_t disp)
{
	if (size == 16) {
		x86_vload128x(b, 0, base, index, disp);
		x86_vstore128(b, 0, RBX, VREG(n));
	} else {
		x86_load_zxx(b, size, RDX, base, index, disp);
		x86_store(b, true, RDX, RBX, VREG(n));
		x86_store_imm(b, RBX, VREG(n) + 8, 0);
	}
}

/* Whether f has inline code here. */
static bool inlined(const struct emu_fp_form *f)
{
	if (f->shape == EMU_FP_E64)
		return false;
	return !(f->shape == EMU_FP_V64 && f->op == EMU_FP_DIV);
}

/* xmm = the register n as an operand of f's shape (unused lanes zero). */
static void operand(struct x86_buf *b, const struct emu_fp_form *f, unsigned xmm, unsigned n)
{
	if (f->shape == EMU_FP_VQ || f->shape == EMU_FP_EQ)
		x86_vload128(b, xmm, RBX, VREG(n));
	else if (f->shape == EMU_FP_V64 || f->d)
		x86_vload64(b, xmm, RBX, VREG(n));
	else
		x86_vload32(b, xmm, RBX, VREG(n));
}

bool jit_fp_emit(const struct emu_jit *jit, struct x86_buf *b, const struct emu_op *op,
		 const struct emu_fp_form *f, uint8_t *slow[3])
{
	if (!inlined(f))
		return false;
	bool scalar = f->shape == EMU_FP_SCALAR, d = f->d;
	enum x86_vex_pp pp = scalar ? (d ? VEX_F2 : VEX_F3) : (d ? VEX_66 : VEX_NP);

	/* FPCR in RAX (free: flags were stored first) */
	x86_test_mi(b, RBX, CPU(fpcr), (int32_t)(FPCR_FZ | 3u << FPCR_RMODE_SHIFT));
	slow[0] = x86_jcc(b, CC_NE);
	slow[1] = jit_fp_access_check(b);

	/* XMM0 = Vn; the second operand Vm from memory where its width is
	 * the operation's, else XMM1 */
	operand(b, f, 0, op->rn);
	bool m_in_reg = f->shape == EMU_FP_V64 || f->shape == EMU_FP_EQ;
	if (f->shape == EMU_FP_V64)
		x86_vload64(b, 1, RBX, VREG(op->rm));
	else if (f->shape == EMU_FP_EQ && d) /* vmovddup */
		x86_vex_rm(b, VEX_0F, VEX_F2, false, 0x12, 1, 0, RBX, VREG(op->rm) + 8 * (f->index & 1));
	else if (f->shape == EMU_FP_EQ) /* vbroadcastss */
		x86_vex_rm(b, VEX_0F38, VEX_66, false, 0x18, 1, 0, RBX, VREG(op->rm) + 4 * f->index);
	unsigned r; /* the result's XMM */
	if (f->op == EMU_FP_FMA) {
		/* vf[n]madd231 / vf[n]msub231: XMM2 = +-(XMM0 * Vm) +- XMM2 */
		static const uint8_t fma_op[2][2] = { { 0xb8, 0xba }, { 0xbc, 0xbe } }; /* [neg_n][neg_a] */
		unsigned opc = fma_op[f->neg_n][f->neg_a] + (scalar ? 1 : 0);
		operand(b, f, 2, scalar ? op->ra : op->rd);
		if (m_in_reg)
			x86_vex_rr(b, VEX_0F38, VEX_66, d, opc, 2, 0, 1);
		else
			x86_vex_rm(b, VEX_0F38, VEX_66, d, opc, 2, 0, RBX, VREG(op->rm));
		r = 2;
	} else {
		static const uint8_t arith_op[4] = { 0x58, 0x5c, 0x59, 0x5e }; /* add sub mul div */
		if (m_in_reg)
			x86_vex_rr(b, VEX_0F, pp, false, arith_op[f->op], 0, 0, 1);
		else
			x86_vex_rm(b, VEX_0F, pp, false, arith_op[f->op], 0, 0, RBX, VREG(op->rm));
		r = 0;
	}

	/* the result check, in XMM3 and RAX */
	x86_vshift_ri(b, VSH_SLL, d ? 3 : 2, 3, r, 1);
	x86_vex_rip(b, VEX_0F, VEX_66, false, d ? 0xd4 : 0xfe, 3, 3, jit->fp_const + (d ? K_BIAS_D : K_BIAS_S));
	if (d) /* vpcmpgtq */
		x86_vex_rip(b, VEX_0F38, VEX_66, false, 0x37, 3, 3, jit->fp_const + K_LIM_D);
	else /* vpcmpgtd */
		x86_vex_rip(b, VEX_0F, VEX_66, false, 0x66, 3, 3, jit->fp_const + K_LIM_S);
	x86_vmovmsk(b, d, RAX, 3);
	unsigned lanes = scalar ? 1 : f->shape == EMU_FP_V64 ? 3 : d ? 3 : 15;
	x86_test_r8i(b, RAX, (uint8_t)lanes);
	slow[2] = x86_jcc(b, CC_NE);
	x86_vstore128(b, r, RBX, VREG(op->rd));
	return true;
}
