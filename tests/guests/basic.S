/*
 * basic.S - minimal guest: entry 0 spins at its own address, entry 1
 * exits with HVC #1, entry 2 counts X0 up forever; 3-8: see below.
 */
#include "../support/guest_asm.h"

	.text
	.arch	armv8.1-a
	.globl	_start
_start:
0:	b	0b		/* 0: spin (PC stays at entry 0) */
	hvc	#1		/* 1 */
	b	t_count		/* 2 */
	b	t_excl_inc	/* 3 */
	b	t_ldadd_inc	/* 4 */
	b	t_load_loop	/* 5 */
	b	t_simd_mem	/* 6 */
	b	t_nzcv		/* 7 */
	b	t_load_count	/* 8 */

	default_vectors

t_count:
	add	x0, x0, #1
	b	t_count

	/* X1 iterations of an exclusive-monitor increment of [X2]. */
t_excl_inc:
0:	ldaxr	x3, [x2]
	add	x3, x3, #1
	stlxr	w4, x3, [x2]
	cbnz	w4, 0b
	subs	x1, x1, #1
	b.ne	0b
	hvc	#3

	/* X1 iterations of LDADD of 1 to [X2]. */
t_ldadd_inc:
	mov	x5, #1
0:	ldadd	x5, x6, [x2]
	subs	x1, x1, #1
	b.ne	0b
	hvc	#4

	/* Loads [X1] forever, counting in X3. */
t_load_loop:
0:	ldr	x2, [x1]
	add	x3, x3, #1
	b	0b

	/* [X1] = Q1; Q2 = [X1 + 16]; X3 = FPCR; X4 = FPSR. */
t_simd_mem:
	str	q1, [x1]
	ldr	q2, [x1, #16]
	mrs	x3, fpcr
	mrs	x4, fpsr
	hvc	#6

	/* X5 = NZCV, X3 = FPCR, X4 = FPSR as the guest sees them. */
t_nzcv:
	mrs	x5, nzcv
	mrs	x3, fpcr
	mrs	x4, fpsr
	hvc	#7

	/* Loads [X1] forever, counting in X3 and storing the count to [X4]
	 * (so that the host sees the loop run). */
t_load_count:
0:	ldr	x2, [x1]
	add	x3, x3, #1
	str	x3, [x4]
	b	0b
