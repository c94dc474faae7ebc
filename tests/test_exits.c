/*
 * test_exits.c - guest instructions that end hv_vcpu_run with
 * HV_EXIT_REASON_EXCEPTION: HVC, SMC, WFI/WFE, stage-2 data and
 * instruction aborts, BRK; with Apple's PC conventions and syndromes.
 */
#include <string.h>
#include <unistd.h>

#include "backend.h"
#include "guest.h"

enum {
	E_HVC,
	E_SMC,
	E_WFI,
	E_WFE,
	E_LDR_W,
	E_LDRSH_X,
	E_LDRSH_W,
	E_STR_X,
	E_STRB_ZR,
	E_LDP,
	E_STORE_RO,
	E_IFETCH,
	E_BRK,
	E_LDRB,
	E_LDR_POST,
	E_LDAR,
	E_STLR_W,
	E_LDXR,
	E_LDR_Q,
	E_LDRSW,
	E_STR_W,
};

/* Data abort ISS fields. */
#define ISV (1u << 24)
#define SAS(n) ((uint32_t)(n) << 22)
#define SSE (1u << 21)
#define SRT(n) ((uint32_t)(n) << 16)
#define SF (1u << 15)
#define AR (1u << 14)
#define WNR (1u << 6)
#define DFSC(iss) ((iss) & 0x3f)
#define IS_TRANSLATION_FAULT(fsc) (((fsc) & 0x3c) == 0x04)
#define IS_PERMISSION_FAULT(fsc) (((fsc) & 0x3c) == 0x0c)

static void setup(void)
{
	vm_setup();
	guest_load("exits");
}

START_TEST(hvc)
{
	guest_start(E_HVC);
	guest_run();
	ASSERT_HVC(0x1234);
	/* Apple: PC already after the HVC. */
	ASSERT_U64_EQ(guest_pc(), reg(HV_REG_X9) + 4);
	/* Running on executes the next instruction. */
	guest_run();
	ASSERT_HVC(1);
	ASSERT_U64_EQ(guest_pc(), reg(HV_REG_X9) + 8);
}
END_TEST

START_TEST(smc)
{
	guest_start(E_SMC);
	if (hv_test_backend_is_kvm()) {
		/* By design on kvm: KVM answers an SMC with a non-zero
		 * immediate itself (X0 = -1, SMCCC "reserved") before the
		 * SMCCC filter could forward it; no exit. */
		set_reg(HV_REG_X0, 0x84000000); /* PSCI_VERSION: not answered */
		guest_run();
		ASSERT_HVC(2);
		ASSERT_U64_EQ(reg(HV_REG_X0), ~0ull);
		return;
	}
	guest_run();
	ASSERT_SYNDROME((0x17ull << 26) | ESR_IL | 5);
	/* Apple: PC at the SMC; the VMM skips it. */
	ASSERT_U64_EQ(guest_pc(), reg(HV_REG_X9));
	set_reg(HV_REG_PC, guest_pc() + 4);
	guest_run();
	ASSERT_HVC(2);
}
END_TEST

static void wfx(unsigned entry, unsigned ti)
{
	guest_start(entry);
	if (hv_test_backend_is_kvm()) {
		/* By design on kvm: KVM handles WFx itself and never exits.
		 * WFE completes at once; WFI waits in KVM for an interrupt
		 * or, here, the hv_vcpus_exit of a 100 ms watchdog, and has
		 * completed when the run returns CANCELED. */
		if (ti == 1) {
			guest_run();
			ASSERT_HVC(3);
			return;
		}
		guest_run_for(100);
		ASSERT_EXIT_REASON(HV_EXIT_REASON_CANCELED);
		ASSERT_U64_EQ(guest_pc(), reg(HV_REG_X9) + 4);
		return;
	}
	guest_run();
	ASSERT_EXIT_EC(0x01);
	ck_assert(g_exit->exception.syndrome & ESR_IL);
	ck_assert_uint_eq(g_exit->exception.syndrome & 3, ti); /* TI: 0 WFI, 1 WFE */
	ASSERT_U64_EQ(guest_pc(), reg(HV_REG_X9));
	set_reg(HV_REG_PC, guest_pc() + 4);
	guest_run();
	ASSERT_HVC(3);
}

START_TEST(wfi)
{
	wfx(E_WFI, 0);
}
END_TEST

START_TEST(wfe)
{
	wfx(E_WFE, 1);
}
END_TEST

START_TEST(wfi_with_pending_irq_completes)
{
	/* HCR_EL2.TWI traps a WFI only "if the instruction would otherwise
	 * have caused the PE to enter a low-power state"; a pending virtual
	 * IRQ is a WFI wake-up event even while PSTATE.I masks it (Arm ARM
	 * D1 "Wait for Interrupt"; QEMU's helper_wfi checks for work
	 * first).  So the WFI completes in the guest without an exit. */
	guest_start(E_WFI);
	ck_assert_int_eq(hv_vcpu_set_pending_interrupt(g_vcpu, HV_INTERRUPT_TYPE_IRQ, true), HV_SUCCESS);
	guest_run();
	ASSERT_HVC(3);
}
END_TEST

/* Runs entry with X1 = addr and checks a data abort exit. */
static uint32_t data_abort(unsigned entry, uint64_t addr)
{
	guest_start(entry);
	set_reg(HV_REG_X1, addr);
	guest_run();
	ASSERT_EXIT_EC(0x24);
	ck_assert(g_exit->exception.syndrome & ESR_IL);
	ASSERT_U64_EQ(guest_pc(), reg(HV_REG_X9));
	return ESR_ISS(g_exit->exception.syndrome);
}

START_TEST(dabt_ldr_w)
{
	uint32_t iss = data_abort(E_LDR_W, UNMAPPED_IPA + 0x10);
	ck_assert_uint_eq(iss & ~0x3fu, ISV | SAS(2) | SRT(2));
	ck_assert(IS_TRANSLATION_FAULT(DFSC(iss)));
	ASSERT_U64_EQ(g_exit->exception.virtual_address, UNMAPPED_IPA + 0x10);
	ASSERT_U64_EQ(g_exit->exception.physical_address, UNMAPPED_IPA + 0x10);
	/* MMIO completion as a VMM does it: X[SRT] = value, PC += 4. */
	set_reg(HV_REG_X2, 0xcafef00d);
	set_reg(HV_REG_PC, guest_pc() + 4);
	guest_run();
	ASSERT_HVC(4);
	ASSERT_U64_EQ(reg(HV_REG_X3), 0xcafef00eull);
}
END_TEST

START_TEST(dabt_ldrsh_x)
{
	uint32_t iss = data_abort(E_LDRSH_X, UNMAPPED_IPA + 0x22);
	ck_assert_uint_eq(iss & ~0x3fu, ISV | SAS(1) | SSE | SRT(3) | SF);
	ck_assert(IS_TRANSLATION_FAULT(DFSC(iss)));
	ASSERT_U64_EQ(g_exit->exception.virtual_address, UNMAPPED_IPA + 0x22);
	ASSERT_U64_EQ(g_exit->exception.physical_address, UNMAPPED_IPA + 0x22);
}
END_TEST

START_TEST(dabt_ldrsh_w)
{
	uint32_t iss = data_abort(E_LDRSH_W, UNMAPPED_IPA + 0x2);
	ck_assert_uint_eq(iss & ~0x3fu, ISV | SAS(1) | SSE | SRT(3));
}
END_TEST

START_TEST(dabt_ldrb)
{
	uint32_t iss = data_abort(E_LDRB, UNMAPPED_IPA + 0x100);
	ck_assert_uint_eq(iss & ~0x3fu, ISV | SAS(0) | SRT(7));
	ASSERT_U64_EQ(g_exit->exception.virtual_address, UNMAPPED_IPA + 0x103);
	ASSERT_U64_EQ(g_exit->exception.physical_address, UNMAPPED_IPA + 0x103);
}
END_TEST

START_TEST(dabt_str_x)
{
	set_reg(HV_REG_X4, 0x1122334455667788ull);
	uint32_t iss = data_abort(E_STR_X, UNMAPPED_IPA + 0x1000);
	ck_assert_uint_eq(iss & ~0x3fu, ISV | SAS(3) | SRT(4) | SF | WNR);
	ck_assert(IS_TRANSLATION_FAULT(DFSC(iss)));
	ASSERT_U64_EQ(g_exit->exception.virtual_address, UNMAPPED_IPA + 0x1008);
	ASSERT_U64_EQ(g_exit->exception.physical_address, UNMAPPED_IPA + 0x1008);
	set_reg(HV_REG_PC, guest_pc() + 4);
	guest_run();
	ASSERT_HVC(7);
}
END_TEST

START_TEST(dabt_strb_zr)
{
	uint32_t iss = data_abort(E_STRB_ZR, UNMAPPED_IPA + 0x5);
	/* SRT 31 = XZR (not PC: the VMM must special-case it). */
	ck_assert_uint_eq(iss & ~0x3fu, ISV | SAS(0) | SRT(31) | WNR);
}
END_TEST

START_TEST(dabt_ldp_no_isv)
{
	uint32_t iss = data_abort(E_LDP, UNMAPPED_IPA + 0x40);
	ck_assert_uint_eq(iss & ISV, 0);
	ck_assert_uint_eq(iss & WNR, 0);
	ck_assert(IS_TRANSLATION_FAULT(DFSC(iss)));
	ASSERT_U64_EQ(g_exit->exception.virtual_address, UNMAPPED_IPA + 0x40);
	ASSERT_U64_EQ(g_exit->exception.physical_address, UNMAPPED_IPA + 0x40);
}
END_TEST

START_TEST(dabt_writeback_no_isv)
{
	uint32_t iss = data_abort(E_LDR_POST, UNMAPPED_IPA + 0x48);
	ck_assert_uint_eq(iss & ISV, 0);
	/* The base register is not written back on the fault. */
	ASSERT_U64_EQ(reg(HV_REG_X1), UNMAPPED_IPA + 0x48);
}
END_TEST

START_TEST(dabt_ldar)
{
	uint32_t iss = data_abort(E_LDAR, UNMAPPED_IPA);
	ck_assert_uint_eq(iss & ~0x3fu, ISV | SAS(3) | SRT(2) | SF | AR);
}
END_TEST

START_TEST(dabt_stlr_w)
{
	uint32_t iss = data_abort(E_STLR_W, UNMAPPED_IPA + 0x10);
	ck_assert_uint_eq(iss & ~0x3fu, ISV | SAS(2) | SRT(6) | AR | WNR);
}
END_TEST

START_TEST(dabt_ldxr_no_isv)
{
	uint32_t iss = data_abort(E_LDXR, UNMAPPED_IPA + 0x20);
	ck_assert_uint_eq(iss & ISV, 0);
	ck_assert(IS_TRANSLATION_FAULT(DFSC(iss)));
	ASSERT_U64_EQ(g_exit->exception.physical_address, UNMAPPED_IPA + 0x20);
}
END_TEST

START_TEST(dabt_ldr_q_no_isv)
{
	uint32_t iss = data_abort(E_LDR_Q, UNMAPPED_IPA + 0x30);
	ck_assert_uint_eq(iss & ISV, 0);
	ASSERT_U64_EQ(g_exit->exception.physical_address, UNMAPPED_IPA + 0x30);
}
END_TEST

START_TEST(dabt_ldrsw)
{
	uint32_t iss = data_abort(E_LDRSW, UNMAPPED_IPA + 0x44);
	ck_assert_uint_eq(iss & ~0x3fu, ISV | SAS(2) | SSE | SRT(11) | SF);
	/* Completion: the VMM writes the sign-extended value. */
	set_reg(HV_REG_X11, 0xfffffffffffffff0ull);
	set_reg(HV_REG_PC, guest_pc() + 4);
	guest_run();
	ASSERT_HVC(19);
	ASSERT_U64_EQ(reg(HV_REG_X11), 0xfffffffffffffff0ull);
}
END_TEST

START_TEST(dabt_str_w)
{
	uint32_t iss = data_abort(E_STR_W, UNMAPPED_IPA + 0x50);
	ck_assert_uint_eq(iss & ~0x3fu, ISV | SAS(2) | SRT(12) | WNR);
	ASSERT_U64_EQ(g_exit->exception.virtual_address, UNMAPPED_IPA + 0x54);
}
END_TEST

START_TEST(store_to_read_only)
{
	size_t ps = (size_t)sysconf(_SC_PAGESIZE);
	hv_ipa_t page = GUEST_RAM_IPA + GUEST_DATA_OFF;
	memcpy(g_ram + GUEST_DATA_OFF, "\x11\x22\x33\x44\x55\x66\x77\x88", 8);
	ck_assert_int_eq(hv_vm_protect(page, ps, HV_MEMORY_READ), HV_SUCCESS);
	set_reg(HV_REG_X2, 0xabcdef);
	uint32_t iss = data_abort(E_STORE_RO, page + 0x10);
	ASSERT_U64_EQ(reg(HV_REG_X5), 0); /* the load worked: [page+0x10] = 0 */
	ck_assert(IS_PERMISSION_FAULT(DFSC(iss)));
	ck_assert_uint_eq(iss & ~0x3fu, ISV | SAS(3) | SRT(2) | SF | WNR);
	ASSERT_U64_EQ(g_exit->exception.virtual_address, page + 0x10);
	ASSERT_U64_EQ(g_exit->exception.physical_address, page + 0x10);
	uint64_t mem;
	memcpy(&mem, g_ram + GUEST_DATA_OFF + 0x10, 8);
	ASSERT_U64_EQ(mem, 0); /* not written */

	/* Dirty-tracking style: make it writable again and retry the store. */
	ck_assert_int_eq(hv_vm_protect(page, ps, HV_MEMORY_READ | HV_MEMORY_WRITE), HV_SUCCESS);
	guest_run();
	ASSERT_HVC(10);
	memcpy(&mem, g_ram + GUEST_DATA_OFF + 0x10, 8);
	ASSERT_U64_EQ(mem, 0xabcdef);
}
END_TEST

START_TEST(store_after_unmap)
{
	/* Unmapping a page of RAM makes it an MMIO hole. */
	size_t ps = (size_t)sysconf(_SC_PAGESIZE);
	hv_ipa_t page = GUEST_RAM_IPA + GUEST_DATA_OFF;
	ck_assert_int_eq(hv_vm_unmap(page, ps), HV_SUCCESS);
	set_reg(HV_REG_X4, 1);
	uint32_t iss = data_abort(E_STR_X, page);
	ck_assert(IS_TRANSLATION_FAULT(DFSC(iss)));
	ASSERT_U64_EQ(g_exit->exception.physical_address, page + 8);
	/* Map it back and retry. */
	ck_assert_int_eq(hv_vm_map(g_ram + GUEST_DATA_OFF, page, ps,
				   HV_MEMORY_READ | HV_MEMORY_WRITE), HV_SUCCESS);
	guest_run();
	ASSERT_HVC(7);
	uint64_t mem;
	memcpy(&mem, g_ram + GUEST_DATA_OFF + 8, 8);
	ASSERT_U64_EQ(mem, 1);
}
END_TEST

START_TEST(instruction_abort)
{
	guest_start(E_IFETCH);
	set_reg(HV_REG_X1, UNMAPPED_IPA + 0x200);
	if (hv_test_backend_is_kvm()) {
		/* By design on kvm: KVM does not exit for a fetch from an
		 * unmapped IPA but injects a prefetch abort (EC 0x21, FAR =
		 * the address) into the guest. */
		set_sysreg(HV_SYS_REG_VBAR_EL1, GUEST_VBAR);
		guest_run();
		ASSERT_HVC(VEC_HVC(VEC_CUR_SPX_SYNC));
		ck_assert_uint_eq(ESR_EC(sysreg(HV_SYS_REG_ESR_EL1)), 0x21);
		ASSERT_U64_EQ(sysreg(HV_SYS_REG_FAR_EL1), UNMAPPED_IPA + 0x200);
		ASSERT_U64_EQ(sysreg(HV_SYS_REG_ELR_EL1), UNMAPPED_IPA + 0x200);
		return;
	}
	guest_run();
	ASSERT_EXIT_EC(0x20);
	uint32_t iss = ESR_ISS(g_exit->exception.syndrome);
	ck_assert(IS_TRANSLATION_FAULT(DFSC(iss)));
	ASSERT_U64_EQ(guest_pc(), UNMAPPED_IPA + 0x200);
	ASSERT_U64_EQ(g_exit->exception.virtual_address, UNMAPPED_IPA + 0x200);
	ASSERT_U64_EQ(g_exit->exception.physical_address, UNMAPPED_IPA + 0x200);
}
END_TEST

START_TEST(instruction_abort_no_exec)
{
	/* A mapping without EXEC: fetching from it is a permission fault. */
	size_t ps = (size_t)sysconf(_SC_PAGESIZE);
	hv_ipa_t page = GUEST_RAM_IPA + GUEST_DATA_OFF;
	ck_assert_int_eq(hv_vm_protect(page, ps, HV_MEMORY_READ | HV_MEMORY_WRITE), HV_SUCCESS);
	guest_start(E_IFETCH);
	set_reg(HV_REG_X1, page);
	if (hv_test_backend_is_kvm()) {
		/* By design on kvm: a memslot is always executable, so the
		 * missing EXEC is not enforced and the fetch executes. */
		memcpy(g_ram + GUEST_DATA_OFF, "\x42\x05\x00\xd4", 4); /* HVC #42 */
		guest_run();
		ASSERT_HVC(42);
		return;
	}
	guest_run();
	ASSERT_EXIT_EC(0x20);
	ck_assert(IS_PERMISSION_FAULT(DFSC(ESR_ISS(g_exit->exception.syndrome))));
	ASSERT_U64_EQ(guest_pc(), page);
	ASSERT_U64_EQ(g_exit->exception.physical_address, page);
}
END_TEST

START_TEST(brk_trapped)
{
	ck_assert_int_eq(hv_vcpu_set_trap_debug_exceptions(g_vcpu, true), HV_SUCCESS);
	guest_start(E_BRK);
	guest_run();
	ASSERT_SYNDROME((0x3cull << 26) | ESR_IL | 0x77);
	ASSERT_U64_EQ(guest_pc(), reg(HV_REG_X9));
}
END_TEST

START_TEST(brk_to_guest)
{
	/* Debug exceptions not trapped: BRK goes to the guest's EL1 vector. */
	set_sysreg(HV_SYS_REG_VBAR_EL1, GUEST_VBAR);
	guest_start(E_BRK);
	guest_run();
	ASSERT_HVC(VEC_HVC(VEC_CUR_SPX_SYNC));
	ASSERT_U64_EQ(sysreg(HV_SYS_REG_ESR_EL1), (0x3cull << 26) | ESR_IL | 0x77);
	ASSERT_U64_EQ(sysreg(HV_SYS_REG_ELR_EL1), reg(HV_REG_X9));
	ASSERT_U64_EQ(sysreg(HV_SYS_REG_SPSR_EL1), CPSR_EL1H_MASKED);
	/* Exception entry: EL1h with DAIF masked. */
	ASSERT_U64_EQ(reg(HV_REG_CPSR) & 0x3cf, 0x3c5);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("exits");
	TCase *t = tcase_create("exits");
	tcase_add_checked_fixture(t, setup, vm_teardown);
	tcase_set_timeout(t, 10);
	tcase_add_test(t, hvc);
	tcase_add_test(t, smc);
	tcase_add_test(t, wfi);
	tcase_add_test(t, wfe);
	tcase_add_test(t, wfi_with_pending_irq_completes);
	tcase_add_test(t, dabt_ldr_w);
	tcase_add_test(t, dabt_ldrsh_x);
	tcase_add_test(t, dabt_ldrsh_w);
	tcase_add_test(t, dabt_ldrb);
	tcase_add_test(t, dabt_str_x);
	tcase_add_test(t, dabt_strb_zr);
	tcase_add_test(t, dabt_ldp_no_isv);
	tcase_add_test(t, dabt_writeback_no_isv);
	tcase_add_test(t, dabt_ldar);
	tcase_add_test(t, dabt_stlr_w);
	tcase_add_test(t, dabt_ldxr_no_isv);
	tcase_add_test(t, dabt_ldr_q_no_isv);
	tcase_add_test(t, dabt_ldrsw);
	tcase_add_test(t, dabt_str_w);
	tcase_add_test(t, store_to_read_only);
	tcase_add_test(t, store_after_unmap);
	tcase_add_test(t, instruction_abort);
	tcase_add_test(t, instruction_abort_no_exec);
	tcase_add_test(t, brk_trapped);
	tcase_add_test(t, brk_to_guest);
	suite_add_tcase(s, t);
	return run_suite(s);
}
