/*
 * fast_branch.c - cached operations for the frequent branches (B, BL,
 * B.cond, CBZ/CBNZ, TBZ/TBNZ, BR/BLR/RET) and NOP.  Targets are
 * precomputed from the instruction's PC.  Everything else of the class
 * (system, exception generation, ERET, PAC forms, unallocated) goes to
 * emu_exec_branch_sys.  Semantics as in branch.c.
 */
#include "alu.h"
#include "icache.h"

static bool op_b(struct emu_cpu *cpu, const struct emu_op *op)
{
	return ic_goto(cpu, op->imm);
}

static bool op_bl(struct emu_cpu *cpu, const struct emu_op *op)
{
	cpu->x[30] = op->pc + 4;
	return ic_goto(cpu, op->imm);
}

/* Conditional branches continue in their block when not taken (rm:
 * instructions after them in the block, icache.h). */

/* B.cond: one handler per condition, which then tests only its flags. */
#define BCOND_OP(c)                                                                      \
	static bool op_bcond_##c(struct emu_cpu *cpu, const struct emu_op *op)          \
	{                                                                                \
		return cc_holds(cpu, c) ? ic_taken(cpu, op, op->imm) : IC_NEXT(cpu, op); \
	}
BCOND_OP(0) BCOND_OP(1) BCOND_OP(2) BCOND_OP(3) BCOND_OP(4) BCOND_OP(5) BCOND_OP(6) BCOND_OP(7)
BCOND_OP(8) BCOND_OP(9) BCOND_OP(10) BCOND_OP(11) BCOND_OP(12) BCOND_OP(13) BCOND_OP(14) BCOND_OP(15)

static const emu_op_fn bcond_ops[16] = {
	op_bcond_0, op_bcond_1, op_bcond_2, op_bcond_3, op_bcond_4, op_bcond_5, op_bcond_6, op_bcond_7,
	op_bcond_8, op_bcond_9, op_bcond_10, op_bcond_11, op_bcond_12, op_bcond_13, op_bcond_14, op_bcond_15,
};

static bool op_cbz64(struct emu_cpu *cpu, const struct emu_op *op)
{
	return cpu->x[op->rd] == 0 ? ic_taken(cpu, op, op->imm) : IC_NEXT(cpu, op);
}

static bool op_cbnz64(struct emu_cpu *cpu, const struct emu_op *op)
{
	return cpu->x[op->rd] != 0 ? ic_taken(cpu, op, op->imm) : IC_NEXT(cpu, op);
}

static bool op_cbz32(struct emu_cpu *cpu, const struct emu_op *op)
{
	return (uint32_t)cpu->x[op->rd] == 0 ? ic_taken(cpu, op, op->imm) : IC_NEXT(cpu, op);
}

static bool op_cbnz32(struct emu_cpu *cpu, const struct emu_op *op)
{
	return (uint32_t)cpu->x[op->rd] != 0 ? ic_taken(cpu, op, op->imm) : IC_NEXT(cpu, op);
}

static bool op_tbz(struct emu_cpu *cpu, const struct emu_op *op)
{
	return !((cpu->x[op->rd] >> op->ra) & 1) ? ic_taken(cpu, op, op->imm) : IC_NEXT(cpu, op);
}

static bool op_tbnz(struct emu_cpu *cpu, const struct emu_op *op)
{
	return ((cpu->x[op->rd] >> op->ra) & 1) ? ic_taken(cpu, op, op->imm) : IC_NEXT(cpu, op);
}

static bool op_br(struct emu_cpu *cpu, const struct emu_op *op)
{
	return ic_goto(cpu, cpu->x[op->rn]);
}

static bool op_blr(struct emu_cpu *cpu, const struct emu_op *op)
{
	uint64_t target = cpu->x[op->rn]; /* before writing X30 (BLR X30) */
	cpu->x[30] = op->pc + 4;
	return ic_goto(cpu, target);
}

bool emu_fast_branch(struct emu_op *op, uint32_t insn)
{
	uint64_t pc = op->pc;
	switch (insn >> 29) {
	case 0: case 4: /* B, BL */
		op->imm = pc + (alu_sext(insn, 26) << 2);
		op->fn = (insn >> 31) ? op_bl : op_b;
		return true;
	case 1: case 5:
		op->rd = insn & 31;
		if (insn & (1u << 25)) { /* TBZ/TBNZ */
			op->ra = (uint8_t)(((insn >> 26) & 32) | ((insn >> 19) & 31));
			op->imm = pc + (alu_sext(insn >> 5, 14) << 2);
			op->fn = (insn & (1u << 24)) ? op_tbnz : op_tbz;
		} else { /* CBZ/CBNZ */
			op->imm = pc + (alu_sext(insn >> 5, 19) << 2);
			if (insn >> 31)
				op->fn = (insn & (1u << 24)) ? op_cbnz64 : op_cbz64;
			else
				op->fn = (insn & (1u << 24)) ? op_cbnz32 : op_cbz32;
		}
		return true;
	case 2: /* B.cond (not BC.cond or the o1 = 1 encodings) */
		if (insn & ((1u << 25) | (1u << 24) | (1u << 4)))
			return false;
		op->ra = insn & 15;
		op->imm = pc + (alu_sext(insn >> 5, 19) << 2);
		op->fn = bcond_ops[insn & 15];
		return true;
	case 6:
		/* BR/BLR/RET without PAC: op2 = 11111, op3 = 0, op4 = 0. */
		if ((insn & 0xfe1ffc1fu) != 0xd61f0000u)
			return false;
		op->rn = (insn >> 5) & 31;
		switch ((insn >> 21) & 15) {
		case 0: case 2: /* BR, RET */
			op->fn = op_br;
			return true;
		case 1: /* BLR */
			op->fn = op_blr;
			return true;
		default:
			return false;
		}
	default:
		return false;
	}
}

/* The translator's view of these handlers (icache.h). */
bool emu_fast_branch_form(emu_op_fn fn, struct emu_form *f)
{
	*f = (struct emu_form){ .kind = FORM_NONE };
	if (fn == op_b || fn == op_bl) {
		f->kind = FORM_B;
		f->op = fn == op_bl;
	} else if (fn == op_cbz64 || fn == op_cbnz64 || fn == op_cbz32 || fn == op_cbnz32) {
		f->kind = FORM_CBZ;
		f->op = fn == op_cbnz64 || fn == op_cbnz32;
		f->sf = fn == op_cbz64 || fn == op_cbnz64;
	} else if (fn == op_tbz || fn == op_tbnz) {
		f->kind = FORM_TBZ;
		f->op = fn == op_tbnz;
	} else if (fn == op_br || fn == op_blr) {
		f->kind = FORM_BR;
		f->op = fn == op_blr;
	} else if (fn == emu_op_nop) {
		f->kind = FORM_NOP;
	} else {
		for (unsigned c = 0; c < 16; c++)
			if (bcond_ops[c] == fn) {
				f->kind = FORM_BCOND;
				f->cond = (uint8_t)c;
			}
	}
	return f->kind != FORM_NONE;
}
