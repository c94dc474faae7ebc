/*
 * hostile.S - guests for test_hostile.c that try to hurt the host: write
 * everywhere, jump anywhere, spin, flood MMIO, storm exceptions, rewrite
 * their own page tables.  Registers X1-X5 are chosen by the host.
 */
#include "../support/guest_asm.h"

	.text
	.globl	_start
_start:
	b	t_write_all	/* 0 */
	b	t_jump		/* 1 */
	b	t_spin		/* 2 */
	b	t_mmio_flood	/* 3 */
	b	t_udf		/* 4 */
	b	t_pt_write	/* 5 */
	b	t_spin_isb	/* 6 */

	default_vectors

/* Stores X4 at X1, X1 + X3, ... below X2; then HVC #1. */
t_write_all:
1:	str	x4, [x1]
	add	x1, x1, x3
	cmp	x1, x2
	b.lo	1b
	hvc	#1

/* Branches to X1. */
t_jump:
	br	x1

/* Spins forever. */
t_spin:
	add	x0, x0, #1
	b	t_spin

/* X2 stores to X1 (unmapped: each one exits); then HVC #3. */
t_mmio_flood:
1:	str	x2, [x1]
	subs	x2, x2, #1
	b.ne	1b
	hvc	#3

/* Undefined instruction: with VBAR at storm_vectors, an endless loop of
 * exceptions inside the guest. */
t_udf:
	udf	#0

/* Overwrites the descriptor at X1 with X2, invalidates the TLB, then
 * loads from X5 and reports with HVC #5. */
t_pt_write:
	str	x2, [x1]
	dsb	sy
	tlbi	vmalle1
	dsb	sy
	isb
	ldr	x3, [x5]
	hvc	#5

/* Spins through context-synchronising instructions (each ends a block). */
t_spin_isb:
	isb
	add	x0, x0, #1
	b	t_spin_isb

/* A vector table whose every entry faults again (UDF). */
	.balign	0x800
	.globl	storm_vectors
storm_vectors:
	.rept	16
	.balign	128
	udf	#0xee
	.endr
