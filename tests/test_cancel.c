/*
 * test_cancel.c - hv_vcpus_exit: a cancel before run, a cancel of a
 * running vCPU from another thread, and a stress test in which every one
 * of many cancels must produce exactly one HV_EXIT_REASON_CANCELED.
 */
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdatomic.h>
#include <time.h>
#include <unistd.h>

#include "backend.h"
#include "guest.h"

enum { E_SPIN, E_HVC, E_COUNT, E_EXCL, E_LDADD };

static void setup(void)
{
	vm_setup();
	guest_load("basic");
}

START_TEST(cancel_before_run)
{
	guest_start(E_COUNT);
	set_reg(HV_REG_X0, 0);
	ck_assert_int_eq(hv_vcpus_exit(&g_vcpu, 1), HV_SUCCESS);
	guest_run();
	ASSERT_EXIT_REASON(HV_EXIT_REASON_CANCELED);
	/* Nothing ran. */
	ASSERT_U64_EQ(guest_pc(), guest_addr(4 * E_COUNT));
	ASSERT_U64_EQ(reg(HV_REG_X0), 0);
	/* The cancel was consumed: the next run executes the guest. */
	guest_start(E_HVC);
	guest_run();
	ASSERT_HVC(1);
}
END_TEST

START_TEST(cancel_twice_before_run_is_one_exit)
{
	/* Two requests before a run collapse into one pending cancel. */
	ck_assert_int_eq(hv_vcpus_exit(&g_vcpu, 1), HV_SUCCESS);
	ck_assert_int_eq(hv_vcpus_exit(&g_vcpu, 1), HV_SUCCESS);
	guest_start(E_HVC);
	guest_run();
	ASSERT_EXIT_REASON(HV_EXIT_REASON_CANCELED);
	guest_run();
	ASSERT_HVC(1);
}
END_TEST

/* Cancels g_vcpu once the guest's counter in RAM has passed `above`:
 * the cancel reaches a vCPU that is known to be running its loop, however
 * late the scheduler let it start (a generous bound only catches a guest
 * that never runs). */
struct cancel_when_counting {
	volatile uint64_t *counter;
	uint64_t above;
	bool seen;
};

static void *cancel_when_counting_main(void *arg)
{
	struct cancel_when_counting *c = arg;
	const double limit = 10.0 * hv_test_time_scale();
	struct timespec t0, t;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	do {
		if (__atomic_load_n(c->counter, __ATOMIC_RELAXED) > c->above) {
			c->seen = true;
			break;
		}
		sched_yield();
		clock_gettime(CLOCK_MONOTONIC, &t);
	} while ((double)(t.tv_sec - t0.tv_sec) + (double)(t.tv_nsec - t0.tv_nsec) * 1e-9 < limit);
	hv_vcpus_exit(&g_vcpu, 1);
	return NULL;
}

static void run_until_counting(volatile uint64_t *counter, uint64_t above)
{
	struct cancel_when_counting c = { counter, above, false };
	pthread_t th;
	ck_assert_int_eq(pthread_create(&th, NULL, cancel_when_counting_main, &c), 0);
	guest_run();
	pthread_join(th, NULL);
	ck_assert_msg(c.seen, "the guest's counter never passed %llu", (unsigned long long)above);
	ASSERT_EXIT_REASON(HV_EXIT_REASON_CANCELED);
}

START_TEST(cancel_running)
{
	/* LDADD of 1 to a counter in RAM, X1 (= ~0: forever) times. */
	volatile uint64_t *counter = (volatile uint64_t *)(g_ram + GUEST_DATA_OFF);
	*counter = 0;
	guest_start(E_LDADD);
	set_reg(HV_REG_X1, ~0ull);
	set_reg(HV_REG_X2, guest_addr(GUEST_DATA_OFF));
	run_until_counting(counter, 0);
	/* It stopped inside its loop with consistent state: one LDADD per
	 * decrement of X1, at most one LDADD ahead. */
	uint64_t n = *counter, done = ~0ull - reg(HV_REG_X1);
	ck_assert_msg(n == done || n == done + 1, "counter %llu, X1 says %llu iterations",
		      (unsigned long long)n, (unsigned long long)done);
	/* It continues from where it stopped. */
	run_until_counting(counter, n);
	uint64_t n2 = *counter, done2 = ~0ull - reg(HV_REG_X1);
	ck_assert_uint_gt(n2, n);
	ck_assert_msg(n2 == done2 || n2 == done2 + 1, "counter %llu, X1 says %llu iterations",
		      (unsigned long long)n2, (unsigned long long)done2);
}
END_TEST

/*
 * Stress: the canceller thread calls hv_vcpus_exit once per round, at a
 * varying moment (before or while the vCPU runs), then waits for the
 * round to end.  Every run must return CANCELED; a lost cancel leaves the
 * run spinning, which the monitor detects (no progress for 2 s), reports
 * and breaks with an extra cancel.  A duplicated cancel shows up as a
 * CANCELED exit of the final run, which must exit by HVC instead.
 * The rounds stop early when a time budget is spent (a starved host, e.g.
 * the nested VM on one busy core): speed is not what the API promises,
 * every round's exactly-one-CANCELED is.
 */
/* 10,000 (the stress); CANCEL_ROUNDS overrides it for slow runs
 * such as make check-valgrind, where threads are serialised. */
static unsigned rounds(void)
{
	const char *e = getenv("CANCEL_ROUNDS");
	long n = e ? strtol(e, NULL, 10) : 0;
	return n > 0 ? (unsigned)n : 10000;
}
#define ROUNDS rounds()

struct stress {
	sem_t go, done;
	atomic_uint round;
	atomic_bool stop;
	atomic_uint lost;
	atomic_bool done_cancelling;
	hv_vcpu_t vcpu;
};

#define STRESS_BUDGET_SECS (15.0 * hv_test_time_scale())

static void *canceller(void *p)
{
	struct stress *s = p;
	for (unsigned i = 0;; i++) {
		sem_wait(&s->go);
		if (atomic_load(&s->done_cancelling))
			break;
		/* Vary the timing: immediately, or after a short spin. */
		for (volatile unsigned k = 0; k < (i % 7) * 200; k++)
			;
		hv_vcpus_exit(&s->vcpu, 1);
		sem_post(&s->done);
	}
	return NULL;
}

static void *monitor(void *p)
{
	struct stress *s = p;
	unsigned last = ~0u, idle = 0;
	const unsigned idle_limit = (unsigned)(20 * hv_test_time_scale()); /* 2 s */
	while (!atomic_load(&s->stop)) {
		usleep(100000);
		unsigned r = atomic_load(&s->round);
		if (r != last) {
			last = r;
			idle = 0;
		} else if (++idle >= idle_limit) {
			atomic_fetch_add(&s->lost, 1);
			hv_vcpus_exit(&s->vcpu, 1);
			idle = 0;
		}
	}
	return NULL;
}

START_TEST(cancel_stress)
{
	struct stress s = { .vcpu = g_vcpu };
	pthread_t ct, mt;
	sem_init(&s.go, 0, 0);
	sem_init(&s.done, 0, 0);
	ck_assert_int_eq(pthread_create(&ct, NULL, canceller, &s), 0);
	ck_assert_int_eq(pthread_create(&mt, NULL, monitor, &s), 0);

	guest_start(E_SPIN);
	unsigned canceled = 0, other = 0, done = 0;
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (unsigned i = 0; i < ROUNDS; i++) {
		clock_gettime(CLOCK_MONOTONIC, &t1);
		if ((double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) * 1e-9 >
		    STRESS_BUDGET_SECS)
			break;
		sem_post(&s.go);
		hv_return_t r = hv_vcpu_run(g_vcpu);
		if (r == HV_SUCCESS && g_exit->reason == HV_EXIT_REASON_CANCELED)
			canceled++;
		else
			other++;
		/* Round over only once the canceller's call has returned. */
		sem_wait(&s.done);
		atomic_store(&s.round, i + 1);
		done = i + 1;
		if (atomic_load(&s.lost) > 3)
			break;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	atomic_store(&s.done_cancelling, true);
	sem_post(&s.go);

	/* No cancel may be left over. */
	guest_start(E_HVC);
	hv_return_t r = hv_vcpu_run(g_vcpu);
	atomic_store(&s.stop, true);
	pthread_join(ct, NULL);
	pthread_join(mt, NULL);

	ck_assert_msg(atomic_load(&s.lost) == 0, "%u cancels lost (run kept going)",
		      atomic_load(&s.lost));
	ck_assert_uint_eq(other, 0);
	ck_assert_uint_gt(done, 0);
	ck_assert_uint_eq(canceled, done);
	ck_assert_int_eq(r, HV_SUCCESS);
	ck_assert_msg(g_exit->reason == HV_EXIT_REASON_EXCEPTION,
		      "a cancel was left pending after %u rounds (reason %u)", done,
		      (unsigned)g_exit->reason);
	ASSERT_HVC(1);
	double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) * 1e-9;
	fprintf(stderr, "cancel_stress: %u of %u rounds in %.1f s, each exactly one CANCELED\n",
		done, ROUNDS, secs);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("cancel");
	TCase *t = tcase_create("cancel");
	tcase_add_checked_fixture(t, setup, vm_teardown);
	tcase_set_timeout(t, 45);
	tcase_add_test(t, cancel_before_run);
	tcase_add_test(t, cancel_twice_before_run_is_one_exit);
	tcase_add_test(t, cancel_running);
	tcase_add_test(t, cancel_stress);
	suite_add_tcase(s, t);
	return run_suite(s);
}
