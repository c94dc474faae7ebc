/*
 * jit_priv.h - state shared by the translator's code cache (jit_cache.c)
 * and its code generator (jit_translate.c).  See jit.h.
 */
#ifndef EMU_JIT_PRIV_H
#define EMU_JIT_PRIV_H

#include <stddef.h>
#include <stdint.h>

#include "../cpu.h"
#include "jit.h"
#include "x86.h"

/* Displacements from RBX (the vCPU) of its fields, and of V register n. */
#define CPU(f) ((int32_t)offsetof(struct emu_cpu, f))
#define VREG(n) (CPU(v) + 16 * (int32_t)(n))

/* Entries to a block before it is translated: code that runs only a few
 * times (boot, initialisation) stays interpreted.  A Linux boot retires
 * about 1.3e9 instructions through about 1e6 block translations at 2
 * (slot conflicts and arena resets of the icache drop them), twice the
 * interpreter's time; at 64 it is about the interpreter's.  Later, with
 * faster translated code, the boot took (5 interleaved runs each, best
 * and median) 2.24 s / 2.2 s at 8, 1.62 s / 1.94 s at 64 and 1.49 s /
 * 1.84 s at 255 (the most emu_ic_slot.heat counts).  HV_EMU_JIT_HOT overrides it
 * (0: translate at once, as the tests do). */
#define JIT_HOT 255

/* Blocks one translation holds: the block it is entered at (its head)
 * and blocks that it or they branch to directly (jit_translate.c,
 * regions). */
#define JIT_MEMBERS 4

/* Largest machine code of one translation (32 operations a block). */
#define JIT_MAX_BLOCK_BYTES (JIT_MEMBERS * 32 * 1024)

/* Bounds-checked operation copies per translation: one op and the
 * sentinel behind it for each instruction (jit_translate.c), the head's
 * loop prefix twice. */
#define JIT_OPS_PER_BLOCK (2 * (EMU_IC_MAX_INSNS + 1) * (JIT_MEMBERS + 1))

struct emu_jit {
	struct emu_cpu *cpu;
	uint8_t *rw, *rx;        /* the two views of the code cache */
	size_t size, used, base; /* bytes; base: end of the shared stubs */
	/* Shared stubs (executable view): enter(cpu, code) runs a block,
	 * epilogue returns to the run loop (cpu->pc set), chain continues
	 * at the guest PC in RAX (next block or the run loop). */
	uintptr_t enter, epilogue, chain;
	/* Operations the generated code hands to interpreter handlers
	 * (read-write data, never executable). */
	struct emu_op *ops;
	size_t ops_cap, ops_used;
	/* The translated body of each icache slot: emu_ic_slot.jit. */
	/* Direct links: an exit to a constant guest PC is patched to jump
	 * to the target's chained entry (centry: cpu->insn_count in RCX,
	 * the event, breakpoint and epoch checks of ic_goto, the
	 * accounting, then the body) once the target is
	 * translated (link stub, jit_link).  Each slot lists the exit sites
	 * linked to it (1-based indexes into links[]) so that they are
	 * unlinked when its translation goes (emu_jit_forget); a full pool
	 * only stops new links. */
	uintptr_t centry[EMU_IC_SLOTS];
	uint32_t link_head[EMU_IC_SLOTS];
	struct jit_link {
		uint32_t site; /* offset of the exit jump's rel32 in the cache */
		uint32_t next; /* next link to the same slot (1-based), 0 = end */
	} *links;
	uint32_t links_used, links_cap;
	/* The head (slot index + 1, 0 = none) of the translation whose
	 * region holds a copy of each slot's block: rebuilding the block
	 * drops that translation too.  One region per block. */
	uint32_t inliner[EMU_IC_SLOTS];
	/* Whether each slot's translation is a region (has members): not
	 * run while breakpoints or step are armed, since branches forward
	 * to its members do not look at cpu->chain_at (jit_translate.c). */
	bool region[EMU_IC_SLOTS];
	/* A region head (slot index + 1) the run loop is to interpret once:
	 * one of its members could not be checked at its entry. */
	uint32_t skip;
	uintptr_t link_stub;
	bool bmi2;   /* the host has RORX */
	/* FP arithmetic inline (jit_fp.c): the host has AVX and FMA3; the
	 * constants of its result check (executable view, read-only) */
	bool fp_inline;
	uintptr_t fp_const;
	unsigned long long blocks, members, flushes, fp_inlined, simd_inlined, predicted;
	unsigned addend_next; /* the next site's cpu->jit_addend slot */
};

/* Compiles the block in slot s; returns its body's address in the
 * executable view and its chained entry in *centry, or 0 when it does
 * not fit (the caller flushes). */
uintptr_t jit_translate(struct emu_jit *jit, struct emu_ic_slot *s, uintptr_t *centry);

/* Called by the link stub for an exit to guest PC pc whose jump's rel32
 * is at site (executable view): the target's chained entry, with the
 * exit patched to jump there from now on, or 0 when the target has no
 * translation (the stub returns to the run loop). */
uintptr_t jit_link(struct emu_cpu *cpu, uint64_t pc, uintptr_t site);

/* Names the translation of guest_pc at [start, start + size) of the
 * executable view for perf (HV_EMU_JIT_PERFMAP=1, jit_perfmap.c). */
void jit_perfmap_add(uintptr_t start, size_t size, uint64_t guest_pc);

/* Emits the shared stubs at the start of the cache. */
void jit_emit_stubs(struct emu_jit *jit, struct x86_buf *b);

/* Inline FP arithmetic (jit_fp.c).  emit_consts puts the constants it
 * reads in the shared part of the cache.  emit writes the inline code of
 * operation op (a fast FP handler's, of form f) and the three jumps
 * (rel32s to patch) to its slow path, which runs the handler on op and
 * comes back after it; false, with nothing written, for forms left to a
 * call of the handler.  Uses RAX, RCX and XMM0-3; the cache of general
 * registers stays as it is.  Only where jit->fp_inline (the callers
 * check), as for everything below. */
void jit_fp_emit_consts(struct emu_jit *jit, struct x86_buf *b);
struct emu_fp_form;
bool jit_fp_emit(const struct emu_jit *jit, struct x86_buf *b, const struct emu_op *op,
		 const struct emu_fp_form *f, uint8_t *slow[3]);
/* The SIMD&FP registers are accessible without a trap (the common case of
 * emu_fp_enabled_fast: CPACR_EL1.FPEN 0b11, no EL2 of the guest's), else
 * the returned jump (rel32 to patch) is taken.  Uses RAX and RCX. */
uint8_t *jit_fp_access_check(struct x86_buf *b);
/* V register n to size (1..16) bytes at [base + index + disp] and back
 * (the load zeroes the rest of Vn); index X86_NOIDX for none.  Use RDX
 * and XMM0. */
void jit_fp_store_v(struct x86_buf *b, unsigned size, unsigned n, unsigned base, unsigned index, int32_t disp);
void jit_fp_load_v(struct x86_buf *b, unsigned size, unsigned n, unsigned base, unsigned index, int32_t disp);

/* Advanced SIMD integer operations inline (jit_simd.c): the code of instruction word insn and the jump (rel32 to patch)
 * to its slow path, which runs its handler and comes back after it;
 * false, with nothing written, for the others.  Uses RAX, RCX and
 * XMM0-3. */
bool jit_simd_emit(struct x86_buf *b, uint32_t insn, uint8_t **slow);

#endif /* EMU_JIT_PRIV_H */
