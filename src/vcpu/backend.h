/*
 * backend.h - the interface between the API layer (hv_*.c) and a backend
 * (emu: our AArch64 interpreter; kvm: Linux KVM).
 *
 * The API layer checks arguments and thread ownership, keeps the VM's
 * memory map and the per-vCPU host-visible state (pending interrupts,
 * vtimer mask/offset, debug trap flags) in struct hv_vcpu_obj, and calls
 * the backend only with valid arguments on the owning thread (except
 * vcpu_kick, which may come from any thread).
 */
#ifndef HV_BACKEND_H
#define HV_BACKEND_H

#include <Hypervisor/Hypervisor.h>

struct hv_vm_obj;
struct hv_vcpu_obj;
struct gic_config;

/* A backend's GIC.  The API layer (hv_gic.c) has checked arguments,
 * ordering and ownership; offsets are valid members of Apple's enums
 * (size 4, or 8 for IROUTER / GICR_TYPER). */
struct hv_gic_ops {
	uint32_t nr_spis; /* SPIs 32 .. 32 + nr_spis - 1 */
	hv_return_t (*create)(struct hv_vm_obj *vm, const struct gic_config *cfg);
	void (*destroy)(struct hv_vm_obj *vm);
	/* A vCPU joins / leaves (its redistributor), under vcpus_lock. */
	hv_return_t (*vcpu_attach)(struct hv_vcpu_obj *v);
	void (*vcpu_detach)(struct hv_vcpu_obj *v);
	void (*mpidr_changed)(struct hv_vcpu_obj *v, uint64_t mpidr);
	hv_return_t (*set_spi)(struct hv_vm_obj *vm, uint32_t intid, bool level);
	hv_return_t (*send_msi)(struct hv_vm_obj *vm, uint32_t intid);
	hv_return_t (*dist_read)(struct hv_vm_obj *vm, uint32_t off, unsigned size, uint64_t *value);
	hv_return_t (*dist_write)(struct hv_vm_obj *vm, uint32_t off, unsigned size, uint64_t value);
	hv_return_t (*redist_read)(struct hv_vcpu_obj *v, uint32_t off, unsigned size, uint64_t *value);
	hv_return_t (*redist_write)(struct hv_vcpu_obj *v, uint32_t off, unsigned size, uint64_t value);
	hv_return_t (*icc_read)(struct hv_vcpu_obj *v, uint16_t reg, uint64_t *value);
	hv_return_t (*icc_write)(struct hv_vcpu_obj *v, uint16_t reg, uint64_t value);
	/* The virtual CPU interface of EL2 guests (NULL: none); reg is a
	 * member of Apple's ICH enum (or ICC_SRE_EL2) / ICV enum. */
	hv_return_t (*ich_read)(struct hv_vcpu_obj *v, uint16_t reg, uint64_t *value);
	hv_return_t (*ich_write)(struct hv_vcpu_obj *v, uint16_t reg, uint64_t value);
	hv_return_t (*icv_read)(struct hv_vcpu_obj *v, uint16_t reg, uint64_t *value);
	hv_return_t (*icv_write)(struct hv_vcpu_obj *v, uint16_t reg, uint64_t value);
	/* The state blob: size for the current vCPUs, save, restore. */
	hv_return_t (*state_size)(struct hv_vm_obj *vm, size_t *size);
	hv_return_t (*state_save)(struct hv_vm_obj *vm, void *buf);
	hv_return_t (*state_restore)(struct hv_vm_obj *vm, const void *buf, size_t size);
	hv_return_t (*reset)(struct hv_vm_obj *vm);
};

struct hv_backend_ops {
	const char *name;
	/* Is this backend usable on this host?  (kvm: /dev/kvm works.) */
	bool (*available)(void);

	hv_return_t (*vm_create)(struct hv_vm_obj *vm);
	void (*vm_destroy)(struct hv_vm_obj *vm);
	/* Called after the API layer updated vm->mem and bumped
	 * vm->mem_generation, with vm->mem_lock *not* held (backends take it
	 * for reading as they need).  [ipa, ipa+size) is the range that
	 * changed.  On failure the API layer restores the previous map. */
	hv_return_t (*vm_mem_changed)(struct hv_vm_obj *vm, hv_ipa_t ipa, size_t size);

	hv_return_t (*vcpu_create)(struct hv_vcpu_obj *vcpu);
	void (*vcpu_destroy)(struct hv_vcpu_obj *vcpu);
	/* Runs until an exit; fills vcpu->exit.  The API layer has already
	 * handled a cancel requested before entry. */
	hv_return_t (*vcpu_run)(struct hv_vcpu_obj *vcpu);
	/* Any thread: vcpu->cancel_pending is set; make a running vCPU leave
	 * promptly (emu polls the flag; kvm signals the thread). */
	void (*vcpu_kick)(struct hv_vcpu_obj *vcpu);

	hv_return_t (*get_reg)(struct hv_vcpu_obj *vcpu, hv_reg_t reg, uint64_t *value);
	hv_return_t (*set_reg)(struct hv_vcpu_obj *vcpu, hv_reg_t reg, uint64_t value);
	hv_return_t (*get_simd_fp_reg)(struct hv_vcpu_obj *vcpu, unsigned reg, uint8_t value[16]);
	hv_return_t (*set_simd_fp_reg)(struct hv_vcpu_obj *vcpu, unsigned reg, const uint8_t value[16]);
	hv_return_t (*get_sys_reg)(struct hv_vcpu_obj *vcpu, hv_sys_reg_t reg, uint64_t *value);
	hv_return_t (*set_sys_reg)(struct hv_vcpu_obj *vcpu, hv_sys_reg_t reg, uint64_t value);
	/* The trap flags changed in vcpu->trap_debug_*; apply them. */
	hv_return_t (*debug_traps_changed)(struct hv_vcpu_obj *vcpu);

	/* The backend's GIC (hv_gic_*), NULL: hv_gic_create is
	 * HV_UNSUPPORTED.  emu: the library's model (src/vcpu/gic/); kvm:
	 * KVM's in-kernel vgic-v3 (src/vcpu/kvm/vgic.c). */
	const struct hv_gic_ops *gic;

	/* Guest EL2 (hv_vm_config_set_el2_enabled): emu implements it; kvm
	 * does not (KVM_CAP_ARM_EL2 nested virtualization is not used). */
	bool el2;

	/* ID registers and cache geometry the vCPUs of this backend expose. */
	hv_return_t (*feature_reg)(hv_feature_reg_t reg, uint64_t *value);
	hv_return_t (*ccsidr_values)(hv_cache_type_t type, uint64_t values[8]);
};

extern const struct hv_backend_ops hv_emu_backend;
#ifdef HV_HAVE_KVM
extern const struct hv_backend_ops hv_kvm_backend;
#endif

/* The backend chosen by HV_BACKEND (kvm|emu) or the default (kvm where it
 * works, else emu).  NULL with an error message if HV_BACKEND is invalid. */
const struct hv_backend_ops *hv_backend_select(void);

#endif /* HV_BACKEND_H */
