/*
 * test_mmu.c - guest stage-1 translation: the host builds page tables in
 * guest RAM (4K, 16K and 64K granules, TTBR0 identity map and a TTBR1
 * alias), enables the MMU through hv_vcpu_set_sys_reg, and checks
 * accesses and the stage-1 faults taken to the guest's EL1 vectors.
 * The guest's own TLBI by VA drops what the old descriptor gave: a page,
 * a whole block, code, and on another vCPU for the Inner Shareable form.
 */
#include <pthread.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "backend.h"
#include "guest.h"

enum { E_LOAD, E_LOAD_FAULT, E_STORE_FAULT, E_STORE_ALIAS, E_JUMP, E_REMAP_LOAD, E_REMAP_CALL, E_REMAP_IS, E_WATCH, E_PAN, E_ERET_EL0, E_PAN_CALLS };

#define TABLES_OFF 0x200000ull /* page tables, past what is mapped */
#define DATA_VA (GUEST_RAM_IPA + GUEST_DATA_OFF)
#define ALIAS_BASE 0xffffff8000000000ull /* TTBR1, T1SZ = 25: IPA RAM + x */

/* Descriptor bits (stage 1, VMSAv8-64). */
#define D_TABLE 3ull
#define D_PAGE 3ull
#define D_BLOCK 1ull
#define D_AF (1ull << 10)
#define D_SH_INNER (3ull << 8)
#define D_AP_RO (2ull << 6) /* EL1 read-only, no EL0 access */
#define D_AP_EL0 (1ull << 6) /* EL0 and EL1 read/write */
#define D_NORMAL (D_AF | D_SH_INNER) /* AttrIndx 0 = MAIR attr 0 */
#define D_PXN (1ull << 53)
#define D_UXN (1ull << 54)

#define SCTLR_MMU_ON 0x30d01805ull /* RES1 | I | C | M */
#define ESR_EC_DABT_SAME 0x25u
#define ESR_WNR (1u << 6)

static void put_desc(uint64_t table_off, unsigned index, uint64_t desc)
{
	memcpy(g_ram + table_off + 8ull * index, &desc, 8);
}

static void mmu_enable(uint64_t tcr, uint64_t ttbr0, uint64_t ttbr1)
{
	set_sysreg(HV_SYS_REG_MAIR_EL1, 0xff); /* attr 0: normal WB */
	set_sysreg(HV_SYS_REG_TCR_EL1, tcr);
	set_sysreg(HV_SYS_REG_TTBR0_EL1, ttbr0);
	set_sysreg(HV_SYS_REG_TTBR1_EL1, ttbr1);
	set_sysreg(HV_SYS_REG_SCTLR_EL1, SCTLR_MMU_ON);
}

static void setup(void)
{
	vm_setup();
	guest_load("mmu");
	set_sysreg(HV_SYS_REG_VBAR_EL1, GUEST_VBAR);
	memset(g_ram + TABLES_OFF, 0, 0x100000);
}

/* TCR fields. */
#define TCR_T0SZ(n) ((uint64_t)(n))
#define TCR_T1SZ(n) ((uint64_t)(n) << 16)
#define TCR_WB_IS0 (1ull << 8 | 1ull << 10 | 3ull << 12)
#define TCR_WB_IS1 (1ull << 24 | 1ull << 26 | 3ull << 28)
#define TCR_TG0_4K (0ull << 14)
#define TCR_TG0_64K (1ull << 14)
#define TCR_TG0_16K (2ull << 14)
#define TCR_TG1_16K (1ull << 30)
#define TCR_TG1_4K (2ull << 30)
#define TCR_TG1_64K (3ull << 30)
#define TCR_EPD1 (1ull << 23)
#define TCR_IPS_36 (1ull << 32)

/*
 * 4K granule, 39-bit VAs (start at level 1).  L1 -> L2 -> L3 maps the
 * first 2 MiB of RAM with 4K pages; the page after the data page is
 * read-only, the one after it invalid.  TTBR1's L1[0] shares the L2, so
 * ALIAS_BASE + x maps to RAM + x.
 */
#define L1_0 (TABLES_OFF)
#define L2_4K (TABLES_OFF + 0x1000)
#define L3_4K (TABLES_OFF + 0x2000)
#define L1_1 (TABLES_OFF + 0x3000)
#define RO_PAGE_4K (DATA_VA + 0x1000)
#define BAD_PAGE_4K (DATA_VA + 0x2000)

static void tables_4k(void)
{
	put_desc(L1_0, 1, (GUEST_RAM_IPA + L2_4K) | D_TABLE);
	put_desc(L2_4K, 0, (GUEST_RAM_IPA + L3_4K) | D_TABLE);
	for (unsigned i = 0; i < 512; i++)
		put_desc(L3_4K, i, (GUEST_RAM_IPA + 0x1000ull * i) | D_PAGE | D_NORMAL);
	put_desc(L3_4K, (unsigned)((RO_PAGE_4K - GUEST_RAM_IPA) >> 12),
		 RO_PAGE_4K | D_PAGE | D_NORMAL | D_AP_RO);
	put_desc(L3_4K, (unsigned)((BAD_PAGE_4K - GUEST_RAM_IPA) >> 12), 0);
	put_desc(L1_1, 0, (GUEST_RAM_IPA + L2_4K) | D_TABLE);
	mmu_enable(TCR_T0SZ(25) | TCR_WB_IS0 | TCR_TG0_4K | TCR_T1SZ(25) | TCR_WB_IS1 |
			   TCR_TG1_4K | TCR_IPS_36,
		   GUEST_RAM_IPA + L1_0, GUEST_RAM_IPA + L1_1);
}

/* Runs a load/store snippet expected to take a data abort at EL1 and
 * checks ESR_EL1/FAR_EL1/ELR_EL1. */
static void expect_el1_dabt(unsigned entry, uint64_t va, unsigned dfsc, bool write)
{
	guest_start(entry);
	set_reg(HV_REG_X1, va);
	guest_run();
	ASSERT_HVC(VEC_HVC(VEC_CUR_SPX_SYNC));
	uint64_t esr = sysreg(HV_SYS_REG_ESR_EL1);
	ck_assert_msg(ESR_EC(esr) == ESR_EC_DABT_SAME, "ESR_EL1 %#llx", (unsigned long long)esr);
	ck_assert_msg((esr & 0x3f) == dfsc, "ESR_EL1 %#llx, expected DFSC %#x",
		      (unsigned long long)esr, dfsc);
	ck_assert_uint_eq(!!(esr & ESR_WNR), write);
	ck_assert(esr & ESR_IL);
	ASSERT_U64_EQ(sysreg(HV_SYS_REG_FAR_EL1), va);
	ASSERT_U64_EQ(sysreg(HV_SYS_REG_ELR_EL1), reg(HV_REG_X9));
}

START_TEST(mmu_4k_identity_and_alias)
{
	tables_4k();
	uint64_t magic = 0x5a5aa5a5deadbeefull;
	memcpy(g_ram + GUEST_DATA_OFF + 0x10, &magic, 8);

	guest_start(E_LOAD);
	set_reg(HV_REG_X1, DATA_VA + 0x10);
	guest_run();
	ASSERT_HVC(0);
	ASSERT_U64_EQ(reg(HV_REG_X0), magic);

	guest_start(E_LOAD);
	set_reg(HV_REG_X1, ALIAS_BASE + GUEST_DATA_OFF + 0x10);
	guest_run();
	ASSERT_HVC(0);
	ASSERT_U64_EQ(reg(HV_REG_X0), magic);

	/* Store through the identity map, load through the alias. */
	guest_start(E_STORE_ALIAS);
	set_reg(HV_REG_X1, DATA_VA + 0x20);
	set_reg(HV_REG_X2, 0x1234567887654321ull);
	set_reg(HV_REG_X3, ALIAS_BASE + GUEST_DATA_OFF + 0x20);
	guest_run();
	ASSERT_HVC(3);
	ASSERT_U64_EQ(reg(HV_REG_X0), 0x1234567887654321ull);
}
END_TEST

START_TEST(mmu_4k_translation_faults)
{
	tables_4k();
	expect_el1_dabt(E_LOAD_FAULT, BAD_PAGE_4K + 0x18, 0x07, false); /* level 3 */
	expect_el1_dabt(E_LOAD_FAULT, 0x80000010ull, 0x05, false);      /* level 1 */
	/* Beyond the 39-bit TTBR0 region: level 0 translation fault. */
	expect_el1_dabt(E_LOAD_FAULT, 0x0000010000000000ull, 0x04, false);
	/* The alias of the invalid page faults the same way. */
	expect_el1_dabt(E_LOAD_FAULT, ALIAS_BASE + (BAD_PAGE_4K - GUEST_RAM_IPA), 0x07, false);
}
END_TEST

START_TEST(mmu_4k_permission_fault)
{
	tables_4k();
	uint64_t v = 0x77;
	memcpy(g_ram + (RO_PAGE_4K - GUEST_RAM_IPA) + 8, &v, 8);
	set_reg(HV_REG_X2, 0x99);
	expect_el1_dabt(E_STORE_FAULT, RO_PAGE_4K + 8, 0x0f, true);
	ASSERT_U64_EQ(reg(HV_REG_X0), 0x77); /* the load was allowed */
	memcpy(&v, g_ram + (RO_PAGE_4K - GUEST_RAM_IPA) + 8, 8);
	ASSERT_U64_EQ(v, 0x77); /* the store was not */
}
END_TEST

/* VA pages of the 4K map (L3 index) used as windows by the tests below. */
#define WINDOW_VA(i) (GUEST_RAM_IPA + 0x1000ull * (i))
#define WINDOW_IDX 0x180u

START_TEST(mmu_stage2_fault_reports_va_and_ipa)
{
	/* A VA mapped by stage 1 to an IPA with no memory: the host sees the
	 * VA in FAR and the IPA in physical_address. */
	tables_4k();
	put_desc(L3_4K, WINDOW_IDX, (UNMAPPED_IPA + 0x5000) | D_PAGE | D_NORMAL);
	guest_start(E_LOAD_FAULT);
	set_reg(HV_REG_X1, WINDOW_VA(WINDOW_IDX) + 0x18);
	guest_run();
	ASSERT_EXIT_EC(0x24);
	uint32_t iss = ESR_ISS(g_exit->exception.syndrome);
	ck_assert_uint_eq(iss & ~0x3fu, 1u << 24 | 3u << 22 | 0u << 16 | 1u << 15); /* ISV, SAS 3, X0, SF */
	ck_assert_uint_eq(iss & 0x3c, 0x04);
	ASSERT_U64_EQ(g_exit->exception.virtual_address, WINDOW_VA(WINDOW_IDX) + 0x18);
	ASSERT_U64_EQ(g_exit->exception.physical_address, UNMAPPED_IPA + 0x5018);
	ASSERT_U64_EQ(guest_pc(), reg(HV_REG_X9));
	/* MMIO completion. */
	set_reg(HV_REG_X0, 0xfeed);
	set_reg(HV_REG_PC, guest_pc() + 4);
	guest_run();
	ASSERT_HVC(1);
	ASSERT_U64_EQ(reg(HV_REG_X0), 0xfeed);
}
END_TEST

START_TEST(mmu_stage2_fault_on_table_walk)
{
	/* The level-3 table of VA 0x40200000 lies at an unmapped IPA: a
	 * stage-2 fault on the stage-1 walk (S1PTW) exits to the host. */
	tables_4k();
	put_desc(L2_4K, 1, (UNMAPPED_IPA + 0x1000) | D_TABLE);
	guest_start(E_LOAD_FAULT);
	set_reg(HV_REG_X1, GUEST_RAM_IPA + 0x200010);
	if (hv_test_backend_is_kvm()) {
		/* By design on kvm: KVM does not exit for a stage-2 fault
		 * on a table walk but injects a data abort (EC 0x25, FAR =
		 * the VA) into the guest. */
		guest_run();
		ASSERT_HVC(VEC_HVC(VEC_CUR_SPX_SYNC));
		ck_assert_uint_eq(ESR_EC(sysreg(HV_SYS_REG_ESR_EL1)), 0x25);
		ASSERT_U64_EQ(sysreg(HV_SYS_REG_FAR_EL1), GUEST_RAM_IPA + 0x200010);
		ASSERT_U64_EQ(sysreg(HV_SYS_REG_ELR_EL1), reg(HV_REG_X9));
		return;
	}
	guest_run();
	ASSERT_EXIT_EC(0x24);
	uint32_t iss = ESR_ISS(g_exit->exception.syndrome);
	ck_assert_msg(iss & (1u << 7), "S1PTW clear: ISS %#x", iss);
	ck_assert_uint_eq(iss & 0x3c, 0x04);
	ASSERT_U64_EQ(g_exit->exception.virtual_address, GUEST_RAM_IPA + 0x200010);
	ASSERT_U64_EQ(guest_pc(), reg(HV_REG_X9));
}
END_TEST

START_TEST(mmu_access_flag_fault)
{
	/* AF = 0 and no hardware AF update (TCR.HA = 0): Access flag fault. */
	tables_4k();
	put_desc(L3_4K, WINDOW_IDX, WINDOW_VA(WINDOW_IDX) | D_PAGE | D_SH_INNER);
	expect_el1_dabt(E_LOAD_FAULT, WINDOW_VA(WINDOW_IDX) + 8, 0x0b, false);
}
END_TEST

START_TEST(mmu_pxn_instruction_abort)
{
	/* Executing from a PXN page at EL1: instruction abort (EC 0x21),
	 * permission fault level 3, FAR = ELR = the target. */
	tables_4k();
	put_desc(L3_4K, WINDOW_IDX, GUEST_RAM_IPA | D_PAGE | D_NORMAL | D_PXN);
	guest_start(E_JUMP);
	set_reg(HV_REG_X1, WINDOW_VA(WINDOW_IDX) + 0x10);
	guest_run();
	ASSERT_HVC(VEC_HVC(VEC_CUR_SPX_SYNC));
	uint64_t esr = sysreg(HV_SYS_REG_ESR_EL1);
	ck_assert_msg(ESR_EC(esr) == 0x21 && (esr & 0x3f) == 0x0f, "ESR_EL1 %#llx",
		      (unsigned long long)esr);
	ASSERT_U64_EQ(sysreg(HV_SYS_REG_FAR_EL1), WINDOW_VA(WINDOW_IDX) + 0x10);
	ASSERT_U64_EQ(sysreg(HV_SYS_REG_ELR_EL1), WINDOW_VA(WINDOW_IDX) + 0x10);
}
END_TEST

/* Code run at EL1 from a page EL0 may not execute (UXN), then entered at
 * EL0 by an ERET to it: the fetch faults at EL0, EC 0x20, permission
 * level 3, FAR = ELR = the target (what was checked at one EL does not
 * hold at another). */
START_TEST(eret_to_el0_rechecks_execute_permission)
{
	tables_4k();
	static const uint32_t f[] = { 0xd28000a0u /* movz x0, #5 */, 0xd65f03c0u /* ret */ };
	const uint64_t page = GUEST_DATA_OFF + 0x6000, target = WINDOW_VA(WINDOW_IDX) + 0x40;
	put_desc(L3_4K, WINDOW_IDX, (GUEST_RAM_IPA + page) | D_PAGE | D_NORMAL | D_UXN);
	memcpy(g_ram + page + 0x40, f, sizeof(f));
	guest_start(E_ERET_EL0);
	set_reg(HV_REG_X1, target);
	guest_run();
	ASSERT_HVC(VEC_HVC(VEC_LOWER_SYNC));
	ASSERT_U64_EQ(reg(HV_REG_X10), 5); /* it ran at EL1 */
	uint64_t esr = sysreg(HV_SYS_REG_ESR_EL1);
	ck_assert_msg(ESR_EC(esr) == 0x20 && (esr & 0x3f) == 0x0f, "ESR_EL1 %#llx", (unsigned long long)esr);
	ASSERT_U64_EQ(sysreg(HV_SYS_REG_FAR_EL1), target);
	ASSERT_U64_EQ(sysreg(HV_SYS_REG_ELR_EL1), target);
}
END_TEST

START_TEST(mmu_alias_executes)
{
	/* Code runs through the TTBR1 alias of RAM: branch to the alias of
	 * the load snippet (entry E_LOAD). */
	tables_4k();
	uint64_t magic = 0x7777;
	memcpy(g_ram + GUEST_DATA_OFF, &magic, 8);
	guest_start(E_LOAD);
	set_reg(HV_REG_PC, ALIAS_BASE + 4 * E_LOAD);
	set_reg(HV_REG_X1, DATA_VA);
	guest_run();
	ASSERT_HVC(0);
	ASSERT_U64_EQ(reg(HV_REG_X0), magic);
	/* ADR saw the alias address. */
	ck_assert_uint_ge(reg(HV_REG_X9), ALIAS_BASE);
}
END_TEST

START_TEST(mmu_top_byte_ignore)
{
	/* TCR_EL1.TBI0 = 1: the top byte of a TTBR0 address is ignored;
	 * with TBI0 = 0 the same address is out of range (level 0 fault). */
	tables_4k();
	uint64_t magic = 0x7b17b17b;
	memcpy(g_ram + GUEST_DATA_OFF + 0x30, &magic, 8);
	uint64_t tagged = DATA_VA + 0x30 + (0x5aull << 56);
	set_sysreg(HV_SYS_REG_TCR_EL1, sysreg(HV_SYS_REG_TCR_EL1) | (1ull << 37));
	guest_start(E_LOAD);
	set_reg(HV_REG_X1, tagged);
	guest_run();
	ASSERT_HVC(0);
	ASSERT_U64_EQ(reg(HV_REG_X0), magic);
	set_sysreg(HV_SYS_REG_TCR_EL1, sysreg(HV_SYS_REG_TCR_EL1) & ~(1ull << 37));
	guest_start(E_LOAD_FAULT);
	set_reg(HV_REG_X1, tagged);
	guest_run();
	ASSERT_HVC(VEC_HVC(VEC_CUR_SPX_SYNC));
	uint64_t esr = sysreg(HV_SYS_REG_ESR_EL1);
	ck_assert_msg(ESR_EC(esr) == ESR_EC_DABT_SAME && (esr & 0x3f) == 0x04, "ESR_EL1 %#llx",
		      (unsigned long long)esr);
}
END_TEST

START_TEST(ipa_alias_same_host_memory)
{
	/* One host page mapped at two IPAs: a store through one is seen
	 * through the other (MMU off). */
	size_t ps = (size_t)sysconf(_SC_PAGESIZE);
	ck_assert_int_eq(hv_vm_map(g_ram + GUEST_DATA_OFF, 0x50000000, ps,
				   HV_MEMORY_READ | HV_MEMORY_WRITE), HV_SUCCESS);
	guest_start(E_STORE_ALIAS);
	set_reg(HV_REG_X1, DATA_VA + 0x28);
	set_reg(HV_REG_X2, 0xa11a5);
	set_reg(HV_REG_X3, 0x50000000 + 0x28);
	guest_run();
	ASSERT_HVC(3);
	ASSERT_U64_EQ(reg(HV_REG_X0), 0xa11a5);
}
END_TEST

/* Loads [va] in the guest (entry E_LOAD) and returns the value. */
static uint64_t guest_load_u64(uint64_t va)
{
	guest_start(E_LOAD);
	set_reg(HV_REG_X1, va);
	guest_run();
	ASSERT_HVC(0);
	return reg(HV_REG_X0);
}

static void remap_sees_new_memory(bool mmu)
{
	/* After unmap + map of other host memory at the same IPA, the guest
	 * reads the new memory (no stale cached translation). */
	size_t ps = (size_t)sysconf(_SC_PAGESIZE);
	uint8_t *other = mmap(NULL, ps, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ck_assert_ptr_ne(other, MAP_FAILED);
	uint64_t a = 0xaaaa, b = 0xbbbb;
	memcpy(g_ram + GUEST_DATA_OFF, &a, 8);
	memcpy(other, &b, 8);
	if (mmu)
		tables_4k();
	ASSERT_U64_EQ(guest_load_u64(DATA_VA), a);
	ck_assert_int_eq(hv_vm_unmap(DATA_VA, ps), HV_SUCCESS);
	ck_assert_int_eq(hv_vm_map(other, DATA_VA, ps, HV_MEMORY_READ | HV_MEMORY_WRITE), HV_SUCCESS);
	ASSERT_U64_EQ(guest_load_u64(DATA_VA), b);
	ck_assert_int_eq(hv_vm_unmap(DATA_VA, ps), HV_SUCCESS);
	munmap(other, ps);
}

/* ---- TLBI by VA ------------------------------------------------------ */

/* tables_4k, and RAM's second 2 MiB as one identity block (L2[1]), so
 * that the guest can write the tables (they are there). */
#define BLOCK_VA (GUEST_RAM_IPA + 0x200000)
#define TABLE_VA(off) (GUEST_RAM_IPA + (off))
static void tables_4k_and_block(void)
{
	tables_4k();
	put_desc(L2_4K, 1, BLOCK_VA | D_BLOCK | D_NORMAL);
}

static unsigned l3_index(uint64_t va)
{
	return (unsigned)((va - GUEST_RAM_IPA) >> 12);
}

static void put_u64(uint64_t off, uint64_t v)
{
	memcpy(g_ram + off, &v, 8);
}

#define REMAP_OLD (DATA_VA + 0x3000)
#define REMAP_NEW (DATA_VA + 0x4000)

/* E_REMAP_LOAD: reads va1 and va2, writes desc to the descriptor at
 * desc_va, TLBI VAE1 of va1 only, reads both again: 0xb1 and 0xb2. */
static void remap_load(uint64_t va1, uint64_t va2, uint64_t desc_va, uint64_t desc)
{
	guest_start(E_REMAP_LOAD);
	set_reg(HV_REG_X1, va1);
	set_reg(HV_REG_X7, va2);
	set_reg(HV_REG_X4, desc_va);
	set_reg(HV_REG_X5, desc);
	set_reg(HV_REG_X6, va1 >> 12);
	guest_run();
	ASSERT_HVC(5);
	ASSERT_U64_EQ(reg(HV_REG_X0), 0xb1);
	ASSERT_U64_EQ(reg(HV_REG_X2), 0xb2);
}

/* X4, X5, X6 of E_REMAP_CALL and E_REMAP_IS: REMAP_OLD's descriptor,
 * the one that maps it to REMAP_NEW, the TLBI operand for REMAP_OLD. */
static void set_page_remap_regs(void)
{
	set_reg(HV_REG_X4, TABLE_VA(L3_4K) + 8ull * l3_index(REMAP_OLD));
	set_reg(HV_REG_X5, REMAP_NEW | D_PAGE | D_NORMAL);
	set_reg(HV_REG_X6, REMAP_OLD >> 12);
}

START_TEST(tlbi_va_drops_the_page)
{
	tables_4k_and_block();
	put_u64(REMAP_OLD - GUEST_RAM_IPA, 0xa1);
	put_u64(REMAP_OLD - GUEST_RAM_IPA + 8, 0xa2);
	put_u64(REMAP_NEW - GUEST_RAM_IPA, 0xb1);
	put_u64(REMAP_NEW - GUEST_RAM_IPA + 8, 0xb2);
	remap_load(REMAP_OLD, REMAP_OLD + 8, TABLE_VA(L3_4K) + 8ull * l3_index(REMAP_OLD),
		   REMAP_NEW | D_PAGE | D_NORMAL);
}
END_TEST

/* One TLBI by a VA in a block drops the translations of all its pages
 * (they came from one descriptor). */
START_TEST(tlbi_va_in_a_block_drops_the_block)
{
	tables_4k_and_block();
	const uint64_t p1 = BLOCK_VA + 0x80000, p2 = BLOCK_VA + 0x181000; /* other TLB sets */
	put_u64(p1 - GUEST_RAM_IPA, 0xa1);
	put_u64(p2 - GUEST_RAM_IPA, 0xa2);
	put_u64(p1 - BLOCK_VA, 0xb1);
	put_u64(p2 - BLOCK_VA, 0xb2);
	remap_load(p1, p2, TABLE_VA(L2_4K) + 8, GUEST_RAM_IPA | D_BLOCK | D_NORMAL); /* now RAM's first 2 MiB */
}
END_TEST

/* Code that ran at a VA is not run again once TLBI dropped the page
 * and the VA maps other code. */
START_TEST(tlbi_va_of_code_runs_the_new_code)
{
	tables_4k_and_block();
	const uint32_t ret = 0xd65f03c0u, movz_x0_1 = 0xd2800020u, movz_x0_2 = 0xd2800040u;
	uint32_t old_code[2] = { movz_x0_1, ret }, new_code[2] = { movz_x0_2, ret };
	memcpy(g_ram + (REMAP_OLD - GUEST_RAM_IPA), old_code, sizeof(old_code));
	memcpy(g_ram + (REMAP_NEW - GUEST_RAM_IPA), new_code, sizeof(new_code));
	guest_start(E_REMAP_CALL);
	set_reg(HV_REG_X1, REMAP_OLD);
	set_page_remap_regs();
	guest_run();
	ASSERT_HVC(6);
	ASSERT_U64_EQ(reg(HV_REG_X10), 1);
	ASSERT_U64_EQ(reg(HV_REG_X0), 2);
}
END_TEST

/* A second vCPU with this one's translation regime, running E_WATCH. */
struct watcher {
	uint64_t sr[5]; /* MAIR, TCR, TTBR0, TTBR1, SCTLR */
	uint64_t x1, x2, x3, x5;
	hv_return_t rc;
	hv_vcpu_exit_t exit;
	uint64_t x0, x10;
};
static const hv_sys_reg_t watcher_sr[5] = { HV_SYS_REG_MAIR_EL1, HV_SYS_REG_TCR_EL1, HV_SYS_REG_TTBR0_EL1,
					    HV_SYS_REG_TTBR1_EL1, HV_SYS_REG_SCTLR_EL1 };

static void *watcher_main(void *p)
{
	struct watcher *w = p;
	hv_vcpu_t v;
	hv_vcpu_exit_t *e;
	w->rc = hv_vcpu_create(&v, &e, NULL);
	if (w->rc != HV_SUCCESS)
		return NULL;
	for (unsigned i = 0; i < 5; i++)
		w->rc |= hv_vcpu_set_sys_reg(v, watcher_sr[i], w->sr[i]);
	w->rc |= hv_vcpu_set_sys_reg(v, HV_SYS_REG_VBAR_EL1, GUEST_VBAR);
	w->rc |= hv_vcpu_set_sys_reg(v, HV_SYS_REG_SP_EL1, GUEST_RAM_IPA + GUEST_RAM_SIZE - 0x20000);
	w->rc |= hv_vcpu_set_reg(v, HV_REG_CPSR, CPSR_EL1H_MASKED);
	w->rc |= hv_vcpu_set_reg(v, HV_REG_PC, guest_addr(4ull * E_WATCH));
	w->rc |= hv_vcpu_set_reg(v, HV_REG_X1, w->x1);
	w->rc |= hv_vcpu_set_reg(v, HV_REG_X2, w->x2);
	w->rc |= hv_vcpu_set_reg(v, HV_REG_X3, w->x3);
	w->rc |= hv_vcpu_set_reg(v, HV_REG_X5, w->x5);
	if (w->rc == HV_SUCCESS)
		w->rc = hv_vcpu_run(v);
	w->exit = *e;
	hv_vcpu_get_reg(v, HV_REG_X0, &w->x0);
	hv_vcpu_get_reg(v, HV_REG_X10, &w->x10);
	hv_vcpu_destroy(v);
	return NULL;
}

/* TLBI VAALE1IS on this vCPU: the other one, which used the old page
 * before and waited for the TLBI to be done, sees the new page (within
 * its next few thousand instructions: an event check). */
START_TEST(tlbi_va_is_reaches_the_other_vcpu)
{
	tables_4k_and_block();
	const uint64_t flags = DATA_VA + 0x100, tries = 1000000;
	put_u64(REMAP_OLD - GUEST_RAM_IPA, 0xa1);
	put_u64(REMAP_NEW - GUEST_RAM_IPA, 0xb1);
	struct watcher w = { .x1 = REMAP_OLD, .x2 = 0xb1, .x3 = flags, .x5 = tries };
	for (unsigned i = 0; i < 5; i++)
		w.sr[i] = sysreg(watcher_sr[i]);
	pthread_t th;
	ck_assert_int_eq(pthread_create(&th, NULL, watcher_main, &w), 0);
	guest_start(E_REMAP_IS);
	set_reg(HV_REG_X3, flags);
	set_page_remap_regs();
	guest_run();
	pthread_join(th, NULL);
	ASSERT_HVC(7);
	ck_assert_int_eq(w.rc, HV_SUCCESS);
	ck_assert_uint_eq(w.exit.reason, HV_EXIT_REASON_EXCEPTION);
	ck_assert_uint_eq(w.exit.exception.syndrome, (0x16ull << 26) | ESR_IL | 8);
	ck_assert_msg(w.x0 == 0xb1, "the other vCPU still read %#llx after %llu tries",
		      (unsigned long long)w.x0, (unsigned long long)w.x10);
	ck_assert_uint_lt(w.x10, tries);
}
END_TEST

/* The 4K map with an EL0 page holding value; returns its VA. */
static uint64_t user_page(uint64_t value)
{
	tables_4k();
	const uint64_t user = DATA_VA + 0x7000;
	put_desc(L3_4K, l3_index(user), user | D_PAGE | D_NORMAL | D_AP_EL0);
	put_u64(user - GUEST_RAM_IPA, value);
	return user;
}

/* An EL0 page EL1 just read is not readable once PSTATE.PAN is set, by
 * either form of MSR (the translation cached without PAN is not used). */
START_TEST(pan_set_after_an_access)
{
	const uint64_t user = user_page(0x55);
	for (uint64_t by_reg = 0; by_reg < 2; by_reg++) {
		set_reg(HV_REG_X2, by_reg ? 1ull << 22 : 0); /* PSTATE.PAN */
		expect_el1_dabt(E_PAN, user, 0x0f, false); /* permission, level 3 */
		ASSERT_U64_EQ(reg(HV_REG_X0), 0x55); /* guest_start clears PAN again */
	}
}
END_TEST

/* The same: a function that read the EL0 page hundreds of times with
 * PAN clear (emu: translated, for the TLB view without PAN) is called
 * once PAN is set, directly and through a register, by MSR or by an
 * ERET that stays at EL1 (which moves no icache epoch). */
START_TEST(pan_set_after_calls_of_a_function)
{
	const uint64_t user = user_page(0x66);
	for (uint64_t how = 0; how < 4; how++) {
		set_reg(HV_REG_X2, how & 1);
		set_reg(HV_REG_X3, how >> 1);
		set_reg(HV_REG_X5, 600);
		expect_el1_dabt(E_PAN_CALLS, user, 0x0f, false); /* permission, level 3 */
		ASSERT_U64_EQ(reg(HV_REG_X0), 0x66);
		ASSERT_U64_EQ(reg(HV_REG_X5), 0);
	}
}
END_TEST

START_TEST(remap_sees_new_memory_mmu_off)
{
	remap_sees_new_memory(false);
}
END_TEST

START_TEST(remap_sees_new_memory_mmu_on)
{
	remap_sees_new_memory(true);
}
END_TEST

/*
 * 16K granule, 36-bit VAs: the walk starts at level 2 (VA[35:25]),
 * level 3 maps 16K pages (VA[24:14]).
 */
#define L2_16K (TABLES_OFF)
#define L3_16K (TABLES_OFF + 0x4000)
#define BAD_PAGE_16K (DATA_VA + 0x4000)

START_TEST(mmu_16k)
{
	put_desc(L2_16K, (unsigned)(GUEST_RAM_IPA >> 25), (GUEST_RAM_IPA + L3_16K) | D_TABLE);
	for (unsigned i = 0; i < 128; i++)
		put_desc(L3_16K, i, (GUEST_RAM_IPA + 0x4000ull * i) | D_PAGE | D_NORMAL);
	put_desc(L3_16K, (unsigned)((BAD_PAGE_16K - GUEST_RAM_IPA) >> 14), 0);
	mmu_enable(TCR_T0SZ(28) | TCR_WB_IS0 | TCR_TG0_16K | TCR_T1SZ(28) | TCR_TG1_16K |
			   TCR_EPD1 | TCR_IPS_36,
		   GUEST_RAM_IPA + L2_16K, 0);

	uint64_t magic = 0x1616161616161616ull;
	memcpy(g_ram + GUEST_DATA_OFF + 0x3ff8, &magic, 8);
	guest_start(E_LOAD);
	set_reg(HV_REG_X1, DATA_VA + 0x3ff8);
	guest_run();
	ASSERT_HVC(0);
	ASSERT_U64_EQ(reg(HV_REG_X0), magic);

	expect_el1_dabt(E_LOAD_FAULT, BAD_PAGE_16K + 0x100, 0x07, false);
	expect_el1_dabt(E_LOAD_FAULT, 0x80000000ull, 0x06, false); /* L2 entry 64 empty */
}
END_TEST

/*
 * 64K granule, 39-bit VAs: level 2 (VA[38:29]) -> level 3 64K pages
 * (VA[28:16]); the data page is read-only.
 */
#define L2_64K (TABLES_OFF)
#define L3_64K (TABLES_OFF + 0x10000)

START_TEST(mmu_64k)
{
	put_desc(L2_64K, (unsigned)(GUEST_RAM_IPA >> 29), (GUEST_RAM_IPA + L3_64K) | D_TABLE);
	for (unsigned i = 0; i < 32; i++)
		put_desc(L3_64K, i, (GUEST_RAM_IPA + 0x10000ull * i) | D_PAGE | D_NORMAL);
	put_desc(L3_64K, (unsigned)(GUEST_DATA_OFF >> 16), DATA_VA | D_PAGE | D_NORMAL | D_AP_RO);
	mmu_enable(TCR_T0SZ(25) | TCR_WB_IS0 | TCR_TG0_64K | TCR_T1SZ(25) | TCR_TG1_64K |
			   TCR_EPD1 | TCR_IPS_36,
		   GUEST_RAM_IPA + L2_64K, 0);

	uint64_t magic = 0x6464646464646464ull;
	memcpy(g_ram + GUEST_DATA_OFF + 0xfff0, &magic, 8);
	guest_start(E_LOAD);
	set_reg(HV_REG_X1, DATA_VA + 0xfff0);
	guest_run();
	ASSERT_HVC(0);
	ASSERT_U64_EQ(reg(HV_REG_X0), magic);

	set_reg(HV_REG_X2, 1);
	expect_el1_dabt(E_STORE_FAULT, DATA_VA + 0xfff0, 0x0f, true);
	expect_el1_dabt(E_LOAD_FAULT, 0x60000000ull, 0x06, false); /* L2 entry 3 empty */
	expect_el1_dabt(E_LOAD_FAULT, GUEST_RAM_IPA + 0x200000, 0x07, false); /* L3 entry 32 */
}
END_TEST

int main(void)
{
	Suite *s = suite_create("mmu");
	TCase *t = tcase_create("mmu");
	tcase_add_checked_fixture(t, setup, vm_teardown);
	tcase_set_timeout(t, 10);
	tcase_add_test(t, mmu_4k_identity_and_alias);
	tcase_add_test(t, mmu_4k_translation_faults);
	tcase_add_test(t, mmu_4k_permission_fault);
	tcase_add_test(t, mmu_stage2_fault_reports_va_and_ipa);
	tcase_add_test(t, mmu_stage2_fault_on_table_walk);
	tcase_add_test(t, mmu_access_flag_fault);
	tcase_add_test(t, mmu_pxn_instruction_abort);
	tcase_add_test(t, mmu_alias_executes);
	tcase_add_test(t, mmu_top_byte_ignore);
	tcase_add_test(t, ipa_alias_same_host_memory);
	tcase_add_test(t, remap_sees_new_memory_mmu_off);
	tcase_add_test(t, remap_sees_new_memory_mmu_on);
	tcase_add_test(t, tlbi_va_drops_the_page);
	tcase_add_test(t, tlbi_va_in_a_block_drops_the_block);
	tcase_add_test(t, tlbi_va_of_code_runs_the_new_code);
	tcase_add_test(t, tlbi_va_is_reaches_the_other_vcpu);
	tcase_add_test(t, pan_set_after_an_access);
	tcase_add_test(t, pan_set_after_calls_of_a_function);
	tcase_add_test(t, eret_to_el0_rechecks_execute_permission);
	tcase_add_test(t, mmu_16k);
	tcase_add_test(t, mmu_64k);
	suite_add_tcase(s, t);
	return run_suite(s);
}
