/*
 * bp_actions.c - what happens when a breakpoint or watchpoint is hit,
 * as in gdb: `break LOC if EXPR` and `condition N [EXPR]` (stop only if
 * EXPR is non-zero at the hit), `ignore N COUNT` (pass over the next
 * COUNT hits), and `commands [N]` ... `end` (lines run at each stop
 * there, after the stop is shown; a `continue` among them goes on).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "repl_internal.h"

bool bp_decide(struct repl *r, struct repl_bp *b)
{
	if (b->cond[0]) {
		char err[160];
		uint64_t v;
		if (expr_eval(r, b->cond, &v, err, sizeof(err)) != 0) {
			printf("Error in testing the condition of breakpoint %d (%s): %s\n", b->num, b->cond, err);
			return true; /* as gdb: an unusable condition stops */
		}
		if (!v)
			return false;
	}
	if (b->ignore) {
		b->ignore--;
		b->hits++;
		return false;
	}
	return true;
}

int bp_take_condition(struct repl *r, char *args, char *cond, size_t len)
{
	cond[0] = 0;
	char *p = strstr(args, " if ");
	bool at_pc = !p && !strncmp(args, "if ", 3); /* `break if EXPR`: at the pc */
	if (!p && !at_pc)
		return 0;
	char *expr = skip_ws(at_pc ? args + 3 : p + 4);
	rstrip(expr);
	if (!*expr)
		return repl_err(r, "argument required after 'if' (an expression)");
	if (strlen(expr) >= len)
		return repl_err(r, "condition too long (%zu characters at most)", len - 1);
	char err[160];
	uint64_t v;
	if (expr_eval(r, expr, &v, err, sizeof(err)) != 0)
		return repl_err(r, "bad condition '%s': %s", expr, err);
	snprintf(cond, len, "%s", expr);
	if (at_pc)
		*args = 0;
	else
		*p = 0;
	rstrip(args);
	return 0;
}

/* "N rest": the breakpoint numbered N, *rest after it. */
static struct repl_bp *numbered(struct repl *r, char *args, char **rest, const char *usage)
{
	args = skip_ws(args);
	char *end;
	long n = strtol(args, &end, 10);
	if (end == args) {
		repl_err(r, "usage: %s", usage);
		return NULL;
	}
	struct repl_bp *b = bp_by_num(r, (int)n);
	if (!b) {
		repl_err(r, "no breakpoint number %ld", n);
		return NULL;
	}
	*rest = skip_ws(end);
	rstrip(*rest);
	return b;
}

int cmd_condition(struct repl *r, const char *fmt, char *args)
{
	(void)fmt;
	char *expr;
	struct repl_bp *b = numbered(r, args, &expr, "condition N [EXPR]");
	if (!b)
		return -1;
	if (!*expr) {
		b->cond[0] = 0;
		printf("Breakpoint %d now unconditional.\n", b->num);
		return 0;
	}
	char err[160];
	uint64_t v;
	if (strlen(expr) >= sizeof(b->cond))
		return repl_err(r, "condition too long (%zu characters at most)", sizeof(b->cond) - 1);
	if (expr_eval(r, expr, &v, err, sizeof(err)) != 0)
		return repl_err(r, "bad condition '%s': %s", expr, err);
	snprintf(b->cond, sizeof(b->cond), "%s", expr);
	return 0;
}

int cmd_ignore(struct repl *r, const char *fmt, char *args)
{
	(void)fmt;
	char *count;
	struct repl_bp *b = numbered(r, args, &count, "ignore N COUNT");
	if (!b)
		return -1;
	char *end;
	long n = strtol(count, &end, 0);
	if (!*count || *end || n < 0 || n > 1000000000)
		return repl_err(r, "usage: ignore N COUNT (COUNT 0 and up)");
	b->ignore = (unsigned)n;
	if (n == 0)
		printf("Will stop next time breakpoint %d is reached.\n", b->num);
	else
		printf("Will ignore next %ld crossing%s of breakpoint %d.\n", n, n == 1 ? "" : "s", b->num);
	return 0;
}

int cmd_commands(struct repl *r, const char *fmt, char *args)
{
	(void)fmt;
	args = skip_ws(args);
	rstrip(args);
	struct repl_bp *b;
	if (*args) {
		char *rest;
		b = numbered(r, args, &rest, "commands [N]");
		if (!b)
			return -1;
	} else if (r->nbp) { /* the last one set */
		b = &r->bp[r->nbp - 1];
	} else {
		return repl_err(r, "no breakpoints: 'commands' attaches to the last one set");
	}
	r->capture_bp = b->num;
	r->capture[0] = 0;
	if (r->interactive)
		printf("Type commands for breakpoint %d, one per line.\nEnd with a line saying just \"end\".\n", b->num);
	return 0;
}

bool bp_capture_line(struct repl *r, const char *line)
{
	if (!r->capture_bp)
		return false;
	char buf[512];
	snprintf(buf, sizeof(buf), "%s", line);
	char *s = skip_ws(buf);
	rstrip(s);
	struct repl_bp *b = bp_by_num(r, r->capture_bp);
	if (!strcmp(s, "end")) {
		if (b)
			snprintf(b->cmds, sizeof(b->cmds), "%s", r->capture);
		r->capture_bp = 0;
		return true;
	}
	size_t n = strlen(r->capture);
	if (*s && n + strlen(s) + 2 < sizeof(r->capture))
		snprintf(r->capture + n, sizeof(r->capture) - n, "%s\n", s);
	else if (*s)
		printf("(commands too long: '%s' dropped)\n", s);
	return true;
}

void bp_queue_commands(struct repl *r, const struct repl_bp *b)
{
	if (b->cmds[0])
		snprintf(r->pending_cmds, sizeof(r->pending_cmds), "%s", b->cmds);
}

void bp_run_queued(struct repl *r)
{
	if (r->in_bp_cmds)
		return; /* the outer loop runs them: iteration, not recursion */
	r->in_bp_cmds = true;
	while (r->pending_cmds[0] && !r->quit) {
		char todo[1024];
		snprintf(todo, sizeof(todo), "%s", r->pending_cmds);
		r->pending_cmds[0] = 0;
		for (char *line = todo, *nl; line && *line && !r->quit; line = nl) {
			nl = strchr(line, '\n');
			if (nl)
				*nl++ = 0;
			unsigned long before = r->resumes;
			repl_exec_line(r, line);
			if (r->resumes != before) /* as gdb: a command that resumes ends the list */
				break;
		}
	}
	r->in_bp_cmds = false;
}
