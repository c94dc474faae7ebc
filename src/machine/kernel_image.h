/*
 * kernel_image.h - reading an arm64 Linux kernel Image (or Image.gz) and
 * its header (Documentation/arch/arm64/booting.rst, "Call the kernel
 * image").
 */
#ifndef HVDBG_KERNEL_IMAGE_H
#define HVDBG_KERNEL_IMAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct kernel_image {
	uint8_t *data;        /* the decompressed image (malloc) */
	size_t len;
	uint64_t text_offset; /* load offset from a 2 MiB aligned base */
	uint64_t image_size;  /* bytes the kernel needs from its start (>= len) */
	unsigned page_size;   /* 4096, 16384, 65536, or 0 unspecified */
	bool anywhere;        /* flags bit 3: any 2 MiB aligned base in RAM */
};

/* Checks the 64-byte header of a decompressed image: the "ARM\x64"
 * magic, little-endian, sizes that fit.  0 or -1 with a message. */
int kernel_image_parse(const uint8_t *d, size_t len, struct kernel_image *k, char *err,
		       size_t errlen);
/* Reads path (plain or gzip, told by its magic), at most max bytes
 * decompressed, and parses the header. */
int kernel_image_read(const char *path, size_t max, struct kernel_image *k, char *err,
		      size_t errlen);
void kernel_image_free(struct kernel_image *k);

#endif
