/*
 * elf_load_fuzz.c - libFuzzer target for the ELF loader (src/elf): the
 * input is an ELF file.  Parsed images must satisfy the loader's
 * promises (segments inside the file, filesz <= memsz, sorted tables);
 * accepted images are copied into a small guest RAM between PROT_NONE
 * guard pages, and every lookup runs on every symbol and line.
 *
 *   scripts/fuzz.sh elf_load_fuzz       (build + run with the seed corpus)
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "../src/elf/elf_image.h"

#define RAM_BASE 0x40000000ull
#define RAM_SIZE 0x10000ull
#define GUARD 0x10000ull

static uint8_t *ram;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	uint8_t *p = mmap(NULL, RAM_SIZE + 2 * GUARD, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED || mprotect(p + GUARD, RAM_SIZE, PROT_READ | PROT_WRITE) != 0)
		abort();
	ram = p + GUARD;
	return 0;
}

static int count_cb(void *ctx, const struct elf_symbol *s)
{
	(void)s;
	return ++*(unsigned *)ctx >= 64; /* stop early sometimes */
}

static void check_image(const struct elf_image *img, size_t size)
{
	char err[256], buf[128];
	for (size_t i = 0; i < img->nsegs; i++) {
		const struct elf_segment *s = &img->segs[i];
		if (s->filesz > s->memsz || s->offset > size || s->filesz > size - s->offset)
			abort(); /* the loader promised a valid segment */
		if (i && img->segs[i - 1].paddr > s->paddr)
			abort(); /* sorted by paddr */
	}
	(void)elf_image_copy(img, ram, RAM_BASE, RAM_SIZE, err, sizeof(err));
	/* Dyn images at a base near the top of the address space. */
	(void)elf_image_check_ram(img, ~0ull - RAM_SIZE, RAM_SIZE, err, sizeof(err));

	for (size_t i = 0; i < img->nsyms; i++) {
		const struct elf_symbol *s = &img->syms[i];
		if (!s->name || (i && img->syms[i - 1].addr > s->addr))
			abort();
		uint64_t off;
		(void)elf_sym_by_addr(img, s->addr, &off);
		(void)elf_sym_by_addr(img, s->addr + s->size, &off);
		if (elf_sym_by_name(img, s->name) == NULL)
			abort(); /* every kept symbol can be found by name */
		elf_format_addr(img, s->addr + 1, buf, sizeof(buf));
		unsigned n = 0;
		char prefix[4] = { 0 };
		strncpy(prefix, s->name, sizeof(prefix) - 1);
		elf_sym_complete(img, prefix, count_cb, &n);
	}
	unsigned n = 0;
	elf_sym_complete(img, "", count_cb, &n);
	(void)elf_sym_by_name(img, "");
	elf_format_addr(img, 0, buf, sizeof(buf));
	elf_format_addr(img, ~0ull, buf, sizeof(buf));

	for (size_t i = 0; i < img->nlines; i++) {
		const struct elf_line *l = &img->lines[i];
		(void)elf_line_by_addr(img, l->addr);
		(void)elf_line_by_addr(img, l->addr - 1);
		if (l->file && i < 64) {
			uint64_t a;
			(void)elf_line_to_addr(img, l->file, l->line, &a, err, sizeof(err));
		}
	}
	uint64_t a;
	(void)elf_line_to_addr(img, "x.c", 1, &a, err, sizeof(err));
}

int LLVMFuzzerTestOneInput(const uint8_t *in, size_t size)
{
	char err[256];
	struct elf_image *img = NULL;
	/* ET_EXEC ignores the base; ET_DYN goes at RAM_BASE, then at a base
	 * where relocation overflows. */
	static const uint64_t bases[] = { RAM_BASE, 0xfffffffffffff000ull };
	for (unsigned b = 0; b < 2; b++) {
		if (elf_image_open_mem(in, size, bases[b], &img, err, sizeof(err)) == 0) {
			if (img == NULL)
				abort();
			check_image(img, size);
			elf_image_free(img);
		} else if (img != NULL || err[0] == 0) {
			abort(); /* failure must leave no image and say why */
		}
	}
	return 0;
}
