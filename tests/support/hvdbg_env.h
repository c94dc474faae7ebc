/*
 * hvdbg_env.h - where the tests find the source tree, the build tree
 * and the hvdbg program, a scratch directory, and guests assembled from
 * examples/guests/NAME.S (or any .S file) with the cross compiler.
 */
#ifndef HVDBG_TEST_ENV_H
#define HVDBG_TEST_ENV_H

#include <check.h>
#include <stddef.h>

struct term;

struct hvdbg_env {
	char src[512];   /* the repository (HVDBG_SRCDIR, else from __FILE__) */
	char build[512]; /* the build directory GUEST_DIR lives in */
	char hvdbg[600]; /* build/hvdbg, brought up to date */
	char tmp[256];   /* a fresh scratch directory */
};

/* Fills env for suite `name` (the scratch directory is
 * /tmp/hvdbg-test-NAME-PID); exits with a message if hvdbg cannot be
 * built.  test_file is the caller's __FILE__ (tests/x.c). */
void hvdbg_env_setup(struct hvdbg_env *env, const char *name, const char *test_file);
void hvdbg_env_cleanup(const struct hvdbg_env *env);
/* Assembles examples/guests/NAME.S into TMP/NAME.elf (out). */
void hvdbg_env_example(const struct hvdbg_env *env, const char *name, char *out, size_t len);
/* Assembles the source text into TMP/NAME.elf, linked at 0x40000000. */
void hvdbg_env_asm(const struct hvdbg_env *env, const char *name, const char *text, char *out, size_t len);

/* The hvdbg program in a pseudo-terminal with args (term_spawn). */
void hvdbg_env_spawn(const struct hvdbg_env *env, struct term *t, const char *const *args);
/* Runs the suite, removes the scratch directory; the exit status. */
int hvdbg_env_run(const struct hvdbg_env *env, Suite *s);

#endif
