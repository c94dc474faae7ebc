/*
 * basic.S - minimal guest: entry 0 spins at its own address, entry 1
 * exits with HVC #1, entry 2 counts X0 up forever.
 */
#include "../support/guest_asm.h"

	.text
	.globl	_start
_start:
0:	b	0b		/* 0: spin (PC stays at entry 0) */
	hvc	#1		/* 1 */
	b	t_count		/* 2 */

	default_vectors

t_count:
	add	x0, x0, #1
	b	t_count
