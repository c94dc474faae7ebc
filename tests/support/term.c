/*
 * term.c - a program under test in a pseudo-terminal (see term.h).
 */
#include "term.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

long term_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void term_spawn(struct term *t, const char *prog, const char *tmp, const char *shared_home,
		const char *const *args)
{
	memset(t, 0, sizeof(*t));
	if (shared_home) {
		snprintf(t->home, sizeof(t->home), "%s", shared_home);
	} else {
		snprintf(t->home, sizeof(t->home), "%s/home-XXXXXX", tmp);
		ck_assert_ptr_nonnull(mkdtemp(t->home));
	}
	struct winsize ws = { .ws_row = 50, .ws_col = 200 };
	t->pid = forkpty(&t->fd, NULL, NULL, &ws);
	ck_assert_int_ge(t->pid, 0);
	if (t->pid == 0) {
		const char *argv[32];
		int n = 0;
		argv[n++] = prog;
		for (int i = 0; args[i] && n < 31; i++)
			argv[n++] = args[i];
		argv[n] = NULL;
		setenv("HOME", t->home, 1);
		setenv("TERM", "xterm", 1);
		unsetenv("NO_COLOR");
		execv(prog, (char *const *)argv);
		_exit(127);
	}
	fcntl(t->fd, F_SETFL, O_NONBLOCK);
}

void term_pump(struct term *t, int timeout_ms)
{
	struct pollfd p = { .fd = t->fd, .events = POLLIN };
	if (poll(&p, 1, timeout_ms) <= 0)
		return;
	ssize_t n = read(t->fd, t->out + t->len, sizeof(t->out) - 1 - t->len);
	if (n > 0) {
		t->len += (size_t)n;
		t->out[t->len] = 0;
	}
}

bool term_expect(struct term *t, const char *needle, int timeout_ms)
{
	long end = term_now_ms() + timeout_ms;
	for (;;) {
		char *hit = strstr(t->out + t->mark, needle);
		if (hit) {
			t->mark = (size_t)(hit - t->out) + strlen(needle);
			return true;
		}
		long left = end - term_now_ms();
		if (left <= 0)
			return false;
		term_pump(t, (int)(left < 100 ? left : 100));
	}
}

void term_send(struct term *t, const char *keys)
{
	size_t n = strlen(keys);
	while (n) {
		ssize_t k = write(t->fd, keys, n);
		if (k < 0 && errno == EAGAIN) {
			usleep(1000);
			continue;
		}
		ck_assert_int_gt(k, 0);
		keys += k;
		n -= (size_t)k;
	}
}

int term_wait_exit(struct term *t, int timeout_ms)
{
	int status = -1;
	long end = term_now_ms() + timeout_ms;
	while (term_now_ms() < end) {
		term_pump(t, 20);
		if (waitpid(t->pid, &status, WNOHANG) == t->pid) {
			close(t->fd);
			return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
		}
		usleep(20 * 1000); /* poll returns at once (POLLHUP) once the child is gone */
	}
	kill(t->pid, SIGKILL);
	waitpid(t->pid, &status, 0);
	close(t->fd);
	ck_abort_msg("the program did not exit; screen:\n%s", t->out);
	return -1;
}

int term_quit(struct term *t)
{
	term_send(t, "quit\n");
	return term_wait_exit(t, 10000);
}
