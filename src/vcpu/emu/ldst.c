/*
 * ldst.c - loads and stores (Arm ARM C4.1.4, op0 = x1x0): literal,
 * single register (unscaled, pre/post-indexed, unsigned offset, register
 * offset, unprivileged), pairs, and the SIMD&FP single-register forms.
 * Exclusives, acquire/release and LSE atomics are in atomics.c.
 *
 * Every access sets cpu->dabt_iss first: ISV and the decode fields only for
 * a single general-purpose register without writeback (that is what a VMM
 * emulates an MMIO access from); 0 for pairs, writeback and SIMD&FP forms.
 *
 * CONSTRAINED UNPREDICTABLE choices (the ones QEMU makes):
 *  - load with writeback and Rt == Rn (single or pair): the load is done,
 *    then the base is written back, so Rn ends up holding the address;
 *  - store with writeback and Rt == Rn: the value stored is Rn before the
 *    writeback;
 *  - LDP/LDPSW with Rt == Rt2: Rt gets the first element (general-purpose
 *    registers); SIMD&FP LDP with Rt == Rt2: the second element.
 */
#include "el2.h"
#include "ldst.h"
#include "mem_fast.h"

_Noreturn void emu_sp_align_fault(struct emu_cpu *cpu)
{
	emu_take_sync(cpu, (uint32_t)EC_SP_ALIGN << ESR_EC_SHIFT | ESR_IL, 0, false);
}

/* What a single-register load/store does, by [V][size:opc]. */
enum {
	K_UNALLOC,
	K_ST,    /* STR/STRB/STRH */
	K_LD,    /* LDR/LDRB/LDRH: zero-extend */
	K_LDS64, /* LDRSB/LDRSH/LDRSW Xt */
	K_LDS32, /* LDRSB/LDRSH Wt */
	K_PRFM,
	K_FST, /* STR Bt/Ht/St/Dt/Qt */
	K_FLD, /* LDR Bt/Ht/St/Dt/Qt */
};

static const uint8_t ldst_kind[2][16] = {
	{
		K_ST, K_LD, K_LDS64, K_LDS32,      /* size 00: B */
		K_ST, K_LD, K_LDS64, K_LDS32,      /* size 01: H */
		K_ST, K_LD, K_LDS64, K_UNALLOC,    /* size 10: W, LDRSW */
		K_ST, K_LD, K_PRFM, K_UNALLOC,     /* size 11: X, PRFM */
	},
	{
		K_FST, K_FLD, K_FST, K_FLD,            /* size 00: B; opc 1x: Q */
		K_FST, K_FLD, K_UNALLOC, K_UNALLOC,    /* H */
		K_FST, K_FLD, K_UNALLOC, K_UNALLOC,    /* S */
		K_FST, K_FLD, K_UNALLOC, K_UNALLOC,    /* D */
	},
};

/* The access of a single-register load/store (everything but the
 * writeback).  sc = log2 of the access size. */
static inline void ldst_do(struct emu_cpu *cpu, unsigned kind, unsigned sc, unsigned rt, uint64_t addr,
			   unsigned flags, bool isv)
{
	uint64_t v;

	switch (kind) {
	case K_ST:
		cpu->dabt_iss = isv ? ldst_iss(sc, false, rt, sc == 3, false) : 0;
		mem_write_inline(cpu, addr, 1u << sc, xreg(cpu, rt), flags);
		return;
	case K_LD:
		cpu->dabt_iss = isv ? ldst_iss(sc, false, rt, sc == 3, false) : 0;
		v = mem_read_inline(cpu, addr, 1u << sc, flags);
		set_xreg(cpu, rt, v);
		return;
	case K_LDS64:
		cpu->dabt_iss = isv ? ldst_iss(sc, true, rt, true, false) : 0;
		v = mem_read_inline(cpu, addr, 1u << sc, flags);
		set_xreg(cpu, rt, sext64(v, 8u << sc));
		return;
	case K_LDS32:
		cpu->dabt_iss = isv ? ldst_iss(sc, true, rt, false, false) : 0;
		v = mem_read_inline(cpu, addr, 1u << sc, flags);
		set_wreg(cpu, rt, (uint32_t)sext64(v, 8u << sc));
		return;
	case K_FST:
		cpu->dabt_iss = 0;
		if (sc == 4)
			mem_write128(cpu, addr, cpu->v[rt], flags);
		else
			mem_write_inline(cpu, addr, 1u << sc, cpu->v[rt][0], flags);
		return;
	case K_FLD:
		cpu->dabt_iss = 0;
		if (sc == 4) {
			uint64_t q[2];
			mem_read128(cpu, addr, q, flags);
			cpu->v[rt][0] = q[0];
			cpu->v[rt][1] = q[1];
		} else {
			cpu->v[rt][0] = mem_read_inline(cpu, addr, 1u << sc, flags);
			cpu->v[rt][1] = 0;
		}
		return;
	default: /* K_PRFM: a hint, no access */
		return;
	}
}

/* Load register (literal): LDR W/X/S/D/Q, LDRSW, PRFM. */
static void ldst_literal(struct emu_cpu *cpu, uint32_t insn)
{
	unsigned opc = insn >> 30, rt = insn & 31;
	uint64_t addr = cpu->insn_pc + (sext64(insn >> 5, 19) << 2);

	if (insn & (1u << 26)) {
		if (opc == 3) {
			emu_exec_unallocated(cpu, insn);
			return;
		}
		emu_check_fp_access(cpu);
		ldst_do(cpu, K_FLD, 2 + opc, rt, addr, 0, false);
		return;
	}
	switch (opc) {
	case 0:
		ldst_do(cpu, K_LD, 2, rt, addr, 0, true);
		return;
	case 1:
		ldst_do(cpu, K_LD, 3, rt, addr, 0, true);
		return;
	case 2:
		ldst_do(cpu, K_LDS64, 2, rt, addr, 0, true);
		return;
	default: /* PRFM (literal) */
		return;
	}
}

/* Register offset: Rm extended by option (UXTW, LSL, SXTW, SXTX) and
 * optionally shifted by the access size. */
static inline bool ldst_reg_offset(const struct emu_cpu *cpu, uint32_t insn, unsigned sc, uint64_t *off)
{
	unsigned option = (insn >> 13) & 7;
	uint64_t m = xreg(cpu, (insn >> 16) & 31);

	if (!(option & 2))
		return false;
	switch (option) {
	case 2: /* UXTW */
		m = (uint32_t)m;
		break;
	case 6: /* SXTW */
		m = sext64(m, 32);
		break;
	default: /* LSL (UXTX), SXTX */
		break;
	}
	*off = (insn & (1u << 12)) ? m << sc : m;
	return true;
}

/* op0 = xx11: single register, all addressing modes, and the atomic
 * memory operations (bit 21 = 1, bits 11:10 = 00) which go to atomics.c. */
static void ldst_reg_class(struct emu_cpu *cpu, uint32_t insn)
{
	unsigned rt = insn & 31, rn = (insn >> 5) & 31;
	unsigned vec = (insn >> 26) & 1;
	unsigned idx = ((insn >> 28) & 0xc) | ((insn >> 22) & 3); /* size:opc */
	unsigned kind = ldst_kind[vec][idx];
	unsigned sc = (vec && (idx & 2)) ? 4 : idx >> 2;
	unsigned mode = (insn >> 10) & 3;
	uint64_t base, off;

	if (insn & (1u << 24)) { /* unsigned offset */
		if (kind == K_UNALLOC)
			goto unalloc;
		if (kind == K_PRFM)
			return;
		if (vec)
			emu_check_fp_access(cpu);
		off = (uint64_t)((insn >> 10) & 0xfff) << sc;
		ldst_do(cpu, kind, sc, rt, ldst_base(cpu, rn) + off, 0, true);
		return;
	}
	if (insn & (1u << 21)) {
		if (mode == 0) {
			emu_ldst_atomic_memop(cpu, insn);
			return;
		}
		/* mode x1: LDRAA/LDRAB (FEAT_PAuth, not implemented) */
		if (mode != 2 || kind == K_UNALLOC || !ldst_reg_offset(cpu, insn, sc, &off))
			goto unalloc;
		if (kind == K_PRFM)
			return;
		if (vec)
			emu_check_fp_access(cpu);
		ldst_do(cpu, kind, sc, rt, ldst_base(cpu, rn) + off, 0, true);
		return;
	}

	if (kind == K_UNALLOC)
		goto unalloc;
	off = sext64(insn >> 12, 9);
	switch (mode) {
	case 0: /* unscaled: LDUR/STUR/PRFUM */
		if (kind == K_PRFM)
			return;
		if (vec)
			emu_check_fp_access(cpu);
		ldst_do(cpu, kind, sc, rt, ldst_base(cpu, rn) + off, 0, true);
		return;
	case 2: /* unprivileged: LDTR/STTR */
		if (vec || kind == K_PRFM)
			goto unalloc;
		/* At EL2 LDTR/STTR are ordinary accesses, except for a VHE
		 * host (E2H and TGE), whose EL0 they reach. */
		ldst_do(cpu, kind, sc, rt, ldst_base(cpu, rn) + off,
			cpu->el == 2 && !el2_host_el0(cpu) ? 0 : MEMF_UNPRIV, true);
		return;
	default: /* 1: post-indexed, 3: pre-indexed */
		if (kind == K_PRFM)
			goto unalloc;
		if (vec)
			emu_check_fp_access(cpu);
		base = ldst_base(cpu, rn);
		ldst_do(cpu, kind, sc, rt, mode == 3 ? base + off : base, 0, false);
		set_xreg_sp(cpu, rn, base + off);
		return;
	}
unalloc:
	emu_exec_unallocated(cpu, insn);
}

/* op0 = xx10: LDP/STP/LDPSW/LDNP/STNP, offset/post/pre, GPR and S/D/Q. */
static void ldst_pair(struct emu_cpu *cpu, uint32_t insn)
{
	unsigned opc = insn >> 30, mode = (insn >> 23) & 3;
	unsigned rt = insn & 31, rn = (insn >> 5) & 31, rt2 = (insn >> 10) & 31;
	bool vec = (insn >> 26) & 1, load = (insn >> 22) & 1, sx = false;
	unsigned sc;

	if (opc == 3)
		goto unalloc;
	if (vec) {
		sc = 2 + opc;
		emu_check_fp_access(cpu);
	} else if (opc == 1) {
		/* LDPSW; STGP (FEAT_MTE) and the no-allocate form are unallocated */
		if (!load || mode == 0)
			goto unalloc;
		sc = 2;
		sx = true;
	} else {
		sc = opc == 0 ? 2 : 3;
	}

	uint64_t base = ldst_base(cpu, rn);
	uint64_t off = sext64(insn >> 15, 7) << sc;
	uint64_t a1 = mode == 1 ? base : base + off;
	uint64_t a2 = a1 + (1u << sc);
	cpu->dabt_iss = 0;

	if (!vec) {
		unsigned bytes = 1u << sc;
		if (load) {
			uint64_t v1 = mem_read_inline(cpu, a1, bytes, 0);
			uint64_t v2 = mem_read_inline(cpu, a2, bytes, 0);
			if (sx) {
				v1 = sext64(v1, 32);
				v2 = sext64(v2, 32);
			}
			set_xreg(cpu, rt2, v2);
			set_xreg(cpu, rt, v1);
		} else {
			uint64_t v1 = xreg(cpu, rt), v2 = xreg(cpu, rt2);
			mem_write_inline(cpu, a1, bytes, v1, 0);
			mem_write_inline(cpu, a2, bytes, v2, 0);
		}
	} else if (sc == 4) {
		if (load) {
			uint64_t q1[2], q2[2];
			mem_read128(cpu, a1, q1, 0);
			mem_read128(cpu, a2, q2, 0);
			cpu->v[rt][0] = q1[0];
			cpu->v[rt][1] = q1[1];
			cpu->v[rt2][0] = q2[0];
			cpu->v[rt2][1] = q2[1];
		} else {
			mem_write128(cpu, a1, cpu->v[rt], 0);
			mem_write128(cpu, a2, cpu->v[rt2], 0);
		}
	} else {
		unsigned bytes = 1u << sc;
		if (load) {
			uint64_t v1 = mem_read_inline(cpu, a1, bytes, 0);
			uint64_t v2 = mem_read_inline(cpu, a2, bytes, 0);
			cpu->v[rt][0] = v1;
			cpu->v[rt][1] = 0;
			cpu->v[rt2][0] = v2;
			cpu->v[rt2][1] = 0;
		} else {
			mem_write_inline(cpu, a1, bytes, cpu->v[rt][0], 0);
			mem_write_inline(cpu, a2, bytes, cpu->v[rt2][0], 0);
		}
	}
	if (mode & 1) /* 1: post-indexed, 3: pre-indexed */
		set_xreg_sp(cpu, rn, base + off);
	return;
unalloc:
	emu_exec_unallocated(cpu, insn);
}

/* Advanced SIMD load/store multiple/single structures (LD1-LD4, ST1-ST4,
 * LD1R-LD4R): ldst_simd.c. */
static void ldst_simd_struct(struct emu_cpu *cpu, uint32_t insn)
{
	emu_ldst_simd_struct(cpu, insn);
}

void emu_exec_ldst(struct emu_cpu *cpu, uint32_t insn)
{
	switch ((insn >> 28) & 3) {
	case 3:
		ldst_reg_class(cpu, insn);
		return;
	case 2:
		ldst_pair(cpu, insn);
		return;
	case 1:
		/* bit 24 set: LDAPUR/STLUR (FEAT_LRCPC2), MOPS: not implemented */
		if (!(insn & (1u << 24))) {
			ldst_literal(cpu, insn);
			return;
		}
		break;
	default:
		if (insn & (1u << 26)) {
			if (!(insn >> 31)) {
				ldst_simd_struct(cpu, insn);
				return;
			}
			break;
		}
		/* bit 24 set: memory tags (FEAT_MTE), not implemented */
		if (!(insn & (1u << 24))) {
			emu_ldst_exclusive_class(cpu, insn);
			return;
		}
		break;
	}
	emu_exec_unallocated(cpu, insn);
}
