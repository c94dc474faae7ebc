/*
 * backend.c - the `kvm` backend: hv_backend_ops on Linux KVM (arm64).
 * VM and vCPU lifecycle, memory slots, register access, feature
 * registers.  The run loop and exits are in run.c.  What KVM cannot
 * express is documented in docs/kvm-backend.md.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "../config.h"
#include "kvm.h"

static int kvm_fd = -1;

int kvm_get_one(int fd, uint64_t id, uint64_t *value)
{
	*value = 0; /* 32-bit registers fill the low half (little-endian) */
	struct kvm_one_reg r = { .id = id, .addr = (uintptr_t)value };
	return ioctl(fd, KVM_GET_ONE_REG, &r);
}

int kvm_set_one(int fd, uint64_t id, uint64_t value)
{
	struct kvm_one_reg r = { .id = id, .addr = (uintptr_t)&value };
	return ioctl(fd, KVM_SET_ONE_REG, &r);
}

int kvm_get_pc(struct kvm_vcpu_state *c, uint64_t *pc)
{
	if (!c->pc_valid) {
		if (kvm_get_one(c->fd, KVM_REG_PC, &c->pc))
			return -1;
		c->pc_valid = true;
	}
	*pc = c->pc;
	return 0;
}

int kvm_set_pc(struct kvm_vcpu_state *c, uint64_t pc)
{
	c->pc_valid = false;
	/* Skipping an MMIO access: perhaps KVM's completion (run.c). */
	c->mmio_kvm_pc = c->mmio_pending && c->mmio_pc_ok && pc == c->mmio_pc + 4;
	if (c->mmio_kvm_pc) {
		c->pc = pc;
		c->pc_valid = true;
		return 0;
	}
	if (kvm_set_one(c->fd, KVM_REG_PC, pc))
		return -1;
	c->pc = pc;
	c->pc_valid = true;
	return 0;
}

static int cap(int fd, long c)
{
	int r = ioctl(fd, KVM_CHECK_EXTENSION, c);
	return r < 0 ? 0 : r;
}

/* ------------------------------------------------------------------ */
/* Availability: /dev/kvm with what the backend needs, checked once.   */

static bool kvm_usable;
static pthread_once_t probe_once = PTHREAD_ONCE_INIT;

static bool smccc_filter_supported(int vm_fd)
{
	struct kvm_device_attr a = { .group = KVM_ARM_VM_SMCCC_CTRL, .attr = KVM_ARM_VM_SMCCC_FILTER };
	return ioctl(vm_fd, KVM_HAS_DEVICE_ATTR, &a) == 0;
}

static void probe(void)
{
	kvm_fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (kvm_fd < 0)
		return;
	/* HVC/SMC forwarding needs the SMCCC filter (Linux 6.4); the vtimer
	 * needs the userspace irqchip; hv_vm_protect needs read-only slots. */
	if (ioctl(kvm_fd, KVM_GET_API_VERSION, 0) != KVM_API_VERSION || !cap(kvm_fd, KVM_CAP_ONE_REG) ||
	    !cap(kvm_fd, KVM_CAP_IMMEDIATE_EXIT) || !cap(kvm_fd, KVM_CAP_ARM_USER_IRQ) ||
	    !cap(kvm_fd, KVM_CAP_READONLY_MEM) || !cap(kvm_fd, KVM_CAP_SET_GUEST_DEBUG))
		goto fail;
	int vm = ioctl(kvm_fd, KVM_CREATE_VM, 0);
	if (vm < 0)
		goto fail;
	bool filter = smccc_filter_supported(vm);
	close(vm);
	if (!filter)
		goto fail;
	kvm_usable = true;
	return;
fail:
	close(kvm_fd);
	kvm_fd = -1;
}

static bool kvm_available(void)
{
	pthread_once(&probe_once, probe);
	return kvm_usable;
}

/* ------------------------------------------------------------------ */
/* VM                                                                  */

/* Forwards every SMCCC function id to userspace except the Arm
 * architecture ranges, which KVM keeps (they cannot be filtered). */
static int install_smccc_filter(int vm_fd)
{
	static const struct { uint32_t base, n; } ranges[] = {
		{ 0x00000000u, 0x80000000u },
		{ 0x80010000u, 0x3fff0000u },
		{ 0xc0010000u, 0x3fff0000u },
	};
	for (size_t i = 0; i < sizeof(ranges) / sizeof(ranges[0]); i++) {
		struct kvm_smccc_filter f = { .base = ranges[i].base, .nr_functions = ranges[i].n,
					      .action = KVM_SMCCC_FILTER_FWD_TO_USER };
		struct kvm_device_attr a = { .group = KVM_ARM_VM_SMCCC_CTRL,
					     .attr = KVM_ARM_VM_SMCCC_FILTER,
					     .addr = (uintptr_t)&f };
		if (ioctl(vm_fd, KVM_SET_DEVICE_ATTR, &a))
			return -1;
	}
	return 0;
}

/* The vCPU features every vCPU of a VM is initialised with. */
static int vcpu_init_template(int vm_fd, struct kvm_vcpu_init *init)
{
	if (ioctl(vm_fd, KVM_ARM_PREFERRED_TARGET, init))
		return -1;
	init->features[0] |= 1u << KVM_ARM_VCPU_PSCI_0_2;
	/* Apple silicon has pointer authentication; offer it when KVM can. */
	if (cap(kvm_fd, KVM_CAP_ARM_PTRAUTH_ADDRESS) && cap(kvm_fd, KVM_CAP_ARM_PTRAUTH_GENERIC))
		init->features[0] |= (1u << KVM_ARM_VCPU_PTRAUTH_ADDRESS) | (1u << KVM_ARM_VCPU_PTRAUTH_GENERIC);
	return 0;
}

static int create_kvm_vm(uint32_t ipa_bits)
{
	if (ipa_bits < HV_MIN_BACKEND_IPA_BITS)
		ipa_bits = HV_MIN_BACKEND_IPA_BITS; /* the API layer keeps maps below */
	int max = cap(kvm_fd, KVM_CAP_ARM_VM_IPA_SIZE);
	if (max && (int)ipa_bits > max)
		return -1;
	return ioctl(kvm_fd, KVM_CREATE_VM, max ? KVM_VM_TYPE_ARM_IPA_SIZE(ipa_bits) : 0);
}

static hv_return_t kvm_vm_create(struct hv_vm_obj *vm)
{
	if (!kvm_available())
		return HV_UNSUPPORTED;
	struct kvm_vm_state *s = calloc(1, sizeof(*s));
	if (!s)
		return HV_NO_RESOURCES;
	s->vgic_fd = -1;
	s->fd = create_kvm_vm(vm->ipa_bits);
	if (s->fd < 0) {
		free(s);
		return errno == ENOMEM ? HV_NO_RESOURCES : HV_UNSUPPORTED;
	}
	s->run_size = ioctl(kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	s->max_slots = (uint32_t)cap(kvm_fd, KVM_CAP_NR_MEMSLOTS);
	if (!s->max_slots)
		s->max_slots = 32;
	/* Loads/stores without a valid syndrome (pairs, writeback) exit as
	 * KVM_EXIT_ARM_NISV instead of failing KVM_RUN. */
	struct kvm_enable_cap nisv = { .cap = KVM_CAP_ARM_NISV_TO_USER };
	if (s->run_size <= 0 || install_smccc_filter(s->fd) || vcpu_init_template(s->fd, &s->init) ||
	    ioctl(s->fd, KVM_ENABLE_CAP, &nisv)) {
		close(s->fd);
		free(s);
		return HV_UNSUPPORTED;
	}
	pthread_mutex_init(&s->lock, NULL);
	atomic_init(&s->updating, 0);
	vm->backend_state = s;
	kvm_install_kick_handler();
	return HV_SUCCESS;
}

static void kvm_vm_destroy(struct hv_vm_obj *vm)
{
	struct kvm_vm_state *s = kvm_vm_of(vm);
	for (unsigned i = 0; i < HV_MAX_VCPUS; i++) {
		struct kvm_vcpu_state *c = s->vcpus[i];
		if (!c)
			continue;
		munmap(c->run, (size_t)s->run_size);
		close(c->fd);
		free(c);
	}
	close(s->fd); /* drops the memory slots too */
	pthread_mutex_destroy(&s->lock);
	free(s->slots);
	free(s);
	vm->backend_state = NULL;
}

/* ------------------------------------------------------------------ */
/* Memory: KVM slots mirror vm->mem.                                   */

/* What a region's HV_MEMORY_* flags become in KVM: 1 = a slot (*ro set
 * for a read-only one), 0 = no slot (every access exits), -1 = KVM has no
 * such permission.  A memslot is always readable and always executable:
 * R and R+W become read-only / read-write slots whose missing EXEC is not
 * enforced (docs/kvm-backend.md: fetches from them execute instead of
 * exiting with EC 0x20); W or X without R cannot be expressed at all. */
static int slot_kind(uint64_t flags, bool *ro)
{
	*ro = false;
	if (flags == 0)
		return 0;
	if (!(flags & HV_MEMORY_READ))
		return -1;
	*ro = !(flags & HV_MEMORY_WRITE);
	return 1;
}

static int set_slot(struct kvm_vm_state *s, uint32_t id, uint64_t ipa, uint64_t size, void *host, bool ro)
{
	struct kvm_userspace_memory_region mr = {
		.slot = id,
		.flags = ro ? KVM_MEM_READONLY : 0,
		.guest_phys_addr = ipa,
		.memory_size = size,
		.userspace_addr = (uintptr_t)host,
	};
	return ioctl(s->fd, KVM_SET_USER_MEMORY_REGION, &mr);
}

/* Lowest slot id not in use (the slot table is small). */
static int free_slot_id(struct kvm_vm_state *s, uint32_t *id)
{
	for (uint32_t cand = 0; cand < s->max_slots; cand++) {
		size_t i = 0;
		while (i < s->nslots && s->slots[i].id != cand)
			i++;
		if (i == s->nslots) {
			*id = cand;
			return 0;
		}
	}
	return -1;
}

static int add_slot(struct kvm_vm_state *s, uint64_t ipa, uint64_t size, uint8_t *host, bool ro)
{
	if (s->nslots == s->cap) {
		size_t cap = s->cap ? 2 * s->cap : 16;
		struct kvm_mslot *n = realloc(s->slots, cap * sizeof(*n));
		if (!n)
			return -1;
		s->slots = n;
		s->cap = cap;
	}
	uint32_t id;
	if (free_slot_id(s, &id) || set_slot(s, id, ipa, size, host, ro))
		return -1;
	s->slots[s->nslots++] = (struct kvm_mslot){ .id = id, .ipa = ipa, .size = size, .host = host };
	return 0;
}

static bool overlaps(uint64_t a, uint64_t asize, uint64_t b, uint64_t bsize)
{
	return a < b + bsize && b < a + asize;
}

/* Rebuilds the slots covering [ipa, ipa+size) from vm->mem: slots that
 * overlap the range are deleted and the regions of the (widened) range
 * mapped again.  Nothing changes if a region in it has flags KVM cannot
 * express. */
static hv_return_t kvm_vm_mem_changed(struct hv_vm_obj *vm, hv_ipa_t ipa, size_t size)
{
	struct kvm_vm_state *s = kvm_vm_of(vm);
	hv_return_t ret = HV_SUCCESS;
	bool ro;
	pthread_rwlock_rdlock(&vm->mem_lock);
	for (size_t i = 0; i < vm->mem.count; i++) {
		const struct hv_mem_region *r = &vm->mem.regions[i];
		if (overlaps(r->ipa, r->size, ipa, size) && slot_kind(r->flags, &ro) < 0) {
			pthread_rwlock_unlock(&vm->mem_lock);
			return HV_UNSUPPORTED;
		}
	}
	pthread_mutex_lock(&s->lock);
	atomic_fetch_add(&s->updating, 1);
	kvm_pause_vcpus(s);
	uint64_t lo = ipa, hi = ipa + size;
	for (size_t i = 0; i < s->nslots;) {
		struct kvm_mslot *m = &s->slots[i];
		if (!overlaps(m->ipa, m->size, ipa, size)) {
			i++;
			continue;
		}
		lo = m->ipa < lo ? m->ipa : lo;
		hi = m->ipa + m->size > hi ? m->ipa + m->size : hi;
		set_slot(s, m->id, m->ipa, 0, NULL, false);
		s->slots[i] = s->slots[--s->nslots];
	}
	for (size_t i = 0; i < vm->mem.count; i++) {
		const struct hv_mem_region *r = &vm->mem.regions[i];
		if (!overlaps(r->ipa, r->size, lo, hi - lo) || slot_kind(r->flags, &ro) == 0)
			continue;
		uint64_t a = r->ipa > lo ? r->ipa : lo;
		uint64_t b = r->ipa + r->size < hi ? r->ipa + r->size : hi;
		if (add_slot(s, a, b - a, r->host + (a - r->ipa), ro))
			ret = HV_NO_RESOURCES;
	}
	atomic_fetch_sub(&s->updating, 1);
	pthread_mutex_unlock(&s->lock);
	pthread_rwlock_unlock(&vm->mem_lock);
	return ret;
}

/* ------------------------------------------------------------------ */
/* vCPUs                                                               */

_Thread_local struct kvm_run *kvm_tls_run __attribute__((tls_model("initial-exec")));

static hv_return_t kvm_vcpu_create(struct hv_vcpu_obj *v)
{
	struct kvm_vm_state *s = kvm_vm_of(v->vm);
	pthread_mutex_lock(&s->lock);
	struct kvm_vcpu_state *c = s->vcpus[v->id];
	if (!c) {
		c = calloc(1, sizeof(*c));
		if (!c)
			goto nomem;
		c->fd = ioctl(s->fd, KVM_CREATE_VCPU, (unsigned long)v->id);
		if (c->fd < 0) {
			free(c);
			goto nomem;
		}
		c->run = mmap(NULL, (size_t)s->run_size, PROT_READ | PROT_WRITE, MAP_SHARED, c->fd, 0);
		if (c->run == MAP_FAILED) {
			close(c->fd);
			free(c);
			goto nomem;
		}
		c->id = (unsigned)v->id;
		s->vcpus[v->id] = c;
	}
	pthread_mutex_unlock(&s->lock);
	/* (Re-)initialising resets the registers to KVM's reset state:
	 * EL1h with DAIF masked (PSTATE 0x3c5), the MMU off. */
	struct kvm_vcpu_init init = s->init;
	if (ioctl(c->fd, KVM_ARM_VCPU_INIT, &init))
		return HV_ERROR;
	struct kvm_guest_debug off = { .control = 0 };
	ioctl(c->fd, KVM_SET_GUEST_DEBUG, &off);
	struct kvm_run *run = c->run;
	int fd = c->fd;
	unsigned id = c->id;
	memset(c, 0, sizeof(*c));
	c->fd = fd;
	c->run = run;
	c->id = id;
	run->immediate_exit = 0;
	run->exit_reason = KVM_EXIT_UNKNOWN;
	c->owner = v->owner;
	atomic_init(&c->in_run, false);
	v->backend_state = c;
	/* FP/SIMD not trapped (CPACR_EL1.FPEN = 0b11), as the emu backend
	 * resets it; KVM's reset value traps them. */
	kvm_set_one(c->fd, KVM_SYSREG(0xc082), 0x300000);
	/* This thread owns the vCPU: the kick signal must reach it. */
	kvm_tls_run = run;
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, kvm_kick_signal());
	pthread_sigmask(SIG_UNBLOCK, &set, NULL);
	return HV_SUCCESS;
nomem:
	pthread_mutex_unlock(&s->lock);
	return HV_NO_RESOURCES;
}

static void irq_line(struct kvm_vm_state *s, unsigned id, unsigned line, bool level)
{
	struct kvm_irq_level irq = {
		.irq = (KVM_ARM_IRQ_TYPE_CPU << KVM_ARM_IRQ_TYPE_SHIFT) | (id << KVM_ARM_IRQ_VCPU_SHIFT) | line,
		.level = level,
	};
	ioctl(s->fd, KVM_IRQ_LINE, &irq);
}

static void kvm_vcpu_destroy(struct hv_vcpu_obj *v)
{
	struct kvm_vcpu_state *c = kvm_vcpu_of(v);
	struct kvm_vm_state *s = kvm_vm_of(v->vm);
	/* The KVM vCPU stays for a later hv_vcpu_create with this id. */
	if (c->irq_line)
		irq_line(s, c->id, KVM_ARM_IRQ_CPU_IRQ, false);
	if (c->fiq_line)
		irq_line(s, c->id, KVM_ARM_IRQ_CPU_FIQ, false);
	kvm_tls_run = NULL;
	v->backend_state = NULL;
}

void kvm_sync_irq_lines(struct hv_vcpu_obj *v)
{
	if (v->vm->has_gic)
		return; /* KVM's vgic drives the CPU's lines (documented) */
	struct kvm_vcpu_state *c = kvm_vcpu_of(v);
	struct kvm_vm_state *s = kvm_vm_of(v->vm);
	if (c->irq_line != v->pending_irq) {
		irq_line(s, c->id, KVM_ARM_IRQ_CPU_IRQ, v->pending_irq);
		c->irq_line = v->pending_irq;
	}
	if (c->fiq_line != v->pending_fiq) {
		irq_line(s, c->id, KVM_ARM_IRQ_CPU_FIQ, v->pending_fiq);
		c->fiq_line = v->pending_fiq;
	}
}

/* ------------------------------------------------------------------ */
/* Registers                                                           */

static hv_return_t errno_ret(void)
{
	return errno == ENOENT ? HV_BAD_ARGUMENT : errno == ENOMEM ? HV_NO_RESOURCES : HV_UNSUPPORTED;
}

static uint64_t hv_reg_id(hv_reg_t reg)
{
	if (reg <= HV_REG_X30)
		return KVM_REG_X(reg);
	switch (reg) {
	case HV_REG_PC: return KVM_REG_PC;
	case HV_REG_FPCR: return KVM_REG_FPCR;
	case HV_REG_FPSR: return KVM_REG_FPSR;
	default: return KVM_REG_PSTATE;
	}
}

/* KVM's completion of the pending MMIO load sets Rt to value: the
 * access's bytes of it, zero-extended (Linux kvm_handle_mmio_return,
 * little-endian data).  KVM extends as the ESR's SSE and SF say; with
 * the sign bit clear their values do not matter, and for a signed load
 * with it set the backend does not rely on them (under nested QEMU TCG,
 * KVM's completion of LDRSW did not sign-extend: test exits/dabt_ldrsw). */
static bool kvm_load_gives(const struct kvm_vcpu_state *c, uint64_t value)
{
	unsigned len = c->mmio_len;
	if (!c->mmio_le || len == 0 || len > 8)
		return false;
	if (len == 8)
		return true;
	uint64_t bytes = value & ((1ull << (8 * len)) - 1);
	bool sign = (value >> (8 * len - 1)) & 1;
	return bytes == value && !(sign && c->mmio_sse);
}

/* Rt of the pending MMIO exit: a load's value goes to run->mmio.data when
 * KVM's completion would produce it (no ONE_REG write, run.c). */
static hv_return_t set_mmio_rt(struct kvm_vcpu_state *c, uint64_t value)
{
	if (!c->mmio_write && kvm_load_gives(c, value)) {
		memcpy(c->run->mmio.data, &value, c->mmio_len); /* little-endian host */
		c->rt_state = RT_DEFERRED;
	} else {
		if (kvm_set_one(c->fd, KVM_REG_X(c->mmio_srt), value))
			return errno_ret();
		if (!c->mmio_write)
			c->rt_state = RT_WRITTEN;
	}
	c->rt_known = true;
	c->rt_val = value;
	return HV_SUCCESS;
}

static hv_return_t kvm_get_reg(struct hv_vcpu_obj *v, hv_reg_t reg, uint64_t *value)
{
	struct kvm_vcpu_state *c = kvm_vcpu_of(v);
	if (c->rt_known && reg == c->mmio_srt) {
		*value = c->rt_val;
		return HV_SUCCESS;
	}
	int r = reg == HV_REG_PC ? kvm_get_pc(c, value) : kvm_get_one(c->fd, hv_reg_id(reg), value);
	return r ? errno_ret() : HV_SUCCESS;
}

/* A mode other than EL0t, EL1t, EL1h (AArch32, EL2/EL3, EL0 with SP_ELx)
 * is treated as an illegal exception return, as the emu backend does:
 * the current mode stays and PSTATE.IL is set, so the guest takes an
 * Illegal Execution State exception instead of KVM refusing the value. */
static uint64_t legal_cpsr(struct kvm_vcpu_state *c, uint64_t value)
{
	unsigned m = value & 0x1f;
	if (m == 0x0 || m == 0x4 || m == 0x5)
		return value;
	uint64_t cur = 0x3c5;
	kvm_get_one(c->fd, KVM_REG_PSTATE, &cur);
	return (value & ~0x1full) | (cur & 0x1f) | (1ull << 20);
}

static hv_return_t kvm_set_reg(struct hv_vcpu_obj *v, hv_reg_t reg, uint64_t value)
{
	struct kvm_vcpu_state *c = kvm_vcpu_of(v);
	uint64_t id = hv_reg_id(reg);
	/* KVM keeps FP control/status bits as written: keep the defined
	 * ones, as the hardware does (FPCR 26:15, 12:8, 2:0; FPSR NZCV, QC,
	 * IDC, the cumulative flags). */
	if (reg == HV_REG_FPCR)
		value &= 0x07ff9f07u;
	else if (reg == HV_REG_FPSR)
		value &= 0xf800009fu;
	else if (reg == HV_REG_CPSR)
		value = legal_cpsr(c, value);
	if (c->mmio_pending && reg == c->mmio_srt)
		return set_mmio_rt(c, value);
	if (reg == HV_REG_PC ? kvm_set_pc(c, value) : kvm_set_one(c->fd, id, value))
		return errno == EINVAL ? HV_BAD_ARGUMENT : errno_ret(); /* e.g. an invalid mode */
	return HV_SUCCESS;
}

static hv_return_t kvm_get_simd_fp_reg(struct hv_vcpu_obj *v, unsigned reg, uint8_t value[16])
{
	struct kvm_one_reg r = { .id = KVM_REG_V(reg), .addr = (uintptr_t)value };
	return ioctl(kvm_vcpu_of(v)->fd, KVM_GET_ONE_REG, &r) ? errno_ret() : HV_SUCCESS;
}

static hv_return_t kvm_set_simd_fp_reg(struct hv_vcpu_obj *v, unsigned reg, const uint8_t value[16])
{
	uint8_t buf[16];
	memcpy(buf, value, 16);
	struct kvm_one_reg r = { .id = KVM_REG_V(reg), .addr = (uintptr_t)buf };
	return ioctl(kvm_vcpu_of(v)->fd, KVM_SET_ONE_REG, &r) ? errno_ret() : HV_SUCCESS;
}

/* Debug breakpoint/watchpoint registers: (2,0,0,n,4..7). */
static bool is_dbg_wb_reg(uint16_t r, unsigned *n, unsigned *kind)
{
	if ((r & 0xff80) != 0x8000 || (r & 7) < 4)
		return false;
	*n = (r >> 3) & 15;
	*kind = (r & 7) - 4; /* 0 BVR, 1 BCR, 2 WVR, 3 WCR */
	return true;
}

/* hv_sys_reg_t values that exist in this configuration (no EL2, no GIC,
 * no SME, no FEAT_CSV2_2: those are HV_BAD_ARGUMENT, as with emu). */
static const uint16_t plain_sysregs[] = {
	0x8010, /* MDCCINT_EL1 */
	0xc000, 0xc005, /* MIDR, MPIDR */
	0xc020, 0xc021, 0xc024, 0xc025, 0xc028, 0xc029, 0xc030, 0xc031, 0xc038, 0xc039, 0xc03a,
	0xc080, 0xc082, /* SCTLR, CPACR */
	0xc100, 0xc101, 0xc102, /* TTBR0, TTBR1, TCR */
	0xc108, 0xc109, 0xc10a, 0xc10b, 0xc110, 0xc111, 0xc112, 0xc113, 0xc118, 0xc119, /* PAuth keys */
	0xc288, 0xc289, 0xc290, 0xc300, 0xc3a0, /* AFSR0/1, ESR, FAR, PAR */
	0xc510, 0xc518, 0xc600, 0xc681, 0xc684, 0xc708, /* MAIR, AMAIR, VBAR, CONTEXTIDR, TPIDR, CNTKCTL */
	0xd000, 0xde82, 0xde83, /* CSSELR, TPIDR_EL0, TPIDRRO_EL0 */
};

/* ONE_REG id of an hv_sys_reg_t, 0 if the register does not exist here. */
static uint64_t sysreg_id(uint16_t r, bool gic_vm)
{
	switch (r) {
	case HV_SYS_REG_SP_EL0: return KVM_REG_SP_EL0;
	case HV_SYS_REG_SP_EL1: return KVM_REG_SP_EL1;
	case HV_SYS_REG_ELR_EL1: return KVM_REG_ELR_EL1;
	case HV_SYS_REG_SPSR_EL1: return KVM_REG_SPSR_EL1;
	case HV_SYS_REG_CNTV_CTL_EL0: return KVM_REG_ARM_TIMER_CTL;
	/* KVM's CVAL and CNT ids are swapped against the architecture. */
	case HV_SYS_REG_CNTV_CVAL_EL0: return KVM_REG_ARM_TIMER_CVAL;
	case HV_SYS_REG_MDSCR_EL1: return KVM_SYSREG(r);
	default: break;
	}
	if (gic_vm && (r == HV_SYS_REG_CNTP_CTL_EL0 || r == HV_SYS_REG_CNTP_CVAL_EL0))
		return KVM_SYSREG(r); /* the physical timer: with a GIC only, as on macOS */
	unsigned n, kind;
	if (is_dbg_wb_reg(r, &n, &kind))
		return KVM_SYSREG(r);
	for (size_t i = 0; i < sizeof(plain_sysregs) / sizeof(plain_sysregs[0]); i++)
		if (plain_sysregs[i] == r)
			return KVM_SYSREG(r);
	return 0;
}

static uint64_t *dbg_shadow(struct kvm_vcpu_state *c, unsigned n, unsigned kind)
{
	uint64_t *arrays[4] = { c->bvr, c->bcr, c->wvr, c->wcr };
	return &arrays[kind][n];
}

static hv_return_t kvm_get_sys_reg(struct hv_vcpu_obj *v, hv_sys_reg_t reg, uint64_t *value)
{
	struct kvm_vcpu_state *c = kvm_vcpu_of(v);
	if (reg == HV_SYS_REG_ACTLR_EL1) {
		*value = 0; /* EnTSO: KVM cannot give a vCPU TSO ordering */
		return HV_SUCCESS;
	}
	uint64_t id = sysreg_id(reg, v->vm->has_gic);
	if (!id)
		return HV_BAD_ARGUMENT;
	if (kvm_get_one(c->fd, id, value) == 0)
		return HV_SUCCESS;
	unsigned n, kind;
	if (is_dbg_wb_reg(reg, &n, &kind)) { /* beyond the slots KVM has */
		*value = *dbg_shadow(c, n, kind);
		return HV_SUCCESS;
	}
	return errno_ret();
}

static hv_return_t kvm_set_sys_reg(struct hv_vcpu_obj *v, hv_sys_reg_t reg, uint64_t value)
{
	struct kvm_vcpu_state *c = kvm_vcpu_of(v);
	if (reg == HV_SYS_REG_ACTLR_EL1)
		return (value & 2) ? HV_UNSUPPORTED : HV_SUCCESS;
	uint64_t id = sysreg_id(reg, v->vm->has_gic);
	if (!id)
		return HV_BAD_ARGUMENT;
	unsigned n, kind;
	bool dbg = is_dbg_wb_reg(reg, &n, &kind);
	if (dbg) {
		*dbg_shadow(c, n, kind) = value;
		c->debug_dirty = true;
	} else if (reg == HV_SYS_REG_MDSCR_EL1) {
		c->mdscr = value;
		c->debug_dirty = true;
	}
	if (kvm_set_one(c->fd, id, value) && !dbg)
		return errno_ret();
	return HV_SUCCESS;
}

/* TDA (debug register accesses exit) cannot be expressed: KVM traps them
 * itself and never exits to userspace. */
static hv_return_t kvm_debug_traps_changed(struct hv_vcpu_obj *v)
{
	if (v->trap_debug_reg_accesses)
		return HV_UNSUPPORTED;
	kvm_vcpu_of(v)->debug_dirty = true;
	return HV_SUCCESS;
}

/* ------------------------------------------------------------------ */
/* Feature registers and cache geometry, read once from a scratch vCPU. */

static const uint16_t feature_sysreg[] = {
	[HV_FEATURE_REG_ID_AA64DFR0_EL1] = 0xc028, [HV_FEATURE_REG_ID_AA64DFR1_EL1] = 0xc029,
	[HV_FEATURE_REG_ID_AA64ISAR0_EL1] = 0xc030, [HV_FEATURE_REG_ID_AA64ISAR1_EL1] = 0xc031,
	[HV_FEATURE_REG_ID_AA64MMFR0_EL1] = 0xc038, [HV_FEATURE_REG_ID_AA64MMFR1_EL1] = 0xc039,
	[HV_FEATURE_REG_ID_AA64MMFR2_EL1] = 0xc03a, [HV_FEATURE_REG_ID_AA64PFR0_EL1] = 0xc020,
	[HV_FEATURE_REG_ID_AA64PFR1_EL1] = 0xc021, [HV_FEATURE_REG_CTR_EL0] = 0xd801,
	[HV_FEATURE_REG_CLIDR_EL1] = 0xc801, [HV_FEATURE_REG_DCZID_EL0] = 0xd807,
	[HV_FEATURE_REG_ID_AA64SMFR0_EL1] = 0xc025, [HV_FEATURE_REG_ID_AA64ZFR0_EL1] = 0xc024,
};
#define N_FEATURES (sizeof(feature_sysreg) / sizeof(feature_sysreg[0]))

static struct {
	bool ok;
	uint64_t feature[N_FEATURES];
	uint64_t ccsidr[2][8];
} scratch;
static pthread_once_t scratch_once = PTHREAD_ONCE_INIT;

static void read_scratch(void)
{
	if (!kvm_available())
		return;
	int vm = ioctl(kvm_fd, KVM_CREATE_VM, 0);
	if (vm < 0)
		return;
	struct kvm_vcpu_init init;
	int cpu = ioctl(vm, KVM_CREATE_VCPU, 0UL);
	if (cpu >= 0 && vcpu_init_template(vm, &init) == 0 && ioctl(cpu, KVM_ARM_VCPU_INIT, &init) == 0) {
		for (size_t i = 0; i < N_FEATURES; i++)
			kvm_get_one(cpu, KVM_SYSREG(feature_sysreg[i]), &scratch.feature[i]);
		/* DCZID_EL0 is not a KVM register: the host's value is the
		 * guest's (KVM does not trap it). */
		uint64_t dczid;
		__asm__("mrs %0, dczid_el0" : "=r"(dczid));
		scratch.feature[HV_FEATURE_REG_DCZID_EL0] = dczid;
		for (unsigned type = 0; type < 2; type++)
			for (unsigned level = 0; level < 8; level++)
				kvm_get_one(cpu, KVM_REG_ARM64 | KVM_REG_SIZE_U32 | KVM_REG_ARM_DEMUX |
							 KVM_REG_ARM_DEMUX_ID_CCSIDR | (level << 1 | type),
					    &scratch.ccsidr[type][level]);
		scratch.ok = true;
	}
	if (cpu >= 0)
		close(cpu);
	close(vm);
}

static hv_return_t kvm_feature_reg(hv_feature_reg_t reg, uint64_t *value)
{
	pthread_once(&scratch_once, read_scratch);
	if (!scratch.ok || reg >= N_FEATURES)
		return scratch.ok ? HV_BAD_ARGUMENT : HV_UNSUPPORTED;
	*value = scratch.feature[reg];
	return HV_SUCCESS;
}

static hv_return_t kvm_ccsidr_values(hv_cache_type_t type, uint64_t values[8])
{
	pthread_once(&scratch_once, read_scratch);
	if (!scratch.ok)
		return HV_UNSUPPORTED;
	memcpy(values, scratch.ccsidr[type == HV_CACHE_TYPE_INSTRUCTION], 8 * sizeof(uint64_t));
	return HV_SUCCESS;
}

const struct hv_backend_ops hv_kvm_backend = {
	.name = "kvm",
	.available = kvm_available,
	.vm_create = kvm_vm_create,
	.vm_destroy = kvm_vm_destroy,
	.gic = &kvm_vgic_ops,
	.vm_mem_changed = kvm_vm_mem_changed,
	.vcpu_create = kvm_vcpu_create,
	.vcpu_destroy = kvm_vcpu_destroy,
	.vcpu_run = kvm_vcpu_run,
	.vcpu_kick = kvm_vcpu_kick,
	.get_reg = kvm_get_reg,
	.set_reg = kvm_set_reg,
	.get_simd_fp_reg = kvm_get_simd_fp_reg,
	.set_simd_fp_reg = kvm_set_simd_fp_reg,
	.get_sys_reg = kvm_get_sys_reg,
	.set_sys_reg = kvm_set_sys_reg,
	.debug_traps_changed = kvm_debug_traps_changed,
	.feature_reg = kvm_feature_reg,
	.ccsidr_values = kvm_ccsidr_values,
};
