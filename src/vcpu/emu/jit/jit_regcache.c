/*
 * jit_regcache.c - guest registers in host registers within a
 * translation (struct regcache, jit_ctx.h): taking an entry, reading and
 * writing through it, storing dirty entries before anything that reads
 * cpu->x[], and SP through cpu->fast_sp.
 */
#include "jit_ctx.h"

#if EMU_JIT_SUPPORTED

#include <limits.h>
#include <string.h>

/* Stores cache entry i to cpu->x[] (leaves the x86 flags alone). */
static void write_back(struct x86_buf *b, unsigned i, int8_t guest)
{
	x86_store(b, true, cache_reg[i], RBX, reg_off((unsigned)guest));
}

/* Stores the dirty entries of rc (pinned ones too, or only the others),
 * which stay cached, now clean.  Leaves the x86 flags and scratch
 * registers alone. */
void flush_entries(struct x86_buf *b, struct regcache *rc, bool pinned_too)
{
	for (unsigned i = 0; i < NCACHE; i++)
		if (rc->guest[i] >= 0 && rc->dirty[i] && (pinned_too || !rc->pinned[i])) {
			write_back(b, i, rc->guest[i]);
			rc->dirty[i] = false;
		}
}

void flush_regs(struct ctx *c, bool pinned_too)
{
	flush_entries(&c->b, &c->rc, pinned_too);
}

void snapshot(const struct ctx *c, struct cache_state *st)
{
	st->rc = c->rc;
	st->pending = c->pending;
	st->pending_w = c->pending_w;
	st->fs = c->fs;
}

/* Forgets the unpinned entries; the pinned ones are reloaded from
 * cpu->x[] (after a handler, which may have written any register; the
 * cache was flushed before it). */
void cache_reset(struct ctx *c)
{
	struct regcache *rc = &c->rc;
	for (unsigned i = 0; i < NCACHE; i++) {
		rc->dirty[i] = false;
		if (rc->pinned[i]) {
			x86_load(&c->b, true, cache_reg[i], RBX, reg_off((unsigned)rc->guest[i]));
		} else if (rc->guest[i] >= 0) {
			rc->host[rc->guest[i]] = -1;
			rc->guest[i] = -1;
		}
	}
}

/* After a call that wrote no general register (fast FP): the entries in
 * caller-saved host registers are reloaded (pinned) or forgotten. */
void cache_after_call(struct ctx *c)
{
	struct regcache *rc = &c->rc;
	for (unsigned i = NCALLEE_SAVED; i < NCACHE; i++) {
		if (rc->guest[i] < 0)
			continue;
		rc->dirty[i] = false; /* flushed before the call */
		if (rc->pinned[i]) {
			x86_load(&c->b, true, cache_reg[i], RBX, reg_off((unsigned)rc->guest[i]));
		} else {
			rc->host[rc->guest[i]] = -1;
			rc->guest[i] = -1;
		}
	}
}

/* How many instructions after the current one guest register n is
 * named next (around the loop for a block that loops), or UINT_MAX. */
static unsigned next_use(const struct ctx *c, unsigned n)
{
	uint32_t bit = (uint32_t)1 << n;
	const uint32_t *names = c->names + c->base;
	for (unsigned j = c->cur + 1; j < c->n; j++)
		if (names[j] & bit)
			return j - c->cur;
	if (c->loops && c->member == 0 && c->cur <= c->loop_end)
		for (unsigned j = 0; j <= c->cur; j++)
			if (names[j] & bit)
				return c->n - c->cur + j;
	return UINT_MAX;
}

/* A cache entry for guest register n, or -1 when all are pinned or n
 * is not named again.  The victim is the unpinned entry named again
 * last (stored first when dirty).  Leaves the x86 flags alone. */
static int cache_take(struct ctx *c, unsigned n)
{
	struct regcache *rc = &c->rc;
	if (next_use(c, n) == UINT_MAX)
		return -1;
	unsigned i = NCACHE, far = 0;
	for (unsigned k = 0; k < NCACHE && i == NCACHE; k++)
		if (rc->guest[k] < 0)
			i = k;
	for (unsigned k = 0; k < NCACHE && (i == NCACHE || far); k++) {
		if (rc->pinned[k])
			continue;
		unsigned d = next_use(c, (unsigned)rc->guest[k]);
		if (d > far) {
			i = k;
			far = d;
		}
	}
	if (i == NCACHE)
		return -1;
	if (rc->guest[i] >= 0) {
		if (rc->dirty[i])
			write_back(&c->b, i, rc->guest[i]);
		rc->host[rc->guest[i]] = -1;
	}
	rc->guest[i] = (int8_t)n;
	rc->dirty[i] = false;
	rc->host[n] = (int8_t)i;
	return (int)cache_reg[i];
}

/* The host register holding guest register n, taken into the cache
 * (and loaded) if there is room; -1 for XZR, when the cache is off or
 * full.  Leaves the x86 flags alone. */
int cached_x(struct ctx *c, unsigned n)
{
	if (n == 31 || c->no_cache)
		return -1;
	if (c->record)
		c->named[c->base + c->cur] |= (uint32_t)1 << n;
	if (c->rc.host[n] < 0) {
		int h = cache_take(c, n);
		if (h < 0)
			return -1;
		x86_load(&c->b, true, (unsigned)h, RBX, XREG(n));
	}
	return (int)cache_reg[c->rc.host[n]];
}

/* reg = Xn (w) or Wn zero-extended; x[31] reads as 0.  Leaves the x86
 * flags alone. */
void load_x(struct ctx *c, bool w, unsigned reg, unsigned n)
{
	struct x86_buf *b = &c->b;
	int h = cached_x(c, n);
	if (h >= 0)
		x86_mov_rr(b, w, reg, (unsigned)h);
	else if (n == 31)
		x86_mov_imm(b, reg, 0);
	else
		x86_load(b, w, reg, RBX, XREG(n));
}

/* Where a w-wide x86 operation reads Xn or Wn from: its cache register
 * (a 32-bit operation ignores the upper half), else scratch loaded.
 * Valid until the next write of a guest register.  Leaves the x86 flags
 * alone. */
unsigned read_x(struct ctx *c, bool w, unsigned scratch, unsigned n)
{
	int h = cached_x(c, n);
	if (h >= 0)
		return (unsigned)h;
	load_x(c, w, scratch, n);
	return scratch;
}

/* Xn's cache register if it has one now, else -1 (XZR: -1); never takes
 * an entry. */
int peeked_x(struct ctx *c, unsigned n)
{
	if (c->record && n != 31)
		c->named[c->base + c->cur] |= (uint32_t)1 << n;
	return n == 31 || c->no_cache || c->rc.host[n] < 0 ? -1 : (int)cache_reg[c->rc.host[n]];
}

/* Like read_x, but never takes a cache entry, which could evict the one
 * an operand read just before is in. */
unsigned peek_x(struct ctx *c, bool w, unsigned scratch, unsigned n)
{
	int h = peeked_x(c, n);
	if (h >= 0)
		return (unsigned)h;
	if (n == 31)
		x86_mov_imm(&c->b, scratch, 0);
	else
		x86_load(&c->b, w, scratch, RBX, XREG(n));
	return scratch;
}

/* The host register a write of Xn (n < 31) goes to, now dirty in the
 * cache, or -1: write cpu->x[n] (the cache has no room, or it is the
 * last write of n in the block).  Leaves the x86 flags alone. */
int dest_x(struct ctx *c, unsigned n)
{
	uint32_t bit = (uint32_t)1 << n;
	if (c->record) {
		c->named[c->base + c->cur] |= bit;
		c->writes |= bit;
	} else if (!(c->writes & bit)) {
		c->b.overflow = true; /* a pinned register taken as clean: not translated */
	}
	struct regcache *rc = &c->rc;
	int e = rc->host[n];
	if (e >= 0 && !rc->pinned[e] && next_use(c, n) == UINT_MAX) { /* the last write */
		rc->guest[e] = -1;
		rc->host[n] = -1;
		rc->dirty[e] = false;
		e = -1;
	}
	int h = e >= 0 ? (int)cache_reg[e] : cache_take(c, n);
	if (h >= 0)
		rc->dirty[rc->host[n]] = true;
	return h;
}

/* The host register an operation writes Xn in: its cache register
 * (dest_x), or scratch, which dest_store then stores to cpu->x[] (n = 31,
 * XZR: scratch, stored nowhere). */
unsigned dest_reg(struct ctx *c, unsigned n, unsigned scratch, int *h)
{
	*h = n == 31 ? -1 : dest_x(c, n);
	return *h >= 0 ? (unsigned)*h : scratch;
}

void dest_store(struct ctx *c, int h, unsigned scratch, unsigned n)
{
	if (h < 0 && n != 31)
		x86_store(&c->b, true, scratch, RBX, XREG(n));
}

/* Xn = reg (n is never 31: the handlers do not write XZR either); into
 * the cache, dirty, when there is room, else to cpu->x[]. */
void store_x(struct ctx *c, unsigned reg, unsigned n)
{
	if (n == 31)
		return;
	int h = dest_x(c, n);
	if (h < 0)
		x86_store(&c->b, true, reg, RBX, XREG(n));
	else if ((unsigned)h != reg)
		x86_mov_rr(&c->b, true, (unsigned)h, reg);
}

/* Xn = reg (w) or its low word zero-extended, straight into the cache
 * register when there is one. */
void move_x(struct ctx *c, bool w, unsigned reg, unsigned n)
{
	if (n == 31)
		return;
	int h = dest_x(c, n); /* may take reg's own entry: reg still holds the value */
	if (h >= 0) {
		if (!w || (unsigned)h != reg)
			x86_mov_rr(&c->b, w, (unsigned)h, reg);
		return;
	}
	if (!w) {
		x86_mov_rr(&c->b, false, RAX, reg);
		reg = RAX;
	}
	x86_store(&c->b, true, reg, RBX, XREG(n));
}

/* Xn = reg + disp (w: 64 bits, else the low word of the sum
 * zero-extended) without touching the x86 flags. */
void lea_x(struct ctx *c, bool w, unsigned n, unsigned reg, int32_t disp)
{
	if (n == 31)
		return;
	int h;
	x86_op_rm(&c->b, 0x8d, w, dest_reg(c, n, RAX, &h), reg, disp, false);
	dest_store(c, h, RAX, n);
}

/* reg = SP (through cpu->fast_sp). */
void load_sp(struct x86_buf *b, unsigned reg)
{
	x86_load(b, true, reg, RBX, CPU(fast_sp));
	x86_load(b, true, reg, reg, 0);
}

void store_sp(struct x86_buf *b, unsigned reg, unsigned tmp)
{
	x86_load(b, true, tmp, RBX, CPU(fast_sp));
	x86_store(b, true, reg, tmp, 0);
}

/* 31 = SP forms (xreg_sp / set_xreg_sp). */
void load_x_sp(struct ctx *c, unsigned reg, unsigned n)
{
	if (n == 31)
		load_sp(&c->b, reg);
	else
		load_x(c, true, reg, n);
}

void store_x_sp(struct ctx *c, unsigned reg, unsigned n, unsigned tmp)
{
	if (n == 31)
		store_sp(&c->b, reg, tmp);
	else
		store_x(c, reg, n);
}

#endif /* EMU_JIT_SUPPORTED */
