/*
 * board_fdt.h - the device tree of the GIC machine, generated with libfdt
 * for Linux (Documentation/devicetree/bindings: arm/cpus, arm/psci,
 * interrupt-controller/arm,gic-v3, timer/arm,arch_timer, serial/pl011).
 */
#ifndef HVDBG_BOARD_FDT_H
#define HVDBG_BOARD_FDT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct board_fdt {
	uint64_t ram_base, ram_size;
	unsigned ncpus;            /* vCPU i has MPIDR affinity i */
	uint64_t uart_base;
	const char *bootargs;      /* NULL: none */
	uint64_t initrd_start, initrd_end; /* both 0: no initrd */
	bool el2;                  /* guest EL2: PSCI by SMC, GIC maintenance interrupt */
};

/* Builds the blob into a malloc'ed buffer (*out, *size).  0 or -1 with a
 * message in err. */
int board_fdt_build(const struct board_fdt *b, void **out, size_t *size, char *err, size_t errlen);

#endif
