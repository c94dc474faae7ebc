/*
 * run.c - hv_vcpu_run on KVM_RUN: turns KVM's exits into the exits Apple's
 * framework reports, and hv_vcpus_exit's kick.
 *
 *  - KVM_EXIT_MMIO (and _ARM_NISV): EC 0x24 data abort, syndrome rebuilt
 *    from the instruction (decode.c); KVM's own completion of the access
 *    is skipped, the VMM sets the register and PC as with HVF.
 *  - KVM_EXIT_HYPERCALL (SMCCC filter): EC 0x16 HVC with PC after it, or
 *    EC 0x17 SMC with PC moved back onto it, as Apple reports them.
 *  - KVM_EXIT_DEBUG: the ESR KVM gives (BRK, breakpoint, watchpoint, step).
 *  - KVM_EXIT_INTR with device_irq_level: the virtual timer, with Apple's
 *    mask (an exit when it fires unmasked, and the mask is then set).
 *  - EINTR from the kick signal (immediate_exit set by its handler, so a
 *    kick before KVM_RUN is never lost): HV_EXIT_REASON_CANCELED.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>

#include "kvm.h"

#define EC_SHIFT 26
#define ESR_IL (1u << 25)
#define EC_HVC64 0x16u
#define EC_SMC64 0x17u
#define EC_DABT_LOWER 0x24u
#define EC_SOFTSTEP_LOWER 0x32u
#define EC_WATCHPOINT_LOWER 0x34u
#define PSTATE_SS (1ull << 21)
#define ISS_WNR (1u << 6)
#define DFSC_TRANSLATION_L3 0x07u
#define DFSC_PERMISSION_L3 0x0fu

#define MDSCR_SS (1ull << 0)
#define MDSCR_MDE (1ull << 15)

#define CNTV_CTL_ENABLE 1u
#define CNTV_CTL_IMASK 2u
#define CNTV_CTL_ISTATUS 4u

/* ------------------------------------------------------------------ */
/* The kick: a signal whose handler makes the thread's next (or current)
 * KVM_RUN return EINTR. */

int kvm_kick_signal(void)
{
	return SIGRTMIN + 5;
}

static void on_kick(int sig)
{
	(void)sig;
	struct kvm_run *run = kvm_tls_run;
	if (run)
		__atomic_store_n(&run->immediate_exit, 1, __ATOMIC_SEQ_CST);
}

static pthread_once_t kick_once = PTHREAD_ONCE_INIT;

static void install(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_kick; /* no SA_RESTART: KVM_RUN must return */
	sigemptyset(&sa.sa_mask);
	sigaction(kvm_kick_signal(), &sa, NULL);
}

void kvm_install_kick_handler(void)
{
	pthread_once(&kick_once, install);
}

void kvm_vcpu_kick(struct hv_vcpu_obj *v)
{
	pthread_kill(v->owner, kvm_kick_signal());
}

void kvm_pause_vcpus(struct kvm_vm_state *s)
{
	for (unsigned i = 0; i < HV_MAX_VCPUS; i++) {
		struct kvm_vcpu_state *c = s->vcpus[i];
		if (!c || !atomic_load(&c->in_run))
			continue;
		pthread_kill(c->owner, kvm_kick_signal());
		while (atomic_load(&c->in_run))
			sched_yield();
	}
}

/* ------------------------------------------------------------------ */
/* State applied before entry.                                         */

/* KVM_SET_GUEST_DEBUG from the debug registers the VMM wrote, while
 * trap_debug_exceptions is on (MDCR_EL2.TDE on Apple silicon). */
static void apply_debug(struct hv_vcpu_obj *v, struct kvm_vcpu_state *c)
{
	c->debug_dirty = false;
	struct kvm_guest_debug dbg;
	memset(&dbg, 0, sizeof(dbg));
	if (v->trap_debug_exceptions) {
		dbg.control = KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_USE_SW_BP;
		bool hw = false;
		for (unsigned i = 0; i < KVM_DBG_SLOTS; i++) {
			dbg.arch.dbg_bvr[i] = c->bvr[i];
			dbg.arch.dbg_bcr[i] = c->bcr[i];
			dbg.arch.dbg_wvr[i] = c->wvr[i];
			dbg.arch.dbg_wcr[i] = c->wcr[i];
			hw |= (c->bcr[i] & 1) || (c->wcr[i] & 1);
		}
		/* Breakpoints and watchpoints need MDSCR_EL1.MDE, as on hardware. */
		if (hw && (c->mdscr & MDSCR_MDE))
			dbg.control |= KVM_GUESTDBG_USE_HW;
		if (c->mdscr & MDSCR_SS)
			dbg.control |= KVM_GUESTDBG_SINGLESTEP;
	}
	if (dbg.control == 0 && c->debug_control == 0)
		return;
	if (ioctl(c->fd, KVM_SET_GUEST_DEBUG, &dbg) == 0)
		c->debug_control = dbg.control;
}

static uint64_t host_counter(void)
{
	uint64_t cnt;
	__asm__ volatile("isb; mrs %0, cntvct_el0" : "=r"(cnt) : : "memory");
	return cnt;
}

/* Guest CNTVCT_EL0 = host CNTVCT_EL0 - vtimer_offset.  (KVM keeps one
 * offset per VM: vCPUs should use the same, as Apple recommends.) */
static void apply_vtimer_offset(struct hv_vcpu_obj *v, struct kvm_vcpu_state *c)
{
	if (c->offset_applied && c->offset == v->vtimer_offset)
		return;
	if (kvm_set_one(c->fd, KVM_REG_ARM_TIMER_CNT, host_counter() - v->vtimer_offset) == 0) {
		c->offset_applied = true;
		c->offset = v->vtimer_offset;
	}
}

/* The timer condition (ENABLE, not IMASK, ISTATUS) holds now. */
static bool vtimer_asserted(struct kvm_vcpu_state *c)
{
	uint64_t ctl;
	if (kvm_get_one(c->fd, KVM_REG_ARM_TIMER_CTL, &ctl))
		return false;
	return (ctl & (CNTV_CTL_ENABLE | CNTV_CTL_IMASK | CNTV_CTL_ISTATUS)) ==
	       (CNTV_CTL_ENABLE | CNTV_CTL_ISTATUS);
}

/* ------------------------------------------------------------------ */
/* Exits.                                                              */

static void exception_exit(struct hv_vcpu_obj *v, uint64_t syndrome, uint64_t va, uint64_t pa)
{
	v->exit.reason = HV_EXIT_REASON_EXCEPTION;
	v->exit.exception.syndrome = syndrome;
	v->exit.exception.virtual_address = va;
	v->exit.exception.physical_address = pa;
}

/* The HV_MEMORY_* rights the VMM gave ipa (0 if unmapped), -1 if none. */
static int64_t ipa_flags(struct hv_vm_obj *vm, uint64_t ipa)
{
	pthread_rwlock_rdlock(&vm->mem_lock);
	const struct hv_mem_region *r = hv_memmap_find(&vm->mem, ipa);
	int64_t flags = r ? (int64_t)r->flags : -1;
	pthread_rwlock_unlock(&vm->mem_lock);
	return flags;
}

static void data_abort_exit(struct hv_vcpu_obj *v, uint64_t ipa, uint32_t iss_low, bool have_iss,
			    unsigned len, bool write, struct kvm_dabt *dabt)
{
	struct kvm_dabt local;
	struct kvm_dabt *dp = dabt ? dabt : &local;
	kvm_decode_dabt(v, dp);
	const struct kvm_dabt d = *dp;
	uint64_t syndrome = ((uint64_t)EC_DABT_LOWER << EC_SHIFT) | ESR_IL;
	if (have_iss) { /* KVM_EXIT_ARM_NISV: KVM's ISS (ISV=0) */
		syndrome |= iss_low;
	} else {
		if (d.valid) {
			/* SAS from the access KVM saw; the rest from the insn. */
			unsigned sas = len == 8 ? 3 : len == 4 ? 2 : len == 2 ? 1 : 0;
			syndrome |= (d.iss & ~(3u << 22)) | (sas << 22);
		}
		if (write)
			syndrome |= ISS_WNR;
		syndrome |= ipa_flags(v->vm, ipa) < 0 ? DFSC_TRANSLATION_L3 : DFSC_PERMISSION_L3;
	}
	exception_exit(v, syndrome, d.va_valid ? d.va : ipa, ipa);
}

/* KVM_EXIT_MMIO: the data abort, and what a deferred completion needs
 * (see struct kvm_vcpu_state). */
static void mmio_exit(struct hv_vcpu_obj *v, struct kvm_vcpu_state *c, struct kvm_run *run)
{
	struct kvm_dabt d;
	data_abort_exit(v, run->mmio.phys_addr, 0, false, run->mmio.len, run->mmio.is_write, &d);
	c->mmio_pending = true;
	c->mmio_write = run->mmio.is_write;
	c->mmio_kvm_pc = false;
	/* (PC is cached by the decode; without it, no shortcut.) */
	c->mmio_pc_ok = c->pc_valid;
	c->mmio_pc = c->pc;
	unsigned srt = (d.iss >> 16) & 31;
	c->mmio_srt = d.valid && srt != 31 ? srt : KVM_NO_SRT;
	c->mmio_len = run->mmio.len;
	c->mmio_sse = d.iss & (1u << 21);
	c->mmio_le = d.le;
	c->rt_state = RT_NONE;
	/* A 64-bit store's data is the whole register (little-endian: KVM
	 * byte-swaps for a big-endian guest), which the VMM reads next. */
	c->rt_known = c->mmio_write && c->mmio_srt != KVM_NO_SRT && c->mmio_len == 8 && c->mmio_le;
	if (c->rt_known)
		memcpy(&c->rt_val, run->mmio.data, 8);
}

/* Before KVM_RUN after an MMIO exit: leaves the completion to KVM when
 * the VMM did exactly what KVM does, else writes what was deferred and
 * keeps KVM from completing.  Non-zero if a write failed. */
static int kvm_mmio_before_run(struct kvm_vcpu_state *c)
{
	struct kvm_run *run = c->run;
	bool kvm_completes = c->mmio_kvm_pc && (c->mmio_write || c->rt_state == RT_DEFERRED);
	int r = 0;
	if (!kvm_completes) {
		/* KVM would write Rt (a load) and PC += 4 a second time. */
		if (c->mmio_kvm_pc)
			r |= kvm_set_one(c->fd, KVM_REG_PC, c->pc);
		if (c->rt_state == RT_DEFERRED)
			r |= kvm_set_one(c->fd, KVM_REG_X(c->mmio_srt), c->rt_val);
		run->exit_reason = KVM_EXIT_UNKNOWN;
	}
	c->mmio_pending = c->mmio_kvm_pc = c->rt_known = false;
	c->rt_state = RT_NONE;
	return r;
}

static uint64_t hypercall_flags(const struct kvm_run *run)
{
	/* A union with the old `longmode` field since Linux 6.4. */
	uint64_t f;
	memcpy(&f, (const char *)&run->hypercall.ret + sizeof(run->hypercall.ret), sizeof(f));
	return f;
}

/* HVC: PC after the instruction (KVM already advanced it, as Apple
 * reports).  SMC: Apple leaves PC at it, so move PC back by 4. */
static void hypercall_exit(struct hv_vcpu_obj *v, struct kvm_vcpu_state *c)
{
	bool smc = hypercall_flags(c->run) & KVM_HYPERCALL_EXIT_SMC;
	uint64_t pc = 0;
	uint32_t insn = 0;
	kvm_get_pc(c, &pc);
	kvm_read_insn(v, pc - 4, &insn);
	if (smc)
		kvm_set_pc(c, pc - 4);
	uint64_t syndrome = ((uint64_t)(smc ? EC_SMC64 : EC_HVC64) << EC_SHIFT) | ESR_IL | ((insn >> 5) & 0xffff);
	exception_exit(v, syndrome, 0, 0);
}

static void debug_exit(struct hv_vcpu_obj *v, struct kvm_run *run)
{
	uint64_t syndrome = run->debug.arch.hsr;
	if (run->flags & KVM_DEBUG_ARCH_HSR_HIGH_VALID)
		syndrome |= (uint64_t)run->debug.arch.hsr_high << 32;
	uint64_t va = (syndrome >> EC_SHIFT & 0x3f) == EC_WATCHPOINT_LOWER ? run->debug.arch.far : 0;
	exception_exit(v, syndrome, va, 0);
}

hv_return_t kvm_vcpu_run(struct hv_vcpu_obj *v)
{
	struct kvm_vcpu_state *c = kvm_vcpu_of(v);
	struct kvm_vm_state *s = kvm_vm_of(v->vm);
	struct kvm_run *run = c->run;

	if (c->debug_dirty)
		apply_debug(v, c);
	apply_vtimer_offset(v, c);
	kvm_sync_irq_lines(v);
	if (kvm_vgic_ready(v->vm)) { /* the topology is final from here */
		v->exit.reason = HV_EXIT_REASON_UNKNOWN;
		return HV_ERROR;
	}

	/* MDSCR_EL1.SS with PSTATE.SS = 0 (active-pending): the step
	 * exception comes before any instruction; KVM always steps one. */
	if (v->trap_debug_exceptions && (c->mdscr & MDSCR_SS)) {
		uint64_t pstate = 0;
		kvm_get_one(c->fd, KVM_REG_PSTATE, &pstate);
		if (!(pstate & PSTATE_SS)) {
			exception_exit(v, ((uint64_t)EC_SOFTSTEP_LOWER << EC_SHIFT) | ESR_IL, 0, 0);
			return HV_SUCCESS;
		}
	}

	for (;;) {
		/* Unmasking while the timer is still asserted exits at once. */
		if (!v->vtimer_masked && c->vtimer_level && vtimer_asserted(c)) {
			v->exit.reason = HV_EXIT_REASON_VTIMER_ACTIVATED;
			v->vtimer_masked = true;
			return HV_SUCCESS;
		}
		if (atomic_exchange(&v->cancel_pending, false)) {
			__atomic_store_n(&run->immediate_exit, 0, __ATOMIC_SEQ_CST);
			v->exit.reason = HV_EXIT_REASON_CANCELED;
			return HV_SUCCESS;
		}
		/* Stay out while memory slots change (see kvm_pause_vcpus). */
		atomic_store(&c->in_run, true);
		if (atomic_load(&s->updating)) {
			atomic_store(&c->in_run, false);
			while (atomic_load(&s->updating))
				sched_yield();
			continue;
		}
		if (c->mmio_pending && kvm_mmio_before_run(c)) {
			atomic_store(&c->in_run, false);
			v->exit.reason = HV_EXIT_REASON_UNKNOWN;
			return HV_ERROR;
		}
		c->pc_valid = false;
		int r = ioctl(c->fd, KVM_RUN, 0);
		int err = errno;
		atomic_store(&c->in_run, false);
		c->vtimer_level = run->s.regs.device_irq_level & KVM_ARM_DEV_EL1_VTIMER;
		if (r < 0) {
			if (err != EINTR && err != EAGAIN) {
				v->exit.reason = HV_EXIT_REASON_UNKNOWN;
				return HV_ERROR;
			}
			/* A kick, another signal or a timer level change:
			 * the checks at the top of the loop decide. */
			__atomic_store_n(&run->immediate_exit, 0, __ATOMIC_SEQ_CST);
			run->exit_reason = KVM_EXIT_UNKNOWN;
			continue;
		}
		switch (run->exit_reason) {
		case KVM_EXIT_MMIO:
			if (kvm_vgic_mmio(v->vm, run))
				continue; /* the MSI frame; KVM completes it */
			mmio_exit(v, c, run);
			return HV_SUCCESS;
		case KVM_EXIT_ARM_NISV:
			data_abort_exit(v, run->arm_nisv.fault_ipa, (uint32_t)run->arm_nisv.esr_iss & 0x1ffffffu,
					true, 0, false, NULL);
			return HV_SUCCESS;
		case KVM_EXIT_HYPERCALL:
			hypercall_exit(v, c);
			return HV_SUCCESS;
		case KVM_EXIT_DEBUG:
			debug_exit(v, run);
			return HV_SUCCESS;
		case KVM_EXIT_INTR:
			continue;
		default:
			v->exit.reason = HV_EXIT_REASON_UNKNOWN;
			return HV_SUCCESS;
		}
	}
}
