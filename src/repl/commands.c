/*
 * commands.c - the command table (names, gdb-style aliases, whether Enter
 * repeats it, usage and help), lookup by exact name, alias or unique
 * prefix, and `help [CMD]`.
 */
#include <stdio.h>
#include <string.h>

#include "repl_internal.h"

static int cmd_help(struct repl *r, const char *fmt, char *args);
static int cmd_quit(struct repl *r, const char *fmt, char *args);
static int cmd_source(struct repl *r, const char *fmt, char *args);
static int cmd_echo(struct repl *r, const char *fmt, char *args);

static const struct repl_cmd cmds[] = {
	{ "run", "r", cmd_run, false, "run",
	  "Start the guest from its entry and run it until a breakpoint, a watchpoint, an exit or Ctrl-C.\n"
	  "Before anything has run this is 'continue' (a breakpoint at the entry is reported at once);\n"
	  "after, the ELF (or the --kernel image, initrd and device tree) is loaded afresh (RAM\n"
	  "cleared, registers reset) and it starts over, keeping breakpoints and displays." },
	{ "reset", NULL, cmd_reset, false, "reset",
	  "Put the guest back at its entry as loaded (as 'run' does, without running it)." },
	{ "continue", "c cont fg", cmd_continue, true, "continue [N]",
	  "Resume every vCPU until the next stop.  With N, ignore the current breakpoint N-1 more times.\n"
	  "With 'trace on', runs one instruction at a time and logs each." },
	{ "stepi", "si", cmd_stepi, true, "stepi [N]",
	  "Execute N (default 1) instructions on the selected vCPU (the others stay stopped)." },
	{ "nexti", "ni", cmd_nexti, true, "nexti [N]",
	  "Like stepi, but a call (BL, BLR, BLRA*) runs until it returns." },
	{ "step", "s", cmd_step, true, "step [N]",
	  "Step to the next source line (DWARF line info), entering calls.  Without line info: stepi." },
	{ "next", "n", cmd_next, true, "next [N]",
	  "Step to the next source line, running over calls.  Without line info: nexti." },
	{ "finish", "fin", cmd_finish, false, "finish",
	  "Run until the current function returns (to LR, or the return address in the frame record\n"
	  "at [x29+8] once the function has made calls), and show the value it returned: where the\n"
	  "DWARF return type puts it (w0/x0, x0 and x1, s0/d0/h0, v0-v3, memory), else x0 and d0." },
	{ "advance", NULL, cmd_advance, false, "advance LOCATION",
	  "Run until LOCATION is reached (or the current function returns, or any other stop)." },
	{ "until", "u", cmd_until, false, "until [LOCATION]",
	  "Run until LOCATION (symbol, *ADDR, FILE:LINE) is reached in this or an outer frame.\n"
	  "Without LOCATION: like next, but a jump backwards (a loop) does not stop it: runs\n"
	  "until a line after the current one is reached, or the function returns." },
	{ "interrupt", NULL, cmd_interrupt, false, "interrupt",
	  "Stop a running guest (Ctrl-C does the same while a command runs it)." },
	{ "break", "b br", cmd_break, false, "break [LOCATION] [if EXPR]",
	  "Set a software breakpoint (BRK #0) at LOCATION: a symbol, symbol+OFF, *ADDR, an address,\n"
	  "or FILE:LINE (needs DWARF).  Without LOCATION: at the current pc.  With 'if EXPR' it\n"
	  "stops only when EXPR is non-zero there ('condition', 'ignore', 'commands' for more)." },
	{ "tbreak", "tb", cmd_tbreak, false, "tbreak LOCATION",
	  "Set a temporary breakpoint: deleted when hit." },
	{ "hbreak", "hb", cmd_hbreak, false, "hbreak LOCATION",
	  "Set a hardware breakpoint (DBGBVR/DBGBCR), e.g. for code the guest rewrites." },
	{ "watch", NULL, cmd_watch, false, "watch ADDR|SYMBOL [LEN]",
	  "Stop after a write to LEN bytes at ADDR (default: the symbol's size, else 8) and show the\n"
	  "old and new value.  LEN 1-8 inside one aligned doubleword, or a power of two aligned to it." },
	{ "rwatch", NULL, cmd_rwatch, false, "rwatch ADDR|SYMBOL [LEN]", "Stop after a read of ADDR." },
	{ "awatch", NULL, cmd_awatch, false, "awatch ADDR|SYMBOL [LEN]", "Stop after a read or write of ADDR." },
	{ "condition", NULL, cmd_condition, false, "condition N [EXPR]",
	  "Stop at breakpoint N only when EXPR is non-zero (e.g. $x0 == 3); without EXPR, always.\n"
	  "'break LOCATION if EXPR' and 'watch ADDR if EXPR' set one at once." },
	{ "ignore", NULL, cmd_ignore, false, "ignore N COUNT",
	  "Pass over the next COUNT hits of breakpoint N (they still count as hits)." },
	{ "commands", NULL, cmd_commands, false, "commands [N]",
	  "Give breakpoint N (default: the last set) commands to run each time it stops the guest,\n"
	  "one per line up to a line 'end'.  A command that resumes the guest (continue, step...)\n"
	  "ends the list; an empty 'commands' ... 'end' removes them." },
	{ "delete", "d", cmd_delete, false, "delete [N...]",
	  "Delete breakpoints/watchpoints N... (all without arguments)." },
	{ "disable", NULL, cmd_disable, false, "disable [N...]", "Disable breakpoints N... (all without arguments)." },
	{ "enable", NULL, cmd_enable, false, "enable [N...]", "Enable breakpoints N... (all without arguments)." },
	{ "info", "i", cmd_info, false, "info registers|breakpoints|vcpus|symbol|address|line|exits|frame|gic|timer [ARG]",
	  "Show the machine's state: registers, breakpoints, vCPUs, symbols, lines, exits, GIC, timers.\n"
	  "info registers [core|fp|sys|all|NAME...]  registers of the selected vCPU; the ones changed by\n"
	  "                                           the last stop are highlighted\n"
	  "info registers el2                        the guest hypervisor's registers (hvdbg --el2)\n"
	  "info breakpoints                          the breakpoint/watchpoint table with hit counts\n"
	  "info vcpus                                every vCPU: state, pc, last stop (* = selected)\n"
	  "info symbol ADDR / info address SYM       address <-> symbol\n"
	  "info line [LOCATION]                      source line of an address\n"
	  "info exits                                exit counters per vCPU\n"
	  "info gic [all|VCPU]                       GIC: distributor, each CPU interface, the interrupts\n"
	  "                                           enabled/pending/active with priority, group, routing;\n"
	  "                                           with --el2 the virtual CPU interface's list registers\n"
	  "info timer                                each vCPU's virtual and physical timer and counter\n"
	  "info sysreg NAME                          a system register's fields, named and explained\n"
	  "info frame                                the selected frame: pc, caller, where the return address is" },
	{ "set", NULL, cmd_set, false, "set $REG = EXPR | set *[(u8*)]ADDR = EXPR | set color|trace on|off",
	  "Write a register ($x0, $w1, $sp, $pc, $q0 low half, $sctlr_el1, ...) or memory\n"
	  "(8 bytes, or the size of a (u8*)/(u16*)/(u32*) cast)." },
	{ "x", NULL, cmd_x, true, "x/NFU ADDR",
	  "Examine memory as gdb: N units, format F (x hex, d signed, u unsigned, o octal, t binary,\n"
	  "a address, c char, f float, s string, i instruction), unit U (b 1, h 2, w 4, g 8 bytes).\n"
	  "E.g. x/4xg $sp, x/8i $pc, x/s msg, x/16xb counter.  Enter shows the next units.\n"
	  "x/-N shows the N units before ADDR (x/-4i $pc: the four instructions before the pc)." },
	{ "xp", NULL, cmd_xp, true, "xp/NFU ADDR",
	  "Examine physical memory (an IPA: guest RAM as mapped, whatever the guest's MMU does),\n"
	  "as QEMU's monitor 'xp'; formats as x (not i).  E.g. xp/4xg 0x40000000." },
	{ "print", "p inspect", cmd_print, false, "print[/F] EXPR",
	  "Evaluate EXPR: numbers, $registers, symbols (their address; a lone data symbol shows its value),\n"
	  "*ADDR (8-byte load), *(u32*)ADDR, + - * / % & | ^ << >> ~ ( ).  F: x d u o t a c f." },
	{ "display", NULL, cmd_display, false, "display[/FMT] EXPR",
	  "Show EXPR at every stop (and now), as print[/FMT]; with /i, /s or a count as x/FMT\n"
	  "(display/i $pc: the next instruction at each stop).  'info display' lists them." },
	{ "undisplay", NULL, cmd_undisplay, false, "undisplay [N...]", "Stop showing displays N... (all without arguments)." },
	{ "list", "l", cmd_list, true, "list [LINE | FILE:LINE | FUNCTION | -]",
	  "Show ten source lines around the selected frame's line, LINE, FILE:LINE or FUNCTION (from\n"
	  "the DWARF line table; the files are looked for as named, in the compilation directory and\n"
	  "beside the ELF).  Again (or Enter): the next ten; 'list -': the ten before." },
	{ "disassemble", "disas", cmd_disassemble, false, "disassemble [LOCATION [COUNT]]",
	  "Disassemble the function around LOCATION (default pc), or COUNT instructions.\n"
	  "=> marks the pc, * a breakpoint; branch targets are shown as <symbol+off>." },
	{ "backtrace", "bt where", cmd_backtrace, false, "backtrace [N]",
	  "Call stack from the frame records (x29 chain; LR for a leaf function)." },
	{ "frame", "f", cmd_frame, false, "frame [N]",
	  "Select stack frame N (as backtrace numbers them) and show it; without N, the selected one." },
	{ "up", NULL, cmd_up, false, "up [N]", "Select the frame N (default 1) levels out (the caller)." },
	{ "down", NULL, cmd_down, false, "down [N]", "Select the frame N (default 1) levels in." },
	{ "vcpu", "thread", cmd_vcpu, false, "vcpu [N]", "Select vCPU N for the following commands." },
	{ "explain", NULL, cmd_explain, false, "explain [ESR | el1 | el2]",
	  "Decode the last exit of the selected vCPU in words: exit reason, ESR exception class, ISS fields\n"
	  "(access size, register, fault status), FAR and IPA.  'explain 0x96000045' decodes a value;\n"
	  "'explain el1' decodes the guest's own ESR_EL1/FAR_EL1/ELR_EL1; 'explain el2' (hvdbg --el2) the\n"
	  "guest hypervisor's ESR_EL2/FAR_EL2/HPFAR_EL2/ELR_EL2." },
	{ "pagewalk", "pw", cmd_pagewalk, false, "pagewalk VA",
	  "Walk the guest's stage-1 translation tables for VA (TTBR0/TTBR1, granule, each level's table,\n"
	  "index and descriptor) and show the output address and attributes, or where it faults." },
	{ "trace", NULL, cmd_trace, false, "trace on|off",
	  "When on, continue/stepi run one instruction at a time and print each with the registers it changed." },
	{ "gdbserver", NULL, cmd_gdbserver, false, "gdbserver PORT",
	  "Serve gdb (remote serial protocol) on 127.0.0.1:PORT on this live session; returns to the REPL\n"
	  "when gdb detaches.  The REPL's breakpoints are out of the machine meanwhile, and\n"
	  "watchpoints stop before the access (as gdb expects)." },
	{ "send", NULL, cmd_send, false, "send TEXT",
	  "Queue TEXT for the guest's UART (\\n, \\r, \\t, \\e, \\xNN escapes), as if typed at the console;\n"
	  "the guest reads it when it runs.  At a terminal, keys typed while the guest runs reach it anyway." },
	{ "source", NULL, cmd_source, false, "source FILE", "Run the commands in FILE." },
	{ "echo", NULL, cmd_echo, false, "echo TEXT", "Print TEXT (\\n for a newline)." },
	{ "help", "h ?", cmd_help, false, "help [COMMAND]", "List the commands, or explain one." },
	{ "quit", "q exit", cmd_quit, false, "quit", "Leave hvdbg (the guest is destroyed)." },
};
#define NCMDS (sizeof(cmds) / sizeof(cmds[0]))

const struct repl_cmd *repl_cmd_table(size_t *n)
{
	*n = NCMDS;
	return cmds;
}

static bool has_alias(const struct repl_cmd *c, const char *word)
{
	if (!c->aliases)
		return false;
	size_t n = strlen(word);
	for (const char *a = c->aliases; *a;) {
		const char *e = strchr(a, ' ');
		size_t len = e ? (size_t)(e - a) : strlen(a);
		if (len == n && !strncmp(a, word, n))
			return true;
		if (!e)
			break;
		a = e + 1;
	}
	return false;
}

const struct repl_cmd *repl_cmd_find(const char *word, bool *ambiguous)
{
	*ambiguous = false;
	for (size_t i = 0; i < NCMDS; i++)
		if (!strcmp(cmds[i].name, word) || has_alias(&cmds[i], word))
			return &cmds[i];
	const struct repl_cmd *found = NULL;
	size_t n = strlen(word);
	for (size_t i = 0; i < NCMDS; i++)
		if (n && !strncmp(cmds[i].name, word, n)) {
			if (found) {
				*ambiguous = true;
				return NULL;
			}
			found = &cmds[i];
		}
	return found;
}

/* The help text's first sentence (it may span lines), wrapped at 100
 * columns under the name. */
static void print_summary(const char *name, const char *help)
{
	char sent[512];
	size_t n = 0;
	for (const char *p = help; *p && n + 1 < sizeof(sent); p++) {
		sent[n++] = *p == '\n' ? ' ' : *p;
		bool ellipsis = p > help && (p[-1] == '.' || p[1] == '.');
		bool abbrev = p - help >= 3 && (!strncmp(p - 3, "e.g", 3) || !strncmp(p - 3, "i.e", 3));
		if (*p == '.' && (p[1] == ' ' || p[1] == '\n' || !p[1]) && !ellipsis && !abbrev)
			break;
	}
	sent[n] = 0;
	const int indent = 15, width = 100;
	printf("  %-12s ", name);
	int col = indent;
	for (char *w = strtok(sent, " "); w; w = strtok(NULL, " ")) {
		int len = (int)strlen(w);
		if (col > indent && col + 1 + len > width) {
			printf("\n%*s", indent, "");
			col = indent;
		}
		printf("%s%s", col > indent ? " " : "", w);
		col += len + (col > indent ? 1 : 0);
	}
	printf("\n");
}

static int cmd_help(struct repl *r, const char *fmt, char *args)
{
	(void)fmt;
	args = skip_ws(args);
	rstrip(args);
	if (*args) {
		bool amb;
		const struct repl_cmd *c = repl_cmd_find(args, &amb);
		if (!c)
			return repl_err(r, "%s command \"%s\"; try 'help'", amb ? "ambiguous" : "undefined", args);
		printf("%s\n", c->usage);
		if (c->aliases)
			printf("  (aliases: %s)\n", c->aliases);
		printf("%s\n", c->help);
		if (c->repeat)
			printf("Enter on an empty line repeats it.\n");
		return 0;
	}
	printf("hvdbg commands (unique prefixes work; 'help CMD' for details):\n");
	for (size_t i = 0; i < NCMDS; i++)
		print_summary(cmds[i].name, cmds[i].help);
	printf("Locations: symbol, symbol+0x10, *0x40000000, file.S:12.  Expressions: $x0, $pc, sym, *addr, + - * ...\n"
	       "Ctrl-C stops a running guest.  Enter repeats stepi/nexti/step/next/continue/x.\n");
	return 0;
}

static int cmd_quit(struct repl *r, const char *fmt, char *args)
{
	(void)fmt;
	(void)args;
	r->quit = true;
	return 0;
}

static int cmd_source(struct repl *r, const char *fmt, char *args)
{
	(void)fmt;
	args = skip_ws(args);
	rstrip(args);
	FILE *f = fopen(args, "r");
	if (!f)
		return repl_err(r, "cannot open '%s'", args);
	char line[1024];
	int rc = 0;
	while (!r->quit && fgets(line, sizeof(line), f))
		if (repl_exec_line(r, line) != 0)
			rc = -1;
	fclose(f);
	return rc;
}

static int cmd_echo(struct repl *r, const char *fmt, char *args)
{
	(void)r;
	(void)fmt;
	for (const char *p = args; *p; p++) {
		if (p[0] == '\\' && p[1] == 'n') {
			putchar('\n');
			p++;
		} else {
			putchar(*p);
		}
	}
	fflush(stdout);
	return 0;
}
