/*
 * rsp.h - the gdb remote serial protocol server (src/rsp/).
 */
#ifndef HVDBG_RSP_H
#define HVDBG_RSP_H

#include <stdbool.h>
#include <stdint.h>

struct machine;

struct rsp_opts {
	const char *listen_addr; /* default "127.0.0.1" */
	int port;                /* TCP port; 0 = pick a free one and print it */
	bool use_stdio;          /* serve on stdin/stdout (target remote | hvdbg --gdb-stdio) */
	bool once;               /* exit after the first client disconnects */
	bool verbose;            /* log packets to stderr */
};

void rsp_opts_default(struct rsp_opts *o);

/* Serves gdb clients on machine m until a client kills the target (k),
 * the guest ends, or (with once) the first client leaves.  Returns a
 * process exit status. */
int rsp_serve(struct machine *m, const struct rsp_opts *o);

#endif /* HVDBG_RSP_H */
