/*
 * a64_guest.h - the guest world of the A64 fuzz targets
 * (fuzz/a64_exec_fuzz.c, fuzz/jit_diff_fuzz.c): one VM with guarded RAM
 * and a read-only region, a pristine image (vectors that report every
 * exception with an HVC, stage-1 tables with one page of each kind of
 * fault, a data pattern), the input format, resetting a vCPU for an input,
 * checking its exits, and a watchdog that cancels a guest that runs on.
 *
 * Input: [mode][ptrmask][nwords][nwords x 4 bytes][6 x 8 bytes x0-x5]
 * (missing bytes read as 0).
 */
#ifndef A64_GUEST_H
#define A64_GUEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <Hypervisor/Hypervisor.h>

#define RAM_IPA 0x40000000ull
#define RAM_SIZE 0x40000ull      /* 256 KiB */
#define RO_IPA 0x50000000ull     /* read+exec for the guest, PROT_READ on the host */
#define RO_SIZE 0x4000ull
#define CODE_OFF 0x1000ull
#define DATA_OFF 0x10000ull
#define MAX_WORDS 32
#define NSEEDS 6
#define MAX_RUNS 4               /* runs per input (MMIO-style exits are skipped) */

/* Mode byte. */
#define M_EL0 0x01
#define M_MMU 0x02
#define M_TRAP_DEBUG 0x04
#define M_FP_TRAP 0x08
#define M_EL1T 0x10
#define M_TTBR1 0x20
#define M_IRQ 0x40
#define M_ALIGN 0x80

struct a64_input {
	unsigned mode, ptrmask;
	size_t nwords;
	const uint8_t *words;
	uint64_t seed[NSEEDS];
};

extern uint8_t *a64_ram; /* RAM_SIZE bytes mapped at RAM_IPA */

void a64_die(const char *what, hv_return_t r);
#define A64_CHECK(call)                              \
	do {                                         \
		hv_return_t r_ = (call);             \
		if (r_ != HV_SUCCESS)                \
			a64_die(#call, r_);          \
	} while (0)

/* Creates the VM and its mappings and starts the watchdog; `name`
 * prefixes every message. */
void a64_guest_init(const char *name);

void a64_parse_input(const uint8_t *in, size_t size, struct a64_input *p);

/* RAM back to the pristine image with the input's code loaded. */
void a64_load_ram(const struct a64_input *p);

/* Every register the guest may have changed, reset for the input;
 * sctlr_reset is the vCPU's SCTLR_EL1 after creation. */
void a64_reset_vcpu(hv_vcpu_t vcpu, uint64_t sctlr_reset, const struct a64_input *p);

/* hv_vcpu_run under the watchdog (which cancels it after ms
 * milliseconds); *fired says whether it did. */
hv_return_t a64_run_guarded(hv_vcpu_t vcpu, unsigned ms, bool *fired);

/* Runs the input's vCPU up to MAX_RUNS times, skipping MMIO-style exits
 * as a VMM would and aborting on any outcome a guest must not be able to
 * cause; returns false if the watchdog had to cancel it. */
bool a64_run_input(hv_vcpu_t vcpu, const hv_vcpu_exit_t *vexit, const struct a64_input *p, unsigned ms);

#endif /* A64_GUEST_H */
