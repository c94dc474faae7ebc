/*
 * branch.c - Branches, Exception Generating and System instructions
 * (op0 bits[28:25] = 101x).  Arm ARM C4.1.87: op0 = bits[31:29],
 * op1 = bits[25:12].  System and exception-generating classes are
 * forwarded to system.c and exception.c.
 */
#include "alu.h"
#include "cpu.h"

/* B / BL: op 00101 imm26. */
static inline void exec_b(struct emu_cpu *cpu, uint32_t insn)
{
	uint64_t off = alu_sext(insn, 26) << 2;
	if (insn >> 31)
		cpu->x[30] = cpu->insn_pc + 4; /* BL */
	cpu->pc = cpu->insn_pc + off;
}

/* CBZ / CBNZ: sf 011010 op imm19 Rt. */
static inline void exec_cbz(struct emu_cpu *cpu, uint32_t insn)
{
	uint64_t v = xreg(cpu, insn & 31);
	if (!(insn >> 31))
		v = (uint32_t)v;
	if ((v == 0) != ((insn >> 24) & 1))
		cpu->pc = cpu->insn_pc + (alu_sext(insn >> 5, 19) << 2);
}

/* TBZ / TBNZ: b5 011011 op b40 imm14 Rt. */
static inline void exec_tbz(struct emu_cpu *cpu, uint32_t insn)
{
	unsigned bit = ((insn >> 26) & 32) | ((insn >> 19) & 31);
	unsigned set = (unsigned)(xreg(cpu, insn & 31) >> bit) & 1;
	if (set == ((insn >> 24) & 1))
		cpu->pc = cpu->insn_pc + (alu_sext(insn >> 5, 14) << 2);
}

/* B.cond: 0101010 o1 imm19 o0 cond; o1 = 0.  o0 = 1 is BC.cond (FEAT_HBC,
 * not implemented). */
static inline void exec_bcond(struct emu_cpu *cpu, uint32_t insn)
{
	if (insn & ((1u << 24) | (1u << 4))) {
		emu_exec_unallocated(cpu, insn);
		return;
	}
	if (condition_holds(cpu->nzcv, insn & 15))
		cpu->pc = cpu->insn_pc + (alu_sext(insn >> 5, 19) << 2);
}

/* Unconditional branch (register): 1101011 opc op2 op3 Rn op4. */
static void exec_branch_reg(struct emu_cpu *cpu, uint32_t insn)
{
	unsigned opc = (insn >> 21) & 15, rn = (insn >> 5) & 31;
	/* op2 must be 11111; op3 = 0 and op4 = 0 for the non-PAC forms
	 * (op3 = 00001x are the PAC variants BRAAZ/RETAA/ERETAA...). */
	if (((insn >> 16) & 31) != 31 || (insn & 0xfc1fu) != 0) {
		emu_exec_unallocated(cpu, insn);
		return;
	}
	switch (opc) {
	case 0: /* BR */
		cpu->pc = xreg(cpu, rn);
		return;
	case 1: { /* BLR: read the target before writing X30 (BLR X30) */
		uint64_t target = xreg(cpu, rn);
		cpu->x[30] = cpu->insn_pc + 4;
		cpu->pc = target;
		return;
	}
	case 2: /* RET */
		cpu->pc = xreg(cpu, rn);
		return;
	case 4: /* ERET */
		if (rn != 31 || cpu->el == 0)
			break;
		emu_eret(cpu);
		return;
	default: /* DRPS (UNDEF outside Debug state), BRAA/BLRAA.. (PAC) */
		break;
	}
	emu_exec_unallocated(cpu, insn);
}

void emu_exec_branch_sys(struct emu_cpu *cpu, uint32_t insn)
{
	switch (insn >> 29) {
	case 0: case 4: /* x00: unconditional branch (immediate) */
		exec_b(cpu, insn);
		return;
	case 1: case 5: /* x01: compare and branch / test and branch */
		if (insn & (1u << 25))
			exec_tbz(cpu, insn);
		else
			exec_cbz(cpu, insn);
		return;
	case 2: /* 010: conditional branch (immediate) when op1<13> = 0 */
		if (insn & (1u << 25))
			break;
		exec_bcond(cpu, insn);
		return;
	case 6: /* 110 */
		if (insn & (1u << 25)) {
			exec_branch_reg(cpu, insn);
			return;
		}
		switch ((insn >> 22) & 15) {
		case 0: case 1: case 2: case 3: /* 11010100: exception generation */
			emu_exec_exception_gen(cpu, insn);
			return;
		case 4: /* 1101010100: system (hints, barriers, PSTATE, SYS, MSR/MRS) */
			emu_exec_system(cpu, insn);
			return;
		default: /* 1101010101: SYSP/MSRR/MRRS (FEAT_SYSREG128) and unallocated */
			break;
		}
		break;
	default:
		break;
	}
	emu_exec_unallocated(cpu, insn);
}
