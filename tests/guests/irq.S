/*
 * irq.S - guest snippets for test_irq_timer.c (interrupts, virtual
 * timer, counter).  Interrupts go to the default vectors
 * (IRQ: HVC #0xF005, FIQ: HVC #0xF006 from EL1h).
 */
#include "../support/guest_asm.h"

	.text
	.globl	_start
_start:
0:	b	0b		/* 0: spin */
	b	t_masked	/* 1 */
	b	t_timer		/* 2 */
	b	t_cntvct	/* 3 */
	b	t_busy		/* 4 */
	b	t_cntv_ctl	/* 5 */
	b	t_cntfrq	/* 6 */

	default_vectors

	/* Runs with DAIF masked: HVC #1; then unmasks I and F: HVC #2. */
t_masked:
	nop
	nop
	hvc	#1
	msr	daifclr, #3
	nop
	nop
	hvc	#2

	/* Arms the virtual timer X1 ticks from now and spins. */
t_timer:
	mrs	x0, cntvct_el0
	add	x0, x0, x1
	msr	cntv_cval_el0, x0
	mov	x2, #1
	msr	cntv_ctl_el0, x2
	isb
0:	b	0b

t_cntvct:
	isb
	mrs	x0, cntvct_el0
	hvc	#3

	/* Counts X1 down to zero. */
t_busy:
	mov	x0, x1
0:	subs	x0, x0, #1
	b.ne	0b
	hvc	#4

t_cntv_ctl:
	mrs	x0, cntv_ctl_el0
	hvc	#5

t_cntfrq:
	mrs	x0, cntfrq_el0
	hvc	#6
