/*
 * rsp_monitor.c - gdb `monitor CMD` (qRcmd,HEX): text commands about the
 * VM that gdb has no packet for.  Output goes back as O packets (hex
 * text), then OK.
 *
 *   help                     this list
 *   info registers [N]       core + system registers of a vCPU
 *   info vcpus               state and PC of every vCPU
 *   info exits [N]           exit counters of a vCPU
 *   explain [N]              the last exception exit's syndrome, in words
 *   esr VALUE                decode any ESR_EL2 value
 *   pagewalk ADDR [N]        stage-1 walk of ADDR on a vCPU
 *
 * The vCPU N defaults to the one of the last stop: gdb does not tell the
 * stub which thread the user selected (Hg follows its register reads).
 */
#include "rsp_internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../machine/pagewalk.h"

static void outf(struct rsp_server *s, void (*out)(struct rsp_server *, const char *),
		 const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void outf(struct rsp_server *s, void (*out)(struct rsp_server *, const char *),
		 const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	out(s, buf);
}

typedef void (*out_fn)(struct rsp_server *, const char *);

static void info_registers(struct rsp_server *s, out_fn out, unsigned c)
{
	uint64_t r[34];
	if (machine_get_core_regs(s->m, c, r) != 0) {
		out(s, "cannot read the registers\n");
		return;
	}
	outf(s, out, "vCPU %u\n", c);
	for (unsigned i = 0; i < 31; i++)
		outf(s, out, "x%-2u  0x%016llx%s", i, (unsigned long long)r[i], i % 2 ? "\n" : "   ");
	outf(s, out, "\nsp   0x%016llx   pc   0x%016llx\n", (unsigned long long)r[31],
	     (unsigned long long)r[32]);
	uint64_t cpsr = r[33];
	outf(s, out, "cpsr 0x%08llx [%c%c%c%c EL%u%s DAIF=%c%c%c%c]\n", (unsigned long long)cpsr,
	     cpsr >> 31 & 1 ? 'N' : '-', cpsr >> 30 & 1 ? 'Z' : '-', cpsr >> 29 & 1 ? 'C' : '-',
	     cpsr >> 28 & 1 ? 'V' : '-', (unsigned)(cpsr >> 2 & 3), cpsr & 1 ? "h" : "t",
	     cpsr >> 9 & 1 ? 'D' : '-', cpsr >> 8 & 1 ? 'A' : '-', cpsr >> 7 & 1 ? 'I' : '-',
	     cpsr >> 6 & 1 ? 'F' : '-');
	out(s, "system registers:\n");
	for (unsigned i = 0; i < s->nsys; i++) {
		uint64_t v;
		if (machine_get_sys_reg(s->m, c, s->sys[i].reg, &v) != 0)
			continue;
		/* Unused debug slots are noise: show only the non-zero ones. */
		if (!strncmp(s->sys[i].name, "dbg", 3) && v == 0)
			continue;
		outf(s, out, "  %-18s 0x%016llx\n", s->sys[i].name, (unsigned long long)v);
	}
}

static void info_vcpus(struct rsp_server *s, out_fn out, unsigned c)
{
	static const char *names[] = { "off", "stopped", "running" };
	for (unsigned i = 0; i < s->ncpus; i++) {
		enum machine_vcpu_state st = machine_vcpu_state(s->m, i);
		uint64_t pc = 0;
		machine_get_reg(s->m, i, HV_REG_PC, &pc);
		outf(s, out, "%c vCPU %u  %-8s pc 0x%llx\n", i == c ? '*' : ' ', i, names[st],
		     (unsigned long long)pc);
	}
}

static void info_exits(struct rsp_server *s, out_fn out, unsigned c)
{
	struct machine_exit_stats e;
	if (machine_vcpu_stats(s->m, c, &e) != 0)
		return;
	outf(s, out,
	     "vCPU %u exits: total %llu, hvc %llu, smc %llu, mmio %llu, wfi %llu, sysreg %llu, "
	     "vtimer %llu, canceled %llu, debug %llu, other %llu\n",
	     c, (unsigned long long)e.total, (unsigned long long)e.hvc,
	     (unsigned long long)e.smc, (unsigned long long)e.mmio, (unsigned long long)e.wfi,
	     (unsigned long long)e.sysreg, (unsigned long long)e.vtimer,
	     (unsigned long long)e.canceled, (unsigned long long)e.debug,
	     (unsigned long long)e.other);
}

static void explain(struct rsp_server *s, out_fn out, unsigned c)
{
	hv_vcpu_exit_t ex;
	char buf[512];
	if (machine_vcpu_last_exit(s->m, c, &ex) != 0) {
		out(s, "no exit recorded\n");
		return;
	}
	if (ex.reason != HV_EXIT_REASON_EXCEPTION) {
		outf(s, out, "vCPU %u: last exit reason %u (not an exception)\n", c,
		     (unsigned)ex.reason);
		return;
	}
	outf(s, out, "vCPU %u: ESR_EL2 0x%llx  FAR 0x%llx  IPA 0x%llx\n%s\n", c,
	     (unsigned long long)ex.exception.syndrome,
	     (unsigned long long)ex.exception.virtual_address,
	     (unsigned long long)ex.exception.physical_address,
	     machine_explain_esr(ex.exception.syndrome, buf, sizeof(buf)));
}

static bool parse_num(const char *str, uint64_t *v)
{
	char *end;
	while (*str == ' ')
		str++;
	if (!*str)
		return false;
	*v = strtoull(str, &end, 0);
	while (*end == ' ')
		end++;
	return *end == 0;
}

static void pagewalk_cmd(struct rsp_server *s, out_fn out, const char *arg, unsigned c)
{
	uint64_t va;
	struct pagewalk_result r;
	char buf[2048];
	if (!parse_num(arg, &va)) {
		out(s, "usage: monitor pagewalk ADDR [VCPU]\n");
		return;
	}
	if (machine_pagewalk(s->m, c, va, &r) != 0) {
		out(s, "cannot walk (registers unreadable)\n");
		return;
	}
	out(s, pagewalk_format(&r, va, buf, sizeof(buf)));
	out(s, "\n");
}

/* Splits an optional trailing vCPU number off cmd (edited in place). */
static bool take_vcpu(struct rsp_server *s, char *cmd, unsigned *c, out_fn out)
{
	*c = s->have_last && s->last.vcpu < s->ncpus ? s->last.vcpu : s->g_cpu;
	char *sp = strrchr(cmd, ' ');
	uint64_t n;
	size_t words = 0;
	for (const char *p = cmd; *p; p++)
		words += *p == ' ';
	/* "pagewalk ADDR N", "info registers N", "explain N", "info exits N" */
	bool has = sp && ((!strncmp(cmd, "pagewalk", 8) && words >= 2) ||
			  (!strncmp(cmd, "info", 4) && words >= 2) ||
			  (!strncmp(cmd, "explain", 7) && words >= 1));
	if (!has)
		return true;
	if (!parse_num(sp + 1, &n) || n >= s->ncpus) {
		outf(s, out, "no vCPU '%s' (0..%u)\n", sp + 1, s->ncpus - 1);
		return false;
	}
	*sp = 0;
	*c = (unsigned)n;
	return true;
}

static void monitor_line(struct rsp_server *s, char *line, out_fn out);

void rsp_monitor_run(struct rsp_server *s, const char *cmdline, out_fn out)
{
	while (*cmdline == ' ')
		cmdline++;
	char *line = strdup(cmdline); /* any length: no fixed buffer */
	if (!line) {
		out(s, "out of memory\n");
		return;
	}
	for (size_t n = strlen(line); n && line[n - 1] == ' ';)
		line[--n] = 0;
	monitor_line(s, line, out);
	free(line);
}

static void monitor_line(struct rsp_server *s, char *line, out_fn out)
{
	unsigned c;
	if (!take_vcpu(s, line, &c, out))
		return;
	uint64_t v;
	char buf[512];
	if (!strcmp(line, "help") || !*line) {
		out(s, "monitor commands (N: a vCPU, default the one of the last stop):\n"
		       "  info registers [N]  core and system registers\n"
		       "  info vcpus          state and PC of each vCPU\n"
		       "  info exits [N]      exit counters\n"
		       "  explain [N]         the last exception exit's syndrome in words\n"
		       "  esr VALUE           decode an ESR_EL2 value\n"
		       "  pagewalk ADDR [N]   stage-1 translation of ADDR, level by level\n");
	} else if (!strncmp(line, "info registers", 14) || !strcmp(line, "info reg") ||
		   !strcmp(line, "i r")) {
		info_registers(s, out, c);
	} else if (!strcmp(line, "info vcpus")) {
		info_vcpus(s, out, c);
	} else if (!strcmp(line, "info exits")) {
		info_exits(s, out, c);
	} else if (!strcmp(line, "explain")) {
		explain(s, out, c);
	} else if (!strncmp(line, "esr ", 4) && parse_num(line + 4, &v)) {
		outf(s, out, "%s\n", machine_explain_esr(v, buf, sizeof(buf)));
	} else if (!strncmp(line, "pagewalk", 8)) {
		pagewalk_cmd(s, out, line + 8, c);
	} else {
		outf(s, out, "unknown monitor command '%s' (try 'monitor help')\n", line);
	}
}

/* The command's output, collected and then sent as O packets. */
static FILE *mon_out;

static void collect(struct rsp_server *s, const char *text)
{
	(void)s;
	fputs(text, mon_out);
}

static void out_packets(struct rsp_server *s, const char *text, size_t len)
{
	while (len) {
		size_t n = len > 1024 ? 1024 : len;
		rsp_reply_reset(s);
		rsp_reply_str(s, "O");
		rsp_reply_hex(s, text, n);
		rsp_send_packet(s, s->reply, s->rlen);
		text += n;
		len -= n;
	}
}

enum rsp_action rsp_cmd_monitor(struct rsp_server *s, const char *hexcmd)
{
	/* Any length that fits a packet: the line is as long as the command. */
	size_t n = strlen(hexcmd);
	char *line = n % 2 ? NULL : malloc(n / 2 + 1);
	if (!line || !rsp_hex_decode(hexcmd, n / 2, (uint8_t *)line) || memchr(line, 0, n / 2)) {
		free(line);
		rsp_reply_error(s, 22);
		return RSP_REPLY;
	}
	line[n / 2] = 0;
	char *text = NULL;
	size_t tlen = 0;
	mon_out = open_memstream(&text, &tlen);
	if (!mon_out) {
		free(line);
		rsp_reply_error(s, 12);
		return RSP_REPLY;
	}
	rsp_monitor_run(s, line, collect);
	free(line);
	fclose(mon_out);
	mon_out = NULL;
	out_packets(s, text, tlen);
	free(text);
	rsp_reply_reset(s);
	rsp_reply_str(s, "OK");
	return RSP_REPLY;
}
