/*
 * elf_image.c - ELF64 AArch64 loader on libelf.
 *
 * The file is read whole into memory and every offset/size the ELF
 * headers give is checked against the file size (with overflow checks)
 * before libelf is asked to follow it, so that a truncated or hostile
 * file gives a message, never a crash.  Segments are placed by p_paddr
 * (what a bare-metal loader and QEMU's -kernel do), symbols keep their
 * p_vaddr-based addresses.
 */
#include "elf_image.h"

#include <errno.h>
#include <gelf.h>
#include <libelf.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "elf_internal.h"

#define MAX_FILE_SIZE (1ull << 32)   /* a guest image larger than 4 GiB is refused */
#define MAX_SEG_SIZE (1ull << 40)    /* no guest has a 1 TiB segment */

int elf_errf(char *err, size_t errlen, const char *fmt, ...)
{
	if (err && errlen) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -1;
}

/* a + b, or false if it overflows 64 bits. */
static inline bool add_ok(uint64_t a, uint64_t b, uint64_t *sum)
{
	*sum = a + b;
	return *sum >= a;
}

/* [off, off+len) inside a file of size n. */
static inline bool in_file(uint64_t off, uint64_t len, uint64_t n)
{
	uint64_t end;
	return add_ok(off, len, &end) && end <= n;
}

static int check_ident(const uint8_t *f, size_t n, char *err, size_t errlen)
{
	if (n < EI_NIDENT || memcmp(f, ELFMAG, SELFMAG) != 0)
		return elf_errf(err, errlen, "not an ELF file (bad magic)");
	if (f[EI_CLASS] != ELFCLASS64)
		return elf_errf(err, errlen, "ELF class %u: not a 64-bit ELF (ELFCLASS64 expected)",
				f[EI_CLASS]);
	if (f[EI_DATA] != ELFDATA2LSB)
		return elf_errf(err, errlen, "ELF data encoding %u: not little-endian", f[EI_DATA]);
	if (f[EI_VERSION] != EV_CURRENT)
		return elf_errf(err, errlen, "ELF version %u not supported", f[EI_VERSION]);
	if (n < sizeof(Elf64_Ehdr))
		return elf_errf(err, errlen, "truncated ELF header (%zu bytes, %zu needed)", n,
				sizeof(Elf64_Ehdr));
	return 0;
}

static int check_ehdr(const GElf_Ehdr *eh, size_t n, char *err, size_t errlen)
{
	if (eh->e_machine != EM_AARCH64)
		return elf_errf(err, errlen, "ELF machine %u: not AArch64 (EM_AARCH64 = %u)",
				eh->e_machine, EM_AARCH64);
	if (eh->e_type != ET_EXEC && eh->e_type != ET_DYN)
		return elf_errf(err, errlen, "ELF type %u: not an executable (ET_EXEC or ET_DYN)",
				eh->e_type);
	if (eh->e_phnum && eh->e_phentsize != sizeof(Elf64_Phdr))
		return elf_errf(err, errlen, "program header entry size %u (expected %zu)",
				eh->e_phentsize, sizeof(Elf64_Phdr));
	if (eh->e_phnum == 0)
		return elf_errf(err, errlen, "no program headers");
	/* PN_XNUM (0xffff) defers the count to section 0: refuse, no guest needs it. */
	if (eh->e_phnum == PN_XNUM)
		return elf_errf(err, errlen, "extended program header count (PN_XNUM) not supported");
	if (!in_file(eh->e_phoff, (uint64_t)eh->e_phnum * sizeof(Elf64_Phdr), n))
		return elf_errf(err, errlen,
				"program headers (offset 0x%llx, %u entries) beyond the end of the file",
				(unsigned long long)eh->e_phoff, eh->e_phnum);
	if (eh->e_shoff || eh->e_shnum) {
		if (eh->e_shentsize != sizeof(Elf64_Shdr))
			return elf_errf(err, errlen, "section header entry size %u (expected %zu)",
					eh->e_shentsize, sizeof(Elf64_Shdr));
		if (eh->e_shnum == 0)
			return elf_errf(err, errlen,
					"extended section count (e_shnum = 0 with e_shoff) not supported");
		if (!in_file(eh->e_shoff, (uint64_t)eh->e_shnum * sizeof(Elf64_Shdr), n))
			return elf_errf(err, errlen,
					"section headers (offset 0x%llx, %u entries) beyond the end of the file",
					(unsigned long long)eh->e_shoff, eh->e_shnum);
		if (eh->e_shstrndx == SHN_XINDEX || eh->e_shstrndx >= eh->e_shnum)
			return elf_errf(err, errlen,
					"section name string table index %u out of range (%u sections)",
					eh->e_shstrndx, eh->e_shnum);
	}
	return 0;
}

static int cmp_seg(const void *a, const void *b)
{
	const struct elf_segment *x = a, *y = b;
	return x->paddr < y->paddr ? -1 : x->paddr > y->paddr;
}

static int load_segments(struct elf_image *img, Elf *e, const GElf_Ehdr *eh, uint64_t dyn_base,
			 char *err, size_t errlen)
{
	size_t n = eh->e_phnum, k = 0;
	img->segs = calloc(n, sizeof(*img->segs));
	if (!img->segs)
		return elf_errf(err, errlen, "out of memory");
	uint64_t min_vaddr = UINT64_MAX;
	for (size_t i = 0; i < n; i++) {
		GElf_Phdr ph;
		if (!gelf_getphdr(e, (int)i, &ph))
			return elf_errf(err, errlen, "program header %zu: %s", i, elf_errmsg(-1));
		if (ph.p_type != PT_LOAD)
			continue;
		if (ph.p_filesz > ph.p_memsz)
			return elf_errf(err, errlen,
					"segment %zu: p_filesz 0x%llx larger than p_memsz 0x%llx", i,
					(unsigned long long)ph.p_filesz, (unsigned long long)ph.p_memsz);
		if (ph.p_memsz > MAX_SEG_SIZE)
			return elf_errf(err, errlen, "segment %zu: size 0x%llx too large", i,
					(unsigned long long)ph.p_memsz);
		if (!in_file(ph.p_offset, ph.p_filesz, img->file_size))
			return elf_errf(err, errlen,
					"segment %zu: file range 0x%llx+0x%llx beyond the end of the file (0x%zx bytes)",
					i, (unsigned long long)ph.p_offset,
					(unsigned long long)ph.p_filesz, img->file_size);
		uint64_t end;
		if (!add_ok(ph.p_vaddr, ph.p_memsz, &end) || !add_ok(ph.p_paddr, ph.p_memsz, &end))
			return elf_errf(err, errlen, "segment %zu: address 0x%llx + size 0x%llx overflows",
					i, (unsigned long long)ph.p_paddr,
					(unsigned long long)ph.p_memsz);
		struct elf_segment *s = &img->segs[k++];
		s->vaddr = ph.p_vaddr;
		s->paddr = ph.p_paddr;
		s->offset = ph.p_offset;
		s->filesz = ph.p_filesz;
		s->memsz = ph.p_memsz;
		s->flags = ph.p_flags & (ELF_SEG_R | ELF_SEG_W | ELF_SEG_X);
		if (ph.p_vaddr < min_vaddr)
			min_vaddr = ph.p_vaddr;
	}
	if (k == 0)
		return elf_errf(err, errlen, "no loadable (PT_LOAD) segment");
	img->nsegs = k;
	img->bias = 0;
	if (eh->e_type == ET_DYN) {
		img->bias = dyn_base - (min_vaddr & ~0xfffull);
		for (size_t i = 0; i < k; i++) {
			struct elf_segment *s = &img->segs[i];
			uint64_t end;
			s->vaddr += img->bias;
			s->paddr += img->bias;
			if (!add_ok(s->vaddr, s->memsz, &end) || !add_ok(s->paddr, s->memsz, &end) ||
			    s->vaddr < img->bias)
				return elf_errf(err, errlen, "base 0x%llx: segment %zu wraps around",
						(unsigned long long)dyn_base, i);
		}
	}
	qsort(img->segs, k, sizeof(*img->segs), cmp_seg);
	for (size_t i = 1; i < k; i++) {
		const struct elf_segment *a = &img->segs[i - 1], *b = &img->segs[i];
		if (a->memsz && b->memsz && a->paddr + a->memsz > b->paddr)
			return elf_errf(err, errlen,
					"segments overlap: [0x%llx, 0x%llx) and [0x%llx, 0x%llx)",
					(unsigned long long)a->paddr,
					(unsigned long long)(a->paddr + a->memsz),
					(unsigned long long)b->paddr,
					(unsigned long long)(b->paddr + b->memsz));
	}
	img->entry = eh->e_entry + img->bias;
	for (size_t i = 0; i < k; i++) {
		const struct elf_segment *s = &img->segs[i];
		if (img->entry >= s->vaddr && img->entry - s->vaddr < s->memsz)
			return 0;
	}
	return elf_errf(err, errlen, "entry point 0x%llx is not inside any loadable segment",
			(unsigned long long)img->entry);
}

/* ---- symbols ---- */

static int sym_cmp_addr(const void *a, const void *b)
{
	const struct elf_symbol *x = a, *y = b;
	if (x->addr != y->addr)
		return x->addr < y->addr ? -1 : 1;
	return strcmp(x->name, y->name);
}

static int sym_cmp_name(const void *a, const void *b)
{
	const struct elf_symbol *x = *(const struct elf_symbol *const *)a;
	const struct elf_symbol *y = *(const struct elf_symbol *const *)b;
	int c = strcmp(x->name, y->name);
	if (c)
		return c;
	if (x->global != y->global)
		return x->global ? -1 : 1;
	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

/* Keeps defined functions, objects and labels; drops section/file
 * symbols and the AArch64 mapping symbols ($x, $d). */
static bool want_symbol(const GElf_Sym *s, const char *name)
{
	unsigned t = GELF_ST_TYPE(s->st_info);
	if (t != STT_FUNC && t != STT_OBJECT && t != STT_NOTYPE)
		return false;
	if (s->st_shndx == SHN_UNDEF || !name || !name[0] || name[0] == '$')
		return false;
	return true;
}

/* AArch64 ELF mapping symbols ($x code, $d data; AAELF64 5.5.4) of one
 * section, sorted by address: what a NOTYPE label in it labels. */
struct mapsym {
	uint64_t addr;
	size_t shndx;
	bool data;
};

static int mapsym_cmp(const void *a, const void *b)
{
	const struct mapsym *x = a, *y = b;
	if (x->shndx != y->shndx)
		return x->shndx < y->shndx ? -1 : 1;
	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

static bool is_mapsym(const char *name, bool *data)
{
	if (name[0] != '$' || (name[1] != 'd' && name[1] != 'x') || (name[2] && name[2] != '.'))
		return false;
	*data = name[1] == 'd';
	return true;
}

/* Is the label at addr (unrelocated) in section shndx after a $d? */
static bool label_is_data(const struct mapsym *m, size_t n, size_t shndx, uint64_t addr)
{
	const struct mapsym *best = NULL;
	size_t lo = 0, hi = n;
	while (lo < hi) { /* the last entry <= (shndx, addr) */
		size_t mid = lo + (hi - lo) / 2;
		if (m[mid].shndx < shndx || (m[mid].shndx == shndx && m[mid].addr <= addr)) {
			best = &m[mid];
			lo = mid + 1;
		} else {
			hi = mid;
		}
	}
	return best && best->shndx == shndx && best->data;
}

/* Marks img->syms[i].data (see elf_image.h); sections[] holds each
 * section's SHF_EXECINSTR. */
static void classify_symbols(struct elf_image *img, Elf *e, Elf_Data *d, size_t count, size_t strndx,
			     size_t shnum)
{
	struct mapsym *maps = calloc(count ? count : 1, sizeof(*maps));
	bool *exec = calloc(shnum, sizeof(*exec));
	size_t nmaps = 0;
	for (size_t i = 1; i < shnum && exec; i++) {
		GElf_Shdr sh;
		Elf_Scn *scn = elf_getscn(e, i);
		exec[i] = scn && gelf_getshdr(scn, &sh) && (sh.sh_flags & SHF_EXECINSTR);
	}
	for (size_t i = 1; i < count && maps; i++) {
		GElf_Sym s;
		const char *name;
		bool data;
		if (gelf_getsym(d, (int)i, &s) && (name = elf_strptr(e, strndx, s.st_name)) && is_mapsym(name, &data))
			maps[nmaps++] = (struct mapsym){ s.st_value, s.st_shndx, data };
	}
	if (maps)
		qsort(maps, nmaps, sizeof(*maps), mapsym_cmp);
	for (size_t i = 1, k = 0; i < count && k < img->nsyms; i++) {
		GElf_Sym s;
		const char *name;
		if (!gelf_getsym(d, (int)i, &s) || !(name = elf_strptr(e, strndx, s.st_name)) || !want_symbol(&s, name))
			continue;
		struct elf_symbol *o = &img->syms[k++];
		bool in_exec = exec && s.st_shndx < shnum && exec[s.st_shndx];
		o->data = o->kind == ELF_SYM_OBJECT ||
			  (o->kind == ELF_SYM_NOTYPE && s.st_shndx != SHN_ABS &&
			   (!in_exec || (maps && label_is_data(maps, nmaps, s.st_shndx, s.st_value))));
	}
	free(maps);
	free(exec);
}

static int load_symbols(struct elf_image *img, Elf *e, const GElf_Ehdr *eh, char *err,
			size_t errlen)
{
	if (!eh->e_shnum)
		return 0; /* stripped of section headers: no symbols */
	size_t shnum = eh->e_shnum;
	Elf_Scn *symscn = NULL;
	GElf_Shdr symsh = { 0 };
	for (size_t i = 1; i < shnum; i++) {
		Elf_Scn *scn = elf_getscn(e, i);
		GElf_Shdr sh;
		if (!scn || !gelf_getshdr(scn, &sh))
			return elf_errf(err, errlen, "section %zu: %s", i, elf_errmsg(-1));
		if (sh.sh_type != SHT_NOBITS && !in_file(sh.sh_offset, sh.sh_size, img->file_size))
			return elf_errf(err, errlen,
					"section %zu: range 0x%llx+0x%llx beyond the end of the file", i,
					(unsigned long long)sh.sh_offset, (unsigned long long)sh.sh_size);
		if (sh.sh_type == SHT_SYMTAB || (sh.sh_type == SHT_DYNSYM && !symscn)) {
			symscn = scn;
			symsh = sh;
		}
	}
	{
		/* The section name table must be a string table. */
		GElf_Shdr sh;
		Elf_Scn *scn = elf_getscn(e, eh->e_shstrndx);
		if (eh->e_shstrndx && (!scn || !gelf_getshdr(scn, &sh) || sh.sh_type != SHT_STRTAB))
			return elf_errf(err, errlen, "section name table (section %u) is not a string table",
					eh->e_shstrndx);
	}
	if (!symscn)
		return 0;
	if (symsh.sh_entsize != sizeof(Elf64_Sym))
		return elf_errf(err, errlen, "symbol table entry size %llu (expected %zu)",
				(unsigned long long)symsh.sh_entsize, sizeof(Elf64_Sym));
	if (symsh.sh_link == 0 || symsh.sh_link >= shnum)
		return elf_errf(err, errlen, "symbol table: string table index %u out of range",
				symsh.sh_link);
	GElf_Shdr strsh;
	Elf_Scn *strscn = elf_getscn(e, symsh.sh_link);
	if (!strscn || !gelf_getshdr(strscn, &strsh) || strsh.sh_type != SHT_STRTAB)
		return elf_errf(err, errlen, "symbol table: section %u is not a string table",
				symsh.sh_link);
	Elf_Data *d = elf_getdata(symscn, NULL);
	if (!d)
		return elf_errf(err, errlen, "symbol table: %s", elf_errmsg(-1));
	size_t count = symsh.sh_size / sizeof(Elf64_Sym), total = 0, kept = 0;
	/* Two passes: count and size the names, then fill. */
	for (int pass = 0; pass < 2; pass++) {
		char *pool = img->strings;
		kept = 0;
		for (size_t i = 1; i < count; i++) {
			GElf_Sym s;
			if (!gelf_getsym(d, (int)i, &s))
				return elf_errf(err, errlen, "symbol %zu: %s", i, elf_errmsg(-1));
			if (s.st_name >= strsh.sh_size)
				return elf_errf(err, errlen,
						"symbol %zu: name offset 0x%x beyond its string table (0x%llx bytes)",
						i, s.st_name, (unsigned long long)strsh.sh_size);
			const char *name = elf_strptr(e, symsh.sh_link, s.st_name);
			if (!name)
				return elf_errf(err, errlen, "symbol %zu: bad name: %s", i, elf_errmsg(-1));
			if (!want_symbol(&s, name))
				continue;
			size_t len = strlen(name) + 1;
			if (pass == 0) {
				total += len;
			} else {
				struct elf_symbol *o = &img->syms[kept];
				memcpy(pool, name, len);
				o->name = pool;
				pool += len;
				o->addr = s.st_value + (s.st_shndx == SHN_ABS ? 0 : img->bias);
				o->size = s.st_size;
				unsigned t = GELF_ST_TYPE(s.st_info);
				o->kind = t == STT_FUNC ? ELF_SYM_FUNC : t == STT_OBJECT ? ELF_SYM_OBJECT
											  : ELF_SYM_NOTYPE;
				o->global = GELF_ST_BIND(s.st_info) != STB_LOCAL;
			}
			kept++;
		}
		if (pass == 0) {
			img->strings = malloc(total ? total : 1);
			img->syms = calloc(kept ? kept : 1, sizeof(*img->syms));
			img->by_name = calloc(kept ? kept : 1, sizeof(*img->by_name));
			if (!img->strings || !img->syms || !img->by_name)
				return elf_errf(err, errlen, "out of memory");
		}
	}
	img->nsyms = kept;
	classify_symbols(img, e, d, count, symsh.sh_link, shnum);
	elf_syms_index(img);
	return 0;
}

void elf_syms_index(struct elf_image *img)
{
	qsort(img->syms, img->nsyms, sizeof(*img->syms), sym_cmp_addr);
	for (size_t i = 0; i < img->nsyms; i++)
		img->by_name[i] = &img->syms[i];
	qsort(img->by_name, img->nsyms, sizeof(*img->by_name), sym_cmp_name);
}

/* Linkers map the ELF and program headers at the head of the first
 * segment (e.g. -Ttext=0x40000000 gives a segment from 0x3fff0000):
 * the bytes before the first allocated section are not loaded, so that
 * such an image fits a RAM that starts at its text. */
static void trim_segment_heads(struct elf_image *img, Elf *e, const GElf_Ehdr *eh)
{
	for (size_t k = 0; k < img->nsegs; k++) {
		struct elf_segment *s = &img->segs[k];
		uint64_t first = UINT64_MAX;
		for (size_t i = 1; i < eh->e_shnum; i++) {
			GElf_Shdr sh;
			Elf_Scn *scn = elf_getscn(e, i);
			if (!scn || !gelf_getshdr(scn, &sh) || !(sh.sh_flags & SHF_ALLOC) || !sh.sh_size)
				continue;
			uint64_t a = sh.sh_addr + img->bias;
			if (a >= s->vaddr && a - s->vaddr < s->memsz && a < first)
				first = a;
		}
		if (first == UINT64_MAX || first == s->vaddr || first - s->vaddr > s->filesz)
			continue;
		/* Never drop the entry point. */
		if (img->entry >= s->vaddr && img->entry < first)
			continue;
		uint64_t d = first - s->vaddr;
		s->vaddr += d;
		s->paddr += d;
		s->offset += d;
		s->filesz -= d;
		s->memsz -= d;
	}
	/* A trimmed head may move past an empty segment that lay in it:
	 * restore the promised order (found by fuzz/elf_load_fuzz.c). */
	qsort(img->segs, img->nsegs, sizeof(*img->segs), cmp_seg);
}

static int parse(struct elf_image *img, uint64_t dyn_base, char *err, size_t errlen)
{
	if (check_ident(img->file, img->file_size, err, errlen))
		return -1;
	elf_version(EV_CURRENT);
	Elf *e = elf_memory((char *)img->file, img->file_size);
	if (!e)
		return elf_errf(err, errlen, "libelf: %s", elf_errmsg(-1));
	int rc = -1;
	GElf_Ehdr eh;
	if (elf_kind(e) != ELF_K_ELF || !gelf_getehdr(e, &eh)) {
		elf_errf(err, errlen, "bad ELF header: %s", elf_errmsg(-1));
		goto out;
	}
	if (check_ehdr(&eh, img->file_size, err, errlen) ||
	    load_segments(img, e, &eh, dyn_base, err, errlen) ||
	    load_symbols(img, e, &eh, err, errlen))
		goto out;
	img->type = eh.e_type;
	if (eh.e_shnum)
		trim_segment_heads(img, e, &eh);
	if (eh.e_shnum && (elf_lines_load(img, e, err, errlen) || elf_funcs_load(img, e, err, errlen)))
		goto out;
	rc = 0;
out:
	elf_end(e);
	return rc;
}

static struct elf_image *image_new(const char *path)
{
	struct elf_image *img = calloc(1, sizeof(*img));
	if (img)
		img->path = strdup(path ? path : "(memory)");
	if (img && !img->path) {
		free(img);
		img = NULL;
	}
	return img;
}

int elf_image_open_mem(const void *buf, size_t len, uint64_t dyn_base, struct elf_image **out,
		       char *err, size_t errlen)
{
	*out = NULL;
	struct elf_image *img = image_new(NULL);
	if (!img || !(img->file = malloc(len ? len : 1))) {
		elf_image_free(img);
		return elf_errf(err, errlen, "out of memory");
	}
	if (len)
		memcpy(img->file, buf, len);
	img->file_size = len;
	if (parse(img, dyn_base, err, errlen)) {
		elf_image_free(img);
		return -1;
	}
	*out = img;
	return 0;
}

int elf_image_open(const char *path, uint64_t dyn_base, struct elf_image **out, char *err,
		   size_t errlen)
{
	*out = NULL;
	FILE *f = fopen(path, "rb");
	if (!f)
		return elf_errf(err, errlen, "%s: %s", path, strerror(errno));
	struct elf_image *img = image_new(path);
	int rc = -1;
	long sz;
	if (!img) {
		elf_errf(err, errlen, "out of memory");
		goto out;
	}
	if (fseek(f, 0, SEEK_END) != 0 || (sz = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0) {
		elf_errf(err, errlen, "%s: not a regular file", path);
		goto out;
	}
	if ((uint64_t)sz > MAX_FILE_SIZE) {
		elf_errf(err, errlen, "%s: file too large (%ld bytes)", path, sz);
		goto out;
	}
	img->file_size = (size_t)sz;
	img->file = malloc(img->file_size ? img->file_size : 1);
	if (!img->file) {
		elf_errf(err, errlen, "out of memory");
		goto out;
	}
	if (fread(img->file, 1, img->file_size, f) != img->file_size) {
		elf_errf(err, errlen, "%s: read error", path);
		goto out;
	}
	char sub[256];
	if (parse(img, dyn_base, sub, sizeof(sub))) {
		elf_errf(err, errlen, "%s: %s", path, sub);
		goto out;
	}
	rc = 0;
out:
	fclose(f);
	if (rc)
		elf_image_free(img);
	else
		*out = img;
	return rc;
}

void elf_image_free(struct elf_image *img)
{
	if (!img)
		return;
	elf_lines_free(img);
	elf_funcs_free(img);
	free(img->segs);
	free(img->syms);
	free(img->by_name);
	free(img->strings);
	free(img->file);
	free(img->path);
	free(img);
}

int elf_image_check_ram(const struct elf_image *img, uint64_t ram_base, uint64_t ram_size,
			char *err, size_t errlen)
{
	for (size_t i = 0; i < img->nsegs; i++) {
		const struct elf_segment *s = &img->segs[i];
		if (s->memsz == 0)
			continue;
		if (s->paddr < ram_base || s->paddr - ram_base > ram_size ||
		    s->memsz > ram_size - (s->paddr - ram_base))
			return elf_errf(err, errlen,
					"segment [0x%llx, 0x%llx) is outside RAM [0x%llx, 0x%llx)",
					(unsigned long long)s->paddr,
					(unsigned long long)(s->paddr + s->memsz),
					(unsigned long long)ram_base,
					(unsigned long long)(ram_base + ram_size));
	}
	return 0;
}

int elf_image_copy(const struct elf_image *img, uint8_t *ram, uint64_t ram_base,
		   uint64_t ram_size, char *err, size_t errlen)
{
	if (elf_image_check_ram(img, ram_base, ram_size, err, errlen))
		return -1;
	for (size_t i = 0; i < img->nsegs; i++) {
		const struct elf_segment *s = &img->segs[i];
		/* Empty segments may lie anywhere (check_ram skips them): no
		 * pointer into RAM for them (found by fuzz/elf_load_fuzz.c). */
		if (s->memsz == 0)
			continue;
		uint8_t *dst = ram + (s->paddr - ram_base);
		if (s->filesz)
			memcpy(dst, img->file + s->offset, s->filesz);
		memset(dst + s->filesz, 0, s->memsz - s->filesz);
	}
	return 0;
}

/* ---- lookups ---- */

static const struct elf_segment *seg_of_vaddr(const struct elf_image *img, uint64_t a)
{
	for (size_t i = 0; i < img->nsegs; i++)
		if (a >= img->segs[i].vaddr && a - img->segs[i].vaddr < img->segs[i].memsz)
			return &img->segs[i];
	return NULL;
}

static int sym_rank(const struct elf_symbol *s)
{
	return (s->kind == ELF_SYM_FUNC ? 4 : s->kind == ELF_SYM_OBJECT ? 2 : 0) + (s->global ? 1 : 0);
}

const struct elf_symbol *elf_sym_by_addr(const struct elf_image *img, uint64_t addr,
					 uint64_t *off)
{
	if (!img || !img->nsyms)
		return NULL;
	/* Last symbol with address <= addr. */
	size_t lo = 0, hi = img->nsyms;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (img->syms[mid].addr <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0)
		return NULL;
	const struct elf_segment *seg = seg_of_vaddr(img, addr);
	const struct elf_symbol *best = NULL;
	/* Closest address first; among equals the best-ranked; a sized symbol
	 * must contain addr, an unsized one (assembler label) must be in the
	 * same segment.  Look a bounded way back for an enclosing symbol. */
	for (size_t i = lo, seen = 0; i-- > 0 && seen < 64; seen++) {
		const struct elf_symbol *s = &img->syms[i];
		if (best && s->addr != best->addr)
			break;
		bool ok = s->size ? addr - s->addr < s->size
				  : (seg && seg_of_vaddr(img, s->addr) == seg);
		if (ok && (!best || sym_rank(s) > sym_rank(best)))
			best = s;
	}
	if (best && off)
		*off = addr - best->addr;
	return best;
}

const struct elf_symbol *elf_sym_by_name(const struct elf_image *img, const char *name)
{
	if (!img || !name)
		return NULL;
	size_t lo = 0, hi = img->nsyms;
	while (lo < hi) { /* first entry with name >= key */
		size_t mid = lo + (hi - lo) / 2;
		if (strcmp(img->by_name[mid]->name, name) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < img->nsyms && strcmp(img->by_name[lo]->name, name) == 0)
		return img->by_name[lo]; /* globals sort first among equal names */
	return NULL;
}

struct elf_symbol *const *elf_syms_named(const struct elf_image *img, const char *name, size_t *n)
{
	*n = 0;
	if (!img || !name)
		return NULL;
	size_t lo = 0, hi = img->nsyms;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (strcmp(img->by_name[mid]->name, name) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	while (lo + *n < img->nsyms && !strcmp(img->by_name[lo + *n]->name, name))
		++*n;
	return *n ? &img->by_name[lo] : NULL;
}

void elf_sym_complete(const struct elf_image *img, const char *prefix,
		      int (*fn)(void *ctx, const struct elf_symbol *s), void *ctx)
{
	if (!img)
		return;
	size_t plen = strlen(prefix), lo = 0, hi = img->nsyms;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (strcmp(img->by_name[mid]->name, prefix) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	const char *prev = NULL;
	for (size_t i = lo; i < img->nsyms; i++) {
		const struct elf_symbol *s = img->by_name[i];
		if (strncmp(s->name, prefix, plen) != 0)
			break;
		if (prev && strcmp(prev, s->name) == 0)
			continue; /* one entry per name */
		prev = s->name;
		if (fn(ctx, s))
			break;
	}
}

const char *elf_format_addr(const struct elf_image *img, uint64_t addr, char *buf, size_t len)
{
	uint64_t off = 0;
	const struct elf_symbol *s = elf_sym_by_addr(img, addr, &off);
	if (!s)
		snprintf(buf, len, "0x%llx", (unsigned long long)addr);
	else if (off)
		snprintf(buf, len, "%s+0x%llx", s->name, (unsigned long long)off);
	else
		snprintf(buf, len, "%s", s->name);
	return buf;
}
