/*
 * elf_lines.c - DWARF line tables (libdw) flattened into one array
 * sorted by address, for pc -> file:line and file:line -> pc.
 */
#include <dwarf.h>
#include <elfutils/libdw.h>
#include <stdlib.h>
#include <string.h>

#include "elf_internal.h"

#define MAX_LINES (1u << 24) /* refuse absurd tables from hostile DWARF */

struct lines_buf {
	struct elf_image *img;
	size_t cap;
	bool oom;
};

static const char *intern(struct lines_buf *b, const char *s)
{
	struct elf_image *img = b->img;
	/* Few distinct files: a linear scan from the most recent is enough. */
	for (size_t i = img->nline_files; i-- > 0;)
		if (strcmp(img->line_files[i], s) == 0)
			return img->line_files[i];
	char **nf = realloc(img->line_files, (img->nline_files + 1) * sizeof(*nf));
	char *copy = strdup(s);
	if (!nf || !copy) {
		if (nf)
			img->line_files = nf;
		free(copy);
		b->oom = true;
		return NULL;
	}
	img->line_files = nf;
	img->line_files[img->nline_files++] = copy;
	return copy;
}

static void push(struct lines_buf *b, uint64_t addr, const char *file, unsigned line, bool stmt)
{
	struct elf_image *img = b->img;
	if (b->oom || img->nlines >= MAX_LINES)
		return;
	if (img->nlines == b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 256;
		struct elf_line *n = realloc(img->lines, cap * sizeof(*n));
		if (!n) {
			b->oom = true;
			return;
		}
		img->lines = n;
		b->cap = cap;
	}
	img->lines[img->nlines++] = (struct elf_line){ addr, file, line, stmt };
}

static int line_cmp(const void *a, const void *b)
{
	const struct elf_line *x = a, *y = b;
	if (x->addr != y->addr)
		return x->addr < y->addr ? -1 : 1;
	/* At equal addresses an end-of-sequence marker comes first, so that
	 * the row starting the next sequence wins. */
	return (x->file != NULL) - (y->file != NULL);
}

int elf_lines_load(struct elf_image *img, Elf *e, char *err, size_t errlen)
{
	Dwarf *dw = dwarf_begin_elf(e, DWARF_C_READ, NULL);
	if (!dw)
		return 0; /* no (usable) DWARF */
	struct lines_buf b = { .img = img };
	Dwarf_Off off = 0, next;
	size_t hsize;
	while (!b.oom && dwarf_nextcu(dw, off, &next, &hsize, NULL, NULL, NULL) == 0) {
		Dwarf_Die cu;
		Dwarf_Lines *lines;
		size_t n;
		if (dwarf_offdie(dw, off + hsize, &cu) && !img->comp_dir) {
			Dwarf_Attribute a;
			const char *dir = dwarf_formstring(dwarf_attr(&cu, DW_AT_comp_dir, &a));
			if (dir && !(img->comp_dir = strdup(dir)))
				b.oom = true;
		}
		if (dwarf_offdie(dw, off + hsize, &cu) && dwarf_getsrclines(&cu, &lines, &n) == 0) {
			for (size_t i = 0; i < n && !b.oom; i++) {
				Dwarf_Line *l = dwarf_onesrcline(lines, i);
				Dwarf_Addr a;
				int ln;
				bool stmt = false, end = false;
				if (!l || dwarf_lineaddr(l, &a) || dwarf_lineno(l, &ln))
					continue;
				dwarf_linebeginstatement(l, &stmt);
				dwarf_lineendsequence(l, &end);
				const char *src = end ? NULL : dwarf_linesrc(l, NULL, NULL);
				if (!end && !src)
					continue;
				push(&b, a + img->bias, src ? intern(&b, src) : NULL,
				     ln > 0 ? (unsigned)ln : 0, stmt);
			}
		}
		off = next;
	}
	dwarf_end(dw);
	if (b.oom)
		return elf_errf(err, errlen, "out of memory reading the DWARF line tables");
	if (img->nlines)
		qsort(img->lines, img->nlines, sizeof(*img->lines), line_cmp);
	return 0;
}

void elf_lines_free(struct elf_image *img)
{
	for (size_t i = 0; i < img->nline_files; i++)
		free(img->line_files[i]);
	free(img->line_files);
	free(img->lines);
	free(img->comp_dir);
	img->comp_dir = NULL;
	img->line_files = NULL;
	img->lines = NULL;
	img->nlines = img->nline_files = 0;
}

const struct elf_line *elf_line_by_addr(const struct elf_image *img, uint64_t addr)
{
	if (!img || !img->nlines)
		return NULL;
	size_t lo = 0, hi = img->nlines;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (img->lines[mid].addr <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0)
		return NULL;
	const struct elf_line *l = &img->lines[lo - 1];
	return l->file ? l : NULL; /* past the end of a sequence: no line */
}

static bool file_matches(const char *path, const char *want)
{
	if (strcmp(path, want) == 0)
		return true;
	size_t pl = strlen(path), wl = strlen(want);
	/* "foo.c" or "dir/foo.c" matches ".../dir/foo.c" at a '/' boundary. */
	return wl < pl && path[pl - wl - 1] == '/' && strcmp(path + pl - wl, want) == 0;
}

int elf_line_to_addr(const struct elf_image *img, const char *file, unsigned line,
		     uint64_t *addr, char *err, size_t errlen)
{
	if (!img || !img->nlines)
		return elf_errf(err, errlen, "no line information (build the guest with -g)");
	bool have_file = false, found = false;
	unsigned best_line = 0;
	uint64_t best = 0;
	/* Exact line if it has code; else the next line that has code, as gdb does. */
	for (size_t i = 0; i < img->nlines; i++) {
		const struct elf_line *l = &img->lines[i];
		if (!l->file || !l->is_stmt || !file_matches(l->file, file))
			continue;
		have_file = true;
		if (l->line < line)
			continue;
		if (!found || l->line < best_line || (l->line == best_line && l->addr < best)) {
			found = true;
			best_line = l->line;
			best = l->addr;
		}
	}
	if (!have_file)
		return elf_errf(err, errlen, "no source file named %s", file);
	if (!found)
		return elf_errf(err, errlen, "%s: no code at or after line %u", file, line);
	*addr = best;
	return 0;
}
