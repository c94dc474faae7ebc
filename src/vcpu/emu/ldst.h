/*
 * ldst.h - helpers shared by ldst.c and atomics.c (loads and stores).
 */
#ifndef EMU_LDST_H
#define EMU_LDST_H

#include "cpu.h"

#define SCTLR_SA (1u << 3)  /* SP alignment check at EL1 */
#define SCTLR_SA0 (1u << 4) /* SP alignment check at EL0 */

/* Data abort ISS fields (ESR_ELx, EC 0x24/0x25) for cpu->dabt_iss. */
#define DABT_ISV (1u << 24)
#define DABT_SAS_SHIFT 22
#define DABT_SSE (1u << 21)
#define DABT_SRT_SHIFT 16
#define DABT_SF (1u << 15)
#define DABT_AR (1u << 14)

/* Syndrome of a single general-purpose register access without
 * writeback: the only loads/stores for which ISV is valid. */
static inline uint32_t ldst_iss(unsigned log2size, bool sse, unsigned rt, bool sf, bool ar)
{
	return DABT_ISV | (uint32_t)log2size << DABT_SAS_SHIFT | (sse ? DABT_SSE : 0) |
	       (uint32_t)rt << DABT_SRT_SHIFT | (sf ? DABT_SF : 0) | (ar ? DABT_AR : 0);
}

_Noreturn void emu_sp_align_fault(struct emu_cpu *cpu);

/* Base register of a load/store: Rn, or SP for 31 with the SP alignment
 * check (SCTLR_EL1.SA/SA0; the check is on SP itself, not the address). */
static inline uint64_t ldst_base(struct emu_cpu *cpu, unsigned rn)
{
	if (rn != 31)
		return cpu->x[rn];
	uint64_t sp = *emu_sp_ptr(cpu);
	if ((sp & 15) != 0 && (emu_sctlr(cpu) & (cpu->el != 0 ? SCTLR_SA : SCTLR_SA0)) != 0)
		emu_sp_align_fault(cpu);
	return sp;
}

static inline uint64_t sext64(uint64_t v, unsigned bits)
{
	uint64_t m = 1ull << (bits - 1);
	v &= (m << 1) - 1;
	return (v ^ m) - m;
}

/* atomics.c: op0 = xx00, bit 26 = 0, bit 24 = 0 (exclusives, LDAR/STLR,
 * CAS, CASP) and the atomic memory operations (LDADD.., SWP, LDAPR). */
void emu_ldst_exclusive_class(struct emu_cpu *cpu, uint32_t insn);
void emu_ldst_atomic_memop(struct emu_cpu *cpu, uint32_t insn);

#endif /* EMU_LDST_H */
