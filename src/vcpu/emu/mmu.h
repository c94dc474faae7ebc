/*
 * mmu.h - internal interface between mmu.c (stage-1 walk) and mem.c.
 */
#ifndef EMU_MMU_H
#define EMU_MMU_H

#include "cpu.h"

/* Translation of one access in the current regime (Arm ARM D8): stage 1
 * of EL1&0 (or of EL2 at EL2 without el0_perms), then the guest's stage 2
 * where it applies.
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

/* Whether an access of the current EL (el0_perms: as EL0) is in EL2's
 * regime: EL2's own, or with FEAT_VHE the host's EL0 (E2H and TGE). */
bool mmu_el2_regime(const struct emu_cpu *cpu, bool el0_perms);

/* Is stage 1 of this regime off (SCTLR.M = 0, or HCR_EL2.DC/TGE for
 * EL1&0)?  *normal: data accesses are Normal memory (DC) rather than
 * Device. */
bool mmu_s1_off(const struct emu_cpu *cpu, bool el2_regime, bool *normal);

/* mmu_s2.c: the guest hypervisor's stage 2 (VTTBR_EL2, VTCR_EL2) for an
 * IPA: r.pa is the address in the VM's memory map.  A fault has stage2
 * and guest_s2 set, r.ipa = ipa, and the stage-2 FSC.  A descriptor the
 * VM's map does not back is a host stage-2 fault (stage2 without
 * guest_s2, r.ipa = its address).  Caller holds vm->mem_lock. */
struct emu_walk_result mmu_stage2(struct emu_cpu *cpu, uint64_t ipa, enum emu_access acc);

/* Size of the physical address space advertised in ID_AA64MMFR0_EL1. */
unsigned mmu_pa_bits(const struct emu_cpu *cpu);

#endif /* EMU_MMU_H */
