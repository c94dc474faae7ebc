/*
 * info.c - inspection commands: info (registers, breakpoints, vcpus,
 * symbol, address, line, exits; frames.c has backtrace), vcpu N,
 * explain (the last exit's syndrome in words), pagewalk VA, and
 * gdbserver PORT (the RSP server on the live session).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../machine/pagewalk.h"
#include "../rsp/rsp.h"
#include "repl_internal.h"

const char *const repl_info_subcmds[] = {
	"registers", "all-registers", "breakpoints", "watchpoints", "vcpus", "threads",
	"symbol", "address", "line", "exits", "frame", "sysreg", "gic", "timer", "display", NULL,
};

static int info_vcpus(struct repl *r)
{
	static const char *const states[] = { "off", "stopped", "running" };
	printf("  vCPU  state    pc                  where              last stop\n");
	for (unsigned i = 0; i < machine_ncpus(r->m); i++) {
		enum machine_vcpu_state s = machine_vcpu_state(r->m, i);
		uint64_t pc = 0;
		char sym[128] = "-";
		struct machine_stop st;
		memset(&st, 0, sizeof(st));
		machine_vcpu_last_stop(r->m, i, &st);
		if (s == VCPU_STOPPED && machine_get_reg(r->m, i, HV_REG_PC, &pc) == 0)
			elf_format_addr(r->img, pc, sym, sizeof(sym));
		struct machine_exit_stats es;
		bool ran = machine_vcpu_stats(r->m, i, &es) == 0 && es.total > 0;
		const char *why = stop_reason_name(st.reason);
		if (s == VCPU_RUNNING)
			why = "(running)";
		else if (s == VCPU_OFF)
			why = ran ? "powered off (PSCI CPU_OFF)" : "not started (PSCI CPU_ON starts it)";
		else if (st.reason == STOP_NONE && !ran)
			why = "at its entry, not run yet";
		printf("%c %-5u %-8s 0x%016llx  %-18s %s\n", i == r->cur ? '*' : ' ', i, states[s],
		       (unsigned long long)pc, sym, why);
	}
	return 0;
}

static int info_symbol(struct repl *r, char *args)
{
	char err[160], sym[128];
	uint64_t a;
	if (expr_eval(r, args, &a, err, sizeof(err)) != 0)
		return repl_err(r, "%s", err);
	uint64_t off;
	const struct elf_symbol *s = r->img ? elf_sym_by_addr(r->img, a, &off) : NULL;
	if (!s) {
		printf("No symbol matches 0x%llx.\n", (unsigned long long)a);
		return 0;
	}
	printf("%s in section %s (0x%llx, size %llu, %s)\n", elf_format_addr(r->img, a, sym, sizeof(sym)),
	       s->kind == ELF_SYM_FUNC ? "code" : s->kind == ELF_SYM_OBJECT ? "data" : "?",
	       (unsigned long long)s->addr, (unsigned long long)s->size,
	       s->kind == ELF_SYM_FUNC ? "function" : s->kind == ELF_SYM_OBJECT ? "object" : "label");
	return 0;
}

static int info_address(struct repl *r, char *args)
{
	size_t n;
	struct elf_symbol *const *all = elf_syms_named(r->img, args, &n);
	if (!n)
		return repl_err(r, "no symbol \"%s\"", args);
	for (size_t i = 0; i < n; i++) {
		const struct elf_symbol *s = all[i];
		printf("Symbol \"%s\" is at 0x%llx (%s, %s, size %llu).\n", s->name, (unsigned long long)s->addr,
		       s->kind == ELF_SYM_FUNC ? "function" : s->kind == ELF_SYM_OBJECT ? "object" : "label",
		       s->global ? "global" : "local", (unsigned long long)s->size);
	}
	return 0;
}

static int info_line(struct repl *r, char *args)
{
	char err[160];
	uint64_t a;
	if (!*args) {
		if (machine_get_reg(r->m, r->cur, HV_REG_PC, &a) != 0)
			return repl_err(r, "cannot read pc");
	} else if (expr_location(r, args, &a, err, sizeof(err)) != 0) {
		return repl_err(r, "%s", err);
	}
	const struct elf_line *l = r->img ? elf_line_by_addr(r->img, a) : NULL;
	if (!l || !l->file) {
		printf("No line number information for 0x%llx.\n", (unsigned long long)a);
		return 0;
	}
	printf("Line %u of \"%s\" is at 0x%llx (row starts at 0x%llx).\n", l->line, l->file,
	       (unsigned long long)a, (unsigned long long)l->addr);
	return 0;
}

static int info_exits(struct repl *r)
{
	for (unsigned i = 0; i < machine_ncpus(r->m); i++) {
		struct machine_exit_stats s;
		if (machine_vcpu_stats(r->m, i, &s) != 0)
			continue;
		printf("vCPU %u: %llu exits: hvc %llu, smc %llu, mmio %llu, wfi %llu, sysreg %llu, vtimer %llu, "
		       "canceled %llu, debug %llu, other %llu\n",
		       i, (unsigned long long)s.total, (unsigned long long)s.hvc, (unsigned long long)s.smc,
		       (unsigned long long)s.mmio, (unsigned long long)s.wfi, (unsigned long long)s.sysreg,
		       (unsigned long long)s.vtimer, (unsigned long long)s.canceled, (unsigned long long)s.debug,
		       (unsigned long long)s.other);
	}
	return 0;
}

static bool prefix_of(const char *word, const char *full, size_t min)
{
	size_t n = strlen(word);
	return n >= min && n <= strlen(full) && !strncmp(word, full, n);
}

int cmd_info(struct repl *r, const char *fmt, char *args)
{
	(void)fmt;
	args = skip_ws(args);
	rstrip(args);
	char *rest = args;
	while (*rest && *rest != ' ' && *rest != '\t')
		rest++;
	if (*rest)
		*rest++ = 0;
	rest = skip_ws(rest);
	if (!*args)
		return repl_err(r, "info what? registers, breakpoints, vcpus, symbol, address, line, exits, gic, timer");
	if (prefix_of(args, "registers", 1))
		return cmd_info_registers(r, rest);
	if (prefix_of(args, "all-registers", 2))
		return cmd_info_registers(r, (char[]){ "all" });
	if (prefix_of(args, "breakpoints", 1) || prefix_of(args, "watchpoints", 1))
		return cmd_info_breakpoints(r);
	if (prefix_of(args, "vcpus", 1) || prefix_of(args, "threads", 2))
		return info_vcpus(r);
	if (prefix_of(args, "symbol", 1))
		return info_symbol(r, rest);
	if (prefix_of(args, "address", 2))
		return info_address(r, rest);
	if (prefix_of(args, "line", 1))
		return info_line(r, rest);
	if (prefix_of(args, "exits", 1))
		return info_exits(r);
	if (prefix_of(args, "gic", 1))
		return info_gic(r, rest);
	if (prefix_of(args, "timer", 1))
		return info_timer(r, rest);
	if (prefix_of(args, "display", 1))
		return info_display(r);
	if (prefix_of(args, "sysreg", 2))
		return info_sysreg(r, rest);
	if (prefix_of(args, "frame", 1))
		return info_frame(r);
	return repl_err(r, "undefined info command: \"%s\" (try 'help info')", args);
}

int cmd_vcpu(struct repl *r, const char *fmt, char *args)
{
	(void)fmt;
	args = skip_ws(args);
	if (!*args) {
		printf("Current vCPU is %u.\n", r->cur);
		return 0;
	}
	char *end;
	unsigned long n = strtoul(args, &end, 0);
	if (*skip_ws(end) || n >= machine_ncpus(r->m))
		return repl_err(r, "no vCPU %s (there %s %u: 0..%u)", args, machine_ncpus(r->m) == 1 ? "is" : "are",
				machine_ncpus(r->m), machine_ncpus(r->m) - 1);
	r->cur = (unsigned)n;
	r->frame = 0;
	enum machine_vcpu_state s = machine_vcpu_state(r->m, r->cur);
	printf("[Switching to vCPU %u (%s)]\n", r->cur, s == VCPU_OFF ? "powered off" : "stopped");
	uint64_t pc;
	if (s != VCPU_OFF && machine_get_reg(r->m, r->cur, HV_REG_PC, &pc) == 0)
		stop_show_location(r, pc, true);
	return 0;
}

static const char *exit_reason_name(hv_exit_reason_t why)
{
	switch (why) {
	case HV_EXIT_REASON_CANCELED: return "CANCELED (hv_vcpus_exit)";
	case HV_EXIT_REASON_EXCEPTION: return "EXCEPTION";
	case HV_EXIT_REASON_VTIMER_ACTIVATED: return "VTIMER_ACTIVATED";
	default: return "UNKNOWN";
	}
}

/* The guest's own exception registers of EL1 or (an EL2 guest) EL2. */
struct guest_el_regs {
	unsigned el;
	hv_sys_reg_t esr, far, elr, spsr, vbar;
};
static const struct guest_el_regs el1_regs = { 1, HV_SYS_REG_ESR_EL1, HV_SYS_REG_FAR_EL1, HV_SYS_REG_ELR_EL1,
					       HV_SYS_REG_SPSR_EL1, HV_SYS_REG_VBAR_EL1 };
static const struct guest_el_regs el2_regs = { 2, HV_SYS_REG_ESR_EL2, HV_SYS_REG_FAR_EL2, HV_SYS_REG_ELR_EL2,
					       HV_SYS_REG_SPSR_EL2, HV_SYS_REG_VBAR_EL2 };

/* explain el1 / explain el2: the last exception the guest took to that
 * EL, as its own handler sees it (at EL2: the guest hypervisor's view,
 * with HPFAR_EL2's IPA for stage-2 faults). */
static int explain_guest_el(struct repl *r, const struct guest_el_regs *g)
{
	char buf[1024];
	uint64_t esr, far, elr, spsr;
	if (machine_get_sys_reg(r->m, r->cur, g->esr, &esr) != 0 || machine_get_sys_reg(r->m, r->cur, g->far, &far) != 0 ||
	    machine_get_sys_reg(r->m, r->cur, g->elr, &elr) != 0 || machine_get_sys_reg(r->m, r->cur, g->spsr, &spsr) != 0)
		return repl_err(r, g->el == 2 ? "no EL2 in this VM (hvdbg --el2 gives the guest one)"
					      : "cannot read the EL1 exception registers");
	/* At a vector (just taken): which one; an IRQ/FIQ/SError writes no ESR */
	uint64_t pc = 0, vbar = 0;
	if (machine_get_reg(r->m, r->cur, HV_REG_PC, &pc) == 0 && machine_get_sys_reg(r->m, r->cur, g->vbar, &vbar) == 0 &&
	    pc >= vbar && pc - vbar < 0x800 && (pc - vbar) % 0x80 == 0) {
		static const char *const kinds[] = { "synchronous", "IRQ", "FIQ", "SError" };
		static const char *const from[] = { "current EL with SP_EL0", "current EL with SP_ELx",
						    "lower EL, AArch64", "lower EL, AArch32" };
		unsigned off = (unsigned)(pc - vbar);
		printf("vCPU %u is at an EL%u vector: the %s one for the %s (VBAR_EL%u + 0x%03x)\n", r->cur, g->el,
		       kinds[(off >> 7) & 3], from[off >> 9], g->el, off);
		if (((off >> 7) & 3) != 0)
			printf("  an %s writes neither ESR_EL%u nor FAR_EL%u: what follows is the last synchronous "
			       "exception's\n", kinds[(off >> 7) & 3], g->el, g->el);
	}
	if (esr == 0) { /* no synchronous exception leaves 0: EC 0x00 has IL = 1 */
		printf("vCPU %u has taken no synchronous exception to EL%u yet (ESR_EL%u is 0, a value none leaves;"
		       " IRQs, FIQs and SErrors do not write it)\n", r->cur, g->el, g->el);
		return 0;
	}
	char sym[128], text[192];
	char from[24] = "";
	if (g->el == 2) /* a hypervisor's exceptions come from EL1/EL0 or itself */
		snprintf(from, sizeof(from), " (from EL%u)", (unsigned)(spsr >> 2) & 3);
	printf("The guest's last exception taken to EL%u (vCPU %u):\n  ELR_EL%u 0x%llx <%s>, SPSR_EL%u 0x%llx%s, "
	       "FAR_EL%u 0x%llx\n",
	       g->el, r->cur, g->el, (unsigned long long)elr, elf_format_addr(r->img, elr, sym, sizeof(sym)), g->el,
	       (unsigned long long)spsr, from, g->el, (unsigned long long)far);
	unsigned ec = (unsigned)(esr >> 26) & 0x3f;
	uint64_t hpfar;
	if (g->el == 2 && (ec == 0x20 || ec == 0x24) && machine_get_sys_reg(r->m, r->cur, HV_SYS_REG_HPFAR_EL2, &hpfar) == 0)
		printf("  HPFAR_EL2 0x%llx: the faulting IPA 0x%llx (a stage-2 fault of the guest hypervisor's tables)\n",
		       (unsigned long long)hpfar, (unsigned long long)((hpfar >> 4 << 12) | (far & 0xfff)));
	/* SVC/HVC/SMC return after the call: the instruction is ELR - 4
	 * (an SMC trapped to EL2 by HCR_EL2.TSC returns to the SMC itself) */
	bool after = ec == 0x15 || ec == 0x16 || (ec == 0x17 && g->el == 1);
	uint64_t at = after ? elr - 4 : elr;
	uint32_t insn;
	bool have = machine_read_virt(r->m, r->cur, at, &insn, 4) == 4;
	if (have && disas_one(r, at, insn, text, sizeof(text)))
		printf("  %s: %s\n", after ? (g->el == 2 ? "at ELR_EL2 - 4 (ELR is the return address)"
						      : "at ELR_EL1 - 4 (ELR is the return address)")
					 : (g->el == 2 ? "at ELR_EL2" : "at ELR_EL1"),
		       text);
	if (g->el == 2)
		printf("  %s\n", have ? machine_explain_esr_insn(esr, false, insn, buf, sizeof(buf))
				       : machine_explain_esr(esr, buf, sizeof(buf)));
	else
		printf("  %s\n", have ? machine_explain_esr_insn(esr, true, insn, buf, sizeof(buf))
				       : machine_explain_esr_el1(esr, buf, sizeof(buf)));
	return 0;
}

/* explain [ESR | el1 | el2]: the last exit of the current vCPU (or a
 * value, or the guest's own exception registers). */
int cmd_explain(struct repl *r, const char *fmt, char *args)
{
	(void)fmt;
	char buf[1024], err[160];
	args = skip_ws(args);
	rstrip(args);
	if (!strcmp(args, "el1"))
		return explain_guest_el(r, &el1_regs);
	if (!strcmp(args, "el2"))
		return explain_guest_el(r, &el2_regs);
	if (*args) {
		uint64_t esr;
		if (expr_eval(r, args, &esr, err, sizeof(err)) != 0)
			return repl_err(r, "%s", err);
		printf("%s\n", machine_explain_esr(esr, buf, sizeof(buf)));
		return 0;
	}
	hv_vcpu_exit_t ex;
	struct machine_exit_stats stats;
	if (machine_vcpu_stats(r->m, r->cur, &stats) != 0 || machine_vcpu_last_exit(r->m, r->cur, &ex) != 0)
		return repl_err(r, "no vCPU %u", r->cur);
	if (stats.total == 0) {
		printf("vCPU %u has not exited to the hypervisor yet: nothing to explain ('explain el1' for the "
		       "guest's own exceptions, 'explain VALUE' for a syndrome)\n", r->cur);
		return 0;
	}
	printf("Last exit of vCPU %u: reason %s\n", r->cur, exit_reason_name(ex.reason));
	if (ex.reason != HV_EXIT_REASON_EXCEPTION)
		return 0;
	printf("  FAR 0x%llx, IPA 0x%llx\n", (unsigned long long)ex.exception.virtual_address,
	       (unsigned long long)ex.exception.physical_address);
	/* An exit the machine did not handle leaves the PC at the instruction. */
	struct machine_stop last;
	uint64_t pc;
	uint32_t insn;
	if (machine_vcpu_last_stop(r->m, r->cur, &last) == 0 && last.reason == STOP_UNHANDLED &&
	    machine_get_reg(r->m, r->cur, HV_REG_PC, &pc) == 0 && machine_read_virt(r->m, r->cur, pc, &insn, 4) == 4)
		printf("%s\n", machine_explain_esr_insn(ex.exception.syndrome, false, insn, buf, sizeof(buf)));
	else
		printf("%s\n", machine_explain_esr(ex.exception.syndrome, buf, sizeof(buf)));
	uint64_t ipa = ex.exception.physical_address, base = machine_ram_base(r->m);
	uint64_t ubase = machine_uart_base(r->m), usize = machine_uart_size(r->m);
	unsigned ec = (unsigned)(ex.exception.syndrome >> 26) & 0x3f;
	if ((ec == 0x24 || ec == 0x20) && ipa >= ubase && ipa - ubase < usize)
		printf("  IPA 0x%llx is the PL011 UART [0x%llx, 0x%llx): MMIO the machine emulates\n",
		       (unsigned long long)ipa, (unsigned long long)ubase, (unsigned long long)(ubase + usize));
	else if ((ec == 0x24 || ec == 0x20) && (ipa < base || ipa - base >= machine_ram_size(r->m)))
		printf("  IPA 0x%llx is outside RAM [0x%llx, 0x%llx) and is not the UART: nothing is mapped there\n",
		       (unsigned long long)ipa, (unsigned long long)base,
		       (unsigned long long)(base + machine_ram_size(r->m)));
	return 0;
}

int cmd_pagewalk(struct repl *r, const char *fmt, char *args)
{
	(void)fmt;
	char err[160];
	static char buf[4096];
	uint64_t va;
	args = skip_ws(args);
	rstrip(args);
	if (!*args)
		return repl_err(r, "usage: pagewalk VA");
	if (expr_eval(r, args, &va, err, sizeof(err)) != 0)
		return repl_err(r, "%s", err);
	struct pagewalk_result res;
	struct pagewalk_s2_result s2;
	bool two = false, el2 = false;
	int rc = machine_pagewalk2(r->m, r->cur, va, &res, &s2, &two, &el2);
	if (rc != 0 && rc != MACHINE_ERR_FAULT)
		return repl_err(r, "cannot walk: %s", machine_strerror(rc));
	if (el2)
		printf("EL2's own stage 1 (TTBR0_EL2, TCR_EL2, SCTLR_EL2):\n");
	else if (two)
		printf("stage 1 of EL1&0, its tables and output through the guest hypervisor's stage 2:\n");
	printf("%s", pagewalk_format(&res, va, buf, sizeof(buf)));
	if (buf[0] && buf[strlen(buf) - 1] != '\n')
		printf("\n");
	if (two && (res.ok || res.block_size || !res.mmu_on)) {
		uint64_t ipa = res.mmu_on ? res.ipa : va;
		printf("%s", pagewalk_s2_format(&s2, ipa, buf, sizeof(buf)));
	}
	return 0;
}

int cmd_gdbserver(struct repl *r, const char *fmt, char *args)
{
	(void)fmt;
	args = skip_ws(args);
	rstrip(args);
	char *end;
	const char *p = args[0] == ':' ? args + 1 : args;
	long port = strtol(p, &end, 10);
	if (!*p || *end || port < 0 || port > 65535)
		return repl_err(r, "usage: gdbserver PORT (0 picks a free port)");
	struct rsp_opts o;
	rsp_opts_default(&o);
	o.port = (int)port;
	o.once = true;
	if (port) /* port 0: the server prints the one it picked */
		printf("Serving gdb on %s:%ld until it detaches (gdb: target remote :%ld).\n",
		       o.listen_addr ? o.listen_addr : "127.0.0.1", port, port);
	else
		printf("Serving gdb on a free port until it detaches (gdb: target remote :PORT, PORT as below).\n");
	fflush(stdout);
	/* gdb brings its own breakpoints: the REPL's are taken out of the
	 * machine while it is connected and put back afterwards. */
	machine_debug_clear(r->m);
	/* gdb expects a watchpoint stop before the access (it steps over the
	 * access itself); the REPL reports after it.  Switch for the session. */
	bool watch_after = machine_watch_stop_after(r->m);
	machine_set_watch_stop_after(r->m, false);
	int rc = rsp_serve(r->m, &o);
	if (machine_running(r->m)) { /* gdb detached with the guest running */
		struct machine_stop st;
		machine_interrupt(r->m);
		machine_wait(r->m, &st, -1);
	}
	machine_set_watch_stop_after(r->m, watch_after);
	machine_debug_clear(r->m);
	bp_rearm_all(r);
	printf("\ngdb session ended (status %d); back in the REPL.\n", rc);
	for (unsigned i = 0; i < machine_ncpus(r->m); i++)
		if (machine_vcpu_state(r->m, i) != VCPU_OFF)
			regs_snapshot(r, i);
	uint64_t pc;
	if (!machine_exited(r->m) && machine_get_reg(r->m, r->cur, HV_REG_PC, &pc) == 0)
		stop_show_location(r, pc, true);
	return 0;
}
