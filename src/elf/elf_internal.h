/*
 * elf_internal.h - shared between elf_image.c and elf_lines.c.
 */
#ifndef HVDBG_ELF_INTERNAL_H
#define HVDBG_ELF_INTERNAL_H

#include <libelf.h>

#include "elf_image.h"

/* Formats into err (if non-NULL); returns -1. */
int elf_errf(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Reads the DWARF line tables of e into img->lines (nothing if the file
 * has no .debug_line).  Fails only on out-of-memory: broken DWARF is
 * ignored (the image stays usable without line info). */
int elf_lines_load(struct elf_image *img, Elf *e, char *err, size_t errlen);
void elf_lines_free(struct elf_image *img);
/* Reads the DWARF subprograms of e into img->funcs (same rules). */
int elf_funcs_load(struct elf_image *img, Elf *e, char *err, size_t errlen);
void elf_funcs_free(struct elf_image *img);
/* Sorts img->syms by address and fills img->by_name (nsyms set). */
void elf_syms_index(struct elf_image *img);

#endif
