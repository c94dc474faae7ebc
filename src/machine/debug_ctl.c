/*
 * debug_ctl.c - the debugger's view of the guest: software breakpoints
 * (BRK #0 while running, original words while stopped), hardware
 * breakpoints and watchpoints (DBGB<n>, DBGW<n> of every vCPU), single-step
 * (MDSCR_EL1.SS + PSTATE.SS with trap_debug_exceptions), the step-over
 * decision on resume, and memory access by guest virtual address.
 *
 * Ownership (as QEMU-HVF): while any hardware slot is used or a vCPU
 * steps, the debugger owns that vCPU's debug registers; the guest's own
 * values are kept aside and its MSR/MRS to them trap (EC 0x18) and are
 * served from that copy.  Debug exceptions exit to us only while we have
 * something armed, so a guest BRK otherwise reaches its own vector.
 */
#include "machine_internal.h"

#include <stdlib.h>
#include <string.h>

#define DBGBCR_EXEC 0x1e7ull /* E, PMC = EL1+EL0, BAS = 0xF */
#define DBG_HMC (1ull << 13)  /* EL2 guests: match EL2 code and accesses too */

static bool hw_used(const struct machine *m)
{
	for (unsigned i = 0; i < m->nhwbp; i++)
		if (m->hwbp[i].used)
			return true;
	for (unsigned i = 0; i < m->nhwwp; i++)
		if (m->hwwp[i].used)
			return true;
	return false;
}

bool debug_any_active(const struct machine *m)
{
	return m->nbps || hw_used(m);
}

static hv_sys_reg_t dbg_reg(unsigned n, unsigned kind) /* kind 0 BVR, 1 BCR, 2 WVR, 3 WCR */
{
	return (hv_sys_reg_t)(HV_SYS_REG_DBGBVR0_EL1 + 8 * n + kind);
}

static unsigned nslots(const struct machine *m)
{
	unsigned n = m->nhwbp > m->nhwwp ? m->nhwbp : m->nhwwp;
	return n > MACHINE_MAX_HW_SLOTS ? MACHINE_MAX_HW_SLOTS : n;
}

/* Takes the debug registers from the guest (saving its values) or gives
 * them back. */
static int set_owned(struct mvcpu *v, bool own)
{
	struct machine *m = v->m;
	hv_return_t r = HV_SUCCESS;
	if (own) {
		r |= hv_vcpu_get_sys_reg(v->hv, HV_SYS_REG_MDSCR_EL1, &v->guest_mdscr);
		for (unsigned n = 0; n < nslots(m); n++)
			for (unsigned k = 0; k < 4; k++)
				r |= hv_vcpu_get_sys_reg(v->hv, dbg_reg(n, k), &v->guest_dbg[n][k]);
		v->hw_mdscr = v->guest_mdscr;
		v->dbg_gen = m->dbg_gen - 1; /* force programming */
	} else {
		for (unsigned n = 0; n < nslots(m); n++)
			for (unsigned k = 0; k < 4; k++)
				r |= hv_vcpu_set_sys_reg(v->hv, dbg_reg(n, k), v->guest_dbg[n][k]);
		r |= hv_vcpu_set_sys_reg(v->hv, HV_SYS_REG_MDSCR_EL1, v->guest_mdscr);
		v->hw_mdscr = v->guest_mdscr;
	}
	r |= hv_vcpu_set_trap_debug_reg_accesses(v->hv, own);
	v->dbg_owned = own;
	return r == HV_SUCCESS ? 0 : MACHINE_ERR_HV;
}

int debug_prepare_run(struct mvcpu *v, bool stepping, bool suppress)
{
	struct machine *m = v->m;
	bool hw = hw_used(m), own = hw || stepping, trap = own || m->nbps;
	hv_return_t r = HV_SUCCESS;
	if (own != v->dbg_owned && set_owned(v, own))
		return MACHINE_ERR_HV;
	if (trap != v->trap_dbg) {
		r |= hv_vcpu_set_trap_debug_exceptions(v->hv, trap);
		v->trap_dbg = trap;
	}
	if (!own)
		return r == HV_SUCCESS ? 0 : MACHINE_ERR_HV;
	if (v->dbg_gen != m->dbg_gen || v->dbg_suppressed != suppress) {
		for (unsigned n = 0; n < nslots(m); n++) {
			const struct hw_slot *b = n < m->nhwbp ? &m->hwbp[n] : NULL;
			const struct hw_slot *w = n < m->nhwwp ? &m->hwwp[n] : NULL;
			bool bon = b && b->used && !suppress, won = w && w->used && !suppress;
			r |= hv_vcpu_set_sys_reg(v->hv, dbg_reg(n, 0), bon ? b->vr : 0);
			r |= hv_vcpu_set_sys_reg(v->hv, dbg_reg(n, 1), bon ? b->cr : 0);
			r |= hv_vcpu_set_sys_reg(v->hv, dbg_reg(n, 2), won ? w->vr : 0);
			r |= hv_vcpu_set_sys_reg(v->hv, dbg_reg(n, 3), won ? w->cr : 0);
		}
		v->dbg_gen = m->dbg_gen;
		v->dbg_suppressed = suppress;
	}
	uint64_t mdscr = (stepping ? MDSCR_SS : 0) | (hw && !suppress ? MDSCR_MDE : 0);
	if (mdscr != v->hw_mdscr) {
		r |= hv_vcpu_set_sys_reg(v->hv, HV_SYS_REG_MDSCR_EL1, mdscr);
		v->hw_mdscr = mdscr;
	}
	if (stepping) {
		/* PSTATE.SS = 1: the next instruction is stepped (active-not-pending). */
		uint64_t cpsr;
		r |= hv_vcpu_get_reg(v->hv, HV_REG_CPSR, &cpsr);
		if (!(cpsr & CPSR_SS))
			r |= hv_vcpu_set_reg(v->hv, HV_REG_CPSR, cpsr | CPSR_SS);
	}
	return r == HV_SUCCESS ? 0 : MACHINE_ERR_HV;
}

/* A step that took an exception saved the debugger's PSTATE.SS = 1 in
 * SPSR_ELx: the guest must not find it there (its ERET would restore it). */
static hv_return_t clear_step_in_spsr(struct mvcpu *v, uint64_t cpsr)
{
	unsigned el = (unsigned)(cpsr >> 2) & 3;
	if (el == 0 || (el == 2 && !v->m->o.el2))
		return HV_SUCCESS;
	hv_sys_reg_t spsr_reg = el == 2 ? HV_SYS_REG_SPSR_EL2 : HV_SYS_REG_SPSR_EL1;
	uint64_t pc, vbar, spsr;
	hv_return_t r = hv_vcpu_get_reg(v->hv, HV_REG_PC, &pc);
	r |= hv_vcpu_get_sys_reg(v->hv, el == 2 ? HV_SYS_REG_VBAR_EL2 : HV_SYS_REG_VBAR_EL1, &vbar);
	r |= hv_vcpu_get_sys_reg(v->hv, spsr_reg, &spsr);
	if (r == HV_SUCCESS && pc >= vbar && pc - vbar < 0x800 && (pc & 0x7f) == 0 && (spsr & CPSR_SS))
		r = hv_vcpu_set_sys_reg(v->hv, spsr_reg, spsr & ~CPSR_SS);
	return r;
}

int debug_end_step(struct mvcpu *v)
{
	hv_return_t r = HV_SUCCESS;
	uint64_t cpsr;
	if (v->hw_mdscr & MDSCR_SS) {
		v->hw_mdscr &= ~MDSCR_SS;
		r |= hv_vcpu_set_sys_reg(v->hv, HV_SYS_REG_MDSCR_EL1, v->hw_mdscr);
	}
	r |= hv_vcpu_get_reg(v->hv, HV_REG_CPSR, &cpsr);
	if (cpsr & CPSR_SS)
		r |= hv_vcpu_set_reg(v->hv, HV_REG_CPSR, cpsr & ~CPSR_SS);
	if (r == HV_SUCCESS)
		r = clear_step_in_spsr(v, cpsr);
	return r == HV_SUCCESS ? 0 : MACHINE_ERR_HV;
}

bool debug_emulate_sysreg(struct mvcpu *v, hv_sys_reg_t r, bool read, uint64_t *val)
{
	unsigned e = (unsigned)r, op2 = e & 7, crm = (e >> 3) & 15;
	if (!v->dbg_owned || (e >> 14) != 2 || ((e >> 7) & 15) != 0 || ((e >> 11) & 7) != 0)
		return false;
	uint64_t *slot;
	if (e == HV_SYS_REG_MDSCR_EL1)
		slot = &v->guest_mdscr;
	else if (op2 >= 4 && crm < MACHINE_MAX_HW_SLOTS)
		slot = &v->guest_dbg[crm][op2 - 4];
	else
		return false;
	if (read)
		*val = *slot;
	else
		*slot = *val;
	return true;
}

/* ------------------------------------------------- software breakpoints */

static uint8_t *ram_ptr(const struct machine *m, uint64_t ipa)
{
	return m->ram + (ipa - m->o.ram_base);
}

static void write_word(struct machine *m, uint64_t ipa, uint32_t w)
{
	uint8_t *p = ram_ptr(m, ipa);
	memcpy(p, &w, 4);
	__builtin___clear_cache((char *)p, (char *)p + 4); /* I-side coherence on arm64 hosts */
}

static uint32_t read_word(const struct machine *m, uint64_t ipa)
{
	uint32_t w;
	memcpy(&w, ram_ptr(m, ipa), 4);
	return w;
}

void debug_insert_sw_bps(struct machine *m)
{
	for (size_t i = 0; i < m->nbps; i++) {
		struct sw_bp *b = &m->bps[i];
		if (b->inserted)
			continue;
		b->orig = read_word(m, b->ipa);
		if (b->orig != BRK0_INSN)
			write_word(m, b->ipa, BRK0_INSN);
		b->inserted = true;
	}
}

void debug_remove_sw_bps(struct machine *m)
{
	for (size_t i = m->nbps; i-- > 0;) {
		struct sw_bp *b = &m->bps[i];
		if (!b->inserted)
			continue;
		/* If the guest rewrote the word meanwhile, its new code stays. */
		if (read_word(m, b->ipa) == BRK0_INSN)
			write_word(m, b->ipa, b->orig);
		b->inserted = false;
	}
}

bool debug_is_sw_bp(const struct machine *m, uint64_t pc)
{
	for (size_t i = 0; i < m->nbps; i++)
		if (m->bps[i].va == pc)
			return true;
	return false;
}

int debug_hw_bp_slot(const struct machine *m, uint64_t pc)
{
	for (unsigned i = 0; i < m->nhwbp && i < MACHINE_MAX_HW_SLOTS; i++)
		if (m->hwbp[i].used && m->hwbp[i].addr == pc)
			return (int)i;
	return -1;
}

bool debug_needs_stepover(struct mvcpu *v, uint64_t pc, bool step)
{
	struct machine *m = v->m;
	/* gdb's rule for a continue: a breakpoint is stepped over only when
	 * resuming from a stop reported at this very PC.  At the boot state,
	 * after the debugger moved the PC, or on a vCPU held by another's
	 * stop (STOP_NONE) the instruction has not run yet, so the breakpoint
	 * there must hit.  A single step always executes the instruction. */
	bool stopped_here = v->last.reason != STOP_NONE && v->last.pc == pc;
	if ((stopped_here || step) && (debug_is_sw_bp(m, pc) || debug_hw_bp_slot(m, pc) >= 0))
		return true;
	/* Resuming at the instruction that hit a watchpoint before its access
	 * (watch_pc == pc): without a step over it, it would hit again (gdb
	 * removes its watchpoints first, the REPL may not).  With
	 * watch_stop_after the access is done and pc is the next instruction,
	 * whose own accesses must be watched. */
	return stopped_here && v->last.reason == STOP_WATCHPOINT && v->last.watch_pc == pc &&
	       hw_used(m);
}

/* The armed slot nearest to far (FAR may be imprecise: below the watched
 * address, or the start of a wider access); -1 if none.  With dir set,
 * only slots watching that direction. */
static int nearest_wp(const struct machine *m, uint64_t far, unsigned dir, uint64_t *dist)
{
	int best = -1;
	*dist = UINT64_MAX;
	for (unsigned i = 0; i < m->nhwwp && i < MACHINE_MAX_HW_SLOTS; i++) {
		const struct hw_slot *w = &m->hwwp[i];
		if (!w->used || (dir && !(w->kind & dir)))
			continue;
		uint64_t d = far < w->addr ? w->addr - far : far - w->addr < w->len ? 0 : far - (w->addr + w->len - 1);
		if (d < *dist) {
			*dist = d;
			best = (int)i;
		}
	}
	return best;
}

void debug_classify_watch(const struct machine *m, uint64_t far, struct machine_stop *ev)
{
	/* A write watch and a read watch may cover the same bytes: prefer a
	 * slot of the access's direction (ESR.WnR), else any. */
	uint64_t best_dist;
	int best = nearest_wp(m, far, ev->access_is_write ? WATCH_WRITE : WATCH_READ, &best_dist);
	if (best < 0)
		best = nearest_wp(m, far, 0, &best_dist);
	ev->hw_slot = best;
	if (best < 0) {
		ev->data_addr = far;
		ev->watch_kind = ev->access_is_write ? WATCH_WRITE : WATCH_READ;
		return;
	}
	const struct hw_slot *w = &m->hwwp[best];
	ev->data_addr = best_dist == 0 ? far : w->addr;
	ev->watch_kind = w->kind;
}

/* ------------------------------------------------------- memory by VA */

struct mmu_arg {
	struct pagewalk_regs regs;
};

/* TCR_EL2 (E2H = 0) as the TCR_EL1 the stage-1 walker reads: T0SZ, the
 * TTBR0 walk attributes and TG0 in place, PS [18:16] as IPS, TBI [20] as
 * TBI0, HPD [24] as HPD0, TTBR1 walks disabled (one VA range). */
static uint64_t tcr_el2_as_el1(uint64_t t)
{
	return (t & 0xffffull) | ((t >> 16) & 7) << 32 | ((t >> 20) & 1) << 37 | ((t >> 24) & 1) << 41 | 1ull << 23;
}

/* The translation the vCPU uses now: EL1&0 (with the guest hypervisor's
 * stage 2 under HCR_EL2.VM), or EL2's own at EL2. */
static hv_return_t read_mmu(struct mvcpu *v, struct pagewalk_regs *p)
{
	uint64_t cpsr = 0, hcr = 0;
	memset(p, 0, sizeof(*p));
	hv_return_t r = hv_vcpu_get_reg(v->hv, HV_REG_CPSR, &cpsr);
	unsigned el = (unsigned)(cpsr >> 2) & 3;
	if (v->m->o.el2)
		r |= hv_vcpu_get_sys_reg(v->hv, HV_SYS_REG_HCR_EL2, &hcr);
	bool e2h = (hcr >> 34) & 1, tge = (hcr >> 27) & 1;
	if (v->m->o.el2 && (el == 2 || (el == 0 && e2h && tge))) {
		/* EL2's regime; with E2H (FEAT_VHE) the two-range EL2&0 one,
		 * whose TCR_EL2 has TCR_EL1's layout. */
		uint64_t tcr = 0;
		p->el2 = true;
		r |= hv_vcpu_get_sys_reg(v->hv, HV_SYS_REG_SCTLR_EL2, &p->sctlr);
		r |= hv_vcpu_get_sys_reg(v->hv, HV_SYS_REG_TCR_EL2, &tcr);
		r |= hv_vcpu_get_sys_reg(v->hv, HV_SYS_REG_TTBR0_EL2, &p->ttbr0);
		if (e2h)
			r |= hv_vcpu_get_sys_reg(v->hv, HV_SYS_REG_TTBR1_EL2, &p->ttbr1);
		p->tcr = e2h ? tcr : tcr_el2_as_el1(tcr);
		return r;
	}
	r |= hv_vcpu_get_sys_reg(v->hv, HV_SYS_REG_SCTLR_EL1, &p->sctlr);
	r |= hv_vcpu_get_sys_reg(v->hv, HV_SYS_REG_TCR_EL1, &p->tcr);
	r |= hv_vcpu_get_sys_reg(v->hv, HV_SYS_REG_TTBR0_EL1, &p->ttbr0);
	r |= hv_vcpu_get_sys_reg(v->hv, HV_SYS_REG_TTBR1_EL1, &p->ttbr1);
	if ((hcr & 1) && !tge) { /* HCR_EL2.VM: the guest hypervisor's stage 2 */
		p->s2 = true;
		r |= hv_vcpu_get_sys_reg(v->hv, HV_SYS_REG_VTCR_EL2, &p->s2r.vtcr);
		r |= hv_vcpu_get_sys_reg(v->hv, HV_SYS_REG_VTTBR_EL2, &p->s2r.vttbr);
	}
	return r;
}

static int mmu_fn(struct mvcpu *v, void *p)
{
	struct mmu_arg *a = p;
	if (!v->mmu_valid) {
		if (read_mmu(v, &v->mmu) != HV_SUCCESS)
			return MACHINE_ERR_HV;
		v->mmu_valid = true;
	}
	a->regs = v->mmu;
	return 0;
}

static bool read_desc(void *ctx, uint64_t ipa, uint64_t *val)
{
	const struct machine *m = ctx;
	if (!ipa_in_ram(m, ipa, 8))
		return false;
	memcpy(val, ram_ptr(m, ipa), 8);
	return true;
}

/* A walk with the guest hypervisor's stage 2: each stage-1 descriptor
 * address is an IPA, read through stage 2. */
struct s2_ctx {
	struct machine *m;
	const struct pagewalk_s2_regs *s2;
	pagewalk_read_fn raw;
};

static bool read_desc_s2(void *ctx, uint64_t ipa, uint64_t *val)
{
	struct s2_ctx *c = ctx;
	struct pagewalk_s2_result t;
	return pagewalk_s2(c->s2, ipa, c->raw, c->m, &t) && c->raw(c->m, t.pa, val);
}

/* The whole translation of va with regs: stage 1 (r), then stage 2 of its
 * output (s2, when regs->s2).  Returns the address in the VM's RAM map in
 * *pa; false if none.  A valid descriptor with AF = 0 still gives the
 * debugger access. */
static bool translate(struct machine *m, const struct pagewalk_regs *regs, uint64_t va, pagewalk_read_fn raw,
		      struct pagewalk_result *r, struct pagewalk_s2_result *s2, uint64_t *pa)
{
	struct s2_ctx c = { m, &regs->s2r, raw };
	pagewalk(regs, va, regs->s2 ? read_desc_s2 : raw, regs->s2 ? (void *)&c : (void *)m, r);
	if (s2)
		memset(s2, 0, sizeof(*s2));
	if (!r->ok && !r->block_size)
		return false;
	if (!regs->s2) {
		*pa = r->ipa;
		return true;
	}
	struct pagewalk_s2_result t;
	bool ok = pagewalk_s2(&regs->s2r, r->ipa, raw, m, &t);
	if (s2)
		*s2 = t;
	*pa = t.pa;
	return ok;
}

int vcpu_fetch_insn(struct mvcpu *v, uint64_t pc, uint32_t *insn)
{
	struct mmu_arg a;
	struct pagewalk_result r;
	v->mmu_valid = false; /* the guest has run since the last stop */
	uint64_t pa;
	if (mmu_fn(v, &a))
		return MACHINE_ERR_HV;
	if (!translate(v->m, &a.regs, pc, read_desc, &r, NULL, &pa) || !r.ok || !ipa_in_ram(v->m, pa, 4))
		return MACHINE_ERR_FAULT;
	*insn = read_word(v->m, pa);
	return 0;
}

int machine_pagewalk2(struct machine *m, unsigned vcpu, uint64_t va, struct pagewalk_result *r,
		      struct pagewalk_s2_result *s2, bool *two_stage, bool *el2)
{
	struct mmu_arg a;
	uint64_t pa;
	int rc = vcpu_call(m, vcpu, mmu_fn, &a);
	if (rc)
		return rc;
	translate(m, &a.regs, va, read_desc, r, s2, &pa);
	if (two_stage)
		*two_stage = a.regs.s2;
	if (el2)
		*el2 = a.regs.el2;
	return 0;
}

int machine_pagewalk(struct machine *m, unsigned vcpu, uint64_t va, struct pagewalk_result *r)
{
	return machine_pagewalk2(m, vcpu, va, r, NULL, NULL, NULL);
}

int machine_translate(struct machine *m, unsigned vcpu, uint64_t va, uint64_t *ipa)
{
	struct mmu_arg a;
	struct pagewalk_result r;
	int rc = vcpu_call(m, vcpu, mmu_fn, &a);
	if (rc)
		return rc;
	return translate(m, &a.regs, va, read_desc, &r, NULL, ipa) ? 0 : MACHINE_ERR_FAULT;
}

/* How a chunk of RAM is moved: write into the guest, read, or read live
 * (the guest running: byte-wise atomic loads). */
enum va_op { VA_WRITE, VA_READ, VA_READ_LIVE };

static void copy_live(void *dst, const void *src, size_t n);
static bool read_desc_live(void *ctx, uint64_t ipa, uint64_t *val);

/* Moves len bytes at va, translated with regs, chunk by chunk (chunks
 * never cross a 4 KiB boundary, the smallest granule); stops at the first
 * byte not mapped to RAM.  Returns the bytes moved. */
static long move_virt(struct machine *m, const struct pagewalk_regs *regs, uint64_t va, void *buf, size_t len,
		      enum va_op op)
{
	size_t done = 0;
	while (done < len) {
		uint64_t cur = va + done;
		size_t chunk = 4096 - (size_t)(cur & 4095);
		if (chunk > len - done)
			chunk = len - done;
		struct pagewalk_result r;
		uint64_t pa;
		if (!translate(m, regs, cur, op == VA_READ_LIVE ? read_desc_live : read_desc, &r, NULL, &pa) ||
		    !ipa_in_ram(m, pa, chunk))
			break;
		uint8_t *p = ram_ptr(m, pa);
		if (op == VA_WRITE) {
			memcpy(p, (const uint8_t *)buf + done, chunk);
			__builtin___clear_cache((char *)p, (char *)p + chunk);
		} else if (op == VA_READ) {
			memcpy((uint8_t *)buf + done, p, chunk);
		} else {
			copy_live((uint8_t *)buf + done, p, chunk);
		}
		done += chunk;
	}
	return (long)done;
}

static long access_virt(struct machine *m, unsigned vcpu, uint64_t va, void *buf, size_t len,
			bool write)
{
	if (vcpu >= m->ncpus || (!buf && len))
		return MACHINE_ERR_ARG;
	struct mmu_arg a;
	int rc = vcpu_call(m, vcpu, mmu_fn, &a);
	if (rc)
		return rc;
	return move_virt(m, &a.regs, va, buf, len, write ? VA_WRITE : VA_READ);
}

long machine_read_virt(struct machine *m, unsigned vcpu, uint64_t va, void *buf, size_t len)
{
	return access_virt(m, vcpu, va, buf, len, false);
}

long machine_write_virt(struct machine *m, unsigned vcpu, uint64_t va, const void *buf, size_t len)
{
	return access_virt(m, vcpu, va, (void *)buf, len, true);
}

static long access_phys(struct machine *m, uint64_t ipa, void *buf, size_t len, bool write)
{
	if (!buf && len)
		return MACHINE_ERR_ARG;
	if (require_stopped(m, 0))
		return MACHINE_ERR_RUNNING;
	size_t n = 0;
	if (ipa_in_ram(m, ipa, 0)) {
		uint64_t avail = m->o.ram_size - (ipa - m->o.ram_base);
		n = len < avail ? len : (size_t)avail;
	}
	if (n && write) {
		memcpy(ram_ptr(m, ipa), buf, n);
		__builtin___clear_cache((char *)ram_ptr(m, ipa), (char *)ram_ptr(m, ipa) + n);
	} else if (n) {
		memcpy(buf, ram_ptr(m, ipa), n);
	}
	return (long)n;
}

long machine_read_phys(struct machine *m, uint64_t ipa, void *buf, size_t len)
{
	return access_phys(m, ipa, buf, len, false);
}

/* Live reads: byte by byte, atomically (the guest may be storing). */
static void copy_live(void *dst, const void *src, size_t n)
{
	const unsigned char *s = src;
	unsigned char *d = dst;
	for (size_t i = 0; i < n; i++)
		d[i] = __atomic_load_n(&s[i], __ATOMIC_RELAXED);
}

static bool read_desc_live(void *ctx, uint64_t ipa, uint64_t *val)
{
	const struct machine *m = ctx;
	if (!ipa_in_ram(m, ipa, 8))
		return false;
	copy_live(val, ram_ptr(m, ipa), 8);
	return true;
}

int machine_snapshot_translation(struct machine *m, unsigned vcpu)
{
	struct mmu_arg a;
	if (vcpu >= m->ncpus)
		return MACHINE_ERR_ARG;
	int rc = vcpu_call(m, vcpu, mmu_fn, &a);
	if (rc)
		return rc;
	pthread_mutex_lock(&m->lock);
	m->vcpu[vcpu].stop_mmu = a.regs;
	m->vcpu[vcpu].stop_mmu_valid = true;
	pthread_mutex_unlock(&m->lock);
	return 0;
}

long machine_read_virt_live(struct machine *m, unsigned vcpu, uint64_t va, void *buf, size_t len)
{
	if (vcpu >= m->ncpus || (!buf && len))
		return MACHINE_ERR_ARG;
	pthread_mutex_lock(&m->lock);
	struct pagewalk_regs regs = m->vcpu[vcpu].stop_mmu;
	bool valid = m->vcpu[vcpu].stop_mmu_valid;
	pthread_mutex_unlock(&m->lock);
	if (!valid)
		return MACHINE_ERR_RUNNING;
	return move_virt(m, &regs, va, buf, len, VA_READ_LIVE);
}

long machine_read_phys_live(struct machine *m, uint64_t ipa, void *buf, size_t len)
{
	if (!buf && len)
		return MACHINE_ERR_ARG;
	if (!ipa_in_ram(m, ipa, 0))
		return 0;
	uint64_t avail = m->o.ram_size - (ipa - m->o.ram_base);
	size_t n = len < avail ? len : (size_t)avail;
	copy_live(buf, ram_ptr(m, ipa), n);
	return (long)n;
}

long machine_write_phys(struct machine *m, uint64_t ipa, const void *buf, size_t len)
{
	return access_phys(m, ipa, (void *)buf, len, true);
}

/* ------------------------------------------------------ breakpoint API */

int machine_bp_insert(struct machine *m, uint64_t addr)
{
	int rc = require_stopped(m, 0);
	if (rc)
		return rc;
	if (addr & 3)
		return MACHINE_ERR_ARG;
	if (debug_is_sw_bp(m, addr))
		return MACHINE_ERR_EXISTS;
	uint64_t ipa;
	if ((rc = machine_translate(m, 0, addr, &ipa)))
		return rc;
	if (!ipa_in_ram(m, ipa, 4))
		return MACHINE_ERR_FAULT;
	if (m->nbps == m->cap_bps) {
		size_t cap = m->cap_bps ? m->cap_bps * 2 : 16;
		struct sw_bp *n = realloc(m->bps, cap * sizeof(*n));
		if (!n)
			return MACHINE_ERR_NOMEM;
		m->bps = n;
		m->cap_bps = cap;
	}
	m->bps[m->nbps++] = (struct sw_bp){ .va = addr, .ipa = ipa };
	return 0;
}

int machine_bp_remove(struct machine *m, uint64_t addr)
{
	int rc = require_stopped(m, 0);
	if (rc)
		return rc;
	for (size_t i = 0; i < m->nbps; i++) {
		if (m->bps[i].va == addr) {
			m->bps[i] = m->bps[--m->nbps];
			return 0;
		}
	}
	return MACHINE_ERR_EXISTS;
}

unsigned machine_hw_bp_count(const struct machine *m)
{
	return m->nhwbp > MACHINE_MAX_HW_SLOTS ? MACHINE_MAX_HW_SLOTS : m->nhwbp;
}

unsigned machine_hw_wp_count(const struct machine *m)
{
	return m->nhwwp > MACHINE_MAX_HW_SLOTS ? MACHINE_MAX_HW_SLOTS : m->nhwwp;
}

int machine_hwbp_insert(struct machine *m, uint64_t addr)
{
	int rc = require_stopped(m, 0);
	if (rc)
		return rc;
	if (addr & 3)
		return MACHINE_ERR_ARG;
	if (debug_hw_bp_slot(m, addr) >= 0)
		return MACHINE_ERR_EXISTS;
	for (unsigned i = 0; i < machine_hw_bp_count(m); i++) {
		struct hw_slot *s = &m->hwbp[i];
		if (s->used)
			continue;
		/* BVR: the address sign-extended from bit 52 (as QEMU). */
		uint64_t vr = (addr & (1ull << 52)) ? addr | ~((1ull << 53) - 1) : addr & ((1ull << 53) - 1);
		*s = (struct hw_slot){ .used = true, .addr = addr, .len = 4, .vr = vr,
				       .cr = DBGBCR_EXEC | (m->o.el2 ? DBG_HMC : 0) };
		m->dbg_gen++;
		return 0;
	}
	return MACHINE_ERR_NOSLOT;
}

int machine_hwbp_remove(struct machine *m, uint64_t addr)
{
	int rc = require_stopped(m, 0);
	if (rc)
		return rc;
	int i = debug_hw_bp_slot(m, addr);
	if (i < 0)
		return MACHINE_ERR_EXISTS;
	m->hwbp[i].used = false;
	m->dbg_gen++;
	return 0;
}

/* DBGWCR/DBGWVR for [addr, addr+len): BAS for up to 8 bytes inside one
 * doubleword, MASK for aligned powers of two (hv-api-facts §4.6). */
static int encode_wp(uint64_t addr, uint64_t len, enum machine_watch_kind k, uint64_t *vr,
		     uint64_t *cr)
{
	uint64_t lsc = k == WATCH_WRITE ? 2 : k == WATCH_READ ? 1 : 3;
	if (len == 0 || (k != WATCH_WRITE && k != WATCH_READ && k != WATCH_ACCESS))
		return MACHINE_ERR_ARG;
	if ((addr & 7) + len <= 8) {
		uint64_t bas = ((1ull << len) - 1) << (addr & 7);
		*vr = addr & ~7ull;
		*cr = 1 | 3ull << 1 | lsc << 3 | (bas & 0xff) << 5;
		return 0;
	}
	if ((len & (len - 1)) == 0 && len <= (1ull << 31) && (addr & (len - 1)) == 0) {
		uint64_t mask = (uint64_t)__builtin_ctzll(len);
		*vr = addr;
		*cr = 1 | 3ull << 1 | lsc << 3 | 0xffull << 5 | mask << 24;
		return 0;
	}
	return MACHINE_ERR_UNSUPPORTED;
}

int machine_wp_insert(struct machine *m, uint64_t addr, uint64_t len, enum machine_watch_kind k)
{
	int rc = require_stopped(m, 0);
	if (rc)
		return rc;
	uint64_t vr, cr;
	if ((rc = encode_wp(addr, len, k, &vr, &cr)))
		return rc;
	int free_slot = -1;
	for (unsigned i = 0; i < machine_hw_wp_count(m); i++) {
		const struct hw_slot *s = &m->hwwp[i];
		if (s->used && s->addr == addr && s->len == len && s->kind == k)
			return MACHINE_ERR_EXISTS;
		if (!s->used && free_slot < 0)
			free_slot = (int)i;
	}
	if (free_slot < 0)
		return MACHINE_ERR_NOSLOT;
	m->hwwp[free_slot] = (struct hw_slot){ .used = true, .addr = addr, .len = len, .kind = k,
					       .vr = vr, .cr = cr | (m->o.el2 ? DBG_HMC : 0) };
	m->dbg_gen++;
	return 0;
}

int machine_wp_remove(struct machine *m, uint64_t addr, uint64_t len, enum machine_watch_kind k)
{
	int rc = require_stopped(m, 0);
	if (rc)
		return rc;
	for (unsigned i = 0; i < machine_hw_wp_count(m); i++) {
		struct hw_slot *s = &m->hwwp[i];
		if (s->used && s->addr == addr && s->len == len && s->kind == k) {
			s->used = false;
			m->dbg_gen++;
			return 0;
		}
	}
	return MACHINE_ERR_EXISTS;
}

void machine_debug_clear(struct machine *m)
{
	if (require_stopped(m, 0))
		return;
	m->nbps = 0;
	memset(m->hwbp, 0, sizeof(m->hwbp));
	memset(m->hwwp, 0, sizeof(m->hwwp));
	m->dbg_gen++;
}
