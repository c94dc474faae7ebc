/*
 * test_debug.c - debug exceptions exiting to the host
 * (hv_vcpu_set_trap_debug_exceptions): hardware breakpoints, watchpoints,
 * software step; and debug register access traps
 * (hv_vcpu_set_trap_debug_reg_accesses).
 */
#include <string.h>

#include "backend.h"
#include "guest.h"

enum { E_BKPT, E_WATCH, E_STEP, E_DBGREG, E_BRK, E_STEP_UDF, E_BKPT_ARMED, E_BKPT_LOOP, E_BKPT_MEMBER,
       E_BKPT_MEMBER_ARMED };

#define MDSCR_SS (1ull << 0)
#define MDSCR_MDE (1ull << 15)
#define CPSR_SS (1ull << 21)
#define DBGBCR_EXEC_EL1_EL0 0x1e7ull /* E, PMC = 0b11, BAS = 0xF */
#define DBGWCR_STORE_8 (1ull | 3ull << 1 | 2ull << 3 | 0xffull << 5) /* E, PAC, LSC store, BAS */

static void setup(void)
{
	vm_setup();
	guest_load("debug");
	set_sysreg(HV_SYS_REG_VBAR_EL1, GUEST_VBAR);
	ck_assert_int_eq(hv_vcpu_set_trap_debug_exceptions(g_vcpu, true), HV_SUCCESS);
}

/* Breakpoint 0 on the address the guest reported in X9, enabled for
 * EL1 and EL0 with MDSCR_EL1.MDE; returns it. */
static uint64_t arm_breakpoint_at_x9(void)
{
	uint64_t target = reg(HV_REG_X9);
	set_sysreg(HV_SYS_REG_DBGBVR0_EL1, target);
	set_sysreg(HV_SYS_REG_DBGBCR0_EL1, DBGBCR_EXEC_EL1_EL0);
	set_sysreg(HV_SYS_REG_MDSCR_EL1, MDSCR_MDE);
	return target;
}

START_TEST(hw_breakpoint)
{
	guest_start(E_BKPT);
	guest_run();
	ASSERT_HVC(0);
	uint64_t target = arm_breakpoint_at_x9();
	guest_run();
	ASSERT_EXIT_EC(0x30);
	ck_assert_uint_eq(g_exit->exception.syndrome & 0x3f, 0x22); /* IFSC: debug */
	ASSERT_U64_EQ(guest_pc(), target);
	ASSERT_U64_EQ(reg(HV_REG_X0), 0); /* not executed */
	/* Rerunning without removing it hits it again. */
	guest_run();
	ASSERT_EXIT_EC(0x30);
	ASSERT_U64_EQ(guest_pc(), target);
	/* Disabled: the guest runs on. */
	set_sysreg(HV_SYS_REG_DBGBCR0_EL1, 0);
	guest_run();
	ASSERT_HVC(1);
	ASSERT_U64_EQ(reg(HV_REG_X0), 1);
}
END_TEST

/* The guest arms a breakpoint on a function its hot loop calls: the next
 * call stops there (the loop's blocks, run into each other until then,
 * do not run on past it). */
/* emu: blocks are translated at their third entry (the head of a loop
 * then has run the blocks it branches to, which join its translation,
 * jit_translate.c regions). */
static void setup_translating_later(void)
{
	with_jit_hot("2", setup);
}

/* A breakpoint the host arms on the second block of a hot loop of two:
 * the next run stops there, the first time it gets there (emu: from
 * the translation of the first block, which holds the second). */
/* Runs the guest, which must stop at the breakpoint at target. */
static void run_to_breakpoint(uint64_t target)
{
	guest_run();
	ASSERT_EXIT_EC(0x30);
	ASSERT_U64_EQ(guest_pc(), target);
}

START_TEST(hw_breakpoint_in_a_translated_loop)
{
	guest_start(E_BKPT_LOOP);
	set_reg(HV_REG_X1, 100);
	set_reg(HV_REG_X8, 0);
	guest_run();
	ASSERT_HVC(7);
	ASSERT_U64_EQ(reg(HV_REG_X8), 25); /* once, then at X0 = 4, 8 ... 96 */
	run_to_breakpoint(arm_breakpoint_at_x9());
	ASSERT_U64_EQ(reg(HV_REG_X0), 4);
	ASSERT_U64_EQ(reg(HV_REG_X8), 25);
}
END_TEST

/* A breakpoint in a block that a translated region branches to, at an
 * instruction that block skips on its first visits after the breakpoint
 * is armed: the later visits must not run translated code that does not
 * look for it. */
START_TEST(hw_breakpoint_in_a_region_member)
{
	guest_start(E_BKPT_MEMBER);
	set_reg(HV_REG_X1, 100);
	set_reg(HV_REG_X2, ~0ull); /* 4: not run */
	set_reg(HV_REG_X7, 0);
	set_reg(HV_REG_X8, 0);
	guest_run();
	ASSERT_HVC(7);
	ASSERT_U64_EQ(reg(HV_REG_X8), 24); /* at X0 = 4, 8 ... 96 */
	set_reg(HV_REG_X2, 24 + 4); /* the fourth visit from now runs it */
	run_to_breakpoint(arm_breakpoint_at_x9());
	ASSERT_U64_EQ(reg(HV_REG_X8), 28);
	ASSERT_U64_EQ(reg(HV_REG_X7), 0);
}
END_TEST

/* The guest arms a breakpoint (MDSCR_EL1.MDE) and goes on in a region
 * whose blocks were all checked since the icache's epoch last moved
 * (an MSR leaves it): the member with the breakpoint, entered by a branch
 * inside the region, must stop there. */
START_TEST(hw_breakpoint_armed_in_a_region)
{
	guest_start(E_BKPT_MEMBER_ARMED);
	set_reg(HV_REG_X1, 100);
	set_reg(HV_REG_X2, 108);
	set_reg(HV_REG_X5, MDSCR_MDE);
	set_reg(HV_REG_X7, 0);
	set_reg(HV_REG_X8, 0);
	guest_run();
	ASSERT_HVC(0);
	set_sysreg(HV_SYS_REG_DBGBVR0_EL1, reg(HV_REG_X9));
	set_sysreg(HV_SYS_REG_DBGBCR0_EL1, DBGBCR_EXEC_EL1_EL0);
	set_sysreg(HV_SYS_REG_MDSCR_EL1, 0);
	run_to_breakpoint(reg(HV_REG_X9));
	ASSERT_U64_EQ(reg(HV_REG_X0), 101);
	ASSERT_U64_EQ(reg(HV_REG_X8), 100); /* at X0 = 1 ... 99, 101 */
	ASSERT_U64_EQ(reg(HV_REG_X7), 99);
}
END_TEST

START_TEST(hw_breakpoint_armed_by_the_guest)
{
	guest_start(E_BKPT_ARMED);
	set_reg(HV_REG_X1, 2000);
	set_reg(HV_REG_X2, 1000);
	set_reg(HV_REG_X4, DBGBCR_EXEC_EL1_EL0);
	set_reg(HV_REG_X5, MDSCR_MDE);
	set_reg(HV_REG_X8, 0);
	guest_run();
	ASSERT_EXIT_EC(0x30);
	ASSERT_U64_EQ(guest_pc(), reg(HV_REG_X9));
	ASSERT_U64_EQ(reg(HV_REG_X0), 1000);
	ASSERT_U64_EQ(reg(HV_REG_X8), 1000);
}
END_TEST

START_TEST(hw_breakpoint_needs_mde)
{
	guest_start(E_BKPT);
	guest_run();
	ASSERT_HVC(0);
	set_sysreg(HV_SYS_REG_DBGBVR0_EL1, reg(HV_REG_X9));
	set_sysreg(HV_SYS_REG_DBGBCR0_EL1, DBGBCR_EXEC_EL1_EL0);
	set_sysreg(HV_SYS_REG_MDSCR_EL1, 0);
	guest_run();
	ASSERT_HVC(1);
}
END_TEST

START_TEST(hw_breakpoint_other_slot)
{
	/* The last implemented breakpoint works like the first. */
	hv_vcpu_config_t c = hv_vcpu_config_create();
	uint64_t dfr0;
	ck_assert_int_eq(hv_vcpu_config_get_feature_reg(c, HV_FEATURE_REG_ID_AA64DFR0_EL1, &dfr0),
			 HV_SUCCESS);
	os_release(c);
	unsigned n = (unsigned)((dfr0 >> 12) & 0xf);
	guest_start(E_BKPT);
	guest_run();
	ASSERT_HVC(0);
	set_sysreg((hv_sys_reg_t)(HV_SYS_REG_DBGBVR0_EL1 + 8 * n), reg(HV_REG_X9));
	set_sysreg((hv_sys_reg_t)(HV_SYS_REG_DBGBCR0_EL1 + 8 * n), DBGBCR_EXEC_EL1_EL0);
	set_sysreg(HV_SYS_REG_MDSCR_EL1, MDSCR_MDE);
	guest_run();
	ASSERT_EXIT_EC(0x30);
	ASSERT_U64_EQ(guest_pc(), reg(HV_REG_X9));
}
END_TEST

START_TEST(watchpoint_store)
{
	uint64_t addr = guest_addr(GUEST_DATA_OFF + 0x40);
	uint64_t old = 0x0102030405060708ull;
	memcpy(g_ram + GUEST_DATA_OFF + 0x40, &old, 8);
	set_sysreg(HV_SYS_REG_DBGWVR0_EL1, addr);
	set_sysreg(HV_SYS_REG_DBGWCR0_EL1, DBGWCR_STORE_8);
	set_sysreg(HV_SYS_REG_MDSCR_EL1, MDSCR_MDE);
	guest_start(E_WATCH);
	set_reg(HV_REG_X1, addr);
	set_reg(HV_REG_X2, 0xeeee);
	guest_run();
	ASSERT_EXIT_EC(0x34);
	uint64_t iss = ESR_ISS(g_exit->exception.syndrome);
	ck_assert_uint_eq(iss & 0x3f, 0x22);       /* DFSC: debug */
	ck_assert_uint_eq(iss & (1u << 6), 1u << 6); /* WnR */
	ASSERT_U64_EQ(g_exit->exception.virtual_address, addr);
	ASSERT_U64_EQ(guest_pc(), reg(HV_REG_X9));
	ASSERT_U64_EQ(reg(HV_REG_X3), old); /* the load did not trigger */
	uint64_t mem;
	memcpy(&mem, g_ram + GUEST_DATA_OFF + 0x40, 8);
	ASSERT_U64_EQ(mem, old); /* the store has not happened */
	/* Disarm and continue: the store completes. */
	set_sysreg(HV_SYS_REG_DBGWCR0_EL1, 0);
	guest_run();
	ASSERT_HVC(1);
	memcpy(&mem, g_ram + GUEST_DATA_OFF + 0x40, 8);
	ASSERT_U64_EQ(mem, 0xeeee);
}
END_TEST

/* A watchpoint armed by the host on a page the first run's accesses put
 * into the (software) TLB: the second run's store must trap all the same
 * (in emu a hit never checks watchpoints: with them armed, loads and
 * stores use a TLB view that never hits). */
START_TEST(watchpoint_on_a_page_the_tlb_holds)
{
	uint64_t addr = guest_addr(GUEST_DATA_OFF + 0x40);
	set_sysreg(HV_SYS_REG_MDSCR_EL1, MDSCR_MDE);
	guest_start(E_WATCH);
	set_reg(HV_REG_X1, addr);
	set_reg(HV_REG_X2, 0xeeee);
	guest_run();
	ASSERT_HVC(1); /* not armed yet */
	set_sysreg(HV_SYS_REG_DBGWVR0_EL1, addr);
	set_sysreg(HV_SYS_REG_DBGWCR0_EL1, DBGWCR_STORE_8);
	guest_start(E_WATCH);
	set_reg(HV_REG_X1, addr);
	set_reg(HV_REG_X2, 0xffff);
	guest_run();
	ASSERT_EXIT_EC(0x34);
	ASSERT_U64_EQ(g_exit->exception.virtual_address, addr);
	ASSERT_U64_EQ(reg(HV_REG_X3), 0xeeee); /* the load ran, unwatched */
	uint64_t mem;
	memcpy(&mem, g_ram + GUEST_DATA_OFF + 0x40, 8);
	ASSERT_U64_EQ(mem, 0xeeee); /* the second store has not happened */
}
END_TEST

START_TEST(watchpoint_byte_select)
{
	/* BAS selects byte 4 of the doubleword: an 8-byte store covers it. */
	uint64_t addr = guest_addr(GUEST_DATA_OFF + 0x80);
	set_sysreg(HV_SYS_REG_DBGWVR0_EL1, addr);
	set_sysreg(HV_SYS_REG_DBGWCR0_EL1, 1ull | 3ull << 1 | 2ull << 3 | 0x10ull << 5);
	set_sysreg(HV_SYS_REG_MDSCR_EL1, MDSCR_MDE);
	guest_start(E_WATCH);
	set_reg(HV_REG_X1, addr);
	guest_run();
	ASSERT_EXIT_EC(0x34);
	ASSERT_U64_EQ(guest_pc(), reg(HV_REG_X9));
	/* FAR: an address within the watched range or the access. */
	uint64_t far = g_exit->exception.virtual_address;
	ck_assert(far >= addr && far < addr + 8);
}
END_TEST

static void step_once(void)
{
	set_reg(HV_REG_CPSR, reg(HV_REG_CPSR) | CPSR_SS);
	guest_run();
	ASSERT_EXIT_EC(0x32);
	uint64_t iss = ESR_ISS(g_exit->exception.syndrome);
	ck_assert_uint_eq(iss & (1u << 24), 1u << 24); /* ISV */
	ck_assert_uint_eq(iss & (1u << 6), 0);         /* EX: not a load-exclusive */
	ck_assert_uint_eq(iss & 0x3f, 0x22);
}

START_TEST(software_step)
{
	guest_start(E_STEP);
	guest_run();
	ASSERT_HVC(0);
	uint64_t start = reg(HV_REG_X9);
	ASSERT_U64_EQ(guest_pc(), start);
	set_reg(HV_REG_X0, 0);
	set_reg(HV_REG_X1, 0);
	set_sysreg(HV_SYS_REG_MDSCR_EL1, MDSCR_SS);

	step_once();
	ASSERT_U64_EQ(guest_pc(), start + 4);
	ASSERT_U64_EQ(reg(HV_REG_X0), 42);
	ASSERT_U64_EQ(reg(HV_REG_X1), 0);

	step_once();
	ASSERT_U64_EQ(guest_pc(), start + 8);
	ASSERT_U64_EQ(reg(HV_REG_X1), 43);

	/* A taken branch: PC = its target. */
	step_once();
	ASSERT_U64_EQ(guest_pc(), start + 16);

	/* Stepping off: the guest runs to the HVC. */
	set_sysreg(HV_SYS_REG_MDSCR_EL1, 0);
	set_reg(HV_REG_CPSR, reg(HV_REG_CPSR) & ~CPSR_SS);
	guest_run();
	ASSERT_HVC(2);
}
END_TEST

START_TEST(software_step_over_exit)
{
	/* Stepping an HVC: the HVC exit comes first, PC after it. */
	guest_start(E_STEP);
	set_sysreg(HV_SYS_REG_MDSCR_EL1, MDSCR_SS);
	set_reg(HV_REG_CPSR, CPSR_EL1H_MASKED | CPSR_SS);
	guest_run(); /* steps the entry branch */
	ASSERT_EXIT_EC(0x32);
	set_reg(HV_REG_CPSR, reg(HV_REG_CPSR) | CPSR_SS);
	guest_run(); /* steps ADR */
	ASSERT_EXIT_EC(0x32);
	set_reg(HV_REG_CPSR, reg(HV_REG_CPSR) | CPSR_SS);
	guest_run();
	ASSERT_HVC(0);
	ASSERT_U64_EQ(guest_pc(), reg(HV_REG_X9));
}
END_TEST

START_TEST(software_step_active_pending)
{
	/* MDSCR_EL1.SS = 1 with PSTATE.SS = 0 (active-pending): the step
	 * exception is taken before any instruction executes. */
	guest_start(E_STEP);
	guest_run();
	ASSERT_HVC(0);
	uint64_t pc = guest_pc();
	set_reg(HV_REG_X0, 0);
	set_sysreg(HV_SYS_REG_MDSCR_EL1, MDSCR_SS);
	set_reg(HV_REG_CPSR, reg(HV_REG_CPSR) & ~CPSR_SS);
	guest_run();
	ASSERT_EXIT_EC(0x32);
	ASSERT_U64_EQ(guest_pc(), pc);
	ASSERT_U64_EQ(reg(HV_REG_X0), 0);
}
END_TEST

START_TEST(watchpoint_load)
{
	uint64_t addr = guest_addr(GUEST_DATA_OFF + 0x40);
	set_sysreg(HV_SYS_REG_DBGWVR0_EL1, addr);
	set_sysreg(HV_SYS_REG_DBGWCR0_EL1, 1ull | 3ull << 1 | 1ull << 3 | 0xffull << 5); /* LSC load */
	set_sysreg(HV_SYS_REG_MDSCR_EL1, MDSCR_MDE);
	guest_start(E_WATCH);
	set_reg(HV_REG_X1, addr);
	set_reg(HV_REG_X3, 0x1111);
	guest_run();
	ASSERT_EXIT_EC(0x34);
	uint64_t iss = ESR_ISS(g_exit->exception.syndrome);
	ck_assert_uint_eq(iss & (1u << 6), 0); /* WnR = 0 */
	ck_assert_uint_eq(iss & 0x3f, 0x22);
	ASSERT_U64_EQ(g_exit->exception.virtual_address, addr);
	ASSERT_U64_EQ(reg(HV_REG_X3), 0x1111); /* the load has not happened */
	uint64_t pc = guest_pc();
	set_sysreg(HV_SYS_REG_DBGWCR0_EL1, 0);
	guest_run();
	ASSERT_HVC(1);
	ASSERT_U64_EQ(pc, reg(HV_REG_X9) - 8); /* at the LDR */
}
END_TEST

START_TEST(hw_breakpoint_before_hvc)
{
	/* A breakpoint on an HVC is reported instead of the HVC. */
	guest_start(E_BKPT);
	guest_run();
	ASSERT_HVC(0);
	uint64_t hvc_addr = reg(HV_REG_X9) + 4;
	set_sysreg(HV_SYS_REG_DBGBVR0_EL1, hvc_addr);
	set_sysreg(HV_SYS_REG_DBGBCR0_EL1, DBGBCR_EXEC_EL1_EL0);
	set_sysreg(HV_SYS_REG_MDSCR_EL1, MDSCR_MDE);
	guest_run();
	ASSERT_EXIT_EC(0x30);
	ASSERT_U64_EQ(guest_pc(), hvc_addr);
	ASSERT_U64_EQ(reg(HV_REG_X0), 1);
	set_sysreg(HV_SYS_REG_MDSCR_EL1, 0);
	guest_run();
	ASSERT_HVC(1);
}
END_TEST

START_TEST(software_step_into_exception)
{
	/* Stepping an instruction that takes an exception to EL1: the step
	 * completes on exception entry; the next step exception has the PC
	 * at the vector, before its first instruction. */
	guest_start(E_STEP_UDF);
	guest_run();
	ASSERT_HVC(0);
	set_sysreg(HV_SYS_REG_MDSCR_EL1, MDSCR_SS);
	set_reg(HV_REG_CPSR, reg(HV_REG_CPSR) | CPSR_SS);
	guest_run();
	ASSERT_EXIT_EC(0x32);
	ASSERT_U64_EQ(guest_pc(), GUEST_VBAR + 0x200);
	ASSERT_U64_EQ(sysreg(HV_SYS_REG_ESR_EL1), ESR_IL);
	ASSERT_U64_EQ(sysreg(HV_SYS_REG_ELR_EL1), reg(HV_REG_X9));
}
END_TEST

START_TEST(debug_reg_access_trap)
{
	if (hv_test_backend_is_kvm()) {
		/* By design on kvm: KVM traps debug register accesses itself
		 * and never exits for them, so MDCR_EL2.TDA cannot be given
		 * to the VMM: HV_UNSUPPORTED, the flag stays off. */
		bool b = true;
		ck_assert_int_eq(hv_vcpu_set_trap_debug_reg_accesses(g_vcpu, true), HV_UNSUPPORTED);
		ck_assert_int_eq(hv_vcpu_get_trap_debug_reg_accesses(g_vcpu, &b), HV_SUCCESS);
		ck_assert(!b);
		return;
	}
	ck_assert_int_eq(hv_vcpu_set_trap_debug_reg_accesses(g_vcpu, true), HV_SUCCESS);
	guest_start(E_DBGREG);
	set_reg(HV_REG_X7, 0x1230);
	guest_run();
	/* MRS X5, MDSCR_EL1: Op0 2, Op2 2, Op1 0, CRn 0, Rt 5, CRm 2, read. */
	ASSERT_SYNDROME((0x18ull << 26) | ESR_IL |
			(2u << 20 | 2u << 17 | 0u << 14 | 0u << 10 | 5u << 5 | 2u << 1 | 1u));
	ASSERT_U64_EQ(guest_pc(), reg(HV_REG_X9));
	/* Emulate: X5 = value, skip. */
	set_reg(HV_REG_X5, 0xabc);
	set_reg(HV_REG_PC, guest_pc() + 4);
	guest_run();
	/* MSR DBGBVR0_EL1, X7: Op0 2, Op2 4, CRm 0, Rt 7, write. */
	ASSERT_SYNDROME((0x18ull << 26) | ESR_IL | (2u << 20 | 4u << 17 | 7u << 5));
	ASSERT_U64_EQ(guest_pc(), reg(HV_REG_X10));
	set_reg(HV_REG_PC, guest_pc() + 4);
	guest_run();
	ASSERT_HVC(3);
	ASSERT_U64_EQ(reg(HV_REG_X5), 0xabc);
	/* The trapped write did not reach the register. */
	ASSERT_U64_EQ(sysreg(HV_SYS_REG_DBGBVR0_EL1), 0);
}
END_TEST

START_TEST(debug_reg_access_untrapped)
{
	set_sysreg(HV_SYS_REG_MDSCR_EL1, 0x1000); /* TDCC: harmless */
	guest_start(E_DBGREG);
	set_reg(HV_REG_X7, 0x4000);
	guest_run();
	ASSERT_HVC(3);
	ASSERT_U64_EQ(reg(HV_REG_X5), 0x1000);
	ASSERT_U64_EQ(sysreg(HV_SYS_REG_DBGBVR0_EL1), 0x4000);
}
END_TEST

START_TEST(brk_trapped_el1)
{
	guest_start(E_BRK);
	guest_run();
	ASSERT_SYNDROME((0x3cull << 26) | ESR_IL | 0x99);
	ASSERT_U64_EQ(guest_pc(), reg(HV_REG_X9));
	/* Turning the trap off sends the BRK to the guest. */
	ck_assert_int_eq(hv_vcpu_set_trap_debug_exceptions(g_vcpu, false), HV_SUCCESS);
	guest_run();
	ASSERT_HVC(VEC_HVC(VEC_CUR_SPX_SYNC));
	ASSERT_U64_EQ(sysreg(HV_SYS_REG_ESR_EL1), (0x3cull << 26) | ESR_IL | 0x99);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("debug");
	TCase *t = tcase_create("debug");
	tcase_add_checked_fixture(t, setup, vm_teardown);
	tcase_set_timeout(t, 10);
	tcase_add_test(t, hw_breakpoint);
	tcase_add_test(t, hw_breakpoint_armed_by_the_guest);
	tcase_add_test(t, hw_breakpoint_needs_mde);
	tcase_add_test(t, hw_breakpoint_other_slot);
	tcase_add_test(t, watchpoint_store);
	tcase_add_test(t, watchpoint_on_a_page_the_tlb_holds);
	tcase_add_test(t, watchpoint_byte_select);
	tcase_add_test(t, software_step);
	tcase_add_test(t, software_step_over_exit);
	tcase_add_test(t, software_step_active_pending);
	tcase_add_test(t, watchpoint_load);
	tcase_add_test(t, hw_breakpoint_before_hvc);
	tcase_add_test(t, software_step_into_exception);
	tcase_add_test(t, debug_reg_access_trap);
	tcase_add_test(t, debug_reg_access_untrapped);
	tcase_add_test(t, brk_trapped_el1);
	suite_add_tcase(s, t);
	TCase *later = tcase_create("debug, translating at the third entry");
	tcase_add_checked_fixture(later, setup_translating_later, vm_teardown);
	tcase_set_timeout(later, 10);
	tcase_add_test(later, hw_breakpoint_in_a_translated_loop);
	tcase_add_test(later, hw_breakpoint_in_a_region_member);
	tcase_add_test(later, hw_breakpoint_armed_in_a_region);
	suite_add_tcase(s, later);
	return run_suite(s);
}
