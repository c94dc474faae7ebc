/*
 * test_jit.c - the translator of the emu backend (src/vcpu/emu/jit/)
 * against the interpreter, which stays the reference for semantics.
 *
 * Two vCPUs of one VM, created with HV_EMU_JIT=0 and with the translator
 * translating every block at once (HV_EMU_JIT_HOT=0), run the same cases
 * one after the other from the same memory contents; after each case the
 * registers (general and SIMD&FP, FPCR, FPSR), NZCV, the exit (reason,
 * syndrome, addresses), the retired instruction count and the data
 * memory must be identical.  Every case runs under a host MXCSR that a
 * run must neither use nor change (HOSTILE_MXCSR).
 *
 *   random_blocks       random integer, load/store and branch words,
 *                       some closed into loops
 *   arith_edges         division by 0 and INT_MIN / -1, shifts by the
 *                       register size and more, high halves of products,
 *                       extended registers with SP
 *   flags_across_operations  a flag-setting instruction, then operations
 *                       the translator lets its flags stay pending over
 *                       (loads, stores, ALU) or not (writing what they
 *                       are computed from), then a fault, a taken
 *                       branch, a reader or the block's end
 *   operands_with_the_cache_full  a second operand taking the first's
 *                       cache entry
 *   count_across_event_checks  loops with calls (or MADDs on a pinned
 *                       register) in them running across
 *                       many event checks (the retired count)
 *   loop_flags_at_a_fault  loops whose flags stay pending across the
 *                       branch back, faulting after some iterations
 *   fault_every_position  long blocks with a faulting instruction at each
 *                       position in turn (stage-2 exits, guest aborts,
 *                       UNDEF, a pair whose second half faults): PC,
 *                       registers, flags, memory and the count are the
 *                       interpreter's, partial writes never visible
 *   regions_with_a_fault_at_every_position  a loop over three blocks,
 *                       translated as one region, faulting at each
 *                       position of the blocks it branches to
 *   regions_flags_into_members  branches into members that start with a
 *                       load: the flags they leave pending must be
 *                       there when the load faults
 *   regions_across_epoch_moves  the same loop with a TLBI in its members:
 *                       each branch into a member finds it unchecked and
 *                       leaves the translation (the count taken back)
 *   region_flags_at_a_cancel  hv_vcpus_exit stops a region at a branch
 *                       back whose flags were never stored: NZCV at the
 *                       exit is the branch's
 *   pointer_chase_across_mappings  x0 = [x0] alternating between two
 *                       host buffers: the predicted addend misses
 *   fp_arithmetic       random FP arithmetic (the forms translated inline
 *                       and a few that are not), SIMD&FP loads and stores,
 *                       SIMD integer three-same, three-different and
 *                       shift operations,
 *                       on edge lanes (denormals, the normal minimum,
 *                       infinities, NaNs) under every FPCR mode, some with
 *                       SIMD&FP disabled: V registers, FPSR, FPCR too
 *   fp_host_environment the worker threads' hostile MXCSR stays out of
 *                       the guest's results and FPSR and survives the
 *                       run; FPSR across MRS, MSR and the exit
 *   perf_map_and_code_dump  HV_EMU_JIT_PERFMAP and HV_EMU_JIT_DUMP: a
 *                       map line and the code of every translation
 *   cache_flush         a 1 MiB code cache overflowing many times
 *   no_wx_mapping       no host page is writable and executable
 *
 * On hosts without a translator the suite notes it and checks nothing.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <check.h>

#include <Hypervisor/Hypervisor.h>

#include "backend.h"
#include "hvc_image.h"
#include "vcpu_outcome.h"

#include "../src/vcpu/emu/probe.h"

#define RAM_IPA 0x40000000ull
#define RAM_SIZE 0x100000ull     /* 1 MiB */
#define VEC_OFF 0x800ull         /* VBAR_EL1: entry k does HVC #(0xF000 + k) */
#define CODE_OFF 0x10000ull      /* cases run from here; the rest is HVC #0 */
#define CODE_SIZE 0x10000ull
#define DATA_OFF 0x40000ull      /* compared after every case */
#define DATA_SIZE 0x10000ull
#define PTR (RAM_IPA + DATA_OFF + DATA_SIZE / 2)
#define UNMAPPED 0x80000000ull
/* A second mapping, of another host buffer: the TLB addend of its pages
 * differs from RAM's (pointer_chase_across_mappings) */
#define RAM2_IPA 0x60000000ull
#define RAM2_SIZE 0x10000ull
#define CHAIN_OFF (DATA_OFF + 0xc000) /* nodes in RAM, each pointing into RAM2 */
#define CHAIN_NODES 16
#define MAX_WORDS 48

#define HVC(imm) HVC_INSN(imm)

struct jcase {
	uint32_t words[MAX_WORDS];
	unsigned n;
	uint64_t x[31], sp;
	uint32_t nzcv;
	uint64_t v[32][2]; /* SIMD&FP registers */
	uint32_t fpcr;
	bool fp_off;       /* CPACR_EL1.FPEN 0: SIMD&FP accesses trap */
};

#if defined(__x86_64__)
#include <xmmintrin.h>
/* The worker thread's MXCSR as a host program might leave it: round
 * towards zero, flush to zero, denormals are zero, every sticky flag.  A
 * run must neither use it for the guest nor change it. */
#define HOSTILE_MXCSR 0xffffu
static void hostile_host_fp(void)
{
	_mm_setcsr(HOSTILE_MXCSR);
}
static bool host_fp_intact(void)
{
	return _mm_getcsr() == HOSTILE_MXCSR;
}
#else
static void hostile_host_fp(void)
{
}
static bool host_fp_intact(void)
{
	return true;
}
#endif


static uint8_t *ram;
static uint8_t *pristine;
static uint8_t *ram2;

static void fill_image(void)
{
	hvc_image_fill(pristine, RAM_SIZE, 0, VEC_OFF);
	uint64_t seed = 0x9e3779b97f4a7c15ull;
	for (uint64_t off = DATA_OFF; off < DATA_OFF + DATA_SIZE; off += 8) {
		seed = seed * 6364136223846793005ull + 1442695040888963407ull;
		memcpy(pristine + off, &seed, 8);
	}
	/* RAM node k -> RAM2 node k -> RAM node k + 1 (64 bytes each: next,
	 * value) */
	for (uint64_t k = 0; k < CHAIN_NODES; k++) {
		uint64_t to2 = RAM2_IPA + 64 * k, back = RAM_IPA + CHAIN_OFF + 64 * ((k + 1) % CHAIN_NODES);
		uint64_t v1 = 0x1111 * (k + 1), v2 = 0x10000 * (k + 3);
		memcpy(pristine + CHAIN_OFF + 64 * k, &to2, 8);
		memcpy(pristine + CHAIN_OFF + 64 * k + 8, &v1, 8);
		memcpy(ram2 + 64 * k, &back, 8);
		memcpy(ram2 + 64 * k + 8, &v2, 8);
	}
}

static void setup(void)
{
	ck_assert_int_eq(hv_vm_create(NULL), HV_SUCCESS);
	ram = mmap(NULL, RAM_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	pristine = malloc(RAM_SIZE);
	ram2 = mmap(NULL, RAM2_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ck_assert(ram != MAP_FAILED && ram2 != MAP_FAILED && pristine);
	fill_image();
	ck_assert_int_eq(hv_vm_map(ram, RAM_IPA, RAM_SIZE, HV_MEMORY_READ | HV_MEMORY_WRITE | HV_MEMORY_EXEC),
			 HV_SUCCESS);
	ck_assert_int_eq(hv_vm_map(ram2, RAM2_IPA, RAM2_SIZE, HV_MEMORY_READ), HV_SUCCESS);
}

static void teardown(void)
{
	hv_vm_unmap(RAM_IPA, RAM_SIZE);
	hv_vm_unmap(RAM2_IPA, RAM2_SIZE);
	hv_vm_destroy();
	munmap(ram, RAM_SIZE);
	munmap(ram2, RAM2_SIZE);
	free(pristine);
}

/* ---- running cases on a vCPU of a given kind -------------------------- */

struct worker {
	bool jit;                     /* translator on (translating at once) */
	const struct jcase *cases;
	unsigned ncases;
	struct vcpu_outcome *out;
	const char *cache_mb;         /* HV_EMU_JIT_CACHE_MB or NULL */
	const char *hot;              /* HV_EMU_JIT_HOT, NULL: "0" */
	struct emu_probe probe;       /* at the end */
	bool failed;
};

#define W_CHECK(w, call)                                                                   \
	do {                                                                               \
		if ((call) != HV_SUCCESS) {                                                \
			fprintf(stderr, "test_jit: %s failed\n", #call);                   \
			(w)->failed = true;                                                \
			return NULL;                                                       \
		}                                                                          \
	} while (0)

static pthread_mutex_t env_lock = PTHREAD_MUTEX_INITIALIZER;

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	hv_vcpu_t vcpu;
	hv_vcpu_exit_t *ex;
	/* The translator is chosen when the vCPU is created. */
	pthread_mutex_lock(&env_lock);
	setenv("HV_EMU_JIT", w->jit ? "1" : "0", 1);
	setenv("HV_EMU_JIT_HOT", w->hot ? w->hot : "0", 1);
	if (w->cache_mb)
		setenv("HV_EMU_JIT_CACHE_MB", w->cache_mb, 1);
	else
		unsetenv("HV_EMU_JIT_CACHE_MB");
	hv_return_t r = hv_vcpu_create(&vcpu, &ex, NULL);
	pthread_mutex_unlock(&env_lock);
	W_CHECK(w, r);
	W_CHECK(w, hv_vcpu_set_sys_reg(vcpu, HV_SYS_REG_VBAR_EL1, RAM_IPA + VEC_OFF));
	for (unsigned i = 0; i < w->ncases; i++) {
		const struct jcase *c = &w->cases[i];
		struct vcpu_outcome *o = &w->out[i];
		memcpy(ram, pristine, RAM_SIZE);
		memcpy(ram + CODE_OFF, c->words, 4 * (size_t)c->n);
		for (unsigned k = 0; k < 31; k++)
			W_CHECK(w, hv_vcpu_set_reg(vcpu, HV_REG_X0 + k, c->x[k]));
		W_CHECK(w, hv_vcpu_set_sys_reg(vcpu, HV_SYS_REG_SP_EL1, c->sp));
		W_CHECK(w, hv_vcpu_set_reg(vcpu, HV_REG_CPSR, 0x3c5ull | c->nzcv));
		W_CHECK(w, hv_vcpu_set_reg(vcpu, HV_REG_PC, RAM_IPA + CODE_OFF));
		for (unsigned k = 0; k < 32; k++) {
			hv_simd_fp_uchar16_t q;
			memcpy(&q, c->v[k], 16);
			W_CHECK(w, hv_vcpu_set_simd_fp_reg(vcpu, (hv_simd_fp_reg_t)(HV_SIMD_FP_REG_Q0 + k), q));
		}
		W_CHECK(w, hv_vcpu_set_reg(vcpu, HV_REG_FPCR, c->fpcr));
		W_CHECK(w, hv_vcpu_set_reg(vcpu, HV_REG_FPSR, 0));
		W_CHECK(w, hv_vcpu_set_sys_reg(vcpu, HV_SYS_REG_CPACR_EL1, c->fp_off ? 0 : 3ull << 20));
		W_CHECK(w, hv_vcpu_set_sys_reg(vcpu, HV_SYS_REG_ELR_EL1, 0));
		W_CHECK(w, hv_vcpu_set_sys_reg(vcpu, HV_SYS_REG_ESR_EL1, 0));
		W_CHECK(w, hv_vcpu_set_sys_reg(vcpu, HV_SYS_REG_FAR_EL1, 0));
		struct emu_probe before;
		W_CHECK(w, emu_probe_vcpu(vcpu, &before));
		hostile_host_fp();
		W_CHECK(w, hv_vcpu_run(vcpu));
		if (!host_fp_intact()) {
			fprintf(stderr, "test_jit: the run changed the host thread's MXCSR\n");
			w->failed = true;
			return NULL;
		}
		W_CHECK(w, vcpu_outcome_capture(vcpu, ex, ram + DATA_OFF, o));
		struct emu_probe after;
		W_CHECK(w, emu_probe_vcpu(vcpu, &after));
		o->retired = after.retired - before.retired;
	}
	W_CHECK(w, emu_probe_vcpu(vcpu, &w->probe));
	hv_vcpu_destroy(vcpu);
	return NULL;
}

static void run_worker(struct worker *w)
{
	pthread_t t;
	ck_assert_int_eq(pthread_create(&t, NULL, worker_main, w), 0);
	pthread_join(t, NULL);
	ck_assert_msg(!w->failed, "worker failed");
}

static struct vcpu_outcome *outcomes(unsigned n)
{
	struct vcpu_outcome *o = calloc(n, sizeof(*o));
	ck_assert(o);
	for (unsigned i = 0; i < n; i++) {
		o[i].data = malloc(DATA_SIZE);
		o[i].data_size = DATA_SIZE;
		ck_assert(o[i].data);
	}
	return o;
}

static void free_outcomes(struct vcpu_outcome *o, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		free(o[i].data);
	free(o);
}

static void print_case(const struct jcase *c)
{
	fprintf(stderr, "  words:");
	for (unsigned i = 0; i < c->n; i++)
		fprintf(stderr, " %08x", c->words[i]);
	fprintf(stderr, "\n  nzcv %08x\n", c->nzcv);
}

/* Both outcomes of case i agree; prints the first difference. */
static bool same(const struct jcase *c, unsigned i, const struct vcpu_outcome *a, const struct vcpu_outcome *b)
{
	char what[96];
	if (!vcpu_outcome_differs(a, b, what, sizeof(what)))
		return true;
	fprintf(stderr, "test_jit: case %u differs: %s\n", i, what);
	print_case(c);
	return false;
}

/* Runs the cases on both kinds of vCPU and compares; returns the
 * translating worker's probe. */
static struct emu_probe compare_cases(const struct jcase *cases, unsigned n, const char *cache_mb)
{
	struct vcpu_outcome *oi = outcomes(n), *oj = outcomes(n);
	struct worker wi = { .jit = false, .cases = cases, .ncases = n, .out = oi };
	struct worker wj = { .jit = true, .cases = cases, .ncases = n, .out = oj, .cache_mb = cache_mb };
	run_worker(&wi);
	run_worker(&wj);
	unsigned bad = 0;
	for (unsigned i = 0; i < n; i++)
		if (!same(&cases[i], i, &oi[i], &oj[i]) && ++bad >= 5)
			break;
	free_outcomes(oi, n);
	free_outcomes(oj, n);
	ck_assert_msg(bad == 0, "%u case(s) differ between the translator and the interpreter", bad);
	return wj.probe;
}

/* Runs the cases interpreted and translated (HV_EMU_JIT_HOT=hot): the
 * translating worker's outcomes in *oj (free_outcomes) and probe in
 * *probe; returns the first case whose outcomes differ, or n. */
static unsigned run_both(const struct jcase *cases, unsigned n, const char *hot, struct vcpu_outcome **oj,
			 struct emu_probe *probe)
{
	struct vcpu_outcome *oi = outcomes(n);
	*oj = outcomes(n);
	struct worker wi = { .jit = false, .cases = cases, .ncases = n, .out = oi };
	struct worker wj = { .jit = true, .cases = cases, .ncases = n, .out = *oj, .hot = hot };
	run_worker(&wi);
	run_worker(&wj);
	unsigned i = 0;
	while (i < n && same(&cases[i], i, &oi[i], &(*oj)[i]))
		i++;
	free_outcomes(oi, n);
	*probe = wj.probe;
	return i;
}

/* Whether this host translates at all (a vCPU made with HV_EMU_JIT=1). */
static bool have_translator(const char *test)
{
	struct jcase c = { .words = { HVC(0) }, .n = 1 };
	struct vcpu_outcome *o = outcomes(1);
	struct worker w = { .jit = true, .cases = &c, .ncases = 1, .out = o };
	run_worker(&w);
	free_outcomes(o, 1);
	if (!w.probe.translating)
		hv_test_note(test, "no translator on this host (the interpreter runs everything)");
	return w.probe.translating;
}

/* ---- random cases -------------------------------------------------------- */

static uint64_t rng = 88172645463325252ull;

static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static unsigned rnd_below(unsigned n)
{
	return (unsigned)(rnd() % n);
}

/* A random base register: X0-X3 (pointers into the data area) or SP. */
static unsigned base_reg(void)
{
	unsigned r = rnd_below(5);
	return r == 4 ? 31 : r;
}

static uint32_t random_ldst(void)
{
	uint32_t w;
	switch (rnd_below(6)) {
	case 0: /* single register, unsigned offset: size:111001:opc */
		w = 0x39000000u | (uint32_t)rnd_below(4) << 30 | (uint32_t)rnd_below(4) << 22 |
		    (uint32_t)rnd_below(64) << 10;
		break;
	case 1: /* unscaled / post / pre-index imm9 */
		w = 0x38000000u | (uint32_t)rnd_below(4) << 30 | (uint32_t)rnd_below(4) << 22 |
		    (uint32_t)(rnd() & 0x1ff) << 12 | (uint32_t)rnd_below(4) << 10;
		break;
	case 2: /* register offset, LSL/UXTW/SXTW/SXTX, S */
		w = 0x38200800u | (uint32_t)rnd_below(4) << 30 | (uint32_t)rnd_below(4) << 22 |
		    (uint32_t)(4 + rnd_below(8)) << 16 | (uint32_t)rnd_below(8) << 13 | (uint32_t)rnd_below(2) << 12;
		break;
	case 3: /* pairs: opc:101:0:mode:L:imm7 */
		w = 0x28000000u | (uint32_t)rnd_below(3) << 30 | (uint32_t)rnd_below(4) << 23 |
		    (uint32_t)rnd_below(2) << 22 | (uint32_t)(rnd() & 0x7f) << 15 | (uint32_t)(5 + rnd_below(20)) << 10;
		break;
	case 4: /* anything in the load/store class */
		w = (uint32_t)rnd();
		w = (w & ~(0x5u << 25)) | (0x4u << 25);
		w &= ~((1u << 26) | 0x3ffu); /* no SIMD&FP; base and Rt below */
		break;
	default: /* exclusives, LSE atomics on X0-X3 */
		w = (uint32_t)rnd_below(2) ? 0x08000000u | (uint32_t)(rnd() & 0xc0e07c00u)
					   : 0x38200000u | (uint32_t)(rnd() & 0xc0df7000u);
		break;
	}
	w |= base_reg() << 5;
	w |= (uint32_t)(4 + rnd_below(24)); /* Rt: X4-X27 */
	return w;
}

/* Forward branch to instruction `to` of the case (or past its end, onto
 * the HVC #0 filling), never to `avoid` (the B.NE closing a loop case:
 * jumping there would skip the loop counter's decrement). */
static uint32_t random_branch(unsigned at, unsigned n, unsigned avoid)
{
	unsigned to = at + 1 + rnd_below(n - at + 2);
	if (to == avoid)
		to--;
	int32_t off = (int32_t)(to - at);
	switch (rnd_below(5)) {
	case 0:
		return 0x54000000u | ((uint32_t)off & 0x7ffff) << 5 | rnd_below(16);
	case 1:
		return 0x34000000u | (uint32_t)rnd_below(2) << 31 | (uint32_t)rnd_below(2) << 24 |
		       ((uint32_t)off & 0x7ffff) << 5 | rnd_below(31);
	case 2: {
		unsigned bit = rnd_below(64);
		return 0x36000000u | (uint32_t)(bit >> 5) << 31 | (uint32_t)rnd_below(2) << 24 | (bit & 31) << 19 |
		       ((uint32_t)off & 0x3fff) << 5 | rnd_below(31);
	}
	case 3:
		return 0x14000000u | ((uint32_t)off & 0x3ffffff); /* B */
	default:
		return 0x94000000u | ((uint32_t)off & 0x3ffffff); /* BL */
	}
}

static uint32_t random_word(unsigned at, unsigned n, unsigned avoid)
{
	uint32_t w = (uint32_t)rnd();
	switch (rnd_below(10)) {
	case 0: case 1: case 2: /* data processing, immediate: 100x */
		return (w & ~(0xfu << 25)) | (0x8u << 25) | ((w >> 7) & 1u) << 25;
	case 3: case 4: case 5: /* data processing, register: x101 */
		return (w & ~(0x7u << 25)) | (0x5u << 25);
	case 6: case 7:
		return random_ldst();
	case 8:
		return random_branch(at, n, avoid);
	default: /* SIMD&FP (interpreter handlers) or a fast form with XZR */
		return rnd_below(2) ? (w & ~(0x7u << 25)) | (0x7u << 25) : 0xaa1f03e0u | rnd_below(31);
	}
}

/* X27 counts the iterations of a loop case: no random word writes it. */
#define LOOP_REG 27u

static uint32_t not_loop_reg(uint32_t w)
{
	if ((w & 31) == LOOP_REG)
		w ^= 1; /* Rd/Rt */
	if (((w >> 10) & 31) == LOOP_REG && ((w >> 25) & 5) == 4)
		w ^= 1u << 10; /* Rt2 of a pair */
	if (((w >> 16) & 31) == LOOP_REG && ((w >> 25) & 5) == 4)
		w ^= 1u << 16; /* Rs of an exclusive or atomic */
	return w;
}

static void random_case(struct jcase *c)
{
	c->n = 1 + rnd_below(MAX_WORDS - 1);
	/* One case in three is a loop back to the start of its block,
	 * which the translator runs with pinned registers. */
	bool loop = rnd_below(3) == 0 && c->n >= 3;
	for (unsigned i = 0; i < c->n; i++)
		c->words[i] = not_loop_reg(random_word(i, c->n, loop ? c->n - 1 : ~0u));
	if (loop) {
		c->words[c->n - 2] = 0xf1000400u | LOOP_REG << 5 | LOOP_REG; /* subs x27, x27, #1 */
		c->words[c->n - 1] = 0x54000001u | ((uint32_t)(0 - (c->n - 1)) & 0x7ffff) << 5; /* b.ne start */
	}
	for (unsigned k = 0; k < 31; k++)
		c->x[k] = rnd_below(4) == 0 ? rnd() : rnd_below(4) == 0 ? (uint32_t)rnd() : rnd() & 0xff;
	for (unsigned k = 0; k < 4; k++)
		c->x[k] = PTR + 8 * (uint64_t)(rnd_below(64)) - 256;
	c->sp = PTR - 16 * (uint64_t)rnd_below(32);
	c->nzcv = (uint32_t)rnd_below(16) << 28;
	if (loop)
		c->x[LOOP_REG] = 1 + rnd_below(12);
}

/* n zeroed cases (each filled in by the test). */
static struct jcase *new_cases(unsigned n)
{
	struct jcase *cases = calloc(n, sizeof(*cases));
	ck_assert(cases);
	return cases;
}

START_TEST(random_blocks)
{
	if (!have_translator("random_blocks"))
		return;
	const unsigned n = 3000;
	struct jcase *cases = new_cases(n);
	rng ^= (uint64_t)_i * 0x2545f4914f6cdd1dull;
	for (unsigned i = 0; i < n; i++)
		random_case(&cases[i]);
	struct emu_probe p = compare_cases(cases, n, NULL);
	ck_assert_msg(p.blocks >= n / 2, "only %llu blocks translated", (unsigned long long)p.blocks);
	free(cases);
}
END_TEST

/* ---- arithmetic at its edges ---------------------------------------------- */

/* Division by 0 and of the most negative number by -1 (which traps on
 * x86 if done naively), shifts by the register size and more, high
 * halves of products of negative numbers, extended registers (with SP,
 * setting flags): each instruction with every
 * pair of edge values in X5 and X6 (X7 the addend). */
START_TEST(arith_edges)
{
	if (!have_translator("arith_edges"))
		return;
	static const uint32_t insns[] = {
		0x9ac60ca8, /* sdiv x8, x5, x6 */
		0x1ac60ca8, /* sdiv w8, w5, w6 */
		0x9ac608a8, /* udiv x8, x5, x6 */
		0x1ac608a8, /* udiv w8, w5, w6 */
		0x9b467ca8, /* smulh x8, x5, x6 */
		0x9bc67ca8, /* umulh x8, x5, x6 */
		0x9b261ca8, /* smaddl x8, w5, w6, x7 */
		0x9ba69ca8, /* umsubl x8, w5, w6, x7 */
		0x9b069ca8, /* msub x8, x5, x6, x7 */
		0x1b061ca8, /* madd w8, w5, w6, w7 */
		0x9ac620a8, /* lsl x8, x5, x6 */
		0x1ac624a8, /* lsr w8, w5, w6 */
		0x9ac628a8, /* asr x8, x5, x6 */
		0x1ac628a8, /* asr w8, w5, w6 */
		0x9ac62ca8, /* ror x8, x5, x6 */
		0x1ac62ca8, /* ror w8, w5, w6 */
		0x8b26cbe8, /* add x8, sp, w6, sxtw #2 */
		0xeb2600a8, /* subs x8, x5, w6, uxtb */
		0xeb26a0bf, /* cmp x5, w6, sxth */
		0x0b2630a8, /* add w8, w5, w6, uxth #4 */
		0xcb2667ff, /* sub sp, sp, x6, uxtx #1 */
		0x2b268ca8, /* adds w8, w5, w6, sxtb #3 */
	};
	static const uint64_t edges[] = {
		0, 1, ~0ull, 1ull << 63, 0x7fffffffffffffffull, 0x80000000ull, 0xffffffff80000000ull,
		0xffffffffull, 31, 32, 63, 64, 65, 0x123456789abcdef1ull,
	};
	const unsigned ni = sizeof(insns) / sizeof(insns[0]), ne = sizeof(edges) / sizeof(edges[0]);
	unsigned n = ni * ne * ne;
	struct jcase *cases = new_cases(n);
	unsigned k = 0;
	for (unsigned i = 0; i < ni; i++)
		for (unsigned a = 0; a < ne; a++)
			for (unsigned b = 0; b < ne; b++, k++) {
				cases[k].words[0] = insns[i];
				cases[k].n = 1;
				cases[k].x[5] = edges[a];
				cases[k].x[6] = edges[b];
				cases[k].x[7] = edges[(a + b) % ne];
				cases[k].sp = PTR;
			}
	compare_cases(cases, n, NULL);
	free(cases);
}
END_TEST

/* ---- flags kept pending across other operations ------------------------- */

/* The translator stores NZCV of a flag-setting instruction only when
 * something may look (jit_translate.c, struct flag_src): past loads,
 * stores and ALU operations it gets them again on a fault or an exit,
 * from the setter's sources or its result.  Each setter, then each
 * operation in between (some overwrite the setter's sources), then each
 * way out, for edge values of the sources X5, X6. */
START_TEST(flags_across_operations)
{
	if (!have_translator("flags_across_operations"))
		return;
	static const uint32_t setters[] = {
		0xf10004bf, /* cmp x5, #1 */
		0x6b0600bf, /* cmp w5, w6 */
		0xea0600bf, /* tst x5, x6 */
		0xf1000ca5, /* subs x5, x5, #3 (got back from the result) */
		0x72001ca5, /* ands w5, w5, #0xff (from the result) */
		0xab2640a7, /* adds x7, x5, w6, uxtw */
		0x2b0600a5, /* adds w5, w5, w6 (cannot be got again) */
		0xb1000cc6, /* adds x6, x6, #3 */
	};
	static const uint32_t middles[][2] = {
		{ 0xd503201f, 0xd503201f }, /* nop; nop */
		{ 0xf9400005, 0xd503201f }, /* ldr x5, [x0]: a source */
		{ 0xf9400406, 0xf9400008 }, /* ldr x6, [x0, #8]; ldr x8, [x0] */
		{ 0x910004a5, 0xd503201f }, /* add x5, x5, #1 */
		{ 0xf9400008, 0xf9000805 }, /* ldr x8, [x0]; str x5, [x0, #16] */
		{ 0xa9401805, 0xd503201f }, /* ldp x5, x6, [x0] */
		{ 0xf8408405, 0xd503201f }, /* ldr x5, [x0], #8: writeback */
		{ 0x8b0600c8, 0x93c618a9 }, /* add x8, x6, x6; extr x9, x5, x6, #6 */
		{ 0xf8408406, 0x910004e6 }, /* ldr x6, [x0], #8; add x6, x7, #1 */
		{ 0x9a8510c5, 0xf9400008 }, /* csel x5, x6, x5, ne (on the x86 flags); ldr x8, [x0] */
		{ 0x1a9f17e6, 0xf9000805 }, /* cset w6, eq; str x5, [x0, #16] */
	};
	static const uint32_t enders[] = {
		0xf9400389, /* ldr x9, [x28]: unmapped */
		0xf9000389, /* str x9, [x28]: unmapped */
		0xb400004a, /* cbz x10, +2: taken */
		0x3700004a, /* tbnz w10, #0, +2: not taken */
		0x9a8600ab, /* csel x11, x5, x6, eq */
		0x54000048, /* b.hi +2 */
		0x54000040, /* b.eq +2: on the flags got again into the x86 flags */
		0x54000042, /* b.cs +2 */
		0x5400004b, /* b.lt +2 */
		0x1a9f17eb, /* cset w11, eq */
		0xd503201f, /* nop: the block's end */
	};
	static const uint64_t edges[] = { 0, 1, 3, ~0ull, 1ull << 63, 0x7fffffffffffffffull, 0xffffffffull, 0x80000000ull };
	const unsigned ns = sizeof(setters) / sizeof(setters[0]), nm = sizeof(middles) / sizeof(middles[0]);
	const unsigned ne = sizeof(enders) / sizeof(enders[0]), nv = sizeof(edges) / sizeof(edges[0]);
	unsigned n = ns * nm * ne * nv;
	struct jcase *cases = new_cases(n);
	unsigned k = 0;
	for (unsigned a = 0; a < ns; a++)
		for (unsigned m = 0; m < nm; m++)
			for (unsigned e = 0; e < ne; e++)
				for (unsigned v = 0; v < nv; v++, k++) {
					struct jcase *c = &cases[k];
					c->words[0] = setters[a];
					c->words[1] = middles[m][0];
					c->words[2] = middles[m][1];
					c->words[3] = enders[e];
					c->words[4] = 0xd2800f0c; /* mov x12, #0x78 */
					c->n = 5;
					c->x[0] = PTR;
					c->x[5] = edges[v];
					c->x[6] = edges[(v * 3 + a) % nv];
					c->x[7] = edges[(v + m) % nv];
					c->x[10] = 0;
					c->x[28] = UNMAPPED;
					c->sp = PTR;
					c->nzcv = (uint32_t)(k % 16) << 28;
				}
	compare_cases(cases, n, NULL);
	free(cases);
}
END_TEST

/* A loop whose branch back leaves the flags of its last setter pending
 * (struct loop_flags in jit_translate.c): its first instructions walk x1
 * up to the end of RAM, with TLB misses on the way, until one faults
 * some iterations in; the flags there are the previous iteration's. */
START_TEST(loop_flags_at_a_fault)
{
	if (!have_translator("loop_flags_at_a_fault"))
		return;
	static const struct {
		uint32_t words[2];
		unsigned step;
	} prefixes[] = {
		{ { 0xf8408425, 0xd503201f }, 8 },  /* ldr x5, [x1], #8; nop */
		{ { 0xf8008425, 0x91000529 }, 8 },  /* str x5, [x1], #8; add x9, x9, #1 */
		{ { 0x91000529, 0xa8c11424 }, 16 }, /* add x9, x9, #1; ldp x4, x5, [x1], #16 */
		{ { 0x8b020129, 0xf8408425 }, 8 },  /* add x9, x9, x2; ldr x5, [x1], #8 */
		/* writing what some of the flags are got again from: before
		 * the slow path (they must be stored at the branch back), or
		 * after it */
		{ { 0x910004e7, 0xf8408425 }, 8 },  /* add x7, x7, #1; ldr x5, [x1], #8 */
		{ { 0xca0200c6, 0xf8408425 }, 8 },  /* eor x6, x6, x2; ldr x5, [x1], #8 */
		{ { 0xf8408425, 0x910004e7 }, 8 },  /* ldr x5, [x1], #8; add x7, x7, #1 */
		/* ... by an immediate the slow path takes back (a W form
		 * only for a 32-bit setter: it zeroes the upper half) */
		{ { 0xd1000ce7, 0xf8408425 }, 8 },  /* sub x7, x7, #3; ldr x5, [x1], #8 */
		{ { 0x110004e7, 0xf8408425 }, 8 },  /* add w7, w7, #1; ldr x5, [x1], #8 */
	};
	static const uint32_t backs[] = {
		0xeb0700df, /* cmp x6, x7 */
		0x6b0700df, /* cmp w6, w7 */
		0xea0700df, /* tst x6, x7 */
		0xb10004c6, /* adds x6, x6, #1 (got back from the result) */
		0xf10008c6, /* subs x6, x6, #2 */
	};
	static const unsigned conds[] = { 1, 10, 8 }; /* ne, ge, hi */
	static const unsigned iters[] = { 1, 2, 5, 513 };
	static const uint64_t edges[] = { 0, 1, 3, ~0ull, 1ull << 63, 0x7fffffffffffffffull, 0xffffffffull, 0x80000000ull };
	const unsigned np = sizeof(prefixes) / sizeof(prefixes[0]), nb = sizeof(backs) / sizeof(backs[0]);
	const unsigned nc = sizeof(conds) / sizeof(conds[0]), ni = sizeof(iters) / sizeof(iters[0]);
	const unsigned nv = sizeof(edges) / sizeof(edges[0]);
	/* and a sweep of counts, one of which faults right after the
	 * branch back that returned to the run loop for its event check
	 * (every 4096 instructions: about 680 iterations) */
	const unsigned sweep = 200;
	/* and prefixes that write the branch back's operand X6 back as a
	 * base (undone while the flags are got again), then fault in the
	 * next load (or in themselves, before the write) at the end of RAM
	 * after 1 to 40 iterations */
	static const uint32_t wbs[] = {
		0xf84084c5, /* ldr x5, [x6], #8 */
		0xf80084c5, /* str x5, [x6], #8 */
		0xf8408cc5, /* ldr x5, [x6, #8]! */
	};
	static const uint64_t x7s[] = { PTR - 16, PTR + 24, PTR + (1ull << 63), 0 }; /* 0: see below */
	const unsigned nw = sizeof(wbs) / sizeof(wbs[0]), n7 = sizeof(x7s) / sizeof(x7s[0]), nk = 40;
	unsigned n = np * nb * nc * ni * nv + sweep + 2 * nw * n7 * nk;
	struct jcase *cases = new_cases(n);
	unsigned k = 0;
	for (unsigned self = 0; self < 2; self++)
	for (unsigned i = 0; i < nw; i++)
		for (unsigned j = 0; j < n7; j++)
			for (unsigned it = 1; it <= nk; it++, k++) {
				struct jcase *c = &cases[k];
				uint64_t end = RAM_IPA + RAM_SIZE - 8 * it;
				memcpy(c->words, (uint32_t[]){ wbs[i], 0xf8408424, 0xeb03003f, 0x9100054a, 0xeb0700df, 0x54ffff61 },
				       6 * sizeof(uint32_t)); /* ...; ldr x4, [x1], #8; cmp x1, x3; add; cmp x6, x7; b.ne */
				c->n = 6;
				c->x[1] = self ? PTR : end;
				c->x[6] = self ? end : PTR;
				/* (0: X6 - X7 is 4 at the fault, -4 if X6 were not
				 * taken back exactly; never 0 before) */
				c->x[7] = x7s[j] ? x7s[j] - PTR + c->x[6] : c->x[6] + 8 * it - 4;
				c->sp = PTR;
				c->nzcv = (uint32_t)(it % 16) << 28;
			}
	for (unsigned i = 0; i < sweep; i++, k++) {
		struct jcase *c = &cases[k];
		memcpy(c->words, (uint32_t[]){ 0xf8408425, 0x9100054a, 0xeb03003f, 0xeb0700df, 0x54ffff81 },
		       5 * sizeof(uint32_t)); /* ldr x5, [x1], #8; add; cmp x1, x3; cmp x6, x7; b.ne */
		c->n = 5;
		c->x[1] = RAM_IPA + RAM_SIZE - 8 * (700 + i);
		c->x[6] = 0x40 + i;
		c->x[7] = 1;
		c->sp = PTR;
		c->nzcv = (uint32_t)(i % 16) << 28;
	}
	for (unsigned p = 0; p < np; p++)
		for (unsigned b = 0; b < nb; b++)
			for (unsigned cc = 0; cc < nc; cc++)
				for (unsigned it = 0; it < ni; it++)
					for (unsigned v = 0; v < nv; v++, k++) {
						struct jcase *c = &cases[k];
						c->words[0] = prefixes[p].words[0];
						c->words[1] = prefixes[p].words[1];
						c->words[2] = 0xeb03003f; /* cmp x1, x3: the first setter */
						c->words[3] = 0x9100054a; /* add x10, x10, #1 */
						c->words[4] = backs[b];
						c->words[5] = 0x54ffff60 | conds[cc]; /* b.cond to the start */
						c->n = 6;
						c->x[1] = RAM_IPA + RAM_SIZE - prefixes[p].step * iters[it];
						c->x[2] = edges[(v + 3) % nv];
						c->x[6] = edges[v];
						c->x[7] = edges[v] ^ 1;
						c->sp = PTR;
						c->nzcv = (uint32_t)(k % 16) << 28;
					}
	compare_cases(cases, n, NULL);
	free(cases);
}
END_TEST

/* Loops that run across many event checks (every 4096 instructions),
 * with a call to an interpreter handler in their body and an
 * instruction after their branch back: the translator counts their
 * iterations in a host register, which the call leaves clean and the
 * branch back makes newer than cpu->insn_count again.  The retired
 * count is compared after every case. */
START_TEST(count_across_event_checks)
{
	if (!have_translator("count_across_event_checks"))
		return;
	static const uint32_t bodies[] = {
		0xd53bd045, /* mrs x5, tpidr_el0: a handler */
		0x4ee18400, /* add v0.2d, v0.2d, v1.2d: SIMD */
		0x8b020129, /* add x9, x9, x2: inline, no call */
		/* in X9's pinned register: the addend or factor is X9 too */
		0x9b022529, /* madd x9, x9, x2, x9 */
		0x1b020d29, /* madd w9, w9, w2, w3 */
		0x9b090d29, /* madd x9, x9, x9, x3 */
	};
	static const unsigned iters[] = { 1, 1000, 1024, 1025, 3000, 5000 };
	const unsigned nb = sizeof(bodies) / sizeof(bodies[0]), ni = sizeof(iters) / sizeof(iters[0]);
	struct jcase *cases = new_cases(nb * ni);
	for (unsigned b = 0; b < nb; b++)
		for (unsigned i = 0; i < ni; i++) {
			struct jcase *c = &cases[b * ni + i];
			memcpy(c->words, (uint32_t[]){ bodies[b], 0x9100054a, 0xf100077b, 0x54ffffa1, 0x9100056b },
			       5 * sizeof(uint32_t)); /* body; add x10, #1; subs x27, #1; b.ne start; add x11, #1 */
			c->n = 5;
			c->x[2] = 3;
			c->x[3] = 0x9e3779b97f4a7c15ull;
			c->x[9] = 5;
			c->x[LOOP_REG] = iters[i];
			c->sp = PTR;
		}
	compare_cases(cases, nb * ni, NULL);
	free(cases);
}
END_TEST

/* An operation whose second operand needs a cache entry when all seven
 * are taken, the victim being its first operand's (named again last:
 * never): what it reads from the first must not be the second. */
#define CMP_X2_X1 0xeb01005fu
#define TST_X2_X1 0xea01005fu

START_TEST(operands_with_the_cache_full)
{
	if (!have_translator("operands_with_the_cache_full"))
		return;
	static const uint32_t ops[] = {
		0xf862682au, /* ldr x10, [x1, x2] */
		0xf862582au, /* ldr x10, [x1, w2, uxtw #3] */
		0xf862c82au, /* ldr x10, [x1, w2, sxtw] */
		0xf822782au, /* str x10, [x1, x2, lsl #3] */
		0x3862682au, /* ldrb w10, [x1, x2] */
		0x78a2782au, /* ldrsh x10, [x1, x2, lsl #1] */
		0x8b02002au, /* add x10, x1, x2 */
		0x9a82002au, /* csel x10, x1, x2, eq */
		0x9b020c2au, /* madd x10, x1, x2, x3 */
		0x9a02002au, /* adc x10, x1, x2 */
		0xaa0103eau, /* mov x10, x1 */
		0x9100402au, /* add x10, x1, #16 */
		0xf9000422u, /* str x2, [x1, #8]: the value must not evict the base */
		0x39000022u, /* strb w2, [x1] */
		0xcb010041u, /* sub x1, x2, x1: neg and add in x1's register */
		0x4b010041u, /* sub w1, w2, w1 */
		CMP_X2_X1,   /* Rn's read must not evict Rm's (then a CSET reads */
		TST_X2_X1,   /* the x86 flags: the exit would compute them again) */
	};
	/* x1, x2: the pair before last puts 2 * x2 (the wrong address of the
	 * first load) on the page of x1 + x2, which the TLB holds (else the
	 * slow path would redo the access right); the last one x2 + 8 (a
	 * store's, through x2) on x1's */
	static const uint64_t pairs[][2] = {
		{ PTR, 0 }, { PTR, 8 }, { PTR, 16 }, { PTR, 0xfffffff8ull }, { PTR, ~7ull }, { PTR / 2 + 8, PTR / 2 },
		{ PTR, PTR + 16 },
	};
	const unsigned no = sizeof(ops) / sizeof(ops[0]), ni = sizeof(pairs) / sizeof(pairs[0]);
	struct jcase *cases = new_cases(no * ni);
	for (unsigned o = 0; o < no; o++)
		for (unsigned i = 0; i < ni; i++) {
			struct jcase *c = &cases[o * ni + i];
			unsigned w = 0;
			c->words[w++] = 0xf9400169u; /* ldr x9, [x11]: the TLB holds the page */
			c->words[w++] = 0x91000021u; /* add x1, x1, #0: cached, dirty */
			/* add xr, xr, #32: the other six (an immediate whose bits
			 * name no register of the case: the cache's choices go by
			 * the register fields of the words) */
			for (unsigned r = 3; r <= 8; r++)
				c->words[w++] = 0x91008000u | r << 5 | r;
			c->words[w++] = ops[o];
			if (ops[o] == CMP_X2_X1 || ops[o] == TST_X2_X1)
				c->words[w++] = 0x9a9f17eau; /* cset x10, eq */
			for (unsigned r = 3; r <= 8; r++) /* named again: x1 is not */
				c->words[w++] = 0x91008000u | r << 5 | r;
			c->words[w++] = 0x91008042u; /* add x2, x2, #32: worth an entry */
			c->n = w;
			c->x[1] = pairs[i][0];
			c->x[2] = pairs[i][1];
			c->x[10] = 0x5a5a;
			c->x[11] = PTR;
			c->sp = PTR;
			c->nzcv = (uint32_t)(i & 3) << 29;
		}
	compare_cases(cases, no * ni, NULL);
	free(cases);
}
END_TEST

/* ---- a fault at every position ------------------------------------------ */

/* Instruction i of a long block that does not fault: changes a register
 * (some with flags), stores, loads, pairs - the forms the translator
 * emits inline. */
static uint32_t filler(unsigned i)
{
	unsigned r = 4 + i % 20;
	switch (i % 8) {
	case 0: return 0x91000000u | (i + 1) << 10 | r << 5 | r;            /* add xr, xr, #(i+1) */
	case 1: return 0xb1000000u | (i + 1) << 10 | r << 5 | r;            /* adds xr, xr, #(i+1) */
	case 2: return 0xf9000000u | (i & 7) << 10 | 0u << 5 | r;           /* str xr, [x0, #8*(i&7)] */
	case 3: return 0xf9400000u | ((i + 1) & 7) << 10 | 1u << 5 | r;     /* ldr xr, [x1, #...] */
	case 4: return 0xeb000000u | (r + 1) << 16 | r << 5 | 31;           /* cmp xr, x(r+1) */
	case 5: return 0x9a800000u | (r + 2) << 16 | (i & 15) << 12 | r << 5 | r; /* csel */
	case 6: return 0xa9000000u | (r + 1) << 10 | 2u << 5 | r;           /* stp xr, x(r+1), [x2] */
	default: return 0xca000000u | (r + 3) << 16 | r << 5 | r;           /* eor */
	}
}

/* The faulting instruction of kind k. */
static uint32_t faulting(unsigned k)
{
	switch (k) {
	case 0: return 0xf9400000u | 28u << 5 | 5;   /* ldr x5, [x28]: unmapped (stage-2 exit) */
	case 1: return 0xf9000000u | 28u << 5 | 6;   /* str x6, [x28]: unmapped */
	case 2: return 0xf9400000u | 29u << 5 | 7;   /* ldr x7, [x29]: misaligned Device (EL1 abort) */
	case 3: return 0x00000000u;                  /* udf #0 */
	default: return 0xa9400000u | 30u << 5 | 8 | 9u << 10; /* ldp x8, x9, [x30]: 2nd half unmapped */
	}
}

START_TEST(fault_every_position)
{
	if (!have_translator("fault_every_position"))
		return;
	const unsigned len = 40, kinds = 5;
	unsigned n = len * kinds;
	struct jcase *cases = new_cases(n);
	for (unsigned k = 0; k < kinds; k++)
		for (unsigned p = 0; p < len; p++) {
			struct jcase *c = &cases[k * len + p];
			c->n = len;
			for (unsigned i = 0; i < len; i++)
				c->words[i] = i == p ? faulting(k) : filler(i);
			for (unsigned r = 0; r < 31; r++)
				c->x[r] = 0x1000 * r + 7;
			c->x[0] = PTR;
			c->x[1] = PTR + 64;
			c->x[2] = PTR + 128;
			c->x[28] = UNMAPPED;
			c->x[29] = PTR + 1;
			c->x[30] = RAM_IPA + RAM_SIZE - 8; /* x9's half is past the end of RAM */
			c->sp = PTR;
			c->nzcv = 0x60000000u;
		}
	struct vcpu_outcome *oi = outcomes(n), *oj = outcomes(n);
	struct worker wi = { .jit = false, .cases = cases, .ncases = n, .out = oi };
	struct worker wj = { .jit = true, .cases = cases, .ncases = n, .out = oj };
	run_worker(&wi);
	run_worker(&wj);
	for (unsigned i = 0; i < n; i++) {
		unsigned k = i / len, p = i % len;
		ck_assert_msg(same(&cases[i], i, &oi[i], &oj[i]), "kind %u position %u differs", k, p);
		/* And what the interpreter did is what the architecture says:
		 * the fault is at instruction p, p instructions retired. */
		uint64_t fault_pc = RAM_IPA + CODE_OFF + 4ull * p;
		ck_assert_uint_eq(oj[i].retired, p); /* (an HVC that exits does not retire) */
		if (k == 2 || k == 3) { /* guest exception: ELR_EL1, then the vector's HVC */
			ck_assert_uint_eq(oj[i].elr, fault_pc);
		} else {
			ck_assert_uint_eq(oj[i].reason, HV_EXIT_REASON_EXCEPTION);
			ck_assert_uint_eq(oj[i].pc, fault_pc);
			ck_assert_uint_eq(oj[i].syndrome >> 26, 0x24);
		}
	}
	free_outcomes(oi, n);
	free_outcomes(oj, n);
	free(cases);
}
END_TEST

/* ---- regions ---------------------------------------------------------------- */

/* A loop over three blocks: H counts X27 down and goes to M1 (even) or
 * M2 (odd), which branch back to it (B, CBNZ).  Translated at its third
 * entry (HV_EMU_JIT_HOT=2), H has run M1 and M2 by then: they join its
 * translation (a region).  One of them has a faulting instruction of
 * kind k (faulting()) at position p of its fillers, run only when X27
 * reaches 2 (M1) or 3 (M2), iterations after the region formed; the
 * other one, or both (kind 5), skip theirs.  State, memory and the count
 * at the fault (or at the end) must be the interpreter's. */
#define REGION_FILL 12
static void region_member(struct jcase *c, unsigned *w, unsigned p, unsigned k, unsigned when)
{
	for (unsigned i = 0; i <= REGION_FILL; i++) {
		if (i == p) {
			c->words[(*w)++] = 0xf100037fu | when << 10; /* cmp x27, #when */
			c->words[(*w)++] = 0x54000041u;              /* b.ne past the next */
			c->words[(*w)++] = k < 5 ? faulting(k) : 0xd503201fu; /* or nop */
		}
		if (i < REGION_FILL)
			c->words[(*w)++] = filler(i);
	}
}

START_TEST(regions_with_a_fault_at_every_position)
{
	if (!have_translator("regions_with_a_fault_at_every_position"))
		return;
	const unsigned positions = REGION_FILL + 1, kinds = 6;
	unsigned n = 2 * kinds * positions;
	struct jcase *cases = new_cases(n);
	for (unsigned where = 0; where < 2; where++)
		for (unsigned k = 0; k < kinds; k++)
			for (unsigned p = 0; p < positions; p++) {
				struct jcase *c = &cases[(where * kinds + k) * positions + p];
				unsigned w = 0, m1 = 5, m2 = m1 + REGION_FILL + 4;
				c->words[w++] = 0xf100077bu; /* H: subs x27, x27, #1 */
				unsigned end_branch = w++;   /* b.eq past the end (HVC #0) */
				c->words[w++] = 0x9100075au; /* add x26, x26, #1 */
				c->words[w] = 0x37000000u | ((m2 - w) & 0x3fff) << 5 | 27; /* tbnz x27, #0, M2 */
				w++;
				c->words[w] = 0x14000000u | (m1 - w); /* b M1 */
				w++;
				region_member(c, &w, p, where == 0 ? k : 5, 2); /* M1 */
				c->words[w] = 0x14000000u | ((0 - w) & 0x3ffffff); /* b H */
				w++;
				ck_assert_uint_eq(w, m2);
				region_member(c, &w, p, where == 1 ? k : 5, 3); /* M2 */
				c->words[w] = 0xb5000000u | ((0 - w) & 0x7ffff) << 5 | 26; /* cbnz x26, H */
				w++;
				c->words[end_branch] = 0x54000000u | ((w - end_branch) & 0x7ffff) << 5; /* b.eq */
				c->n = w;
				for (unsigned r = 0; r < 31; r++)
					c->x[r] = 0x1000 * r + 7;
				c->x[0] = PTR;
				c->x[1] = PTR + 64;
				c->x[2] = PTR + 128;
				c->x[26] = 0;
				c->x[27] = 9;
				c->x[28] = UNMAPPED;
				c->x[29] = PTR + 1;
				c->x[30] = RAM_IPA + RAM_SIZE - 8;
				c->sp = PTR;
			}
	struct vcpu_outcome *oj;
	struct emu_probe probe;
	unsigned bad = run_both(cases, n, "2", &oj, &probe);
	ck_assert_msg(bad == n, "in M%u, kind %u, position %u", bad / (kinds * positions) + 1, bad / positions % kinds,
		      bad % positions);
	/* without a fault the loop ran to its end */
	ck_assert_uint_eq(oj[kinds * positions - 1].x[26], 8);
	ck_assert_msg(probe.members >= n, "%llu blocks translated into regions for %u cases",
		      (unsigned long long)probe.members, n);
	free_outcomes(oj, n);
	free(cases);
}
END_TEST

/* H of the region tests below: subs x27, x27, #1; b.eq past the end
 * (*end: patched by region_end); add x26, x26, #1; tbnz x27, #0, M2
 * (*to_m2: patched by region_m2 where M2 starts); b M1 (next). */
static void region_head(struct jcase *c, unsigned *w, unsigned *end, unsigned *to_m2)
{
	c->words[(*w)++] = 0xf100077bu;
	*end = (*w)++;
	c->words[(*w)++] = 0x9100075au;
	*to_m2 = (*w)++;
	c->words[(*w)++] = 0x14000001u;
}

static void region_m2(struct jcase *c, unsigned w, unsigned to_m2)
{
	c->words[to_m2] = 0x37000000u | ((w - to_m2) & 0x3fff) << 5 | 27;
}

static void region_end(struct jcase *c, unsigned w, unsigned end)
{
	c->words[end] = 0x54000000u | ((w - end) & 0x7ffff) << 5; /* b.eq */
	c->n = w;
}

/* H (SUBS X27 and a TBNZ or B to M1 or M2, each leaving its flags
 * pending) and members that load first, from below RAM once X27 < K
 * (stage-2 fault), and set flags after: the NZCV of the fault is the
 * SUBS's (nothing stores it on the way in), whatever the guest started
 * with. */
START_TEST(regions_flags_into_members)
{
	if (!have_translator("regions_flags_into_members"))
		return;
	static const uint32_t nzcvs[] = { 0x00000000u, 0x60000000u, 0x90000000u, 0xf0000000u };
	const unsigned nk = 8, nn = sizeof(nzcvs) / sizeof(nzcvs[0]);
	unsigned n = nk * nn;
	struct jcase *cases = new_cases(n);
	for (unsigned k = 0; k < nk; k++)
		for (unsigned v = 0; v < nn; v++) {
			struct jcase *c = &cases[k * nn + v];
			unsigned w = 0, end, to_m2;
			region_head(c, &w, &end, &to_m2);
			c->words[w++] = 0xf87b7825u; /* M1: ldr x5, [x1, x27, lsl #3] */
			c->words[w++] = 0xeb0600bfu; /* cmp x5, x6 */
			c->words[w] = 0x14000000u | ((0 - w) & 0x3ffffff); /* b H */
			w++;
			region_m2(c, w, to_m2);
			c->words[w++] = 0xf87b7824u; /* M2: ldr x4, [x1, x27, lsl #3] */
			c->words[w++] = 0xb1000529u; /* adds x9, x9, #1 */
			c->words[w] = 0xb5000000u | ((0 - w) & 0x7ffff) << 5 | 26; /* cbnz x26, H */
			w++;
			region_end(c, w, end);
			c->x[27] = 12;
			c->x[1] = RAM_IPA - 8 * (k + 2); /* X27 = k + 2 is the last in RAM */
			c->x[26] = 0;
			c->sp = PTR;
			c->nzcv = nzcvs[v];
		}
	struct vcpu_outcome *oj;
	struct emu_probe probe;
	unsigned bad = run_both(cases, n, "2", &oj, &probe);
	ck_assert_msg(bad == n, "fault below X27 = %u", bad / nn + 2);
	for (unsigned i = 0; i < n; i++) {
		ck_assert_uint_eq(oj[i].reason, HV_EXIT_REASON_EXCEPTION); /* the fault */
		ck_assert_uint_eq(oj[i].cpsr >> 28, 0x2);                  /* SUBS of a positive X27: C */
	}
	ck_assert_msg(probe.members >= 1, "no region formed");
	free_outcomes(oj, n);
	free(cases);
}
END_TEST

/* The loop of regions_with_a_fault_at_every_position with a TLBI (which
 * moves the icache's epoch and drops the TLB) in M1, M2 or both, before
 * or after an instruction: the region's next start finds a member not
 * checked at the new epoch (nor checkable: its page is not in the TLB),
 * so H runs interpreted once; the branches in the region (TBNZ's, with
 * B after it taken back from the count) run across such rounds. */
START_TEST(regions_across_epoch_moves)
{
	if (!have_translator("regions_across_epoch_moves"))
		return;
	static const uint64_t counts[] = { 4, 5, 9, 40, 41 };
	const unsigned nc = sizeof(counts) / sizeof(counts[0]), shapes = 4 * 2;
	unsigned n = nc * shapes;
	struct jcase *cases = new_cases(n);
	for (unsigned sh = 0; sh < shapes; sh++)
		for (unsigned i = 0; i < nc; i++) {
			struct jcase *c = &cases[sh * nc + i];
			unsigned which = sh % 4, late = sh / 4, w = 0, end, to_m2;
			region_head(c, &w, &end, &to_m2);
			/* M1 */
			if ((which & 1) && !late)
				c->words[w++] = 0xd508871fu; /* tlbi vmalle1 */
			c->words[w++] = 0x91000529u;         /* add x9, x9, #1 */
			if ((which & 1) && late)
				c->words[w++] = 0xd508871fu;
			c->words[w++] = 0xeb0600bfu; /* cmp x5, x6 */
			c->words[w] = 0x54000001u | ((0 - w) & 0x7ffff) << 5; /* b.ne H */
			w++;
			c->words[w++] = HVC(3);
			region_m2(c, w, to_m2);
			/* M2 */
			if ((which & 2) && !late)
				c->words[w++] = 0xd508871fu;
			c->words[w++] = 0x9100056bu; /* add x11, x11, #1 */
			if ((which & 2) && late)
				c->words[w++] = 0xd508871fu;
			c->words[w++] = 0xea0800ffu; /* tst x7, x8 */
			c->words[w] = 0x54000001u | ((0 - w) & 0x7ffff) << 5; /* b.ne H */
			w++;
			region_end(c, w, end);
			c->x[27] = counts[i];
			c->x[5] = 1;
			c->x[6] = 2;
			c->x[7] = c->x[8] = 1ull << 63;
			c->sp = PTR;
			c->nzcv = 0x60000000u;
		}
	struct vcpu_outcome *oj;
	struct emu_probe probe;
	unsigned bad = run_both(cases, n, "2", &oj, &probe);
	ck_assert_msg(bad == n, "shape %u, %llu iterations", bad / nc, (unsigned long long)counts[bad % nc]);
	ck_assert_uint_eq(oj[nc - 1].x[26], counts[nc - 1] - 1); /* ran to its end */
	ck_assert_msg(probe.members >= 1, "no region formed");
	free_outcomes(oj, n);
	free(cases);
}
END_TEST

/* A region that never ends (H: SUBS, to M1 or M2, each back to H by a
 * B.NE on a CMP or TST that leaves N alone set, as does the CMP before
 * H), stopped by hv_vcpus_exit
 * from another thread K times: it stops at an event check, the branch
 * back to H.  Neither the branches into the members nor those back store
 * their flags (each target sets all of them first thing), so the way
 * out must: at H, NZCV is the branch's, not what the guest started with
 * (Z and C).  The interpreter's answer is the same by construction. */
struct cancel_arg {
	hv_vcpu_t vcpu;
	unsigned delay_us;
};

static void *cancel_after(void *arg)
{
	struct cancel_arg *a = arg;
	usleep(a->delay_us);
	hv_vcpus_exit(&a->vcpu, 1);
	return NULL;
}

struct flags_worker {
	unsigned at_h, runs;
	bool failed, bad_flags;
	uint64_t cpsr;
	struct emu_probe probe;
};

static void *region_flags_main(void *arg)
{
	struct flags_worker *w = arg;
	static const uint32_t words[] = {
		0xeb0600bfu, /* cmp x5, x6: as at H from either member */
		0xf100077bu, /* H: subs x27, x27, #1 */
		0x54000140u, /* b.eq +10 (HVC #0) */
		0x9100075au, /* add x26, x26, #1 */
		0x370000bbu, /* tbnz x27, #0, M2 (+5) */
		0x14000001u, /* b M1 */
		0x91000529u, /* M1: add x9, x9, #1 */
		0xeb0600bfu, /* cmp x5, x6 (1 - 2: N) */
		0x54ffff21u, /* b.ne H */
		0x9100056bu, /* M2: add x11, x11, #1 */
		0xea0800ffu, /* tst x7, x8 (bit 63: N) */
		0x54fffec1u, /* b.ne H */
	};
	hv_vcpu_t vcpu;
	hv_vcpu_exit_t *ex;
	pthread_mutex_lock(&env_lock);
	setenv("HV_EMU_JIT", "1", 1);
	setenv("HV_EMU_JIT_HOT", "2", 1);
	unsetenv("HV_EMU_JIT_CACHE_MB");
	hv_return_t r = hv_vcpu_create(&vcpu, &ex, NULL);
	pthread_mutex_unlock(&env_lock);
	W_CHECK(w, r);
	memcpy(ram, pristine, RAM_SIZE);
	memcpy(ram + CODE_OFF, words, sizeof(words));
	/* (a cancel before the thread runs leaves the PC at the CMP) */
	const uint64_t h = RAM_IPA + CODE_OFF + 4;
	W_CHECK(w, hv_vcpu_set_sys_reg(vcpu, HV_SYS_REG_VBAR_EL1, RAM_IPA + VEC_OFF));
	W_CHECK(w, hv_vcpu_set_reg(vcpu, HV_REG_X27, 1ull << 40));
	W_CHECK(w, hv_vcpu_set_reg(vcpu, HV_REG_X5, 1));
	W_CHECK(w, hv_vcpu_set_reg(vcpu, HV_REG_X6, 2));
	W_CHECK(w, hv_vcpu_set_reg(vcpu, HV_REG_X7, 1ull << 63));
	W_CHECK(w, hv_vcpu_set_reg(vcpu, HV_REG_X8, 1ull << 63));
	W_CHECK(w, hv_vcpu_set_reg(vcpu, HV_REG_CPSR, 0x3c5ull | 0x60000000u));
	W_CHECK(w, hv_vcpu_set_reg(vcpu, HV_REG_PC, h - 4));
	for (unsigned k = 0; k < 20; k++) {
		struct cancel_arg a = { .vcpu = vcpu, .delay_us = 500 + 200 * k };
		pthread_t t;
		if (pthread_create(&t, NULL, cancel_after, &a) != 0) {
			w->failed = true;
			break;
		}
		r = hv_vcpu_run(vcpu);
		pthread_join(t, NULL);
		W_CHECK(w, r);
		if (ex->reason != HV_EXIT_REASON_CANCELED) {
			w->failed = true;
			break;
		}
		uint64_t pc, cpsr;
		W_CHECK(w, hv_vcpu_get_reg(vcpu, HV_REG_PC, &pc));
		W_CHECK(w, hv_vcpu_get_reg(vcpu, HV_REG_CPSR, &cpsr));
		w->runs++;
		if (pc == h) {
			w->at_h++;
			if ((cpsr >> 28) != 0x8) {
				w->bad_flags = true;
				w->cpsr = cpsr;
			}
		}
	}
	W_CHECK(w, emu_probe_vcpu(vcpu, &w->probe));
	hv_vcpu_destroy(vcpu);
	return NULL;
}

START_TEST(region_flags_at_a_cancel)
{
	if (!have_translator("region_flags_at_a_cancel"))
		return;
	struct flags_worker w = { 0 };
	pthread_t t;
	ck_assert_int_eq(pthread_create(&t, NULL, region_flags_main, &w), 0);
	pthread_join(t, NULL);
	ck_assert_msg(!w.failed, "worker failed after %u runs", w.runs);
	ck_assert_msg(!w.bad_flags, "NZCV at H: cpsr %#llx", (unsigned long long)w.cpsr);
	ck_assert_msg(w.at_h >= 1, "none of %u exits at H", w.runs);
	ck_assert_msg(w.probe.members >= 1, "no region formed");
}
END_TEST

/* ---- when blocks are translated ------------------------------------------- */

/* Two blocks that branch to each other 1000 times, fewer instructions
 * than one event interval: with a block translated after its 4th run,
 * the loop gets translated although the second block is never entered
 * from outside it (the interpreter must not keep chaining them itself):
 * as one region, or as two translations. */
START_TEST(interpreted_loop_gets_translated)
{
	if (!have_translator("interpreted_loop_gets_translated"))
		return;
	struct jcase c = { .n = 6,
			   .words = {
				   0x91000400u, /* add x0, x0, #1 */
				   0x14000002u, /* b 3f */
				   HVC(1),
				   0xf10fa01fu, /* 3: cmp x0, #1000 */
				   0x54ffff81u, /* b.ne 0b */
				   HVC(0),
			   } };
	struct vcpu_outcome *o = outcomes(1);
	struct worker w = { .jit = true, .cases = &c, .ncases = 1, .out = o, .hot = "4" };
	run_worker(&w);
	ck_assert_uint_eq(o[0].x[0], 1000);
	free_outcomes(o, 1);
	ck_assert_msg(w.probe.blocks >= 1, "%llu blocks translated", (unsigned long long)w.probe.blocks);
}
END_TEST

/* ---- loads through a predicted addend --------------------------------------- */

/* A pointer chase (x0 = [x0]) whose nodes alternate between two
 * mappings of different host buffers: the addend the site saw last is
 * wrong every other time (jit_translate.c predict_addend); with loads
 * of the node beside it (immediate offset, a Q register, an index
 * register), a few lengths, and a faulting load at the end. */
START_TEST(pointer_chase_across_mappings)
{
	if (!have_translator("pointer_chase_across_mappings"))
		return;
	const unsigned n = 8;
	struct jcase *cases = new_cases(n);
	for (unsigned i = 0; i < n; i++) {
		struct jcase *c = &cases[i];
		unsigned w = 0;
		c->words[w++] = 0xd2800009u | (1 + 7 * i) << 5; /* mov x9, #len */
		c->words[w++] = 0xf9400000u;                    /* 1: ldr x0, [x0] */
		c->words[w++] = 0xf9400401u;                    /* ldr x1, [x0, #8] */
		c->words[w++] = 0x3dc00401u;                    /* ldr q1, [x0, #16] */
		c->words[w++] = 0xb8676805u;                    /* ldr w5, [x0, x7] */
		c->words[w++] = 0x8b010042u;                    /* add x2, x2, x1 */
		c->words[w++] = 0x8b0500c6u;                    /* add x6, x6, x5 */
		c->words[w++] = 0xf1000529u;                    /* subs x9, x9, #1 */
		c->words[w++] = 0x54ffff21u;                    /* b.ne 1b */
		if (i == n - 1)
			c->words[w++] = 0xf9400000u | 3u << 5;  /* ldr x0, [x3]: unmapped */
		c->words[w++] = HVC(0);
		c->n = w;
		c->x[0] = RAM_IPA + CHAIN_OFF + 64 * (i % CHAIN_NODES);
		c->x[3] = UNMAPPED;
		c->x[7] = 24;
	}
	struct emu_probe p = compare_cases(cases, n, NULL);
	/* the chase's four loads, in each of the n loops */
	ck_assert_msg(p.predicted >= 4 * n, "%llu accesses through a predicted addend",
		      (unsigned long long)p.predicted);
	free(cases);
}
END_TEST

/* ---- FP arithmetic ---------------------------------------------------------- */

/* Encodings of the FP forms the translator has inline code for (and a
 * few it leaves to the handler): q = 128-bit vector, d = double. */
static uint32_t fp_vector(unsigned kind, bool q, bool d, unsigned rd, unsigned rn, unsigned rm)
{
	static const uint32_t base[6] = {
		0x0e20d400u, 0x0ea0d400u, 0x2e20dc00u, 0x2e20fc00u, /* fadd fsub fmul fdiv */
		0x0e20cc00u, 0x0ea0cc00u,                           /* fmla fmls */
	};
	return base[kind] | (uint32_t)q << 30 | (uint32_t)d << 22 | rm << 16 | rn << 5 | rd;
}
static uint32_t fp_element(unsigned kind, bool q, bool d, unsigned rd, unsigned rn, unsigned rm, unsigned idx)
{
	static const uint32_t base[3] = { 0x0f801000u, 0x0f805000u, 0x0f809000u }; /* fmla fmls fmul */
	uint32_t hl = d ? (idx & 1) << 11 : (idx >> 1 & 1) << 11 | (idx & 1) << 21;
	return base[kind] | (uint32_t)q << 30 | (uint32_t)d << 22 | hl | (rm & 31) << 16 | rn << 5 | rd;
}
static uint32_t fp_scalar(unsigned opc, bool d, unsigned rd, unsigned rn, unsigned rm) /* fmul fdiv fadd fsub */
{
	return 0x1e200800u | (uint32_t)d << 22 | rm << 16 | opc << 12 | rn << 5 | rd;
}
static uint32_t fp_madd(unsigned o1o0, bool d, unsigned rd, unsigned rn, unsigned rm, unsigned ra)
{
	return 0x1f000000u | (uint32_t)d << 22 | (o1o0 >> 1) << 21 | rm << 16 | (o1o0 & 1) << 15 | ra << 10 |
	       rn << 5 | rd;
}
#define MRS_FPSR(t) (0xd53b4420u | (t))
#define MSR_FPSR_XZR 0xd51b443fu

/* Lanes around every edge the inline code checks or the host gets
 * differently from Arm: zeros, denormals, the normal minimum and its
 * neighbours, values whose products or differences land there (the
 * largest denormal-ish 0x00ffffff * 0.5 is tiny before rounding and the
 * minimum after), the largest finite, infinities, quiet and signalling
 * NaNs. */
static const uint32_t fp_singles[] = {
	0x00000000u, 0x80000000u, 0x00000001u, 0x807fffffu, 0x00400000u, 0x00800000u, 0x80800001u,
	0x00ffffffu, 0x01000000u, 0x3f800000u, 0xbf800000u, 0x3f800001u, 0x40000000u, 0x3fc00000u,
	0x7f7fffffu, 0xff7fffffu, 0x7f800000u, 0xff800000u, 0x7fc00000u, 0x7f800001u, 0xffc00001u,
	0x20000000u, 0x1f800000u, 0x1fffffffu, 0x5f800000u, 0x3eaaaaabu, 0x3f000000u, 0x3f7fffffu,
};
static const uint64_t fp_doubles[] = {
	0, 1ull << 63, 1, 0x800fffffffffffffull, 0x0010000000000000ull, 0x8010000000000001ull,
	0x001fffffffffffffull, 0x3ff0000000000000ull, 0xbff0000000000000ull, 0x3ff0000000000001ull,
	0x4000000000000000ull, 0x7fefffffffffffffull, 0x7ff0000000000000ull, 0xfff0000000000000ull,
	0x7ff8000000000000ull, 0x7ff0000000000001ull, 0x2000000000000000ull, 0x1ff0000000000000ull,
	0x5ff0000000000000ull, 0x3fd5555555555555ull, 0x3fe0000000000000ull, 0x3fefffffffffffffull,
};

static uint64_t fp_lanes(bool d)
{
	if (d)
		return rnd() % 3 == 0 ? (rnd() & 0x800fffffffffffffull) | (0x3c0ull + rnd() % 128) << 52
				      : fp_doubles[rnd_below(sizeof(fp_doubles) / sizeof(fp_doubles[0]))];
	uint64_t v = 0;
	for (unsigned k = 0; k < 2; k++) {
		uint32_t e = rnd() % 3 == 0 ? ((uint32_t)rnd() & 0x807fffffu) | (100u + rnd_below(56)) << 23
					    : fp_singles[rnd_below(sizeof(fp_singles) / sizeof(fp_singles[0]))];
		v |= (uint64_t)e << (32 * k);
	}
	return v;
}

/* A SIMD&FP register load or store at X0 (immediate offset, post- or
 * pre-index by up to 64 bytes either way, or indexed by X1) or a pair. */
static uint32_t random_fp_ldst(void)
{
	static const uint32_t single[5] = { 0x3c000000u, 0x7c000000u, 0xbc000000u, 0xfc000000u, 0x3c800000u };
	static const uint32_t pair_mode[3] = { 0x01000000u, 0x00800000u, 0x01800000u }; /* offset post pre */
	unsigned rt = rnd_below(8), rt2 = (rt + 1 + rnd_below(7)) % 8;
	uint32_t load = rnd() & 1 ? 0x400000u : 0;
	uint32_t base = single[rnd_below(5)] | load;
	switch (rnd_below(4)) {
	case 0: return base | 0x01000000u | (uint32_t)rnd_below(64) << 10 | rt; /* [x0, #imm] */
	case 1: return base | (rnd() & 1 ? 0x400u : 0xc00u) | ((uint32_t)(rnd_below(9) * 16 - 64) & 0x1ff) << 12 | rt;
	case 2: return base | 0x00206800u | 1u << 16 | (uint32_t)(rnd() & 1) << 12 | rt; /* [x0, x1{, lsl #n}] */
	default:
		return 0x2c000000u | (uint32_t)rnd_below(3) << 30 | pair_mode[rnd_below(3)] | load |
		       ((uint32_t)(rnd_below(16) - 8) & 0x7f) << 15 | rt2 << 10 | rt;
	}
}

/* An Advanced SIMD three-same integer operation: the ones translated
 * inline (ADD, SUB, logic, compares, max/min) in every size and width,
 * including the reserved and the untranslated combinations, and a few
 * neighbours (SQADD, CMTST, BSL). */
static uint32_t random_simd_int(void)
{
	static const uint8_t uop[] = { /* U:opcode */
		0x10, 0x30, 0x03, 0x23, 0x31, 0x06, 0x26, 0x07, 0x27, 0x0c, 0x2c, 0x0d, 0x2d, 0x01, 0x11,
	};
	unsigned k = uop[rnd_below(sizeof(uop))];
	return 0x0e200400u | (uint32_t)(rnd() & 1) << 30 | (uint32_t)(k >> 5) << 29 | (uint32_t)rnd_below(4) << 22 |
	       (uint32_t)rnd_below(8) << 16 | (uint32_t)(k & 31) << 11 | (uint32_t)rnd_below(8) << 5 | rnd_below(8);
}

/* An Advanced SIMD shift by immediate: SSHR/USHR, SHL, SSHLL/USHLL{2}
 * (translated inline but for byte lanes and 64-bit SSHR), SSRA and SRI
 * (calls), every immh:immb (reserved ones too). */
static uint32_t random_simd_shift(void)
{
	static const uint8_t uop[] = { 0x00, 0x20, 0x0a, 0x14, 0x34, 0x02, 0x28 }; /* U:opcode */
	unsigned k = uop[rnd_below(sizeof(uop))];
	return 0x0f000400u | (uint32_t)(rnd() & 1) << 30 | (uint32_t)(k >> 5) << 29 | (uint32_t)(1 + rnd_below(15)) << 19 |
	       (uint32_t)rnd_below(8) << 16 | (uint32_t)(k & 31) << 11 | (uint32_t)rnd_below(8) << 5 | rnd_below(8);
}

/* An Advanced SIMD three different operation: the widening add,
 * subtract, multiply and multiply-accumulate forms (inline) and the
 * others of the class (ADDHN, ABAL, SQDMLAL, PMULL...), every size. */
static uint32_t random_simd_diff(void)
{
	return 0x0e200000u | (uint32_t)(rnd() & 1) << 30 | (uint32_t)(rnd() & 1) << 29 | (uint32_t)rnd_below(4) << 22 |
	       (uint32_t)rnd_below(8) << 16 | (uint32_t)(rnd_below(3) ? (rnd() & 1) * 8 + rnd_below(5) : rnd_below(16)) << 12 |
	       (uint32_t)rnd_below(8) << 5 | rnd_below(8);
}

static uint32_t random_fp_op(void)
{
	unsigned rd = rnd_below(8), rn = rnd_below(8), rm = rnd_below(8), ra = rnd_below(8);
	bool d = rnd() & 1, q = d || (rnd() & 1);
	switch (rnd_below(10)) {
	case 9: return random_simd_diff();
	case 8: return random_simd_shift();
	case 7: return random_simd_int();
	case 5: case 6: return random_fp_ldst();
	case 0: case 1: return fp_vector(rnd_below(6), q, d, rd, rn, rm);
	case 2: return fp_element(rnd_below(3), d ? true : q, d, rd, rn, rm, rnd_below(d ? 2 : 4));
	case 3: return fp_scalar(rnd_below(4), d, rd, rn, rm);
	default: return fp_madd(rnd_below(4), d, rd, rn, rm, ra);
	}
}

/* Random FP operations on random edge lanes, under each rounding mode,
 * flush to zero and default NaN, some in a loop that feeds results back
 * as operands, with FPSR read (MRS) and cleared (MSR), SIMD&FP
 * registers loaded and stored and SIMD integer operations in between, a
 * few with SIMD&FP disabled (the first access traps):
 * registers, FPSR and FPCR must be the interpreter's (which takes the
 * handlers' fast path or the generic one); and the inline code runs. */
START_TEST(fp_arithmetic)
{
	if (!have_translator("fp_arithmetic"))
		return;
	static const uint32_t fpcrs[] = { 0, 0, 0, 0, 1u << 24, 3u << 22, 1u << 22, 2u << 22, 1u << 25, 3u << 24 };
	const unsigned n = 3000;
	struct jcase *cases = new_cases(n);
	for (unsigned i = 0; i < n; i++) {
		struct jcase *c = &cases[i];
		c->fpcr = fpcrs[rnd_below(sizeof(fpcrs) / sizeof(fpcrs[0]))];
		c->fp_off = rnd_below(16) == 0;
		c->x[0] = PTR;
		c->x[1] = rnd_below(16);
		for (unsigned k = 0; k < 8; k++) {
			bool d = rnd() & 1;
			c->v[k][0] = fp_lanes(d);
			c->v[k][1] = fp_lanes(d);
		}
		unsigned reps = rnd() & 1 ? 1 : 1 + rnd_below(5), ops = 1 + rnd_below(16), w = 0;
		c->words[w++] = 0xd2800009u | reps << 5; /* mov x9, #reps */
		for (unsigned k = 0; k < ops; k++) {
			unsigned r = rnd_below(16);
			c->words[w++] = r == 0 ? MRS_FPSR(2 + k % 6) : r == 1 ? MSR_FPSR_XZR : random_fp_op();
		}
		c->words[w++] = 0xf1000529u; /* subs x9, x9, #1 */
		c->words[w] = 0x54000001u | ((uint32_t)-(int32_t)(w - 1) & 0x7ffff) << 5; /* b.ne 1st op */
		w++;
		c->words[w++] = HVC(0);
		c->n = w;
	}
	struct emu_probe p = compare_cases(cases, n, NULL);
#if defined(__x86_64__)
	if (__builtin_cpu_supports("avx") && __builtin_cpu_supports("fma")) {
		ck_assert_msg(p.fp_inline >= n, "only %llu FP operations inline", (unsigned long long)p.fp_inline);
		ck_assert_msg(p.simd_inline >= n / 8, "only %llu SIMD operations inline",
			      (unsigned long long)p.simd_inline);
	}
#endif
	free(cases);
}
END_TEST

/* The host thread's FP environment (HOSTILE_MXCSR: round towards zero,
 * flush, denormals are zero, every sticky flag) neither leaks into the
 * guest's results and FPSR nor changes (worker_main), and FPSR flags
 * left by inline code reach MRS, are cleared by MSR and are there after
 * the exit; interpreted and translated. */
START_TEST(fp_host_environment)
{
	if (!have_translator("fp_host_environment"))
		return;
	struct jcase c = { .n = 12,
			   .words = {
				   fp_scalar(2, false, 0, 1, 2),         /* fadd s0, s1, s2: 3.0 */
				   fp_scalar(2, false, 3, 4, 4),         /* fadd s3, s4, s4: denormal, exact */
				   fp_vector(0, true, false, 5, 1, 2),   /* fadd v5.4s, v1.4s, v2.4s */
				   MRS_FPSR(0),
				   fp_scalar(1, false, 6, 1, 7),         /* fdiv s6, s1, s7: 1/3, inexact */
				   MRS_FPSR(1),
				   fp_vector(3, true, false, 9, 1, 7),   /* fdiv v9.4s, v1.4s, v7.4s: inexact */
				   MSR_FPSR_XZR,
				   fp_vector(2, true, false, 8, 1, 2),   /* fmul v8.4s, v1.4s, v2.4s */
				   MRS_FPSR(2),
				   fp_madd(0, true, 10, 11, 11, 11),     /* fmadd d10, d11, d11, d11: inexact */
				   HVC(0),
			   } };
	for (unsigned k = 0; k < 2; k++) {
		c.v[1][k] = 0x3f8000003f800000ull; /* 1.0 */
		c.v[2][k] = 0x4000000040000000ull; /* 2.0 */
		c.v[7][k] = 0x4040000040400000ull; /* 3.0 */
	}
	c.v[4][0] = 1;                       /* the least denormal */
	c.v[11][0] = 0x0010000000000000ull;  /* the normal minimum */
	for (int jit = 0; jit < 2; jit++) {
		struct vcpu_outcome *o = outcomes(1);
		struct worker w = { .jit = jit, .cases = &c, .ncases = 1, .out = o };
		run_worker(&w);
		ck_assert_uint_eq(o->reason, HV_EXIT_REASON_EXCEPTION);
		ck_assert_uint_eq(o->x[0], 0);
		ck_assert_uint_eq(o->x[1], 0x10); /* IXC */
		ck_assert_uint_eq(o->x[2], 0);
		ck_assert_uint_eq(o->fpsr, 0x10);
		ck_assert_uint_eq(o->v[0][0], 0x40400000u);
		ck_assert_uint_eq(o->v[3][0], 2);
		ck_assert_uint_eq(o->v[6][0], 0x3eaaaaabu);
		for (unsigned k = 0; k < 2; k++) {
			ck_assert_uint_eq(o->v[5][k], 0x4040000040400000ull);
			ck_assert_uint_eq(o->v[8][k], 0x4000000040000000ull);
			ck_assert_uint_eq(o->v[9][k], 0x3eaaaaab3eaaaaabull);
		}
		ck_assert_uint_eq(o->v[0][1] | o->v[3][1] | o->v[6][1], 0);
		/* 2^-1022 * 2^-1022 + 2^-1022 rounds to the addend, inexact,
		 * not tiny */
		ck_assert_uint_eq(o->v[10][0], 0x0010000000000000ull);
		free_outcomes(o, 1);
	}
}
END_TEST

/* ---- resources ------------------------------------------------------------ */

/* HV_EMU_JIT_PERFMAP=1 and HV_EMU_JIT_DUMP=DIR: every translation has
 * its line in /tmp/perf-<pid>.map ("start size guest_<pc>") and its
 * code, of that size, in DIR/<start>.bin; the loop's is among them.
 * Per process, decided at its first translation: in a child of Check's
 * (CK_FORK=no leaves the earlier tests' choice). */
START_TEST(perf_map_and_code_dump)
{
	const char *fork_mode = getenv("CK_FORK");
	if (fork_mode && strcmp(fork_mode, "no") == 0) {
		hv_test_note("perf_map_and_code_dump", "CK_FORK=no: the map may be decided by an earlier test");
		return;
	}
	char dir[] = "/tmp/hvdbg-jit-dump-XXXXXX", map[64], path[128];
	ck_assert(mkdtemp(dir) != NULL);
	snprintf(map, sizeof(map), "/tmp/perf-%ld.map", (long)getpid());
	unlink(map);
	setenv("HV_EMU_JIT_PERFMAP", "1", 1);
	setenv("HV_EMU_JIT_DUMP", dir, 1);
	if (have_translator("perf_map_and_code_dump")) {
		struct jcase *cases = new_cases(1);
		unsigned w = 0;
		cases[0].words[w++] = 0xd2800c89u; /* mov x9, #100 */
		cases[0].words[w++] = 0xf1000529u; /* 1: subs x9, x9, #1 */
		cases[0].words[w++] = 0x54ffffe1u; /* b.ne 1b */
		cases[0].words[w++] = HVC(0);
		cases[0].n = w;
		compare_cases(cases, 1, NULL);
		free(cases);
		FILE *f = fopen(map, "r");
		ck_assert_msg(f != NULL, "no %s", map);
		unsigned long start, size, lines = 0;
		char name[64], loop[64];
		bool loop_seen = false;
		snprintf(loop, sizeof(loop), "guest_%llx", (unsigned long long)(RAM_IPA + CODE_OFF + 4));
		while (fscanf(f, "%lx %lx %63s", &start, &size, name) == 3) {
			struct stat st;
			snprintf(path, sizeof(path), "%s/%lx.bin", dir, start);
			ck_assert_msg(stat(path, &st) == 0 && (unsigned long)st.st_size == size,
				      "%s: not the %lu bytes of %s", path, size, name);
			loop_seen |= strcmp(name, loop) == 0;
			lines++;
		}
		fclose(f);
		ck_assert_msg(lines >= 2 && loop_seen, "%lu translations in the map, %s %s", lines, loop,
			      loop_seen ? "among them" : "not among them");
	}
	unsetenv("HV_EMU_JIT_PERFMAP");
	unsetenv("HV_EMU_JIT_DUMP");
	unlink(map);
	char cmd[160];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	ck_assert_int_eq(system(cmd), 0);
}
END_TEST

/* Many distinct blocks (constants and stores) through a 1 MiB code
 * cache: it fills, is flushed and refilled; results stay the
 * interpreter's. */
START_TEST(cache_flush)
{
	if (!have_translator("cache_flush"))
		return;
	const unsigned n = 800;
	struct jcase *cases = new_cases(n);
	for (unsigned i = 0; i < n; i++) {
		struct jcase *c = &cases[i];
		c->n = MAX_WORDS;
		for (unsigned j = 0; j < MAX_WORDS; j++) /* movz x(4 + j % 20), #...; str it */
			c->words[j] = j & 1 ? 0xf9000000u | (j % 8) << 10 | (4 + (j - 1) % 20)
					    : 0xd2800000u | (uint32_t)((i * 131 + j * 7) & 0xffff) << 5 | (4 + j % 20);
		c->x[0] = PTR;
		c->sp = PTR;
	}
	/* Distinct code every case: each run rebuilds and retranslates. */
	struct emu_probe p = compare_cases(cases, n, "1");
	ck_assert_msg(p.blocks >= n, "%llu blocks translated", (unsigned long long)p.blocks);
	ck_assert_msg(p.flushes >= 2, "the code cache was flushed %llu times", (unsigned long long)p.flushes);
	free(cases);
}
END_TEST

/* No mapping of this process is writable and executable at once. */
START_TEST(no_wx_mapping)
{
	if (!have_translator("no_wx_mapping"))
		return;
	struct jcase c = { .n = 3, .words = { 0x91000484u, 0x91000484u, HVC(0) } };
	struct vcpu_outcome *o = outcomes(1);
	struct worker w = { .jit = true, .cases = &c, .ncases = 1, .out = o };
	run_worker(&w);
	free_outcomes(o, 1);
	FILE *f = fopen("/proc/self/maps", "r");
	ck_assert(f);
	char line[512];
	while (fgets(line, sizeof(line), f)) {
		char perms[8] = "";
		if (sscanf(line, "%*s %7s", perms) == 1)
			ck_assert_msg(!(perms[1] == 'w' && perms[2] == 'x'), "W+X mapping: %s", line);
	}
	fclose(f);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("jit");
	TCase *tc = tcase_create("translator vs interpreter");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 600);
	tcase_add_loop_test(tc, random_blocks, 0, 3);
	tcase_add_test(tc, arith_edges);
	tcase_add_test(tc, flags_across_operations);
	tcase_add_test(tc, loop_flags_at_a_fault);
	tcase_add_test(tc, operands_with_the_cache_full);
	tcase_add_test(tc, count_across_event_checks);
	tcase_add_test(tc, fault_every_position);
	tcase_add_test(tc, regions_with_a_fault_at_every_position);
	tcase_add_test(tc, regions_flags_into_members);
	tcase_add_test(tc, regions_across_epoch_moves);
	tcase_add_test(tc, region_flags_at_a_cancel);
	tcase_add_test(tc, interpreted_loop_gets_translated);
	tcase_add_test(tc, pointer_chase_across_mappings);
	tcase_add_test(tc, fp_arithmetic);
	tcase_add_test(tc, fp_host_environment);
	tcase_add_test(tc, perf_map_and_code_dump);
	tcase_add_test(tc, cache_flush);
	tcase_add_test(tc, no_wx_mapping);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
