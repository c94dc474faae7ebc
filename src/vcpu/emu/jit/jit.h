/*
 * jit.h - the translator: decoded blocks of the instruction cache
 * (icache.h) compiled to x86-64 machine code, for x86-64 Linux hosts.
 *
 * A translated block does what the interpreter would do with the same
 * slot, op for op: guest registers stay in struct emu_cpu, NZCV in the
 * lazy cpu->cc_* form, the retired count is added at block entry and the
 * instructions after a taken branch or a fault are taken back exactly as
 * icache.c does.  Frequent forms (the fast handlers' forms, emu_form) are
 * emitted inline, with the TLB hit of loads and stores; everything else
 * calls the interpreter's handler for that one operation, so the
 * interpreter stays the one reference for semantics, syndromes and
 * faults.  Blocks chain into each other through the slot table (same
 * checks as ic_goto: slot, epoch, event budget, breakpoints).
 *
 * Code lives in a bounded cache mapped twice (memfd): written through a
 * read-write view, run from a read-execute view; never W+X.  When full,
 * or when the icache's operation arena starts over, everything is
 * dropped and translated again on demand.
 *
 * HV_EMU_JIT=0 turns it off (the interpreter runs everything);
 * HV_EMU_JIT_CACHE_MB sets the code cache size per vCPU (default 16),
 * HV_EMU_JIT_HOT how often a block runs interpreted before it is
 * translated (default 255; 0 = at once).  HV_EMU_JIT_PERFMAP=1 names
 * translations for perf(1) in /tmp/perf-<pid>.map, and with
 * HV_EMU_JIT_DUMP=DIR writes their code there (scripts/jit-profile.py).
 */
#ifndef EMU_JIT_H
#define EMU_JIT_H

#include <stdbool.h>

struct emu_cpu;
struct emu_ic_slot;

#if defined(__x86_64__) && defined(__linux__)
#define EMU_JIT_SUPPORTED 1
#else
#define EMU_JIT_SUPPORTED 0
#endif

/* Whether vCPUs of this process translate (HV_EMU_JIT, host). */
bool emu_jit_enabled(void);

/* Per-vCPU translator state; NULL when unavailable (the caller then
 * interprets). */
struct emu_jit *emu_jit_create(struct emu_cpu *cpu);
void emu_jit_destroy(struct emu_jit *jit);

/* Runs the block in slot b, which the run loop has entered (cpu->blk,
 * the count, cc_*, fast_view/fast_tlb/fast_sp set), translating it first
 * (again, if its translation was made for another data TLB view)
 * when it is hot.  Returns false when it has no translation (the caller
 * interprets it). */
bool emu_jit_run(struct emu_cpu *cpu, struct emu_ic_slot *b);

/* The icache rebuilt slot s (new operations) or dropped all of them. */
void emu_jit_forget(struct emu_cpu *cpu, const struct emu_ic_slot *s);
void emu_jit_flush(struct emu_cpu *cpu);

/* Counters for HV_EMU_STATS. */
struct emu_jit_stats {
	unsigned long long blocks, members, flushes, code_bytes;
	unsigned long long fp_inline;   /* FP operations given inline code */
	unsigned long long simd_inline; /* ... and Advanced SIMD integer ones */
	unsigned long long predicted;   /* accesses through a predicted addend */
};
void emu_jit_get_stats(const struct emu_jit *jit, struct emu_jit_stats *st);

#endif /* EMU_JIT_H */
