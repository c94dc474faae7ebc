/*
 * fpsimd.c - top-level decode of the SIMD&FP data-processing group
 * (op0 = x111, Arm ARM C4.1.6/C4.1.7).  Every instruction first checks
 * CPACR_EL1.FPEN, then goes to the handler of its encoding class.
 *
 * Half-precision (FEAT_FP16) forms go to the same class handlers.
 * Not implemented (UNDEF, and not advertised in ID_AA64ISAR0/PFR0):
 * the crypto extensions, FEAT_FHM, FEAT_DotProd, FEAT_RDM, FEAT_FCMA,
 * FEAT_JSCVT, FEAT_FRINTTS, BF16.
 */
#include "simd.h"

/* Three same (FP16): bit 22 = 1, bit 21 = 0, bits [15:14] = 00, bit 10 = 1. */
static inline bool is_fp16_3same(uint32_t insn)
{
	return (insn & 0x0060c400u) == 0x00400400u;
}

/* Vector classes (bit 28 = 0). */
static void exec_vector(struct emu_cpu *cpu, uint32_t insn)
{
	if (insn >> 31)
		emu_undefined(cpu);
	if (insn & (1u << 24)) {
		if (!(insn & (1u << 10)))
			simd_indexed(cpu, insn, false);
		else if (insn & (1u << 23))
			emu_undefined(cpu);
		else if (((insn >> 19) & 0xf) == 0)
			simd_mod_imm(cpu, insn);
		else
			simd_shift_imm(cpu, insn, false);
		return;
	}
	if (insn & (1u << 21)) {
		switch ((insn >> 10) & 3) {
		case 0:
			simd_three_diff(cpu, insn, false);
			return;
		case 2:
			if (((insn >> 17) & 0xf) == 0 || ((insn >> 17) & 0x3f) == 0x3c) /* + FP16 */
				simd_two_misc(cpu, insn, false);
			else if (((insn >> 17) & 0xf) == 8)
				simd_across(cpu, insn);
			else
				emu_undefined(cpu);
			return;
		default:
			simd_three_same(cpu, insn, false);
			return;
		}
	}
	if (insn & (1u << 15))
		emu_undefined(cpu); /* three same extra: DotProd/RDM/FCMA */
	bool size0 = ((insn >> 22) & 3) == 0, u = (insn >> 29) & 1;
	switch ((insn >> 10) & 3) {
	case 1: case 3:
		if (size0)
			simd_copy(cpu, insn, false);
		else if (is_fp16_3same(insn))
			simd_three_same_fp16(cpu, insn, false);
		else
			emu_undefined(cpu);
		return;
	default:
		/* bit 10 = 0: EXT (U = 1; bit 11 is imm4<0>), permute (bit 11
		 * = 1), TBL/TBX (bit 11 = 0) */
		if (u) {
			if (!size0)
				emu_undefined(cpu);
			simd_ext(cpu, insn);
		} else if (insn & (1u << 11)) {
			simd_permute(cpu, insn);
		} else {
			if (!size0)
				emu_undefined(cpu);
			simd_tbl(cpu, insn);
		}
		return;
	}
}

/* AdvSIMD scalar classes (op0 = 01x1). */
static void exec_scalar_simd(struct emu_cpu *cpu, uint32_t insn)
{
	if (insn >> 31)
		emu_undefined(cpu);
	if (insn & (1u << 24)) {
		if (!(insn & (1u << 10)))
			simd_indexed(cpu, insn, true);
		else if ((insn & (1u << 23)) || ((insn >> 19) & 0xf) == 0)
			emu_undefined(cpu);
		else
			simd_shift_imm(cpu, insn, true);
		return;
	}
	if (insn & (1u << 21)) {
		switch ((insn >> 10) & 3) {
		case 0:
			simd_three_diff(cpu, insn, true);
			return;
		case 2:
			if (((insn >> 17) & 0xf) == 0 || ((insn >> 17) & 0x3f) == 0x3c) /* + FP16 */
				simd_two_misc(cpu, insn, true);
			else if (((insn >> 17) & 0xf) == 8)
				simd_pairwise_scalar(cpu, insn);
			else
				emu_undefined(cpu);
			return;
		default:
			simd_three_same(cpu, insn, true);
			return;
		}
	}
	/* scalar copy (DUP element): op = 0, bits [23:21] = 000, imm4 = 0 */
	if (!(insn & (1u << 15)) && (insn & (1u << 10)) && ((insn >> 22) & 3) == 0 &&
	    !((insn >> 29) & 1))
		simd_copy(cpu, insn, true);
	else if (is_fp16_3same(insn))
		simd_three_same_fp16(cpu, insn, true);
	else
		emu_undefined(cpu);
}

void emu_exec_fpsimd(struct emu_cpu *cpu, uint32_t insn)
{
	emu_check_fp_access(cpu);
	if (!(insn & (1u << 28)))
		exec_vector(cpu, insn);
	else if (insn & (1u << 30))
		exec_scalar_simd(cpu, insn);
	else
		emu_fp_scalar(cpu, insn);
}
