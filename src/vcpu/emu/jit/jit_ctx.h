/*
 * jit_ctx.h - the translator's state while it emits one translation
 * (struct ctx: the register cache, pending flags, out-of-line paths, the
 * region's members) and what its files share: the register cache
 * (jit_regcache.c), the flags (jit_flags.c), loads and stores
 * (jit_ldst.c), and everything else (jit_translate.c).  Private to
 * src/vcpu/emu/jit/.
 */
#ifndef HV_EMU_JIT_CTX_H
#define HV_EMU_JIT_CTX_H

#include "jit_priv.h"

#if EMU_JIT_SUPPORTED

#include "../icache.h"

#define XREG(n) (CPU(x) + 8 * (int32_t)(n))
#define SLOT(f) ((int32_t)offsetof(struct emu_ic_slot, f))

_Static_assert(sizeof(struct emu_tlb_entry) == 32, "TLB entry index is a shift by 5");
_Static_assert(sizeof(struct emu_ic_slot) == 32, "slot index is a shift by 5");
_Static_assert(offsetof(struct emu_tlb_entry, addend) == 24, "addend after the three tags");

/* Guest registers kept in host registers within a block.  Write-back: a write goes to the host register only and marks it dirty;
 * dirty registers are stored to cpu->x[] before anything that reads
 * memory's copy (a handler call, an exit, the slow path of a load or
 * store, which flushes what was dirty where it branched off), so a fault
 * or an exit sees exactly the interpreter's state.  Dropped after a
 * handler call (it may write any register; the caller-saved R10/R11
 * after any call) and at the start of the block. */
#define NCACHE 7
static const unsigned cache_reg[NCACHE] = { RBP, R12, R13, R14, R15, R10, R11 };
#define NCALLEE_SAVED 5 /* the first ones: kept across calls */

/* The cache entry of cpu->insn_count, in a loop that has one to spare:
 * pinned and dirty, so the branch back counts in a host register. */
#define REG_COUNT 32

/* Where cache entry n lives in memory: cpu->x[n], or cpu->insn_count. */
static inline int32_t reg_off(unsigned n)
{
	return n == REG_COUNT ? CPU(insn_count) : XREG(n);
}

struct regcache {
	int8_t host[33];      /* cache index holding guest register n (or REG_COUNT), or -1 */
	int8_t guest[NCACHE]; /* guest register in cache entry i, or -1 */
	bool dirty[NCACHE];   /* newer than cpu->x[] */
	bool pinned[NCACHE];  /* loaded at block entry, never evicted */
};

/* What the x86 flags hold after the operation just emitted: the ARM
 * flags of a flag-setting operation (the carry inverted for a
 * subtraction), which a B.cond right after it branches on. */
enum xflags { XF_NONE, XF_ADD, XF_SUB, XF_LOGIC };

/* How pending flags are got again once the x86 flags are gone: the
 * setter is emitted once more (it wrote no register it reads), or they
 * come from its result (logical), or its one source is got back from
 * the result first (ADDS/SUBS immediate with Rd = Rn).  Valid while no
 * operation since wrote a register in `needs`. */
struct flag_src {
	enum { FS_NONE, FS_REDO, FS_RESULT, FS_UNDO } how;
	uint32_t needs;
	struct emu_op op;
	struct emu_form f;
};

/* Which guest registers the cache held, and which were dirty, where a
 * slow path branched off, and the flags pending there (never in the x86
 * flags any more: the branch itself compared). */
struct cache_state {
	struct regcache rc;
	enum xflags pending;
	bool pending_w;
	struct flag_src fs;
};

/* Out-of-line paths of one translation. */
#define MAX_STUBS (3 * EMU_IC_MAX_INSNS * JIT_MEMBERS)
#define STUB_JUMPS 4
struct stub {
	unsigned insn;               /* the instruction it belongs to */
	int32_t slot_off;            /* its block's slot (set_blk) */
	int8_t cached[NCACHE];       /* cache at resume (reloaded) */
	uint8_t *jumps[STUB_JUMPS];  /* rel32s to patch to the stub */
	struct cache_state at[STUB_JUMPS]; /* the cache at each jump (flushed first) */
	const struct emu_op *copy;   /* handler to call */
	uintptr_t resume;            /* after the operation */
	bool peeled;                 /* in a loop prefix's second copy */
};

/* A loop whose branch back has flags pending (typically CMP + B.cond)
 * need not store them on every iteration when its first instructions,
 * up to the first that sets all flags (the prefix), neither read them,
 * nor leave the block but through slow paths, nor write what they are
 * got again from before a slow path (after the last one, nothing can
 * look at them any more).  When the prefix has slow paths (tell), it is
 * emitted twice: the block's entry runs the first copy, whose slow
 * paths find the flags in memory, the branch back a second one, whose
 * slow paths store the pending flags first; both go on at the setter
 * (the second falls through to it: emit_prefix_again).  Found by the
 * first emission of a looping block, used by the second. */
#define LOOP_UNDOS 4
struct loop_flags {
	bool defer;       /* the branch back leaves them pending */
	bool tell;        /* the prefix has slow paths: two copies */
	unsigned prefix;  /* instructions before the setter */
	enum xflags pending;
	bool pending_w;
	struct flag_src fs;
	/* ADD/SUB immediates of the prefix that write what the flags are
	 * got from (a loop counter's increment before the loads), and
	 * loads and stores that write such a base back: a slow path of the
	 * second copy after one takes it back from cpu->x[] while it gets
	 * the flags, and does it again */
	unsigned nundo;
	struct { unsigned insn, reg; int32_t imm; bool w; } undo[LOOP_UNDOS];
};

struct ctx {
	struct x86_buf b;
	struct emu_jit *jit;
	struct regcache rc;
	enum xflags xflags;    /* after the operation just emitted */
	enum xflags xflags_in; /* before it (what it may branch or select on) */
	/* Flags set but not yet stored to cpu->cc_*: in the x86 flags and
	 * RAX (the result, unless no_result) while `live`, else got again
	 * from fs when needed (an exit, a fault, a reader).  They die if
	 * the next flag-setting operation comes before anything that could
	 * read them. */
	enum xflags pending;
	bool pending_w;
	bool live;
	bool no_result;   /* live, but the result is not in RAX: CMP, TST */
	bool want_result; /* ... which regain_flags wants there */
	struct flag_src fs;
	bool no_cache; /* load_x reads cpu->x[] (slow paths: all flushed) */
	bool taken_eq; /* a B.EQ on the pending flags is being taken */
	unsigned view; /* the data TLB view it reads (cpu->fast_view) */
	/* A translation is a region: its head, the block it is entered
	 * at, and up to JIT_MEMBERS - 1 more blocks (members) it or they
	 * branch to directly, each emitted once.  A branch to a member or
	 * back to the head stays in the translation, with the pinned
	 * registers in place (struct regcache), the event check of a
	 * chained entry, and for a member its slot's epoch check (its
	 * words may not have been compared since the epoch moved).  A
	 * rebuilt member drops the region (jit->inliner). */
	struct member {
		struct emu_ic_slot *slot;
		int32_t slot_off;   /* from RBX */
		unsigned base;      /* its first instruction in names[] */
		uintptr_t entry;    /* its code, once emitted */
	} members[JIT_MEMBERS];
	unsigned nmembers;
	unsigned member;   /* the one being emitted (0: the head) */
	struct { uint8_t *site; unsigned m; } fwd[MAX_STUBS]; /* jumps to members not emitted yet */
	/* The flags each member m >= 1 is entered with, from the first
	 * emission's branches to it: when all of them leave the same
	 * setter's flags pending (which can be got again), the member
	 * starts with them pending and the branches store nothing but on
	 * their ways out.  Kept for the second emission. */
	struct entry_flags {
		unsigned edges; /* branches to it seen */
		bool mixed;     /* not all the same, or none pending */
		enum xflags pending;
		bool pending_w;
		struct flag_src fs;
	} entry[JIT_MEMBERS];
	unsigned nfwd;
	struct regcache at_body; /* the cache where the head's body and each member start */
	uint64_t block_pc; /* the head's first instruction */
	int32_t slot_off;  /* the slot of the block being emitted, from RBX */
	uintptr_t body;    /* the head's code after loading the pinned
			    * registers, for branches back to it */
	unsigned n;        /* instructions of the block being emitted */
	unsigned base;     /* its first one in names[] */
	unsigned cur;      /* the one being emitted */
	unsigned loops;    /* branches of the head back to its start */
	unsigned loop_end; /* then: its last branch back (what runs after
			    * it runs once per loop exit) */
	/* Guest registers each instruction may name (its register fields,
	 * a superset), for the cache's choices: what is not named again is
	 * not worth a cache entry, and the entry named last goes first.
	 * Member after member. */
	uint32_t names[EMU_IC_MAX_INSNS * JIT_MEMBERS];
	/* A block that loops is emitted twice: the first time records the
	 * registers each instruction's inline code really reads or writes
	 * (named), the second uses them as names, and pins only the
	 * registers written as dirty at entry (writes). */
	bool record;
	uint32_t named[EMU_IC_MAX_INSNS * JIT_MEMBERS];
	uint32_t writes;
	struct loop_flags lf;
	bool deferring; /* goto_pc: a branch back with lf.defer */
	bool peel;              /* lf.tell: the prefix is emitted twice */
	bool peeled;            /* emitting its second copy */
	uintptr_t again;        /* the second copy, where the branch back lands */
	const struct emu_ic_slot *slot;
	const struct emu_ic_slot *loads_of; /* loaded_only: the block it looked at */
	uint32_t loads;
	/* What the emission gave inline code (jit->fp_inlined etc.), added
	 * to the translator's counts for the emission that is kept. */
	struct { unsigned fp, simd, predicted; } inlined;
	unsigned nstubs;
	struct stub stubs[MAX_STUBS]; /* last: not cleared (CTX_CLEAR), new_stub clears each */
};
#define CTX_CLEAR offsetof(struct ctx, stubs)

enum op_class { OP_CALL, OP_ALU, OP_BRANCH, OP_LDST };

/* The bit of general register n in a set of them (31, ZR or SP: none). */
static inline uint32_t reg_bit(unsigned n)
{
	return n == 31 ? 0 : (uint32_t)1 << n;
}

/* The general registers (not 31) an instruction's register fields would
 * name, Rd/Rt, Rn, Ra/Rt2 and Rm: a superset of those it uses. */
static inline uint32_t register_fields(uint32_t w)
{
	return ((uint32_t)1 << (w & 31) | (uint32_t)1 << ((w >> 5) & 31) | (uint32_t)1 << ((w >> 10) & 31) |
		(uint32_t)1 << ((w >> 16) & 31)) &
	       0x7fffffffu;
}

/* jit_translate.c */
enum op_class classify(emu_op_fn fn, struct emu_form *f);
void emit_alu(struct ctx *c, const struct emu_op *op, const struct emu_form *f);
struct stub *slow_stub(struct ctx *c, const struct emu_op *op);
void resume_here(struct ctx *c, struct stub *s);

/* jit_regcache.c */
void flush_entries(struct x86_buf *b, struct regcache *rc, bool pinned_too);
void flush_regs(struct ctx *c, bool pinned_too);
void snapshot(const struct ctx *c, struct cache_state *st);
void cache_reset(struct ctx *c);
void cache_after_call(struct ctx *c);
int cached_x(struct ctx *c, unsigned n);
void load_x(struct ctx *c, bool w, unsigned reg, unsigned n);
unsigned read_x(struct ctx *c, bool w, unsigned scratch, unsigned n);
int peeked_x(struct ctx *c, unsigned n);
unsigned peek_x(struct ctx *c, bool w, unsigned scratch, unsigned n);
int dest_x(struct ctx *c, unsigned n);
unsigned dest_reg(struct ctx *c, unsigned n, unsigned scratch, int *h);
void dest_store(struct ctx *c, int h, unsigned scratch, unsigned n);
void store_x(struct ctx *c, unsigned reg, unsigned n);
void move_x(struct ctx *c, bool w, unsigned reg, unsigned n);
void lea_x(struct ctx *c, bool w, unsigned n, unsigned reg, int32_t disp);
void load_sp(struct x86_buf *b, unsigned reg);
void store_sp(struct x86_buf *b, unsigned reg, unsigned tmp);
void load_x_sp(struct ctx *c, unsigned reg, unsigned n);
void store_x_sp(struct ctx *c, unsigned reg, unsigned n, unsigned tmp);

/* jit_flags.c */
void flags_arith(struct x86_buf *b, bool w, bool sub, bool no_result, bool imm);
void defer_flags(struct ctx *c, bool w, enum xflags kind);
void regain_flags(struct ctx *c, const struct flag_src *fs, bool w);
void recompute_flags(struct ctx *c, const struct flag_src *fs, enum xflags kind, bool w);
void store_flags_for_exit(struct ctx *c);
bool store_flags_late(struct ctx *c, bool dry);
void materialize(struct ctx *c);
int xflags_cc(enum xflags xf, unsigned cond);
void emit_cond(struct x86_buf *b, unsigned cond);
enum x86_cc emit_cond_cc(struct x86_buf *b, unsigned cond);
bool sets_all_flags(const struct emu_form *f);
struct flag_src flag_source(const struct emu_op *op, const struct emu_form *f);
bool defers_flags(const struct flag_src *fs, const struct emu_op *op, const struct emu_form *f, bool alu,
		  bool branch, bool ldst);
bool flags_dead_at(const struct ctx *c, unsigned m);
void find_loop_flags(struct ctx *c);

/* jit_ldst.c */
void emit_ldst(struct ctx *c, const struct emu_op *op, const struct emu_form *f);
void emit_ldstp(struct ctx *c, const struct emu_op *op, const struct emu_form *f);

#endif /* EMU_JIT_SUPPORTED */
#endif
