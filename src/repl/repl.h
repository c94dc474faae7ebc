/*
 * repl.h - the interactive debugger REPL (src/repl/).
 */
#ifndef HVDBG_REPL_H
#define HVDBG_REPL_H

#include <stdbool.h>

struct machine;

struct repl_opts {
	const char **commands; /* -ex commands, run in order before the prompt */
	unsigned ncommands;
	const char *script;    /* -x FILE: commands read from a file */
	bool batch;            /* exit after -ex / -x instead of prompting */
	bool color;            /* highlight changed registers (default: isatty) */
	const char *history;   /* history file (default ~/.hvdbg_history) */
};

/* Runs the REPL on machine m; returns a process exit status. */
int repl_main(struct machine *m, const struct repl_opts *o);

#endif /* HVDBG_REPL_H */
