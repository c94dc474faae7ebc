/*
 * display.c - gdb's auto-display: `display[/FMT] EXPR` shows EXPR at
 * every stop ("1: $x0 = 0x5 (5)"), `display/i $pc` (or any /FMT with i,
 * s or a count) as x/FMT does; `undisplay [N...]`, `info display`.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "repl_internal.h"

static void show(struct repl *r, const struct repl_display *d)
{
	char line[256];
	if (d->examine) {
		printf("%d: x/%s %s\n", d->num, d->fmt, d->expr);
		snprintf(line, sizeof(line), "x/%s %s", d->fmt, d->expr);
		bool valid = r->x_valid; /* a display does not move x's "next" */
		uint64_t next = r->x_next;
		repl_exec_line(r, line);
		r->x_valid = valid;
		r->x_next = next;
		return;
	}
	snprintf(r->print_label, sizeof(r->print_label), "%d: %s%s%s%s", d->num, d->fmt[0] ? "/" : "", d->fmt,
		 d->fmt[0] ? " " : "", d->expr);
	snprintf(line, sizeof(line), "print%s%s %s", d->fmt[0] ? "/" : "", d->fmt, d->expr);
	repl_exec_line(r, line);
	r->print_label[0] = 0;
}

void display_all(struct repl *r)
{
	for (int i = 0; i < r->ndisplays; i++)
		show(r, &r->displays[i]);
}

int cmd_display(struct repl *r, const char *fmt, char *args)
{
	args = skip_ws(args);
	rstrip(args);
	if (!*args) { /* gdb: show them all now */
		display_all(r);
		return 0;
	}
	if (r->ndisplays == (int)(sizeof(r->displays) / sizeof(r->displays[0])))
		return repl_err(r, "too many displays (%d)", r->ndisplays);
	struct repl_display *d = &r->displays[r->ndisplays];
	memset(d, 0, sizeof(*d));
	if (strlen(args) >= sizeof(d->expr) || (fmt && strlen(fmt) >= sizeof(d->fmt)))
		return repl_err(r, "display expression too long");
	snprintf(d->fmt, sizeof(d->fmt), "%s", fmt ? fmt : "");
	snprintf(d->expr, sizeof(d->expr), "%s", args);
	d->examine = fmt && (strpbrk(fmt, "is0123456789") != NULL);
	/* it must work now: an error here is the user's typo */
	int before = r->errors;
	d->num = r->next_display + 1;
	show(r, d);
	if (r->errors != before)
		return -1;
	r->next_display++;
	r->ndisplays++;
	return 0;
}

int cmd_undisplay(struct repl *r, const char *fmt, char *args)
{
	(void)fmt;
	args = skip_ws(args);
	if (!*args) {
		r->ndisplays = 0;
		return 0;
	}
	int rc = 0;
	for (char *tok = strtok(args, " \t"); tok; tok = strtok(NULL, " \t")) {
		char *end;
		long n = strtol(tok, &end, 10);
		int i = 0;
		while (i < r->ndisplays && (*end || r->displays[i].num != n))
			i++;
		if (i == r->ndisplays) {
			rc = repl_err(r, "no display number %s", tok);
			continue;
		}
		memmove(&r->displays[i], &r->displays[i + 1], (size_t)(r->ndisplays - i - 1) * sizeof(r->displays[0]));
		r->ndisplays--;
	}
	return rc;
}

int info_display(struct repl *r)
{
	if (!r->ndisplays) {
		printf("There are no auto-display expressions now.\n");
		return 0;
	}
	printf("Auto-display expressions now in effect:\nNum Enb Expression\n");
	for (int i = 0; i < r->ndisplays; i++)
		printf("%-3d y   %s%s%s%s\n", r->displays[i].num, r->displays[i].fmt[0] ? "/" : "", r->displays[i].fmt,
		       r->displays[i].fmt[0] ? " " : "", r->displays[i].expr);
	return 0;
}
