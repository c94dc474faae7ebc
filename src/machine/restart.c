/*
 * restart.c - starting an ELF guest over without leaving the debugger
 * (the REPL's `run` after a run, `reset`): every vCPU's registers back to
 * their reset values (the secondaries powered off again), RAM cleared,
 * the GIC reset, the exit counters zeroed, and the image loaded again
 * from its file - an ELF, or a Linux kernel with its initrd, command line
 * and device tree as machine_load_linux was asked - as a fresh hvdbg
 * would start it.
 */
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include "machine_internal.h"

/* EL1/EL0 state a guest programs; reset values are 0 for all of them
 * here (SCTLR_EL1's RES1 bits are set by vcpu_boot_state).  The debug
 * registers belong to the debugger and stay. */
static const hv_sys_reg_t guest_regs[] = {
	HV_SYS_REG_TCR_EL1, HV_SYS_REG_TTBR0_EL1, HV_SYS_REG_TTBR1_EL1, HV_SYS_REG_MAIR_EL1,
	HV_SYS_REG_AMAIR_EL1, HV_SYS_REG_VBAR_EL1, HV_SYS_REG_CPACR_EL1, HV_SYS_REG_ESR_EL1,
	HV_SYS_REG_FAR_EL1, HV_SYS_REG_ELR_EL1, HV_SYS_REG_SPSR_EL1, HV_SYS_REG_PAR_EL1,
	HV_SYS_REG_CONTEXTIDR_EL1, HV_SYS_REG_TPIDR_EL0, HV_SYS_REG_TPIDRRO_EL0, HV_SYS_REG_TPIDR_EL1,
	HV_SYS_REG_SP_EL0, HV_SYS_REG_AFSR0_EL1, HV_SYS_REG_AFSR1_EL1, HV_SYS_REG_CNTKCTL_EL1,
	HV_SYS_REG_CNTV_CTL_EL0, HV_SYS_REG_CNTV_CVAL_EL0, HV_SYS_REG_CNTP_CTL_EL0, HV_SYS_REG_CNTP_CVAL_EL0,
	HV_SYS_REG_CSSELR_EL1,
};

static int reset_fn(struct mvcpu *v, void *arg)
{
	(void)arg;
	hv_return_t r = HV_SUCCESS;
	/* a register a backend does not have is simply not there to reset */
	for (size_t i = 0; i < sizeof(guest_regs) / sizeof(guest_regs[0]); i++)
		(void)hv_vcpu_set_sys_reg(v->hv, guest_regs[i], 0);
	hv_simd_fp_uchar16_t zero;
	memset(&zero, 0, sizeof(zero));
	for (unsigned q = 0; q < 32; q++)
		r |= hv_vcpu_set_simd_fp_reg(v->hv, (hv_simd_fp_reg_t)(HV_SIMD_FP_REG_Q0 + q), zero);
	r |= hv_vcpu_set_reg(v->hv, HV_REG_FPCR, 0);
	r |= hv_vcpu_set_reg(v->hv, HV_REG_FPSR, 0);
	vcpu_boot_state(v, 0, 0);
	return r == HV_SUCCESS ? 0 : MACHINE_ERR_HV;
}

int machine_restart(struct machine *m, char *err, size_t errlen)
{
	if (require_stopped(m, 0) == MACHINE_ERR_RUNNING) {
		snprintf(err, errlen, "the machine is running");
		return MACHINE_ERR_RUNNING;
	}
	bool kernel = m->dtb && m->have_linux_req;
	if (!kernel && (m->dtb || !m->img || !m->img->path || !m->img->nsegs)) {
		snprintf(err, errlen, "this guest was not loaded from an ELF file or a kernel image: nothing to load again");
		return MACHINE_ERR_UNSUPPORTED;
	}
	char path[1024] = "";
	if (!kernel)
		snprintf(path, sizeof(path), "%s", m->img->path);
	for (unsigned i = 0; i < m->ncpus; i++) { /* secondaries too: CPU_ON only sets the entry */
		int rc = vcpu_call(m, i, reset_fn, NULL);
		if (rc) {
			snprintf(err, errlen, "cannot reset vCPU %u: %s", i, machine_strerror(rc));
			return rc;
		}
	}
	pthread_mutex_lock(&m->lock);
	for (unsigned i = 0; i < m->ncpus; i++) {
		struct mvcpu *v = &m->vcpu[i];
		if (i)
			v->state = VCPU_OFF; /* waits for PSCI CPU_ON again */
		v->boot_pending = false;
		memset(&v->stats, 0, sizeof(v->stats));
		memset(&v->last_exit, 0, sizeof(v->last_exit));
		v->last = (struct machine_stop){ .reason = STOP_NONE, .vcpu = i, .hw_slot = -1 };
	}
	m->exited = false;
	pthread_mutex_unlock(&m->lock);
	if (m->o.gic)
		hv_gic_reset();
	if (kernel) { /* the same kernel, initrd and command line; the symbols stay */
		struct elf_image *syms = m->img;
		m->img = NULL;
		struct machine_linux again = m->linux_req; /* machine_load_linux copies it first */
		int rc = machine_load_linux(m, &again, err, errlen);
		elf_image_free(m->img);
		m->img = syms;
		return rc;
	}
	/* zero RAM without touching it (a fresh anonymous mapping reads 0) */
	if (madvise(m->ram, m->o.ram_size, MADV_DONTNEED))
		memset(m->ram, 0, m->o.ram_size);
	return machine_load_elf(m, path, m->dyn_base, err, errlen);
}
