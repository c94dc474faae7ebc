/*
 * dbgtest.S - a small guest for the machine and debugger tests (and for
 * trying breakpoints/watchpoints by hand): prints through the PL011,
 * calls a function, writes then reads a global, starts vCPU 1 with PSCI
 * CPU_ON, waits for it, and powers off with PSCI SYSTEM_OFF.
 * A second entry, timer_test, takes one virtual-timer interrupt.
 *
 * Build as an ELF linked at the RAM base:
 *   aarch64-linux-gnu-gcc -g -nostdlib -static -Wl,-Ttext=0x40000000 -o dbgtest.elf dbgtest.S
 */
#define UART 0x09000000
#define PSCI_CPU_OFF 0x84000002
#define PSCI_CPU_ON 0xc4000003
#define PSCI_SYSTEM_OFF 0x84000008

	.text
	.globl	_start
	.type	_start, %function
_start:
	mrs	x1, mpidr_el1
	and	x1, x1, #0xff
	cbnz	x1, secondary
	adr	x2, entry_x0
	str	x0, [x2]		/* the boot protocol gives x0 = 0 */
	ldr	x3, =UART
	adr	x4, msg
1:	ldrb	w5, [x4], #1
	cbz	w5, 2f
	strb	w5, [x3]
	b	1b
2:	bl	func_a
	mov	x19, x0
	.globl	do_write
do_write:
	adr	x6, counter
	mov	x7, #0x1234
	str	x7, [x6]		/* do_write + 8: write watchpoint */
	.globl	do_read
do_read:
	ldr	x8, [x6]		/* read watchpoint */
	ldr	x0, =PSCI_CPU_ON
	mov	x1, #1			/* target MPIDR */
	adr	x2, secondary
	mov	x3, #0x77		/* context id -> x0 of vCPU 1 */
	hvc	#0
	mov	x20, x0			/* PSCI result */
	adr	x9, flag
3:	ldr	x10, [x9]
	cbz	x10, 3b			/* spins forever if vCPU 1 never runs */
	.globl	power_off
power_off:
	ldr	x0, =PSCI_SYSTEM_OFF
	hvc	#0
	b	.
	.size	_start, .-_start

	.type	secondary, %function
secondary:
	adr	x9, flag
	str	x0, [x9]
	ldr	x0, =PSCI_CPU_OFF
	hvc	#0
	b	.
	.size	secondary, .-secondary

	.globl	func_a
	.type	func_a, %function
func_a:
	mov	x0, #1
	add	x0, x0, #2
	add	x0, x0, #3
	ret
	.size	func_a, .-func_a

/* Virtual timer: fire ~1 ms from now, wait in WFI, take the IRQ. */
	.globl	timer_test
	.type	timer_test, %function
timer_test:
	adr	x0, vectors
	msr	vbar_el1, x0
	mrs	x1, cntfrq_el0
	lsr	x1, x1, #10		/* ~1 ms */
	mrs	x2, cntvct_el0
	add	x2, x2, x1
	msr	cntv_cval_el0, x2
	mov	x3, #1
	msr	cntv_ctl_el0, x3	/* ENABLE, IMASK = 0 */
	isb
	msr	daifclr, #2
4:	wfi
	b	4b
	.size	timer_test, .-timer_test

	.balign	2048
vectors:
	.balign	128			/* 0x000: current EL, SP0, sync */
	b	.
	.balign	128
	b	.
	.balign	128
	b	.
	.balign	128
	b	.
	.balign	128			/* 0x200: current EL, SPx, sync */
	b	.
	.balign	128			/* 0x280: current EL, SPx, IRQ */
	.globl	irq_handler
irq_handler:
	mrs	x21, icc_iar1_el1	/* 27 = the vtimer PPI */
	msr	cntv_ctl_el0, xzr	/* condition cleared: the host unmasks */
	adr	x9, irq_count
	ldr	x10, [x9]
	add	x10, x10, #1
	str	x10, [x9]
	ldr	x0, =PSCI_SYSTEM_OFF
	hvc	#0
	b	.

	.section .rodata
msg:	.asciz	"hi\n"

	.data
	.balign	8
	.globl	counter
	.type	counter, %object
counter:	.quad	0
	.size	counter, 8
	.globl	flag
flag:		.quad	0
	.globl	entry_x0
entry_x0:	.quad	0xdead
	.globl	irq_count
irq_count:	.quad	0

	.bss
	.balign	8
	.globl	bss_buf
bss_buf:	.space	64
