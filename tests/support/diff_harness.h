/*
 * diff_harness.h - differential instruction testing: the emu backend
 * (through the public Hypervisor API) against libunicorn as an oracle.
 *
 * Both sides get the same RAM layout at the same addresses (EL1h, MMU off,
 * so VA = IPA):
 *
 *   DIFF_CODE_BASE  64 KiB filled with HVC #0; the instructions under test
 *                   are written at DIFF_INSN_ADDR (the middle), so branch
 *                   targets within +-32 KiB land on an HVC.
 *   DIFF_VBAR       exception vectors: every slot is HVC #(0xEE00 | n), n =
 *                   vector offset / 0x80, so an exception taken on our side
 *                   exits with that ISS.
 *   DIFF_DATA_BASE  data buffer with random contents, compared after every
 *                   case.
 *
 * A case: diff_run() writes the words, sets identical X0-X30/SP/PC/NZCV on
 * both sides, runs ours to its HVC exit and unicorn for the same number of
 * instructions, and compares X0-X30, SP, PC, NZCV, the data buffer and the
 * kind of exception (if any).  A mismatch is printed with the words, the
 * caller's field description and both states.
 */
#ifndef DIFF_HARNESS_H
#define DIFF_HARNESS_H

#include <stdint.h>

#define DIFF_RAM_BASE   0x40000000ull
#define DIFF_RAM_SIZE   0x40000ull
#define DIFF_CODE_BASE  DIFF_RAM_BASE
#define DIFF_CODE_SIZE  0x10000ull
#define DIFF_INSN_ADDR  (DIFF_CODE_BASE + 0x8000ull)
#define DIFF_VBAR       (DIFF_RAM_BASE + 0x10000ull)
#define DIFF_DATA_BASE  (DIFF_RAM_BASE + 0x20000ull)
#define DIFF_DATA_SIZE  0x2000ull

#define DIFF_HVC0       0xd4000002u

struct diff_regs {
	uint64_t x[31];
	uint64_t sp;
	uint64_t pc;
	uint32_t nzcv; /* in bits [31:28] */
};

/* How a case ended. */
enum diff_kind {
	DIFF_END_OK,       /* reached an HVC #0 / the instruction count */
	DIFF_END_UNDEF,    /* UNDEFINED instruction exception */
	DIFF_END_DABT,     /* data abort at EL1 (e.g. alignment) */
	DIFF_END_EXC,      /* another synchronous exception */
	DIFF_END_UNMAPPED, /* access outside RAM (stage-2 exit / UC_ERR_*_UNMAPPED) */
	DIFF_END_HANG,     /* ours did not exit within the watchdog period */
	DIFF_END_ERROR,    /* API error or unexpected exit */
};

/* Creates the VM, vCPU and unicorn engine (cpu model "max", for LSE and
 * CRC32).  Call at the start of each test (Check forks per test). */
void diff_setup(const char *suite_name);
void diff_teardown(void);

uint64_t diff_rand(void);
/* Uniform in [0, n). */
uint32_t diff_rand_below(uint32_t n);
/* An operand value: often an edge case (0, 1, -1, INT64_MIN/MAX,
 * 0x80000000, 0x7fffffff, ...), otherwise random. */
uint64_t diff_rand_val(void);
/* Random X0-X30 (via diff_rand_val), SP, NZCV; PC = DIFF_INSN_ADDR. */
void diff_rand_regs(struct diff_regs *r);

/* Runs one case; `n` words at DIFF_INSN_ADDR (then the HVC #0 fill).
 * `fields` describes the encoding for the report.  Returns 1 if both
 * sides agree. */
int diff_run(const char *cls, const uint32_t *insns, unsigned n,
	     const struct diff_regs *in, const char *fields);

/* Reads `size` (1, 2, 4, 8) bytes of guest memory (ours; both sides'
 * data buffers are kept identical), little-endian. */
uint64_t diff_mem_read(uint64_t addr, unsigned size);

/* n scaled by the environment variable DIFF_SCALE (percent, default
 * 100), at least 1. */
unsigned diff_iters(unsigned n);

/* The current test's engines (hv_vcpu_t and uc_engine *), for suites that
 * set and compare more state than diff_run does (FP/SIMD registers). */
uint64_t diff_vcpu(void);
void *diff_uc(void);

/* Totals for the current test. */
unsigned diff_cases(void);
unsigned diff_mismatches(void);
unsigned diff_both_exceptions(void);

#endif /* DIFF_HARNESS_H */
