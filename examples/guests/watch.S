/*
 * watch.S - a global variable modified in a few places, for watchpoint
 * demonstrations (`watch counter`, `rwatch counter`, `awatch counter`).
 *
 *   main: set_counter(0); increment() x3; add_ten(); report();
 *         double_it(); report(); status = 1; power off
 *
 * Written as a compiler would, with AAPCS64 frame records (x29/x30) in
 * the functions that call others, so `backtrace` and `finish` work.
 * Only report() reads `counter` without writing it.
 */
#include "guestlib.inc"

	.text
	.globl	_start
	.type	_start, %function
_start:
	mov	x29, #0			/* the end of the frame chain */
	adr	x0, msg_start
	bl	puts
	mov	x0, #0
	bl	set_counter
	mov	x19, #3
1:	bl	increment
	subs	x19, x19, #1
	b.ne	1b
	bl	add_ten
	bl	report			/* 13 */
	bl	double_it
	bl	report			/* 26 */
	adr	x0, status
	mov	w1, #1
	str	w1, [x0]		/* a 4-byte global */
	b	system_off
	.size	_start, .-_start

	.globl	set_counter
	.type	set_counter, %function
set_counter:				/* counter = x0 */
	adr	x1, counter
	str	x0, [x1]
	ret
	.size	set_counter, .-set_counter

	.globl	increment
	.type	increment, %function
increment:				/* counter += 1 */
	adr	x1, counter
	ldr	x0, [x1]
	add	x0, x0, #1
	str	x0, [x1]
	ret
	.size	increment, .-increment

	.globl	add_ten
	.type	add_ten, %function
add_ten:				/* counter += 10, through set_counter */
	stp	x29, x30, [sp, #-16]!
	mov	x29, sp
	adr	x1, counter
	ldr	x0, [x1]
	add	x0, x0, #10
	bl	set_counter
	ldp	x29, x30, [sp], #16
	ret
	.size	add_ten, .-add_ten

	.globl	double_it
	.type	double_it, %function
double_it:				/* counter *= 2, with a store pair */
	adr	x1, counter
	ldr	x0, [x1]
	lsl	x0, x0, #1
	stp	x0, xzr, [x1]		/* counter and the word after it */
	ret
	.size	double_it, .-double_it

	.globl	report
	.type	report, %function
report:					/* prints "watch: counter = N" */
	stp	x29, x30, [sp, #-16]!
	mov	x29, sp
	adr	x0, msg_counter
	bl	puts
	adr	x0, counter
	ldr	x0, [x0]		/* the only plain read */
	bl	putdec
	mov	x0, #'\n'
	bl	putc
	ldp	x29, x30, [sp], #16
	ret
	.size	report, .-report

msg_start:	.asciz	"watch: counter = 0, three increments, +10, report, double, report\n"
msg_counter:	.asciz	"watch: counter = "

	.data
	.balign	16
	.globl	counter
	.type	counter, %object
counter:	.quad	0x5555		/* set_counter(0) overwrites it */
	.size	counter, 8
	.globl	spare
	.type	spare, %object
spare:		.quad	0x7777		/* double_it's STP clears it */
	.size	spare, 8
	.globl	status
	.type	status, %object
status:		.word	0
	.size	status, 4
