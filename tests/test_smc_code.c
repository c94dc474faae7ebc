/*
 * test_smc_code.c - self-modifying code and code rewritten by the host:
 * a guest store to an instruction is seen by the next execution of that
 * instruction, with or without IC IVAU + DSB + ISB, whether the
 * instruction is the very next one, in a block already run, or in a
 * loop; through plain stores, pairs and atomics; and host writes to
 * guest code between two hv_vcpu_run calls are seen, and so is code
 * another vCPU rewrote and invalidated (IC IVAU) before a flag this one
 * read, then ran an ISB.  (Interpreters
 * that cache decoded instructions must notice all of these; QEMU does.)
 *
 * The snippets are A64 words written straight into guest RAM (MMU off).
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "backend.h"
#include "guest.h"

#define CODE_OFF 0x10000ull /* snippets go here, one per test */

/* Encodings used below. */
#define MOVZ_X0_1 0xd2800020u
#define MOVZ_X0_2 0xd2800040u
#define MOVZ_X5_1 0xd2800025u
#define ADD_X0_1 0x91000400u
#define ADD_X0_2 0x91000800u
#define HVC_0 0xd4000002u
#define NOP 0xd503201fu

static void setup(void)
{
	vm_setup();
}

/* Copies n words to RAM offset off and starts the vCPU there at EL1h. */
static uint64_t load_code(uint64_t off, const uint32_t *words, size_t n)
{
	memcpy(g_ram + off, words, n * sizeof(*words));
	set_reg(HV_REG_PC, guest_addr(off));
	set_reg(HV_REG_CPSR, CPSR_EL1H_MASKED);
	return guest_addr(off);
}

/*
 * An instruction rewritten with no ISB before it runs: the Arm
 * architecture lets the CPU run either the old or the new instruction
 * (it may already have been fetched).  emu (and QEMU) always run the new
 * one; real hardware under kvm may run the old one.
 */
static void assert_rewritten(uint64_t value, uint64_t new_value, uint64_t old_value)
{
	if (hv_test_backend_is_kvm())
		ck_assert(value == new_value || value == old_value);
	else
		ASSERT_U64_EQ(value, new_value);
}

static void run_to_hvc(void)
{
	guest_run();
	ASSERT_HVC(0);
}

/* The store rewrites the instruction right after it. */
START_TEST(next_instruction)
{
	static const uint32_t code[] = {
		0xb9000041u, /* str w1, [x2] */
		MOVZ_X0_1,   /* becomes movz x0, #2 */
		HVC_0,
	};
	uint64_t base = load_code(CODE_OFF, code, 3);
	set_reg(HV_REG_X1, MOVZ_X0_2);
	set_reg(HV_REG_X2, base + 4);
	run_to_hvc();
	assert_rewritten(reg(HV_REG_X0), 2, 1);
}
END_TEST

/* Same, after an earlier store to the code page (a cached write
 * translation: the store takes the fast path). */
START_TEST(next_instruction_warm_tlb)
{
	static const uint32_t code[] = {
		0xb9000107u, /* str w7, [x8]: scratch word in the code page */
		0xb9000041u, /* str w1, [x2] */
		MOVZ_X0_1,
		HVC_0,
	};
	uint64_t base = load_code(CODE_OFF, code, 4);
	set_reg(HV_REG_X1, MOVZ_X0_2);
	set_reg(HV_REG_X2, base + 8);
	set_reg(HV_REG_X8, base + 0x800);
	run_to_hvc();
	assert_rewritten(reg(HV_REG_X0), 2, 1);
}
END_TEST

/* A function run once, rewritten, run again; with_maintenance selects
 * IC IVAU + DSB ISH + ISB between (else NOPs). */
static void rewrite_function(bool with_maintenance)
{
	uint32_t code[] = {
		0x94000008u, /* bl f */
		0xaa0003e3u, /* mov x3, x0 */
		0xb9000041u, /* str w1, [x2] */
		0xd50b7522u, /* ic ivau, x2 */
		0xd5033b9fu, /* dsb ish */
		0xd5033fdfu, /* isb */
		0x94000002u, /* bl f */
		HVC_0,
		MOVZ_X0_1,   /* f: */
		0xd65f03c0u, /* ret */
	};
	if (!with_maintenance)
		code[3] = code[4] = code[5] = NOP;
	uint64_t base = load_code(CODE_OFF, code, 10);
	set_reg(HV_REG_X1, MOVZ_X0_2);
	set_reg(HV_REG_X2, base + 8 * 4);
	run_to_hvc();
	ASSERT_U64_EQ(reg(HV_REG_X3), 1);
	ASSERT_U64_EQ(reg(HV_REG_X0), 2);
}

START_TEST(rewrite_function_with_ic_ivau)
{
	rewrite_function(true);
}
END_TEST

START_TEST(rewrite_function_without_maintenance)
{
	rewrite_function(false);
}
END_TEST

/* A loop body rewritten by the loop itself halfway through: 5 x 1 + 5 x 2. */
START_TEST(rewrite_loop_body)
{
	static const uint32_t code[] = {
		0xd2800144u, /* movz x4, #10 */
		0xd2800000u, /* movz x0, #0 */
		ADD_X0_1,    /* loop: add x0, x0, #1 (becomes #2) */
		0xd1000484u, /* sub x4, x4, #1 */
		0xf100149fu, /* cmp x4, #5 */
		0x54000041u, /* b.ne skip */
		0xb9000041u, /* str w1, [x2] */
		0xb5ffff64u, /* skip: cbnz x4, loop */
		HVC_0,
	};
	uint64_t base = load_code(CODE_OFF, code, 9);
	set_reg(HV_REG_X1, ADD_X0_2);
	set_reg(HV_REG_X2, base + 2 * 4);
	run_to_hvc();
	ASSERT_U64_EQ(reg(HV_REG_X0), 15);
}
END_TEST

/* Data stores to the page holding the code, between runs of a function
 * on it and around its rewrite: a store that merely touches the page
 * must not make a later rewrite go unseen (emu's code-page marks are
 * dropped by a store and set again when a block is checked).  Rounds
 * add 1, 1 and then 2. */
START_TEST(rewrite_after_data_stores_to_code_page)
{
	static const uint32_t code[] = {
		0xd2800064u, /* movz x4, #3 */
		0xd2800000u, /* movz x0, #0 */
		0xb90000e9u, /* loop: str w9, [x7] (data in this page) */
		0x94000008u, /* bl f */
		0xb90000e9u, /* str w9, [x7] */
		0xf100089fu, /* cmp x4, #2 */
		0x54000041u, /* b.ne skip */
		0xb9000041u, /* str w1, [x2]: f adds 2 from now on */
		0xd1000484u, /* skip: sub x4, x4, #1 */
		0xb5ffff24u, /* cbnz x4, loop */
		HVC_0,
		ADD_X0_1,    /* f: */
		0xd65f03c0u, /* ret */
	};
	uint64_t base = load_code(CODE_OFF, code, 13);
	set_reg(HV_REG_X1, ADD_X0_2);
	set_reg(HV_REG_X2, base + 11 * 4);
	set_reg(HV_REG_X7, base + 0x800);
	run_to_hvc();
	assert_rewritten(reg(HV_REG_X0), 4, 3); /* no IC IVAU + ISB: see above */
}
END_TEST

/* A function rewritten on every call, after a data store to its page
 * before it first ran (its writable translation was cached then) and
 * then `sled` NOPs: with more than emu's icache holds, its arena starts
 * over in between.  No rewrite may go unseen (in emu no store that hits
 * the TLB may write checked code, cpu.h EMU_CP_CODE).  Rounds alternate
 * f between adding 1 and adding 2. */
#define SLED_F_OFF 0x100000ull /* f, page aligned, after the sled */
#define SLED_ROUNDS 300u

static uint32_t bl_to(uint64_t from, uint64_t to)
{
	return 0x94000000u | (uint32_t)(((to - from) / 4) & 0x3ffffff);
}

static void rewrite_after_store(size_t sled)
{
	size_t n = 0;
	uint32_t *code = calloc(sled + 16, sizeof(*code));
	ck_assert_ptr_nonnull(code);
	code[n++] = 0xb9000107u; /* str w7, [x8]: data in f's page */
	while (n < 1 + sled)
		code[n++] = NOP;
	size_t loop = n;
	code[n] = bl_to(CODE_OFF + 4 * n, SLED_F_OFF); /* loop: bl f */
	n++;
	code[n++] = 0x8b000063u; /* add x3, x3, x0 */
	code[n++] = 0x4a090021u; /* eor w1, w1, w9: the other instruction */
	code[n++] = 0xb9000041u; /* str w1, [x2]: f becomes it */
	code[n++] = 0xf1000484u; /* subs x4, x4, #1 */
	code[n] = 0x54000001u | (uint32_t)(((loop - n) & 0x7ffff) << 5); /* b.ne loop */
	n++;
	code[n++] = HVC_0;
	ck_assert_uint_lt(CODE_OFF + 4 * n, SLED_F_OFF);
	static const uint32_t f[] = { ADD_X0_1, 0xd65f03c0u /* ret */ };
	memcpy(g_ram + SLED_F_OFF, f, sizeof(f));
	load_code(CODE_OFF, code, n);
	free(code);
	set_reg(HV_REG_X0, 0);
	set_reg(HV_REG_X1, ADD_X0_1);
	set_reg(HV_REG_X2, guest_addr(SLED_F_OFF));
	set_reg(HV_REG_X3, 0);
	set_reg(HV_REG_X4, SLED_ROUNDS);
	set_reg(HV_REG_X7, 0);
	set_reg(HV_REG_X8, guest_addr(SLED_F_OFF + 0x800));
	set_reg(HV_REG_X9, ADD_X0_1 ^ ADD_X0_2);
	run_to_hvc();
	/* f returns x0 + 1 or x0 + 2: x0 runs 1, 3, 4, 6, 7, ... */
	uint64_t x0 = 0, sum = 0;
	for (unsigned i = 0; i < SLED_ROUNDS; i++) {
		x0 += i % 2 ? 2 : 1;
		sum += x0;
	}
	if (!hv_test_backend_is_kvm()) /* no IC IVAU + ISB: hardware may run either */
		ASSERT_U64_EQ(reg(HV_REG_X3), sum);
}

START_TEST(rewrite_of_a_page_written_before_it_ran)
{
	rewrite_after_store(0);
}
END_TEST

START_TEST(rewrite_after_the_icache_starts_over)
{
	rewrite_after_store(140000); /* more than EMU_IC_OPS operations */
}
END_TEST

/* Cross-modifying code: a second vCPU calls f in a loop; this one
 * rewrites f, cleans it to PoU, invalidates it (IC IVAU) and then sets a
 * flag.  The other one, once it has read the flag and run an ISB, must
 * run the new f on its very next call (it ran the old one thousands of
 * times: decoded, translated). */
#define XMC_WRITER CODE_OFF
#define XMC_RUNNER (CODE_OFF + 0x100)
#define XMC_F (CODE_OFF + 0x200)
#define XMC_DATA (CODE_OFF + 0x2000) /* the flag, then the runner's progress */
#define XMC_TRIES 20000000u

struct xmc_runner {
	hv_return_t rc;
	uint64_t x0, x10, pc;
};

static void *xmc_runner_main(void *p)
{
	struct xmc_runner *r = p;
	hv_vcpu_t v;
	hv_vcpu_exit_t *e;
	r->rc = hv_vcpu_create(&v, &e, NULL);
	if (r->rc != HV_SUCCESS)
		return NULL;
	r->rc |= hv_vcpu_set_reg(v, HV_REG_CPSR, CPSR_EL1H_MASKED);
	r->rc |= hv_vcpu_set_reg(v, HV_REG_PC, guest_addr(XMC_RUNNER));
	r->rc |= hv_vcpu_set_reg(v, HV_REG_X2, guest_addr(XMC_DATA));
	r->rc |= hv_vcpu_set_reg(v, HV_REG_X5, XMC_TRIES);
	r->rc |= hv_vcpu_set_reg(v, HV_REG_X7, guest_addr(XMC_DATA + 8));
	r->rc |= hv_vcpu_set_reg(v, HV_REG_X10, 0);
	if (r->rc == HV_SUCCESS)
		r->rc = hv_vcpu_run(v);
	hv_vcpu_get_reg(v, HV_REG_X0, &r->x0);
	hv_vcpu_get_reg(v, HV_REG_X10, &r->x10);
	hv_vcpu_get_reg(v, HV_REG_PC, &r->pc);
	hv_vcpu_destroy(v);
	return NULL;
}

START_TEST(cross_modified_by_another_vcpu)
{
	if (hv_test_backend_is_kvm() && hv_test_host_is_tcg()) {
		/* Not a KVM difference: under kvm no instruction of this test
		 * leaves the guest, and the CPU that runs it is QEMU TCG (the
		 * host of tests/kvm/run-vm).  A store to a page it has
		 * translated drops the translations before it writes
		 * (notdirty_write), so a vCPU that translates f in between can
		 * keep the old one, and IC IVAU is a no-op there.  The old f
		 * ran in 21 of 40 runs on a busy machine. */
		hv_test_note("cross_modified_by_another_vcpu",
			     "skipped: QEMU TCG (the KVM host) races a cross-modification with its own retranslation");
		return;
	}
	static const uint32_t writer[] = {
		0xf94000e8u, /* wait: ldr x8, [x7]: the runner's progress */
		0xeb03011fu, /* cmp x8, x3 */
		0x54ffffc3u, /* b.lo wait */
		0xb9000041u, /* str w1, [x2]: f returns 2 from now on */
		0xd50b7b22u, /* dc cvau, x2 */
		0xd5033b9fu, /* dsb ish */
		0xd50b7522u, /* ic ivau, x2 */
		0xd5033b9fu, /* dsb ish */
		0xb90000c4u, /* str w4, [x6]: the flag */
		HVC_0,
	};
	static const uint32_t runner[] = {
		0xb9400043u, /* loop: ldr w3, [x2]: the flag */
		0x34000043u, /* cbz w3, call */
		0xd5033fdfu, /* isb */
		0x94000000u | ((XMC_F - XMC_RUNNER - 12) / 4), /* call: bl f */
		0x9100054au, /* add x10, x10, #1 */
		0xf90000eau, /* str x10, [x7] */
		0xeb05015fu, /* cmp x10, x5 */
		0x54000040u, /* b.eq out */
		0x34ffff03u, /* cbz w3, loop */
		HVC_0,       /* out: */
	};
	static const uint32_t f[] = { MOVZ_X0_1, 0xd65f03c0u /* ret */ };
	memcpy(g_ram + XMC_WRITER, writer, sizeof(writer));
	memcpy(g_ram + XMC_RUNNER, runner, sizeof(runner));
	memcpy(g_ram + XMC_F, f, sizeof(f));
	memset(g_ram + XMC_DATA, 0, 16);
	struct xmc_runner r = { 0 };
	pthread_t th;
	ck_assert_int_eq(pthread_create(&th, NULL, xmc_runner_main, &r), 0);
	set_reg(HV_REG_PC, guest_addr(XMC_WRITER));
	set_reg(HV_REG_CPSR, CPSR_EL1H_MASKED);
	set_reg(HV_REG_X1, MOVZ_X0_2);
	set_reg(HV_REG_X2, guest_addr(XMC_F));
	set_reg(HV_REG_X3, 5000); /* calls of the old f first */
	set_reg(HV_REG_X4, 1);
	set_reg(HV_REG_X6, guest_addr(XMC_DATA));
	set_reg(HV_REG_X7, guest_addr(XMC_DATA + 8));
	run_to_hvc();
	pthread_join(th, NULL);
	ck_assert_int_eq(r.rc, HV_SUCCESS);
	ck_assert_msg(r.x10 < XMC_TRIES, "the runner never saw the flag");
	ck_assert_uint_eq(r.pc, guest_addr(XMC_RUNNER + 10 * 4)); /* after its HVC */
	ck_assert_msg(r.x0 == 2, "the first call after the flag and an ISB ran the old f (x0 = %llu, call %llu)",
		      (unsigned long long)r.x0, (unsigned long long)r.x10);
}
END_TEST

/* The host rewrites f while the vCPU calls it, then sets a flag.  No
 * instruction announces the write (the host's cache maintenance is not
 * the guest's), so emu promises only to see it within its periodic
 * recheck: every 1024 event checks of 4096 instructions.  The loop runs
 * 11 instructions per call once it has seen the flag. */
#define HRW_LOOP CODE_OFF
#define HRW_F (CODE_OFF + 0x200)
#define HRW_FLAG (CODE_OFF + 0x2000)
#define HRW_CALLS (3 * 1026u * 4096u / 2 / 11) /* 1.5 times the promise */

static void *hrw_writer(void *p)
{
	(void)p;
	struct timespec ts = { 0, 20 * 1000 * 1000 };
	nanosleep(&ts, NULL); /* the vCPU is calling f by now, most likely */
	uint32_t w = MOVZ_X0_2, one = 1;
	__atomic_store((uint32_t *)(g_ram + HRW_F), &w, __ATOMIC_RELEASE);
	__atomic_store((uint32_t *)(g_ram + HRW_FLAG), &one, __ATOMIC_RELEASE);
	return NULL;
}

START_TEST(host_rewrite_while_it_runs)
{
	if (hv_test_backend_is_kvm()) {
		hv_test_note("host_rewrite_while_it_runs",
			     "skipped: hardware needs the host's cache maintenance, which no guest sees");
		return;
	}
	static const uint32_t loop[] = {
		0x94000000u | ((HRW_F - HRW_LOOP) / 4), /* loop: bl f */
		0xf100081fu, /* cmp x0, #2 */
		0x540000e0u, /* b.eq out */
		0xb94000c3u, /* ldr w3, [x6]: the flag */
		0x34ffff83u, /* cbz w3, loop */
		0x9100054au, /* add x10, x10, #1: calls since */
		0xeb05015fu, /* cmp x10, x5 */
		0x54000042u, /* b.hs out */
		0x17fffff8u, /* b loop */
		HVC_0,       /* out: */
	};
	static const uint32_t f[] = { MOVZ_X0_1, 0xd65f03c0u /* ret */ };
	memcpy(g_ram + HRW_F, f, sizeof(f));
	memset(g_ram + HRW_FLAG, 0, 4);
	load_code(HRW_LOOP, loop, sizeof(loop) / sizeof(loop[0]));
	set_reg(HV_REG_X5, HRW_CALLS);
	set_reg(HV_REG_X6, guest_addr(HRW_FLAG));
	set_reg(HV_REG_X10, 0);
	pthread_t th;
	ck_assert_int_eq(pthread_create(&th, NULL, hrw_writer, NULL), 0);
	run_to_hvc();
	pthread_join(th, NULL);
	ck_assert_msg(reg(HV_REG_X0) == 2, "the old f still ran %llu calls after the flag",
		      (unsigned long long)reg(HV_REG_X10));
}
END_TEST

/* Through an atomic (SWP) and a store pair. */
START_TEST(rewrite_by_swp)
{
	static const uint32_t code[] = {
		0xb8218046u, /* swp w1, w6, [x2] */
		MOVZ_X0_1,
		HVC_0,
	};
	uint64_t base = load_code(CODE_OFF, code, 3);
	set_reg(HV_REG_X1, MOVZ_X0_2);
	set_reg(HV_REG_X2, base + 4);
	run_to_hvc();
	assert_rewritten(reg(HV_REG_X0), 2, 1);
	ASSERT_U64_EQ(reg(HV_REG_X6), MOVZ_X0_1);
}
END_TEST

START_TEST(rewrite_by_stp)
{
	static const uint32_t code[] = {
		0x29000441u, /* stp w1, w1, [x2] */
		MOVZ_X0_1,
		MOVZ_X5_1,
		HVC_0,
	};
	uint64_t base = load_code(CODE_OFF, code, 4);
	set_reg(HV_REG_X1, MOVZ_X0_2);
	set_reg(HV_REG_X2, base + 4);
	set_reg(HV_REG_X5, 7);
	run_to_hvc();
	assert_rewritten(reg(HV_REG_X0), 2, 1);
	assert_rewritten(reg(HV_REG_X5), 7, 1); /* movz x5 was overwritten too */
}
END_TEST

/* The host rewrites guest code between two runs. */
START_TEST(host_rewrite_between_runs)
{
	static const uint32_t code[] = { MOVZ_X0_1, HVC_0 };
	uint64_t base = load_code(CODE_OFF, code, 2);
	run_to_hvc();
	ASSERT_U64_EQ(reg(HV_REG_X0), 1);
	uint32_t w = MOVZ_X0_2;
	memcpy(g_ram + CODE_OFF, &w, sizeof(w));
	set_reg(HV_REG_PC, base);
	run_to_hvc();
	ASSERT_U64_EQ(reg(HV_REG_X0), 2);
}
END_TEST

/* A loop over two blocks, the second rewritten by code outside the loop
 * halfway through: 1 + 11 x 1 + 11 x 100 (emu: the loop is translated
 * after both blocks ran, the first holding the second: a region, whose
 * copy of the second must not run once it changed). */
START_TEST(rewrite_a_block_of_a_translated_loop)
{
	static const uint32_t code[] = {
		0xd2800000u, /* movz x0, #0 */
		0xd2800001u, /* movz x1, #0 */
		0x14000009u, /* b m */
		ADD_X0_1,    /* h: add x0, x0, #1 */
		0xf240041fu, /* tst x0, #3 */
		0x54ffffc1u, /* b.ne h */
		0xf100c01fu, /* cmp x0, #48 */
		0x540000c0u, /* b.eq patch */
		0xf101801fu, /* cmp x0, #96 */
		0x54000162u, /* b.hs done */
		0x14000001u, /* b m */
		0x91000421u, /* m: add x1, x1, #1 (becomes #100) */
		0x17fffff7u, /* b h */
		0xb9000062u, /* patch: str w2, [x3] */
		0xd50b7b23u, /* dc cvau, x3 */
		0xd5033b9fu, /* dsb ish */
		0xd50b7523u, /* ic ivau, x3 */
		0xd5033b9fu, /* dsb ish */
		0xd5033fdfu, /* isb */
		0x17fffff0u, /* b h */
		HVC_0,       /* done */
	};
	uint64_t base = load_code(CODE_OFF, code, sizeof(code) / sizeof(code[0]));
	set_reg(HV_REG_X2, 0x91019021u); /* add x1, x1, #100 */
	set_reg(HV_REG_X3, base + 11 * 4);
	run_to_hvc();
	ASSERT_U64_EQ(reg(HV_REG_X0), 96);
	ASSERT_U64_EQ(reg(HV_REG_X1), 1112);
}
END_TEST

/* emu: blocks translated at their third entry, after the blocks they
 * branch to ran. */
static void setup_translating_later(void)
{
	with_jit_hot("2", setup);
}

static Suite *smc_suite(void)
{
	Suite *s = suite_create("smc_code");
	TCase *t = tcase_create("smc");
	tcase_add_checked_fixture(t, setup, vm_teardown);
	tcase_add_test(t, next_instruction);
	tcase_add_test(t, next_instruction_warm_tlb);
	tcase_add_test(t, rewrite_function_with_ic_ivau);
	tcase_add_test(t, rewrite_function_without_maintenance);
	tcase_add_test(t, rewrite_loop_body);
	tcase_add_test(t, rewrite_after_data_stores_to_code_page);
	tcase_add_test(t, rewrite_of_a_page_written_before_it_ran);
	tcase_add_test(t, rewrite_after_the_icache_starts_over);
	tcase_add_test(t, rewrite_by_swp);
	tcase_add_test(t, rewrite_by_stp);
	tcase_add_test(t, host_rewrite_between_runs);
	tcase_add_test(t, host_rewrite_while_it_runs);
	tcase_add_test(t, cross_modified_by_another_vcpu);
	suite_add_tcase(s, t);
	TCase *later = tcase_create("smc, translating at the third entry");
	tcase_add_checked_fixture(later, setup_translating_later, vm_teardown);
	tcase_add_test(later, rewrite_a_block_of_a_translated_loop);
	suite_add_tcase(s, later);
	return s;
}

int main(void)
{
	return run_suite(smc_suite());
}
