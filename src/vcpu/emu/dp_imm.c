/*
 * dp_imm.c - Data Processing -- Immediate (op0 bits[28:25] = 100x).
 * Arm ARM C4.1.86: the class is selected by bits[25:22].
 */
#include "alu.h"
#include "cpu.h"

/* ADR / ADRP: op immlo 10000 immhi Rd. */
static void exec_pcrel(struct emu_cpu *cpu, uint32_t insn)
{
	unsigned rd = insn & 31;
	uint64_t imm = ((insn >> 3) & 0x1ffffc) | ((insn >> 29) & 3);
	imm = alu_sext(imm, 21);
	uint64_t r;
	if (insn >> 31) /* ADRP: 4KB page of the instruction + imm * 4KB */
		r = (cpu->insn_pc & ~(uint64_t)0xfff) + (imm << 12);
	else
		r = cpu->insn_pc + imm;
	set_xreg(cpu, rd, r);
}

/* ADD/ADDS/SUB/SUBS (immediate): sf op S 100010 sh imm12 Rn Rd. */
static void exec_addsub_imm(struct emu_cpu *cpu, uint32_t insn)
{
	unsigned rd = insn & 31, rn = (insn >> 5) & 31;
	bool sf = insn >> 31, sub = (insn >> 30) & 1, setflags = (insn >> 29) & 1;
	uint64_t imm = (insn >> 10) & 0xfff;
	if (insn & (1u << 22))
		imm <<= 12;
	uint64_t a = xreg_sp(cpu, rn);
	if (sub)
		imm = ~imm; /* a - imm = a + NOT(imm) + 1 */
	if (sf) {
		if (setflags)
			set_xreg(cpu, rd, add_with_carry64(a, imm, sub, &cpu->nzcv));
		else
			set_xreg_sp(cpu, rd, a + imm + sub);
	} else {
		if (setflags)
			set_wreg(cpu, rd, add_with_carry32((uint32_t)a, (uint32_t)imm, sub, &cpu->nzcv));
		else /* a 32-bit result written to WSP is zero-extended too */
			set_xreg_sp(cpu, rd, (uint32_t)(a + imm + sub));
	}
}

/* AND/ORR/EOR/ANDS (immediate): sf opc 100100 N immr imms Rn Rd. */
static void exec_logical_imm(struct emu_cpu *cpu, uint32_t insn)
{
	unsigned rd = insn & 31, rn = (insn >> 5) & 31;
	unsigned imms = (insn >> 10) & 63, immr = (insn >> 16) & 63, n = (insn >> 22) & 1;
	unsigned opc = (insn >> 29) & 3;
	bool sf = insn >> 31;
	uint64_t imm;
	if ((!sf && n) || !decode_bit_masks(n, imms, immr, true, sf ? 64 : 32, &imm, NULL)) {
		emu_exec_unallocated(cpu, insn);
		return;
	}
	uint64_t a = xreg(cpu, rn);
	uint64_t r;
	switch (opc) {
	case 0: r = a & imm; break;
	case 1: r = a | imm; break;
	case 2: r = a ^ imm; break;
	default: /* ANDS: destination is ZR, not SP */
		r = a & imm;
		if (sf) {
			cpu->nzcv = logic_flags64(r);
			set_xreg(cpu, rd, r);
		} else {
			cpu->nzcv = logic_flags32((uint32_t)r);
			set_wreg(cpu, rd, (uint32_t)r);
		}
		return;
	}
	if (!sf)
		r = (uint32_t)r;
	set_xreg_sp(cpu, rd, r);
}

/* MOVN/MOVZ/MOVK: sf opc 100101 hw imm16 Rd. */
static void exec_movewide(struct emu_cpu *cpu, uint32_t insn)
{
	unsigned rd = insn & 31, hw = (insn >> 21) & 3, opc = (insn >> 29) & 3;
	bool sf = insn >> 31;
	if (opc == 1 || (!sf && (hw & 2))) {
		emu_exec_unallocated(cpu, insn);
		return;
	}
	unsigned pos = hw * 16;
	uint64_t imm = (uint64_t)((insn >> 5) & 0xffff) << pos;
	uint64_t r;
	switch (opc) {
	case 0: r = ~imm; break;    /* MOVN */
	case 2: r = imm; break;     /* MOVZ */
	default:                    /* MOVK */
		r = (xreg(cpu, rd) & ~((uint64_t)0xffff << pos)) | imm;
		break;
	}
	if (!sf)
		r = (uint32_t)r;
	set_xreg(cpu, rd, r);
}

/* SBFM/BFM/UBFM: sf opc 100110 N immr imms Rn Rd. */
static void exec_bitfield(struct emu_cpu *cpu, uint32_t insn)
{
	unsigned rd = insn & 31, rn = (insn >> 5) & 31;
	unsigned imms = (insn >> 10) & 63, immr = (insn >> 16) & 63, n = (insn >> 22) & 1;
	unsigned opc = (insn >> 29) & 3;
	bool sf = insn >> 31;
	if (opc == 3 || n != (unsigned)sf || (!sf && ((immr | imms) & 32))) {
		emu_exec_unallocated(cpu, insn);
		return;
	}
	/* With N == sf and the checks above, esize == datasize, so the
	 * DecodeBitMasks masks are single elements: wmask = ROR(Ones(S+1), R),
	 * tmask = Ones(S-R+1) (mod datasize). */
	unsigned size = sf ? 64 : 32, levels = size - 1;
	unsigned s = imms, r = immr;
	uint64_t dmask = alu_ones(size);
	uint64_t welem = alu_ones(s + 1);
	uint64_t wmask = r ? ((welem >> r) | (welem << (size - r))) & dmask : welem;
	uint64_t tmask = alu_ones(((s - r) & levels) + 1);
	uint64_t src = xreg(cpu, rn);
	uint64_t rot = sf ? ror64(src, r) : ror32((uint32_t)src, r);
	uint64_t res;
	switch (opc) {
	case 0: { /* SBFM */
		uint64_t top = ((src >> s) & 1) ? dmask : 0;
		res = (top & ~tmask) | (rot & wmask & tmask);
		break;
	}
	case 1: { /* BFM */
		uint64_t dst = xreg(cpu, rd);
		uint64_t bot = (dst & ~wmask) | (rot & wmask);
		res = (dst & ~tmask) | (bot & tmask);
		break;
	}
	default: /* UBFM */
		res = rot & wmask & tmask;
		break;
	}
	set_xreg(cpu, rd, res & dmask);
}

/* EXTR: sf op21 100111 N o0 Rm imms Rn Rd. */
static void exec_extract(struct emu_cpu *cpu, uint32_t insn)
{
	unsigned rd = insn & 31, rn = (insn >> 5) & 31, rm = (insn >> 16) & 31;
	unsigned lsb = (insn >> 10) & 63;
	bool sf = insn >> 31;
	/* Allocated only: op21 == 00, o0 == 0, N == sf, 32-bit imms < 32. */
	if ((insn & 0x60200000u) || ((insn >> 22) & 1) != (unsigned)sf || (!sf && lsb >= 32)) {
		emu_exec_unallocated(cpu, insn);
		return;
	}
	uint64_t hi = xreg(cpu, rn), lo = xreg(cpu, rm);
	set_xreg(cpu, rd, sf ? alu_extr64(hi, lo, lsb) : alu_extr32((uint32_t)hi, (uint32_t)lo, lsb));
}

void emu_exec_dp_imm(struct emu_cpu *cpu, uint32_t insn)
{
	switch ((insn >> 22) & 15) {
	case 0: case 1: case 2: case 3:
		exec_pcrel(cpu, insn);
		return;
	case 4: case 5:
		exec_addsub_imm(cpu, insn);
		return;
	case 8: case 9:
		exec_logical_imm(cpu, insn);
		return;
	case 10: case 11:
		exec_movewide(cpu, insn);
		return;
	case 12: case 13:
		exec_bitfield(cpu, insn);
		return;
	case 14: case 15:
		exec_extract(cpu, insn);
		return;
	default:
		/* 0110: add/subtract with tags (MTE), 0111: min/max (CSSC):
		 * features we do not implement. */
		emu_exec_unallocated(cpu, insn);
	}
}
