/* a64_guest.c - the guest world of the A64 fuzz targets (a64_guest.h). */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#include "a64_guest.h"
#include "../../tests/support/hvc_image.h"

#define GUARD 0x10000ull         /* PROT_NONE on each side of each mapping */
#define VEC_OFF 0x800ull         /* VBAR_EL1 = RAM_IPA + VEC_OFF */
#define L1_OFF 0x2000ull         /* stage-1 tables (4K granule, T0SZ = 25) */
#define L2_OFF 0x3000ull
#define L3_OFF 0x4000ull

#define HVC(imm) HVC_INSN(imm)

/* Stage-1 descriptor bits. */
#define D_VALID 1ull
#define D_TABLE 3ull
#define D_PAGE 3ull
#define D_AF (1ull << 10)
#define D_SH (3ull << 8)
#define D_AP_EL0 (1ull << 6)      /* AP[1]: EL0 access */
#define D_AP_RO (2ull << 6)       /* AP[2]: read-only */
#define D_ATTR(n) ((uint64_t)(n) << 2)

uint8_t *a64_ram;
static uint8_t *ro;
static uint8_t image[RAM_SIZE]; /* pristine RAM contents, restored per input */
static const char *who = "a64_guest";

void a64_die(const char *what, hv_return_t r)
{
	fprintf(stderr, "%s: %s failed (%#x)\n", who, what, (unsigned)r);
	abort();
}

/* ---- watchdog ---------------------------------------------------------- */
static pthread_mutex_t wd_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wd_cond;
static uint64_t wd_gen;  /* run number */
static bool wd_running;  /* a run is in progress */
static bool wd_fired;    /* the watchdog cancelled the current run */
static hv_vcpu_t wd_vcpu; /* the vCPU of the current run */
static unsigned wd_ms;    /* and its time limit */

static void *watchdog(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&wd_lock);
	for (;;) {
		while (!wd_running)
			pthread_cond_wait(&wd_cond, &wd_lock);
		uint64_t gen = wd_gen;
		struct timespec t;
		clock_gettime(CLOCK_MONOTONIC, &t);
		t.tv_sec += wd_ms / 1000;
		t.tv_nsec += (long)(wd_ms % 1000) * 1000000L;
		if (t.tv_nsec >= 1000000000L) {
			t.tv_sec++;
			t.tv_nsec -= 1000000000L;
		}
		int rc = 0;
		while (wd_running && wd_gen == gen && rc != ETIMEDOUT)
			rc = pthread_cond_timedwait(&wd_cond, &wd_lock, &t);
		if (wd_running && wd_gen == gen) {
			/* Under the lock: the run cannot be marked finished
			 * until the request is in. */
			hv_vcpus_exit(&wd_vcpu, 1);
			wd_fired = true;
			while (wd_running && wd_gen == gen)
				pthread_cond_wait(&wd_cond, &wd_lock);
		}
	}
	return NULL;
}

hv_return_t a64_run_guarded(hv_vcpu_t vcpu, unsigned ms, bool *fired)
{
	pthread_mutex_lock(&wd_lock);
	wd_vcpu = vcpu;
	wd_ms = ms;
	wd_gen++;
	wd_running = true;
	wd_fired = false;
	pthread_cond_broadcast(&wd_cond);
	pthread_mutex_unlock(&wd_lock);
	hv_return_t r = hv_vcpu_run(vcpu);
	pthread_mutex_lock(&wd_lock);
	wd_running = false;
	*fired = wd_fired;
	pthread_cond_broadcast(&wd_cond);
	pthread_mutex_unlock(&wd_lock);
	return r;
}

/* size bytes of host memory between two PROT_NONE guard areas. */
static uint8_t *guarded_alloc(size_t size)
{
	uint8_t *p = mmap(NULL, size + 2 * GUARD, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED || mprotect(p + GUARD, size, PROT_READ | PROT_WRITE) != 0) {
		fprintf(stderr, "%s: mmap failed\n", who);
		abort();
	}
	return p + GUARD;
}

static void put64(uint8_t *base, uint64_t off, uint64_t v)
{
	memcpy(base + off, &v, 8);
}

static void build_image(void)
{
	/* Everything not otherwise set executes HVC #1 (an unexpected jump);
	 * vector entry k reports HVC #(0xF000 + k). */
	hvc_image_fill(image, RAM_SIZE, 1, VEC_OFF);
	/* Data: a recognisable pattern. */
	for (uint64_t off = DATA_OFF; off < RAM_SIZE; off += 8)
		put64(image, off, 0x0123456789abcdefull ^ (off * 0x9e3779b97f4a7c15ull));
	/* Stage-1 tables, identity: L1[1] -> L2 (0x40000000..), L2[0] -> L3
	 * (RAM pages), L2[128] -> 2 MiB block at RO_IPA (mostly not mapped in
	 * stage 2). The code page's AP depends on the mode (set per input). */
	memset(image + L1_OFF, 0, 0x3000);
	put64(image, L1_OFF + 8 * 1, RAM_IPA + L2_OFF + D_TABLE);
	put64(image, L2_OFF + 8 * 0, RAM_IPA + L3_OFF + D_TABLE);
	put64(image, L2_OFF + 8 * 128, RO_IPA | D_VALID | D_AF | D_SH | D_AP_EL0 | D_AP_RO);
	for (unsigned i = 0; i < RAM_SIZE / 0x1000; i++) {
		uint64_t d = (RAM_IPA + 0x1000ull * i) | D_PAGE | D_AF | D_SH;
		if (i >= DATA_OFF / 0x1000)
			d |= D_AP_EL0; /* EL0 read/write (and so not EL1-executable) */
		switch (i) {
		case 0x11: d &= ~D_AF; break;               /* access flag fault */
		case 0x12: d |= D_AP_RO; break;             /* read-only */
		case 0x13: d = 0; break;                    /* translation fault */
		case 0x14: d |= D_ATTR(1); break;           /* Device-nGnRnE */
		case 0x15: d = (d & ~D_AP_EL0) | (1ull << 54); break; /* EL1 only, XN */
		default: break;
		}
		put64(image, L3_OFF + 8ull * i, d);
	}
}

void a64_guest_init(const char *name)
{
	who = name;
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&wd_cond, &ca);
	pthread_condattr_destroy(&ca);

	a64_ram = guarded_alloc(RAM_SIZE);
	ro = guarded_alloc(RO_SIZE);
	for (uint64_t off = 0; off < RO_SIZE; off += 4) {
		uint32_t w = HVC(2);
		memcpy(ro + off, &w, 4);
	}
	/* The host cannot write the read-only region either: a write that
	 * got through stage 2 would fault here. */
	if (mprotect(ro, RO_SIZE, PROT_READ) != 0)
		abort();
	build_image();

	A64_CHECK(hv_vm_create(NULL));
	A64_CHECK(hv_vm_map(a64_ram, RAM_IPA, RAM_SIZE, HV_MEMORY_READ | HV_MEMORY_WRITE | HV_MEMORY_EXEC));
	A64_CHECK(hv_vm_map(ro, RO_IPA, RO_SIZE, HV_MEMORY_READ | HV_MEMORY_EXEC));

	pthread_t th;
	if (pthread_create(&th, NULL, watchdog, NULL) != 0)
		abort();
	pthread_detach(th);
}

/* ---- one input ------------------------------------------------------- */
static uint64_t get_le(const uint8_t *p, size_t avail, size_t n)
{
	uint64_t v = 0;
	for (size_t i = 0; i < n && i < avail; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

void a64_reset_vcpu(hv_vcpu_t vcpu, uint64_t sctlr_reset, const struct a64_input *p)
{
	unsigned mode = p->mode, ptrmask = p->ptrmask;
	const uint64_t *seed = p->seed;
	for (unsigned i = 0; i < 31; i++) {
		uint64_t v;
		if (i < NSEEDS)
			v = (ptrmask >> i & 1) ? RAM_IPA + DATA_OFF + (seed[i] & 0x2fff8) : seed[i];
		else
			v = (i & 1) ? i : RAM_IPA + DATA_OFF + 0x200ull * i;
		A64_CHECK(hv_vcpu_set_reg(vcpu, HV_REG_X0 + i, v));
	}
	uint64_t cpsr;
	if (mode & M_EL0)
		cpsr = 0x0; /* EL0t */
	else
		cpsr = (mode & M_EL1T) ? 0x4 : 0x5;
	cpsr |= (mode & M_IRQ) ? 0x300 : 0x3c0;  /* D,A masked; I,F per mode */
	cpsr |= (seed[0] >> 32) & 0xf0000000u;   /* NZCV */
	A64_CHECK(hv_vcpu_set_reg(vcpu, HV_REG_CPSR, cpsr));
	A64_CHECK(hv_vcpu_set_reg(vcpu, HV_REG_PC, RAM_IPA + CODE_OFF));
	A64_CHECK(hv_vcpu_set_reg(vcpu, HV_REG_FPCR, 0));
	A64_CHECK(hv_vcpu_set_reg(vcpu, HV_REG_FPSR, 0));

	static const struct { hv_sys_reg_t r; uint64_t v; } fixed[] = {
		{ HV_SYS_REG_VBAR_EL1, RAM_IPA + VEC_OFF },
		{ HV_SYS_REG_SP_EL0, RAM_IPA + RAM_SIZE - 0x1000 },
		{ HV_SYS_REG_SP_EL1, RAM_IPA + RAM_SIZE },
		{ HV_SYS_REG_MAIR_EL1, 0x00ff }, /* attr 0 normal WB, attr 1 Device-nGnRnE */
		{ HV_SYS_REG_TTBR0_EL1, RAM_IPA + L1_OFF },
		{ HV_SYS_REG_TTBR1_EL1, RAM_IPA + L1_OFF },
		{ HV_SYS_REG_ELR_EL1, 0 }, { HV_SYS_REG_SPSR_EL1, 0 },
		{ HV_SYS_REG_ESR_EL1, 0 }, { HV_SYS_REG_FAR_EL1, 0 },
		{ HV_SYS_REG_PAR_EL1, 0 }, { HV_SYS_REG_MDSCR_EL1, 0 },
		{ HV_SYS_REG_CNTV_CTL_EL0, 0 }, { HV_SYS_REG_CNTV_CVAL_EL0, 0 },
		{ HV_SYS_REG_CNTKCTL_EL1, 0 }, { HV_SYS_REG_TPIDR_EL0, 0 },
		{ HV_SYS_REG_TPIDR_EL1, 0 }, { HV_SYS_REG_TPIDRRO_EL0, 0 },
		{ HV_SYS_REG_CONTEXTIDR_EL1, 0 }, { HV_SYS_REG_CSSELR_EL1, 0 },
	};
	for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
		A64_CHECK(hv_vcpu_set_sys_reg(vcpu, fixed[i].r, fixed[i].v));
	for (unsigned i = 0; i < 16; i++) {
		/* DBGBCRn/DBGWCRn are 0x8005 + 8n / 0x8007 + 8n. */
		A64_CHECK(hv_vcpu_set_sys_reg(vcpu, (hv_sys_reg_t)(HV_SYS_REG_DBGBCR0_EL1 + 8 * i), 0));
		A64_CHECK(hv_vcpu_set_sys_reg(vcpu, (hv_sys_reg_t)(HV_SYS_REG_DBGWCR0_EL1 + 8 * i), 0));
	}
	/* TCR: 39-bit VAs, 4K granules, 36-bit IPS; TTBR1 walks only on request. */
	uint64_t tcr = 25 | (25ull << 16) | (2ull << 30) | (1ull << 32) |
		       (1ull << 8 | 1ull << 10 | 3ull << 12);
	if (!(mode & M_TTBR1))
		tcr |= 1ull << 23; /* EPD1 */
	A64_CHECK(hv_vcpu_set_sys_reg(vcpu, HV_SYS_REG_TCR_EL1, tcr));
	uint64_t sctlr = sctlr_reset & ~(1ull << 0 | 1ull << 1);
	if (mode & M_MMU)
		sctlr |= 1ull << 0 | 1ull << 2 | 1ull << 12; /* M, C, I */
	if (mode & M_ALIGN)
		sctlr |= 1ull << 1; /* A */
	A64_CHECK(hv_vcpu_set_sys_reg(vcpu, HV_SYS_REG_SCTLR_EL1, sctlr));
	A64_CHECK(hv_vcpu_set_sys_reg(vcpu, HV_SYS_REG_CPACR_EL1, (mode & M_FP_TRAP) ? 0 : 3ull << 20));
	A64_CHECK(hv_vcpu_set_trap_debug_exceptions(vcpu, (mode & M_TRAP_DEBUG) != 0));
	A64_CHECK(hv_vcpu_set_trap_debug_reg_accesses(vcpu, false));
	A64_CHECK(hv_vcpu_set_vtimer_mask(vcpu, false));
}

static bool in_range(uint64_t a, uint64_t base, uint64_t size)
{
	return a >= base && a - base < size;
}

/* Checks one exit; returns whether to continue running (an MMIO-style
 * stage-2 data abort, skipped as a VMM would). */
static bool check_exit(hv_vcpu_t vcpu, const hv_vcpu_exit_t *vexit)
{
	switch (vexit->reason) {
	case HV_EXIT_REASON_CANCELED:
	case HV_EXIT_REASON_VTIMER_ACTIVATED:
		return false;
	case HV_EXIT_REASON_EXCEPTION:
		break;
	default:
		fprintf(stderr, "%s: unexpected exit reason %u\n", who, (unsigned)vexit->reason);
		abort();
	}
	uint64_t esr = vexit->exception.syndrome;
	unsigned ec = (unsigned)(esr >> 26) & 0x3f, fsc = (unsigned)esr & 0x3f;
	if (ec != 0x20 && ec != 0x24)
		return false;
	/* A stage-2 fault: translation faults only for unmapped IPAs,
	 * permission faults only for mapped ones. */
	uint64_t ipa = vexit->exception.physical_address;
	bool mapped = in_range(ipa, RAM_IPA, RAM_SIZE) || in_range(ipa, RO_IPA, RO_SIZE);
	bool translation = (fsc & 0x3c) == 0x04, permission = (fsc & 0x3c) == 0x0c;
	if ((translation && mapped) || (permission && !mapped) ||
	    (permission && in_range(ipa, RAM_IPA, RAM_SIZE))) {
		fprintf(stderr, "%s: stage-2 fault ESR %#llx on IPA %#llx (mapped %d)\n", who,
			(unsigned long long)esr, (unsigned long long)ipa, mapped);
		abort();
	}
	if (ec != 0x24)
		return false;
	uint64_t pc;
	A64_CHECK(hv_vcpu_get_reg(vcpu, HV_REG_PC, &pc));
	A64_CHECK(hv_vcpu_set_reg(vcpu, HV_REG_PC, pc + 4));
	return true;
}

void a64_parse_input(const uint8_t *in, size_t size, struct a64_input *p)
{
	p->mode = size > 0 ? in[0] : 0;
	p->ptrmask = size > 1 ? in[1] : 0;
	p->nwords = size > 2 ? in[2] % (MAX_WORDS + 1) : 0;
	size_t off = 3;
	size_t avail = size > off ? (size - off) / 4 : 0;
	if (p->nwords > avail)
		p->nwords = avail;
	p->words = in + off;
	off += p->nwords * 4;
	for (unsigned i = 0; i < NSEEDS; i++) {
		size_t o = off + 8ull * i;
		p->seed[i] = o < size ? get_le(in + o, size - o, 8) : 0;
	}
}

void a64_load_ram(const struct a64_input *p)
{
	memcpy(a64_ram, image, RAM_SIZE);
	memcpy(a64_ram + CODE_OFF, p->words, p->nwords * 4);
	/* Code page: EL0-executable (so not EL1-executable) for EL0 runs. */
	uint64_t code_desc = (RAM_IPA + CODE_OFF) | D_PAGE | D_AF | D_SH | ((p->mode & M_EL0) ? D_AP_EL0 : 0);
	put64(a64_ram, L3_OFF + 8 * (CODE_OFF / 0x1000), code_desc);
}

bool a64_run_input(hv_vcpu_t vcpu, const hv_vcpu_exit_t *vexit, const struct a64_input *p, unsigned ms)
{
	for (unsigned run = 0; run < MAX_RUNS; run++) {
		if (p->mode & M_IRQ)
			A64_CHECK(hv_vcpu_set_pending_interrupt(vcpu, HV_INTERRUPT_TYPE_IRQ, true));
		bool fired;
		A64_CHECK(a64_run_guarded(vcpu, ms, &fired));
		if (fired && vexit->reason != HV_EXIT_REASON_CANCELED) {
			/* The cancel raced with another exit: consume it now so
			 * that it does not end the next input's first run. */
			bool again;
			A64_CHECK(a64_run_guarded(vcpu, ms, &again));
			if (vexit->reason != HV_EXIT_REASON_CANCELED) {
				fprintf(stderr, "%s: cancel lost (reason %u)\n", who, (unsigned)vexit->reason);
				abort();
			}
			return false;
		}
		if (fired)
			return false;
		if (!check_exit(vcpu, vexit))
			break;
	}
	return true;
}
