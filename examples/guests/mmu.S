/*
 * mmu.S - turns the MMU on with static page tables (4 KiB granule,
 * 39-bit VAs, TTBR0 only) so the REPL's `pagewalk` has levels to show:
 *   VA 0x00000000-0x3fffffff  L1 block -> same IPA, Device (the UART)
 *   VA 0x40000000-0x401fffff  L1 table -> L2 table -> L3 pages, Normal
 *   VA 0x40200000-0x7fffffff  L2 blocks (2 MiB), Normal (stack at the top)
 *   VA 0x80000000-0xbfffffff  L1 block -> IPA 0x40000000 (an alias of RAM)
 *   VA 0xc0000000-            unmapped
 * Then prints through the UART, reads `magic` through the alias, and
 * powers off.
 *
 *   aarch64-linux-gnu-gcc -g -nostdlib -static -Wl,-Ttext=0x40000000 -o mmu.elf mmu.S
 */
#define UART 0x09000000
#define PSCI_SYSTEM_OFF 0x84000008
#define NORMAL_BLOCK 0x701	/* valid block, AttrIndx 0, inner shareable, AF */
#define NORMAL_PAGE 0x703	/* the same as a level-3 page */
#define DEVICE_BLOCK 0x405	/* AttrIndx 1 (Device-nGnRnE), AF */
#define TABLE 0x3

	.text
	.globl	_start
	.type	_start, %function
_start:
	ldr	x0, =0x00ff		/* attr0 Normal WB, attr1 Device-nGnRnE */
	msr	mair_el1, x0
	/* T0SZ 25, IRGN0/ORGN0 WB, SH0 inner, TG0 4K, EPD1, IPS 40 bits */
	ldr	x0, =(25 | (1 << 8) | (1 << 10) | (3 << 12) | (1 << 23) | (2 << 32))
	msr	tcr_el1, x0
	adr	x0, l1_table
	msr	ttbr0_el1, x0
	isb
	mrs	x0, sctlr_el1
	orr	x0, x0, #1		/* M */
	orr	x0, x0, #(1 << 2)	/* C */
	orr	x0, x0, #(1 << 12)	/* I */
	.globl	mmu_enable
mmu_enable:
	msr	sctlr_el1, x0
	isb
	.globl	mmu_on
mmu_on:
	ldr	x1, =UART
	adr	x2, msg
1:	ldrb	w3, [x2], #1
	cbz	w3, 2f
	strb	w3, [x1]
	b	1b
2:	adr	x4, magic
	mov	x6, #0x40000000
	add	x4, x4, x6		/* the same bytes through the alias at 0x80000000 */
	ldr	x5, [x4]
	.globl	done
done:
	ldr	x0, =PSCI_SYSTEM_OFF
	hvc	#0
	b	.
	.size	_start, .-_start

	.section .rodata
msg:	.asciz	"mmu on\n"
	.balign	8
	.globl	magic
magic:	.quad	0x1122334455667788

	.data
	.balign	4096
	.globl	l1_table
l1_table:
	.quad	0x00000000 + DEVICE_BLOCK
	.quad	l2_table + TABLE
	.quad	0x40000000 + NORMAL_BLOCK
	.fill	509, 8, 0
	.globl	l2_table
l2_table:
	.quad	l3_table + TABLE
	.set	i, 1
	.rept	511
	.quad	0x40000000 + i * 0x200000 + NORMAL_BLOCK
	.set	i, i + 1
	.endr
	.globl	l3_table
l3_table:
	.set	i, 0
	.rept	512
	.quad	0x40000000 + i * 0x1000 + NORMAL_PAGE
	.set	i, i + 1
	.endr
