/*
 * test_smp.c - several vCPUs, each on its own thread, sharing guest RAM:
 * atomic increments (exclusives and LSE) must not lose updates, one
 * hv_vcpus_exit call cancels several vCPUs, and hv_vm_unmap from another
 * thread takes effect in a running guest.
 */
#include <pthread.h>
#include <semaphore.h>
#include <stdatomic.h>
#include <string.h>
#include <unistd.h>

#include "guest.h"

enum { E_SPIN, E_HVC, E_COUNT, E_EXCL_INC, E_LDADD_INC, E_LOAD_LOOP, E_SIMD, E_NZCV, E_LOAD_COUNT };

#define COUNTER_OFF (GUEST_DATA_OFF + 0x40)
#define ITERATIONS 100000

static void setup(void)
{
	vm_setup();
	guest_load("basic");
}

/* A second vCPU on its own thread: runs once from entry, then reports. */
struct vworker {
	pthread_t th;
	sem_t created;
	unsigned entry;
	uint64_t x1, x2;
	hv_vcpu_t id;
	hv_return_t create_rc, run_rc;
	hv_vcpu_exit_t exit;
	atomic_bool finished; /* run returned */
};

static void *vworker_main(void *p)
{
	struct vworker *w = p;
	hv_vcpu_exit_t *e;
	w->create_rc = hv_vcpu_create(&w->id, &e, NULL);
	if (w->create_rc != HV_SUCCESS) {
		sem_post(&w->created);
		return NULL;
	}
	hv_vcpu_set_reg(w->id, HV_REG_PC, guest_addr(4ull * w->entry));
	hv_vcpu_set_reg(w->id, HV_REG_CPSR, CPSR_EL1H_MASKED);
	hv_vcpu_set_reg(w->id, HV_REG_X1, w->x1);
	hv_vcpu_set_reg(w->id, HV_REG_X2, w->x2);
	hv_vcpu_set_sys_reg(w->id, HV_SYS_REG_SP_EL1, GUEST_RAM_IPA + GUEST_RAM_SIZE - 0x10000);
	sem_post(&w->created);
	w->run_rc = hv_vcpu_run(w->id);
	w->exit = *e;
	atomic_store(&w->finished, true);
	hv_vcpu_destroy(w->id);
	return NULL;
}

static void vworker_start(struct vworker *w, unsigned entry, uint64_t x1, uint64_t x2)
{
	w->entry = entry;
	w->x1 = x1;
	w->x2 = x2;
	atomic_init(&w->finished, false);
	sem_init(&w->created, 0, 0);
	ck_assert_int_eq(pthread_create(&w->th, NULL, vworker_main, w), 0);
	sem_wait(&w->created);
	ck_assert_int_eq(w->create_rc, HV_SUCCESS);
}

static void vworker_join(struct vworker *w)
{
	pthread_join(w->th, NULL);
	ck_assert_int_eq(w->run_rc, HV_SUCCESS);
}

static void concurrent_increments(unsigned entry, unsigned hvc)
{
	memset(g_ram + COUNTER_OFF, 0, 8);
	struct vworker w;
	vworker_start(&w, entry, ITERATIONS, guest_addr(COUNTER_OFF));
	guest_start(entry);
	set_reg(HV_REG_X1, ITERATIONS);
	set_reg(HV_REG_X2, guest_addr(COUNTER_OFF));
	guest_run();
	vworker_join(&w);
	ASSERT_HVC(hvc);
	ck_assert_uint_eq(w.exit.reason, HV_EXIT_REASON_EXCEPTION);
	ck_assert_uint_eq(w.exit.exception.syndrome, (0x16ull << 26) | ESR_IL | hvc);
	uint64_t total;
	memcpy(&total, g_ram + COUNTER_OFF, 8);
	ASSERT_U64_EQ(total, 2ull * ITERATIONS);
}

START_TEST(exclusive_increments)
{
	concurrent_increments(E_EXCL_INC, 3);
}
END_TEST

START_TEST(ldadd_increments)
{
	concurrent_increments(E_LDADD_INC, 4);
}
END_TEST

struct cancel_args {
	hv_vcpu_t ids[2];
	hv_return_t rc;
};

static void *cancel_later(void *p)
{
	struct cancel_args *a = p;
	usleep(50000);
	a->rc = hv_vcpus_exit(a->ids, 2);
	return NULL;
}

START_TEST(cancel_two_vcpus)
{
	struct vworker w;
	vworker_start(&w, E_SPIN, 0, 0);
	struct cancel_args a = { { g_vcpu, w.id }, HV_ERROR };
	pthread_t th;
	ck_assert_int_eq(pthread_create(&th, NULL, cancel_later, &a), 0);
	guest_start(E_SPIN);
	guest_run();
	pthread_join(th, NULL);
	vworker_join(&w);
	ck_assert_int_eq(a.rc, HV_SUCCESS);
	ASSERT_EXIT_REASON(HV_EXIT_REASON_CANCELED);
	ck_assert_uint_eq(w.exit.reason, HV_EXIT_REASON_CANCELED);
}
END_TEST

START_TEST(cancel_one_of_two)
{
	/* Cancelling vCPU 0 leaves vCPU 1 running. */
	struct vworker w;
	vworker_start(&w, E_SPIN, 0, 0);
	guest_start(E_SPIN);
	guest_run_for(30);
	ASSERT_EXIT_REASON(HV_EXIT_REASON_CANCELED);
	usleep(20000);
	/* The worker is still in its run; now stop it. */
	ck_assert(!atomic_load(&w.finished));
	hv_vcpu_t id = w.id;
	ck_assert_int_eq(hv_vcpus_exit(&id, 1), HV_SUCCESS);
	vworker_join(&w);
	ck_assert_uint_eq(w.exit.reason, HV_EXIT_REASON_CANCELED);
}
END_TEST

#define LOAD_COUNT_OFF (GUEST_DATA_OFF + 0x10000) /* a page that stays mapped */

/* Unmaps the page the guest loads from once the guest's count in RAM
 * shows it running (whenever the scheduler starts it; 5 s at most). */
static void *unmap_later(void *p)
{
	hv_return_t *rc = p;
	volatile uint64_t *count = (volatile uint64_t *)(g_ram + LOAD_COUNT_OFF);
	for (int i = 0; i < 5000 && __atomic_load_n(count, __ATOMIC_RELAXED) == 0; i++)
		usleep(1000);
	*rc = hv_vm_unmap(GUEST_RAM_IPA + GUEST_DATA_OFF, (size_t)sysconf(_SC_PAGESIZE));
	return NULL;
}

START_TEST(unmap_while_running)
{
	hv_return_t rc = HV_ERROR;
	pthread_t th;
	*(volatile uint64_t *)(g_ram + LOAD_COUNT_OFF) = 0;
	guest_start(E_LOAD_COUNT);
	set_reg(HV_REG_X1, guest_addr(GUEST_DATA_OFF + 0x18));
	set_reg(HV_REG_X3, 0);
	set_reg(HV_REG_X4, guest_addr(LOAD_COUNT_OFF));
	ck_assert_int_eq(pthread_create(&th, NULL, unmap_later, &rc), 0);
	guest_run();
	pthread_join(th, NULL);
	ck_assert_int_eq(rc, HV_SUCCESS);
	ASSERT_EXIT_EC(0x24);
	ASSERT_U64_EQ(g_exit->exception.physical_address, guest_addr(GUEST_DATA_OFF + 0x18));
	ck_assert_uint_gt(reg(HV_REG_X3), 0); /* it ran from the mapping before */
}
END_TEST

int main(void)
{
	Suite *s = suite_create("smp");
	TCase *t = tcase_create("smp");
	tcase_add_checked_fixture(t, setup, vm_teardown);
	tcase_set_timeout(t, 20);
	tcase_add_test(t, exclusive_increments);
	tcase_add_test(t, ldadd_increments);
	tcase_add_test(t, cancel_two_vcpus);
	tcase_add_test(t, cancel_one_of_two);
	tcase_add_test(t, unmap_while_running);
	suite_add_tcase(s, t);
	return run_suite(s);
}
