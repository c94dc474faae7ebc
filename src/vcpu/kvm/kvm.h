/*
 * kvm.h - the `kvm` backend's internal interface: per-VM and per-vCPU
 * state and the helpers shared by backend.c (lifecycle, memory slots,
 * registers), run.c (KVM_RUN and the exits) and decode.c (guest
 * instruction fetch and the data-abort syndrome).  See docs/kvm-backend.md.
 */
#ifndef HV_KVM_H
#define HV_KVM_H

#include <linux/kvm.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../vm.h"

/* UAPI newer than the Linux 6.1 headers of Debian bookworm (values from
 * Linux 6.4+ include/uapi). */
#ifndef KVM_ARM_VM_SMCCC_CTRL
#define KVM_ARM_VM_SMCCC_CTRL 0
#define KVM_ARM_VM_SMCCC_FILTER 0
#define KVM_SMCCC_FILTER_FWD_TO_USER 2
struct kvm_smccc_filter {
	__u32 base;
	__u32 nr_functions;
	__u8 action;
	__u8 pad[15];
};
#endif
#ifndef KVM_HYPERCALL_EXIT_SMC
#define KVM_HYPERCALL_EXIT_SMC (1u << 0)
#endif
#ifndef KVM_DEBUG_ARCH_HSR_HIGH_VALID
#define KVM_DEBUG_ARCH_HSR_HIGH_VALID (1u << 0)
#endif

#define KVM_DBG_SLOTS 16
#define KVM_NO_SRT 255u

/* One KVM memory slot mirroring (part of) a region of vm->mem. */
struct kvm_mslot {
	uint32_t id;
	uint64_t ipa, size;
	uint8_t *host;
};

struct kvm_vcpu_state;

struct kvm_vm_state {
	int fd;
	int run_size;
	pthread_mutex_t lock; /* slots and vcpus[] */
	struct kvm_mslot *slots;
	size_t nslots, cap;
	uint32_t max_slots;
	/* A slot update is under way: vCPUs stay out of KVM_RUN, because
	 * KVM cannot replace a slot atomically (a fetch from the gap would
	 * be an abort injected into the guest). */
	atomic_uint updating;
	/* KVM vCPUs cannot be destroyed: they live until the VM does, and
	 * hv_vcpu_create re-initialises the one with the same id. */
	struct kvm_vcpu_state *vcpus[HV_MAX_VCPUS];
	struct kvm_vcpu_init init;
	/* The in-kernel vgic-v3 (vgic.c), -1 without hv_gic_create. */
	int vgic_fd;
	bool vgic_ready;
};

struct kvm_vcpu_state {
	int fd;
	unsigned id;
	pthread_t owner;
	atomic_bool in_run; /* inside (or about to enter) KVM_RUN */
	struct kvm_run *run;
	/* The last exit was KVM_EXIT_MMIO.  The VMM completes it HVF-style
	 * (sets Rt, PC += 4); when what it did is exactly what KVM's own
	 * completion does on the next KVM_RUN (a store: PC = mmio_pc + 4; a
	 * load: also Rt = a value KVM derives from run->mmio.data), the
	 * writes are deferred to KVM, else KVM's completion is skipped.  Each
	 * ONE_REG write saved is ~5% of an exit round trip. */
	bool mmio_pending;
	bool mmio_write;
	bool mmio_pc_ok;  /* mmio_pc is the PC of the access */
	bool mmio_kvm_pc; /* the VMM set PC = mmio_pc + 4, not yet written */
	uint64_t mmio_pc;
	/* The access's Rt (ISS.SRT; KVM_NO_SRT: unknown or XZR), size in bytes,
	 * SSE, and whether guest data is little-endian. */
	unsigned mmio_srt, mmio_len;
	bool mmio_sse, mmio_le;
	/* X[mmio_srt] known without a ONE_REG read (a 64-bit store's data,
	 * or what the VMM set), and for a load what became of the VMM's
	 * write: RT_DEFERRED = in run->mmio.data for KVM to write (or for a
	 * ONE_REG write at entry if KVM does not complete), RT_WRITTEN =
	 * written with ONE_REG (KVM's completion must then be skipped). */
	bool rt_known;
	enum { RT_NONE, RT_DEFERRED, RT_WRITTEN } rt_state;
	uint64_t rt_val;
	/* PC as read after the last exit (the exit handling and the VMM's
	 * HVF-style completion both need it; a ONE_REG read costs about as
	 * much as 5% of an exit round trip).  Dropped at each KVM_RUN. */
	bool pc_valid;
	uint64_t pc;
	/* Lines as last set with KVM_IRQ_LINE. */
	bool irq_line, fiq_line;
	/* Virtual timer output level, from device_irq_level. */
	bool vtimer_level;
	bool offset_applied;
	uint64_t offset;
	/* Debug registers and MDSCR_EL1 as the VMM wrote them: the
	 * KVM_SET_GUEST_DEBUG state while trap_debug_exceptions is on. */
	uint64_t bvr[KVM_DBG_SLOTS], bcr[KVM_DBG_SLOTS];
	uint64_t wvr[KVM_DBG_SLOTS], wcr[KVM_DBG_SLOTS];
	uint64_t mdscr;
	bool debug_dirty;
	uint32_t debug_control;
};

static inline struct kvm_vm_state *kvm_vm_of(const struct hv_vm_obj *vm)
{
	return vm->backend_state;
}

static inline struct kvm_vcpu_state *kvm_vcpu_of(const struct hv_vcpu_obj *v)
{
	return v->backend_state;
}

/* ONE_REG ids. */
#define KVM_CORE_REG(size, field) \
	(KVM_REG_ARM64 | (size) | KVM_REG_ARM_CORE | (offsetof(struct kvm_regs, field) / sizeof(__u32)))
#define KVM_REG_X(n) KVM_CORE_REG(KVM_REG_SIZE_U64, regs.regs[n])
#define KVM_REG_PC KVM_CORE_REG(KVM_REG_SIZE_U64, regs.pc)
#define KVM_REG_PSTATE KVM_CORE_REG(KVM_REG_SIZE_U64, regs.pstate)
#define KVM_REG_SP_EL0 KVM_CORE_REG(KVM_REG_SIZE_U64, regs.sp)
#define KVM_REG_SP_EL1 KVM_CORE_REG(KVM_REG_SIZE_U64, sp_el1)
#define KVM_REG_ELR_EL1 KVM_CORE_REG(KVM_REG_SIZE_U64, elr_el1)
#define KVM_REG_SPSR_EL1 KVM_CORE_REG(KVM_REG_SIZE_U64, spsr[KVM_SPSR_EL1])
#define KVM_REG_FPSR KVM_CORE_REG(KVM_REG_SIZE_U32, fp_regs.fpsr)
#define KVM_REG_FPCR KVM_CORE_REG(KVM_REG_SIZE_U32, fp_regs.fpcr)
#define KVM_REG_V(n) KVM_CORE_REG(KVM_REG_SIZE_U128, fp_regs.vregs[n])
/* hv_sys_reg_t is op0<<14|op1<<11|CRn<<7|CRm<<3|op2, as in ARM64_SYS_REG. */
#define KVM_SYSREG(hv) (KVM_REG_ARM64 | KVM_REG_SIZE_U64 | KVM_REG_ARM64_SYSREG | (uint64_t)(hv))
#define KVM_SYSREG_SCTLR_EL1 KVM_SYSREG(0xc080)
#define KVM_SYSREG_TCR_EL1 KVM_SYSREG(0xc102)
#define KVM_SYSREG_TTBR0_EL1 KVM_SYSREG(0xc100)
#define KVM_SYSREG_TTBR1_EL1 KVM_SYSREG(0xc101)

/* backend.c */
int kvm_get_one(int fd, uint64_t id, uint64_t *value);
int kvm_set_one(int fd, uint64_t id, uint64_t value);
extern _Thread_local struct kvm_run *kvm_tls_run __attribute__((tls_model("initial-exec")));
/* The vCPU's PC (cached until the next KVM_RUN) / sets it. */
int kvm_get_pc(struct kvm_vcpu_state *c, uint64_t *pc);
int kvm_set_pc(struct kvm_vcpu_state *c, uint64_t pc);
/* Applies the API layer's pending IRQ/FIQ to the vCPU's KVM lines. */
void kvm_sync_irq_lines(struct hv_vcpu_obj *v);

/* run.c */
hv_return_t kvm_vcpu_run(struct hv_vcpu_obj *v);
void kvm_vcpu_kick(struct hv_vcpu_obj *v);
void kvm_install_kick_handler(void);
/* Kicks every vCPU out of KVM_RUN and waits until none is inside;
 * s->updating must be set (memory slot updates). */
void kvm_pause_vcpus(struct kvm_vm_state *s);
int kvm_kick_signal(void);

/* decode.c */

/* What a data abort's ISS says about the access (Arm ARM ESR_ELx, EC 0x24). */
struct kvm_dabt {
	bool valid;      /* the instruction is a single-register load/store (ISV) */
	uint32_t iss;    /* ISV|SAS|SSE|SRT|SF|AR (not WnR, DFSC) */
	bool va_valid;
	uint64_t va;     /* the address the instruction accessed */
	bool le;         /* SCTLR_EL1.EE = E0E = 0: little-endian data at EL1 and EL0 */
};
/* Decodes the instruction at the vCPU's PC for an abort on ipa. */
void kvm_decode_dabt(struct hv_vcpu_obj *v, struct kvm_dabt *out);
/* Reads the 32-bit instruction at guest VA va (stage 1 walk if the MMU is
 * on).  false if it is not in mapped memory. */
bool kvm_read_insn(struct hv_vcpu_obj *v, uint64_t va, uint32_t *insn);

/* vgic.c */
extern const struct hv_gic_ops kvm_vgic_ops;
/* Initialises the vgic if the VM has one and it is not yet (0: ready or
 * no vgic). */
int kvm_vgic_ready(struct hv_vm_obj *vm);
/* A KVM_EXIT_MMIO on the emulated MSI frame, completed here. */
bool kvm_vgic_mmio(struct hv_vm_obj *vm, struct kvm_run *run);

#endif /* HV_KVM_H */
