/*
 * console.h - the guest's serial console on the terminal: keys typed go
 * to the machine's UART, its output to stdout (docs/machine.md,
 * "Console").  Used by `hvdbg --run` and by the REPL while the guest runs.
 *
 * Escapes (after Ctrl-A, as QEMU's -serial mon:stdio): `x` quits,
 * `c` or Ctrl-C sends a Ctrl-C to the guest, Ctrl-A sends Ctrl-A.
 */
#ifndef HVDBG_CONSOLE_H
#define HVDBG_CONSOLE_H

#include <stdbool.h>
#include <stddef.h>

struct machine;

/* UART output callback for machine_opts.uart_out: write(2) to stdout at
 * once (a shell prompt has no newline to flush it). */
void console_uart_out(void *ctx, const char *buf, size_t len);

struct console;
/* Starts forwarding stdin to the UART of m.  ctrl_c_stops: a Ctrl-C
 * stops the machine (STOP_INTERRUPT, as gdb) instead of reaching the
 * guest.  The terminal, if stdin is one, is put in raw mode while
 * forwarding.  paused: start as after console_pause. */
struct console *console_start(struct machine *m, bool ctrl_c_stops, bool paused);
/* Stops forwarding and restores the terminal (the REPL prompt reads
 * stdin again); console_resume starts again. */
void console_pause(struct console *c);
void console_resume(struct console *c);
/* Ctrl-A x was typed (the machine was interrupted for it). */
bool console_quit_requested(const struct console *c);
void console_stop(struct console *c);

struct console_opts {
	unsigned timeout_s; /* 0: none */
};
/* hvdbg --run: resumes the machine with the console attached until the
 * guest powers off.  Exit status: 0 SYSTEM_OFF, 3 SYSTEM_RESET, 1 an exit
 * the machine cannot handle (explained on stderr), 124 timeout, 130 Ctrl-A x. */
int console_run(struct machine *m, const struct console_opts *o);

#endif
