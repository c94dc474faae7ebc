/*
 * mem.c - guest memory accesses: software TLB (see mem_fast.h), stage 1
 * via mmu.c, stage 2 = the VM's memory map, alignment, watchpoint hook,
 * instruction fetch, and the abort syndromes.
 *
 * Order of checks for one access (Arm ARM AArch64.MemSingle /
 * TranslateAddress): explicit alignment (MEMF_ALIGNED, SCTLR_EL1.A) ->
 * stage 1 -> unaligned access to Device memory -> stage 2 -> watchpoint.
 * A page-crossing access is two parts, each translated in address order
 * before any byte is read or written, so a faulting part (FAR = its first
 * byte) leaves memory untouched.
 *
 * Faults of the guest hypervisor's stage 2 (EL2 guests, mmu_s2.c) are
 * taken to its EL2 with HPFAR_EL2.  Faults of the VM's memory map (the
 * host's stage 2) exit to the host (Apple: EC 0x24 / 0x20 "from a lower
 * EL", PC at the instruction, physical_address = the full faulting IPA).
 * We have no stage-2 walk of our own: an unmapped IPA is reported as a
 * translation fault level 3 (DFSC 0x07) and a missing HV_MEMORY_* right
 * as a permission fault level 3 (0x0f), as the last level of a 4K/16K
 * stage-2 table would (VMMs such as QEMU only look at ISV/SAS/SSE/SRT/
 * SF/AR/WnR/S1PTW/CM).  ISV and the rest of cpu->dabt_iss are only
 * reported for a fault on the access itself: not for S1PTW, not for a
 * part of a page-crossing access, not for DC by VA or DC ZVA.
 */
#include "el2.h"
#include "mem_fast.h"
#include "mmu.h"

#include <pthread.h>
#include <string.h>

#define SCTLR_M (1ull << 0)
#define SCTLR_A (1ull << 1)

#define ISS_CM (1u << 8)
#define ISS_S1PTW (1u << 7)
#define ISS_WNR (1u << 6)

/* Internal flag: never report cpu->dabt_iss (DC ZVA is not a single
 * register load/store). */
#define MEMF_NO_ISS (1u << 31)
/* The access may be a GIC register access (one aligned part of <= 8
 * bytes): translate_part returns NULL and sets cpu->gic_mmio_pa. */
#define MEMF_GIC_OK (1u << 30)

/* ---- TLB ------------------------------------------------------------ */

/* Drops the TLB when the VM's memory map changed since it was filled.
 * Called only at the start of an access, before any host pointer of the
 * access is taken: publishing the new generation lets hv_vm_unmap return
 * (backend.c), so no pointer into the old map may be held past it. */
static inline void check_generation(struct emu_cpu *cpu)
{
	uint64_t g = atomic_load_explicit(&cpu->vm->mem_generation, memory_order_acquire);
	if (g != cpu->tlb_mem_generation) {
		mem_tlb_flush(cpu);
		__atomic_store_n(&cpu->tlb_mem_generation, g, __ATOMIC_RELEASE);
	}
}

/* Enters tag for `acc`; the entry's other kinds survive only if they are
 * for the same page (they share the addend). */
static void tlb_fill(struct emu_tlb_entry *e, enum emu_access acc, uint64_t tag,
		     uintptr_t addend)
{
	/* No epoch move: filling (or evicting) an entry changes no
	 * translation; what does is announced by a TLBI (mem_tlb_flush),
	 * an EL change or a memory-map change, which all move it. */
	uint64_t page = tag & MEM_TLB_PAGE_MASK;
	if (e->addend != addend) {
		for (unsigned k = 0; k < 3; k++)
			if ((e->tag[k] & MEM_TLB_PAGE_MASK) != page)
				e->tag[k] = ~(uint64_t)0;
	}
	e->addend = addend;
	e->tag[acc] = tag;
}

/* Whether a write entry may map host page `host`: not while it holds
 * checked code (cpu.h EMU_CP_CODE), so stores to it take the slow path,
 * which notes them. */
static bool write_entry_allowed(struct emu_cpu *cpu, const uint8_t *host)
{
	uint8_t *mark = mem_code_page(cpu, host);
	if (*mark == EMU_CP_CODE)
		return false;
	*mark = EMU_CP_WRITE;
	return true;
}

/* ---- faults --------------------------------------------------------- */

static inline bool wnr(bool is_write, unsigned flags)
{
	return is_write || (flags & (MEMF_RMW | MEMF_CM));
}

/* Data abort to guest EL1 (stage-1 fault or alignment fault). */
static _Noreturn void data_abort_el1(struct emu_cpu *cpu, uint64_t va, uint8_t fsc, bool is_write, unsigned flags)
{
	uint32_t ec = cpu->el == 0 ? EC_DABT_LOWER : EC_DABT_SAME;
	uint32_t iss = fsc | (wnr(is_write, flags) ? ISS_WNR : 0) | ((flags & MEMF_CM) ? ISS_CM : 0);
	emu_take_sync(cpu, (ec << ESR_EC_SHIFT) | ESR_IL | iss, va, true);
}

/* A fault of the guest's stage 2: to its EL2, as from a lower EL. */
static _Noreturn void guest_s2_fault(struct emu_cpu *cpu, uint64_t va, const struct emu_walk_result *r,
				     enum emu_access acc, unsigned flags, bool split)
{
	uint32_t iss = r->fsc | (r->s1ptw ? ISS_S1PTW : 0);
	uint32_t ec = EC_IABT_LOWER;
	if (acc == ACC_EXEC) {
		cpu->insn_pc = va;
	} else {
		ec = EC_DABT_LOWER;
		iss |= (wnr(acc == ACC_WRITE, flags) ? ISS_WNR : 0) | ((flags & MEMF_CM) ? ISS_CM : 0);
		if (!r->s1ptw && !split && !(flags & (MEMF_CM | MEMF_NO_ISS)))
			iss |= cpu->dabt_iss;
	}
	emu_take_el2(cpu, (ec << ESR_EC_SHIFT) | ESR_IL | iss, va, true, el2_hpfar_of(r->ipa), true);
}

static _Noreturn void raise_fault(struct emu_cpu *cpu, uint64_t va, const struct emu_walk_result *r,
				  enum emu_access acc, unsigned flags, bool split)
{
	if (r->guest_s2)
		guest_s2_fault(cpu, va, r, acc, flags, split);
	if (acc == ACC_EXEC) {
		uint32_t iss = r->fsc | (r->s1ptw ? ISS_S1PTW : 0);
		if (r->stage2)
			emu_exit_exception(cpu, ((uint64_t)EC_IABT_LOWER << ESR_EC_SHIFT) | ESR_IL | iss, va, r->ipa,
					   va);
		/* Preferred return address of an instruction abort is the PC. */
		cpu->insn_pc = va;
		uint32_t ec = cpu->el == 0 ? EC_IABT_LOWER : EC_IABT_SAME;
		emu_take_sync(cpu, (ec << ESR_EC_SHIFT) | ESR_IL | iss, va, true);
	}
	bool is_write = acc == ACC_WRITE;
	if (!r->stage2)
		data_abort_el1(cpu, va, r->fsc, is_write, flags);
	uint32_t iss = r->fsc | (wnr(is_write, flags) ? ISS_WNR : 0) | ((flags & MEMF_CM) ? ISS_CM : 0);
	if (r->s1ptw)
		iss |= ISS_S1PTW;
	else if (!split && !(flags & (MEMF_CM | MEMF_NO_ISS)))
		iss |= cpu->dabt_iss;
	emu_exit_exception(cpu, ((uint64_t)EC_DABT_LOWER << ESR_EC_SHIFT) | ESR_IL | iss, va, r->ipa, cpu->insn_pc);
}

/* ---- translation of one part (inside one 4 KiB page) ---------------- */

/* Whether walk r gives an address for a cache maintenance operation by
 * VA: DC by VA at EL1 is not subject to stage-1 permissions (D7.5.9). */
static bool cm_translates(const struct emu_walk_result *r)
{
	return r->ok || (!r->stage2 && (r->fsc & 0x3c) == FSC_PERMISSION_L0);
}

/*
 * Host address of [va, va+size) for `acc`, or raises the fault.
 * dev_fault: the access faults on Device memory (it is unaligned, or it
 * is DC ZVA).  split: the part of a page-crossing access.
 */
static uint8_t *translate_part(struct emu_cpu *cpu, uint64_t va, enum emu_access acc, unsigned flags,
			       bool dev_fault, bool split)
{
	unsigned view = (flags & MEMF_UNPRIV) ? 0 : cpu->el;
	/* All data is Device when this regime's stage 1 is off (unless
	 * HCR_EL2.DC): cached entries are Normal otherwise. */
	bool normal_off;
	bool all_device = mmu_s1_off(cpu, mmu_el2_regime(cpu, view == 0), &normal_off) && !normal_off;
	bool is_data = acc != ACC_EXEC;
	struct emu_tlb_entry *e = mem_tlb_entry(cpu, is_data ? mem_data_view(cpu, view) : view, va);
	uint64_t tag = va & MEM_TLB_PAGE_MASK;

	if (e->tag[acc] == tag) {
		/* Cached data pages are Normal when stage 1 is on and Device
		 * when it is off. */
		if (dev_fault && is_data && all_device)
			data_abort_el1(cpu, va, FSC_ALIGNMENT, acc == ACC_WRITE, flags);
		return (uint8_t *)(uintptr_t)(va + e->addend);
	}

	/* PAN does not apply to fetches or to DC by VA. */
	/* PAN: EL1, and EL2 in the EL2&0 regime (FEAT_VHE). */
	bool pan = (view == 1 || (view == 2 && el2_e2h(cpu))) && cpu->pstate_pan && is_data && !(flags & MEMF_CM);
	uint64_t need = acc == ACC_READ ? HV_MEMORY_READ : acc == ACC_WRITE ? HV_MEMORY_WRITE : HV_MEMORY_EXEC;
	uint8_t *host = NULL;

	pthread_rwlock_rdlock(&cpu->vm->mem_lock);
	struct emu_walk_result r = mmu_walk(cpu, va, acc, view == 0, pan);
	if ((flags & MEMF_CM) && view == 1 && acc == ACC_READ && cm_translates(&r))
		r.ok = true;
	if (r.ok && r.device && dev_fault && is_data) {
		r.ok = false;
		r.fsc = FSC_ALIGNMENT;
	} else if (r.ok) {
		const struct hv_mem_region *reg = hv_memmap_find(&cpu->vm->mem, r.pa);
		if (!reg && (flags & MEMF_GIC_OK) && cpu->vm->gic && gic_owns(cpu->vm->gic, r.pa)) {
			/* The GIC's frames are emulated here: no exit. */
			cpu->gic_mmio_pa = r.pa;
		} else if (!reg || !(reg->flags & need)) {
			r.ok = false;
			r.stage2 = true;
			r.ipa = r.pa;
			r.fsc = reg ? FSC_PERMISSION_L0 + 3 : FSC_TRANSLATION_L0 + 3;
		} else {
			/* Regions are host-page aligned (>= 4 KiB): the whole 4 KiB
			 * page of r.pa lies in reg. */
			host = reg->host + (r.pa - reg->ipa);
			/* Not cached: permission-less DC by VA, and Device pages
			 * with stage 1 on (the hit path assumes Normal there). */
			if (!(flags & MEMF_CM) && !(!all_device && r.device && is_data) &&
			    (acc != ACC_WRITE || write_entry_allowed(cpu, host))) {
				tlb_fill(e, acc, tag, (uintptr_t)host - (uintptr_t)va);
				emu_tlb_filled(cpu, e, va, r.s1_shift);
			}
		}
	}
	pthread_rwlock_unlock(&cpu->vm->mem_lock);
	if (!r.ok)
		raise_fault(cpu, va, &r, acc, flags, split);
	return host;
}

const uint8_t *mem_probe_host(struct emu_cpu *cpu, uint64_t va)
{
	const uint8_t *host = mem_fast_ptr(cpu, va, 1, ACC_READ, 0);
	if (host)
		return host;
	pthread_rwlock_rdlock(&cpu->vm->mem_lock);
	struct emu_walk_result r = mmu_walk(cpu, va, ACC_READ, cpu->el == 0, false);
	if (cm_translates(&r)) {
		const struct hv_mem_region *reg = hv_memmap_find(&cpu->vm->mem, r.pa);
		if (reg)
			host = reg->host + (r.pa - reg->ipa);
	}
	pthread_rwlock_unlock(&cpu->vm->mem_lock);
	return host;
}

/* ---- data accesses -------------------------------------------------- */

/* Alignment checks that come before translation. */
static inline void check_alignment(struct emu_cpu *cpu, uint64_t va, unsigned size, unsigned flags, bool is_write)
{
	if ((va & (size - 1)) && ((flags & MEMF_ALIGNED) || (emu_sctlr(cpu) & SCTLR_A)))
		data_abort_el1(cpu, va, FSC_ALIGNMENT, is_write, flags);
}

/* memcpy with the common sizes constant (a variable-size memcpy becomes
 * a slow `rep movs`). */
static inline void copy_bytes(uint8_t *d, const uint8_t *s, unsigned n)
{
	switch (n) {
	case 2:
		memcpy(d, s, 2);
		break;
	case 4:
		memcpy(d, s, 4);
		break;
	case 8:
		memcpy(d, s, 8);
		break;
	case 16:
		memcpy(d, s, 16);
		break;
	default:
		for (unsigned i = 0; i < n; i++)
			d[i] = s[i];
		break;
	}
}

/* Slow path of a data access of 1..16 bytes: buf is the data in memory
 * order (read into / written from). */
static void slow_access(struct emu_cpu *cpu, uint64_t va, unsigned size, unsigned flags, bool is_write, uint8_t *buf)
{
	enum emu_access acc = is_write ? ACC_WRITE : ACC_READ;
	check_generation(cpu);
	check_alignment(cpu, va, size, flags, is_write);
	bool unaligned = (va & (size - 1)) != 0;
	unsigned n1 = (unsigned)(MEM_TLB_PAGE_SIZE - (va & ~MEM_TLB_PAGE_MASK));
	if (n1 >= size) {
		bool gic_ok = size <= 8 && !unaligned && !(flags & (MEMF_RMW | MEMF_CM));
		uint8_t *p = translate_part(cpu, va, acc, flags | (gic_ok ? MEMF_GIC_OK : 0), unaligned, false);
		if (cpu->debug_watch_active)
			emu_debug_check_watch(cpu, va, size, is_write);
		if (!p) { /* a GIC register */
			uint64_t v = 0;
			memcpy(&v, buf, size);
			gic_mmio(cpu->vm->gic, cpu->gic_mmio_pa, size, is_write, &v);
			if (!is_write)
				memcpy(buf, &v, size);
			if (is_write)
				cpu->budget = 0; /* an enable or a pending bit may have changed */
			return;
		}
		if (is_write)
			mem_note_code_write(cpu, p);
		if (!unaligned && size <= 8) {
			uint64_t v;
			if (is_write) {
				memcpy(&v, buf, 8);
				mem_host_store(p, size, v);
			} else {
				v = mem_host_load(p, size);
				memcpy(buf, &v, size);
			}
		} else if (is_write) {
			copy_bytes(p, buf, size);
		} else {
			copy_bytes(buf, p, size);
		}
		return;
	}
	/* Page-crossing: both parts must translate before anything moves. */
	uint8_t *p1 = translate_part(cpu, va, acc, flags, unaligned, true);
	uint8_t *p2 = translate_part(cpu, va + n1, acc, flags, unaligned, true);
	if (cpu->debug_watch_active)
		emu_debug_check_watch(cpu, va, size, is_write);
	if (is_write) {
		mem_note_code_write(cpu, p1);
		mem_note_code_write(cpu, p2);
		copy_bytes(p1, buf, n1);
		copy_bytes(p2, buf + n1, size - n1);
	} else {
		copy_bytes(buf, p1, n1);
		copy_bytes(buf + n1, p2, size - n1);
	}
}

uint64_t mem_read_slow(struct emu_cpu *cpu, uint64_t va, unsigned size, unsigned flags)
{
	uint8_t buf[8] = { 0 };
	slow_access(cpu, va, size, flags, false, buf);
	uint64_t v;
	memcpy(&v, buf, 8);
	return v;
}

void mem_write_slow(struct emu_cpu *cpu, uint64_t va, unsigned size, uint64_t value, unsigned flags)
{
	uint8_t buf[8];
	memcpy(buf, &value, 8);
	slow_access(cpu, va, size, flags, true, buf);
}

uint64_t mem_read(struct emu_cpu *cpu, uint64_t va, unsigned size, unsigned flags)
{
	return mem_read_inline(cpu, va, size, flags);
}

void mem_write(struct emu_cpu *cpu, uint64_t va, unsigned size, uint64_t value, unsigned flags)
{
	mem_write_inline(cpu, va, size, value, flags);
}

void mem_read128(struct emu_cpu *cpu, uint64_t va, uint64_t out[2], unsigned flags)
{
	uint8_t buf[16];
	const uint8_t *p = mem_fast_ptr(cpu, va, 16, ACC_READ, flags);
	if (p)
		memcpy(buf, p, 16);
	else
		slow_access(cpu, va, 16, flags, false, buf);
	memcpy(out, buf, 16);
}

void mem_write128(struct emu_cpu *cpu, uint64_t va, const uint64_t in[2], unsigned flags)
{
	uint8_t *p = mem_fast_ptr(cpu, va, 16, ACC_WRITE, flags);
	if (p) { /* not checked code (cpu.h EMU_CP_CODE) */
		memcpy(p, in, 16);
		return;
	}
	uint8_t buf[16];
	memcpy(buf, in, 16);
	slow_access(cpu, va, 16, flags, true, buf);
}

/* DC ZVA (and DC IVAC with MEMF_CM): faults as a write; for DC ZVA
 * Device memory gives an alignment fault even for the aligned block.  No
 * TLB fast path (the hit path cannot tell Device from Normal when stage 1
 * is on).  size is a power of 2 <= 4096 and va must be aligned to it, so
 * the range lies in one page. */
uint8_t *mem_write_ptr(struct emu_cpu *cpu, uint64_t va, unsigned size, unsigned flags)
{
	check_generation(cpu);
	if (size == 0 || size > MEM_TLB_PAGE_SIZE || (va & (size - 1)))
		data_abort_el1(cpu, va, FSC_ALIGNMENT, true, flags);
	bool dczva = !(flags & MEMF_CM);
	uint8_t *p = translate_part(cpu, va, ACC_WRITE, flags | MEMF_NO_ISS, dczva, false);
	if (cpu->debug_watch_active)
		emu_debug_check_watch(cpu, va, size, true);
	mem_note_code_write(cpu, p);
	return p;
}

uint8_t *mem_rmw_ptr(struct emu_cpu *cpu, uint64_t va, unsigned size, unsigned flags)
{
	flags |= MEMF_RMW;
	unsigned view = (flags & MEMF_UNPRIV) ? 0 : cpu->el;
	const struct emu_tlb_entry *e = mem_tlb_entry(cpu, mem_hit_view(cpu, view), va);
	uint64_t key = mem_tlb_data_key(va, size);
	if (e->tag[ACC_READ] == key && e->tag[ACC_WRITE] == key)
		return (uint8_t *)(uintptr_t)(va + e->addend); /* not checked code (cpu.h EMU_CP_CODE) */

	check_generation(cpu);
	if (va & (size - 1))
		data_abort_el1(cpu, va, FSC_ALIGNMENT, true, flags);
	translate_part(cpu, va, ACC_READ, flags, false, false);
	uint8_t *p = translate_part(cpu, va, ACC_WRITE, flags, false, false);
	if (cpu->debug_watch_active) {
		emu_debug_check_watch(cpu, va, size, true);
		emu_debug_check_watch(cpu, va, size, false);
	}
	mem_note_code_write(cpu, p);
	return p;
}

/* ---- instruction fetch ---------------------------------------------- */

uint32_t mem_fetch_slow(struct emu_cpu *cpu)
{
	uint64_t pc = cpu->pc;
	check_generation(cpu);
	if (pc & 3) {
		cpu->insn_pc = pc;
		emu_take_sync(cpu, ((uint32_t)EC_PC_ALIGN << ESR_EC_SHIFT) | ESR_IL, pc, true);
	}
	const uint8_t *p = translate_part(cpu, pc, ACC_EXEC, 0, false, false);
	return (uint32_t)mem_host_load(p, 4);
}

uint32_t mem_fetch(struct emu_cpu *cpu)
{
	return mem_fetch_inline(cpu);
}
