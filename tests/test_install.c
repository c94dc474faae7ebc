/*
 * test_install.c - the library as a Linux library user meets it: `make
 * install` into a temporary DESTDIR, then programs built against the
 * installed copy with pkg-config only (PKG_CONFIG_SYSROOT_DIR points it at
 * the DESTDIR), statically and dynamically, and run; the exported symbol
 * set; a link without the compiler's default libraries (as rustc links);
 * a client with its own mem_read; Apple-style %llx printing without
 * format warnings; `make uninstall` leaving nothing behind.
 */
#include <check.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static char g_src[512];   /* repository root */
static char g_build[512]; /* the build directory (BUILD=) */
static char g_dest[256];  /* DESTDIR */
static char g_tmp[256];   /* scratch for the client programs */
#define PREFIX "/usr/local"

/* sh -c CMD (MAKEFLAGS of a parent make removed); its status.  The
 * output goes to g_tmp/log, printed on failure. */
static int sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int sh(const char *fmt, ...)
{
	char cmd[4096], full[4096 + 512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	snprintf(full, sizeof(full),
		 "unset MAKEFLAGS MFLAGS MAKELEVEL MAKEOVERRIDES; (%s) >%s/log 2>&1", cmd, g_tmp);
	int st = system(full);
	st = st == -1 || !WIFEXITED(st) ? -1 : WEXITSTATUS(st);
	if (st != 0) {
		fprintf(stderr, "---- %s: status %d\n", cmd, st);
		snprintf(full, sizeof(full), "cat %s/log >&2", g_tmp);
		if (system(full) != 0)
			fprintf(stderr, "(no log)\n");
	}
	return st;
}

#define PKG "PKG_CONFIG_PATH=%s" PREFIX "/lib/pkgconfig PKG_CONFIG_SYSROOT_DIR=%s pkg-config"
#ifndef HV_TEST_SAN
#define HV_TEST_SAN ""
#endif
/* Clients are built with the library's sanitizer flags (make check-asan). */
#define CC "${CC:-cc} " HV_TEST_SAN
static bool sanitized(void)
{
	return HV_TEST_SAN[0] != 0;
}

static bool installed(const char *rel)
{
	char p[800];
	struct stat st;
	snprintf(p, sizeof(p), "%s" PREFIX "/%s", g_dest, rel);
	return stat(p, &st) == 0;
}

static void install_setup(void)
{
	ck_assert_int_eq(sh("make -s -C %s BUILD=%s SAN='%s' DESTDIR=%s install", g_src, g_build, HV_TEST_SAN, g_dest), 0);
}

START_TEST(files_installed)
{
	static const char *files[] = {
		"include/Hypervisor/Hypervisor.h", "include/Hypervisor/hv.h",
		"include/Hypervisor/hv_vcpu.h",    "include/mach/mach_time.h",
		"include/os/object.h",             "lib/libhypervisor.a",
		"lib/libhypervisor.so",            "lib/libhypervisor.so.0",
		"lib/pkgconfig/hypervisor.pc",     "bin/hvdbg",
		"share/man/man1/hvdbg.1",          "share/doc/hvdbg/README.md",
		"share/doc/hvdbg/tutorial.md",     "share/doc/hvdbg/compatibility.md",
	};
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		ck_assert_msg(installed(files[i]), "%s not installed", files[i]);
	ck_assert_int_eq(sh("%s" PREFIX "/bin/hvdbg --version | grep -q '^hvdbg [0-9]'", g_dest), 0);
	/* The man page names the version the program prints. */
	ck_assert_int_eq(sh("v=$(%s" PREFIX "/bin/hvdbg --version | cut -d' ' -f2); "
			    "head -1 %s" PREFIX "/share/man/man1/hvdbg.1 | grep -q \"^.TH HVDBG 1 .*hvdbg $v\"",
			    g_dest, g_dest), 0);
	/* The soname is versioned; the .so symlinks resolve. */
	ck_assert_int_eq(sh("readelf -d %s" PREFIX "/lib/libhypervisor.so | grep -q 'SONAME.*libhypervisor.so.0'",
			    g_dest), 0);
}
END_TEST

/* mini_vmm, built with pkg-config alone, prints the hello guest's line. */
static void build_and_run_mini_vmm(bool static_link)
{
	const char *name = static_link ? "mini_static" : "mini_dynamic";
	ck_assert_int_eq(sh(CC " -o %s/%s %s/examples/vmm/mini_vmm.c %s $(" PKG " --cflags --libs %s hypervisor)",
			    g_tmp, name, g_src, static_link ? "-static" : "", g_dest, g_dest,
			    static_link ? "--static" : ""), 0);
	if (static_link)
		ck_assert_int_eq(sh("! readelf -d %s/%s | grep -q NEEDED", g_tmp, name), 0);
	else
		ck_assert_int_eq(sh("readelf -d %s/%s | grep -q 'NEEDED.*libhypervisor.so.0'", g_tmp, name), 0);
	ck_assert_int_eq(sh("LD_LIBRARY_PATH=%s" PREFIX "/lib %s/%s %s/examples/guests/hello.bin | grep -q 'Hello from an ARM64 guest'",
			    g_dest, g_tmp, name, g_build), 0);
}

START_TEST(pkg_config_dynamic)
{
	build_and_run_mini_vmm(false);
}
END_TEST

START_TEST(pkg_config_static)
{
	if (sanitized()) { /* the sanitizer runtimes cannot link -static */
		printf("test_install: sanitizer build, -static link skipped\n");
		return;
	}
	build_and_run_mini_vmm(true);
}
END_TEST

/* Only the public API leaves the library: every exported name is one the
 * installed headers declare (hv_*, os_*, mach_*), in the archive and in
 * the shared library. */
START_TEST(exports_public_api_only)
{
	const char *lib[] = { "libhypervisor.a", "libhypervisor.so" };
	const char *nm[] = { "nm -g --defined-only", "nm -D --defined-only" };
	for (int i = 0; i < 2; i++) {
		ck_assert_int_eq(sh("%s %s" PREFIX "/lib/%s | awk 'NF==3{print $3}' | sed 's/@.*//' | "
				    "grep -v '^HYPERVISOR_0$' | sort -u > %s/exports", nm[i], g_dest, lib[i], g_tmp), 0);
		ck_assert_int_eq(sh("test $(wc -l < %s/exports) -ge 50", g_tmp), 0);
		ck_assert_int_eq(sh("! grep -v -E '^(hv_|os_|mach_)' %s/exports", g_tmp), 0);
		ck_assert_int_eq(sh("for s in $(cat %s/exports); do grep -rqw \"$s\" %s" PREFIX "/include || "
				    "{ echo \"$s: exported, not in the headers\"; exit 1; }; done", g_tmp, g_dest), 0);
	}
}
END_TEST

/* rustc links with -nodefaultlibs: nothing beyond what pkg-config lists
 * (and libc) may be needed, e.g. no libgcc (__cpu_model, __udivti3). */
START_TEST(links_without_default_libs)
{
	if (sanitized()) { /* the sanitizer runtimes need libgcc and more */
		printf("test_install: sanitizer build, -nodefaultlibs link skipped\n");
		return;
	}
	ck_assert_int_eq(sh(CC " -c -o %s/mini.o %s/examples/vmm/mini_vmm.c $(" PKG " --cflags hypervisor)",
			    g_tmp, g_src, g_dest, g_dest), 0);
	ck_assert_int_eq(sh(CC " -nodefaultlibs -o %s/mini_nodef %s/mini.o -Wl,-Bstatic $(" PKG
			    " --static --libs-only-L hypervisor) -lhypervisor -Wl,-Bdynamic "
			    "$(" PKG " --static --libs-only-l hypervisor | sed 's/-lhypervisor//') -lc",
			    g_tmp, g_tmp, g_dest, g_dest, g_dest, g_dest), 0);
	ck_assert_int_eq(sh("%s/mini_nodef %s/examples/guests/hello.bin | grep -q 'Hello'", g_tmp, g_build), 0);
	ck_assert_int_eq(sh(CC " -nodefaultlibs -o %s/mini_nodef_so %s/mini.o $(" PKG " --libs hypervisor) -lc",
			    g_tmp, g_tmp, g_dest, g_dest), 0);
	ck_assert_int_eq(sh("LD_LIBRARY_PATH=%s" PREFIX "/lib %s/mini_nodef_so %s/examples/guests/hello.bin | grep -q 'Hello'",
			    g_dest, g_tmp, g_build), 0);
}
END_TEST

/* A VMM with its own mem_read etc. links and runs with both libraries. */
START_TEST(client_symbols_do_not_clash)
{
	ck_assert_int_eq(sh(CC " -o %s/own_static %s/tests/clients/own_symbols.c -Wl,-Bstatic $(" PKG
			    " --libs-only-L hypervisor) -lhypervisor -Wl,-Bdynamic -lpthread -lm $(" PKG " --cflags hypervisor)",
			    g_tmp, g_src, g_dest, g_dest, g_dest, g_dest), 0);
	ck_assert_int_eq(sh("%s/own_static | grep -qx ok", g_tmp), 0);
	ck_assert_int_eq(sh(CC " -o %s/own_dynamic %s/tests/clients/own_symbols.c $(" PKG " --cflags --libs hypervisor)",
			    g_tmp, g_src, g_dest, g_dest), 0);
	ck_assert_int_eq(sh("LD_LIBRARY_PATH=%s" PREFIX "/lib %s/own_dynamic | grep -qx ok", g_dest, g_tmp), 0);
}
END_TEST

/* <Hypervisor/hv.h> exists and %llx/%llu on Apple's types compile without
 * a format warning, with gcc and (when installed) clang. */
START_TEST(apple_style_client_compiles)
{
	const char *ccs[] = { "gcc", "clang" };
	for (int i = 0; i < 2; i++) {
		/* clang's sanitizer runtimes differ from gcc's: gcc only then. */
		if (i == 1 && (sanitized() || sh("command -v clang") != 0))
			continue;
		ck_assert_int_eq(sh("%s " HV_TEST_SAN " -std=c11 -Wall -Wextra -Wformat=2 -Werror -o %s/apple_%s %s/tests/clients/apple_style.c "
				    "$(" PKG " --cflags --libs hypervisor)",
				    ccs[i], g_tmp, ccs[i], g_src, g_dest, g_dest), 0);
		ck_assert_int_eq(sh("LD_LIBRARY_PATH=%s" PREFIX "/lib %s/apple_%s | grep -q '^vcpu 0 ipa 0x40000000'",
				    g_dest, g_tmp, ccs[i]), 0);
	}
}
END_TEST

START_TEST(uninstall_removes_everything)
{
	ck_assert_int_eq(sh("make -s -C %s BUILD=%s DESTDIR=%s uninstall", g_src, g_build, g_dest), 0);
	ck_assert_int_eq(sh("test -z \"$(find %s -type f -o -type l)\"", g_dest), 0);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("install");
	TCase *tc = tcase_create("install");
	tcase_set_timeout(tc, 300);
	tcase_add_unchecked_fixture(tc, install_setup, NULL);
	tcase_add_test(tc, files_installed);
	tcase_add_test(tc, pkg_config_dynamic);
	tcase_add_test(tc, pkg_config_static);
	tcase_add_test(tc, exports_public_api_only);
	tcase_add_test(tc, links_without_default_libs);
	tcase_add_test(tc, client_symbols_do_not_clash);
	tcase_add_test(tc, apple_style_client_compiles);
	suite_add_tcase(s, tc);
	/* Last, in its own case: it removes what the others use. */
	TCase *un = tcase_create("uninstall");
	tcase_set_timeout(un, 120);
	tcase_add_test(un, uninstall_removes_everything);
	suite_add_tcase(s, un);
	return s;
}

int main(void)
{
	/* GUEST_DIR is BUILD/tests/guests (absolute), __FILE__ tests/test_install.c. */
	snprintf(g_build, sizeof(g_build), "%s", GUEST_DIR);
	char *cut = strstr(g_build, "/tests/guests");
	if (cut)
		*cut = 0;
	char dir[512];
	snprintf(dir, sizeof(dir), "%s", __FILE__);
	char *slash = strrchr(dir, '/');
	if (slash)
		strcpy(slash, "/..");
	else
		strcpy(dir, "..");
	char *real = realpath(dir, NULL);
	snprintf(g_src, sizeof(g_src), "%s", real ? real : ".");
	free(real);

	snprintf(g_dest, sizeof(g_dest), "/tmp/hvdbg-install-%d", (int)getpid());
	snprintf(g_tmp, sizeof(g_tmp), "/tmp/hvdbg-install-work-%d", (int)getpid());
	if (mkdir(g_dest, 0700) != 0 || mkdir(g_tmp, 0700) != 0) {
		perror("mkdir");
		return 1;
	}
	SRunner *sr = srunner_create(suite());
	srunner_set_fork_status(sr, CK_NOFORK); /* the cases share one install */
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	char cmd[600];
	snprintf(cmd, sizeof(cmd), "rm -rf %s %s", g_dest, g_tmp);
	if (system(cmd) != 0)
		fprintf(stderr, "test_install: could not remove %s\n", g_dest);
	return failed ? 1 : 0;
}
