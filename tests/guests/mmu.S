/*
 * mmu.S - guest snippets for test_mmu.c.  The host builds the page tables
 * and enables the MMU; X1/X3 = virtual addresses chosen by the host,
 * X9 = address of the access under test.  Faults go to the default
 * vectors (HVC #0xF000 + k).
 */
#include "../support/guest_asm.h"

	.text
	.globl	_start
_start:
	b	t_load		/* 0: X0 = [X1] */
	b	t_load_fault	/* 1: load expected to fault */
	b	t_store_fault	/* 2: X0 = [X1], then store X2 to [X1] */
	b	t_store_alias	/* 3: [X1] = X2, X0 = [X3] */
	b	t_jump		/* 4: branch to X1 */

	default_vectors

t_load:
	adr	x9, 1f
1:	ldr	x0, [x1]
	hvc	#0

t_load_fault:
	adr	x9, 1f
1:	ldr	x0, [x1]
	hvc	#1

t_store_fault:
	ldr	x0, [x1]
	adr	x9, 1f
1:	str	x2, [x1]
	hvc	#2

t_store_alias:
	str	x2, [x1]
	dsb	sy
	ldr	x0, [x3]
	hvc	#3

t_jump:
	br	x1
