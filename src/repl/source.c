/*
 * source.c - the guest's source files: found from the DWARF line
 * table's names (absolute, else relative to the current directory, the
 * compilation directory, or the ELF's directory and its parents), read
 * once and kept; `list` as gdb's (around the selected frame's line, a
 * LINE, FILE:LINE or FUNCTION; again: the next ten, `list -` the ten
 * before), and the line shown under each stop's location.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "repl_internal.h"

#define MAX_SOURCES 32
#define MAX_SOURCE_SIZE (16u << 20)

struct source {
	char *name;     /* as DWARF names it (interned pointer compared too) */
	char *text;     /* NULL: not found */
	char **lines;   /* lines[1..nlines] */
	unsigned nlines;
};

static struct source g_src[MAX_SOURCES];
static unsigned g_nsrc;

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	char *buf = NULL;
	long n = -1;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && n <= (long)MAX_SOURCE_SIZE && fseek(f, 0, SEEK_SET) == 0 &&
	    (buf = malloc((size_t)n + 1)) && fread(buf, 1, (size_t)n, f) == (size_t)n) {
		buf[n] = 0;
	} else {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	return buf;
}

/* The file's text from the first place it exists. */
static char *find_text(const struct repl *r, const char *name)
{
	char path[PATH_MAX];
	if (name[0] == '/')
		return slurp(name);
	char *t = slurp(name);
	if (t)
		return t;
	if (r->img && r->img->comp_dir) {
		if ((size_t)snprintf(path, sizeof(path), "%.2048s/%.1024s", r->img->comp_dir, name) < sizeof(path) &&
		    (t = slurp(path)))
			return t;
	}
	/* the ELF's directory and up to three parents (build/examples/guests/x.elf) */
	if (r->img && r->img->path) {
		char dir[PATH_MAX];
		snprintf(dir, sizeof(dir), "%s", r->img->path);
		for (int up = 0; up < 4; up++) {
			char *slash = strrchr(dir, '/');
			if (!slash)
				break;
			*slash = 0;
			if ((size_t)snprintf(path, sizeof(path), "%.2048s/%.1024s", dir, name) < sizeof(path) &&
			    (t = slurp(path)))
				return t;
		}
	}
	return NULL;
}

static const struct source *source_get(const struct repl *r, const char *name)
{
	for (unsigned i = 0; i < g_nsrc; i++)
		if (!strcmp(g_src[i].name, name))
			return &g_src[i];
	if (g_nsrc == MAX_SOURCES) /* a guest of more files: the rest show no source */
		return NULL;
	struct source *s = &g_src[g_nsrc];
	memset(s, 0, sizeof(*s));
	s->name = strdup(name);
	if (!s->name)
		return NULL;
	g_nsrc++;
	s->text = find_text(r, name);
	if (!s->text)
		return s;
	unsigned n = 1;
	for (const char *p = s->text; *p; p++)
		n += *p == '\n';
	s->lines = calloc(n + 1, sizeof(*s->lines));
	if (!s->lines) {
		free(s->text);
		s->text = NULL;
		return s;
	}
	char *p = s->text;
	while (*p && s->nlines < n) {
		s->lines[++s->nlines] = p;
		char *nl = strchr(p, '\n');
		if (!nl)
			break;
		*nl = 0;
		if (nl > p && nl[-1] == '\r')
			nl[-1] = 0;
		p = nl + 1;
	}
	return s;
}

void source_forget(void)
{
	for (unsigned i = 0; i < g_nsrc; i++) {
		free(g_src[i].name);
		free(g_src[i].text);
		free(g_src[i].lines);
	}
	g_nsrc = 0;
}

const char *source_line(const struct repl *r, const char *file, unsigned line)
{
	const struct source *s = file ? source_get(r, file) : NULL;
	return s && s->text && line >= 1 && line <= s->nlines ? s->lines[line] : NULL;
}

void source_show_at(struct repl *r, uint64_t pc)
{
	const struct elf_line *l = r->img ? elf_line_by_addr(r->img, pc) : NULL;
	const char *text = l && l->file ? source_line(r, l->file, l->line) : NULL;
	if (text)
		printf("%u\t%s\n", l->line, text);
	if (l && l->file) {
		r->list_file = l->file;
		r->list_next = l->line > 5 ? l->line - 5 : 1;
		r->list_first = 0;
	}
}

/* Prints lines [first, first+count) of file; false if it has none. */
static bool print_lines(struct repl *r, const char *file, unsigned first, unsigned count)
{
	const struct source *s = source_get(r, file);
	if (!s || !s->text)
		return false;
	if (first < 1)
		first = 1;
	if (first > s->nlines) {
		printf("Line number %u out of range; \"%s\" has %u lines.\n", first, file, s->nlines);
		return true;
	}
	unsigned last = first + count - 1 < s->nlines ? first + count - 1 : s->nlines;
	for (unsigned i = first; i <= last; i++)
		printf("%u\t%s\n", i, s->lines[i]);
	r->list_file = s->name;
	r->list_first = first;
	r->list_next = last + 1;
	return true;
}

/* A line-table file name that ends with the user's (frames.S matches
 * examples/guests/frames.S). */
static const char *file_named(const struct repl *r, const char *want)
{
	size_t wl = strlen(want);
	for (size_t i = 0; r->img && i < r->img->nlines; i++) {
		const char *f = r->img->lines[i].file;
		size_t fl = f ? strlen(f) : 0;
		if (f && fl >= wl && !strcmp(f + fl - wl, want) && (fl == wl || f[fl - wl - 1] == '/'))
			return f;
	}
	return NULL;
}

int cmd_list(struct repl *r, const char *fmt, char *args)
{
	(void)fmt;
	args = skip_ws(args);
	rstrip(args);
	if (!r->img || !r->img->nlines)
		return repl_err(r, "no line information in the guest (build it with -g)");
	const char *file = r->list_file;
	unsigned center = 0;
	if (!strcmp(args, "-")) { /* the ten before the last listing */
		if (!file || !r->list_first)
			return repl_err(r, "no listing to go back from");
		if (r->list_first == 1)
			return repl_err(r, "Already at the start of %s.", file);
		unsigned first = r->list_first > 10 ? r->list_first - 10 : 1;
		unsigned count = r->list_first - first;
		print_lines(r, file, first, count);
		r->list_next = first + count + 10; /* `list` after `list -`: onwards from the earlier ten */
		r->list_first = first;
		return 0;
	}
	if (!*args) {
		if (!file) { /* first listing: around the selected frame */
			const struct elf_line *l = elf_line_by_addr(r->img, frame_selected_pc(r));
			if (!l || !l->file)
				return repl_err(r, "no line information at the pc");
			file = l->file;
			center = l->line;
		} else if (!print_lines(r, file, r->list_next, 10)) {
			return repl_err(r, "cannot read %s (not found beside the ELF, in %s, or here)", file,
					r->img->comp_dir ? r->img->comp_dir : "its compilation directory");
		} else {
			return 0;
		}
	} else {
		char *colon = strrchr(args, ':');
		char *end;
		unsigned long n = strtoul(colon ? colon + 1 : args, &end, 10);
		if (end != (colon ? colon + 1 : args) && !*end) { /* LINE or FILE:LINE */
			if (colon) {
				*colon = 0;
				file = file_named(r, args);
				if (!file)
					return repl_err(r, "no source file named %s in the line table", args);
			} else if (!file) {
				const struct elf_line *l = elf_line_by_addr(r->img, frame_selected_pc(r));
				file = l ? l->file : NULL;
			}
			center = (unsigned)n;
		} else { /* a location: function, *ADDR */
			char err[160];
			uint64_t addr;
			if (expr_location(r, args, &addr, err, sizeof(err)) != 0)
				return repl_err(r, "%s", err);
			const struct elf_line *l = elf_line_by_addr(r->img, addr);
			if (!l || !l->file)
				return repl_err(r, "no line information for 0x%llx", (unsigned long long)addr);
			file = l->file;
			center = l->line;
		}
	}
	if (!file)
		return repl_err(r, "no default source file yet");
	unsigned first = center > 5 ? center - 5 : 1;
	if (!print_lines(r, file, first, 10))
		return repl_err(r, "cannot read %s (not found beside the ELF, in %s, or here)", file,
				r->img->comp_dir ? r->img->comp_dir : "its compilation directory");
	return 0;
}
