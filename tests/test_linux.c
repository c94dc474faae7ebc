/*
 * test_linux.c - Debian's arm64 kernel on hvdbg's Linux machine
 * (docs/machine.md, "Booting Linux"): a boot with --smp 2 to an
 * initramfs whose /init checks the system (tests/linux/check-init), the
 * console with a busybox shell inside the REPL at a terminal (Ctrl-C,
 * bt, info gic, continue), the generated device tree through dtc, the
 * kernel image reader, and bad input.
 *
 * The kernel, busybox and the kernel's symbol table come from
 * tests/linux/fetch.sh (apt, cached).  HV_BACKEND chooses the backend as
 * everywhere; tests/kvm/check.sh runs this suite in the nested-KVM VM.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <Hypervisor/Hypervisor.h>

#include "../src/machine/kernel_image.h"
#include "../src/machine/mmio_decode.h"
#include "../src/machine/pagewalk.h"
#include "backend.h"
#include "term.h"

static char g_src[512], g_hvdbg[600], g_tmp[256];
static char g_kernel[512], g_busybox[512], g_map[512], g_sum[80];
static char g_demo[300], g_check[300];
static int g_scale = 1; /* HVDBG_TEST_SCALE: slower machines (nested VM) */

#define T_MS(ms) ((ms) * g_scale)
#define EXPECT(t, s, ms) TERM_EXPECT((t), (s), T_MS(ms))

static void must(int ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "test_linux: %s\n", what);
		exit(1);
	}
}

/* Runs cmd (a shell command line); its stdout in out (NUL-terminated). */
static int run(const char *cmd, char *out, size_t len)
{
	FILE *p = popen(cmd, "r");
	must(p != NULL, "popen failed");
	size_t n = out ? fread(out, 1, len - 1, p) : 0;
	if (out)
		out[n] = 0;
	char sink[4096];
	while (fread(sink, 1, sizeof(sink), p) > 0)
		;
	int st = pclose(p);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static void setup_all(void)
{
	snprintf(g_src, sizeof(g_src), "%s", __FILE__);
	char *slash = strrchr(g_src, '/');
	if (slash)
		*slash = 0;
	else
		snprintf(g_src, sizeof(g_src), ".");
	strncat(g_src, "/..", sizeof(g_src) - strlen(g_src) - 1);
	const char *h = getenv("HVDBG_BIN");
	snprintf(g_hvdbg, sizeof(g_hvdbg), "%s", h ? h : "");
	if (!h) {
		snprintf(g_hvdbg, sizeof(g_hvdbg), "%s", GUEST_DIR);
		char *t = strstr(g_hvdbg, "/tests/guests");
		if (t)
			*t = 0;
		strncat(g_hvdbg, "/hvdbg", sizeof(g_hvdbg) - strlen(g_hvdbg) - 1);
	}
	const char *sc = getenv("HVDBG_TEST_SCALE");
	if (sc && atoi(sc) > 0)
		g_scale = atoi(sc);
	must(access(g_hvdbg, X_OK) == 0, "no hvdbg program (make build/hvdbg)");
	snprintf(g_tmp, sizeof(g_tmp), "/tmp/hvdbg-test-linux-%d", (int)getpid());
	must(mkdir(g_tmp, 0700) == 0, "cannot create the temporary directory");

	char cmd[2048], out[2048];
	if (getenv("HVDBG_LINUX_FILES")) { /* "KERNEL BUSYBOX MAP" given (nested VM) */
		snprintf(out, sizeof(out), "%s", getenv("HVDBG_LINUX_FILES"));
	} else {
		snprintf(cmd, sizeof(cmd), "%s/tests/linux/fetch.sh %s", g_src, g_hvdbg);
		must(run(cmd, out, sizeof(out)) == 0, "tests/linux/fetch.sh failed (apt?)");
	}
	must(sscanf(out, "%511s %511s %511s", g_kernel, g_busybox, g_map) == 3,
	     "fetch.sh did not name the kernel, busybox and the map");
	/* The initramfs images: built here unless given (nested VM). */
	if (getenv("HVDBG_LINUX_INITRDS")) {
		must(sscanf(getenv("HVDBG_LINUX_INITRDS"), "%299s %299s %79s", g_demo, g_check, g_sum) == 3,
		     "HVDBG_LINUX_INITRDS: DEMO CHECK SUM");
	} else {
		snprintf(g_demo, sizeof(g_demo), "%s/demo.cpio", g_tmp);
		snprintf(g_check, sizeof(g_check), "%s/check.cpio", g_tmp);
		snprintf(cmd, sizeof(cmd), "%s/tests/linux/initramfs.sh demo %s", g_src, g_demo);
		must(run(cmd, NULL, 0) == 0, "initramfs.sh demo failed");
		snprintf(cmd, sizeof(cmd), "%s/tests/linux/initramfs.sh check %s", g_src, g_check);
		must(run(cmd, g_sum, sizeof(g_sum)) == 0, "initramfs.sh check failed");
		g_sum[strcspn(g_sum, "\n")] = 0;
	}
}

static void cleanup_all(void)
{
	char cmd[512];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", g_tmp);
	if (system(cmd) != 0)
		fprintf(stderr, "test_linux: cannot remove %s\n", g_tmp);
}

/* ------------------------------------------------------------ boot */

/* The whole boot with two vCPUs, --run: the guest's /init checks CPUs
 * online, the timer interrupt counting, a sleep that returns, the UART
 * interrupt, a checksum of its /payload on both CPUs, and powers off. */
START_TEST(boot_smp2_checks)
{
	static char out[1 << 16];
	char cmd[4096];
	snprintf(cmd, sizeof(cmd),
		 "%s --kernel %s --initrd %s --smp 2 --append 'console=ttyAMA0 panic=-1 quiet "
		 "hvdbg.online=0-1 hvdbg.sum=%s' --run --timeout %d </dev/null 2>&1",
		 g_hvdbg, g_kernel, g_check, g_sum, 300 * g_scale);
	int rc = run(cmd, out, sizeof(out));
	ck_assert_msg(strstr(out, "hvdbg-check: all passed") != NULL, "the checks did not pass:\n%s", out);
	ck_assert_msg(strstr(out, "FAILED") == NULL, "a check failed:\n%s", out);
	ck_assert_msg(rc == 0, "hvdbg --run exited %d (want 0 on SYSTEM_OFF):\n%s", rc, out);
}
END_TEST

/* Nested virtualization end to end (tests/linux/kvm-inside.sh): the
 * kernel booted at EL2 with --el2 initializes KVM with the vGIC - in VHE
 * mode (the kernel stays at EL2, FEAT_VHE) or, with kvm-arm.mode=nvhe,
 * nVHE (it drops to EL1 under its own small hypervisor) - and mini_vmm,
 * cross-built with the kvm backend, runs its hello guest on it: three
 * levels of hypervisor on one emulated CPU. */
static void kvm_inside(const char *cmdline, const char *mode_line)
{
	if (!hv_test_have_el2(__func__))
		return;
	static char out[1 << 16];
	char cmd[4096];
	snprintf(cmd, sizeof(cmd), "KVM_INSIDE_TIMEOUT=%d %s/tests/linux/kvm-inside.sh %s %s %s %s 2>&1", 300 * g_scale,
		 g_src, g_hvdbg, g_kernel, g_busybox, cmdline);
	int rc = run(cmd, out, sizeof(out));
	if (rc == 77) {
		hv_test_note(__func__, "no aarch64 cross compiler for mini_vmm");
		return;
	}
	ck_assert_msg(strstr(out, mode_line) != NULL, "no '%s' from the EL2-booted kernel:\n%s", mode_line, out);
	ck_assert_msg(strstr(out, "--- mini_vmm begin\r\nHello from an ARM64 guest, through MMIO exits!\r\n"
				  "--- mini_vmm exit=0") != NULL,
		      "mini_vmm did not run its guest on the inner KVM:\n%s", out);
	ck_assert_msg(rc == 0, "hvdbg --run exited %d (want 0 on SYSTEM_OFF):\n%s", rc, out);
}

START_TEST(kvm_inside_el2_guest_vhe)
{
	kvm_inside("", "kvm [1]: VHE mode initialized successfully");
}
END_TEST

START_TEST(kvm_inside_el2_guest_nvhe)
{
	kvm_inside("kvm-arm.mode=nvhe", "kvm [1]: Hyp nVHE mode initialized successfully");
}
END_TEST

/* A user at a terminal: the REPL, a breakpoint by symbol before the MMU
 * is on, the busybox shell on the console, Ctrl-C into the REPL, bt and
 * info gic there, continue back to the shell, Ctrl-A c as the guest's
 * own Ctrl-C, the power-off, and `run`: the same boot again. */
START_TEST(repl_console_shell)
{
	struct term *t = calloc(1, sizeof(*t));
	const char *args[] = { "--kernel", g_kernel, "--initrd", g_demo, "--symbols", g_map, "--smp", "2",
			       "--append", "console=ttyAMA0 quiet", NULL };
	term_spawn(t, g_hvdbg, g_tmp, NULL, args);
	EXPECT(t, "Linux kernel entry 0x40000000, device tree at", 15000);
	EXPECT(t, "(hvdbg) ", 15000);
	term_send(t, "break start_kernel\r");
	EXPECT(t, "not mapped yet: a hardware breakpoint instead", 15000);
	term_send(t, "continue\r");
	EXPECT(t, "Hardware breakpoint 1, vCPU 0 at start_kernel", 60000);
	term_send(t, "bt\r");
	EXPECT(t, "in __primary_switched", 15000);
	term_send(t, "info registers sctlr_el1\r");
	EXPECT(t, "sctlr_el1", 15000);
	term_send(t, "delete\r");
	EXPECT(t, "(hvdbg) ", 15000);
	term_send(t, "continue\r");
	EXPECT(t, "built-in shell (ash)", 120000);
	EXPECT(t, "/ # ", 30000);
	term_send(t, "ls /proc\r");
	EXPECT(t, "cpuinfo", 30000);
	EXPECT(t, "/ # ", 30000);
	term_send(t, "\003"); /* Ctrl-C: the REPL takes the guest */
	EXPECT(t, "Interrupted", 15000);
	EXPECT(t, "(hvdbg) ", 15000);
	term_send(t, "bt\r");
	EXPECT(t, "#0  0x", 15000);
	term_send(t, "info gic\r");
	EXPECT(t, "group 1 enabled", 15000);
	EXPECT(t, "virtual timer", 15000);
	EXPECT(t, "PL011 UART", 15000);
	term_send(t, "info timer\r");
	EXPECT(t, "virtual  CTL", 15000);
	term_send(t, "continue\r");
	EXPECT(t, "Continuing.", 15000);
	term_send(t, "echo answer-$((6*7))\r");
	EXPECT(t, "answer-42", 30000);
	/* The quotes keep the typed line (echoed) from matching the output. */
	term_send(t, "sh -c 'trap \"echo got-\"\"int; exit\" INT; echo rea\"\"dy; while :; do sleep 1; done'\r");
	EXPECT(t, "ready", 30000);
	term_send(t, "\001c"); /* Ctrl-A c: a Ctrl-C for the guest's shell */
	EXPECT(t, "got-int", 30000);
	term_send(t, "echo still-$((1+1))\r");
	EXPECT(t, "still-2", 30000);
	term_send(t, "poweroff -f\r");
	EXPECT(t, "guest powered off: PSCI SYSTEM_OFF", 60000);
	EXPECT(t, "(hvdbg) ", 15000);
	/* run: the same kernel, initrd and command line boot again, both
	 * vCPUs, from a cleared machine; the symbols stay */
	term_send(t, "run\r");
	EXPECT(t, "Starting the guest again from its entry (the kernel, its initrd and device tree loaded afresh)",
	       15000);
	EXPECT(t, "built-in shell (ash)", 120000);
	EXPECT(t, "/ # ", 30000);
	term_send(t, "grep -c ^processor /proc/cpuinfo\r");
	EXPECT(t, "\n2\r", 30000);
	term_send(t, "poweroff -f\r");
	EXPECT(t, "guest powered off: PSCI SYSTEM_OFF", 60000);
	EXPECT(t, "(hvdbg) ", 15000);
	term_send(t, "info symbol start_kernel\r");
	EXPECT(t, "start_kernel in section code", 15000);
	ck_assert_int_eq(term_quit(t), 0);
	free(t);
}
END_TEST

/* ---------------------------------------------------------- gdb */

static uint64_t map_addr(const char *name)
{
	char cmd[1024], out[128];
	snprintf(cmd, sizeof(cmd), "awk '$3 == \"%s\" { print $1; exit }' %s", name, g_map);
	must(run(cmd, out, sizeof(out)) == 0 && out[0], "symbol missing from the kernel's map");
	return strtoull(out, NULL, 16);
}

/* gdb-multiarch attached to the booting kernel: tests/rsp/kernel.py. */
START_TEST(gdb_kernel)
{
	uint64_t text = map_addr("_text"), enable_mmu = map_addr("__enable_mmu"), start = map_addr("start_kernel");
	uint64_t caller = map_addr("__primary_switched");
	const uint64_t phys = 0x40000000; /* the Image at the start of RAM (2 MiB aligned, text_offset 0) */
	char cmd[8192], uart[400], log[400], entry[64];
	snprintf(cmd, sizeof(cmd), "aarch64-linux-gnu-readelf -h %s | awk '/Entry point/ { print $4 }'", g_busybox);
	must(run(cmd, entry, sizeof(entry)) == 0, "readelf failed");
	entry[strcspn(entry, "\n")] = 0;
	snprintf(uart, sizeof(uart), "%s/gdb-uart.log", g_tmp);
	snprintf(log, sizeof(log), "%s/gdb.log", g_tmp);
	snprintf(cmd, sizeof(cmd),
		 "K_ENABLE_MMU=%#llx K_START=%#llx K_CALLER=%#llx K_TEXT=%#llx K_PHYS=%#llx BB_ENTRY=%s UART_LOG=%s SCALE=%d "
		 "PYTHONPATH=%s/tests/rsp timeout %d gdb-multiarch -q -n -nx -batch -ex 'set pagination off' "
		 "-ex 'set confirm off' -ex 'set architecture aarch64' "
		 "-ex \"target remote | exec %s --gdb-stdio --kernel %s --initrd %s --smp 2 "
		 "--append 'console=ttyAMA0 quiet' 2>%s\" -x %s/tests/rsp/kernel.py >%s 2>&1",
		 (unsigned long long)(enable_mmu - text + phys), (unsigned long long)start, (unsigned long long)caller,
		 (unsigned long long)text, (unsigned long long)phys, entry, uart, g_scale, g_src, 400 * g_scale,
		 g_hvdbg, g_kernel, g_demo, uart, g_src, log);
	int rc = run(cmd, NULL, 0);
	static char out[1 << 16];
	snprintf(cmd, sizeof(cmd), "cat %s", log);
	run(cmd, out, sizeof(out));
	ck_assert_msg(rc == 0 && strstr(out, "RESULT: 0 failure(s)"), "gdb status %d:\n%s", rc, out);
}
END_TEST

/* ------------------------------------------------------- device tree */

START_TEST(dump_dtb_decompiles)
{
	char cmd[4096];
	static char dts[1 << 16];
	snprintf(cmd, sizeof(cmd),
		 "%s --kernel %s --initrd %s --smp 2 --ram 256M --append 'console=ttyAMA0 foo=bar' "
		 "--dump-dtb %s/a.dtb && dtc -q -I dtb -O dts %s/a.dtb",
		 g_hvdbg, g_kernel, g_demo, g_tmp, g_tmp);
	ck_assert_int_eq(run(cmd, dts, sizeof(dts)), 0);
	static const char *const want[] = {
		"compatible = \"arm,gic-v3\";",
		"reg = <0x00 0x8000000 0x00 0x10000 0x00 0x80a0000 0x00 0x40000>;",
		"cpu@1 {",
		"enable-method = \"psci\";",
		"method = \"hvc\";",
		"compatible = \"arm,armv8-timer\";",
		"interrupts = <0x01 0x0d 0x04 0x01 0x0e 0x04 0x01 0x0b 0x04 0x01 0x0a 0x04>;",
		"compatible = \"arm,pl011\\0arm,primecell\";",
		"interrupts = <0x00 0x01 0x04>;",
		"reg = <0x00 0x40000000 0x00 0x10000000>;",
		"bootargs = \"console=ttyAMA0 foo=bar nokaslr\";",
		"stdout-path = \"/pl011@9000000\";",
		"linux,initrd-start = <",
	};
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		ck_assert_msg(strstr(dts, want[i]) != NULL, "no \"%s\" in\n%s", want[i], dts);
	/* The user's own tree gets /chosen filled in. */
	snprintf(cmd, sizeof(cmd),
		 "printf '/dts-v1/;\\n/ { model = \"mine\"; };\\n' | dtc -q -I dts -O dtb -o %s/mine.dtb && "
		 "%s --kernel %s --append hello --dtb %s/mine.dtb --dump-dtb %s/b.dtb && "
		 "dtc -q -I dtb -O dts %s/b.dtb",
		 g_tmp, g_hvdbg, g_kernel, g_tmp, g_tmp, g_tmp);
	ck_assert_int_eq(run(cmd, dts, sizeof(dts)), 0);
	ck_assert_msg(strstr(dts, "model = \"mine\";") && strstr(dts, "bootargs = \"hello nokaslr\";"),
		      "%s", dts);
	/* Image.gz: decompressed to the same image (the reader's length and
	 * header agree with the plain Image's). */
	snprintf(cmd, sizeof(cmd), "gzip -1 -c %s >%s/Image.gz", g_kernel, g_tmp);
	ck_assert_int_eq(run(cmd, NULL, 0), 0);
	struct kernel_image a, b;
	char err[300], gz[400];
	snprintf(gz, sizeof(gz), "%s/Image.gz", g_tmp);
	ck_assert_msg(kernel_image_read(g_kernel, 1u << 30, &a, err, sizeof(err)) == 0, "%s", err);
	ck_assert_msg(kernel_image_read(gz, 1u << 30, &b, err, sizeof(err)) == 0, "%s", err);
	ck_assert(a.len == b.len && a.image_size == b.image_size && !memcmp(a.data, b.data, a.len));
	kernel_image_free(&a);
	kernel_image_free(&b);
}
END_TEST

/* ---------------------------------------------------- kernel images */

static void put_le64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

START_TEST(image_header_parse)
{
	uint8_t h[4096] = { 0 };
	put_le64(h + 8, 0);          /* text_offset */
	put_le64(h + 16, 0x10000);   /* image_size */
	put_le64(h + 24, 0xa);       /* 4K pages, anywhere */
	memcpy(h + 56, "ARM\x64", 4);
	struct kernel_image k;
	char err[200];
	ck_assert_int_eq(kernel_image_parse(h, sizeof(h), &k, err, sizeof(err)), 0);
	ck_assert_uint_eq(k.image_size, 0x10000);
	ck_assert_uint_eq(k.page_size, 4096);
	ck_assert(k.anywhere);
	/* every truncation of the header is refused */
	for (size_t n = 0; n < 64; n++)
		ck_assert_int_eq(kernel_image_parse(h, n, &k, err, sizeof(err)), -1);
	uint8_t b[4096];
	memcpy(b, h, sizeof(b));
	b[57] = 'X';
	ck_assert_int_eq(kernel_image_parse(b, sizeof(b), &k, err, sizeof(err)), -1);
	ck_assert(strstr(err, "magic") != NULL);
	memcpy(b, h, sizeof(b));
	put_le64(b + 24, 1); /* big-endian */
	ck_assert_int_eq(kernel_image_parse(b, sizeof(b), &k, err, sizeof(err)), -1);
	ck_assert(strstr(err, "big-endian") != NULL);
	memcpy(b, h, sizeof(b));
	put_le64(b + 16, 100); /* smaller than the file */
	ck_assert_int_eq(kernel_image_parse(b, sizeof(b), &k, err, sizeof(err)), -1);
	memcpy(b, h, sizeof(b));
	put_le64(b + 8, 0x123); /* text_offset not page aligned */
	ck_assert_int_eq(kernel_image_parse(b, sizeof(b), &k, err, sizeof(err)), -1);
	memcpy(b, h, sizeof(b));
	put_le64(b + 16, ~0ull);
	ck_assert_int_eq(kernel_image_parse(b, sizeof(b), &k, err, sizeof(err)), -1);
}
END_TEST

/* The board's decoder for MMIO aborts without a syndrome (the kvm
 * backend in the nested VM gets those for Linux's readl). */
START_TEST(mmio_decode_forms)
{
	struct mmio_insn d;
	ck_assert(mmio_decode(0xb9400062, &d)); /* ldr w2, [x3] */
	ck_assert(d.n == 1 && !d.write && d.size == 4 && d.rt[0] == 2 && !d.to64 && !d.writeback);
	ck_assert(mmio_decode(0xf8408c41, &d)); /* ldr x1, [x2, #8]! */
	ck_assert(d.size == 8 && d.to64 && d.writeback && d.rn == 2 && d.delta == 8);
	ck_assert(mmio_decode(0xb81fc4a4, &d)); /* str w4, [x5], #-4 */
	ck_assert(d.write && d.size == 4 && d.rt[0] == 4 && d.writeback && d.rn == 5 && d.delta == -4);
	ck_assert(mmio_decode(0x78a878e6, &d)); /* ldrsh x6, [x7, x8, lsl #1] */
	ck_assert(d.size == 2 && d.sign && d.to64 && d.rt[0] == 6 && !d.writeback);
	ck_assert(mmio_decode(0x39c00d49, &d)); /* ldrsb w9, [x10, #3] */
	ck_assert(d.size == 1 && d.sign && !d.to64 && d.rt[0] == 9);
	ck_assert(mmio_decode(0xa9c10861, &d)); /* ldp x1, x2, [x3, #16]! */
	ck_assert(d.n == 2 && d.size == 8 && d.rt[0] == 1 && d.rt[1] == 2 && d.writeback && d.delta == 16);
	ck_assert(mmio_decode(0x288113e3, &d)); /* stp w3, w4, [sp], #8 */
	ck_assert(d.n == 2 && d.write && d.size == 4 && d.rn == 31 && d.delta == 8);
	ck_assert(mmio_decode(0x694018e5, &d)); /* ldpsw x5, x6, [x7] */
	ck_assert(d.n == 2 && d.size == 4 && d.sign && d.to64 && !d.writeback);
	ck_assert(mmio_decode(0x3900043f, &d)); /* strb wzr, [x1, #1] */
	ck_assert(d.write && d.size == 1 && d.rt[0] == 31);
	ck_assert(!mmio_decode(0x3dc00020, &d)); /* ldr q0, [x1]: SIMD */
	ck_assert(!mmio_decode(0xc85f7c20, &d)); /* ldxr */
	ck_assert(!mmio_decode(0xf8200041, &d)); /* ldadd */
	ck_assert(!mmio_decode(0xf9800000, &d)); /* prfm */
	ck_assert(!mmio_decode(0xf8408c42, &d)); /* ldr x2, [x2, #8]!: writeback into Rt */
}
END_TEST

/* A five-level walk with FEAT_LPA2 (TCR_EL1.DS, 52-bit VA, 4 KiB pages):
 * what Debian's kernel builds on a CPU that has it (the nested VM's
 * QEMU -cpu max), for pagewalk and the MMIO instruction fetch. */
static uint64_t g_pt[5][512];
static bool pt_read(void *ctx, uint64_t ipa, uint64_t *val)
{
	(void)ctx;
	uint64_t t = (ipa - 0x40000000) / 4096, i = (ipa % 4096) / 8;
	if (ipa < 0x40000000 || t >= 5)
		return false;
	*val = g_pt[t][i];
	return true;
}

START_TEST(pagewalk_lpa2_five_levels)
{
	memset(g_pt, 0, sizeof(g_pt));
	uint64_t va = 0xfff8000081cf0be0ull; /* TTBR1, 52-bit */
	unsigned idx[5] = { (unsigned)(va >> 48) & 15, (unsigned)(va >> 39) & 511, (unsigned)(va >> 30) & 511,
			    (unsigned)(va >> 21) & 511, (unsigned)(va >> 12) & 511 };
	for (int l = 0; l < 4; l++)
		g_pt[l][idx[l]] = (0x40000000ull + 4096 * (uint64_t)(l + 1)) | 3;
	/* the page at PA 0x000c_0000_41cf_0000 (bits 51:50 from desc 9:8) */
	g_pt[4][idx[4]] = 0x0000000041cf0000ull | (3ull << 8) | (1ull << 10) | 3 | (2ull << 6);
	struct pagewalk_regs regs = { .sctlr = 1, .tcr = (1ull << 59) | (12ull << 16) | (2ull << 30) | (3ull << 28),
				      .ttbr1 = 0x40000000 };
	struct pagewalk_result r;
	ck_assert(pagewalk(&regs, va, pt_read, NULL, &r));
	ck_assert_int_eq(r.nlevels, 5);
	ck_assert_int_eq(r.lv[0].level, -1);
	ck_assert_uint_eq(r.input_bits, 52);
	ck_assert_uint_eq(r.ipa, 0x000c000041cf0be0ull);
	ck_assert_uint_eq(r.sh, 3);
	ck_assert_uint_eq(r.ap, 2);
}
END_TEST

/* Bad files: one line on stderr, exit status 1, no crash. */
START_TEST(bad_inputs)
{
	char cmd[4096], out[4096];
	struct {
		const char *setup, *args, *want;
	} cases[] = {
		{ "", "--kernel /etc/passwd", "not an arm64 Linux Image" },
		{ "", "--kernel /nonexistent", "/nonexistent" },
		{ "head -c 3000000 KERNEL | gzip -c | head -c 500000 >TMP/trunc.gz", "--kernel TMP/trunc.gz", "gzip" },
		{ "head -c 100 /dev/zero >TMP/zero.dtb", "--kernel KERNEL --dtb TMP/zero.dtb", "not a usable device tree" },
		{ "head -c 100000000 /dev/zero >TMP/big.img", "--kernel KERNEL --ram 128M --initrd TMP/big.img",
		  "larger than" },
		{ "", "--kernel KERNEL --ram 8M", "RAM too small" },
		{ "", "--kernel KERNEL --ram 16M@0x8000000", "overlaps the GIC" },
		{ "", "--initrd /etc/passwd build/x.elf", "go with --kernel" },
		{ "", "--symbols /etc/hostname --kernel KERNEL", "no symbols" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char setup[1024] = "", args[1024] = "";
		/* substitute KERNEL and TMP */
		const char *src[2] = { cases[i].setup, cases[i].args };
		char *dst[2] = { setup, args };
		for (int j = 0; j < 2; j++) {
			const char *s = src[j];
			char *d = dst[j];
			while (*s) {
				if (!strncmp(s, "KERNEL", 6)) {
					d += sprintf(d, "%s", g_kernel);
					s += 6;
				} else if (!strncmp(s, "TMP", 3)) {
					d += sprintf(d, "%s", g_tmp);
					s += 3;
				} else {
					*d++ = *s++;
				}
			}
			*d = 0;
		}
		snprintf(cmd, sizeof(cmd), "%s%s %s %s --run </dev/null 2>&1 >/dev/null", setup, *setup ? " &&" : "",
			 g_hvdbg, args);
		int rc = run(cmd, out, sizeof(out));
		ck_assert_msg(rc == 1 || rc == 2, "%s: exit %d (%s)", args, rc, out);
		ck_assert_msg(strstr(out, cases[i].want) != NULL, "%s: want \"%s\", got: %s", args, cases[i].want,
			      out);
		ck_assert_msg(strchr(out, '\n') == out + strlen(out) - 1, "%s: not one line: %s", args, out);
	}
}
END_TEST

int main(void)
{
	setup_all();
	Suite *s = suite_create("linux");
	TCase *tc = tcase_create("linux");
	tcase_set_timeout(tc, 600 * g_scale);
	tcase_add_test(tc, image_header_parse);
	tcase_add_test(tc, mmio_decode_forms);
	tcase_add_test(tc, pagewalk_lpa2_five_levels);
	tcase_add_test(tc, bad_inputs);
	tcase_add_test(tc, dump_dtb_decompiles);
	tcase_add_test(tc, boot_smp2_checks);
	tcase_add_test(tc, kvm_inside_el2_guest_vhe);
	tcase_add_test(tc, kvm_inside_el2_guest_nvhe);
	tcase_add_test(tc, repl_console_shell);
	tcase_add_test(tc, gdb_kernel);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	cleanup_all();
	return failed ? 1 : 0;
}
