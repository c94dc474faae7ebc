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

/* Entries to a block before it is translated: code that runs only a few
 * times (boot, initialisation) stays interpreted.  A Linux boot retires
 * about 1.3e9 instructions through about 1e6 block translations at 2
 * (slot conflicts and arena resets of the icache drop them), twice the
 * interpreter's time; at 64 it is about the interpreter's.
 * HV_EMU_JIT_HOT overrides it (0: translate at once, as the tests do). */
#define JIT_HOT 64

/* Largest machine code of one block (32 operations). */
#define JIT_MAX_BLOCK_BYTES (32 * 1024)

/* Bounds-checked operation copies per block: one op and the sentinel
 * behind it for each instruction (jit_translate.c). */
#define JIT_OPS_PER_BLOCK (2 * (EMU_IC_MAX_INSNS + 1))

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
	/* Translated body of each icache slot (executable view), or 0. */
	uintptr_t code[EMU_IC_SLOTS];
	uint8_t heat[EMU_IC_SLOTS];
	uint8_t hot; /* JIT_HOT or HV_EMU_JIT_HOT */
	unsigned long long blocks, flushes;
};

/* Compiles the block in slot s; returns its body's address in the
 * executable view, or 0 when it does not fit (the caller flushes). */
uintptr_t jit_translate(struct emu_jit *jit, struct emu_ic_slot *s);

/* Emits the shared stubs at the start of the cache. */
void jit_emit_stubs(struct emu_jit *jit, struct x86_buf *b);

#endif /* EMU_JIT_PRIV_H */
