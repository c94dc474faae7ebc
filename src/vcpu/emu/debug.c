/*
 * debug.c - self-hosted debug (Arm ARM D2): hardware breakpoints,
 * watchpoints and software step, for the guest's own EL1 debugger or,
 * with trap_debug_exceptions (MDCR_EL2.TDE), for the host.
 *
 * Simplifications (v8.0 debug, no EL3, OS lock always unlocked as the
 * OS lock registers belong to the host, no OS double lock): only
 * unlinked address-match breakpoints (BT = 0b0000) and unlinked
 * watchpoints; SSC = 0b10 (Secure only) never matches.
 *
 * The run loop calls in here only when cpu->debug_bkpt_active (step or a
 * breakpoint armed) and mem.c only when cpu->debug_watch_active.
 */
#include "el2.h"
#include "sysregs.h"

/* Compared address bits: [48:0] for 48-bit VAs (upper bits are the
 * sign extension). */
#define DBG_VA_MASK ((1ull << 49) - 1)

/* Debug exceptions enabled from the current EL (AArch64.GenerateDebug-
 * ExceptionsFrom): towards a higher EL always (the host's EL2, or the
 * guest's under MDCR_EL2.TDE from EL0/EL1); towards a lower EL never;
 * towards the current EL only with MDSCR_EL1.KDE and PSTATE.D clear
 * (EL0 -> EL1 always). */
static inline bool debug_enabled_here(const struct emu_cpu *cpu)
{
	if (cpu->obj->trap_debug_exceptions)
		return true;
	unsigned target = cpu->el2 && (cpu->sr[SR_MDCR_EL2] & MDCR_TDE) ? 2 : 1;
	if (target > cpu->el)
		return true;
	if (target < cpu->el)
		return false;
	return (cpu->sr[SR_MDSCR_EL1] & MDSCR_KDE) && !(cpu->daif & PSTATE_D);
}

/* PMC/PAC field (bits [2:1]): bit 0 enables EL1, bit 1 EL0; EL2 code
 * matches with HMC (bit 13) set. */
static inline bool dbg_el_matches(const struct emu_cpu *cpu, uint64_t ctrl)
{
	unsigned pmc = (unsigned)(ctrl >> 1) & 3, ssc = (unsigned)(ctrl >> 14) & 3;
	if (ssc == 2)
		return false;
	if (cpu->el == 2)
		return (ctrl >> 13) & 1;
	return cpu->el == 0 ? (pmc & 2) != 0 : (pmc & 1) != 0;
}

void emu_debug_update(struct emu_cpu *cpu)
{
	uint64_t mdscr = cpu->sr[SR_MDSCR_EL1];
	bool bkpt = false, watch = false;
	cpu->debug_nbp = 0;
	if (mdscr & MDSCR_MDE) {
		for (unsigned i = 0; i < EMU_NUM_BRP; i++)
			if (cpu->dbg.bcr[i] & 1) {
				bkpt = true;
				cpu->debug_bp_addr[cpu->debug_nbp++] = cpu->dbg.bvr[i] & DBG_VA_MASK & ~3ull;
			}
		for (unsigned i = 0; i < EMU_NUM_WRP; i++)
			watch |= (cpu->dbg.wcr[i] & 1) != 0;
	}
	/* Conservative: whether they fire also depends on EL, PSTATE.D, KDE
	 * and the trap flag, evaluated per instruction / access. */
	cpu->debug_bkpt_active = bkpt || (mdscr & MDSCR_SS) != 0;
	emu_set_chain_at(cpu);
	cpu->debug_step_armed = (mdscr & MDSCR_SS) != 0;
	cpu->debug_watch_active = watch;
	if (!(mdscr & MDSCR_SS))
		cpu->debug_step_flags = 0;
}

bool emu_debug_plain_at(const struct emu_cpu *cpu, uint64_t pc)
{
	if (cpu->debug_step_armed)
		return true;
	uint64_t p = pc & DBG_VA_MASK;
	for (unsigned i = 0; i < cpu->debug_nbp; i++)
		if (cpu->debug_bp_addr[i] - p < 4u * EMU_IC_MAX_INSNS)
			return true;
	return false;
}

/* A64 load-exclusive (LDXR/LDAXR/LDXP/LDAXP, all sizes): bits[29:24] =
 * 001000, o2 (bit 23) = 0, L (bit 22) = 1. */
static inline bool is_load_exclusive(uint32_t insn)
{
	return (insn & 0x3fc00000u) == 0x08400000u;
}

static _Noreturn void raise_step(struct emu_cpu *cpu)
{
	uint32_t iss = FSC_DEBUG;
	if (cpu->debug_step_flags & STEP_DONE)
		iss |= 1u << 24 | ((cpu->debug_step_flags & STEP_DONE_EX) ? 1u << 6 : 0);
	cpu->insn_pc = cpu->pc; /* preferred return: the instruction not yet run */
	emu_take_sync(cpu, (uint32_t)EC_SSTEP_LOWER << ESR_EC_SHIFT | ESR_IL | iss, 0, false);
}

static bool breakpoint_hit(const struct emu_cpu *cpu, uint64_t pc)
{
	if (!(cpu->sr[SR_MDSCR_EL1] & MDSCR_MDE))
		return false;
	for (unsigned i = 0; i < EMU_NUM_BRP; i++) {
		uint64_t bcr = cpu->dbg.bcr[i];
		/* E, BT = unlinked address match, BAS != 0 (A64: 0b1111). */
		if (!(bcr & 1) || ((bcr >> 20) & 15) != 0 || ((bcr >> 5) & 15) == 0)
			continue;
		if (!dbg_el_matches(cpu, bcr))
			continue;
		if (((cpu->dbg.bvr[i] ^ pc) & DBG_VA_MASK & ~3ull) == 0)
			return true;
	}
	return false;
}

/* Before the instruction at cpu->pc: a pending software step is taken
 * first (it has priority over breakpoints), then breakpoints; then the
 * instruction is marked as stepped when the step is active-not-pending. */
void emu_debug_check_insn(struct emu_cpu *cpu)
{
	bool enabled = debug_enabled_here(cpu);
	bool step = enabled && (cpu->sr[SR_MDSCR_EL1] & MDSCR_SS);
	if (step && !cpu->pstate_ss)
		raise_step(cpu);
	if (enabled && breakpoint_hit(cpu, cpu->pc)) {
		cpu->insn_pc = cpu->pc;
		emu_take_sync(cpu, (uint32_t)EC_BKPT_LOWER << ESR_EC_SHIFT | ESR_IL | FSC_DEBUG, cpu->pc, true);
	}
	if (step) {
		/* Active-not-pending: this instruction is stepped.  Fetching it
		 * here faults exactly as the run loop's fetch would. */
		cpu->insn_pc = cpu->pc;
		uint32_t insn = mem_fetch(cpu);
		cpu->debug_step_flags = STEP_ACTIVE | (is_load_exclusive(insn) ? STEP_EX : 0);
	} else {
		cpu->debug_step_flags = 0;
	}
}

/* The stepped instruction completed: active-pending (PSTATE.SS = 0),
 * unless it was an ERET, which took PSTATE.SS from SPSR_EL1. */
void emu_debug_insn_retired(struct emu_cpu *cpu)
{
	uint8_t f = cpu->debug_step_flags;
	if (!(f & STEP_ACTIVE))
		return;
	if (!(f & STEP_ERET))
		cpu->pstate_ss = false;
	cpu->debug_step_flags = STEP_DONE | ((f & STEP_EX) ? STEP_DONE_EX : 0);
}

/* SVC/HVC: the instruction completes by generating the exception, so
 * the step is done; SPSR.SS (or the host's CPSR) gets 0. */
void emu_debug_step_advance(struct emu_cpu *cpu)
{
	if (cpu->debug_step_flags & STEP_ACTIVE)
		cpu->pstate_ss = false;
}

/* Does the access [va, va+size) touch the range watched by WCR/WVR?
 * Returns the lowest watched address accessed in *hit. */
static bool watch_match(uint64_t wcr, uint64_t wvr, uint64_t va, unsigned size, uint64_t *hit)
{
	unsigned mask = (unsigned)(wcr >> 24) & 31;
	uint64_t lo, hi; /* watched [lo, hi] inclusive, in DBG_VA_MASK space */
	uint64_t a_lo = va & DBG_VA_MASK, a_hi = a_lo + size - 1;
	if (mask != 0) {
		if (mask < 3) /* reserved */
			return false;
		uint64_t m = (1ull << mask) - 1;
		lo = wvr & DBG_VA_MASK & ~m;
		hi = lo | m;
		if (a_hi < lo || a_lo > hi)
			return false;
		*hit = a_lo > lo ? va : (va & ~DBG_VA_MASK) | lo;
		return true;
	}
	/* BAS byte mask over the doubleword at WVR[48:3]; with WVR[2] set
	 * only BAS[3:0] is used, for the upper word. */
	unsigned bas = (unsigned)(wcr >> 5) & 0xff;
	if (wvr & 4)
		bas = (bas & 0xf) << 4;
	uint64_t base = wvr & DBG_VA_MASK & ~7ull;
	for (unsigned i = 0; i < 8; i++) {
		uint64_t b = base + i;
		if ((bas >> i & 1) && b >= a_lo && b <= a_hi) {
			*hit = va + (b - a_lo);
			return true;
		}
	}
	return false;
}

void emu_debug_check_watch(struct emu_cpu *cpu, uint64_t va, unsigned size, bool is_write)
{
	if (!(cpu->sr[SR_MDSCR_EL1] & MDSCR_MDE) || !debug_enabled_here(cpu) || size == 0)
		return;
	for (unsigned i = 0; i < EMU_NUM_WRP; i++) {
		uint64_t wcr = cpu->dbg.wcr[i], hit;
		unsigned lsc = (unsigned)(wcr >> 3) & 3;
		if (!(wcr & 1) || (wcr & (1u << 20)) || !(lsc & (is_write ? 2u : 1u)))
			continue;
		if (!dbg_el_matches(cpu, wcr))
			continue;
		if (!watch_match(wcr, cpu->dbg.wvr[i], va, size, &hit))
			continue;
		uint32_t iss = FSC_DEBUG | (is_write ? 1u << 6 : 0);
		emu_take_sync(cpu, (uint32_t)EC_WATCH_LOWER << ESR_EC_SHIFT | ESR_IL | iss, hit, true);
	}
}
