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
	b	t_remap_load	/* 5: X0 = [X1], X2 = [X7]; [X4] = X5, TLBI VAE1, X6; again */
	b	t_remap_call	/* 6: X10 = BLR X1; [X4] = X5, TLBI VALE1, X6; X0 = BLR X1 */
	b	t_remap_is	/* 7: wait for [X3]; [X4] = X5, TLBI VAALE1IS, X6; [X3 + 8] = 1 */
	b	t_watch		/* 8: X0 = [X1]; [X3] = 1; wait for [X3 + 8]; */
				/*    X0 = [X1] until X0 = X2 or X10 = X5 tries */
	b	t_pan		/* 9: X0 = [X1]; PAN = 1 (MSR PAN, #1; with X2: MSR PAN, X2); X9: */
				/*    the load after it, which faults */
	b	t_eret_el0	/* 10: X10 = BLR X1 at EL1, then ERET to X1 at EL0t */
	b	t_pan_calls	/* 11: X0 = f(X1) X5 times (f: X0 = [X1]), PAN = 1 (MSR; */
				/*    with X3: ERET to EL1h), f again (BL; with X2: BLR); */
				/*    X9: f's load */

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

/* Each TLBI is the only one that can make the new descriptor seen: the
 * old translation was used just before it. */
t_remap_load:
	ldr	x0, [x1]
	ldr	x2, [x7]
	str	x5, [x4]
	dsb	ishst
	tlbi	vae1, x6
	dsb	ish
	isb
	ldr	x0, [x1]
	ldr	x2, [x7]
	hvc	#5

t_remap_call:
	blr	x1
	mov	x10, x0
	str	x5, [x4]
	dsb	ishst
	tlbi	vale1, x6
	dsb	ish
	isb
	blr	x1
	hvc	#6

t_remap_is:
1:	ldr	x9, [x3]
	cbz	x9, 1b
	str	x5, [x4]
	dsb	ishst
	tlbi	vaale1is, x6
	dsb	ish
	mov	x9, #1
	str	x9, [x3, #8]
	hvc	#7

t_watch:
	ldr	x0, [x1]
	mov	x9, #1
	str	x9, [x3]
1:	ldr	x9, [x3, #8]
	cbz	x9, 1b
	dmb	ish
	mov	x10, #0
2:	ldr	x0, [x1]
	cmp	x0, x2
	b.eq	3f
	add	x10, x10, #1
	cmp	x10, x5
	b.lo	2b
3:	hvc	#8

t_eret_el0:
	blr	x1
	mov	x10, x0
	msr	elr_el1, x1
	msr	spsr_el1, xzr
	eret

t_pan:
	ldr	x0, [x1]
	cbnz	x2, 1f
	.inst	0xd500419f	/* msr pan, #1 */
	b	2f
1:	msr	s3_0_c4_c2_3, x2	/* msr pan, x2 */
2:	adr	x9, 3f
3:	ldr	x0, [x1]
	hvc	#9

t_pan_calls:
	adr	x9, 4f
1:	bl	4f
	subs	x5, x5, #1
	b.ne	1b
	cbnz	x3, 3f
	.inst	0xd500419f	/* msr pan, #1 */
5:	cbnz	x2, 2f
	bl	4f
	hvc	#11
2:	blr	x9
	hvc	#11
3:	mov	x4, #0x3c5		/* EL1h, DAIF masked */
	orr	x4, x4, #(1 << 22)	/* PAN: a new view, same EL */
	msr	spsr_el1, x4
	adr	x4, 5b
	msr	elr_el1, x4
	eret
4:	ldr	x0, [x1]
	ret
