/*
 * simd_move.c - Advanced SIMD data movement: copy (DUP, INS, UMOV, SMOV,
 * scalar DUP), modified immediate (MOVI, MVNI, ORR, BIC, FMOV), permute
 * (UZP1/2, TRN1/2, ZIP1/2), EXT, TBL/TBX.
 */
#include "simd.h"

void simd_copy(struct emu_cpu *cpu, uint32_t insn, bool scalar)
{
	bool q = (insn >> 30) & 1, op = (insn >> 29) & 1;
	unsigned imm5 = (insn >> 16) & 31, imm4 = (insn >> 11) & 15;
	unsigned rn = (insn >> 5) & 31, rd = insn & 31;
	if ((imm5 & 15) == 0)
		emu_undefined(cpu);
	unsigned size = (unsigned)__builtin_ctz(imm5), idx = imm5 >> (size + 1);
	vec128 vn = vreg(cpu, rn), r = { { 0, 0 } };

	if (scalar) { /* DUP (element), scalar: MOV Bd/Hd/Sd/Dd, Vn.T[i] */
		if (imm4 != 0)
			emu_undefined(cpu);
		set_vscalar(cpu, rd, vget(&vn, idx, size));
		return;
	}
	if (op) { /* INS (element) */
		if (!q)
			emu_undefined(cpu);
		r = vreg(cpu, rd);
		vset(&r, idx, size, vget(&vn, imm4 >> size, size));
		set_vreg(cpu, rd, &r, true);
		return;
	}
	unsigned n = (q ? 16u : 8u) >> size;
	switch (imm4) {
	case 0: case 1: { /* DUP (element), DUP (general) */
		if (size == 3 && !q)
			emu_undefined(cpu);
		uint64_t e = imm4 == 0 ? vget(&vn, idx, size) : xreg(cpu, rn) & esz_mask(8u << size);
		for (unsigned i = 0; i < n; i++)
			vset(&r, i, size, e);
		if (!q)
			r.d[1] = 0;
		set_vreg(cpu, rd, &r, q);
		return;
	}
	case 3: /* INS (general) */
		if (!q)
			emu_undefined(cpu);
		r = vreg(cpu, rd);
		vset(&r, idx, size, xreg(cpu, rn));
		set_vreg(cpu, rd, &r, true);
		return;
	case 5: { /* SMOV */
		if (size == 3 || (size == 2 && !q))
			emu_undefined(cpu);
		int64_t v = sext(vget(&vn, idx, size), 8u << size);
		if (q)
			set_xreg(cpu, rd, (uint64_t)v);
		else
			set_wreg(cpu, rd, (uint32_t)v);
		return;
	}
	case 7: /* UMOV */
		if (q ? size != 3 : size == 3)
			emu_undefined(cpu);
		set_xreg(cpu, rd, vget(&vn, idx, size));
		return;
	default:
		emu_undefined(cpu);
	}
}

/* AdvSIMDExpandImm for cmode/op (64 bits; replicated to 128). */
static uint64_t expand_imm(bool op, unsigned cmode, uint64_t imm8)
{
	switch (cmode >> 1) {
	case 0: return imm8 * 0x0000000100000001ull;
	case 1: return (imm8 << 8) * 0x0000000100000001ull;
	case 2: return (imm8 << 16) * 0x0000000100000001ull;
	case 3: return (imm8 << 24) * 0x0000000100000001ull;
	case 4: return imm8 * 0x0001000100010001ull;
	case 5: return (imm8 << 8) * 0x0001000100010001ull;
	case 6:
		if (cmode & 1)
			return (imm8 << 16 | 0xffff) * 0x0000000100000001ull;
		return (imm8 << 8 | 0xff) * 0x0000000100000001ull;
	default:
		if (!(cmode & 1)) {
			if (!op)
				return imm8 * 0x0101010101010101ull;
			uint64_t r = 0;
			for (unsigned i = 0; i < 8; i++)
				if ((imm8 >> i) & 1)
					r |= 0xffull << (8 * i);
			return r;
		}
		if (!op)
			return vfp_expand_imm((unsigned)imm8, 32) * 0x0000000100000001ull;
		return vfp_expand_imm((unsigned)imm8, 64);
	}
}

void simd_mod_imm(struct emu_cpu *cpu, uint32_t insn)
{
	bool q = (insn >> 30) & 1, op = (insn >> 29) & 1;
	unsigned cmode = (insn >> 12) & 15, rd = insn & 31;
	uint64_t imm8 = ((insn >> 16) & 7) << 5 | ((insn >> 5) & 31);
	if (insn & (1u << 11)) { /* o2: FMOV Vd.4H/8H, #imm (FP16) */
		if (op || cmode != 15)
			emu_undefined(cpu);
		uint64_t h = vfp_expand_imm((unsigned)imm8, 16);
		vec128 r;
		r.d[0] = r.d[1] = h * 0x0001000100010001ull;
		set_vreg(cpu, rd, &r, q);
		return;
	}
	if (cmode == 15 && op && !q)
		emu_undefined(cpu);
	uint64_t imm = expand_imm(op, cmode, imm8);
	vec128 r;
	/* ORR / BIC: cmode 0xx1 and 10x1 */
	bool logic = cmode < 12 && (cmode & 1);
	if (logic) {
		r = vreg(cpu, rd);
		for (unsigned i = 0; i < 2; i++)
			r.d[i] = op ? r.d[i] & ~imm : r.d[i] | imm;
	} else {
		bool invert = op && cmode < 14; /* MVNI */
		r.d[0] = r.d[1] = invert ? ~imm : imm;
	}
	set_vreg(cpu, rd, &r, q);
}

void simd_permute(struct emu_cpu *cpu, uint32_t insn)
{
	bool q = (insn >> 30) & 1;
	unsigned size = (insn >> 22) & 3, opc = (insn >> 12) & 7;
	unsigned rm = (insn >> 16) & 31, rn = (insn >> 5) & 31, rd = insn & 31;
	if ((opc & 3) == 0 || (size == 3 && !q))
		emu_undefined(cpu);
	unsigned part = opc >> 2, n = (q ? 16u : 8u) >> size, pairs = n / 2;
	vec128 vn = vreg(cpu, rn), vm = vreg(cpu, rm), r = { { 0, 0 } };
	switch (opc & 3) {
	case 1: /* UZP */
		for (unsigned e = 0; e < n; e++) {
			unsigned s = 2 * e + part;
			vset(&r, e, size, s < n ? vget(&vn, s, size) : vget(&vm, s - n, size));
		}
		break;
	case 2: /* TRN */
		for (unsigned p = 0; p < pairs; p++) {
			vset(&r, 2 * p, size, vget(&vn, 2 * p + part, size));
			vset(&r, 2 * p + 1, size, vget(&vm, 2 * p + part, size));
		}
		break;
	default: /* ZIP */
		for (unsigned p = 0; p < pairs; p++) {
			vset(&r, 2 * p, size, vget(&vn, part * pairs + p, size));
			vset(&r, 2 * p + 1, size, vget(&vm, part * pairs + p, size));
		}
		break;
	}
	set_vreg(cpu, rd, &r, q);
}

void simd_ext(struct emu_cpu *cpu, uint32_t insn)
{
	bool q = (insn >> 30) & 1;
	unsigned imm4 = (insn >> 11) & 15;
	unsigned rm = (insn >> 16) & 31, rn = (insn >> 5) & 31, rd = insn & 31;
	if (!q && (imm4 & 8))
		emu_undefined(cpu);
	uint8_t cat[32], out[16] = { 0 };
	unsigned bytes = q ? 16 : 8;
	memcpy(cat, cpu->v[rn], 16);
	memcpy(cat + bytes, cpu->v[rm], 16);
	memcpy(out, cat + imm4, bytes);
	vec128 r;
	memcpy(r.d, out, 16);
	set_vreg(cpu, rd, &r, q);
}

void simd_tbl(struct emu_cpu *cpu, uint32_t insn)
{
	bool q = (insn >> 30) & 1, tbx = (insn >> 12) & 1;
	unsigned len = (insn >> 13) & 3;
	unsigned rm = (insn >> 16) & 31, rn = (insn >> 5) & 31, rd = insn & 31;
	uint8_t table[64], idx[16], out[16];
	for (unsigned i = 0; i <= len; i++)
		memcpy(table + 16 * i, cpu->v[(rn + i) & 31], 16);
	memcpy(idx, cpu->v[rm], 16);
	memcpy(out, cpu->v[rd], 16);
	unsigned limit = 16 * (len + 1), bytes = q ? 16 : 8;
	for (unsigned i = 0; i < bytes; i++) {
		if (idx[i] < limit)
			out[i] = table[idx[i]];
		else if (!tbx)
			out[i] = 0;
	}
	vec128 r;
	memcpy(r.d, out, 16);
	set_vreg(cpu, rd, &r, q);
}
