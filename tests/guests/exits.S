/*
 * exits.S - guest snippets for test_exits.c: instructions that exit to the
 * host (HVC, SMC, WFx, stage-2 aborts, BRK).  X9 = address of the
 * instruction under test; X1 = an address chosen by the host.
 */
#include "../support/guest_asm.h"

	.text
	.globl	_start
_start:
	b	t_hvc		/* 0 */
	b	t_smc		/* 1 */
	b	t_wfi		/* 2 */
	b	t_wfe		/* 3 */
	b	t_ldr_w		/* 4 */
	b	t_ldrsh_x	/* 5 */
	b	t_ldrsh_w	/* 6 */
	b	t_str_x		/* 7 */
	b	t_strb_zr	/* 8 */
	b	t_ldp		/* 9 */
	b	t_store_ro	/* 10 */
	b	t_ifetch	/* 11 */
	b	t_brk		/* 12 */
	b	t_ldrb		/* 13 */
	b	t_ldr_x_post	/* 14 */
	b	t_ldar		/* 15 */
	b	t_stlr_w	/* 16 */
	b	t_ldxr		/* 17 */
	b	t_ldr_q		/* 18 */
	b	t_ldrsw		/* 19 */
	b	t_str_w		/* 20 */

	default_vectors

t_hvc:
	adr	x9, 1f
1:	hvc	#0x1234
	hvc	#1

t_smc:
	adr	x9, 1f
1:	smc	#5
	hvc	#2

t_wfi:
	adr	x9, 1f
1:	wfi
	hvc	#3

t_wfe:
	adr	x9, 1f
1:	wfe
	hvc	#3

t_ldr_w:
	adr	x9, 1f
1:	ldr	w2, [x1]
	add	x3, x2, #1
	hvc	#4

t_ldrsh_x:
	adr	x9, 1f
1:	ldrsh	x3, [x1]
	hvc	#5

t_ldrsh_w:
	adr	x9, 1f
1:	ldrsh	w3, [x1]
	hvc	#6

t_str_x:
	adr	x9, 1f
1:	str	x4, [x1, #8]
	hvc	#7

t_strb_zr:
	adr	x9, 1f
1:	strb	wzr, [x1]
	hvc	#8

t_ldp:
	adr	x9, 1f
1:	ldp	x2, x3, [x1]
	hvc	#9

	/* X1 = read-only page: the load works, the store exits. */
t_store_ro:
	ldr	x5, [x1]
	adr	x9, 1f
1:	str	x2, [x1]
	hvc	#10

t_ifetch:
	adr	x9, 1f
1:	br	x1

t_brk:
	adr	x9, 1f
1:	brk	#0x77
	hvc	#12

t_ldrb:
	adr	x9, 1f
1:	ldrb	w7, [x1, #3]
	hvc	#13

	/* Post-indexed (writeback) load: ISV must be 0. */
t_ldr_x_post:
	adr	x9, 1f
1:	ldr	x2, [x1], #8
	hvc	#14

t_ldar:
	adr	x9, 1f
1:	ldar	x2, [x1]
	hvc	#15

t_stlr_w:
	adr	x9, 1f
1:	stlr	w6, [x1]
	hvc	#16

	/* Exclusives carry no syndrome (ISV = 0). */
t_ldxr:
	adr	x9, 1f
1:	ldxr	x2, [x1]
	hvc	#17

	/* SIMD&FP loads carry no syndrome (ISV = 0). */
t_ldr_q:
	adr	x9, 1f
1:	ldr	q2, [x1]
	hvc	#18

t_ldrsw:
	adr	x9, 1f
1:	ldrsw	x11, [x1]
	hvc	#19

t_str_w:
	adr	x9, 1f
1:	str	w12, [x1, #4]
	hvc	#20
