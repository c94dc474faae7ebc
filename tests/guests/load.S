/*
 * load.S - the guest of test_load.c, run by 8 vCPUs at once.  Each loops
 * forever: a numbered MMIO store to X20 (one exit each), then some work.
 * IRQs are taken (PSTATE.I clear): the handler counts them at [X21] and
 * acknowledges with HVC #0x1A.  Any other exception reports with
 * HVC #(0xF000 + vector index).
 */
#include "../support/guest_asm.h"

	.text
	.globl	_start
_start:
	b	t_load		/* 0 */

	.org	VEC_OFFSET
	.irp	k, 0, 1, 2, 3, 4
	vent	\k
	.endr
	.balign	128		/* 5: current EL, SP_ELx, IRQ */
	ldr	x4, [x21]
	add	x4, x4, #1
	str	x4, [x21]
	hvc	#0x1A
	eret
	.irp	k, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15
	vent	\k
	.endr
	.org	CODE_OFFSET

/* X2 counts the MMIO stores; X3 is the work counter (X22 iterations). */
t_load:
	mov	x2, #0
1:	add	x2, x2, #1
	str	x2, [x20]
	mov	x3, x22
2:	subs	x3, x3, #1
	b.ne	2b
	b	1b
