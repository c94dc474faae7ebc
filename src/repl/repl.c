/*
 * repl.c - the REPL main loop: banner, -ex commands, -x script, then the
 * prompt (libedit on a terminal, plain lines otherwise); Enter repeats
 * the last repeatable command; Ctrl-C stops a running guest (the SIGINT
 * handler writes to a pipe, a thread calls machine_interrupt, which is
 * not async-signal-safe).
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "repl_internal.h"

volatile sig_atomic_t repl_sigint;
static int g_sigpipe[2] = { -1, -1 };
static int g_prompt_pipe[2] = { -1, -1 }; /* Ctrl-C at the prompt (line_read_poll) */

static void on_sigint(int sig)
{
	(void)sig;
	int saved = errno;
	repl_sigint = 1;
	char c = 'i';
	if (write(g_sigpipe[1], &c, 1) < 0) {
		/* pipe full: an interrupt is pending anyway */
	}
	if (g_prompt_pipe[1] >= 0 && write(g_prompt_pipe[1], &c, 1) < 0) {
		/* full: the prompt sees one anyway */
	}
	errno = saved;
}

static void *interrupt_thread(void *arg)
{
	struct machine *m = arg;
	char c;
	while (read(g_sigpipe[0], &c, 1) == 1 && c == 'i')
		machine_interrupt(m); /* stopped: kept for the next resume, which the next command discards */
	return NULL;
}

/* Keys typed ahead while a command runs survive the Ctrl-C that stops
 * it: NOFLSH (the tty would flush them), set again before each command. */
static void keep_typeahead(void)
{
	struct termios t;
	if (tcgetattr(STDIN_FILENO, &t) == 0 && !(t.c_lflag & NOFLSH)) {
		t.c_lflag |= NOFLSH;
		tcsetattr(STDIN_FILENO, TCSANOW, &t);
	}
}

int repl_err(struct repl *r, const char *fmt, ...)
{
	va_list ap;
	fflush(stdout);
	va_start(ap, fmt);
	fputs(r->color ? "\033[31m" : "", stdout);
	vprintf(fmt, ap);
	fputs(r->color ? "\033[0m\n" : "\n", stdout);
	va_end(ap);
	fflush(stdout);
	r->errors++;
	return -1;
}

const char *repl_hl_on(const struct repl *r)
{
	return r->color ? "\033[1;33m" : "";
}

const char *repl_hl_off(const struct repl *r)
{
	return r->color ? "\033[0m" : "";
}

/* What makes sense while the guest runs (continue &): nothing that needs
 * a stopped vCPU's registers or translation. */
static bool allowed_while_running(const struct repl_cmd *c, const char *args)
{
	if (c->fn == cmd_interrupt || c->fn == cmd_xp || c->fn == cmd_send || !strcmp(c->name, "help") ||
	    (c->fn == cmd_x && !strstr(args, "$")) || /* memory yes, registers no */
	    !strcmp(c->name, "echo") || !strcmp(c->name, "quit"))
		return true;
	if (c->fn != cmd_info)
		return false;
	static const char *const ok[] = { "b", "br", "breakpoints", "watchpoints", "display", "exits", "vcpus", "threads" };
	char word[32];
	snprintf(word, sizeof(word), "%s", args);
	char *sp = strpbrk(word, " \t");
	if (sp)
		*sp = 0;
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		if (!strcmp(word, ok[i]) || (strlen(word) >= 2 && !strncmp(ok[i], word, strlen(word))))
			return true;
	return false;
}

/* Runs one line; *cmd_out gets the command (for Enter repeats). */
static int exec_line(struct repl *r, const char *text, const struct repl_cmd **cmd_out)
{
	char line[2048];
	*cmd_out = NULL;
	if (bp_capture_line(r, text)) /* inside commands ... end */
		return 0;
	snprintf(line, sizeof(line), "%s", text);
	char *s = skip_ws(line);
	rstrip(s);
	if (*s == 0 || *s == '#')
		return 0;
	char *w = s;
	while (*s && *s != ' ' && *s != '\t' && *s != '/')
		s++;
	char *fmt = NULL;
	if (*s == '/') {
		*s++ = 0;
		fmt = s;
		while (*s && *s != ' ' && *s != '\t')
			s++;
	}
	if (*s)
		*s++ = 0;
	char *args = skip_ws(s);
	bool amb;
	const struct repl_cmd *c = repl_cmd_find(w, &amb);
	if (!c) {
		if (amb)
			return repl_err(r, "ambiguous command \"%s\": type 'help' for the list", w);
		return repl_err(r, "undefined command: \"%s\".  Try \"help\".", w);
	}
	if (fmt && c->fn != cmd_x && c->fn != cmd_xp && c->fn != cmd_print && c->fn != cmd_display)
		return repl_err(r, "%s takes no /FORMAT", c->name);
	if (r->bg) /* continue &: a stop since the last command is shown first */
		bg_stopped(r);
	if (machine_running(r->m) && !allowed_while_running(c, args))
		return repl_err(r, "the guest is running: 'interrupt' (or Ctrl-C) stops it; meanwhile: info "
				   "breakpoints/display/exits/vcpus, x and xp (no registers), send, help, echo");
	*cmd_out = c;
	/* A Ctrl-C before this command belongs to the past; one from now on
	 * stops what the command runs, however soon it comes. */
	repl_sigint = 0;
	machine_interrupt_discard(r->m);
	int rc = c->fn(r, fmt, args);
	fflush(stdout);
	bp_run_queued(r); /* the commands of a breakpoint this stopped at */
	fflush(stdout);
	return rc;
}

int repl_exec_line(struct repl *r, const char *line)
{
	const struct repl_cmd *c;
	return exec_line(r, line, &c);
}

static void banner(struct repl *r)
{
	const struct elf_image *img = r->img;
	if (img)
		printf("hvdbg: %s: entry 0x%llx, %zu symbols, %s; %u vCPU%s, RAM 0x%llx bytes at 0x%llx.\n",
		       img->path ? img->path : "guest", (unsigned long long)img->entry, img->nsyms,
		       img->nlines ? "line info" : "no line info", machine_ncpus(r->m),
		       machine_ncpus(r->m) == 1 ? "" : "s", (unsigned long long)machine_ram_size(r->m),
		       (unsigned long long)machine_ram_base(r->m));
	size_t dtb_size;
	if (machine_dtb(r->m, &dtb_size)) {
		uint64_t pc = 0, x0 = 0;
		machine_get_reg(r->m, 0, HV_REG_PC, &pc);
		machine_get_reg(r->m, 0, HV_REG_X0, &x0);
		printf("hvdbg: Linux kernel entry 0x%llx, device tree at 0x%llx (%zu bytes), GICv3, %u vCPU%s, "
		       "RAM 0x%llx bytes at 0x%llx%s.\n",
		       (unsigned long long)pc, (unsigned long long)x0, dtb_size, machine_ncpus(r->m),
		       machine_ncpus(r->m) == 1 ? "" : "s", (unsigned long long)machine_ram_size(r->m),
		       (unsigned long long)machine_ram_base(r->m), img ? "" : "; no symbols (--symbols System.map)");
	}
	if (r->interactive)
		printf("Type 'help' for the commands, TAB to complete, Ctrl-C to stop the guest; while it\n"
		       "runs, keys go to its UART (Ctrl-A c sends it a Ctrl-C).\n");
	uint64_t pc;
	if (machine_get_reg(r->m, r->cur, HV_REG_PC, &pc) == 0)
		stop_show_location(r, pc, true);
}

int repl_main(struct machine *m, const struct repl_opts *o)
{
	static struct repl rs; /* large (register snapshots): not on the stack */
	struct repl *r = &rs;
	memset(r, 0, sizeof(*r));
	r->m = m;
	r->img = machine_image(m);
	r->color = o->color && !getenv("NO_COLOR");
	r->interactive = isatty(STDIN_FILENO) && !o->batch;
	disas_init();

	pthread_t tid;
	bool have_thread = false;
	struct sigaction sa, old_sa;
	memset(&sa, 0, sizeof(sa));
	/* this thread takes SIGINT; the REPL's own threads are created with it
	 * blocked (main.c does the same for the machine's) */
	sigset_t intr, old_mask;
	sigemptyset(&intr);
	sigaddset(&intr, SIGINT);
	pthread_sigmask(SIG_BLOCK, &intr, &old_mask);
	if (pipe(g_prompt_pipe) == 0) {
		fcntl(g_prompt_pipe[0], F_SETFL, O_NONBLOCK);
		fcntl(g_prompt_pipe[1], F_SETFL, O_NONBLOCK);
	}
	if (pipe(g_sigpipe) == 0) {
		sa.sa_handler = on_sigint;
		sigemptyset(&sa.sa_mask);
		sa.sa_flags = SA_RESTART;
		sigaction(SIGINT, &sa, &old_sa);
		have_thread = pthread_create(&tid, NULL, interrupt_thread, m) == 0;
	}

	struct termios tty_saved;
	bool tty_set = r->interactive && tcgetattr(STDIN_FILENO, &tty_saved) == 0;
	if (r->interactive)
		r->console = console_start(m, true, true);
	pthread_sigmask(SIG_SETMASK, &old_mask, NULL);
	for (unsigned i = 0; i < machine_ncpus(m); i++)
		if (machine_vcpu_state(m, i) != VCPU_OFF)
			regs_snapshot(r, i);
	banner(r);
	fflush(stdout);

	for (unsigned i = 0; i < o->ncommands && !r->quit; i++)
		repl_exec_line(r, o->commands[i]);
	if (o->script && !r->quit) {
		char cmd[1100];
		snprintf(cmd, sizeof(cmd), "source %s", o->script);
		repl_exec_line(r, cmd);
	}

	if (!o->batch && !r->quit) {
		line_init(r, o->history);
		char repeat[2048] = "";
		for (;;) {
			fflush(stdout);
			repl_sigint = 0;
			const char *prompt = r->capture_bp ? ">" : "(hvdbg) ";
			struct machine_stop st;
			if (r->bg && !machine_running(m)) { /* continue &'s guest stopped */
				if (bg_take_stop(r, &st)) {
					line_release_prompt();
					stop_show(r, &st);
				}
				continue; /* or it went on past a condition */
			}
			enum line_end end;
			char *line = line_read_poll(prompt, r->bg ? machine_stop_fd(m) : -1, g_prompt_pipe[0], &end);
			if (end == LINE_STOPPED || end == LINE_INTERRUPTED) /* Ctrl-C: drop the line, as gdb */
				continue;
			if (tty_set) /* libedit put the terminal back as it found it */
				keep_typeahead();
			if (!line) {
				if (r->interactive)
					printf("quit\n");
				break;
			}
			const char *todo = line;
			if (!*skip_ws(line))
				todo = repeat;
			else
				line_add_history(line);
			const struct repl_cmd *c;
			exec_line(r, todo, &c);
			if (todo == line) {
				if (c && c->repeat)
					snprintf(repeat, sizeof(repeat), "%s", c->fn == cmd_x || c->fn == cmd_xp ? "x" : line);
				else
					repeat[0] = 0;
			}
			free(line);
			if (r->quit)
				break;
		}
		line_fini();
	}
	fflush(stdout);

	if (g_sigpipe[1] >= 0) {
		sigaction(SIGINT, &old_sa, NULL);
		char c = 'q';
		if (write(g_sigpipe[1], &c, 1) == 1 && have_thread)
			pthread_join(tid, NULL);
		close(g_sigpipe[0]);
		close(g_sigpipe[1]);
		g_sigpipe[0] = g_sigpipe[1] = -1;
	}
	if (g_prompt_pipe[0] >= 0) {
		close(g_prompt_pipe[0]);
		close(g_prompt_pipe[1]);
		g_prompt_pipe[0] = g_prompt_pipe[1] = -1;
	}
	console_stop(r->console);
	if (tty_set)
		tcsetattr(STDIN_FILENO, TCSANOW, &tty_saved);
	source_forget();
	disas_fini();
	return o->batch && r->errors ? 1 : 0;
}
