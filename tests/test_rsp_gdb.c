/*
 * test_rsp_gdb.c - end-to-end tests of the gdb server: each test starts
 * the server on a guest from examples/guests and runs one scenario of
 * tests/rsp/ - a gdb-multiarch -batch Python script with assertions (as
 * QEMU's tests/tcg/multiarch/gdbstub do), or the raw-socket checks of
 * raw.py - and asserts it passed and the server did not crash.
 *
 * The server is this same binary re-executed with --serve (TCP, port 0,
 * the port read back from its stderr) or --serve-stdio (for `target
 * remote | ...`): the same machine_create + machine_load_elf + rsp_serve
 * as `hvdbg --gdb`.  Skipped, with a message, without gdb-multiarch.
 */
#include <check.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../src/machine/machine.h"
#include "../src/rsp/rsp.h"

static char g_src[512];      /* repository root */
static char g_tmp[256];      /* scratch directory */
static char g_self[512];     /* this binary */
static bool g_have_gdb;

/* ------------------------------------------------------ server mode */

static int serve(int argc, char **argv)
{
	/* --serve NCPUS ELF | --serve-stdio ELF */
	bool stdio_mode = !strcmp(argv[1], "--serve-stdio");
	if (argc < (stdio_mode ? 3 : 4))
		return 2;
	struct machine_opts mo;
	struct rsp_opts ro;
	char err[256];
	machine_opts_default(&mo);
	rsp_opts_default(&ro);
	mo.ncpus = stdio_mode ? 1 : (unsigned)atoi(argv[2]);
	mo.watch_stop_after = false;
	ro.use_stdio = stdio_mode;
	ro.verbose = getenv("RSP_VERBOSE") != NULL;
	struct machine *m = machine_create(&mo, err, sizeof(err));
	if (!m) {
		fprintf(stderr, "serve: %s\n", err);
		return 1;
	}
	if (machine_load_elf(m, argv[stdio_mode ? 2 : 3], 0, err, sizeof(err)) != 0) {
		fprintf(stderr, "serve: %s\n", err);
		return 1;
	}
	int st = rsp_serve(m, &ro);
	machine_destroy(m);
	return st;
}

/* ----------------------------------------------------------- helpers */

static void build_guest(const char *name)
{
	char cmd[2048];
	snprintf(cmd, sizeof(cmd),
		 "aarch64-linux-gnu-gcc -g -nostdlib -static -Wl,-Ttext=0x40000000 "
		 "-Wl,--build-id=none -o %s/%s.elf %s/examples/guests/%s.S",
		 g_tmp, name, g_src, name);
	if (system(cmd) != 0) {
		fprintf(stderr, "test_rsp_gdb: cannot build the guest: %s\n", cmd);
		exit(1);
	}
}

struct server {
	pid_t pid;
	int port;
	char uart[300], log[300];
};

/* Starts the server; waits for its "listening on ...:PORT" line. */
static void server_start(struct server *sv, const char *guest, unsigned ncpus)
{
	char elf[300], n[16];
	snprintf(elf, sizeof(elf), "%s/%s.elf", g_tmp, guest);
	snprintf(sv->uart, sizeof(sv->uart), "%s/uart-%d.txt", g_tmp, (int)getpid());
	snprintf(sv->log, sizeof(sv->log), "%s/server-%d.log", g_tmp, (int)getpid());
	snprintf(n, sizeof(n), "%u", ncpus);
	sv->pid = fork();
	ck_assert(sv->pid >= 0);
	if (sv->pid == 0) {
		if (!freopen(sv->uart, "w", stdout) || !freopen(sv->log, "w", stderr))
			_exit(127);
		execl(g_self, g_self, "--serve", n, elf, (char *)NULL);
		_exit(127);
	}
	sv->port = 0;
	for (int i = 0; i < 200 && !sv->port; i++) {
		FILE *f = fopen(sv->log, "r");
		char line[256];
		while (f && fgets(line, sizeof(line), f)) {
			char *p = strstr(line, "listening on ");
			char *colon = p ? strrchr(p, ':') : NULL;
			if (colon)
				sv->port = atoi(colon + 1);
		}
		if (f)
			fclose(f);
		if (!sv->port)
			usleep(50000);
	}
	ck_assert_msg(sv->port > 0, "the server did not start (see %s)", sv->log);
}

static void dump(const char *path)
{
	FILE *f = fopen(path, "r");
	char line[512];
	while (f && fgets(line, sizeof(line), f))
		fputs(line, stderr);
	if (f)
		fclose(f);
}

/* Stops the server; fails if it crashed (killed by anything but us). */
static void server_stop(struct server *sv)
{
	int st = 0;
	pid_t r = 0;
	for (int i = 0; i < 60 && r == 0; i++) { /* give k/vKill time to end it */
		r = waitpid(sv->pid, &st, WNOHANG);
		if (r == 0)
			usleep(50000);
	}
	if (r == 0) {
		kill(sv->pid, SIGTERM);
		waitpid(sv->pid, &st, 0);
		if (WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM)
			return;
	}
	if (!(WIFEXITED(st) && WEXITSTATUS(st) == 0)) {
		dump(sv->log);
		ck_abort_msg("the server ended badly: %s %d", WIFSIGNALED(st) ? "signal" : "status",
			     WIFSIGNALED(st) ? WTERMSIG(st) : WEXITSTATUS(st));
	}
}

/* Runs a command (sh -c) with its output in a log; returns the status. */
static int run_logged(const char *cmd, const char *log)
{
	char full[4096];
	snprintf(full, sizeof(full), "%s >%s 2>&1", cmd, log);
	int st = system(full);
	if (st == -1 || !WIFEXITED(st))
		return -1;
	return WEXITSTATUS(st);
}

static int gdb_script(const char *script, const char *guest, const char *target,
		      const struct server *sv)
{
	char cmd[3072], log[300];
	snprintf(log, sizeof(log), "%s/gdb-%s-%d.log", g_tmp, script, (int)getpid());
	snprintf(cmd, sizeof(cmd),
		 "RSP_UART=%s RSP_PORT=%d PYTHONPATH=%s/tests/rsp timeout 120 gdb-multiarch -q -n -nx -batch "
		 "-ex 'set pagination off' -ex 'set confirm off' -ex 'target remote %s' "
		 "-x %s/tests/rsp/%s.py %s/%s.elf",
		 sv ? sv->uart : "", sv ? sv->port : 0, g_src, target, g_src, script, g_tmp, guest);
	int st = run_logged(cmd, log);
	if (st != 0) {
		fprintf(stderr, "---- %s (status %d):\n", cmd, st);
		dump(log);
		if (sv) {
			fprintf(stderr, "---- server log:\n");
			dump(sv->log);
		}
	}
	return st;
}

/* One gdb scenario against a TCP server. */
static void scenario(const char *script, const char *guest, unsigned ncpus)
{
	if (!g_have_gdb) {
		printf("test_rsp_gdb: gdb-multiarch not installed, %s skipped\n", script);
		return;
	}
	struct server sv;
	char target[64];
	server_start(&sv, guest, ncpus);
	snprintf(target, sizeof(target), "127.0.0.1:%d", sv.port);
	int st = gdb_script(script, guest, target, &sv);
	server_stop(&sv);
	ck_assert_msg(st == 0, "scenario %s: %d failure(s) (status)", script, st);
}

/* ------------------------------------------------------------- tests */

START_TEST(t_basic) { scenario("basic", "rsptest", 1); }
END_TEST

START_TEST(t_step) { scenario("step", "rsptest", 1); }
END_TEST

START_TEST(t_entry) { scenario("entry", "rsptest", 1); }
END_TEST

START_TEST(t_watch) { scenario("watch", "rsptest", 1); }
END_TEST

START_TEST(t_interrupt) { scenario("interrupt", "rsptest", 1); }
END_TEST

START_TEST(t_threads) { scenario("threads", "rsptest", 2); }
END_TEST

START_TEST(t_detach) { scenario("detach", "rsptest", 1); }
END_TEST

START_TEST(t_exit) { scenario("exit", "hello", 1); }
END_TEST

START_TEST(t_search) { scenario("search", "rsptest", 1); }
END_TEST

START_TEST(t_stdio)
{
	if (!g_have_gdb) {
		printf("test_rsp_gdb: gdb-multiarch not installed, stdio skipped\n");
		return;
	}
	char target[1200];
	snprintf(target, sizeof(target), "| %s --serve-stdio %s/rsptest.elf 2>/dev/null", g_self, g_tmp);
	ck_assert_msg(gdb_script("stdio", "rsptest", target, NULL) == 0, "stdio scenario failed");
}
END_TEST

START_TEST(t_raw)
{
	struct server sv;
	char cmd[1200], log[300];
	server_start(&sv, "rsptest", 1);
	snprintf(log, sizeof(log), "%s/raw-%d.log", g_tmp, (int)getpid());
	snprintf(cmd, sizeof(cmd), "timeout 120 python3 %s/tests/rsp/raw.py %d %s/rsptest.elf", g_src,
		 sv.port, g_tmp);
	int st = run_logged(cmd, log);
	if (st != 0) {
		dump(log);
		dump(sv.log);
	}
	server_stop(&sv);
	ck_assert_msg(st == 0, "raw protocol checks: status %d", st);
}
END_TEST

/* 1,000 connect/disconnect cycles with malformed streams while the guest
 * runs: the server must survive and still answer (tests/rsp/cycles.py). */
START_TEST(t_cycles)
{
	struct server sv;
	char cmd[1200], log[300];
	server_start(&sv, "rsptest", 1);
	snprintf(log, sizeof(log), "%s/cycles-%d.log", g_tmp, (int)getpid());
	snprintf(cmd, sizeof(cmd), "timeout 300 python3 %s/tests/rsp/cycles.py %d 1000", g_src, sv.port);
	int st = run_logged(cmd, log);
	if (st != 0) {
		dump(log);
		dump(sv.log);
	}
	server_stop(&sv);
	ck_assert_msg(st == 0, "connection cycles: status %d", st);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("rsp_gdb");
	TCase *tc = tcase_create("gdb");
	tcase_set_timeout(tc, 240);
	tcase_add_test(tc, t_raw);
	tcase_add_test(tc, t_cycles);
	tcase_add_test(tc, t_basic);
	tcase_add_test(tc, t_step);
	tcase_add_test(tc, t_entry);
	tcase_add_test(tc, t_watch);
	tcase_add_test(tc, t_interrupt);
	tcase_add_test(tc, t_threads);
	tcase_add_test(tc, t_detach);
	tcase_add_test(tc, t_exit);
	tcase_add_test(tc, t_search);
	tcase_add_test(tc, t_stdio);
	suite_add_tcase(s, tc);
	return s;
}

static void find_paths(const char *argv0)
{
	const char *src = getenv("HVDBG_SRCDIR");
	if (src) {
		snprintf(g_src, sizeof(g_src), "%s", src);
	} else {
		/* __FILE__ is tests/test_rsp_gdb.c relative to the repository. */
		char dir[400];
		snprintf(dir, sizeof(dir), "%s", __FILE__);
		char *slash = strrchr(dir, '/');
		if (slash)
			*slash = 0;
		else
			snprintf(dir, sizeof(dir), ".");
		char *real = realpath(dir, NULL);
		snprintf(g_src, sizeof(g_src), "%s/..", real ? real : dir);
		free(real);
	}
	char *self = realpath("/proc/self/exe", NULL);
	snprintf(g_self, sizeof(g_self), "%s", self ? self : argv0);
	free(self);
}

static void remove_tmp(void)
{
	char cmd[300];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", g_tmp);
	if (system(cmd) != 0)
		fprintf(stderr, "test_rsp_gdb: could not remove %s\n", g_tmp);
}

int main(int argc, char **argv)
{
	if (argc > 1 && !strncmp(argv[1], "--serve", 7))
		return serve(argc, argv);
	find_paths(argv[0]);
	snprintf(g_tmp, sizeof(g_tmp), "/tmp/hvdbg-test-rsp-%d", (int)getpid());
	if (mkdir(g_tmp, 0700) != 0) {
		perror(g_tmp);
		return 1;
	}
	g_have_gdb = system("command -v gdb-multiarch >/dev/null 2>&1") == 0;
	if (!g_have_gdb)
		printf("test_rsp_gdb: gdb-multiarch not found: the gdb scenarios are skipped\n");
	build_guest("rsptest");
	build_guest("hello");
	SRunner *sr = srunner_create(suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	remove_tmp();
	return failed ? 1 : 0;
}
