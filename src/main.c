/*
 * main.c - the hvdbg program: loads an ARM64 ELF guest into the default
 * machine (docs/machine.md) and either opens the REPL (default) or serves
 * gdb (--gdb PORT, --gdb-stdio).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "machine/machine.h"
#include "repl/repl.h"
#include "rsp/rsp.h"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: hvdbg [options] GUEST.elf\n"
		"  --ram SIZE[@BASE]   guest RAM (default 128M@0x40000000)\n"
		"  --smp N             number of vCPUs (default 1)\n"
		"  --base ADDR         load address of an ET_DYN guest\n"
		"  --gdb PORT          serve gdb on 127.0.0.1:PORT instead of the REPL\n"
		"  --gdb-listen ADDR   address to listen on with --gdb (default 127.0.0.1)\n"
		"  --gdb-stdio         serve gdb on stdin/stdout (target remote | hvdbg --gdb-stdio ...)\n"
		"  --gdb-verbose       log gdb packets to stderr\n"
		"  -ex CMD             run a REPL command (repeatable)\n"
		"  -x FILE             run REPL commands from FILE\n"
		"  --batch             exit after -ex/-x commands\n"
		"  --no-color          no colors in the REPL\n"
		"  --version           print the version and exit\n"
		"  -h, --help          this help\n"
		"Environment: HV_BACKEND=kvm|emu chooses libhypervisor's backend.\n");
}

static int need_arg(int i, int argc, const char *opt)
{
	if (i + 1 >= argc) {
		fprintf(stderr, "hvdbg: %s needs an argument\n", opt);
		exit(2);
	}
	return i + 1;
}

static long parse_long(const char *s, const char *what)
{
	char *end;
	long v = strtol(s, &end, 0);
	if (*s == 0 || *end != 0) {
		fprintf(stderr, "hvdbg: bad %s '%s'\n", what, s);
		exit(2);
	}
	return v;
}

int main(int argc, char **argv)
{
	struct machine_opts mo;
	struct rsp_opts ro;
	struct repl_opts po;
	machine_opts_default(&mo);
	rsp_opts_default(&ro);
	memset(&po, 0, sizeof(po));
	po.color = isatty(STDOUT_FILENO);
	const char **cmds = calloc((size_t)argc, sizeof(*cmds));
	bool gdb = false;
	uint64_t dyn_base = 0;
	const char *guest = NULL;
	if (!cmds)
		return 1;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout);
			free(cmds);
			return 0;
		} else if (!strcmp(a, "--version")) {
			printf("hvdbg %s\n", HVDBG_VERSION);
			free(cmds);
			return 0;
		} else if (!strcmp(a, "--ram")) {
			i = need_arg(i, argc, a);
			if (machine_parse_ram(argv[i], &mo.ram_size, &mo.ram_base) != 0) {
				fprintf(stderr, "hvdbg: bad --ram '%s' (e.g. 128M or 1G@0x80000000)\n", argv[i]);
				return 2;
			}
		} else if (!strcmp(a, "--smp")) {
			i = need_arg(i, argc, a);
			long n = parse_long(argv[i], "--smp");
			if (n < 1 || n > MACHINE_MAX_VCPUS) {
				fprintf(stderr, "hvdbg: --smp must be 1..%d\n", MACHINE_MAX_VCPUS);
				return 2;
			}
			mo.ncpus = (unsigned)n;
		} else if (!strcmp(a, "--base")) {
			i = need_arg(i, argc, a);
			dyn_base = (uint64_t)parse_long(argv[i], "--base");
		} else if (!strcmp(a, "--gdb")) {
			i = need_arg(i, argc, a);
			long port = parse_long(argv[i], "port");
			if (port < 0 || port > 65535) {
				fprintf(stderr, "hvdbg: port must be 0..65535\n");
				return 2;
			}
			ro.port = (int)port;
			gdb = true;
		} else if (!strcmp(a, "--gdb-listen")) {
			i = need_arg(i, argc, a);
			ro.listen_addr = argv[i];
		} else if (!strcmp(a, "--gdb-stdio")) {
			ro.use_stdio = true;
			gdb = true;
		} else if (!strcmp(a, "--gdb-verbose")) {
			ro.verbose = true;
		} else if (!strcmp(a, "-ex")) {
			i = need_arg(i, argc, a);
			cmds[po.ncommands++] = argv[i];
		} else if (!strcmp(a, "-x")) {
			i = need_arg(i, argc, a);
			po.script = argv[i];
		} else if (!strcmp(a, "--batch")) {
			po.batch = true;
		} else if (!strcmp(a, "--no-color")) {
			po.color = false;
		} else if (a[0] == '-' && a[1] != 0) {
			fprintf(stderr, "hvdbg: unknown option '%s'\n", a);
			usage(stderr);
			return 2;
		} else if (!guest) {
			guest = a;
		} else {
			fprintf(stderr, "hvdbg: only one guest ELF may be given\n");
			return 2;
		}
	}
	po.commands = cmds;
	if (!guest) {
		usage(stderr);
		return 2;
	}
	if (gdb)
		mo.watch_stop_after = false; /* gdb steps over the access itself */
	else
		mo.watch_stop_after = true;

	char err[256];
	struct machine *m = machine_create(&mo, err, sizeof(err));
	if (!m) {
		fprintf(stderr, "hvdbg: %s\n", err);
		return 1;
	}
	if (machine_load_elf(m, guest, dyn_base, err, sizeof(err)) != 0) {
		fprintf(stderr, "hvdbg: %s: %s\n", guest, err);
		machine_destroy(m);
		return 1;
	}
	int status = gdb ? rsp_serve(m, &ro) : repl_main(m, &po);
	machine_destroy(m);
	free(cmds);
	return status;
}
