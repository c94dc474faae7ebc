/*
 * jit_flags.c - NZCV in translated code, computed lazily: the x86 flags
 * of the operation that set them are branched on while they last
 * (xflags), and they are stored to cpu->cc_* (alu.h) only where
 * something could look (an exit, a fault, a handler, a reader), got
 * again from their setter when the x86 flags are gone (struct flag_src);
 * what the instructions of a block do to them (flags_dead_at,
 * find_loop_flags) decides where they need not be stored at all.
 */
#include "jit_ctx.h"

#if EMU_JIT_SUPPORTED

#include "../alu.h"

/* ---- storing and getting them again (alu.h cc_*: N = bit 63 of cc_n,
 * Z = cc_z == 0, C = cc_c, V = bit 63 of cc_v) ------------------------- */

/* cpu field at disp = 1 << 63 if x86 condition cc holds, else 0 (the
 * N and V forms); leaves the x86 flags. */
static void store_sign_if(struct x86_buf *b, enum x86_cc cc, int32_t disp)
{
	x86_mov_imm(b, R8, 0);
	x86_mov_imm(b, R9, (uint64_t)1 << 63);
	x86_cmov(b, cc, true, R8, R9);
	x86_store(b, true, R8, RBX, disp);
}

/* cc_n and cc_z of the result in RAX (of width w), or, with no result
 * there (a CMP or TST), from the x86 flags: any value with N in bit 63
 * that is zero exactly when Z is clear will do.  Leaves the x86 flags. */
static void flags_nz(struct x86_buf *b, bool w, bool no_result)
{
	if (no_result) {
		store_sign_if(b, CC_S, CPU(cc_n));
		x86_store_imm(b, RBX, CPU(cc_z), 0);
		x86_setcc_m(b, CC_NE, RBX, CPU(cc_z));
		return;
	}
	unsigned r = RAX;
	if (!w) {
		x86_movsxd(b, R9, RAX);
		r = R9;
	}
	x86_store(b, true, r, RBX, CPU(cc_n));
	x86_store(b, true, r, RBX, CPU(cc_z));
}

/* After `add`/`sub` (or `cmp`: no_result) of width w left the x86 flags
 * and the result in RAX: stores cc_* (C is x86's CF for add, its
 * complement for sub).  With an immediate operand (imm12, shifted at
 * most by 12) an overflow needs a value within 2^24 of the range's end:
 * rare enough for a branch around its store. */
void flags_arith(struct x86_buf *b, bool w, bool sub, bool no_result, bool imm)
{
	/* Only instructions that leave the x86 flags alone, so that a
	 * B.cond right after can still branch on them (xflags). */
	/* cc_c only ever holds 0 or 1: its low byte is all there is */
	x86_setcc_m(b, sub ? CC_AE : CC_B, RBX, CPU(cc_c));
	flags_nz(b, w, no_result);
	if (!imm) {
		store_sign_if(b, CC_O, CPU(cc_v));
		return;
	}
	x86_store_imm(b, RBX, CPU(cc_v), 0);
	uint8_t *no = x86_jcc(b, CC_NO);
	x86_mov_imm(b, R9, (uint64_t)1 << 63);
	x86_store(b, true, R9, RBX, CPU(cc_v));
	x86_patch_here(b, no);
}

/* cc_logic of the result in RAX, or of the x86 flags of a `test`. */
static void flags_logic(struct x86_buf *b, bool w, bool no_result)
{
	flags_nz(b, w, no_result);
	x86_store_imm(b, RBX, CPU(cc_c), 0);
	x86_store_imm(b, RBX, CPU(cc_v), 0);
}

/* A flag-setting operation left its result in RAX and the x86 flags
 * (which a B.cond or CSEL right after may use): cc_* are stored later,
 * if at all (materialize). */
void defer_flags(struct ctx *c, bool w, enum xflags kind)
{
	c->pending = kind;
	c->pending_w = w;
	c->xflags = kind;
	c->live = true;
	c->no_result = false;
}

/* Stores the pending flags (leaves the x86 flags alone, and RAX unless
 * it held no result: it is cheaper to get one there again than to store
 * N and Z from the x86 flags). */
static void store_pending(struct ctx *c)
{
	bool no_result = c->no_result;
	if (no_result && c->fs.how == FS_REDO) {
		regain_flags(c, &c->fs, c->pending_w);
		no_result = false;
	}
	if (c->pending == XF_LOGIC)
		flags_logic(&c->b, c->pending_w, no_result);
	else if (c->pending != XF_NONE)
		flags_arith(&c->b, c->pending_w, c->pending == XF_SUB, no_result, c->fs.f.kind == FORM_ADDSI);
}

/* Gets the flags fs describes again into the x86 flags, and their
 * result into RAX (see struct flag_src); clobbers what an operation
 * may. */
void regain_flags(struct ctx *c, const struct flag_src *fs, bool w)
{
	struct x86_buf *b = &c->b;
	enum xflags xflags = c->xflags, pending = c->pending;
	bool pending_w = c->pending_w, live = c->live, no_result = c->no_result; /* defer_flags sets them */
	struct emu_op op = fs->op;
	switch (fs->how) {
	case FS_REDO:
		op.rd = 31; /* written already */
		c->want_result = true;
		emit_alu(c, &op, &fs->f);
		c->want_result = false;
		break;
	case FS_RESULT:
		load_x(c, w, RAX, op.rd);
		x86_test_rr(b, w, RAX, RAX);
		break;
	default: /* FS_UNDO: Rn = Rd -/+ imm, then the operation again */
		load_x(c, w, RAX, op.rd);
		x86_alu_ri(b, fs->f.op ? ALU_ADD : ALU_SUB, w, RAX, (int32_t)op.imm);
		x86_alu_ri(b, fs->f.op ? ALU_SUB : ALU_ADD, w, RAX, (int32_t)op.imm);
		break;
	}
	c->xflags = xflags, c->pending = pending, c->pending_w = pending_w, c->live = live, c->no_result = no_result;
}

/* Stores the flags fs gets again; clobbers what an operation may, leaves
 * the x86 flags holding them. */
void recompute_flags(struct ctx *c, const struct flag_src *fs, enum xflags kind, bool w)
{
	regain_flags(c, fs, w);
	if (kind == XF_LOGIC)
		flags_logic(&c->b, w, false);
	else
		flags_arith(&c->b, w, kind == XF_SUB, false, fs->f.kind == FORM_ADDSI);
}

/* Where a B.EQ on the pending flags is taken, a subtraction or logical
 * operation had a zero result from equal operands (or no common bit),
 * which decides all four: no need to compute any. */
static bool store_eq_flags(struct ctx *c)
{
	if (!c->taken_eq || (c->pending != XF_SUB && c->pending != XF_LOGIC))
		return false;
	x86_store_imm(&c->b, RBX, CPU(cc_n), 0);
	x86_store_imm(&c->b, RBX, CPU(cc_z), 0);
	x86_store_imm(&c->b, RBX, CPU(cc_c), c->pending == XF_SUB);
	x86_store_imm(&c->b, RBX, CPU(cc_v), 0);
	return true;
}

/* Stores the pending flags, from the x86 flags or got again. */
void store_flags_for_exit(struct ctx *c)
{
	if (c->pending == XF_NONE || store_eq_flags(c))
		return;
	if (c->live)
		store_pending(c);
	else
		recompute_flags(c, &c->fs, c->pending, c->pending_w);
}

/* Stores the pending flags without the x86 flags (gone since: a way
 * out of goto_pc); with dry, only says whether it can. */
bool store_flags_late(struct ctx *c, bool dry)
{
	bool eq = c->taken_eq && (c->pending == XF_SUB || c->pending == XF_LOGIC);
	if (dry)
		return c->pending == XF_NONE || eq || c->fs.how != FS_NONE;
	if (c->pending != XF_NONE && !store_eq_flags(c))
		recompute_flags(c, &c->fs, c->pending, c->pending_w);
	return true;
}

void materialize(struct ctx *c)
{
	store_flags_for_exit(c);
	c->pending = XF_NONE;
}

/* The x86 condition code that is ARM condition cond after an operation
 * that left xf in the x86 flags, or -1. */
int xflags_cc(enum xflags xf, unsigned cond)
{
	static const int8_t common[16] = {
		CC_E, CC_NE, -1, -1, CC_S, CC_NS, CC_O, CC_NO, -1, -1, CC_GE, CC_L, CC_G, CC_LE, -1, -1,
	};
	if (xf == XF_NONE || cond >= 14)
		return -1;
	if (common[cond] >= 0)
		return common[cond];
	switch (cond) {
	case 2: return xf == XF_SUB ? CC_AE : CC_B;  /* CS */
	case 3: return xf == XF_SUB ? CC_B : CC_AE;  /* CC */
	case 8: return xf == XF_SUB ? CC_A : -1;     /* HI */
	default: return xf == XF_SUB ? CC_BE : -1;   /* LS */
	}
}

/* AL = ConditionHolds(cond) from cc_*; clobbers RAX, RCX. */
void emit_cond(struct x86_buf *b, unsigned cond)
{
	switch (cond >> 1) {
	case 0: /* EQ */
		x86_alu_mi(b, ALU_CMP, true, RBX, CPU(cc_z), 0);
		x86_setcc(b, CC_E, RAX);
		break;
	case 1: /* CS */
		x86_cmp_m8i(b, RBX, CPU(cc_c), 0);
		x86_setcc(b, CC_NE, RAX);
		break;
	case 2: /* MI */
		x86_load(b, true, RAX, RBX, CPU(cc_n));
		x86_test_rr(b, true, RAX, RAX);
		x86_setcc(b, CC_S, RAX);
		break;
	case 3: /* VS */
		x86_load(b, true, RAX, RBX, CPU(cc_v));
		x86_test_rr(b, true, RAX, RAX);
		x86_setcc(b, CC_S, RAX);
		break;
	case 4: /* HI: C && !Z */
		x86_cmp_m8i(b, RBX, CPU(cc_c), 0);
		x86_setcc(b, CC_NE, RAX);
		x86_alu_mi(b, ALU_CMP, true, RBX, CPU(cc_z), 0);
		x86_setcc(b, CC_NE, RCX);
		x86_and_al_cl(b);
		break;
	case 5: /* GE: N == V */
		x86_load(b, true, RAX, RBX, CPU(cc_n));
		x86_alu_rm(b, ALU_XOR, true, RAX, RBX, CPU(cc_v));
		x86_setcc(b, CC_NS, RAX);
		break;
	case 6: /* GT: N == V && !Z */
		x86_load(b, true, RAX, RBX, CPU(cc_n));
		x86_alu_rm(b, ALU_XOR, true, RAX, RBX, CPU(cc_v));
		x86_setcc(b, CC_NS, RAX);
		x86_alu_mi(b, ALU_CMP, true, RBX, CPU(cc_z), 0);
		x86_setcc(b, CC_NE, RCX);
		x86_and_al_cl(b);
		break;
	default: /* AL, NV: always */
		x86_mov_imm(b, RAX, 1);
		return;
	}
	if (cond & 1)
		x86_xor_al_1(b);
}

/* Sets the x86 flags so that the returned condition code holds iff
 * ARM condition cond holds (from cc_*); clobbers RAX, RCX. */
enum x86_cc emit_cond_cc(struct x86_buf *b, unsigned cond)
{
	static const int32_t field[4] = { CPU(cc_z), CPU(cc_c), CPU(cc_n), CPU(cc_v) };
	/* EQ/NE: cc_z ==/!= 0; CS/CC: cc_c !=/== 0; MI/PL, VS/VC: sign */
	static const enum x86_cc cc[8] = { CC_E, CC_NE, CC_NE, CC_E, CC_S, CC_NS, CC_S, CC_NS };
	if (cond < 8) {
		if (cond >> 1 == 1) /* a byte: setcc stores cc_c, and a wider load would wait */
			x86_cmp_m8i(b, RBX, CPU(cc_c), 0);
		else
			x86_alu_mi(b, ALU_CMP, true, RBX, field[cond >> 1], 0);
		return cc[cond];
	}
	emit_cond(b, cond);
	x86_test_al_al(b);
	return CC_NE;
}

/* ---- where they need not be stored ------------------------------------ */

/* Whether the fast operation of form f sets all of NZCV, whatever its
 * operands (CCMP does not: it may keep them). */
bool sets_all_flags(const struct emu_form *f)
{
	switch (f->kind) {
	case FORM_ADDSI:
		return true;
	case FORM_LOGICI:
		return f->op == 3;
	case FORM_LOGIC:
	case FORM_ADDSUB:
	case FORM_ADDEXT:
		return f->flags != 0;
	default:
		return false;
	}
}

/* How the flags of the flag-setting operation op (form f) can be got
 * again later (struct flag_src).  Never from SP: nothing tracks writes
 * to it. */
struct flag_src flag_source(const struct emu_op *op, const struct emu_form *f)
{
	struct flag_src fs = { .how = FS_NONE, .op = *op, .f = *f };
	uint32_t srcs;
	switch (f->kind) {
	case FORM_ADDSI:
		if (op->rn == 31 && f->sp)
			return fs;
		srcs = reg_bit(op->rn);
		break;
	case FORM_LOGICI:
		srcs = reg_bit(op->rn);
		break;
	case FORM_ADDEXT:
		if (op->rn == 31)
			return fs;
		srcs = reg_bit(op->rn) | reg_bit(op->rm);
		break;
	default: /* FORM_LOGIC, FORM_ADDSUB */
		srcs = reg_bit(op->rn) | reg_bit(op->rm);
		break;
	}
	if (!(srcs & reg_bit(op->rd))) {
		fs.how = FS_REDO;
		fs.needs = srcs;
	} else if (f->kind == FORM_LOGIC || f->kind == FORM_LOGICI) {
		fs.how = FS_RESULT;
		fs.needs = reg_bit(op->rd);
	} else if (f->kind == FORM_ADDSI) { /* Rd = Rn */
		fs.how = FS_UNDO;
		fs.needs = reg_bit(op->rd);
	}
	return fs;
}

/* Whether the inline ALU operation of form f reads NZCV. */
static bool reads_flags(const struct emu_form *f)
{
	return f->kind == FORM_CSEL || f->kind == FORM_CCMP || f->kind == FORM_ADC;
}

/* Whether pending flags may stay pending across the inline operation
 * op (form f: alu, branch or load/store): it neither reads the flags nor
 * writes what they are got again from, and leaves no other way than its
 * branch and its slow path, which get them again themselves. */
bool defers_flags(const struct flag_src *fs, const struct emu_op *op, const struct emu_form *f, bool alu,
		  bool branch, bool ldst)
{
	uint32_t writes;
	if (fs->how == FS_NONE)
		return false;
	if (alu) {
		if (reads_flags(f))
			return false;
		writes = reg_bit(op->rd);
	} else if (branch) {
		if (f->kind != FORM_CBZ && f->kind != FORM_TBZ)
			return false;
		writes = 0;
	} else if (ldst) {
		bool load = f->op != EMU_FK_ST;
		if (f->kind == FORM_LDST)
			writes = (load ? reg_bit(op->rd) : 0) |
				 (f->mode == EMU_FM_POST || f->mode == EMU_FM_PRE ? reg_bit(op->rn) : 0);
		else
			writes = (load ? reg_bit(op->rd) | reg_bit(op->rm) : 0) | (f->mode & 1 ? reg_bit(op->rn) : 0);
	} else {
		return false;
	}
	return !(writes & fs->needs);
}

/* Whether member m's block sets all of NZCV before anything could look at
 * them: only inline ALU operations that do not read them (no way out, no
 * call) come first. */
bool flags_dead_at(const struct ctx *c, unsigned m)
{
	const struct emu_ic_slot *s = c->members[m].slot;
	for (unsigned i = 0; i < s->n; i++) {
		struct emu_op op;
		emu_ic_decode(&op, s->ops[i].insn, s->ops[i].pc);
		struct emu_form f;
		enum op_class cls = classify(op.fn, &f);
		if (cls == OP_BRANCH && f.kind == FORM_NOP)
			continue;
		if (cls != OP_ALU || reads_flags(&f))
			return false;
		if (sets_all_flags(&f))
			return true;
	}
	return false;
}

/* At the branch back of a loop with flags pending (first emission):
 * whether its prefix lets them stay pending (struct loop_flags). */
void find_loop_flags(struct ctx *c)
{
	struct loop_flags *lf = &c->lf;
	lf->defer = false;
	lf->nundo = 0;
	if (c->pending == XF_NONE || c->fs.how == FS_NONE || c->loops != 1)
		return;
	bool stubs = false, lost = false;
	for (unsigned i = 0; i < c->n; i++) {
		struct emu_op op;
		emu_ic_decode(&op, c->slot->ops[i].insn, c->slot->ops[i].pc);
		struct emu_form f;
		enum op_class cls = classify(op.fn, &f);
		bool alu = cls == OP_ALU, branch = cls == OP_BRANCH, ldst = cls == OP_LDST;
		if (alu && sets_all_flags(&f)) {
			unsigned nundo = lf->nundo;
			__typeof__(lf->undo) undo;
			memcpy(undo, lf->undo, sizeof(undo));
			*lf = (struct loop_flags){ .defer = true, .tell = stubs, .prefix = i,
						   .pending = c->pending, .pending_w = c->pending_w, .fs = c->fs,
						   .nundo = nundo };
			memcpy(lf->undo, undo, sizeof(undo));
			return;
		}
		if (branch && f.kind == FORM_NOP)
			continue;
		if (branch || !(alu || ldst) || (ldst && lost))
			return;
		if (!defers_flags(&c->fs, &op, &f, alu, false, ldst) && alu && f.kind == FORM_ADDI && !f.sp &&
		    op.rd == op.rn && (f.sf || !c->pending_w) && lf->nundo < LOOP_UNDOS) {
			/* Rd +/-= imm: undone in memory when they are got
			 * again (a W form leaves the upper half, which only a
			 * 32-bit setter ignores) */
			lf->undo[lf->nundo++] = (__typeof__(lf->undo[0])){ i, op.rd, (int32_t)op.imm, f.sf };
			continue;
		}
		if (!defers_flags(&c->fs, &op, &f, alu, false, ldst) && ldst && f.kind == FORM_LDST && !f.sp &&
		    (f.mode == EMU_FM_POST || f.mode == EMU_FM_PRE) && op.rd != op.rn &&
		    !(f.op != EMU_FK_ST && (reg_bit(op.rd) & c->fs.needs)) && !lost && lf->nundo < LOOP_UNDOS) {
			/* a base written back (Rn += imm, 64 bits) after the
			 * access: undone the same way by the slow paths after
			 * it (its own runs before the write) */
			lf->undo[lf->nundo++] = (__typeof__(lf->undo[0])){ i, op.rn, (int32_t)op.imm, true };
			stubs = true;
			continue;
		}
		if (!defers_flags(&c->fs, &op, &f, alu, false, ldst)) {
			/* An ALU operation that writes what they are got from:
			 * they are lost, and dead unless a slow path after it
			 * (the prefix's only ways out) needs them.  A reader
			 * needs them. */
			if (!alu || reads_flags(&f))
				return;
			lost = true;
		}
		stubs = stubs || ldst;
	}
}

#endif /* EMU_JIT_SUPPORTED */
