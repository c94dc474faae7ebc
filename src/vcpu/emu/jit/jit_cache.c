/*
 * jit_cache.c - the translator's code cache: one memfd mapped twice per
 * vCPU (read-write for the code generator, read-execute for running it,
 * so no page is ever writable and executable), the table of translated
 * slots, flushing, and the entry from the run loop.  See jit.h.
 */
#include "jit_priv.h"
#include "../fp_arith.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if EMU_JIT_SUPPORTED
#include <cpuid.h>
#include <sys/mman.h>
#include <unistd.h>

#define JIT_DEFAULT_MB 16

bool emu_jit_enabled(void)
{
	const char *v = getenv("HV_EMU_JIT");
	return !(v && v[0] == '0' && v[1] == 0);
}

/* A number from the environment within [lo, hi], else def. */
static unsigned long env_number(const char *name, unsigned long lo, unsigned long hi, unsigned long def)
{
	const char *v = getenv(name);
	if (v && *v) {
		char *end;
		unsigned long x = strtoul(v, &end, 10);
		if (*end == 0 && x >= lo && x <= hi)
			return x;
	}
	return def;
}

/* Drops every translation; the stubs at the start stay. */
static void reset(struct emu_jit *jit)
{
	for (size_t i = 0; i < EMU_IC_SLOTS; i++) {
		jit->cpu->ic.slot[i].jit = 0;
		jit->cpu->ic.slot[i].heat = 0;
	}
	memset(jit->centry, 0, sizeof(jit->centry));
	memset(jit->link_head, 0, sizeof(jit->link_head));
	memset(jit->inliner, 0, sizeof(jit->inliner));
	memset(jit->region, 0, sizeof(jit->region));
	jit->links_used = 0;
	jit->used = jit->base;
	jit->ops_used = 0;
}

/* CPUID leaf 7, EBX bit 8 (<cpuid.h>: no libgcc, whose
 * __builtin_cpu_supports a static link without default libraries
 * lacks, test_install links_without_default_libs). */
static bool host_has_bmi2(void)
{
	unsigned a, b, c, d;
	return __get_cpuid_count(7, 0, &a, &b, &c, &d) && (b >> 8 & 1);
}

struct emu_jit *emu_jit_create(struct emu_cpu *cpu)
{
	if (!emu_jit_enabled())
		return NULL;
	struct emu_jit *jit = calloc(1, sizeof(*jit));
	if (!jit)
		return NULL;
	jit->cpu = cpu;
	jit->size = (size_t)env_number("HV_EMU_JIT_CACHE_MB", 1, 1024, JIT_DEFAULT_MB) << 20;
	cpu->jit_hot = (uint8_t)env_number("HV_EMU_JIT_HOT", 0, 255, JIT_HOT);
	jit->bmi2 = host_has_bmi2();
	jit->fp_inline = fpu_host_has_fma(); /* FMA3 usable: AVX too */
	/* Operation copies (only for the operations handed to handlers):
	 * about one per 64 bytes of code. */
	jit->ops_cap = jit->size / 128;
	jit->ops = calloc(jit->ops_cap, sizeof(*jit->ops));
	jit->links_cap = 2 * EMU_IC_SLOTS;
	jit->links = calloc(jit->links_cap, sizeof(*jit->links));
	int fd = memfd_create("hvdbg-jit", MFD_CLOEXEC);
	if (!jit->ops || !jit->links || fd < 0 || ftruncate(fd, (off_t)jit->size) != 0)
		goto fail;
	jit->rw = mmap(NULL, jit->size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	jit->rx = mmap(NULL, jit->size, PROT_READ | PROT_EXEC, MAP_SHARED, fd, 0);
	close(fd);
	fd = -1;
	if (jit->rw == MAP_FAILED || jit->rx == MAP_FAILED)
		goto fail;
	struct x86_buf b = { .p = jit->rw, .base = jit->rw, .end = jit->rw + jit->size,
			     .exec = (uintptr_t)jit->rx };
	jit_emit_stubs(jit, &b);
	jit->base = (size_t)(b.p - jit->rw);
	reset(jit);
	return jit;
fail:
	if (fd >= 0)
		close(fd);
	if (jit->rw && jit->rw != MAP_FAILED)
		munmap(jit->rw, jit->size);
	if (jit->rx && jit->rx != MAP_FAILED)
		munmap(jit->rx, jit->size);
	free(jit->ops);
	free(jit->links);
	free(jit);
	return NULL;
}

void emu_jit_destroy(struct emu_jit *jit)
{
	if (!jit)
		return;
	munmap(jit->rw, jit->size);
	munmap(jit->rx, jit->size);
	free(jit->ops);
	free(jit->links);
	free(jit);
}

void emu_jit_flush(struct emu_cpu *cpu)
{
	struct emu_jit *jit = cpu->jit;
	if (jit && (jit->used > jit->base || jit->ops_used)) {
		reset(jit);
		jit->flushes++;
	}
}

/* Points the exit jump whose rel32 is at offset site of the cache at
 * `to` (executable view). */
static void patch_exit(struct emu_jit *jit, uint32_t site, uintptr_t to)
{
	int32_t rel = (int32_t)(to - ((uintptr_t)jit->rx + site + 4));
	memcpy(jit->rw + site, &rel, 4);
}

static void forget_slot(struct emu_cpu *cpu, size_t i);

void emu_jit_forget(struct emu_cpu *cpu, const struct emu_ic_slot *s)
{
	struct emu_jit *jit = cpu->jit;
	if (!jit)
		return;
	size_t i = (size_t)(s - cpu->ic.slot);
	uint32_t head = jit->inliner[i];
	if (head) { /* a region has a copy of this block */
		jit->inliner[i] = 0;
		if (head - 1 != i)
			forget_slot(cpu, head - 1);
	}
	forget_slot(cpu, i);
}

/* Drops the translation of slot i. */
static void forget_slot(struct emu_cpu *cpu, size_t i)
{
	struct emu_jit *jit = cpu->jit;
	/* Unlinked, an exit jumps to the code right after it (rel32 0),
	 * which goes to the link stub.  A site in a translation dropped
	 * earlier is dead code, never reused before a flush. */
	for (uint32_t l = jit->link_head[i]; l; l = jit->links[l - 1].next)
		patch_exit(jit, jit->links[l - 1].site, (uintptr_t)jit->rx + jit->links[l - 1].site + 4);
	jit->link_head[i] = 0;
	cpu->ic.slot[i].jit = 0;
	jit->centry[i] = 0;
	jit->region[i] = false;
	cpu->ic.slot[i].heat = 0;
}

uintptr_t jit_link(struct emu_cpu *cpu, uint64_t pc, uintptr_t site)
{
	struct emu_jit *jit = cpu->jit;
	size_t i = (size_t)(pc >> 2) & (EMU_IC_SLOTS - 1);
	if (cpu->ic.slot[i].pc != pc || !jit->centry[i] || cpu->ic.slot[i].jit_view != cpu->fast_view)
		return 0;
	if (jit->links_used < jit->links_cap) {
		uint32_t off = (uint32_t)(site - (uintptr_t)jit->rx);
		patch_exit(jit, off, jit->centry[i]);
		jit->links[jit->links_used] = (struct jit_link){ off, jit->link_head[i] };
		jit->link_head[i] = ++jit->links_used;
	}
	return jit->centry[i];
}

bool emu_jit_run(struct emu_cpu *cpu, struct emu_ic_slot *s)
{
	struct emu_jit *jit = cpu->jit;
	size_t i = (size_t)(s - cpu->ic.slot);
	if (__builtin_expect(jit->skip != 0, 0) && jit->skip == i + 1) {
		jit->skip = 0;
		return false;
	}
	if (__builtin_expect(s->jit && s->jit_view != cpu->fast_view, 0))
		emu_jit_forget(cpu, s); /* made for another data TLB view (EL, PAN, watchpoints) */
	uintptr_t code = (uintptr_t)jit->rx + s->jit;
	if (__builtin_expect(!s->jit, 0)) {
		if (s->heat < cpu->jit_hot) {
			s->heat++;
			return false;
		}
		uintptr_t centry;
		size_t from = jit->used;
		code = jit_translate(jit, s, &centry);
		if (!code) { /* full: start over */
			emu_jit_flush(cpu);
			from = jit->used;
			code = jit_translate(jit, s, &centry);
			if (!code)
				return false;
		}
		jit_perfmap_add((uintptr_t)jit->rx + from, jit->used - from, s->pc);
		s->jit = (uint32_t)(code - (uintptr_t)jit->rx);
		s->jit_view = cpu->fast_view;
		jit->centry[i] = centry;
		jit->blocks++;
	}
	if (__builtin_expect(cpu->debug_bkpt_active, 0) && jit->region[i])
		return false; /* its members are not checked for breakpoints */
	bool (*enter)(struct emu_cpu *, uintptr_t) = (bool (*)(struct emu_cpu *, uintptr_t))jit->enter;
	enter(cpu, code);
	return true;
}

void emu_jit_get_stats(const struct emu_jit *jit, struct emu_jit_stats *st)
{
	memset(st, 0, sizeof(*st));
	if (jit) {
		st->blocks = jit->blocks;
		st->members = jit->members;
		st->flushes = jit->flushes;
		st->fp_inline = jit->fp_inlined;
		st->simd_inline = jit->simd_inlined;
		st->predicted = jit->predicted;
		st->code_bytes = jit->used - jit->base;
	}
}

#else /* no translator on this host: the interpreter runs everything */

bool emu_jit_enabled(void)
{
	return false;
}

struct emu_jit *emu_jit_create(struct emu_cpu *cpu)
{
	(void)cpu;
	return NULL;
}

void emu_jit_destroy(struct emu_jit *jit)
{
	(void)jit;
}

void emu_jit_flush(struct emu_cpu *cpu)
{
	(void)cpu;
}

void emu_jit_forget(struct emu_cpu *cpu, const struct emu_ic_slot *s)
{
	(void)cpu, (void)s;
}

bool emu_jit_run(struct emu_cpu *cpu, struct emu_ic_slot *s)
{
	(void)cpu, (void)s;
	return false;
}

void emu_jit_get_stats(const struct emu_jit *jit, struct emu_jit_stats *st)
{
	(void)jit;
	memset(st, 0, sizeof(*st));
}

#endif
