/*
 * exec.c - the interpreter's run loop: fetch, top-level decode on
 * bits[28:25] (Arm ARM C4.1, "A64 instruction set encoding"), and the
 * checks between instructions (cancel, memory map changes, vtimer,
 * interrupts, illegal execution state).
 */
#include "cpu.h"
#include "fp_arith.h"
#include "icache.h"
#include "jit/jit.h"

/* Instructions between two event checks: bounds the latency of
 * hv_vcpus_exit and of the vtimer to a few microseconds. */
#define EMU_EVENT_INTERVAL 4096

/* Event checks after which decoded code is compared with memory again
 * even though no instruction cache invalidation was seen: writes to
 * code nobody announces (the host's, while the vCPU runs) are noticed
 * within this many intervals. */
#define EMU_IC_RECHECK_CHECKS 1024

void emu_exec_unallocated(struct emu_cpu *cpu, uint32_t insn)
{
	(void)insn;
	emu_undefined(cpu);
}

static void exec_reserved(struct emu_cpu *cpu, uint32_t insn)
{
	/* op0 0000 (UDF and SME), 0001, 0011 unallocated, 0010 SVE: none
	 * of these are implemented (ID_AA64PFR0_EL1.SVE = 0). */
	emu_exec_unallocated(cpu, insn);
}

static const emu_group_fn group_table[16] = {
	[0x0] = exec_reserved,    [0x1] = exec_reserved,
	[0x2] = exec_reserved,    [0x3] = exec_reserved,
	[0x4] = emu_exec_ldst,    [0x5] = emu_exec_dp_reg,
	[0x6] = emu_exec_ldst,    [0x7] = emu_exec_fpsimd,
	[0x8] = emu_exec_dp_imm,  [0x9] = emu_exec_dp_imm,
	[0xa] = emu_exec_branch_sys, [0xb] = emu_exec_branch_sys,
	[0xc] = emu_exec_ldst,    [0xd] = emu_exec_dp_reg,
	[0xe] = emu_exec_ldst,    [0xf] = emu_exec_fpsimd,
};

uint64_t emu_get_pstate(const struct emu_cpu *cpu)
{
	uint64_t p = cpu->nzcv | cpu->daif;
	if (cpu->pstate_ss)
		p |= PSTATE_SS;
	if (cpu->pstate_il)
		p |= PSTATE_IL;
	if (cpu->pstate_pan)
		p |= PSTATE_PAN;
	if (cpu->pstate_ssbs)
		p |= 1u << 12;
	p |= (uint64_t)cpu->el << 2 | cpu->spsel;
	return p;
}

void emu_set_pstate(struct emu_cpu *cpu, uint64_t spsr)
{
	unsigned m = spsr & 0x1f;
	cpu->nzcv = (uint32_t)spsr & PSTATE_NZCV_MASK;
	cpu->daif = (uint32_t)spsr & PSTATE_DAIF_MASK;
	cpu->pstate_ss = (spsr & PSTATE_SS) != 0;
	cpu->pstate_pan = (spsr & PSTATE_PAN) != 0;
	cpu->pstate_il = (spsr & PSTATE_IL) != 0;
	/* Only EL0t, EL1t and EL1h exist for this guest, and EL2t/EL2h
	 * with EL2 enabled: anything else (AArch32, EL3, EL0 with SP_ELx)
	 * is an illegal return, which keeps the current mode and sets
	 * PSTATE.IL. */
	if (m == 0x0 || m == 0x4 || m == 0x5 || (cpu->el2 && (m == 0x8 || m == 0x9))) {
		cpu->el = (uint8_t)(m >> 2);
		cpu->spsel = (uint8_t)(m & 1);
		emu_ic_set_el(cpu);
	} else {
		cpu->pstate_il = true;
	}
	emu_debug_update(cpu);
	cpu->budget = 0; /* re-check interrupts, IL right away */
}

static void check_events(struct emu_cpu *cpu)
{
	struct hv_vcpu_obj *obj = cpu->obj;
	cpu->budget = EMU_EVENT_INTERVAL;
	cpu->event_at = cpu->insn_count + EMU_EVENT_INTERVAL;
	emu_set_chain_at(cpu);

	if (atomic_load_explicit(&obj->cancel_pending, memory_order_relaxed) &&
	    atomic_exchange(&obj->cancel_pending, false))
		emu_exit_reason(cpu, HV_EXIT_REASON_CANCELED);

	/* Writes to code by other vCPUs are seen from their next IC
	 * invalidation on (the architecture asks for one, and for an ISB
	 * here, which looks too: emu_ic_see_invalidations); all other
	 * writes within EMU_IC_RECHECK_CHECKS intervals.  Moving the epoch
	 * at every check would re-check every hot block every interval. */
	if (!emu_ic_see_invalidations(cpu) && ++cpu->ic_quiet_checks >= EMU_IC_RECHECK_CHECKS) {
		cpu->ic_quiet_checks = 0;
		emu_ic_invalidate(cpu);
	}

	uint64_t gen = atomic_load_explicit(&cpu->vm->mem_generation, memory_order_acquire);
	if (gen != cpu->tlb_mem_generation) {
		mem_tlb_flush(cpu);
		__atomic_store_n(&cpu->tlb_mem_generation, gen, __ATOMIC_RELEASE);
	}
	emu_tlbi_take_queued(cpu);

	emu_timer_check(cpu);

	if (cpu->pstate_il) {
		/* Illegal Execution state: the next instruction faults. */
		cpu->insn_pc = cpu->pc;
		emu_take_sync(cpu, (uint32_t)EC_ILLEGAL_STATE << ESR_EC_SHIFT | ESR_IL, 0, false);
	}

	emu_take_pending_interrupt(cpu);
}

/* One instruction the plain way: fetch, decode, execute.  Used when a
 * hardware breakpoint or software step is armed (per-instruction debug
 * checks) and for a PC the decoded-instruction cache cannot take. */
static void step_one(struct emu_cpu *cpu)
{
	if (__builtin_expect(cpu->debug_bkpt_active, 0))
		emu_debug_check_insn(cpu);
	cpu->insn_pc = cpu->pc;
	uint32_t insn = mem_fetch_inline(cpu);
	cpu->pc += 4;
	group_table[(insn >> 25) & 0xf](cpu, insn);
	cpu->insn_count++;
	cpu->budget--;
	if (__builtin_expect(cpu->debug_bkpt_active, 0))
		emu_debug_insn_retired(cpu);
}

/* An exception left a block at cpu->insn_pc: the instructions after it
 * were counted at block entry but did not retire (nor did it). */
static void leave_block(struct emu_cpu *cpu)
{
	const struct emu_ic_slot *b = cpu->blk;
	if (b) {
		uint64_t end = b->pc + 4 * (uint64_t)b->n;
		cpu->blk = NULL;
		if (cpu->insn_pc >= b->pc && cpu->insn_pc < end)
			cpu->insn_count -= (end - cpu->insn_pc) >> 2;
	}
}

/* The loop proper, out of emu_exec_run so that setjmp does not force its
 * state into memory.  Leaves only by longjmp. */
static _Noreturn __attribute__((noinline)) void run_loop(struct emu_cpu *cpu)
{
	for (;;) {
		/* budget: counts plain steps and exceptions, and is zeroed to
		 * ask for a check; event_at: cached blocks (icache.h). */
		if (cpu->budget <= 0 || cpu->insn_count >= cpu->event_at)
			check_events(cpu);
		uint64_t pc = cpu->pc;
		if (__builtin_expect(cpu->debug_bkpt_active, 0) && emu_debug_plain_at(cpu, pc)) {
			step_one(cpu);
			continue;
		}
		struct emu_ic_slot *b = &cpu->ic.slot[(pc >> 2) & (EMU_IC_SLOTS - 1)];
		if (__builtin_expect(b->pc != pc || b->epoch != cpu->ic.epoch, 0)) {
			b = emu_ic_enter_slow(cpu, b);
			if (!b) {
				step_one(cpu);
				continue;
			}
		}
		cpu->blk = b;
		cpu->insn_count += b->n;
		const struct emu_op *op = b->ops;
		cc_load(cpu, cpu->nzcv);
		/* EL, PAN and watchpoints change only in operations that
		 * return here (or by exceptions, which come back here too). */
		cpu->fast_view = (uint8_t)mem_hit_view(cpu, cpu->el);
		cpu->fast_tlb = cpu->tlb[cpu->fast_view];
		cpu->fast_sp = emu_sp_ptr(cpu);
		if (!cpu->jit || !emu_jit_run(cpu, b))
			op->fn(cpu, op);
		cpu->nzcv = cc_nzcv(cpu);
		cpu->blk = NULL;
	}
}

int emu_exec_run(struct emu_cpu *cpu)
{
	cpu->budget = 0;
	cpu->blk = NULL;
	if (!cpu->ic.ready)
		emu_ic_init(cpu);
	emu_ic_invalidate(cpu); /* the host may have written guest memory */
	fpu_env_enter(cpu);
	switch (setjmp(cpu->stop_jmp)) {
	case STOP_EXIT:
		leave_block(cpu);
		fpu_env_leave(cpu);
		return 0;
	case STOP_EXCEPTION_TAKEN:
		leave_block(cpu);
		/* Counts towards the budget so that an exception storm
		 * still reaches the event checks. */
		cpu->budget--;
		break;
	default:
		break;
	}
	run_loop(cpu);
}
