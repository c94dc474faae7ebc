/*
 * smp.S - several vCPUs: brought up with PSCI CPU_ON, synchronised with
 * load/store exclusives and LSE atomics.  Run with more than one vCPU
 * (hvdbg --smp 4).
 *
 * CPU 0 builds an identity map (two 1 GiB blocks: devices, RAM as normal
 * cacheable memory - exclusives need it) and starts CPU 1, 2, ... with
 * CPU_ON(target MPIDR, entry, context id = the CPU's number) until PSCI
 * answers INVALID_PARAMETERS (no such CPU).  Every CPU then
 *   1. adds 1 to a shared counter ITERS times with LDAXR/STLXR and ITERS
 *      times with the LSE atomic LDADDAL, all at once (contention);
 *   2. waits at a barrier (an atomic arrival count);
 *   3. waits for its turn (`turn` == its number, read with LDAR), prints a
 *      line and passes the turn on with STLR, then turns itself off
 *      (PSCI CPU_OFF).
 * CPU 0, last, checks both counters and powers the machine off.
 * The spin loops wait with WFE; every store that ends a wait is followed
 * by SEV.
 */
#include "guestlib.inc"

	.arch	armv8.1-a		/* LSE atomics (LDADDAL) */

#define MAX_CPUS	8
#define ITERS		1000
#define PSCI_INVALID	(-2)

#define RAM_BLOCK	((RAM_BASE) | 1 | (1 << 10) | (3 << 8) | (0 << 2))
#define DEVICE_BLOCK	(0 | 1 | (1 << 10) | (1 << 2) | (1 << 53) | (1 << 54))
#define TCR_VALUE	(25 | (1 << 8) | (1 << 10) | (3 << 12) | (1 << 23) | (2 << 32))

	.text
	.globl	_start
	.type	_start, %function
_start:
	adr	x0, l1_table		/* two 1 GiB blocks: enough here */
	ldr	x1, =DEVICE_BLOCK
	str	x1, [x0]
	ldr	x1, =RAM_BLOCK
	str	x1, [x0, #8]
	dsb	ish
	bl	mmu_on
	adr	x0, msg_boot
	bl	puts

	mov	x20, #1
	.globl	start_cpus
start_cpus:
	ldr	x0, =PSCI_CPU_ON
	mov	x1, x20			/* target MPIDR: Aff0 = n */
	adr	x2, secondary		/* where it starts, at EL1, MMU off */
	mov	x3, x20			/* context id: its x0 */
	hvc	#0
	cbnz	x0, 1f			/* INVALID_PARAMETERS: no CPU n */
	add	x20, x20, #1
	cmp	x20, #MAX_CPUS
	b.lo	start_cpus
1:	adr	x0, msg_ncpus
	bl	puts
	mov	x0, x20
	bl	putdec
	adr	x0, msg_nl
	bl	puts
	adr	x1, ncpus
	stlr	x20, [x1]		/* releases the secondaries */
	sev
	mov	x19, #0
	b	common
	.size	_start, .-_start

/* A secondary CPU: x0 = its number (the CPU_ON context id). */
	.globl	secondary
	.type	secondary, %function
secondary:
	mov	x19, x0
	bl	mmu_on			/* the tables CPU 0 built */
	adr	x1, ncpus
1:	ldar	x20, [x1]		/* wait until CPU 0 has started everyone */
	cbnz	x20, common
	wfe
	b	1b
	.size	secondary, .-secondary

/* Every CPU: x19 = its number, x20 = the number of CPUs. */
	.globl	common
	.type	common, %function
common:
	adr	x1, counter_excl
	adr	x2, counter_lse
	mov	x3, #ITERS
	mov	x5, #1
	.globl	add_loop
add_loop:
	ldaxr	x4, [x1]		/* exclusive monitor armed */
	add	x4, x4, #1
	stlxr	w6, x4, [x1]		/* fails (w6 = 1) if another CPU wrote */
	cbnz	w6, add_loop
	ldaddal	x5, x4, [x2]		/* one atomic instruction */
	subs	x3, x3, #1
	b.ne	add_loop

	adr	x1, arrived		/* barrier */
	mov	x5, #1
	ldaddal	x5, x4, [x1]
	sev
1:	ldar	x4, [x1]
	cmp	x4, x20
	b.hs	2f
	wfe
	b	1b

2:	adr	x1, turn		/* wait for turn == x19 */
3:	ldar	x4, [x1]
	cmp	x4, x19
	b.eq	4f
	wfe
	b	3b
	.globl	my_turn
my_turn:
4:	adr	x0, msg_cpu
	bl	puts
	mov	x0, x19
	bl	putdec
	adr	x0, msg_turn
	bl	puts
	mrs	x0, mpidr_el1
	bl	puthex
	adr	x0, msg_nl
	bl	puts
	add	x4, x19, #1
	adr	x1, turn
	stlr	x4, [x1]		/* the next CPU's turn */
	sev
	cbz	x19, last
	ldr	x0, =PSCI_CPU_OFF
	hvc	#0
	b	.			/* not reached */

last:	/* CPU 0: everyone has printed once it sees turn == ncpus */
	adr	x1, turn
5:	ldar	x4, [x1]
	cmp	x4, x20
	b.eq	6f
	wfe
	b	5b
6:	adr	x0, msg_excl
	bl	puts
	adr	x0, counter_excl
	ldr	x0, [x0]
	bl	putdec
	adr	x0, msg_lse
	bl	puts
	adr	x0, counter_lse
	ldr	x0, [x0]
	bl	putdec
	adr	x0, msg_expected
	bl	puts
	mov	x0, #ITERS
	mul	x0, x0, x20
	bl	putdec
	adr	x0, msg_nl
	bl	puts
	b	system_off
	.size	common, .-common

	.type	mmu_on, %function
mmu_on:
	ldr	x0, =0x04ff		/* MAIR: attr0 normal WB, attr1 device */
	msr	mair_el1, x0
	ldr	x0, =TCR_VALUE
	msr	tcr_el1, x0
	adr	x0, l1_table
	msr	ttbr0_el1, x0
	isb
	tlbi	vmalle1
	dsb	nsh
	mrs	x0, sctlr_el1
	orr	x0, x0, #(1 << 0)
	orr	x0, x0, #(1 << 2)
	orr	x0, x0, #(1 << 12)
	msr	sctlr_el1, x0
	isb
	ret
	.size	mmu_on, .-mmu_on

msg_boot:	.asciz	"smp: CPU 0 up, starting the others with PSCI CPU_ON\n"
msg_ncpus:	.asciz	"smp: CPUs online: "
msg_cpu:	.asciz	"CPU "
msg_turn:	.asciz	": my turn, MPIDR_EL1 "
msg_excl:	.asciz	"smp: counters: exclusives "
msg_lse:	.asciz	", LSE "
msg_expected:	.asciz	", expected "
msg_nl:		.asciz	"\n"

	.data
	.balign	64			/* each shared variable in its own line */
	.globl	ncpus
ncpus:		.quad	0
	.balign	64
	.globl	counter_excl
counter_excl:	.quad	0
	.balign	64
	.globl	counter_lse
counter_lse:	.quad	0
	.balign	64
	.globl	arrived
arrived:	.quad	0
	.balign	64
	.globl	turn
turn:		.quad	0

	.bss
	.balign	4096
l1_table:	.space	4096
