/*
 * rsptest.S - the guest of the gdb server tests (tests/rsp/*.py):
 * prints a line on the PL011, calls func, runs 128 straight-line adds
 * (stepi checks), writes/reads/accesses `counter` (watchpoints), loads
 * FP registers, starts vCPU 1 (PSCI CPU_ON) which spins in sec_loop,
 * then spins forever in main_loop, printing a ".\n" every 2^18 laps so the
 * UART keeps flowing while gdb is attached (Ctrl-C, detach, reattach).
 *
 *   aarch64-linux-gnu-gcc -g -nostdlib -static -Wl,-Ttext=0x40000000 -o rsptest.elf rsptest.S
 */
#define UART 0x09000000
#define PSCI_CPU_ON 0xc4000003

	.text
	.globl	_start
	.type	_start, %function
_start:
	mrs	x1, mpidr_el1
	and	x1, x1, #0xff
	cbnz	x1, secondary
	ldr	x3, =UART
	adr	x4, msg
1:	ldrb	w5, [x4], #1
	cbz	w5, 2f
	strb	w5, [x3]
	b	1b
2:	mov	x0, #0
	bl	func
	.globl	straight
straight:
	.rept	128
	add	x0, x0, #1
	.endr
	.globl	straight_end
straight_end:
	adr	x6, counter
	mov	x7, #0x1234
	.globl	do_write
do_write:
	str	x7, [x6]
	.globl	do_read
do_read:
	ldr	x8, [x6]
	.globl	do_access
do_access:
	ldr	x9, [x6, #8]		/* next word: outside an 8-byte watch */
	ldr	x9, [x6]
	.globl	fp_setup
fp_setup:
	fmov	d0, #1.5
	fmov	d1, #-2.0
	.globl	start_sec
start_sec:
	ldr	x0, =PSCI_CPU_ON
	mov	x1, #1
	adr	x2, secondary
	mov	x3, #0x55
	hvc	#0
	ldr	x3, =UART		/* x3 was CPU_ON's context id */
	mov	x20, #0
	adr	x21, ticks
	.globl	main_loop
main_loop:
	add	x20, x20, #1
	str	x20, [x21]
	tst	x20, #0x3ffff
	b.ne	main_loop
	mov	w5, #'.'
	strb	w5, [x3]
	mov	w5, #'\n'
	strb	w5, [x3]
	b	main_loop
	.size	_start, .-_start

	.type	secondary, %function
secondary:
	adr	x9, sec_count
	.globl	sec_loop
sec_loop:
	ldr	x10, [x9]
	add	x10, x10, #1
	.globl	sec_store
sec_store:
	str	x10, [x9]
	b	sec_loop
	.size	secondary, .-secondary

	.globl	func
	.type	func, %function
func:
	mov	x0, #1
	add	x0, x0, #2
	ret
	.size	func, .-func

	.section .rodata
msg:	.asciz	"rsptest: hello\n"

	.data
	.balign	16
	.globl	counter
counter:	.quad	0
	.quad	0
	.globl	ticks
ticks:		.quad	0
	.globl	sec_count
sec_count:	.quad	0
	.globl	buffer
buffer:		.ascii	"0123456789abcdef"
	.space	48
