/*
 * guest.h - shared helpers of the conformance suites: one VM with RAM at
 * GUEST_RAM_IPA, one vCPU owned by the test's thread, guest binaries
 * (tests/guests/NAME.S -> GUEST_DIR/NAME.bin) loaded at the start of RAM.
 *
 * Guest binary layout (see tests/support/guest_asm.h):
 *   0x000 + 4*n  entry n (usually a branch to the snippet)
 *   0x800        EL1 vector table; entry k does HVC #(0xF000 + k)
 *   0x1000       code
 * Snippets put the address of "the instruction of interest" in X9.
 *
 * Only the public API (<Hypervisor/Hypervisor.h>) is used, so that the
 * suites run unchanged on every backend.
 */
#ifndef TESTS_GUEST_H
#define TESTS_GUEST_H

#include <check.h>
#include <stdint.h>

#include <Hypervisor/Hypervisor.h>

#define GUEST_RAM_IPA 0x40000000ull
#define GUEST_RAM_SIZE 0x400000ull /* 4 MiB */
#define GUEST_DATA_OFF 0x100000ull /* a data page the snippets may use */
#define GUEST_VBAR (GUEST_RAM_IPA + 0x800)
#define UNMAPPED_IPA 0x80000000ull /* never mapped by the fixture */
#define CPSR_EL1H_MASKED 0x3c5ull
#define CPSR_EL1T_MASKED 0x3c4ull

/* Vector table entries (index = offset / 0x80). */
enum {
	VEC_CUR_SP0_SYNC = 0,
	VEC_CUR_SPX_SYNC = 4,
	VEC_CUR_SPX_IRQ = 5,
	VEC_CUR_SPX_FIQ = 6,
	VEC_LOWER_SYNC = 8,
};
#define VEC_HVC(k) (0xF000u + (k))

/* ESR fields. */
#define ESR_EC(s) ((unsigned)(((s) >> 26) & 0x3f))
#define ESR_ISS(s) ((uint32_t)((s) & 0x1ffffff))
#define ESR_IL (1ull << 25)

/* State of the current test (set by the fixtures). */
extern uint8_t *g_ram;
extern hv_vcpu_t g_vcpu;
extern hv_vcpu_exit_t *g_exit;

/* Checked fixtures: VM + RAM mapped RWX + a vCPU on the calling thread. */
void vm_setup(void);
/* The same, calling before_vcpu() between hv_vm_create and hv_vcpu_create
 * (e.g. hv_gic_create). */
void vm_setup_with(void (*before_vcpu)(void));
/* The same with EL2 enabled (the vCPU starts at EL2h). */
void vm_setup_el2(void);
void vm_setup_el2_with(void (*before_vcpu)(void));
/* Runs setup (a fixture creating the vCPU) with HV_EMU_JIT_HOT = hot
 * (emu: entries before a block is translated; the suites run with 0),
 * then restores the variable. */
void with_jit_hot(const char *hot, void (*setup)(void));
void vm_teardown(void);

/* Loads GUEST_DIR/name.bin at the start of RAM. */
void guest_load(const char *name);
/* Guest address of RAM offset off. */
static inline uint64_t guest_addr(uint64_t off)
{
	return GUEST_RAM_IPA + off;
}
/* PC = entry n, CPSR = EL1h with DAIF masked, SP_EL1 = top of RAM. */
void guest_start(unsigned entry);

/* Runs until the next exit; fails the test if the guest does not exit
 * within 5 s (a watchdog cancels it).  Returns g_exit. */
const hv_vcpu_exit_t *guest_run(void);
/* Runs; a watchdog calls hv_vcpus_exit after ms milliseconds. */
const hv_vcpu_exit_t *guest_run_for(unsigned ms);

/* Register accessors that fail the test on error. */
uint64_t reg(hv_reg_t r);
void set_reg(hv_reg_t r, uint64_t v);
uint64_t sysreg(hv_sys_reg_t r);
void set_sysreg(hv_sys_reg_t r, uint64_t v);
uint64_t guest_pc(void);
/* System register value for diagnostics (0 on error, no assertion). */
uint64_t sysreg_peek(hv_sys_reg_t r);

/* Runs fn(arg) on a new thread and waits for it. */
void run_on_thread(void (*fn)(void *), void *arg);

/* Runs every test of s (CK_NORMAL, Check's summary line) and frees it;
 * returns the process exit status (EXIT_FAILURE if any test failed). */
int run_suite(Suite *s);

/* Assertions on the last exit. */
#define ASSERT_EXIT_REASON(r)                                                   \
	ck_assert_msg(g_exit->reason == (r), "exit reason %u, expected %u (syndrome %#llx, PC %#llx)", \
		      (unsigned)g_exit->reason, (unsigned)(r),                  \
		      (unsigned long long)g_exit->exception.syndrome,            \
		      (unsigned long long)guest_pc())

#define ASSERT_EXIT_EC(ec)                                                      \
	do {                                                                    \
		ASSERT_EXIT_REASON(HV_EXIT_REASON_EXCEPTION);                   \
		ck_assert_msg(ESR_EC(g_exit->exception.syndrome) == (ec),       \
			      "EC %#x, expected %#x (syndrome %#llx, PC %#llx)", \
			      ESR_EC(g_exit->exception.syndrome), (unsigned)(ec), \
			      (unsigned long long)g_exit->exception.syndrome,    \
			      (unsigned long long)guest_pc());                   \
	} while (0)

#define ASSERT_SYNDROME(v)                                                      \
	do {                                                                    \
		ASSERT_EXIT_REASON(HV_EXIT_REASON_EXCEPTION);                   \
		ck_assert_msg(g_exit->exception.syndrome == (uint64_t)(v),      \
			      "syndrome %#llx, expected %#llx (PC %#llx; ESR_EL1 %#llx, ELR_EL1 %#llx)", \
			      (unsigned long long)g_exit->exception.syndrome,    \
			      (unsigned long long)(v),                           \
			      (unsigned long long)guest_pc(),                    \
			      (unsigned long long)sysreg_peek(HV_SYS_REG_ESR_EL1), \
			      (unsigned long long)sysreg_peek(HV_SYS_REG_ELR_EL1)); \
	} while (0)

/* Exit by HVC #imm. */
#define ASSERT_HVC(imm) ASSERT_SYNDROME((0x16ull << 26) | ESR_IL | (uint64_t)(imm))

#define ASSERT_U64_EQ(a, b) ck_assert_uint_eq((uint64_t)(a), (uint64_t)(b))

#endif /* TESTS_GUEST_H */
