/*
 * mmu_s2.c - the guest hypervisor's stage-2 translation (Arm ARM D8,
 * VMSAv8-64 stage 2): VTTBR_EL2 / VTCR_EL2 (T0SZ, SL0, TG0, PS), 4K, 16K
 * and 64K granules, concatenated start-level tables, block and page
 * descriptors, the access flag, S2AP, XN and MemAttr.
 *
 * Its output addresses are looked up in the VM's memory map (the host's
 * stage 2).  Not implemented (not advertised): FEAT_LPA/LPA2, FEAT_XNX
 * (bit 53 is ignored), FEAT_HAFDBS, FEAT_S2FWB, HCR_EL2.PTW.  VMIDs are
 * not kept: the TLB is dropped whenever VTTBR_EL2 changes, which the
 * architecture allows (a TLB may hold less than it could).
 */
#include "el2.h"
#include "mmu.h"

#define DESC_AF (1ull << 10)
#define DESC_XN (1ull << 54)
#define DESC_OA_MASK 0x0000fffffffff000ull

static const uint8_t ps_bits[8] = { 32, 36, 40, 42, 44, 48, 48, 48 };

static inline uint64_t ones(unsigned n)
{
	return n >= 64 ? ~(uint64_t)0 : (((uint64_t)1 << n) - 1);
}

static struct emu_walk_result s2_fault(uint64_t ipa, uint8_t fsc)
{
	return (struct emu_walk_result){ .ok = false, .stage2 = true, .guest_s2 = true, .ipa = ipa, .fsc = fsc };
}

/* A descriptor read from the VM's memory map (a physical address to the
 * guest hypervisor, an IPA to us). */
static bool read_s2_desc(struct emu_cpu *cpu, uint64_t pa, uint64_t *desc, struct emu_walk_result *r)
{
	const struct hv_mem_region *reg = hv_memmap_find(&cpu->vm->mem, pa);
	if (!reg || !(reg->flags & HV_MEMORY_READ)) {
		*r = (struct emu_walk_result){
			.ok = false,
			.stage2 = true,
			.ipa = pa,
			.fsc = reg ? FSC_PERMISSION_L0 + 3 : FSC_TRANSLATION_L0 + 3,
		};
		return false;
	}
	const uint64_t *p = (const uint64_t *)(const void *)(reg->host + (pa - reg->ipa));
	*desc = __atomic_load_n(p, __ATOMIC_RELAXED);
	return true;
}

struct emu_walk_result mmu_stage2(struct emu_cpu *cpu, uint64_t ipa, enum emu_access acc)
{
	uint64_t vtcr = cpu->sr[SR_VTCR_EL2];
	unsigned tsz = vtcr & 63, sl0 = (vtcr >> 6) & 3, tg = (vtcr >> 14) & 3;
	unsigned gshift = tg == 1 ? 16 : tg == 2 ? 14 : 12; /* reserved -> 4K */
	unsigned stride = gshift - 3;
	unsigned pa_bits = mmu_pa_bits(cpu);
	unsigned oa_bits = ps_bits[(vtcr >> 16) & 7];
	if (oa_bits > pa_bits)
		oa_bits = pa_bits;

	/* T0SZ 16..39 as for stage 1; an IPA above the input size is a
	 * translation fault at level 0 (AArch64.S2Walk). */
	if (tsz < 16 || tsz > 39)
		return s2_fault(ipa, FSC_TRANSLATION_L0);
	unsigned inputsize = 64 - tsz;
	if (ipa >> inputsize)
		return s2_fault(ipa, FSC_TRANSLATION_L0);

	/* Start level from SL0: 4K 0/1/2 -> L2/L1/L0; 16K, 64K 0/1/2 ->
	 * L3/L2/L1.  The start level may resolve up to 4 more bits than a
	 * table (up to 16 concatenated tables); anything else is a
	 * misconfiguration, reported as a level 0 translation fault (as
	 * is SL0 = 2 with 4K or 64K pages, reserved below 44 PA bits). */
	int level = gshift == 12 ? 2 - (int)sl0 : 3 - (int)sl0;
	if (sl0 == 3 || (gshift != 14 && sl0 == 2 && pa_bits < 44))
		return s2_fault(ipa, FSC_TRANSLATION_L0);
	unsigned lsb = gshift + stride * (unsigned)(3 - level);
	if (inputsize <= lsb || inputsize - lsb > stride + 4)
		return s2_fault(ipa, FSC_TRANSLATION_L0);
	unsigned nbits = inputsize - lsb;

	uint64_t table = cpu->sr[SR_VTTBR_EL2] & ones(48);
	if (table >> oa_bits)
		return s2_fault(ipa, (uint8_t)(FSC_ADDR_SIZE_L0 + level));
	table &= ~ones(nbits + 3 > 6 ? nbits + 3 : 6);

	for (;;) {
		uint64_t index = (ipa >> lsb) & ones(nbits);
		uint64_t desc;
		struct emu_walk_result r;
		if (!read_s2_desc(cpu, table | (index << 3), &desc, &r))
			return r;
		if (!(desc & 1))
			return s2_fault(ipa, (uint8_t)(FSC_TRANSLATION_L0 + level));
		if (level < 3 && (desc & 2)) {
			uint64_t next = desc & DESC_OA_MASK & ~ones(gshift);
			if (next >> oa_bits)
				return s2_fault(ipa, (uint8_t)(FSC_ADDR_SIZE_L0 + level));
			table = next;
			level++;
			lsb -= stride;
			nbits = stride;
			continue;
		}
		bool block_ok = gshift == 12 ? (level == 1 || level == 2) : level == 2;
		if (level == 3 ? !(desc & 2) : !block_ok)
			return s2_fault(ipa, (uint8_t)(FSC_TRANSLATION_L0 + level));
		uint64_t oa = desc & DESC_OA_MASK & ~ones(lsb);
		if (oa >> oa_bits)
			return s2_fault(ipa, (uint8_t)(FSC_ADDR_SIZE_L0 + level));
		if (!(desc & DESC_AF))
			return s2_fault(ipa, (uint8_t)(FSC_ACCESS_FLAG_L0 + level));
		/* S2AP[0] (bit 6) = read, S2AP[1] (bit 7) = write; fetches
		 * only look at XN. */
		bool ok = acc == ACC_READ    ? (desc >> 6) & 1
			  : acc == ACC_WRITE ? (desc >> 7) & 1
					     : !(desc & DESC_XN);
		if (!ok)
			return s2_fault(ipa, (uint8_t)(FSC_PERMISSION_L0 + level));
		/* MemAttr[3:2] = 0b00: Device. */
		bool dev = ((desc >> 4) & 3) == 0;
		return (struct emu_walk_result){
			.ok = true,
			.pa = oa | (ipa & ones(lsb)),
			.device = dev,
			.attrs = dev ? 0x00 : 0xff,
		};
	}
}
