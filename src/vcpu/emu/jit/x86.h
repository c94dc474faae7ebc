/*
 * x86.h - the few x86-64 instruction encodings the translator emits
 * (Intel SDM vol. 2): integer ALU, moves, shifts, setcc/cmovcc, jumps
 * and calls, with register and [base + disp32] operands; and VEX.128
 * SIMD operations (AVX, FMA3) on XMM registers, with register,
 * [base + disp32] and [rip + disp32] operands.  Emission is
 * bounds-checked: a full buffer sets x86_buf.overflow and further bytes
 * are dropped; the translator then throws the block away.
 */
#ifndef EMU_JIT_X86_H
#define EMU_JIT_X86_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

enum x86_reg {
	RAX, RCX, RDX, RBX, RSP, RBP, RSI, RDI,
	R8, R9, R10, R11, R12, R13, R14, R15,
};

/* Condition codes (low nibble of Jcc/SETcc/CMOVcc). */
enum x86_cc {
	CC_O = 0, CC_NO = 1, CC_B = 2, CC_AE = 3, CC_E = 4, CC_NE = 5, CC_BE = 6, CC_A = 7,
	CC_S = 8, CC_NS = 9, CC_L = 12, CC_GE = 13, CC_LE = 14, CC_G = 15,
};

/* Two-operand ALU group: opcode base (r/m, reg form is base + 1 for
 * "op r/m, reg"; base + 3 for "op reg, r/m") and /digit of 0x81. */
enum x86_alu { ALU_ADD = 0, ALU_OR = 1, ALU_ADC = 2, ALU_SBB = 3, ALU_AND = 4, ALU_SUB = 5, ALU_XOR = 6, ALU_CMP = 7 };

/* Shift group /digit (0xC1 imm8, 0xD3 by CL). */
enum x86_shift { SH_ROL = 0, SH_ROR = 1, SH_SHL = 4, SH_SHR = 5, SH_SAR = 7 };

struct x86_buf {
	uint8_t *p, *end; /* write cursor and limit (the writable view) */
	uint8_t *base;    /* start of the writable view of the buffer */
	uintptr_t exec;   /* address of base in the executable view */
	bool overflow;
};

static inline void x86_byte(struct x86_buf *b, unsigned v)
{
	if (b->p < b->end)
		*b->p++ = (uint8_t)v;
	else
		b->overflow = true;
}

static inline void x86_u32(struct x86_buf *b, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		x86_byte(b, (v >> (8 * i)) & 0xff);
}

static inline void x86_u64(struct x86_buf *b, uint64_t v)
{
	x86_u32(b, (uint32_t)v);
	x86_u32(b, (uint32_t)(v >> 32));
}

/* Address of the cursor in the executable view. */
static inline uintptr_t x86_here(const struct x86_buf *b)
{
	return b->exec + (uintptr_t)(b->p - b->base);
}

/* REX prefix: w = 64-bit operand, r = ModRM.reg, x = SIB.index, bm =
 * ModRM.rm or SIB.base.  force: emit even when empty (byte registers
 * SPL..DIL, and uniform for r8..r15). */
static inline void x86_rex(struct x86_buf *b, bool w, unsigned r, unsigned x, unsigned bm, bool force)
{
	unsigned v = 0x40 | (w ? 8 : 0) | ((r >> 3) & 1) << 2 | ((x >> 3) & 1) << 1 | ((bm >> 3) & 1);
	if (v != 0x40 || force)
		x86_byte(b, v);
}

/* No index register in a memory operand (REX.X stays clear). */
#define X86_NOIDX 16u

/* ModRM (+SIB, disp) for reg, [base + index + disp] (index not RSP, or
 * X86_NOIDX); base RSP/R12 need a SIB, RBP/R13 with no displacement
 * need disp8 0. */
static inline void x86_modrm_memx(struct x86_buf *b, unsigned reg, unsigned base, unsigned index, int32_t disp)
{
	unsigned mod = disp == 0 && (base & 7) != RBP ? 0 : (disp >= -128 && disp <= 127) ? 1 : 2;
	if (index != X86_NOIDX) {
		x86_byte(b, mod << 6 | (reg & 7) << 3 | RSP);
		x86_byte(b, (index & 7) << 3 | (base & 7));
	} else {
		x86_byte(b, mod << 6 | (reg & 7) << 3 | (base & 7));
		if ((base & 7) == RSP)
			x86_byte(b, 0x24);
	}
	if (mod == 1)
		x86_byte(b, (uint8_t)disp);
	else if (mod == 2)
		x86_u32(b, (uint32_t)disp);
}

static inline void x86_modrm_mem(struct x86_buf *b, unsigned reg, unsigned base, int32_t disp)
{
	x86_modrm_memx(b, reg, base, X86_NOIDX, disp);
}

static inline void x86_modrm_reg(struct x86_buf *b, unsigned reg, unsigned rm)
{
	x86_byte(b, 0xc0 | (reg & 7) << 3 | (rm & 7));
}

/* op reg, [base + index + disp] with a one-byte opcode (or
 * 0x0F-prefixed when op > 0xff: the low byte follows 0x0F). */
static inline void x86_op_rmx(struct x86_buf *b, unsigned op, bool w, unsigned reg, unsigned base, unsigned index,
			      int32_t disp, bool byte_reg)
{
	x86_rex(b, w, reg, index, base, byte_reg && (reg & 7) >= 4);
	if (op > 0xff)
		x86_byte(b, 0x0f);
	x86_byte(b, op & 0xff);
	x86_modrm_memx(b, reg, base, index, disp);
}

static inline void x86_op_rm(struct x86_buf *b, unsigned op, bool w, unsigned reg, unsigned base, int32_t disp,
			     bool byte_reg)
{
	x86_op_rmx(b, op, w, reg, base, X86_NOIDX, disp, byte_reg);
}

static inline void x86_op_rr(struct x86_buf *b, unsigned op, bool w, unsigned reg, unsigned rm)
{
	x86_rex(b, w, reg, 0, rm, false);
	if (op > 0xff)
		x86_byte(b, 0x0f);
	x86_byte(b, op & 0xff);
	x86_modrm_reg(b, reg, rm);
}

/* ---- moves ------------------------------------------------------------ */

static inline void x86_load(struct x86_buf *b, bool w, unsigned reg, unsigned base, int32_t disp)
{
	x86_op_rm(b, 0x8b, w, reg, base, disp, false);
}

static inline void x86_store(struct x86_buf *b, bool w, unsigned reg, unsigned base, int32_t disp)
{
	x86_op_rm(b, 0x89, w, reg, base, disp, false);
}

/* Store of the low 1, 2, 4 or 8 bytes of reg to [base + index + disp]. */
static inline void x86_store_nx(struct x86_buf *b, unsigned size, unsigned reg, unsigned base, unsigned index,
				int32_t disp)
{
	if (size == 2)
		x86_byte(b, 0x66);
	x86_op_rmx(b, size == 1 ? 0x88 : 0x89, size == 8, reg, base, index, disp, size == 1);
}

static inline void x86_store_n(struct x86_buf *b, unsigned size, unsigned reg, unsigned base, int32_t disp)
{
	x86_store_nx(b, size, reg, base, X86_NOIDX, disp);
}

/* Zero-extending load of 1, 2, 4 or 8 bytes. */
static inline void x86_load_zxx(struct x86_buf *b, unsigned size, unsigned reg, unsigned base, unsigned index,
				int32_t disp)
{
	x86_op_rmx(b, size == 1 ? 0x1b6 : size == 2 ? 0x1b7 : 0x8b, size == 8, reg, base, index, disp, false);
}

static inline void x86_load_zx(struct x86_buf *b, unsigned size, unsigned reg, unsigned base, int32_t disp)
{
	x86_load_zxx(b, size, reg, base, X86_NOIDX, disp);
}

/* Sign-extending load of 1, 2 or 4 bytes to 64 bits (w) or to 32 bits
 * zero-extended (!w, 1 or 2 bytes). */
static inline void x86_load_sxx(struct x86_buf *b, bool w, unsigned size, unsigned reg, unsigned base, unsigned index,
				int32_t disp)
{
	x86_op_rmx(b, size == 1 ? 0x1be : size == 2 ? 0x1bf : 0x63, w, reg, base, index, disp, false);
}

static inline void x86_load_sx(struct x86_buf *b, bool w, unsigned size, unsigned reg, unsigned base, int32_t disp)
{
	x86_load_sxx(b, w, size, reg, base, X86_NOIDX, disp);
}

static inline void x86_mov_rr(struct x86_buf *b, bool w, unsigned dst, unsigned src)
{
	x86_op_rr(b, 0x89, w, src, dst);
}

/* movsxd dst, src32 */
static inline void x86_movsxd(struct x86_buf *b, unsigned dst, unsigned src)
{
	x86_op_rr(b, 0x63, true, dst, src);
}

/* movzx dst32, src8 */
static inline void x86_movzx8(struct x86_buf *b, unsigned dst, unsigned src)
{
	x86_rex(b, false, dst, 0, src, (src & 7) >= 4);
	x86_byte(b, 0x0f);
	x86_byte(b, 0xb6);
	x86_modrm_reg(b, dst, src);
}

/* dst = the low `bits` (8, 16, 32) of src, sign- or zero-extended to 64 */
static inline void x86_movx(struct x86_buf *b, bool sign, unsigned bits, unsigned dst, unsigned src)
{
	if (bits == 32) {
		if (sign)
			x86_movsxd(b, dst, src);
		else
			x86_mov_rr(b, false, dst, src);
	} else if (bits == 8 && !sign) {
		x86_movzx8(b, dst, src);
	} else { /* movsx (REX.W: any byte register) or movzx of a word */
		x86_op_rr(b, bits == 8 ? 0x1be : sign ? 0x1bf : 0x1b7, sign, dst, src);
	}
}

/* Shortest move of a constant (zero-extended 32, sign-extended 32, 64). */
static inline void x86_mov_imm(struct x86_buf *b, unsigned reg, uint64_t v)
{
	if (v <= 0xffffffffu) {
		x86_rex(b, false, 0, 0, reg, false);
		x86_byte(b, 0xb8 | (reg & 7));
		x86_u32(b, (uint32_t)v);
	} else if ((int64_t)v >= INT32_MIN && (int64_t)v <= INT32_MAX) {
		x86_rex(b, true, 0, 0, reg, false);
		x86_byte(b, 0xc7);
		x86_modrm_reg(b, 0, reg);
		x86_u32(b, (uint32_t)v);
	} else {
		x86_rex(b, true, 0, 0, reg, false);
		x86_byte(b, 0xb8 | (reg & 7));
		x86_u64(b, v);
	}
}

static inline bool x86_fits_s32(uint64_t v)
{
	return (int64_t)v >= INT32_MIN && (int64_t)v <= INT32_MAX;
}

/* mov qword [base + disp], simm32 */
static inline void x86_store_imm(struct x86_buf *b, unsigned base, int32_t disp, int32_t v)
{
	x86_rex(b, true, 0, 0, base, false);
	x86_byte(b, 0xc7);
	x86_modrm_mem(b, 0, base, disp);
	x86_u32(b, (uint32_t)v);
}

/* mov word/dword [base + disp], imm */
static inline void x86_store_imm16(struct x86_buf *b, unsigned base, int32_t disp, uint16_t v)
{
	x86_byte(b, 0x66);
	x86_rex(b, false, 0, 0, base, false);
	x86_byte(b, 0xc7);
	x86_modrm_mem(b, 0, base, disp);
	x86_byte(b, v & 0xff);
	x86_byte(b, v >> 8);
}

static inline void x86_store_imm32(struct x86_buf *b, unsigned base, int32_t disp, uint32_t v)
{
	x86_rex(b, false, 0, 0, base, false);
	x86_byte(b, 0xc7);
	x86_modrm_mem(b, 0, base, disp);
	x86_u32(b, v);
}

/* Byte operations on AL/CL (condition results). */
static inline void x86_and_al_cl(struct x86_buf *b)
{
	x86_byte(b, 0x20);
	x86_byte(b, 0xc8);
}

static inline void x86_xor_al_1(struct x86_buf *b)
{
	x86_byte(b, 0x34);
	x86_byte(b, 0x01);
}

static inline void x86_test_al_al(struct x86_buf *b)
{
	x86_byte(b, 0x84);
	x86_byte(b, 0xc0);
}

/* test reg8, imm8 (low byte of RAX..RDI with REX for SPL..DIL) */
static inline void x86_test_r8i(struct x86_buf *b, unsigned reg, uint8_t imm)
{
	x86_rex(b, false, 0, 0, reg, (reg & 7) >= 4 || reg >= 8);
	x86_byte(b, 0xf6);
	x86_modrm_reg(b, 0, reg);
	x86_byte(b, imm);
}

/* ---- arithmetic --------------------------------------------------------- */

/* op dst, src (ALU group) */
static inline void x86_alu_rr(struct x86_buf *b, enum x86_alu op, bool w, unsigned dst, unsigned src)
{
	x86_op_rr(b, (unsigned)op * 8 + 1, w, src, dst);
}

/* op reg, [base + disp] */
static inline void x86_alu_rm(struct x86_buf *b, enum x86_alu op, bool w, unsigned reg, unsigned base, int32_t disp)
{
	x86_op_rm(b, (unsigned)op * 8 + 3, w, reg, base, disp, false);
}

/* op reg, simm32 (imm8 form when it fits) */
static inline void x86_alu_ri(struct x86_buf *b, enum x86_alu op, bool w, unsigned reg, int32_t imm)
{
	x86_rex(b, w, 0, 0, reg, false);
	if (imm >= -128 && imm <= 127) {
		x86_byte(b, 0x83);
		x86_modrm_reg(b, (unsigned)op, reg);
		x86_byte(b, (uint8_t)imm);
	} else {
		x86_byte(b, 0x81);
		x86_modrm_reg(b, (unsigned)op, reg);
		x86_u32(b, (uint32_t)imm);
	}
}

/* op qword [base + disp], simm32 */
static inline void x86_alu_mi(struct x86_buf *b, enum x86_alu op, bool w, unsigned base, int32_t disp, int32_t imm)
{
	x86_rex(b, w, 0, 0, base, false);
	bool small = imm >= -128 && imm <= 127;
	x86_byte(b, small ? 0x83 : 0x81);
	x86_modrm_mem(b, (unsigned)op, base, disp);
	if (small)
		x86_byte(b, (uint8_t)imm);
	else
		x86_u32(b, (uint32_t)imm);
}

/* cmp byte [base + disp], imm8 */
static inline void x86_cmp_m8i(struct x86_buf *b, unsigned base, int32_t disp, uint8_t imm)
{
	x86_rex(b, false, 0, 0, base, false);
	x86_byte(b, 0x80);
	x86_modrm_mem(b, 7, base, disp);
	x86_byte(b, imm);
}

/* mov byte [base + disp], imm */
static inline void x86_store_m8i(struct x86_buf *b, unsigned base, int32_t disp, uint8_t imm)
{
	x86_rex(b, false, 0, 0, base, false);
	x86_byte(b, 0xc6);
	x86_modrm_mem(b, 0, base, disp);
	x86_byte(b, imm);
}

static inline void x86_test_rr(struct x86_buf *b, bool w, unsigned a, unsigned c)
{
	x86_op_rr(b, 0x85, w, c, a);
}

/* test reg, simm32 */
static inline void x86_test_ri(struct x86_buf *b, bool w, unsigned reg, int32_t imm)
{
	x86_rex(b, w, 0, 0, reg, false);
	x86_byte(b, 0xf7);
	x86_modrm_reg(b, 0, reg);
	x86_u32(b, (uint32_t)imm);
}

/* test dword [base + disp], imm32 */
static inline void x86_test_mi(struct x86_buf *b, unsigned base, int32_t disp, int32_t imm)
{
	x86_rex(b, false, 0, 0, base, false);
	x86_byte(b, 0xf7);
	x86_modrm_mem(b, 0, base, disp);
	x86_u32(b, (uint32_t)imm);
}

/* bt reg, imm8 (CF = bit) */
static inline void x86_bt_ri(struct x86_buf *b, unsigned reg, unsigned bit)
{
	x86_rex(b, true, 0, 0, reg, false);
	x86_byte(b, 0x0f);
	x86_byte(b, 0xba);
	x86_modrm_reg(b, 4, reg);
	x86_byte(b, bit);
}

static inline void x86_shift_ri(struct x86_buf *b, enum x86_shift op, bool w, unsigned reg, unsigned amount)
{
	x86_rex(b, w, 0, 0, reg, false);
	x86_byte(b, 0xc1);
	x86_modrm_reg(b, (unsigned)op, reg);
	x86_byte(b, amount);
}

/* rorx dst, src, amount (64-bit; BMI2, VEX.LZ.F2.0F3A.W1 F0 /r ib): a
 * rotated copy, flags untouched */
static inline void x86_rorx_ri(struct x86_buf *b, unsigned dst, unsigned src, unsigned amount)
{
	x86_byte(b, 0xc4);
	x86_byte(b, (~dst >> 3 & 1) << 7 | 1 << 6 | (~src >> 3 & 1) << 5 | 0x03);
	x86_byte(b, 0xfb); /* W1, vvvv unused, L0, F2 */
	x86_byte(b, 0xf0);
	x86_modrm_reg(b, dst, src);
	x86_byte(b, amount);
}

static inline void x86_not(struct x86_buf *b, bool w, unsigned reg)
{
	x86_rex(b, w, 0, 0, reg, false);
	x86_byte(b, 0xf7);
	x86_modrm_reg(b, 2, reg);
}

static inline void x86_neg(struct x86_buf *b, bool w, unsigned reg)
{
	x86_rex(b, w, 0, 0, reg, false);
	x86_byte(b, 0xf7);
	x86_modrm_reg(b, 3, reg);
}

/* shl/shr/sar/ror reg, cl (the count masked to 5 or 6 bits, as A64's
 * variable shifts do) */
static inline void x86_shift_cl(struct x86_buf *b, enum x86_shift op, bool w, unsigned reg)
{
	x86_rex(b, w, 0, 0, reg, false);
	x86_byte(b, 0xd3);
	x86_modrm_reg(b, (unsigned)op, reg);
}

/* shrd dst, src, amount: dst = the low half of (src:dst) >> amount */
static inline void x86_shrd_ri(struct x86_buf *b, bool w, unsigned dst, unsigned src, unsigned amount)
{
	x86_op_rr(b, 0x1ac, w, src, dst);
	x86_byte(b, amount);
}

static inline void x86_bswap(struct x86_buf *b, bool w, unsigned reg)
{
	x86_rex(b, w, 0, 0, reg, false);
	x86_byte(b, 0x0f);
	x86_byte(b, 0xc8 | (reg & 7));
}

/* mul/imul reg: rdx:rax = rax * reg (one-operand form, 64-bit) */
static inline void x86_mul_wide(struct x86_buf *b, bool sgn, unsigned reg)
{
	x86_rex(b, true, 0, 0, reg, false);
	x86_byte(b, 0xf7);
	x86_modrm_reg(b, sgn ? 5 : 4, reg);
}

/* cdq/cqo then idiv reg, or div reg after edx = 0: rax = rdx:rax / reg */
static inline void x86_div(struct x86_buf *b, bool sgn, bool w, unsigned reg)
{
	if (sgn) {
		x86_rex(b, w, 0, 0, 0, false);
		x86_byte(b, 0x99);
	} else {
		x86_rex(b, false, RDX, 0, RDX, false);
		x86_byte(b, 0x31);
		x86_modrm_reg(b, RDX, RDX);
	}
	x86_rex(b, w, 0, 0, reg, false);
	x86_byte(b, 0xf7);
	x86_modrm_reg(b, sgn ? 7 : 6, reg);
}

/* imul dst, src (low half: the same for signed and unsigned) */
static inline void x86_imul_rr(struct x86_buf *b, bool w, unsigned dst, unsigned src)
{
	x86_op_rr(b, 0x1af, w, dst, src);
}

static inline void x86_setcc(struct x86_buf *b, enum x86_cc cc, unsigned reg)
{
	x86_rex(b, false, 0, 0, reg, (reg & 7) >= 4 || reg >= 8);
	x86_byte(b, 0x0f);
	x86_byte(b, 0x90 | cc);
	x86_modrm_reg(b, 0, reg);
}

/* setcc byte [base + disp] */
static inline void x86_setcc_m(struct x86_buf *b, enum x86_cc cc, unsigned base, int32_t disp)
{
	x86_rex(b, false, 0, 0, base, false);
	x86_byte(b, 0x0f);
	x86_byte(b, 0x90 | cc);
	x86_modrm_mem(b, 0, base, disp);
}

static inline void x86_cmov(struct x86_buf *b, enum x86_cc cc, bool w, unsigned dst, unsigned src)
{
	x86_op_rr(b, 0x140 | cc, w, dst, src);
}

/* lea dst, [base + index << scale] (index is never RSP); 32-bit (!w):
 * the sum's low half, zero-extended */
static inline void x86_lea_idx(struct x86_buf *b, bool w, unsigned dst, unsigned base, unsigned index, unsigned scale)
{
	x86_rex(b, w, dst, index, base, false);
	x86_byte(b, 0x8d);
	unsigned sib = scale << 6 | (index & 7) << 3 | (base & 7);
	if ((base & 7) == RBP) {
		x86_byte(b, 0x44 | (dst & 7) << 3);
		x86_byte(b, sib);
		x86_byte(b, 0);
	} else {
		x86_byte(b, 0x04 | (dst & 7) << 3);
		x86_byte(b, sib);
	}
}

/* lea dst, [base + disp] (adds without touching the flags) */
static inline void x86_lea_disp(struct x86_buf *b, unsigned dst, unsigned base, int32_t disp)
{
	x86_op_rm(b, 0x8d, true, dst, base, disp, false);
}

/* ---- control flow ------------------------------------------------------- */

/* Forward branches are emitted with a zero rel32 and patched. */
static inline uint8_t *x86_jcc(struct x86_buf *b, enum x86_cc cc)
{
	x86_byte(b, 0x0f);
	x86_byte(b, 0x80 | cc);
	uint8_t *at = b->p;
	x86_u32(b, 0);
	return at;
}

static inline uint8_t *x86_jmp(struct x86_buf *b)
{
	x86_byte(b, 0xe9);
	uint8_t *at = b->p;
	x86_u32(b, 0);
	return at;
}

/* Makes the rel32 at `at` (from x86_jcc/x86_jmp) point at the cursor. */
static inline void x86_patch_here(struct x86_buf *b, uint8_t *at)
{
	if (b->overflow || !at)
		return;
	int32_t rel = (int32_t)(b->p - (at + 4));
	memcpy(at, &rel, 4);
}

/* jmp/jcc to an absolute address in the executable view (must be within
 * the code buffer: rel32 reach). */
static inline void x86_patch_to(struct x86_buf *b, uint8_t *at, uintptr_t target)
{
	if (b->overflow || !at)
		return;
	uintptr_t next = b->exec + (uintptr_t)(at + 4 - b->base);
	int32_t rel = (int32_t)(intptr_t)(target - next);
	memcpy(at, &rel, 4);
}

/* call/jmp through a register */
static inline void x86_call_r(struct x86_buf *b, unsigned reg)
{
	x86_rex(b, false, 0, 0, reg, false);
	x86_byte(b, 0xff);
	x86_modrm_reg(b, 2, reg);
}

static inline void x86_jmp_r(struct x86_buf *b, unsigned reg)
{
	x86_rex(b, false, 0, 0, reg, false);
	x86_byte(b, 0xff);
	x86_modrm_reg(b, 4, reg);
}

static inline void x86_push(struct x86_buf *b, unsigned reg)
{
	x86_rex(b, false, 0, 0, reg, false);
	x86_byte(b, 0x50 | (reg & 7));
}

static inline void x86_pop(struct x86_buf *b, unsigned reg)
{
	x86_rex(b, false, 0, 0, reg, false);
	x86_byte(b, 0x58 | (reg & 7));
}

static inline void x86_ret(struct x86_buf *b)
{
	x86_byte(b, 0xc3);
}

/* Multi-byte NOPs (SDM "NOP": 0F 1F /0, 66-prefixed) up to the next
 * multiple of align (a power of two) in the executable view. */
static inline void x86_align(struct x86_buf *b, unsigned align)
{
	static const uint8_t nops[9][9] = {
		{ 0 }, { 0x90 }, { 0x66, 0x90 }, { 0x0f, 0x1f, 0x00 }, { 0x0f, 0x1f, 0x40, 0x00 },
		{ 0x0f, 0x1f, 0x44, 0x00, 0x00 }, { 0x66, 0x0f, 0x1f, 0x44, 0x00, 0x00 },
		{ 0x0f, 0x1f, 0x80, 0x00, 0x00, 0x00, 0x00 }, { 0x0f, 0x1f, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00 },
	};
	unsigned pad = (unsigned)(-x86_here(b) & (align - 1));
	while (pad) {
		unsigned k = pad < 8 ? pad : 8;
		for (unsigned i = 0; i < k; i++)
			x86_byte(b, nops[k][i]);
		pad -= k;
	}
}

/* ---- VEX.128 SIMD (AVX, FMA3) ------------------------------------------ */

/* Opcode maps and implied prefixes of the VEX prefix. */
enum x86_vex_map { VEX_0F = 1, VEX_0F38 = 2 };
enum x86_vex_pp { VEX_NP = 0, VEX_66 = 1, VEX_F3 = 2, VEX_F2 = 3 };

/* The VEX prefix (two bytes when it can be) and the opcode: reg is
 * ModRM.reg, v the extra source (VEX.vvvv; 0 when unused, which encodes
 * as 1111b like XMM0), bm the ModRM.rm register or memory base, index a
 * memory operand's index (X86_NOIDX: none). */
static inline void x86_vex(struct x86_buf *b, enum x86_vex_map map, enum x86_vex_pp pp, bool w, unsigned op,
			   unsigned reg, unsigned v, unsigned bm, unsigned index)
{
	unsigned r = (~reg >> 3 & 1) << 7, vvvv = (~v & 15) << 3;
	bool xi = index != X86_NOIDX && (index & 8);
	if (map == VEX_0F && !w && !(bm & 8) && !xi) {
		x86_byte(b, 0xc5);
		x86_byte(b, r | vvvv | pp);
	} else {
		x86_byte(b, 0xc4);
		x86_byte(b, r | (unsigned)!xi << 6 | (~bm >> 3 & 1) << 5 | map);
		x86_byte(b, (w ? 0x80 : 0) | vvvv | pp);
	}
	x86_byte(b, op);
}

/* op xmm_reg, xmm_v, xmm_rm */
static inline void x86_vex_rr(struct x86_buf *b, enum x86_vex_map map, enum x86_vex_pp pp, bool w, unsigned op,
			      unsigned reg, unsigned v, unsigned rm)
{
	x86_vex(b, map, pp, w, op, reg, v, rm, X86_NOIDX);
	x86_modrm_reg(b, reg, rm);
}

/* op xmm_reg, xmm_v, [base + index + disp] (loads and stores alike;
 * index X86_NOIDX for none) */
static inline void x86_vex_rmx(struct x86_buf *b, enum x86_vex_map map, enum x86_vex_pp pp, bool w, unsigned op,
			       unsigned reg, unsigned v, unsigned base, unsigned index, int32_t disp)
{
	x86_vex(b, map, pp, w, op, reg, v, base, index);
	x86_modrm_memx(b, reg, base, index, disp);
}

static inline void x86_vex_rm(struct x86_buf *b, enum x86_vex_map map, enum x86_vex_pp pp, bool w, unsigned op,
			      unsigned reg, unsigned v, unsigned base, int32_t disp)
{
	x86_vex_rmx(b, map, pp, w, op, reg, v, base, X86_NOIDX, disp);
}

/* op xmm_reg, xmm_v, [rip + disp32] reaching target (executable view) */
static inline void x86_vex_rip(struct x86_buf *b, enum x86_vex_map map, enum x86_vex_pp pp, bool w, unsigned op,
			       unsigned reg, unsigned v, uintptr_t target)
{
	x86_vex(b, map, pp, w, op, reg, v, 0, X86_NOIDX);
	x86_byte(b, (reg & 7) << 3 | 5);
	x86_u32(b, (uint32_t)(target - (x86_here(b) + 4)));
}

/* vmovdqu xmm, m128 / m128, xmm; vmovq xmm, m64 and vmovd xmm, m32
 * (the rest zeroed) */
static inline void x86_vload128x(struct x86_buf *b, unsigned x, unsigned base, unsigned index, int32_t disp)
{
	x86_vex_rmx(b, VEX_0F, VEX_F3, false, 0x6f, x, 0, base, index, disp);
}
static inline void x86_vstore128x(struct x86_buf *b, unsigned x, unsigned base, unsigned index, int32_t disp)
{
	x86_vex_rmx(b, VEX_0F, VEX_F3, false, 0x7f, x, 0, base, index, disp);
}
static inline void x86_vload128(struct x86_buf *b, unsigned x, unsigned base, int32_t disp)
{
	x86_vload128x(b, x, base, X86_NOIDX, disp);
}
static inline void x86_vstore128(struct x86_buf *b, unsigned x, unsigned base, int32_t disp)
{
	x86_vstore128x(b, x, base, X86_NOIDX, disp);
}
static inline void x86_vload64(struct x86_buf *b, unsigned x, unsigned base, int32_t disp)
{
	x86_vex_rm(b, VEX_0F, VEX_F3, false, 0x7e, x, 0, base, disp);
}
static inline void x86_vload32(struct x86_buf *b, unsigned x, unsigned base, int32_t disp)
{
	x86_vex_rm(b, VEX_0F, VEX_66, false, 0x6e, x, 0, base, disp);
}

/* Shifts of 16-, 32- or 64-bit lanes (log2 bytes lsz 1..3) by imm8:
 * VEX.128.66.0F 71/72/73 /digit, dst in vvvv. */
enum x86_vshift { VSH_SRL = 2, VSH_SRA = 4, VSH_SLL = 6 };
static inline void x86_vshift_ri(struct x86_buf *b, enum x86_vshift digit, unsigned lsz, unsigned dst, unsigned src,
				 unsigned imm)
{
	x86_vex(b, VEX_0F, VEX_66, false, 0x70 + lsz, digit, dst, src, X86_NOIDX);
	x86_modrm_reg(b, digit, src);
	x86_byte(b, imm);
}

/* vmovmskps/vmovmskpd r32, xmm: the lanes' sign bits */
static inline void x86_vmovmsk(struct x86_buf *b, bool pd, unsigned reg, unsigned x)
{
	x86_vex_rr(b, VEX_0F, pd ? VEX_66 : VEX_NP, false, 0x50, reg, 0, x);
}

#endif /* EMU_JIT_X86_H */
