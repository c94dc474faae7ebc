/*
 * explain.c - ESR_EL2 syndromes (and the guest's own ESR_EL1) in words,
 * for the REPL `explain` command and the RSP `monitor explain` (Arm ARM
 * D17.2.37, ESR_ELx).
 */
#include <stdio.h>

#include "machine.h"

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

/* el1: esr is the guest's ESR_EL1 rather than ESR_EL2 of an exit. */
static const char *explain(uint64_t esr, bool el1, char *buf, size_t len)
{
	unsigned ec = (unsigned)(esr >> 26) & 0x3f;
	uint32_t iss = (uint32_t)(esr & 0x1ffffff);
	size_t n = 0;
#define OUT(...)                                                              \
	do {                                                                  \
		if (n < len)                                                  \
			n += (size_t)snprintf(buf + n, len - n, __VA_ARGS__); \
	} while (0)
	if (len)
		buf[0] = 0;
	OUT("ESR 0x%llx: EC 0x%02x %s; IL %u (%s instruction); ISS 0x%07x",
	    (unsigned long long)esr, ec, ec_name(ec), (unsigned)(esr >> 25) & 1,
	    (esr >> 25) & 1 ? "32-bit" : "16-bit", iss);
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
		if (iss & 1)
			OUT("\n  MRS x%u, S%u_%u_C%u_C%u_%u (read)", rt, op0, op1, crn, crm, op2);
		else
			OUT("\n  MSR S%u_%u_C%u_C%u_%u, x%u (write)", op0, op1, crn, crm, op2, rt);
		break;
	}
	case 0x20: case 0x21:
		OUT("\n  %s%s; FAR holds the faulting PC", fsc_name(iss & 0x3f),
		    (iss >> 7) & 1 ? " during a stage-1 table walk (S1PTW)" : "");
		break;
	case 0x24: case 0x25:
		if ((iss >> 24) & 1) {
			unsigned sas = (iss >> 22) & 3, srt = (iss >> 16) & 31;
			OUT("\n  %s of %u byte%s %s %s%u%s%s", (iss >> 6) & 1 ? "write" : "read", 1u << sas,
			    sas ? "s" : "", (iss >> 6) & 1 ? "from" : "into", (iss >> 15) & 1 ? "x" : "w",
			    srt, (iss >> 21) & 1 ? ", sign-extended" : "", (iss >> 14) & 1 ? ", acquire/release" : "");
		} else {
			OUT("\n  %s; no instruction syndrome (ISV = 0: pair, atomic or writeback access)",
			    (iss >> 6) & 1 ? "write" : "read");
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
	return explain(esr, false, buf, len);
}

const char *machine_explain_esr_el1(uint64_t esr, char *buf, size_t len)
{
	return explain(esr, true, buf, len);
}
