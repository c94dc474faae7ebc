/*
 * fast_ldst.c - cached operations for the general-purpose and SIMD&FP
 * register loads and stores: single register (unsigned/unscaled immediate
 * offset, register offset, pre/post-index) and LDP/STP/LDPSW, with Rn or
 * SP as the base (separate handlers).  The TLB hit is inline, in the view
 * the run loop set at block entry (cpu->fast_tlb); anything
 * else (for SIMD&FP also registers not accessible without a trap) runs
 * the instruction through ldst.c (op_ldst_slow).  Literal, unprivileged,
 * prefetch, exclusive and atomic forms, the structure loads/stores and
 * loads to XZR are left to ldst.c / atomics.c / ldst_simd.c.  Semantics (including the
 * CONSTRAINED UNPREDICTABLE choices) as in ldst.c.
 */
#include "icache.h"
#include "ldst.h"

#define ALWAYS_INLINE inline __attribute__((always_inline))

/* Access kinds (and how the loaded value is extended); FK_FPST/FK_FPLD:
 * SIMD&FP register Vt (a load zeroes the bits above the access). */
enum {
	FK_ST = EMU_FK_ST, FK_LD = EMU_FK_LD, FK_LDS64 = EMU_FK_LDS64, FK_LDS32 = EMU_FK_LDS32,
	FK_FPST = EMU_FK_FPST, FK_FPLD = EMU_FK_FPLD,
};

/* Addressing modes of a single-register access (register offset: index
 * Xm, UXTW Wm or SXTW Wm, shifted left by op->ra). */
enum {
	FM_IMM = EMU_FM_IMM, FM_REG = EMU_FM_REG, FM_POST = EMU_FM_POST, FM_PRE = EMU_FM_PRE,
	FM_REG_UXTW = EMU_FM_REG_UXTW, FM_REG_SXTW = EMU_FM_REG_SXTW,
};

/* Anything but a TLB hit with an aligned base: the whole instruction the
 * generic way (ldst.c: SP alignment check, syndrome, faults, TLB fill,
 * unaligned and page-crossing accesses).  The fast handlers change no
 * state before they know all their accesses hit, so running it again
 * from the start is exact. */
static __attribute__((noinline, cold)) bool op_ldst_slow(struct emu_cpu *cpu, const struct emu_op *op)
{
	ic_set_pc(cpu, op);
	emu_exec_ldst(cpu, op->insn);
	return ic_check_epoch(cpu, op);
}

static ALWAYS_INLINE void fp_load(struct emu_cpu *cpu, unsigned vt, const uint8_t *p, unsigned size)
{
	uint64_t lo = 0, hi = 0;
	memcpy(&lo, p, size < 8 ? size : 8);
	if (size == 16)
		memcpy(&hi, p + 8, 8);
	cpu->v[vt][0] = lo;
	cpu->v[vt][1] = hi;
}

static ALWAYS_INLINE void fp_store(const struct emu_cpu *cpu, unsigned vt, uint8_t *p, unsigned size)
{
	memcpy(p, cpu->v[vt], size); /* little-endian host: the low bytes */
}

/* Rn, or for the _sp handlers SP; false when SP is not 16-byte aligned
 * (SCTLR_EL1.SA/SA0 may make that fault: left to op_ldst_slow). */
static ALWAYS_INLINE bool op_base(struct emu_cpu *cpu, const struct emu_op *op, bool sp, uint64_t *base)
{
	if (!sp) {
		*base = cpu->x[op->rn];
		return true;
	}
	*base = *emu_sp_ptr(cpu);
	return (*base & 15) == 0;
}

/* TLB entry of an aligned size-byte access at va of kind acc in the run
 * loop's view (cpu->fast_tlb, cpu.h), or NULL on a miss. */
static ALWAYS_INLINE const struct emu_tlb_entry *fast_hit(const struct emu_cpu *cpu, uint64_t va, unsigned size,
							 enum emu_access acc)
{
	const struct emu_tlb_entry *e = &cpu->fast_tlb[(va >> MEM_TLB_PAGE_SHIFT) & (EMU_TLB_SIZE - 1)];
	uint64_t key = mem_tlb_data_key(va, size);
	return IC_LIKELY(e->tag[acc] == key) ? e : NULL;
}

static ALWAYS_INLINE uint8_t *host_ptr(const struct emu_tlb_entry *e, uint64_t va)
{
	return (uint8_t *)(uintptr_t)(va + e->addend);
}

/* Single register: rd = Rt (not 31 for loads), rn = Rn (31: the _sp
 * handlers), imm = offset (FM_IMM/POST/PRE); register offset: rm = Rm,
 * ra = shift amount. */
static ALWAYS_INLINE bool ldst_single(struct emu_cpu *cpu, const struct emu_op *op, unsigned kind, unsigned sc,
				      unsigned mode, bool sp)
{
	uint64_t base, addr, off;
	if ((kind >= FK_FPST && !emu_fp_enabled_fast(cpu)) || !op_base(cpu, op, sp, &base))
		return op_ldst_slow(cpu, op);
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
	unsigned rt = op->rd, size = 1u << sc;
	const struct emu_tlb_entry *e = fast_hit(cpu, addr, size, kind == FK_ST || kind == FK_FPST ? ACC_WRITE : ACC_READ);
	if (IC_UNLIKELY(!e))
		return op_ldst_slow(cpu, op);
	uint8_t *p = host_ptr(e, addr); /* a store's: not checked code (cpu.h EMU_CP_CODE) */
	uint64_t v;
	switch (kind) {
	case FK_ST:
		mem_host_store(p, size, cpu->x[rt]);
		break;
	case FK_LD:
		cpu->x[rt] = mem_host_load(p, size);
		break;
	case FK_LDS64:
		v = mem_host_load(p, size);
		cpu->x[rt] = sext64(v, 8u << sc);
		break;
	case FK_LDS32:
		v = mem_host_load(p, size);
		cpu->x[rt] = (uint32_t)sext64(v, 8u << sc);
		break;
	case FK_FPST:
		fp_store(cpu, rt, p, size);
		break;
	default: /* FK_FPLD */
		fp_load(cpu, rt, p, size);
		break;
	}
	if (mode == FM_POST || mode == FM_PRE) {
		if (sp)
			*emu_sp_ptr(cpu) = base + off;
		else
			cpu->x[op->rn] = base + off;
	}
	return IC_NEXT(cpu, op);
}

#define SINGLE_FN(name, kind, sc, mode, sp)                                               \
	static bool name(struct emu_cpu *cpu, const struct emu_op *op)                    \
	{                                                                                 \
		return ldst_single(cpu, op, kind, sc, mode, sp);                          \
	}
#define SINGLE_MODES(name, kind, sc)                                                      \
	SINGLE_FN(name##_imm, kind, sc, FM_IMM, false)                                    \
	SINGLE_FN(name##_reg, kind, sc, FM_REG, false)                                    \
	SINGLE_FN(name##_post, kind, sc, FM_POST, false)                                  \
	SINGLE_FN(name##_pre, kind, sc, FM_PRE, false)                                    \
	SINGLE_FN(name##_uxtw, kind, sc, FM_REG_UXTW, false)                              \
	SINGLE_FN(name##_sxtw, kind, sc, FM_REG_SXTW, false)                              \
	SINGLE_FN(name##_imm_sp, kind, sc, FM_IMM, true)                                  \
	SINGLE_FN(name##_reg_sp, kind, sc, FM_REG, true)                                  \
	SINGLE_FN(name##_post_sp, kind, sc, FM_POST, true)                                \
	SINGLE_FN(name##_pre_sp, kind, sc, FM_PRE, true)                                  \
	SINGLE_FN(name##_uxtw_sp, kind, sc, FM_REG_UXTW, true)                            \
	SINGLE_FN(name##_sxtw_sp, kind, sc, FM_REG_SXTW, true)

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
SINGLE_MODES(op_strfb, FK_FPST, 0)
SINGLE_MODES(op_strfh, FK_FPST, 1)
SINGLE_MODES(op_strfs, FK_FPST, 2)
SINGLE_MODES(op_strfd, FK_FPST, 3)
SINGLE_MODES(op_strfq, FK_FPST, 4)
SINGLE_MODES(op_ldrfb, FK_FPLD, 0)
SINGLE_MODES(op_ldrfh, FK_FPLD, 1)
SINGLE_MODES(op_ldrfs, FK_FPLD, 2)
SINGLE_MODES(op_ldrfd, FK_FPLD, 3)
SINGLE_MODES(op_ldrfq, FK_FPLD, 4)

#define MODE_ROW(name)                                                                    \
	{ { name##_imm, name##_reg, name##_post, name##_pre, name##_uxtw, name##_sxtw },  \
	  { name##_imm_sp, name##_reg_sp, name##_post_sp, name##_pre_sp, name##_uxtw_sp, name##_sxtw_sp } }

/* [size:opc][Rn is SP][mode]; NULL: not a fast form (PRFM, unallocated). */
static const emu_op_fn single_ops[16][2][6] = {
	MODE_ROW(op_strb), MODE_ROW(op_ldrb), MODE_ROW(op_ldrsbx), MODE_ROW(op_ldrsbw),
	MODE_ROW(op_strh), MODE_ROW(op_ldrh), MODE_ROW(op_ldrshx), MODE_ROW(op_ldrshw),
	MODE_ROW(op_strw), MODE_ROW(op_ldrw), MODE_ROW(op_ldrswx), { { NULL } },
	MODE_ROW(op_strx), MODE_ROW(op_ldrx), { { NULL } }, { { NULL } },
};

/* SIMD&FP: [log2 of the size: B H S D Q][load][Rn is SP][mode]. */
static const emu_op_fn fp_single_ops[5][2][2][6] = {
	{ MODE_ROW(op_strfb), MODE_ROW(op_ldrfb) }, { MODE_ROW(op_strfh), MODE_ROW(op_ldrfh) },
	{ MODE_ROW(op_strfs), MODE_ROW(op_ldrfs) }, { MODE_ROW(op_strfd), MODE_ROW(op_ldrfd) },
	{ MODE_ROW(op_strfq), MODE_ROW(op_ldrfq) },
};

/* Pairs: rd = Rt, rm = Rt2 (neither 31 for loads), imm = scaled offset;
 * mode 1 post-index, 3 pre-index, else offset. */
static ALWAYS_INLINE bool ldst_pair(struct emu_cpu *cpu, const struct emu_op *op, unsigned sc, bool load, bool sx,
				    unsigned mode, bool sp, bool fp)
{
	uint64_t base;
	if ((fp && !emu_fp_enabled_fast(cpu)) || !op_base(cpu, op, sp, &base))
		return op_ldst_slow(cpu, op);
	uint64_t a1 = mode == 1 ? base : base + op->imm;
	unsigned bytes = 1u << sc;
	uint64_t a2 = a1 + bytes;
	enum emu_access acc = load ? ACC_READ : ACC_WRITE;
	const struct emu_tlb_entry *e1 = fast_hit(cpu, a1, bytes, acc), *e2 = fast_hit(cpu, a2, bytes, acc);
	if (IC_UNLIKELY(!e1 || !e2))
		return op_ldst_slow(cpu, op);
	uint8_t *p1 = host_ptr(e1, a1), *p2 = host_ptr(e2, a2); /* stores: not checked code */
	if (fp && load) {
		fp_load(cpu, op->rm, p2, bytes); /* Vt != Vt2 (emu_fast_ldst) */
		fp_load(cpu, op->rd, p1, bytes);
	} else if (fp) {
		fp_store(cpu, op->rd, p1, bytes);
		fp_store(cpu, op->rm, p2, bytes);
	} else if (load) {
		uint64_t v1 = mem_host_load(p1, bytes);
		uint64_t v2 = mem_host_load(p2, bytes);
		if (sx) {
			v1 = sext64(v1, 32);
			v2 = sext64(v2, 32);
		}
		cpu->x[op->rm] = v2;
		cpu->x[op->rd] = v1;
	} else {
		uint64_t v1 = cpu->x[op->rd], v2 = cpu->x[op->rm];
		mem_host_store(p1, bytes, v1);
		mem_host_store(p2, bytes, v2);
	}
	if (mode & 1) {
		if (sp)
			*emu_sp_ptr(cpu) = base + op->imm;
		else
			cpu->x[op->rn] = base + op->imm;
	}
	return IC_NEXT(cpu, op);
}

#define PAIR_FN(name, sc, load, sx, mode, sp, fp)                                   \
	static bool name(struct emu_cpu *cpu, const struct emu_op *op)             \
	{                                                                           \
		return ldst_pair(cpu, op, sc, load, sx, mode, sp, fp);              \
	}
#define PAIR_MODES(name, sc, load, sx, fp)                                          \
	PAIR_FN(name##_off, sc, load, sx, 2, false, fp)                             \
	PAIR_FN(name##_post, sc, load, sx, 1, false, fp)                            \
	PAIR_FN(name##_pre, sc, load, sx, 3, false, fp)                             \
	PAIR_FN(name##_off_sp, sc, load, sx, 2, true, fp)                           \
	PAIR_FN(name##_post_sp, sc, load, sx, 1, true, fp)                          \
	PAIR_FN(name##_pre_sp, sc, load, sx, 3, true, fp)

PAIR_MODES(op_stpw, 2, false, false, false)
PAIR_MODES(op_stpx, 3, false, false, false)
PAIR_MODES(op_ldpw, 2, true, false, false)
PAIR_MODES(op_ldpx, 3, true, false, false)
PAIR_MODES(op_ldpsw, 2, true, true, false)
PAIR_MODES(op_stps, 2, false, false, true)
PAIR_MODES(op_stpd, 3, false, false, true)
PAIR_MODES(op_stpq, 4, false, false, true)
PAIR_MODES(op_ldps, 2, true, false, true)
PAIR_MODES(op_ldpd, 3, true, false, true)
PAIR_MODES(op_ldpq, 4, true, false, true)

#define PAIR_ROW(name)                                                              \
	{ { name##_off, name##_post, name##_off, name##_pre },                      \
	  { name##_off_sp, name##_post_sp, name##_off_sp, name##_pre_sp } }

/* [Rn is SP][mode bits 24:23]: 0 no-allocate (as offset), 1 post, 2
 * offset, 3 pre. */
static const emu_op_fn pair_stpw[2][4] = PAIR_ROW(op_stpw);
static const emu_op_fn pair_stpx[2][4] = PAIR_ROW(op_stpx);
static const emu_op_fn pair_ldpw[2][4] = PAIR_ROW(op_ldpw);
static const emu_op_fn pair_ldpx[2][4] = PAIR_ROW(op_ldpx);
static const emu_op_fn pair_ldpsw[2][4] = PAIR_ROW(op_ldpsw);
/* SIMD&FP: [opc: S D Q][load] */
static const emu_op_fn fp_pair_ops[3][2][2][4] = {
	{ PAIR_ROW(op_stps), PAIR_ROW(op_ldps) },
	{ PAIR_ROW(op_stpd), PAIR_ROW(op_ldpd) },
	{ PAIR_ROW(op_stpq), PAIR_ROW(op_ldpq) },
};

/* Addressing mode of a single-register access of 1 << sc bytes, with
 * op->imm (offset) or op->rm/op->ra (index, shift) filled; -1 for the
 * forms left to ldst.c/atomics.c (unprivileged, atomics, PAC loads). */
static int single_mode(struct emu_op *op, uint32_t insn, unsigned sc)
{
	if (insn & (1u << 24)) {
		op->imm = (uint64_t)((insn >> 10) & 0xfff) << sc;
		return FM_IMM;
	}
	if (insn & (1u << 21)) {
		/* register offset (bits 11:10 = 10, option<1> = 1) */
		if (((insn >> 10) & 3) != 2 || !(insn & (1u << 14)))
			return -1;
		/* option<1> = 1: 010 UXTW, 011 LSL, 110 SXTW, 111 SXTX */
		unsigned option = (insn >> 13) & 7;
		op->rm = (insn >> 16) & 31;
		op->ra = (uint8_t)((insn & (1u << 12)) ? sc : 0);
		return option == 2 ? FM_REG_UXTW : option == 6 ? FM_REG_SXTW : FM_REG;
	}
	static const int8_t imm9_mode[4] = { FM_IMM, FM_POST, -1, FM_PRE };
	op->imm = sext64(insn >> 12, 9);
	return imm9_mode[(insn >> 10) & 3];
}

/* Single register and pair SIMD&FP forms (bit 26 set). */
static bool fast_ldst_fp(struct emu_op *op, uint32_t insn)
{
	switch ((insn >> 28) & 3) {
	case 3: { /* single register */
		unsigned size = insn >> 30, opc = (insn >> 22) & 3, sc = size, mode;
		if (opc >= 2) { /* Q (size 00); else unallocated */
			if (size != 0)
				return false;
			sc = 4;
		}
		int m = single_mode(op, insn, sc);
		if (m < 0)
			return false;
		mode = (unsigned)m;
		op->fn = fp_single_ops[sc][opc & 1][op->rn == 31][mode];
		return true;
	}
	case 2: { /* pairs (mode 0: no-allocate, as offset) */
		unsigned opc = insn >> 30, mode = (insn >> 23) & 3;
		bool load = (insn >> 22) & 1;
		if (opc == 3)
			return false;
		op->rm = (insn >> 10) & 31;
		if (load && op->rd == op->rm) /* CONSTRAINED UNPREDICTABLE: ldst.c's choice */
			return false;
		op->imm = sext64(insn >> 15, 7) << (opc + 2);
		op->fn = fp_pair_ops[opc][load][op->rn == 31][mode];
		return true;
	}
	default:
		return false;
	}
}

bool emu_fast_ldst(struct emu_op *op, uint32_t insn)
{
	op->rd = insn & 31;
	op->rn = (insn >> 5) & 31;
	if (insn & (1u << 26))
		return fast_ldst_fp(op, insn);
	switch ((insn >> 28) & 3) {
	case 3: { /* single register */
		unsigned idx = ((insn >> 28) & 0xc) | ((insn >> 22) & 3); /* size:opc */
		unsigned sc = idx >> 2, mode;
		if (!single_ops[idx][0][0])
			return false;
		if ((idx & 3) != 0 && op->rd == 31) /* load to XZR: generic */
			return false;
		int m = single_mode(op, insn, sc);
		if (m < 0)
			return false;
		mode = (unsigned)m;
		op->fn = single_ops[idx][op->rn == 31][mode];
		return true;
	}
	case 2: { /* pairs */
		unsigned opc = insn >> 30, mode = (insn >> 23) & 3;
		bool load = (insn >> 22) & 1;
		const emu_op_fn(*row)[4];
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
		if (load && (op->rd == 31 || op->rm == 31)) /* to XZR: generic */
			return false;
		op->imm = sext64(insn >> 15, 7) << sc;
		op->fn = row[op->rn == 31][mode];
		return true;
	}
	default: /* literal, exclusives, atomics: ldst.c / atomics.c */
		return false;
	}
}

/* The translator's view of these handlers (icache.h). */
bool emu_fast_ldst_form(emu_op_fn fn, struct emu_form *f)
{
	for (unsigned idx = 0; idx < 16; idx++)
		for (unsigned sp = 0; sp < 2; sp++)
			for (unsigned mode = 0; mode < 6; mode++)
				if (single_ops[idx][sp][mode] && single_ops[idx][sp][mode] == fn) {
					*f = (struct emu_form){ .kind = FORM_LDST, .op = (uint8_t)(idx & 3),
								.size = (uint8_t)(idx >> 2), .sp = sp,
								.mode = (uint8_t)mode };
					return true;
				}
	static const struct {
		const emu_op_fn (*row)[4];
		uint8_t kind, size;
	} pairs[] = {
		{ pair_stpw, FK_ST, 2 }, { pair_stpx, FK_ST, 3 }, { pair_ldpw, FK_LD, 2 },
		{ pair_ldpx, FK_LD, 3 }, { pair_ldpsw, FK_LDS64, 2 },
	};
	for (unsigned i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++)
		for (unsigned sp = 0; sp < 2; sp++)
			for (unsigned mode = 0; mode < 4; mode++)
				if (pairs[i].row[sp][mode] == fn) {
					*f = (struct emu_form){ .kind = FORM_LDSTP, .op = pairs[i].kind,
								.size = pairs[i].size, .sp = sp,
								.mode = (uint8_t)(mode == 0 ? 2 : mode) };
					return true;
				}
	return false;
}

bool emu_fast_fp_ldst_form(emu_op_fn fn, struct emu_form *f)
{
	for (unsigned sc = 0; sc < 5; sc++)
		for (unsigned ld = 0; ld < 2; ld++)
			for (unsigned sp = 0; sp < 2; sp++)
				for (unsigned mode = 0; mode < 6; mode++)
					if (fp_single_ops[sc][ld][sp][mode] == fn) {
						*f = (struct emu_form){ .kind = FORM_LDST, .op = ld ? FK_FPLD : FK_FPST,
									.size = (uint8_t)sc, .sp = sp,
									.mode = (uint8_t)mode };
						return true;
					}
	for (unsigned opc = 0; opc < 3; opc++)
		for (unsigned ld = 0; ld < 2; ld++)
			for (unsigned sp = 0; sp < 2; sp++)
				for (unsigned mode = 0; mode < 4; mode++)
					if (fp_pair_ops[opc][ld][sp][mode] == fn) {
						*f = (struct emu_form){ .kind = FORM_LDSTP, .op = ld ? FK_FPLD : FK_FPST,
									.size = (uint8_t)(opc + 2), .sp = sp,
									.mode = (uint8_t)(mode == 0 ? 2 : mode) };
						return true;
					}
	return false;
}
