/*
 * mmu.c - stage-1 translation (Arm ARM D8, VMSAv8-64) of the EL1&0
 * regime (TTBR0/TTBR1 selection, TCR_EL1: TxSZ, TGx, EPDx, IPS,
 * TBIx/TBIDx, HPDx) and, for EL2 guests, of the EL2 regime (TTBR0_EL2,
 * TCR_EL2 without E2H: one VA range, one privilege level, XN): 4K/16K/64K
 * granules, block/page/table descriptors, access flag, AP/UXN/PXN/WXN/PAN
 * and the hierarchical table attributes.  With the guest's stage 2 on
 * (el2.h), every descriptor address and the output address are IPAs that
 * mmu_s2.c translates.
 *
 * Not implemented (not advertised): FEAT_LPA/LPA2 (52-bit addresses),
 * FEAT_HAFDBS (AF=0 always faults, DBM is ignored), FEAT_TTST, FEAT_E0PD,
 * FEAT_PAN3/EPAN.  Descriptor reads are stage-2 accesses to the VM's
 * memory map; the caller holds vm->mem_lock for reading.
 */
#include "el2.h"
#include "mmu.h"

#include <pthread.h>

#define SCTLR_M (1ull << 0)
#define SCTLR_I (1ull << 12)
#define SCTLR_WXN (1ull << 19)

#define TCR_EPD0 (1ull << 7)
#define TCR_EPD1 (1ull << 23)
#define TCR_TBI0 (1ull << 37)
#define TCR_TBI1 (1ull << 38)
#define TCR_HPD0 (1ull << 41)
#define TCR_HPD1 (1ull << 42)
#define TCR_TBID0 (1ull << 51)
#define TCR_TBID1 (1ull << 52)

/* Descriptor fields. */
#define DESC_AF (1ull << 10)
#define DESC_PXN (1ull << 53)
#define DESC_UXN (1ull << 54)
#define DESC_OA_MASK 0x0000fffffffff000ull /* bits [47:12] */

/* Largest supported physical address (no FEAT_LPA). */
#define MMU_MAX_PA_BITS 48u

/* PARange / IPS encodings; 52 bits is capped to 48 (no FEAT_LPA). */
static const uint8_t pa_range_bits[8] = { 32, 36, 40, 42, 44, 48, 48, 48 };

static inline uint64_t ones(unsigned n)
{
	return n >= 64 ? ~(uint64_t)0 : (((uint64_t)1 << n) - 1);
}

unsigned mmu_pa_bits(const struct emu_cpu *cpu)
{
	return pa_range_bits[cpu->sr[SR_ID_AA64MMFR0_EL1] & 7];
}

static struct emu_walk_result s1_fault(uint8_t fsc)
{
	return (struct emu_walk_result){ .ok = false, .fsc = fsc };
}

/* Reads the descriptor at `ipa`: a stage-2 read access of the walk (the
 * guest's stage 2 first when s2).  An unmapped IPA or one without read
 * permission is a stage-2 fault on the stage-1 walk (S1PTW), reported
 * like any other stage-2 fault. */
static bool read_desc(struct emu_cpu *cpu, uint64_t ipa, bool s2, uint64_t *desc, struct emu_walk_result *r)
{
	if (s2) {
		struct emu_walk_result t = mmu_stage2(cpu, ipa, ACC_READ);
		if (!t.ok) {
			*r = t;
			r->s1ptw = true;
			return false;
		}
		ipa = t.pa;
	}
	const struct hv_mem_region *reg = hv_memmap_find(&cpu->vm->mem, ipa);
	if (!reg || !(reg->flags & HV_MEMORY_READ)) {
		*r = (struct emu_walk_result){
			.ok = false,
			.stage2 = true,
			.s1ptw = true,
			.ipa = ipa,
			.fsc = reg ? FSC_PERMISSION_L0 + 3 : FSC_TRANSLATION_L0 + 3,
		};
		return false;
	}
	/* Regions are page aligned and ipa is 8-aligned: the 8 bytes are
	 * inside the region and naturally aligned on the host. */
	const uint64_t *p = (const uint64_t *)(const void *)(reg->host + (ipa - reg->ipa));
	*desc = __atomic_load_n(p, __ATOMIC_RELAXED);
	return true;
}

/* May a block descriptor appear at this level?  (No 52-bit addresses:
 * 4K: levels 1-2; 16K and 64K: level 2 only.) */
static inline bool block_allowed(unsigned gshift, int level)
{
	return gshift == 12 ? (level == 1 || level == 2) : level == 2;
}

/* Permission check of a leaf (D8.4).  ap1/ap2 already include APTable. */
static bool s1_permitted(uint64_t sctlr, enum emu_access acc, bool el0_perms, bool pan, bool ap1, bool ap2,
			 bool uxn, bool pxn)
{
	bool user_w = ap1 && !ap2;
	bool wxn = (sctlr & SCTLR_WXN) != 0;
	if (el0_perms) {
		switch (acc) {
		case ACC_READ:
			return ap1;
		case ACC_WRITE:
			return user_w;
		default: /* EL0 execute-only pages (AP[1]=0, UXN=0) are allowed */
			return !uxn && !(wxn && user_w);
		}
	}
	switch (acc) {
	case ACC_READ:
		return !(pan && ap1);
	case ACC_WRITE:
		return !ap2 && !(pan && ap1);
	default: /* EL0-writable memory is never executable at EL1 */
		return !pxn && !user_w && !(wxn && !ap2);
	}
}

/* EL2 regime permissions (one privilege level): AP[2] = read-only,
 * APTable[1] likewise, XN (bit 54) and XNTable (bit 60); AP[1], PXN and
 * APTable[0] are RES0/ignored. */
static bool s1_el2_permitted(uint64_t sctlr, enum emu_access acc, bool ro, bool xn)
{
	switch (acc) {
	case ACC_READ:
		return true;
	case ACC_WRITE:
		return !ro;
	default:
		return !xn && !((sctlr & SCTLR_WXN) && !ro);
	}
}

bool mmu_s1_off(const struct emu_cpu *cpu, bool el2_regime, bool *normal)
{
	uint64_t hcr = emu_hcr(cpu);
	*normal = false;
	if (el2_regime)
		return !(cpu->sr[SR_SCTLR_EL2] & SCTLR_M);
	if (hcr & HCR_DC) { /* stage 1 off, data Normal write-back */
		*normal = true;
		return true;
	}
	return !(cpu->sr[SR_SCTLR_EL1] & SCTLR_M) || (hcr & HCR_TGE);
}

/* Stage 1 of one regime.  With s2 the descriptor addresses are IPAs of
 * the guest's stage 2; the output is an IPA either way. */
static struct emu_walk_result s1_walk(struct emu_cpu *cpu, uint64_t va, enum emu_access acc, bool el0_perms,
				      bool pan, bool el2_regime, bool s2)
{
	/* EL2 with E2H is the EL2&0 regime: EL1&0's layout and two VA
	 * ranges, EL2's registers.  "single": EL2 without E2H. */
	bool single = el2_regime && !el2_e2h(cpu);
	uint64_t sctlr = cpu->sr[el2_regime ? SR_SCTLR_EL2 : SR_SCTLR_EL1];
	uint64_t tcr = cpu->sr[el2_regime ? SR_TCR_EL2 : SR_TCR_EL1];
	bool upper = !single && ((va >> 55) & 1);
	bool tbi = single ? (tcr & TCR_EL2_TBI) != 0 : (tcr & (upper ? TCR_TBI1 : TCR_TBI0)) != 0;
	if (!single && acc == ACC_EXEC && (tcr & (upper ? TCR_TBID1 : TCR_TBID0)))
		tbi = false;
	unsigned top = tbi ? 55 : 63; /* highest VA bit that is an address bit */
	unsigned pa_bits = mmu_pa_bits(cpu);

	bool normal;
	if (mmu_s1_off(cpu, el2_regime, &normal)) {
		/* Stage 1 off: flat, but VA[top:PAMax] must be zero.  Data
		 * accesses are Device-nGnRnE, fetches Normal (D8.2.10);
		 * HCR_EL2.DC makes everything Normal write-back. */
		if ((va >> pa_bits) & ones(top + 1 - pa_bits))
			return s1_fault(FSC_ADDR_SIZE_L0);
		bool dev = acc != ACC_EXEC && !normal;
		return (struct emu_walk_result){
			.ok = true,
			.pa = va & ones(pa_bits),
			.device = dev,
			.attrs = dev ? 0x00 : normal ? 0xff : (sctlr & SCTLR_I) ? 0xaa : 0x44,
		};
	}

	unsigned tsz, tg, gshift;
	bool epd, hpd;
	uint64_t ttbr;
	if (single) {
		tsz = tcr & 63;
		tg = (tcr >> 14) & 3;
		gshift = tg == 1 ? 16 : tg == 2 ? 14 : 12;
		epd = false;
		hpd = (tcr & TCR_EL2_HPD) != 0;
		ttbr = cpu->sr[SR_TTBR0_EL2];
	} else if (upper) {
		tsz = (tcr >> 16) & 63;
		tg = (tcr >> 30) & 3;
		gshift = tg == 1 ? 14 : tg == 3 ? 16 : 12; /* reserved -> 4K */
		epd = (tcr & TCR_EPD1) != 0;
		hpd = (tcr & TCR_HPD1) != 0;
		ttbr = cpu->sr[el2_regime ? SR_TTBR1_EL2 : SR_TTBR1_EL1];
	} else {
		tsz = tcr & 63;
		tg = (tcr >> 14) & 3;
		gshift = tg == 1 ? 16 : tg == 2 ? 14 : 12; /* reserved -> 4K */
		epd = (tcr & TCR_EPD0) != 0;
		hpd = (tcr & TCR_HPD0) != 0;
		ttbr = cpu->sr[el2_regime ? SR_TTBR0_EL2 : SR_TTBR0_EL1];
	}
	/* TxSZ outside 16..39 (no FEAT_LVA/TTST): of the IMPLEMENTATION
	 * DEFINED choices we take the level 0 translation fault (as QEMU). */
	if (tsz < 16 || tsz > 39)
		return s1_fault(FSC_TRANSLATION_L0);
	unsigned inputsize = 64 - tsz;

	/* VA[top:inputsize] must all equal VA[55] (the selected range). */
	uint64_t hi_mask = ones(top + 1 - inputsize);
	uint64_t hi = (va >> inputsize) & hi_mask;
	if (hi != (upper ? hi_mask : 0) || epd)
		return s1_fault(FSC_TRANSLATION_L0);

	unsigned ips = pa_range_bits[(tcr >> (single ? 16 : 32)) & 7];
	unsigned oa_bits = ips < pa_bits ? ips : pa_bits;
	if (oa_bits > MMU_MAX_PA_BITS)
		oa_bits = MMU_MAX_PA_BITS;

	unsigned stride = gshift - 3;
	unsigned nlevels = (inputsize - gshift + stride - 1) / stride;
	int level = 4 - (int)nlevels;
	unsigned lsb = gshift + stride * (unsigned)(3 - level);
	unsigned start_bits = inputsize - lsb;

	/* TTBR: BADDR[47:1] (ASID and CnP dropped), aligned to the size of
	 * the start-level table (low bits are RES0: treated as zero). */
	uint64_t table = ttbr & ones(MMU_MAX_PA_BITS);
	if (table >> oa_bits)
		return s1_fault(FSC_ADDR_SIZE_L0);
	table &= ~ones(start_bits + 3 > 6 ? start_bits + 3 : 6);

	unsigned nbits = start_bits;
	unsigned aptable = 0;
	bool uxn_table = false, pxn_table = false;
	for (;;) {
		uint64_t index = (va >> lsb) & ones(nbits);
		uint64_t desc;
		struct emu_walk_result r;
		if (!read_desc(cpu, table | (index << 3), s2, &desc, &r))
			return r;
		if (!(desc & 1))
			return s1_fault((uint8_t)(FSC_TRANSLATION_L0 + level));
		if (level < 3 && (desc & 2)) {
			/* Table descriptor. */
			uint64_t next = desc & DESC_OA_MASK & ~ones(gshift);
			if (next >> oa_bits)
				return s1_fault((uint8_t)(FSC_ADDR_SIZE_L0 + level));
			if (!hpd) {
				aptable |= (unsigned)(desc >> 61) & 3;
				uxn_table |= (desc >> 60) & 1;
				pxn_table |= (desc >> 59) & 1;
			}
			table = next;
			level++;
			lsb -= stride;
			nbits = stride;
			continue;
		}
		/* Leaf: page (level 3, type 0b11) or block (0b01). */
		if (level == 3 ? !(desc & 2) : !block_allowed(gshift, level))
			return s1_fault((uint8_t)(FSC_TRANSLATION_L0 + level));
		uint64_t oa = desc & DESC_OA_MASK & ~ones(lsb);
		if (oa >> oa_bits)
			return s1_fault((uint8_t)(FSC_ADDR_SIZE_L0 + level));
		if (!(desc & DESC_AF))
			return s1_fault((uint8_t)(FSC_ACCESS_FLAG_L0 + level));

		unsigned attr_idx = (unsigned)(desc >> 2) & 7;
		uint8_t attr = (uint8_t)(cpu->sr[el2_regime ? SR_MAIR_EL2 : SR_MAIR_EL1] >> (8 * attr_idx));
		r = (struct emu_walk_result){
			.ok = true,
			.pa = oa | (va & ones(lsb)),
			.attrs = attr,
			.device = (attr & 0xf0) == 0,
			.s1_shift = (uint8_t)lsb,
		};
		if (single) {
			bool ro = ((desc >> 7) & 1) || (aptable & 2);
			if (!s1_el2_permitted(sctlr, acc, ro, (desc & DESC_UXN) || uxn_table)) {
				r.ok = false;
				r.fsc = (uint8_t)(FSC_PERMISSION_L0 + level);
			}
			return r;
		}
		/* APTable[0] removes EL0 access, APTable[1] removes write access. */
		bool ap1 = ((desc >> 6) & 1) && !(aptable & 1);
		bool ap2 = ((desc >> 7) & 1) || (aptable & 2);
		bool uxn = (desc & DESC_UXN) || uxn_table;
		bool pxn = (desc & DESC_PXN) || pxn_table;
		if (!s1_permitted(sctlr, acc, el0_perms, pan, ap1, ap2, uxn, pxn)) {
			r.ok = false;
			r.fsc = (uint8_t)(FSC_PERMISSION_L0 + level);
		}
		return r;
	}
}

/* Stage 1, then the guest's stage 2 on its output (a stage-1 fault
 * keeps its IPA fields for DC by VA; see mmu.h). */
static struct emu_walk_result full_walk(struct emu_cpu *cpu, uint64_t va, enum emu_access acc, bool el0_perms,
					bool pan, bool el2_regime, bool s2)
{
	struct emu_walk_result r = s1_walk(cpu, va, acc, el0_perms, pan, el2_regime, s2);
	if (!s2 || r.stage2 || (!r.ok && (r.fsc & 0x3c) != FSC_PERMISSION_L0))
		return r;
	struct emu_walk_result t = mmu_stage2(cpu, r.pa, acc);
	if (!t.ok)
		return r.ok ? t : r; /* stage-1 faults come first */
	/* A stage-1 permission fault stays one, with the final address. */
	r.pa = t.pa;
	r.device |= t.device;
	if (t.device)
		r.attrs = 0x00;
	return r;
}

bool mmu_el2_regime(const struct emu_cpu *cpu, bool el0_perms)
{
	/* el0_perms at EL2: LDTR/STTR of a VHE host, EL0 accesses. */
	return el0_perms ? el2_host_el0(cpu) : cpu->el == 2;
}

struct emu_walk_result mmu_walk(struct emu_cpu *cpu, uint64_t va, enum emu_access acc, bool el0_perms,
				bool pan)
{
	bool el2_regime = mmu_el2_regime(cpu, el0_perms);
	return full_walk(cpu, va, acc, el0_perms, pan, el2_regime, !el2_regime && el2_stage2_on(cpu));
}

struct emu_walk_result emu_mmu_translate_at(struct emu_cpu *cpu, uint64_t va, enum emu_access acc, bool el0_perms,
					    enum emu_at_stages stages)
{
	/* AT S1E1* / S1E0* at EL2 of a VHE host (E2H and TGE): EL2&0. */
	bool el20 = stages == AT_S1E1 && cpu->el == 2 && el2_host_el0(cpu);
	bool s2 = stages != AT_S1E2 && !el20 && el2_stage2_on(cpu);
	struct emu_walk_result r;
	pthread_rwlock_rdlock(&cpu->vm->mem_lock);
	if (stages == AT_S12)
		r = full_walk(cpu, va, acc, el0_perms, false, false, s2);
	else /* stage 1 only; its table walks still go through stage 2 */
		r = s1_walk(cpu, va, acc, el0_perms, false, stages == AT_S1E2 || el20, s2);
	pthread_rwlock_unlock(&cpu->vm->mem_lock);
	return r;
}
