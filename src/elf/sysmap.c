/*
 * sysmap.c - kernel symbols from a System.map or /proc/kallsyms dump
 * (see elf_image_open_sysmap in elf_image.h).
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "elf_internal.h"

#define SYSMAP_MAX_BYTES (256u << 20)

/* One line "ADDR TYPE NAME [module]": 0 and the fields, or -1. */
static int parse_line(char *line, uint64_t *addr, char *type, char **name)
{
	char *end;
	if (!isxdigit((unsigned char)line[0]))
		return -1;
	*addr = strtoull(line, &end, 16);
	if (*end != ' ' || !isalpha((unsigned char)end[1]) || end[2] != ' ')
		return -1;
	*type = end[1];
	*name = end + 3;
	size_t n = strcspn(*name, " \t\r\n");
	if (n == 0 || (*name)[n] == ' ' || (*name)[n] == '\t')
		return -1; /* empty, or a module symbol "name [mod]" */
	(*name)[n] = 0;
	return 0;
}

int elf_image_open_sysmap(const char *path, struct elf_image **out, char *err, size_t errlen)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return elf_errf(err, errlen, "%s: cannot open", path);
	struct elf_image *img = calloc(1, sizeof(*img));
	size_t cap = 0, pool_len = 0, pool_cap = 0;
	char *line = NULL, *pool = NULL;
	size_t line_cap = 0;
	ssize_t n;
	int rc = -1;
	size_t *offs = NULL;
	uint64_t lo = UINT64_MAX, hi = 0;
	if (!img)
		goto oom;
	while ((n = getline(&line, &line_cap, f)) > 0) {
		uint64_t addr;
		char type, *name;
		if (parse_line(line, &addr, &type, &name))
			continue;
		size_t len = strlen(name) + 1;
		if (pool_len + len > SYSMAP_MAX_BYTES) {
			elf_errf(err, errlen, "%s: too many symbols", path);
			goto fail;
		}
		if (img->nsyms == cap) {
			cap = cap ? cap * 2 : 4096;
			struct elf_symbol *s = realloc(img->syms, cap * sizeof(*s));
			size_t *o = realloc(offs, cap * sizeof(*o));
			if (s)
				img->syms = s;
			if (o)
				offs = o;
			if (!s || !o)
				goto oom;
		}
		if (pool_len + len > pool_cap) {
			pool_cap = pool_cap ? pool_cap * 2 : 1 << 20;
			char *p = realloc(pool, pool_cap);
			if (!p)
				goto oom;
			pool = p;
		}
		memcpy(pool + pool_len, name, len);
		char t = (char)tolower((unsigned char)type);
		img->syms[img->nsyms] = (struct elf_symbol){
			.addr = addr,
			.kind = t == 't' ? ELF_SYM_FUNC
				: (t == 'd' || t == 'b' || t == 'r') ? ELF_SYM_OBJECT : ELF_SYM_NOTYPE,
			.global = isupper((unsigned char)type) != 0,
			.data = t == 'd' || t == 'b' || t == 'r',
		};
		offs[img->nsyms++] = pool_len;
		pool_len += len;
		if (t != 'a' && addr < lo)
			lo = addr;
		if (t != 'a' && addr > hi)
			hi = addr;
	}
	if (img->nsyms == 0) {
		elf_errf(err, errlen, "%s: no symbols (not a System.map?)", path);
		goto fail;
	}
	img->by_name = calloc(img->nsyms, sizeof(*img->by_name));
	img->segs = calloc(1, sizeof(*img->segs));
	img->path = strdup(path);
	if (!img->by_name || !img->segs || !img->path)
		goto oom;
	img->strings = pool;
	pool = NULL;
	for (size_t i = 0; i < img->nsyms; i++)
		img->syms[i].name = img->strings + offs[i];
	if (lo > hi)
		lo = hi = img->syms[0].addr;
	/* One pseudo segment over the symbols, nothing to load. */
	img->segs[0] = (struct elf_segment){ .vaddr = lo, .paddr = lo, .memsz = hi - lo + 1,
					     .flags = ELF_SEG_R | ELF_SEG_X };
	img->nsegs = 1;
	img->entry = lo;
	elf_syms_index(img);
	*out = img;
	rc = 0;
	goto done;
oom:
	elf_errf(err, errlen, "%s: out of memory", path);
fail:
	elf_image_free(img);
done:
	free(offs);
	free(pool);
	free(line);
	fclose(f);
	return rc;
}
