/*
 * rsp_server.c - rsp_serve: accepts gdb clients one at a time and runs
 * the loop of a connection: poll() on the client and on the machine's
 * stop fd, packets dispatched while the machine is stopped, 0x03 while it
 * runs turns into machine_interrupt(), and the all-stop event into a
 * stop reply (T/W).
 */
#include "rsp_internal.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void rsp_opts_default(struct rsp_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->listen_addr = "127.0.0.1";
}

void rsp_log(const struct rsp_server *s, const char *fmt, ...)
{
	if (!s->o.verbose)
		return;
	va_list ap;
	va_start(ap, fmt);
	fputs("hvdbg: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

/* --------------------------------------------------------- stop replies */

static int unhandled_signal(const struct machine_stop *st)
{
	switch ((st->esr >> 26) & 0x3f) {
	case 0x20: case 0x21: case 0x24: case 0x25: /* instruction / data abort */
		return 11; /* SIGSEGV */
	case 0x00:
		return 4; /* SIGILL */
	default:
		return 6; /* SIGABRT */
	}
}

static const char *watch_name(enum machine_watch_kind k)
{
	return k == WATCH_READ ? "rwatch" : k == WATCH_ACCESS ? "awatch" : "watch";
}

/* Expedited registers: the ones gdb needs right after a stop (frame id
 * and PC), so a stepi needs no separate 'g' round trip. */
static void expedite(struct rsp_server *s, unsigned vcpu)
{
	static const unsigned regs[] = { 29, 30, RSP_REG_SP, RSP_REG_PC, RSP_REG_CPSR };
	uint8_t buf[16];
	for (unsigned i = 0; i < sizeof(regs) / sizeof(regs[0]); i++) {
		int n = rsp_reg_read(s, vcpu, regs[i], buf);
		if (n <= 0)
			continue;
		rsp_reply_printf(s, "%x:", regs[i]);
		rsp_reply_hex(s, buf, (size_t)n);
		rsp_reply_str(s, ";");
	}
}

void rsp_stop_reply(struct rsp_server *s, const struct machine_stop *st)
{
	s->last = *st;
	s->have_last = true;
	if (st->reason == STOP_GUEST_EXIT) {
		rsp_reply_str(s, "W00");
		if (s->multiprocess)
			rsp_reply_printf(s, ";process:%x", RSP_PID);
		return;
	}
	/* The stopping vCPU becomes the current one (as QEMU). */
	unsigned vcpu = st->vcpu < s->ncpus ? st->vcpu : 0;
	s->g_cpu = s->c_cpu = vcpu;
	int sig = 5;
	if (st->reason == STOP_INTERRUPT)
		sig = 2;
	else if (st->reason == STOP_UNHANDLED)
		sig = unhandled_signal(st);
	else if (st->reason == STOP_ERROR)
		sig = 6;
	rsp_reply_printf(s, "T%02xthread:", sig);
	rsp_reply_thread(s, vcpu);
	rsp_reply_str(s, ";");
	if (st->reason == STOP_BREAKPOINT && s->swbreak)
		rsp_reply_str(s, "swbreak:;");
	else if (st->reason == STOP_HW_BREAKPOINT && s->hwbreak)
		rsp_reply_str(s, "hwbreak:;");
	else if (st->reason == STOP_WATCHPOINT)
		rsp_reply_printf(s, "%s:%llx;", watch_name(st->watch_kind),
				 (unsigned long long)st->data_addr);
	expedite(s, vcpu);
	if (st->reason == STOP_UNHANDLED || st->reason == STOP_ERROR)
		rsp_log(s, "vCPU %u stopped: exit reason %d, ESR 0x%llx, FAR 0x%llx, IPA 0x%llx (hv 0x%x)",
			vcpu, (int)st->exit_reason, (unsigned long long)st->esr,
			(unsigned long long)st->far_raw, (unsigned long long)st->ipa,
			(unsigned)st->hv_error);
}

enum rsp_action rsp_resume(struct rsp_server *s, const enum machine_run_action *act)
{
	rsp_cache_invalidate(s);
	/* gdb sends \x03 only while it waits for a stop: none is pending */
	machine_interrupt_discard(s->m);
	int rc = machine_resume(s->m, act);
	if (rc == MACHINE_ERR_EXITED) {
		struct machine_stop st = { .reason = STOP_GUEST_EXIT, .hw_slot = -1 };
		rsp_stop_reply(s, &st);
		return RSP_REPLY;
	}
	if (rc) {
		rsp_log(s, "resume failed: %s", machine_strerror(rc));
		rsp_reply_error(s, 1);
		return RSP_REPLY;
	}
	s->running = true;
	return RSP_NOREPLY;
}

/* ------------------------------------------------------ the connection */

enum client_end { CLIENT_GONE, CLIENT_DETACHED, CLIENT_KILLED };

static void send_reply(struct rsp_server *s)
{
	if (s->reply_overflow) { /* a bug, but never a truncated packet */
		rsp_reply_reset(s);
		rsp_reply_error(s, 1);
	}
	rsp_send_packet(s, s->reply, s->rlen);
}

static void handle_stop(struct rsp_server *s)
{
	struct machine_stop st;
	if (machine_wait(s->m, &st, 0) != 0)
		return; /* not stopped yet */
	s->running = false;
	rsp_reply_reset(s);
	rsp_stop_reply(s, &st);
	send_reply(s);
}

/* Handles one complete packet; returns false if the client is done. */
static bool handle_packet(struct rsp_server *s, enum client_end *end)
{
	size_t len = s->parser.len;
	if (s->o.verbose)
		fprintf(stderr, "hvdbg: gdb -> %.*s%s\n", (int)(len > 200 ? 200 : len), s->rx,
			len > 200 ? "..." : "");
	rsp_reply_reset(s);
	bool was_noack = s->noack;
	enum rsp_action a = rsp_dispatch(s, s->rx, len);
	switch (a) {
	case RSP_REPLY:
		/* QStartNoAckMode: its OK is still acked, then no more acks. */
		if (s->noack && !was_noack) {
			s->noack = false;
			send_reply(s);
			s->noack = true;
		} else {
			send_reply(s);
		}
		return true;
	case RSP_NOREPLY:
		return true;
	case RSP_CLOSE:
		send_reply(s);
		*end = CLIENT_DETACHED;
		return false;
	case RSP_KILL:
		if (s->rlen)
			send_reply(s);
		*end = CLIENT_KILLED;
		return false;
	}
	return true;
}

/* Processes buffered input; returns false when the client is done.
 * A packet arriving while the guest runs is left for after the stop. */
static bool process_input(struct rsp_server *s, enum client_end *end, bool *deferred)
{
	while (!s->dead && s->in_pos < s->in_len && !*deferred) {
		enum rsp_event ev;
		s->in_pos += rsp_parse(&s->parser, s->inbuf + s->in_pos, s->in_len - s->in_pos, &ev);
		switch (ev) {
		case RSP_EV_NONE:
		case RSP_EV_ACK:
			break;
		case RSP_EV_NACK:
			rsp_resend(s);
			break;
		case RSP_EV_INTERRUPT:
			if (s->running)
				machine_interrupt(s->m);
			break;
		case RSP_EV_BADSUM:
		case RSP_EV_MALFORMED:
			/* A transmission error: ask again (TCP/pipes make this rare). */
			rsp_log(s, "dropped a packet: %s", ev == RSP_EV_BADSUM ? "bad checksum" : "malformed");
			if (!s->noack)
				rsp_send_raw(s, "-", 1);
			break;
		case RSP_EV_OVERSIZE:
			/* Resending would not help: take it and say no. */
			rsp_log(s, "dropped a packet longer than %d bytes", RSP_PACKET_SIZE);
			if (!s->noack)
				rsp_send_raw(s, "+", 1);
			rsp_reply_reset(s);
			rsp_reply_error(s, 22);
			send_reply(s);
			break;
		case RSP_EV_PACKET:
			if (!s->noack)
				rsp_send_raw(s, "+", 1);
			if (s->running) {
				*deferred = true;
				break;
			}
			if (!handle_packet(s, end))
				return false;
			break;
		}
	}
	return !s->dead;
}

static void stop_machine(struct rsp_server *s)
{
	if (!machine_running(s->m) && !s->running)
		return;
	machine_interrupt(s->m);
	struct machine_stop st;
	machine_wait(s->m, &st, -1);
	s->running = false;
	s->last = st;
	s->have_last = true;
}

static enum client_end serve_client(struct rsp_server *s, int in_fd, int out_fd, bool sock)
{
	enum client_end end = CLIENT_GONE;
	bool deferred = false;
	rsp_conn_attach(s, in_fd, out_fd, sock);
	s->running = false;
	unsigned first = 0;
	while (first + 1 < s->ncpus && machine_vcpu_state(s->m, first) == VCPU_OFF)
		first++;
	s->g_cpu = s->c_cpu = s->have_last ? s->last.vcpu : first;
	s->c_all = true;
	/* Breakpoints of an earlier client that vanished are gone. */
	machine_debug_clear(s->m);
	rsp_break_clear(s);
	rsp_cache_invalidate(s);
	for (;;) {
		if (!process_input(s, &end, &deferred))
			break;
		struct pollfd pf[2] = {
			{ .fd = s->in_fd, .events = deferred ? 0 : POLLIN },
			{ .fd = machine_stop_fd(s->m), .events = POLLIN },
		};
		int n = poll(pf, s->running ? 2 : 1, -1);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			perror("hvdbg: poll");
			break;
		}
		if (s->running && (pf[1].revents & POLLIN)) {
			handle_stop(s);
			if (deferred && !s->running) {
				deferred = false;
				if (!handle_packet(s, &end))
					break;
			}
			continue;
		}
		if (pf[0].revents & (POLLIN | POLLHUP | POLLERR)) {
			if (deferred || !rsp_conn_read(s)) {
				rsp_log(s, "client closed the connection");
				break;
			}
		}
	}
	stop_machine(s);
	machine_interrupt_discard(s->m);
	machine_debug_clear(s->m);
	rsp_break_clear(s);
	if (end == CLIENT_DETACHED && !machine_exited(s->m)) {
		/* gdb's detach: the guest runs on freely (as gdbserver/QEMU). */
		if (machine_resume(s->m, NULL) == 0)
			s->running = true;
	}
	rsp_conn_close(s);
	return end;
}

/* Waits for a client; meanwhile a detached guest may end.  Returns the
 * client fd, or -1 if serving should end. */
static int wait_client(struct rsp_server *s, int lfd)
{
	for (;;) {
		struct pollfd pf[2] = {
			{ .fd = lfd, .events = POLLIN },
			{ .fd = machine_stop_fd(s->m), .events = POLLIN },
		};
		int n = poll(pf, s->running ? 2 : 1, -1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (s->running && (pf[1].revents & POLLIN)) {
			struct machine_stop st;
			if (machine_wait(s->m, &st, 0) == 0) {
				s->running = false;
				s->last = st;
				s->have_last = true;
				if (st.reason == STOP_GUEST_EXIT)
					return -1; /* the guest is over: nothing left to debug */
			}
		}
		if (pf[0].revents & POLLIN) {
			int fd = rsp_conn_accept(lfd);
			if (fd >= 0) {
				stop_machine(s); /* a new client finds the guest stopped */
				return fd;
			}
		}
	}
}

static struct rsp_server *server_new(struct machine *m, const struct rsp_opts *o)
{
	struct rsp_server *s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	s->m = m;
	s->o = *o;
	s->ncpus = machine_ncpus(m);
	s->in_fd = s->out_fd = -1;
	s->rx = malloc(RSP_PACKET_SIZE + 1);
	s->inbuf = malloc(RSP_INBUF);
	s->reply = malloc(RSP_PACKET_SIZE + 1);
	s->tx_cap = 2 * (size_t)RSP_PACKET_SIZE + 8;
	s->tx = malloc(s->tx_cap);
	if (!s->rx || !s->inbuf || !s->reply || !s->tx || rsp_tdesc_build(s) != 0) {
		free(s->rx);
		free(s->inbuf);
		free(s->reply);
		free(s->tx);
		free(s);
		return NULL;
	}
	return s;
}

static void server_free(struct rsp_server *s)
{
	rsp_tdesc_free(s);
	free(s->rx);
	free(s->inbuf);
	free(s->reply);
	free(s->tx);
	free(s);
}

int rsp_serve(struct machine *m, const struct rsp_opts *o)
{
	signal(SIGPIPE, SIG_IGN);
	struct rsp_server *s = server_new(m, o);
	if (!s) {
		fprintf(stderr, "hvdbg: cannot start the gdb server (out of memory)\n");
		return 1;
	}
	int status = 0;
	if (o->use_stdio) {
		/* stdout carries the protocol: anything else printed there
		 * (the guest's UART) goes to stderr instead. */
		fflush(stdout);
		int out = dup(STDOUT_FILENO);
		if (out < 0 || dup2(STDERR_FILENO, STDOUT_FILENO) < 0) {
			perror("hvdbg: dup");
			server_free(s);
			return 1;
		}
		signal(SIGINT, SIG_IGN); /* gdb sends 0x03 down the pipe */
		serve_client(s, STDIN_FILENO, out, false);
		close(out);
	} else {
		int port = 0;
		int lfd = rsp_conn_listen(o, &port);
		if (lfd < 0) {
			server_free(s);
			return 1;
		}
		fprintf(stderr, "hvdbg: gdb server listening on %s:%d\n",
			o->listen_addr ? o->listen_addr : "127.0.0.1", port);
		fflush(stderr);
		for (;;) {
			int fd = wait_client(s, lfd);
			if (fd < 0)
				break;
			rsp_log(s, "client connected");
			enum client_end end = serve_client(s, fd, fd, true);
			if (end == CLIENT_KILLED || o->once || machine_exited(m))
				break;
		}
		close(lfd);
	}
	stop_machine(s);
	server_free(s);
	return status;
}
