/*
 * jit_ldst.c - loads and stores inline: the entry of the block's data TLB
 * view compared in line (or beside an access through the addend a
 * pointer chase's site saw last), the access at VA + addend, and the
 * handler on a stub when the TLB misses: it finds the same miss and runs
 * the access through ldst.c, so that a fault is exact (nothing changed
 * before every access of the instruction hit).
 */
#include "jit_ctx.h"

#if EMU_JIT_SUPPORTED

#include "../mem_fast.h"

/* Offset from RBX of the block's TLB view, cpu->tlb[c->view]. */
static int32_t tlb_view(const struct ctx *c)
{
	return CPU(tlb) + (int32_t)(c->view * sizeof(c->jit->cpu->tlb[0]));
}

/* Checks the TLB entry for an aligned size-byte access at the VA in RDX
 * (which becomes its key): RCX = the entry's offset in the view, or a
 * jump (recorded in *miss) when the view misses. */
static void tlb_probe(struct ctx *c, unsigned size, enum emu_access acc, uint8_t **miss)
{
	struct x86_buf *b = &c->b;
	/* entry offset: page index * 32 (the rotated-in low bits are masked) */
	if (c->jit->bmi2) {
		x86_rorx_ri(b, RCX, RDX, MEM_TLB_PAGE_SHIFT - 5);
	} else {
		x86_mov_rr(b, true, RCX, RDX);
		x86_shift_ri(b, SH_SHR, true, RCX, MEM_TLB_PAGE_SHIFT - 5);
	}
	x86_alu_ri(b, ALU_AND, false, RCX, (EMU_TLB_SIZE - 1) << 5);
	x86_alu_ri(b, ALU_AND, true, RDX, (int32_t)(MEM_TLB_PAGE_MASK | (size - 1)));
	x86_op_rmx(b, ALU_CMP * 8 + 3, true, RDX, RBX, RCX, tlb_view(c) + 8 * (int32_t)acc, false);
	*miss = x86_jcc(b, CC_NE);
}

/* A single-register access whose base or index only loads of its block
 * write (a pointer chase, x = [x]) goes to VA + the addend its site saw
 * last (cpu->jit_addend), in R8, loaded independently of the VA: it then
 * waits for no TLB entry, whose tag and addend are compared beside it (a
 * different addend is taken from the entry, and kept for the next time).
 * Not for other accesses: one whose address is computed (hash_probe in
 * cpu_bound.c) may move between pages every other time, each a
 * mispredicted branch and three more instructions.  Those registers: */
static uint32_t loaded_only(struct ctx *c)
{
	if (c->loads_of == c->slot)
		return c->loads;
	uint32_t loads = 0, others = 0;
	for (unsigned i = 0; i < c->slot->n; i++) {
		struct emu_op op;
		struct emu_form f;
		bool ends = emu_ic_decode(&op, c->slot->ops[i].insn, c->slot->ops[i].pc);
		enum op_class cls = classify(op.fn, &f);
		bool fp = cls == OP_CALL && emu_fast_fp_ldst_form(op.fn, &f); /* writes a V register */
		bool wb = (f.kind == FORM_LDST && (f.mode == EMU_FM_POST || f.mode == EMU_FM_PRE)) ||
			  (f.kind == FORM_LDSTP && (f.mode & 1));
		if (cls == OP_LDST && f.op != EMU_FK_ST)
			loads |= reg_bit(op.rd) | (f.kind == FORM_LDSTP ? reg_bit(op.rm) : 0);
		if (cls == OP_LDST || fp)
			others |= wb ? reg_bit(op.rn) : 0;
		else if (cls == OP_ALU)
			others |= reg_bit(op.rd);
		else if (cls == OP_BRANCH)
			others |= (f.kind == FORM_B || f.kind == FORM_BR) && f.op ? reg_bit(30) : 0;
		else if (!ends) /* a handler that comes back: what its fields name */
			others |= register_fields(c->slot->ops[i].insn);
	}
	c->loads_of = c->slot;
	return c->loads = loads & ~others;
}

/* The predicted addend's load; its slot. */
static int32_t predict_addend(struct ctx *c)
{
	int32_t slot = CPU(jit_addend) + 8 * (int32_t)(c->jit->addend_next++ & (EMU_JIT_ADDENDS - 1));
	x86_load(&c->b, true, R8, RBX, slot);
	c->inlined.predicted++;
	return slot;
}

/* After tlb_probe (RCX = the entry): R8 = the entry's addend. */
static void check_addend(struct ctx *c, int32_t slot)
{
	struct x86_buf *b = &c->b;
	x86_op_rmx(b, ALU_CMP * 8 + 3, true, R8, RBX, RCX, tlb_view(c) + 24, false);
	uint8_t *same = x86_jcc(b, CC_E);
	x86_op_rmx(b, 0x8b, true, R8, RBX, RCX, tlb_view(c) + 24, false);
	x86_store(b, true, R8, RBX, slot);
	x86_patch_here(b, same);
}

/* RAX = host address of an aligned size-byte access at the VA in RAX,
 * or a jump (recorded in *miss) when the TLB view of the block misses.
 * Clobbers RCX, RDX. */
static void tlb_hit(struct ctx *c, unsigned size, enum emu_access acc, uint8_t **miss)
{
	x86_mov_rr(&c->b, true, RDX, RAX);
	tlb_probe(c, size, acc, miss);
	x86_op_rmx(&c->b, ALU_ADD * 8 + 3, true, RAX, RBX, RCX, tlb_view(c) + 24, false);
}

/* Base register into RSI (SP: must be 16-byte aligned, else the slow
 * path decides). */
static void ldst_base(struct ctx *c, const struct emu_op *op, const struct emu_form *f, struct stub *s)
{
	struct x86_buf *b = &c->b;
	if (f->sp) {
		load_sp(b, RSI);
		x86_test_r8i(b, RSI, 15);
		s->jumps[2] = x86_jcc(b, CC_NE);
		snapshot(c, &s->at[2]);
	} else {
		load_x(c, true, RSI, op->rn);
	}
}

static void ldst_writeback(struct ctx *c, const struct emu_op *op, const struct emu_form *f, unsigned reg)
{
	if (f->sp)
		store_sp(&c->b, reg, RCX);
	else
		store_x(c, reg, op->rn);
}

static bool is_fp_access(const struct emu_form *f)
{
	return f->op == EMU_FK_FPST || f->op == EMU_FK_FPLD;
}

static bool is_store(const struct emu_form *f)
{
	return f->op == EMU_FK_ST || f->op == EMU_FK_FPST;
}

/* A single-register load or store: of a general register (OP_LDST), or
 * of a SIMD&FP register (emu_fast_fp_ldst_form; its access check first,
 * Rt not cached). */
void emit_ldst(struct ctx *c, const struct emu_op *op, const struct emu_form *f)
{
	struct x86_buf *b = &c->b;
	struct stub *s = slow_stub(c, op);
	unsigned size = 1u << f->size;
	if (is_fp_access(f)) {
		s->jumps[1] = jit_fp_access_check(b);
		snapshot(c, &s->at[1]);
	}
	/* The base: RSI, a copy, when written back; else maybe its cache
	 * register (only the address is computed from it).  With an index,
	 * at most one of the two takes a cache entry, which cannot evict the
	 * other's: the base when neither is cached. */
	bool wb = f->mode == EMU_FM_POST || f->mode == EMU_FM_PRE;
	bool reg_off = f->mode == EMU_FM_REG || f->mode == EMU_FM_REG_UXTW || f->mode == EMU_FM_REG_SXTW;
	bool predict = ((reg_bit(op->rn) | (reg_off ? reg_bit(op->rm) : 0)) & loaded_only(c)) != 0;
	int32_t slot = predict ? predict_addend(c) : 0;
	/* A base written back in its pinned cache register (never evicted,
	 * so the value's entry cannot take it): no copy, the write in place */
	int pin = wb && !f->sp && op->rn != 31 && op->rd != op->rn && !c->no_cache ? c->rc.host[op->rn] : -1;
	bool in_place = pin >= 0 && c->rc.pinned[pin];
	unsigned base = RSI;
	if (in_place)
		base = (unsigned)cached_x(c, op->rn);
	else if (f->sp || wb)
		ldst_base(c, op, f, s);
	else if (reg_off && c->rc.host[op->rn] < 0 && c->rc.host[op->rm] >= 0)
		base = peek_x(c, true, RSI, op->rn);
	else
		base = read_x(c, true, RSI, op->rn);
	/* RAX = address (imm: op->imm, at most 16 bits) */
	if (reg_off) { /* the index: Rm, or RDI, then scaled by lea (ra <= 4) */
		unsigned idx = RDI;
		if (f->mode == EMU_FM_REG)
			idx = peek_x(c, true, RDI, op->rm);
		else if (f->mode == EMU_FM_REG_SXTW)
			x86_movsxd(b, RDI, peek_x(c, false, RDI, op->rm));
		else if ((idx = peek_x(c, false, RDI, op->rm)) != RDI)
			x86_mov_rr(b, false, RDI, idx); /* zero-extended */
		if (f->mode != EMU_FM_REG)
			idx = RDI;
		unsigned scale = op->ra;
		if (scale > 3) {
			if (idx != RDI)
				x86_mov_rr(b, true, RDI, idx);
			idx = RDI;
			x86_shift_ri(b, SH_SHL, true, RDI, scale);
			scale = 0;
		}
		x86_lea_idx(b, true, RAX, base, idx, scale);
		base = RAX;
	}
	/* The access: at [A + base + disp], A = the addend in R8 (predicted)
	 * or RAX (then base is not RDX, the key), or with an index at
	 * [RAX + R8], RAX = the VA (predicted), or [RAX], the host address */
	int32_t disp = reg_off || f->mode == EMU_FM_POST ? 0 : (int32_t)op->imm;
	unsigned host = base == RAX || !predict ? RAX : R8;
	unsigned index = base != RAX ? base : predict ? R8 : X86_NOIDX;
	enum emu_access acc = is_store(f) ? ACC_WRITE : ACC_READ;
	if (base == RAX)
		x86_mov_rr(b, true, RDX, RAX);
	else if (disp)
		x86_lea_disp(b, RDX, base, disp);
	else
		x86_mov_rr(b, true, RDX, base);
	tlb_probe(c, size, acc, &s->jumps[0]);
	if (predict)
		check_addend(c, slot);
	else if (base == RAX)
		x86_op_rmx(b, ALU_ADD * 8 + 3, true, RAX, RBX, RCX, tlb_view(c) + 24, false);
	else
		x86_op_rmx(b, 0x8b, true, RAX, RBX, RCX, tlb_view(c) + 24, false);
	snapshot(c, &s->at[0]);
	if (f->op == EMU_FK_FPST) {
		jit_fp_store_v(b, size, op->rd, host, index, disp);
	} else if (f->op == EMU_FK_FPLD) {
		jit_fp_load_v(b, size, op->rd, host, index, disp);
	} else if (f->op == EMU_FK_ST) {
		/* the value: taking it an entry would load over base's */
		bool keep = base != RAX && base != RSI;
		unsigned v = keep ? peek_x(c, true, RDX, op->rd) : read_x(c, true, RDX, op->rd);
		x86_store_nx(b, size, v, host, index, disp);
	} else { /* straight into the cache register when there is one
		  * (an entry taken for it leaves base's value in place) */
		int h;
		unsigned d = dest_reg(c, op->rd, RDX, &h);
		if (f->op == EMU_FK_LD)
			x86_load_zxx(b, size, d, host, index, disp);
		else /* LDS64, or LDS32: byte or halfword */
			x86_load_sxx(b, f->op == EMU_FK_LDS64, size, d, host, index, disp);
		dest_store(c, h, RDX, op->rd);
	}
	if (in_place) {
		if (dest_x(c, op->rn) != (int)base) /* pinned: its own register */
			c->b.overflow = true;
		x86_lea_disp(b, base, base, (int32_t)op->imm);
	} else if (wb) {
		x86_lea_disp(b, RDX, RSI, (int32_t)op->imm);
		ldst_writeback(c, op, f, RDX);
	}
	/* No code-page check: a write entry never maps checked code (cpu.h
	 * EMU_CP_CODE); a store to it misses and the handler notes it. */
	resume_here(c, s);
}

void emit_ldstp(struct ctx *c, const struct emu_op *op, const struct emu_form *f)
{
	struct x86_buf *b = &c->b;
	struct stub *s = slow_stub(c, op);
	unsigned bytes = 1u << f->size;
	enum emu_access acc = is_store(f) ? ACC_WRITE : ACC_READ;
	if (is_fp_access(f)) {
		s->jumps[3] = jit_fp_access_check(b);
		snapshot(c, &s->at[3]);
	}
	ldst_base(c, op, f, s);
	/* RDI = a1, RAX -> p1 through the TLB; a2 = a1 + bytes is in the
	 * same page (one entry, one probe) unless a1 is the page's last
	 * aligned element: then a2 starts the next page, and the handler
	 * runs the pair (it crosses).  R9 = p2. */
	x86_mov_rr(b, true, RDI, RSI);
	if (f->mode != 1)
		x86_alu_ri(b, ALU_ADD, true, RDI, (int32_t)op->imm);
	x86_mov_rr(b, true, RAX, RDI);
	tlb_hit(c, bytes, acc, &s->jumps[0]);
	snapshot(c, &s->at[0]);
	x86_lea_disp(b, RDX, RDI, (int32_t)bytes);
	x86_test_ri(b, false, RDX, (int32_t)(MEM_TLB_PAGE_SIZE - 1));
	s->jumps[1] = x86_jcc(b, CC_E);
	snapshot(c, &s->at[1]);
	x86_lea_disp(b, R9, RAX, (int32_t)bytes);
	bool w = bytes == 8;
	if (f->op == EMU_FK_FPST) {
		jit_fp_store_v(b, bytes, op->rd, RAX, X86_NOIDX, 0);
		jit_fp_store_v(b, bytes, op->rm, R9, X86_NOIDX, 0);
	} else if (f->op == EMU_FK_FPLD) { /* Vt2 first, as the handler */
		jit_fp_load_v(b, bytes, op->rm, R9, X86_NOIDX, 0);
		jit_fp_load_v(b, bytes, op->rd, RAX, X86_NOIDX, 0);
	} else if (f->op == EMU_FK_ST) {
		load_x(c, true, RDX, op->rd);
		x86_store_n(b, bytes, RDX, RAX, 0);
		load_x(c, true, RDX, op->rm);
		x86_store_n(b, bytes, RDX, R9, 0);
	} else {
		if (f->op == EMU_FK_LDS64) {
			x86_load_sx(b, true, 4, RDX, RAX, 0);
			x86_load_sx(b, true, 4, R8, R9, 0);
		} else {
			x86_load(b, w, RDX, RAX, 0);
			x86_load(b, w, R8, R9, 0);
		}
		store_x(c, R8, op->rm); /* Rt2 first, as the handler */
		store_x(c, RDX, op->rd);
	}
	if (f->mode & 1) {
		x86_mov_rr(b, true, RDX, RSI);
		x86_alu_ri(b, ALU_ADD, true, RDX, (int32_t)op->imm);
		ldst_writeback(c, op, f, RDX);
	}
	resume_here(c, s);
}

#endif /* EMU_JIT_SUPPORTED */
