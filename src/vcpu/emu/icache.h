/*
 * icache.h - the decoded-instruction cache: contract between exec.c (run
 * loop), icache.c (blocks, validation, generic operations) and the fast
 * decoders/handlers of the frequent instruction forms (fast_alu.c,
 * fast_branch.c, fast_ldst.c).
 *
 * A block is up to EMU_IC_MAX_INSNS instructions inside one 4 KiB page,
 * ending after the first instruction of the branch/system class other
 * than a conditional branch, a NOP hint or a quiet system instruction
 * (MRS, DMB, DSB, CLREX, DC by VA: icache.c quiet_sys_op), or at the page
 * end / length limit, where a "goto" operation follows.  Conditional branches (B.cond, CBZ/CBNZ,
 * TBZ/TBNZ) continue with the next operation when not taken, and when
 * taken leave the block through ic_taken (their rm field holds how many
 * instructions follow them in the block: those were counted at block
 * entry).  Each instruction is one struct emu_op.  A handler either
 * continues with the next operation (IC_NEXT) or ends the block with
 * cpu->pc holding the next PC and returns true.
 *
 * Execution state while in a block: cpu->pc and cpu->insn_pc are NOT
 * maintained per instruction, and the flags are in cpu->cc_* (alu.h), not
 * cpu->nzcv.  Handlers that may raise an exception or call a generic
 * group set them first (ic_set_pc); handlers that never fault do not touch
 * them.  The run loop converts the flags on entry and exit.
 *
 * Self-modifying code and translation changes: a block is compared word
 * for word with guest memory when entered, unless cpu->ic.epoch is the
 * one it was last checked at.  The epoch moves on every TLB flush (TLBI,
 * memory-map changes; filling an entry translates nothing anew), on a
 * TLBI by VA of a page blocks were checked on (ic.code_va, tlbi.c),
 * on a store by this vCPU to a page with cached code (code_page
 * filter, cpu.h EMU_CP_*: the first store after a block of the page
 * was checked, which misses the TLB, mem.c; the check marks the page
 * again), after the system
 * instructions of emu_sys_class's END class (AT, TLBI...), at the first
 * event check after any vCPU's IC IVAU of a page this one has a mark on
 * or IC IALLU(IS) (cross-modifying code, which the architecture requires
 * to invalidate; seen at once after an ISB; struct emu_vm), at
 * least every EMU_IC_RECHECK_CHECKS event checks (writes nobody announces,
 * such as the host's while the vCPU runs) and at run entry.  Its low bits
 * are the EL (emu_ic_set_el): exceptions and ERET move nothing else.  An operation after which the
 * epoch moved ends its block, so a store into the rest of the running
 * block is seen by the next instruction.
 */
#ifndef EMU_ICACHE_H
#define EMU_ICACHE_H

#include "alu.h"
#include "cpu.h"
#include "mem_fast.h"

#define IC_LIKELY(x) __builtin_expect(!!(x), 1)
#define IC_UNLIKELY(x) __builtin_expect(!!(x), 0)

/* The instruction's architectural state, before anything that can fault
 * or look at it: PCs and the lazy flags (cpu->cc_*) written back to
 * cpu->nzcv. */
static inline void ic_set_pc(struct emu_cpu *cpu, const struct emu_op *op)
{
	cpu->insn_pc = op->pc;
	cpu->pc = op->pc + 4;
	cpu->nzcv = cc_nzcv(cpu);
}

/* The SIMD&FP registers are accessible without a trap: the common case
 * of emu_check_fp_access (no EL2 of the guest's own, CPACR_EL1.FPEN),
 * for the fast FP loads, stores and arithmetic. */
static inline bool emu_fp_enabled_fast(const struct emu_cpu *cpu)
{
	unsigned fpen = (unsigned)(cpu->sr[SR_CPACR_EL1] >> 20) & 3;
	return !cpu->el2 && (fpen == 3 || (fpen == 1 && cpu->el == 1));
}

/* Continues with the next operation of the block: handlers end with a
 * call in tail position (threaded code; compilers turn it into a jump, and
 * without that the depth is bounded by the block length). */
#define IC_NEXT(cpu, op) ((op)[1].fn((cpu), (op) + 1))

/* Ends the block with a jump to pc.  Continues straight into the block
 * cached there (chaining) when the run loop would enter it without
 * further ado: same slot, same checks, same accounting.  Else returns to
 * the run loop with cpu->pc = pc.  The depth of the tail calls is bounded
 * by the event budget even if a compiler does not turn them into jumps. */
static inline bool ic_goto(struct emu_cpu *cpu, uint64_t pc)
{
	struct emu_ic_slot *b = &cpu->ic.slot[(pc >> 2) & (EMU_IC_SLOTS - 1)];
	/* With breakpoints armed the run loop decides (emu_debug_plain_at);
	 * with the translator on too when the next block has a translation
	 * or is hot enough for one (a chain of interpreted blocks would
	 * otherwise never leave the interpreter), else it is counted here. */
	if (IC_UNLIKELY(b->pc != pc || b->epoch != cpu->ic.epoch || cpu->insn_count >= cpu->event_at ||
			cpu->debug_bkpt_active || (cpu->jit && (b->jit || b->heat >= cpu->jit_hot)))) {
		cpu->pc = pc;
		return true;
	}
	b->heat++; /* below jit_hot: no wrap (and unused without a translator) */
	cpu->blk = b;
	cpu->insn_count += b->n;
	const struct emu_op *next = b->ops;
	return next->fn(cpu, next);
}

/* A conditional branch inside a block was taken: op->rm instructions
 * after it were counted at block entry but do not run. */
static inline bool ic_taken(struct emu_cpu *cpu, const struct emu_op *op, uint64_t target)
{
	cpu->insn_count -= op->rm;
	return ic_goto(cpu, target);
}

/* Ends the block after op (its successor is the next instruction). */
bool emu_ic_stop_after(struct emu_cpu *cpu, const struct emu_op *op);

/* After an operation that may have stored to code or changed the TLB:
 * ends the block if the epoch moved. */
static inline bool ic_check_epoch(struct emu_cpu *cpu, const struct emu_op *op)
{
	if (IC_UNLIKELY(cpu->ic.epoch != cpu->blk->epoch))
		return emu_ic_stop_after(cpu, op);
	return IC_NEXT(cpu, op);
}

/* Fast decoders: fill op (fn and operands) and return true, or return
 * false to leave the instruction to the generic path. */
bool emu_fast_dp_imm(struct emu_op *op, uint32_t insn);
bool emu_fast_dp_reg(struct emu_op *op, uint32_t insn);
bool emu_fast_branch(struct emu_op *op, uint32_t insn);
bool emu_fast_ldst(struct emu_op *op, uint32_t insn);
bool emu_fast_fp(struct emu_op *op, uint32_t insn);

/* cmp (decoded by emu_fast_dp_*) is followed by the B.cond bcond_insn,
 * decoded by emu_fast_branch into the next operation: makes cmp an
 * operation that does both when it is a plain CMP (register or
 * immediate).  Returns whether it did. */
bool emu_fast_fuse_cmp_bcond(struct emu_op *cmp, uint32_t bcond_insn);

/* What a fast operation does, for the translator (jit/): the handler's
 * identity spelled out as parameters, the operands staying in the op.
 * emu_fast_*_form return false for handlers the translator calls
 * instead of reproducing (their semantics stay in one place). */
enum emu_form_kind {
	FORM_NONE, FORM_NOP, FORM_MOVI, FORM_MOVK, FORM_ADDI, FORM_ADDSI, FORM_MOV, FORM_LOGICI,
	FORM_UBFM, FORM_SBFX, FORM_SBFIZ, FORM_LOGIC, FORM_ADDSUB, FORM_CSEL, FORM_CCMP, FORM_MADD,
	FORM_ADDEXT, FORM_MULL, FORM_MULH, FORM_DIV, FORM_SHIFTV, FORM_BFM, FORM_EXTR, FORM_REV,
	FORM_B, FORM_BCOND, FORM_CBZ, FORM_TBZ, FORM_BR, FORM_LDST, FORM_LDSTP,
	FORM_ADC, /* ADC, SBC (not the flag-setting forms) */
};
struct emu_form {
	uint8_t kind;
	bool sf;       /* 64-bit operation */
	uint8_t op;    /* LOGIC: opc:N (and bic orr orn eor eon ands bics);
			* LOGICI: 0 and 1 orr 2 eor 3 ands; ADDSUB, ADDSI,
			* ADDEXT, CCMP, MADD, MULL, ADC: 1 = subtract; CSEL: op:o2 (sel inc inv
			* neg); B, BR: 1 = link; CBZ, TBZ: 1 = branch on
			* non-zero; LDST, LDSTP: EMU_FK_*; REV: 0 bytes of the
			* datasize reversed, 1 of each word (REV32) */
	uint8_t flags; /* ADDSUB, ADDEXT, LOGIC, ADDSI: 0 none, 1 set and write Rd,
			* 2 set only (Rd is ZR); CCMP: 1 = immediate Rm */
	uint8_t shift; /* LOGIC, ADDSUB: SHIFT_* of Rm by op->ra; SHIFTV: SHIFT_* */
	bool sgn;      /* MULL, MULH, DIV: signed */
	bool sp;       /* ADDI, ADDSI: register 31 is SP; LDST(P): SP base */
	uint8_t mode;  /* LDST: EMU_FM_*; LDSTP: 1 post, 2 offset, 3 pre */
	uint8_t size;  /* LDST, LDSTP: log2 of the access size */
	uint8_t cond;  /* BCOND */
};
enum { EMU_FK_ST, EMU_FK_LD, EMU_FK_LDS64, EMU_FK_LDS32, EMU_FK_FPST, EMU_FK_FPLD };
enum { EMU_FM_IMM, EMU_FM_REG, EMU_FM_POST, EMU_FM_PRE, EMU_FM_REG_UXTW, EMU_FM_REG_SXTW };
bool emu_fast_alu_form(emu_op_fn fn, struct emu_form *f);
bool emu_fast_branch_form(emu_op_fn fn, struct emu_form *f);
bool emu_fast_ldst_form(emu_op_fn fn, struct emu_form *f);
/* The SIMD&FP register loads and stores, as FORM_LDST (size up to 4: Q)
 * and FORM_LDSTP with op EMU_FK_FPST or EMU_FK_FPLD: Rt (and Rt2) name
 * V registers, a load zeroes the bits above its access. */
bool emu_fast_fp_ldst_form(emu_op_fn fn, struct emu_form *f);
/* For a fast FP arithmetic handler (fast_fp.c), the same operation as a
 * plain call, which writes only SIMD&FP registers and FPSR (and raises
 * what the generic path raises); NULL for other handlers. */
typedef void (*emu_exec_fn)(struct emu_cpu *cpu, const struct emu_op *op);
emu_exec_fn emu_fast_fp_exec(emu_op_fn fn);
/* Such a handler's operation spelled out (operands: op->rd, rn, rm and
 * ra for the scalar FMA's addend): the lanes' shape, the precision, and
 * for FMA which products and addends are negated. */
enum emu_fp_op { EMU_FP_ADD, EMU_FP_SUB, EMU_FP_MUL, EMU_FP_DIV, EMU_FP_FMA };
enum emu_fp_shape {
	EMU_FP_VQ,    /* vector of 128 bits */
	EMU_FP_V64,   /* of 64 bits (.2S) */
	EMU_FP_EQ,    /* 128 bits, by element: Vm[index] in every lane */
	EMU_FP_E64,   /* 64 bits, by element */
	EMU_FP_SCALAR /* one lane, the rest of Vd zeroed */
};
struct emu_fp_form {
	uint8_t op, shape; /* enum emu_fp_op, emu_fp_shape */
	bool d;            /* double precision */
	bool neg_n, neg_a; /* FMA: -(Vn * Vm), -addend */
	uint8_t index;     /* by element */
};
bool emu_fast_fp_form(emu_op_fn fn, const struct emu_op *op, struct emu_fp_form *f);

/* Decodes insn at pc into op as a block would hold it (without the
 * CMP + B.cond fusion and the rm count of conditional branches);
 * returns true when it ends a block. */
bool emu_ic_decode(struct emu_op *op, uint32_t insn, uint64_t pc);

/* Shared trivial handler. */
bool emu_op_nop(struct emu_cpu *cpu, const struct emu_op *op);

/* Slow part of entering the block at cpu->pc (exec.c has the hit
 * inline): checks the translation and the words of slot s, rebuilding
 * it if needed.  Returns NULL when the PC cannot be cached (the caller
 * runs one instruction the plain way).  Fetch faults are raised. */
struct emu_ic_slot *emu_ic_enter_slow(struct emu_cpu *cpu, struct emu_ic_slot *s);

/* Checks slot s (a block the translator copied into a region) at the
 * current epoch as emu_ic_enter_slow would, but only where nothing need
 * change: true when its page is in the TLB and its words are those in
 * memory (its epoch then is the current one). */
bool emu_ic_recheck(struct emu_cpu *cpu, struct emu_ic_slot *s);
void emu_ic_init(struct emu_cpu *cpu);

#endif /* EMU_ICACHE_H */
