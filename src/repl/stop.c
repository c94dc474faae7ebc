/*
 * stop.c - what the user sees at each stop: why (breakpoint N, watchpoint
 * with old/new values, step, Ctrl-C, guest exit, unhandled exit), where
 * (symbol+offset, source line, the disassembled instruction), the
 * exception level for EL2 guests, and which registers changed
 * (highlighted with ANSI color when enabled).
 */
#include <stdio.h>
#include <string.h>

#include "repl_internal.h"

const char *stop_reason_name(enum machine_stop_reason why)
{
	switch (why) {
	case STOP_NONE: return "stopped (another vCPU's event)";
	case STOP_BREAKPOINT: return "breakpoint";
	case STOP_HW_BREAKPOINT: return "hardware breakpoint";
	case STOP_WATCHPOINT: return "watchpoint";
	case STOP_STEP: return "single step";
	case STOP_INTERRUPT: return "interrupted";
	case STOP_GUEST_EXIT: return "guest exited";
	case STOP_UNHANDLED: return "unhandled exit";
	case STOP_ERROR: return "hypervisor error";
	}
	return "?";
}

void stop_show_location(struct repl *r, uint64_t pc, bool arrow)
{
	char sym[128], text[192], line[160] = "";
	uint32_t insn;
	elf_format_addr(r->img, pc, sym, sizeof(sym));
	const struct elf_line *l = r->img ? elf_line_by_addr(r->img, pc) : NULL;
	if (l && l->file) {
		const char *base = strrchr(l->file, '/');
		snprintf(line, sizeof(line), "\t[%s:%u]", base ? base + 1 : l->file, l->line);
	}
	if (machine_read_virt(r->m, r->cur, pc, &insn, 4) == 4)
		disas_one(r, pc, insn, text, sizeof(text));
	else
		snprintf(text, sizeof(text), "<cannot read memory>");
	if (sym[0] != '0')
		printf("%s0x%016llx <%s>:\t%s%s\n", arrow ? "=> " : "", (unsigned long long)pc, sym, text, line);
	else
		printf("%s0x%016llx:\t%s%s\n", arrow ? "=> " : "", (unsigned long long)pc, text, line);
	if (arrow) /* where the program is: its source line, as gdb shows it */
		source_show_at(r, pc);
}

int stop_show_changes(struct repl *r, unsigned vcpu, const char *prefix)
{
	int n = 0;
	if (vcpu >= MACHINE_MAX_VCPUS || !r->have_now[vcpu])
		return 0;
	for (unsigned i = 0; i < REPL_NREGS; i++) {
		if (i == REG_PC || r->now[vcpu][i] == r->prev[vcpu][i])
			continue;
		printf("%s%s%s=0x%llx%s", n ? " " : prefix, repl_hl_on(r), reg_core_name(i),
		       (unsigned long long)r->now[vcpu][i], repl_hl_off(r));
		n++;
	}
	if (n)
		printf("\n");
	return n;
}

static void show_watch(struct repl *r, const struct machine_stop *st)
{
	struct repl_bp *b = wp_for(r, st->data_addr, st->watch_kind);
	char sym[128], text[192];
	if (!b) {
		printf("\nWatchpoint hit at 0x%llx\n", (unsigned long long)st->data_addr);
		return;
	}
	b->hits++;
	bp_queue_commands(r, b);
	const char *kind = b->kind == WATCH_READ ? "Read watchpoint" : b->kind == WATCH_ACCESS ? "Access watchpoint"
										  : "Hardware watchpoint";
	printf("\n%s %d: %s (%s of 0x%llx)\n", kind, b->num, b->where, st->access_is_write ? "write" : "read",
	       (unsigned long long)st->data_addr);
	uint64_t v;
	bool ok = wp_read(r, b, &v);
	if (ok && b->old_valid && st->access_is_write) {
		printf("\nOld value = 0x%llx (%llu)\nNew value = 0x%llx (%llu)\n", (unsigned long long)b->old_val,
		       (unsigned long long)b->old_val, (unsigned long long)v, (unsigned long long)v);
	} else if (ok) {
		printf("\nValue = 0x%llx (%llu)\n", (unsigned long long)v, (unsigned long long)v);
	}
	if (ok) {
		b->old_val = v;
		b->old_valid = true;
	}
	uint32_t insn;
	if (st->watch_pc != st->pc && machine_read_virt(r->m, r->cur, st->watch_pc, &insn, 4) == 4) {
		disas_one(r, st->watch_pc, insn, text, sizeof(text));
		elf_format_addr(r->img, st->watch_pc, sym, sizeof(sym));
		printf("accessed by 0x%llx <%s>: %s\n", (unsigned long long)st->watch_pc, sym, text);
	}
}

/* EL2 guests: the exception level at every stop, and how the vCPU got
 * there since the last one (an exception taken up, an ERET down). */
static void show_el(struct repl *r)
{
	if (!machine_has_el2(r->m) || r->cur >= MACHINE_MAX_VCPUS || !r->have_now[r->cur])
		return;
	uint64_t now = r->now[r->cur][REG_CPSR], prev = r->prev[r->cur][REG_CPSR];
	unsigned el = (unsigned)(now >> 2) & 3, pel = (unsigned)(prev >> 2) & 3;
	char how[48] = "";
	if (el > pel)
		snprintf(how, sizeof(how), " (an exception taken from EL%u)", pel);
	else if (el < pel)
		snprintf(how, sizeof(how), " (an exception return from EL%u)", pel);
	printf("   at EL%u%c%s\n", el, (now & 1) ? 'h' : 't', how);
}

void stop_show(struct repl *r, const struct machine_stop *st)
{
	r->frame = 0;
	if (st->reason != STOP_NONE && st->vcpu != r->cur && st->vcpu < machine_ncpus(r->m)) {
		printf("[Switching to vCPU %u]\n", st->vcpu);
		r->cur = st->vcpu;
	}
	for (unsigned i = 0; i < machine_ncpus(r->m); i++)
		if (machine_vcpu_state(r->m, i) != VCPU_OFF)
			regs_snapshot(r, i);
	/* watchpoints: refresh the remembered values the user did not see change */
	switch (st->reason) {
	case STOP_BREAKPOINT:
	case STOP_HW_BREAKPOINT: {
		struct repl_bp *b = bp_at(r, st->pc);
		if (b) {
			b->hits++;
			bp_queue_commands(r, b);
			printf("\n%s %d, ", b->temp ? "Temporary breakpoint" : b->type == BP_HW ? "Hardware breakpoint"
												 : "Breakpoint",
			       b->num);
			if (b->temp)
				bp_delete(r, b);
		} else {
			printf("\nBreakpoint, ");
		}
		char sym[128];
		elf_format_addr(r->img, st->pc, sym, sizeof(sym));
		printf("vCPU %u at %s\n", st->vcpu, sym);
		break;
	}
	case STOP_WATCHPOINT:
		show_watch(r, st);
		break;
	case STOP_STEP:
	case STOP_NONE:
		break;
	case STOP_INTERRUPT:
		printf("\nInterrupted (Ctrl-C): vCPU %u stopped\n", st->vcpu);
		break;
	case STOP_GUEST_EXIT:
		printf("\n[guest powered off: PSCI %s]\n", st->reset ? "SYSTEM_RESET" : "SYSTEM_OFF");
		return;
	case STOP_UNHANDLED: {
		char buf[512];
		uint32_t insn;
		if (machine_read_virt(r->m, st->vcpu, st->pc, &insn, 4) == 4)
			machine_explain_esr_insn(st->esr, false, insn, buf, sizeof(buf));
		else
			machine_explain_esr(st->esr, buf, sizeof(buf));
		char *nl = strchr(buf, '\n');
		if (nl)
			*nl = 0;
		printf("\nvCPU %u stopped: an exit the machine cannot handle (FAR 0x%llx, IPA 0x%llx)\n  %s\n"
		       "  type 'explain' for the details\n",
		       st->vcpu, (unsigned long long)st->far_raw, (unsigned long long)st->ipa, buf);
		break;
	}
	case STOP_ERROR:
		printf("\nvCPU %u stopped: a hypervisor call failed (hv_return_t 0x%x)\n", st->vcpu,
		       (unsigned)st->hv_error);
		break;
	}
	stop_show_location(r, st->pc, true);
	show_el(r);
	stop_show_changes(r, r->cur, "   changed: ");
	display_all(r);
}
