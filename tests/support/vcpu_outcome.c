/* vcpu_outcome.c - capture and compare what a vCPU run left behind. */
#include <stdio.h>
#include <string.h>

#include "vcpu_outcome.h"

hv_return_t vcpu_outcome_capture(hv_vcpu_t vcpu, const hv_vcpu_exit_t *ex, const uint8_t *mem,
				 struct vcpu_outcome *o)
{
	hv_return_t r = HV_SUCCESS;
	for (unsigned k = 0; k < 31 && r == HV_SUCCESS; k++)
		r = hv_vcpu_get_reg(vcpu, HV_REG_X0 + k, &o->x[k]);
	struct {
		hv_sys_reg_t reg;
		uint64_t *to;
	} sys[] = {
		{ HV_SYS_REG_SP_EL1, &o->sp },
		{ HV_SYS_REG_ELR_EL1, &o->elr },
		{ HV_SYS_REG_ESR_EL1, &o->esr1 },
		{ HV_SYS_REG_FAR_EL1, &o->far1 },
	};
	for (size_t i = 0; i < sizeof(sys) / sizeof(sys[0]) && r == HV_SUCCESS; i++)
		r = hv_vcpu_get_sys_reg(vcpu, sys[i].reg, sys[i].to);
	if (r == HV_SUCCESS)
		r = hv_vcpu_get_reg(vcpu, HV_REG_PC, &o->pc);
	if (r == HV_SUCCESS)
		r = hv_vcpu_get_reg(vcpu, HV_REG_CPSR, &o->cpsr);
	for (unsigned k = 0; k < 32 && r == HV_SUCCESS; k++) {
		hv_simd_fp_uchar16_t q;
		r = hv_vcpu_get_simd_fp_reg(vcpu, (hv_simd_fp_reg_t)(HV_SIMD_FP_REG_Q0 + k), &q);
		memcpy(o->v[k], &q, 16);
	}
	if (r == HV_SUCCESS)
		r = hv_vcpu_get_reg(vcpu, HV_REG_FPCR, &o->fpcr);
	if (r == HV_SUCCESS)
		r = hv_vcpu_get_reg(vcpu, HV_REG_FPSR, &o->fpsr);
	o->reason = ex->reason;
	o->syndrome = (uint32_t)ex->exception.syndrome;
	o->va = ex->exception.virtual_address;
	o->pa = ex->exception.physical_address;
	memcpy(o->data, mem, o->data_size);
	return r;
}

bool vcpu_outcome_differs(const struct vcpu_outcome *a, const struct vcpu_outcome *b, char *buf, size_t n)
{
	for (unsigned k = 0; k < 31; k++)
		if (a->x[k] != b->x[k]) {
			snprintf(buf, n, "x%u: interp %#llx jit %#llx", k, (unsigned long long)a->x[k],
				 (unsigned long long)b->x[k]);
			return true;
		}
	for (unsigned k = 0; k < 32; k++)
		if (a->v[k][0] != b->v[k][0] || a->v[k][1] != b->v[k][1]) {
			snprintf(buf, n, "v%u: interp %016llx%016llx jit %016llx%016llx", k,
				 (unsigned long long)a->v[k][1], (unsigned long long)a->v[k][0],
				 (unsigned long long)b->v[k][1], (unsigned long long)b->v[k][0]);
			return true;
		}
	struct {
		const char *name;
		uint64_t a, b;
	} f[] = {
		{ "fpcr", a->fpcr, b->fpcr },
		{ "fpsr", a->fpsr, b->fpsr },
		{ "sp", a->sp, b->sp },
		{ "pc", a->pc, b->pc },
		{ "cpsr", a->cpsr, b->cpsr },
		{ "elr", a->elr, b->elr },
		{ "esr1", a->esr1, b->esr1 },
		{ "far1", a->far1, b->far1 },
		{ "reason", a->reason, b->reason },
		{ "syndrome", a->syndrome, b->syndrome },
		{ "va", a->va, b->va },
		{ "pa", a->pa, b->pa },
		{ "retired", a->retired, b->retired },
	};
	for (size_t i = 0; i < sizeof(f) / sizeof(f[0]); i++)
		if (f[i].a != f[i].b) {
			snprintf(buf, n, "%s: interp %#llx jit %#llx", f[i].name, (unsigned long long)f[i].a,
				 (unsigned long long)f[i].b);
			return true;
		}
	size_t len = a->data_size < b->data_size ? a->data_size : b->data_size;
	if (memcmp(a->data, b->data, len) == 0)
		return false;
	for (size_t off = 0; off < len; off++)
		if (a->data[off] != b->data[off]) {
			snprintf(buf, n, "data at +%#zx: interp %02x jit %02x", off, a->data[off], b->data[off]);
			return true;
		}
	return false;
}
