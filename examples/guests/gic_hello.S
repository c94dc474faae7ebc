/*
 * gic_hello.S - the guest of examples/vmm/gic_vmm.c: programs the GICv3
 * (distributor, its redistributor, the CPU interface) for SPI 40, sleeps
 * in WFI, and when the interrupt comes acknowledges it (ICC_IAR1_EL1),
 * tells the device (a store to DEV_ACK, which the VMM sees as an MMIO
 * exit and answers by lowering the line), ends it (ICC_EOIR1_EL1) and
 * powers off.  X0 = this vCPU's redistributor (RD_base), from the VMM.
 */
	.equ UART_DR, 0x09000000
	.equ DEV_ACK, 0x0a000000
	.equ GICD, 0x08000000
	.equ SPI, 40
	.equ PSCI_SYSTEM_OFF, 0x84000008

	.text
	.global _start
_start:
	ldr	x1, =UART_DR
	adr	x5, vectors
	msr	vbar_el1, x5
	/* Distributor: group 1 on, SPI 40 in group 1, priority 0x80, routed
	 * to affinity 0.0.0.0 (this vCPU), enabled. */
	ldr	x6, =GICD
	mov	w5, #2
	str	w5, [x6]			/* GICD_CTLR.EnableGrp1 */
	mov	w5, #(1 << (SPI - 32))
	str	w5, [x6, #0x80 + 4]		/* GICD_IGROUPR1 */
	mov	w7, #0x80
	strb	w7, [x6, #0x400 + SPI]		/* GICD_IPRIORITYR */
	add	x7, x6, #0x6000
	str	xzr, [x7, #8 * SPI]		/* GICD_IROUTER40 */
	str	w5, [x6, #0x100 + 4]		/* GICD_ISENABLER1 */
	/* Redistributor: wake it up. */
	str	wzr, [x0, #0x14]		/* GICR_WAKER.ProcessorSleep = 0 */
1:	ldr	w5, [x0, #0x14]
	tbnz	w5, #2, 1b			/* ChildrenAsleep */
	/* CPU interface: priority mask, group 1 on. */
	mov	x5, #0xf0
	msr	S3_0_C4_C6_0, x5		/* ICC_PMR_EL1 */
	mov	x5, #1
	msr	S3_0_C12_C12_7, x5		/* ICC_IGRPEN1_EL1 */
	isb
	adr	x2, msg_wait
	bl	puts
	mov	x19, #0
	msr	daifclr, #2			/* unmask IRQs */
2:	wfi					/* sleeps in the library, no exit */
	cbz	x19, 2b
	adr	x2, msg_done
	bl	puts
	ldr	x0, =PSCI_SYSTEM_OFF
	hvc	#0
	b	.

irq:
	mrs	x20, S3_0_C12_C12_0		/* ICC_IAR1_EL1: the INTID */
	cmp	x20, #SPI
	b.ne	3f
	adr	x2, msg_irq
	bl	puts
	ldr	x5, =DEV_ACK
	mov	w6, #1
	str	w6, [x5]			/* device: drop your line */
	mov	x19, #1
3:	msr	S3_0_C12_C12_1, x20		/* ICC_EOIR1_EL1 */
	eret

	/* Prints the string at X2 through the UART at X1. */
puts:
	ldrb	w3, [x2], #1
	cbz	w3, 4f
	strb	w3, [x1]
	b	puts
4:	ret

msg_wait:	.asciz	"guest: GIC set up, waiting for SPI 40 in WFI\n"
msg_irq:	.asciz	"guest: IRQ 40 acknowledged from ICC_IAR1_EL1\n"
msg_done:	.asciz	"guest: EOI done, powering off\n"

	.balign	2048
vectors:
	.rept	5
	.balign	128
	b	.
	.endr
	.balign	128				/* IRQ, current EL, SP_ELx */
	b	irq
	.rept	10
	.balign	128
	b	.
	.endr
