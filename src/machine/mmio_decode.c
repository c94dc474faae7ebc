/*
 * mmio_decode.c - A64 load/store decoding for syndrome-less MMIO aborts
 * (Arm ARM C4.1.66, "Loads and Stores"; see mmio_decode.h).
 */
#include "mmio_decode.h"

#include <string.h>

static int64_t sext(uint64_t v, unsigned bits)
{
	uint64_t m = 1ull << (bits - 1);
	return (int64_t)((v ^ m) - m);
}

/* Single register: size[31:30] 111 V=0 [25:24] opc[23:22] ... */
static bool single(uint32_t insn, struct mmio_insn *d)
{
	unsigned size = insn >> 30, opc = (insn >> 22) & 3;
	if ((insn & 0x3b000000u) == 0x39000000u) {
		/* unsigned immediate: no writeback */
	} else if ((insn & 0x3b200000u) == 0x38000000u) {
		unsigned idx = (insn >> 10) & 3; /* 00 LDUR, 01 post, 10 LDTR, 11 pre */
		if (idx == 1 || idx == 3) {
			d->writeback = true;
			d->delta = sext((insn >> 12) & 0x1ff, 9);
		}
	} else if ((insn & 0x3b200c00u) == 0x38200800u) {
		/* register offset: the address is the abort's, no writeback */
	} else {
		return false;
	}
	if (opc == 0) {
		d->write = true;
	} else if (opc == 1) {
		d->to64 = size == 3;
	} else if (size == 3 || (size == 2 && opc == 3)) {
		return false; /* PRFM, unallocated */
	} else {
		d->sign = true;
		d->to64 = opc == 2;
	}
	d->n = 1;
	d->size = 1u << size;
	d->rt[0] = insn & 31;
	d->rn = (insn >> 5) & 31;
	if (d->writeback && d->rn == d->rt[0] && d->rn != 31)
		return false; /* CONSTRAINED UNPREDICTABLE: leave it */
	return true;
}

/* Pairs: opc[31:30] 101 V=0 [25:23] L[22] imm7 Rt2 Rn Rt. */
static bool pair(uint32_t insn, struct mmio_insn *d)
{
	if ((insn & 0x3a000000u) != 0x28000000u)
		return false;
	unsigned opc = insn >> 30, mode = (insn >> 23) & 3;
	bool load = (insn >> 22) & 1;
	if (opc == 3 || (opc == 1 && !load) || (opc == 1 && mode == 0))
		return false;
	unsigned scale = opc == 2 ? 3 : 2;
	d->n = 2;
	d->write = !load;
	d->size = 1u << scale;
	d->sign = opc == 1; /* LDPSW */
	d->to64 = opc != 0;
	d->rt[0] = insn & 31;
	d->rt[1] = (insn >> 10) & 31;
	d->rn = (insn >> 5) & 31;
	if (mode == 1 || mode == 3) { /* post, pre */
		d->writeback = true;
		d->delta = sext((insn >> 15) & 0x7f, 7) * (int64_t)d->size;
	}
	if (load && d->rt[0] == d->rt[1])
		return false;
	if (d->writeback && d->rn != 31 && (d->rn == d->rt[0] || d->rn == d->rt[1]))
		return false;
	return true;
}

bool mmio_decode(uint32_t insn, struct mmio_insn *d)
{
	memset(d, 0, sizeof(*d));
	if (insn & (1u << 26))
		return false; /* SIMD&FP registers */
	return single(insn, d) || (memset(d, 0, sizeof(*d)), pair(insn, d));
}
