/*
 * test_load.c - load: 8 vCPUs on 8 threads squeezed onto 2 host cores,
 * while one thread injects IRQs and another cancels vCPUs (singly and in
 * batches), for LOAD_SECONDS (default 10; minutes for a soak run).
 *
 * Nothing may be lost or invented:
 *   - MMIO exits: each vCPU's guest numbers its stores (tests/guests/load.S);
 *     the host sees every number exactly once, in order;
 *   - cancels: at most one hv_vcpus_exit is outstanding per vCPU, so
 *     every request must produce exactly one HV_EXIT_REASON_CANCELED;
 *   - IRQs: the injector asks a vCPU's thread for an IRQ (and kicks it
 *     with hv_vcpus_exit, as a VMM must: pending interrupts are set by the
 *     vCPU's own thread); the guest's handler counts and acknowledges
 *     each with an HVC: requests == acknowledgements == guest count;
 *   - no deadlock: a monitor fails the test when no exit happens for 5 s.
 * Public API only.
 */
#include <pthread.h>
#include <sched.h>
#include <stddef.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "backend.h"
#include "guest.h"

#define NVCPU 8
#define MMIO_BASE UNMAPPED_IPA       /* + 0x1000 * vCPU index */
#define IRQ_COUNT_OFF 0x200000ull    /* + 0x40 * vCPU index: guest IRQ counters */
#define HVC_IRQ_ACK 0x1A
#define STALL_SECONDS (5 * hv_test_time_scale())

struct vcpu_state {
	pthread_t th;
	unsigned idx;
	_Atomic(hv_vcpu_t) vcpu;
	atomic_bool ready;        /* vcpu valid */
	atomic_bool kick_out;     /* an hv_vcpus_exit is outstanding */
	atomic_bool irq_want;     /* the injector asked for an IRQ */
	/* counters */
	atomic_ullong kicks, canceled, irq_req, irq_ack, mmio, exits;
	char error[256];
};

static struct vcpu_state st[NVCPU];
static atomic_bool stop_kicks, stop_all, failed;
static cpu_set_t two_cores;

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static void load_fail(struct vcpu_state *s, const char *msg, unsigned long long a,
		 unsigned long long b)
{
	if (!s->error[0])
		snprintf(s->error, sizeof(s->error), "vCPU %u: %s (%#llx, %#llx)", s->idx, msg, a, b);
	atomic_store(&failed, true);
}

/* Issues one kick unless one is outstanding; returns whether it did. */
static bool kick(struct vcpu_state *s)
{
	bool expected = false;
	if (!atomic_load(&s->ready) ||
	    !atomic_compare_exchange_strong(&s->kick_out, &expected, true))
		return false;
	atomic_fetch_add(&s->kicks, 1);
	hv_vcpu_t v = atomic_load(&s->vcpu);
	if (hv_vcpus_exit(&v, 1) != HV_SUCCESS)
		load_fail(s, "hv_vcpus_exit failed", 0, 0);
	return true;
}

static void *vcpu_main(void *p)
{
	struct vcpu_state *s = p;
	pthread_setaffinity_np(pthread_self(), sizeof(two_cores), &two_cores);
	hv_vcpu_t v;
	hv_vcpu_exit_t *ex;
	if (hv_vcpu_create(&v, &ex, NULL) != HV_SUCCESS) {
		load_fail(s, "hv_vcpu_create failed", 0, 0);
		return NULL;
	}
	hv_vcpu_set_reg(v, HV_REG_PC, GUEST_RAM_IPA);
	hv_vcpu_set_reg(v, HV_REG_CPSR, 0x305); /* EL1h, IRQ/FIQ unmasked */
	hv_vcpu_set_reg(v, HV_REG_X20, MMIO_BASE + 0x1000ull * s->idx);
	hv_vcpu_set_reg(v, HV_REG_X21, GUEST_RAM_IPA + IRQ_COUNT_OFF + 0x40ull * s->idx);
	hv_vcpu_set_reg(v, HV_REG_X22, 200 + 150 * s->idx); /* differing exit rates */
	hv_vcpu_set_sys_reg(v, HV_SYS_REG_VBAR_EL1, GUEST_VBAR);
	hv_vcpu_set_sys_reg(v, HV_SYS_REG_SP_EL1, GUEST_RAM_IPA + GUEST_RAM_SIZE - 0x1000 * s->idx);
	atomic_store(&s->vcpu, v);
	atomic_store(&s->ready, true);

	uint64_t seq = 0;
	bool irq_inflight = false;
	for (;;) {
		/* Stop once told to and nothing is outstanding. */
		if (atomic_load(&stop_all) && !atomic_load(&s->kick_out) && !irq_inflight &&
		    !atomic_load(&s->irq_want))
			break;
		if (atomic_load(&failed) && atomic_load(&stop_all))
			break;
		if (atomic_load(&s->irq_want)) {
			/* Level-triggered: asserted for every run until acked. */
			irq_inflight = true;
			hv_vcpu_set_pending_interrupt(v, HV_INTERRUPT_TYPE_IRQ, true);
		}
		hv_return_t r = hv_vcpu_run(v);
		if (r != HV_SUCCESS) {
			load_fail(s, "hv_vcpu_run failed", r, 0);
			break;
		}
		atomic_fetch_add(&s->exits, 1);
		if (ex->reason == HV_EXIT_REASON_CANCELED) {
			atomic_fetch_add(&s->canceled, 1);
			bool expected = true;
			if (!atomic_compare_exchange_strong(&s->kick_out, &expected, false))
				load_fail(s, "CANCELED exit without a request", atomic_load(&s->kicks),
				     atomic_load(&s->canceled));
			continue;
		}
		if (ex->reason != HV_EXIT_REASON_EXCEPTION) {
			load_fail(s, "unexpected exit reason", ex->reason, 0);
			break;
		}
		uint64_t esr = ex->exception.syndrome, pc = 0;
		unsigned ec = ESR_EC(esr);
		if (ec == 0x24) {
			uint64_t val = 0;
			hv_vcpu_get_reg(v, HV_REG_X2, &val);
			if (ex->exception.physical_address != MMIO_BASE + 0x1000ull * s->idx)
				load_fail(s, "MMIO exit at the wrong IPA", ex->exception.physical_address, 0);
			if (val != seq + 1)
				load_fail(s, "MMIO store number lost or repeated", val, seq + 1);
			seq = val;
			atomic_fetch_add(&s->mmio, 1);
			hv_vcpu_get_reg(v, HV_REG_PC, &pc);
			hv_vcpu_set_reg(v, HV_REG_PC, pc + 4);
		} else if (ec == 0x16 && ESR_ISS(esr) == HVC_IRQ_ACK) {
			if (!irq_inflight)
				load_fail(s, "IRQ acknowledged that was never asserted", 0, 0);
			irq_inflight = false;
			atomic_store(&s->irq_want, false);
			atomic_fetch_add(&s->irq_ack, 1);
		} else {
			hv_vcpu_get_reg(v, HV_REG_PC, &pc);
			load_fail(s, "unexpected exception exit (syndrome, PC)", esr, pc);
			break;
		}
		if (atomic_load(&failed) && atomic_load(&stop_all))
			break;
	}
	/* The guest's own count of IRQs handled. */
	uint64_t guest_irqs;
	memcpy(&guest_irqs, g_ram + IRQ_COUNT_OFF + 0x40ull * s->idx, 8);
	if (!atomic_load(&failed) && guest_irqs != atomic_load(&s->irq_ack))
		load_fail(s, "guest IRQ count differs from acknowledgements", guest_irqs,
		     atomic_load(&s->irq_ack));
	atomic_store(&s->ready, false);
	/* Any kick still racing in must be absorbed before destroying. */
	hv_vcpu_destroy(v);
	return NULL;
}

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;
static unsigned rnd(unsigned n)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (unsigned)(rng_state % n);
}

static void *injector_main(void *p)
{
	(void)p;
	pthread_setaffinity_np(pthread_self(), sizeof(two_cores), &two_cores);
	while (!atomic_load(&stop_kicks)) {
		struct vcpu_state *s = &st[rnd(NVCPU)];
		bool expected = false;
		if (atomic_load(&s->ready) &&
		    atomic_compare_exchange_strong(&s->irq_want, &expected, true)) {
			atomic_fetch_add(&s->irq_req, 1);
			kick(s);
		}
		usleep(50 + rnd(200));
	}
	return NULL;
}

static void *canceller_main(void *p)
{
	(void)p;
	pthread_setaffinity_np(pthread_self(), sizeof(two_cores), &two_cores);
	while (!atomic_load(&stop_kicks)) {
		if (rnd(8) == 0) {
			/* A batch: every vCPU without an outstanding kick, in
			 * one hv_vcpus_exit call. */
			hv_vcpu_t batch[NVCPU];
			uint32_t n = 0;
			for (unsigned i = 0; i < NVCPU; i++) {
				bool expected = false;
				if (atomic_load(&st[i].ready) &&
				    atomic_compare_exchange_strong(&st[i].kick_out, &expected, true)) {
					atomic_fetch_add(&st[i].kicks, 1);
					batch[n++] = atomic_load(&st[i].vcpu);
				}
			}
			if (n && hv_vcpus_exit(batch, n) != HV_SUCCESS)
				load_fail(&st[0], "batched hv_vcpus_exit failed", n, 0);
		} else {
			kick(&st[rnd(NVCPU)]);
		}
		usleep(20 + rnd(300));
	}
	return NULL;
}

/* One counter (offsetof in struct vcpu_state) summed over the vCPUs. */
static uint64_t total(size_t off)
{
	uint64_t sum = 0;
	for (unsigned i = 0; i < NVCPU; i++)
		sum += atomic_load((atomic_ullong *)((char *)&st[i] + off));
	return sum;
}
#define TOTAL(field) ((unsigned long long)total(offsetof(struct vcpu_state, field)))

START_TEST(load_8_vcpus_2_cores)
{
	double secs = hv_test_backend_is_kvm() ? 4 : 10;
	const char *env = getenv("LOAD_SECONDS");
	if (env && atof(env) > 0)
		secs = atof(env);

	/* The first two CPUs this process may use. */
	cpu_set_t mine;
	CPU_ZERO(&two_cores);
	ck_assert_int_eq(sched_getaffinity(0, sizeof(mine), &mine), 0);
	for (int c = 0, n = 0; c < CPU_SETSIZE && n < 2; c++)
		if (CPU_ISSET(c, &mine)) {
			CPU_SET(c, &two_cores);
			n++;
		}

	ck_assert_int_eq(hv_vm_create(NULL), HV_SUCCESS);
	g_ram = mmap(NULL, GUEST_RAM_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ck_assert_ptr_ne(g_ram, MAP_FAILED);
	ck_assert_int_eq(hv_vm_map(g_ram, GUEST_RAM_IPA, GUEST_RAM_SIZE,
				   HV_MEMORY_READ | HV_MEMORY_WRITE | HV_MEMORY_EXEC),
			 HV_SUCCESS);
	guest_load("load");

	memset(st, 0, sizeof(st));
	for (unsigned i = 0; i < NVCPU; i++) {
		st[i].idx = i;
		ck_assert_int_eq(pthread_create(&st[i].th, NULL, vcpu_main, &st[i]), 0);
	}
	pthread_t inj, can;
	ck_assert_int_eq(pthread_create(&inj, NULL, injector_main, NULL), 0);
	ck_assert_int_eq(pthread_create(&can, NULL, canceller_main, NULL), 0);

	/* Monitor: progress, or a stall of STALL_SECONDS = deadlock. */
	double t0 = now(), last_progress = t0;
	uint64_t last_exits = 0;
	bool stalled = false;
	while (now() - t0 < secs && !atomic_load(&failed)) {
		usleep(100000);
		uint64_t e = TOTAL(exits);
		if (e != last_exits) {
			last_exits = e;
			last_progress = now();
		} else if (now() - last_progress > STALL_SECONDS) {
			stalled = true;
			break;
		}
	}
	atomic_store(&stop_kicks, true);
	pthread_join(inj, NULL);
	pthread_join(can, NULL);
	atomic_store(&stop_all, true);
	/* Drain: every outstanding kick and IRQ must still complete. */
	double t1 = now();
	for (unsigned i = 0; i < NVCPU && !stalled; i++) {
		while ((atomic_load(&st[i].kick_out) || atomic_load(&st[i].irq_want)) &&
		       atomic_load(&st[i].ready) && now() - t1 < STALL_SECONDS)
			usleep(1000);
		if (now() - t1 >= STALL_SECONDS)
			stalled = true;
	}
	if (stalled) {
		/* Unstick whatever is left so that the threads can be joined. */
		atomic_store(&failed, true);
		for (unsigned i = 0; i < NVCPU; i++) {
			hv_vcpu_t v = atomic_load(&st[i].vcpu);
			if (atomic_load(&st[i].ready))
				hv_vcpus_exit(&v, 1);
		}
	}
	for (unsigned i = 0; i < NVCPU; i++)
		pthread_join(st[i].th, NULL);
	double dt = now() - t0;

	for (unsigned i = 0; i < NVCPU; i++)
		ck_assert_msg(st[i].error[0] == 0, "%s", st[i].error);
	ck_assert_msg(!stalled, "no exit for %.0f s: deadlock or lost cancel", STALL_SECONDS);
	for (unsigned i = 0; i < NVCPU; i++) {
		struct vcpu_state *s = &st[i];
		ck_assert_msg(s->kicks == s->canceled, "vCPU %u: %llu kicks, %llu CANCELED exits", i,
			      (unsigned long long)s->kicks, (unsigned long long)s->canceled);
		ck_assert_msg(s->irq_req == s->irq_ack, "vCPU %u: %llu IRQs injected, %llu acknowledged",
			      i, (unsigned long long)s->irq_req, (unsigned long long)s->irq_ack);
		ck_assert_uint_gt(s->mmio, 0);
	}
	fprintf(stderr,
		"load: %.1f s, %u vCPUs on 2 cores: %llu exits (%llu MMIO, %llu CANCELED, "
		"%llu IRQs acked)\n",
		dt, NVCPU, TOTAL(exits),
		TOTAL(mmio), TOTAL(canceled),
		TOTAL(irq_ack));
	ck_assert_int_eq(hv_vm_unmap(GUEST_RAM_IPA, GUEST_RAM_SIZE), HV_SUCCESS);
	ck_assert_int_eq(hv_vm_destroy(), HV_SUCCESS);
	munmap(g_ram, GUEST_RAM_SIZE);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("load");
	TCase *t = tcase_create("load");
	/* LOAD_SECONDS plus draining; soak runs set CK_DEFAULT_TIMEOUT too. */
	double secs = getenv("LOAD_SECONDS") ? atof(getenv("LOAD_SECONDS")) : 10;
	tcase_set_timeout(t, secs + 60);
	tcase_add_test(t, load_8_vcpus_2_cores);
	suite_add_tcase(s, t);
	return run_suite(s);
}
