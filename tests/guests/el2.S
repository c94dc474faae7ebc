/*
 * el2.S - guest snippets for test_el2.c: a guest that starts at EL2 (a
 * VM with hv_vm_config_set_el2_enabled), plays hypervisor for an EL1
 * snippet and lets the host watch both levels.
 *
 * The default vectors at 0x800 serve as VBAR_EL2: entry k exits with
 * HVC #(0xF000 + k) (HVC at EL2 goes to the host).  el1_vectors serve as
 * VBAR_EL1: entry k does HVC #(0xE000 + k), which EL2 takes as a lower-EL
 * HVC (entry 8), so the host reads ESR_EL2 to see what EL1 took.
 * X9 = address of the instruction of interest.
 */
#include "../support/guest_asm.h"

	.text
	.globl	_start
_start:
	b	t_enter_el1	/* 0: EL2: HCR_EL2 = X0, ERET to X1 with SPSR_EL2 = X2 */
	b	t_hvc_el2	/* 1: EL2: HVC #7 */
	b	e_hvc		/* 2: EL1: HVC #0x42 */
	b	e_smc		/* 3: EL1: SMC #0x11, then HVC #0x43 */
	b	e_load		/* 4: EL1: X0 = [X3], then HVC #0x44 */
	b	e_store		/* 5: EL1: [X3] = X0, then HVC #0x45 */
	b	e_msr_sctlr	/* 6: EL1: MSR SCTLR_EL1 (its own value), HVC #0x46 */
	b	e_mrs_id	/* 7: EL1: MRS ID_AA64MMFR0_EL1, HVC #0x47 */
	b	e_wfi		/* 8: EL1: WFI, HVC #0x48 */
	b	e_unmask	/* 9: EL1: X6 = ISR_EL1, unmask DAIF, spin */
	b	e_fp		/* 10: EL1: FMUL D1, D1, D1, FMOV D0, X0, HVC #0x49 */
	b	e_ids		/* 11: EL1: X0 = MIDR_EL1, X1 = MPIDR_EL1, X7 = CNTVCT_EL0 */
	b	t_el2_state	/* 12: EL2: X0 = CurrentEL, X1 = HCR_EL2, X2 = SCTLR_EL2 */
	b	t_eret_up	/* 13: EL2: ERET with SPSR_EL2 = X2 (to EL1 at X1) */
	b	e_eret_up	/* 14: EL1: ERET to EL2h (illegal), HVC #0x4b */
	b	e_tlbi		/* 15: EL1: TLBI VMALLE1, HVC #0x4c */
	b	t_at		/* 16: EL2: AT S12E1R X3, X0 = PAR_EL1; AT S1E2R X4, X1 = PAR_EL1 */
	b	e_mrs_el2	/* 17: EL1: MRS HCR_EL2 (UNDEFINED), HVC #0x4d */
	b	e_pmu		/* 18: EL1: MRS PMCR_EL0, HVC #0x4e */
	b	e_viar		/* 19: EL1: X0 = ICC_IAR1_EL1, HVC #0x50, EOIR1 = X0, HVC #0x51 */
	b	e_vpmr		/* 20: EL1: X0 = ICC_PMR_EL1, HVC #0x52 */
	b	t_remap		/* 21: EL2: [X6] = X5, TLBI VMALLS12E1IS, ERET (to X1, SPSR X2) */
	b	t_vmid		/* 22: EL2: VTTBR_EL2 = X5, ERET (to X1, SPSR X2) */
	b	t_vhe_regs	/* 23: EL2: SCTLR_EL1 = X0, SCTLR_EL12 = X1, X2 = VBAR_EL1, HVC #10 */
	b	e_svc		/* 24: EL0: SVC #0x33 */
	b	t_pmu		/* 25: PMU: X0 = PMCR, count 8 NOPs with PMCCNTR (X2, X3), X4 = PMCEID0, HVC #11 */

	default_vectors

t_enter_el1:
	adr	x9, el1_vectors
	msr	vbar_el1, x9
	msr	hcr_el2, x0
	isb
	msr	elr_el2, x1
	msr	spsr_el2, x2
	adr	x9, 1f
1:	eret

t_hvc_el2:
	adr	x9, 1f
1:	hvc	#7

e_hvc:
	mov	x0, #1
	adr	x9, 1f
1:	hvc	#0x42

e_smc:
	adr	x9, 1f
1:	smc	#0x11
	hvc	#0x43

e_load:
	adr	x9, 1f
1:	ldr	x0, [x3]
	hvc	#0x44

e_store:
	adr	x9, 1f
1:	str	x0, [x3]
	hvc	#0x45

e_msr_sctlr:
	mrs	x4, sctlr_el1
	adr	x9, 1f
1:	msr	sctlr_el1, x4
	hvc	#0x46

e_mrs_id:
	adr	x9, 1f
1:	mrs	x5, id_aa64mmfr0_el1
	hvc	#0x47

e_wfi:
	adr	x9, 1f
1:	wfi
	hvc	#0x48

e_unmask:
	mrs	x6, isr_el1
	adr	x9, 1f
	msr	daifclr, #0xf
1:	b	1b

e_fp:
	adr	x9, 1f
1:	fmul	d1, d1, d1	/* a fast FP form (emu fast_fp.c): traps too */
	fmov	d0, x0
	hvc	#0x49

e_ids:
	mrs	x0, midr_el1
	mrs	x1, mpidr_el1
	isb
	mrs	x7, cntvct_el0
	hvc	#0x4a

t_el2_state:
	mrs	x0, currentel
	mrs	x1, hcr_el2
	mrs	x2, sctlr_el2
	hvc	#8

t_eret_up:
	msr	elr_el2, x1
	msr	spsr_el2, x2
	eret

e_eret_up:
	mov	x8, #0x3c9
	msr	spsr_el1, x8
	adr	x8, 1f
	msr	elr_el1, x8
	adr	x9, 1f
	eret
1:	hvc	#0x4b

e_tlbi:
	adr	x9, 1f
1:	tlbi	vmalle1
	hvc	#0x4c

t_at:
	at	s12e1r, x3
	isb
	mrs	x0, par_el1
	at	s1e2r, x4
	isb
	mrs	x1, par_el1
	hvc	#9

e_mrs_el2:
	adr	x9, 1f
1:	mrs	x0, hcr_el2
	hvc	#0x4d

e_viar:
	adr	x9, 1f
1:	mrs	x0, S3_0_C12_C12_0	/* ICC_IAR1_EL1 (ICV under IMO) */
	hvc	#0x50
	msr	S3_0_C12_C12_1, x0	/* ICC_EOIR1_EL1 */
	hvc	#0x51

e_vpmr:
	mrs	x0, S3_0_C4_C6_0	/* ICC_PMR_EL1 */
	hvc	#0x52

t_remap:
	str	x5, [x6]
	dsb	ish
	tlbi	vmalls12e1is
	dsb	ish
	msr	elr_el2, x1
	msr	spsr_el2, x2
	eret

t_vmid:
	msr	vttbr_el2, x5
	isb
	msr	elr_el2, x1
	msr	spsr_el2, x2
	eret

t_vhe_regs:
	msr	sctlr_el1, x0		/* with E2H: SCTLR_EL2 */
	adr	x9, 1f
1:	msr	S3_5_C1_C0_0, x1	/* SCTLR_EL12: the real SCTLR_EL1 */
	mrs	x2, vbar_el1		/* with E2H: VBAR_EL2 */
	hvc	#10

e_svc:
	adr	x9, 1f
1:	svc	#0x33

t_pmu:
	mrs	x0, pmcr_el0
	mov	x1, #1
	msr	pmcr_el0, x1		/* E */
	mov	x1, #(1 << 31)
	msr	pmcntenset_el0, x1	/* the cycle counter */
	isb
	mrs	x2, pmccntr_el0
	.rept	8
	nop
	.endr
	mrs	x3, pmccntr_el0
	mrs	x4, pmceid0_el0
	hvc	#11

e_pmu:
	adr	x9, 1f
1:	mrs	x0, pmcr_el0
	hvc	#0x4e

	.balign	2048
el1_vectors:
	.irp	k, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15
	.balign	128
	hvc	#(0xE000 + \k)
	.endr
