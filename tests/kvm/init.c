/*
 * init.c - PID 1 of the nested arm64 VM that tests/kvm/run-vm boots.
 *
 * Mounts the pseudo file systems, then runs the commands listed in
 * /hvdbg/cmds one after another (each command: NUL-separated arguments,
 * ended by an empty string), with the environment from /hvdbg/env
 * (NUL-separated NAME=VALUE).  Prints "hvdbg-kvm: exit=N" (N = the first
 * non-zero status, else 0) and powers the machine off.
 *
 * Built statically for aarch64 by run-vm; it has no other dependency.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_STRINGS 4096

static void mount_fs(const char *type, const char *dir)
{
	mkdir(dir, 0755);
	if (mount(type, dir, type, 0, NULL) && errno != EBUSY)
		fprintf(stderr, "hvdbg-kvm: mount %s on %s: %s\n", type, dir, strerror(errno));
}

/* Reads a whole file into a static buffer; returns its length or -1. */
static long slurp(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	size_t len = 0;
	for (;;) {
		ssize_t n = read(fd, buf + len, size - 1 - len);
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	buf[len] = 0;
	return (long)len;
}

static _Noreturn void finish(int code)
{
	printf("hvdbg-kvm: exit=%d\n", code);
	fflush(stdout);
	sync();
	reboot(RB_POWER_OFF); /* PSCI SYSTEM_OFF: QEMU exits */
	for (;;)
		pause();
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Runs argv to completion (reaping orphans, as PID 1 must); returns its status. */
static int run(char **argv)
{
	double t0 = now_s();
	pid_t child = fork();
	if (child == 0) {
		execv(argv[0], argv);
		fprintf(stderr, "hvdbg-kvm: exec %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	int status = 0;
	for (;;) {
		pid_t p = wait(&status);
		if (p == child || (p < 0 && errno == ECHILD))
			break;
	}
	int code = WIFEXITED(status) ? WEXITSTATUS(status)
		 : WIFSIGNALED(status) ? 128 + WTERMSIG(status) : 255;
	printf("hvdbg-kvm: %s: exit=%d (%.2f s)\n", argv[0], code, now_s() - t0);
	fflush(stdout);
	return code;
}

int main(void)
{
	static char cmdbuf[1 << 16], envbuf[1 << 16];
	static char *argv[MAX_STRINGS];

	mount_fs("devtmpfs", "/dev");
	mount_fs("proc", "/proc");
	mount_fs("sysfs", "/sys");
	/* The initramfs root is writable already; /tmp may hold programs. */
	mkdir("/tmp", 01777);
	int con = open("/dev/console", O_RDWR | O_NOCTTY);
	if (con >= 0) {
		for (int fd = 0; fd < 3; fd++)
			dup2(con, fd);
		if (con > 2)
			close(con);
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	setenv("PATH", "/bin:/sbin:/usr/bin:/usr/sbin", 1);
	setenv("HOME", "/", 1);
	long n = slurp("/hvdbg/env", envbuf, sizeof(envbuf));
	for (long i = 0; i < n; i += (long)strlen(envbuf + i) + 1)
		if (envbuf[i])
			putenv(envbuf + i);
	n = slurp("/hvdbg/cmds", cmdbuf, sizeof(cmdbuf));
	if (n <= 0) {
		fprintf(stderr, "hvdbg-kvm: no /hvdbg/cmds\n");
		finish(127);
	}
	int result = 0, argc = 0;
	for (long i = 0; i < n; i += (long)strlen(cmdbuf + i) + 1) {
		if (cmdbuf[i] && argc < MAX_STRINGS - 1) {
			argv[argc++] = cmdbuf + i;
			continue;
		}
		if (argc) { /* an empty string ends a command */
			argv[argc] = NULL;
			int code = run(argv);
			if (code && !result)
				result = code;
			argc = 0;
		}
	}
	finish(result);
}
