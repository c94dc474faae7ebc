/*
 * console.c - the serial console (see console.h).  A reader thread polls
 * stdin and a control pipe; bytes go to machine_uart_input, which raises
 * the UART's receive interrupt in the guest.
 */
#include "console.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "../machine/machine.h"

#define CTRL_A 0x01
#define CTRL_C 0x03

struct console {
	struct machine *m;
	bool ctrl_c_stops;
	pthread_t thread;
	int ctl[2];          /* control pipe: 'p' pause, 'r' resume, 'q' quit */
	pthread_mutex_t lock;
	pthread_cond_t cv;
	bool paused, want_pause, eof, escape;
	atomic_bool quit_req;
	bool tty;
	struct termios saved;
};

void console_uart_out(void *ctx, const char *buf, size_t len)
{
	(void)ctx;
	while (len > 0) {
		ssize_t n = write(STDOUT_FILENO, buf, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return; /* stdout gone: the guest's output is dropped, not its run */
		buf += n;
		len -= (size_t)n;
	}
}

static void raw_on(struct console *c)
{
	if (!c->tty)
		return;
	struct termios t = c->saved;
	cfmakeraw(&t);
	t.c_oflag |= OPOST | ONLCR; /* the guest's "\n" still starts a line */
	tcsetattr(STDIN_FILENO, TCSANOW, &t);
}

static void raw_off(struct console *c)
{
	if (c->tty)
		tcsetattr(STDIN_FILENO, TCSANOW, &c->saved);
}

/* Bytes typed: escapes handled, the rest to the UART. */
static void feed(struct console *c, const unsigned char *b, size_t n)
{
	unsigned char out[512];
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = b[i];
		if (c->escape) {
			c->escape = false;
			if (ch == 'x' || ch == 'X') {
				atomic_store(&c->quit_req, true);
				machine_interrupt(c->m);
				continue;
			}
			if (ch == 'c' || ch == CTRL_C) {
				out[k++] = CTRL_C;
				continue;
			}
			if (ch != CTRL_A)
				continue; /* unknown escape: dropped */
		} else if (ch == CTRL_A) {
			c->escape = true;
			continue;
		} else if (ch == CTRL_C && c->ctrl_c_stops) {
			machine_interrupt(c->m);
			continue;
		}
		out[k++] = ch;
		if (k == sizeof(out)) {
			machine_uart_input(c->m, out, k);
			k = 0;
		}
	}
	if (k)
		machine_uart_input(c->m, out, k);
}

static void *reader(void *arg)
{
	struct console *c = arg;
	for (;;) {
		pthread_mutex_lock(&c->lock);
		bool paused = c->paused;
		pthread_mutex_unlock(&c->lock);
		struct pollfd p[2] = { { c->ctl[0], POLLIN, 0 }, { STDIN_FILENO, POLLIN, 0 } };
		int np = paused || c->eof ? 1 : 2;
		if (poll(p, (nfds_t)np, -1) < 0) {
			if (errno == EINTR)
				continue;
			return NULL;
		}
		if (p[0].revents) {
			char cmd;
			if (read(c->ctl[0], &cmd, 1) != 1 || cmd == 'q')
				return NULL;
			pthread_mutex_lock(&c->lock);
			c->paused = cmd == 'p';
			pthread_cond_broadcast(&c->cv);
			pthread_mutex_unlock(&c->lock);
			continue;
		}
		if (np == 2 && p[1].revents) {
			unsigned char buf[256];
			ssize_t n = read(STDIN_FILENO, buf, sizeof(buf));
			if (n < 0 && (errno == EINTR || errno == EAGAIN))
				continue;
			if (n <= 0) {
				c->eof = true; /* input ended: the guest keeps running */
				continue;
			}
			feed(c, buf, (size_t)n);
		}
	}
}

/* Sends a command to the reader and waits until it took it. */
static void control(struct console *c, char cmd)
{
	pthread_mutex_lock(&c->lock);
	bool want = cmd == 'p';
	if (c->paused == want) {
		pthread_mutex_unlock(&c->lock);
		return;
	}
	while (write(c->ctl[1], &cmd, 1) < 0 && errno == EINTR)
		;
	while (c->paused != want)
		pthread_cond_wait(&c->cv, &c->lock);
	pthread_mutex_unlock(&c->lock);
}

struct console *console_start(struct machine *m, bool ctrl_c_stops, bool paused)
{
	struct console *c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	c->m = m;
	c->ctrl_c_stops = ctrl_c_stops;
	atomic_init(&c->quit_req, false);
	if (pipe(c->ctl)) {
		free(c);
		return NULL;
	}
	pthread_mutex_init(&c->lock, NULL);
	pthread_cond_init(&c->cv, NULL);
	c->tty = isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &c->saved) == 0;
	c->paused = paused;
	if (!paused)
		raw_on(c);
	if (pthread_create(&c->thread, NULL, reader, c)) {
		raw_off(c);
		close(c->ctl[0]);
		close(c->ctl[1]);
		free(c);
		return NULL;
	}
	return c;
}

void console_pause(struct console *c)
{
	control(c, 'p');
	raw_off(c);
}

void console_resume(struct console *c)
{
	raw_on(c);
	control(c, 'r');
}

bool console_quit_requested(const struct console *c)
{
	return atomic_load(&c->quit_req);
}

void console_stop(struct console *c)
{
	if (!c)
		return;
	char q = 'q';
	while (write(c->ctl[1], &q, 1) < 0 && errno == EINTR)
		;
	pthread_join(c->thread, NULL);
	raw_off(c);
	close(c->ctl[0]);
	close(c->ctl[1]);
	pthread_cond_destroy(&c->cv);
	pthread_mutex_destroy(&c->lock);
	free(c);
}

static int run_status(struct machine *m, const struct machine_stop *st)
{
	char buf[1024];
	switch (st->reason) {
	case STOP_GUEST_EXIT:
		if (st->reset)
			fprintf(stderr, "hvdbg: the guest asked for a reset (PSCI SYSTEM_RESET)\n");
		return st->reset ? 3 : 0;
	case STOP_UNHANDLED:
		fprintf(stderr, "hvdbg: vCPU %u stopped at pc 0x%llx (FAR 0x%llx, IPA 0x%llx): %s\n", st->vcpu,
			(unsigned long long)st->pc, (unsigned long long)st->far_raw, (unsigned long long)st->ipa,
			machine_explain_esr(st->esr, buf, sizeof(buf)));
		return 1;
	case STOP_ERROR:
		fprintf(stderr, "hvdbg: vCPU %u: a hypervisor call failed (0x%x)\n", st->vcpu,
			(unsigned)st->hv_error);
		return 1;
	default:
		(void)m;
		fprintf(stderr, "hvdbg: vCPU %u stopped unexpectedly at pc 0x%llx (reason %d)\n",
			st->vcpu, (unsigned long long)st->pc, (int)st->reason);
		return 1;
	}
}

int console_run(struct machine *m, const struct console_opts *o)
{
	struct console *c = console_start(m, false, false);
	if (!c) {
		fprintf(stderr, "hvdbg: cannot start the console\n");
		return 1;
	}
	struct timespec t0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	struct machine_stop st;
	int status;
	int rc = machine_resume(m, NULL);
	if (rc) {
		fprintf(stderr, "hvdbg: cannot start the guest: %s\n", machine_strerror(rc));
		console_stop(c);
		return 1;
	}
	for (;;) {
		rc = machine_wait(m, &st, 200);
		if (rc == 0)
			break;
		if (rc != MACHINE_ERR_TIMEOUT) {
			fprintf(stderr, "hvdbg: %s\n", machine_strerror(rc));
			console_stop(c);
			return 1;
		}
		struct timespec t;
		clock_gettime(CLOCK_MONOTONIC, &t);
		if (o->timeout_s && t.tv_sec - t0.tv_sec >= (time_t)o->timeout_s) {
			machine_interrupt(m);
			machine_wait(m, &st, -1);
			console_stop(c);
			fprintf(stderr, "\nhvdbg: timeout: the guest still ran after %u s\n", o->timeout_s);
			return 124;
		}
	}
	bool quit = console_quit_requested(c);
	console_stop(c);
	if (st.reason == STOP_INTERRUPT && quit)
		status = 130;
	else
		status = run_status(m, &st);
	return status;
}
