/*
 * diff_harness.c - see diff_harness.h.
 *
 * Unicorn 2.0.1 (QEMU 5 based) starts AArch64 at EL1h (PSTATE 0x3c5) with
 * the MMU off, which is exactly the state we give our vCPU.  Its RAM is a
 * host buffer mapped with uc_mem_map_ptr so the data buffers of both sides
 * can be compared with memcmp; code writes are followed by
 * uc_ctl_remove_cache so unicorn retranslates.
 */
#include "diff_harness.h"

#include <Hypervisor/Hypervisor.h>
#include <unicorn/unicorn.h>

#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#define MAX_PRINTED 12       /* mismatches printed in full per test */
#define WATCHDOG_MS 2000     /* a run longer than this is a hang */

/* QEMU exception numbers reported by UC_HOOK_INTR. */
#define UC_EXCP_UDEF 1
#define UC_EXCP_DATA_ABORT 4

static struct {
	const char *suite;
	uint64_t seed, rng;
	hv_vcpu_t vcpu;
	hv_vcpu_exit_t *exit;
	uint8_t *ram, *uram; /* ours (guest RAM), unicorn's */
	void *ram_alloc, *uram_alloc;
	size_t alloc_size;
	uc_engine *uc;
	uc_hook intr_hook;
	int uc_intno;
	unsigned cases, mismatches, printed, both_exc;
	/* watchdog */
	pthread_t wd;
	atomic_uint run_seq;
	atomic_bool in_run, wd_stop;
} D;

static int uc_ids[34];

/* ---------------------------------------------------------------- */
/* Random numbers: xorshift64*, seed from DIFF_SEED or a fixed value. */

uint64_t diff_rand(void)
{
	uint64_t x = D.rng;
	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	D.rng = x;
	return x * 0x2545F4914F6CDD1Dull;
}

uint32_t diff_rand_below(uint32_t n)
{
	return (uint32_t)((diff_rand() >> 32) % n);
}

uint64_t diff_rand_val(void)
{
	static const uint64_t edge[] = {
		0, 1, ~0ull, 0x8000000000000000ull, 0x7fffffffffffffffull,
		0x80000000ull, 0x7fffffffull, 0xffffffffull, 0x100000000ull,
		0xffffffff80000000ull, 0xffffffff7fffffffull, 2, 63, 64, 32, 31,
		0x8000ull, 0xffffull, 0x80ull, 0xffull,
	};
	switch (diff_rand_below(8)) {
	case 0: case 1: case 2:
		return edge[diff_rand_below(sizeof edge / sizeof edge[0])];
	case 3:
		return diff_rand() & 0xffff; /* small */
	case 4:
		return (uint32_t)diff_rand(); /* 32-bit */
	default:
		return diff_rand();
	}
}

void diff_rand_regs(struct diff_regs *r)
{
	for (int i = 0; i < 31; i++)
		r->x[i] = diff_rand_val();
	r->sp = diff_rand_val();
	r->pc = DIFF_INSN_ADDR;
	r->nzcv = (uint32_t)(diff_rand() & 0xf) << 28;
}

/* ---------------------------------------------------------------- */
/* Watchdog: a guest that never reaches an HVC is cancelled. */

static void *watchdog(void *arg)
{
	(void)arg;
	unsigned last = ~0u, ticks = 0;
	while (!atomic_load(&D.wd_stop)) {
		struct timespec ts = { 0, 100 * 1000 * 1000 };
		nanosleep(&ts, NULL);
		unsigned seq = atomic_load(&D.run_seq);
		if (atomic_load(&D.in_run) && seq == last) {
			if (++ticks * 100 >= WATCHDOG_MS) {
				hv_vcpus_exit(&D.vcpu, 1);
				ticks = 0;
			}
		} else {
			ticks = 0;
		}
		last = seq;
	}
	return NULL;
}

/* ---------------------------------------------------------------- */

static void uc_intr(uc_engine *uc, uint32_t intno, void *user)
{
	(void)user;
	D.uc_intno = (int)intno;
	uc_emu_stop(uc);
}

static void die(const char *what, long code)
{
	fprintf(stderr, "diff_harness: %s failed (%ld)\n", what, code);
	abort();
}

static void *alloc_aligned(size_t size, void **base)
{
	/* 64 KiB alignment covers 4K and 16K guest granules. */
	size_t total = size + 0x10000;
	uint8_t *p = mmap(NULL, total, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		die("mmap", 0);
	*base = p;
	return (void *)(((uintptr_t)p + 0xffff) & ~(uintptr_t)0xffff);
}

static void put32(uint8_t *ram, uint64_t addr, uint32_t w)
{
	memcpy(ram + (addr - DIFF_RAM_BASE), &w, 4);
}

void diff_setup(const char *suite_name)
{
	memset(&D, 0, sizeof D);
	D.suite = suite_name;
	const char *s = getenv("DIFF_SEED");
	D.seed = s ? strtoull(s, NULL, 0) : 0x5eed1234abcdull;
	D.rng = D.seed ? D.seed : 1;

	D.alloc_size = DIFF_RAM_SIZE + 0x10000;
	D.ram = alloc_aligned(DIFF_RAM_SIZE, &D.ram_alloc);
	D.uram = alloc_aligned(DIFF_RAM_SIZE, &D.uram_alloc);

	/* Code: all HVC #0.  Vectors: HVC #(0xEE00 | slot).  Data: random. */
	for (uint64_t a = DIFF_CODE_BASE; a < DIFF_CODE_BASE + DIFF_CODE_SIZE; a += 4)
		put32(D.ram, a, DIFF_HVC0);
	for (uint64_t off = 0; off < 0x800; off += 4)
		put32(D.ram, DIFF_VBAR + off,
		      DIFF_HVC0 | (uint32_t)((0xEE00 | (off >> 7)) << 5));
	for (uint64_t off = 0; off < DIFF_DATA_SIZE; off += 8) {
		uint64_t v = diff_rand();
		memcpy(D.ram + (DIFF_DATA_BASE - DIFF_RAM_BASE) + off, &v, 8);
	}
	memcpy(D.uram, D.ram, DIFF_RAM_SIZE);

	hv_return_t r = hv_vm_create(NULL);
	if (r != HV_SUCCESS)
		die("hv_vm_create", r);
	r = hv_vm_map(D.ram, DIFF_RAM_BASE, DIFF_RAM_SIZE,
		      HV_MEMORY_READ | HV_MEMORY_WRITE | HV_MEMORY_EXEC);
	if (r != HV_SUCCESS)
		die("hv_vm_map", r);
	r = hv_vcpu_create(&D.vcpu, &D.exit, NULL);
	if (r != HV_SUCCESS)
		die("hv_vcpu_create", r);
	hv_vcpu_set_sys_reg(D.vcpu, HV_SYS_REG_VBAR_EL1, DIFF_VBAR);
	/* MMU off; no alignment checks (SCTLR.A/SA/SA0 clear): QEMU 5 checks
	 * neither SP alignment nor Device-memory alignment with the MMU off,
	 * so the tests only generate aligned data addresses. */
	uint64_t sctlr = 0;
	hv_vcpu_get_sys_reg(D.vcpu, HV_SYS_REG_SCTLR_EL1, &sctlr);
	sctlr &= ~(uint64_t)0x1b; /* M, A, SA, SA0 */
	hv_vcpu_set_sys_reg(D.vcpu, HV_SYS_REG_SCTLR_EL1, sctlr);

	uc_err e = uc_open(UC_ARCH_ARM64, UC_MODE_ARM, &D.uc);
	if (e != UC_ERR_OK)
		die("uc_open", e);
	/* "max" (cortex-a57 + every feature QEMU 5 has) gives LSE atomics;
	 * the default cortex-a72 has CRC32 but no LSE. */
	e = uc_ctl_set_cpu_model(D.uc, UC_CPU_ARM64_MAX);
	if (e != UC_ERR_OK)
		die("uc_ctl_set_cpu_model", e);
	e = uc_mem_map_ptr(D.uc, DIFF_RAM_BASE, DIFF_RAM_SIZE, UC_PROT_ALL, D.uram);
	if (e != UC_ERR_OK)
		die("uc_mem_map_ptr", e);
	e = uc_hook_add(D.uc, &D.intr_hook, UC_HOOK_INTR, (void *)uc_intr, NULL, 1, 0);
	if (e != UC_ERR_OK)
		die("uc_hook_add", e);
	for (int i = 0; i < 29; i++)
		uc_ids[i] = UC_ARM64_REG_X0 + i;
	uc_ids[29] = UC_ARM64_REG_X29;
	uc_ids[30] = UC_ARM64_REG_X30;
	uc_ids[31] = UC_ARM64_REG_SP;
	uc_ids[32] = UC_ARM64_REG_PC;
	uc_ids[33] = UC_ARM64_REG_PSTATE;

	atomic_store(&D.wd_stop, false);
	pthread_create(&D.wd, NULL, watchdog, NULL);
}

void diff_teardown(void)
{
	atomic_store(&D.wd_stop, true);
	pthread_join(D.wd, NULL);
	hv_vcpu_destroy(D.vcpu);
	hv_vm_unmap(DIFF_RAM_BASE, DIFF_RAM_SIZE);
	hv_vm_destroy();
	uc_close(D.uc);
	munmap(D.ram_alloc, D.alloc_size);
	munmap(D.uram_alloc, D.alloc_size);
	if (D.mismatches)
		fprintf(stderr, "%s: %u mismatches in %u cases (DIFF_SEED=%#" PRIx64 ")\n",
			D.suite, D.mismatches, D.cases, D.seed);
}

uint64_t diff_mem_read(uint64_t addr, unsigned size)
{
	uint64_t v = 0;
	if (addr >= DIFF_RAM_BASE && addr - DIFF_RAM_BASE <= DIFF_RAM_SIZE - size)
		memcpy(&v, D.ram + (addr - DIFF_RAM_BASE), size); /* little-endian host */
	return v;
}

unsigned diff_iters(unsigned n)
{
	const char *s = getenv("DIFF_SCALE");
	unsigned long pct = s ? strtoul(s, NULL, 0) : 100;
	unsigned long long v = (unsigned long long)n * pct / 100;
	return v ? (v > 100000000ull ? 100000000u : (unsigned)v) : 1;
}

uint64_t diff_vcpu(void) { return D.vcpu; }
void *diff_uc(void) { return D.uc; }
unsigned diff_cases(void) { return D.cases; }
unsigned diff_mismatches(void) { return D.mismatches; }
unsigned diff_both_exceptions(void) { return D.both_exc; }

/* ---------------------------------------------------------------- */

struct outcome {
	struct diff_regs r;
	int kind;
	uint64_t detail; /* ESR / unicorn error or intno */
};

static const char *kind_name(int k)
{
	static const char *n[] = { "ok", "UNDEF", "data-abort", "exception",
				   "unmapped", "HANG", "error" };
	return (k >= 0 && k <= DIFF_END_ERROR) ? n[k] : "?";
}

static void run_ours(const struct diff_regs *in, struct outcome *o)
{
	hv_vcpu_t v = D.vcpu;
	for (int i = 0; i < 31; i++)
		hv_vcpu_set_reg(v, HV_REG_X0 + i, in->x[i]);
	hv_vcpu_set_reg(v, HV_REG_PC, in->pc);
	hv_vcpu_set_reg(v, HV_REG_CPSR, 0x3c5 | in->nzcv);
	hv_vcpu_set_sys_reg(v, HV_SYS_REG_SP_EL1, in->sp);

	atomic_fetch_add(&D.run_seq, 1);
	atomic_store(&D.in_run, true);
	hv_return_t r = hv_vcpu_run(v);
	atomic_store(&D.in_run, false);

	for (int i = 0; i < 31; i++)
		hv_vcpu_get_reg(v, HV_REG_X0 + i, &o->r.x[i]);
	uint64_t pc = 0, cpsr = 0;
	hv_vcpu_get_reg(v, HV_REG_PC, &pc);
	hv_vcpu_get_reg(v, HV_REG_CPSR, &cpsr);
	hv_vcpu_get_sys_reg(v, HV_SYS_REG_SP_EL1, &o->r.sp);
	o->r.nzcv = (uint32_t)cpsr & 0xf0000000u;
	o->r.pc = pc;
	o->detail = 0;

	if (r != HV_SUCCESS) {
		o->kind = DIFF_END_ERROR;
		o->detail = (uint64_t)r;
		return;
	}
	if (D.exit->reason == HV_EXIT_REASON_CANCELED) {
		o->kind = DIFF_END_HANG;
		return;
	}
	if (D.exit->reason != HV_EXIT_REASON_EXCEPTION) {
		o->kind = DIFF_END_ERROR;
		o->detail = D.exit->reason;
		return;
	}
	uint64_t esr = D.exit->exception.syndrome;
	uint32_t ec = (uint32_t)(esr >> 26) & 0x3f;
	o->detail = esr;
	if (ec == 0x16) {
		uint32_t iss = (uint32_t)esr & 0xffff;
		o->r.pc = pc - 4; /* HVC exits with PC after the HVC */
		if (iss == 0) {
			o->kind = DIFF_END_OK;
		} else if ((iss & 0xfff0) == 0xEE00) {
			/* An exception was taken to our vector page: the
			 * faulting PC is ELR_EL1, the cause ESR_EL1; NZCV is
			 * preserved in SPSR_EL1. */
			uint64_t elr = 0, esr1 = 0, spsr = 0;
			hv_vcpu_get_sys_reg(v, HV_SYS_REG_ELR_EL1, &elr);
			hv_vcpu_get_sys_reg(v, HV_SYS_REG_ESR_EL1, &esr1);
			hv_vcpu_get_sys_reg(v, HV_SYS_REG_SPSR_EL1, &spsr);
			uint32_t ec1 = (uint32_t)(esr1 >> 26) & 0x3f;
			o->r.pc = elr;
			o->r.nzcv = (uint32_t)spsr & 0xf0000000u;
			o->detail = esr1 | (uint64_t)(iss & 0xf) << 40;
			if ((iss & 0xf) != 4) /* not "current EL, SPx, sync" */
				o->kind = DIFF_END_EXC;
			else if (ec1 == 0x00)
				o->kind = DIFF_END_UNDEF;
			else if (ec1 == 0x25)
				o->kind = DIFF_END_DABT;
			else
				o->kind = DIFF_END_EXC;
		} else {
			o->kind = DIFF_END_ERROR;
		}
	} else if (ec == 0x24 || ec == 0x20) {
		o->kind = DIFF_END_UNMAPPED;
	} else {
		o->kind = DIFF_END_ERROR;
	}
}

static void run_uc(const struct diff_regs *in, unsigned n, struct outcome *o)
{
	uint64_t vals[34];
	void *ptrs[34];
	memcpy(vals, in->x, sizeof in->x);
	vals[31] = in->sp;
	vals[32] = in->pc;
	vals[33] = 0x3c5 | in->nzcv;
	for (int i = 0; i < 34; i++)
		ptrs[i] = &vals[i];
	uc_reg_write_batch(D.uc, uc_ids, ptrs, 34);

	D.uc_intno = -1;
	/* `until` is never reached: stop after the n instructions (a branch
	 * counts as one, so the PC reached is its target). */
	uc_err e = uc_emu_start(D.uc, in->pc, ~(uint64_t)3, 0, n);

	uc_reg_read_batch(D.uc, uc_ids, ptrs, 34);
	memcpy(o->r.x, vals, sizeof o->r.x);
	o->r.sp = vals[31];
	o->r.pc = vals[32];
	o->r.nzcv = (uint32_t)vals[33] & 0xf0000000u;
	o->detail = 0;
	if (e == UC_ERR_READ_UNMAPPED || e == UC_ERR_WRITE_UNMAPPED ||
	    e == UC_ERR_FETCH_UNMAPPED) {
		o->kind = DIFF_END_UNMAPPED;
		o->detail = e;
	} else if (e != UC_ERR_OK) {
		o->kind = (e == UC_ERR_EXCEPTION || e == UC_ERR_INSN_INVALID)
				  ? DIFF_END_UNDEF : DIFF_END_ERROR;
		o->detail = e;
	} else if (D.uc_intno == UC_EXCP_UDEF) {
		o->kind = DIFF_END_UNDEF;
		o->detail = (uint64_t)D.uc_intno;
	} else if (D.uc_intno == UC_EXCP_DATA_ABORT) {
		o->kind = DIFF_END_DABT;
		o->detail = (uint64_t)D.uc_intno;
	} else if (D.uc_intno >= 0) {
		o->kind = DIFF_END_EXC;
		o->detail = (uint64_t)D.uc_intno;
	} else {
		o->kind = DIFF_END_OK;
	}
}

static void report(const char *cls, const uint32_t *insns, unsigned n,
		   const char *fields, const struct diff_regs *in,
		   const struct outcome *a, const struct outcome *b,
		   const char *why)
{
	fprintf(stderr, "\nMISMATCH [%s/%s] %s:", D.suite, cls, why);
	for (unsigned i = 0; i < n; i++)
		fprintf(stderr, " %08x", insns[i]);
	fprintf(stderr, "  (%s)\n", fields ? fields : "");
	fprintf(stderr, "  end: ours=%s (%#" PRIx64 ")  unicorn=%s (%#" PRIx64 ")\n",
		kind_name(a->kind), a->detail, kind_name(b->kind), b->detail);
	fprintf(stderr, "  %-4s %-18s %-18s %-18s\n", "", "input", "ours", "unicorn");
	for (int i = 0; i < 31; i++)
		fprintf(stderr, "  x%-3d %016" PRIx64 "   %016" PRIx64 "   %016" PRIx64 "%s\n",
			i, in->x[i], a->r.x[i], b->r.x[i],
			a->r.x[i] != b->r.x[i] ? "  <--" : "");
	fprintf(stderr, "  sp   %016" PRIx64 "   %016" PRIx64 "   %016" PRIx64 "%s\n",
		in->sp, a->r.sp, b->r.sp, a->r.sp != b->r.sp ? "  <--" : "");
	fprintf(stderr, "  pc   %016" PRIx64 "   %016" PRIx64 "   %016" PRIx64 "%s\n",
		in->pc, a->r.pc, b->r.pc, a->r.pc != b->r.pc ? "  <--" : "");
	fprintf(stderr, "  nzcv %x                  %x                  %x%s\n",
		in->nzcv >> 28, a->r.nzcv >> 28, b->r.nzcv >> 28,
		a->r.nzcv != b->r.nzcv ? "                  <--" : "");
}

static void report_mem(void)
{
	const uint8_t *a = D.ram + (DIFF_DATA_BASE - DIFF_RAM_BASE);
	const uint8_t *b = D.uram + (DIFF_DATA_BASE - DIFF_RAM_BASE);
	unsigned shown = 0;
	for (uint64_t i = 0; i < DIFF_DATA_SIZE && shown < 16; i++) {
		if (a[i] != b[i]) {
			fprintf(stderr, "  mem[%#" PRIx64 "] ours=%02x unicorn=%02x\n",
				(uint64_t)(DIFF_DATA_BASE + i), a[i], b[i]);
			shown++;
		}
	}
}

int diff_run(const char *cls, const uint32_t *insns, unsigned n,
	     const struct diff_regs *in, const char *fields)
{
	struct outcome a, b;
	uint64_t off = in->pc - DIFF_RAM_BASE;

	for (unsigned i = 0; i < n; i++) {
		memcpy(D.ram + off + 4 * i, &insns[i], 4);
		memcpy(D.uram + off + 4 * i, &insns[i], 4);
	}
	uc_ctl_remove_cache(D.uc, in->pc, in->pc + 4 * n);

	run_ours(in, &a);
	run_uc(in, n, &b);

	/* Restore the HVC fill. */
	for (unsigned i = 0; i < n; i++) {
		uint32_t h = DIFF_HVC0;
		memcpy(D.ram + off + 4 * i, &h, 4);
		memcpy(D.uram + off + 4 * i, &h, 4);
	}

	D.cases++;
	const char *why = NULL;
	int mem_bad = memcmp(D.ram + (DIFF_DATA_BASE - DIFF_RAM_BASE),
			     D.uram + (DIFF_DATA_BASE - DIFF_RAM_BASE),
			     DIFF_DATA_SIZE) != 0;
	if (a.kind != b.kind) {
		why = "different outcome";
	} else if (a.kind == DIFF_END_HANG || a.kind == DIFF_END_ERROR) {
		why = "harness error";
	} else {
		/* For an access outside RAM both stop at the instruction
		 * with nothing written back. */
		if (a.kind != DIFF_END_OK)
			D.both_exc++;
		if (memcmp(a.r.x, b.r.x, sizeof a.r.x) != 0)
			why = "X registers differ";
		else if (a.r.sp != b.r.sp)
			why = "SP differs";
		else if (a.r.pc != b.r.pc)
			why = "PC differs";
		else if (a.r.nzcv != b.r.nzcv)
			why = "NZCV differs";
		else if (mem_bad)
			why = "memory differs";
	}
	if (!why && mem_bad)
		why = "memory differs";
	if (!why)
		return 1;

	D.mismatches++;
	if (D.printed < MAX_PRINTED) {
		D.printed++;
		report(cls, insns, n, fields, in, &a, &b, why);
		if (mem_bad)
			report_mem();
	}
	/* Resynchronise unicorn's data buffer with ours. */
	if (mem_bad)
		memcpy(D.uram + (DIFF_DATA_BASE - DIFF_RAM_BASE),
		       D.ram + (DIFF_DATA_BASE - DIFF_RAM_BASE), DIFF_DATA_SIZE);
	return 0;
}
