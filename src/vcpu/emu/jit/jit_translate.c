/*
 * jit_translate.c - code generation: one icache block to x86-64 (jit.h).
 *
 * Register use in generated code: RBX = struct emu_cpu *; RBP, R12-R15,
 * R10 and R11 cache guest registers (struct regcache, written back
 * before every call, so the interpreter's handlers can be called with
 * the SysV ABI as is); RAX, RCX, RDX, RSI, RDI, R8 and R9 are scratch
 * within an operation.
 * Each operation is either emitted inline from its emu_form, with the
 * exact semantics of the fast handler it replaces (fast_alu.c,
 * fast_branch.c, fast_ldst.c), or handed to that handler through a copy
 * of the op followed by a sentinel op: the handler's "continue" reaches
 * the sentinel, which returns false, and the generated code goes on;
 * "block ended" returns true with cpu->pc set.  Slow paths (TLB miss,
 * misaligned SP) are out of line after the block and call the handler,
 * which finds the same miss and runs the instruction through ldst.c: the
 * inline code changes nothing before it knows every access hits, so the
 * fault is exact.  Loads and stores are emitted by jit_ldst.c, guest
 * registers go through the cache of jit_regcache.c, NZCV is stored
 * lazily by jit_flags.c; struct ctx, which they share, is in jit_ctx.h.
 */
#include "jit_ctx.h"

#if EMU_JIT_SUPPORTED

#include <limits.h>

#include "../alu.h"
#include "../icache.h"

static bool sentinel(struct emu_cpu *cpu, const struct emu_op *op)
{
	(void)cpu, (void)op;
	return false; /* the handler continued: back to the generated code */
}

/* ---- what an operation is ---------------------------------------------- */

/* The class and form of handler fn (emu_fast_*_form, which search
 * tables), remembered per thread: a block asks for each of its
 * operations up to three times, and a Linux boot translates 30k blocks. */
enum op_class classify(emu_op_fn fn, struct emu_form *f)
{
	static __thread struct {
		emu_op_fn fn;
		enum op_class cls;
		struct emu_form f;
	} memo[512];
	uintptr_t h = (uintptr_t)fn;
	__typeof__(memo[0]) *m = &memo[(h >> 4 ^ h >> 13) & 511];
	if (m->fn != fn) {
		m->fn = fn;
		m->cls = emu_fast_alu_form(fn, &m->f)      ? OP_ALU
			 : emu_fast_branch_form(fn, &m->f) ? OP_BRANCH
			 : emu_fast_ldst_form(fn, &m->f)   ? OP_LDST
							   : OP_CALL;
	}
	*f = m->f;
	return m->cls;
}

/* ---- small pieces ------------------------------------------------------- */

/* reg op= imm, through tmp when imm is not a sign-extended imm32. */
static void alu_imm(struct x86_buf *b, enum x86_alu op, bool w, unsigned reg, uint64_t imm, unsigned tmp)
{
	if (!w) {
		x86_alu_ri(b, op, false, reg, (int32_t)(uint32_t)imm);
	} else if (x86_fits_s32(imm)) {
		x86_alu_ri(b, op, true, reg, (int32_t)imm);
	} else {
		x86_mov_imm(b, tmp, imm);
		x86_alu_rr(b, op, true, reg, tmp);
	}
}

static void jcc_to(struct x86_buf *b, enum x86_cc cc, uintptr_t target)
{
	x86_patch_to(b, x86_jcc(b, cc), target);
}

static void jmp_to(struct x86_buf *b, uintptr_t target)
{
	x86_patch_to(b, x86_jmp(b), target);
}


/* The member of the region whose block starts at pc (0: the head), or
 * -1. */
static int member_at(const struct ctx *c, uint64_t pc)
{
	for (unsigned m = 0; m < c->nmembers; m++)
		if (c->members[m].slot->pc == pc)
			return (int)m;
	return -1;
}

/* Whether the pending flags are those of setter fs (kind, width). */
static bool pending_is(const struct ctx *c, enum xflags kind, bool w, const struct flag_src *fs)
{
	return c->pending == kind && c->pending_w == w && c->fs.how == fs->how && c->fs.op.insn == fs->op.insn;
}

/* Whether member m starts with the flags pending (struct entry_flags). */
static bool enters_pending(const struct ctx *c, int m)
{
	return m >= 1 && !c->record && c->entry[m].edges && !c->entry[m].mixed;
}

/* First emission: notes the flags a branch to member m >= 1 leaves. */
static void note_entry_flags(struct ctx *c, unsigned m)
{
	struct entry_flags *ef = &c->entry[m];
	if (c->pending == XF_NONE || c->fs.how == FS_NONE)
		ef->mixed = true;
	else if (!ef->edges)
		ef->pending = c->pending, ef->pending_w = c->pending_w, ef->fs = c->fs;
	else if (!pending_is(c, ef->pending, ef->pending_w, &ef->fs))
		ef->mixed = true;
	ef->edges++;
}

/* Continues at guest PC target: the next block or the run loop, with
 * `after` instructions counted at block entry taken back (ic_taken),
 * storing the pending flags unless the target needs them not.  Within
 * the region no slot or epoch check: the epoch cannot have moved while
 * the translation ran (anything that moves it ends it first, icache.h),
 * and the region's start checked the members.  A branch back in member
 * order makes the event check (to the head) or a chained entry's (to a
 * member: events, breakpoints); one forward none.  The pinned registers
 * stay in the cache, dirty or not. */
static void goto_pc(struct ctx *c, uint64_t target, unsigned after)
{
	struct x86_buf *b = &c->b;
	/* RAX = target only on the ways out through the chain and link
	 * stubs, not on the linked path */
	int m = member_at(c, target);
	if (m >= 0) {
		bool defer = c->deferring && m == 0; /* the flags stay pending (struct loop_flags) */
		/* Flags pending where the member overwrites them before
		 * anything could look: stored on the ways out only. */
		bool late = !defer && c->pending != XF_NONE &&
			    (flags_dead_at(c, (unsigned)m) || enters_pending(c, m)) && store_flags_late(c, true);
		if (c->record && m >= 1)
			note_entry_flags(c, (unsigned)m);
		if (enters_pending(c, m) && !pending_is(c, c->entry[m].pending, c->entry[m].pending_w, &c->entry[m].fs))
			c->b.overflow = true; /* not the flags the first emission saw: not translated */
		const struct member *mb = &c->members[m];
		if (!defer && !late)
			store_flags_for_exit(c);
		flush_regs(c, false);
		/* the count: its pinned cache register, else RCX */
		int e = c->rc.host[REG_COUNT];
		unsigned count = e >= 0 ? cache_reg[e] : RCX;
		if (e < 0)
			x86_load(b, true, RCX, RBX, CPU(insn_count));
		/* Forward in member order, no event check: every cycle of
		 * the region has a branch to a member not after its own,
		 * which checks.  (Breakpoints: a region does not run while
		 * they are armed, emu_jit_run.) */
		bool forward = m > (int)c->member;
		/* (the check before the `after` instructions are taken back:
		 * at most that many early, a harmless trip to the run loop) */
		uint8_t *out = NULL;
		if (!forward) {
			x86_alu_rm(b, ALU_CMP, true, count, RBX, m ? CPU(chain_at) : CPU(event_at));
			out = x86_jcc(b, CC_AE);
		}
		if (e >= 0) /* newer than memory (a call's reload left it clean) */
			c->rc.dirty[e] = true;
		int32_t add = (int32_t)mb->slot->n - (int32_t)after;
		if (add)
			x86_alu_ri(b, ALU_ADD, true, count, add);
		if (e < 0)
			x86_store(b, true, RCX, RBX, CPU(insn_count));
		if (defer && c->peel && c->again) {
			jmp_to(b, c->again); /* the prefix's second copy */
		} else if (defer && c->peel) {
			c->b.overflow = true; /* a branch back before the setter: not translated */
		} else if (m == 0) {
			jmp_to(b, c->body);
		} else if (mb->entry) {
			jmp_to(b, mb->entry);
		} else if (c->nfwd < MAX_STUBS) { /* emitted later */
			c->fwd[c->nfwd].site = x86_jmp(b);
			c->fwd[c->nfwd++].m = (unsigned)m;
		} else {
			c->b.overflow = true;
		}
		if (!out) /* no way out */
			return;
		x86_patch_here(b, out);
		if (after)
			x86_alu_ri(b, ALU_SUB, true, count, (int32_t)after);
		if (e < 0)
			x86_store(b, true, RCX, RBX, CPU(insn_count));
		if (defer || late)
			store_flags_late(c, false);
		flush_regs(c, true);
		x86_mov_imm(b, RAX, target);
		jmp_to(b, c->jit->chain);
		return;
	}
	/* A direct link, unlinked for now: jit_link patches the jump to
	 * the target's chained entry, which takes the count in RCX (and
	 * stores it, as does the way through the link stub): a pinned
	 * count need not go to memory first. */
	store_flags_for_exit(c);
	int e = c->rc.host[REG_COUNT];
	if (e >= 0)
		c->rc.dirty[e] = false;
	flush_regs(c, true);
	if (e >= 0) {
		x86_lea_disp(b, RCX, cache_reg[e], -(int32_t)after);
	} else {
		x86_load(b, true, RCX, RBX, CPU(insn_count));
		if (after)
			x86_alu_ri(b, ALU_SUB, true, RCX, (int32_t)after);
	}
	uint8_t *site = x86_jmp(b);
	x86_patch_here(b, site);
	x86_store(b, true, RCX, RBX, CPU(insn_count));
	x86_mov_imm(b, RAX, target);
	x86_mov_imm(b, RDX, b->exec + (uintptr_t)(site - b->base));
	jmp_to(b, c->jit->link_stub);
}


/* A conditional branch was taken: `after` instructions counted at block
 * entry do not run (ic_taken). */
static void taken(struct ctx *c, unsigned after, uint64_t target)
{
	/* The not-taken path keeps the flags pending and its registers
	 * dirty: what this path emits changes no state of the other. */
	struct regcache rc = c->rc;
	bool back = target == c->block_pc && c->loops && c->member == 0 && c->cur == c->loop_end;
	if (back && c->record)
		find_loop_flags(c);
	c->deferring = back && !c->record && c->lf.defer && c->pending != XF_NONE;
	if (c->deferring && (c->pending != c->lf.pending || c->fs.how != c->lf.fs.how || c->fs.op.pc != c->lf.fs.op.pc))
		c->b.overflow = true; /* not the flags the first emission saw: not translated */
	goto_pc(c, target, after); /* stores the pending flags where they must be */
	c->deferring = false;
	c->rc = rc;
}

static struct stub *new_stub(struct ctx *c)
{
	if (c->nstubs == MAX_STUBS) {
		c->b.overflow = true;
		return &c->stubs[0];
	}
	struct stub *s = &c->stubs[c->nstubs++];
	memset(s, 0, sizeof(*s));
	s->insn = c->cur;
	s->slot_off = c->slot_off;
	s->peeled = c->peeled;
	return s;
}

/* A load/store's slow path: the handler runs on its copy of the op. */
struct stub *slow_stub(struct ctx *c, const struct emu_op *op)
{
	struct stub *s = new_stub(c);
	s->copy = op;
	return s;
}

/* The slow path rejoins here, with the registers cached at this point. */
void resume_here(struct ctx *c, struct stub *s)
{
	s->resume = x86_here(&c->b);
	memcpy(s->cached, c->rc.guest, sizeof(s->cached));
}

static const enum x86_shift x86_shift_of[4] = { SH_SHL, SH_SHR, SH_SAR, SH_ROR }; /* by SHIFT_* */

/* reg = reg op Xn, op an x86 ALU operation or ALU_IMUL: Xn from its
 * cache register (with take, taken as read_x would; else only if it has
 * one already, as peek_x), else straight from cpu->x[n] (a memory
 * operand, a 32-bit one reading its low half: no scratch load); XZR as
 * 0. */
#define ALU_IMUL (-1)
static void alu_x(struct ctx *c, int op, bool w, unsigned reg, unsigned n, bool take)
{
	struct x86_buf *b = &c->b;
	int h = take ? cached_x(c, n) : peeked_x(c, n);
	if (n == 31) {
		x86_mov_imm(b, RCX, 0);
		h = RCX;
	}
	if (op == ALU_IMUL && h >= 0)
		x86_imul_rr(b, w, reg, (unsigned)h);
	else if (op == ALU_IMUL)
		x86_op_rm(b, 0x1af, w, reg, RBX, XREG(n), false);
	else if (h >= 0)
		x86_alu_rr(b, (enum x86_alu)op, w, reg, (unsigned)h);
	else
		x86_alu_rm(b, (enum x86_alu)op, w, reg, RBX, XREG(n));
}

/* RCX = Rm shifted (LOGIC, ADDSUB). */
static unsigned shifted_rm(struct ctx *c, const struct emu_op *op, const struct emu_form *f, bool copy)
{
	struct x86_buf *b = &c->b;
	if (!op->ra && !copy)
		return read_x(c, f->sf, RCX, op->rm);
	load_x(c, f->sf, RCX, op->rm);
	if (op->ra)
		x86_shift_ri(b, x86_shift_of[f->shift & 3], f->sf, RCX, op->ra);
	return RCX;
}

/* Rd = Rd op Rm (shifted) in Rd's cache register, for an operation
 * that sets no flags with Rd = Rn; false (nothing emitted) unless Rd is
 * cached where getting Rm cannot evict it: pinned, or Rm needs no cache
 * entry of its own (cached already, or XZR).  The last write of Rd
 * goes to memory (dest_x drops the entry; its register still holds Rn). */
static bool alu_in_place(struct ctx *c, const struct emu_op *op, const struct emu_form *f, enum x86_alu alu,
			 bool invert)
{
	if (f->flags || op->rd != op->rn || op->rd == 31 || c->no_cache)
		return false;
	const struct regcache *rc = &c->rc;
	int e = rc->host[op->rd];
	if (e < 0 || !(rc->pinned[e] || op->rm == 31 || rc->host[op->rm] >= 0))
		return false;
	unsigned rm = shifted_rm(c, op, f, invert);
	if (invert) /* bic, orn, eon */
		x86_not(&c->b, f->sf, RCX);
	unsigned rn = cache_reg[e];
	int h;
	unsigned d = dest_reg(c, op->rd, RAX, &h); /* its entry, or none: it evicts nothing */
	if (d != rn)
		x86_mov_rr(&c->b, f->sf, d, rn);
	x86_alu_rr(&c->b, alu, f->sf, d, rm);
	dest_store(c, h, RAX, op->rd);
	return true;
}

/* Rd = Rn - Rd in Rd's cache register (SUB without flags or shift, Rd =
 * Rm): neg and add; false (nothing emitted) unless Rd is cached.  Rn is
 * read without taking an entry, and Rd's is not taken from it either
 * (dest_x keeps it, or drops it with the value still in the register). */
static bool sub_from_rd(struct ctx *c, const struct emu_op *op, const struct emu_form *f)
{
	if (f->flags || !f->op || op->ra || op->rd != op->rm || op->rd == op->rn || op->rd == 31 || c->no_cache)
		return false;
	int e = c->rc.host[op->rd];
	if (e < 0)
		return false;
	unsigned old = cache_reg[e], rn = peek_x(c, f->sf, RAX, op->rn);
	int h;
	unsigned d = dest_reg(c, op->rd, RCX, &h);
	if (d != old)
		x86_mov_rr(&c->b, f->sf, d, old);
	x86_neg(&c->b, f->sf, d);
	x86_alu_rr(&c->b, ALU_ADD, f->sf, d, rn);
	dest_store(c, h, RCX, op->rd);
	return true;
}

/* Rd = Rn + (Rm << k), k <= 3, without flags: one lea of the cache
 * registers (a 32-bit lea takes the sum's low half, as W does); false
 * (nothing emitted) for other forms.  Getting Rd an entry may evict Rn's
 * or Rm's, whose register still holds the value the lea reads. */
static bool add_lea(struct ctx *c, const struct emu_op *op, const struct emu_form *f)
{
	if (f->flags || f->op || (f->shift & 3) != SHIFT_LSL || op->ra > 3 || op->rn == 31 || op->rm == 31 ||
	    op->rd == 31 || c->no_cache)
		return false;
	unsigned rn = read_x(c, f->sf, RAX, op->rn);
	unsigned rm = peek_x(c, f->sf, RCX, op->rm);
	int h;
	unsigned d = dest_reg(c, op->rd, RDX, &h);
	x86_lea_idx(&c->b, f->sf, d, rn, rm, op->ra);
	dest_store(c, h, RDX, op->rd);
	return true;
}

/* Rd = Rm (shifted, inverted) op Rn in RCX, for a commutative operation
 * that sets no flags and has to copy Rm anyway; false (nothing emitted)
 * if it does not. */
static bool alu_on_copy(struct ctx *c, const struct emu_op *op, const struct emu_form *f, enum x86_alu alu,
			bool invert)
{
	if (f->flags || !(op->ra || invert))
		return false;
	unsigned rm = shifted_rm(c, op, f, true);
	if (invert)
		x86_not(&c->b, f->sf, rm);
	x86_alu_rr(&c->b, alu, f->sf, rm, read_x(c, f->sf, RAX, op->rn)); /* Rm is a copy: nothing to evict */
	store_x(c, rm, op->rd);
	return true;
}

/* CMP and TST, flag-setting operations whose Rd is ZR, as cmp and test:
 * the x86 flags and no result in RAX (flags_nz does without).  False
 * (nothing emitted) when regain_flags wants the result, or for CMN (x86
 * has no add that only sets flags). */
static bool compare_only(const struct ctx *c, const struct emu_op *op, enum xflags kind)
{
	return !c->want_result && op->rd == 31 && kind != XF_ADD;
}

static void compared(struct ctx *c, bool w, enum xflags kind)
{
	defer_flags(c, w, kind);
	c->no_result = true;
}

/* CMP or TST Rn, Rm (shifted, for TST maybe inverted). */
static bool compare_rr(struct ctx *c, const struct emu_op *op, const struct emu_form *f, enum xflags kind, bool invert)
{
	if (!compare_only(c, op, kind))
		return false;
	if (!op->ra && !invert && op->rm != 31 && cached_x(c, op->rm) < 0) { /* Rm from memory */
		unsigned rn = read_x(c, f->sf, RAX, op->rn);
		x86_op_rm(&c->b, kind == XF_SUB ? 0x3b : 0x85, f->sf, rn, RBX, XREG(op->rm), false); /* cmp, test */
		compared(c, f->sf, kind);
		return true;
	}
	unsigned rm = shifted_rm(c, op, f, invert);
	if (invert) /* bics */
		x86_not(&c->b, f->sf, RCX);
	unsigned rn = peek_x(c, f->sf, RAX, op->rn); /* takes no entry: Rm's stays */
	if (kind == XF_SUB)
		x86_alu_rr(&c->b, ALU_CMP, f->sf, rn, rm);
	else
		x86_test_rr(&c->b, f->sf, rn, rm);
	compared(c, f->sf, kind);
	return true;
}

/* CMP or TST Rn, #imm. */
static bool compare_ri(struct ctx *c, const struct emu_op *op, bool w, enum xflags kind)
{
	if (!compare_only(c, op, kind) || (w && !x86_fits_s32(op->imm)))
		return false;
	unsigned rn = read_x(c, w, RAX, op->rn);
	if (kind == XF_SUB)
		x86_alu_ri(&c->b, ALU_CMP, w, rn, (int32_t)op->imm);
	else
		x86_test_ri(&c->b, w, rn, (int32_t)op->imm);
	compared(c, w, kind);
	return true;
}

/* RCX = Rm extended by op->imm (option) and shifted left by op->ra (ADDEXT). */
static void extended_rm(struct ctx *c, const struct emu_op *op)
{
	static const unsigned movx[2][3] = { { 0x1b6, 0x1b7, 0 }, { 0x1be, 0x1bf, 0 } }; /* movzx/movsx cl, cx */
	struct x86_buf *b = &c->b;
	unsigned option = (unsigned)op->imm & 7, len = option & 3;
	bool sgn = option & 4;
	load_x(c, true, RCX, op->rm);
	if (len < 2)
		x86_op_rr(b, movx[sgn][len], true, RCX, RCX);
	else if (len == 2 && sgn)
		x86_movsxd(b, RCX, RCX);
	else if (len == 2)
		x86_mov_rr(b, false, RCX, RCX);
	if (op->ra)
		x86_shift_ri(b, SH_SHL, true, RCX, op->ra);
}

/* ---- operations ------------------------------------------------------- */

/* cpu->blk = this block's slot: what a handler (or an exception it
 * raises) reads to take back the instructions after it.  Only calls
 * need it, so the chained entry does not store it. */
static void set_blk(struct ctx *c)
{
	x86_lea_disp(&c->b, RSI, RBX, c->slot_off);
	x86_store(&c->b, true, RSI, RBX, CPU(blk));
}

/* The handler for this one operation (a copy followed by the sentinel);
 * returns to the run loop when it ended the block.  The cache must be
 * flushed (call_handler, or a slow path's own flush). */
static void call_handler_flushed(struct ctx *c, const struct emu_op *copy)
{
	struct x86_buf *b = &c->b;
	set_blk(c);
	x86_mov_rr(b, true, RDI, RBX);
	x86_mov_imm(b, RSI, (uintptr_t)copy);
	x86_mov_imm(b, RAX, (uintptr_t)copy->fn);
	x86_call_r(b, RAX);
	x86_test_al_al(b);
	jcc_to(b, CC_NE, c->jit->epilogue);
	cache_reset(c); /* it may have written any register */
}

static void call_handler(struct ctx *c, const struct emu_op *copy)
{
	flush_regs(c, true);
	call_handler_flushed(c, copy);
}

/* A fast FP operation as a plain call: no sentinel, and the general
 * registers in callee-saved host registers stay cached (it writes only
 * SIMD&FP registers and FPSR). */
static void call_fp_exec(struct ctx *c, const struct emu_op *copy, emu_exec_fn fn)
{
	struct x86_buf *b = &c->b;
	flush_regs(c, true); /* it may take an exception */
	set_blk(c);
	x86_mov_rr(b, true, RDI, RBX);
	x86_mov_imm(b, RSI, (uintptr_t)copy);
	x86_mov_imm(b, RAX, (uintptr_t)fn);
	x86_call_r(b, RAX);
	cache_after_call(c);
}

/* The slow path of inline SIMD&FP code just emitted (jit_fp.c,
 * jit_simd.c): its n jumps run the handler on copy, which comes back
 * here.  The code changes no general register, so the cache is the same
 * at each jump. */
static void simd_slow_path(struct ctx *c, const struct emu_op *copy, uint8_t *const *slow, unsigned n)
{
	struct stub *s = slow_stub(c, copy);
	for (unsigned j = 0; j < n; j++) {
		s->jumps[j] = slow[j];
		snapshot(c, &s->at[j]);
	}
	resume_here(c, s);
}

/* A fast FP operation inline (jit_fp.c), or an Advanced SIMD integer
 * one (jit_simd.c), its handler on the slow path; false (nothing
 * emitted) for the others. */
static bool emit_fp(struct ctx *c, const struct emu_op *copy)
{
	struct emu_fp_form f;
	uint8_t *slow[3];
	if (!emu_fast_fp_form(copy->fn, copy, &f) || !jit_fp_emit(c->jit, &c->b, copy, &f, slow))
		return false;
	simd_slow_path(c, copy, slow, 3);
	c->inlined.fp++;
	return true;
}

static bool emit_simd(struct ctx *c, const struct emu_op *copy)
{
	uint8_t *slow;
	if (!jit_simd_emit(&c->b, copy->insn, &slow))
		return false;
	simd_slow_path(c, copy, &slow, 1);
	c->inlined.simd++;
	return true;
}

/* Rd = Ra + RAX, or Ra - RAX (MADD/MSUB, SMADDL..UMSUBL). */
static void accumulate(struct ctx *c, const struct emu_op *op, bool w, bool sub)
{
	if (sub) {
		load_x(c, w, RCX, op->ra);
		x86_alu_rr(&c->b, ALU_SUB, w, RCX, RAX);
		store_x(c, RCX, op->rd);
	} else {
		if (op->ra != 31) /* else MUL: RAX is zero-extended already */
			alu_x(c, ALU_ADD, w, RAX, op->ra, true);
		store_x(c, RAX, op->rd);
	}
}

/* MADD Rd = Rd * Rm + Ra in Rd's pinned cache register (never evicted):
 * Rm and Ra (Ra not Rd, which the product overwrote) from their
 * registers or memory, taking no entry that could be Rd's.  False
 * (nothing emitted) for other forms. */
static bool madd_in_place(struct ctx *c, const struct emu_op *op, const struct emu_form *f)
{
	if (f->op || op->rd != op->rn || op->rd == 31 || op->rm == 31 || op->ra == op->rd || c->no_cache)
		return false;
	int e = c->rc.host[op->rd];
	if (e < 0 || !c->rc.pinned[e])
		return false;
	unsigned r = cache_reg[e];
	alu_x(c, ALU_IMUL, f->sf, r, op->rm, false);
	if (op->ra != 31)
		alu_x(c, ALU_ADD, f->sf, r, op->ra, false);
	if (dest_x(c, op->rd) != (int)r) /* pinned: its own register, now dirty */
		c->b.overflow = true;
	return true;
}

static void emit_div(struct ctx *c, const struct emu_op *op, const struct emu_form *f)
{
	struct x86_buf *b = &c->b;
	bool w = f->sf;
	load_x(c, w, RAX, op->rn);
	load_x(c, w, RCX, op->rm);
	x86_test_rr(b, w, RCX, RCX);
	uint8_t *by_zero = x86_jcc(b, CC_E), *by_minus1 = NULL;
	if (f->sgn) {
		x86_alu_ri(b, ALU_CMP, w, RCX, -1);
		by_minus1 = x86_jcc(b, CC_E);
	}
	x86_div(b, f->sgn, w, RCX);
	uint8_t *done = x86_jmp(b), *done2 = NULL;
	x86_patch_here(b, by_zero);
	x86_alu_rr(b, ALU_XOR, false, RAX, RAX);
	if (f->sgn) {
		done2 = x86_jmp(b);
		x86_patch_here(b, by_minus1);
		x86_neg(b, w, RAX);
		x86_patch_here(b, done2);
	}
	x86_patch_here(b, done);
	store_x(c, RAX, op->rd);
}

void emit_alu(struct ctx *c, const struct emu_op *op, const struct emu_form *f)
{
	struct x86_buf *b = &c->b;
	bool w = f->sf;
	switch (f->kind) {
	case FORM_MOVI: {
		int h;
		x86_mov_imm(b, dest_reg(c, op->rd, RAX, &h), op->imm);
		dest_store(c, h, RAX, op->rd);
		break;
	}
	case FORM_MOVK:
		load_x(c, true, RAX, op->rd);
		alu_imm(b, ALU_AND, true, RAX, ~((uint64_t)0xffff << op->ra), RCX);
		alu_imm(b, ALU_OR, true, RAX, op->imm, RCX);
		if (!w)
			x86_mov_rr(b, false, RAX, RAX);
		store_x(c, RAX, op->rd);
		break;
	case FORM_ADDI:
		if (!f->sp) { /* imm: +-imm12 << 12 at most */
			lea_x(c, w, op->rd, read_x(c, true, RAX, op->rn), (int32_t)op->imm);
			break;
		}
		load_x_sp(c, RAX, op->rn);
		x86_alu_ri(b, ALU_ADD, w, RAX, (int32_t)op->imm);
		store_x_sp(c, RAX, op->rd, RCX);
		break;
	case FORM_ADDSI:
		if (f->flags == 2 && compare_ri(c, op, w, f->op ? XF_SUB : XF_ADD))
			break;
		if (f->sp)
			load_x_sp(c, RAX, op->rn);
		else
			load_x(c, true, RAX, op->rn);
		x86_alu_ri(b, f->op ? ALU_SUB : ALU_ADD, w, RAX, (int32_t)op->imm); /* imm12 << 12 at most */
		defer_flags(c, w, f->op ? XF_SUB : XF_ADD);
		if (f->flags == 1 && op->rd != 31)
			store_x(c, RAX, op->rd);
		break;
	case FORM_MOV:
		move_x(c, w, read_x(c, w, RAX, op->rm), op->rd);
		break;
	case FORM_LOGICI: {
		static const enum x86_alu alu[4] = { ALU_AND, ALU_OR, ALU_XOR, ALU_AND };
		if (f->op == 3 && compare_ri(c, op, w, XF_LOGIC))
			break;
		load_x(c, w, RAX, op->rn);
		alu_imm(b, alu[f->op], w, RAX, op->imm, RCX);
		if (f->op == 3) {
			defer_flags(c, w, XF_LOGIC);
			if (op->rd != 31)
				store_x(c, RAX, op->rd);
		} else {
			store_x(c, RAX, op->rd);
		}
		break;
	}
	case FORM_UBFM: {
		/* ROR(Rn, ra) AND imm: LSR and LSL when imm keeps exactly
		 * what the rotation did not wrap around */
		unsigned bits = w ? 64 : 32;
		uint64_t ones = w ? UINT64_MAX : UINT32_MAX;
		bool lsr = op->ra && op->imm == ones >> op->ra;
		if (lsr || (op->ra && op->imm == ((ones << (bits - op->ra)) & ones))) {
			/* Rn is read first: an entry taken from it still holds it */
			unsigned src = read_x(c, w, RAX, op->rn);
			int h;
			unsigned d = dest_reg(c, op->rd, RAX, &h);
			if (d != src)
				x86_mov_rr(b, w, d, src);
			x86_shift_ri(b, lsr ? SH_SHR : SH_SHL, w, d, lsr ? op->ra : bits - op->ra);
			dest_store(c, h, RAX, op->rd);
			break;
		}
		/* UBFIZ (UXTB, UXTH, LSL of a zero-extended word): the low
		 * 8, 16 or 32 bits moved up by `to` = (bits - ra) % bits */
		unsigned to = op->ra ? bits - op->ra : 0;
		uint64_t field = op->imm >> to; /* (no popcount: it is a libgcc call) */
		unsigned width = field == 0xff ? 8 : field == 0xffff ? 16 : field == 0xffffffffu ? 32 : 0;
		if (width && field << to == op->imm && to + width <= bits) {
			unsigned src = read_x(c, w, RAX, op->rn);
			int h;
			unsigned d = dest_reg(c, op->rd, RAX, &h);
			x86_movx(b, false, width, d, src);
			if (to)
				x86_shift_ri(b, SH_SHL, w, d, to);
			dest_store(c, h, RAX, op->rd);
			break;
		}
		load_x(c, w, RAX, op->rn);
		if (op->ra)
			x86_shift_ri(b, SH_ROR, w, RAX, op->ra);
		alu_imm(b, ALU_AND, w, RAX, op->imm, RCX);
		store_x(c, RAX, op->rd);
		break;
	}
	case FORM_BFM: /* Rd = (Rd AND NOT imm) OR (ROR(Rn, ra) AND imm) */
		load_x(c, w, RAX, op->rn);
		if (op->ra)
			x86_shift_ri(b, SH_ROR, w, RAX, op->ra);
		alu_imm(b, ALU_AND, w, RAX, op->imm, RDX);
		load_x(c, w, RCX, op->rd);
		alu_imm(b, ALU_AND, w, RCX, ~op->imm, RDX);
		x86_alu_rr(b, ALU_OR, w, RAX, RCX);
		store_x(c, RAX, op->rd);
		break;
	case FORM_EXTR: /* Rn:Rm >> ra; ROR when Rn = Rm */
		load_x(c, w, RAX, op->rm);
		if (op->rn == op->rm) {
			if (op->ra)
				x86_shift_ri(b, SH_ROR, w, RAX, op->ra);
		} else {
			load_x(c, w, RCX, op->rn);
			x86_shrd_ri(b, w, RAX, RCX, op->ra);
		}
		store_x(c, RAX, op->rd);
		break;
	case FORM_REV:
		load_x(c, w, RAX, op->rn);
		x86_bswap(b, w, RAX);
		if (f->op) /* REV32: the words back in place */
			x86_shift_ri(b, SH_ROR, true, RAX, 32);
		store_x(c, RAX, op->rd);
		break;
	case FORM_SBFX:
	case FORM_SBFIZ: {
		/* alu_sext(Rn >> from, rm) << to: a movsx, or the field's top
		 * shifted to bit 63 and back arithmetically (Rn is read
		 * first: an entry taken from it still holds it) */
		unsigned from = f->kind == FORM_SBFX ? op->ra : 0, to = f->kind == FORM_SBFIZ ? op->ra : 0;
		unsigned src = read_x(c, true, RAX, op->rn);
		int h;
		unsigned d = dest_reg(c, op->rd, RAX, &h);
		if (!from && (op->rm == 8 || op->rm == 16 || op->rm == 32)) {
			x86_movx(b, true, op->rm, d, src);
			if (to)
				x86_shift_ri(b, SH_SHL, true, d, to);
		} else {
			if (d != src)
				x86_mov_rr(b, true, d, src);
			if (64 - from - op->rm)
				x86_shift_ri(b, SH_SHL, true, d, 64 - from - op->rm);
			if (64 - op->rm - to)
				x86_shift_ri(b, SH_SAR, true, d, 64 - op->rm - to);
		}
		if (op->imm != UINT64_MAX)
			x86_mov_rr(b, false, d, d); /* imm: the 32-bit datasize mask */
		dest_store(c, h, RAX, op->rd);
		break;
	}
	case FORM_LOGIC: {
		static const enum x86_alu alu[8] = { ALU_AND, ALU_AND, ALU_OR, ALU_OR, ALU_XOR, ALU_XOR, ALU_AND, ALU_AND };
		if (alu_in_place(c, op, f, alu[f->op], f->op & 1) || alu_on_copy(c, op, f, alu[f->op], f->op & 1) ||
		    (f->flags == 2 && compare_rr(c, op, f, XF_LOGIC, f->op & 1)))
			break;
		load_x(c, w, RAX, op->rn);
		if (!op->ra && !(f->op & 1)) {
			alu_x(c, alu[f->op], w, RAX, op->rm, true);
		} else {
			unsigned rm = shifted_rm(c, op, f, f->op & 1);
			if (f->op & 1) /* bic, orn, eon, bics */
				x86_not(b, w, RCX);
			x86_alu_rr(b, alu[f->op], w, RAX, rm);
		}
		if (f->flags)
			defer_flags(c, w, XF_LOGIC);
		if (f->flags != 2)
			store_x(c, RAX, op->rd);
		break;
	}
	case FORM_ADDSUB:
		if (add_lea(c, op, f) || alu_in_place(c, op, f, f->op ? ALU_SUB : ALU_ADD, false) || (!f->op && alu_on_copy(c, op, f, ALU_ADD, false)) ||
		    sub_from_rd(c, op, f) ||
		    (f->flags == 2 && compare_rr(c, op, f, f->op ? XF_SUB : XF_ADD, false)))
			break;
		load_x(c, w, RAX, op->rn);
		if (!op->ra)
			alu_x(c, f->op ? ALU_SUB : ALU_ADD, w, RAX, op->rm, true);
		else
			x86_alu_rr(b, f->op ? ALU_SUB : ALU_ADD, w, RAX, shifted_rm(c, op, f, false));
		if (f->flags)
			defer_flags(c, w, f->op ? XF_SUB : XF_ADD);
		if (f->flags != 2)
			store_x(c, RAX, op->rd);
		break;
	case FORM_CSEL: {
		bool cset = op->rn == 31 && op->rm == 31 && f->op == 1; /* CSINC Rd, ZR, ZR */
		unsigned rm = RSI;
		if (!cset) {
			load_x(c, true, RDX, op->rn);
			if (f->op)
				load_x(c, true, RSI, op->rm);
			else
				rm = read_x(c, true, RSI, op->rm);
		}
		/* not and lea: the x86 flags may still be needed (xflags) */
		if (f->op & 2)
			x86_not(b, true, RSI);
		if ((f->op & 1) && !cset)
			x86_lea_disp(b, RSI, RSI, 1);
		int xcc = xflags_cc(c->xflags_in, op->ra);
		enum x86_cc holds = xcc >= 0 ? (enum x86_cc)xcc : emit_cond_cc(b, op->ra);
		if (cset) { /* 1 where the condition fails, into Rd's cache register */
			int h;
			unsigned d = dest_reg(c, op->rd, RDX, &h); /* no operands: any entry may go */
			x86_setcc(b, (enum x86_cc)(holds ^ 1), d);
			x86_movzx8(b, d, d);
			dest_store(c, h, RDX, op->rd);
			break;
		}
		x86_cmov(b, (enum x86_cc)(holds ^ 1), w, RDX, rm); /* 32-bit cmov zero-extends */
		if (!w)
			x86_mov_rr(b, false, RDX, RDX);
		store_x(c, RDX, op->rd);
		break;
	}
	case FORM_CCMP: {
		/* The operands are read on both paths: the register cache
		 * is the same where they meet. */
		emit_cond(b, op->ra);
		x86_movzx8(b, RDX, RAX);
		load_x(c, w, RAX, op->rn);
		if (f->flags)
			x86_mov_imm(b, RCX, op->rm);
		else
			load_x(c, w, RCX, op->rm);
		x86_test_rr(b, false, RDX, RDX);
		uint8_t *fail = x86_jcc(b, CC_E);
		x86_alu_rr(b, f->op ? ALU_SUB : ALU_ADD, w, RAX, RCX);
		flags_arith(b, w, f->op, false, f->flags != 0); /* an imm5 */
		uint8_t *done = x86_jmp(b);
		x86_patch_here(b, fail);
		uint32_t nzcv = (uint32_t)op->imm; /* cc_load */
		x86_store_imm(b, RBX, CPU(cc_n), (nzcv >> 31) & 1 ? INT32_MIN : 0);
		x86_store_imm(b, RBX, CPU(cc_z), !((nzcv >> 30) & 1));
		x86_store_imm(b, RBX, CPU(cc_c), (nzcv >> 29) & 1);
		x86_store_imm(b, RBX, CPU(cc_v), (nzcv >> 28) & 1 ? INT32_MIN : 0);
		x86_patch_here(b, done);
		break;
	}
	case FORM_MADD:
		if (madd_in_place(c, op, f))
			break;
		load_x(c, w, RAX, op->rn);
		alu_x(c, ALU_IMUL, w, RAX, op->rm, true);
		accumulate(c, op, w, f->op);
		break;
	case FORM_ADDEXT: /* op->imm: option (UXTB..SXTX), op->ra: shift */
		load_x_sp(c, RAX, op->rn);
		extended_rm(c, op);
		x86_alu_rr(b, f->op ? ALU_SUB : ALU_ADD, w, RAX, RCX);
		if (f->flags)
			defer_flags(c, w, f->op ? XF_SUB : XF_ADD);
		if (f->flags == 0)
			store_x_sp(c, RAX, op->rd, RCX);
		else if (f->flags == 1)
			store_x(c, RAX, op->rd);
		break;
	case FORM_MULL: /* Xa +/- Wn * Wm, the product of extended words */
		load_x(c, false, RAX, op->rn);
		load_x(c, false, RCX, op->rm);
		if (f->sgn) {
			x86_movsxd(b, RAX, RAX);
			x86_movsxd(b, RCX, RCX);
		}
		x86_imul_rr(b, true, RAX, RCX);
		accumulate(c, op, true, f->op);
		break;
	case FORM_ADC: /* Rn + (SBC: NOT) Rm + C; the flags are in memory (a reader) */
		load_x(c, w, RAX, op->rn);
		if (f->op) {
			load_x(c, w, RCX, op->rm);
			x86_not(b, w, RCX);
		}
		x86_op_rm(b, 0x1b6, false, RDX, RBX, CPU(cc_c), false); /* movzx edx, byte cc_c */
		x86_alu_rr(b, ALU_ADD, w, RAX, f->op ? RCX : read_x(c, w, RCX, op->rm));
		x86_alu_rr(b, ALU_ADD, w, RAX, RDX);
		store_x(c, RAX, op->rd);
		break;
	case FORM_MULH:
		load_x(c, true, RAX, op->rn);
		load_x(c, true, RCX, op->rm);
		x86_mul_wide(b, f->sgn, RCX);
		store_x(c, RDX, op->rd);
		break;
	case FORM_DIV: /* x / 0 = 0; x / -1 = -x, where idiv would trap on INT_MIN */
		emit_div(c, op, f);
		break;
	case FORM_SHIFTV:
		load_x(c, w, RAX, op->rn);
		load_x(c, false, RCX, op->rm);
		x86_shift_cl(b, x86_shift_of[f->shift & 3], w, RAX);
		store_x(c, RAX, op->rd);
		break;
	default:
		break;
	}
}

/* Returns true when the operation ends the block. */
static bool emit_branch(struct ctx *c, const struct emu_op *op, const struct emu_form *f, unsigned after)
{
	struct x86_buf *b = &c->b;
	uint8_t *skip;
	switch (f->kind) {
	case FORM_B:
		c->xflags = XF_NONE;
		if (f->op) {
			x86_mov_imm(b, RAX, op->pc + 4);
			store_x(c, RAX, 30);
		}
		goto_pc(c, op->imm, 0);
		return true;
	case FORM_BR:
		load_x(c, true, RAX, op->rn); /* before writing X30 (BLR X30) */
		if (f->op) {
			x86_mov_imm(b, RCX, op->pc + 4);
			store_x(c, RCX, 30);
		}
		flush_regs(c, true);
		jmp_to(b, c->jit->chain);
		return true;
	case FORM_BCOND: {
		/* Not taken, the x86 flags are those it branched on: a
		 * second B.cond can use them too. */
		int cc = xflags_cc(c->xflags, f->cond);
		if (cc >= 0) {
			skip = x86_jcc(b, (enum x86_cc)(cc ^ 1)); /* not taken */
			c->taken_eq = f->cond == 0 && c->live && c->xflags == c->pending;
		} else {
			skip = x86_jcc(b, (enum x86_cc)(emit_cond_cc(b, f->cond) ^ 1));
			c->xflags = XF_NONE;
		}
		break;
	}
	case FORM_NOP:
		return false;
	case FORM_CBZ: {
		unsigned r = read_x(c, f->sf, RAX, op->rd);
		x86_test_rr(b, f->sf, r, r);
		skip = x86_jcc(b, f->op ? CC_E : CC_NE);
		break;
	}
	case FORM_TBZ:
		x86_bt_ri(b, read_x(c, true, RAX, op->rd), op->ra);
		skip = x86_jcc(b, f->op ? CC_AE : CC_B);
		break;
	default:
		c->xflags = XF_NONE;
		return false;
	}
	if (f->kind != FORM_BCOND)
		c->xflags = XF_NONE;
	taken(c, after, op->imm);
	c->taken_eq = false;
	x86_patch_here(b, skip);
	return false;
}

/* Adds sign times the immediates of the undoable operations of the loop
 * prefix before instruction insn to their registers in cpu->x[]
 * (struct loop_flags; leaves the x86 flags to what comes next). */
static void undo_before(struct ctx *c, unsigned insn, int sign)
{
	for (unsigned k = 0; k < c->lf.nundo; k++)
		if (c->lf.undo[k].insn < insn)
			x86_alu_mi(&c->b, ALU_ADD, c->lf.undo[k].w, RBX, XREG(c->lf.undo[k].reg),
				   sign * c->lf.undo[k].imm);
}

static void emit_stubs_of_block(struct ctx *c)
{
	struct x86_buf *b = &c->b;
	for (unsigned i = 0; i < c->nstubs; i++) {
		struct stub *s = &c->stubs[i];
		c->slot_off = s->slot_off;
		/* each jump stores what was dirty where it branched off */
		uint8_t *join[STUB_JUMPS] = { NULL };
		unsigned last = 0;
		for (unsigned j = 0; j < STUB_JUMPS; j++)
			if (s->jumps[j])
				last = j;
		for (unsigned j = 0; j < STUB_JUMPS; j++) {
			if (!s->jumps[j])
				continue;
			x86_patch_here(b, s->jumps[j]);
			flush_entries(b, &s->at[j].rc, true);
			if (s->at[j].pending != XF_NONE) { /* memory is current now */
				c->no_cache = true;
				recompute_flags(c, &s->at[j].fs, s->at[j].pending, s->at[j].pending_w);
				c->no_cache = false;
			}
			if (j != last)
				join[j] = x86_jmp(b);
		}
		for (unsigned j = 0; j < STUB_JUMPS; j++)
			if (join[j])
				x86_patch_here(b, join[j]);
		if (s->peeled) { /* the flags of the loop's previous iteration */
			c->no_cache = true;
			undo_before(c, s->insn, -1);
			recompute_flags(c, &c->lf.fs, c->lf.pending, c->lf.pending_w);
			undo_before(c, s->insn, 1);
			c->no_cache = false;
		}
		call_handler_flushed(c, s->copy);
		for (unsigned k = 0; k < NCACHE; k++) /* the fast path's cache */
			if (s->cached[k] >= 0)
				x86_load(b, true, cache_reg[k], RBX, reg_off((unsigned)s->cached[k]));
		jmp_to(b, s->resume);
	}
}

/* ---- blocks ---------------------------------------------------------- */

/* Where a loop's branch back lands (the head's body, a member) starts a
 * 32-byte block of code, as compilers align loops: cpu_bound's insertion
 * sort ran 182..208 ms (best of 3) over 12 placements of the code cache
 * (the shared stubs padded by 0..56 bytes) without, 183..187 with;
 * parse_list 135..138 and 137..141. */
#define BRANCH_TARGET_ALIGN 32

/* A head that branches back to its start (a loop), or a region, gets
 * the guest registers its loop or its blocks use most loaded into the
 * cache at entry and kept there: branches within the translation then
 * need no reloads.  Counts c->names (an estimate: it only decides what
 * to pin) up to the head's last branch back and in the members; what
 * comes after that branch, which runs once per loop exit, only breaks
 * ties. */
static void pin_loop_registers(struct ctx *c, const struct emu_ic_slot *slot)
{
	struct regcache *rc = &c->rc;
	memset(rc->host, -1, sizeof(rc->host));
	memset(rc->guest, -1, sizeof(rc->guest));
	memset(rc->pinned, 0, sizeof(rc->pinned));
	memset(rc->dirty, 0, sizeof(rc->dirty));
	c->loops = 0;
	for (unsigned i = 0; i < slot->n; i++) {
		const struct emu_op *op = &slot->ops[i];
		struct emu_form f;
		if (classify(op->fn, &f) == OP_BRANCH && f.kind != FORM_BR && f.kind != FORM_NOP && op->imm == slot->pc) {
			c->loops++;
			c->loop_end = i;
		}
	}
	if (!c->loops && c->nmembers == 1)
		return;
	/* Weights: the head's own loop runs many times per pass through
	 * the members, which run at least once per pass (a region's head
	 * without a loop of its own is on that way too); once per loop exit
	 * what follows the head's loop. */
	unsigned uses[32] = { 0 }; /* in the loop, times EMU_IC_MAX_INSNS */
	unsigned end = c->loops ? c->loop_end : slot->n;
	unsigned loop = c->loops ? EMU_IC_MAX_INSNS * EMU_IC_MAX_INSNS : EMU_IC_MAX_INSNS;
	for (unsigned i = 0; i < slot->n; i++)
		for (unsigned r = 0; r < 31; r++)
			uses[r] += ((c->names[i] >> r) & 1) * (i <= end ? loop : 1);
	for (unsigned m = 1; m < c->nmembers; m++)
		for (unsigned i = 0; i < c->members[m].slot->n; i++)
			for (unsigned r = 0; r < 31; r++)
				uses[r] += ((c->names[c->members[m].base + i] >> r) & 1) * EMU_IC_MAX_INSNS;
	/* a region keeps an entry for the count: its branches all count */
	for (unsigned k = 0; k < (c->nmembers > 1 ? NCACHE - 1 : NCACHE); k++) {
		unsigned best = 31;
		for (unsigned r = 0; r < 31; r++)
			if (uses[r] > uses[best])
				best = r;
		if (uses[best] < EMU_IC_MAX_INSNS) /* not named in the loop */
			break;
		uses[best] = 0;
		rc->guest[k] = (int8_t)best;
		rc->host[best] = (int8_t)k;
		rc->pinned[k] = true;
		/* the branch back may bring them dirty */
		rc->dirty[k] = c->record || ((c->writes >> best) & 1);
		x86_load(&c->b, true, cache_reg[k], RBX, XREG(best));
	}
	for (unsigned k = 0; k < NCACHE; k++)
		if (rc->guest[k] < 0) {
			rc->guest[k] = REG_COUNT;
			rc->host[REG_COUNT] = (int8_t)k;
			rc->pinned[k] = true;
			rc->dirty[k] = true; /* as the branch back brings it */
			x86_load(&c->b, true, cache_reg[k], RBX, CPU(insn_count));
			break;
		}
}

/* Emits instruction i of the block; returns true when it ends it. */
static bool emit_insn(struct ctx *c, unsigned i, size_t *ops_used)
{
	struct emu_jit *jit = c->jit;
	struct x86_buf *b = &c->b;
	unsigned n = c->n;
	c->cur = i;
	const struct emu_op *orig = &c->slot->ops[i];
	struct emu_op op; /* as decoded, without the CMP + B.cond fusion */
	bool ended = emu_ic_decode(&op, orig->insn, orig->pc);
	unsigned after = n - 1 - i;
	enum xflags xf = c->xflags;
	c->xflags = XF_NONE; /* unless the operation sets it */
	struct emu_form f;
	enum op_class cls = classify(op.fn, &f);
	bool alu = cls == OP_ALU, branch = cls == OP_BRANCH, ldst = cls == OP_LDST;
	/* NOP, and a B.cond or CSEL on the x86 flags, leave them and
	 * RAX alone */
	bool keeps = (branch && (f.kind == FORM_NOP || (f.kind == FORM_BCOND && xflags_cc(xf, f.cond) >= 0))) ||
		     (alu && f.kind == FORM_CSEL && xflags_cc(xf, op.ra) >= 0);
	bool setter = alu && sets_all_flags(&f);
	if (setter) {
		c->pending = XF_NONE; /* dead: overwritten before anyone could look */
	} else if (c->pending != XF_NONE && !keeps && branch && f.kind == FORM_BCOND && !c->live &&
		   c->fs.how != FS_NONE && xflags_cc(c->pending, f.cond) >= 0) {
		/* B.cond on flags pending but no longer in the x86 flags:
		 * got again there, still pending (its ways out store
		 * them if they must) */
		regain_flags(c, &c->fs, c->pending_w);
		c->live = true;
		c->no_result = false;
		xf = c->pending;
		keeps = true;
	} else if (c->pending != XF_NONE && !keeps && !defers_flags(&c->fs, &op, &f, alu, branch, ldst) &&
		   !(branch && f.kind == FORM_B && !f.op && c->fs.how != FS_NONE && member_at(c, op.imm) >= 0)) {
		/* (a plain B in the region: goto_pc sees to them) */
		if (!c->live) /* got again: the x86 flags hold them once more */
			xf = c->pending;
		materialize(c);
	}
	c->xflags_in = xf;
	if (!keeps)
		c->live = false;
	if (alu) {
		emit_alu(c, &op, &f);
		if (setter) {
			c->fs = flag_source(&op, &f);
		} else if (keeps) {
			c->xflags = xf;
			if (reg_bit(op.rd) & c->fs.needs) /* no way back to them */
				c->fs.how = FS_NONE;
		}
		return ended;
	}
	if (branch) {
		c->xflags = xf; /* B.cond may use it, NOP keeps it */
		return emit_branch(c, &op, &f, after) || ended;
	}
	/* The handler gets a copy followed by the sentinel. */
	struct emu_op *copy = &jit->ops[*ops_used];
	*ops_used += 2;
	copy[0] = op;
	memset(&copy[1], 0, sizeof(copy[1]));
	copy[1].fn = sentinel;
	copy[1].pc = op.pc + 4;
	emu_exec_fn fp_exec = emu_fast_fp_exec(op.fn);
	if (ldst) {
		if (f.kind == FORM_LDST)
			emit_ldst(c, copy, &f);
		else
			emit_ldstp(c, copy, &f);
	} else if (fp_exec) { /* (jit->fp_inline: the host has AVX and FMA3) */
		if (!jit->fp_inline || !emit_fp(c, copy))
			call_fp_exec(c, copy, fp_exec);
	} else if (jit->fp_inline && emu_fast_fp_ldst_form(op.fn, &f)) {
		if (f.kind == FORM_LDST)
			emit_ldst(c, copy, &f);
		else
			emit_ldstp(c, copy, &f);
	} else if (!jit->fp_inline || !emit_simd(c, copy)) {
		call_handler(c, copy);
		if (ended) /* block-ending handlers return true */
			jmp_to(b, jit->epilogue);
	}
	return ended;
}

/* The loop prefix's second copy (struct loop_flags), where the branch
 * back lands (c->again): emitted after the first, which jumps over it,
 * so that it falls through to the setter as the first does; both must
 * get there with the same cache and pending flags (none: the prefix
 * sets no flags). */
static void emit_prefix_again(struct ctx *c, size_t *ops_used)
{
	struct x86_buf *b = &c->b;
	struct regcache at_setter = c->rc;
	enum xflags pending = c->pending, xflags = c->xflags;
	uint8_t *over = x86_jmp(b);
	x86_align(b, BRANCH_TARGET_ALIGN);
	c->again = x86_here(b);
	c->rc = c->at_body;
	c->pending = XF_NONE, c->xflags = XF_NONE, c->live = false;
	c->peeled = true;
	for (unsigned i = 0; i < c->lf.prefix; i++)
		emit_insn(c, i, ops_used);
	c->peeled = false;
	if (memcmp(&c->rc, &at_setter, sizeof(c->rc)) != 0 || c->pending != pending || c->xflags != xflags)
		c->b.overflow = true; /* not translated */
	x86_patch_here(b, over);
}

/* Makes member m the block being emitted. */
static void enter_member(struct ctx *c, unsigned m)
{
	const struct member *mb = &c->members[m];
	c->member = m;
	c->slot = mb->slot;
	c->n = mb->slot->n;
	c->base = mb->base;
	c->slot_off = mb->slot_off;
	c->cur = 0;
}

/* Emits member m >= 1, where the branches to it go: flags in cpu->cc_*
 * or pending (struct entry_flags), the cache as at the head's body. */
static void emit_member(struct ctx *c, unsigned m, size_t *ops_used)
{
	struct x86_buf *b = &c->b;
	enter_member(c, m);
	x86_align(b, BRANCH_TARGET_ALIGN);
	c->members[m].entry = x86_here(b);
	for (unsigned k = 0; k < c->nfwd; k++)
		if (c->fwd[k].m == m)
			x86_patch_here(b, c->fwd[k].site);
	c->rc = c->at_body;
	c->pending = XF_NONE, c->xflags = XF_NONE, c->live = false;
	if (enters_pending(c, (int)m)) {
		c->pending = c->entry[m].pending;
		c->pending_w = c->entry[m].pending_w;
		c->fs = c->entry[m].fs;
	}
	bool ended = false;
	for (unsigned i = 0; i < c->n && !ended; i++)
		ended = emit_insn(c, i, ops_used);
	if (!ended) /* op_goto; goto_pc stores pending flags where it must */
		goto_pc(c, c->slot->pc + 4 * (uint64_t)c->n, 0);
}

/* The ways out of the members' epoch checks at the region's start:
 * emu_ic_recheck(cpu, member's slot), back to the next check when it
 * could, else the run loop interprets the head once (its count, added
 * by whoever entered, taken back). */
static void emit_member_rechecks(struct ctx *c, uint8_t *const stale[JIT_MEMBERS],
				 const uintptr_t stale_back[JIT_MEMBERS], const struct emu_ic_slot *slot)
{
	struct x86_buf *b = &c->b;
	uint8_t *skip[JIT_MEMBERS] = { NULL };
	bool any = false;
	for (unsigned m = 1; m < c->nmembers; m++) {
		x86_patch_here(b, stale[m]);
		x86_mov_rr(b, true, RDI, RBX);
		x86_lea_disp(b, RSI, RBX, c->members[m].slot_off);
		x86_mov_imm(b, RAX, (uintptr_t)emu_ic_recheck);
		x86_call_r(b, RAX);
		x86_load(b, true, R8, RBX, CPU(ic.epoch));
		x86_test_al_al(b);
		jcc_to(b, CC_NE, stale_back[m]);
		skip[m] = x86_jmp(b);
		any = true;
	}
	if (!any)
		return;
	for (unsigned m = 1; m < c->nmembers; m++)
		x86_patch_here(b, skip[m]);
	x86_load(b, true, RCX, RBX, CPU(insn_count));
	x86_alu_ri(b, ALU_SUB, true, RCX, (int32_t)slot->n);
	x86_store(b, true, RCX, RBX, CPU(insn_count));
	x86_mov_imm(b, RAX, slot->pc);
	x86_store(b, true, RAX, RBX, CPU(pc));
	x86_load(b, true, RDX, RBX, CPU(jit));
	x86_mov_imm(b, RAX, (uint64_t)(slot - c->jit->cpu->ic.slot) + 1);
	x86_store(b, false, RAX, RDX, (int32_t)offsetof(struct emu_jit, skip));
	jmp_to(b, c->jit->epilogue);
}

/* Emits the region of c->members at jit->used with c->names, c->record
 * and c->writes set; returns its entry (0: it did not fit) and the
 * chained entry in *centry, the operations it used in *ops_end. */
static uintptr_t emit_block(struct ctx *c, struct emu_ic_slot *slot, uintptr_t *centry, size_t *ops_end)
{
	struct emu_jit *jit = c->jit;
	unsigned n = (unsigned)slot->n;
	c->b = (struct x86_buf){ .p = jit->rw + jit->used, .base = jit->rw,
				.end = jit->rw + jit->used + JIT_MAX_BLOCK_BYTES, .exec = (uintptr_t)jit->rx };
	struct x86_buf *b = &c->b;
	/* The chained entry (direct links): ic_goto's checks but the slot's
	 * PC (a link goes when the slot's translation goes), the accounting,
	 * then the body. */
	c->view = jit->cpu->fast_view;
	/* RCX: cpu->insn_count, not stored yet.  cpu->pc is set only on
	 * the way out (nothing in a block reads it) and cpu->blk only
	 * before calls (set_blk). */
	*centry = x86_here(b);
	x86_alu_rm(b, ALU_CMP, true, RCX, RBX, CPU(chain_at)); /* events, breakpoints */
	uint8_t *fail[2];
	fail[0] = x86_jcc(b, CC_AE);
	x86_load(b, true, R8, RBX, CPU(ic.epoch));
	x86_alu_rm(b, ALU_CMP, true, R8, RBX, c->members[0].slot_off + SLOT(epoch));
	fail[1] = x86_jcc(b, CC_NE);
	x86_alu_ri(b, ALU_ADD, true, RCX, (int32_t)n);
	x86_store(b, true, RCX, RBX, CPU(insn_count));
	uintptr_t start = x86_here(b);
	/* Where the run loop and the chain stub enter too: the members'
	 * slots must be checked at this epoch, since the branches to them do
	 * not look (the epoch moves while a translation runs only in an
	 * operation that ends it); one that is not is checked now
	 * (emu_ic_recheck), else the head runs interpreted once (jit->skip)
	 * and the run loop checks the members as they come. */
	uint8_t *stale[JIT_MEMBERS] = { NULL };
	uintptr_t stale_back[JIT_MEMBERS] = { 0 };
	if (c->nmembers > 1)
		x86_load(b, true, R8, RBX, CPU(ic.epoch));
	for (unsigned m = 1; m < c->nmembers; m++) {
		x86_alu_rm(b, ALU_CMP, true, R8, RBX, c->members[m].slot_off + SLOT(epoch));
		stale[m] = x86_jcc(b, CC_NE);
		stale_back[m] = x86_here(b);
	}
	c->block_pc = slot->pc;
	enter_member(c, 0);
	pin_loop_registers(c, slot);
	if (c->loops)
		x86_align(b, BRANCH_TARGET_ALIGN);
	c->body = x86_here(b);
	size_t ops_used = jit->ops_used;
	bool ended = false;
	c->peel = !c->record && c->lf.defer && c->lf.tell;
	c->at_body = c->rc;
	for (unsigned i = 0; i < n && !ended; i++) {
		if (c->peel && i == c->lf.prefix)
			emit_prefix_again(c, &ops_used);
		ended = emit_insn(c, i, &ops_used);
	}
	if (!ended) /* op_goto; goto_pc stores pending flags where it must */
		goto_pc(c, slot->pc + 4 * (uint64_t)n, 0);
	for (unsigned m = 1; m < c->nmembers; m++)
		emit_member(c, m, &ops_used);
	emit_stubs_of_block(c);
	emit_member_rechecks(c, stale, stale_back, slot);
	for (unsigned k = 0; k < 2; k++) /* the chained entry's way out */
		x86_patch_here(b, fail[k]);
	x86_store(b, true, RCX, RBX, CPU(insn_count));
	x86_mov_imm(b, RAX, slot->pc);
	x86_store(b, true, RAX, RBX, CPU(pc));
	jmp_to(b, jit->epilogue);
	*ops_end = ops_used;
	return b->overflow ? 0 : start;
}

/* ---- regions ---------------------------------------------------------- */

static void add_member(struct ctx *c, struct emu_ic_slot *s)
{
	struct member *mb = &c->members[c->nmembers];
	mb->slot = s;
	mb->slot_off = CPU(ic.slot) + (int32_t)(sizeof(*s) * (size_t)(s - c->jit->cpu->ic.slot));
	mb->base = c->nmembers ? mb[-1].base + mb[-1].slot->n : 0;
	mb->entry = 0;
	c->nmembers++;
}

/* The slot of the block at pc if it may join the region: cached and
 * checked at the current epoch (it ran since the epoch last moved: the
 * block a chained exit would enter) and in no other translation's
 * region; else NULL. */
static struct emu_ic_slot *candidate(const struct ctx *c, uint64_t pc)
{
	struct emu_cpu *cpu = c->jit->cpu;
	size_t i = (size_t)(pc >> 2) & (EMU_IC_SLOTS - 1);
	struct emu_ic_slot *s = &cpu->ic.slot[i];
	if (s->pc != pc || s->epoch != cpu->ic.epoch || s->n == 0)
		return NULL;
	uint32_t owner = c->jit->inliner[i];
	size_t head = (size_t)(c->members[0].slot - cpu->ic.slot);
	if (owner && owner - 1 != head && cpu->ic.slot[owner - 1].jit)
		return NULL;
	return s;
}

/* Direct targets of the block in slot s (B, BL, conditional branches,
 * the fall-through of a block that ends without a branch): up to max in
 * t[], returns how many. */
static unsigned direct_targets(const struct emu_ic_slot *s, uint64_t *t, unsigned max)
{
	unsigned k = 0;
	for (unsigned i = 0; i < s->n && k < max; i++) {
		struct emu_form f; /* the block's own ops: branches are decoded as emu_ic_decode does */
		if (classify(s->ops[i].fn, &f) == OP_BRANCH &&
		    (f.kind == FORM_B || f.kind == FORM_BCOND || f.kind == FORM_CBZ || f.kind == FORM_TBZ))
			t[k++] = s->ops[i].imm;
	}
	struct emu_op last;
	if (!emu_ic_decode(&last, s->ops[s->n - 1].insn, s->ops[s->n - 1].pc) && k < max)
		t[k++] = s->pc + 4 * (uint64_t)s->n;
	return k;
}

/* The head, then (up to max in all) blocks on a way from it back to it
 * through direct branches, the most often entered first (emu_ic_slot.heat,
 * then breadth-first order), among the candidates found.  A block that
 * only leaves would cost the pinned registers and save one transition
 * per exit. */
#define JIT_CANDIDATES (4 * JIT_MEMBERS)
#define JIT_TARGETS (EMU_IC_MAX_INSNS + 1)
static void choose_members(struct ctx *c, struct emu_ic_slot *head, unsigned max)
{
	struct emu_ic_slot *slots[JIT_CANDIDATES] = { head };
	uint64_t targets[JIT_CANDIDATES][JIT_TARGETS];
	unsigned ntargets[JIT_CANDIDATES], n = 1;
	c->nmembers = 0;
	add_member(c, head); /* for candidate() */
	for (unsigned m = 0; m < n; m++) {
		ntargets[m] = direct_targets(slots[m], targets[m], JIT_TARGETS);
		for (unsigned k = 0; k < ntargets[m] && n < JIT_CANDIDATES && max > 1; k++) {
			struct emu_ic_slot *s = candidate(c, targets[m][k]);
			bool known = false;
			for (unsigned j = 0; j < n; j++)
				known = known || slots[j] == s;
			if (s && !known)
				slots[n++] = s;
		}
	}
	/* on the way back: a branch to the head or to a block on it */
	bool back[JIT_CANDIDATES] = { true };
	for (bool more = true; more;) {
		more = false;
		for (unsigned m = 1; m < n; m++)
			for (unsigned k = 0; k < ntargets[m] && !back[m]; k++)
				for (unsigned j = 0; j < n; j++)
					if (back[j] && targets[m][k] == slots[j]->pc)
						back[m] = more = true;
	}
	while (c->nmembers < max) {
		unsigned best = 0;
		for (unsigned m = 1; m < n; m++)
			if (back[m] && (!best || slots[m]->heat > slots[best]->heat))
				best = m;
		if (!best)
			break;
		back[best] = false;
		add_member(c, slots[best]);
	}
}

/* One emission, or two for a loop or a region (knowing what the inline
 * code names the second time); the start, or 0. */
static uintptr_t translate_region(struct ctx *c, struct emu_ic_slot *slot, uintptr_t *centry, size_t *ops_end)
{
	/* First every register field of each instruction (a superset) */
	for (unsigned m = 0; m < c->nmembers; m++) {
		const struct member *mb = &c->members[m];
		for (unsigned i = 0; i < mb->slot->n; i++) {
			c->names[mb->base + i] = register_fields(mb->slot->ops[i].insn);
		}
	}
	c->record = true;
	uintptr_t start = emit_block(c, slot, centry, ops_end);
	if (start && (c->loops || c->nmembers > 1)) {
		uint32_t named[EMU_IC_MAX_INSNS * JIT_MEMBERS], writes = c->writes;
		struct loop_flags lf = c->lf;
		struct entry_flags entry[JIT_MEMBERS];
		memcpy(entry, c->entry, sizeof(entry));
		struct member members[JIT_MEMBERS];
		unsigned nmembers = c->nmembers;
		memcpy(named, c->named, sizeof(named));
		struct emu_jit *jit = c->jit;
		memcpy(members, c->members, sizeof(members));
		memset(c, 0, CTX_CLEAR);
		c->jit = jit;
		c->lf = lf;
		memcpy(c->entry, entry, sizeof(entry));
		memcpy(c->members, members, sizeof(members));
		c->nmembers = nmembers;
		for (unsigned m = 0; m < nmembers; m++)
			c->members[m].entry = 0; /* not emitted yet */
		memcpy(c->names, named, sizeof(named));
		c->writes = writes;
		start = emit_block(c, slot, centry, ops_end);
	}
	return start;
}

uintptr_t jit_translate(struct emu_jit *jit, struct emu_ic_slot *slot, uintptr_t *centry)
{
	if (jit->ops_used + JIT_OPS_PER_BLOCK > jit->ops_cap || jit->used + JIT_MAX_BLOCK_BYTES > jit->size)
		return 0;
	static __thread struct ctx c; /* large: not on the stack */
	size_t ops_end;
	uintptr_t start = 0;
	/* A region that does not fit (stubs, a loop prefix's flags) is
	 * tried again as its head alone. */
	for (unsigned max = JIT_MEMBERS; !start && max >= 1; max = max > 1 ? 1 : 0) {
		memset(&c, 0, CTX_CLEAR);
		c.jit = jit;
		choose_members(&c, slot, max);
		start = translate_region(&c, slot, centry, &ops_end);
		if (!start && c.nmembers == 1)
			break;
	}
	if (!start)
		return 0;
	size_t head = (size_t)(slot - jit->cpu->ic.slot);
	for (unsigned m = 1; m < c.nmembers; m++)
		jit->inliner[c.members[m].slot - jit->cpu->ic.slot] = (uint32_t)head + 1;
	jit->members += c.nmembers - 1;
	jit->fp_inlined += c.inlined.fp;
	jit->simd_inlined += c.inlined.simd;
	jit->predicted += c.inlined.predicted;
	jit->region[head] = c.nmembers > 1;
	jit->used = (size_t)(c.b.p - jit->rw);
	jit->ops_used = ops_end;
	return start;
}

void jit_emit_stubs(struct emu_jit *jit, struct x86_buf *b)
{
	static const unsigned saved[] = { RBX, RBP, R12, R13, R14, R15 };
	/* enter(cpu, code): callee-saved registers, a 16-byte aligned stack
	 * for the calls of generated code, RBX = cpu. */
	jit->enter = x86_here(b);
	for (unsigned i = 0; i < 6; i++)
		x86_push(b, saved[i]);
	x86_alu_ri(b, ALU_SUB, true, RSP, 8);
	x86_mov_rr(b, true, RBX, RDI);
	x86_jmp_r(b, RSI);

	jit->epilogue = x86_here(b);
	x86_alu_ri(b, ALU_ADD, true, RSP, 8);
	for (unsigned i = 6; i-- > 0;)
		x86_pop(b, saved[i]);
	x86_mov_imm(b, RAX, 1);
	x86_ret(b);

	/* link: RAX = guest PC, RDX = the exit's rel32.  jit_link links the
	 * exit and gives the target's chained entry (count in RCX), or 0:
	 * the run loop. */
	jit->link_stub = x86_here(b);
	x86_store(b, true, RAX, RBX, CPU(pc));
	x86_mov_rr(b, true, RDI, RBX);
	x86_mov_rr(b, true, RSI, RAX);
	x86_mov_imm(b, RAX, (uintptr_t)jit_link);
	x86_call_r(b, RAX);
	x86_test_rr(b, true, RAX, RAX);
	jcc_to(b, CC_E, jit->epilogue);
	x86_load(b, true, RCX, RBX, CPU(insn_count));
	x86_jmp_r(b, RAX);

	/* chain: RAX = guest PC.  ic_goto's checks, then the slot's code. */
	jit->chain = x86_here(b);
	x86_store(b, true, RAX, RBX, CPU(pc));
	x86_load(b, true, RCX, RBX, CPU(insn_count));
	x86_alu_rm(b, ALU_CMP, true, RCX, RBX, CPU(chain_at)); /* events, breakpoints */
	jcc_to(b, CC_AE, jit->epilogue);
	x86_mov_rr(b, false, RSI, RAX); /* RSI = the slot */
	x86_shift_ri(b, SH_SHR, false, RSI, 2);
	x86_alu_ri(b, ALU_AND, false, RSI, EMU_IC_SLOTS - 1);
	x86_shift_ri(b, SH_SHL, true, RSI, 5);
	x86_alu_rr(b, ALU_ADD, true, RSI, RBX);
	x86_alu_ri(b, ALU_ADD, true, RSI, CPU(ic.slot));
	x86_alu_rm(b, ALU_CMP, true, RAX, RSI, SLOT(pc));
	jcc_to(b, CC_NE, jit->epilogue);
	x86_load(b, true, R8, RBX, CPU(ic.epoch));
	x86_alu_rm(b, ALU_CMP, true, R8, RSI, SLOT(epoch));
	jcc_to(b, CC_NE, jit->epilogue);
	x86_load(b, false, R9, RSI, SLOT(jit)); /* its translation, in the slot's cache line */
	x86_test_rr(b, false, R9, R9);
	jcc_to(b, CC_E, jit->epilogue);
	x86_load_zx(b, 1, RDX, RBX, CPU(fast_view)); /* made for this view */
	x86_op_rm(b, 0x3a, false, RDX, RSI, SLOT(jit_view), true); /* cmp dl, byte */
	jcc_to(b, CC_NE, jit->epilogue);
	x86_mov_imm(b, R8, (uintptr_t)jit->rx);
	x86_alu_rr(b, ALU_ADD, true, R9, R8);
	x86_store(b, true, RSI, RBX, CPU(blk));
	x86_load_zx(b, 2, R8, RSI, SLOT(n));
	x86_alu_rr(b, ALU_ADD, true, RCX, R8);
	x86_store(b, true, RCX, RBX, CPU(insn_count));
	x86_jmp_r(b, R9);

	jit_fp_emit_consts(jit, b);
}

#endif /* EMU_JIT_SUPPORTED */
