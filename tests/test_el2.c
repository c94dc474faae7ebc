/*
 * test_el2.c - EL2 guests (hv_vm_config_set_el2_enabled): the vCPU
 * starts at EL2h, the EL2 registers through hv_vcpu_get/set_sys_reg, and
 * the guest hypervisor's view of its EL1 guest: HVC and ERET, the traps
 * of HCR_EL2 and CPTR_EL2, virtual and routed interrupts, its stage 2
 * (faults with exact ESR_EL2 / FAR_EL2 / HPFAR_EL2, S1PTW, AT), and what
 * still exits to the host.  Values from the Arm ARM (D1, D8, D19).
 *
 * On a backend without EL2 (kvm) only the refusal is checked.
 */
#include <stdio.h>
#include <string.h>

#include <mach/mach_time.h>

#include "backend.h"
#include "guest.h"

enum {
	E_ENTER_EL1, E_HVC_EL2, E_HVC, E_SMC, E_LOAD, E_STORE, E_MSR_SCTLR, E_MRS_ID, E_WFI,
	E_UNMASK, E_FP, E_IDS, E_EL2_STATE, E_ERET_UP, E_EL1_ERET_UP, E_TLBI, E_AT, E_MRS_EL2,
	E_PMU, E_VIAR, E_VPMR, E_REMAP, E_VMID, E_VHE_REGS, E_SVC, E_PMU_COUNT,
};

#define CPSR_EL2H_MASKED 0x3c9ull
#define SPSR_EL1H_MASKED 0x3c5ull

/* HCR_EL2 */
#define HCR_VM (1ull << 0)
#define HCR_FMO (1ull << 3)
#define HCR_IMO (1ull << 4)
#define HCR_VI (1ull << 7)
#define HCR_TWI (1ull << 13)
#define HCR_TID3 (1ull << 18)
#define HCR_TSC (1ull << 19)
#define HCR_TTLB (1ull << 25)
#define HCR_TVM (1ull << 26)
#define HCR_RW (1ull << 31)
#define HCR_E2H (1ull << 34)

#define EL2_VEC(k) (0xF000u + (k)) /* the default vectors as VBAR_EL2 */
#define EL1_VEC(k) (0xE000u + (k)) /* el1_vectors, seen in ESR_EL2 */
#define VEC_LOWER_IRQ 9

/* ESR_EL2 values. */
#define ESR(ec, iss) ((uint64_t)(ec) << 26 | ESR_IL | (uint64_t)(iss))
#define ESR_HVC(imm) ESR(0x16, imm)
#define ISS_ISV (1u << 24)
#define ISS_SAS_64 (3u << 22)
#define ISS_SF (1u << 15)
#define ISS_WNR (1u << 6)
#define ISS_S1PTW (1u << 7)
#define FSC_TRANS_L1 0x05u
#define FSC_PERM_L1 0x0du

/* Stage 2 (VTCR_EL2: 4K granule, T0SZ = 32, start at level 1). */
#define S2_TABLE_OFF 0x200000ull
#define S2_BLOCK (1ull | 1ull << 10 | 3ull << 8 | 0xfull << 2) /* block, AF, SH, Normal WB */
#define S2AP_RO (1ull << 6)
#define S2AP_RW (3ull << 6)
#define VTCR_4K_L1_32 (32ull | 1ull << 6 | 1ull << 8 | 1ull << 10 | 3ull << 12 | 1ull << 31)

static bool el2_supported(void)
{
	bool b = false;
	ck_assert_int_eq(hv_vm_config_get_el2_supported(&b), HV_SUCCESS);
	return b;
}

static void setup(void)
{
	if (!el2_supported())
		return;
	vm_setup_el2();
	guest_load("el2");
}

static void teardown(void)
{
	if (el2_supported())
		vm_teardown();
}

/* el2_refused covers a backend without EL2. */
#define REQUIRE_EL2()                            \
	do {                                     \
		if (!hv_test_have_el2(__func__)) \
			return;                  \
	} while (0)

/* At EL2h with VBAR_EL2 = the default vectors and stacks for both ELs. */
static void start_el2(unsigned entry)
{
	set_reg(HV_REG_PC, guest_addr(4ull * entry));
	set_reg(HV_REG_CPSR, CPSR_EL2H_MASKED);
	set_sysreg(HV_SYS_REG_SP_EL2, GUEST_RAM_IPA + GUEST_RAM_SIZE);
	set_sysreg(HV_SYS_REG_SP_EL1, GUEST_RAM_IPA + GUEST_RAM_SIZE - 0x10000);
	set_sysreg(HV_SYS_REG_VBAR_EL2, GUEST_VBAR);
}

/* The guest hypervisor sets HCR_EL2 and ERETs to an EL1 snippet. */
static void run_el1(unsigned entry, uint64_t hcr, uint64_t spsr)
{
	start_el2(E_ENTER_EL1);
	set_reg(HV_REG_X0, hcr);
	set_reg(HV_REG_X1, guest_addr(4ull * entry));
	set_reg(HV_REG_X2, spsr);
	guest_run();
}

/* run_el1 with X3 = an address for the load/store snippets. */
static void run_el1_x3(unsigned entry, uint64_t hcr, uint64_t x3)
{
	start_el2(E_ENTER_EL1);
	set_reg(HV_REG_X0, hcr);
	set_reg(HV_REG_X1, guest_addr(4ull * entry));
	set_reg(HV_REG_X2, SPSR_EL1H_MASKED);
	set_reg(HV_REG_X3, x3);
	guest_run();
}

/* EL1 -> EL2 as a lower-EL synchronous exception (the EL2 vector exits). */
#define ASSERT_AT_EL2_WITH(esr)                                                         \
	do {                                                                            \
		ASSERT_HVC(EL2_VEC(8));                                                 \
		ASSERT_U64_EQ(sysreg(HV_SYS_REG_ESR_EL2), (esr));                       \
		ASSERT_U64_EQ(reg(HV_REG_CPSR), CPSR_EL2H_MASKED);                      \
	} while (0)

static void put_s2(unsigned index, uint64_t desc)
{
	memcpy(g_ram + S2_TABLE_OFF + 8ull * index, &desc, 8);
}

/* IPA 0x0-0x3fffffff -> RAM read-only, 0x40000000.. -> RAM (identity),
 * 0xc0000000.. -> high_pa if non-zero; the rest unmapped. */
static void stage2_setup(uint64_t high_pa)
{
	memset(g_ram + S2_TABLE_OFF, 0, 0x1000);
	put_s2(0, GUEST_RAM_IPA | S2_BLOCK | S2AP_RO);
	put_s2(1, GUEST_RAM_IPA | S2_BLOCK | S2AP_RW);
	if (high_pa)
		put_s2(3, high_pa | S2_BLOCK | S2AP_RW);
	set_sysreg(HV_SYS_REG_VTCR_EL2, VTCR_4K_L1_32);
	set_sysreg(HV_SYS_REG_VTTBR_EL2, GUEST_RAM_IPA + S2_TABLE_OFF);
}

START_TEST(el2_refused)
{
	if (el2_supported())
		return;
	hv_vm_config_t c = hv_vm_config_create();
	ck_assert_int_eq(hv_vm_config_set_el2_enabled(c, true), HV_UNSUPPORTED);
	bool b = true;
	ck_assert_int_eq(hv_vm_config_get_el2_enabled(c, &b), HV_SUCCESS);
	ck_assert(!b);
	os_release(c);
}
END_TEST

START_TEST(reset_state)
{
	REQUIRE_EL2();
	ASSERT_U64_EQ(reg(HV_REG_CPSR), CPSR_EL2H_MASKED);
	ASSERT_U64_EQ(sysreg(HV_SYS_REG_HCR_EL2), HCR_RW);
	ASSERT_U64_EQ(sysreg(HV_SYS_REG_SCTLR_EL2), 0x30c50830ull);
	ASSERT_U64_EQ(sysreg(HV_SYS_REG_TCR_EL2), 0x80800000ull);
	ASSERT_U64_EQ(sysreg(HV_SYS_REG_VTCR_EL2), 0x80000000ull);
	ASSERT_U64_EQ(sysreg(HV_SYS_REG_CPTR_EL2), 0x33ffull);
	ASSERT_U64_EQ(sysreg(HV_SYS_REG_CNTHCTL_EL2), 3);
	ASSERT_U64_EQ(sysreg(HV_SYS_REG_VPIDR_EL2), sysreg(HV_SYS_REG_MIDR_EL1));
	ASSERT_U64_EQ(sysreg(HV_SYS_REG_VMPIDR_EL2), sysreg(HV_SYS_REG_MPIDR_EL1));
	/* ID_AA64PFR0_EL1.EL2 = 1: EL2 implemented, AArch64 only. */
	ASSERT_U64_EQ((sysreg(HV_SYS_REG_ID_AA64PFR0_EL1) >> 8) & 0xf, 1);
	bool b = false;
	hv_vm_config_t c = hv_vm_config_create();
	ck_assert_int_eq(hv_vm_config_set_el2_enabled(c, true), HV_SUCCESS);
	ck_assert_int_eq(hv_vm_config_get_el2_enabled(c, &b), HV_SUCCESS);
	ck_assert(b);
	os_release(c);
}
END_TEST

START_TEST(registers_round_trip)
{
	REQUIRE_EL2();
	static const struct { hv_sys_reg_t reg; uint64_t v; } rt[] = {
		{ HV_SYS_REG_VTTBR_EL2, 0x0005000040200000ull },
		{ HV_SYS_REG_TTBR0_EL2, 0x40300000ull },
		{ HV_SYS_REG_TTBR1_EL2, 0x40400000ull },
		{ HV_SYS_REG_VBAR_EL2, 0x40000800ull },
		{ HV_SYS_REG_ELR_EL2, 0xffff000012345678ull },
		{ HV_SYS_REG_SPSR_EL2, 0x600003c5ull },
		{ HV_SYS_REG_ESR_EL2, 0x93c08005ull },
		{ HV_SYS_REG_FAR_EL2, 0xdeadbeef000ull },
		{ HV_SYS_REG_HPFAR_EL2, 0xc00000ull },
		{ HV_SYS_REG_MAIR_EL2, 0x44ff00ull },
		{ HV_SYS_REG_TPIDR_EL2, 0x1122334455667788ull },
		{ HV_SYS_REG_CNTVOFF_EL2, 0x1000ull },
		{ HV_SYS_REG_CNTHP_CVAL_EL2, ~0ull }, /* never: ISTATUS stays 0 */
		{ HV_SYS_REG_CNTHP_CTL_EL2, 1 },
		{ HV_SYS_REG_SP_EL2, 0x40400000ull },
		{ HV_SYS_REG_MDCR_EL2, 0x100ull },
		{ HV_SYS_REG_VPIDR_EL2, 0x410fd0c0ull },
		{ HV_SYS_REG_VMPIDR_EL2, 0x80000003ull },
	};
	for (size_t i = 0; i < sizeof(rt) / sizeof(rt[0]); i++) {
		set_sysreg(rt[i].reg, rt[i].v);
		ck_assert_msg(sysreg(rt[i].reg) == rt[i].v, "reg %#x: %#llx", (unsigned)rt[i].reg,
			      (unsigned long long)sysreg(rt[i].reg));
	}
	/* The SDK 15 headers' MDCR_EL2 value names the same register. */
	uint64_t v = 0;
	ck_assert_int_eq(hv_vcpu_get_sys_reg(g_vcpu, (hv_sys_reg_t)0xe019, &v), HV_SUCCESS);
	ASSERT_U64_EQ(v, 0x100);
	/* RES0 bits of HCR_EL2 stay 0; RW is RES1; E2H (FEAT_VHE) is kept. */
	set_sysreg(HV_SYS_REG_HCR_EL2, HCR_E2H | HCR_VM | 1ull << 40);
	ASSERT_U64_EQ(sysreg(HV_SYS_REG_HCR_EL2), HCR_RW | HCR_E2H | HCR_VM);
}
END_TEST

/* Without EL2 in the configuration nothing of this exists. */
START_TEST(absent_without_el2)
{
	vm_setup();
	uint64_t v;
	ck_assert_int_eq(hv_vcpu_get_sys_reg(g_vcpu, HV_SYS_REG_HCR_EL2, &v), HV_BAD_ARGUMENT);
	ck_assert_int_eq(hv_vcpu_set_sys_reg(g_vcpu, HV_SYS_REG_VTTBR_EL2, 0), HV_BAD_ARGUMENT);
	ck_assert_int_eq(hv_vcpu_get_sys_reg(g_vcpu, HV_SYS_REG_SP_EL2, &v), HV_BAD_ARGUMENT);
	ASSERT_U64_EQ(reg(HV_REG_CPSR), CPSR_EL1H_MASKED);
	/* emu advertises EL2 only with it (KVM shows the host's field). */
	if (el2_supported())
		ASSERT_U64_EQ((sysreg(HV_SYS_REG_ID_AA64PFR0_EL1) >> 8) & 0xf, 0);
	vm_teardown();
}
END_TEST

START_TEST(hvc_at_el2_exits)
{
	REQUIRE_EL2();
	start_el2(E_HVC_EL2);
	guest_run();
	ASSERT_HVC(7);
	ASSERT_U64_EQ(guest_pc(), reg(HV_REG_X9) + 4);
	ASSERT_U64_EQ(reg(HV_REG_CPSR), CPSR_EL2H_MASKED);
}
END_TEST

START_TEST(el2_sees_its_state)
{
	REQUIRE_EL2();
	set_sysreg(HV_SYS_REG_HCR_EL2, HCR_RW | HCR_TVM);
	start_el2(E_EL2_STATE);
	guest_run();
	ASSERT_HVC(8);
	ASSERT_U64_EQ(reg(HV_REG_X0), 2ull << 2); /* CurrentEL */
	ASSERT_U64_EQ(reg(HV_REG_X1), HCR_RW | HCR_TVM);
	ASSERT_U64_EQ(reg(HV_REG_X2), 0x30c50830ull);
}
END_TEST

/* ERET to EL1, HVC back: ESR_EL2, ELR_EL2 (after the HVC), SPSR_EL2. */
START_TEST(eret_then_hvc_from_el1)
{
	REQUIRE_EL2();
	run_el1(E_HVC, HCR_RW, SPSR_EL1H_MASKED);
	ASSERT_AT_EL2_WITH(ESR_HVC(0x42));
	ASSERT_U64_EQ(sysreg(HV_SYS_REG_ELR_EL2), reg(HV_REG_X9) + 4);
	ASSERT_U64_EQ(sysreg(HV_SYS_REG_SPSR_EL2), SPSR_EL1H_MASKED);
	ASSERT_U64_EQ(reg(HV_REG_X0), 1);
	ASSERT_U64_EQ(guest_pc(), GUEST_VBAR + 8 * 0x80 + 4);
}
END_TEST

/* SMC: to EL2 under HCR_EL2.TSC (ELR at the SMC), else to the host. */
START_TEST(smc_trapped_by_tsc)
{
	REQUIRE_EL2();
	run_el1(E_SMC, HCR_RW | HCR_TSC, SPSR_EL1H_MASKED);
	ASSERT_AT_EL2_WITH(ESR(0x17, 0x11));
	ASSERT_U64_EQ(sysreg(HV_SYS_REG_ELR_EL2), reg(HV_REG_X9));

	run_el1(E_SMC, HCR_RW, SPSR_EL1H_MASKED);
	ASSERT_SYNDROME(ESR(0x17, 0x11));
	ASSERT_U64_EQ(guest_pc(), reg(HV_REG_X9));
}
END_TEST

/* An illegal exception return (EL1 -> EL2h) keeps EL1 and sets IL; the
 * next instruction takes an Illegal Execution state exception at EL1. */
START_TEST(eret_upwards_is_illegal)
{
	REQUIRE_EL2();
	run_el1(E_EL1_ERET_UP, HCR_RW, SPSR_EL1H_MASKED);
	ASSERT_AT_EL2_WITH(ESR_HVC(EL1_VEC(4)));
	ASSERT_U64_EQ(sysreg(HV_SYS_REG_ESR_EL1), ESR(0x0e, 0));
	ASSERT_U64_EQ(sysreg(HV_SYS_REG_ELR_EL1), reg(HV_REG_X9));
	ASSERT_U64_EQ(sysreg(HV_SYS_REG_SPSR_EL1) & 0x10000f, 0x100005);
}
END_TEST

/* The EL2 registers are UNDEFINED at EL1; PMU registers too while
 * ID_AA64DFR0_EL1.PMUVer says there is no PMU. */
START_TEST(el2_regs_undefined_at_el1)
{
	REQUIRE_EL2();
	run_el1(E_MRS_EL2, HCR_RW, SPSR_EL1H_MASKED);
	ASSERT_AT_EL2_WITH(ESR_HVC(EL1_VEC(4)));
	ASSERT_U64_EQ(sysreg(HV_SYS_REG_ESR_EL1), ESR(0, 0));
	ASSERT_U64_EQ(sysreg(HV_SYS_REG_ELR_EL1), reg(HV_REG_X9));

	run_el1(E_PMU, HCR_RW, SPSR_EL1H_MASKED);
	ASSERT_AT_EL2_WITH(ESR_HVC(EL1_VEC(4)));
	ASSERT_U64_EQ(sysreg(HV_SYS_REG_ESR_EL1), ESR(0, 0));
}
END_TEST

/* EC 0x18 ISS: Op0[21:20] Op2[19:17] Op1[16:14] CRn[13:10] Rt[9:5]
 * CRm[4:1] Direction[0]. */
#define ISS_SYSREG(op0, op1, crn, crm, op2, rt, read) \
	((op0) << 20 | (op2) << 17 | (op1) << 14 | (crn) << 10 | (rt) << 5 | (crm) << 1 | (read))

START_TEST(tvm_traps_sctlr_write)
{
	REQUIRE_EL2();
	run_el1(E_MSR_SCTLR, HCR_RW | HCR_TVM, SPSR_EL1H_MASKED);
	ASSERT_AT_EL2_WITH(ESR(0x18, ISS_SYSREG(3u, 0u, 1u, 0u, 0u, 4u, 0u)));
	ASSERT_U64_EQ(sysreg(HV_SYS_REG_ELR_EL2), reg(HV_REG_X9));
	/* TVM traps writes only: without it the MSR completes. */
	run_el1(E_MSR_SCTLR, HCR_RW, SPSR_EL1H_MASKED);
	ASSERT_AT_EL2_WITH(ESR_HVC(0x46));
}
END_TEST

START_TEST(tid3_traps_id_read)
{
	REQUIRE_EL2();
	run_el1(E_MRS_ID, HCR_RW | HCR_TID3, SPSR_EL1H_MASKED);
	ASSERT_AT_EL2_WITH(ESR(0x18, ISS_SYSREG(3u, 0u, 0u, 7u, 0u, 5u, 1u)));
	run_el1(E_MRS_ID, HCR_RW, SPSR_EL1H_MASKED);
	ASSERT_AT_EL2_WITH(ESR_HVC(0x47));
	ASSERT_U64_EQ(reg(HV_REG_X5), sysreg(HV_SYS_REG_ID_AA64MMFR0_EL1));
}
END_TEST

START_TEST(ttlb_traps_tlbi)
{
	REQUIRE_EL2();
	run_el1(E_TLBI, HCR_RW | HCR_TTLB, SPSR_EL1H_MASKED);
	ASSERT_AT_EL2_WITH(ESR(0x18, ISS_SYSREG(1u, 0u, 8u, 7u, 0u, 31u, 0u)));
	run_el1(E_TLBI, HCR_RW, SPSR_EL1H_MASKED);
	ASSERT_AT_EL2_WITH(ESR_HVC(0x4c));
}
END_TEST

/* WFI: to EL2 under TWI (EC 0x01, CV, COND = AL), else to the host. */
START_TEST(twi_traps_wfi)
{
	REQUIRE_EL2();
	run_el1(E_WFI, HCR_RW | HCR_TWI, SPSR_EL1H_MASKED);
	ASSERT_AT_EL2_WITH(ESR(0x01, 0x01e00000u));
	ASSERT_U64_EQ(sysreg(HV_SYS_REG_ELR_EL2), reg(HV_REG_X9));
	run_el1(E_WFI, HCR_RW, SPSR_EL1H_MASKED);
	ASSERT_SYNDROME(ESR(0x01, 0x01e00000u));
}
END_TEST

/* CPTR_EL2.TFP: FP/SIMD at EL1 traps to EL2 with EC 0x07. */
START_TEST(tfp_traps_fp)
{
	REQUIRE_EL2();
	set_sysreg(HV_SYS_REG_CPTR_EL2, 0x33ff | 1ull << 10);
	/* D1 = 1.5: the guest's FMUL would have a normal result (emu's fast
	 * FP path, which must check access first) */
	hv_simd_fp_uchar16_t q;
	uint64_t lanes[2] = { 0x3ff8000000000000ull, 0 };
	memcpy(&q, lanes, sizeof(q));
	ck_assert_int_eq(hv_vcpu_set_simd_fp_reg(g_vcpu, HV_SIMD_FP_REG_Q1, q), HV_SUCCESS);
	run_el1(E_FP, HCR_RW, SPSR_EL1H_MASKED);
	ASSERT_AT_EL2_WITH(ESR(0x07, 0x01e00000u));
	ASSERT_U64_EQ(sysreg(HV_SYS_REG_ELR_EL2), reg(HV_REG_X9));
}
END_TEST

/* HCR_EL2.VI with IMO: a virtual IRQ, seen in ISR_EL1 and taken at EL1
 * once unmasked. */
START_TEST(virtual_irq)
{
	REQUIRE_EL2();
	run_el1(E_UNMASK, HCR_RW | HCR_IMO | HCR_VI, SPSR_EL1H_MASKED);
	ASSERT_AT_EL2_WITH(ESR_HVC(EL1_VEC(5))); /* current EL, SP_ELx, IRQ */
	ASSERT_U64_EQ(reg(HV_REG_X6), 0x80);     /* ISR_EL1.I */
	ASSERT_U64_EQ(sysreg(HV_SYS_REG_ELR_EL1), reg(HV_REG_X9));
}
END_TEST

/* A physical IRQ with IMO goes to EL2, whatever PSTATE.I at EL1; without
 * IMO it is EL1's, taken once EL1 unmasks it. */
START_TEST(physical_irq_routing)
{
	REQUIRE_EL2();
	start_el2(E_ENTER_EL1);
	set_reg(HV_REG_X0, HCR_RW | HCR_IMO);
	set_reg(HV_REG_X1, guest_addr(4ull * E_UNMASK));
	set_reg(HV_REG_X2, SPSR_EL1H_MASKED);
	ck_assert_int_eq(hv_vcpu_set_pending_interrupt(g_vcpu, HV_INTERRUPT_TYPE_IRQ, true), HV_SUCCESS);
	guest_run();
	ASSERT_HVC(EL2_VEC(VEC_LOWER_IRQ));
	ASSERT_U64_EQ(sysreg(HV_SYS_REG_SPSR_EL2) & 0x3cf, SPSR_EL1H_MASKED);

	start_el2(E_ENTER_EL1);
	set_reg(HV_REG_X0, HCR_RW);
	set_reg(HV_REG_X1, guest_addr(4ull * E_UNMASK));
	set_reg(HV_REG_X2, SPSR_EL1H_MASKED);
	ck_assert_int_eq(hv_vcpu_set_pending_interrupt(g_vcpu, HV_INTERRUPT_TYPE_IRQ, true), HV_SUCCESS);
	guest_run();
	ASSERT_AT_EL2_WITH(ESR_HVC(EL1_VEC(5)));
	ASSERT_U64_EQ(reg(HV_REG_X6), 0x80); /* ISR_EL1 shows the physical line */
}
END_TEST

/* EL1 reads VPIDR_EL2/VMPIDR_EL2 as MIDR/MPIDR, and CNTVCT_EL0 net of
 * CNTVOFF_EL2. */
START_TEST(virtual_ids_and_counter)
{
	REQUIRE_EL2();
	set_sysreg(HV_SYS_REG_VPIDR_EL2, 0x410fd0c0ull);
	set_sysreg(HV_SYS_REG_VMPIDR_EL2, 0x80000003ull);
	ck_assert_int_eq(hv_vcpu_set_vtimer_offset(g_vcpu, 0), HV_SUCCESS);
	uint64_t t0 = mach_absolute_time();
	uint64_t off = t0 / 2;
	set_sysreg(HV_SYS_REG_CNTVOFF_EL2, off);
	run_el1(E_IDS, HCR_RW, SPSR_EL1H_MASKED);
	uint64_t t1 = mach_absolute_time();
	ASSERT_AT_EL2_WITH(ESR_HVC(0x4a));
	ASSERT_U64_EQ(reg(HV_REG_X0), 0x410fd0c0ull);
	ASSERT_U64_EQ(reg(HV_REG_X1), 0x80000003ull);
	uint64_t v = reg(HV_REG_X7);
	ck_assert_msg(v >= t0 - off && v <= t1 - off, "CNTVCT %#llx not in [%#llx, %#llx]", (unsigned long long)v,
		      (unsigned long long)(t0 - off), (unsigned long long)(t1 - off));
}
END_TEST

/* Stage 2: a load from an IPA the guest hypervisor did not map. */
START_TEST(stage2_translation_fault)
{
	REQUIRE_EL2();
	stage2_setup(0);
	run_el1_x3(E_LOAD, HCR_RW | HCR_VM, 0xc0000010ull);
	ASSERT_AT_EL2_WITH(ESR(0x24, ISS_ISV | ISS_SAS_64 | ISS_SF | FSC_TRANS_L1));
	ASSERT_U64_EQ(sysreg(HV_SYS_REG_FAR_EL2), 0xc0000010ull);
	ASSERT_U64_EQ(sysreg(HV_SYS_REG_HPFAR_EL2), 0xc00000ull);
	ASSERT_U64_EQ(sysreg(HV_SYS_REG_ELR_EL2), reg(HV_REG_X9));
}
END_TEST

/* Stage 2 read-only: loads see the RAM behind the IPA, stores fault. */
START_TEST(stage2_permission_fault)
{
	REQUIRE_EL2();
	stage2_setup(0);
	uint64_t magic = 0x5a5aa5a512345678ull;
	memcpy(g_ram + GUEST_DATA_OFF + 8, &magic, 8);
	run_el1_x3(E_LOAD, HCR_RW | HCR_VM, GUEST_DATA_OFF + 8);
	ASSERT_AT_EL2_WITH(ESR_HVC(0x44));
	ASSERT_U64_EQ(reg(HV_REG_X0), magic);

	run_el1_x3(E_STORE, HCR_RW | HCR_VM, GUEST_DATA_OFF + 8);
	ASSERT_AT_EL2_WITH(ESR(0x24, ISS_ISV | ISS_SAS_64 | ISS_SF | ISS_WNR | FSC_PERM_L1));
	ASSERT_U64_EQ(sysreg(HV_SYS_REG_FAR_EL2), GUEST_DATA_OFF + 8);
	ASSERT_U64_EQ(sysreg(HV_SYS_REG_HPFAR_EL2), (GUEST_DATA_OFF >> 12) << 4);
	uint64_t now;
	memcpy(&now, g_ram + GUEST_DATA_OFF + 8, 8);
	ASSERT_U64_EQ(now, magic); /* nothing written */
}
END_TEST

/* The guest's stage 2 maps an IPA to a PA the VM does not have: that is
 * the host's stage-2 fault, an exit with the PA (MMIO for the host). */
START_TEST(stage2_to_host_fault)
{
	REQUIRE_EL2();
	stage2_setup(UNMAPPED_IPA);
	run_el1_x3(E_LOAD, HCR_RW | HCR_VM, 0xc0000010ull);
	ASSERT_EXIT_EC(0x24);
	ASSERT_U64_EQ(g_exit->exception.physical_address, UNMAPPED_IPA + 0x10);
	ASSERT_U64_EQ(g_exit->exception.virtual_address, 0xc0000010ull);
	ASSERT_U64_EQ(guest_pc(), reg(HV_REG_X9));
	ck_assert(g_exit->exception.syndrome & ISS_ISV);
}
END_TEST

/* EL1's stage-1 tables at an IPA stage 2 does not map: the walk faults
 * with S1PTW (an instruction abort: the first fetch walks). */
START_TEST(stage2_fault_on_s1_walk)
{
	REQUIRE_EL2();
	stage2_setup(0);
	set_sysreg(HV_SYS_REG_MAIR_EL1, 0xff);
	set_sysreg(HV_SYS_REG_TCR_EL1, 25ull | 1ull << 23); /* T0SZ 25, 4K, EPD1 */
	set_sysreg(HV_SYS_REG_TTBR0_EL1, 0x80000000ull);
	set_sysreg(HV_SYS_REG_SCTLR_EL1, 0x30d01805ull);
	run_el1(E_HVC, HCR_RW | HCR_VM, SPSR_EL1H_MASKED);
	ASSERT_AT_EL2_WITH(ESR(0x20, ISS_S1PTW | FSC_TRANS_L1));
	ASSERT_U64_EQ(sysreg(HV_SYS_REG_FAR_EL2), guest_addr(4ull * E_HVC));
	ASSERT_U64_EQ(sysreg(HV_SYS_REG_HPFAR_EL2), 0x800000ull);
	ASSERT_U64_EQ(sysreg(HV_SYS_REG_ELR_EL2), guest_addr(4ull * E_HVC));
}
END_TEST

/* AT from EL2: S12E1R through both stages (fault reported in PAR_EL1
 * with S = 1), S1E2R through EL2's own (off) stage 1. */
START_TEST(at_two_stages)
{
	REQUIRE_EL2();
	stage2_setup(0);
	set_sysreg(HV_SYS_REG_HCR_EL2, HCR_RW | HCR_VM);
	start_el2(E_AT);
	set_reg(HV_REG_X3, GUEST_DATA_OFF + 0x10);
	set_reg(HV_REG_X4, 0x40001234ull);
	guest_run();
	ASSERT_HVC(9);
	uint64_t par = reg(HV_REG_X0);
	ck_assert_msg(!(par & 1), "PAR %#llx", (unsigned long long)par);
	ASSERT_U64_EQ(par & 0x0000fffffffff000ull, GUEST_RAM_IPA + GUEST_DATA_OFF);
	par = reg(HV_REG_X1);
	ck_assert(!(par & 1));
	ASSERT_U64_EQ(par & 0x0000fffffffff000ull, 0x40001000ull);

	start_el2(E_AT);
	set_reg(HV_REG_X3, 0xc0000000ull);
	set_reg(HV_REG_X4, 0x40001234ull);
	guest_run();
	ASSERT_HVC(9);
	ASSERT_U64_EQ(reg(HV_REG_X0), 1 | FSC_TRANS_L1 << 1 | 1ull << 9 | 1ull << 11);
}
END_TEST

/* The host's debugger works in EL2 code: a breakpoint with HMC = 1. */
START_TEST(host_breakpoint_at_el2)
{
	REQUIRE_EL2();
	ck_assert_int_eq(hv_vcpu_set_trap_debug_exceptions(g_vcpu, true), HV_SUCCESS);
	start_el2(E_HVC_EL2);
	uint64_t target = guest_addr(4ull * E_HVC_EL2);
	set_sysreg(HV_SYS_REG_DBGBVR0_EL1, target);
	set_sysreg(HV_SYS_REG_DBGBCR0_EL1, 0x1e7ull | 1ull << 13);
	set_sysreg(HV_SYS_REG_MDSCR_EL1, 1ull << 15);
	guest_run();
	ASSERT_EXIT_EC(0x30);
	ASSERT_U64_EQ(guest_pc(), target);
	/* Without HMC the EL2 instruction does not match. */
	set_sysreg(HV_SYS_REG_DBGBCR0_EL1, 0x1e7ull);
	start_el2(E_HVC_EL2);
	guest_run();
	ASSERT_HVC(7);
}
END_TEST

/* ---- stage-2 granules, concatenated tables, TLB maintenance ------------ */

#define S2_TABLE (3ull)
#define S2_PAGE (3ull | 1ull << 10 | 3ull << 8 | 0xfull << 2 | S2AP_RW)
#define PAGE_A_OFF 0x110000ull /* two data pages with different contents */
#define PAGE_B_OFF 0x111000ull
#define MAGIC_A 0xaaaa0000aaaa0000ull
#define MAGIC_B 0xbbbb1111bbbb1111ull

static void put64(uint64_t off, uint64_t v)
{
	memcpy(g_ram + off, &v, 8);
}

static void data_pages(void)
{
	put64(PAGE_A_OFF, MAGIC_A);
	put64(PAGE_B_OFF, MAGIC_B);
}

/* 4K granule, 40-bit IPA (T0SZ 24) starting at level 1: 1024 entries,
 * two concatenated tables.  Entry 1 maps the RAM 1:1; entry 513 (IPA
 * 0x8040000000, in the second table) maps the RAM's gigabyte too. */
START_TEST(stage2_concatenated_tables)
{
	REQUIRE_EL2();
	data_pages();
	memset(g_ram + S2_TABLE_OFF, 0, 0x2000);
	put64(S2_TABLE_OFF + 8 * 1, GUEST_RAM_IPA | S2_BLOCK | S2AP_RW);
	put64(S2_TABLE_OFF + 8 * 513, GUEST_RAM_IPA | S2_BLOCK | S2AP_RW);
	set_sysreg(HV_SYS_REG_VTCR_EL2, 24ull | 1ull << 6 | 3ull << 12 | 2ull << 16 | 1ull << 31); /* PS 40 bits */
	set_sysreg(HV_SYS_REG_VTTBR_EL2, GUEST_RAM_IPA + S2_TABLE_OFF);
	run_el1_x3(E_LOAD, HCR_RW | HCR_VM, 0x8040000000ull + PAGE_B_OFF);
	ASSERT_AT_EL2_WITH(ESR_HVC(0x44));
	ASSERT_U64_EQ(reg(HV_REG_X0), MAGIC_B);
	/* Entry 512 (the second table's first) is empty. */
	run_el1_x3(E_LOAD, HCR_RW | HCR_VM, 0x8000000000ull);
	ASSERT_AT_EL2_WITH(ESR(0x24, ISS_ISV | ISS_SAS_64 | ISS_SF | FSC_TRANS_L1));
	ASSERT_U64_EQ(sysreg(HV_SYS_REG_HPFAR_EL2), 0x8000000000ull >> 8);
}
END_TEST

/* 16K and 64K granules, 32-bit IPA, start at level 2 (SL0 = 1): a
 * level-2 table entry to a level-3 page (16K), a 512 MiB level-2 block
 * (64K), and the level-3 fault next to the page. */
START_TEST(stage2_16k_64k_granules)
{
	REQUIRE_EL2();
	data_pages();
	/* 16K: L2 entry = 32 MiB, IPA 0x40000000 -> index 32; L3 pages 16K. */
	memset(g_ram + S2_TABLE_OFF, 0, 0x8000);
	put64(S2_TABLE_OFF + 8 * 32, (GUEST_RAM_IPA + S2_TABLE_OFF + 0x4000) | S2_TABLE);
	for (unsigned i = 0; i < 0x400000 / 0x4000; i++) /* the 4 MiB of RAM, one page left out */
		if (i != 0x114000 / 0x4000)
			put64(S2_TABLE_OFF + 0x4000 + 8ull * i, (GUEST_RAM_IPA + 0x4000ull * i) | S2_PAGE);
	set_sysreg(HV_SYS_REG_VTCR_EL2, 32ull | 1ull << 6 | 3ull << 12 | 2ull << 14 | 1ull << 31);
	set_sysreg(HV_SYS_REG_VTTBR_EL2, GUEST_RAM_IPA + S2_TABLE_OFF);
	run_el1_x3(E_LOAD, HCR_RW | HCR_VM, GUEST_RAM_IPA + PAGE_A_OFF);
	ASSERT_AT_EL2_WITH(ESR_HVC(0x44));
	ASSERT_U64_EQ(reg(HV_REG_X0), MAGIC_A);
	run_el1_x3(E_LOAD, HCR_RW | HCR_VM, GUEST_RAM_IPA + 0x114008);
	ASSERT_AT_EL2_WITH(ESR(0x24, ISS_ISV | ISS_SAS_64 | ISS_SF | 0x07u)); /* translation, level 3 */
	ASSERT_U64_EQ(sysreg(HV_SYS_REG_HPFAR_EL2), (GUEST_RAM_IPA + 0x114000) >> 8);

	/* 64K: L2 entry = 512 MiB, IPA 0x40000000 -> index 2, a block. */
	memset(g_ram + S2_TABLE_OFF, 0, 0x10000);
	put64(S2_TABLE_OFF + 8 * 2, GUEST_RAM_IPA | S2_BLOCK | S2AP_RW);
	set_sysreg(HV_SYS_REG_VTCR_EL2, 32ull | 1ull << 6 | 3ull << 12 | 1ull << 14 | 1ull << 31);
	set_sysreg(HV_SYS_REG_VTTBR_EL2, GUEST_RAM_IPA + S2_TABLE_OFF);
	run_el1_x3(E_LOAD, HCR_RW | HCR_VM, GUEST_RAM_IPA + PAGE_B_OFF);
	ASSERT_AT_EL2_WITH(ESR_HVC(0x44));
	ASSERT_U64_EQ(reg(HV_REG_X0), MAGIC_B);
	run_el1_x3(E_LOAD, HCR_RW | HCR_VM, 0x60000000ull);
	ASSERT_AT_EL2_WITH(ESR(0x24, ISS_ISV | ISS_SAS_64 | ISS_SF | 0x06u)); /* translation, level 2 */
}
END_TEST

/* 4K tables down to level 3 for IPA 0x40000000..0x401fffff (RAM 1:1),
 * at table_off; returns the offset of the level-3 descriptor of IPA
 * page `page`. */
static uint64_t stage2_l3(uint64_t table_off, uint64_t page)
{
	memset(g_ram + table_off, 0, 0x3000);
	put64(table_off + 8 * 1, (GUEST_RAM_IPA + table_off + 0x1000) | S2_TABLE);
	put64(table_off + 0x1000, (GUEST_RAM_IPA + table_off + 0x2000) | S2_TABLE);
	for (unsigned i = 0; i < 512; i++)
		put64(table_off + 0x2000 + 8ull * i, (GUEST_RAM_IPA + 0x1000ull * i) | S2_PAGE);
	return table_off + 0x2000 + 8 * ((page - GUEST_RAM_IPA) >> 12);
}

static void run_remap(unsigned entry, uint64_t x5, uint64_t x6, uint64_t x3)
{
	start_el2(entry);
	set_reg(HV_REG_X1, guest_addr(4ull * E_LOAD));
	set_reg(HV_REG_X2, SPSR_EL1H_MASKED);
	set_reg(HV_REG_X3, x3);
	set_reg(HV_REG_X5, x5);
	set_reg(HV_REG_X6, x6);
	guest_run();
	ASSERT_AT_EL2_WITH(ESR_HVC(0x44));
}

/* After the guest hypervisor rewrites a stage-2 descriptor and does
 * TLBI VMALLS12E1IS, its guest sees the new page. */
START_TEST(stage2_remap_with_tlbi)
{
	REQUIRE_EL2();
	data_pages();
	uint64_t va = GUEST_RAM_IPA + PAGE_A_OFF;
	uint64_t desc = stage2_l3(S2_TABLE_OFF, va);
	set_sysreg(HV_SYS_REG_VTCR_EL2, VTCR_4K_L1_32);
	set_sysreg(HV_SYS_REG_VTTBR_EL2, GUEST_RAM_IPA + S2_TABLE_OFF);
	run_el1_x3(E_LOAD, HCR_RW | HCR_VM, va);
	ASSERT_AT_EL2_WITH(ESR_HVC(0x44));
	ASSERT_U64_EQ(reg(HV_REG_X0), MAGIC_A);
	run_remap(E_REMAP, (GUEST_RAM_IPA + PAGE_B_OFF) | S2_PAGE, GUEST_RAM_IPA + desc, va);
	ASSERT_U64_EQ(reg(HV_REG_X0), MAGIC_B);
}
END_TEST

/* Two VMIDs with their own stage 2 (the same IPA on different pages):
 * switching VTTBR_EL2 switches what EL1 sees, both ways, without TLBI -
 * the translations of one VMID never serve the other. */
START_TEST(stage2_vmids_are_separate)
{
	REQUIRE_EL2();
	data_pages();
	uint64_t va = GUEST_RAM_IPA + PAGE_A_OFF;
	uint64_t t1 = S2_TABLE_OFF, t2 = S2_TABLE_OFF + 0x4000;
	stage2_l3(t1, va);
	uint64_t d2 = stage2_l3(t2, va);
	put64(d2, (GUEST_RAM_IPA + PAGE_B_OFF) | S2_PAGE);
	uint64_t vttbr1 = 1ull << 48 | (GUEST_RAM_IPA + t1), vttbr2 = 2ull << 48 | (GUEST_RAM_IPA + t2);
	set_sysreg(HV_SYS_REG_VTCR_EL2, VTCR_4K_L1_32);
	set_sysreg(HV_SYS_REG_VTTBR_EL2, vttbr1);
	set_sysreg(HV_SYS_REG_HCR_EL2, HCR_RW | HCR_VM);
	static const uint64_t expect[] = { MAGIC_A, MAGIC_B, MAGIC_A, MAGIC_B };
	for (unsigned i = 0; i < 4; i++) {
		run_remap(E_VMID, i & 1 ? vttbr2 : vttbr1, 0, va);
		ASSERT_U64_EQ(reg(HV_REG_X0), expect[i]);
	}
}
END_TEST

/* The EL2 physical timer: PPI 26 pending once CNTHP fires. */
START_TEST(cnthp_timer_ppi)
{
	REQUIRE_EL2();
	uint64_t pend = 0;
	set_sysreg(HV_SYS_REG_CNTHP_CVAL_EL2, 0); /* the condition holds at once */
	set_sysreg(HV_SYS_REG_CNTHP_CTL_EL2, 1);
	ASSERT_U64_EQ(sysreg(HV_SYS_REG_CNTHP_CTL_EL2), 5); /* ISTATUS */
	start_el2(E_HVC_EL2);
	guest_run();
	ASSERT_HVC(7);
	ck_assert_int_eq(hv_gic_get_redistributor_reg(g_vcpu, HV_GIC_REDISTRIBUTOR_REG_GICR_ISPENDR0, &pend),
			 HV_SUCCESS);
	ck_assert_msg(pend & (1u << 26), "GICR_ISPENDR0 %#llx: PPI 26 not pending", (unsigned long long)pend);
	set_sysreg(HV_SYS_REG_CNTHP_CTL_EL2, 3); /* IMASK: the line drops at the next check */
	start_el2(E_HVC_EL2);
	guest_run();
	ck_assert_int_eq(hv_gic_get_redistributor_reg(g_vcpu, HV_GIC_REDISTRIBUTOR_REG_GICR_ISPENDR0, &pend),
			 HV_SUCCESS);
	ck_assert(!(pend & (1u << 26)));
}
END_TEST

/* HCR_EL2.VSE with AMO: a virtual SError at EL1 once PSTATE.A is clear;
 * taking it clears VSE and writes ESR_EL1 (EC 0x2f). */
START_TEST(virtual_serror)
{
	REQUIRE_EL2();
	run_el1(E_UNMASK, HCR_RW | 1ull << 5 | 1ull << 8, SPSR_EL1H_MASKED);
	ASSERT_AT_EL2_WITH(ESR_HVC(EL1_VEC(7))); /* current EL, SP_ELx, SError */
	ASSERT_U64_EQ(reg(HV_REG_X6), 0x100);    /* ISR_EL1.A */
	ASSERT_U64_EQ(sysreg(HV_SYS_REG_ESR_EL1), ESR(0x2f, 0));
	ASSERT_U64_EQ(sysreg(HV_SYS_REG_HCR_EL2) & (1ull << 8), 0);
}
END_TEST

/* A hostile guest hypervisor: random VTCR_EL2/VTTBR_EL2/HCR_EL2 and
 * tables of random words.  Each run ends with an exit (HVC, a stage-2
 * abort of either map, or the watchdog's cancel, never a crash or an
 * access outside the VM's memory, which ASan would report). */
START_TEST(hostile_stage2)
{
	REQUIRE_EL2();
	uint64_t seed = 0x9e3779b97f4a7c15ull;
	unsigned canceled = 0;
	for (unsigned it = 0; it < 400; it++) {
		uint64_t w[5];
		for (unsigned k = 0; k < 5; k++) {
			seed ^= seed << 13, seed ^= seed >> 7, seed ^= seed << 17;
			w[k] = seed;
		}
		for (unsigned k = 0; k < 512; k++) {
			seed ^= seed << 13, seed ^= seed >> 7, seed ^= seed << 17;
			put64(S2_TABLE_OFF + 8ull * k, (k & 1) ? seed : (seed & 0x3fffffull) | GUEST_RAM_IPA | 3);
		}
		set_sysreg(HV_SYS_REG_VTCR_EL2, w[0]);
		set_sysreg(HV_SYS_REG_VTTBR_EL2, (w[1] & 1 ? GUEST_RAM_IPA + S2_TABLE_OFF : 0) | (w[1] & ~0xfffull));
		start_el2(E_ENTER_EL1);
		/* not HCD (the vectors' HVCs would loop) nor TGE */
		set_reg(HV_REG_X0, (w[2] & 0x3fffffff & ~(1ull << 29 | 1ull << 27)) | HCR_RW | HCR_VM);
		set_reg(HV_REG_X1, guest_addr(4ull * (w[3] & 1 ? E_LOAD : E_STORE)));
		set_reg(HV_REG_X2, SPSR_EL1H_MASKED);
		set_reg(HV_REG_X3, w[4]);
		const hv_vcpu_exit_t *e = guest_run_for(20);
		ck_assert(e->reason == HV_EXIT_REASON_EXCEPTION || e->reason == HV_EXIT_REASON_CANCELED);
		canceled += e->reason == HV_EXIT_REASON_CANCELED;
	}
	fprintf(stderr, "hostile_stage2: 400 runs, %u ended by the watchdog\n", canceled);
}
END_TEST

/* With a valid PMUVer written by the host, the PMU is emulated: no
 * event counters (PMCR_EL0.N = 0), a cycle counter that counts retired
 * instructions, CPU_CYCLES in PMCEID0; MDCR_EL2.TPM traps it to EL2. */
START_TEST(pmu_with_valid_pmuver)
{
	REQUIRE_EL2();
	uint64_t dfr0 = sysreg(HV_SYS_REG_ID_AA64DFR0_EL1);
	set_sysreg(HV_SYS_REG_ID_AA64DFR0_EL1, (dfr0 & ~0xf00ull) | 1ull << 8); /* PMUv3 */
	start_el2(E_PMU_COUNT);
	guest_run();
	ASSERT_HVC(11);
	ASSERT_U64_EQ(reg(HV_REG_X0), 0);
	uint64_t d = reg(HV_REG_X3) - reg(HV_REG_X2);
	ck_assert_msg(d >= 8 && d <= 64, "PMCCNTR advanced by %llu over 8 NOPs", (unsigned long long)d);
	ASSERT_U64_EQ(reg(HV_REG_X4), 1ull << 0x11);
	/* EL1 reads PMCR_EL0; under MDCR_EL2.TPM that traps to EL2. */
	run_el1(E_PMU, HCR_RW, SPSR_EL1H_MASKED);
	ASSERT_AT_EL2_WITH(ESR_HVC(0x4e));
	set_sysreg(HV_SYS_REG_MDCR_EL2, 1ull << 6);
	run_el1(E_PMU, HCR_RW, SPSR_EL1H_MASKED);
	ASSERT_AT_EL2_WITH(ESR(0x18, ISS_SYSREG(3u, 3u, 9u, 12u, 0u, 0u, 1u)));
}
END_TEST

/* ---- FEAT_VHE ------------------------------------------------------------ */

/* With HCR_EL2.E2H, EL1 register encodings at EL2 reach the EL2
 * registers and *_EL12 the EL1 ones; without it *_EL12 is UNDEFINED. */
START_TEST(vhe_register_redirection)
{
	REQUIRE_EL2();
	ASSERT_U64_EQ((sysreg(HV_SYS_REG_ID_AA64MMFR1_EL1) >> 8) & 0xf, 1); /* VH */
	uint64_t sctlr1 = sysreg(HV_SYS_REG_SCTLR_EL1);
	set_sysreg(HV_SYS_REG_HCR_EL2, HCR_RW | HCR_E2H);
	start_el2(E_VHE_REGS);
	set_reg(HV_REG_X0, 0x30d00988ull); /* RES1 | SA (E2H: SCTLR_EL1's layout; MMU off) */
	set_reg(HV_REG_X1, 0x30d01984ull); /* RES1 | C | I */
	guest_run();
	ASSERT_HVC(10);
	ASSERT_U64_EQ(sysreg(HV_SYS_REG_SCTLR_EL2), 0x30d00988ull);
	ASSERT_U64_EQ(sysreg(HV_SYS_REG_SCTLR_EL1), 0x30d01984ull);
	ASSERT_U64_EQ(reg(HV_REG_X2), GUEST_VBAR); /* VBAR_EL2 */
	ck_assert(sctlr1 != 0x30d01984ull);

	set_sysreg(HV_SYS_REG_HCR_EL2, HCR_RW);
	set_sysreg(HV_SYS_REG_SCTLR_EL2, 0x30c50830ull);
	start_el2(E_VHE_REGS);
	set_reg(HV_REG_X0, 0x30d00800ull);
	guest_run();
	ASSERT_HVC(EL2_VEC(4)); /* UNDEFINED SCTLR_EL12 at EL2, current EL */
	ASSERT_U64_EQ(sysreg(HV_SYS_REG_ESR_EL2), ESR(0, 0));
	ASSERT_U64_EQ(sysreg(HV_SYS_REG_ELR_EL2), reg(HV_REG_X9));
	ASSERT_U64_EQ(sysreg(HV_SYS_REG_SCTLR_EL2), 0x30c50830ull); /* the EL1 encoding reached SCTLR_EL1 */
}
END_TEST

/* E2H and TGE: EL0 is the hypervisor's own; its SVC goes to EL2. */
START_TEST(vhe_host_el0_svc)
{
	REQUIRE_EL2();
	start_el2(E_ENTER_EL1);
	set_reg(HV_REG_X0, HCR_RW | HCR_E2H | 1ull << 27); /* TGE */
	set_reg(HV_REG_X1, guest_addr(4ull * E_SVC));
	set_reg(HV_REG_X2, 0); /* EL0t */
	guest_run();
	ASSERT_AT_EL2_WITH(ESR(0x15, 0x33));
	ASSERT_U64_EQ(sysreg(HV_SYS_REG_ELR_EL2), reg(HV_REG_X9) + 4);
	ASSERT_U64_EQ(sysreg(HV_SYS_REG_SPSR_EL2) & 0xf, 0);
}
END_TEST

/* ---- the GIC's virtual CPU interface ------------------------------------ */

#define GICD_BASE 0x08000000ull
#define GICR_BASE 0x080a0000ull
#define LR_PENDING (1ull << 62)
#define LR_ACTIVE (1ull << 63)
#define LR_GROUP1 (1ull << 60)
#define LR_HW (1ull << 61)
#define LR_EOI (1ull << 41)
#define LR(vintid, prio, flags) ((uint64_t)(vintid) | (uint64_t)(prio) << 48 | (flags))
#define VMCR_VENG1 (1ull << 1)
#define VMCR_VPMR(p) ((uint64_t)(p) << 24)

static void create_gic(void)
{
	hv_gic_config_t c = hv_gic_config_create();
	ck_assert_int_eq(hv_gic_config_set_distributor_base(c, GICD_BASE), HV_SUCCESS);
	ck_assert_int_eq(hv_gic_config_set_redistributor_base(c, GICR_BASE), HV_SUCCESS);
	ck_assert_int_eq(hv_gic_create(c), HV_SUCCESS);
	os_release(c);
}

static void gic_setup(void)
{
	if (!el2_supported())
		return;
	vm_setup_el2_with(create_gic);
	guest_load("el2");
}

static uint64_t ich(hv_gic_ich_reg_t r)
{
	uint64_t v = 0;
	ck_assert_int_eq(hv_gic_get_ich_reg(g_vcpu, r, &v), HV_SUCCESS);
	return v;
}

static void set_ich(hv_gic_ich_reg_t r, uint64_t v)
{
	ck_assert_int_eq(hv_gic_set_ich_reg(g_vcpu, r, v), HV_SUCCESS);
}

/* What the guest hypervisor's ERET to the interrupted EL1 does. */
static void host_eret(void)
{
	set_reg(HV_REG_PC, sysreg(HV_SYS_REG_ELR_EL2));
	set_reg(HV_REG_CPSR, sysreg(HV_SYS_REG_SPSR_EL2));
}

START_TEST(vgic_registers)
{
	REQUIRE_EL2();
	ASSERT_U64_EQ(ich(HV_GIC_ICH_REG_VTR_EL2), 0x90100003ull); /* 4 LRs, 5 priority bits */
	uint64_t v;
	ck_assert_int_eq(hv_gic_get_ich_reg(g_vcpu, HV_GIC_ICH_REG_LR4_EL2, &v), HV_BAD_ARGUMENT);
	set_ich(HV_GIC_ICH_REG_LR3_EL2, LR(77, 0xa0, LR_GROUP1 | LR_PENDING));
	ASSERT_U64_EQ(ich(HV_GIC_ICH_REG_LR3_EL2), LR(77, 0xa0, LR_GROUP1 | LR_PENDING));
	ASSERT_U64_EQ(ich(HV_GIC_ICH_REG_ELRSR_EL2), 0x7); /* LR3 holds one */
	set_ich(HV_GIC_ICH_REG_VMCR_EL2, VMCR_VENG1 | VMCR_VPMR(0xf0));
	ck_assert_int_eq(hv_gic_get_icv_reg(g_vcpu, HV_GIC_ICV_REG_PMR_EL1, &v), HV_SUCCESS);
	ASSERT_U64_EQ(v, 0xf0);
	ck_assert_int_eq(hv_gic_get_icv_reg(g_vcpu, HV_GIC_ICV_REG_IGRPEN1_EL1, &v), HV_SUCCESS);
	ASSERT_U64_EQ(v, 1);
	ck_assert_int_eq(hv_gic_get_icc_reg(g_vcpu, HV_GIC_ICC_REG_SRE_EL2, &v), HV_SUCCESS);
	ASSERT_U64_EQ(v, 0xf);
	/* EL1 under IMO reads the virtual PMR; without IMO the physical one. */
	run_el1(E_VPMR, HCR_RW | HCR_IMO, SPSR_EL1H_MASKED);
	ASSERT_AT_EL2_WITH(ESR_HVC(0x52));
	ASSERT_U64_EQ(reg(HV_REG_X0), 0xf0);
	run_el1(E_VPMR, HCR_RW, SPSR_EL1H_MASKED);
	ASSERT_AT_EL2_WITH(ESR_HVC(0x52));
	ASSERT_U64_EQ(reg(HV_REG_X0), 0);
}
END_TEST

/* A list register: the virtual IRQ is taken at EL1, acknowledged through
 * ICV_IAR1 (LR pending -> active, running priority), EOI'd (LR inactive,
 * free in ELRSR); with EOI = 1 the maintenance interrupt (PPI 25) rises. */
START_TEST(vgic_list_register_lifecycle)
{
	REQUIRE_EL2();
	set_ich(HV_GIC_ICH_REG_HCR_EL2, 1); /* En */
	set_ich(HV_GIC_ICH_REG_VMCR_EL2, VMCR_VENG1 | VMCR_VPMR(0xf8));
	set_ich(HV_GIC_ICH_REG_LR0_EL2, LR(40, 0x80, LR_GROUP1 | LR_PENDING | LR_EOI));
	run_el1(E_UNMASK, HCR_RW | HCR_IMO, SPSR_EL1H_MASKED);
	ASSERT_AT_EL2_WITH(ESR_HVC(EL1_VEC(5))); /* EL1's IRQ vector */
	ASSERT_U64_EQ(reg(HV_REG_X6), 0x80);     /* ISR_EL1.I: the virtual IRQ */

	run_el1(E_VIAR, HCR_RW | HCR_IMO, SPSR_EL1H_MASKED);
	ASSERT_AT_EL2_WITH(ESR_HVC(0x50));
	ASSERT_U64_EQ(reg(HV_REG_X0), 40);
	ASSERT_U64_EQ(ich(HV_GIC_ICH_REG_LR0_EL2), LR(40, 0x80, LR_GROUP1 | LR_ACTIVE | LR_EOI));
	uint64_t rpr;
	ck_assert_int_eq(hv_gic_get_icv_reg(g_vcpu, HV_GIC_ICV_REG_RPR_EL1, &rpr), HV_SUCCESS);
	ASSERT_U64_EQ(rpr, 0x80);
	ASSERT_U64_EQ(ich(HV_GIC_ICH_REG_ELRSR_EL2) & 1, 0);

	host_eret();
	guest_run();
	ASSERT_AT_EL2_WITH(ESR_HVC(0x51));
	ASSERT_U64_EQ(ich(HV_GIC_ICH_REG_LR0_EL2), LR(40, 0x80, LR_GROUP1 | LR_EOI));
	ASSERT_U64_EQ(ich(HV_GIC_ICH_REG_EISR_EL2), 1);
	ASSERT_U64_EQ(ich(HV_GIC_ICH_REG_MISR_EL2), 1); /* EOI */
	uint64_t pend;
	ck_assert_int_eq(hv_gic_get_redistributor_reg(g_vcpu, HV_GIC_REDISTRIBUTOR_REG_GICR_ISPENDR0, &pend),
			 HV_SUCCESS);
	ck_assert_msg(pend & (1u << 25), "GICR_ISPENDR0 %#llx: no maintenance interrupt", (unsigned long long)pend);
	/* The hypervisor recycles the LR: the maintenance interrupt drops. */
	set_ich(HV_GIC_ICH_REG_LR0_EL2, 0);
	ASSERT_U64_EQ(ich(HV_GIC_ICH_REG_ELRSR_EL2), 0xf);
	ASSERT_U64_EQ(ich(HV_GIC_ICH_REG_MISR_EL2), 0);
	ck_assert_int_eq(hv_gic_get_redistributor_reg(g_vcpu, HV_GIC_REDISTRIBUTOR_REG_GICR_ISPENDR0, &pend),
			 HV_SUCCESS);
	ck_assert(!(pend & (1u << 25)));
}
END_TEST

/* HW = 1: deactivating the virtual INTID deactivates the physical one;
 * nothing pending or below the priority mask: IAR returns 1023. */
START_TEST(vgic_hw_deactivation)
{
	REQUIRE_EL2();
	uint64_t act;
	ck_assert_int_eq(hv_gic_set_distributor_reg(HV_GIC_DISTRIBUTOR_REG_GICD_ISACTIVER1, 1u << 9), HV_SUCCESS);
	set_ich(HV_GIC_ICH_REG_HCR_EL2, 1);
	set_ich(HV_GIC_ICH_REG_VMCR_EL2, VMCR_VENG1 | VMCR_VPMR(0x80));
	set_ich(HV_GIC_ICH_REG_LR1_EL2, LR(27, 0x90, LR_GROUP1 | LR_PENDING | LR_HW | 41ull << 32));
	run_el1(E_VIAR, HCR_RW | HCR_IMO, SPSR_EL1H_MASKED);
	ASSERT_AT_EL2_WITH(ESR_HVC(0x50));
	ASSERT_U64_EQ(reg(HV_REG_X0), 1023); /* 0x90 is not above VPMR 0x80 */

	set_ich(HV_GIC_ICH_REG_VMCR_EL2, VMCR_VENG1 | VMCR_VPMR(0xf8));
	run_el1(E_VIAR, HCR_RW | HCR_IMO, SPSR_EL1H_MASKED);
	ASSERT_AT_EL2_WITH(ESR_HVC(0x50));
	ASSERT_U64_EQ(reg(HV_REG_X0), 27);
	ck_assert_int_eq(hv_gic_get_distributor_reg(HV_GIC_DISTRIBUTOR_REG_GICD_ISACTIVER1, &act), HV_SUCCESS);
	ASSERT_U64_EQ(act & (1u << 9), 1u << 9);
	host_eret();
	guest_run();
	ASSERT_AT_EL2_WITH(ESR_HVC(0x51));
	ck_assert_int_eq(hv_gic_get_distributor_reg(HV_GIC_DISTRIBUTOR_REG_GICD_ISACTIVER1, &act), HV_SUCCESS);
	ASSERT_U64_EQ(act & (1u << 9), 0);
	ASSERT_U64_EQ(ich(HV_GIC_ICH_REG_LR1_EL2) >> 62, 0);
}
END_TEST

/* Without EL2 the virtual interface is not there. */
START_TEST(vgic_absent_without_el2)
{
	vm_setup_with(create_gic);
	uint64_t v;
	ck_assert_int_eq(hv_gic_get_ich_reg(g_vcpu, HV_GIC_ICH_REG_VTR_EL2, &v), HV_BAD_ARGUMENT);
	ck_assert_int_eq(hv_gic_get_icv_reg(g_vcpu, HV_GIC_ICV_REG_PMR_EL1, &v), HV_BAD_ARGUMENT);
	ck_assert_int_eq(hv_gic_get_icc_reg(g_vcpu, HV_GIC_ICC_REG_SRE_EL2, &v), HV_BAD_ARGUMENT);
	vm_teardown();
}
END_TEST

static Suite *el2_suite(void)
{
	Suite *s = suite_create("el2");
	TCase *c = tcase_create("el2");
	tcase_add_checked_fixture(c, setup, teardown);
	tcase_add_test(c, el2_refused);
	tcase_add_test(c, reset_state);
	tcase_add_test(c, registers_round_trip);
	tcase_add_test(c, hvc_at_el2_exits);
	tcase_add_test(c, el2_sees_its_state);
	tcase_add_test(c, eret_then_hvc_from_el1);
	tcase_add_test(c, smc_trapped_by_tsc);
	tcase_add_test(c, eret_upwards_is_illegal);
	tcase_add_test(c, el2_regs_undefined_at_el1);
	tcase_add_test(c, tvm_traps_sctlr_write);
	tcase_add_test(c, tid3_traps_id_read);
	tcase_add_test(c, ttlb_traps_tlbi);
	tcase_add_test(c, twi_traps_wfi);
	tcase_add_test(c, tfp_traps_fp);
	tcase_add_test(c, virtual_irq);
	tcase_add_test(c, physical_irq_routing);
	tcase_add_test(c, virtual_ids_and_counter);
	tcase_add_test(c, stage2_translation_fault);
	tcase_add_test(c, stage2_permission_fault);
	tcase_add_test(c, stage2_to_host_fault);
	tcase_add_test(c, stage2_fault_on_s1_walk);
	tcase_add_test(c, at_two_stages);
	tcase_add_test(c, host_breakpoint_at_el2);
	tcase_add_test(c, stage2_concatenated_tables);
	tcase_add_test(c, stage2_16k_64k_granules);
	tcase_add_test(c, stage2_remap_with_tlbi);
	tcase_add_test(c, stage2_vmids_are_separate);
	tcase_add_test(c, virtual_serror);
	tcase_add_test(c, hostile_stage2);
	tcase_add_test(c, vhe_register_redirection);
	tcase_add_test(c, pmu_with_valid_pmuver);
	tcase_add_test(c, vhe_host_el0_svc);
	suite_add_tcase(s, c);
	TCase *g = tcase_create("vgic");
	tcase_add_checked_fixture(g, gic_setup, teardown);
	tcase_add_test(g, vgic_registers);
	tcase_add_test(g, vgic_list_register_lifecycle);
	tcase_add_test(g, vgic_hw_deactivation);
	tcase_add_test(g, cnthp_timer_ppi);
	suite_add_tcase(s, g);
	TCase *n = tcase_create("no_el2");
	tcase_add_test(n, absent_without_el2);
	tcase_add_test(n, vgic_absent_without_el2);
	suite_add_tcase(s, n);
	return s;
}

int main(void)
{
	return run_suite(el2_suite());
}
