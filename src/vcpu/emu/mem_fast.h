/*
 * mem_fast.h - inline fast path of guest memory accesses (software TLB
 * hit), for ldst.c, atomics.c and exec.c.  Everything else is in mem.c.
 *
 * TLB: cpu->tlb[view][(va >> 12) & (EMU_TLB_SIZE - 1)], view 0 = EL0
 * permissions (EL0, LDTR/STTR), 1 = EL1, 2 = EL2; data accesses with
 * PSTATE.PAN set use view + EMU_TLB_PAN_VIEW (mem_data_view).  Entries
 * cover 4 KiB (the smallest guest granule and host page), so a hit never
 * crosses a memory map region.  tag[kind] is the page VA; an access key
 * also carries its misalignment bits, so only naturally aligned accesses
 * hit.
 * Unaligned, page-crossing, watched and faulting accesses go to mem.c.
 * Entries are only made for Normal memory, or for Device memory when
 * stage 1 is off (all data is Device then; the slow path knows that).
 */
#ifndef EMU_MEM_FAST_H
#define EMU_MEM_FAST_H

#include <stdint.h>
#include <string.h>

#include "cpu.h"

#if !defined(__BYTE_ORDER__) || __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "the emu backend assumes a little-endian host (the guest is little-endian)"
#endif

#define MEM_TLB_PAGE_SHIFT 12
#define MEM_TLB_PAGE_SIZE ((uint64_t)1 << MEM_TLB_PAGE_SHIFT)
#define MEM_TLB_PAGE_MASK (~(MEM_TLB_PAGE_SIZE - 1))

/* Slow paths (mem.c). */
uint64_t mem_read_slow(struct emu_cpu *cpu, uint64_t va, unsigned size, unsigned flags);
void mem_write_slow(struct emu_cpu *cpu, uint64_t va, unsigned size, uint64_t value, unsigned flags);
uint32_t mem_fetch_slow(struct emu_cpu *cpu);

static inline struct emu_tlb_entry *mem_tlb_entry(struct emu_cpu *cpu, unsigned view, uint64_t va)
{
	return &cpu->tlb[view][(va >> MEM_TLB_PAGE_SHIFT) & (EMU_TLB_SIZE - 1)];
}

/* The view of data accesses with the permissions of `view`: its entries
 * made with the current PSTATE.PAN (cpu.h EMU_TLB_PAN_VIEW). */
static inline unsigned mem_data_view(const struct emu_cpu *cpu, unsigned view)
{
	return view + (cpu->pstate_pan ? EMU_TLB_PAN_VIEW : 0);
}

/* The view data accesses with the permissions of `view` hit in: while
 * watchpoints are armed, EMU_TLB_NONE, which never hits, so that every
 * access takes the slow path, which checks them. */
static inline unsigned mem_hit_view(const struct emu_cpu *cpu, unsigned view)
{
	return cpu->debug_watch_active ? EMU_TLB_NONE : mem_data_view(cpu, view);
}

/* Data access key: page | misalignment (size a power of 2 <= 2048; an
 * invalid tag, ~0, has bit 11 set, which no key has). */
static inline uint64_t mem_tlb_data_key(uint64_t va, unsigned size)
{
	return va & (MEM_TLB_PAGE_MASK | (uint64_t)(size - 1));
}

/* Host address of an aligned data access on a TLB hit, else NULL. */
static inline uint8_t *mem_fast_ptr(struct emu_cpu *cpu, uint64_t va, unsigned size, enum emu_access acc,
				    unsigned flags)
{
	unsigned view = (flags & MEMF_UNPRIV) ? 0 : cpu->el;
	const struct emu_tlb_entry *e = mem_tlb_entry(cpu, mem_hit_view(cpu, view), va);
	if (__builtin_expect(e->tag[acc] == mem_tlb_data_key(va, size), 1))
		return (uint8_t *)(uintptr_t)(va + e->addend);
	return NULL;
}

/* Naturally aligned host accesses: single-copy atomic like the guest's. */
static inline uint64_t mem_host_load(const uint8_t *p, unsigned size)
{
	switch (size) {
	case 1:
		return __atomic_load_n(p, __ATOMIC_RELAXED);
	case 2:
		return __atomic_load_n((const uint16_t *)(const void *)p, __ATOMIC_RELAXED);
	case 4:
		return __atomic_load_n((const uint32_t *)(const void *)p, __ATOMIC_RELAXED);
	default:
		return __atomic_load_n((const uint64_t *)(const void *)p, __ATOMIC_RELAXED);
	}
}

static inline void mem_host_store(uint8_t *p, unsigned size, uint64_t v)
{
	switch (size) {
	case 1:
		__atomic_store_n(p, (uint8_t)v, __ATOMIC_RELAXED);
		break;
	case 2:
		__atomic_store_n((uint16_t *)(void *)p, (uint16_t)v, __ATOMIC_RELAXED);
		break;
	case 4:
		__atomic_store_n((uint32_t *)(void *)p, (uint32_t)v, __ATOMIC_RELAXED);
		break;
	default:
		__atomic_store_n((uint64_t *)(void *)p, v, __ATOMIC_RELAXED);
		break;
	}
}

/* The code-page filter's entry of host address p (cpu.h EMU_CP_*). */
static inline size_t mem_code_page_index(uintptr_t p)
{
	return (p >> MEM_TLB_PAGE_SHIFT) & (EMU_IC_PAGES - 1);
}

static inline uint8_t *mem_code_page(struct emu_cpu *cpu, const void *p)
{
	return &cpu->ic.code_page[mem_code_page_index((uintptr_t)p)];
}

/* A write to host address p (by a slow path: a TLB hit never writes
 * checked code, cpu.h EMU_CP_CODE): if its page may hold cached decoded
 * code (icache.c), make every block be checked against memory again.
 * Returns true in that case.  The mark goes: the blocks of the page that are
 * still valid mark it again when checked (emu_ic_enter_slow), so a page
 * that once held code and now holds data stops costing re-checks. */
static inline bool mem_note_code_write(struct emu_cpu *cpu, const void *p)
{
	uint8_t *mark = mem_code_page(cpu, p);
	if (__builtin_expect(*mark == EMU_CP_CODE, 0)) {
		*mark = EMU_CP_NONE;
		emu_ic_invalidate(cpu);
		return true;
	}
	return false;
}

/* mem_read / mem_write / mem_fetch with the TLB hit inlined. */
static inline uint64_t mem_read_inline(struct emu_cpu *cpu, uint64_t va, unsigned size, unsigned flags)
{
	uint8_t *p = mem_fast_ptr(cpu, va, size, ACC_READ, flags);
	if (p)
		return mem_host_load(p, size);
	return mem_read_slow(cpu, va, size, flags);
}

static inline void mem_write_inline(struct emu_cpu *cpu, uint64_t va, unsigned size, uint64_t value,
				    unsigned flags)
{
	uint8_t *p = mem_fast_ptr(cpu, va, size, ACC_WRITE, flags);
	if (p) /* never a page with checked code (cpu.h EMU_CP_CODE) */
		mem_host_store(p, size, value);
	else
		mem_write_slow(cpu, va, size, value, flags);
}

static inline uint32_t mem_fetch_inline(struct emu_cpu *cpu)
{
	uint64_t pc = cpu->pc;
	const struct emu_tlb_entry *e = mem_tlb_entry(cpu, cpu->el, pc);
	if (__builtin_expect(e->tag[ACC_EXEC] == (pc & (MEM_TLB_PAGE_MASK | 3)), 1))
		return __atomic_load_n((const uint32_t *)(uintptr_t)(pc + e->addend), __ATOMIC_RELAXED);
	return mem_fetch_slow(cpu);
}

#endif /* EMU_MEM_FAST_H */
