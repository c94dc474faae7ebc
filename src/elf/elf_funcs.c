/*
 * elf_funcs.c - DWARF subprograms (libdw): each function's address range
 * and where its return value is (AAPCS64 6.9: integers and pointers in
 * x0 or x0/x1, floating point in s0/d0/h0/q0, homogeneous FP aggregates
 * in v0-v3, larger aggregates in memory), for `finish`.
 */
#include <dwarf.h>
#include <elfutils/libdw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "elf_internal.h"

#define MAX_FUNCS (1u << 20) /* hostile DWARF: refuse absurd counts */

/* Follows typedefs and qualifiers to the type itself (bounded: a
 * hostile cycle ends). */
static bool strip(Dwarf_Die *t)
{
	for (int i = 0; i < 16; i++) {
		int tag = dwarf_tag(t);
		if (tag != DW_TAG_typedef && tag != DW_TAG_const_type && tag != DW_TAG_volatile_type &&
		    tag != DW_TAG_restrict_type && tag != DW_TAG_atomic_type)
			return true;
		Dwarf_Attribute a;
		if (!dwarf_attr(t, DW_AT_type, &a) || !dwarf_formref_die(&a, t))
			return false; /* const void */
	}
	return false;
}

static unsigned type_size(Dwarf_Die *t)
{
	Dwarf_Word sz;
	return dwarf_aggregate_size(t, &sz) == 0 && sz < (1u << 30) ? (unsigned)sz : 0;
}

/* A homogeneous floating-point aggregate: 1-4 members, all the same
 * float type (nested structs and arrays count their elements).  *base
 * gets the element size, *count the elements. */
static bool hfa(Dwarf_Die *t, unsigned *base, unsigned *count, int depth)
{
	Dwarf_Die d = *t;
	if (depth > 4 || !strip(&d))
		return false;
	int tag = dwarf_tag(&d);
	if (tag == DW_TAG_base_type) {
		Dwarf_Attribute a;
		Dwarf_Word enc;
		unsigned sz = type_size(&d);
		if (!dwarf_attr(&d, DW_AT_encoding, &a) || dwarf_formudata(&a, &enc) || enc != DW_ATE_float)
			return false;
		if (*base && *base != sz)
			return false;
		*base = sz;
		return ++*count <= 4;
	}
	if (tag == DW_TAG_array_type) {
		Dwarf_Die el;
		Dwarf_Attribute a;
		unsigned total = type_size(&d);
		if (!dwarf_attr(&d, DW_AT_type, &a) || !dwarf_formref_die(&a, &el))
			return false;
		unsigned before = *count;
		if (!hfa(&el, base, count, depth + 1) || !*base)
			return false;
		*count = before + total / *base;
		return *count <= 4 && total;
	}
	if (tag != DW_TAG_structure_type && tag != DW_TAG_class_type)
		return false;
	Dwarf_Die m;
	if (dwarf_child(&d, &m) != 0)
		return false;
	do {
		if (dwarf_tag(&m) != DW_TAG_member)
			continue;
		Dwarf_Die mt;
		Dwarf_Attribute a;
		if (!dwarf_attr(&m, DW_AT_type, &a) || !dwarf_formref_die(&a, &mt) || !hfa(&mt, base, count, depth + 1))
			return false;
	} while (dwarf_siblingof(&m, &m) == 0);
	return *count >= 1;
}

/* Where a value of type t comes back. */
static void classify(Dwarf_Die *t, struct elf_func *f)
{
	Dwarf_Die d = *t;
	const char *name = dwarf_diename(t);
	if (!strip(&d)) {
		f->ret = ELF_RET_UNKNOWN;
		return;
	}
	int tag = dwarf_tag(&d);
	unsigned sz = type_size(&d);
	/* C's name for it: the typedef's, else "struct NAME" and so on */
	const char *kw = tag == DW_TAG_structure_type ? "struct" : tag == DW_TAG_union_type ? "union"
			 : tag == DW_TAG_enumeration_type ? "enum" : tag == DW_TAG_class_type ? "class" : NULL;
	if (!name && tag == DW_TAG_pointer_type)
		name = "pointer";
	if (name && (dwarf_tag(t) != tag || !kw))
		snprintf(f->ret_type, sizeof(f->ret_type), "%s", name);
	else
		snprintf(f->ret_type, sizeof(f->ret_type), "%s%s%s", kw ? kw : "", kw && name ? " " : "",
			 name ? name : kw ? "" : "?");
	f->ret_size = sz;
	Dwarf_Attribute a;
	Dwarf_Word enc = 0;
	if (tag == DW_TAG_base_type && dwarf_attr(&d, DW_AT_encoding, &a) && dwarf_formudata(&a, &enc) == 0) {
		if (enc == DW_ATE_float) {
			f->ret = ELF_RET_FP;
			f->ret_nregs = 1;
			return;
		}
		if (enc == DW_ATE_complex_float) {
			f->ret = ELF_RET_FP;
			f->ret_size = sz / 2;
			f->ret_nregs = 2;
			return;
		}
	}
	f->ret_signed = enc == DW_ATE_signed || enc == DW_ATE_signed_char;
	if (tag == DW_TAG_base_type || tag == DW_TAG_pointer_type || tag == DW_TAG_reference_type ||
	    tag == DW_TAG_rvalue_reference_type || tag == DW_TAG_enumeration_type || tag == DW_TAG_ptr_to_member_type) {
		f->ret = sz > 8 ? ELF_RET_GPR_PAIR : ELF_RET_GPR;
		return;
	}
	if (dwarf_hasattr(&d, DW_AT_GNU_vector)) {
		f->ret = ELF_RET_VECTOR;
		return;
	}
	unsigned base = 0, count = 0;
	if (hfa(&d, &base, &count, 0) && base) {
		f->ret = ELF_RET_FP;
		f->ret_size = base;
		f->ret_nregs = count;
		return;
	}
	f->ret = sz == 0 ? ELF_RET_UNKNOWN : sz <= 8 ? ELF_RET_GPR : sz <= 16 ? ELF_RET_GPR_PAIR : ELF_RET_MEMORY;
}

struct funcs_buf {
	struct elf_image *img;
	size_t cap;
	bool oom;
};

static void add_func(struct funcs_buf *b, Dwarf_Die *die)
{
	Dwarf_Addr lo, hi;
	if (dwarf_lowpc(die, &lo) != 0 || dwarf_highpc(die, &hi) != 0 || hi <= lo)
		return;
	struct elf_image *img = b->img;
	if (img->nfuncs >= MAX_FUNCS)
		return;
	if (img->nfuncs == b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 64;
		struct elf_func *n = realloc(img->funcs, cap * sizeof(*n));
		if (!n) {
			b->oom = true;
			return;
		}
		img->funcs = n;
		b->cap = cap;
	}
	struct elf_func *f = &img->funcs[img->nfuncs];
	memset(f, 0, sizeof(*f));
	f->lo = lo + img->bias;
	f->hi = hi + img->bias;
	const char *name = dwarf_diename(die);
	snprintf(f->name, sizeof(f->name), "%s", name ? name : "?");
	Dwarf_Attribute a;
	Dwarf_Die t;
	if (!dwarf_attr_integrate(die, DW_AT_type, &a)) {
		f->ret = ELF_RET_VOID;
		snprintf(f->ret_type, sizeof(f->ret_type), "void");
	} else if (!dwarf_formref_die(&a, &t)) {
		f->ret = ELF_RET_UNKNOWN;
	} else {
		classify(&t, f);
	}
	img->nfuncs++;
}

/* Subprograms at any depth (C++ namespaces, classes), bounded. */
static void walk(struct funcs_buf *b, Dwarf_Die *parent, int depth)
{
	Dwarf_Die c;
	if (depth > 8 || dwarf_child(parent, &c) != 0)
		return;
	do {
		int tag = dwarf_tag(&c);
		if (tag == DW_TAG_subprogram)
			add_func(b, &c);
		else if (tag == DW_TAG_namespace || tag == DW_TAG_class_type || tag == DW_TAG_structure_type)
			walk(b, &c, depth + 1);
	} while (!b->oom && dwarf_siblingof(&c, &c) == 0);
}

static int func_cmp(const void *a, const void *b)
{
	const struct elf_func *x = a, *y = b;
	return x->lo < y->lo ? -1 : x->lo > y->lo;
}

int elf_funcs_load(struct elf_image *img, Elf *e, char *err, size_t errlen)
{
	Dwarf *dw = dwarf_begin_elf(e, DWARF_C_READ, NULL);
	if (!dw)
		return 0;
	struct funcs_buf b = { .img = img };
	Dwarf_Off off = 0, next;
	size_t hsize;
	while (!b.oom && dwarf_nextcu(dw, off, &next, &hsize, NULL, NULL, NULL) == 0) {
		Dwarf_Die cu;
		if (dwarf_offdie(dw, off + hsize, &cu))
			walk(&b, &cu, 0);
		off = next;
	}
	dwarf_end(dw);
	if (b.oom)
		return elf_errf(err, errlen, "out of memory reading the DWARF functions");
	if (img->nfuncs)
		qsort(img->funcs, img->nfuncs, sizeof(*img->funcs), func_cmp);
	return 0;
}

void elf_funcs_free(struct elf_image *img)
{
	free(img->funcs);
	img->funcs = NULL;
	img->nfuncs = 0;
}

const struct elf_func *elf_func_by_addr(const struct elf_image *img, uint64_t addr)
{
	if (!img || !img->nfuncs)
		return NULL;
	size_t lo = 0, hi = img->nfuncs;
	while (lo < hi) { /* the last function starting at or below addr */
		size_t mid = lo + (hi - lo) / 2;
		if (img->funcs[mid].lo <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	/* nested ranges are rare (inlined copies have no DW_TAG_subprogram
	 * of their own here): look back a little for one that contains addr */
	for (size_t i = lo, k = 0; i-- > 0 && k < 8; k++)
		if (addr < img->funcs[i].hi)
			return &img->funcs[i];
	return NULL;
}
