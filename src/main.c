/*
 * main.c - the hvdbg program: loads an ARM64 ELF guest into the default
 * machine (docs/machine.md) and either opens the REPL (default) or serves
 * gdb (--gdb PORT, --gdb-stdio).
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "console/console.h"
#include "machine/machine.h"
#include "repl/repl.h"
#include "rsp/rsp.h"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: hvdbg [options] GUEST.elf\n"
		"       hvdbg [options] --kernel IMAGE [--initrd FILE] [--append CMDLINE]\n"
		"  --kernel IMAGE      boot an arm64 Linux Image/Image.gz on the GIC machine\n"
		"  --initrd FILE       initramfs / initrd for the kernel\n"
		"  --append CMDLINE    kernel command line (default console=ttyAMA0; nokaslr is added)\n"
		"  --kaslr             do not add nokaslr\n"
		"  --dtb FILE          use this device tree (its /chosen is filled in)\n"
		"  --dump-dtb FILE     write the device tree given to the kernel and exit\n"
		"  --symbols FILE      kernel symbols: System.map (or a /proc/kallsyms dump) or vmlinux\n"
		"  --run               no REPL: boot, console on stdin/stdout, exit with the guest\n"
		"  --timeout SECONDS   with --run: stop the guest after this long (exit 124)\n"
		"  --ram SIZE[@BASE]   guest RAM (default 128M@0x40000000)\n"
		"  --smp N             number of vCPUs (default 1)\n"
		"  --el2               the guest starts at EL2 (its own hypervisor; emu backend)\n"
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

static int write_dtb(struct machine *m, const char *path)
{
	size_t size;
	const void *dtb = machine_dtb(m, &size);
	FILE *f = fopen(path, "wb");
	bool ok = f && fwrite(dtb, 1, size, f) == size;
	if (f && fclose(f) != 0)
		ok = false;
	if (!ok) {
		fprintf(stderr, "hvdbg: cannot write %s: %s\n", path, strerror(errno));
		return 1;
	}
	return 0;
}

/* --symbols: an ELF (vmlinux) by its magic, else a System.map. */
static int load_symbols(struct machine *m, const char *path)
{
	char err[300], magic[4] = { 0 };
	FILE *f = fopen(path, "rb");
	if (!f) {
		fprintf(stderr, "hvdbg: %s: %s\n", path, strerror(errno));
		return 1;
	}
	size_t n = fread(magic, 1, 4, f);
	fclose(f);
	struct elf_image *img = NULL;
	int rc = n == 4 && !memcmp(magic, "\177ELF", 4) ? elf_image_open(path, 0, &img, err, sizeof(err))
						      : elf_image_open_sysmap(path, &img, err, sizeof(err));
	if (rc) {
		fprintf(stderr, "hvdbg: --symbols: %s\n", err);
		return 1;
	}
	machine_set_image(m, img);
	return 0;
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
	bool gdb = false, ram_given = false;
	uint64_t dyn_base = 0;
	const char *guest = NULL, *dump_dtb = NULL, *symbols = NULL;
	struct machine_linux lx = { 0 };
	struct console_opts co = { .timeout_s = 0 };
	bool run_mode = false;
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
			ram_given = true;
		} else if (!strcmp(a, "--smp")) {
			i = need_arg(i, argc, a);
			long n = parse_long(argv[i], "--smp");
			if (n < 1 || n > MACHINE_MAX_VCPUS) {
				fprintf(stderr, "hvdbg: --smp must be 1..%d\n", MACHINE_MAX_VCPUS);
				return 2;
			}
			mo.ncpus = (unsigned)n;
		} else if (!strcmp(a, "--el2")) {
			mo.el2 = true;
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
		} else if (!strcmp(a, "--kernel")) {
			lx.kernel = argv[i = need_arg(i, argc, a)];
		} else if (!strcmp(a, "--initrd")) {
			lx.initrd = argv[i = need_arg(i, argc, a)];
		} else if (!strcmp(a, "--append")) {
			lx.cmdline = argv[i = need_arg(i, argc, a)];
		} else if (!strcmp(a, "--kaslr")) {
			lx.kaslr = true;
		} else if (!strcmp(a, "--dtb")) {
			lx.dtb = argv[i = need_arg(i, argc, a)];
		} else if (!strcmp(a, "--dump-dtb")) {
			dump_dtb = argv[i = need_arg(i, argc, a)];
		} else if (!strcmp(a, "--symbols")) {
			symbols = argv[i = need_arg(i, argc, a)];
		} else if (!strcmp(a, "--run")) {
			run_mode = true;
		} else if (!strcmp(a, "--timeout")) {
			i = need_arg(i, argc, a);
			long t = parse_long(argv[i], "--timeout");
			if (t < 0) {
				fprintf(stderr, "hvdbg: --timeout must be >= 0\n");
				return 2;
			}
			co.timeout_s = (unsigned)t;
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
	if (!!guest == !!lx.kernel) {
		if (guest)
			fprintf(stderr, "hvdbg: give a guest ELF or --kernel, not both\n");
		else
			usage(stderr);
		return 2;
	}
	if (!lx.kernel && (lx.initrd || lx.cmdline || lx.dtb || dump_dtb || lx.kaslr)) {
		fprintf(stderr, "hvdbg: --initrd, --append, --dtb, --dump-dtb and --kaslr go with --kernel\n");
		return 2;
	}
	if (run_mode && gdb) {
		fprintf(stderr, "hvdbg: --run and --gdb exclude each other\n");
		return 2;
	}
	if (lx.kernel || run_mode)
		mo.uart_out = console_uart_out;
	if (mo.el2)
		mo.gic = true; /* the virtual CPU interface comes with the GIC */
	if (lx.kernel) {
		mo.gic = true;
		if (!ram_given)
			mo.ram_size = 512ull << 20;
	}
	if (gdb)
		mo.watch_stop_after = false; /* gdb steps over the access itself */
	else
		mo.watch_stop_after = true;

	char err[256];
	/* Ctrl-C (SIGINT) goes to this thread only: the machine's threads are
	 * created with it blocked, so the REPL sees a Ctrl-C in order with the
	 * keys around it (its prompt's poll is what the signal interrupts). */
	sigset_t intr, old_mask;
	sigemptyset(&intr);
	sigaddset(&intr, SIGINT);
	pthread_sigmask(SIG_BLOCK, &intr, &old_mask);
	struct machine *m = machine_create(&mo, err, sizeof(err));
	pthread_sigmask(SIG_SETMASK, &old_mask, NULL);
	if (!m) {
		fprintf(stderr, "hvdbg: %s\n", err);
		return 1;
	}
	if (lx.kernel) {
		if (machine_load_linux(m, &lx, err, sizeof(err)) != 0) {
			fprintf(stderr, "hvdbg: %s\n", err);
			machine_destroy(m);
			return 1;
		}
		if (dump_dtb) {
			int rc = write_dtb(m, dump_dtb);
			machine_destroy(m);
			free(cmds);
			return rc;
		}
	} else if (machine_load_elf(m, guest, dyn_base, err, sizeof(err)) != 0) {
		fprintf(stderr, "hvdbg: %s\n", err); /* err names the file */
		machine_destroy(m);
		return 1;
	}
	if (symbols && load_symbols(m, symbols) != 0) {
		machine_destroy(m);
		free(cmds);
		return 1;
	}
	int status = gdb ? rsp_serve(m, &ro) : run_mode ? console_run(m, &co) : repl_main(m, &po);
	machine_destroy(m);
	free(cmds);
	return status;
}
