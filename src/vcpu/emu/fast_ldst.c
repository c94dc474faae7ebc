/*
 * fast_ldst.c - cached operations for the general-purpose register loads
 * and stores: single register (unsigned/unscaled immediate offset,
 * register offset, pre/post-index) and LDP/STP/LDPSW.  The TLB hit is
 * inline and touches no other state; a miss sets the instruction's PC
 * and the data abort syndrome (as ldst.c does) and takes mem.c's slow
 * path.  SIMD&FP, literal, unprivileged, prefetch, exclusive and atomic
 * forms are left to ldst.c / atomics.c.  Semantics (including the
 * CONSTRAINED UNPREDICTABLE choices) as in ldst.c.
 */
#include "icache.h"
#include "ldst.h"

#define ALWAYS_INLINE inline __attribute__((always_inline))

/* Access kinds (and how the loaded value is extended). */
enum { FK_ST, FK_LD, FK_LDS64, FK_LDS32 };

/* Addressing modes of a single-register access (register offset: index
 * Xm, UXTW Wm or SXTW Wm, shifted left by op->ra). */
enum { FM_IMM, FM_REG, FM_POST, FM_PRE, FM_REG_UXTW, FM_REG_SXTW };

static ALWAYS_INLINE uint64_t op_base(struct emu_cpu *cpu, const struct emu_op *op)
{
	if (op->rn != 31)
		return cpu->x[op->rn];
	ic_set_pc(cpu, op); /* the SP alignment check may fault */
	return ldst_base(cpu, 31);
}

static ALWAYS_INLINE uint64_t fast_load(struct emu_cpu *cpu, const struct emu_op *op, uint64_t va, unsigned size,
					uint32_t iss)
{
	const uint8_t *p = mem_fast_ptr(cpu, va, size, ACC_READ, 0);
	if (IC_LIKELY(p != NULL))
		return mem_host_load(p, size);
	ic_set_pc(cpu, op);
	cpu->dabt_iss = iss;
	return mem_read_slow(cpu, va, size, 0);
}

/* Returns true when the store may have modified cached code (the block
 * then ends after this instruction). */
static ALWAYS_INLINE bool fast_store(struct emu_cpu *cpu, const struct emu_op *op, uint64_t va, unsigned size,
				     uint64_t v, uint32_t iss)
{
	uint8_t *p = mem_fast_ptr(cpu, va, size, ACC_WRITE, 0);
	if (IC_LIKELY(p != NULL)) {
		mem_host_store(p, size, v);
		return mem_note_code_write(cpu, p);
	}
	ic_set_pc(cpu, op);
	cpu->dabt_iss = iss;
	mem_write_slow(cpu, va, size, v, 0);
	return cpu->ic.epoch != cpu->blk->epoch;
}

/* Single register: rd = Rt, rn = Rn, imm = offset (FM_IMM/POST/PRE);
 * register offset: rm = Rm, ra = shift amount. */
static ALWAYS_INLINE bool ldst_single(struct emu_cpu *cpu, const struct emu_op *op, unsigned kind, unsigned sc,
				      unsigned mode)
{
	uint64_t base = op_base(cpu, op), addr, off;
	if (mode == FM_REG || mode == FM_REG_UXTW || mode == FM_REG_SXTW) {
		uint64_t m = cpu->x[op->rm];
		if (mode == FM_REG_UXTW)
			m = (uint32_t)m;
		else if (mode == FM_REG_SXTW)
			m = sext64(m, 32);
		off = m << op->ra;
	} else {
		off = op->imm;
	}
	addr = mode == FM_POST ? base : base + off;
	bool isv = mode != FM_POST && mode != FM_PRE;
	unsigned rt = op->rd, size = 1u << sc;
	bool stop = false;
	uint64_t v;
	switch (kind) {
	case FK_ST:
		stop = fast_store(cpu, op, addr, size, cpu->x[rt], isv ? ldst_iss(sc, false, rt, sc == 3, false) : 0);
		break;
	case FK_LD:
		v = fast_load(cpu, op, addr, size, isv ? ldst_iss(sc, false, rt, sc == 3, false) : 0);
		set_xreg(cpu, rt, v);
		break;
	case FK_LDS64:
		v = fast_load(cpu, op, addr, size, isv ? ldst_iss(sc, true, rt, true, false) : 0);
		set_xreg(cpu, rt, sext64(v, 8u << sc));
		break;
	default: /* FK_LDS32 */
		v = fast_load(cpu, op, addr, size, isv ? ldst_iss(sc, true, rt, false, false) : 0);
		set_wreg(cpu, rt, (uint32_t)sext64(v, 8u << sc));
		break;
	}
	if (mode == FM_POST || mode == FM_PRE)
		set_xreg_sp(cpu, op->rn, base + off);
	return IC_UNLIKELY(stop) ? emu_ic_stop_after(cpu, op) : IC_NEXT(cpu, op);
}

#define SINGLE_MODES(name, kind, sc)                                                      \
	static bool name##_imm(struct emu_cpu *cpu, const struct emu_op *op)             \
	{                                                                                 \
		return ldst_single(cpu, op, kind, sc, FM_IMM);                            \
	}                                                                                 \
	static bool name##_reg(struct emu_cpu *cpu, const struct emu_op *op)             \
	{                                                                                 \
		return ldst_single(cpu, op, kind, sc, FM_REG);                            \
	}                                                                                 \
	static bool name##_post(struct emu_cpu *cpu, const struct emu_op *op)            \
	{                                                                                 \
		return ldst_single(cpu, op, kind, sc, FM_POST);                           \
	}                                                                                 \
	static bool name##_pre(struct emu_cpu *cpu, const struct emu_op *op)             \
	{                                                                                 \
		return ldst_single(cpu, op, kind, sc, FM_PRE);                            \
	}                                                                                 \
	static bool name##_uxtw(struct emu_cpu *cpu, const struct emu_op *op)            \
	{                                                                                 \
		return ldst_single(cpu, op, kind, sc, FM_REG_UXTW);                       \
	}                                                                                 \
	static bool name##_sxtw(struct emu_cpu *cpu, const struct emu_op *op)            \
	{                                                                                 \
		return ldst_single(cpu, op, kind, sc, FM_REG_SXTW);                       \
	}

SINGLE_MODES(op_strb, FK_ST, 0)
SINGLE_MODES(op_strh, FK_ST, 1)
SINGLE_MODES(op_strw, FK_ST, 2)
SINGLE_MODES(op_strx, FK_ST, 3)
SINGLE_MODES(op_ldrb, FK_LD, 0)
SINGLE_MODES(op_ldrh, FK_LD, 1)
SINGLE_MODES(op_ldrw, FK_LD, 2)
SINGLE_MODES(op_ldrx, FK_LD, 3)
SINGLE_MODES(op_ldrsbx, FK_LDS64, 0)
SINGLE_MODES(op_ldrshx, FK_LDS64, 1)
SINGLE_MODES(op_ldrswx, FK_LDS64, 2)
SINGLE_MODES(op_ldrsbw, FK_LDS32, 0)
SINGLE_MODES(op_ldrshw, FK_LDS32, 1)

#define MODE_ROW(name) { name##_imm, name##_reg, name##_post, name##_pre, name##_uxtw, name##_sxtw }

/* [size:opc][mode]; NULL: not a fast form (PRFM, unallocated). */
static const emu_op_fn single_ops[16][6] = {
	MODE_ROW(op_strb), MODE_ROW(op_ldrb), MODE_ROW(op_ldrsbx), MODE_ROW(op_ldrsbw),
	MODE_ROW(op_strh), MODE_ROW(op_ldrh), MODE_ROW(op_ldrshx), MODE_ROW(op_ldrshw),
	MODE_ROW(op_strw), MODE_ROW(op_ldrw), MODE_ROW(op_ldrswx), { NULL },
	MODE_ROW(op_strx), MODE_ROW(op_ldrx), { NULL }, { NULL },
};

/* Pairs: rd = Rt, rm = Rt2, imm = scaled offset; ra = writeback mode
 * (1 post, 3 pre, else offset). */
static ALWAYS_INLINE bool ldst_pair(struct emu_cpu *cpu, const struct emu_op *op, unsigned sc, bool load, bool sx,
				    unsigned mode)
{
	uint64_t base = op_base(cpu, op);
	uint64_t a1 = mode == 1 ? base : base + op->imm;
	uint64_t a2 = a1 + (1u << sc);
	unsigned bytes = 1u << sc;
	bool stop = false;
	if (load) {
		uint64_t v1 = fast_load(cpu, op, a1, bytes, 0);
		uint64_t v2 = fast_load(cpu, op, a2, bytes, 0);
		if (sx) {
			v1 = sext64(v1, 32);
			v2 = sext64(v2, 32);
		}
		set_xreg(cpu, op->rm, v2);
		set_xreg(cpu, op->rd, v1);
	} else {
		uint64_t v1 = cpu->x[op->rd], v2 = cpu->x[op->rm];
		stop = fast_store(cpu, op, a1, bytes, v1, 0);
		stop |= fast_store(cpu, op, a2, bytes, v2, 0);
	}
	if (mode & 1)
		set_xreg_sp(cpu, op->rn, base + op->imm);
	return IC_UNLIKELY(stop) ? emu_ic_stop_after(cpu, op) : IC_NEXT(cpu, op);
}

#define PAIR_MODES(name, sc, load, sx)                                              \
	static bool name##_off(struct emu_cpu *cpu, const struct emu_op *op)       \
	{                                                                           \
		return ldst_pair(cpu, op, sc, load, sx, 2);                         \
	}                                                                           \
	static bool name##_post(struct emu_cpu *cpu, const struct emu_op *op)      \
	{                                                                           \
		return ldst_pair(cpu, op, sc, load, sx, 1);                         \
	}                                                                           \
	static bool name##_pre(struct emu_cpu *cpu, const struct emu_op *op)       \
	{                                                                           \
		return ldst_pair(cpu, op, sc, load, sx, 3);                         \
	}

PAIR_MODES(op_stpw, 2, false, false)
PAIR_MODES(op_stpx, 3, false, false)
PAIR_MODES(op_ldpw, 2, true, false)
PAIR_MODES(op_ldpx, 3, true, false)
PAIR_MODES(op_ldpsw, 2, true, true)

#define PAIR_ROW(name) { name##_off, name##_post, name##_off, name##_pre }

/* [mode bits 24:23]: 0 no-allocate (as offset), 1 post, 2 offset, 3 pre. */
static const emu_op_fn pair_stpw[4] = PAIR_ROW(op_stpw);
static const emu_op_fn pair_stpx[4] = PAIR_ROW(op_stpx);
static const emu_op_fn pair_ldpw[4] = PAIR_ROW(op_ldpw);
static const emu_op_fn pair_ldpx[4] = PAIR_ROW(op_ldpx);
static const emu_op_fn pair_ldpsw[4] = PAIR_ROW(op_ldpsw);

bool emu_fast_ldst(struct emu_op *op, uint32_t insn)
{
	op->rd = insn & 31;
	op->rn = (insn >> 5) & 31;
	if (insn & (1u << 26)) /* SIMD&FP */
		return false;
	switch ((insn >> 28) & 3) {
	case 3: { /* single register */
		unsigned idx = ((insn >> 28) & 0xc) | ((insn >> 22) & 3); /* size:opc */
		unsigned sc = idx >> 2, mode;
		if (!single_ops[idx][0])
			return false;
		if (insn & (1u << 24)) {
			mode = FM_IMM;
			op->imm = (uint64_t)((insn >> 10) & 0xfff) << sc;
		} else if (insn & (1u << 21)) {
			/* register offset (bits 11:10 = 10, option<1> = 1); the
			 * rest are atomics and PAC loads */
			if (((insn >> 10) & 3) != 2 || !(insn & (1u << 14)))
				return false;
			/* option<1> = 1: 010 UXTW, 011 LSL, 110 SXTW, 111 SXTX */
			unsigned option = (insn >> 13) & 7;
			mode = option == 2 ? FM_REG_UXTW : option == 6 ? FM_REG_SXTW : FM_REG;
			op->rm = (insn >> 16) & 31;
			op->ra = (uint8_t)((insn & (1u << 12)) ? sc : 0);
		} else {
			static const int8_t imm9_mode[4] = { FM_IMM, FM_POST, -1, FM_PRE };
			int m = imm9_mode[(insn >> 10) & 3];
			if (m < 0) /* unprivileged */
				return false;
			mode = (unsigned)m;
			op->imm = sext64(insn >> 12, 9);
		}
		op->fn = single_ops[idx][mode];
		return true;
	}
	case 2: { /* pairs */
		unsigned opc = insn >> 30, mode = (insn >> 23) & 3;
		bool load = (insn >> 22) & 1;
		const emu_op_fn *row;
		unsigned sc;
		if (opc == 3)
			return false;
		if (opc == 1) {
			if (!load || mode == 0)
				return false;
			row = pair_ldpsw;
			sc = 2;
		} else {
			sc = opc == 0 ? 2 : 3;
			row = load ? (sc == 2 ? pair_ldpw : pair_ldpx) : (sc == 2 ? pair_stpw : pair_stpx);
		}
		op->rm = (insn >> 10) & 31;
		op->imm = sext64(insn >> 15, 7) << sc;
		op->fn = row[mode];
		return true;
	}
	default: /* literal, exclusives, atomics: ldst.c / atomics.c */
		return false;
	}
}
