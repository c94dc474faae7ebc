/*
 * jit_simd.c - inline code for frequent Advanced SIMD integer operations:
 * of the "three same" class ADD, SUB, AND, BIC, ORR, ORN, EOR, CMEQ,
 * CMGT, CMGE, CMHI, CMHS, SMAX, SMIN, UMAX, UMIN; of "shift by immediate"
 * SHL, USHR, SSHR and the widening USHLL/SSHLL (UXTL/SXTL); of "three
 * different" the widening [US]ADDL, [US]ADDW, [US]SUBL, [US]SUBW,
 * [US]MULL, [US]MLAL, [US]MLSL (and their "2" forms), on 64- and 128-bit
 * vectors, as VEX.128 operations (AVX) on cpu->v[].
 * Integer lanes raise no flags and have no corner cases, so the only check
 * is the SIMD&FP access one (jit_fp_access_check); the interpreter's
 * handler runs on the slow path (the trap).  A 64-bit vector's upper
 * lanes are computed from whatever the registers hold and not stored
 * (Vd's upper half is zeroed).  Forms without an x86 counterpart (64-bit
 * lanes of the unsigned compares, max/min and SSHR, 8-bit lanes of the
 * shifts) and the reserved ones (64-bit lanes in a 64-bit vector) stay
 * calls.
 */
#include <stddef.h>

#include "../cpu.h"
#include "jit_priv.h"

/* x86 operations (VEX.128.66, map 0F or 0F38) by lane size b h s d;
 * 0: none. */
struct lanes_op {
	uint8_t map[4];
	uint8_t op[4];
};
#define M1 VEX_0F
#define M2 VEX_0F38
static const struct lanes_op padd = { { M1, M1, M1, M1 }, { 0xfc, 0xfd, 0xfe, 0xd4 } };
static const struct lanes_op psub = { { M1, M1, M1, M1 }, { 0xf8, 0xf9, 0xfa, 0xfb } };
static const struct lanes_op pcmpeq = { { M1, M1, M1, M2 }, { 0x74, 0x75, 0x76, 0x29 } };
static const struct lanes_op pcmpgt = { { M1, M1, M1, M2 }, { 0x64, 0x65, 0x66, 0x37 } };
static const struct lanes_op pmaxu = { { M1, M2, M2, 0 }, { 0xde, 0x3e, 0x3f, 0 } };
static const struct lanes_op pminu = { { M1, M2, M2, 0 }, { 0xda, 0x3a, 0x3b, 0 } };
static const struct lanes_op pmaxs = { { M2, M1, M2, 0 }, { 0x3c, 0xee, 0x3d, 0 } };
static const struct lanes_op pmins = { { M2, M1, M2, 0 }, { 0x38, 0xea, 0x39, 0 } };
#define PAND 0xdb
#define PANDN 0xdf /* ~first source & second */
#define POR 0xeb
#define PXOR 0xef

/* The operations, by U:opcode (bits 29, 15:11). */
enum simd_kind { K_NONE, K_ADD, K_SUB, K_LOGIC, K_CMEQ, K_CMGT, K_CMGE, K_CMHI, K_CMHS, K_MAX, K_MIN, K_EOR };

static enum simd_kind kind_of(unsigned u, unsigned opcode, bool *sgn)
{
	*sgn = !u;
	switch (opcode) {
	case 0x10: return u ? K_SUB : K_ADD;
	case 0x03: return u ? K_EOR : K_LOGIC; /* U: EOR (size 0), BSL, BIT, BIF */
	case 0x11: return u ? K_CMEQ : K_NONE; /* CMTST: none */
	case 0x06: return u ? K_CMHI : K_CMGT;
	case 0x07: return u ? K_CMHS : K_CMGE;
	case 0x0c: return K_MAX;
	case 0x0d: return K_MIN;
	default: return K_NONE;
	}
}

/* dst = a op b, lanes of log2 size sz */
static void lanes(struct x86_buf *b, const struct lanes_op *o, unsigned sz, unsigned dst, unsigned a, unsigned src)
{
	x86_vex_rr(b, o->map[sz], VEX_66, false, o->op[sz], dst, a, src);
}

/* XMM dst = ~dst (XMM3 all ones) */
static void invert(struct x86_buf *b, unsigned dst)
{
	x86_vex_rr(b, VEX_0F, VEX_66, false, 0x76, 3, 3, 3); /* vpcmpeqd: ones */
	x86_vex_rr(b, VEX_0F, VEX_66, false, PXOR, dst, dst, 3);
}

/* Vd = the result in XMM0: all of it, or its low half and zeros */
static void store_result(struct x86_buf *b, bool q, unsigned rd)
{
	if (q) {
		x86_vstore128(b, 0, RBX, VREG(rd));
	} else { /* vmovq m64, xmm0 */
		x86_vex_rm(b, VEX_0F, VEX_66, false, 0xd6, 0, 0, RBX, VREG(rd));
		x86_store_imm(b, RBX, VREG(rd) + 8, 0);
	}
}

/* xmm = the half (Q: upper) of V register n, each lane sign- (!u) or
 * zero-extended to twice its log2 size sz */
static void widen(struct x86_buf *b, bool u, unsigned sz, bool q, unsigned xmm, unsigned n)
{
	static const uint8_t movx[2][3] = { { 0x20, 0x23, 0x25 }, { 0x30, 0x33, 0x35 } }; /* vpmov{s,z}x */
	x86_vex_rm(b, VEX_0F38, VEX_66, false, movx[u][sz], xmm, 0, RBX, VREG(n) + (q ? 8 : 0));
}

/* Shift by immediate (bits 28:23 011110, immh != 0): SSHR, USHR (opcode
 * 0), SHL (01010), SSHLL/USHLL (10100). */
static bool shift_imm(struct x86_buf *b, uint32_t insn, uint8_t **slow)
{
	bool q = insn >> 30 & 1, u = insn >> 29 & 1;
	unsigned immh = insn >> 19 & 15, ihb = insn >> 16 & 127, opcode = insn >> 11 & 31;
	unsigned rd = insn & 31, rn = insn >> 5 & 31;
	unsigned lsz = immh >= 8 ? 3 : immh >= 4 ? 2 : immh >= 2 ? 1 : 0, esize = 8u << lsz;
	if (opcode == 0x14) { /* SSHLL/USHLL{2}: widen Vn's low (high) half, then shift */
		if (lsz == 3)
			return false;
		*slow = jit_fp_access_check(b);
		widen(b, u, lsz, q, 0, rn);
		if (ihb - esize)
			x86_vshift_ri(b, VSH_SLL, lsz + 1, 0, 0, ihb - esize);
		x86_vstore128(b, 0, RBX, VREG(rd));
		return true;
	}
	enum x86_vshift digit;
	unsigned amount;
	if (opcode == 0x00) { /* SSHR, USHR: by 2 * esize - immh:immb (1..esize) */
		digit = u ? VSH_SRL : VSH_SRA;
		amount = 2 * esize - ihb;
	} else if (opcode == 0x0a && !u) { /* SHL: by immh:immb - esize */
		digit = VSH_SLL;
		amount = ihb - esize;
	} else {
		return false;
	}
	if (lsz == 0 || (lsz == 3 && (!q || digit == VSH_SRA)))
		return false; /* no byte shifts, no 64-bit SRA; .1D reserved */
	*slow = jit_fp_access_check(b);
	x86_vload128(b, 0, RBX, VREG(rn));
	x86_vshift_ri(b, digit, lsz, 0, 0, amount);
	store_result(b, q, rd);
	return true;
}

/* Three different (bits 28:24 01110, 21 1, 11:10 00): the widening
 * add/subtract (long, wide) and multiply(-accumulate) forms. */
static bool three_diff(struct x86_buf *b, uint32_t insn, uint8_t **slow)
{
	bool q = insn >> 30 & 1, u = insn >> 29 & 1;
	unsigned sz = insn >> 22 & 3, opcode = insn >> 12 & 15;
	unsigned rd = insn & 31, rn = insn >> 5 & 31, rm = insn >> 16 & 31;
	if (sz == 3)
		return false;
	unsigned w = sz + 1; /* the wide lanes' log2 size */
	switch (opcode) {
	case 0x0: case 0x2: /* [US]ADDL, [US]SUBL */
		*slow = jit_fp_access_check(b);
		widen(b, u, sz, q, 0, rn);
		widen(b, u, sz, q, 1, rm);
		lanes(b, opcode ? &psub : &padd, w, 0, 0, 1);
		break;
	case 0x1: case 0x3: /* [US]ADDW, [US]SUBW: Vn is wide */
		*slow = jit_fp_access_check(b);
		x86_vload128(b, 0, RBX, VREG(rn));
		widen(b, u, sz, q, 1, rm);
		lanes(b, opcode == 1 ? &padd : &psub, w, 0, 0, 1);
		break;
	case 0x8: case 0xa: case 0xc: /* [US]MLAL, [US]MLSL, [US]MULL */
		*slow = jit_fp_access_check(b);
		widen(b, u, sz, q, 0, rn);
		widen(b, u, sz, q, 1, rm);
		if (sz == 0) /* vpmullw */
			x86_vex_rr(b, VEX_0F, VEX_66, false, 0xd5, 0, 0, 1);
		else if (sz == 1) /* vpmulld */
			x86_vex_rr(b, VEX_0F38, VEX_66, false, 0x40, 0, 0, 1);
		else if (u) /* vpmuludq: the low 32 bits of each 64-bit lane */
			x86_vex_rr(b, VEX_0F, VEX_66, false, 0xf4, 0, 0, 1);
		else /* vpmuldq */
			x86_vex_rr(b, VEX_0F38, VEX_66, false, 0x28, 0, 0, 1);
		if (opcode != 0xc) { /* Vd +- the products */
			x86_vload128(b, 2, RBX, VREG(rd));
			lanes(b, opcode == 8 ? &padd : &psub, w, 0, 2, 0);
		}
		break;
	default:
		return false;
	}
	x86_vstore128(b, 0, RBX, VREG(rd));
	return true;
}

bool jit_simd_emit(struct x86_buf *b, uint32_t insn, uint8_t **slow)
{
	if ((insn & 0x9f800400u) == 0x0f000400u && (insn >> 19 & 15))
		return shift_imm(b, insn, slow);
	if ((insn & 0x9f200c00u) == 0x0e200000u)
		return three_diff(b, insn, slow);
	if ((insn & 0x9f200400u) != 0x0e200400u) /* three same */
		return false;
	bool q = insn >> 30 & 1, sgn;
	unsigned u = insn >> 29 & 1, sz = insn >> 22 & 3, opcode = insn >> 11 & 31;
	unsigned rd = insn & 31, rn = insn >> 5 & 31, rm = insn >> 16 & 31;
	enum simd_kind k = kind_of(u, opcode, &sgn);
	if (k == K_NONE || (k == K_EOR && sz != 0))
		return false;
	if (k != K_LOGIC && k != K_EOR) {
		if (sz == 3 && !q) /* reserved */
			return false;
		if (sz == 3 && (k == K_CMHI || k == K_CMHS || k == K_MAX || k == K_MIN))
			return false;
	}
	*slow = jit_fp_access_check(b);
	x86_vload128(b, 0, RBX, VREG(rn)); /* XMM0 = Vn, XMM1 = Vm */
	x86_vload128(b, 1, RBX, VREG(rm));
	switch (k) {
	case K_ADD: lanes(b, &padd, sz, 0, 0, 1); break;
	case K_SUB: lanes(b, &psub, sz, 0, 0, 1); break;
	case K_EOR: x86_vex_rr(b, VEX_0F, VEX_66, false, PXOR, 0, 0, 1); break;
	case K_LOGIC:
		if (sz == 0) { /* AND */
			x86_vex_rr(b, VEX_0F, VEX_66, false, PAND, 0, 0, 1);
		} else if (sz == 1) { /* BIC: Vn & ~Vm */
			x86_vex_rr(b, VEX_0F, VEX_66, false, PANDN, 0, 1, 0);
		} else if (sz == 2) { /* ORR */
			x86_vex_rr(b, VEX_0F, VEX_66, false, POR, 0, 0, 1);
		} else { /* ORN: Vn | ~Vm */
			invert(b, 1);
			x86_vex_rr(b, VEX_0F, VEX_66, false, POR, 0, 0, 1);
		}
		break;
	case K_CMEQ: lanes(b, &pcmpeq, sz, 0, 0, 1); break;
	case K_CMGT: lanes(b, &pcmpgt, sz, 0, 0, 1); break;
	case K_CMGE: /* ~(Vm > Vn) */
		lanes(b, &pcmpgt, sz, 0, 1, 0);
		invert(b, 0);
		break;
	case K_CMHS: /* max(Vn, Vm) == Vn */
		lanes(b, &pmaxu, sz, 2, 0, 1);
		lanes(b, &pcmpeq, sz, 0, 0, 2);
		break;
	case K_CMHI: /* ~(max(Vn, Vm) == Vm) */
		lanes(b, &pmaxu, sz, 2, 0, 1);
		lanes(b, &pcmpeq, sz, 0, 2, 1);
		invert(b, 0);
		break;
	case K_MAX: lanes(b, sgn ? &pmaxs : &pmaxu, sz, 0, 0, 1); break;
	case K_MIN: lanes(b, sgn ? &pmins : &pminu, sz, 0, 0, 1); break;
	case K_NONE: break;
	}
	store_result(b, q, rd);
	return true;
}
