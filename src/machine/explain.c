/*
 * explain.c - ESR_EL2 syndromes (and the guest's own ESR_EL1) in words,
 * for the REPL `explain` command and the RSP `monitor explain` (Arm ARM
 * D17.2.37, ESR_ELx).
 */
#include <stdio.h>
#include "outbuf.h"

#include "machine.h"
#include "sysreg_names.h"

/* Why an A64 load/store gets no instruction syndrome even at stage 2
 * (Arm ARM D17.2.40, ISV): the encoding classes of C4.1.66; NULL for a
 * single general-purpose register without writeback (ISV = 1 there). */
static const char *no_syndrome_class(uint32_t insn)
{
	if ((insn & 0x0a000000) != 0x08000000)
		return "not a load or store";
	if ((insn & 0xbf000000) == 0x0c000000 || (insn & 0xbf000000) == 0x0d000000)
		return "a SIMD&FP structure load/store (LD1-LD4/ST1-ST4)";
	if ((insn & 0x3f000000) == 0x08000000) { /* exclusive, ordered, CAS */
		if (!(insn & (1u << 23)))
			return "a load/store exclusive (LDXR/STXR family)";
		if (insn & (1u << 21))
			return "an atomic compare-and-swap (CAS)";
		return NULL; /* LDAR/STLR: single register */
	}
	if ((insn & 0x3a000000) == 0x28000000)
		return insn & (1u << 26) ? "a pair of SIMD&FP registers (LDP/STP)" : "a register pair (LDP/STP)";
	if ((insn & 0x3b000000) == 0x18000000)
		return insn & (1u << 26) ? "a SIMD&FP literal load" : NULL;
	if ((insn & 0x3b000000) == 0x38000000 || (insn & 0x3b000000) == 0x39000000) {
		if (insn & (1u << 26))
			return "a SIMD&FP register";
		bool uimm = insn & (1u << 24);
		if (!uimm && (insn & (1u << 21)) && ((insn >> 10) & 3) == 0)
			return "an atomic memory operation (LDADD, SWP, ...)";
		if (!uimm && !(insn & (1u << 21)) && ((insn >> 10) & 1))
			return "a writeback (pre/post-index) form";
		return NULL;
	}
	return "an unclassified load/store";
}

/* The data abort's missing syndrome, in words.  insn < 0: unknown. */
static const char *no_syndrome_reason(uint32_t iss, bool el1, int64_t insn, char *buf, size_t len)
{
	if (el1) {
		snprintf(buf, len, "always so in ESR_EL1 (only stage-2 aborts reported at EL2 have one)");
	} else if ((iss >> 7) & 1) {
		snprintf(buf, len, "the abort is on the stage-1 table walk (S1PTW), not the instruction's own access");
	} else if ((iss >> 8) & 1) {
		snprintf(buf, len, "a cache maintenance instruction");
	} else if (insn >= 0) {
		const char *c = no_syndrome_class((uint32_t)insn);
		if (c)
			snprintf(buf, len, "the instruction is %s", c);
		else
			snprintf(buf, len, "a single general-purpose register access, which at stage 2 "
					   "normally has one: this hypervisor gave none");
	} else {
		snprintf(buf, len, "an exclusive, SIMD&FP, pair, writeback or atomic access, or a stage-1 "
				   "table walk (S1PTW)");
	}
	return buf;
}

static const char *ec_name(unsigned ec)
{
	switch (ec) {
	case 0x00: return "unknown reason (undefined instruction)";
	case 0x01: return "WFI/WFE trapped";
	case 0x07: return "SVE/SIMD/FP access trapped";
	case 0x0e: return "illegal execution state";
	case 0x15: return "SVC from AArch64";
	case 0x16: return "HVC from AArch64 (hypervisor call)";
	case 0x17: return "SMC from AArch64 (secure monitor call)";
	case 0x18: return "MSR/MRS/system instruction trapped";
	case 0x20: return "instruction abort from a lower EL";
	case 0x21: return "instruction abort, same EL";
	case 0x22: return "PC alignment fault";
	case 0x24: return "data abort from a lower EL";
	case 0x25: return "data abort, same EL";
	case 0x26: return "SP alignment fault";
	case 0x2c: return "floating-point exception";
	case 0x2f: return "SError";
	case 0x30: return "hardware breakpoint from a lower EL";
	case 0x31: return "hardware breakpoint, same EL";
	case 0x32: return "software step from a lower EL";
	case 0x33: return "software step, same EL";
	case 0x34: return "watchpoint from a lower EL";
	case 0x35: return "watchpoint, same EL";
	case 0x3c: return "BRK instruction (AArch64)";
	default: return "reserved/unrecognised exception class";
	}
}

static const char *fsc_name(unsigned fsc)
{
	static char buf[48];
	unsigned lvl = fsc & 3;
	switch (fsc & 0x3c) {
	case 0x00: snprintf(buf, sizeof(buf), "address size fault, level %u", lvl); return buf;
	case 0x04: snprintf(buf, sizeof(buf), "translation fault, level %u", lvl); return buf;
	case 0x08: snprintf(buf, sizeof(buf), "access flag fault, level %u", lvl); return buf;
	case 0x0c: snprintf(buf, sizeof(buf), "permission fault, level %u", lvl); return buf;
	default: break;
	}
	switch (fsc) {
	case 0x10: return "synchronous external abort";
	case 0x21: return "alignment fault";
	case 0x22: return "debug event";
	case 0x30: return "TLB conflict abort";
	default: return "other fault status";
	}
}

/* Register 31 in a syndrome's Rt/SRT is the zero register. */
static const char *gpr(unsigned r, bool x, char *buf, size_t len)
{
	if (r == 31)
		return x ? "xzr" : "wzr";
	snprintf(buf, len, "%c%u", x ? 'x' : 'w', r);
	return buf;
}

/* el1: esr is the guest's ESR_EL1 rather than ESR_EL2 of an exit; insn:
 * the instruction it belongs to, < 0 if unknown. */
static const char *explain(uint64_t esr, bool el1, int64_t insn, char *buf, size_t len)
{
	unsigned ec = (unsigned)(esr >> 26) & 0x3f;
	uint32_t iss = (uint32_t)(esr & 0x1ffffff);
	char rb[16], sb[40], why[160];
	size_t n = 0;
#define OUT(...) OUTBUF_APPEND(buf, len, n, __VA_ARGS__)
	if (len)
		buf[0] = 0;
	/* IL is RES1 for EC 0x00, aborts without a syndrome, alignment, SError
	 * and debug exceptions other than BRK (D17.2.37) */
	bool il_meaningful = ec != 0x00 && ec != 0x0e && ec != 0x22 && ec != 0x26 && ec != 0x2f &&
			     ec != 0x20 && ec != 0x21 && !(ec >= 0x30 && ec <= 0x35) &&
			     !((ec == 0x24 || ec == 0x25) && !((iss >> 24) & 1));
	OUT("ESR 0x%llx: EC 0x%02x %s; IL %u (%s); ISS 0x%07x", (unsigned long long)esr, ec, ec_name(ec),
	    (unsigned)(esr >> 25) & 1,
	    !il_meaningful ? "RES1 for this class" : (esr >> 25) & 1 ? "32-bit instruction" : "16-bit instruction",
	    iss);
	switch (ec) {
	case 0x01:
		OUT("\n  %s; the guest waits for an interrupt/event, PC at the instruction",
		    iss & 1 ? "WFE" : "WFI");
		break;
	case 0x15: case 0x16: case 0x17:
		OUT("\n  immediate #0x%x%s", iss & 0xffff,
		    ec == 0x16 ? "; PC already after the HVC; PSCI passes the function id in x0" :
		    ec == 0x17 ? "; PC at the SMC" : "");
		break;
	case 0x18: {
		unsigned op0 = (iss >> 20) & 3, op2 = (iss >> 17) & 7, op1 = (iss >> 14) & 7;
		unsigned crn = (iss >> 10) & 15, rt = (iss >> 5) & 31, crm = (iss >> 1) & 15;
		const char *name = sysreg_name(op0, op1, crn, crm, op2, sb, sizeof(sb));
		if (iss & 1)
			OUT("\n  MRS %s, %s (read)", gpr(rt, true, rb, sizeof(rb)), name);
		else
			OUT("\n  MSR %s, %s (write)", name, gpr(rt, true, rb, sizeof(rb)));
		break;
	}
	case 0x20: case 0x21:
		OUT("\n  %s%s; FAR holds the faulting PC", fsc_name(iss & 0x3f),
		    (iss >> 7) & 1 ? " during a stage-1 table walk (S1PTW)" : "");
		break;
	case 0x24: case 0x25:
		if ((iss >> 24) & 1) {
			unsigned sas = (iss >> 22) & 3, srt = (iss >> 16) & 31;
			OUT("\n  %s of %u byte%s %s %s%s%s", (iss >> 6) & 1 ? "write" : "read", 1u << sas,
			    sas ? "s" : "", (iss >> 6) & 1 ? "from" : "into",
			    gpr(srt, (iss >> 15) & 1, rb, sizeof(rb)), (iss >> 21) & 1 ? ", sign-extended" : "",
			    (iss >> 14) & 1 ? ", acquire/release" : "");
		} else {
			OUT("\n  %s; ISV = 0, no instruction syndrome: %s", (iss >> 6) & 1 ? "write" : "read",
			    no_syndrome_reason(iss, el1, insn, why, sizeof(why)));
		}
		OUT("\n  %s%s%s", fsc_name(iss & 0x3f), (iss >> 7) & 1 ? " during a stage-1 table walk (S1PTW)" : "",
		    (iss >> 8) & 1 ? ", cache maintenance" : "");
		if (el1 && (iss & 0x3c) == 0x04)
			OUT("\n  (a stage-1 fault taken by the guest: its own page tables do not map "
			    "FAR_EL1; its handler decides)");
		else if (!el1 && ec == 0x24 && (iss & 0x3c) == 0x04)
			OUT("\n  (unmapped IPA: an MMIO access the VMM emulates, or a wild pointer)");
		break;
	case 0x30: case 0x31:
		OUT("\n  breakpoint at PC (%s)", fsc_name(iss & 0x3f));
		break;
	case 0x32: case 0x33:
		OUT("\n  step completed%s%s", (iss >> 24) & 1 ? "" : " (ISV = 0: EX not valid)",
		    ((iss >> 24) & 1) && ((iss >> 6) & 1) ? "; the stepped instruction was a load-exclusive" : "");
		break;
	case 0x34: case 0x35:
		OUT("\n  %s access hit a watchpoint; FAR = data address; PC at the accessing instruction, "
		    "the access has not happened", (iss >> 6) & 1 ? "write" : "read");
		break;
	case 0x3c:
		OUT("\n  BRK #0x%x%s", iss & 0xffff, (iss & 0xffff) == 0 ? " (debugger software breakpoint)" : "");
		break;
	default:
		break;
	}
#undef OUT
	return buf;
}

const char *machine_explain_esr(uint64_t esr, char *buf, size_t len)
{
	return explain(esr, false, -1, buf, len);
}

const char *machine_explain_esr_el1(uint64_t esr, char *buf, size_t len)
{
	return explain(esr, true, -1, buf, len);
}

const char *machine_explain_esr_insn(uint64_t esr, bool el1, uint32_t insn, char *buf, size_t len)
{
	return explain(esr, el1, insn, buf, len);
}
