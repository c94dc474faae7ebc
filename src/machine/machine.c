/*
 * machine.c - the default board: RAM, PL011 UART, PSCI 1.1 over HVC
 * (and SMC if asked), WFI, the virtual timer as an IRQ, a minimal GICv3
 * CPU interface for it, and the handling of every exit a vCPU makes.
 * See docs/machine.md.
 */
#include "machine_internal.h"
#include "mmio_decode.h"
#include "pl011.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <mach/mach_time.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define UART_SIZE PL011_SIZE

/* PSCI 1.1 (DEN0022) function ids and return codes. */
#define PSCI_VERSION 0x84000000u
#define PSCI_CPU_SUSPEND 0x84000001u
#define PSCI_CPU_OFF 0x84000002u
#define PSCI_CPU_ON 0x84000003u
#define PSCI_AFFINITY_INFO 0x84000004u
#define PSCI_MIGRATE_INFO_TYPE 0x84000006u
#define PSCI_SYSTEM_OFF 0x84000008u
#define PSCI_SYSTEM_RESET 0x84000009u
#define PSCI_FEATURES 0x8400000au
#define PSCI_64 0x40000000u /* SMC64 variant bit */
#define SMCCC_VERSION 0x80000000u
#define SMCCC_ARCH_FEATURES 0x80000001u
#define SMCCC_ARCH_WORKAROUND_1 0x80008000u /* Spectre-v2 */
#define SMCCC_ARCH_WORKAROUND_2 0x80007fffu /* Spectre-v4 */
#define SMCCC_ARCH_WORKAROUND_3 0x80003fffu /* Spectre-BHB */
#define SMCCC_RET_UNAFFECTED 1
#define PSCI_RET_SUCCESS 0
#define PSCI_RET_NOT_SUPPORTED (-1)
#define PSCI_RET_INVALID_PARAMS (-2)
#define PSCI_RET_ALREADY_ON (-4)

enum { HX_CONTINUE = 0, HX_STOP = 1, HX_OFF = 2 };

static const char *const err_names[] = {
	"success", "invalid argument", "the machine is running", "hypervisor call failed",
	"address not accessible", "no free hardware slot", "already set / not found",
	"vCPU is powered off", "the guest has exited", "timed out", "out of memory",
	"not supported",
};

const char *machine_strerror(int err)
{
	unsigned i = err <= 0 ? (unsigned)-err : 0;
	return i < sizeof(err_names) / sizeof(err_names[0]) ? err_names[i] : "unknown error";
}

void machine_opts_default(struct machine_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->ram_base = 0x40000000ull;
	o->ram_size = 128ull << 20;
	o->ncpus = 1;
	o->uart_base = 0x09000000ull;
	o->protect_segments = true;
}

static bool parse_num(const char *s, char **end, uint64_t *v, bool suffix)
{
	errno = 0;
	unsigned long long x = strtoull(s, end, 0);
	if (errno || *end == s)
		return false;
	if (suffix) {
		unsigned sh = 0;
		switch (**end) {
		case 'k': case 'K': sh = 10; break;
		case 'm': case 'M': sh = 20; break;
		case 'g': case 'G': sh = 30; break;
		default: break;
		}
		if (sh) {
			if (x > (UINT64_MAX >> sh))
				return false;
			x <<= sh;
			(*end)++;
		}
	}
	*v = x;
	return true;
}

int machine_parse_ram(const char *spec, uint64_t *size, uint64_t *base)
{
	char *end;
	uint64_t sz, b = *base;
	if (!spec || !parse_num(spec, &end, &sz, true) || sz == 0)
		return MACHINE_ERR_ARG;
	if (*end == '@') {
		if (!parse_num(end + 1, &end, &b, false))
			return MACHINE_ERR_ARG;
	}
	if (*end || b + sz < b)
		return MACHINE_ERR_ARG;
	*size = sz;
	*base = b;
	return 0;
}

#define ET_DYN_TYPE 3 /* elf.h's ET_DYN */

bool ipa_in_ram(const struct machine *m, uint64_t ipa, uint64_t len)
{
	return ipa >= m->o.ram_base && ipa - m->o.ram_base <= m->o.ram_size &&
	       len <= m->o.ram_size - (ipa - m->o.ram_base);
}

/* ------------------------------------------------------------ vCPU state */

int vcpu_read_pc(struct mvcpu *v, uint64_t *pc)
{
	return hv_vcpu_get_reg(v->hv, HV_REG_PC, pc) == HV_SUCCESS ? 0 : MACHINE_ERR_HV;
}

static int advance_pc(struct mvcpu *v)
{
	uint64_t pc;
	if (vcpu_read_pc(v, &pc))
		return MACHINE_ERR_HV;
	return hv_vcpu_set_reg(v->hv, HV_REG_PC, pc + 4) == HV_SUCCESS ? 0 : MACHINE_ERR_HV;
}

/* Boot state of a bare-metal image (as QEMU's -kernel for an ELF): EL1h
 * (EL2h with --el2), DAIF masked, MMU off; each vCPU gets a 64 KiB stack
 * slot below the top of RAM (vCPU 0 at the very top), for both ELs. */
void vcpu_boot_state(struct mvcpu *v, uint64_t pc, uint64_t x0)
{
	struct machine *m = v->m;
	for (unsigned r = HV_REG_X0; r <= HV_REG_X30; r++)
		hv_vcpu_set_reg(v->hv, (hv_reg_t)r, 0);
	hv_vcpu_set_reg(v->hv, HV_REG_X0, x0);
	hv_vcpu_set_reg(v->hv, HV_REG_PC, pc);
	hv_vcpu_set_reg(v->hv, HV_REG_CPSR, machine_boot_cpsr(m));
	uint64_t sp = m->o.ram_base + m->o.ram_size - (uint64_t)v->idx * 0x10000;
	hv_vcpu_set_sys_reg(v->hv, HV_SYS_REG_SP_EL1, sp);
	if (m->o.el2)
		hv_vcpu_set_sys_reg(v->hv, HV_SYS_REG_SP_EL2, sp);
	hv_vcpu_set_sys_reg(v->hv, HV_SYS_REG_SCTLR_EL1, 0x30d00800ull); /* RES1 bits, MMU off */
	v->vtimer_line = false;
	hv_vcpu_set_vtimer_mask(v->hv, false);
	v->mmu_valid = false;
}

bool machine_has_el2(const struct machine *m)
{
	return m->o.el2;
}

uint64_t machine_boot_cpsr(const struct machine *m)
{
	return m->o.el2 ? 0x3c9 : 0x3c5; /* EL2h / EL1h, DAIF masked */
}

/* Takes a synchronous exception as the hardware would (used for UNDEF
 * injection and for re-injecting the guest's own BRKs): to EL1, or to
 * EL2 when the guest is there (--el2); the API has no injection call, so
 * ELR/SPSR/ESR and PC are set here. */
int inject_sync(struct mvcpu *v, uint64_t esr)
{
	uint64_t pc, cpsr, vbar;
	if (hv_vcpu_get_reg(v->hv, HV_REG_PC, &pc) || hv_vcpu_get_reg(v->hv, HV_REG_CPSR, &cpsr))
		return MACHINE_ERR_HV;
	unsigned el = (unsigned)(cpsr >> 2) & 3;
	bool to_el2 = el == 2;
	if (hv_vcpu_get_sys_reg(v->hv, to_el2 ? HV_SYS_REG_VBAR_EL2 : HV_SYS_REG_VBAR_EL1, &vbar))
		return MACHINE_ERR_HV;
	uint64_t off = el == 0 ? 0x400 : (cpsr & 1) ? 0x200 : 0;
	hv_vcpu_set_sys_reg(v->hv, to_el2 ? HV_SYS_REG_ELR_EL2 : HV_SYS_REG_ELR_EL1, pc);
	hv_vcpu_set_sys_reg(v->hv, to_el2 ? HV_SYS_REG_SPSR_EL2 : HV_SYS_REG_SPSR_EL1, cpsr);
	hv_vcpu_set_sys_reg(v->hv, to_el2 ? HV_SYS_REG_ESR_EL2 : HV_SYS_REG_ESR_EL1, esr);
	hv_vcpu_set_reg(v->hv, HV_REG_CPSR, to_el2 ? 0x3c9 : 0x3c5);
	hv_vcpu_set_reg(v->hv, HV_REG_PC, vbar + off);
	return 0;
}

static int inject_undef(struct mvcpu *v)
{
	return inject_sync(v, 1ull << 25); /* EC 0 (unknown), IL */
}

/* ------------------------------------------------------------------ UART */

void machine_uart_input(struct machine *m, const void *buf, size_t len)
{
	pl011_input(&m->uart, buf, len);
}

/* One UART register access for register rt (31: XZR): a store takes the
 * low size bytes of it, a load is zero- or sign-extended to 32 (W) or
 * 64 (X) bits. */
static int uart_access(struct mvcpu *v, uint64_t off, bool write, unsigned size, bool sign, bool to64,
		       unsigned rt)
{
	struct machine *m = v->m;
	if (write) {
		uint64_t val = 0;
		if (rt != 31 && hv_vcpu_get_reg(v->hv, (hv_reg_t)(HV_REG_X0 + rt), &val))
			return MACHINE_ERR_HV;
		pl011_write(&m->uart, off & ~3ull, (uint32_t)val);
		return 0;
	}
	uint64_t val = pl011_read(&m->uart, off & ~3ull);
	unsigned bits = 8 * size;
	if (bits < 64)
		val &= (1ull << bits) - 1;
	if (sign && bits < 64 && (val >> (bits - 1)) & 1)
		val |= ~0ull << bits;
	if (!to64)
		val &= 0xffffffffull;
	if (rt != 31 && hv_vcpu_set_reg(v->hv, (hv_reg_t)(HV_REG_X0 + rt), val))
		return MACHINE_ERR_HV;
	return 0;
}

/* Base register writeback of a pre/post-indexed access (31: the SP of
 * the current exception level). */
static int writeback(struct mvcpu *v, unsigned rn, int64_t delta)
{
	uint64_t val, cpsr;
	if (rn != 31) {
		if (hv_vcpu_get_reg(v->hv, (hv_reg_t)(HV_REG_X0 + rn), &val))
			return MACHINE_ERR_HV;
		return hv_vcpu_set_reg(v->hv, (hv_reg_t)(HV_REG_X0 + rn), val + (uint64_t)delta) ? MACHINE_ERR_HV : 0;
	}
	if (hv_vcpu_get_reg(v->hv, HV_REG_CPSR, &cpsr))
		return MACHINE_ERR_HV;
	hv_sys_reg_t sp = cpsr_sp_reg(cpsr);
	if (hv_vcpu_get_sys_reg(v->hv, sp, &val))
		return MACHINE_ERR_HV;
	return hv_vcpu_set_sys_reg(v->hv, sp, val + (uint64_t)delta) ? MACHINE_ERR_HV : 0;
}

/* A data abort on an unmapped IPA: UART accesses are emulated from the
 * syndrome, or, without one (ISV = 0: writeback, pairs, or a hypervisor
 * that gives none), from the instruction itself; then PC moves on. */
static int mmio(struct mvcpu *v, uint64_t esr, uint64_t ipa, bool *handled)
{
	struct machine *m = v->m;
	*handled = false;
	if (ipa < m->o.uart_base || ipa - m->o.uart_base >= UART_SIZE)
		return 0;
	uint64_t off = ipa - m->o.uart_base;
	int rc;
	if (esr & (1u << 24)) {
		unsigned sas = (unsigned)(esr >> 22) & 3, srt = (unsigned)(esr >> 16) & 31;
		rc = uart_access(v, off, esr & (1u << 6), 1u << sas, esr & (1u << 21), esr & (1u << 15), srt);
	} else {
		uint64_t pc;
		uint32_t insn;
		struct mmio_insn d;
		if (vcpu_read_pc(v, &pc) || vcpu_fetch_insn(v, pc, &insn) || !mmio_decode(insn, &d) ||
		    off + (uint64_t)d.n * d.size > UART_SIZE)
			return 0; /* left to the debugger: STOP_UNHANDLED */
		rc = 0;
		for (unsigned i = 0; i < d.n && !rc; i++)
			rc = uart_access(v, off + i * d.size, d.write, d.size, d.sign, d.to64, d.rt[i]);
		if (!rc && d.writeback)
			rc = writeback(v, d.rn, d.delta);
	}
	if (rc)
		return rc;
	*handled = true;
	return advance_pc(v);
}

/* ------------------------------------------------------------------ PSCI */

static struct mvcpu *vcpu_by_mpidr(struct machine *m, uint64_t mpidr)
{
	uint64_t aff = mpidr & 0xff00ffffffull;
	return aff < m->ncpus ? &m->vcpu[aff] : NULL;
}

static bool psci_known(uint32_t fn)
{
	switch (fn & ~PSCI_64) {
	case PSCI_VERSION: case PSCI_CPU_SUSPEND: case PSCI_CPU_OFF: case PSCI_CPU_ON:
	case PSCI_AFFINITY_INFO: case PSCI_MIGRATE_INFO_TYPE: case PSCI_SYSTEM_OFF:
	case PSCI_SYSTEM_RESET: case PSCI_FEATURES: case SMCCC_VERSION:
		return true;
	default:
		return false;
	}
}

/* SMCCC call in x0..x3; result in x0.  Returns HX_* (SYSTEM_OFF/RESET
 * stop the run, CPU_OFF powers this vCPU off). */
static int psci(struct mvcpu *v, struct machine_stop *ev)
{
	struct machine *m = v->m;
	uint64_t x[4] = { 0 };
	for (unsigned i = 0; i < 4; i++)
		hv_vcpu_get_reg(v->hv, (hv_reg_t)(HV_REG_X0 + i), &x[i]);
	uint32_t fn = (uint32_t)x[0];
	int64_t ret = PSCI_RET_NOT_SUPPORTED;
	switch (fn & ~PSCI_64) {
	case PSCI_VERSION:
		ret = 0x10001; /* 1.1 */
		break;
	case SMCCC_VERSION:
		ret = 0x10001; /* SMCCC 1.1 */
		break;
	case SMCCC_ARCH_FEATURES:
		/* The board has no firmware mitigations to offer; a CPU that
		 * says it does not speculate (CSV2 and CSV3, as the emu
		 * interpreter) is unaffected, anything else not supported. */
		switch ((uint32_t)x[1]) {
		case SMCCC_ARCH_WORKAROUND_1: case SMCCC_ARCH_WORKAROUND_2: case SMCCC_ARCH_WORKAROUND_3: {
			uint64_t pfr0 = 0;
			hv_vcpu_get_sys_reg(v->hv, HV_SYS_REG_ID_AA64PFR0_EL1, &pfr0);
			if ((pfr0 >> 56 & 0xf) && (pfr0 >> 60))
				ret = SMCCC_RET_UNAFFECTED;
			break;
		}
		case SMCCC_VERSION: case SMCCC_ARCH_FEATURES:
			ret = PSCI_RET_SUCCESS;
			break;
		}
		break;
	case PSCI_CPU_SUSPEND:
		ret = PSCI_RET_SUCCESS; /* standby: returns at once, as a WFI that woke */
		break;
	case PSCI_CPU_OFF:
		return HX_OFF;
	case PSCI_CPU_ON: {
		struct mvcpu *t = vcpu_by_mpidr(m, x[1]);
		if (!t) {
			ret = PSCI_RET_INVALID_PARAMS;
			break;
		}
		pthread_mutex_lock(&m->lock);
		if (t->state != VCPU_OFF || t->boot_pending) {
			ret = PSCI_RET_ALREADY_ON;
		} else {
			psci_cpu_on_locked(m, t, x[2], x[3]);
			ret = PSCI_RET_SUCCESS;
		}
		pthread_mutex_unlock(&m->lock);
		break;
	}
	case PSCI_AFFINITY_INFO: {
		struct mvcpu *t = vcpu_by_mpidr(m, x[1]);
		if (!t || x[2] != 0) {
			ret = PSCI_RET_INVALID_PARAMS;
			break;
		}
		pthread_mutex_lock(&m->lock);
		ret = t->boot_pending ? 2 : t->state == VCPU_OFF ? 1 : 0; /* ON_PENDING, OFF, ON */
		pthread_mutex_unlock(&m->lock);
		break;
	}
	case PSCI_MIGRATE_INFO_TYPE:
		ret = 2; /* no Trusted OS */
		break;
	case PSCI_SYSTEM_OFF:
	case PSCI_SYSTEM_RESET:
		ev->reason = STOP_GUEST_EXIT;
		ev->reset = (fn & ~PSCI_64) == PSCI_SYSTEM_RESET;
		return HX_STOP;
	case PSCI_FEATURES:
		ret = psci_known((uint32_t)x[1]) ? 0 : PSCI_RET_NOT_SUPPORTED;
		break;
	default:
		break;
	}
	hv_vcpu_set_reg(v->hv, HV_REG_X0, (uint64_t)ret);
	return HX_CONTINUE;
}

/* -------------------------------------------------------- WFI and vtimer */

static uint64_t now_ns(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000000ull + (uint64_t)t.tv_nsec;
}

/* WFI: sleeps until the vtimer would fire (CNTV_CVAL), a stop request, or
 * a PSCI event; a timer line already high returns at once. */
static void wfi_wait(struct mvcpu *v)
{
	struct machine *m = v->m;
	if (v->vtimer_line)
		return;
	uint64_t ctl = 0, cval = 0, deadline = UINT64_MAX;
	hv_vcpu_get_sys_reg(v->hv, HV_SYS_REG_CNTV_CTL_EL0, &ctl);
	hv_vcpu_get_sys_reg(v->hv, HV_SYS_REG_CNTV_CVAL_EL0, &cval);
	if ((ctl & 3) == 1) {
		uint64_t cnt = mach_absolute_time() - m->vtimer_offset;
		if (cval <= cnt)
			return;
		/* 24 MHz ticks to ns: * 125 / 3, saturating. */
		uint64_t dt = cval - cnt;
		deadline = now_ns() + (dt > UINT64_MAX / 250 ? UINT64_MAX / 4 : dt * 125 / 3);
	}
	pthread_mutex_lock(&m->lock);
	while (!atomic_load(&m->stop_requested)) {
		uint64_t now = now_ns();
		if (now >= deadline)
			break;
		/* Wake at least every 50 ms (new requests are signalled anyway). */
		uint64_t until = deadline - now > 50000000ull ? now + 50000000ull : deadline;
		struct timespec ts = { (time_t)(until / 1000000000ull), (long)(until % 1000000000ull) };
		pthread_cond_timedwait(&m->cv, &m->lock, &ts);
	}
	pthread_mutex_unlock(&m->lock);
}

static int timer_now_fn(struct mvcpu *v, void *arg)
{
	uint64_t *o = arg;
	if (hv_vcpu_get_vtimer_offset(v->hv, &o[2]) != HV_SUCCESS)
		return MACHINE_ERR_HV;
	o[1] = mach_absolute_time() - o[2];
	return 0;
}

int machine_timer_now(struct machine *m, unsigned vcpu, uint64_t *frq, uint64_t *cntvct,
		      uint64_t *cntvoff)
{
	uint64_t o[3] = { 0 };
	int rc = vcpu_call(m, vcpu, timer_now_fn, o);
	if (rc)
		return rc;
	mach_timebase_info_data_t tb;
	mach_timebase_info(&tb);
	*frq = tb.numer ? 1000000000ull * tb.denom / tb.numer : 0;
	*cntvct = o[1];
	*cntvoff = o[2];
	return 0;
}

/* ---------------------------------------------------------- sysreg traps */

/* ESR ISS of EC 0x18 -> hv_sys_reg_t (op0 << 14 | op1 << 11 | CRn << 7 |
 * CRm << 3 | op2, the encoding Apple uses). */
static hv_sys_reg_t iss_sysreg(uint64_t iss)
{
	unsigned op0 = (iss >> 20) & 3, op2 = (iss >> 17) & 7, op1 = (iss >> 14) & 7;
	unsigned crn = (iss >> 10) & 15, crm = (iss >> 1) & 15;
	return (hv_sys_reg_t)(op0 << 14 | op1 << 11 | crn << 7 | crm << 3 | op2);
}

#define SR(op0, op1, crn, crm, op2) ((op0) << 14 | (op1) << 11 | (crn) << 7 | (crm) << 3 | (op2))
#define ICC_IAR1_EL1 SR(3, 0, 12, 12, 0)
#define ICC_SRE_EL1 SR(3, 0, 12, 12, 5)
#define CNTPCT_EL0 SR(3, 3, 14, 0, 1)
#define VTIMER_INTID 27u

/* Emulated registers: a GICv3 CPU interface just big enough for the
 * vtimer PPI (IAR1 acknowledges INTID 27 while its line is high, 1023
 * otherwise; the rest RAZ/WI), the OS lock and other op0 = 2 debug
 * registers (RAZ/WI unless debug_ctl keeps the guest's view), and the
 * physical counter CNTPCT_EL0 (the host clock, as QEMU's hvf; a kernel
 * booted at EL2 counts with it).  Returns false for anything else
 * (-> UNDEF in the guest). */
static bool emulate_sysreg(struct mvcpu *v, uint64_t iss)
{
	hv_sys_reg_t r = iss_sysreg(iss);
	bool read = iss & 1;
	unsigned rt = (iss >> 5) & 31;
	uint64_t val = 0;
	unsigned op0 = (unsigned)r >> 14, op1 = ((unsigned)r >> 11) & 7, crn = ((unsigned)r >> 7) & 15;
	if (!read && rt != 31)
		hv_vcpu_get_reg(v->hv, (hv_reg_t)(HV_REG_X0 + rt), &val);
	if ((unsigned)r == CNTPCT_EL0 && read) {
		val = mach_absolute_time();
	} else if (op0 == 2) {
		if (!debug_emulate_sysreg(v, r, read, &val))
			val = 0; /* OS lock, OSDLR, ...: unlocked, writes ignored */
	} else if (op0 == 3 && op1 == 0 && crn == 12) {
		if ((unsigned)r == ICC_IAR1_EL1)
			val = v->vtimer_line ? VTIMER_INTID : 1023;
		else if ((unsigned)r == ICC_SRE_EL1)
			val = 7;
		else
			val = 0;
	} else if (op0 == 3 && op1 == 0 && crn == 4 && (((unsigned)r >> 3) & 15) == 6) {
		val = 0xff; /* ICC_PMR_EL1 */
	} else {
		return false;
	}
	if (read && rt != 31)
		hv_vcpu_set_reg(v->hv, (hv_reg_t)(HV_REG_X0 + rt), val);
	return true;
}

/* Before each run: the vtimer line falls once the guest has cleared the
 * timer condition (QEMU-HVF polls CNTV_CTL the same way), which unmasks
 * the vtimer; while it is high the IRQ is asserted for the run - not
 * while single-stepping unless step_irqs (HVF's NOIRQ stepping). */
void board_prepare_run(struct mvcpu *v, bool stepping)
{
	if (v->vtimer_line) {
		uint64_t ctl = 0;
		hv_vcpu_get_sys_reg(v->hv, HV_SYS_REG_CNTV_CTL_EL0, &ctl);
		if ((ctl & 7) != 5) { /* not (ENABLE && !IMASK && ISTATUS) */
			v->vtimer_line = false;
			hv_vcpu_set_vtimer_mask(v->hv, false);
		}
	}
	if (v->vtimer_line && (!stepping || v->m->o.step_irqs))
		hv_vcpu_set_pending_interrupt(v->hv, HV_INTERRUPT_TYPE_IRQ, true);
}

/* -------------------------------------------------------- exit dispatch */

static void fill_exception(struct mvcpu *v, struct machine_stop *ev)
{
	ev->esr = v->exit->exception.syndrome;
	ev->far_raw = v->exit->exception.virtual_address;
	ev->ipa = v->exit->exception.physical_address;
	ev->exit_reason = v->exit->reason;
}

/* Handles the exit in v->exit.  Returns HX_CONTINUE (run again), HX_STOP
 * with *ev filled, or HX_OFF (PSCI CPU_OFF).  While stepping, any exit
 * the board completes (HVC, MMIO, WFI, trapped sysreg) ends the step. */
int machine_handle_exit(struct mvcpu *v, bool stepping, struct machine_stop *ev)
{
	struct machine *m = v->m;
	const hv_vcpu_exit_t *ex = v->exit;
	v->stats.total++;
	if (ex->reason == HV_EXIT_REASON_CANCELED) {
		v->stats.canceled++;
		return HX_CONTINUE;
	}
	if (ex->reason == HV_EXIT_REASON_VTIMER_ACTIVATED) {
		v->stats.vtimer++;
		v->vtimer_line = true;
		return HX_CONTINUE;
	}
	if (ex->reason != HV_EXIT_REASON_EXCEPTION) {
		v->stats.other++;
		fill_exception(v, ev);
		ev->reason = STOP_UNHANDLED;
		return HX_STOP;
	}
	v->last_exit = *ex;
	uint64_t esr = ex->exception.syndrome;
	unsigned ec = (unsigned)(esr >> 26) & 0x3f;
	int hx = HX_CONTINUE;
	uint64_t pc = 0;
	switch (ec) {
	case EC_HVC64:
		v->stats.hvc++;
		hx = psci(v, ev);
		break;
	case EC_SMC64:
		v->stats.smc++;
		if (m->o.psci_smc) {
			hx = psci(v, ev);
			if (hx != HX_STOP)
				advance_pc(v);
		} else {
			inject_undef(v);
		}
		break;
	case EC_DABT_LOWER: {
		bool handled;
		if (mmio(v, esr, ex->exception.physical_address, &handled))
			goto hv_error;
		if (!handled)
			goto unhandled;
		v->stats.mmio++;
		break;
	}
	case EC_WFX:
		v->stats.wfi++;
		advance_pc(v);
		if (!stepping) {
			if (esr & 1)
				sched_yield(); /* WFE: no event model, just let others run */
			else
				wfi_wait(v);
		}
		break;
	case EC_SYSREG:
		v->stats.sysreg++;
		if (emulate_sysreg(v, esr & 0x1ffffff))
			advance_pc(v);
		else
			inject_undef(v);
		break;
	case EC_BRK64:
		v->stats.debug++;
		if (vcpu_read_pc(v, &pc))
			goto hv_error;
		if ((esr & 0xffff) == 0 && debug_is_sw_bp(m, pc)) {
			fill_exception(v, ev);
			ev->reason = STOP_BREAKPOINT;
			return HX_STOP;
		}
		inject_sync(v, esr); /* the guest's own BRK goes to its vector */
		break;
	case EC_BKPT_LOWER:
		v->stats.debug++;
		if (vcpu_read_pc(v, &pc))
			goto hv_error;
		fill_exception(v, ev);
		ev->reason = STOP_HW_BREAKPOINT;
		ev->hw_slot = debug_hw_bp_slot(m, pc);
		return HX_STOP;
	case EC_SSTEP_LOWER:
		v->stats.debug++;
		if (!stepping)
			return HX_CONTINUE; /* stale step from an earlier request */
		fill_exception(v, ev);
		ev->reason = STOP_STEP;
		return HX_STOP;
	case EC_WATCH_LOWER:
		v->stats.debug++;
		fill_exception(v, ev);
		ev->reason = STOP_WATCHPOINT;
		ev->far = ex->exception.virtual_address;
		ev->access_is_write = (esr >> 6) & 1;
		debug_classify_watch(m, ev->far, ev);
		return HX_STOP;
	default:
		goto unhandled;
	}
	if (hx == HX_STOP || hx == HX_OFF)
		return hx;
	if (stepping) { /* the board completed the instruction: the step is done */
		ev->reason = STOP_STEP;
		return HX_STOP;
	}
	return HX_CONTINUE;
unhandled:
	v->stats.other++;
	fill_exception(v, ev);
	ev->reason = STOP_UNHANDLED;
	return HX_STOP;
hv_error:
	ev->reason = STOP_ERROR;
	ev->hv_error = HV_ERROR;
	return HX_STOP;
}

/* ---------------------------------------------------------- create/load */

int run_control_start(struct machine *m, char *err, size_t errlen);
void run_control_stop(struct machine *m);

/* The GICv3 through the public hv_gic_* API, at QEMU virt's addresses
 * (machine.h): before any vCPU exists, as the API demands. */
static int board_gic_create(char *err, size_t errlen)
{
	hv_gic_config_t cfg = hv_gic_config_create();
	if (!cfg) {
		snprintf(err, errlen, "hv_gic_config_create failed");
		return MACHINE_ERR_HV;
	}
	hv_return_t r = hv_gic_config_set_distributor_base(cfg, MACHINE_GICD_BASE);
	if (r == HV_SUCCESS)
		r = hv_gic_config_set_redistributor_base(cfg, MACHINE_GICR_BASE);
	if (r == HV_SUCCESS)
		r = hv_gic_config_set_msi_region_base(cfg, MACHINE_GIC_MSI_BASE);
	if (r == HV_SUCCESS)
		r = hv_gic_config_set_msi_interrupt_range(cfg, MACHINE_MSI_INTID_BASE, MACHINE_MSI_COUNT);
	if (r == HV_SUCCESS)
		r = hv_gic_create(cfg);
	os_release(cfg);
	if (r != HV_SUCCESS) {
		snprintf(err, errlen, "hv_gic_create failed (0x%x)%s", (unsigned)r,
			 r == HV_UNSUPPORTED ? ": this host has no GICv3 for guests" : "");
		return MACHINE_ERR_HV;
	}
	return 0;
}

struct machine *machine_create(const struct machine_opts *o, char *err, size_t errlen)
{
	struct machine_opts def;
	if (!o) {
		machine_opts_default(&def);
		o = &def;
	}
	long ps = sysconf(_SC_PAGESIZE);
	uint64_t page = ps > 0 ? (uint64_t)ps : 4096;
	if (o->ncpus == 0 || o->ncpus > MACHINE_MAX_VCPUS || o->ram_size == 0 ||
	    (o->ram_size & (page - 1)) || (o->ram_base & (page - 1)) ||
	    o->ram_base + o->ram_size < o->ram_base) {
		snprintf(err, errlen, "bad machine options (ncpus 1..%d, RAM base/size page-aligned)",
			 MACHINE_MAX_VCPUS);
		return NULL;
	}
	if (o->uart_base + UART_SIZE > o->ram_base && o->uart_base < o->ram_base + o->ram_size) {
		snprintf(err, errlen, "the UART at 0x%llx overlaps RAM", (unsigned long long)o->uart_base);
		return NULL;
	}
	if (o->gic && o->ram_base < MACHINE_GIC_END && o->ram_base + o->ram_size > MACHINE_GICD_BASE) {
		snprintf(err, errlen, "RAM overlaps the GIC at [0x%llx, 0x%llx)",
			 (unsigned long long)MACHINE_GICD_BASE, (unsigned long long)MACHINE_GIC_END);
		return NULL;
	}
	struct machine *m = calloc(1, sizeof(*m));
	if (!m) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	m->o = *o;
	m->ncpus = o->ncpus;
	m->page_size = page;
	m->stop_pipe[0] = m->stop_pipe[1] = -1;
	pthread_mutex_init(&m->lock, NULL);
	pl011_init(&m->uart, o->uart_out, o->uart_ctx, o->gic ? MACHINE_UART_INTID : 0);
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&m->cv, &ca);
	pthread_condattr_destroy(&ca);
	atomic_init(&m->stop_requested, false);
	if (pipe2(m->stop_pipe, O_CLOEXEC | O_NONBLOCK)) {
		snprintf(err, errlen, "pipe: %s", strerror(errno));
		goto fail_free;
	}
	m->ram = mmap(NULL, o->ram_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
		      -1, 0);
	if (m->ram == MAP_FAILED) {
		m->ram = NULL;
		snprintf(err, errlen, "cannot allocate %llu bytes of guest RAM: %s",
			 (unsigned long long)o->ram_size, strerror(errno));
		goto fail_free;
	}
	hv_vm_config_t config = NULL;
	if (o->el2) {
		config = hv_vm_config_create();
		bool el2 = false;
		if (!config || hv_vm_config_get_el2_supported(&el2) != HV_SUCCESS || !el2 ||
		    hv_vm_config_set_el2_enabled(config, true) != HV_SUCCESS) {
			snprintf(err, errlen, "--el2: this backend has no EL2 for guests (HV_BACKEND=emu has)");
			if (config)
				os_release(config);
			goto fail_free;
		}
		m->o.psci_smc = true;
	}
	hv_return_t r = hv_vm_create(config);
	if (config)
		os_release(config);
	if (r != HV_SUCCESS) {
		snprintf(err, errlen, "hv_vm_create failed (0x%x)%s", (unsigned)r,
			 r == HV_BUSY ? ": a VM already exists in this process" : "");
		goto fail_free;
	}
	r = hv_vm_map(m->ram, o->ram_base, o->ram_size,
		      HV_MEMORY_READ | HV_MEMORY_WRITE | HV_MEMORY_EXEC);
	if (r != HV_SUCCESS) {
		uint32_t ipa_bits = 0;
		hv_vm_config_get_default_ipa_size(&ipa_bits);
		uint64_t end = o->ram_base + o->ram_size;
		if (r == HV_BAD_ARGUMENT && ipa_bits && ipa_bits < 64 && end > (1ull << ipa_bits))
			snprintf(err, errlen, "RAM [0x%llx, 0x%llx) does not fit the VM's %u-bit IPA space "
				 "(it ends at 0x%llx): use a smaller --ram or a lower base",
				 (unsigned long long)o->ram_base, (unsigned long long)end, ipa_bits,
				 (unsigned long long)(1ull << ipa_bits));
		else
			snprintf(err, errlen, "hv_vm_map of RAM at 0x%llx (0x%llx bytes) failed: %s (0x%x)",
				 (unsigned long long)o->ram_base, (unsigned long long)o->ram_size,
				 r == HV_NO_RESOURCES ? "HV_NO_RESOURCES" : r == HV_BAD_ARGUMENT ? "HV_BAD_ARGUMENT"
									 : "hv error", (unsigned)r);
		hv_vm_destroy();
		goto fail_free;
	}
	if (o->gic && board_gic_create(err, errlen)) {
		hv_vm_unmap(o->ram_base, o->ram_size);
		hv_vm_destroy();
		goto fail_free;
	}
	m->vtimer_offset = mach_absolute_time();
	if (run_control_start(m, err, errlen)) {
		hv_vm_unmap(o->ram_base, o->ram_size);
		hv_vm_destroy();
		goto fail_free;
	}
	return m;
fail_free:
	if (m->ram)
		munmap(m->ram, o->ram_size);
	if (m->stop_pipe[0] >= 0) {
		close(m->stop_pipe[0]);
		close(m->stop_pipe[1]);
	}
	free(m);
	return NULL;
}

void machine_destroy(struct machine *m)
{
	if (!m)
		return;
	run_control_stop(m);
	hv_vm_unmap(m->o.ram_base, m->o.ram_size);
	hv_vm_destroy();
	munmap(m->ram, m->o.ram_size);
	close(m->stop_pipe[0]);
	close(m->stop_pipe[1]);
	elf_image_free(m->img);
	free(m->dtb);
	machine_linux_request_free(m);
	free(m->bps);
	pl011_destroy(&m->uart);
	pthread_cond_destroy(&m->cv);
	pthread_mutex_destroy(&m->lock);
	free(m);
}

/* Page permissions = union of the flags of the segments touching the
 * page; pages no segment touches stay RWX (stack, heap). */
static int protect_segments(struct machine *m, const struct elf_image *img, char *err, size_t errlen)
{
	uint64_t ps = m->page_size;
	for (size_t i = 0; i < img->nsegs; i++) {
		const struct elf_segment *s = &img->segs[i];
		if (!s->memsz)
			continue;
		uint64_t start = s->paddr & ~(ps - 1), end = (s->paddr + s->memsz + ps - 1) & ~(ps - 1);
		for (uint64_t p = start; p < end; p += ps) {
			hv_memory_flags_t f = 0;
			for (size_t j = 0; j < img->nsegs; j++) {
				const struct elf_segment *t = &img->segs[j];
				if (t->memsz && t->paddr < p + ps && t->paddr + t->memsz > p)
					f |= ((t->flags & ELF_SEG_R) ? HV_MEMORY_READ : 0) |
					     ((t->flags & ELF_SEG_W) ? HV_MEMORY_WRITE : 0) |
					     ((t->flags & ELF_SEG_X) ? HV_MEMORY_EXEC : 0);
			}
			if (!f)
				f = HV_MEMORY_READ; /* PF flags 0: keep it readable */
			if (hv_vm_protect(p, ps, f) != HV_SUCCESS) {
				snprintf(err, errlen, "hv_vm_protect(0x%llx) failed", (unsigned long long)p);
				return MACHINE_ERR_HV;
			}
		}
	}
	return 0;
}

struct boot_arg {
	uint64_t pc, x0;
};

static int boot_fn(struct mvcpu *v, void *arg)
{
	struct boot_arg *a = arg;
	vcpu_boot_state(v, a->pc, a->x0);
	return 0;
}

int machine_reset_boot(struct machine *m, uint64_t entry, uint64_t x0)
{
	struct boot_arg a = { entry, x0 };
	int rc = vcpu_call(m, 0, boot_fn, &a);
	pthread_mutex_lock(&m->lock);
	m->vcpu[0].state = VCPU_STOPPED;
	m->vcpu[0].last = (struct machine_stop){ .reason = STOP_NONE, .pc = entry, .hw_slot = -1 };
	m->exited = false;
	pthread_mutex_unlock(&m->lock);
	return rc;
}

int machine_load_elf(struct machine *m, const char *path, uint64_t dyn_base, char *err,
		     size_t errlen)
{
	if (require_stopped(m, 0) == MACHINE_ERR_RUNNING) {
		snprintf(err, errlen, "the machine is running");
		return MACHINE_ERR_RUNNING;
	}
	struct elf_image *img;
	char sub[300];
	if (elf_image_open(path, dyn_base, &img, err, errlen))
		return MACHINE_ERR_ARG;
	if (elf_image_copy(img, m->ram, m->o.ram_base, m->o.ram_size, sub, sizeof(sub))) {
		snprintf(err, errlen, "%s: %s%s", path, sub,
			 img->type == ET_DYN_TYPE ? "; a position-independent (ET_DYN) image loads where --base ADDR "
						    "says, e.g. --base 0x40000000" : "");
		elf_image_free(img);
		return MACHINE_ERR_ARG;
	}
	/* Start from a fully writable RAM each load, then apply segments. */
	hv_vm_protect(m->o.ram_base, m->o.ram_size, HV_MEMORY_READ | HV_MEMORY_WRITE | HV_MEMORY_EXEC);
	if (m->o.protect_segments && protect_segments(m, img, err, errlen)) {
		elf_image_free(img);
		return MACHINE_ERR_HV;
	}
	elf_image_free(m->img);
	m->img = img;
	m->dyn_base = dyn_base;
	return machine_reset_boot(m, img->entry, 0);
}

int machine_load_flat(struct machine *m, const void *data, size_t len, uint64_t addr,
		      uint64_t entry, char *err, size_t errlen)
{
	if (require_stopped(m, 0) == MACHINE_ERR_RUNNING) {
		snprintf(err, errlen, "the machine is running");
		return MACHINE_ERR_RUNNING;
	}
	if (!ipa_in_ram(m, addr, len)) {
		snprintf(err, errlen, "image [0x%llx, +0x%zx) is outside RAM", (unsigned long long)addr, len);
		return MACHINE_ERR_ARG;
	}
	memcpy(m->ram + (addr - m->o.ram_base), data, len);
	return machine_reset_boot(m, entry, 0);
}

const struct elf_image *machine_image(const struct machine *m) { return m->img; }
void machine_set_image(struct machine *m, struct elf_image *img)
{
	elf_image_free(m->img);
	m->img = img;
}
uint8_t *machine_ram(const struct machine *m) { return m->ram; }
uint64_t machine_ram_base(const struct machine *m) { return m->o.ram_base; }
uint64_t machine_ram_size(const struct machine *m) { return m->o.ram_size; }
unsigned machine_ncpus(const struct machine *m) { return m->ncpus; }
uint64_t machine_uart_base(const struct machine *m) { return m->o.uart_base; }
uint64_t machine_uart_size(const struct machine *m) { (void)m; return UART_SIZE; }
