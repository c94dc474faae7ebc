/*
 * tlbi.c - dropping cached translations: the whole TLB (mem_tlb_flush),
 * one page for TLBI by VA, and the queue that takes the Inner Shareable
 * forms to the other vCPUs of the VM.
 *
 * The TLB holds 4 KiB entries (mem_fast.h).  An entry made from a larger
 * stage-1 mapping (a block, or a page of a 16K/64K granule) is one of
 * several for its descriptor, and a TLBI of one VA in the mapping must
 * drop them all.  As in QEMU, the VAs of every such mapping cached since
 * the last full flush lie in one aligned region (tlb_large_va/mask): a
 * TLBI by VA inside it drops everything, one outside it only its page.
 * Entries carry no ASID and no TBI top byte: a page is dropped whatever
 * its ASID and bits 63:56 (over-invalidating is always allowed).
 *
 * Blocks of decoded code (icache.c) stay validated against the exec TLB
 * while cpu->ic.epoch stays.  ic.code_va marks the VA pages blocks were
 * validated on; a TLBI of a marked page unmarks it and moves the epoch,
 * one of any other page leaves the epoch alone.
 *
 * The other vCPUs take a broadcast TLBI by VA at their next event check,
 * as they took the VM-wide flush it replaces: each has a queue of pages,
 * and a queue that overflowed means "drop everything".
 */
#include "icache.h"

#include <pthread.h>
#include <string.h>

/* The VA bits a TLBI by VA names, [55:12]: bits 63:56 are a TBI tag or
 * copies of bit 55. */
#define VA_PAGE_BITS 0x00fffffffffff000ull
/* The operand: VA[55:12] in bits 43:0 (TTL, 47:44, is RES0 without
 * FEAT_TTL; the ASID is in 63:48). */
#define TLBI_VA_FIELD 0x00000fffffffffffull

void mem_tlb_flush(struct emu_cpu *cpu)
{
	struct emu_tlb_entry *all = &cpu->tlb[0][0];
	if (cpu->tlb_nfilled <= EMU_TLB_FILL_LOG) {
		for (unsigned i = 0; i < cpu->tlb_nfilled; i++)
			memset(&all[cpu->tlb_filled[i]], 0xff, sizeof(*all));
	} else {
		memset(cpu->tlb, 0xff, sizeof(cpu->tlb));
	}
	cpu->tlb_nfilled = 0;
	cpu->tlb_large = false;
	emu_ic_invalidate(cpu); /* cached blocks re-check their translation */
}

/* Drops the write entries of every view that map a host page sharing
 * the code-page filter's entry of host (NULL: all of them), so that the
 * page can be marked as holding code (cpu.h EMU_CP_CODE).  Only entries
 * filled since the last full flush can be valid: the log has them. */
void mem_tlb_drop_writes(struct emu_cpu *cpu, const uint8_t *host)
{
	struct emu_tlb_entry *all = &cpu->tlb[0][0];
	bool logged = cpu->tlb_nfilled <= EMU_TLB_FILL_LOG && host;
	unsigned n = logged ? cpu->tlb_nfilled : EMU_TLB_NONE * EMU_TLB_SIZE;
	size_t page = mem_code_page_index((uintptr_t)host);
	for (unsigned i = 0; i < n; i++) {
		struct emu_tlb_entry *e = &all[logged ? cpu->tlb_filled[i] : i];
		uintptr_t p = (uintptr_t)((e->tag[ACC_WRITE] & MEM_TLB_PAGE_MASK) + e->addend);
		if (!host || mem_code_page_index(p) == page)
			e->tag[ACC_WRITE] = ~(uint64_t)0;
	}
}

void emu_tlb_filled(struct emu_cpu *cpu, const struct emu_tlb_entry *e, uint64_t va, unsigned shift)
{
	if (cpu->tlb_nfilled < EMU_TLB_FILL_LOG)
		cpu->tlb_filled[cpu->tlb_nfilled] = (uint16_t)(e - &cpu->tlb[0][0]);
	if (cpu->tlb_nfilled <= EMU_TLB_FILL_LOG)
		cpu->tlb_nfilled++;
	if (shift <= MEM_TLB_PAGE_SHIFT)
		return;
	va &= VA_PAGE_BITS;
	uint64_t mask = ~(((uint64_t)1 << shift) - 1) & VA_PAGE_BITS;
	if (cpu->tlb_large) {
		/* The smallest aligned region holding both (mask 0: all). */
		mask &= cpu->tlb_large_mask;
		while ((cpu->tlb_large_va ^ va) & mask)
			mask = (mask << 1) & VA_PAGE_BITS;
	}
	cpu->tlb_large = true;
	cpu->tlb_large_va = va & mask;
	cpu->tlb_large_mask = mask;
}

/* Drops the entries of the page of va (VA_PAGE_BITS only) in every view. */
static void drop_page(struct emu_cpu *cpu, uint64_t va)
{
	if (cpu->tlb_large && (va & cpu->tlb_large_mask) == cpu->tlb_large_va) {
		mem_tlb_flush(cpu);
		return;
	}
	unsigned i = (unsigned)(va >> MEM_TLB_PAGE_SHIFT) & (EMU_TLB_SIZE - 1);
	for (unsigned view = 0; view < EMU_TLB_NONE; view++) {
		struct emu_tlb_entry *e = &cpu->tlb[view][i];
		for (unsigned k = 0; k < 3; k++)
			if ((e->tag[k] & VA_PAGE_BITS) == va)
				e->tag[k] = ~(uint64_t)0;
	}
	uint8_t *mark = &cpu->ic.code_va[(va >> MEM_TLB_PAGE_SHIFT) & (EMU_IC_PAGES - 1)];
	if (*mark) {
		*mark = 0;
		emu_ic_invalidate(cpu);
	}
}

/* Queues page for every other vCPU.  Returns false if
 * the vCPU list is busy: its lock is held by vCPU creation or
 * destruction, or by a memory-map change that waits for this vCPU to
 * pass an event check, so waiting for it could deadlock. */
static bool queue_for_others(struct emu_cpu *cpu, uint64_t page)
{
	struct hv_vm_obj *vm = cpu->vm;
	if (pthread_mutex_trylock(&vm->vcpus_lock) != 0)
		return false;
	for (unsigned i = 0; i < HV_MAX_VCPUS; i++) {
		struct hv_vcpu_obj *v = vm->vcpus[i];
		if (!v || v == cpu->obj)
			continue;
		struct emu_cpu *o = v->backend_state;
		pthread_mutex_lock(&o->tlbi_lock);
		unsigned n = atomic_load_explicit(&o->tlbi_queued, memory_order_relaxed);
		if (n < EMU_TLBI_QUEUE)
			o->tlbi_queue[n] = page;
		if (n <= EMU_TLBI_QUEUE)
			atomic_store_explicit(&o->tlbi_queued, n + 1, memory_order_relaxed);
		pthread_mutex_unlock(&o->tlbi_lock);
	}
	pthread_mutex_unlock(&vm->vcpus_lock);
	return true;
}

void emu_tlbi_va(struct emu_cpu *cpu, uint64_t operand, bool broadcast)
{
	uint64_t va = (operand & TLBI_VA_FIELD) << MEM_TLB_PAGE_SHIFT;
	drop_page(cpu, va);
	if (broadcast && !queue_for_others(cpu, va))
		atomic_fetch_add(&cpu->vm->mem_generation, 1); /* everybody drops everything */
}

void emu_tlbi_take_queued(struct emu_cpu *cpu)
{
	if (!atomic_load_explicit(&cpu->tlbi_queued, memory_order_relaxed))
		return;
	uint64_t pages[EMU_TLBI_QUEUE];
	pthread_mutex_lock(&cpu->tlbi_lock);
	unsigned n = atomic_load_explicit(&cpu->tlbi_queued, memory_order_relaxed);
	if (n <= EMU_TLBI_QUEUE)
		memcpy(pages, cpu->tlbi_queue, n * sizeof(pages[0]));
	atomic_store_explicit(&cpu->tlbi_queued, 0, memory_order_relaxed);
	pthread_mutex_unlock(&cpu->tlbi_lock);
	if (n > EMU_TLBI_QUEUE) {
		mem_tlb_flush(cpu);
		return;
	}
	for (unsigned i = 0; i < n; i++)
		drop_page(cpu, pages[i]);
}
