/*
 * test_fp_guest.c - a C guest compiled with aarch64-linux-gnu-gcc -O3
 * (and with clang when installed; bench/guest/fp_kernels.c: vectorised matrix multiply, dot product,
 * widening MAC, saturating add, strlen/memcpy loops, conversions) runs on
 * the emu backend through the public API and must print the same checksum
 * as under qemu-system-aarch64 (TCG).  Skipped when the cross compiler or
 * QEMU is not installed.
 */
#include <Hypervisor/Hypervisor.h>
#include <check.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#define RAM_BASE 0x40000000ull
#define RAM_SIZE (64ull << 20)
#define LOAD_ADDR 0x40200000ull
#define UART 0x09000000ull

static int have(const char *tool)
{
	char cmd[256];
	snprintf(cmd, sizeof cmd, "command -v %s >/dev/null 2>&1", tool);
	return system(cmd) == 0;
}

/* Builds the guest with the given flags into GUEST_DIR; returns 0 on
 * success. */
static int build_guest(const char *tag, const char *cc, const char *flags)
{
	char cmd[1024];
	snprintf(cmd, sizeof cmd,
		 "%s %s -fno-math-errno -ffreestanding -nostdlib -static -fno-pie "
		 "-no-pie -mstrict-align -Wl,--no-warn-rwx-segments -DREPS=3 -T bench/guest/link.ld "
		 "-Wl,--build-id=none -o %s/fp_%s.elf bench/guest/fp_start.S bench/guest/fp_kernels.c "
		 "&& aarch64-linux-gnu-objcopy -O binary %s/fp_%s.elf %s/fp_%s.bin",
		 cc, flags, GUEST_DIR, tag, GUEST_DIR, tag, GUEST_DIR, tag);
	return system(cmd);
}

/* Runs the flat image on our emu; the UART output goes to out. */
static void run_ours(const char *bin, char *out, size_t outsz)
{
	uint8_t *ram = mmap(NULL, RAM_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ck_assert(ram != MAP_FAILED);
	FILE *f = fopen(bin, "rb");
	ck_assert_msg(f != NULL, "cannot open %s", bin);
	size_t n = fread(ram + (LOAD_ADDR - RAM_BASE), 1, RAM_SIZE - (LOAD_ADDR - RAM_BASE), f);
	fclose(f);
	ck_assert(n > 0);
	hv_vcpu_t vcpu;
	hv_vcpu_exit_t *vexit;
	ck_assert_int_eq(hv_vm_create(NULL), HV_SUCCESS);
	ck_assert_int_eq(hv_vm_map(ram, RAM_BASE, RAM_SIZE,
				   HV_MEMORY_READ | HV_MEMORY_WRITE | HV_MEMORY_EXEC), HV_SUCCESS);
	ck_assert_int_eq(hv_vcpu_create(&vcpu, &vexit, NULL), HV_SUCCESS);
	hv_vcpu_set_reg(vcpu, HV_REG_CPSR, 0x3c5);
	hv_vcpu_set_reg(vcpu, HV_REG_PC, LOAD_ADDR);
	size_t len = 0;
	for (;;) {
		ck_assert_int_eq(hv_vcpu_run(vcpu), HV_SUCCESS);
		uint64_t esr = vexit->exception.syndrome, pc = 0;
		unsigned ec = (esr >> 26) & 0x3f;
		ck_assert_int_eq(vexit->reason, HV_EXIT_REASON_EXCEPTION);
		if (ec == 0x16)
			break; /* PSCI SYSTEM_OFF */
		ck_assert_msg(ec == 0x24 && (esr & (1u << 24)) && (esr & (1u << 6)) &&
			      vexit->exception.physical_address == UART,
			      "unexpected exit EC %#x ESR %#llx", ec, (unsigned long long)esr);
		uint64_t v = 0;
		unsigned srt = (esr >> 16) & 31;
		if (srt != 31)
			hv_vcpu_get_reg(vcpu, HV_REG_X0 + srt, &v);
		if (len + 1 < outsz)
			out[len++] = (char)v;
		hv_vcpu_get_reg(vcpu, HV_REG_PC, &pc);
		hv_vcpu_set_reg(vcpu, HV_REG_PC, pc + 4);
	}
	out[len] = 0;
	hv_vcpu_destroy(vcpu);
	hv_vm_unmap(RAM_BASE, RAM_SIZE);
	hv_vm_destroy();
	munmap(ram, RAM_SIZE);
}

static void run_qemu(const char *elf, char *out, size_t outsz)
{
	char cmd[1024];
	snprintf(cmd, sizeof cmd,
		 "timeout 120 qemu-system-aarch64 -M virt -cpu max -m 256M -display none -monitor none "
		 "-nodefaults -kernel %s -serial stdio 2>/dev/null", elf);
	FILE *p = popen(cmd, "r");
	ck_assert(p != NULL);
	size_t len = 0;
	int c;
	while ((c = fgetc(p)) != EOF)
		if (c != '\r' && len + 1 < outsz)
			out[len++] = (char)c;
	out[len] = 0;
	pclose(p);
}

static void check_variant(const char *tag, const char *cc, const char *flags)
{
	char tool[64];
	snprintf(tool, sizeof tool, "%s", cc);
	tool[strcspn(tool, " ")] = 0;
	if (!have(tool) || !have("aarch64-linux-gnu-objcopy") || !have("qemu-system-aarch64")) {
		printf("fp_guest: %s, binutils or qemu-system-aarch64 missing: skipped\n", tool);
		return;
	}
	ck_assert_msg(build_guest(tag, cc, flags) == 0, "guest build failed (%s %s)", cc, flags);
	char bin[512], elf[512], ours[256], qemu[256];
	snprintf(bin, sizeof bin, "%s/fp_%s.bin", GUEST_DIR, tag);
	snprintf(elf, sizeof elf, "%s/fp_%s.elf", GUEST_DIR, tag);
	run_ours(bin, ours, sizeof ours);
	run_qemu(elf, qemu, sizeof qemu);
	printf("fp_guest %s: ours=%s qemu=%s", flags, ours, qemu);
	ck_assert_msg(ours[0] != 0 && strcmp(ours, qemu) == 0, "%s: ours \"%s\" != qemu \"%s\"", flags,
		      ours, qemu);
}

START_TEST(test_guest_o3)
{
	check_variant("o3", "aarch64-linux-gnu-gcc", "-O3");
}
END_TEST

START_TEST(test_guest_clang)
{
	check_variant("clang", "clang --target=aarch64-linux-gnu -fuse-ld=bfd -Wno-unused-command-line-argument",
		      "-O3");
}
END_TEST

START_TEST(test_guest_o2)
{
	check_variant("o2", "aarch64-linux-gnu-gcc", "-O2 -ftree-vectorize");
}
END_TEST

/* CPACR_EL1.FPEN: FP/SIMD data processing, SIMD structure loads and MRS
 * FPCR trap to EL1 with EC 0x07 when disabled for the current EL (00:
 * EL0 and EL1; 01: EL0 only; 11: none). */
START_TEST(test_fpen_trap)
{
	static const uint32_t insns[] = {
		0x1e222820u, /* fadd s0, s1, s2 */
		0x4e228420u, /* add v0.16b, v1.16b, v2.16b */
		0x4c407000u, /* ld1 {v0.16b}, [x0] */
		0xd53b4400u, /* mrs x0, fpcr */
	};
	uint8_t *ram = mmap(NULL, RAM_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ck_assert(ram != MAP_FAILED);
	uint8_t *code = ram + (LOAD_ADDR - RAM_BASE);
	/* vectors at LOAD_ADDR + 0x800: slot n -> HVC #(0x100 | n) */
	for (uint32_t off = 0; off < 0x800; off += 4) {
		uint32_t w = 0xd4000002u | (0x100u | off >> 7) << 5;
		memcpy(code + 0x800 + off, &w, 4);
	}
	hv_vcpu_t vcpu;
	hv_vcpu_exit_t *vexit;
	ck_assert_int_eq(hv_vm_create(NULL), HV_SUCCESS);
	ck_assert_int_eq(hv_vm_map(ram, RAM_BASE, RAM_SIZE,
				   HV_MEMORY_READ | HV_MEMORY_WRITE | HV_MEMORY_EXEC), HV_SUCCESS);
	ck_assert_int_eq(hv_vcpu_create(&vcpu, &vexit, NULL), HV_SUCCESS);
	hv_vcpu_set_sys_reg(vcpu, HV_SYS_REG_VBAR_EL1, LOAD_ADDR + 0x800);
	for (unsigned i = 0; i < 4; i++) {
		uint32_t w[2] = { insns[i], 0xd4000002u }; /* insn; hvc #0 */
		memcpy(code, w, 8);
		for (unsigned fpen = 0; fpen < 4; fpen++) {
			for (unsigned el = 0; el < 2; el++) {
				if (el == 0 && i == 3)
					continue; /* MRS FPCR at EL0: fine, but no HVC from EL0 */
				hv_vcpu_set_sys_reg(vcpu, HV_SYS_REG_CPACR_EL1, (uint64_t)fpen << 20);
				hv_vcpu_set_reg(vcpu, HV_REG_CPSR, el ? 0x3c5 : 0x3c0);
				hv_vcpu_set_reg(vcpu, HV_REG_PC, LOAD_ADDR);
				hv_vcpu_set_reg(vcpu, HV_REG_X0, LOAD_ADDR + 0x1000);
				ck_assert_int_eq(hv_vcpu_run(vcpu), HV_SUCCESS);
				ck_assert_int_eq(vexit->reason, HV_EXIT_REASON_EXCEPTION);
				uint32_t iss = (uint32_t)vexit->exception.syndrome & 0xffff;
				bool trap = fpen == 0 || fpen == 2 || (fpen == 1 && el == 0);
				if (el == 0 && !trap) {
					/* EL0 then executes HVC: UNDEF at EL0 -> lower-EL vector */
					ck_assert_uint_eq(iss, 0x108);
					continue;
				}
				if (!trap) {
					ck_assert_uint_eq(iss, 0);
					continue;
				}
				ck_assert_uint_eq(iss, el ? 0x104 : 0x108);
				uint64_t esr = 0, elr = 0;
				hv_vcpu_get_sys_reg(vcpu, HV_SYS_REG_ESR_EL1, &esr);
				hv_vcpu_get_sys_reg(vcpu, HV_SYS_REG_ELR_EL1, &elr);
				ck_assert_msg((esr >> 26) == 0x07, "insn %08x fpen %u el %u: ESR %#llx",
					      insns[i], fpen, el, (unsigned long long)esr);
				ck_assert_uint_eq(esr & 0x1ffffff, 0x1e00000); /* CV=1, COND=0xe */
				ck_assert_uint_eq(elr, LOAD_ADDR);
			}
		}
	}
	hv_vcpu_destroy(vcpu);
	hv_vm_unmap(RAM_BASE, RAM_SIZE);
	hv_vm_destroy();
	munmap(ram, RAM_SIZE);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("fp_guest");
	TCase *tc = tcase_create("vs_qemu");
	tcase_set_timeout(tc, 240);
	tcase_add_test(tc, test_guest_o3);
	tcase_add_test(tc, test_guest_o2);
	tcase_add_test(tc, test_guest_clang);
	tcase_add_test(tc, test_fpen_trap);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
