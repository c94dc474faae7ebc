/*
 * guest_asm.h - layout shared by the guest snippets (tests/guests/*.S);
 * see tests/support/guest.h.  Binaries are linked at 0 and loaded at
 * GUEST_RAM_IPA, so snippets use PC-relative addressing only.
 */
#ifndef TESTS_GUEST_ASM_H
#define TESTS_GUEST_ASM_H

#define VEC_OFFSET 0x800
#define CODE_OFFSET 0x1000

/* Vector entry k: report to the host with HVC #(0xF000 + k). */
.macro vent k
	.balign 128
	hvc	#(0xF000 + \k)
.endm

/* The whole table at VEC_OFFSET, every entry reporting; code follows at
 * CODE_OFFSET. */
.macro default_vectors
	.org	VEC_OFFSET
	.irp	k, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15
	vent	\k
	.endr
	.org	CODE_OFFSET
.endm

#endif
