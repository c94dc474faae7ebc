/*
 * frames.S - a guest for the REPL tests and for trying `backtrace`,
 * `finish` and `explain` by hand: a three-deep call chain with AAPCS64
 * frame records (x29/x30 pairs), an HVC the board answers (an unknown
 * PSCI function: x0 = NOT_SUPPORTED), then a load from IPA 0x1000, which
 * is neither RAM nor the UART: the run stops with an unhandled data abort.
 *
 *   aarch64-linux-gnu-gcc -g -nostdlib -static -Wl,-Ttext=0x40000000 -o frames.elf frames.S
 */
	.text
	.globl	_start
	.type	_start, %function
_start:
	mov	x29, #0			/* end of the frame chain */
	mov	x0, #5
	bl	outer
	mov	x19, x0			/* 5 + 10 + 20 = 35 */
	.globl	call_hvc
call_hvc:
	ldr	x0, =0x8400ff00		/* not a PSCI function */
	hvc	#0x42
	mov	x20, x0			/* -1: NOT_SUPPORTED */
	.globl	bad_load
bad_load:
	mov	x1, #0x1000		/* no RAM, no device there */
	ldr	x2, [x1]
	b	.
	.size	_start, .-_start

	.globl	outer
	.type	outer, %function
outer:
	stp	x29, x30, [sp, #-16]!
	mov	x29, sp
	add	x0, x0, #10
	bl	middle
	ldp	x29, x30, [sp], #16
	ret
	.size	outer, .-outer

	.globl	middle
	.type	middle, %function
middle:
	stp	x29, x30, [sp, #-16]!
	mov	x29, sp
	bl	leaf
	ldp	x29, x30, [sp], #16
	ret
	.size	middle, .-middle

	.globl	leaf
	.type	leaf, %function
leaf:
	add	x0, x0, #20
	ret
	.size	leaf, .-leaf
