/*
 * term.h - a program under test in a pseudo-terminal (forkpty): keys
 * typed with term_send, the screen read with term_expect.  Used by the
 * REPL and Linux console tests.
 */
#ifndef HVDBG_TEST_TERM_H
#define HVDBG_TEST_TERM_H

#include <check.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct term {
	pid_t pid;
	int fd;
	char out[1 << 20];
	size_t len;
	size_t mark; /* term_expect searches from here */
	char home[300];
};

long term_now_ms(void);
/* Starts prog with args (NULL-terminated, without argv[0]) in a 200x50
 * terminal, TERM=xterm, HOME = shared_home or a fresh directory in tmp. */
void term_spawn(struct term *t, const char *prog, const char *tmp, const char *shared_home,
		const char *const *args);
void term_pump(struct term *t, int timeout_ms);
/* Waits for needle in the output after the mark; moves the mark past it. */
bool term_expect(struct term *t, const char *needle, int timeout_ms);
void term_send(struct term *t, const char *keys);
/* Reaps the program once it exits by itself; returns its exit status
 * (fails the test after timeout_ms). */
int term_wait_exit(struct term *t, int timeout_ms);
/* Sends quit and reaps the program; returns its exit status. */
int term_quit(struct term *t);

#define TERM_EXPECT(t, s, ms)                                                                    \
	ck_assert_msg(term_expect((t), (s), (ms)), "expected \"%s\"; the screen after the last match:\n%s", \
		      (s), (t)->out + (t)->mark)

#endif
