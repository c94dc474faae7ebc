/*
 * test_tutorial.c - runs every command shown in docs/tutorial.md and
 * compares its output with the text printed under it, so the tutorial
 * cannot go stale.
 *
 * The tutorial's fenced blocks tagged
 *   hvdbg-session  "$ build/hvdbg ARGS" then "(hvdbg) CMD" lines, each
 *                  followed by its expected output;
 *   gdb-session    "$ gdb-multiarch ARGS" then "(gdb) CMD" lines, the
 *                  same (skipped, with a message, without gdb-multiarch);
 *   console        "$ SHELL COMMAND" lines, each followed by its output;
 * are run here; any other fenced block that contains a "$ ", "(hvdbg) " or
 * "(gdb) " line is an error (a command nobody runs).  Lines before the
 * first prompt of a session are the program's start-up output.
 *
 * A session runs as one process: the commands go into a script (-x FILE,
 * with --batch --no-color for hvdbg; -batch -nx for gdb), separated by
 * `echo` markers so each command's output can be cut out and compared.
 * Comparison, line by line: runs of blanks count as one space, leading
 * and trailing blanks and trailing empty lines are ignored; an expected
 * line "..." matches any number of lines, and "..." inside a line matches
 * any text.
 *
 * Everything runs in a scratch directory laid out as the build tree:
 * build/examples/guests/NAME.{elf,bin} built from each examples/guests/NAME.S as
 * the Makefile does, and build/hvdbg and build/examples/vmm/mini_vmm as
 * symbolic links to this test binary, which acts as those programs when
 * called by those names (src/main.c and examples/vmm/mini_vmm.c are
 * compiled in), and build/linux/ as `make linux-files` makes it.  So the
 * commands run exactly as the tutorial prints them.
 */
#include <check.h>
#include <ctype.h>
#include <glob.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define main hvdbg_main
#include "../src/main.c"
#undef main
#define main mini_vmm_main
#include "../examples/vmm/mini_vmm.c"
#undef main
int hvdbg_main(int argc, char **argv);
int mini_vmm_main(int argc, char **argv);

#define MARKER "@@hvdbg-tutorial@@"
#define MAX_BLOCKS 128

enum block_kind { BK_HVDBG, BK_GDB, BK_CONSOLE };

struct block {
	enum block_kind kind;
	int line;       /* of the opening fence in tutorial.md */
	char **lines;   /* the block's lines, without the fences */
	int nlines;
};

static char g_src[512], g_tmp[256], g_doc[600];
static struct block g_blocks[MAX_BLOCKS];
static int g_nblocks;
static bool g_have_gdb;

/* --------------------------------------------------------- parsing */

static char *xstrdup(const char *s)
{
	char *d = strdup(s);
	if (!d) {
		fprintf(stderr, "test_tutorial: out of memory\n");
		exit(1);
	}
	return d;
}

static bool starts(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

static bool is_command_line(const char *s)
{
	return starts(s, "$ ") || starts(s, "(hvdbg) ") || starts(s, "(gdb) ");
}

/* Reads the fenced blocks of the tutorial; exits on a malformed file. */
static void parse_tutorial(void)
{
	FILE *f = fopen(g_doc, "r");
	if (!f) {
		perror(g_doc);
		exit(1);
	}
	char buf[4096];
	int lineno = 0;
	struct block *b = NULL;
	bool in_other = false, other_has_cmd = false;
	int other_line = 0;
	while (fgets(buf, sizeof(buf), f)) {
		lineno++;
		buf[strcspn(buf, "\n")] = 0;
		if (starts(buf, "```")) {
			if (b) {
				b = NULL;
				continue;
			}
			if (in_other) {
				if (other_has_cmd) {
					fprintf(stderr, "test_tutorial: %s:%d: a block with commands that is not "
						"tagged hvdbg-session, gdb-session or console\n", g_doc, other_line);
					exit(1);
				}
				in_other = false;
				continue;
			}
			const char *tag = buf + 3;
			enum block_kind k;
			if (!strcmp(tag, "hvdbg-session"))
				k = BK_HVDBG;
			else if (!strcmp(tag, "gdb-session"))
				k = BK_GDB;
			else if (!strcmp(tag, "console"))
				k = BK_CONSOLE;
			else {
				in_other = true;
				other_has_cmd = false;
				other_line = lineno;
				continue;
			}
			if (g_nblocks == MAX_BLOCKS) {
				fprintf(stderr, "test_tutorial: more than %d blocks\n", MAX_BLOCKS);
				exit(1);
			}
			b = &g_blocks[g_nblocks++];
			b->kind = k;
			b->line = lineno;
			continue;
		}
		if (in_other) {
			other_has_cmd |= is_command_line(buf);
			continue;
		}
		if (!b)
			continue;
		char **nl = realloc(b->lines, (size_t)(b->nlines + 1) * sizeof(*nl));
		if (!nl) {
			fprintf(stderr, "test_tutorial: out of memory\n");
			exit(1);
		}
		b->lines = nl;
		b->lines[b->nlines++] = xstrdup(buf);
	}
	fclose(f);
	if (b || in_other) {
		fprintf(stderr, "test_tutorial: %s: unterminated block\n", g_doc);
		exit(1);
	}
	for (int i = 0; i < g_nblocks; i++) {
		struct block *x = &g_blocks[i];
		if (x->nlines == 0 || !starts(x->lines[0], "$ ")) {
			fprintf(stderr, "test_tutorial: %s:%d: a block must start with a \"$ \" line\n",
				g_doc, x->line);
			exit(1);
		}
	}
}

/* -------------------------------------------------------- matching */

/* Trims and collapses blanks into out. */
static void normalize(const char *s, char *out, size_t len)
{
	size_t o = 0;
	bool space = false;
	while (*s && isspace((unsigned char)*s))
		s++;
	for (; *s && o + 1 < len; s++) {
		if (isspace((unsigned char)*s)) {
			space = true;
			continue;
		}
		if (space && o + 2 < len)
			out[o++] = ' ';
		space = false;
		out[o++] = *s;
	}
	out[o] = 0;
}

/* One line: "..." inside the pattern matches any text. */
static bool line_match(const char *pat, const char *s)
{
	const char *star = strstr(pat, "...");
	if (!star)
		return strcmp(pat, s) == 0;
	size_t head = (size_t)(star - pat);
	if (strncmp(pat, s, head) != 0)
		return false;
	const char *rest = star + 3;
	for (const char *p = s + head;; p++) {
		if (line_match(rest, p))
			return true;
		if (!*p)
			return false;
	}
}

/* Lines: a pattern line "..." matches any number of lines. */
static bool lines_match(char **pat, int np, char **got, int ng)
{
	if (np == 0)
		return ng == 0;
	if (!strcmp(pat[0], "...")) {
		for (int k = 0; k <= ng; k++)
			if (lines_match(pat + 1, np - 1, got + k, ng - k))
				return true;
		return false;
	}
	return ng > 0 && line_match(pat[0], got[0]) && lines_match(pat + 1, np - 1, got + 1, ng - 1);
}

struct text {
	char **v;
	int n;
};

static void text_add(struct text *t, const char *s)
{
	char norm[4096];
	normalize(s, norm, sizeof(norm));
	char **nv = realloc(t->v, (size_t)(t->n + 1) * sizeof(*nv));
	ck_assert_ptr_nonnull(nv);
	t->v = nv;
	t->v[t->n++] = xstrdup(norm);
}

static void text_trim(struct text *t)
{
	while (t->n > 0 && t->v[t->n - 1][0] == 0)
		free(t->v[--t->n]);
}

static void text_free(struct text *t)
{
	for (int i = 0; i < t->n; i++)
		free(t->v[i]);
	free(t->v);
	t->v = NULL;
	t->n = 0;
}

static char *text_join(const struct text *t)
{
	size_t len = 1;
	for (int i = 0; i < t->n; i++)
		len += strlen(t->v[i]) + 5;
	char *s = malloc(len);
	ck_assert_ptr_nonnull(s);
	s[0] = 0;
	for (int i = 0; i < t->n; i++) {
		strcat(s, "  | ");
		strcat(s, t->v[i]);
		strcat(s, "\n");
	}
	return s;
}

static void expect_text(const struct block *b, const char *what, struct text *want, struct text *got)
{
	text_trim(want);
	text_trim(got);
	if (lines_match(want->v, want->n, got->v, got->n))
		return;
	char *w = text_join(want), *g = text_join(got);
	ck_abort_msg("docs/tutorial.md:%d: %s\nexpected:\n%sgot:\n%s", b->line, what, w, g);
}

/* --------------------------------------------------------- running */

/* Runs a shell command in the scratch tree; its output (stdout and
 * stderr) split into lines. */
static void run_capture(const char *cmd, struct text *out)
{
	char full[4096];
	snprintf(full, sizeof(full), "cd %s && HOME=%s timeout 120 sh -c '%s' 2>&1 </dev/null", g_tmp,
		 g_tmp, cmd);
	FILE *p = popen(full, "r");
	ck_assert_ptr_nonnull(p);
	char buf[4096];
	while (fgets(buf, sizeof(buf), p)) {
		buf[strcspn(buf, "\n")] = 0;
		text_add(out, buf);
	}
	pclose(p);
}

static void run_console(const struct block *b)
{
	int i = 0;
	while (i < b->nlines) {
		const char *cmd = b->lines[i] + 2;
		struct text want = { 0 }, got = { 0 };
		for (i++; i < b->nlines && !starts(b->lines[i], "$ "); i++)
			text_add(&want, b->lines[i]);
		ck_assert_msg(strchr(cmd, '\'') == NULL, "docs/tutorial.md:%d: no quotes in commands", b->line);
		run_capture(cmd, &got);
		char what[600];
		snprintf(what, sizeof(what), "$ %s", cmd);
		expect_text(b, what, &want, &got);
		text_free(&want);
		text_free(&got);
	}
}

static void run_session(const struct block *b)
{
	const char *prompt = b->kind == BK_HVDBG ? "(hvdbg) " : "(gdb) ";
	char script[400];
	snprintf(script, sizeof(script), "%s/session-%d.cmds", g_tmp, b->line);
	FILE *f = fopen(script, "w");
	ck_assert_ptr_nonnull(f);
	int ncmds = 0;
	for (int i = 1; i < b->nlines; i++) {
		if (!starts(b->lines[i], prompt))
			continue;
		fprintf(f, "echo %s\\n\n%s\n", MARKER, b->lines[i] + strlen(prompt));
		ncmds++;
	}
	fclose(f);

	const char *cmd = b->lines[0] + 2;
	char full[1200];
	if (b->kind == BK_HVDBG)
		snprintf(full, sizeof(full), "%s --batch --no-color -x %s", cmd, script);
	else
		snprintf(full, sizeof(full), "%s -batch -nx -x %s", cmd, script);
	ck_assert_msg(strchr(cmd, '\'') == NULL, "docs/tutorial.md:%d: no quotes in commands", b->line);
	struct text got = { 0 };
	run_capture(full, &got);
	unlink(script);

	/* Cut the output at the markers: part 0 is the start-up output. */
	int part = 0, g = 0, i = 1;
	while (part <= ncmds) {
		struct text want = { 0 }, have = { 0 };
		char what[600];
		if (part == 0) {
			snprintf(what, sizeof(what), "start-up output of $ %s", cmd);
		} else {
			snprintf(what, sizeof(what), "%s", b->lines[i]);
			i++;
		}
		for (; i < b->nlines && !starts(b->lines[i], prompt); i++)
			text_add(&want, b->lines[i]);
		for (; g < got.n && strcmp(got.v[g], MARKER) != 0; g++)
			text_add(&have, got.v[g]);
		if (g < got.n)
			g++; /* the marker */
		else
			ck_assert_msg(part == ncmds, "docs/tutorial.md:%d: the session ended before %s",
				      b->line, i < b->nlines ? b->lines[i] : "its last command");
		expect_text(b, what, &want, &have);
		text_free(&want);
		text_free(&have);
		part++;
	}
	text_free(&got);
}

/* ------------------------------------------------ C excerpts */

/* A line of C as the excerpts compare it: no comments, no blanks, and
 * CHECK(call) as the call (the tutorial leaves the error check out). */
static void c_norm(const char *in, char *out, size_t len)
{
	size_t n = 0;
	for (const char *p = in; *p && n + 1 < len; p++) {
		if (p[0] == '/' && p[1] == '*') {
			const char *e = strstr(p + 2, "*/");
			if (!e)
				break;
			p = e + 1;
			continue;
		}
		if (p[0] == '/' && p[1] == '/')
			break;
		if (!isspace((unsigned char)*p))
			out[n++] = *p;
	}
	out[n] = 0;
	size_t l = strlen(out);
	if (!strncmp(out, "CHECK(", 6) && l > 8 && !strcmp(out + l - 2, ");")) {
		memmove(out, out + 6, l - 6);
		out[l - 8] = ';';
		out[l - 7] = 0;
	}
}

/* Does snippet[si..] match source[ki..] line by line ("..." skips any
 * number of source lines; comment-only source lines are skipped)? */
static bool excerpt_at(char **snip, size_t ns, size_t si, char **src, size_t nk, size_t ki)
{
	char a[512], b[512];
	while (si < ns) {
		if (!strcmp(snip[si], "...")) {
			for (size_t k = ki; k <= nk; k++)
				if (excerpt_at(snip, ns, si + 1, src, nk, k))
					return true;
			return false;
		}
		c_norm(snip[si], a, sizeof(a));
		if (!a[0]) {
			si++;
			continue;
		}
		while (ki < nk && (c_norm(src[ki], b, sizeof(b)), !b[0]))
			ki++;
		if (ki == nk || strcmp(a, b))
			return false;
		si++;
		ki++;
	}
	return true;
}

static char **split_lines(char *text, size_t *n)
{
	size_t cap = 16;
	char **v = malloc(cap * sizeof(*v));
	*n = 0;
	for (char *line = strtok(text, "\n"); v && line; line = strtok(NULL, "\n")) {
		if (*n == cap) {
			char **nv = realloc(v, (cap *= 2) * sizeof(*v));
			if (!nv)
				break;
			v = nv;
		}
		char *t = line;
		while (isspace((unsigned char)*t))
			t++;
		v[(*n)++] = t;
	}
	return v;
}

static char *slurp_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	char *b = n >= 0 ? malloc((size_t)n + 1) : NULL;
	if (b && fread(b, 1, (size_t)n, f) == (size_t)n)
		b[n] = 0;
	else if (b) {
		free(b);
		b = NULL;
	}
	fclose(f);
	return b;
}

/* Every ```c block of the tutorial is a true excerpt of mini_vmm.c: its
 * lines are consecutive lines of the file (comments and CHECK() aside),
 * "..." where lines are left out - so a copy cannot drop a guard such
 * as handle_mmio's `if (srt != 31)`. */
START_TEST(c_excerpts_match_mini_vmm)
{
	char path[700];
	snprintf(path, sizeof(path), "%s/examples/vmm/mini_vmm.c", g_src);
	char *src = slurp_file(path), *doc = slurp_file(g_doc);
	ck_assert_msg(src && doc, "cannot read %s or %s", path, g_doc);
	size_t nk, nblocks = 0;
	char **srcl = split_lines(src, &nk);
	for (char *p = strstr(doc, "\n```c\n"); p; p = strstr(p, "\n```c\n")) {
		char *body = p + 6, *end = strstr(body, "\n```");
		ck_assert_ptr_nonnull(end);
		*end = 0;
		int line = 1;
		for (char *q = doc; q < body; q++)
			line += *q == '\n';
		char *copy = strdup(body);
		size_t ns;
		char **snip = split_lines(copy, &ns);
		bool found = false;
		for (size_t k = 0; k < nk && !found; k++)
			found = excerpt_at(snip, ns, 0, srcl, nk, k);
		ck_assert_msg(found, "docs/tutorial.md:%d: the C excerpt is not mini_vmm.c's code (a line differs or "
				     "is left out without \"...\")", line);
		free(snip);
		free(copy);
		nblocks++;
		p = end + 1;
	}
	ck_assert_uint_ge(nblocks, 2);
	free(srcl);
	free(src);
	free(doc);
}
END_TEST

START_TEST(tutorial_block)
{
	const struct block *b = &g_blocks[_i];
	if (b->kind == BK_GDB && !g_have_gdb) {
		printf("test_tutorial: docs/tutorial.md:%d: gdb-multiarch not found, gdb session skipped\n",
		       b->line);
		return;
	}
	if (b->kind == BK_CONSOLE)
		run_console(b);
	else
		run_session(b);
}
END_TEST

/* ----------------------------------------------------------- setup */

static void must(bool ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "test_tutorial: %s\n", what);
		exit(1);
	}
}

static void find_src(void)
{
	const char *src = getenv("HVDBG_SRCDIR");
	if (src) {
		snprintf(g_src, sizeof(g_src), "%s", src);
	} else { /* __FILE__ is tests/test_tutorial.c relative to the repository */
		snprintf(g_src, sizeof(g_src), "%s", __FILE__);
		char *slash = strrchr(g_src, '/');
		if (slash)
			*slash = 0;
		else
			snprintf(g_src, sizeof(g_src), ".");
		strncat(g_src, "/..", sizeof(g_src) - strlen(g_src) - 1);
	}
	char *abs = realpath(g_src, NULL);
	must(abs != NULL && strlen(abs) < sizeof(g_src), "cannot find the source directory");
	snprintf(g_src, sizeof(g_src), "%s", abs);
	free(abs);
	snprintf(g_doc, sizeof(g_doc), "%s/docs/tutorial.md", g_src);
}

/* The scratch tree: guests built as the Makefile does (from the source
 * directory, so the DWARF paths are the same), and the programs. */
static void make_tree(void)
{
	char cmd[4096], self[PATH_MAX];
	snprintf(g_tmp, sizeof(g_tmp), "/tmp/hvdbg-test-tutorial-%d", (int)getpid());
	snprintf(cmd, sizeof(cmd), "mkdir -p %s/build/examples/guests %s/build/examples/vmm", g_tmp, g_tmp);
	must(system(cmd) == 0, "cannot create the scratch tree");
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	must(n > 0, "cannot find this program (/proc/self/exe)");
	self[n] = 0;
	snprintf(cmd, sizeof(cmd), "%s/build/hvdbg", g_tmp);
	must(symlink(self, cmd) == 0, "cannot link build/hvdbg");
	snprintf(cmd, sizeof(cmd), "%s/build/examples/vmm/mini_vmm", g_tmp);
	must(symlink(self, cmd) == 0, "cannot link mini_vmm");

	char pat[700];
	glob_t gl;
	snprintf(pat, sizeof(pat), "%s/examples/guests/*.S", g_src);
	must(glob(pat, 0, NULL, &gl) == 0, "no example guests");
	for (size_t i = 0; i < gl.gl_pathc; i++) {
		const char *base = strrchr(gl.gl_pathv[i], '/') + 1;
		char name[128];
		snprintf(name, sizeof(name), "%.*s", (int)(strlen(base) - 2), base);
		snprintf(cmd, sizeof(cmd),
			 "cd %s && aarch64-linux-gnu-gcc -g -nostdlib -nostartfiles -static "
			 "-Wl,-Ttext=0x40000000 -Wl,--build-id=none -o %s/build/examples/guests/%s.elf "
			 "examples/guests/%s.S && aarch64-linux-gnu-objcopy -O binary "
			 "%s/build/examples/guests/%s.elf %s/build/examples/guests/%s.bin",
			 g_src, g_tmp, name, name, g_tmp, name, g_tmp, name);
		must(system(cmd) == 0, "cannot build an example guest with aarch64-linux-gnu-gcc");
	}
	globfree(&gl);

	/* Lesson 10: build/linux/ as `make linux-files` makes it (Debian's
	 * kernel, its symbols and the demo initramfs, fetched once). */
	snprintf(cmd, sizeof(cmd),
		 "set -e; cd %s; set -- $(%s/tests/linux/fetch.sh %s/build/hvdbg); mkdir -p %s/build/linux; "
		 "ln -s $1 %s/build/linux/Image; ln -s $3 %s/build/linux/System.map; "
		 "tests/linux/initramfs.sh demo %s/build/linux/demo.cpio",
		 g_src, g_src, g_tmp, g_tmp, g_tmp, g_tmp, g_tmp);
	must(system(cmd) == 0, "cannot make build/linux (tests/linux/fetch.sh)");
}

int main(int argc, char **argv)
{
	const char *me = strrchr(argv[0], '/');
	me = me ? me + 1 : argv[0];
	if (!strcmp(me, "hvdbg"))
		return hvdbg_main(argc, argv);
	if (!strcmp(me, "mini_vmm"))
		return mini_vmm_main(argc, argv);

	find_src();
	parse_tutorial();
	make_tree();
	g_have_gdb = system("command -v gdb-multiarch >/dev/null 2>&1") == 0;
	if (!g_have_gdb)
		printf("test_tutorial: gdb-multiarch not found: the gdb sessions are skipped\n");

	Suite *s = suite_create("tutorial");
	TCase *tc = tcase_create("blocks");
	tcase_set_timeout(tc, 300);
	tcase_add_loop_test(tc, tutorial_block, 0, g_nblocks);
	tcase_add_test(tc, c_excerpts_match_mini_vmm);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	char cmd[400];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", g_tmp);
	if (system(cmd) != 0)
		fprintf(stderr, "test_tutorial: cannot remove %s\n", g_tmp);
	return failed ? 1 : 0;
}
