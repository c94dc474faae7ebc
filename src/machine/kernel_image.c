/*
 * kernel_image.c - arm64 kernel Image reader (see kernel_image.h).
 */
#include "kernel_image.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#define HDR_SIZE 64
#define ARM64_MAGIC 0x644d5241u /* "ARM\x64" at offset 56 */

static uint64_t le64(const uint8_t *p)
{
	uint64_t v = 0;
	for (int i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

int kernel_image_parse(const uint8_t *d, size_t len, struct kernel_image *k, char *err,
		       size_t errlen)
{
	if (len < HDR_SIZE) {
		snprintf(err, errlen, "too short for an arm64 Image header (%zu bytes)", len);
		return -1;
	}
	if ((uint32_t)le64(d + 56) != ARM64_MAGIC) {
		snprintf(err, errlen, "not an arm64 Linux Image (no \"ARM\\x64\" magic at offset 56)");
		return -1;
	}
	uint64_t text_offset = le64(d + 8), image_size = le64(d + 16), flags = le64(d + 24);
	if (image_size == 0) { /* before Linux 3.17: the historical values */
		text_offset = 0x80000;
		image_size = len;
	}
	if (flags & 1) {
		snprintf(err, errlen, "big-endian kernel (Image flags bit 0): not supported");
		return -1;
	}
	if (text_offset >= (1ull << 32) || image_size >= (1ull << 40) || image_size < len ||
	    (text_offset & 0xfff)) {
		snprintf(err, errlen, "bad Image header: text_offset 0x%llx, image_size 0x%llx for %zu bytes",
			 (unsigned long long)text_offset, (unsigned long long)image_size, len);
		return -1;
	}
	static const unsigned pages[4] = { 0, 4096, 16384, 65536 };
	k->text_offset = text_offset;
	k->image_size = image_size;
	k->page_size = pages[(flags >> 1) & 3];
	k->anywhere = (flags >> 3) & 1;
	return 0;
}

/* gzread reads a file without the gzip magic as it is, so one path
 * serves Image and Image.gz. */
int kernel_image_read(const char *path, size_t max, struct kernel_image *k, char *err,
		      size_t errlen)
{
	memset(k, 0, sizeof(*k));
	gzFile f = gzopen(path, "rb");
	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno ? errno : ENOMEM));
		return -1;
	}
	size_t cap = 1 << 20, len = 0;
	uint8_t *buf = malloc(cap);
	int rc = -1;
	while (buf) {
		if (len == cap) {
			if (cap >= max) {
				snprintf(err, errlen, "%s: larger than the %zu bytes RAM can hold", path, max);
				goto out;
			}
			size_t ncap = cap * 2 > max ? max : cap * 2;
			uint8_t *n = realloc(buf, ncap);
			if (!n)
				break;
			buf = n;
			cap = ncap;
		}
		int want = cap - len > (1u << 30) ? 1 << 30 : (int)(cap - len);
		int got = gzread(f, buf + len, (unsigned)want);
		if (got < 0) {
			int zerr;
			const char *msg = gzerror(f, &zerr);
			snprintf(err, errlen, "%s: %s", path,
				 zerr == Z_ERRNO ? strerror(errno) : msg);
			goto out;
		}
		if (got == 0)
			break;
		len += (size_t)got;
	}
	if (!buf) {
		snprintf(err, errlen, "%s: out of memory", path);
		goto out;
	}
	int zerr = Z_OK;
	const char *zmsg = gzerror(f, &zerr);
	if (zerr != Z_OK && zerr != Z_STREAM_END) { /* e.g. a truncated Image.gz */
		snprintf(err, errlen, "%s: gzip: %s", path, zmsg);
		goto out;
	}
	char sub[200];
	if (kernel_image_parse(buf, len, k, sub, sizeof(sub))) {
		snprintf(err, errlen, "%s: %s", path, sub);
		goto out;
	}
	k->data = buf;
	k->len = len;
	buf = NULL;
	rc = 0;
out:
	free(buf);
	gzclose(f);
	return rc;
}

void kernel_image_free(struct kernel_image *k)
{
	free(k->data);
	memset(k, 0, sizeof(*k));
}
