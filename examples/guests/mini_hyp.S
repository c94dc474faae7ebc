/*
 * mini_hyp.S - your own hypervisor: a guest that starts at EL2
 * (hvdbg --el2) and runs a guest of its own at EL1.
 *
 * The hypervisor builds a stage-2 translation for its guest (RAM mapped
 * 1:1, the UART left out on purpose), installs its vectors (VBAR_EL2),
 * sets HCR_EL2 (VM: stage 2 on; IMO/FMO: interrupts are the
 * hypervisor's, the guest gets virtual ones; RW: EL1 is AArch64) and
 * ERETs to the guest.  Then it serves what the guest cannot do alone:
 *
 *   HVC #1  a hypercall: returns 42 in x0
 *   HVC #2  asks for a virtual interrupt: list register 0 gets vINTID 48
 *   HVC #0  the guest is done: the hypervisor powers off
 *   a store to the UART: a stage-2 fault (the IPA is not mapped), which
 *           the hypervisor emulates from ESR_EL2 (the register and the
 *           size) and HPFAR_EL2/FAR_EL2 (the address) - an MMIO trap,
 *           exactly what hvdbg's machine does one level up.
 *
 * The guest prints through the same puts as every example guest; it
 * does not know its UART is emulated by the hypervisor.  Everything the
 * hypervisor itself prints goes to the real (the machine's) UART.
 */
#include "guestlib.inc"

/* Stage 2 (VTCR_EL2): 4K granule, T0SZ = 32 (4 GiB of IPA), start at
 * level 1 (SL0 = 1), inner/outer write-back, inner shareable, PS 32 bits. */
#define VTCR		(32 | 1 << 6 | 1 << 8 | 1 << 10 | 3 << 12 | 1 << 31)
/* A level-1 block: 1 GiB, AF, inner shareable, S2AP read/write,
 * MemAttr normal write-back. */
#define S2_BLOCK_RW	(1 | 1 << 10 | 3 << 8 | 3 << 6 | 0xf << 2)
/* HCR_EL2: VM, FMO, IMO, RW. */
#define HCR		(1 << 0 | 1 << 3 | 1 << 4 | 1 << 31)
#define SPSR_EL1H	0x3c5		/* EL1h, DAIF masked */
#define EC_HVC		0x16
#define EC_DABT_LOWER	0x24

/* GIC virtual CPU interface (ICH_*_EL2) and what the guest uses of its
 * CPU interface (ICC_*_EL1, the ICV registers under IMO). */
#define ICH_HCR_EL2	S3_4_C12_C11_0
#define ICH_VMCR_EL2	S3_4_C12_C11_7
#define ICH_LR0_EL2	S3_4_C12_C12_0
#define ICC_IAR1_EL1	S3_0_C12_C12_0
#define ICC_EOIR1_EL1	S3_0_C12_C12_1
#define ICC_IGRPEN1_EL1	S3_0_C12_C12_7
#define VINTID		48
/* List register: state pending (62), group 1 (60), priority 0xa0, vINTID. */
#define LR_PENDING_G1	(1 << 62 | 1 << 60 | 0xa0 << 48 | VINTID)

	.text
	.globl	_start
_start:					/* EL2h, MMU off, SP_EL2 set by the machine */
	adr	x0, hyp_vectors
	msr	vbar_el2, x0
	adr	x0, msg_hyp_start
	bl	puts

	/* Stage 2: IPA 0x40000000.. -> PA 0x40000000.. (RAM), nothing else. */
	adr	x0, s2_level1
	ldr	x1, =(RAM_BASE | S2_BLOCK_RW)
	str	x1, [x0, #8]		/* entry 1: IPA [1 GiB, 2 GiB) */
	msr	vttbr_el2, x0		/* VMID 0 */
	ldr	x1, =VTCR
	msr	vtcr_el2, x1

	/* The virtual CPU interface: enabled, priority mask open. */
	mov	x1, #1
	msr	ICH_HCR_EL2, x1
	ldr	x1, =(0xf8 << 24)	/* VPMR */
	msr	ICH_VMCR_EL2, x1

	ldr	x1, =HCR
	msr	hcr_el2, x1
	isb

	/* Into the guest: ELR_EL2, SPSR_EL2, its stack, ERET. */
	adr	x0, guest_main
	msr	elr_el2, x0
	mov	x0, #SPSR_EL1H
	msr	spsr_el2, x0
	adr	x0, guest_stack_top
	msr	sp_el1, x0
	adr	x0, msg_hyp_eret
	bl	puts
	eret

/* ------------------------------------------------------------------ */
/* The hypervisor's vectors: only "lower EL, AArch64, synchronous" is
 * expected; anything else is reported and ends the run. */
	.balign	2048
hyp_vectors:
	.rept	8
	.balign	128
	b	hyp_unexpected
	.endr
	.balign	128			/* 0x400: lower EL, synchronous */
	b	hyp_sync
	.rept	7
	.balign	128
	b	hyp_unexpected
	.endr

/* Guest registers x0-x30 are saved on the EL2 stack: x<n> at [sp, 8n]. */
hyp_sync:
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
	mrs	x19, esr_el2
	lsr	x20, x19, #26		/* exception class */
	cmp	x20, #EC_HVC
	b.eq	hyp_hvc
	cmp	x20, #EC_DABT_LOWER
	b.eq	hyp_mmio
	b	hyp_unexpected

/* HVC #imm: ELR_EL2 already points after the HVC. */
hyp_hvc:
	and	x21, x19, #0xffff	/* the immediate */
	cmp	x21, #1
	b.eq	hvc_number
	cmp	x21, #2
	b.eq	hvc_interrupt
	cbz	x21, hvc_done
	b	hyp_unexpected
hvc_number:
	adr	x0, msg_hyp_hvc1
	bl	puts
	mov	x0, #42
	str	x0, [sp, #0]		/* the guest's x0 */
	b	hyp_return
hvc_interrupt:
	adr	x0, msg_hyp_inject
	bl	puts
	ldr	x0, =LR_PENDING_G1
	msr	ICH_LR0_EL2, x0		/* the guest takes it once it unmasks IRQs */
	b	hyp_return
hvc_done:
	adr	x0, msg_hyp_done
	bl	puts
	adr	x0, mmio_count
	ldr	x0, [x0]
	bl	putdec
	adr	x0, msg_hyp_off
	bl	puts
	bl	system_off		/* HVC at EL2: to the host, PSCI SYSTEM_OFF */

/* A data abort from the guest: is it a store to the UART, with a
 * syndrome (ISV) that names the register?  Then do the store for it. */
hyp_mmio:
	tbz	x19, #24, hyp_unexpected	/* ISV: no syndrome, cannot emulate */
	tbz	x19, #6, hyp_unexpected		/* WnR: only stores are served */
	mrs	x0, hpfar_el2			/* IPA[47:12] in bits [39:4] */
	lsl	x0, x0, #8
	and	x0, x0, #0xfffffffff000
	mrs	x1, far_el2
	and	x1, x1, #0xfff
	orr	x0, x0, x1			/* the faulting IPA */
	ldr	x1, =UART_PHYS
	cmp	x0, x1
	b.ne	hyp_unexpected
	ubfx	x2, x19, #16, #5		/* SRT: the register stored */
	mov	x3, #0
	cmp	x2, #31				/* xzr */
	b.eq	1f
	ldr	x3, [sp, x2, lsl #3]
1:	strb	w3, [x1]			/* the real UART (an exit to the host) */
	adr	x0, mmio_count
	ldr	x1, [x0]
	add	x1, x1, #1
	str	x1, [x0]
	mrs	x0, elr_el2			/* skip the emulated store */
	add	x0, x0, #4
	msr	elr_el2, x0
	b	hyp_return

hyp_return:
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

hyp_unexpected:
	adr	x0, msg_hyp_unexpected
	bl	puts
	mrs	x0, esr_el2
	bl	puthex
	mov	w0, #'\n'
	bl	putc
	bl	system_off

/* ------------------------------------------------------------------ */
/* The guest, at EL1 under the hypervisor. */
guest_main:
	adr	x0, msg_guest_hello
	bl	puts			/* every character: a trap to EL2 */
	mov	x0, #0
	hvc	#1			/* a hypercall */
	mov	x19, x0
	adr	x0, msg_guest_number
	bl	puts
	mov	x0, x19
	bl	putdec
	mov	w0, #'\n'
	bl	putc

	adr	x0, guest_vectors
	msr	vbar_el1, x0
	mov	x0, #1
	msr	ICC_IGRPEN1_EL1, x0	/* ICV_IGRPEN1: virtual group 1 on */
	hvc	#2			/* "please interrupt me" */
	msr	daifclr, #2		/* IRQs unmasked: the virtual IRQ comes */
	isb
guest_after_irq:
	adr	x0, msg_guest_done
	bl	puts
	hvc	#0
	b	.

guest_irq:
	stp	x19, x30, [sp, #-16]!
	mrs	x19, ICC_IAR1_EL1	/* ICV_IAR1: acknowledge -> vINTID */
	adr	x0, msg_guest_irq
	bl	puts
	mov	x0, x19
	bl	putdec
	mov	w0, #'\n'
	bl	putc
	msr	ICC_EOIR1_EL1, x19	/* ICV_EOIR1: done */
	ldp	x19, x30, [sp], #16
	eret

	.balign	2048
guest_vectors:
	.rept	5
	.balign	128
	b	.
	.endr
	.balign	128			/* 0x280: current EL with SP_EL1, IRQ */
	b	guest_irq
	.rept	10
	.balign	128
	b	.
	.endr

msg_hyp_start:	.asciz	"hyp: at EL2, building stage 2 for the guest\n"
msg_hyp_eret:	.asciz	"hyp: ERET to the guest at EL1\n"
msg_hyp_hvc1:	.asciz	"hyp: HVC #1 from the guest, answering 42\n"
msg_hyp_inject:	.asciz	"hyp: HVC #2, injecting virtual interrupt 48 (ICH_LR0_EL2)\n"
msg_hyp_done:	.asciz	"hyp: HVC #0, the guest is done; UART stores emulated: "
msg_hyp_off:	.asciz	"\nhyp: powering off\n"
msg_hyp_unexpected: .asciz "hyp: unexpected exception, ESR_EL2 "
msg_guest_hello: .asciz	"guest: hello from EL1, my UART is emulated at EL2\n"
msg_guest_number: .asciz "guest: the hypervisor's number is "
msg_guest_irq:	.asciz	"guest: virtual interrupt "
msg_guest_done:	.asciz	"guest: done\n"
	.balign	4
	.ltorg

	.data
	.balign	8
mmio_count:	.quad	0
	.balign	4096
s2_level1:	.fill	512, 8, 0	/* the guest's stage-2 level-1 table */
	.balign	16
	.fill	4096, 1, 0
guest_stack_top:
