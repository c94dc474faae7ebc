/*
 * fast_alu.c - cached operations for the frequent data-processing forms:
 * ADD/SUB/ADDS/SUBS (immediate, shifted register), logical (immediate,
 * shifted register), MOVZ/MOVN/MOVK, ADR/ADRP, UBFM/SBFM/BFM, EXTR, CSEL
 * family, CCMP/CCMN, MADD/MSUB and the long multiplies, DIV, variable
 * shifts, ADC/SBC, RBIT/REV/CLZ/CLS.  Operands are decoded once; forms with SP
 * operands, unallocated encodings and the rarer instructions are left to
 * dp_imm.c / dp_reg.c, which define the semantics these must match.
 */
#include "alu.h"
#include "icache.h"

/* ---- results to a register (31 = ZR unless said otherwise) ------------ */

/* Constant result (MOVZ/MOVN/ADR/ADRP, precomputed). */
static bool op_movi(struct emu_cpu *cpu, const struct emu_op *op)
{
	cpu->x[op->rd] = op->imm;
	return IC_NEXT(cpu, op);
}

static bool op_movk64(struct emu_cpu *cpu, const struct emu_op *op)
{
	cpu->x[op->rd] = (cpu->x[op->rd] & ~((uint64_t)0xffff << op->ra)) | op->imm;
	return IC_NEXT(cpu, op);
}

static bool op_movk32(struct emu_cpu *cpu, const struct emu_op *op)
{
	cpu->x[op->rd] = (uint32_t)((cpu->x[op->rd] & ~((uint64_t)0xffff << op->ra)) | op->imm);
	return IC_NEXT(cpu, op);
}

/* ADD/SUB (immediate), no flags, Rd and Rn not SP: imm is negated for SUB. */
static bool op_addi64(struct emu_cpu *cpu, const struct emu_op *op)
{
	cpu->x[op->rd] = cpu->x[op->rn] + op->imm;
	return IC_NEXT(cpu, op);
}

static bool op_addi32(struct emu_cpu *cpu, const struct emu_op *op)
{
	cpu->x[op->rd] = (uint32_t)(cpu->x[op->rn] + op->imm);
	return IC_NEXT(cpu, op);
}

/* Same with SP for Rd and/or Rn. */
static bool op_addi64_sp(struct emu_cpu *cpu, const struct emu_op *op)
{
	set_xreg_sp(cpu, op->rd, xreg_sp(cpu, op->rn) + op->imm);
	return IC_NEXT(cpu, op);
}

static bool op_addi32_sp(struct emu_cpu *cpu, const struct emu_op *op)
{
	set_xreg_sp(cpu, op->rd, (uint32_t)(xreg_sp(cpu, op->rn) + op->imm));
	return IC_NEXT(cpu, op);
}

/* The lazy flags of a + b or a - b = r (sf: 64-bit). */
static inline void cc_addsub(struct emu_cpu *cpu, bool sf, bool sub, uint64_t a, uint64_t b, uint64_t r)
{
	if (sf)
		sub ? cc_sub64(cpu, a, b, r) : cc_add64(cpu, a, b, r);
	else
		sub ? cc_sub32(cpu, (uint32_t)a, (uint32_t)b, (uint32_t)r) : cc_add32(cpu, (uint32_t)a, (uint32_t)b, (uint32_t)r);
}

/* ADDS/SUBS (immediate).  form: 0 Rn may be SP and Rd ZR; 1 Rn not SP,
 * Rd is ZR (CMP/CMN: no write); 2 neither is 31. */
#define ADDSI_OP(name, sf, sub, form)                                                         \
	static bool name(struct emu_cpu *cpu, const struct emu_op *op)                       \
	{                                                                                     \
		uint64_t a = (form) == 0 ? xreg_sp(cpu, op->rn) : cpu->x[op->rn], b = op->imm; \
		uint64_t r = (sub) ? a - b : a + b;                                           \
		cc_addsub(cpu, sf, sub, a, b, r);                                             \
		if (!(sf))                                                                    \
			r = (uint32_t)r;                                                      \
		if ((form) == 0)                                                              \
			set_xreg(cpu, op->rd, r);                                             \
		else if ((form) == 2)                                                         \
			cpu->x[op->rd] = r;                                                   \
		return IC_NEXT(cpu, op);                                                      \
	}
#define ADDSI_SET(sfx, sf, sub)                      \
	ADDSI_OP(op_##sfx, sf, sub, 0)               \
	ADDSI_OP(op_##sfx##_zr, sf, sub, 1)          \
	ADDSI_OP(op_##sfx##_rr, sf, sub, 2)

ADDSI_SET(addsi64, 1, 0)
ADDSI_SET(addsi32, 0, 0)
ADDSI_SET(subsi64, 1, 1)
ADDSI_SET(subsi32, 0, 1)

/* [sf][sub][form] */
static const emu_op_fn addsi_ops[2][2][3] = {
	{ { op_addsi32, op_addsi32_zr, op_addsi32_rr }, { op_subsi32, op_subsi32_zr, op_subsi32_rr } },
	{ { op_addsi64, op_addsi64_zr, op_addsi64_rr }, { op_subsi64, op_subsi64_zr, op_subsi64_rr } },
};

/* MOV (register): ORR Rd, ZR, Rm. */
static bool op_mov64(struct emu_cpu *cpu, const struct emu_op *op)
{
	cpu->x[op->rd] = cpu->x[op->rm];
	return IC_NEXT(cpu, op);
}

static bool op_mov32(struct emu_cpu *cpu, const struct emu_op *op)
{
	cpu->x[op->rd] = (uint32_t)cpu->x[op->rm];
	return IC_NEXT(cpu, op);
}

/* Logical (immediate), Rd not SP. */
static bool op_andi(struct emu_cpu *cpu, const struct emu_op *op)
{
	cpu->x[op->rd] = cpu->x[op->rn] & op->imm; /* imm has 32 bits for W */
	return IC_NEXT(cpu, op);
}

static bool op_orri64(struct emu_cpu *cpu, const struct emu_op *op)
{
	cpu->x[op->rd] = cpu->x[op->rn] | op->imm;
	return IC_NEXT(cpu, op);
}

static bool op_orri32(struct emu_cpu *cpu, const struct emu_op *op)
{
	cpu->x[op->rd] = (uint32_t)(cpu->x[op->rn] | op->imm);
	return IC_NEXT(cpu, op);
}

static bool op_eori64(struct emu_cpu *cpu, const struct emu_op *op)
{
	cpu->x[op->rd] = cpu->x[op->rn] ^ op->imm;
	return IC_NEXT(cpu, op);
}

static bool op_eori32(struct emu_cpu *cpu, const struct emu_op *op)
{
	cpu->x[op->rd] = (uint32_t)(cpu->x[op->rn] ^ op->imm);
	return IC_NEXT(cpu, op);
}

static bool op_andsi64(struct emu_cpu *cpu, const struct emu_op *op)
{
	uint64_t r = cpu->x[op->rn] & op->imm;
	cc_logic(cpu, r);
	set_xreg(cpu, op->rd, r);
	return IC_NEXT(cpu, op);
}

static bool op_andsi32(struct emu_cpu *cpu, const struct emu_op *op)
{
	uint32_t r = (uint32_t)(cpu->x[op->rn] & op->imm);
	cc_logic(cpu, alu_sext(r, 32));
	set_wreg(cpu, op->rd, r);
	return IC_NEXT(cpu, op);
}

/* UBFM: ROR(src, ra) & imm (imm = wmask AND tmask). */
static bool op_ubfm64(struct emu_cpu *cpu, const struct emu_op *op)
{
	cpu->x[op->rd] = ror64(cpu->x[op->rn], op->ra) & op->imm;
	return IC_NEXT(cpu, op);
}

static bool op_ubfm32(struct emu_cpu *cpu, const struct emu_op *op)
{
	cpu->x[op->rd] = ror32((uint32_t)cpu->x[op->rn], op->ra) & op->imm;
	return IC_NEXT(cpu, op);
}

/* SBFM with imms >= immr (SBFX, ASR, SXTB/H/W): the field src<imms:immr>
 * sign-extended; rm = its width, ra = immr, imm = datasize mask. */
static bool op_sbfx(struct emu_cpu *cpu, const struct emu_op *op)
{
	cpu->x[op->rd] = alu_sext(cpu->x[op->rn] >> op->ra, op->rm) & op->imm;
	return IC_NEXT(cpu, op);
}

/* SBFM with imms < immr (SBFIZ): src<imms:0> sign-extended, shifted left
 * by ra = datasize - immr; rm = imms + 1. */
static bool op_sbfiz(struct emu_cpu *cpu, const struct emu_op *op)
{
	cpu->x[op->rd] = (alu_sext(cpu->x[op->rn], op->rm) << op->ra) & op->imm;
	return IC_NEXT(cpu, op);
}

/* BFM (BFI, BFXIL, BFC): imm = wmask AND tmask, ra = immr; the bits of
 * Rd outside imm are kept. */
static bool op_bfm64(struct emu_cpu *cpu, const struct emu_op *op)
{
	uint64_t m = op->imm;
	cpu->x[op->rd] = (cpu->x[op->rd] & ~m) | (ror64(cpu->x[op->rn], op->ra) & m);
	return IC_NEXT(cpu, op);
}

static bool op_bfm32(struct emu_cpu *cpu, const struct emu_op *op)
{
	uint32_t m = (uint32_t)op->imm;
	cpu->x[op->rd] = ((uint32_t)cpu->x[op->rd] & ~m) | (ror32((uint32_t)cpu->x[op->rn], op->ra) & m);
	return IC_NEXT(cpu, op);
}

/* EXTR (ROR immediate when Rn = Rm): ra = lsb. */
static bool op_extr64(struct emu_cpu *cpu, const struct emu_op *op)
{
	cpu->x[op->rd] = alu_extr64(cpu->x[op->rn], cpu->x[op->rm], op->ra);
	return IC_NEXT(cpu, op);
}

static bool op_extr32(struct emu_cpu *cpu, const struct emu_op *op)
{
	cpu->x[op->rd] = alu_extr32((uint32_t)cpu->x[op->rn], (uint32_t)cpu->x[op->rm], op->ra);
	return IC_NEXT(cpu, op);
}

/* RBIT, REV16, REV, REV32, CLZ, CLS: one handler per opcode and size. */
#define DP1_OP(name, opcode, sf)                                                       \
	static bool name(struct emu_cpu *cpu, const struct emu_op *op)                 \
	{                                                                               \
		uint64_t r = alu_dp1(opcode, sf, cpu->x[op->rn]);                        \
		cpu->x[op->rd] = (sf) ? r : (uint32_t)r;                                 \
		return IC_NEXT(cpu, op);                                                \
	}
#define DP1_SET(sf, sfx)                                                          \
	DP1_OP(op_rbit##sfx, DP1_RBIT, sf) DP1_OP(op_rev16##sfx, DP1_REV16, sf)     \
	DP1_OP(op_rev32##sfx, DP1_REV32, sf) DP1_OP(op_clz##sfx, DP1_CLZ, sf)       \
	DP1_OP(op_cls##sfx, DP1_CLS, sf)
DP1_SET(0, _w)
DP1_SET(1, _x)
DP1_OP(op_rev64, DP1_REV64, 1)

/* [sf][opcode] (REV64 only for sf) */
static const emu_op_fn dp1_ops[2][6] = {
	{ op_rbit_w, op_rev16_w, op_rev32_w, NULL, op_clz_w, op_cls_w },
	{ op_rbit_x, op_rev16_x, op_rev32_x, op_rev64, op_clz_x, op_cls_x },
};

/* ADC/ADCS/SBC/SBCS (SBC adds NOT Rm); ADCS/SBCS with Rd not ZR. */
#define ADC_OP(name, sf, sub, setflags)                                                          \
	static bool name(struct emu_cpu *cpu, const struct emu_op *op)                           \
	{                                                                                         \
		uint64_t a = cpu->x[op->rn], b = (sub) ? ~cpu->x[op->rm] : cpu->x[op->rm];          \
		unsigned carry = (unsigned)cpu->cc_c;                                             \
		if (setflags) {                                                                   \
			uint32_t nzcv;                                                            \
			cpu->x[op->rd] = (sf) ? add_with_carry64(a, b, carry, &nzcv)              \
					      : add_with_carry32((uint32_t)a, (uint32_t)b, carry, &nzcv); \
			cc_load(cpu, nzcv);                                                       \
		} else {                                                                          \
			uint64_t r = a + b + carry;                                               \
			cpu->x[op->rd] = (sf) ? r : (uint32_t)r;                                  \
		}                                                                                 \
		return IC_NEXT(cpu, op);                                                          \
	}
ADC_OP(op_adc_w, 0, 0, 0)
ADC_OP(op_adcs_w, 0, 0, 1)
ADC_OP(op_sbc_w, 0, 1, 0)
ADC_OP(op_sbcs_w, 0, 1, 1)
ADC_OP(op_adc_x, 1, 0, 0)
ADC_OP(op_adcs_x, 1, 0, 1)
ADC_OP(op_sbc_x, 1, 1, 0)
ADC_OP(op_sbcs_x, 1, 1, 1)

/* [sf][op:S] */
static const emu_op_fn adc_ops[2][4] = {
	{ op_adc_w, op_adcs_w, op_sbc_w, op_sbcs_w },
	{ op_adc_x, op_adcs_x, op_sbc_x, op_sbcs_x },
};

/* ---- shifted-register forms: one handler per (operation, shift, size) - */

#define SHIFTED(sf, type, v, amt) \
	((sf) ? shift_reg64((v), (type), (amt)) : (uint64_t)shift_reg32((uint32_t)(v), (type), (amt)))

/* Logical (shifted register): opc:N = and, bic, orr, orn, eor, eon, ands,
 * bics; flags: 1 with Rd not ZR, 2 with Rd ZR (TST: no write). */
#define LOGIC_OP(name, sf, type, expr, flags)                                          \
	static bool name(struct emu_cpu *cpu, const struct emu_op *op)                \
	{                                                                              \
		uint64_t a = cpu->x[op->rn];                                           \
		uint64_t b = SHIFTED(sf, type, cpu->x[op->rm], op->ra);                \
		uint64_t r = (expr);                                                   \
		if (!(sf))                                                             \
			r = (uint32_t)r;                                               \
		if (flags) {                                                           \
			cc_logic(cpu, (sf) ? r : alu_sext(r, 32));                     \
			if ((flags) == 1)                                              \
				cpu->x[op->rd] = r;                                    \
		} else {                                                               \
			cpu->x[op->rd] = r;                                            \
		}                                                                      \
		return IC_NEXT(cpu, op);                                                          \
	}

#define LOGIC_SET(sf, type, sfx)                                  \
	LOGIC_OP(op_and_##sfx, sf, type, a & b, 0)                \
	LOGIC_OP(op_bic_##sfx, sf, type, a & ~b, 0)               \
	LOGIC_OP(op_orr_##sfx, sf, type, a | b, 0)                \
	LOGIC_OP(op_orn_##sfx, sf, type, a | ~b, 0)               \
	LOGIC_OP(op_eor_##sfx, sf, type, a ^ b, 0)                \
	LOGIC_OP(op_eon_##sfx, sf, type, a ^ ~b, 0)               \
	LOGIC_OP(op_ands_##sfx, sf, type, a & b, 1)               \
	LOGIC_OP(op_bics_##sfx, sf, type, a & ~b, 1)              \
	LOGIC_OP(op_ands_##sfx##_zr, sf, type, a & b, 2)          \
	LOGIC_OP(op_bics_##sfx##_zr, sf, type, a & ~b, 2)

LOGIC_SET(1, SHIFT_LSL, x_lsl)
LOGIC_SET(1, SHIFT_LSR, x_lsr)
LOGIC_SET(1, SHIFT_ASR, x_asr)
LOGIC_SET(1, SHIFT_ROR, x_ror)
LOGIC_SET(0, SHIFT_LSL, w_lsl)
LOGIC_SET(0, SHIFT_LSR, w_lsr)
LOGIC_SET(0, SHIFT_ASR, w_asr)
LOGIC_SET(0, SHIFT_ROR, w_ror)

#define LOGIC_ROW(sfx)                                                                          \
	{ op_and_##sfx, op_bic_##sfx, op_orr_##sfx, op_orn_##sfx, op_eor_##sfx, op_eon_##sfx, \
	  op_ands_##sfx, op_bics_##sfx, op_ands_##sfx##_zr, op_bics_##sfx##_zr }

/* [sf][type][opc:N, or 8 + N for ANDS/BICS with Rd = ZR] */
static const emu_op_fn logic_ops[2][4][10] = {
	{ LOGIC_ROW(w_lsl), LOGIC_ROW(w_lsr), LOGIC_ROW(w_asr), LOGIC_ROW(w_ror) },
	{ LOGIC_ROW(x_lsl), LOGIC_ROW(x_lsr), LOGIC_ROW(x_asr), LOGIC_ROW(x_ror) },
};

/* ADD/SUB/ADDS/SUBS (shifted register); flags: 1 with Rd not ZR, 2 with
 * Rd ZR (CMP/CMN: no write). */
#define ADDSUB_OP(name, sf, type, sub, flags)                                                   \
	static bool name(struct emu_cpu *cpu, const struct emu_op *op)                         \
	{                                                                                       \
		uint64_t a = cpu->x[op->rn];                                                    \
		uint64_t b = SHIFTED(sf, type, cpu->x[op->rm], op->ra);                         \
		if (flags) {                                                                    \
			uint64_t r = (sub) ? a - b : a + b;                                     \
			cc_addsub(cpu, sf, sub, a, b, r);                                       \
			if ((flags) == 1)                                                       \
				cpu->x[op->rd] = (sf) ? r : (uint32_t)r;                        \
		} else {                                                                        \
			uint64_t r = (sub) ? a - b : a + b;                                     \
			cpu->x[op->rd] = (sf) ? r : (uint32_t)r;                                \
		}                                                                               \
		return IC_NEXT(cpu, op);                                                                   \
	}

#define ADDSUB_SET(sf, type, sfx)                       \
	ADDSUB_OP(op_add_##sfx, sf, type, 0, 0)         \
	ADDSUB_OP(op_adds_##sfx, sf, type, 0, 1)        \
	ADDSUB_OP(op_sub_##sfx, sf, type, 1, 0)         \
	ADDSUB_OP(op_subs_##sfx, sf, type, 1, 1)        \
	ADDSUB_OP(op_adds_##sfx##_zr, sf, type, 0, 2)   \
	ADDSUB_OP(op_subs_##sfx##_zr, sf, type, 1, 2)

ADDSUB_SET(1, SHIFT_LSL, x_lsl)
ADDSUB_SET(1, SHIFT_LSR, x_lsr)
ADDSUB_SET(1, SHIFT_ASR, x_asr)
ADDSUB_SET(0, SHIFT_LSL, w_lsl)
ADDSUB_SET(0, SHIFT_LSR, w_lsr)
ADDSUB_SET(0, SHIFT_ASR, w_asr)

#define ADDSUB_ROW(sfx) \
	{ op_add_##sfx, op_adds_##sfx, op_sub_##sfx, op_subs_##sfx, op_adds_##sfx##_zr, op_subs_##sfx##_zr }

/* [sf][type][op:S, or 4 + op for ADDS/SUBS with Rd = ZR] */
static const emu_op_fn addsub_ops[2][3][6] = {
	{ ADDSUB_ROW(w_lsl), ADDSUB_ROW(w_lsr), ADDSUB_ROW(w_asr) },
	{ ADDSUB_ROW(x_lsl), ADDSUB_ROW(x_lsr), ADDSUB_ROW(x_asr) },
};

/* ADD/SUB/ADDS/SUBS (extended register): Rn may be SP, so may Rd without
 * flags; op->imm = option, op->ra = shift; flags as ADDSUB_OP's. */
#define ADDEXT_OP(name, sf, sub, flags)                                                         \
	static bool name(struct emu_cpu *cpu, const struct emu_op *op)                         \
	{                                                                                       \
		uint64_t a = xreg_sp(cpu, op->rn);                                              \
		uint64_t b = alu_extend_reg(cpu->x[op->rm], (unsigned)op->imm, op->ra);         \
		uint64_t r = (sub) ? a - b : a + b;                                             \
		if (!(sf))                                                                      \
			r = (uint32_t)r;                                                        \
		if (flags) {                                                                    \
			cc_addsub(cpu, sf, sub, a, b, r);                                       \
			if ((flags) == 1)                                                       \
				cpu->x[op->rd] = r;                                             \
		} else {                                                                        \
			set_xreg_sp(cpu, op->rd, r);                                            \
		}                                                                               \
		return IC_NEXT(cpu, op);                                                        \
	}
#define ADDEXT_SET(sf, sfx)                      \
	ADDEXT_OP(op_add_ext_##sfx, sf, 0, 0)    \
	ADDEXT_OP(op_adds_ext_##sfx, sf, 0, 1)   \
	ADDEXT_OP(op_sub_ext_##sfx, sf, 1, 0)    \
	ADDEXT_OP(op_subs_ext_##sfx, sf, 1, 1)   \
	ADDEXT_OP(op_adds_ext_##sfx##_zr, sf, 0, 2) \
	ADDEXT_OP(op_subs_ext_##sfx##_zr, sf, 1, 2)
ADDEXT_SET(1, x)
ADDEXT_SET(0, w)

/* [sf][op:S, or 4 + op for ADDS/SUBS with Rd = ZR] */
static const emu_op_fn addext_ops[2][6] = {
	{ op_add_ext_w, op_adds_ext_w, op_sub_ext_w, op_subs_ext_w, op_adds_ext_w_zr, op_subs_ext_w_zr },
	{ op_add_ext_x, op_adds_ext_x, op_sub_ext_x, op_subs_ext_x, op_adds_ext_x_zr, op_subs_ext_x_zr },
};

/* ---- conditional select / compare ------------------------------------- */

#define CSEL_OP(name, sf, inv, inc)                                        \
	static bool name(struct emu_cpu *cpu, const struct emu_op *op)    \
	{                                                                  \
		uint64_t r;                                                \
		if (cc_holds_rt(cpu, op->ra)) {                            \
			r = cpu->x[op->rn];                                \
		} else {                                                   \
			r = cpu->x[op->rm];                                \
			if (inv)                                           \
				r = ~r;                                    \
			if (inc)                                           \
				r += 1;                                    \
		}                                                          \
		cpu->x[op->rd] = (sf) ? r : (uint32_t)r;                   \
		return IC_NEXT(cpu, op);                                              \
	}

CSEL_OP(op_csel_x, 1, 0, 0)
CSEL_OP(op_csinc_x, 1, 0, 1)
CSEL_OP(op_csinv_x, 1, 1, 0)
CSEL_OP(op_csneg_x, 1, 1, 1)
CSEL_OP(op_csel_w, 0, 0, 0)
CSEL_OP(op_csinc_w, 0, 0, 1)
CSEL_OP(op_csinv_w, 0, 1, 0)
CSEL_OP(op_csneg_w, 0, 1, 1)

/* [sf][op:o2] */
static const emu_op_fn csel_ops[2][4] = {
	{ op_csel_w, op_csinc_w, op_csinv_w, op_csneg_w },
	{ op_csel_x, op_csinc_x, op_csinv_x, op_csneg_x },
};

/* CCMP/CCMN: ra = cond, imm = NZCV to set when it fails; rm = Rm or imm5. */
#define CCMP_OP(name, sf, sub, is_imm)                                                          \
	static bool name(struct emu_cpu *cpu, const struct emu_op *op)                         \
	{                                                                                       \
		if (!cc_holds_rt(cpu, op->ra)) {                                                \
			cc_load(cpu, (uint32_t)op->imm);                                        \
			return IC_NEXT(cpu, op);                                                           \
		}                                                                               \
		uint64_t a = cpu->x[op->rn];                                                    \
		uint64_t b = (is_imm) ? op->rm : cpu->x[op->rm];                                \
		uint64_t r = (sub) ? a - b : a + b;                                             \
		if (sf)                                                                         \
			(sub) ? cc_sub64(cpu, a, b, r) : cc_add64(cpu, a, b, r);                \
		else                                                                            \
			(sub) ? cc_sub32(cpu, (uint32_t)a, (uint32_t)b, (uint32_t)r)            \
			      : cc_add32(cpu, (uint32_t)a, (uint32_t)b, (uint32_t)r);           \
		return IC_NEXT(cpu, op);                                                                   \
	}

CCMP_OP(op_ccmn_w_reg, 0, 0, 0)
CCMP_OP(op_ccmn_w_imm, 0, 0, 1)
CCMP_OP(op_ccmp_w_reg, 0, 1, 0)
CCMP_OP(op_ccmp_w_imm, 0, 1, 1)
CCMP_OP(op_ccmn_x_reg, 1, 0, 0)
CCMP_OP(op_ccmn_x_imm, 1, 0, 1)
CCMP_OP(op_ccmp_x_reg, 1, 1, 0)
CCMP_OP(op_ccmp_x_imm, 1, 1, 1)

/* [sf][sub][imm] */
static const emu_op_fn ccmp_ops[2][2][2] = {
	{ { op_ccmn_w_reg, op_ccmn_w_imm }, { op_ccmp_w_reg, op_ccmp_w_imm } },
	{ { op_ccmn_x_reg, op_ccmn_x_imm }, { op_ccmp_x_reg, op_ccmp_x_imm } },
};

/* MADD/MSUB: Rd = Ra +/- Rn * Rm. */
static bool op_madd64(struct emu_cpu *cpu, const struct emu_op *op)
{
	cpu->x[op->rd] = cpu->x[op->ra] + cpu->x[op->rn] * cpu->x[op->rm];
	return IC_NEXT(cpu, op);
}

static bool op_msub64(struct emu_cpu *cpu, const struct emu_op *op)
{
	cpu->x[op->rd] = cpu->x[op->ra] - cpu->x[op->rn] * cpu->x[op->rm];
	return IC_NEXT(cpu, op);
}

static bool op_madd32(struct emu_cpu *cpu, const struct emu_op *op)
{
	cpu->x[op->rd] = (uint32_t)(cpu->x[op->ra] + cpu->x[op->rn] * cpu->x[op->rm]);
	return IC_NEXT(cpu, op);
}

static bool op_msub32(struct emu_cpu *cpu, const struct emu_op *op)
{
	cpu->x[op->rd] = (uint32_t)(cpu->x[op->ra] - cpu->x[op->rn] * cpu->x[op->rm]);
	return IC_NEXT(cpu, op);
}

/* SMADDL/SMSUBL/UMADDL/UMSUBL: Xd = Xa +/- Wn * Wm. */
#define MULL_OP(name, mul, sign)                                                   \
	static bool name(struct emu_cpu *cpu, const struct emu_op *op)             \
	{                                                                          \
		cpu->x[op->rd] = cpu->x[op->ra] sign mul(cpu->x[op->rn], cpu->x[op->rm]); \
		return IC_NEXT(cpu, op);                                           \
	}
MULL_OP(op_smaddl, alu_smull, +)
MULL_OP(op_smsubl, alu_smull, -)
MULL_OP(op_umaddl, alu_umull, +)
MULL_OP(op_umsubl, alu_umull, -)

/* [unsigned][sub] */
static const emu_op_fn mull_ops[2][2] = { { op_smaddl, op_smsubl }, { op_umaddl, op_umsubl } };

static bool op_smulh(struct emu_cpu *cpu, const struct emu_op *op)
{
	cpu->x[op->rd] = alu_smulh(cpu->x[op->rn], cpu->x[op->rm]);
	return IC_NEXT(cpu, op);
}

static bool op_umulh(struct emu_cpu *cpu, const struct emu_op *op)
{
	cpu->x[op->rd] = alu_umulh(cpu->x[op->rn], cpu->x[op->rm]);
	return IC_NEXT(cpu, op);
}

/* UDIV/SDIV. */
static bool op_udiv64(struct emu_cpu *cpu, const struct emu_op *op)
{
	cpu->x[op->rd] = alu_udiv(cpu->x[op->rn], cpu->x[op->rm]);
	return IC_NEXT(cpu, op);
}

static bool op_udiv32(struct emu_cpu *cpu, const struct emu_op *op)
{
	cpu->x[op->rd] = alu_udiv((uint32_t)cpu->x[op->rn], (uint32_t)cpu->x[op->rm]);
	return IC_NEXT(cpu, op);
}

static bool op_sdiv64(struct emu_cpu *cpu, const struct emu_op *op)
{
	cpu->x[op->rd] = alu_sdiv(cpu->x[op->rn], cpu->x[op->rm]);
	return IC_NEXT(cpu, op);
}

static bool op_sdiv32(struct emu_cpu *cpu, const struct emu_op *op)
{
	cpu->x[op->rd] = (uint32_t)alu_sdiv(alu_sext(cpu->x[op->rn], 32), alu_sext(cpu->x[op->rm], 32));
	return IC_NEXT(cpu, op);
}

/* [sf][signed] */
static const emu_op_fn div_ops[2][2] = { { op_udiv32, op_sdiv32 }, { op_udiv64, op_sdiv64 } };

/* LSLV/LSRV/ASRV/RORV: the amount is Rm modulo the register size. */
#define SHIFTV_OP(name, sf, type)                                                                 \
	static bool name(struct emu_cpu *cpu, const struct emu_op *op)                            \
	{                                                                                         \
		cpu->x[op->rd] = shift_reg(cpu->x[op->rn], type, (unsigned)cpu->x[op->rm] & (sf ? 63 : 31), sf); \
		return IC_NEXT(cpu, op);                                                          \
	}
SHIFTV_OP(op_lslv_w, 0, SHIFT_LSL)
SHIFTV_OP(op_lsrv_w, 0, SHIFT_LSR)
SHIFTV_OP(op_asrv_w, 0, SHIFT_ASR)
SHIFTV_OP(op_rorv_w, 0, SHIFT_ROR)
SHIFTV_OP(op_lslv_x, 1, SHIFT_LSL)
SHIFTV_OP(op_lsrv_x, 1, SHIFT_LSR)
SHIFTV_OP(op_asrv_x, 1, SHIFT_ASR)
SHIFTV_OP(op_rorv_x, 1, SHIFT_ROR)

/* [sf][type] */
static const emu_op_fn shiftv_ops[2][4] = {
	{ op_lslv_w, op_lsrv_w, op_asrv_w, op_rorv_w },
	{ op_lslv_x, op_lsrv_x, op_asrv_x, op_rorv_x },
};

/* ---- CMP followed by B.cond ------------------------------------------- */

/* CMP Xn|Wn, Xm|Wm (LSL #0) or #imm, Rn not SP, immediately followed by
 * B.cond (op[1], which holds the target and is not dispatched): sets the
 * flags and branches in one operation.  Neither can fault. */
#define CMPB_OP(name, c, sf, is_imm)                                                     \
	static bool name(struct emu_cpu *cpu, const struct emu_op *op)                  \
	{                                                                                \
		uint64_t a = cpu->x[op->rn];                                             \
		uint64_t b = (is_imm) ? op->imm : cpu->x[op->rm];                        \
		if (sf)                                                                  \
			cc_sub64(cpu, a, b, a - b);                                      \
		else                                                                     \
			cc_sub32(cpu, (uint32_t)a, (uint32_t)b, (uint32_t)(a - b));      \
		return cc_holds(cpu, c) ? ic_taken(cpu, op + 1, op[1].imm) : op[2].fn(cpu, op + 2); \
	}
#define CMPB_SET(v, sf, is_imm)                                                          \
	CMPB_OP(op_cmpb_##v##_0, 0, sf, is_imm) CMPB_OP(op_cmpb_##v##_1, 1, sf, is_imm)    \
	CMPB_OP(op_cmpb_##v##_2, 2, sf, is_imm) CMPB_OP(op_cmpb_##v##_3, 3, sf, is_imm)    \
	CMPB_OP(op_cmpb_##v##_4, 4, sf, is_imm) CMPB_OP(op_cmpb_##v##_5, 5, sf, is_imm)    \
	CMPB_OP(op_cmpb_##v##_6, 6, sf, is_imm) CMPB_OP(op_cmpb_##v##_7, 7, sf, is_imm)    \
	CMPB_OP(op_cmpb_##v##_8, 8, sf, is_imm) CMPB_OP(op_cmpb_##v##_9, 9, sf, is_imm)    \
	CMPB_OP(op_cmpb_##v##_10, 10, sf, is_imm) CMPB_OP(op_cmpb_##v##_11, 11, sf, is_imm) \
	CMPB_OP(op_cmpb_##v##_12, 12, sf, is_imm) CMPB_OP(op_cmpb_##v##_13, 13, sf, is_imm) \
	CMPB_OP(op_cmpb_##v##_14, 14, sf, is_imm) CMPB_OP(op_cmpb_##v##_15, 15, sf, is_imm)
#define CMPB_ROW(v)                                                                       \
	{ op_cmpb_##v##_0, op_cmpb_##v##_1, op_cmpb_##v##_2, op_cmpb_##v##_3, op_cmpb_##v##_4,  \
	  op_cmpb_##v##_5, op_cmpb_##v##_6, op_cmpb_##v##_7, op_cmpb_##v##_8, op_cmpb_##v##_9,  \
	  op_cmpb_##v##_10, op_cmpb_##v##_11, op_cmpb_##v##_12, op_cmpb_##v##_13,             \
	  op_cmpb_##v##_14, op_cmpb_##v##_15 }

CMPB_SET(xr, 1, 0)
CMPB_SET(wr, 0, 0)
CMPB_SET(xi, 1, 1)
CMPB_SET(wi, 0, 1)

static const emu_op_fn cmpb_ops[4][16] = { CMPB_ROW(xr), CMPB_ROW(wr), CMPB_ROW(xi), CMPB_ROW(wi) };

bool emu_fast_fuse_cmp_bcond(struct emu_op *cmp, uint32_t bcond_insn)
{
	unsigned v;
	if (cmp->fn == op_subs_x_lsl_zr && cmp->ra == 0)
		v = 0;
	else if (cmp->fn == op_subs_w_lsl_zr && cmp->ra == 0)
		v = 1;
	else if (cmp->fn == op_subsi64_zr)
		v = 2;
	else if (cmp->fn == op_subsi32_zr)
		v = 3;
	else
		return false;
	cmp->fn = cmpb_ops[v][bcond_insn & 15];
	return true;
}

/* ---- decoders --------------------------------------------------------- */

/* Data Processing -- Immediate (C4.1.86), class on bits[25:22]. */
bool emu_fast_dp_imm(struct emu_op *op, uint32_t insn)
{
	unsigned rd = insn & 31, rn = (insn >> 5) & 31;
	bool sf = insn >> 31;
	op->rd = (uint8_t)rd;
	op->rn = (uint8_t)rn;
	switch ((insn >> 22) & 15) {
	case 0: case 1: case 2: case 3: { /* ADR, ADRP */
		uint64_t imm = alu_sext(((insn >> 3) & 0x1ffffc) | ((insn >> 29) & 3), 21);
		op->imm = (insn >> 31) ? (op->pc & ~(uint64_t)0xfff) + (imm << 12) : op->pc + imm;
		op->fn = rd == 31 ? emu_op_nop : op_movi;
		return true;
	}
	case 4: case 5: { /* ADD/ADDS/SUB/SUBS (immediate) */
		bool sub = (insn >> 30) & 1, setflags = (insn >> 29) & 1;
		uint64_t imm = (insn >> 10) & 0xfff;
		if (insn & (1u << 22))
			imm <<= 12;
		if (setflags) {
			op->imm = imm;
			op->fn = addsi_ops[sf][sub][rn == 31 ? 0 : rd == 31 ? 1 : 2];
		} else {
			op->imm = sub ? 0 - imm : imm;
			if (rd == 31 || rn == 31)
				op->fn = sf ? op_addi64_sp : op_addi32_sp;
			else
				op->fn = sf ? op_addi64 : op_addi32;
		}
		return true;
	}
	case 8: case 9: { /* logical (immediate) */
		unsigned imms = (insn >> 10) & 63, immr = (insn >> 16) & 63, n = (insn >> 22) & 1;
		unsigned opc = (insn >> 29) & 3;
		uint64_t imm;
		if ((!sf && n) || !decode_bit_masks(n, imms, immr, true, sf ? 64 : 32, &imm, NULL))
			return false;
		op->imm = imm;
		if (opc == 3) {
			op->fn = sf ? op_andsi64 : op_andsi32;
			return true;
		}
		if (rd == 31) /* Rd is SP */
			return false;
		op->fn = opc == 0 ? op_andi : opc == 1 ? (sf ? op_orri64 : op_orri32) : (sf ? op_eori64 : op_eori32);
		return true;
	}
	case 10: case 11: { /* MOVN/MOVZ/MOVK */
		unsigned hw = (insn >> 21) & 3, opc = (insn >> 29) & 3;
		if (opc == 1 || (!sf && (hw & 2)))
			return false;
		unsigned pos = hw * 16;
		uint64_t imm = (uint64_t)((insn >> 5) & 0xffff) << pos;
		if (rd == 31) {
			op->fn = emu_op_nop;
		} else if (opc == 3) {
			op->imm = imm;
			op->ra = (uint8_t)pos;
			op->fn = sf ? op_movk64 : op_movk32;
		} else {
			imm = opc == 0 ? ~imm : imm;
			op->imm = sf ? imm : (uint32_t)imm;
			op->fn = op_movi;
		}
		return true;
	}
	case 12: case 13: { /* SBFM/BFM/UBFM */
		unsigned imms = (insn >> 10) & 63, immr = (insn >> 16) & 63, n = (insn >> 22) & 1;
		unsigned opc = (insn >> 29) & 3;
		if (opc == 3 || n != (unsigned)sf || (!sf && ((immr | imms) & 32)))
			return false;
		unsigned size = sf ? 64 : 32, levels = size - 1, s = imms, r = immr;
		uint64_t dmask = alu_ones(size);
		if (rd == 31) {
			op->fn = emu_op_nop;
			return true;
		}
		if (opc != 0) { /* UBFM, BFM: the masks of dp_imm.c exec_bitfield */
			uint64_t welem = alu_ones(s + 1);
			uint64_t wmask = r ? ((welem >> r) | (welem << (size - r))) & dmask : welem;
			uint64_t tmask = alu_ones(((s - r) & levels) + 1);
			op->imm = wmask & tmask;
			op->ra = (uint8_t)r;
			if (opc == 2)
				op->fn = sf ? op_ubfm64 : op_ubfm32;
			else
				op->fn = sf ? op_bfm64 : op_bfm32;
		} else if (s >= r) {
			op->imm = dmask;
			op->ra = (uint8_t)r;
			op->rm = (uint8_t)(s - r + 1);
			op->fn = op_sbfx;
		} else {
			op->imm = dmask;
			op->ra = (uint8_t)(size - r);
			op->rm = (uint8_t)(s + 1);
			op->fn = op_sbfiz;
		}
		return true;
	}
	case 14: case 15: { /* EXTR: op21 = 00, o0 = 0, N = sf, 32-bit lsb < 32 */
		unsigned lsb = (insn >> 10) & 63;
		if ((insn & 0x60200000u) || ((insn >> 22) & 1) != (unsigned)sf || (!sf && lsb >= 32))
			return false;
		op->rm = (insn >> 16) & 31;
		op->ra = (uint8_t)lsb;
		op->fn = rd == 31 ? emu_op_nop : sf ? op_extr64 : op_extr32;
		return true;
	}
	default: /* MTE, CSSC: generic */
		return false;
	}
}

/* Data Processing -- Register (C4.1.89). */
bool emu_fast_dp_reg(struct emu_op *op, uint32_t insn)
{
	unsigned rd = insn & 31, rn = (insn >> 5) & 31, rm = (insn >> 16) & 31;
	bool sf = insn >> 31;
	op->rd = (uint8_t)rd;
	op->rn = (uint8_t)rn;
	op->rm = (uint8_t)rm;
	if (!(insn & (1u << 28))) {
		unsigned amount = (insn >> 10) & 63, type = (insn >> 22) & 3;
		if (!sf && amount >= 32)
			return false;
		op->ra = (uint8_t)amount;
		if (!(insn & (1u << 24))) { /* logical (shifted register) */
			unsigned opcn = ((insn >> 28) & 6) | ((insn >> 21) & 1);
			if (rd == 31)
				op->fn = opcn < 6 ? emu_op_nop : logic_ops[sf][type][opcn + 2];
			else if (opcn == 2 && rn == 31 && amount == 0)
				op->fn = sf ? op_mov64 : op_mov32;
			else
				op->fn = logic_ops[sf][type][opcn];
			return true;
		}
		if (insn & (1u << 21)) { /* extended register */
			unsigned shift = (insn >> 10) & 7, ops = (insn >> 29) & 3;
			if ((insn & (3u << 22)) || shift > 4)
				return false;
			op->ra = (uint8_t)shift;
			op->imm = (insn >> 13) & 7;
			op->fn = addext_ops[sf][(ops & 1) && rd == 31 ? 4 + (ops >> 1) : ops];
			return true;
		}
		if (type == SHIFT_ROR)
			return false;
		unsigned ops = (insn >> 29) & 3; /* op:S */
		if (rd == 31)
			op->fn = (ops & 1) ? addsub_ops[sf][type][4 + (ops >> 1)] : emu_op_nop;
		else
			op->fn = addsub_ops[sf][type][ops];
		return true;
	}
	unsigned op2 = (insn >> 21) & 15;
	if (op2 & 8) { /* 3-source */
		if (insn & (3u << 29))
			return false;
		unsigned op31 = (insn >> 21) & 7;
		bool o0 = (insn >> 15) & 1;
		emu_op_fn fn;
		switch (op31) {
		case 0: /* MADD/MSUB */
			fn = o0 ? (sf ? op_msub64 : op_msub32) : (sf ? op_madd64 : op_madd32);
			break;
		case 1: case 5: /* SMADDL/SMSUBL, UMADDL/UMSUBL */
			if (!sf)
				return false;
			fn = mull_ops[op31 == 5][o0];
			break;
		case 2: case 6: /* SMULH, UMULH */
			if (!sf || o0)
				return false;
			fn = op31 == 6 ? op_umulh : op_smulh;
			break;
		default:
			return false;
		}
		op->ra = (insn >> 10) & 31;
		op->fn = rd == 31 ? emu_op_nop : fn;
		return true;
	}
	switch (op2) {
	case 2: /* CCMN/CCMP */
		if (!(insn & (1u << 29)) || (insn & ((1u << 10) | (1u << 4))))
			return false;
		op->ra = (insn >> 12) & 15;
		op->imm = (uint64_t)(insn & 15) << 28;
		op->fn = ccmp_ops[sf][(insn >> 30) & 1][(insn >> 11) & 1];
		return true;
	case 4: /* CSEL/CSINC/CSINV/CSNEG */
		if (insn & ((1u << 29) | (1u << 11)))
			return false;
		op->ra = (insn >> 12) & 15;
		op->fn = rd == 31 ? emu_op_nop : csel_ops[sf][((insn >> 29) & 2) | ((insn >> 10) & 1)];
		return true;
	case 0: /* ADC/ADCS/SBC/SBCS */
		if (insn & (0x3fu << 10))
			return false;
		if (rd == 31) {
			if (insn & (1u << 29))
				return false; /* flags only: rare */
			op->fn = emu_op_nop;
			return true;
		}
		op->fn = adc_ops[sf][(insn >> 29) & 3];
		return true;
	case 6: { /* 2-source: UDIV/SDIV, LSLV..RORV; 1-source: RBIT..CLS */
		if (insn & (1u << 30)) { /* 1-source: S, opcode2, opcode<5:3> zero */
			unsigned opcode = (insn >> 10) & 7;
			if ((insn & ((1u << 29) | (0x1fu << 16) | (0x38u << 10))) || opcode > DP1_CLS ||
			    !dp1_ops[sf][opcode])
				return false;
			op->fn = rd == 31 ? emu_op_nop : dp1_ops[sf][opcode];
			return true;
		}
		if (insn & (1u << 29))
			return false;
		unsigned opcode = (insn >> 10) & 63;
		emu_op_fn fn;
		if (opcode == 2 || opcode == 3)
			fn = div_ops[sf][opcode & 1];
		else if (opcode >= 8 && opcode <= 11)
			fn = shiftv_ops[sf][opcode & 3];
		else
			return false;
		op->fn = rd == 31 ? emu_op_nop : fn;
		return true;
	}
	default: /* the rest (CRC32 is 2-source): generic */
		return false;
	}
}

/* The translator's view of these handlers (icache.h). */
bool emu_fast_alu_form(emu_op_fn fn, struct emu_form *f)
{
	static const struct {
		emu_op_fn fn;
		struct emu_form f;
	} single[] = {
		{ op_movi, { .kind = FORM_MOVI } },
		{ op_movk64, { .kind = FORM_MOVK, .sf = true } },
		{ op_movk32, { .kind = FORM_MOVK } },
		{ op_addi64, { .kind = FORM_ADDI, .sf = true } },
		{ op_addi32, { .kind = FORM_ADDI } },
		{ op_addi64_sp, { .kind = FORM_ADDI, .sf = true, .sp = true } },
		{ op_addi32_sp, { .kind = FORM_ADDI, .sp = true } },
		{ op_mov64, { .kind = FORM_MOV, .sf = true } },
		{ op_mov32, { .kind = FORM_MOV } },
		{ op_andi, { .kind = FORM_LOGICI, .sf = true, .op = 0 } }, /* imm has 32 bits for W */
		{ op_orri64, { .kind = FORM_LOGICI, .sf = true, .op = 1 } },
		{ op_orri32, { .kind = FORM_LOGICI, .op = 1 } },
		{ op_eori64, { .kind = FORM_LOGICI, .sf = true, .op = 2 } },
		{ op_eori32, { .kind = FORM_LOGICI, .op = 2 } },
		{ op_andsi64, { .kind = FORM_LOGICI, .sf = true, .op = 3 } },
		{ op_andsi32, { .kind = FORM_LOGICI, .op = 3 } },
		{ op_ubfm64, { .kind = FORM_UBFM, .sf = true } },
		{ op_ubfm32, { .kind = FORM_UBFM } },
		{ op_sbfx, { .kind = FORM_SBFX, .sf = true } },
		{ op_sbfiz, { .kind = FORM_SBFIZ, .sf = true } },
		{ op_madd64, { .kind = FORM_MADD, .sf = true } },
		{ op_msub64, { .kind = FORM_MADD, .sf = true, .op = 1 } },
		{ op_madd32, { .kind = FORM_MADD } },
		{ op_msub32, { .kind = FORM_MADD, .op = 1 } },
		{ op_smaddl, { .kind = FORM_MULL, .sf = true, .sgn = true } },
		{ op_smsubl, { .kind = FORM_MULL, .sf = true, .sgn = true, .op = 1 } },
		{ op_umaddl, { .kind = FORM_MULL, .sf = true } },
		{ op_umsubl, { .kind = FORM_MULL, .sf = true, .op = 1 } },
		{ op_smulh, { .kind = FORM_MULH, .sf = true, .sgn = true } },
		{ op_umulh, { .kind = FORM_MULH, .sf = true } },
		{ op_bfm64, { .kind = FORM_BFM, .sf = true } },
		{ op_bfm32, { .kind = FORM_BFM } },
		{ op_extr64, { .kind = FORM_EXTR, .sf = true } },
		{ op_extr32, { .kind = FORM_EXTR } },
		{ op_rev64, { .kind = FORM_REV, .sf = true } },
		{ op_rev32_w, { .kind = FORM_REV } },
		{ op_rev32_x, { .kind = FORM_REV, .sf = true, .op = 1 } },
	};
	for (unsigned i = 0; i < sizeof(single) / sizeof(single[0]); i++)
		if (single[i].fn == fn) {
			*f = single[i].f;
			return true;
		}
	*f = (struct emu_form){ .kind = FORM_NONE };
	for (unsigned sf = 0; sf < 2; sf++) {
		for (unsigned sub = 0; sub < 2; sub++)
			if (adc_ops[sf][2 * sub] == fn)
				*f = (struct emu_form){ .kind = FORM_ADC, .sf = sf, .op = (uint8_t)sub };
		for (unsigned k = 0; k < 6; k++)
			if (addext_ops[sf][k] == fn)
				*f = (struct emu_form){ .kind = FORM_ADDEXT, .sf = sf, .op = (uint8_t)(k < 4 ? k >> 1 : k - 4),
							.flags = k < 4 ? (k & 1) : 2 };
		for (unsigned k = 0; k < 4; k++) {
			if (k < 2 && div_ops[sf][k] == fn)
				*f = (struct emu_form){ .kind = FORM_DIV, .sf = sf, .sgn = k };
			if (shiftv_ops[sf][k] == fn)
				*f = (struct emu_form){ .kind = FORM_SHIFTV, .sf = sf, .shift = (uint8_t)k };
		}
		for (unsigned sub = 0; sub < 2; sub++)
			for (unsigned form = 0; form < 3; form++)
				if (addsi_ops[sf][sub][form] == fn)
					*f = (struct emu_form){ .kind = FORM_ADDSI, .sf = sf, .op = (uint8_t)sub,
								.flags = form == 1 ? 2 : 1, .sp = form == 0 };
		for (unsigned type = 0; type < 4; type++)
			for (unsigned k = 0; k < 10; k++)
				if (logic_ops[sf][type][k] == fn)
					*f = (struct emu_form){ .kind = FORM_LOGIC, .sf = sf, .shift = (uint8_t)type,
								.op = (uint8_t)(k < 8 ? k : k - 2),
								.flags = k < 6 ? 0 : k < 8 ? 1 : 2 };
		for (unsigned type = 0; type < 3; type++)
			for (unsigned k = 0; k < 6; k++)
				if (addsub_ops[sf][type][k] == fn)
					*f = (struct emu_form){ .kind = FORM_ADDSUB, .sf = sf, .shift = (uint8_t)type,
								.op = (uint8_t)(k < 4 ? k >> 1 : k - 4),
								.flags = k < 4 ? (k & 1) : 2 };
		for (unsigned k = 0; k < 4; k++)
			if (csel_ops[sf][k] == fn)
				*f = (struct emu_form){ .kind = FORM_CSEL, .sf = sf, .op = (uint8_t)k };
		for (unsigned sub = 0; sub < 2; sub++)
			for (unsigned imm = 0; imm < 2; imm++)
				if (ccmp_ops[sf][sub][imm] == fn)
					*f = (struct emu_form){ .kind = FORM_CCMP, .sf = sf, .op = (uint8_t)sub,
								.flags = (uint8_t)imm };
	}
	return f->kind != FORM_NONE;
}
