/*
 * fpsimd.S - floating point and Advanced SIMD (NEON) in a guest.
 *
 * FP/SIMD instructions trap at EL1 until CPACR_EL1.FPEN allows them, so
 * the guest enables them first.  Then a few small kernels, each printing
 * exact (integer or fixed-point) results, so the output is deterministic:
 *   - a float32 dot product with FMLA on 4 lanes and a pairwise reduction
 *   - sqrt(2) by Newton's method in double precision, against FSQRT
 *   - a 4x4 float32 matrix product with FMLA by element
 *   - a byte checksum with UADDLV, against a scalar loop
 *   - 1.0 / 0.0: infinity, and the divide-by-zero flag in FPSR
 */
#include "guestlib.inc"

	.text
	.globl	_start
	.type	_start, %function
_start:
	mrs	x0, cpacr_el1
	orr	x0, x0, #(3 << 20)	/* FPEN = 0b11: no FP/SIMD traps at EL0/EL1 */
	msr	cpacr_el1, x0
	isb
	adr	x0, msg_start
	bl	puts

	/* dot product */
	adr	x0, vec_a
	adr	x1, vec_b
	mov	x2, #16
	bl	dot_f32
	fcvtzs	x19, s0
	adr	x0, msg_dot
	bl	puts
	mov	x0, x19
	bl	putdec
	adr	x0, msg_dot2
	bl	puts

	/* square root */
	bl	sqrt2_newton
	fmov	d8, d0			/* d8-d15 survive calls (AAPCS64) */
	fmov	d1, #2.0
	fsqrt	d9, d1
	adr	x0, msg_newton
	bl	puts
	fmov	d0, d8
	bl	putfixed9
	adr	x0, msg_fsqrt
	bl	puts
	fmov	d0, d9
	bl	putfixed9
	adr	x0, msg_ulps		/* distance in units in the last place */
	bl	puts
	fmov	x3, d8
	fmov	x4, d9
	sub	x0, x4, x3		/* same sign: the bit patterns are ordered */
	bl	putdec
	adr	x0, msg_ulps2
	bl	puts

	/* matrix product */
	adr	x0, mat_a
	adr	x1, mat_b
	adr	x2, mat_c
	bl	matmul4
	adr	x0, msg_matmul
	bl	puts
	adr	x19, mat_c
	mov	x20, #4
1:	ld1	{v0.4s}, [x19], #16
	fcvtzs	v0.4s, v0.4s
	bl	print_row
	subs	x20, x20, #1
	b.ne	1b

	/* byte checksum */
	adr	x0, text
	ld1	{v0.16b, v1.16b, v2.16b, v3.16b}, [x0]
	uaddlv	h0, v0.16b		/* 16 bytes -> one 16-bit sum */
	uaddlv	h1, v1.16b
	uaddlv	h2, v2.16b
	uaddlv	h3, v3.16b
	umov	w19, v0.h[0]
	umov	w1, v1.h[0]
	add	w19, w19, w1
	umov	w1, v2.h[0]
	add	w19, w19, w1
	umov	w1, v3.h[0]
	add	w19, w19, w1
	adr	x0, text		/* the same, one byte at a time */
	mov	x1, #64
	mov	x20, #0
2:	ldrb	w2, [x0], #1
	add	x20, x20, x2
	subs	x1, x1, #1
	b.ne	2b
	adr	x0, msg_sum
	bl	puts
	mov	x0, x19
	bl	putdec
	adr	x0, msg_scalar
	bl	puts
	mov	x0, x20
	bl	putdec
	adr	x0, msg_nl
	bl	puts

	/* division by zero: no trap (FPCR.DZE = 0), a sticky flag instead */
	msr	fpsr, xzr
	fmov	d0, #1.0
	fmov	d1, xzr
	fdiv	d2, d0, d1
	mrs	x19, fpsr
	fmov	x20, d2
	adr	x0, msg_div
	bl	puts
	mov	x0, x20
	bl	puthex
	adr	x0, msg_fpsr
	bl	puts
	mov	x0, x19
	bl	puthex
	adr	x0, msg_nl
	bl	puts
	b	system_off
	.size	_start, .-_start

/* s0 = sum of a[i] * b[i], x0 = a, x1 = b, x2 = n (a multiple of 4) */
	.globl	dot_f32
	.type	dot_f32, %function
dot_f32:
	movi	v0.16b, #0
1:	ld1	{v1.4s}, [x0], #16
	ld1	{v2.4s}, [x1], #16
	fmla	v0.4s, v1.4s, v2.4s	/* 4 multiply-adds */
	subs	x2, x2, #4
	b.ne	1b
	faddp	v0.4s, v0.4s, v0.4s	/* 4 lanes -> 2 */
	faddp	s0, v0.2s		/* 2 -> 1 */
	ret
	.size	dot_f32, .-dot_f32

/* d0 = sqrt(2): x <- (x + 2/x) / 2, six times from x = 1 */
	.globl	sqrt2_newton
	.type	sqrt2_newton, %function
sqrt2_newton:
	fmov	d0, #1.0
	fmov	d1, #2.0
	fmov	d2, #0.5
	mov	x0, #6
1:	fdiv	d3, d1, d0
	fadd	d0, d0, d3
	fmul	d0, d0, d2
	subs	x0, x0, #1
	b.ne	1b
	ret
	.size	sqrt2_newton, .-sqrt2_newton

/* C = A * B, 4x4 float32, row-major: row i of C = sum_k A[i][k] * row k of B */
	.globl	matmul4
	.type	matmul4, %function
matmul4:
	ld1	{v4.4s, v5.4s, v6.4s, v7.4s}, [x1]
	mov	x3, #4
1:	ld1	{v0.4s}, [x0], #16
	fmul	v1.4s, v4.4s, v0.s[0]
	fmla	v1.4s, v5.4s, v0.s[1]
	fmla	v1.4s, v6.4s, v0.s[2]
	fmla	v1.4s, v7.4s, v0.s[3]
	st1	{v1.4s}, [x2], #16
	subs	x3, x3, #1
	b.ne	1b
	ret
	.size	matmul4, .-matmul4

/* Prints d0 (>= 0) with 9 decimals, truncated. */
	.type	putfixed9, %function
putfixed9:
	stp	x19, x20, [sp, #-32]!
	str	x30, [sp, #16]
	ldr	d1, billion
	fmul	d0, d0, d1
	fcvtzu	x19, d0
	ldr	x1, =1000000000
	udiv	x0, x19, x1
	msub	x19, x0, x1, x19	/* the fraction, in 1e-9 units */
	bl	putdec
	mov	x0, #'.'
	bl	putc
	ldr	x20, =100000000
1:	udiv	x0, x19, x20		/* each digit, leading zeros included */
	msub	x19, x0, x20, x19
	add	x0, x0, #'0'
	bl	putc
	mov	x1, #10
	udiv	x20, x20, x1
	cbnz	x20, 1b
	ldr	x30, [sp, #16]
	ldp	x19, x20, [sp], #32
	ret
	.size	putfixed9, .-putfixed9

/* Prints the four 32-bit lanes of v0 as "  [a, b, c, d]\n". */
	.type	print_row, %function
print_row:
	stp	x21, x30, [sp, #-16]!
	adr	x0, msg_row
	bl	puts
	umov	w0, v0.s[0]
	bl	putdec
	mov	x21, #1
1:	adr	x0, msg_comma
	bl	puts
	cmp	x21, #1			/* UMOV needs a constant lane */
	b.ne	2f
	umov	w0, v0.s[1]
	b	4f
2:	cmp	x21, #2
	b.ne	3f
	umov	w0, v0.s[2]
	b	4f
3:	umov	w0, v0.s[3]
4:	bl	putdec
	add	x21, x21, #1
	cmp	x21, #4
	b.lo	1b
	adr	x0, msg_row_end
	bl	puts
	ldp	x21, x30, [sp], #16
	ret
	.size	print_row, .-print_row

msg_start:	.asciz	"fpsimd: FP/SIMD enabled (CPACR_EL1.FPEN = 3)\n"
msg_dot:	.asciz	"dot(a, b) = "
msg_dot2:	.asciz	" (NEON FMLA on 4 float lanes)\n"
msg_newton:	.asciz	"sqrt(2): Newton "
msg_fsqrt:	.asciz	", FSQRT "
msg_ulps:	.asciz	" (FSQRT - Newton = "
msg_ulps2:	.asciz	" ulp)\n"
msg_matmul:	.asciz	"A * B (FMLA by element):\n"
msg_row:	.asciz	"  ["
msg_comma:	.asciz	", "
msg_row_end:	.asciz	"]\n"
msg_sum:	.asciz	"byte sum: UADDLV "
msg_scalar:	.asciz	", scalar loop "
msg_div:	.asciz	"1.0 / 0.0 = "
msg_fpsr:	.asciz	" (+inf), FPSR "
msg_nl:		.asciz	"\n"
	.balign	8
	.ltorg

	.section .rodata
	.balign	16
vec_a:	.float	1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16
vec_b:	.float	16, 15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1
mat_a:	.float	1, 2, 3, 4
	.float	5, 6, 7, 8
	.float	9, 10, 11, 12
	.float	13, 14, 15, 16
mat_b:	.float	0, 2, 0, 0		/* twice a cyclic permutation */
	.float	0, 0, 2, 0
	.float	0, 0, 0, 2
	.float	2, 0, 0, 0
billion: .double 1.0e9
text:	.ascii	"The quick brown fox jumps over the lazy dog, 0123456789 ABCDEFGH"

	.bss
	.balign	16
	.globl	mat_c
	.type	mat_c, %object
mat_c:	.space	64			/* the product, 4x4 float32 */
	.size	mat_c, 64
