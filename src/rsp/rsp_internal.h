/*
 * rsp_internal.h - what the gdb server's files share: the server state
 * (one machine, one client at a time) and each file's entry points.
 *
 *   rsp_packet.c   framing, checksums, escapes, RLE, hex (no I/O)
 *   rsp_conn.c     transport: TCP listen/accept or stdio, send/ack
 *   rsp_server.c   rsp_serve: the poll loop, run state, stop replies
 *   rsp_dispatch.c packet dispatch and the small q/Q/v queries
 *   rsp_regs.c     register numbering, g/G/p/P, target description XML
 *   rsp_mem.c      m/M/X
 *   rsp_break.c    Z0-Z4 / z0-z4 (watch ranges split over slots)
 *   rsp_threads.c  thread ids, H, T, qC, qfThreadInfo, qXfer:threads
 *   rsp_monitor.c  qRcmd (monitor) commands
 */
#ifndef HVDBG_RSP_INTERNAL_H
#define HVDBG_RSP_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../machine/machine.h"
#include "rsp.h"
#include "rsp_packet.h"

/* Largest packet we accept and send (advertised as PacketSize). */
#define RSP_PACKET_SIZE 0x20000
#define RSP_MAX_WATCH 32  /* watch ranges gdb may have inserted */
#define RSP_WATCH_PIECES 4 /* hardware slots one unaligned range may use */
#define RSP_PID 1
#define RSP_INBUF 65536   /* raw input buffer */

/* Register numbers (gdb's aarch64 core + fpu layout, then system). */
enum {
	RSP_REG_SP = 31,
	RSP_REG_PC = 32,
	RSP_REG_CPSR = 33,
	RSP_REG_V0 = 34,
	RSP_REG_FPSR = 66,
	RSP_REG_FPCR = 67,
	RSP_REG_SYS0 = 68,
};

struct rsp_watch {
	bool used;
	uint64_t addr, len;
	enum machine_watch_kind kind;
	unsigned npieces;
	uint64_t piece_addr[RSP_WATCH_PIECES], piece_len[RSP_WATCH_PIECES];
};

/* Per-vCPU state read once per stop: a stopped vCPU's registers only
 * change through us, and each machine call is a trip to its thread. */
struct rsp_vcache {
	bool core_valid;
	uint64_t core[34];   /* x0-x30, sp, pc, cpsr */
	int mmu;             /* -1 unknown, 0 MMU off (VA = IPA), 1 on */
};

struct rsp_sysreg {
	const char *name;
	hv_sys_reg_t reg;
};

/* What a handler wants the loop to do after it. */
enum rsp_action {
	RSP_REPLY,    /* send s->reply */
	RSP_NOREPLY,  /* resumed: the stop reply comes later */
	RSP_CLOSE,    /* send the reply, then drop the client (detach) */
	RSP_KILL,     /* drop the client and end serving (k / vKill, reply if any) */
};

struct rsp_server {
	struct machine *m;
	struct rsp_opts o;
	unsigned ncpus;

	/* connection */
	int in_fd, out_fd;
	bool is_socket;
	bool noack, multiprocess, swbreak, hwbreak;
	struct rsp_parser parser;
	char *rx;                   /* decoded packet */
	uint8_t *inbuf;             /* raw bytes read */
	size_t in_pos, in_len;
	char *tx;                   /* the last framed packet (resent on '-') */
	size_t tx_len, tx_cap;
	bool dead;                  /* write failed: the client is gone */

	/* reply under construction */
	char *reply;
	size_t rlen;
	bool reply_overflow;

	/* debugging state */
	bool running;               /* resumed, waiting for the stop */
	unsigned g_cpu, c_cpu;      /* Hg / Hc (vCPU index) */
	bool c_all;                 /* Hc -1 / 0 */
	struct machine_stop last;   /* last stop reported */
	bool have_last;
	struct rsp_watch watch[RSP_MAX_WATCH];
	struct rsp_vcache cache[MACHINE_MAX_VCPUS];

	/* target description */
	struct rsp_sysreg *sys;     /* system registers this backend can read */
	unsigned nsys;
	char *tdesc;
	size_t tdesc_len;
};

/* rsp_conn.c */
int rsp_conn_listen(const struct rsp_opts *o, int *port_out);
int rsp_conn_accept(int lfd);
void rsp_conn_attach(struct rsp_server *s, int in_fd, int out_fd, bool is_socket);
void rsp_conn_close(struct rsp_server *s);
bool rsp_send_raw(struct rsp_server *s, const void *buf, size_t len);
bool rsp_send_packet(struct rsp_server *s, const void *data, size_t len);
bool rsp_resend(struct rsp_server *s);
/* Reads what is available into s->inbuf; false on EOF/error. */
bool rsp_conn_read(struct rsp_server *s);

/* reply building (rsp_dispatch.c) */
void rsp_reply_reset(struct rsp_server *s);
void rsp_reply_str(struct rsp_server *s, const char *str);
void rsp_reply_mem(struct rsp_server *s, const void *data, size_t len);
void rsp_reply_printf(struct rsp_server *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void rsp_reply_hex(struct rsp_server *s, const void *data, size_t len);
void rsp_reply_error(struct rsp_server *s, int code);
/* A qXfer-style slice: "m" + data[off, off+len) or "l" + the tail. */
void rsp_reply_xfer(struct rsp_server *s, const char *data, size_t size, const char *args);

/* rsp_dispatch.c */
enum rsp_action rsp_dispatch(struct rsp_server *s, char *pkt, size_t len);

/* rsp_server.c */
enum rsp_action rsp_resume(struct rsp_server *s, const enum machine_run_action *act);
void rsp_stop_reply(struct rsp_server *s, const struct machine_stop *st);
void rsp_log(const struct rsp_server *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* rsp_regs.c */
int rsp_tdesc_build(struct rsp_server *s);
void rsp_tdesc_free(struct rsp_server *s);
enum rsp_action rsp_cmd_g(struct rsp_server *s);
enum rsp_action rsp_cmd_G(struct rsp_server *s, const char *args);
enum rsp_action rsp_cmd_p(struct rsp_server *s, const char *args);
enum rsp_action rsp_cmd_P(struct rsp_server *s, const char *args);
/* Reads register regno of vcpu into buf (little-endian); returns its
 * size in bytes, or a negative MACHINE_ERR_*. */
int rsp_reg_read(struct rsp_server *s, unsigned vcpu, unsigned regno, uint8_t buf[16]);
/* The core registers of vcpu (cached until the next resume or write). */
const uint64_t *rsp_core_regs(struct rsp_server *s, unsigned vcpu);
/* Forgets every cached register and translation state. */
void rsp_cache_invalidate(struct rsp_server *s);

/* rsp_mem.c */
enum rsp_action rsp_cmd_m(struct rsp_server *s, const char *args);
enum rsp_action rsp_cmd_M(struct rsp_server *s, const char *args);
enum rsp_action rsp_cmd_X(struct rsp_server *s, const char *args, size_t len);
enum rsp_action rsp_cmd_search(struct rsp_server *s, const char *args, size_t len);

/* rsp_break.c */
enum rsp_action rsp_cmd_Z(struct rsp_server *s, const char *args, bool insert);
void rsp_break_clear(struct rsp_server *s);

/* rsp_threads.c */
/* Parses a thread-id ("p1.2", "2", "-1", "0", "p1.-1"); *all set for -1
 * and 0 ("any"), else *vcpu.  Advances *p.  False if malformed. */
bool rsp_parse_thread(const char **p, unsigned ncpus, unsigned *vcpu, bool *all);
/* Appends the thread-id of vcpu in the negotiated format. */
void rsp_reply_thread(struct rsp_server *s, unsigned vcpu);
enum rsp_action rsp_cmd_H(struct rsp_server *s, const char *args);
enum rsp_action rsp_cmd_T(struct rsp_server *s, const char *args);
enum rsp_action rsp_cmd_qC(struct rsp_server *s);
enum rsp_action rsp_cmd_thread_info(struct rsp_server *s, bool first);
enum rsp_action rsp_cmd_thread_extra(struct rsp_server *s, const char *args);
enum rsp_action rsp_cmd_xfer_threads(struct rsp_server *s, const char *args);
/* vCont;... / c / s / C / S */
enum rsp_action rsp_cmd_vcont(struct rsp_server *s, const char *args);
enum rsp_action rsp_cmd_cs(struct rsp_server *s, char cmd, const char *args);

/* rsp_monitor.c */
enum rsp_action rsp_cmd_monitor(struct rsp_server *s, const char *hexcmd);
/* Runs one monitor command line, writing text with out(). */
void rsp_monitor_run(struct rsp_server *s, const char *line,
		     void (*out)(struct rsp_server *s, const char *text));

#endif
