/* start.S - bare-metal entry for the benchmark guests: stack, main, then
 * PSCI SYSTEM_OFF over HVC (QEMU's virt machine and our VMMs both
 * understand it). */
	.section .text._start, "ax"
	.global _start
_start:
	ldr	x0, =__stack_top
	mov	sp, x0
	bl	main
	mov	x1, x0
	ldr	x0, =0x84000008
	hvc	#0
	b	.

	.bss
	.balign 16
	.space 65536
__stack_top:
