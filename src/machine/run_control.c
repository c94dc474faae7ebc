/*
 * run_control.c - one thread per vCPU (it creates and owns its hv vCPU),
 * a command loop on each so the debugger can reach the registers, and
 * the all-stop model: the first stop event of any vCPU makes the others
 * leave hv_vcpu_run (hv_vcpus_exit) and the machine stops as a whole.
 */
#include "machine_internal.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

int run_control_start(struct machine *m, char *err, size_t errlen);
void run_control_stop(struct machine *m);
enum { HX_CONTINUE = 0, HX_STOP = 1, HX_OFF = 2 };

/* Kicks every vCPU in hv_vcpu_run and wakes WFI sleepers (lock held). */
static void kick_all_locked(struct machine *m)
{
	hv_vcpu_t ids[MACHINE_MAX_VCPUS];
	uint32_t n = 0;
	for (unsigned i = 0; i < m->ncpus; i++)
		if (m->vcpu[i].state == VCPU_RUNNING && m->vcpu[i].created)
			ids[n++] = m->vcpu[i].hv;
	if (n)
		hv_vcpus_exit(ids, n);
	pthread_cond_broadcast(&m->cv);
}

void publish_stop(struct machine *m, const struct machine_stop *ev)
{
	if (ev->reason == STOP_NONE)
		return;
	if (!m->have_event) {
		m->event = *ev;
		m->have_event = true;
	}
	if (ev->reason == STOP_GUEST_EXIT)
		m->exited = true;
	atomic_store(&m->stop_requested, true);
	kick_all_locked(m);
}

/* The last vCPU left its run loop (lock held): the machine is stopped. */
static void all_stopped_locked(struct machine *m)
{
	m->running = false;
	debug_remove_sw_bps(m);
	if (!m->internal) {
		if (!m->have_event) {
			struct machine_stop ev = { .reason = STOP_NONE, .hw_slot = -1 };
			unsigned first = 0;
			bool any_on = false;
			for (unsigned i = 0; i < m->ncpus; i++)
				if (m->vcpu[i].state != VCPU_OFF) {
					if (!any_on)
						first = i;
					any_on = true;
				}
			if (m->interrupt_req) {
				ev = m->vcpu[first].last;
				ev.reason = STOP_INTERRUPT;
				ev.vcpu = first;
			} else if (!any_on) {
				/* Every vCPU did CPU_OFF: the machine is as good as off. */
				ev.reason = STOP_GUEST_EXIT;
				m->exited = true;
			}
			m->event = ev;
			m->have_event = true;
		}
		char c = 1;
		if (write(m->stop_pipe[1], &c, 1) < 0 && errno != EAGAIN)
			perror("hvdbg: stop pipe");
	}
	m->interrupt_req = false;
	pthread_cond_broadcast(&m->cv);
}

bool machine_insn_is_call(uint32_t insn)
{
	return (insn & 0xfc000000) == 0x94000000 ||  /* BL */
	       (insn & 0xfffffc1f) == 0xd63f0000 ||  /* BLR */
	       (insn & 0xfefff800) == 0xd63f0800;    /* BLRAA, BLRAB, BLRAAZ, BLRABZ */
}

/* After a step inside machine_step_range: go on with the next one? */
static bool range_goes_on(struct mvcpu *v)
{
	uint64_t pc;
	uint32_t insn;
	if (!v->range_left || vcpu_read_pc(v, &pc) != 0 || pc < v->range_lo || pc >= v->range_hi)
		return false;
	if (v->range_stop_at_calls && (vcpu_fetch_insn(v, pc, &insn) != 0 || machine_insn_is_call(insn)))
		return false;
	v->range_left--;
	return true;
}

/* Runs v until a stop event, a stop request, or CPU_OFF (on v's thread,
 * without the lock).  Returns the event and whether v powered off. */
static void run_vcpu(struct mvcpu *v, enum machine_run_action act, bool stepover,
		     struct machine_stop *out, bool *off)
{
	struct machine *m = v->m;
	bool stepping = act == RUN_STEP || stepover, suppress = stepover;
	bool watch_pending = false;
	struct machine_stop ev = { .hw_slot = -1 }, wev = { 0 };
	*off = false;
	for (;;) {
		if (atomic_load(&m->stop_requested)) {
			ev.reason = STOP_NONE;
			break;
		}
		board_prepare_run(v, stepping);
		if (debug_prepare_run(v, stepping, suppress)) {
			ev.reason = STOP_ERROR;
			ev.hv_error = HV_ERROR;
			break;
		}
		hv_return_t r = hv_vcpu_run(v->hv);
		if (r != HV_SUCCESS) {
			ev.reason = STOP_ERROR;
			ev.hv_error = r;
			break;
		}
		memset(&ev, 0, sizeof(ev));
		ev.hw_slot = -1;
		int hx = machine_handle_exit(v, stepping, &ev);
		if (hx == HX_CONTINUE)
			continue;
		if (hx == HX_OFF) {
			*off = true;
			ev.reason = STOP_NONE;
			break;
		}
		/* The REPL wants the watchpoint reported after the access: step
		 * over it with our watchpoints off, then report. */
		if (ev.reason == STOP_WATCHPOINT && m->o.watch_stop_after && !watch_pending) {
			vcpu_read_pc(v, &ev.watch_pc);
			wev = ev;
			watch_pending = stepping = suppress = true;
			continue;
		}
		if (watch_pending && ev.reason == STOP_STEP) {
			ev = wev;
		} else if (ev.reason == STOP_STEP && act == RUN_STEP && !stepover && range_goes_on(v)) {
			continue;
		}
		break;
	}
	if (stepping)
		debug_end_step(v);
	ev.vcpu = v->idx;
	vcpu_read_pc(v, &ev.pc);
	if (ev.reason == STOP_WATCHPOINT && !watch_pending)
		ev.watch_pc = ev.pc;
	*out = ev;
}

static void *vcpu_main(void *arg)
{
	struct mvcpu *v = arg;
	struct machine *m = v->m;
	hv_return_t r = hv_vcpu_create(&v->hv, &v->exit, NULL);
	pthread_mutex_lock(&m->lock);
	v->create_rc = r;
	v->created = r == HV_SUCCESS;
	pthread_cond_broadcast(&m->cv);
	if (!v->created) {
		pthread_mutex_unlock(&m->lock);
		return NULL;
	}
	/* Affinity = index (Aff0; Aff1..3 = 0), as PSCI CPU_ON targets. */
	hv_vcpu_set_sys_reg(v->hv, HV_SYS_REG_MPIDR_EL1, (1ull << 31) | v->idx);
	hv_vcpu_set_vtimer_offset(v->hv, m->vtimer_offset);
	hv_vcpu_set_reg(v->hv, HV_REG_CPSR, machine_boot_cpsr(m));
	for (;;) {
		while (!v->cmd && !v->go && !v->boot_pending && !m->quit)
			pthread_cond_wait(&m->cv, &m->lock);
		if (m->quit)
			break;
		if (v->boot_pending) {
			vcpu_boot_state(v, v->boot_pc, v->boot_x0);
			v->boot_pending = false;
			/* A fresh boot: no stop at this PC yet (no step-over). */
			v->last = (struct machine_stop){ .reason = STOP_NONE, .vcpu = v->idx,
							 .pc = v->boot_pc, .hw_slot = -1 };
			pthread_cond_broadcast(&m->cv);
			continue;
		}
		if (v->cmd) {
			v->cmd->rc = v->cmd->fn(v, v->cmd->arg);
			v->cmd->done = true;
			v->cmd = NULL;
			pthread_cond_broadcast(&m->cv);
			continue;
		}
		/* go: state was set to RUNNING by whoever started us */
		v->go = false;
		enum machine_run_action act = v->action;
		bool stepover = v->stepover;
		v->mmu_valid = false;
		pthread_mutex_unlock(&m->lock);
		struct machine_stop ev;
		bool off;
		run_vcpu(v, act, stepover, &ev, &off);
		pthread_mutex_lock(&m->lock);
		v->last = ev;
		v->state = off ? VCPU_OFF : VCPU_STOPPED;
		if (!m->internal)
			publish_stop(m, &ev);
		else if (!m->have_event || ev.reason != STOP_NONE)
			m->event = ev, m->have_event = true; /* the step-over result */
		if (--m->nrunning == 0)
			all_stopped_locked(m);
		pthread_cond_broadcast(&m->cv);
	}
	pthread_mutex_unlock(&m->lock);
	hv_vcpu_destroy(v->hv);
	return NULL;
}

/* PSCI CPU_ON (lock held, t is OFF): boot state applied on t's thread;
 * t starts at once if the machine is running. */
void psci_cpu_on_locked(struct machine *m, struct mvcpu *t, uint64_t pc, uint64_t ctx)
{
	t->boot_pending = true;
	t->boot_pc = pc;
	t->boot_x0 = ctx;
	if (m->running && m->start_new && !atomic_load(&m->stop_requested) && !m->internal) {
		t->state = VCPU_RUNNING;
		t->action = RUN_CONT;
		t->stepover = false;
		t->go = true;
		m->nrunning++;
	} else {
		t->state = VCPU_STOPPED;
	}
	pthread_cond_broadcast(&m->cv);
}

int run_control_start(struct machine *m, char *err, size_t errlen)
{
	for (unsigned i = 0; i < m->ncpus; i++) {
		struct mvcpu *v = &m->vcpu[i];
		v->m = m;
		v->idx = i;
		v->state = i == 0 ? VCPU_STOPPED : VCPU_OFF;
		v->last.hw_slot = -1;
		v->last.vcpu = i;
		if (pthread_create(&v->thread, NULL, vcpu_main, v)) {
			snprintf(err, errlen, "cannot start the vCPU threads");
			m->ncpus = i;
			run_control_stop(m);
			return -1;
		}
		pthread_mutex_lock(&m->lock);
		while (!v->created && v->create_rc == HV_SUCCESS)
			pthread_cond_wait(&m->cv, &m->lock);
		hv_return_t rc = v->create_rc;
		pthread_mutex_unlock(&m->lock);
		if (rc != HV_SUCCESS) {
			snprintf(err, errlen, "hv_vcpu_create failed for vCPU %u (0x%x)", i, (unsigned)rc);
			pthread_join(v->thread, NULL);
			m->ncpus = i;
			run_control_stop(m);
			return -1;
		}
	}
	/* Hardware slot counts: ID_AA64DFR0_EL1.BRPs/WRPs + 1. */
	uint64_t dfr0 = 0;
	hv_vcpu_config_t c = hv_vcpu_config_create();
	if (c) {
		hv_vcpu_config_get_feature_reg(c, HV_FEATURE_REG_ID_AA64DFR0_EL1, &dfr0);
		os_release(c);
	}
	m->nhwbp = (unsigned)((dfr0 >> 12) & 15) + 1;
	m->nhwwp = (unsigned)((dfr0 >> 20) & 15) + 1;
	return 0;
}

void run_control_stop(struct machine *m)
{
	machine_interrupt(m);
	pthread_mutex_lock(&m->lock);
	while (m->running)
		pthread_cond_wait(&m->cv, &m->lock);
	m->quit = true;
	pthread_cond_broadcast(&m->cv);
	pthread_mutex_unlock(&m->lock);
	for (unsigned i = 0; i < m->ncpus; i++)
		pthread_join(m->vcpu[i].thread, NULL);
}

/* ------------------------------------------------------------ commands */

int require_stopped(struct machine *m, unsigned idx)
{
	if (idx >= m->ncpus)
		return MACHINE_ERR_ARG;
	pthread_mutex_lock(&m->lock);
	bool running = m->running;
	pthread_mutex_unlock(&m->lock);
	return running ? MACHINE_ERR_RUNNING : 0;
}

int vcpu_call(struct machine *m, unsigned idx, int (*fn)(struct mvcpu *, void *), void *arg)
{
	if (idx >= m->ncpus)
		return MACHINE_ERR_ARG;
	struct mvcpu *v = &m->vcpu[idx];
	struct vcpu_cmd c = { fn, arg, 0, false };
	pthread_mutex_lock(&m->lock);
	if (m->running) {
		pthread_mutex_unlock(&m->lock);
		return MACHINE_ERR_RUNNING;
	}
	while (v->cmd) /* another caller's command in flight */
		pthread_cond_wait(&m->cv, &m->lock);
	v->cmd = &c;
	pthread_cond_broadcast(&m->cv);
	while (!c.done)
		pthread_cond_wait(&m->cv, &m->lock);
	pthread_mutex_unlock(&m->lock);
	return c.rc;
}

/* Starts the given vCPUs (lock held). */
static void start_locked(struct machine *m, const enum machine_run_action *act, int only,
			 bool stepover)
{
	atomic_store(&m->stop_requested, false);
	m->have_event = false;
	m->interrupt_req = false;
	m->running = true;
	m->nrunning = 0;
	/* While single-stepping or holding vCPUs, a vCPU started by PSCI
	 * CPU_ON waits for the next resume instead of running unseen. */
	m->start_new = only < 0;
	for (unsigned i = 0; act && i < m->ncpus; i++)
		if (act[i] != RUN_CONT)
			m->start_new = false;
	if (m->interrupt_pending && !m->internal) { /* stops before the first instruction */
		m->interrupt_pending = false;
		m->interrupt_req = true;
		atomic_store(&m->stop_requested, true);
	}
	for (unsigned i = 0; i < m->ncpus; i++) {
		struct mvcpu *v = &m->vcpu[i];
		enum machine_run_action a = only >= 0 ? (i == (unsigned)only ? RUN_STEP : RUN_STAY)
						      : act ? act[i] : RUN_CONT;
		if (v->state != VCPU_STOPPED || a == RUN_STAY)
			continue;
		v->state = VCPU_RUNNING;
		v->action = a;
		v->stepover = stepover;
		v->go = true;
		m->nrunning++;
	}
	if (m->nrunning == 0)
		all_stopped_locked(m);
	pthread_cond_broadcast(&m->cv);
}

static void drain_pipe(struct machine *m)
{
	char buf[16];
	while (read(m->stop_pipe[0], buf, sizeof(buf)) > 0)
		;
}

int machine_resume(struct machine *m, const enum machine_run_action *action)
{
	pthread_mutex_lock(&m->lock);
	if (m->running) {
		pthread_mutex_unlock(&m->lock);
		return MACHINE_ERR_RUNNING;
	}
	if (m->exited) {
		pthread_mutex_unlock(&m->lock);
		return MACHINE_ERR_EXITED;
	}
	pthread_mutex_unlock(&m->lock);
	drain_pipe(m);
	/* Phase 1: a vCPU on one of our breakpoints/watchpoints first steps
	 * over it alone, with breakpoints out of memory and its hardware
	 * slots off (as gdbserver and QEMU do). */
	for (unsigned i = 0; i < m->ncpus; i++) {
		enum machine_run_action a = action ? action[i] : RUN_CONT;
		struct mvcpu *v = &m->vcpu[i];
		if (a == RUN_STAY || v->state != VCPU_STOPPED || !debug_any_active(m))
			continue;
		uint64_t pc;
		if (machine_get_reg(m, i, HV_REG_PC, &pc))
			return MACHINE_ERR_HV;
		if (!debug_needs_stepover(v, pc, a == RUN_STEP))
			continue;
		pthread_mutex_lock(&m->lock);
		m->internal = true;
		start_locked(m, NULL, (int)i, true);
		while (m->running)
			pthread_cond_wait(&m->cv, &m->lock);
		m->internal = false;
		struct machine_stop ev = m->event;
		bool stop = ev.reason != STOP_STEP || a == RUN_STEP;
		if (stop) {
			/* The step-over is the requested step, or something else
			 * happened during it (guest exit, fault): report it. */
			m->event = ev;
			m->have_event = true;
			if (ev.reason == STOP_GUEST_EXIT)
				m->exited = true;
			char c = 1;
			if (write(m->stop_pipe[1], &c, 1) < 0 && errno != EAGAIN)
				perror("hvdbg: stop pipe");
			pthread_mutex_unlock(&m->lock);
			return 0;
		}
		pthread_mutex_unlock(&m->lock);
	}
	/* Phase 2: breakpoints in, everyone asked goes. */
	pthread_mutex_lock(&m->lock);
	debug_insert_sw_bps(m);
	start_locked(m, action, -1, false);
	pthread_mutex_unlock(&m->lock);
	return 0;
}

int machine_wait(struct machine *m, struct machine_stop *st, int timeout_ms)
{
	struct timespec dl;
	clock_gettime(CLOCK_MONOTONIC, &dl);
	if (timeout_ms >= 0) {
		dl.tv_sec += timeout_ms / 1000;
		dl.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
		if (dl.tv_nsec >= 1000000000L) {
			dl.tv_sec++;
			dl.tv_nsec -= 1000000000L;
		}
	}
	pthread_mutex_lock(&m->lock);
	while (m->running) {
		if (timeout_ms < 0) {
			pthread_cond_wait(&m->cv, &m->lock);
		} else if (pthread_cond_timedwait(&m->cv, &m->lock, &dl) == ETIMEDOUT && m->running) {
			pthread_mutex_unlock(&m->lock);
			return MACHINE_ERR_TIMEOUT;
		}
	}
	if (st) {
		if (m->have_event)
			*st = m->event;
		else
			*st = (struct machine_stop){ .reason = STOP_NONE, .hw_slot = -1 };
	}
	pthread_mutex_unlock(&m->lock);
	drain_pipe(m);
	return 0;
}

void machine_interrupt(struct machine *m)
{
	pthread_mutex_lock(&m->lock);
	if (m->running && !m->internal) {
		m->interrupt_req = true;
		atomic_store(&m->stop_requested, true);
		kick_all_locked(m);
	} else {
		m->interrupt_pending = true;
	}
	pthread_mutex_unlock(&m->lock);
}

void machine_interrupt_discard(struct machine *m)
{
	pthread_mutex_lock(&m->lock);
	m->interrupt_pending = false;
	pthread_mutex_unlock(&m->lock);
}

int machine_cont(struct machine *m, struct machine_stop *st, int timeout_ms)
{
	int rc = machine_resume(m, NULL);
	if (rc)
		return rc;
	rc = machine_wait(m, st, timeout_ms);
	if (rc == MACHINE_ERR_TIMEOUT) {
		machine_interrupt(m);
		machine_wait(m, st, -1);
	}
	return rc;
}

int machine_stepi(struct machine *m, unsigned vcpu, bool others_run, struct machine_stop *st)
{
	enum machine_run_action act[MACHINE_MAX_VCPUS];
	if (vcpu >= m->ncpus)
		return MACHINE_ERR_ARG;
	if (m->vcpu[vcpu].state == VCPU_OFF)
		return MACHINE_ERR_OFF;
	for (unsigned i = 0; i < m->ncpus; i++)
		act[i] = i == vcpu ? RUN_STEP : others_run ? RUN_CONT : RUN_STAY;
	int rc = machine_resume(m, act);
	if (rc)
		return rc;
	return machine_wait(m, st, -1);
}

int machine_step_range(struct machine *m, unsigned vcpu, uint64_t lo, uint64_t hi, uint64_t max,
		       bool stop_at_calls, struct machine_stop *st, uint64_t *steps)
{
	if (vcpu >= m->ncpus || max == 0)
		return MACHINE_ERR_ARG;
	struct mvcpu *v = &m->vcpu[vcpu];
	pthread_mutex_lock(&m->lock);
	bool busy = m->running;
	if (!busy) { /* read by the vCPU thread once it is started */
		v->range_lo = lo;
		v->range_hi = hi;
		v->range_left = max - 1;
		v->range_stop_at_calls = stop_at_calls;
	}
	pthread_mutex_unlock(&m->lock);
	if (busy)
		return MACHINE_ERR_RUNNING;
	int rc = machine_stepi(m, vcpu, false, st);
	pthread_mutex_lock(&m->lock);
	if (steps)
		*steps = max - v->range_left;
	v->range_left = 0;
	pthread_mutex_unlock(&m->lock);
	return rc;
}

int machine_stop_fd(const struct machine *m)
{
	return m->stop_pipe[0];
}

bool machine_running(const struct machine *m)
{
	struct machine *mm = (struct machine *)m;
	pthread_mutex_lock(&mm->lock);
	bool r = m->running;
	pthread_mutex_unlock(&mm->lock);
	return r;
}

int machine_set_watch_stop_after(struct machine *m, bool after)
{
	pthread_mutex_lock(&m->lock);
	/* The vCPU threads read it while running: change it only stopped. */
	int rc = m->running ? MACHINE_ERR_RUNNING : 0;
	if (!rc)
		m->o.watch_stop_after = after;
	pthread_mutex_unlock(&m->lock);
	return rc;
}

bool machine_watch_stop_after(const struct machine *m)
{
	return m->o.watch_stop_after;
}

bool machine_exited(const struct machine *m)
{
	struct machine *mm = (struct machine *)m;
	pthread_mutex_lock(&mm->lock);
	bool r = m->exited;
	pthread_mutex_unlock(&mm->lock);
	return r;
}

enum machine_vcpu_state machine_vcpu_state(const struct machine *m, unsigned vcpu)
{
	struct machine *mm = (struct machine *)m;
	if (vcpu >= m->ncpus)
		return VCPU_OFF;
	pthread_mutex_lock(&mm->lock);
	enum machine_vcpu_state s = m->vcpu[vcpu].state;
	pthread_mutex_unlock(&mm->lock);
	return s;
}

int machine_vcpu_last_stop(const struct machine *m, unsigned vcpu, struct machine_stop *st)
{
	struct machine *mm = (struct machine *)m;
	if (vcpu >= m->ncpus)
		return MACHINE_ERR_ARG;
	pthread_mutex_lock(&mm->lock);
	*st = m->vcpu[vcpu].last;
	pthread_mutex_unlock(&mm->lock);
	return 0;
}

int machine_vcpu_last_exit(const struct machine *m, unsigned vcpu, hv_vcpu_exit_t *ex)
{
	struct machine *mm = (struct machine *)m;
	if (vcpu >= m->ncpus)
		return MACHINE_ERR_ARG;
	pthread_mutex_lock(&mm->lock);
	*ex = m->vcpu[vcpu].last_exit;
	pthread_mutex_unlock(&mm->lock);
	return 0;
}

int machine_vcpu_stats(const struct machine *m, unsigned vcpu, struct machine_exit_stats *s)
{
	struct machine *mm = (struct machine *)m;
	if (vcpu >= m->ncpus)
		return MACHINE_ERR_ARG;
	pthread_mutex_lock(&mm->lock);
	*s = m->vcpu[vcpu].stats;
	pthread_mutex_unlock(&mm->lock);
	return 0;
}

/* ----------------------------------------------------------- registers */

struct reg_arg {
	unsigned kind; /* 0 core, 1 sys, 2 simd, 3 sp, 4 core batch */
	bool set;
	uint32_t reg;
	uint64_t val;
	uint8_t simd[16];
	uint64_t *batch;
};

static int sp_reg(struct mvcpu *v, hv_sys_reg_t *r)
{
	uint64_t cpsr;
	if (hv_vcpu_get_reg(v->hv, HV_REG_CPSR, &cpsr))
		return MACHINE_ERR_HV;
	*r = cpsr_sp_reg(cpsr);
	return 0;
}

static bool is_debug_reg(uint32_t r)
{
	return (r >> 14) == 2 && ((r >> 7) & 15) == 0 &&
	       (((r & 7) >= 4) || r == HV_SYS_REG_MDSCR_EL1);
}

static int reg_fn(struct mvcpu *v, void *p)
{
	struct reg_arg *a = p;
	hv_return_t r = HV_SUCCESS;
	switch (a->kind) {
	case 0:
		r = a->set ? hv_vcpu_set_reg(v->hv, (hv_reg_t)a->reg, a->val)
			   : hv_vcpu_get_reg(v->hv, (hv_reg_t)a->reg, &a->val);
		break;
	case 1:
		if (v->dbg_owned && is_debug_reg(a->reg)) {
			/* The guest's view while the debugger owns the registers. */
			if (debug_emulate_sysreg(v, (hv_sys_reg_t)a->reg, !a->set, &a->val))
				return 0;
		}
		r = a->set ? hv_vcpu_set_sys_reg(v->hv, (hv_sys_reg_t)a->reg, a->val)
			   : hv_vcpu_get_sys_reg(v->hv, (hv_sys_reg_t)a->reg, &a->val);
		if (a->set)
			v->mmu_valid = false;
		break;
	case 2: {
		hv_simd_fp_uchar16_t q;
		if (a->set) {
			memcpy(&q, a->simd, 16);
			r = hv_vcpu_set_simd_fp_reg(v->hv, (hv_simd_fp_reg_t)a->reg, q);
		} else {
			r = hv_vcpu_get_simd_fp_reg(v->hv, (hv_simd_fp_reg_t)a->reg, &q);
			memcpy(a->simd, &q, 16);
		}
		break;
	}
	case 3: {
		hv_sys_reg_t sr;
		if (sp_reg(v, &sr))
			return MACHINE_ERR_HV;
		r = a->set ? hv_vcpu_set_sys_reg(v->hv, sr, a->val) : hv_vcpu_get_sys_reg(v->hv, sr, &a->val);
		break;
	}
	case 4: {
		for (unsigned i = 0; i <= 30 && r == HV_SUCCESS; i++)
			r = hv_vcpu_get_reg(v->hv, (hv_reg_t)(HV_REG_X0 + i), &a->batch[i]);
		hv_sys_reg_t sr;
		if (r == HV_SUCCESS && sp_reg(v, &sr) == 0)
			r = hv_vcpu_get_sys_reg(v->hv, sr, &a->batch[31]);
		if (r == HV_SUCCESS)
			r = hv_vcpu_get_reg(v->hv, HV_REG_PC, &a->batch[32]);
		if (r == HV_SUCCESS)
			r = hv_vcpu_get_reg(v->hv, HV_REG_CPSR, &a->batch[33]);
		break;
	}
	default:
		return MACHINE_ERR_ARG;
	}
	return r == HV_SUCCESS ? 0 : MACHINE_ERR_ARG;
}

static int reg_call(struct machine *m, unsigned vcpu, struct reg_arg *a)
{
	return vcpu_call(m, vcpu, reg_fn, a);
}

int machine_get_reg(struct machine *m, unsigned vcpu, hv_reg_t r, uint64_t *v)
{
	struct reg_arg a = { .kind = 0, .reg = r };
	int rc = reg_call(m, vcpu, &a);
	if (!rc)
		*v = a.val;
	return rc;
}

int machine_set_reg(struct machine *m, unsigned vcpu, hv_reg_t r, uint64_t v)
{
	struct reg_arg a = { .kind = 0, .set = true, .reg = r, .val = v };
	return reg_call(m, vcpu, &a);
}

int machine_get_sys_reg(struct machine *m, unsigned vcpu, hv_sys_reg_t r, uint64_t *v)
{
	struct reg_arg a = { .kind = 1, .reg = r };
	int rc = reg_call(m, vcpu, &a);
	if (!rc)
		*v = a.val;
	return rc;
}

int machine_set_sys_reg(struct machine *m, unsigned vcpu, hv_sys_reg_t r, uint64_t v)
{
	struct reg_arg a = { .kind = 1, .set = true, .reg = r, .val = v };
	return reg_call(m, vcpu, &a);
}

int machine_get_simd(struct machine *m, unsigned vcpu, unsigned q, uint8_t out[16])
{
	if (q > 31)
		return MACHINE_ERR_ARG;
	struct reg_arg a = { .kind = 2, .reg = q };
	int rc = reg_call(m, vcpu, &a);
	if (!rc)
		memcpy(out, a.simd, 16);
	return rc;
}

int machine_set_simd(struct machine *m, unsigned vcpu, unsigned q, const uint8_t in[16])
{
	if (q > 31)
		return MACHINE_ERR_ARG;
	struct reg_arg a = { .kind = 2, .set = true, .reg = q };
	memcpy(a.simd, in, 16);
	return reg_call(m, vcpu, &a);
}

int machine_get_sp(struct machine *m, unsigned vcpu, uint64_t *v)
{
	struct reg_arg a = { .kind = 3 };
	int rc = reg_call(m, vcpu, &a);
	if (!rc)
		*v = a.val;
	return rc;
}

int machine_set_sp(struct machine *m, unsigned vcpu, uint64_t v)
{
	struct reg_arg a = { .kind = 3, .set = true, .val = v };
	return reg_call(m, vcpu, &a);
}

int machine_get_core_regs(struct machine *m, unsigned vcpu, uint64_t regs[34])
{
	struct reg_arg a = { .kind = 4, .batch = regs };
	return reg_call(m, vcpu, &a);
}
