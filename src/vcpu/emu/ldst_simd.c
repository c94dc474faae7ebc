/*
 * ldst_simd.c - Advanced SIMD load/store structures (Arm ARM C4.1.4.x):
 * LD1-LD4 / ST1-ST4 multiple structures, single structure (one lane),
 * LD1R-LD4R (load and replicate), each with or without post-index
 * (immediate = bytes transferred, or Xm).
 *
 * Loads read everything before writing any register, so a fault leaves
 * the registers unchanged; writeback happens after all accesses.
 * Elements are accessed at their own size (alignment checks and Device
 * memory behave per element); 8-byte aligned runs of LD1/ST1 elements are
 * accessed 8 bytes at a time, which is equivalent.
 */
#include "ldst.h"
#include "mem_fast.h"
#include "simd.h"

static void ldst_multiple(struct emu_cpu *cpu, uint32_t insn, uint64_t addr, uint64_t *bytes)
{
	bool q = (insn >> 30) & 1, load = (insn >> 22) & 1;
	unsigned opc = (insn >> 12) & 15, size = (insn >> 10) & 3, rt = insn & 31;
	unsigned rpt, selem;
	switch (opc) {
	case 0: rpt = 1; selem = 4; break;
	case 2: rpt = 4; selem = 1; break;
	case 4: rpt = 1; selem = 3; break;
	case 6: rpt = 3; selem = 1; break;
	case 7: rpt = 1; selem = 1; break;
	case 8: rpt = 1; selem = 2; break;
	case 10: rpt = 2; selem = 1; break;
	default: emu_undefined(cpu);
	}
	if (size == 3 && !q && selem != 1)
		emu_undefined(cpu);
	unsigned ebytes = 1u << size, elems = (q ? 16u : 8u) >> size, nregs = rpt * selem;
	*bytes = (uint64_t)nregs * (q ? 16 : 8);
	vec128 t[4];
	if (selem == 1) {
		/* LD1/ST1: each register is a contiguous 8/16-byte block */
		for (unsigned r = 0; r < rpt; r++) {
			unsigned reg = (rt + r) & 31;
			if (load)
				t[r].d[1] = 0;
			for (unsigned half = 0; half < (q ? 2u : 1u); half++) {
				uint64_t a = addr + r * (q ? 16u : 8u) + 8 * half;
				if ((a & 7) == 0) {
					if (load)
						t[r].d[half] = mem_read_inline(cpu, a, 8, 0);
					else
						mem_write_inline(cpu, a, 8, cpu->v[reg][half], 0);
					continue;
				}
				uint64_t v = load ? 0 : cpu->v[reg][half];
				for (unsigned e = 0; e < 8 / ebytes; e++) {
					unsigned sh = 8 * ebytes * e;
					if (load)
						v |= mem_read_inline(cpu, a + e * ebytes, ebytes, 0) << sh;
					else
						mem_write_inline(cpu, a + e * ebytes, ebytes,
								 (v >> sh) & esz_mask(8 * ebytes), 0);
				}
				if (load)
					t[r].d[half] = v;
			}
		}
	} else {
		vec128 src[4];
		for (unsigned s = 0; s < selem; s++) {
			src[s] = vreg(cpu, (rt + s) & 31);
			t[s].d[0] = t[s].d[1] = 0;
		}
		uint64_t a = addr;
		for (unsigned e = 0; e < elems; e++) {
			for (unsigned s = 0; s < selem; s++, a += ebytes) {
				if (load)
					vset(&t[s], e, size, mem_read_inline(cpu, a, ebytes, 0));
				else
					mem_write_inline(cpu, a, ebytes, vget(&src[s], e, size), 0);
			}
		}
	}
	if (load)
		for (unsigned r = 0; r < nregs; r++)
			set_vreg(cpu, (rt + r) & 31, &t[r], q);
}

static void ldst_single(struct emu_cpu *cpu, uint32_t insn, uint64_t addr, uint64_t *bytes)
{
	bool q = (insn >> 30) & 1, load = (insn >> 22) & 1, r = (insn >> 21) & 1;
	unsigned opc = (insn >> 13) & 7, s = (insn >> 12) & 1, size = (insn >> 10) & 3, rt = insn & 31;
	unsigned scale = opc >> 1, selem = ((opc & 1) << 1 | r) + 1, index = 0;
	bool replicate = false;
	switch (scale) {
	case 3:
		if (!load || s)
			emu_undefined(cpu);
		scale = size;
		replicate = true;
		break;
	case 0:
		index = q << 3 | s << 2 | size;
		break;
	case 1:
		if (size & 1)
			emu_undefined(cpu);
		index = q << 2 | s << 1 | size >> 1;
		break;
	default:
		if (size & 2)
			emu_undefined(cpu);
		if (!(size & 1)) {
			index = q << 1 | s;
		} else {
			if (s)
				emu_undefined(cpu);
			index = q;
			scale = 3;
		}
		break;
	}
	unsigned ebytes = 1u << scale;
	*bytes = (uint64_t)selem * ebytes;
	uint64_t v[4];
	if (load) {
		for (unsigned k = 0; k < selem; k++)
			v[k] = mem_read_inline(cpu, addr + k * ebytes, ebytes, 0);
		for (unsigned k = 0; k < selem; k++) {
			unsigned reg = (rt + k) & 31;
			vec128 t;
			if (replicate) {
				unsigned n = (q ? 16u : 8u) >> scale;
				t.d[0] = t.d[1] = 0;
				for (unsigned i = 0; i < n; i++)
					vset(&t, i, scale, v[k]);
				set_vreg(cpu, reg, &t, q);
			} else {
				t = vreg(cpu, reg);
				vset(&t, index, scale, v[k]);
				set_vreg(cpu, reg, &t, true);
			}
		}
	} else {
		for (unsigned k = 0; k < selem; k++) {
			vec128 t = vreg(cpu, (rt + k) & 31);
			mem_write_inline(cpu, addr + k * ebytes, ebytes, vget(&t, index, scale), 0);
		}
	}
}

void emu_ldst_simd_struct(struct emu_cpu *cpu, uint32_t insn)
{
	emu_check_fp_access(cpu);
	unsigned op2 = (insn >> 23) & 7, rm = (insn >> 16) & 31, rn = (insn >> 5) & 31;
	bool post = op2 & 1, single = op2 & 2;
	if (op2 > 3)
		emu_undefined(cpu);
	if (!post && (single ? rm != 0 : ((insn >> 16) & 63) != 0))
		emu_undefined(cpu);
	if (post && !single && (insn & (1u << 21)))
		emu_undefined(cpu);
	cpu->dabt_iss = 0;
	uint64_t addr = ldst_base(cpu, rn), bytes = 0;
	if (single)
		ldst_single(cpu, insn, addr, &bytes);
	else
		ldst_multiple(cpu, insn, addr, &bytes);
	if (post)
		set_xreg_sp(cpu, rn, addr + (rm == 31 ? bytes : xreg(cpu, rm)));
}
