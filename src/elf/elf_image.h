/*
 * elf_image.h - ELF64 AArch64 guest images (libelf): validation of
 * hostile files, PT_LOAD placement into guest RAM, symbol lookups, and
 * (with libdw) DWARF line information.
 *
 * Every function that can fail returns 0 on success or -1 with a
 * one-line message in err[errlen] naming the problem ("segment 2: file
 * range 0x..+0x.. beyond the end of the file (0x.. bytes)").
 */
#ifndef HVDBG_ELF_IMAGE_H
#define HVDBG_ELF_IMAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Permission bits of a segment (ELF PF_X/PF_W/PF_R values). */
#define ELF_SEG_X 1u
#define ELF_SEG_W 2u
#define ELF_SEG_R 4u

struct elf_segment {
	uint64_t vaddr, paddr;  /* already relocated by the load bias */
	uint64_t offset;        /* in the file */
	uint64_t filesz, memsz; /* filesz <= memsz; the rest is zeroed (.bss) */
	uint32_t flags;         /* ELF_SEG_* */
};

/* Symbol kinds kept: functions, objects and untyped (assembler labels). */
enum elf_sym_kind { ELF_SYM_NOTYPE, ELF_SYM_FUNC, ELF_SYM_OBJECT };

struct elf_symbol {
	const char *name;
	uint64_t addr, size; /* relocated; size 0 = unknown */
	enum elf_sym_kind kind;
	bool global;
	/* Data rather than code: an object, a symbol in a section without
	 * SHF_EXECINSTR, or a label after a "$d" mapping symbol (a string
	 * in .text).  A breakpoint there would corrupt it. */
	bool data;
};

struct elf_line; /* DWARF line table entry (elf_lines.c) */
struct elf_func; /* DWARF subprogram (elf_funcs.c) */

struct elf_image {
	char *path;
	uint16_t type;      /* ET_EXEC or ET_DYN */
	uint64_t bias;      /* added to every address (ET_DYN base; 0 for ET_EXEC) */
	uint64_t entry;     /* relocated e_entry */
	struct elf_segment *segs; /* PT_LOAD only, sorted by paddr */
	size_t nsegs;
	struct elf_symbol *syms;  /* sorted by address, then by name */
	size_t nsyms;
	struct elf_symbol **by_name; /* the same symbols sorted by name */
	struct elf_line *lines;      /* sorted by address; NULL without DWARF */
	size_t nlines;
	struct elf_func *funcs;      /* sorted by start address; NULL without DWARF */
	size_t nfuncs;
	char *comp_dir;              /* DW_AT_comp_dir of the first unit: relative sources are there */
	/* private */
	uint8_t *file;
	size_t file_size;
	char *strings; /* storage of the symbol names */
	char **line_files; /* interned file names of lines[] */
	size_t nline_files;
};

/* Parses and validates an image from a file or a memory buffer (copied).
 * dyn_base is the load address of an ET_DYN image (its lowest PT_LOAD
 * vaddr goes there); ignored for ET_EXEC. */
int elf_image_open(const char *path, uint64_t dyn_base, struct elf_image **out,
		   char *err, size_t errlen);
int elf_image_open_mem(const void *buf, size_t len, uint64_t dyn_base,
		       struct elf_image **out, char *err, size_t errlen);
void elf_image_free(struct elf_image *img);
/* Symbols only, from a System.map (or /proc/kallsyms) text file:
 * "ADDR TYPE NAME" lines (T/t functions, D/d/B/b/R/r objects, the rest
 * untyped; "[module]" suffixes and malformed lines skipped).  The image
 * has no segments to load, one pseudo segment spanning the symbols (so
 * an address resolves to the closest symbol below it), type 0. */
int elf_image_open_sysmap(const char *path, struct elf_image **out, char *err, size_t errlen);

/* Checks that every segment's [paddr, paddr+memsz) lies inside
 * [ram_base, ram_base+ram_size). */
int elf_image_check_ram(const struct elf_image *img, uint64_t ram_base, uint64_t ram_size,
			char *err, size_t errlen);
/* Copies the segments into host memory ram (= guest IPA ram_base),
 * zeroing each [filesz, memsz) tail.  Calls elf_image_check_ram first. */
int elf_image_copy(const struct elf_image *img, uint8_t *ram, uint64_t ram_base,
		   uint64_t ram_size, char *err, size_t errlen);

/* The symbol containing addr (addr in [sym, sym+size), or for size-0
 * symbols the closest one below addr within the same segment); *off gets
 * addr - sym->addr.  NULL if none. */
const struct elf_symbol *elf_sym_by_addr(const struct elf_image *img, uint64_t addr,
					 uint64_t *off);
/* Exact name lookup (globals preferred over locals of the same name). */
const struct elf_symbol *elf_sym_by_name(const struct elf_image *img, const char *name);
/* Every symbol of this name (*n of them; static functions of a kernel
 * often share one, elf_sym_by_name gives the first). */
struct elf_symbol *const *elf_syms_named(const struct elf_image *img, const char *name, size_t *n);
/* Symbols whose name starts with prefix, for tab completion: calls fn for
 * each in name order; stops early if fn returns non-zero. */
void elf_sym_complete(const struct elf_image *img, const char *prefix,
		      int (*fn)(void *ctx, const struct elf_symbol *s), void *ctx);
/* Formats "sym+0x10" / "sym" / "0x40001000" into buf; returns buf. */
const char *elf_format_addr(const struct elf_image *img, uint64_t addr, char *buf, size_t len);

/* ---- DWARF line info (elf_lines.c; empty without libdw data) ---- */
struct elf_line {
	uint64_t addr;    /* relocated */
	const char *file; /* full path as recorded by the compiler; NULL marks
			   * the end of a sequence (addr = first byte after it) */
	unsigned line;
	bool is_stmt;
};
/* Line of the last row at or below addr (in the same sequence); NULL if
 * addr has no line information. */
const struct elf_line *elf_line_by_addr(const struct elf_image *img, uint64_t addr);
/* Lowest is_stmt address of file:line (file matches the full path or its
 * basename); 0 with an error if none. */
int elf_line_to_addr(const struct elf_image *img, const char *file, unsigned line,
		     uint64_t *addr, char *err, size_t errlen);

/* ---- DWARF functions (elf_funcs.c; empty without DWARF) ---- */
enum elf_ret_loc {
	ELF_RET_UNKNOWN,  /* no or unusable type information */
	ELF_RET_VOID,
	ELF_RET_GPR,      /* x0 (w0 for <= 4 bytes) */
	ELF_RET_GPR_PAIR, /* x0 (low), x1 (high): 9-16 bytes */
	ELF_RET_FP,       /* ret_nregs of s/d/h/q0.. of ret_size bytes (floats, complex, HFAs) */
	ELF_RET_VECTOR,   /* a short vector in v0 */
	ELF_RET_MEMORY,   /* larger aggregates: in the caller's buffer (x8 at the call) */
};
struct elf_func {
	uint64_t lo, hi;  /* [lo, hi), relocated */
	char name[64];
	enum elf_ret_loc ret;
	char ret_type[48]; /* as the source names it: "double", "struct pair" */
	unsigned ret_size, ret_nregs;
	bool ret_signed;   /* integers: a signed type */
};
/* The function whose range holds addr, or NULL. */
const struct elf_func *elf_func_by_addr(const struct elf_image *img, uint64_t addr);

#endif /* HVDBG_ELF_IMAGE_H */
