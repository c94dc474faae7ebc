/*
 * atomics.c - exclusives (LDXR/STXR/LDXP/STXP and acquire/release forms),
 * load-acquire/store-release (LDAR/STLR, LDAPR), compare-and-swap (CAS,
 * CASP) and the LSE atomic memory operations (LDADD.., SWP).
 *
 * vCPUs run on their own host threads over shared guest RAM, so the
 * read-modify-write instructions are made atomic on the host: they get a
 * host pointer from mem_rmw_ptr() and use __atomic builtins (all
 * sequentially consistent, which covers every A/L variant).
 * The exclusive monitor is single-address and local (cpu->excl_*): LDXR
 * records address, size and the value read; STXR succeeds only if the
 * monitor matches address and size AND memory still holds that value
 * (host compare-exchange, as QEMU does; ABA goes unnoticed).  Every STXR
 * clears the monitor.
 *
 * CONSTRAINED UNPREDICTABLE cases, resolved as QEMU does: STXR with
 * Rs == Rt or Rs == Rn uses the register values read before the status is
 * written; LDXP with Rt == Rt2 leaves Rt2's value; the "should be ones"
 * fields are ignored for LDXR/STXR/LDAR/STLR (Rs, Rt2) but CAS/CASP with
 * Rt2 != 31 and LDAPR with Rs != 31 are UNDEF.
 *
 * Guest data accesses are little-endian (SCTLR_EL1.EE/E0E are not
 * supported) and so must be the host.
 */
#include <string.h>

#include "ldst.h"

#if !defined(__BYTE_ORDER__) || __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "the emu backend assumes a little-endian host"
#endif

#define SEQ __ATOMIC_SEQ_CST

/* ---- host atomics ------------------------------------------------- */

enum { OP_ADD, OP_CLR, OP_EOR, OP_SET, OP_SMAX, OP_SMIN, OP_UMAX, OP_UMIN, OP_SWP };

/* One function per access size; returns the old value.  Signed compares
 * flip the sign bit so that everything stays unsigned. */
#define DEFINE_HOST_RMW(name, T, SIGN)                                                          \
	static T name(T *p, unsigned op, T v)                                                   \
	{                                                                                       \
		switch (op) {                                                                   \
		case OP_ADD:                                                                    \
			return __atomic_fetch_add(p, v, SEQ);                                   \
		case OP_CLR:                                                                    \
			return __atomic_fetch_and(p, (T)~v, SEQ);                               \
		case OP_EOR:                                                                    \
			return __atomic_fetch_xor(p, v, SEQ);                                   \
		case OP_SET:                                                                    \
			return __atomic_fetch_or(p, v, SEQ);                                    \
		case OP_SWP:                                                                    \
			return __atomic_exchange_n(p, v, SEQ);                                  \
		default: {                                                                      \
			T old = __atomic_load_n(p, __ATOMIC_RELAXED), nv;                       \
			do {                                                                    \
				T a = old, b = v;                                               \
				if (op == OP_SMAX || op == OP_SMIN) {                           \
					a = (T)(a ^ SIGN);                                      \
					b = (T)(b ^ SIGN);                                      \
				}                                                               \
				bool gt = a > b;                                                \
				nv = (op == OP_SMAX || op == OP_UMAX) == gt ? old : v;          \
			} while (!__atomic_compare_exchange_n(p, &old, nv, true, SEQ, SEQ));    \
			return old;                                                             \
		}                                                                               \
		}                                                                               \
	}

DEFINE_HOST_RMW(host_rmw8, uint8_t, 0x80u)
DEFINE_HOST_RMW(host_rmw16, uint16_t, 0x8000u)
DEFINE_HOST_RMW(host_rmw32, uint32_t, 0x80000000u)
DEFINE_HOST_RMW(host_rmw64, uint64_t, 0x8000000000000000ull)

static uint64_t host_rmw(uint8_t *p, unsigned sz, unsigned op, uint64_t v)
{
	switch (sz) {
	case 0:
		return host_rmw8(p, op, (uint8_t)v);
	case 1:
		return host_rmw16((uint16_t *)(void *)p, op, (uint16_t)v);
	case 2:
		return host_rmw32((uint32_t *)(void *)p, op, (uint32_t)v);
	default:
		return host_rmw64((uint64_t *)(void *)p, op, v);
	}
}

/* Compare-and-swap of 1..8 bytes; *expected receives the old value. */
static bool host_cas(uint8_t *p, unsigned sz, uint64_t *expected, uint64_t nv)
{
	bool ok;
	switch (sz) {
	case 0: {
		uint8_t e = (uint8_t)*expected;
		ok = __atomic_compare_exchange_n(p, &e, (uint8_t)nv, false, SEQ, SEQ);
		*expected = e;
		return ok;
	}
	case 1: {
		uint16_t e = (uint16_t)*expected;
		ok = __atomic_compare_exchange_n((uint16_t *)(void *)p, &e, (uint16_t)nv, false, SEQ, SEQ);
		*expected = e;
		return ok;
	}
	case 2: {
		uint32_t e = (uint32_t)*expected;
		ok = __atomic_compare_exchange_n((uint32_t *)(void *)p, &e, (uint32_t)nv, false, SEQ, SEQ);
		*expected = e;
		return ok;
	}
	default:
		return __atomic_compare_exchange_n((uint64_t *)(void *)p, expected, nv, false, SEQ, SEQ);
	}
}

/* 16-byte compare-and-swap (CASP X, STXP X): lock-free with inline
 * assembly on x86-64 (CMPXCHG16B) and AArch64 (LDAXP/STLXP, which also
 * makes the read of a failed compare single-copy atomic); elsewhere a
 * global spinlock, atomic only against other 16-byte operations.
 * __atomic on __int128 is avoided: it would need libatomic. */
struct u128 {
	uint64_t lo, hi;
};

static bool host_cas16(uint8_t *p, uint64_t exp[2], const uint64_t nv[2])
{
#if defined(__x86_64__)
	bool ok;
	uint64_t lo = exp[0], hi = exp[1];
	__asm__ __volatile__("lock cmpxchg16b %1"
			     : "=@ccz"(ok), "+m"(*(struct u128 *)(void *)p), "+a"(lo), "+d"(hi)
			     : "b"(nv[0]), "c"(nv[1])
			     : "memory");
	exp[0] = lo;
	exp[1] = hi;
	return ok;
#elif defined(__aarch64__)
	uint64_t lo, hi;
	uint32_t fail;
	__asm__ __volatile__("1:	ldaxp	%0, %1, [%3]\n"
			     "	cmp	%0, %4\n"
			     "	ccmp	%1, %5, #0, eq\n"
			     "	b.ne	2f\n"
			     "	stlxp	%w2, %6, %7, [%3]\n"
			     "	cbnz	%w2, 1b\n"
			     "	b	3f\n"
			     "2:	stlxp	%w2, %0, %1, [%3]\n"
			     "	cbnz	%w2, 1b\n"
			     "3:\n"
			     : "=&r"(lo), "=&r"(hi), "=&r"(fail)
			     : "r"(p), "r"(exp[0]), "r"(exp[1]), "r"(nv[0]), "r"(nv[1])
			     : "cc", "memory");
	bool ok = lo == exp[0] && hi == exp[1];
	exp[0] = lo;
	exp[1] = hi;
	return ok;
#else
	static atomic_flag lock = ATOMIC_FLAG_INIT;
	struct u128 cur;
	while (atomic_flag_test_and_set_explicit(&lock, memory_order_acquire))
		;
	memcpy(&cur, p, 16);
	bool ok = cur.lo == exp[0] && cur.hi == exp[1];
	if (ok)
		memcpy(p, nv, 16);
	atomic_flag_clear_explicit(&lock, memory_order_release);
	exp[0] = cur.lo;
	exp[1] = cur.hi;
	return ok;
#endif
}

/* Writes a loaded value of 2^sz bytes to Wt (zero-extended) or Xt. */
static inline void set_reg_sz(struct emu_cpu *cpu, unsigned rt, unsigned sz, uint64_t v)
{
	if (sz == 3)
		set_xreg(cpu, rt, v);
	else
		set_wreg(cpu, rt, (uint32_t)v);
}

static inline uint64_t size_mask(unsigned sz)
{
	return sz == 3 ? ~0ull : (1ull << (8u << sz)) - 1;
}

/* ---- load/store exclusive, ordered, CAS, CASP ---------------------- */

/* LDXR/LDAXR (B/H/W/X), LDXP/LDAXP (W/X). */
static void ldst_load_exclusive(struct emu_cpu *cpu, unsigned sz, bool pair, bool acq, unsigned rt,
				unsigned rt2, unsigned rn)
{
	uint64_t addr = ldst_base(cpu, rn);
	uint64_t v[2] = { 0, 0 };
	unsigned bytes = (pair ? 2u : 1u) << sz;

	cpu->dabt_iss = 0;
	if (bytes == 16)
		mem_read128(cpu, addr, v, MEMF_ALIGNED);
	else
		v[0] = mem_read(cpu, addr, bytes, MEMF_ALIGNED);
	if (acq)
		__atomic_thread_fence(__ATOMIC_ACQUIRE);

	cpu->excl_valid = true;
	cpu->excl_addr = addr;
	cpu->excl_size = bytes;
	cpu->excl_val[0] = v[0];
	cpu->excl_val[1] = v[1];

	if (!pair) {
		set_reg_sz(cpu, rt, sz, v[0]);
	} else if (sz == 2) {
		set_wreg(cpu, rt, (uint32_t)v[0]);
		set_wreg(cpu, rt2, (uint32_t)(v[0] >> 32));
	} else {
		set_xreg(cpu, rt, v[0]);
		set_xreg(cpu, rt2, v[1]);
	}
}

/* STXR/STLXR (B/H/W/X), STXP/STLXP (W/X); Ws = 0 on success, 1 on
 * failure.  The translation is only checked when the monitor matches (as
 * AArch64.ExclusiveMonitorsPass); alignment always. */
static void ldst_store_exclusive(struct emu_cpu *cpu, unsigned sz, bool pair, unsigned rs, unsigned rt,
				 unsigned rt2, unsigned rn)
{
	uint64_t addr = ldst_base(cpu, rn);
	unsigned bytes = (pair ? 2u : 1u) << sz;
	uint64_t nv[2];
	bool ok = false;

	if (!pair) {
		nv[0] = xreg(cpu, rt) & size_mask(sz);
		nv[1] = 0;
	} else if (sz == 2) {
		nv[0] = (uint64_t)wreg(cpu, rt) | (uint64_t)wreg(cpu, rt2) << 32;
		nv[1] = 0;
	} else {
		nv[0] = xreg(cpu, rt);
		nv[1] = xreg(cpu, rt2);
	}

	cpu->dabt_iss = 0;
	if (cpu->excl_valid && cpu->excl_addr == addr && cpu->excl_size == bytes) {
		uint8_t *p = mem_rmw_ptr(cpu, addr, bytes, MEMF_ALIGNED);
		if (bytes == 16) {
			uint64_t exp[2] = { cpu->excl_val[0], cpu->excl_val[1] };
			ok = host_cas16(p, exp, nv);
		} else {
			uint64_t exp = cpu->excl_val[0];
			ok = host_cas(p, (unsigned)__builtin_ctz(bytes), &exp, nv[0]);
		}
	} else if (addr & (bytes - 1)) {
		mem_rmw_ptr(cpu, addr, bytes, MEMF_ALIGNED); /* raises the alignment fault */
	}
	cpu->excl_valid = false;
	set_wreg(cpu, rs, ok ? 0 : 1);
}

/* LDAR/STLR (B/H/W/X).  The store needs a full fence after it so that a
 * later load-acquire is not reordered before it (RCsc) on hosts with
 * store buffering. */
static void ldst_ordered(struct emu_cpu *cpu, unsigned sz, bool load, unsigned rt, unsigned rn)
{
	uint64_t addr = ldst_base(cpu, rn);

	cpu->dabt_iss = ldst_iss(sz, false, rt, sz == 3, true);
	if (load) {
		uint64_t v = mem_read(cpu, addr, 1u << sz, MEMF_ALIGNED);
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		set_reg_sz(cpu, rt, sz, v);
	} else {
		__atomic_thread_fence(__ATOMIC_RELEASE);
		mem_write(cpu, addr, 1u << sz, xreg(cpu, rt), MEMF_ALIGNED);
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
	}
}

/* CAS/CASA/CASL/CASAL (B/H/W/X): Rs = old value. */
static void ldst_cas(struct emu_cpu *cpu, unsigned sz, unsigned rs, unsigned rt, unsigned rn)
{
	uint64_t addr = ldst_base(cpu, rn);
	uint64_t mask = size_mask(sz);
	uint64_t old = xreg(cpu, rs) & mask;

	cpu->dabt_iss = 0;
	uint8_t *p = mem_rmw_ptr(cpu, addr, 1u << sz, MEMF_ALIGNED | MEMF_RMW);
	host_cas(p, sz, &old, xreg(cpu, rt) & mask);
	set_reg_sz(cpu, rs, sz, old);
}

/* CASP/CASPA/CASPL/CASPAL (W/X pairs): <Rs,Rs+1> = old values. */
static void ldst_casp(struct emu_cpu *cpu, uint32_t insn, unsigned sz, unsigned rs, unsigned rt, unsigned rn)
{
	if ((rs & 1) || (rt & 1)) {
		emu_exec_unallocated(cpu, insn);
		return;
	}
	uint64_t addr = ldst_base(cpu, rn);
	cpu->dabt_iss = 0;
	if (sz == 2) {
		uint64_t old = (uint64_t)wreg(cpu, rs) | (uint64_t)wreg(cpu, rs + 1) << 32;
		uint64_t nv = (uint64_t)wreg(cpu, rt) | (uint64_t)wreg(cpu, rt + 1) << 32;
		uint8_t *p = mem_rmw_ptr(cpu, addr, 8, MEMF_ALIGNED | MEMF_RMW);
		host_cas(p, 3, &old, nv);
		set_wreg(cpu, rs, (uint32_t)old);
		set_wreg(cpu, rs + 1, (uint32_t)(old >> 32));
	} else {
		uint64_t old[2] = { xreg(cpu, rs), xreg(cpu, rs + 1) };
		uint64_t nv[2] = { xreg(cpu, rt), xreg(cpu, rt + 1) };
		uint8_t *p = mem_rmw_ptr(cpu, addr, 16, MEMF_ALIGNED | MEMF_RMW);
		host_cas16(p, old, nv);
		set_xreg(cpu, rs, old[0]);
		set_xreg(cpu, rs + 1, old[1]);
	}
}

/* op0 = xx00, V = 0, bit 24 = 0: size:2 001000 o2 L o1 Rs o0 Rt2 Rn Rt. */
void emu_ldst_exclusive_class(struct emu_cpu *cpu, uint32_t insn)
{
	unsigned sz = insn >> 30, rt = insn & 31, rn = (insn >> 5) & 31;
	unsigned rt2 = (insn >> 10) & 31, rs = (insn >> 16) & 31;
	bool o0 = (insn >> 15) & 1, o1 = (insn >> 21) & 1, load = (insn >> 22) & 1, o2 = (insn >> 23) & 1;

	if (!o2) {
		if (o1 && sz < 2) { /* CASP: size 00 = W pairs, 01 = X pairs */
			if (rt2 != 31)
				goto unalloc;
			ldst_casp(cpu, insn, sz + 2, rs, rt, rn);
			return;
		}
		/* o1: pair, size 10 = W, 11 = X; o0: acquire (load) / release (store) */
		if (load)
			ldst_load_exclusive(cpu, sz, o1, o0, rt, rt2, rn);
		else
			ldst_store_exclusive(cpu, sz, o1, rs, rt, rt2, rn);
		return;
	}
	if (o1) { /* CAS, CASA (L), CASL (o0), CASAL */
		if (rt2 != 31)
			goto unalloc;
		ldst_cas(cpu, sz, rs, rt, rn);
		return;
	}
	if (!o0) /* LDLAR/STLLR: FEAT_LOR not implemented */
		goto unalloc;
	ldst_ordered(cpu, sz, load, rt, rn);
	return;
unalloc:
	emu_exec_unallocated(cpu, insn);
}

/* ---- atomic memory operations -------------------------------------- */

/* op0 = xx11, bit 24 = 0, bit 21 = 1, bits 11:10 = 00:
 * size:2 111 V 00 A R 1 Rs o3 opc:3 00 Rn Rt. */
void emu_ldst_atomic_memop(struct emu_cpu *cpu, uint32_t insn)
{
	unsigned sz = insn >> 30, rt = insn & 31, rn = (insn >> 5) & 31, rs = (insn >> 16) & 31;
	unsigned opc = (insn >> 12) & 7, op;
	bool o3 = (insn >> 15) & 1, a = (insn >> 23) & 1, r = (insn >> 22) & 1;

	if (insn & (1u << 26))
		goto unalloc;
	if (!o3) {
		op = opc; /* OP_ADD .. OP_UMIN */
	} else if (opc == 0) {
		op = OP_SWP;
	} else if (opc == 4 && a && !r && rs == 31) {
		/* LDAPR (FEAT_LRCPC): RCpc load-acquire */
		uint64_t addr = ldst_base(cpu, rn);
		cpu->dabt_iss = ldst_iss(sz, false, rt, sz == 3, true);
		uint64_t v = mem_read(cpu, addr, 1u << sz, MEMF_ALIGNED);
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		set_reg_sz(cpu, rt, sz, v);
		return;
	} else {
		goto unalloc; /* FEAT_LS64, LSE128, ... */
	}

	uint64_t addr = ldst_base(cpu, rn);
	cpu->dabt_iss = 0;
	uint8_t *p = mem_rmw_ptr(cpu, addr, 1u << sz, MEMF_ALIGNED | MEMF_RMW);
	uint64_t old = host_rmw(p, sz, op, xreg(cpu, rs));
	set_reg_sz(cpu, rt, sz, old);
	return;
unalloc:
	emu_exec_unallocated(cpu, insn);
}
