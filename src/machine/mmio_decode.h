/*
 * mmio_decode.h - decoding an A64 load/store whose data abort came
 * without an instruction syndrome (ESR ISV = 0), so that the board can
 * still emulate the MMIO access: pre/post-indexed forms (writeback),
 * register pairs, or a hypervisor that gives no syndrome (QEMU TCG as
 * the KVM host of the nested VM does so for Linux's readl).
 */
#ifndef HVDBG_MMIO_DECODE_H
#define HVDBG_MMIO_DECODE_H

#include <stdbool.h>
#include <stdint.h>

struct mmio_insn {
	unsigned n;        /* accesses: 1, or 2 for a pair (the second at +size) */
	bool write;
	unsigned size;     /* bytes per access: 1, 2, 4, 8 */
	unsigned rt[2];    /* data registers (31 = XZR) */
	bool sign;         /* loads: sign-extend ... */
	bool to64;         /* ... or zero-extend into X (else W: the top half zero) */
	bool writeback;    /* pre/post-index: base register += delta */
	unsigned rn;       /* base register (31 = SP) */
	int64_t delta;
};

/* General-purpose-register loads and stores (LDR/STR/LDUR/LDTR and
 * their B/H/SB/SH/SW forms, immediate, pre/post-index and register
 * offset; LDP/STP/LDPSW/LDNP/STNP).  false for anything else (SIMD&FP
 * registers, exclusives, atomics, PRFM). */
bool mmio_decode(uint32_t insn, struct mmio_insn *d);

#endif
