/*
 * el1.S - guest snippets for test_el1.c: EL0/EL1 transitions, SVC, UNDEF,
 * stack pointer banking.  X9 = address of the instruction under test.
 *
 * The lower-EL synchronous vector returns to EL0 after an SVC #7 (saving
 * ESR_EL1 in X20 and ELR_EL1 in X21) and reports anything else to the
 * host with HVC #0xF008.
 */
#include "../support/guest_asm.h"

	.text
	.globl	_start
_start:
	b	t_svc		/* 0 */
	b	t_el0_mrs	/* 1 */
	b	t_sp_bank	/* 2 */
	b	t_el0_sp	/* 3 */
	b	t_udf		/* 4 */
	b	t_el0_udf	/* 5 */
	b	t_el0_hvc	/* 6 */
	b	t_el0_wfi	/* 7 */
	b	t_el0_cntvct	/* 8 */
	b	t_el0_spin	/* 9: EL0 with interrupts unmasked */
	b	t_illegal_eret	/* 10 */
	b	t_svc_el1	/* 11 */
	b	t_pc_align	/* 12: branch to X1 */
	b	t_sp_align	/* 13: load from SP = X1 */
	b	t_ldr_align	/* 14: load from X1 */
	b	t_fp		/* 15: FP instruction */
	b	t_mrs_sp_el0	/* 16: X0 = SP_EL0 at EL1h, then the same with SPSel 0 */
	b	t_el0_mrs_sp_el0 /* 17: MRS SP_EL0 at EL0 */

	.org	VEC_OFFSET
	.irp	k, 0, 1, 2, 3, 4, 5, 6, 7
	vent	\k
	.endr
	.balign	128
	b	lower_sync	/* 8 */
	.irp	k, 9, 10, 11, 12, 13, 14, 15
	vent	\k
	.endr
	.org	CODE_OFFSET

lower_sync:
	mrs	x10, esr_el1
	lsr	x11, x10, #26
	cmp	x11, #0x15
	b.ne	1f
	and	x11, x10, #0xffff
	cmp	x11, #7
	b.ne	1f
	mov	x20, x10
	mrs	x21, elr_el1
	eret
1:	hvc	#0xF008

/* Enters EL0 (EL0t, DAIF masked) at the address in X0. */
to_el0:
	msr	elr_el1, x0
	mov	x0, #0x3c0
	msr	spsr_el1, x0
	eret

t_svc:
	adr	x0, el0_svc
	b	to_el0
el0_svc:
	adr	x9, 1f
1:	svc	#7
	mov	x3, #0x55
	svc	#9

t_el0_mrs:
	adr	x0, el0_mrs
	b	to_el0
el0_mrs:
	adr	x9, 1f
1:	mrs	x0, sctlr_el1
	svc	#9

	/* X5 = new SP_EL0, X6 = new SP_EL1 (set by the host). */
t_sp_bank:
	mov	x0, sp
	msr	spsel, #0
	mov	x1, sp
	mov	sp, x5
	msr	spsel, #1
	mov	x2, sp
	mov	sp, x6
	hvc	#2

t_el0_sp:
	adr	x0, el0_sp
	b	to_el0
el0_sp:
	mov	x7, sp
	svc	#9

t_udf:
	adr	x9, 1f
1:	.inst	0x00000000
	hvc	#4

t_el0_udf:
	adr	x0, el0_udf
	b	to_el0
el0_udf:
	adr	x9, 1f
1:	.inst	0x00000000
	svc	#9

t_mrs_sp_el0:
	mrs	x0, sp_el0
	msr	spsel, #0
	adr	x9, 1f
1:	mrs	x1, sp_el0	/* UNDEFINED: SP_EL0 is the current SP */
	hvc	#16

t_el0_mrs_sp_el0:
	adr	x0, el0_mrs_sp
	b	to_el0
el0_mrs_sp:
	adr	x9, 1f
1:	mrs	x0, sp_el0	/* UNDEFINED at EL0 */
	svc	#9

t_el0_hvc:
	adr	x0, el0_hvc
	b	to_el0
el0_hvc:
	adr	x9, 1f
1:	hvc	#1
	svc	#9

t_el0_wfi:
	adr	x0, el0_wfi
	b	to_el0
el0_wfi:
	adr	x9, 1f
1:	wfi
	svc	#9

t_el0_cntvct:
	adr	x0, el0_cntvct
	b	to_el0
el0_cntvct:
	adr	x9, 1f
1:	mrs	x0, cntvct_el0
	svc	#9

t_el0_spin:
	adr	x0, el0_spin
	msr	elr_el1, x0
	msr	spsr_el1, xzr
	eret
el0_spin:
	b	el0_spin

	/* ERET to EL2 from EL1 is an illegal exception return. */
t_illegal_eret:
	adr	x9, 1f
	msr	elr_el1, x9
	mov	x0, #0x3c9
	msr	spsr_el1, x0
	eret
1:	nop
	hvc	#10

t_svc_el1:
	adr	x9, 1f
1:	svc	#0x42
	hvc	#11

t_pc_align:
	adr	x9, 1f
1:	br	x1

t_sp_align:
	mov	x2, sp
	mov	sp, x1
	adr	x9, 1f
1:	ldr	x0, [sp]
	mov	sp, x2
	hvc	#13

t_ldr_align:
	adr	x9, 1f
1:	ldr	x0, [x1]
	hvc	#14

t_fp:	/* the first one is a fast FP form (emu fast_fp.c): it must trap too */
	adr	x9, 1f
1:	fadd	v3.4s, v1.4s, v2.4s
	fmov	d0, x1
	fmov	x2, d0
	hvc	#15
