/*
 * fpsimd.c - FP and Advanced SIMD data processing (op0 x111).
 *
 * Not executed yet (see the FP/SIMD issue): ID_AA64PFR0_EL1 says FP and
 * AdvSIMD are not implemented, so after the architectural CPACR_EL1.FPEN
 * check these instructions are UNDEFINED.  The registers themselves are
 * held and reachable through the API.
 */
#include "cpu.h"

void emu_exec_fpsimd(struct emu_cpu *cpu, uint32_t insn)
{
	emu_check_fp_access(cpu);
	emu_exec_unallocated(cpu, insn);
}
