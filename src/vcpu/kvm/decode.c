/*
 * decode.c - what KVM does not tell userspace about a data abort: the
 * instruction's syndrome fields (ISV, SAS, SSE, SRT, SF, AR) and the
 * virtual address (FAR).  KVM_EXIT_MMIO only gives the IPA, size,
 * direction and data, so the instruction at PC is read from guest memory
 * (through a stage 1 walk of the guest's tables when its MMU is on) and
 * decoded (Arm ARM C4.1.66 "Loads and Stores"; ISS encoding for an
 * exception from a Data Abort, D19.2.x ESR_EL2).
 */
#include <string.h>

#include "kvm.h"

#define OA_MASK 0x0000fffffffff000ull

/* Copies n bytes of guest physical memory; false unless all mapped. */
static bool read_phys(struct hv_vm_obj *vm, uint64_t ipa, void *buf, size_t n)
{
	bool ok = false;
	pthread_rwlock_rdlock(&vm->mem_lock);
	const struct hv_mem_region *r = hv_memmap_find(&vm->mem, ipa);
	if (r && ipa - r->ipa + n <= r->size) {
		memcpy(buf, r->host + (ipa - r->ipa), n);
		ok = true;
	}
	pthread_rwlock_unlock(&vm->mem_lock);
	return ok;
}

/* Stage 1 translation of va for the EL1&0 regime (4K/16K/64K granules,
 * up to 48-bit VA and OA; permissions are not checked). */
static bool stage1(struct hv_vcpu_obj *v, int fd, uint64_t va, uint64_t *ipa)
{
	uint64_t tcr, ttbr;
	bool upper = (va >> 55) & 1;
	if (kvm_get_one(fd, KVM_SYSREG_TCR_EL1, &tcr) ||
	    kvm_get_one(fd, upper ? KVM_SYSREG_TTBR1_EL1 : KVM_SYSREG_TTBR0_EL1, &ttbr))
		return false;
	unsigned tsz = upper ? (tcr >> 16) & 63 : tcr & 63;
	unsigned tg = upper ? (tcr >> 30) & 3 : (tcr >> 14) & 3;
	unsigned g; /* log2 of the granule */
	if (upper)
		g = tg == 1 ? 14 : tg == 3 ? 16 : 12;
	else
		g = tg == 2 ? 14 : tg == 1 ? 16 : 12;
	if (tsz < 16)
		tsz = 16;
	if (tsz > 48)
		return false;
	unsigned stride = g - 3, insize = 64 - tsz;
	unsigned levels = (insize - g + stride - 1) / stride;
	unsigned level = 4 - levels;
	uint64_t table = ttbr & 0x0000fffffffffffeull; /* BADDR (CnP off) */
	for (;; level++) {
		unsigned shift = g + stride * (3 - level);
		unsigned bits = level == 4 - levels ? insize - shift : stride;
		uint64_t idx = (va >> shift) & ((1ull << bits) - 1);
		uint64_t desc;
		if (!read_phys(v->vm, table + idx * 8, &desc, 8) || !(desc & 1))
			return false;
		uint64_t size = 1ull << shift;
		if (level == 3 || (desc & 3) == 1) {
			if (level == 3 && (desc & 3) != 3)
				return false;
			*ipa = (desc & OA_MASK & ~(size - 1)) | (va & (size - 1));
			return true;
		}
		table = desc & OA_MASK & ~((1ull << g) - 1);
	}
}

/* va -> ipa; *sctlr: SCTLR_EL1 (M says whether the guest translates). */
static bool translate(struct hv_vcpu_obj *v, uint64_t va, uint64_t *ipa, uint64_t *sctlr)
{
	int fd = kvm_vcpu_of(v)->fd;
	if (kvm_get_one(fd, KVM_SYSREG_SCTLR_EL1, sctlr))
		return false;
	bool mmu_on = *sctlr & 1;
	if (!mmu_on) {
		*ipa = va;
		return true;
	}
	return stage1(v, fd, va, ipa);
}

static bool read_insn(struct hv_vcpu_obj *v, uint64_t va, uint32_t *insn, uint64_t *sctlr)
{
	uint64_t ipa;
	return translate(v, va, &ipa, sctlr) && read_phys(v->vm, ipa, insn, 4);
}

bool kvm_read_insn(struct hv_vcpu_obj *v, uint64_t va, uint32_t *insn)
{
	uint64_t sctlr;
	return read_insn(v, va, insn, &sctlr);
}

/* X[n] as a base register (31 = the current SP). */
static uint64_t base_reg(int fd, unsigned n)
{
	uint64_t value = 0;
	if (n != 31) {
		kvm_get_one(fd, KVM_REG_X(n), &value);
		return value;
	}
	uint64_t pstate = 0;
	kvm_get_one(fd, KVM_REG_PSTATE, &pstate);
	bool el0 = ((pstate >> 2) & 3) == 0, spsel = pstate & 1;
	kvm_get_one(fd, el0 || !spsel ? KVM_REG_SP_EL0 : KVM_REG_SP_EL1, &value);
	return value;
}

/* X[m] extended and shifted as a register offset (option, S). */
static uint64_t index_reg(int fd, uint32_t insn, unsigned size)
{
	unsigned m = (insn >> 16) & 31, option = (insn >> 13) & 7;
	uint64_t x = 0;
	if (m != 31)
		kvm_get_one(fd, KVM_REG_X(m), &x);
	if (option == 2)
		x = (uint32_t)x;
	else if (option == 6)
		x = (uint64_t)(int64_t)(int32_t)(uint32_t)x;
	return (insn & (1u << 12)) ? x << size : x;
}

static uint64_t simm(uint32_t field, unsigned bits)
{
	uint64_t sign = 1ull << (bits - 1);
	return ((uint64_t)field ^ sign) - sign;
}

#define ISS_ISV (1u << 24)
#define ISS_SSE (1u << 21)
#define ISS_SF (1u << 15)
#define ISS_AR (1u << 14)

/* ISS of a single-register load/store from size and opc (C4.1.66);
 * false for PRFM and unallocated encodings. */
static bool single_iss(uint32_t insn, unsigned size, unsigned opc, uint32_t *iss)
{
	unsigned rt = insn & 31;
	uint32_t sse = 0, sf = size == 3 ? ISS_SF : 0;
	if (opc == 2) { /* LDRS* to X */
		if (size == 3)
			return false;
		sse = ISS_SSE;
		sf = ISS_SF;
	} else if (opc == 3) { /* LDRS* to W */
		if (size >= 2)
			return false;
		sse = ISS_SSE;
		sf = 0;
	}
	*iss = ISS_ISV | (size << 22) | sse | (rt << 16) | sf;
	return true;
}

void kvm_decode_dabt(struct hv_vcpu_obj *v, struct kvm_dabt *out)
{
	memset(out, 0, sizeof(*out));
	int fd = kvm_vcpu_of(v)->fd;
	uint64_t pc, sctlr = 0;
	uint32_t insn;
	if (kvm_get_pc(kvm_vcpu_of(v), &pc) || !read_insn(v, pc, &insn, &sctlr))
		return;
	bool mmu_on = sctlr & 1;
	out->le = !(sctlr & (3ull << 24)); /* EE, E0E */
	unsigned size = insn >> 30, opc = (insn >> 22) & 3, rn = (insn >> 5) & 31;
	bool simd = insn & (1u << 26);
	/* offset: the address is base + offset; -1 = not a load/store we
	 * know.  FAR needs the base register only when the MMU is on (off:
	 * VA = IPA, which the caller uses). */
	uint64_t offset = 0;
	bool known = true;
	if ((insn & 0x3b000000u) == 0x39000000u) { /* unsigned immediate */
		offset = (uint64_t)((insn >> 10) & 0xfff) << (simd ? ((opc & 2) << 1 | size) : size);
		out->valid = !simd && single_iss(insn, size, opc, &out->iss);
	} else if ((insn & 0x3b200000u) == 0x38000000u) { /* unscaled, unpriv, pre/post */
		unsigned op = (insn >> 10) & 3;
		offset = op == 1 ? 0 : simm((insn >> 12) & 0x1ff, 9);
		out->valid = !simd && (op == 0 || op == 2) && single_iss(insn, size, opc, &out->iss);
	} else if ((insn & 0x3b200c00u) == 0x38200800u) { /* register offset */
		if (mmu_on)
			offset = index_reg(fd, insn, simd ? ((opc & 2) << 1 | size) : size);
		out->valid = !simd && single_iss(insn, size, opc, &out->iss);
	} else if ((insn & 0x3fa00000u) == 0x08800000u) { /* LDAR/STLR, LDLAR/STLLR */
		out->valid = true;
		out->iss = ISS_ISV | (size << 22) | ((insn & 31) << 16) | (size == 3 ? ISS_SF : 0) | ISS_AR;
	} else if ((insn & 0x3ffffc00u) == 0x38bfc000u) { /* LDAPR */
		out->valid = true;
		out->iss = ISS_ISV | (size << 22) | ((insn & 31) << 16) | (size == 3 ? ISS_SF : 0) | ISS_AR;
	} else if ((insn & 0x3f200c00u) == 0x19000000u) { /* LDAPUR/STLUR */
		offset = simm((insn >> 12) & 0x1ff, 9);
		out->valid = single_iss(insn, size, opc, &out->iss);
		out->iss |= ISS_AR;
	} else if ((insn & 0x3a000000u) == 0x28000000u) { /* pairs: no ISV */
		unsigned idx = (insn >> 23) & 3, scale = simd ? 2 + (insn >> 30) : 2 + (insn >> 31);
		offset = idx == 1 ? 0 : simm((insn >> 15) & 0x7f, 7) << scale;
	} else {
		known = false; /* exclusives, atomics, SIMD structures, ... */
	}
	if (!out->valid)
		out->iss = 0;
	if (mmu_on && known) {
		out->va = base_reg(fd, rn) + offset;
		out->va_valid = true;
	}
}
