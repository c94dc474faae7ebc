/*
 * backend.c - the `emu` backend: hv_backend_ops over the interpreter.
 */
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cpu.h"
#include "jit/jit.h"
#include "probe.h"

static struct emu_cpu *cpu_of(struct hv_vcpu_obj *v)
{
	return v->backend_state;
}

static bool emu_available(void)
{
	return true;
}

static hv_return_t emu_vm_create(struct hv_vm_obj *vm)
{
	struct emu_vm *e = calloc(1, sizeof(*e));
	if (!e)
		return HV_NO_RESOURCES;
	pthread_mutex_init(&e->ic_lock, NULL);
	vm->backend_state = e;
	return HV_SUCCESS;
}

static void emu_vm_destroy(struct hv_vm_obj *vm)
{
	struct emu_vm *e = vm->backend_state;
	pthread_mutex_destroy(&e->ic_lock);
	free(e);
	vm->backend_state = NULL;
}

/* Waits until every running vCPU has dropped the translations cached for
 * the old memory map, so that host memory unmapped by the caller is never
 * touched again (vCPUs check at least every few thousand instructions). */
static hv_return_t emu_vm_mem_changed(struct hv_vm_obj *vm, hv_ipa_t ipa, size_t size)
{
	(void)ipa, (void)size;
	uint64_t gen = atomic_load(&vm->mem_generation);
	pthread_mutex_lock(&vm->vcpus_lock);
	for (unsigned i = 0; i < HV_MAX_VCPUS; i++) {
		struct hv_vcpu_obj *v = vm->vcpus[i];
		if (!v || pthread_equal(v->owner, pthread_self()))
			continue;
		struct emu_cpu *cpu = cpu_of(v);
		while (atomic_load(&v->running) &&
		       __atomic_load_n(&cpu->tlb_mem_generation, __ATOMIC_ACQUIRE) < gen)
			sched_yield();
	}
	pthread_mutex_unlock(&vm->vcpus_lock);
	return HV_SUCCESS;
}

static hv_return_t emu_vcpu_create(struct hv_vcpu_obj *v)
{
	struct emu_cpu *cpu = calloc(1, sizeof(*cpu));
	if (!cpu)
		return HV_NO_RESOURCES;
	cpu->obj = v;
	cpu->vm = v->vm;
	v->backend_state = cpu;
	cpu->el2 = v->vm->el2_enabled;
	emu_sysreg_reset(cpu, (unsigned)v->id);
	/* Reset state: EL1h with DAIF masked (0x3c5), as KVM resets a vCPU,
	 * so that programs that never set CPSR behave the same on both
	 * backends; EL2h (0x3c9) with EL2 enabled, as on macOS 15. */
	emu_set_pstate(cpu, cpu->el2 ? 0x3c9 : 0x3c5);
	pthread_mutex_init(&cpu->tlbi_lock, NULL);
	cpu->tlb_nfilled = EMU_TLB_FILL_LOG + 1; /* all of it: calloc's zeros are no invalid tags */
	mem_tlb_flush(cpu);
	cpu->tlb_mem_generation = atomic_load(&v->vm->mem_generation);
	emu_debug_update(cpu);
	cpu->jit = emu_jit_create(cpu); /* NULL: interpret only */
	return HV_SUCCESS;
}

static void emu_vcpu_destroy(struct hv_vcpu_obj *v)
{
	/* HV_EMU_STATS=1: report work done, for benchmarks (bench/). */
	const char *stats = getenv("HV_EMU_STATS");
	struct emu_cpu *cpu = cpu_of(v);
	if (stats && *stats == '1') {
		fprintf(stderr, "hv emu: vcpu %llu: instructions retired %llu\n",
			(unsigned long long)v->id, (unsigned long long)cpu->insn_count);
		struct emu_jit_stats st;
		emu_jit_get_stats(cpu->jit, &st);
		if (cpu->jit)
			fprintf(stderr, "hv emu: vcpu %llu: translated blocks %llu (and %llu in their regions), code %llu bytes, flushes %llu, FP operations inline %llu, SIMD integer %llu\n",
				(unsigned long long)v->id, st.blocks, st.members, st.code_bytes, st.flushes, st.fp_inline,
				st.simd_inline);
	}
	emu_jit_destroy(cpu->jit);
	pthread_mutex_destroy(&cpu->tlbi_lock);
	free(v->backend_state);
	v->backend_state = NULL;
}

static hv_return_t emu_vcpu_run(struct hv_vcpu_obj *v)
{
	struct emu_cpu *cpu = cpu_of(v);
	/* The host may have changed registers or trap flags. */
	emu_debug_update(cpu);
	emu_exec_run(cpu);
	return HV_SUCCESS;
}

static void emu_vcpu_kick(struct hv_vcpu_obj *v)
{
	/* The run loop polls v->cancel_pending; a vCPU waiting in WFI
	 * (with a GIC) is woken. */
	if (v->gic)
		gic_kick(v->gic);
}

static hv_return_t emu_get_reg(struct hv_vcpu_obj *v, hv_reg_t reg, uint64_t *value)
{
	struct emu_cpu *cpu = cpu_of(v);
	if (reg <= HV_REG_X30)
		*value = cpu->x[reg];
	else if (reg == HV_REG_PC)
		*value = cpu->pc;
	else if (reg == HV_REG_FPCR)
		*value = cpu->fpcr;
	else if (reg == HV_REG_FPSR)
		*value = cpu->fpsr;
	else if (reg == HV_REG_CPSR)
		*value = emu_get_pstate(cpu);
	else
		return HV_BAD_ARGUMENT;
	return HV_SUCCESS;
}

/* Writable bits of FPCR: AHP, DN, FZ, RMode, FZ16 (FEAT_FP16).  Len/Stride
 * are AArch32-only (RES0 here) and the trap enables read as zero
 * because this FPU does not trap.  FPSR: QC and the cumulative flags; its
 * NZCV bits are AArch32-only. */
#define FPCR_WRITABLE 0x07c80000u
#define FPSR_WRITABLE 0x0800009fu

static hv_return_t emu_set_reg(struct hv_vcpu_obj *v, hv_reg_t reg, uint64_t value)
{
	struct emu_cpu *cpu = cpu_of(v);
	if (reg <= HV_REG_X30)
		cpu->x[reg] = value;
	else if (reg == HV_REG_PC)
		cpu->pc = value;
	else if (reg == HV_REG_FPCR)
		cpu->fpcr = (uint32_t)value & FPCR_WRITABLE;
	else if (reg == HV_REG_FPSR)
		cpu->fpsr = (uint32_t)value & FPSR_WRITABLE;
	else if (reg == HV_REG_CPSR)
		emu_set_pstate(cpu, value);
	else
		return HV_BAD_ARGUMENT;
	return HV_SUCCESS;
}

static hv_return_t emu_get_simd_fp_reg(struct hv_vcpu_obj *v, unsigned reg, uint8_t value[16])
{
	memcpy(value, cpu_of(v)->v[reg], 16);
	return HV_SUCCESS;
}

static hv_return_t emu_set_simd_fp_reg(struct hv_vcpu_obj *v, unsigned reg, const uint8_t value[16])
{
	memcpy(cpu_of(v)->v[reg], value, 16);
	return HV_SUCCESS;
}

static hv_return_t emu_get_sys_reg(struct hv_vcpu_obj *v, hv_sys_reg_t reg, uint64_t *value)
{
	return emu_sysreg_get(cpu_of(v), reg, value);
}

static hv_return_t emu_set_sys_reg(struct hv_vcpu_obj *v, hv_sys_reg_t reg, uint64_t value)
{
	return emu_sysreg_set(cpu_of(v), reg, value);
}

static hv_return_t emu_debug_traps_changed(struct hv_vcpu_obj *v)
{
	emu_debug_update(cpu_of(v));
	return HV_SUCCESS;
}

static hv_return_t emu_feature_reg_op(hv_feature_reg_t reg, uint64_t *value)
{
	*value = emu_feature_reg(reg);
	return HV_SUCCESS;
}

static hv_return_t emu_ccsidr_values_op(hv_cache_type_t type, uint64_t values[8])
{
	for (unsigned level = 0; level < 8; level++)
		values[level] = emu_ccsidr(type == HV_CACHE_TYPE_INSTRUCTION, level);
	return HV_SUCCESS;
}

hv_return_t emu_probe_vcpu(hv_vcpu_t vcpu, struct emu_probe *p)
{
	WITH_VCPU(vcpu, v);
	if (v->vm->ops != &hv_emu_backend)
		return HV_BAD_ARGUMENT;
	struct emu_cpu *cpu = cpu_of(v);
	struct emu_jit_stats st;
	emu_jit_get_stats(cpu->jit, &st);
	*p = (struct emu_probe){ .retired = cpu->insn_count, .translating = cpu->jit != NULL,
				 .blocks = st.blocks, .members = st.members, .flushes = st.flushes,
				 .fp_inline = st.fp_inline, .simd_inline = st.simd_inline,
				 .predicted = st.predicted };
	return HV_SUCCESS;
}

const struct hv_backend_ops hv_emu_backend = {
	.name = "emu",
	.available = emu_available,
	.vm_create = emu_vm_create,
	.vm_destroy = emu_vm_destroy,
	.vm_mem_changed = emu_vm_mem_changed,
	.vcpu_create = emu_vcpu_create,
	.vcpu_destroy = emu_vcpu_destroy,
	.vcpu_run = emu_vcpu_run,
	.vcpu_kick = emu_vcpu_kick,
	.get_reg = emu_get_reg,
	.set_reg = emu_set_reg,
	.get_simd_fp_reg = emu_get_simd_fp_reg,
	.set_simd_fp_reg = emu_set_simd_fp_reg,
	.get_sys_reg = emu_get_sys_reg,
	.set_sys_reg = emu_set_sys_reg,
	.debug_traps_changed = emu_debug_traps_changed,
	.gic = &gic_model_ops,
	.el2 = true,
	.feature_reg = emu_feature_reg_op,
	.ccsidr_values = emu_ccsidr_values_op,
};
