/* start.S - bare-metal entry for the benchmark guests: stack, main, print
 * main's 64-bit result in hex on the PL011 UART at 0x09000000 (so runs on
 * different machines can be compared), then PSCI SYSTEM_OFF over HVC
 * (QEMU's virt machine and our VMMs both understand it).  With
 * ENABLE_FPSIMD defined (fp_start.S), CPACR_EL1.FPEN = 0b11 first. */
	.section .text._start, "ax"
	.global _start
_start:
#ifdef ENABLE_FPSIMD
	mrs	x0, cpacr_el1
	orr	x0, x0, #(3 << 20)
	msr	cpacr_el1, x0
	isb
#endif
	ldr	x0, =__stack_top
	mov	sp, x0
	bl	main
	mov	x1, x0
	ldr	x2, =0x09000000
	mov	x3, #60
1:	lsr	x4, x1, x3
	and	x4, x4, #0xf
	cmp	x4, #10
	add	x5, x4, #'0'
	add	x6, x4, #('a' - 10)
	csel	x4, x5, x6, lo
	strb	w4, [x2]
	subs	x3, x3, #4
	b.pl	1b
	mov	x4, #'\n'
	strb	w4, [x2]
	ldr	x0, =0x84000008
	hvc	#0
	b	.

	.bss
	.balign 16
	.space 65536
__stack_top:
