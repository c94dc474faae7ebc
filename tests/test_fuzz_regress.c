/*
 * test_fuzz_regress.c - regression tests for bugs found by the fuzz
 * targets in fuzz/ (scripts/fuzz.sh).  Each test rebuilds the essence of
 * the crashing input by hand and names the target that found it.
 */
#include <elf.h>
#include <string.h>

#include "guest.h"

#include "../src/elf/elf_image.h"

#define BASE 0x40000000ull
#define SHOFF 0x200u
#define FILE_SIZE 0x300u

static void put(uint8_t *f, size_t off, const void *p, size_t n)
{
	memcpy(f + off, p, n);
}

/*
 * An ET_EXEC image: PT_LOAD [BASE, BASE+0x200) holding the headers and
 * .text at BASE+0x100 (so the loader trims the headers off the segment),
 * plus an empty PT_LOAD at empty_vaddr.
 */
static size_t make_elf(uint8_t *f, uint64_t entry, uint64_t empty_vaddr)
{
	memset(f, 0, FILE_SIZE);
	Elf64_Ehdr eh = {
		.e_ident = { ELFMAG0, ELFMAG1, ELFMAG2, ELFMAG3, ELFCLASS64, ELFDATA2LSB, EV_CURRENT },
		.e_type = ET_EXEC,
		.e_machine = EM_AARCH64,
		.e_version = EV_CURRENT,
		.e_entry = entry,
		.e_phoff = sizeof(Elf64_Ehdr),
		.e_shoff = SHOFF,
		.e_ehsize = sizeof(Elf64_Ehdr),
		.e_phentsize = sizeof(Elf64_Phdr),
		.e_phnum = 2,
		.e_shentsize = sizeof(Elf64_Shdr),
		.e_shnum = 3,
		.e_shstrndx = 2,
	};
	put(f, 0, &eh, sizeof(eh));
	Elf64_Phdr ph[2] = {
		{ .p_type = PT_LOAD, .p_flags = PF_R | PF_X, .p_offset = 0, .p_vaddr = BASE,
		  .p_paddr = BASE, .p_filesz = 0x200, .p_memsz = 0x200, .p_align = 0x10 },
		{ .p_type = PT_LOAD, .p_flags = PF_R | PF_W, .p_offset = 0x80,
		  .p_vaddr = empty_vaddr, .p_paddr = empty_vaddr, .p_align = 0x10 },
	};
	put(f, sizeof(eh), ph, sizeof(ph));
	static const char shstr[] = "\0.text\0.shstrtab";
	Elf64_Shdr sh[3] = {
		{ 0 },
		{ .sh_name = 1, .sh_type = SHT_PROGBITS, .sh_flags = SHF_ALLOC | SHF_EXECINSTR,
		  .sh_addr = BASE + 0x100, .sh_offset = 0x100, .sh_size = 0x100, .sh_addralign = 4 },
		{ .sh_name = 7, .sh_type = SHT_STRTAB, .sh_offset = SHOFF + sizeof(sh),
		  .sh_size = sizeof(shstr), .sh_addralign = 1 },
	};
	put(f, SHOFF, sh, sizeof(sh));
	put(f, SHOFF + sizeof(sh), shstr, sizeof(shstr));
	return FILE_SIZE;
}

/* elf_load_fuzz: trimming the headers off a segment moved it past an
 * empty segment that lay inside it, breaking "segs sorted by paddr". */
START_TEST(elf_trim_keeps_segments_sorted)
{
	uint8_t f[FILE_SIZE];
	char err[256] = "";
	struct elf_image *img;
	size_t n = make_elf(f, BASE + 0x100, BASE + 0x80);
	ck_assert_msg(elf_image_open_mem(f, n, 0, &img, err, sizeof(err)) == 0, "%s", err);
	ck_assert_uint_eq(img->nsegs, 2);
	for (size_t i = 1; i < img->nsegs; i++)
		ck_assert_msg(img->segs[i - 1].paddr <= img->segs[i].paddr,
			      "segment %zu at %#llx before segment %zu at %#llx", i - 1,
			      (unsigned long long)img->segs[i - 1].paddr, i,
			      (unsigned long long)img->segs[i].paddr);
	/* The headers were trimmed: the code segment starts at .text. */
	ck_assert_uint_eq(img->segs[1].paddr, BASE + 0x100);
	ck_assert_uint_eq(img->segs[1].filesz, 0x100);
	elf_image_free(img);
}
END_TEST

/* Found while fixing the above: the trimmed head must never contain the
 * entry point (it would not be loaded). */
START_TEST(elf_trim_keeps_entry_loaded)
{
	uint8_t f[FILE_SIZE];
	char err[256] = "";
	struct elf_image *img;
	size_t n = make_elf(f, BASE + 0x40, BASE + 0x1000);
	ck_assert_msg(elf_image_open_mem(f, n, 0, &img, err, sizeof(err)) == 0, "%s", err);
	bool loaded = false;
	for (size_t i = 0; i < img->nsegs; i++) {
		const struct elf_segment *s = &img->segs[i];
		if (img->entry >= s->vaddr && img->entry - s->vaddr < s->filesz)
			loaded = true;
	}
	ck_assert_msg(loaded, "entry %#llx is not in any loaded byte", (unsigned long long)img->entry);
	elf_image_free(img);
}
END_TEST

/* elf_load_fuzz (UBSan): elf_image_copy formed a pointer far outside
 * RAM for an empty segment outside RAM, which elf_image_check_ram rightly
 * ignores.  Undefined behaviour without a visible effect: clang's UBSan
 * reports it (make check-asan CC=clang); the copy itself is checked here. */
START_TEST(elf_copy_ignores_empty_segment_outside_ram)
{
	uint8_t f[FILE_SIZE], ram[0x1000];
	char err[256] = "";
	struct elf_image *img;
	size_t n = make_elf(f, BASE + 0x100, 0x1000); /* empty PT_LOAD below RAM */
	ck_assert_msg(elf_image_open_mem(f, n, 0, &img, err, sizeof(err)) == 0, "%s", err);
	memset(ram, 0xee, sizeof(ram));
	ck_assert_msg(elf_image_copy(img, ram, BASE, sizeof(ram), err, sizeof(err)) == 0, "%s",
		      err);
	/* .text (zeros in this image) landed at RAM + 0x100, nothing else. */
	ck_assert_uint_eq(ram[0x100], 0);
	ck_assert_uint_eq(ram[0x1ff], 0);
	ck_assert_uint_eq(ram[0x0ff], 0xee);
	ck_assert_uint_eq(ram[0x200], 0xee);
	elf_image_free(img);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("fuzz_regress");
	TCase *t = tcase_create("elf");
	tcase_add_test(t, elf_trim_keeps_segments_sorted);
	tcase_add_test(t, elf_trim_keeps_entry_loaded);
	tcase_add_test(t, elf_copy_ignores_empty_segment_outside_ram);
	suite_add_tcase(s, t);
	return run_suite(s);
}
