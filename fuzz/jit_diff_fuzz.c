/*
 * jit_diff_fuzz.c - libFuzzer target: the emu backend's translator
 * (src/vcpu/emu/jit/) against its interpreter on the same inputs.
 *
 * The guest world and the input format are a64_exec_fuzz's
 * (fuzz/support/a64_guest.h), so its seeds (tests/fuzz-corpus/
 * a64_exec_fuzz/) serve here too.  Two vCPUs of one VM, each on its own
 * thread: one interpreted only (HV_EMU_JIT=0), one translating every
 * block at once (HV_EMU_JIT_HOT=0) into a 1 MiB code cache that overflows
 * often.  Each input runs on both from the same RAM; the registers, the
 * exit, the retired instruction count and all of RAM must then be equal,
 * otherwise the target prints the first difference and aborts.  Inputs
 * whose outcome depends on time are not compared: reads of the generic
 * timer's registers, vtimer exits, runs the watchdog had to cancel.
 *
 *   scripts/fuzz.sh jit_diff_fuzz       (build + run with the seed corpus)
 */
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <Hypervisor/Hypervisor.h>

#include "../src/vcpu/emu/probe.h"
#include "../tests/support/vcpu_outcome.h"
#include "support/a64_guest.h"

#define WATCHDOG_MS 20        /* the interpreter's run */
#define JIT_WATCHDOG_MS 5000  /* the translator's, once the interpreter stopped */

struct side {
	const char *name;
	bool jit;
	pthread_t thread;
	hv_vcpu_t vcpu;
	hv_vcpu_exit_t *vexit;
	uint64_t sctlr_reset;
	/* one job at a time, handed over under `lock` */
	const struct a64_input *job;
	unsigned ms;
	bool done, completed;
	struct vcpu_outcome out;
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
static struct side interp = { .name = "interpreter" }, jit = { .name = "translator", .jit = true };

static void run_job(struct side *s, const struct a64_input *p, unsigned ms)
{
	struct emu_probe before, after;
	a64_load_ram(p);
	A64_CHECK(emu_probe_vcpu(s->vcpu, &before));
	a64_reset_vcpu(s->vcpu, s->sctlr_reset, p);
	s->completed = a64_run_input(s->vcpu, s->vexit, p, ms);
	A64_CHECK(vcpu_outcome_capture(s->vcpu, s->vexit, a64_ram, &s->out));
	A64_CHECK(emu_probe_vcpu(s->vcpu, &after));
	s->out.retired = after.retired - before.retired;
	if (s->jit != after.translating) {
		fprintf(stderr, "jit_diff_fuzz: the %s vCPU %s translating\n", s->name,
			after.translating ? "is" : "is not");
		abort();
	}
}

static void *side_main(void *arg)
{
	struct side *s = arg;
	pthread_mutex_lock(&lock);
	/* The translator is chosen when the vCPU is created. */
	setenv("HV_EMU_JIT", s->jit ? "1" : "0", 1);
	setenv("HV_EMU_JIT_HOT", "0", 1);
	setenv("HV_EMU_JIT_CACHE_MB", "1", 1);
	A64_CHECK(hv_vcpu_create(&s->vcpu, &s->vexit, NULL));
	A64_CHECK(hv_vcpu_get_sys_reg(s->vcpu, HV_SYS_REG_SCTLR_EL1, &s->sctlr_reset));
	s->done = true;
	pthread_cond_broadcast(&cond);
	for (;;) {
		while (!s->job)
			pthread_cond_wait(&cond, &lock);
		const struct a64_input *p = s->job;
		pthread_mutex_unlock(&lock);
		run_job(s, p, s->ms);
		pthread_mutex_lock(&lock);
		s->job = NULL;
		s->done = true;
		pthread_cond_broadcast(&cond);
	}
	return NULL;
}

/* Runs p on side s's thread and waits for it. */
static void run_on(struct side *s, const struct a64_input *p, unsigned ms)
{
	pthread_mutex_lock(&lock);
	s->done = false;
	s->ms = ms;
	s->job = p;
	pthread_cond_broadcast(&cond);
	while (!s->done)
		pthread_cond_wait(&cond, &lock);
	pthread_mutex_unlock(&lock);
}

static void start(struct side *s)
{
	s->out.data_size = RAM_SIZE;
	s->out.data = malloc(RAM_SIZE);
	if (!s->out.data || pthread_create(&s->thread, NULL, side_main, s) != 0)
		abort();
	pthread_mutex_lock(&lock);
	while (!s->done)
		pthread_cond_wait(&cond, &lock);
	pthread_mutex_unlock(&lock);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	a64_guest_init("jit_diff_fuzz");
	start(&interp);
	start(&jit);
	return 0;
}

/* MRS of a generic timer register (CRn = 14): the value depends on time. */
static bool reads_timer(const struct a64_input *p)
{
	for (size_t i = 0; i < p->nwords; i++) {
		uint32_t w;
		memcpy(&w, p->words + 4 * i, 4);
		if ((w & 0xfff00000u) == 0xd5300000u && ((w >> 12) & 15) == 14)
			return true;
	}
	return false;
}

int LLVMFuzzerTestOneInput(const uint8_t *in, size_t size)
{
	struct a64_input p;
	a64_parse_input(in, size, &p);
	run_on(&interp, &p, WATCHDOG_MS);
	run_on(&jit, &p, interp.completed ? JIT_WATCHDOG_MS : WATCHDOG_MS);
	if (!interp.completed || reads_timer(&p) || interp.out.reason == HV_EXIT_REASON_VTIMER_ACTIVATED ||
	    jit.out.reason == HV_EXIT_REASON_VTIMER_ACTIVATED)
		return 0;
	if (!jit.completed) {
		fprintf(stderr, "jit_diff_fuzz: the translator ran on for %u ms where the interpreter stopped\n",
			JIT_WATCHDOG_MS);
		abort();
	}
	char what[96];
	if (vcpu_outcome_differs(&interp.out, &jit.out, what, sizeof(what))) {
		fprintf(stderr, "jit_diff_fuzz: %s (mode %#x, %zu words)\n", what, p.mode, p.nwords);
		abort();
	}
	return 0;
}
