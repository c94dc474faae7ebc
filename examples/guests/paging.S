/*
 * paging.S - stage-1 translation by hand: 4K-granule page tables for both
 * halves of the address space, the MMU turned on, and a permission fault
 * the guest handles itself.
 *
 *   TTBR0 (VAs 0 .. 2^39): RAM identity-mapped.  The first 2 MiB (the
 *         image) through a level-3 table of 4K pages: the code read-only
 *         and executable, `ro_page` read-only, the rest read-write and
 *         execute-never; the rest of RAM with 2 MiB blocks.  The UART is
 *         deliberately not mapped here.
 *   TTBR1 (VAs 0xffffff80_00000000 .. top): one 4K page, the UART at
 *         UART_VA = 0xffffff80_09000000 (three levels: L1, L2, L3).
 *
 * After the MMU is on the guest prints through UART_VA, then writes to a
 * read-only page: the permission fault (EC 0x25, DFSC 0x0f) comes to its
 * own vector, which makes the page writable, invalidates the TLB entry and
 * returns to the store, which now succeeds.
 */
#include "guestlib.inc"

#define PAGE		4096
#define DESC_TABLE	3
#define DESC_PAGE	3
#define DESC_BLOCK	1
#define AF		(1 << 10)
#define SH_INNER	(3 << 8)
#define ATTR_NORMAL	(0 << 2)
#define ATTR_DEVICE	(1 << 2)
#define AP_RO		(2 << 6)		/* EL1 read-only (AP[2] = 1) */
#define PXN		(1 << 53)
#define UXN		(1 << 54)

#define CODE_PAGE	(DESC_PAGE | AF | SH_INNER | ATTR_NORMAL | AP_RO | UXN)
#define RO_PAGE		(DESC_PAGE | AF | SH_INNER | ATTR_NORMAL | AP_RO | PXN | UXN)
#define DATA_PAGE	(DESC_PAGE | AF | SH_INNER | ATTR_NORMAL | PXN | UXN)
#define DATA_BLOCK	(DESC_BLOCK | AF | SH_INNER | ATTR_NORMAL | PXN | UXN)
#define DEVICE_PAGE	(DESC_PAGE | AF | ATTR_DEVICE | PXN | UXN)

#define UART_VA		0xffffff8009000000

/* TCR_EL1: T0SZ = T1SZ = 25 (39-bit VAs, walks start at level 1),
 * TG0 = 4K (0b00), TG1 = 4K (0b10), write-back inner-shareable walks,
 * IPS = 40 bits. */
#define TCR_VALUE	(25 | (1 << 8) | (1 << 10) | (3 << 12) | \
			 (25 << 16) | (1 << 24) | (1 << 26) | (3 << 28) | (2 << 30) | \
			 (2 << 32))
#define MAIR_VALUE	0x04ff			/* attr0 normal WB, attr1 device nGnRE */

	.text
	.globl	_start
	.type	_start, %function
_start:
	adr	x0, vectors
	msr	vbar_el1, x0
	adr	x0, msg_off
	bl	puts
	ldr	x0, =UART_PHYS
	bl	puthex
	mov	x0, #'\n'
	bl	putc

	bl	build_ttbr0
	bl	build_ttbr1
	.globl	mmu_on
mmu_on:
	ldr	x0, =MAIR_VALUE
	msr	mair_el1, x0
	ldr	x0, =TCR_VALUE
	msr	tcr_el1, x0
	adr	x0, l1_low
	msr	ttbr0_el1, x0
	adr	x0, l1_high
	msr	ttbr1_el1, x0
	isb
	tlbi	vmalle1
	dsb	nsh
	mrs	x0, sctlr_el1
	orr	x0, x0, #(1 << 0)	/* M */
	orr	x0, x0, #(1 << 2)	/* C */
	orr	x0, x0, #(1 << 12)	/* I */
	msr	sctlr_el1, x0
	isb
	.globl	mmu_is_on
mmu_is_on:
	/* The identity map has no UART: switch the print routines to UART_VA. */
	adr	x1, uart_addr
	ldr	x0, =UART_VA
	str	x0, [x1]
	adr	x0, msg_on
	bl	puts
	ldr	x0, =UART_VA
	bl	puthex
	mov	x0, #'\n'
	bl	putc

	/* Write to a read-only page: the fault handler lets it through. */
	adr	x19, ro_value
	adr	x0, msg_ro
	bl	puts
	ldr	x0, [x19]
	bl	puthex
	adr	x0, msg_writing
	bl	puts
	mov	x20, #0x2222
	.globl	ro_store
ro_store:
	str	x20, [x19]		/* permission fault, then retried */
	adr	x0, msg_now
	bl	puts
	ldr	x0, [x19]
	bl	puthex
	adr	x0, msg_faults
	bl	puts
	adr	x0, fault_count
	ldr	x0, [x0]
	bl	putdec
	mov	x0, #'\n'
	bl	putc
	b	system_off
	.size	_start, .-_start

/* TTBR0: L1[1] -> L2 (RAM), L2[0] -> L3 (the image, 4K pages). */
	.type	build_ttbr0, %function
build_ttbr0:
	adr	x0, l1_low
	adr	x1, l2_low
	orr	x1, x1, #DESC_TABLE
	str	x1, [x0, #(RAM_BASE >> 30) * 8]

	adr	x0, l2_low
	adr	x1, l3_low
	orr	x1, x1, #DESC_TABLE
	str	x1, [x0]
	ldr	x1, =RAM_BASE + (1 << 21) + DATA_BLOCK
	mov	x2, #1
1:	str	x1, [x0, x2, lsl #3]
	add	x1, x1, #(1 << 21)
	add	x2, x2, #1
	cmp	x2, #(RAM_SIZE >> 21)
	b.lo	1b

	adr	x0, l3_low
	ldr	x1, =RAM_BASE		/* the VA (= PA) of page x2 */
	adr	x4, __etext		/* the linker's end of code (guestlib's included) */
	adr	x5, ro_page
	mov	x2, #0
2:	ldr	x3, =DATA_PAGE
	cmp	x1, x4
	b.hs	3f
	ldr	x3, =CODE_PAGE
3:	cmp	x1, x5
	b.ne	4f
	ldr	x3, =RO_PAGE
4:	orr	x3, x3, x1
	str	x3, [x0, x2, lsl #3]
	add	x1, x1, #PAGE
	add	x2, x2, #1
	cmp	x2, #512
	b.lo	2b
	dsb	ish
	ret
	.size	build_ttbr0, .-build_ttbr0

/* TTBR1: UART_VA -> L1[0] -> L2[72] -> L3[0] = the UART's page. */
	.type	build_ttbr1, %function
build_ttbr1:
	adr	x0, l1_high
	adr	x1, l2_high
	orr	x1, x1, #DESC_TABLE
	str	x1, [x0, #((UART_VA >> 30) & 511) * 8]
	adr	x0, l2_high
	adr	x1, l3_high
	orr	x1, x1, #DESC_TABLE
	str	x1, [x0, #((UART_VA >> 21) & 511) * 8]
	adr	x0, l3_high
	ldr	x1, =UART_PHYS + DEVICE_PAGE
	str	x1, [x0, #((UART_VA >> 12) & 511) * 8]
	dsb	ish
	ret
	.size	build_ttbr1, .-build_ttbr1

/* ------------------------------------------------------------ vectors */

	.balign	2048
	.globl	vectors
vectors:
	.balign	128			/* 0x000 current EL, SP_EL0: sync */
	b	unexpected
	.balign	128
	b	unexpected
	.balign	128
	b	unexpected
	.balign	128
	b	unexpected
	.balign	128			/* 0x200 current EL, SP_ELx: sync */
	b	el1_sync
	.balign	128
	b	unexpected
	.balign	128
	b	unexpected
	.balign	128
	b	unexpected
	.rept	8			/* 0x400-0x780: lower ELs */
	.balign	128
	b	unexpected
	.endr

/* A permission fault on ro_page: make it writable and retry the access. */
	.globl	el1_sync
	.type	el1_sync, %function
el1_sync:
	sub	sp, sp, #64
	stp	x0, x1, [sp]
	stp	x2, x3, [sp, #16]
	stp	x4, x5, [sp, #32]
	stp	x19, x30, [sp, #48]
	mrs	x19, esr_el1
	lsr	x0, x19, #26
	cmp	x0, #0x25		/* data abort, same EL */
	b.ne	unexpected
	and	x0, x19, #0x3c
	cmp	x0, #0x0c		/* DFSC 0b0011xx: permission fault */
	b.ne	unexpected
	mrs	x0, far_el1
	adr	x1, ro_page
	bic	x2, x0, #(PAGE - 1)
	cmp	x2, x1
	b.ne	unexpected

	adr	x0, fault_count
	ldr	x1, [x0]
	add	x1, x1, #1
	str	x1, [x0]
	adr	x0, msg_fault
	bl	puts
	and	x0, x19, #3
	bl	putdec
	adr	x0, msg_fault_write
	bl	puts
	mrs	x0, far_el1
	bl	puthex
	adr	x0, msg_fault_fix
	bl	puts

	/* L3 entry of the page: clear AP[2] (bit 7), then drop the stale
	 * TLB entry: TLBI VAE1 takes VA[55:12]. */
	mrs	x0, far_el1
	ldr	x1, =RAM_BASE
	sub	x1, x0, x1
	lsr	x1, x1, #12
	adr	x2, l3_low
	ldr	x3, [x2, x1, lsl #3]
	bic	x3, x3, #(1 << 7)
	str	x3, [x2, x1, lsl #3]
	dsb	ishst
	lsr	x0, x0, #12
	tlbi	vae1, x0
	dsb	ish
	isb
	ldp	x0, x1, [sp]
	ldp	x2, x3, [sp, #16]
	ldp	x4, x5, [sp, #32]
	ldp	x19, x30, [sp, #48]
	add	sp, sp, #64
	eret				/* ELR = the store: it runs again */
	.size	el1_sync, .-el1_sync

	.type	unexpected, %function
unexpected:
	adr	x0, msg_unexpected
	bl	puts
	mrs	x0, esr_el1
	bl	puthex
	adr	x0, msg_far
	bl	puts
	mrs	x0, far_el1
	bl	puthex
	adr	x0, msg_elr
	bl	puts
	mrs	x0, elr_el1
	bl	puthex
	mov	x0, #'\n'
	bl	putc
	b	system_off
	.size	unexpected, .-unexpected

msg_off:	.asciz	"paging: MMU off, UART at its physical address "
msg_on:		.asciz	"paging: MMU on (TTBR0: RAM, TTBR1: UART), UART at "
msg_ro:		.asciz	"paging: ro_value = "
msg_writing:	.asciz	" in a read-only page, writing 0x2222\n"
msg_fault:	.asciz	"fault: permission fault, level "
msg_fault_write: .asciz	", FAR "
msg_fault_fix:	.asciz	": page made writable, retrying\n"
msg_now:	.asciz	"paging: ro_value = "
msg_faults:	.asciz	" after the retry; permission faults handled: "
msg_unexpected:	.asciz	"unexpected exception: ESR "
msg_far:	.asciz	" FAR "
msg_elr:	.asciz	" ELR "
	.balign	4
	.ltorg

	.data
	.balign	8
fault_count:	.quad	0
	.balign	PAGE
	.globl	ro_page
ro_page:				/* a page the tables make read-only */
	.globl	ro_value
	.type	ro_value, %object
ro_value:	.quad	0x1111
	.size	ro_value, 8
	.balign	PAGE

	.bss
	.balign	PAGE
l1_low:		.space	PAGE
l2_low:		.space	PAGE
l3_low:		.space	PAGE
l1_high:	.space	PAGE
l2_high:	.space	PAGE
l3_high:	.space	PAGE
