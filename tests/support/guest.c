/*
 * guest.c - shared helpers of the conformance suites (see guest.h).
 */
#include "guest.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

uint8_t *g_ram;
hv_vcpu_t g_vcpu;
hv_vcpu_exit_t *g_exit;

void vm_setup(void)
{
	vm_setup_with(NULL);
}

static void vm_setup_config(hv_vm_config_t config, void (*before_vcpu)(void))
{
	ck_assert_int_eq(hv_vm_create(config), HV_SUCCESS);
	if (before_vcpu)
		before_vcpu();
	g_ram = mmap(NULL, GUEST_RAM_SIZE, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ck_assert_ptr_ne(g_ram, MAP_FAILED);
	ck_assert_int_eq(hv_vm_map(g_ram, GUEST_RAM_IPA, GUEST_RAM_SIZE,
				   HV_MEMORY_READ | HV_MEMORY_WRITE | HV_MEMORY_EXEC),
			 HV_SUCCESS);
	g_exit = NULL;
	ck_assert_int_eq(hv_vcpu_create(&g_vcpu, &g_exit, NULL), HV_SUCCESS);
	ck_assert_ptr_nonnull(g_exit);
}

void vm_setup_with(void (*before_vcpu)(void))
{
	vm_setup_config(NULL, before_vcpu);
}

void vm_setup_el2_with(void (*before_vcpu)(void))
{
	hv_vm_config_t config = hv_vm_config_create();
	ck_assert_ptr_nonnull(config);
	ck_assert_int_eq(hv_vm_config_set_el2_enabled(config, true), HV_SUCCESS);
	vm_setup_config(config, before_vcpu);
	os_release(config);
}

void with_jit_hot(const char *hot, void (*setup)(void))
{
	const char *was = getenv("HV_EMU_JIT_HOT");
	char *saved = was ? strdup(was) : NULL;
	setenv("HV_EMU_JIT_HOT", hot, 1);
	setup();
	if (saved)
		setenv("HV_EMU_JIT_HOT", saved, 1);
	else
		unsetenv("HV_EMU_JIT_HOT");
	free(saved);
}

void vm_setup_el2(void)
{
	vm_setup_el2_with(NULL);
}

void vm_teardown(void)
{
	/* Each test runs in its own process (CK_FORK); still release in
	 * order so that leaks and ordering bugs show up. */
	hv_vcpu_destroy(g_vcpu);
	hv_vm_unmap(GUEST_RAM_IPA, GUEST_RAM_SIZE);
	hv_vm_destroy();
	munmap(g_ram, GUEST_RAM_SIZE);
}

void guest_load(const char *name)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s.bin", GUEST_DIR, name);
	FILE *f = fopen(path, "rb");
	ck_assert_msg(f != NULL, "cannot open %s: %s", path, strerror(errno));
	size_t n = fread(g_ram, 1, GUEST_DATA_OFF, f);
	ck_assert_msg(n > 0 && feof(f), "%s: empty or larger than %#llx bytes", path,
		      (unsigned long long)GUEST_DATA_OFF);
	fclose(f);
}

void guest_start(unsigned entry)
{
	set_reg(HV_REG_PC, guest_addr(4ull * entry));
	set_reg(HV_REG_CPSR, CPSR_EL1H_MASKED);
	set_sysreg(HV_SYS_REG_SP_EL1, GUEST_RAM_IPA + GUEST_RAM_SIZE);
}

/* Watchdog: cancels the vCPU unless the run ends first. */
struct watchdog {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool done, fired;
	unsigned ms;
	hv_vcpu_t vcpu;
};

static void *watchdog_main(void *arg)
{
	struct watchdog *w = arg;
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	t.tv_sec += w->ms / 1000;
	t.tv_nsec += (long)(w->ms % 1000) * 1000000L;
	if (t.tv_nsec >= 1000000000L) {
		t.tv_sec++;
		t.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&w->lock);
	while (!w->done) {
		if (pthread_cond_timedwait(&w->cond, &w->lock, &t) == ETIMEDOUT) {
			if (!w->done) {
				w->fired = true;
				hv_vcpus_exit(&w->vcpu, 1);
			}
			break;
		}
	}
	pthread_mutex_unlock(&w->lock);
	return NULL;
}

static bool run_with_watchdog(unsigned ms)
{
	struct watchdog w = { .ms = ms, .vcpu = g_vcpu };
	pthread_condattr_t ca;
	pthread_t th;

	pthread_mutex_init(&w.lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&w.cond, &ca);
	pthread_condattr_destroy(&ca);
	ck_assert_int_eq(pthread_create(&th, NULL, watchdog_main, &w), 0);

	hv_return_t r = hv_vcpu_run(g_vcpu);

	pthread_mutex_lock(&w.lock);
	w.done = true;
	pthread_cond_signal(&w.cond);
	pthread_mutex_unlock(&w.lock);
	pthread_join(th, NULL);
	pthread_cond_destroy(&w.cond);
	pthread_mutex_destroy(&w.lock);
	ck_assert_int_eq(r, HV_SUCCESS);
	return w.fired;
}

const hv_vcpu_exit_t *guest_run(void)
{
	bool fired = run_with_watchdog(5000);
	ck_assert_msg(!fired, "guest did not exit within 5 s (PC %#llx, exit reason %u)",
		      (unsigned long long)guest_pc(), (unsigned)g_exit->reason);
	return g_exit;
}

const hv_vcpu_exit_t *guest_run_for(unsigned ms)
{
	run_with_watchdog(ms);
	return g_exit;
}

uint64_t reg(hv_reg_t r)
{
	uint64_t v = 0;
	ck_assert_int_eq(hv_vcpu_get_reg(g_vcpu, r, &v), HV_SUCCESS);
	return v;
}

void set_reg(hv_reg_t r, uint64_t v)
{
	ck_assert_int_eq(hv_vcpu_set_reg(g_vcpu, r, v), HV_SUCCESS);
}

uint64_t sysreg(hv_sys_reg_t r)
{
	uint64_t v = 0;
	hv_return_t ret = hv_vcpu_get_sys_reg(g_vcpu, r, &v);
	ck_assert_msg(ret == HV_SUCCESS, "get_sys_reg(%#x) = %#x", (unsigned)r, (unsigned)ret);
	return v;
}

void set_sysreg(hv_sys_reg_t r, uint64_t v)
{
	hv_return_t ret = hv_vcpu_set_sys_reg(g_vcpu, r, v);
	ck_assert_msg(ret == HV_SUCCESS, "set_sys_reg(%#x) = %#x", (unsigned)r, (unsigned)ret);
}

uint64_t guest_pc(void)
{
	uint64_t v = 0;
	hv_vcpu_get_reg(g_vcpu, HV_REG_PC, &v);
	return v;
}

uint64_t sysreg_peek(hv_sys_reg_t r)
{
	uint64_t v = 0;
	hv_vcpu_get_sys_reg(g_vcpu, r, &v);
	return v;
}

struct thread_call {
	void (*fn)(void *);
	void *arg;
};

static void *thread_call_main(void *p)
{
	struct thread_call *c = p;
	c->fn(c->arg);
	return NULL;
}

void run_on_thread(void (*fn)(void *), void *arg)
{
	struct thread_call c = { fn, arg };
	pthread_t th;
	ck_assert_int_eq(pthread_create(&th, NULL, thread_call_main, &c), 0);
	ck_assert_int_eq(pthread_join(th, NULL), 0);
}

int run_suite(Suite *s)
{
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
