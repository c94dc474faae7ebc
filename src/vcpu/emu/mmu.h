/*
 * mmu.h - internal interface between mmu.c (stage-1 walk) and mem.c.
 */
#ifndef EMU_MMU_H
#define EMU_MMU_H

#include "cpu.h"

/* Stage-1 translation of the EL1&0 regime (Arm ARM D8) for one access.
 * The caller holds cpu->vm->mem_lock for reading (descriptor reads look
 * the IPA up in the VM's memory map, i.e. stage 2).
 *   el0_perms: check EL0 permissions (EL0 access, or LDTR/STTR at EL1).
 *   pan:       apply PSTATE.PAN (EL1 data access to an EL0-accessible
 *              page -> permission fault).
 * On success r.pa is the output address (an IPA: the final stage-2
 * lookup is the caller's).  On a stage-1 permission fault r.pa, r.attrs
 * and r.device are still valid (DC by VA ignores permissions at EL1). */
struct emu_walk_result mmu_walk(struct emu_cpu *cpu, uint64_t va, enum emu_access acc, bool el0_perms,
				bool pan);

/* Size of the physical address space advertised in ID_AA64MMFR0_EL1. */
unsigned mmu_pa_bits(const struct emu_cpu *cpu);

#endif /* EMU_MMU_H */
