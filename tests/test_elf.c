/*
 * test_elf.c - the ELF loader (src/elf): a hand-built ELF64 AArch64 image
 * and hostile variants of it (truncated, wrong class/endianness/machine,
 * overlapping or out-of-RAM segments, p_filesz > p_memsz, overflowing
 * offsets and sizes, bogus section headers and string indexes), each of
 * which must give a clear error; byte-flip fuzzing must never crash;
 * a real cross-compiled guest gives symbols and DWARF lines.
 */
#include <check.h>
#include <elf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../src/elf/elf_image.h"

#define IMG_SIZE 0x340
#define OFF_PH 64
#define OFF_TEXT 0x100
#define OFF_DATA 0x110
#define OFF_SYM 0x120
#define OFF_STR 0x168
#define OFF_SHSTR 0x178
#define OFF_SH 0x1c0
#define NSH 6
#define TEXT_VA 0x40000000ull
#define DATA_VA 0x40001000ull

static uint8_t img[IMG_SIZE];
static char err[512];

static Elf64_Ehdr *eh(void) { return (Elf64_Ehdr *)img; }
static Elf64_Phdr *ph(int i) { return (Elf64_Phdr *)(img + OFF_PH) + i; }
static Elf64_Shdr *sh(int i) { return (Elf64_Shdr *)(img + OFF_SH) + i; }
static Elf64_Sym *sym(int i) { return (Elf64_Sym *)(img + OFF_SYM) + i; }

/* A valid image: text R-X at TEXT_VA (16 bytes), data RW at DATA_VA
 * (8 bytes file, 0x100 memory), symbols _start (func) and var (object). */
static void build(void)
{
	memset(img, 0, sizeof(img));
	Elf64_Ehdr *e = eh();
	memcpy(e->e_ident, ELFMAG, SELFMAG);
	e->e_ident[EI_CLASS] = ELFCLASS64;
	e->e_ident[EI_DATA] = ELFDATA2LSB;
	e->e_ident[EI_VERSION] = EV_CURRENT;
	e->e_type = ET_EXEC;
	e->e_machine = EM_AARCH64;
	e->e_version = EV_CURRENT;
	e->e_entry = TEXT_VA;
	e->e_phoff = OFF_PH;
	e->e_shoff = OFF_SH;
	e->e_ehsize = sizeof(Elf64_Ehdr);
	e->e_phentsize = sizeof(Elf64_Phdr);
	e->e_phnum = 2;
	e->e_shentsize = sizeof(Elf64_Shdr);
	e->e_shnum = NSH;
	e->e_shstrndx = 5;
	*ph(0) = (Elf64_Phdr){ PT_LOAD, PF_R | PF_X, OFF_TEXT, TEXT_VA, TEXT_VA, 16, 16, 16 };
	*ph(1) = (Elf64_Phdr){ PT_LOAD, PF_R | PF_W, OFF_DATA, DATA_VA, DATA_VA, 8, 0x100, 8 };
	static const uint32_t code[4] = { 0xd2800020u, 0x91000800u, 0xd503201fu, 0xd65f03c0u };
	memcpy(img + OFF_TEXT, code, 16);
	memset(img + OFF_DATA, 0xab, 8);
	*sym(1) = (Elf64_Sym){ 1, ELF64_ST_INFO(STB_GLOBAL, STT_FUNC), 0, 1, TEXT_VA, 16 };
	*sym(2) = (Elf64_Sym){ 8, ELF64_ST_INFO(STB_GLOBAL, STT_OBJECT), 0, 2, DATA_VA, 8 };
	memcpy(img + OFF_STR, "\0_start\0var\0", 12);
	static const char shstr[] = "\0.text\0.data\0.symtab\0.strtab\0.shstrtab";
	memcpy(img + OFF_SHSTR, shstr, sizeof(shstr));
	*sh(1) = (Elf64_Shdr){ 1, SHT_PROGBITS, SHF_ALLOC | SHF_EXECINSTR, TEXT_VA, OFF_TEXT, 16, 0, 0, 4, 0 };
	*sh(2) = (Elf64_Shdr){ 7, SHT_PROGBITS, SHF_ALLOC | SHF_WRITE, DATA_VA, OFF_DATA, 8, 0, 0, 8, 0 };
	*sh(3) = (Elf64_Shdr){ 13, SHT_SYMTAB, 0, 0, OFF_SYM, 3 * sizeof(Elf64_Sym), 4, 1, 8, sizeof(Elf64_Sym) };
	*sh(4) = (Elf64_Shdr){ 21, SHT_STRTAB, 0, 0, OFF_STR, 12, 0, 0, 1, 0 };
	*sh(5) = (Elf64_Shdr){ 29, SHT_STRTAB, 0, 0, OFF_SHSTR, sizeof(shstr), 0, 0, 1, 0 };
}

static struct elf_image *open_img(size_t len, uint64_t base)
{
	struct elf_image *i = NULL;
	err[0] = 0;
	if (elf_image_open_mem(img, len, base, &i, err, sizeof(err)))
		return NULL;
	return i;
}

/* The image must be refused with a message containing what. */
static void expect_error(const char *what)
{
	struct elf_image *i = open_img(sizeof(img), 0);
	ck_assert_msg(i == NULL, "accepted, expected an error about \"%s\"", what);
	ck_assert_msg(strstr(err, what) != NULL, "error \"%s\" does not mention \"%s\"", err, what);
}

START_TEST(valid_image)
{
	build();
	struct elf_image *i = open_img(sizeof(img), 0);
	ck_assert_msg(i != NULL, "%s", err);
	ck_assert_uint_eq(i->entry, TEXT_VA);
	ck_assert_uint_eq(i->nsegs, 2);
	ck_assert_uint_eq(i->segs[0].flags, ELF_SEG_R | ELF_SEG_X);
	ck_assert_uint_eq(i->segs[1].memsz, 0x100);
	ck_assert_uint_eq(i->nsyms, 2);
	uint64_t off;
	const struct elf_symbol *s = elf_sym_by_addr(i, TEXT_VA + 4, &off);
	ck_assert(s && strcmp(s->name, "_start") == 0 && off == 4 && s->kind == ELF_SYM_FUNC);
	s = elf_sym_by_addr(i, DATA_VA + 7, &off);
	ck_assert(s && strcmp(s->name, "var") == 0 && off == 7);
	ck_assert_ptr_null(elf_sym_by_addr(i, DATA_VA + 8, &off)); /* past var's size */
	ck_assert_ptr_null(elf_sym_by_addr(i, TEXT_VA - 4, &off));
	ck_assert_uint_eq(elf_sym_by_name(i, "var")->addr, DATA_VA);
	ck_assert_ptr_null(elf_sym_by_name(i, "nope"));
	char buf[64];
	ck_assert_str_eq(elf_format_addr(i, TEXT_VA + 8, buf, sizeof(buf)), "_start+0x8");
	/* Copy into a RAM buffer: data present, .bss zeroed. */
	static uint8_t ram[0x2000];
	memset(ram, 0xff, sizeof(ram));
	ck_assert_int_eq(elf_image_copy(i, ram, TEXT_VA, sizeof(ram), err, sizeof(err)), 0);
	ck_assert(memcmp(ram, img + OFF_TEXT, 16) == 0);
	ck_assert_uint_eq(ram[0x1000], 0xab);
	ck_assert_uint_eq(ram[0x1008], 0);
	ck_assert_uint_eq(ram[0x10ff], 0);
	ck_assert_uint_eq(ram[0x1100], 0xff);
	elf_image_free(i);
}
END_TEST

START_TEST(et_dyn_at_base)
{
	build();
	eh()->e_type = ET_DYN;
	eh()->e_entry = 0;
	ph(0)->p_vaddr = ph(0)->p_paddr = 0;
	ph(1)->p_vaddr = ph(1)->p_paddr = 0x1000;
	sh(1)->sh_addr = 0;
	sh(2)->sh_addr = 0x1000;
	sym(1)->st_value = 0;
	sym(2)->st_value = 0x1000;
	struct elf_image *i = open_img(sizeof(img), 0x40100000);
	ck_assert_msg(i != NULL, "%s", err);
	ck_assert_uint_eq(i->entry, 0x40100000);
	ck_assert_uint_eq(i->segs[1].paddr, 0x40101000);
	ck_assert_uint_eq(elf_sym_by_name(i, "var")->addr, 0x40101000);
	elf_image_free(i);
}
END_TEST

START_TEST(truncated_everywhere)
{
	build();
	for (size_t len = 0; len < sizeof(img); len++) {
		struct elf_image *i = open_img(len, 0);
		ck_assert_msg(i == NULL, "truncated to %zu bytes but accepted", len);
		ck_assert_msg(err[0] != 0, "no message at %zu bytes", len);
	}
}
END_TEST

START_TEST(wrong_identity)
{
	build();
	img[0] = 0;
	expect_error("magic");
	build();
	img[EI_CLASS] = ELFCLASS32;
	expect_error("64-bit");
	build();
	img[EI_DATA] = ELFDATA2MSB;
	expect_error("little-endian");
	build();
	eh()->e_machine = EM_X86_64;
	expect_error("AArch64");
	build();
	eh()->e_type = ET_REL;
	expect_error("ET_EXEC");
	build();
	eh()->e_phnum = 0;
	expect_error("no program headers");
}
END_TEST

START_TEST(bad_segments)
{
	build();
	ph(1)->p_vaddr = ph(1)->p_paddr = TEXT_VA + 8;
	sh(2)->sh_addr = TEXT_VA + 8;
	expect_error("overlap");
	build();
	ph(1)->p_filesz = 0x200;
	expect_error("p_filesz");
	build();
	ph(1)->p_offset = 0xffffffffffffff00ull;
	expect_error("beyond the end of the file");
	build();
	ph(1)->p_offset = IMG_SIZE - 4; /* 8 bytes from 4 before the end */
	expect_error("beyond the end of the file");
	build();
	ph(1)->p_paddr = 0xfffffffffffff000ull;
	ph(1)->p_memsz = 0x2000;
	expect_error("overflows");
	build();
	ph(1)->p_memsz = 1ull << 50;
	expect_error("too large");
	build();
	eh()->e_phoff = IMG_SIZE - 8;
	expect_error("program headers");
	build();
	eh()->e_phentsize = 32;
	expect_error("entry size");
	build();
	eh()->e_entry = 0x50000000;
	expect_error("entry point");
	build();
	ph(0)->p_type = PT_NOTE;
	ph(1)->p_type = PT_NOTE;
	expect_error("no loadable");
}
END_TEST

START_TEST(outside_ram)
{
	build();
	struct elf_image *i = open_img(sizeof(img), 0);
	ck_assert_ptr_nonnull(i);
	ck_assert_int_eq(elf_image_check_ram(i, 0x80000000ull, 0x1000000, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "outside RAM"), "%s", err);
	/* RAM ends inside the .bss. */
	ck_assert_int_eq(elf_image_check_ram(i, TEXT_VA, 0x1080, err, sizeof(err)), -1);
	ck_assert_int_eq(elf_image_check_ram(i, TEXT_VA, 0x1100, err, sizeof(err)), 0);
	static uint8_t ram[0x100];
	ck_assert_int_eq(elf_image_copy(i, ram, TEXT_VA, sizeof(ram), err, sizeof(err)), -1);
	elf_image_free(i);
}
END_TEST

START_TEST(bad_sections)
{
	build();
	eh()->e_shstrndx = 99;
	expect_error("section name string table index");
	build();
	eh()->e_shstrndx = 1; /* .text is not a string table */
	expect_error("not a string table");
	build();
	eh()->e_shoff = IMG_SIZE - 64;
	expect_error("section headers");
	build();
	eh()->e_shentsize = 40;
	expect_error("section header entry size");
	build();
	sh(3)->sh_link = 99;
	expect_error("out of range");
	build();
	sh(3)->sh_link = 2; /* .data */
	expect_error("not a string table");
	build();
	sym(2)->st_name = 0x7fffffff;
	expect_error("name offset");
	build();
	sh(3)->sh_offset = 0xfffffffffffffff0ull;
	expect_error("beyond the end of the file");
	build();
	sh(3)->sh_entsize = 12;
	expect_error("symbol table entry size");
}
END_TEST

START_TEST(fuzz_byte_flips)
{
	/* Deterministic mutations of the headers and tables: any outcome but
	 * a crash is fine; accepted images must give sane lookups. */
	unsigned seed = 12345;
	for (int n = 0; n < 3000; n++) {
		build();
		int flips = 1 + (int)(rand_r(&seed) % 4);
		for (int k = 0; k < flips; k++) {
			size_t pos = (size_t)rand_r(&seed) % sizeof(img);
			img[pos] ^= (uint8_t)(1u << (rand_r(&seed) % 8));
		}
		struct elf_image *i = open_img(sizeof(img), 0x40000000);
		if (i) {
			uint64_t off;
			elf_sym_by_addr(i, i->entry, &off);
			elf_sym_by_name(i, "_start");
			elf_image_free(i);
		} else {
			ck_assert(err[0] != 0);
		}
	}
}
END_TEST

START_TEST(missing_file)
{
	struct elf_image *i;
	ck_assert_int_eq(elf_image_open("/nonexistent/guest.elf", 0, &i, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "No such file"), "%s", err);
	ck_assert_int_eq(elf_image_open("/", 0, &i, err, sizeof(err)), -1);
}
END_TEST

/* A real guest from the cross compiler: symbols, trimmed header page,
 * DWARF line table. */
START_TEST(real_guest_with_dwarf)
{
	char path[128], cmd[512];
	snprintf(path, sizeof(path), "/tmp/hvdbg-test-elf-%d.elf", (int)getpid());
	snprintf(cmd, sizeof(cmd),
		 "aarch64-linux-gnu-gcc -g -nostdlib -static -Wl,-Ttext=0x40000000 -Wl,--build-id=none "
		 "-o %s examples/guests/dbgtest.S", path);
	ck_assert_msg(system(cmd) == 0, "%s", cmd);
	struct elf_image *i;
	int rc = elf_image_open(path, 0, &i, err, sizeof(err));
	unlink(path);
	ck_assert_msg(rc == 0, "%s", err);
	ck_assert_uint_eq(i->segs[0].paddr, 0x40000000); /* ELF headers not loaded */
	ck_assert_int_eq(elf_image_check_ram(i, 0x40000000, 128u << 20, err, sizeof(err)), 0);
	const struct elf_symbol *f = elf_sym_by_name(i, "func_a");
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(f->size, 16);
	uint64_t off;
	ck_assert_ptr_eq(elf_sym_by_addr(i, f->addr + 12, &off), f);
	/* An assembler label (NOTYPE, size 0) covers what follows it. */
	const struct elf_symbol *l = elf_sym_by_addr(i, elf_sym_by_name(i, "do_write")->addr + 4, &off);
	ck_assert(l && strcmp(l->name, "do_write") == 0 && off == 4);
	ck_assert_uint_gt(i->nlines, 10);
	const struct elf_line *ln = elf_line_by_addr(i, f->addr);
	ck_assert_ptr_nonnull(ln);
	ck_assert_msg(strstr(ln->file, "dbgtest.S") != NULL, "%s", ln->file);
	uint64_t a;
	ck_assert_int_eq(elf_line_to_addr(i, "dbgtest.S", ln->line, &a, err, sizeof(err)), 0);
	ck_assert_uint_eq(a, f->addr);
	ck_assert_int_eq(elf_line_to_addr(i, "nofile.c", 1, &a, err, sizeof(err)), -1);
	elf_image_free(i);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("elf");
	TCase *t = tcase_create("elf");
	tcase_set_timeout(t, 60);
	tcase_add_test(t, valid_image);
	tcase_add_test(t, et_dyn_at_base);
	tcase_add_test(t, truncated_everywhere);
	tcase_add_test(t, wrong_identity);
	tcase_add_test(t, bad_segments);
	tcase_add_test(t, outside_ram);
	tcase_add_test(t, bad_sections);
	tcase_add_test(t, fuzz_byte_flips);
	tcase_add_test(t, missing_file);
	tcase_add_test(t, real_guest_with_dwarf);
	suite_add_tcase(s, t);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
