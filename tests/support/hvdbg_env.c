/*
 * hvdbg_env.c - see hvdbg_env.h.
 */
#include "hvdbg_env.h"
#include "term.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void must(int ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "hvdbg tests: %s\n", what);
		exit(1);
	}
}

void hvdbg_env_setup(struct hvdbg_env *env, const char *name, const char *test_file)
{
	const char *src = getenv("HVDBG_SRCDIR");
	if (src) {
		snprintf(env->src, sizeof(env->src), "%s", src);
	} else { /* test_file is tests/NAME.c relative to the repository */
		snprintf(env->src, sizeof(env->src), "%s", test_file);
		char *slash = strrchr(env->src, '/');
		if (slash)
			*slash = 0;
		else
			snprintf(env->src, sizeof(env->src), ".");
		strncat(env->src, "/..", sizeof(env->src) - strlen(env->src) - 1);
	}
	/* GUEST_DIR is "$(abspath $(BUILD))/tests/guests" */
	snprintf(env->build, sizeof(env->build), "%s", GUEST_DIR);
	char *t = strstr(env->build, "/tests/guests");
	if (t)
		*t = 0;
	snprintf(env->hvdbg, sizeof(env->hvdbg), "%s/hvdbg", env->build);
	snprintf(env->tmp, sizeof(env->tmp), "/tmp/hvdbg-test-%s-%d", name, (int)getpid());
	must(mkdir(env->tmp, 0700) == 0, "cannot create the temporary directory");
	/* make brings the program up to date (a no-op under `make check`) */
	char cmd[2048];
	snprintf(cmd, sizeof(cmd), "MAKEFLAGS= make -s -C %s BUILD=%s %s >&2", env->src, env->build, env->hvdbg);
	if (system(cmd) != 0 || access(env->hvdbg, X_OK) != 0) {
		fprintf(stderr, "hvdbg tests: %s is missing and cannot be built\n", env->hvdbg);
		exit(1);
	}
}

void hvdbg_env_cleanup(const struct hvdbg_env *env)
{
	char cmd[512];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", env->tmp);
	if (system(cmd) != 0)
		fprintf(stderr, "hvdbg tests: cannot remove %s\n", env->tmp);
}

static void assemble(const char *source, char *out)
{
	char cmd[4096];
	snprintf(cmd, sizeof(cmd),
		 "aarch64-linux-gnu-gcc -g -nostdlib -static -Wl,-Ttext=0x40000000 -Wl,--build-id=none -o %s %s",
		 out, source);
	must(system(cmd) == 0, "cannot build a guest with aarch64-linux-gnu-gcc");
}

void hvdbg_env_example(const struct hvdbg_env *env, const char *name, char *out, size_t len)
{
	char source[700];
	snprintf(out, len, "%s/%s.elf", env->tmp, name);
	snprintf(source, sizeof(source), "%s/examples/guests/%s.S", env->src, name);
	assemble(source, out);
}

void hvdbg_env_asm(const struct hvdbg_env *env, const char *name, const char *text, char *out, size_t len)
{
	char source[400];
	snprintf(source, sizeof(source), "%s/%s.S", env->tmp, name);
	FILE *f = fopen(source, "w");
	must(f && fputs(text, f) >= 0 && fclose(f) == 0, "cannot write a guest source");
	snprintf(out, len, "%s/%s.elf", env->tmp, name);
	assemble(source, out);
}

void hvdbg_env_spawn(const struct hvdbg_env *env, struct term *t, const char *const *args)
{
	term_spawn(t, env->hvdbg, env->tmp, NULL, args);
}

int hvdbg_env_run(const struct hvdbg_env *env, Suite *s)
{
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	hvdbg_env_cleanup(env);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
