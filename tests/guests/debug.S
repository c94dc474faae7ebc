/*
 * debug.S - guest snippets for test_debug.c (breakpoints, watchpoints,
 * software step, debug register traps).  HVC #0 reports X9 = address
 * the host needs before the interesting part runs.
 */
#include "../support/guest_asm.h"

	.text
	.globl	_start
_start:
	b	t_bkpt		/* 0 */
	b	t_watch		/* 1 */
	b	t_step		/* 2 */
	b	t_dbgreg	/* 3 */
	b	t_brk_el1	/* 4 */
	b	t_step_udf	/* 5 */
	b	t_bkpt_armed	/* 6 */
	b	t_bkpt_loop	/* 7 */
	b	t_bkpt_member	/* 8 */
	b	t_bkpt_member_armed	/* 9 */

	default_vectors

	/* HVC #0 with X9 = target; then nop; target: X0 = 1; HVC #1. */
t_bkpt:
	adr	x9, 1f
	hvc	#0
	nop
1:	mov	x0, #1
	hvc	#1

	/* X1 = watched address: the load must not trigger a store watchpoint. */
t_watch:
	ldr	x3, [x1]
	adr	x9, 1f
1:	str	x2, [x1]
	hvc	#1

	/* HVC #0 with X9 = first stepped instruction. */
t_step:
	adr	x9, 1f
	hvc	#0
1:	mov	x0, #42
	mov	x1, #43
	b	2f
	nop
2:	hvc	#2

t_dbgreg:
	adr	x9, 1f
	adr	x10, 2f
1:	mrs	x5, mdscr_el1
2:	msr	dbgbvr0_el1, x7
	hvc	#3

t_brk_el1:
	adr	x9, 1f
1:	brk	#0x99
	hvc	#4

	/* Calls f X1 times (X0 counts, f counts in X8); after the X2-th
	 * call arms breakpoint 0 on f itself (X4 = DBGBCR, X5 = MDSCR), by
	 * then a hot loop of blocks running into each other (f is too far
	 * for the run loop to step the blocks before it).  X9 = f. */
t_bkpt_armed:
	adr	x9, 3f
	mov	x0, #0
1:	bl	3f
	add	x0, x0, #1
	cmp	x0, x2
	b.ne	2f
	msr	dbgbvr0_el1, x9
	msr	dbgbcr0_el1, x4
	msr	mdscr_el1, x5
	isb
2:	cmp	x0, x1
	b.ne	1b
	hvc	#6
	.skip	256		/* f further than a block from every block of the loop */
3:	add	x8, x8, #1
	ret

	/* HVC #0 with X9 = an UNDEFINED instruction. */
t_step_udf:
	adr	x9, 1f
	hvc	#0
1:	.inst	0x00000000
	hvc	#5

	/* A loop of two blocks: the first one (X0 counts) branches to
	 * itself three times in four, then to the second (X8 counts),
	 * which branches back, until X0 = X1; then HVC #7 with X9 = the
	 * second block, and the loop again from X0 = 0.  The second block
	 * runs first, once; it is too far for the run loop to step the
	 * first one (t_bkpt_armed). */
t_bkpt_loop:
	adr	x9, 2f
	mov	x0, #0
	b	2f
1:	add	x0, x0, #1
	tst	x0, #3
	b.ne	1b
	cmp	x0, x1
	b.hs	3f
	b	2f
	.skip	256
2:	add	x8, x8, #1
	b	1b
3:	hvc	#7
	mov	x0, #0
	b	1b

	/* A loop over blocks (a region once translated) whose block at 2:
	 * runs the instruction at 4: (X9) only at its X2-th visit: by
	 * then the branch to it has gone into a checked member. */
t_bkpt_member:
	adr	x9, 4f
	mov	x0, #0
	b	1f
1:	add	x0, x0, #1
	tst	x0, #3
	b.ne	1b
	cmp	x0, x1
	b.hs	3f
	b	2f
	.skip	256
2:	add	x8, x8, #1
	cmp	x8, x2
	b.lo	5f
4:	add	x7, x7, #1
5:	b	1b
3:	hvc	#7
	mov	x0, #0
	b	1b

	/* H (1:) and M (2:) run in turn, a region once translated; at
	 * X0 = X1 the guest sets MDSCR_EL1 to X5 (MDE: the breakpoint the
	 * host put at 4:, X9, is armed from then on) and goes back to H:
	 * the next visit of M is by a branch between translated members.
	 * HVC #9 at X0 = X2: M ran on past the breakpoint. */
t_bkpt_member_armed:
	adr	x9, 4f
	hvc	#0
	mov	x0, #0
1:	add	x0, x0, #1
	cmp	x0, x1
	b.eq	3f
	cmp	x0, x2
	b.eq	5f
	b	2f
	.skip	256
2:	add	x8, x8, #1
4:	add	x7, x7, #1
	b	1b
3:	msr	mdscr_el1, x5
	b	1b
5:	hvc	#9
