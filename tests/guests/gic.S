/*
 * gic.S - guest snippets for test_gic.c (the GICv3 of hv_gic_create).
 * The IRQ vector acknowledges with ICC_IAR1_EL1 and either reports the
 * INTID to the host (HVC #0x100, X0 = INTID; EOI when resumed) or, with
 * X21 != 0, counts it in the 8-byte slot X20[INTID] and EOIs without an
 * exit.  A spurious acknowledge (1023) reports HVC #0x101.  Other vectors
 * report HVC #(0xF000 + k) as in guest_asm.h.
 */
#include "../support/guest_asm.h"

#define ICC_PMR_EL1	S3_0_C4_C6_0
#define ICC_IAR1_EL1	S3_0_C12_C12_0
#define ICC_EOIR1_EL1	S3_0_C12_C12_1
#define ICC_SGI1R_EL1	S3_0_C12_C11_5
#define ICC_IGRPEN1_EL1	S3_0_C12_C12_7

	.text
	.arch	armv8-a
	.globl	_start
_start:
	b	t_wait		/* 0: unmask IRQ, WFI forever */
	b	t_setup		/* 1: program GICD/GICR/ICC by MMIO and MSR */
	b	t_sgi		/* 2: ICC_SGI1R_EL1 = X1 */
	b	t_store32	/* 3: [X1] = W2 (an MSI through the frame) */
	b	t_vtimer	/* 4: virtual timer in X1 ticks, then wait */
	b	t_ptimer	/* 5: physical timer in X1 ticks, then wait */
	b	t_iar		/* 6: X0 = ICC_IAR1_EL1 */
	b	t_spin		/* 7: unmask IRQ, spin (no WFI) */
	b	t_sgi_loop	/* 8: X3 times: SGI1R = X1, wait for [X2] to move */

	.org	VEC_OFFSET
	.irp	k, 0, 1, 2, 3, 4
	vent	\k
	.endr
	.balign	128		/* 5: IRQ, current EL with SP_ELx */
	b	irq_handler
	.irp	k, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15
	vent	\k
	.endr
	.org	CODE_OFFSET

irq_handler:
	mrs	x0, ICC_IAR1_EL1
	cmp	x0, #1020
	b.hs	1f
	cbnz	x21, 2f
	hvc	#0x100
	msr	ICC_EOIR1_EL1, x0
	eret
1:	hvc	#0x101
	eret
2:	add	x22, x20, x0, lsl #3
	ldr	x23, [x22]
	add	x23, x23, #1
	str	x23, [x22]
	msr	ICC_EOIR1_EL1, x0
	eret

t_wait:
	msr	daifclr, #2
0:	wfi
	b	0b

t_spin:
	msr	daifclr, #2
0:	b	0b

	/* X1 = GICD base, X2 = this vCPU's RD_base, X3 = an SPI to route
	 * here (group 1, priority 0x80, enabled), X4 = IROUTER value. */
t_setup:
	mov	w5, #2
	str	w5, [x1]		/* GICD_CTLR.EnableGrp1 */
	str	wzr, [x2, #0x14]	/* GICR_WAKER: awake */
0:	ldr	w5, [x2, #0x14]
	tbnz	w5, #2, 0b		/* until ChildrenAsleep clears */
	add	x6, x2, #0x10000	/* SGI frame */
	mov	w5, #-1
	str	w5, [x6, #0x80]		/* IGROUPR0: group 1 */
	str	w5, [x6, #0x100]	/* ISENABLER0 */
	movz	w5, #0x8080
	movk	w5, #0x8080, lsl #16
	add	x7, x6, #0x400		/* IPRIORITYR0-7 = 0x80 */
	mov	x8, #8
1:	str	w5, [x7]		/* no writeback: GIC accesses need a */
	add	x7, x7, #4		/* syndrome (ISV) on KVM */
	subs	x8, x8, #1
	b.ne	1b
	lsr	x7, x3, #5
	lsl	x7, x7, #2		/* word of the SPI's bit */
	and	x8, x3, #31
	mov	w9, #1
	lsl	w9, w9, w8
	add	x10, x1, #0x80		/* IGROUPR */
	ldr	w11, [x10, x7]
	orr	w11, w11, w9
	str	w11, [x10, x7]
	add	x10, x1, #0x400		/* IPRIORITYR */
	mov	w11, #0x80
	strb	w11, [x10, x3]
	add	x10, x1, #0x6000	/* IROUTER */
	str	x4, [x10, x3, lsl #3]
	add	x10, x1, #0x100		/* ISENABLER */
	str	w9, [x10, x7]
	mov	x5, #0xf0
	msr	ICC_PMR_EL1, x5
	mov	x5, #1
	msr	ICC_IGRPEN1_EL1, x5
	isb
	hvc	#1

t_sgi:
	msr	ICC_SGI1R_EL1, x1
	isb
	hvc	#2

t_store32:
	str	w2, [x1]
	hvc	#3

t_vtimer:
	mrs	x0, cntvct_el0
	add	x0, x0, x1
	msr	cntv_cval_el0, x0
	mov	x2, #1
	msr	cntv_ctl_el0, x2
	isb
	b	t_wait

t_ptimer:
	msr	cntp_tval_el0, x1
	mov	x2, #1
	msr	cntp_ctl_el0, x2
	isb
	b	t_wait

t_iar:
	mrs	x0, ICC_IAR1_EL1
	hvc	#6

t_sgi_loop:
0:	ldr	x4, [x2]
	msr	ICC_SGI1R_EL1, x1
	isb
1:	ldr	x5, [x2]
	cmp	x5, x4
	b.eq	1b
	subs	x3, x3, #1
	b.ne	0b
	hvc	#8
