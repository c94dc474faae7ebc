/*
 * rsp_threads.c - one gdb thread per vCPU (tid = index + 1, pid 1):
 * thread-id syntax, H, T, qC, qfThreadInfo/qsThreadInfo,
 * qThreadExtraInfo, qXfer:threads:read, and the resume packets (vCont
 * with per-thread actions, and the old c/s/C/S).
 */
#include "rsp_internal.h"

#include <stdio.h>
#include <string.h>

/* One id: hex, or -1 (all).  0 means any. */
static bool parse_id(const char **p, int64_t *v)
{
	uint64_t x;
	if (**p == '-') {
		if ((*p)[1] != '1')
			return false;
		*p += 2;
		*v = -1;
		return true;
	}
	if (!rsp_parse_hex(p, &x) || x > 0xffffffffu)
		return false;
	*v = (int64_t)x;
	return true;
}

bool rsp_parse_thread(const char **p, unsigned ncpus, unsigned *vcpu, bool *all)
{
	int64_t pid = RSP_PID, tid;
	if (**p == 'p') {
		(*p)++;
		if (!parse_id(p, &pid))
			return false;
		if (**p == '.') {
			(*p)++;
			if (!parse_id(p, &tid))
				return false;
		} else {
			tid = -1; /* pPID alone: all its threads */
		}
	} else if (!parse_id(p, &tid)) {
		return false;
	}
	if (pid != RSP_PID && pid != -1 && pid != 0)
		return false;
	if (tid <= 0) {
		*all = true;
		*vcpu = 0;
		return true;
	}
	if ((uint64_t)tid > ncpus)
		return false;
	*all = false;
	*vcpu = (unsigned)(tid - 1);
	return true;
}

void rsp_reply_thread(struct rsp_server *s, unsigned vcpu)
{
	if (s->multiprocess)
		rsp_reply_printf(s, "p%x.%x", RSP_PID, vcpu + 1);
	else
		rsp_reply_printf(s, "%x", vcpu + 1);
}

enum rsp_action rsp_cmd_H(struct rsp_server *s, const char *args)
{
	char op = *args++;
	unsigned vcpu;
	bool all;
	if ((op != 'g' && op != 'c') || !rsp_parse_thread(&args, s->ncpus, &vcpu, &all) || *args) {
		rsp_reply_error(s, 22);
		return RSP_REPLY;
	}
	if (op == 'g') {
		if (!all) /* "any"/"all" for registers: keep the current one */
			s->g_cpu = vcpu;
	} else {
		s->c_all = all;
		if (!all)
			s->c_cpu = vcpu;
	}
	rsp_reply_str(s, "OK");
	return RSP_REPLY;
}

enum rsp_action rsp_cmd_T(struct rsp_server *s, const char *args)
{
	unsigned vcpu;
	bool all;
	if (!rsp_parse_thread(&args, s->ncpus, &vcpu, &all) || *args || all)
		rsp_reply_error(s, 22);
	else
		rsp_reply_str(s, "OK"); /* every vCPU exists for the machine's life */
	return RSP_REPLY;
}

enum rsp_action rsp_cmd_qC(struct rsp_server *s)
{
	rsp_reply_str(s, "QC");
	rsp_reply_thread(s, s->g_cpu);
	return RSP_REPLY;
}

enum rsp_action rsp_cmd_thread_info(struct rsp_server *s, bool first)
{
	if (!first) {
		rsp_reply_str(s, "l");
		return RSP_REPLY;
	}
	rsp_reply_str(s, "m");
	for (unsigned i = 0; i < s->ncpus; i++) {
		if (i)
			rsp_reply_str(s, ",");
		rsp_reply_thread(s, i);
	}
	return RSP_REPLY;
}

static const char *state_name(enum machine_vcpu_state st)
{
	return st == VCPU_OFF ? "powered off" : st == VCPU_RUNNING ? "running" : "stopped";
}

enum rsp_action rsp_cmd_thread_extra(struct rsp_server *s, const char *args)
{
	unsigned vcpu;
	bool all;
	char text[64];
	if (!rsp_parse_thread(&args, s->ncpus, &vcpu, &all) || *args || all) {
		rsp_reply_error(s, 22);
		return RSP_REPLY;
	}
	int n = snprintf(text, sizeof(text), "vCPU %u (%s)", vcpu,
			 state_name(machine_vcpu_state(s->m, vcpu)));
	rsp_reply_hex(s, text, (size_t)n);
	return RSP_REPLY;
}

enum rsp_action rsp_cmd_xfer_threads(struct rsp_server *s, const char *args)
{
	char xml[96 * MACHINE_MAX_VCPUS + 128];
	size_t n = 0;
	n += (size_t)snprintf(xml + n, sizeof(xml) - n, "<?xml version=\"1.0\"?>\n<threads>\n");
	for (unsigned i = 0; i < s->ncpus; i++) {
		char id[32];
		if (s->multiprocess)
			snprintf(id, sizeof(id), "p%x.%x", RSP_PID, i + 1);
		else
			snprintf(id, sizeof(id), "%x", i + 1);
		n += (size_t)snprintf(xml + n, sizeof(xml) - n,
				      "<thread id=\"%s\" core=\"%u\" name=\"vCPU %u\">%s</thread>\n", id,
				      i, i, state_name(machine_vcpu_state(s->m, i)));
	}
	n += (size_t)snprintf(xml + n, sizeof(xml) - n, "</threads>\n");
	rsp_reply_xfer(s, xml, n, args);
	return RSP_REPLY;
}

/* ------------------------------------------------------------- resume */

/* vCont;ACTION[:TID];...  The leftmost action naming a thread wins;
 * threads no action names stay stopped. */
enum rsp_action rsp_cmd_vcont(struct rsp_server *s, const char *args)
{
	enum machine_run_action act[MACHINE_MAX_VCPUS];
	bool set[MACHINE_MAX_VCPUS] = { false };
	while (*args == ';') {
		args++;
		char op = *args++;
		enum machine_run_action a;
		uint64_t sig;
		switch (op) {
		case 'c': a = RUN_CONT; break;
		case 's': a = RUN_STEP; break;
		case 't': a = RUN_STAY; break;
		case 'C': a = RUN_CONT; break;
		case 'S': a = RUN_STEP; break;
		default:
			rsp_reply_error(s, 22);
			return RSP_REPLY;
		}
		/* Signals cannot be delivered to a VM: C/S act as c/s. */
		if ((op == 'C' || op == 'S') && !rsp_parse_hex(&args, &sig)) {
			rsp_reply_error(s, 22);
			return RSP_REPLY;
		}
		unsigned vcpu = 0;
		bool all = true;
		if (*args == ':') {
			args++;
			if (!rsp_parse_thread(&args, s->ncpus, &vcpu, &all)) {
				rsp_reply_error(s, 22);
				return RSP_REPLY;
			}
		}
		for (unsigned i = 0; i < s->ncpus; i++)
			if (!set[i] && (all || i == vcpu)) {
				act[i] = a;
				set[i] = true;
			}
	}
	if (*args) {
		rsp_reply_error(s, 22);
		return RSP_REPLY;
	}
	for (unsigned i = 0; i < s->ncpus; i++)
		if (!set[i])
			act[i] = RUN_STAY;
	return rsp_resume(s, act);
}

/* c [ADDR], s [ADDR], C SIG[;ADDR], S SIG[;ADDR] */
enum rsp_action rsp_cmd_cs(struct rsp_server *s, char cmd, const char *args)
{
	enum machine_run_action act[MACHINE_MAX_VCPUS];
	uint64_t sig, addr;
	unsigned cpu = s->c_all ? s->g_cpu : s->c_cpu;
	if (cmd == 'C' || cmd == 'S') {
		if (!rsp_parse_hex(&args, &sig)) {
			rsp_reply_error(s, 22);
			return RSP_REPLY;
		}
		if (*args == ';')
			args++;
		else if (*args) {
			rsp_reply_error(s, 22);
			return RSP_REPLY;
		}
	}
	if (*args) {
		if (!rsp_parse_hex(&args, &addr) || *args) {
			rsp_reply_error(s, 22);
			return RSP_REPLY;
		}
		if (machine_set_reg(s->m, cpu, HV_REG_PC, addr) != 0) {
			rsp_reply_error(s, 14);
			return RSP_REPLY;
		}
	}
	bool step = cmd == 's' || cmd == 'S';
	for (unsigned i = 0; i < s->ncpus; i++)
		act[i] = step ? (i == cpu ? RUN_STEP : RUN_STAY) : RUN_CONT;
	return rsp_resume(s, act);
}
