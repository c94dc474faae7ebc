/*
 * a64_exec_fuzz.c - libFuzzer target for the A64 interpreter (emu
 * backend), through the public Hypervisor API only.
 *
 * One VM and one vCPU for the whole process.  Each input is a few
 * instruction words plus register seeds and a mode byte (EL0/EL1, MMU
 * off/on with a small identity page table, TTBR1, alignment checks, FP
 * trap, pending IRQ, debug traps).  The words run from a code page filled
 * with HVC #0; the vector table reports every exception with an HVC.  The
 * guest may only raise guest exceptions or exit to the host: any other
 * outcome (an API error, an unknown exit reason, a stage-2 fault on a
 * mapped IPA) aborts, and the guest RAM and the read-only region are
 * surrounded by PROT_NONE guard pages, so a host access outside the
 * mappings crashes the fuzzer (ASan/UBSan catch the rest).
 *
 * The guest world and the input format: fuzz/support/a64_guest.h.  A
 * guest that neither exits nor stops is cancelled by a watchdog thread
 * after WATCHDOG_MS.
 *
 *   scripts/fuzz.sh a64_exec_fuzz       (build + run with the seed corpus)
 */
#include <stdint.h>
#include <stddef.h>

#include <Hypervisor/Hypervisor.h>

#include "support/a64_guest.h"

#define WATCHDOG_MS 20

static hv_vcpu_t vcpu;
static hv_vcpu_exit_t *vexit;
static uint64_t sctlr_reset;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	a64_guest_init("a64_exec_fuzz");
	A64_CHECK(hv_vcpu_create(&vcpu, &vexit, NULL));
	A64_CHECK(hv_vcpu_get_sys_reg(vcpu, HV_SYS_REG_SCTLR_EL1, &sctlr_reset));
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *in, size_t size)
{
	struct a64_input p;
	a64_parse_input(in, size, &p);
	a64_load_ram(&p);
	a64_reset_vcpu(vcpu, sctlr_reset, &p);
	a64_run_input(vcpu, vexit, &p, WATCHDOG_MS);
	return 0;
}
