/*
 * alu.h - integer ALU helpers shared by dp_imm.c, dp_reg.c, branch.c and
 * (for conditions) the FP conditional instructions.  Pseudocode names
 * follow the Arm ARM (AddWithCarry, ShiftReg, ConditionHolds,
 * DecodeBitMasks).  Everything is computed on unsigned types: no host UB.
 */
#ifndef EMU_ALU_H
#define EMU_ALU_H

#include <stdbool.h>
#include <stdint.h>

#include "cpu.h"

/* Shift types (the "shift" field of shifted-register forms). */
enum { SHIFT_LSL = 0, SHIFT_LSR = 1, SHIFT_ASR = 2, SHIFT_ROR = 3 };

/* All-ones mask of n bits, 0 <= n <= 64. */
static inline uint64_t alu_ones(unsigned n)
{
	return n >= 64 ? ~(uint64_t)0 : (((uint64_t)1 << n) - 1);
}

/* Sign extension of the low `bits` bits of v (1 <= bits <= 64). */
static inline uint64_t alu_sext(uint64_t v, unsigned bits)
{
	uint64_t m = (uint64_t)1 << (bits - 1);
	v &= alu_ones(bits);
	return (v ^ m) - m;
}

/* AddWithCarry for 64 bits; returns the sum, *nzcv gets the flags in
 * cpu->nzcv format. */
static inline uint64_t add_with_carry64(uint64_t a, uint64_t b, unsigned carry_in, uint32_t *nzcv)
{
	uint64_t r = a + b + carry_in;
	/* Carry out: the unsigned sum wrapped. */
	uint32_t c = carry_in ? (r <= a) : (r < a);
	/* Overflow: operands have equal signs and the result's sign differs. */
	uint32_t v = (uint32_t)(((a ^ r) & (b ^ r)) >> 63);
	*nzcv = ((uint32_t)(r >> 63) << 31) | ((uint32_t)(r == 0) << 30) | (c << 29) | (v << 28);
	return r;
}

static inline uint32_t add_with_carry32(uint32_t a, uint32_t b, unsigned carry_in, uint32_t *nzcv)
{
	uint64_t wide = (uint64_t)a + b + carry_in;
	uint32_t r = (uint32_t)wide;
	uint32_t v = ((a ^ r) & (b ^ r)) >> 31;
	*nzcv = (r & 0x80000000u) | ((uint32_t)(r == 0) << 30) | ((uint32_t)(wide >> 32) << 29) | (v << 28);
	return r;
}

/* a - b and a + b with their NZCV (what AddWithCarry gives for SUBS/CMP
 * with carry 1 and ADDS/CMN with carry 0), in fewer host instructions. */
static inline uint64_t sub_flags64(uint64_t a, uint64_t b, uint32_t *nzcv)
{
	uint64_t r = a - b;
	int64_t t;
	uint32_t v = __builtin_sub_overflow((int64_t)a, (int64_t)b, &t);
	*nzcv = ((uint32_t)(r >> 63) << 31) | ((uint32_t)(r == 0) << 30) | ((uint32_t)(a >= b) << 29) | (v << 28);
	return r;
}
static inline uint32_t sub_flags32(uint32_t a, uint32_t b, uint32_t *nzcv)
{
	uint32_t r = a - b;
	int32_t t;
	uint32_t v = __builtin_sub_overflow((int32_t)a, (int32_t)b, &t);
	*nzcv = (r & 0x80000000u) | ((uint32_t)(r == 0) << 30) | ((uint32_t)(a >= b) << 29) | (v << 28);
	return r;
}
static inline uint64_t add_flags64(uint64_t a, uint64_t b, uint32_t *nzcv)
{
	uint64_t r = a + b;
	int64_t t;
	uint32_t v = __builtin_add_overflow((int64_t)a, (int64_t)b, &t);
	*nzcv = ((uint32_t)(r >> 63) << 31) | ((uint32_t)(r == 0) << 30) | ((uint32_t)(r < a) << 29) | (v << 28);
	return r;
}
static inline uint32_t add_flags32(uint32_t a, uint32_t b, uint32_t *nzcv)
{
	uint32_t r = a + b;
	int32_t t;
	uint32_t v = __builtin_add_overflow((int32_t)a, (int32_t)b, &t);
	*nzcv = (r & 0x80000000u) | ((uint32_t)(r == 0) << 30) | ((uint32_t)(r < a) << 29) | (v << 28);
	return r;
}

/* Flags of a logical flag-setting result (ANDS, BICS, TST): N, Z; C=V=0. */
static inline uint32_t logic_flags64(uint64_t r)
{
	return ((uint32_t)(r >> 63) << 31) | ((uint32_t)(r == 0) << 30);
}
static inline uint32_t logic_flags32(uint32_t r)
{
	return (r & 0x80000000u) | ((uint32_t)(r == 0) << 30);
}

static inline uint64_t ror64(uint64_t v, unsigned n)
{
	n &= 63;
	return n ? (v >> n) | (v << (64 - n)) : v;
}
static inline uint32_t ror32(uint32_t v, unsigned n)
{
	n &= 31;
	return n ? (v >> n) | (v << (32 - n)) : v;
}

/* ShiftReg: amount < datasize (the decoders guarantee it). */
static inline uint64_t shift_reg64(uint64_t v, unsigned type, unsigned amount)
{
	switch (type & 3) {
	case SHIFT_LSL: return v << amount;
	case SHIFT_LSR: return v >> amount;
	case SHIFT_ASR: return amount ? (uint64_t)(alu_sext(v >> amount, 64 - amount)) : v;
	default: return ror64(v, amount);
	}
}
static inline uint32_t shift_reg32(uint32_t v, unsigned type, unsigned amount)
{
	switch (type & 3) {
	case SHIFT_LSL: return v << amount;
	case SHIFT_LSR: return v >> amount;
	case SHIFT_ASR: return amount ? (uint32_t)alu_sext(v >> amount, 32 - amount) : v;
	default: return ror32(v, amount);
	}
}
/* Generic form: sf selects 64 (1) or 32 (0) bits; 32-bit results are
 * zero-extended. */
static inline uint64_t shift_reg(uint64_t v, unsigned type, unsigned amount, bool sf)
{
	return sf ? shift_reg64(v, type, amount) : shift_reg32((uint32_t)v, type, amount);
}

/*
 * ConditionHolds(cond) over PSTATE.NZCV.  cond_table[cond] has bit k set
 * when the condition holds for NZCV == k (N = bit 3 ... V = bit 0), so a
 * check is one shift and one mask.
 */
#define ALU_NZCV_EQ 0xf0f0u /* Z set */
#define ALU_NZCV_CS 0xccccu /* C set */
#define ALU_NZCV_MI 0xff00u /* N set */
#define ALU_NZCV_VS 0xaaaau /* V set */
#define ALU_NZCV_HI (ALU_NZCV_CS & ~ALU_NZCV_EQ & 0xffffu)
#define ALU_NZCV_GE ((ALU_NZCV_MI & ALU_NZCV_VS) | (~ALU_NZCV_MI & ~ALU_NZCV_VS & 0xffffu))
#define ALU_NZCV_GT (ALU_NZCV_GE & ~ALU_NZCV_EQ & 0xffffu)

/* nzcv in cpu->nzcv format (bits [31:28]); cond is the 4-bit field. */
static inline bool condition_holds(uint32_t nzcv, unsigned cond)
{
	static const uint16_t alu_cond_table[16] = {
		ALU_NZCV_EQ, (uint16_t)~ALU_NZCV_EQ,
		ALU_NZCV_CS, (uint16_t)~ALU_NZCV_CS,
		ALU_NZCV_MI, (uint16_t)~ALU_NZCV_MI,
		ALU_NZCV_VS, (uint16_t)~ALU_NZCV_VS,
		ALU_NZCV_HI, (uint16_t)~ALU_NZCV_HI,
		ALU_NZCV_GE, (uint16_t)~ALU_NZCV_GE,
		ALU_NZCV_GT, (uint16_t)~ALU_NZCV_GT,
		0xffffu, 0xffffu, /* AL, NV: both "always" */
	};
	return (alu_cond_table[cond & 15] >> (nzcv >> 28)) & 1;
}

/*
 * Lazy NZCV of the cached fast path (cpu->cc_*, see cpu.h): a
 * flag-setting operation stores what the flags derive from and a reader
 * works out only the flag it needs.  32-bit results are sign-extended so
 * N and V are always bit 63.
 */
/* Sign extension of a 32-bit value in one host instruction (the
 * conversion to int32_t is modulo 2^32 with gcc and clang). */
static inline uint64_t cc_sext32(uint32_t v)
{
	return (uint64_t)(int64_t)(int32_t)v;
}
static inline void cc_sub64(struct emu_cpu *cpu, uint64_t a, uint64_t b, uint64_t r)
{
	cpu->cc_n = cpu->cc_z = r;
	cpu->cc_c = a >= b;
	cpu->cc_v = (a ^ b) & (a ^ r);
}
static inline void cc_add64(struct emu_cpu *cpu, uint64_t a, uint64_t b, uint64_t r)
{
	cpu->cc_n = cpu->cc_z = r;
	cpu->cc_c = r < a;
	cpu->cc_v = ~(a ^ b) & (a ^ r);
}
static inline void cc_sub32(struct emu_cpu *cpu, uint32_t a, uint32_t b, uint32_t r)
{
	cpu->cc_n = cpu->cc_z = cc_sext32(r);
	cpu->cc_c = a >= b;
	cpu->cc_v = cc_sext32((a ^ b) & (a ^ r));
}
static inline void cc_add32(struct emu_cpu *cpu, uint32_t a, uint32_t b, uint32_t r)
{
	cpu->cc_n = cpu->cc_z = cc_sext32(r);
	cpu->cc_c = r < a;
	cpu->cc_v = cc_sext32(~(a ^ b) & (a ^ r));
}
/* ANDS/BICS: r already sign-extended for 32 bits. */
static inline void cc_logic(struct emu_cpu *cpu, uint64_t r)
{
	cpu->cc_n = cpu->cc_z = r;
	cpu->cc_c = 0;
	cpu->cc_v = 0;
}
/* From / to the PSTATE format of cpu->nzcv. */
static inline void cc_load(struct emu_cpu *cpu, uint32_t nzcv)
{
	cpu->cc_n = (uint64_t)(nzcv >> 31) << 63;
	cpu->cc_z = !((nzcv >> 30) & 1);
	cpu->cc_c = (nzcv >> 29) & 1;
	cpu->cc_v = (uint64_t)((nzcv >> 28) & 1) << 63;
}
static inline uint32_t cc_nzcv(const struct emu_cpu *cpu)
{
	return (uint32_t)(cpu->cc_n >> 63) << 31 | (uint32_t)(cpu->cc_z == 0) << 30 |
	       (uint32_t)(cpu->cc_c & 1) << 29 | (uint32_t)(cpu->cc_v >> 63) << 28;
}
/* ConditionHolds on the lazy flags; cheapest with a constant cond. */
static inline bool cc_holds(const struct emu_cpu *cpu, unsigned cond)
{
	bool r;
	switch ((cond >> 1) & 7) {
	case 0: r = cpu->cc_z == 0; break;                        /* EQ */
	case 1: r = cpu->cc_c != 0; break;                        /* CS */
	case 2: r = cpu->cc_n >> 63; break;                       /* MI */
	case 3: r = cpu->cc_v >> 63; break;                       /* VS */
	case 4: r = cpu->cc_c != 0 && cpu->cc_z != 0; break;      /* HI */
	case 5: r = !((cpu->cc_n ^ cpu->cc_v) >> 63); break;      /* GE */
	case 6: r = cpu->cc_z != 0 && !((cpu->cc_n ^ cpu->cc_v) >> 63); break; /* GT */
	default: return true;                                     /* AL, NV */
	}
	return (cond & 1) ? !r : r;
}
/* The same for a condition known only at run time. */
static inline bool cc_holds_rt(const struct emu_cpu *cpu, unsigned cond)
{
	return condition_holds(cc_nzcv(cpu), cond);
}

/* Replicate an esize-bit element across 64 bits (esize 2..64, power of 2). */
static inline uint64_t alu_replicate(uint64_t elem, unsigned esize)
{
	return esize >= 64 ? elem : elem * (~(uint64_t)0 / alu_ones(esize));
}

/*
 * DecodeBitMasks(N, imms, immr, immediate, datasize).  Returns false for
 * the reserved encodings (which UNDEF).  wmask/tmask may be NULL.
 * For 32-bit datasize the masks are returned in the low 32 bits.
 */
static inline bool decode_bit_masks(unsigned n, unsigned imms, unsigned immr, bool immediate,
				    unsigned datasize, uint64_t *wmask, uint64_t *tmask)
{
	unsigned combined = (n << 6) | (~imms & 0x3f);
	if (combined == 0)
		return false;
	unsigned len = 31 - (unsigned)__builtin_clz(combined); /* HighestSetBit */
	if (len < 1)
		return false;
	unsigned esize = 1u << len;
	if (esize > datasize)
		return false;
	unsigned levels = esize - 1;
	if (immediate && (imms & levels) == levels)
		return false;
	unsigned s = imms & levels;
	unsigned r = immr & levels;
	unsigned d = (s - r) & levels;
	uint64_t emask = alu_ones(esize);
	if (wmask) {
		uint64_t welem = alu_ones(s + 1);
		if (r)
			welem = ((welem >> r) | (welem << (esize - r))) & emask;
		*wmask = alu_replicate(welem, esize) & alu_ones(datasize);
	}
	if (tmask)
		*tmask = alu_replicate(alu_ones(d + 1), esize) & alu_ones(datasize);
	return true;
}

/* Count leading zeros, defined for 0. */
static inline unsigned alu_clz64(uint64_t v)
{
	return v ? (unsigned)__builtin_clzll(v) : 64;
}
static inline unsigned alu_clz32(uint32_t v)
{
	return v ? (unsigned)__builtin_clz(v) : 32;
}

/* EXTR: the datasize bits of hi:lo from lsb (lsb < datasize). */
static inline uint64_t alu_extr64(uint64_t hi, uint64_t lo, unsigned lsb)
{
	return lsb ? (lo >> lsb) | (hi << (64 - lsb)) : lo;
}
static inline uint32_t alu_extr32(uint32_t hi, uint32_t lo, unsigned lsb)
{
	return lsb ? (lo >> lsb) | (hi << (32 - lsb)) : lo;
}

static inline uint64_t alu_rbit64(uint64_t v)
{
	v = ((v >> 1) & 0x5555555555555555ull) | ((v & 0x5555555555555555ull) << 1);
	v = ((v >> 2) & 0x3333333333333333ull) | ((v & 0x3333333333333333ull) << 2);
	v = ((v >> 4) & 0x0f0f0f0f0f0f0f0full) | ((v & 0x0f0f0f0f0f0f0f0full) << 4);
	return __builtin_bswap64(v);
}

/* Data-processing (1 source) opcodes 0-5 (RBIT, REV16, REV / REV32,
 * REV (64-bit), CLZ, CLS); the caller has rejected the unallocated ones
 * (opcode 3 needs sf).  The result is not yet truncated to 32 bits. */
enum { DP1_RBIT, DP1_REV16, DP1_REV32, DP1_REV64, DP1_CLZ, DP1_CLS };
static inline uint64_t alu_dp1(unsigned opcode, bool sf, uint64_t v)
{
	switch (opcode) {
	case DP1_RBIT:
		return sf ? alu_rbit64(v) : alu_rbit64(v) >> 32;
	case DP1_REV16: /* bytes swapped within each halfword */
		return ((v >> 8) & 0x00ff00ff00ff00ffull) | ((v & 0x00ff00ff00ff00ffull) << 8);
	case DP1_REV32: /* REV (32-bit) / REV32 (64-bit): bytes reversed in each word */
		return ((uint64_t)__builtin_bswap32((uint32_t)(v >> 32)) << 32) | __builtin_bswap32((uint32_t)v);
	case DP1_REV64:
		return __builtin_bswap64(v);
	case DP1_CLZ:
		return sf ? alu_clz64(v) : alu_clz32((uint32_t)v);
	default: /* CLS: leading zeros of x<N-1:1> EOR x<N-2:0> */
		return sf ? alu_clz64((v ^ (v << 1)) | 1) : alu_clz32(((uint32_t)v ^ ((uint32_t)v << 1)) | 1);
	}
}

/* ExtendReg (ADD/SUB extended register): option UXTB..UXTX, SXTB..SXTX,
 * then shifted left by 0-4. */
static inline uint64_t alu_extend_reg(uint64_t m, unsigned option, unsigned shift)
{
	unsigned len = 8u << (option & 3);
	if (len < 64)
		m = (option & 4) ? alu_sext(m, len) : (m & alu_ones(len));
	return m << shift;
}

/* UDIV/SDIV on 64-bit operands (32-bit ones extended first):
 * x / 0 = 0, INT_MIN / -1 = INT_MIN (wraps). */
static inline uint64_t alu_udiv(uint64_t a, uint64_t b)
{
	return b ? a / b : 0;
}
static inline uint64_t alu_sdiv(uint64_t a, uint64_t b)
{
	if (b == 0)
		return 0;
	if (b == ~(uint64_t)0)
		return 0 - a;
	return (uint64_t)((int64_t)a / (int64_t)b);
}

/* UMULH/SMULH: the high half of the 128-bit product. */
static inline uint64_t alu_umulh(uint64_t n, uint64_t m)
{
	__extension__ unsigned __int128 p = (unsigned __int128)n * m;
	return (uint64_t)(p >> 64);
}
static inline uint64_t alu_smulh(uint64_t n, uint64_t m)
{
	/* From the unsigned one: subtract the other operand for each
	 * negative operand. */
	return alu_umulh(n, m) - (((n >> 63) ? m : 0) + ((m >> 63) ? n : 0));
}

/* SMADDL/UMADDL's product of two W registers. */
static inline uint64_t alu_smull(uint64_t n, uint64_t m)
{
	return (uint64_t)((int64_t)(int32_t)(uint32_t)n * (int64_t)(int32_t)(uint32_t)m);
}
static inline uint64_t alu_umull(uint64_t n, uint64_t m)
{
	return (uint64_t)(uint32_t)n * (uint32_t)m;
}

#endif /* EMU_ALU_H */
