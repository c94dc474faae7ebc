/*
 * linux_boot.c - boots an arm64 Linux kernel on the GIC machine as
 * Documentation/arch/arm64/booting.rst asks: the Image at text_offset from
 * a 2 MiB aligned base at the start of RAM, the device tree (generated,
 * or the user's with /chosen filled in) in the last 2 MiB of RAM, the
 * initrd just below it; vCPU 0 enters the Image at EL1h, MMU off, DAIF
 * masked, x0 = the device tree, x1..x3 = 0; the other vCPUs wait for
 * PSCI CPU_ON.  See docs/machine.md ("Booting Linux").
 */
#include "machine_internal.h"

#include <errno.h>
#include <libfdt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "board_fdt.h"
#include "kernel_image.h"

#define SZ_2M 0x200000ull
#define DTB_MAX SZ_2M /* booting.rst: at most 2 MiB */

static int read_file(const char *path, size_t max, uint8_t **out, size_t *len, char *err,
		     size_t errlen)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	size_t cap = 1 << 16, n = 0;
	uint8_t *buf = malloc(cap);
	while (buf) {
		if (n == cap) {
			if (cap >= max) {
				snprintf(err, errlen, "%s: larger than %zu bytes", path, max);
				goto fail;
			}
			uint8_t *b = realloc(buf, cap * 2 > max ? max : cap * 2);
			if (!b)
				break;
			buf = b;
			cap = cap * 2 > max ? max : cap * 2;
		}
		size_t got = fread(buf + n, 1, cap - n, f);
		if (got == 0)
			break;
		n += got;
	}
	if (!buf) {
		snprintf(err, errlen, "%s: out of memory", path);
		goto fail;
	}
	if (ferror(f)) {
		snprintf(err, errlen, "%s: read error", path);
		goto fail;
	}
	fclose(f);
	*out = buf;
	*len = n;
	return 0;
fail:
	free(buf);
	fclose(f);
	return -1;
}

/* The user's device tree: checked, then /chosen gets bootargs and the
 * initrd range (the rest is theirs to get right). */
static int user_dtb(const char *path, const char *bootargs, uint64_t initrd_start,
		    uint64_t initrd_end, void **out, size_t *size, char *err, size_t errlen)
{
	uint8_t *raw;
	size_t len;
	if (read_file(path, DTB_MAX, &raw, &len, err, errlen))
		return -1;
	int e = len < sizeof(struct fdt_header) ? -FDT_ERR_TRUNCATED : fdt_check_header(raw);
	if (!e && fdt_totalsize(raw) > len)
		e = -FDT_ERR_TRUNCATED;
	size_t cap = len + 4096 + (bootargs ? strlen(bootargs) : 0);
	void *fdt = e ? NULL : malloc(cap);
	if (!e && !fdt)
		e = -FDT_ERR_NOSPACE;
	e = e ?: fdt_open_into(raw, fdt, (int)cap);
	free(raw);
	int chosen = e ? e : fdt_path_offset(fdt, "/chosen");
	if (chosen == -FDT_ERR_NOTFOUND)
		chosen = fdt_add_subnode(fdt, 0, "chosen");
	e = chosen < 0 ? chosen : 0;
	if (!e && bootargs)
		e = fdt_setprop_string(fdt, chosen, "bootargs", bootargs);
	if (!e && initrd_end > initrd_start) {
		e = fdt_setprop_u64(fdt, chosen, "linux,initrd-start", initrd_start);
		e = e ?: fdt_setprop_u64(fdt, chosen, "linux,initrd-end", initrd_end);
	}
	e = e ?: fdt_pack(fdt);
	if (e) {
		snprintf(err, errlen, "%s: not a usable device tree: %s", path, fdt_strerror(e));
		free(fdt);
		return -1;
	}
	*out = fdt;
	*size = fdt_totalsize(fdt);
	return 0;
}

static const char *default_bootargs(const struct machine_linux *l, char *buf, size_t len)
{
	const char *base = l->cmdline ? l->cmdline : "console=ttyAMA0";
	if (l->kaslr || strstr(base, "kaslr"))
		return base;
	snprintf(buf, len, "%s nokaslr", base); /* symbols from System.map line up */
	return buf;
}

static char *dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

void machine_linux_request_free(struct machine *m)
{
	free((char *)m->linux_req.kernel);
	free((char *)m->linux_req.initrd);
	free((char *)m->linux_req.cmdline);
	free((char *)m->linux_req.dtb);
	memset(&m->linux_req, 0, sizeof(m->linux_req));
	m->have_linux_req = false;
}

/* Remembers what was booted, so machine_restart can boot it again (l may
 * be the remembered request itself: copied before the old one goes). */
static void keep_request(struct machine *m, const struct machine_linux *l)
{
	struct machine_linux c = { dup_or_null(l->kernel), dup_or_null(l->initrd), dup_or_null(l->cmdline),
				   dup_or_null(l->dtb), l->kaslr };
	machine_linux_request_free(m);
	m->linux_req = c;
	m->have_linux_req = c.kernel != NULL;
}

int machine_load_linux(struct machine *m, const struct machine_linux *l, char *err, size_t errlen)
{
	if (require_stopped(m, 0) == MACHINE_ERR_RUNNING) {
		snprintf(err, errlen, "the machine is running");
		return MACHINE_ERR_RUNNING;
	}
	if (!m->o.gic) {
		snprintf(err, errlen, "a Linux kernel needs the GIC machine (machine_opts.gic)");
		return MACHINE_ERR_ARG;
	}
	uint64_t base = m->o.ram_base, end = m->o.ram_base + m->o.ram_size;
	uint64_t kbase = (base + SZ_2M - 1) & ~(SZ_2M - 1);
	uint64_t dtb_ipa = (end & ~(SZ_2M - 1)) - SZ_2M;
	if (end - base < 8 * SZ_2M || dtb_ipa <= kbase) {
		snprintf(err, errlen, "RAM too small for a kernel (give --ram 256M or more)");
		return MACHINE_ERR_ARG;
	}
	struct kernel_image k;
	if (kernel_image_read(l->kernel, (size_t)(dtb_ipa - kbase), &k, err, errlen))
		return MACHINE_ERR_ARG;
	uint64_t kentry = kbase + k.text_offset, kend = kentry + k.image_size;
	int rc = MACHINE_ERR_ARG;
	uint8_t *initrd = NULL;
	size_t initrd_len = 0;
	void *dtb = NULL;
	size_t dtb_size = 0;
	if (kend > dtb_ipa || kend < kentry) {
		snprintf(err, errlen, "%s: needs 0x%llx bytes at 0x%llx, more than RAM below the device tree",
			 l->kernel, (unsigned long long)k.image_size, (unsigned long long)kentry);
		goto out;
	}
	uint64_t initrd_ipa = 0;
	if (l->initrd) {
		if (read_file(l->initrd, (size_t)(dtb_ipa - kend), &initrd, &initrd_len, err, errlen))
			goto out;
		initrd_ipa = (dtb_ipa - initrd_len) & ~0xfffull;
		if (initrd_ipa < kend) {
			snprintf(err, errlen, "%s: does not fit between the kernel and the device tree",
				 l->initrd);
			goto out;
		}
	}
	char argbuf[4096];
	const char *bootargs = default_bootargs(l, argbuf, sizeof(argbuf));
	uint64_t istart = initrd ? initrd_ipa : 0, iend = initrd ? initrd_ipa + initrd_len : 0;
	if (l->dtb) {
		if (user_dtb(l->dtb, bootargs, istart, iend, &dtb, &dtb_size, err, errlen))
			goto out;
	} else {
		struct board_fdt b = { .ram_base = base, .ram_size = m->o.ram_size, .ncpus = m->ncpus,
				       .uart_base = m->o.uart_base, .bootargs = bootargs,
				       .initrd_start = istart, .initrd_end = iend, .el2 = m->o.el2 };
		if (board_fdt_build(&b, &dtb, &dtb_size, err, errlen))
			goto out;
	}
	if (dtb_size > DTB_MAX) {
		snprintf(err, errlen, "the device tree is larger than 2 MiB");
		goto out;
	}
	/* Everything checked: now RAM changes. */
	hv_vm_protect(base, m->o.ram_size, HV_MEMORY_READ | HV_MEMORY_WRITE | HV_MEMORY_EXEC);
	/* Zero RAM without touching it (a fresh anonymous mapping reads 0):
	 * a 512 MiB guest does not cost 512 MiB of host memory up front. */
	if (madvise(m->ram, m->o.ram_size, MADV_DONTNEED))
		memset(m->ram, 0, m->o.ram_size);
	memcpy(m->ram + (kentry - base), k.data, k.len);
	if (initrd)
		memcpy(m->ram + (initrd_ipa - base), initrd, initrd_len);
	memcpy(m->ram + (dtb_ipa - base), dtb, dtb_size);
	free(m->dtb); /* may be the device tree being replaced */
	m->dtb = dtb;
	m->dtb_size = dtb_size;
	dtb = NULL;
	m->dtb_ipa = dtb_ipa;
	m->kernel_ipa = kentry;
	m->kernel_size = k.image_size;
	m->initrd_ipa = istart;
	m->initrd_size = initrd_len;
	elf_image_free(m->img);
	m->img = NULL;
	keep_request(m, l);
	rc = machine_reset_boot(m, kentry, dtb_ipa);
out:
	kernel_image_free(&k);
	free(initrd);
	free(dtb);
	return rc;
}

const void *machine_dtb(const struct machine *m, size_t *size)
{
	*size = m->dtb_size;
	return m->dtb;
}
