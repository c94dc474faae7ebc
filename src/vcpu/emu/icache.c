/*
 * icache.c - decoded-instruction cache: building blocks of operations
 * from guest instruction words, validating them at block entry, and the
 * generic operations that hand an instruction to its group's entry point
 * (emu_exec_dp_imm, emu_exec_ldst, emu_exec_fpsimd...).  See icache.h.
 *
 * The cache is keyed by the block's VA and validated by content: the
 * exec TLB gives the host address of the PC (permissions and translation
 * as for a plain fetch) and the cached words are compared with memory.
 * Decoding depends on nothing but the word and its PC.  The comparison is
 * skipped while cpu->ic.epoch has not moved (see icache.h).
 */
#include "icache.h"
#include "jit/jit.h"

#include <string.h>

#define IC_EMPTY_PC 1 /* never a valid block PC (misaligned) */

void emu_ic_init(struct emu_cpu *cpu)
{
	for (unsigned i = 0; i < EMU_IC_SLOTS; i++)
		cpu->ic.slot[i].pc = IC_EMPTY_PC;
	memset(cpu->ic.code_page, EMU_CP_NONE, sizeof(cpu->ic.code_page));
	mem_tlb_drop_writes(cpu, NULL); /* none of them is EMU_CP_WRITE any more */
	memset(cpu->ic.code_va, 0, sizeof(cpu->ic.code_va));
	cpu->ic.used = 0;
	emu_ic_invalidate(cpu);
	emu_jit_flush(cpu); /* translations hold no pointers into ops[], but */
			    /* are per slot: all slots are gone */
	cpu->ic.ready = true;
}

static inline uint32_t load_word(const uint8_t *p)
{
	return __atomic_load_n((const uint32_t *)(const void *)p, __ATOMIC_RELAXED);
}

void emu_ic_note_invalidation(struct emu_cpu *cpu, uint64_t page)
{
	struct emu_vm *e = cpu->vm->backend_state;
	pthread_mutex_lock(&e->ic_lock);
	uint64_t g = atomic_load_explicit(&e->code_generation, memory_order_relaxed);
	struct emu_ic_inval *slot = &e->inval[g % EMU_IC_INVAL_RING];
	atomic_store_explicit(&slot->gen, 0, memory_order_relaxed);
	atomic_thread_fence(memory_order_release);
	atomic_store_explicit(&slot->page, page, memory_order_relaxed);
	atomic_store_explicit(&slot->gen, g + 1, memory_order_release);
	atomic_store_explicit(&e->code_generation, g + 1, memory_order_release);
	pthread_mutex_unlock(&e->ic_lock);
}

/* Whether invalidation g (emu_vm) may concern code this vCPU decoded:
 * a page it has no mark on has no block checked since the epoch last
 * moved (the mark goes only with a store of its own, which moves it). */
static bool invalidation_concerns(struct emu_cpu *cpu, const struct emu_vm *e, uint64_t g)
{
	const struct emu_ic_inval *slot = &e->inval[g % EMU_IC_INVAL_RING];
	uint64_t gen = atomic_load_explicit(&slot->gen, memory_order_acquire);
	uint64_t page = atomic_load_explicit(&slot->page, memory_order_relaxed);
	atomic_thread_fence(memory_order_acquire);
	if (gen != g + 1 || atomic_load_explicit(&slot->gen, memory_order_relaxed) != gen || page == EMU_IC_INVAL_ALL)
		return true; /* overwritten since, or being written: cannot tell */
	return cpu->ic.code_page[page & (EMU_IC_PAGES - 1)] == EMU_CP_CODE;
}

bool emu_ic_see_invalidations(struct emu_cpu *cpu)
{
	const struct emu_vm *e = cpu->vm->backend_state;
	uint64_t cg = atomic_load_explicit(&e->code_generation, memory_order_acquire);
	uint64_t seen = cpu->ic_code_generation;
	if (cg == seen)
		return false;
	bool all = cg - seen > EMU_IC_INVAL_RING;
	for (uint64_t g = seen; g != cg && !all; g++)
		all = invalidation_concerns(cpu, e, g);
	if (all)
		emu_ic_invalidate(cpu);
	cpu->ic_code_generation = cg;
	cpu->ic_quiet_checks = 0;
	return true;
}

/* ---- operations every block may contain ------------------------------ */

bool emu_op_nop(struct emu_cpu *cpu, const struct emu_op *op)
{
	return IC_NEXT(cpu, op);
}

/* Non-branch instruction of a group without a fast form. */
static bool op_generic(struct emu_cpu *cpu, const struct emu_op *op)
{
	ic_set_pc(cpu, op);
	op->group(cpu, op->insn);
	cc_load(cpu, cpu->nzcv);
	return IC_NEXT(cpu, op);
}

/* MRS Xt, SP_EL0: UNDEFINED at EL0 and with SPSel = 0, which the
 * generic path raises. */
static bool op_mrs_sp_el0(struct emu_cpu *cpu, const struct emu_op *op)
{
	if (IC_UNLIKELY(cpu->el == 0 || !cpu->spsel))
		return op_generic(cpu, op);
	cpu->x[op->rd] = cpu->sp_el[0];
	return IC_NEXT(cpu, op);
}

/* Load/store without a fast form: may have written code. */
static bool op_generic_mem(struct emu_cpu *cpu, const struct emu_op *op)
{
	ic_set_pc(cpu, op);
	op->group(cpu, op->insn);
	cc_load(cpu, cpu->nzcv);
	return ic_check_epoch(cpu, op);
}

/* Branch, exception-generating or system instruction: ends the block (it
 * may change the PC, PSTATE, translation or the event budget) and makes
 * every block be checked again. */
static bool op_generic_end(struct emu_cpu *cpu, const struct emu_op *op)
{
	ic_set_pc(cpu, op);
	op->group(cpu, op->insn);
	cc_load(cpu, cpu->nzcv);
	emu_ic_invalidate(cpu);
	return true;
}

/* System instruction that ends its block (PSTATE.DAIF changed, an ISB,
 * an ERET: the EL's part of the epoch follows the EL) but changes no
 * code or translation: the epoch stays. */
static bool op_generic_stop(struct emu_cpu *cpu, const struct emu_op *op)
{
	ic_set_pc(cpu, op);
	op->group(cpu, op->insn);
	cc_load(cpu, cpu->nzcv);
	return true;
}

/* After the last instruction of a block that does not end in a branch. */
static bool op_goto(struct emu_cpu *cpu, const struct emu_op *op)
{
	return ic_goto(cpu, op->pc);
}

static void exec_reserved(struct emu_cpu *cpu, uint32_t insn)
{
	/* op0 0000 (UDF, SME), 0001, 0011, 0010 (SVE): none implemented. */
	emu_exec_unallocated(cpu, insn);
}

bool emu_ic_stop_after(struct emu_cpu *cpu, const struct emu_op *op)
{
	const struct emu_ic_slot *b = cpu->blk;
	cpu->pc = op->pc + 4;
	cpu->insn_count -= (b->pc + 4 * (uint64_t)b->n - cpu->pc) >> 2;
	return true;
}

/* ---- decode ----------------------------------------------------------- */

static void set_generic(struct emu_op *op, emu_op_fn fn, emu_group_fn group)
{
	op->fn = fn;
	op->group = group;
}

/* B.cond, CBZ/CBNZ, TBZ/TBNZ: when emu_fast_branch takes them, they
 * continue in their block when not taken (icache.h). */
static bool is_cond_branch(uint32_t insn)
{
	return (insn & 0xff000010u) == 0x54000000u || (insn & 0x7c000000u) == 0x34000000u;
}

static bool is_bcond(uint32_t insn)
{
	return (insn & 0xff000010u) == 0x54000000u;
}

/* Decodes one instruction (top level: bits[28:25], Arm ARM C4.1); returns
 * true when it ends the block. */
bool emu_ic_decode(struct emu_op *op, uint32_t insn, uint64_t pc)
{
	memset(op, 0, sizeof(*op));
	op->pc = pc;
	op->insn = insn;
	switch ((insn >> 25) & 0xf) {
	case 0x8: case 0x9:
		if (!emu_fast_dp_imm(op, insn))
			set_generic(op, op_generic, emu_exec_dp_imm);
		return false;
	case 0x5: case 0xd:
		if (!emu_fast_dp_reg(op, insn))
			set_generic(op, op_generic, emu_exec_dp_reg);
		return false;
	case 0x4: case 0x6: case 0xc: case 0xe:
		if (!emu_fast_ldst(op, insn))
			set_generic(op, op_generic_mem, emu_exec_ldst);
		return false;
	case 0xa: case 0xb:
		if (emu_fast_branch(op, insn))
			return !is_cond_branch(insn);
		/* System instructions that change neither the PC, PSTATE, the
		 * translation, the code nor the event budget stay inside their
		 * block and leave the epoch alone (Linux reads SP_EL0, its
		 * `current`, all the time, and has PACIASP in every function). */
		switch (emu_sys_class(insn)) {
		case EMU_SYS_NOP:
			op->fn = emu_op_nop;
			return false;
		case EMU_SYS_QUIET:
			set_generic(op, op_generic, emu_exec_branch_sys);
			return false;
		case EMU_SYS_MRS_SP_EL0:
			set_generic(op, op_mrs_sp_el0, emu_exec_branch_sys);
			op->rd = insn & 31;
			return false;
		case EMU_SYS_QUIET_MEM:
			set_generic(op, op_generic_mem, emu_exec_branch_sys);
			return false;
		case EMU_SYS_STOP:
			set_generic(op, op_generic_stop, emu_exec_branch_sys);
			return true;
		default:
			set_generic(op, op_generic_end, emu_exec_branch_sys);
			return true;
		}
	case 0x7: case 0xf:
		if (!emu_fast_fp(op, insn))
			set_generic(op, op_generic, emu_exec_fpsimd);
		return false;
	default:
		set_generic(op, op_generic_end, exec_reserved);
		return true;
	}
}

/* Stores to the page of host now end blocks and move the epoch (until
 * the first of them: mem_note_code_write); they take the slow path. */
static inline void mark_code_page(struct emu_cpu *cpu, const uint8_t *host)
{
	uint8_t *mark = mem_code_page(cpu, host);
	if (IC_UNLIKELY(*mark == EMU_CP_WRITE))
		mem_tlb_drop_writes(cpu, host);
	*mark = EMU_CP_CODE;
}

static void build_block(struct emu_cpu *cpu, struct emu_ic_slot *s, uint64_t pc, const uint8_t *host)
{
	struct emu_icache *ic = &cpu->ic;
	unsigned max = (unsigned)((MEM_TLB_PAGE_SIZE - (pc & ~MEM_TLB_PAGE_MASK)) >> 2);
	if (max > EMU_IC_MAX_INSNS)
		max = EMU_IC_MAX_INSNS;
	if (ic->used + max + 1 > EMU_IC_OPS)
		emu_ic_init(cpu); /* arena full: start over */
	struct emu_op *ops = &ic->ops[ic->used];
	unsigned n = 0;
	bool end = false;
	uint32_t *words = &ic->words[ic->used];
	while (n < max && !end) {
		words[n] = load_word(host + 4 * n);
		end = emu_ic_decode(&ops[n], words[n], pc + 4 * n);
		n++;
	}
	for (unsigned i = 0; i < n; i++) {
		if (ops[i].fn == op_generic_end || !is_cond_branch(ops[i].insn))
			continue;
		ops[i].rm = (uint8_t)(n - 1 - i); /* counted, skipped when taken */
		/* B.cond right after a CMP: fused (fast_alu.c). */
		if (i >= 1 && is_bcond(ops[i].insn))
			(void)emu_fast_fuse_cmp_bcond(&ops[i - 1], ops[i].insn);
	}
	if (!end) {
		memset(&ops[n], 0, sizeof(ops[n]));
		ops[n].fn = op_goto;
		ops[n].pc = pc + 4 * n;
	}
	mark_code_page(cpu, host);
	emu_jit_forget(cpu, s);
	s->pc = pc;
	s->ops = ops;
	s->n = n;
	ic->used += n + !end;
}

/* Whether slot s holds the block at pc whose words are those at host. */
static bool same_words(const struct emu_cpu *cpu, const struct emu_ic_slot *s, uint64_t pc, const uint8_t *host)
{
	if (s->pc != pc)
		return false;
	const uint32_t *words = &cpu->ic.words[s->ops - cpu->ic.ops];
	for (unsigned i = 0; i < s->n; i++)
		if (words[i] != load_word(host + 4 * i))
			return false;
	return true;
}

/* Slot s holds the block at pc (host) and is checked at this epoch. */
static void checked(struct emu_cpu *cpu, struct emu_ic_slot *s, uint64_t pc, const uint8_t *host)
{
	mark_code_page(cpu, host); /* a store may have unmarked it */
	cpu->ic.code_va[(pc >> MEM_TLB_PAGE_SHIFT) & (EMU_IC_PAGES - 1)] = 1;
	s->epoch = cpu->ic.epoch;
}

struct emu_ic_slot *emu_ic_enter_slow(struct emu_cpu *cpu, struct emu_ic_slot *s)
{
	uint64_t pc = cpu->pc;
	const struct emu_tlb_entry *e = mem_tlb_entry(cpu, cpu->el, pc);
	uint64_t tag = pc & (MEM_TLB_PAGE_MASK | 3);
	if (IC_UNLIKELY(e->tag[ACC_EXEC] != tag)) {
		/* Translates and fills the TLB, or raises the fetch fault. */
		cpu->insn_pc = pc;
		(void)mem_fetch_slow(cpu);
		if (e->tag[ACC_EXEC] != tag)
			return NULL;
	}
	const uint8_t *host = (const uint8_t *)(uintptr_t)(pc + e->addend);
	if (!same_words(cpu, s, pc, host))
		build_block(cpu, s, pc, host);
	checked(cpu, s, pc, host);
	return s;
}

bool emu_ic_recheck(struct emu_cpu *cpu, struct emu_ic_slot *s)
{
	uint64_t pc = s->pc;
	const struct emu_tlb_entry *e = mem_tlb_entry(cpu, cpu->el, pc);
	if (e->tag[ACC_EXEC] != (pc & (MEM_TLB_PAGE_MASK | 3)))
		return false;
	const uint8_t *host = (const uint8_t *)(uintptr_t)(pc + e->addend);
	if (!same_words(cpu, s, pc, host))
		return false;
	checked(cpu, s, pc, host);
	return true;
}
