/*
 * timer.S - the EL1 virtual timer and its interrupt, ticking TICKS times.
 *
 * The guest programs CNTV_CVAL_EL0 (a compare value against the virtual
 * counter CNTVCT_EL0) and CNTV_CTL_EL0 (ENABLE, IMASK = 0), unmasks IRQs
 * and waits in WFI.  When the counter reaches the compare value the vCPU
 * exits to the host (HV_EXIT_REASON_VTIMER_ACTIVATED); the board raises
 * the timer's interrupt line and injects an IRQ, which the guest takes at
 * VBAR_EL1 + 0x280.  The handler acknowledges it at the interrupt
 * controller (ICC_IAR1_EL1 returns INTID 27, the virtual timer's PPI),
 * moves the compare value one period on - which lowers the timer's output,
 * so the host unmasks the vtimer again - and signals end of interrupt.
 * (The board implements just enough of a GICv3 CPU interface for this,
 * see docs/machine.md.)
 */
#include "guestlib.inc"

#define TICKS		5
#define TIMER_PPI	27
#define SPURIOUS	1023

	.text
	.globl	_start
	.type	_start, %function
_start:
	adr	x0, vectors
	msr	vbar_el1, x0
	adr	x0, msg_start
	bl	puts

	/* The GIC CPU interface: accept every priority, enable group 1. */
	mov	x0, #0xff
	msr	icc_pmr_el1, x0
	mov	x0, #1
	msr	icc_igrpen1_el1, x0

	/* period = 10 ms of the counter, whatever its frequency */
	mrs	x0, cntfrq_el0
	mov	x1, #100
	udiv	x0, x0, x1
	adr	x1, period
	str	x0, [x1]
	mrs	x1, cntvct_el0
	add	x1, x1, x0
	msr	cntv_cval_el0, x1
	mov	x0, #1			/* ENABLE = 1, IMASK = 0 */
	msr	cntv_ctl_el0, x0
	isb
	msr	daifclr, #2		/* unmask IRQs */

	adr	x19, ticks
	.globl	idle
idle:
	wfi				/* sleeps until the interrupt */
	ldr	x0, [x19]
	cmp	x0, #TICKS
	b.lo	idle

	msr	daifset, #2
	adr	x0, msg_done
	bl	puts
	b	system_off
	.size	_start, .-_start

	.balign	2048
	.globl	vectors
vectors:
	.rept	5			/* 0x000-0x200: not expected */
	.balign	128
	b	unexpected
	.endr
	.balign	128			/* 0x280: current EL with SP_ELx, IRQ */
	b	irq_handler
	.rept	10			/* 0x300-0x780 */
	.balign	128
	b	unexpected
	.endr

	.globl	irq_handler
	.type	irq_handler, %function
irq_handler:
	sub	sp, sp, #64
	stp	x0, x1, [sp]
	stp	x2, x3, [sp, #16]
	stp	x4, x5, [sp, #32]
	stp	x20, x30, [sp, #48]
	mrs	x20, icc_iar1_el1	/* acknowledge: which interrupt? */
	cmp	x20, #SPURIOUS
	b.eq	2f			/* nothing pending any more */
	cmp	x20, #TIMER_PPI
	b.ne	unexpected

	adr	x0, ticks
	ldr	x1, [x0]
	add	x1, x1, #1
	str	x1, [x0]
	adr	x0, msg_tick
	bl	puts
	adr	x0, ticks
	ldr	x0, [x0]
	bl	putdec
	adr	x0, msg_intid
	bl	puts
	mov	x0, x20
	bl	putdec
	adr	x0, msg_nl
	bl	puts

	adr	x0, ticks
	ldr	x0, [x0]
	cmp	x0, #TICKS
	b.lo	1f
	msr	cntv_ctl_el0, xzr	/* the last tick: timer off */
	b	3f
1:	mrs	x0, cntv_cval_el0	/* next deadline, one period later */
	adr	x1, period
	ldr	x1, [x1]
	add	x0, x0, x1
	msr	cntv_cval_el0, x0
3:	isb
	msr	icc_eoir1_el1, x20	/* end of interrupt */
2:	ldp	x0, x1, [sp]
	ldp	x2, x3, [sp, #16]
	ldp	x4, x5, [sp, #32]
	ldp	x20, x30, [sp, #48]
	add	sp, sp, #64
	eret
	.size	irq_handler, .-irq_handler

	.type	unexpected, %function
unexpected:
	adr	x0, msg_unexpected
	bl	puts
	mrs	x0, esr_el1
	bl	puthex
	mov	x0, #'\n'
	bl	putc
	b	system_off
	.size	unexpected, .-unexpected

msg_start:	.asciz	"timer: virtual timer every 10 ms, waiting in WFI\n"
msg_tick:	.asciz	"tick "
msg_intid:	.asciz	": IRQ, INTID "
msg_nl:		.asciz	"\n"
msg_done:	.asciz	"timer: 5 ticks, timer off\n"
msg_unexpected:	.asciz	"timer: unexpected exception, ESR "

	.data
	.balign	8
	.globl	ticks
	.type	ticks, %object
ticks:		.quad	0
	.size	ticks, 8
period:		.quad	0
