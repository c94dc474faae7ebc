/*
 * exceptions.S - exception levels and vectors: a tiny kernel at EL1 and a
 * user program at EL0.
 *
 * The kernel installs a vector table (VBAR_EL1), turns on the MMU with an
 * identity map whose 4K pages decide who may touch what (the user program
 * gets one read-only/executable page for its code and one read-write page
 * for its stack; everything else is EL1 only), and drops to EL0 with ERET.
 * The user program makes system calls with SVC (the kernel ERETs back with
 * a result in x0), executes an undefined instruction, reads an unmapped
 * address (translation fault) and a kernel page (permission fault).  The
 * kernel reports each exception from ESR_EL1/FAR_EL1, skips the faulting
 * instruction, and powers off when the program calls exit.
 *
 * System calls (number in the SVC immediate):
 *   SVC #0  exit             SVC #2  print x0 in decimal
 *   SVC #1  print string x0  SVC #3  return the kernel's exception level
 */
#include "guestlib.inc"

#define PAGE		4096
#define DESC_TABLE	3			/* table (L1/L2) or page (L3) */
#define DESC_BLOCK	1			/* block (L1/L2) */
#define AF		(1 << 10)		/* access flag: set, no AF faults */
#define SH_INNER	(3 << 8)
#define ATTR_NORMAL	(0 << 2)		/* MAIR_EL1 attr0: normal write-back */
#define ATTR_DEVICE	(1 << 2)		/* MAIR_EL1 attr1: device nGnRE */
#define AP_EL1_RW	(0 << 6)
#define AP_ALL_RW	(1 << 6)
#define AP_ALL_RO	(3 << 6)
#define PXN		(1 << 53)		/* no execution at EL1 */
#define UXN		(1 << 54)		/* no execution at EL0 */

#define KERNEL_PAGE	(DESC_TABLE | AF | SH_INNER | ATTR_NORMAL | AP_EL1_RW | UXN)
#define USER_CODE_PAGE	(DESC_TABLE | AF | SH_INNER | ATTR_NORMAL | AP_ALL_RO | PXN)
#define USER_DATA_PAGE	(DESC_TABLE | AF | SH_INNER | ATTR_NORMAL | AP_ALL_RW | PXN | UXN)
#define RAM_BLOCK	(DESC_BLOCK | AF | SH_INNER | ATTR_NORMAL | AP_EL1_RW | PXN | UXN)
#define DEVICE_BLOCK	(DESC_BLOCK | AF | ATTR_DEVICE | AP_EL1_RW | PXN | UXN)

/* TCR_EL1: T0SZ = 25 (39-bit VAs: the walk starts at level 1), 4K
 * granule, write-back walks, inner shareable, TTBR1 walks disabled
 * (EPD1), 40-bit IPS. */
#define TCR_VALUE	(25 | (1 << 8) | (1 << 10) | (3 << 12) | (1 << 23) | (2 << 32))
#define MAIR_VALUE	0x04ff

	.text
	.globl	_start
	.type	_start, %function
_start:
	adr	x0, vectors
	msr	vbar_el1, x0
	adr	x0, msg_start
	bl	puts
	bl	build_tables
	bl	mmu_on
	adr	x0, msg_mmu
	bl	puts

	/* Drop to EL0: ERET "returns" to user_main with SPSR = EL0t. */
	adr	x0, user_stack + PAGE
	msr	sp_el0, x0
	adr	x0, user_main
	msr	elr_el1, x0
	msr	spsr_el1, xzr		/* M = EL0t, DAIF clear */
	eret
	.size	_start, .-_start

/* The identity map: L1[0] = 1 GiB of devices (the UART), L1[1] -> L2
 * for the RAM: L2[0] -> L3, 4K pages over the image (2 MiB), then
 * 2 MiB blocks for the rest of RAM (the kernel stack at its top). */
	.type	build_tables, %function
build_tables:
	adr	x0, l1_table
	ldr	x1, =DEVICE_BLOCK	/* output address 0 */
	str	x1, [x0]
	adr	x1, l2_table
	orr	x1, x1, #DESC_TABLE
	str	x1, [x0, #8]

	adr	x0, l2_table
	adr	x1, l3_table
	orr	x1, x1, #DESC_TABLE
	str	x1, [x0]
	ldr	x1, =RAM_BASE + (1 << 21) + RAM_BLOCK
	mov	x2, #1
1:	str	x1, [x0, x2, lsl #3]
	add	x1, x1, #(1 << 21)
	add	x2, x2, #1
	cmp	x2, #(RAM_SIZE >> 21)
	b.lo	1b

	adr	x0, l3_table		/* 512 pages from RAM_BASE */
	ldr	x1, =RAM_BASE
	adr	x4, user_code_start
	adr	x5, user_code_end
	adr	x6, user_stack
	mov	x2, #0
2:	ldr	x3, =KERNEL_PAGE
	cmp	x1, x4
	b.lo	3f
	cmp	x1, x5
	b.hs	3f
	ldr	x3, =USER_CODE_PAGE
3:	cmp	x1, x6
	b.ne	4f
	ldr	x3, =USER_DATA_PAGE
4:	orr	x3, x3, x1
	str	x3, [x0, x2, lsl #3]
	add	x1, x1, #PAGE
	add	x2, x2, #1
	cmp	x2, #512
	b.lo	2b
	dsb	ish			/* tables written before the walker uses them */
	ret
	.size	build_tables, .-build_tables

	.type	mmu_on, %function
mmu_on:
	ldr	x0, =MAIR_VALUE
	msr	mair_el1, x0
	ldr	x0, =TCR_VALUE
	msr	tcr_el1, x0
	adr	x0, l1_table
	msr	ttbr0_el1, x0
	isb
	tlbi	vmalle1
	dsb	nsh
	mrs	x0, sctlr_el1
	orr	x0, x0, #(1 << 0)	/* M: stage-1 translation on */
	orr	x0, x0, #(1 << 2)	/* C: data caching */
	orr	x0, x0, #(1 << 12)	/* I: instruction caching */
	msr	sctlr_el1, x0
	isb
	ret
	.size	mmu_on, .-mmu_on

/* ------------------------------------------------------------ vectors */

/* Saves x0-x30 on the EL1 stack: the frame is the user's registers, and
 * x0 in it is what the user sees after ERET. */
.macro	save_regs
	sub	sp, sp, #256
	stp	x0, x1, [sp, #0]
	stp	x2, x3, [sp, #16]
	stp	x4, x5, [sp, #32]
	stp	x6, x7, [sp, #48]
	stp	x8, x9, [sp, #64]
	stp	x10, x11, [sp, #80]
	stp	x12, x13, [sp, #96]
	stp	x14, x15, [sp, #112]
	stp	x16, x17, [sp, #128]
	stp	x18, x19, [sp, #144]
	stp	x20, x21, [sp, #160]
	stp	x22, x23, [sp, #176]
	stp	x24, x25, [sp, #192]
	stp	x26, x27, [sp, #208]
	stp	x28, x29, [sp, #224]
	str	x30, [sp, #240]
.endm

.macro	restore_regs_eret
	ldp	x0, x1, [sp, #0]
	ldp	x2, x3, [sp, #16]
	ldp	x4, x5, [sp, #32]
	ldp	x6, x7, [sp, #48]
	ldp	x8, x9, [sp, #64]
	ldp	x10, x11, [sp, #80]
	ldp	x12, x13, [sp, #96]
	ldp	x14, x15, [sp, #112]
	ldp	x16, x17, [sp, #128]
	ldp	x18, x19, [sp, #144]
	ldp	x20, x21, [sp, #160]
	ldp	x22, x23, [sp, #176]
	ldp	x24, x25, [sp, #192]
	ldp	x26, x27, [sp, #208]
	ldp	x28, x29, [sp, #224]
	ldr	x30, [sp, #240]
	add	sp, sp, #256
	eret
.endm

/* An entry we do not expect: x0 = its offset in the table. */
.macro	ventry_unexpected off
	.balign	128
	mov	x0, #\off
	b	unexpected
.endm

	.balign	2048
	.globl	vectors
vectors:
	ventry_unexpected 0x000		/* current EL with SP_EL0: sync */
	ventry_unexpected 0x080		/*   IRQ */
	ventry_unexpected 0x100		/*   FIQ */
	ventry_unexpected 0x180		/*   SError */
	ventry_unexpected 0x200		/* current EL with SP_ELx: sync */
	ventry_unexpected 0x280		/*   IRQ */
	ventry_unexpected 0x300		/*   FIQ */
	ventry_unexpected 0x380		/*   SError */
	.balign	128			/* lower EL, AArch64: sync */
	b	el0_sync
	ventry_unexpected 0x480		/*   IRQ */
	ventry_unexpected 0x500		/*   FIQ */
	ventry_unexpected 0x580		/*   SError */
	ventry_unexpected 0x600		/* lower EL, AArch32 */
	ventry_unexpected 0x680
	ventry_unexpected 0x700
	ventry_unexpected 0x780

/* A synchronous exception from EL0: dispatch on ESR_EL1.EC. */
	.globl	el0_sync
	.type	el0_sync, %function
el0_sync:
	save_regs
	mrs	x19, esr_el1
	lsr	x20, x19, #26		/* EC */
	cmp	x20, #0x15
	b.eq	do_svc
	cmp	x20, #0x00
	b.eq	do_undef
	cmp	x20, #0x24
	b.eq	do_dabort
	mov	x0, #0x400
	b	unexpected

/* SVC: ELR already points after the SVC; the number is ESR.ISS[15:0]. */
do_svc:
	adr	x1, svc_count
	ldr	x2, [x1]
	add	x2, x2, #1
	str	x2, [x1]
	and	x21, x19, #0xffff
	ldr	x0, [sp]		/* the user's x0: the argument */
	cmp	x21, #1
	b.eq	sys_print
	cmp	x21, #2
	b.eq	sys_print_dec
	cmp	x21, #3
	b.eq	sys_get_el
	cbz	x21, sys_exit
	mov	x0, #-1			/* unknown call: -1 */
	b	ret_x0
sys_print:
	bl	puts
	b	ret_void
sys_print_dec:
	bl	putdec
	b	ret_void
sys_get_el:
	mrs	x0, CurrentEL
	lsr	x0, x0, #2
	b	ret_x0
sys_exit:
	adr	x0, msg_exit
	bl	puts
	adr	x0, svc_count
	ldr	x0, [x0]
	bl	putdec
	adr	x0, msg_svcs
	bl	puts
	adr	x0, undef_count
	ldr	x0, [x0]
	bl	putdec
	adr	x0, msg_undefs
	bl	puts
	adr	x0, fault_count
	ldr	x0, [x0]
	bl	putdec
	adr	x0, msg_faults
	bl	puts
	b	system_off
ret_x0:
	str	x0, [sp]		/* becomes the user's x0 */
ret_void:
	restore_regs_eret

/* UNDEF: ELR points at the instruction; report it and skip it. */
do_undef:
	adr	x1, undef_count
	ldr	x2, [x1]
	add	x2, x2, #1
	str	x2, [x1]
	adr	x0, msg_undef
	bl	puts
	mrs	x1, elr_el1
	ldr	w0, [x1]		/* the instruction word (EL1 may read user code) */
	bl	puthex
	adr	x0, msg_skip
	bl	puts
	b	skip_insn

/* Data abort from EL0: DFSC = ESR[5:0] says which fault, at which level. */
do_dabort:
	adr	x1, fault_count
	ldr	x2, [x1]
	add	x2, x2, #1
	str	x2, [x1]
	adr	x0, msg_dabort
	bl	puts
	ubfx	x21, x19, #2, #4	/* DFSC[5:2]: fault type */
	adr	x0, msg_fault_other
	cmp	x21, #1
	b.ne	1f
	adr	x0, msg_translation
1:	cmp	x21, #3
	b.ne	2f
	adr	x0, msg_permission
2:	bl	puts
	and	x0, x19, #3		/* DFSC[1:0]: level */
	bl	putdec
	adr	x0, msg_far
	bl	puts
	mrs	x0, far_el1
	bl	puthex
	adr	x0, msg_skip
	bl	puts
skip_insn:
	mrs	x0, elr_el1
	add	x0, x0, #4
	msr	elr_el1, x0
	restore_regs_eret
	.size	el0_sync, .-el0_sync

/* Anything else: report and stop. */
	.type	unexpected, %function
unexpected:
	mov	x19, x0
	adr	x0, msg_unexpected
	bl	puts
	mov	x0, x19
	bl	puthex
	adr	x0, msg_esr
	bl	puts
	mrs	x0, esr_el1
	bl	puthex
	adr	x0, msg_elr
	bl	puts
	mrs	x0, elr_el1
	bl	puthex
	mov	x0, #'\n'
	bl	putc
	b	system_off
	.size	unexpected, .-unexpected

msg_start:	.asciz	"kernel: at EL1, vectors installed\n"
msg_mmu:	.asciz	"kernel: MMU on, dropping to EL0\n"
msg_undef:	.asciz	"kernel: undefined instruction "
msg_dabort:	.asciz	"kernel: data abort from EL0: "
msg_translation: .asciz	"translation fault, level "
msg_permission:	.asciz	"permission fault, level "
msg_fault_other: .asciz	"other fault, level "
msg_far:	.asciz	", FAR "
msg_skip:	.asciz	" - skipped\n"
msg_exit:	.asciz	"kernel: exit after "
msg_svcs:	.asciz	" SVCs, "
msg_undefs:	.asciz	" undefined instruction, "
msg_faults:	.asciz	" page faults\n"
msg_unexpected:	.asciz	"kernel: unexpected exception, vector offset "
msg_esr:	.asciz	" ESR "
msg_elr:	.asciz	" ELR "
	.balign	4
	.ltorg

/* ------------------------------------------------------- user program */

/* One page, read-only and executable at EL0 (data it needs included). */
	.balign	PAGE
user_code_start:
	.globl	user_main
	.type	user_main, %function
user_main:
	adr	x0, u_hello
	svc	#1
	svc	#3			/* x0 = the kernel's EL */
	mov	x19, x0
	adr	x0, u_el
	svc	#1
	mov	x0, x19
	svc	#2
	adr	x0, u_undef
	svc	#1
	.globl	user_udf
user_udf:
	udf	#0x1234			/* UNDEFINED: EC 0 to the kernel */
	adr	x0, u_unmapped
	svc	#1
	mov	x1, #0x80000000		/* beyond RAM: no L1 entry */
	.globl	user_load_unmapped
user_load_unmapped:
	ldr	x2, [x1]
	adr	x0, u_kernel
	svc	#1
	mov	x1, #RAM_BASE		/* the kernel's first page: EL1 only */
	.globl	user_load_kernel
user_load_kernel:
	ldr	x2, [x1]
	adr	x0, u_done
	svc	#1
	svc	#0			/* exit: does not return */
	b	.
	.size	user_main, .-user_main

u_hello:	.asciz	"user: hello from EL0 (printed by SVC #1)\n"
u_el:		.asciz	"user: SVC #3 says the kernel runs at EL"
u_undef:	.asciz	"\nuser: executing UDF #0x1234\n"
u_unmapped:	.asciz	"user: reading 0x80000000 (unmapped)\n"
u_kernel:	.asciz	"user: reading 0x40000000 (kernel memory)\n"
u_done:		.asciz	"user: done, exit\n"
	.balign	PAGE
user_code_end:


	.data
	.balign	8
svc_count:	.quad	0
undef_count:	.quad	0
fault_count:	.quad	0

	.bss
	.balign	PAGE
l1_table:	.space	PAGE
l2_table:	.space	PAGE
l3_table:	.space	PAGE
user_stack:	.space	PAGE		/* the user's read-write page */
