/*
 * line.c - line editing through libedit's readline-compatible API:
 * emacs keys, history kept in a file across runs, and tab completion of
 * command names, info subcommands, $registers (register names after
 * `info registers`), and symbols elsewhere.  Without a terminal on stdin
 * lines are read with getline (libedit does no editing there).
 */
#include <editline/readline.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "repl_internal.h"

static struct repl *g_repl;
static char *g_history;
static bool g_tty;

/* Matches collected for the current completion (rl_completion_matches
 * calls the generator until it returns NULL). */
static char **g_matches;
static size_t g_nmatches, g_cap, g_next;

static void match_reset(void)
{
	for (size_t i = g_next; i < g_nmatches; i++)
		free(g_matches[i]);
	g_nmatches = g_next = 0;
}

static void match_add(const char *prefix, const char *name)
{
	if (g_nmatches == g_cap) {
		size_t cap = g_cap ? g_cap * 2 : 64;
		char **n = realloc(g_matches, cap * sizeof(*n));
		if (!n)
			return;
		g_matches = n;
		g_cap = cap;
	}
	size_t len = strlen(prefix) + strlen(name) + 1;
	char *s = malloc(len);
	if (!s)
		return;
	snprintf(s, len, "%s%s", prefix, name);
	for (size_t i = 0; i < g_nmatches; i++) /* aliases and duplicates */
		if (!strcmp(g_matches[i], s)) {
			free(s);
			return;
		}
	g_matches[g_nmatches++] = s;
}

static char *gen_next(const char *text, int state)
{
	(void)text;
	(void)state;
	if (g_next < g_nmatches)
		return g_matches[g_next++]; /* ownership goes to libedit */
	return NULL;
}

struct reg_ctx {
	const char *text, *prefix;
};

static int reg_cb(void *ctx, const char *name)
{
	struct reg_ctx *c = ctx;
	size_t pl = strlen(c->prefix);
	if (!strncmp(name, c->text + pl, strlen(c->text) - pl))
		match_add(c->prefix, name);
	return 0;
}

static int sym_cb(void *ctx, const struct elf_symbol *s)
{
	(void)ctx;
	match_add("", s->name);
	return g_nmatches > 5000;
}

/* The n-th word (0-based) of the line before position end, in buf. */
static void nth_word(const char *line, int end, int n, char *buf, size_t len)
{
	int i = 0, w = -1;
	buf[0] = 0;
	while (i < end) {
		while (i < end && (line[i] == ' ' || line[i] == '\t'))
			i++;
		if (i >= end)
			break;
		int start = i;
		while (i < end && line[i] != ' ' && line[i] != '\t' && line[i] != '/')
			i++;
		if (++w == n) {
			snprintf(buf, len, "%.*s", i - start, line + start);
			return;
		}
		while (i < end && line[i] != ' ' && line[i] != '\t')
			i++;
	}
}

static int word_index(const char *line, int start)
{
	int n = 0;
	bool in = false;
	for (int i = 0; i < start; i++) {
		bool sp = line[i] == ' ' || line[i] == '\t';
		if (!sp && !in)
			n++;
		in = !sp;
	}
	return n;
}

static char **complete(const char *text, int start, int end)
{
	(void)end;
	match_reset();
	rl_attempted_completion_over = 1; /* never fall back to file names */
	int w = word_index(rl_line_buffer, start);
	char first[32], second[32];
	nth_word(rl_line_buffer, start, 0, first, sizeof(first));
	nth_word(rl_line_buffer, start, 1, second, sizeof(second));
	bool amb;
	const struct repl_cmd *cmd = w ? repl_cmd_find(first, &amb) : NULL;
	if (w == 0 || (cmd && !strcmp(cmd->name, "help") && w == 1)) {
		size_t n;
		const struct repl_cmd *t = repl_cmd_table(&n);
		for (size_t i = 0; i < n; i++)
			if (!strncmp(t[i].name, text, strlen(text)))
				match_add("", t[i].name);
	} else if (text[0] == '$') {
		struct reg_ctx c = { text, "$" };
		reg_names(reg_cb, &c);
	} else if (cmd && !strcmp(cmd->name, "info") && w == 1) {
		for (size_t i = 0; repl_info_subcmds[i]; i++)
			if (!strncmp(repl_info_subcmds[i], text, strlen(text)))
				match_add("", repl_info_subcmds[i]);
	} else if (cmd && !strcmp(cmd->name, "info") && second[0] == 'r') {
		static const char *const groups[] = { "core", "fp", "sys", "all" };
		for (size_t i = 0; i < 4; i++)
			if (!strncmp(groups[i], text, strlen(text)))
				match_add("", groups[i]);
		struct reg_ctx c = { text, "" };
		reg_names(reg_cb, &c);
	} else if (cmd && (!strcmp(cmd->name, "trace") || !strcmp(cmd->name, "set"))) {
		static const char *const onoff[] = { "on", "off", "color", "trace" };
		for (size_t i = 0; i < 4; i++)
			if (!strncmp(onoff[i], text, strlen(text)))
				match_add("", onoff[i]);
	} else if (g_repl && g_repl->img) {
		const char *t = text[0] == '*' || text[0] == '&' ? text + 1 : text;
		elf_sym_complete(g_repl->img, t, sym_cb, NULL);
		if (t != text) { /* keep the '*' the user typed */
			char prefix[2] = { text[0], 0 };
			for (size_t i = 0; i < g_nmatches; i++) {
				char *s = malloc(strlen(g_matches[i]) + 2);
				if (!s)
					continue;
				snprintf(s, strlen(g_matches[i]) + 2, "%s%s", prefix, g_matches[i]);
				free(g_matches[i]);
				g_matches[i] = s;
			}
		}
	}
	if (!g_nmatches)
		return NULL;
	return rl_completion_matches(text, gen_next);
}

void line_init(struct repl *r, const char *history_path)
{
	g_repl = r;
	g_tty = isatty(STDIN_FILENO);
	if (history_path) {
		g_history = strdup(history_path);
	} else {
		const char *home = getenv("HOME");
		if (home && *home) {
			size_t len = strlen(home) + 32;
			g_history = malloc(len);
			if (g_history)
				snprintf(g_history, len, "%s/.hvdbg_history", home);
		}
	}
	if (!g_tty)
		return;
	rl_readline_name = "hvdbg";
	/* '$' and '*' stay in the word: $x0, *sym */
	rl_basic_word_break_characters = " \t\n+-|&(,=";
	rl_completer_word_break_characters = (char *)" \t\n+-|&(,=";
	rl_attempted_completion_function = complete;
	stifle_history(1000);
	if (g_history)
		read_history(g_history);
}

char *line_read(const char *prompt)
{
	if (g_tty)
		return readline(prompt);
	char *line = NULL;
	size_t cap = 0;
	ssize_t n = getline(&line, &cap, stdin);
	if (n < 0) {
		free(line);
		return NULL;
	}
	if (n && line[n - 1] == '\n')
		line[n - 1] = 0;
	return line;
}

/* At a terminal lines are read through libedit's callback interface,
 * polled with two more descriptors: the machine's stop pipe (a guest
 * running in the background stopped) and the Ctrl-C pipe (SIGINT drops
 * the line) - so neither depends on how a signal meets libedit's read. */
static char *g_cb_line;
static bool g_cb_done, g_cb_installed;

static void cb_line(char *line)
{
	g_cb_line = line;
	g_cb_done = true;
	rl_callback_handler_remove(); /* one line per install */
	g_cb_installed = false;
}

void line_release_prompt(void)
{
	if (g_cb_installed) {
		rl_callback_handler_remove();
		g_cb_installed = false;
		printf("\n");
	}
}

static void drain(int fd)
{
	char buf[64];
	while (fd >= 0 && read(fd, buf, sizeof(buf)) > 0)
		;
}

char *line_read_poll(const char *prompt, int stop_fd, int intr_fd, enum line_end *end)
{
	*end = LINE_OK;
	g_cb_line = NULL;
	g_cb_done = false;
	drain(intr_fd); /* a Ctrl-C before this prompt is not for it */
	if (!g_tty) { /* piped commands: no prompt, as before */
		if (stop_fd < 0) {
			char *l = line_read("");
			if (!l)
				*end = LINE_EOF;
			return l;
		}
	} else if (!g_cb_installed) {
		rl_callback_handler_install(prompt, cb_line);
		g_cb_installed = true;
	}
	fflush(stdout);
	for (;;) {
		struct pollfd p[3] = { { STDIN_FILENO, POLLIN, 0 }, { stop_fd, POLLIN, 0 }, { intr_fd, POLLIN, 0 } };
		int n = poll(p, 3, -1);
		if (n < 0 && errno != EINTR)
			break;
		/* SIGINT comes to this thread (main.c), and its handler has run
		 * by the time poll returns: a Ctrl-C typed before a key is seen
		 * before that key is read. */
		if (repl_sigint || (n > 0 && p[2].revents)) { /* Ctrl-C: the line is dropped, a new prompt */
			drain(intr_fd);
			repl_sigint = 0;
			line_release_prompt();
			*end = LINE_INTERRUPTED;
			return NULL;
		}
		if (n < 0)
			continue;
		if (p[1].revents) { /* the guest stopped: the caller reports it */
			*end = LINE_STOPPED;
			return NULL;
		}
		if (!p[0].revents)
			continue;
		if (!g_tty) {
			char *l = line_read("");
			if (!l)
				*end = LINE_EOF;
			return l;
		}
		rl_callback_read_char();
		if (g_cb_done) {
			if (!g_cb_line)
				*end = LINE_EOF;
			return g_cb_line;
		}
	}
	line_release_prompt();
	*end = LINE_EOF;
	return NULL;
}

void line_add_history(const char *line)
{
	if (!g_tty)
		return;
	add_history(line);
	if (g_history) /* after every line, so a crash or kill keeps it */
		write_history(g_history);
}

void line_fini(void)
{
	match_reset();
	free(g_matches);
	g_matches = NULL;
	g_cap = 0;
	free(g_history);
	g_history = NULL;
}
