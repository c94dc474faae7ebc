/*
 * rsp_mem.c - memory packets: m (read, hex), M (write, hex), X (write,
 * binary), qSearch:memory (find, binary pattern).  Addresses are virtual addresses of the current (Hg) vCPU,
 * translated and bounded by the machine layer: only guest RAM is ever
 * touched, never MMIO, never host memory outside it.
 */
#include "rsp_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../machine/pagewalk.h"

/* With the MMU off (known after one walk per stop) VA = IPA, and the
 * physical accessors need no trip to the vCPU thread. */
static long access_mem(struct rsp_server *s, uint64_t addr, void *buf, size_t len, bool write)
{
	struct rsp_vcache *c = &s->cache[s->g_cpu];
	if (c->mmu < 0) {
		struct pagewalk_result r;
		if (machine_pagewalk(s->m, s->g_cpu, addr, &r) == 0)
			c->mmu = r.mmu_on ? 1 : 0;
	}
	if (c->mmu == 0)
		return write ? machine_write_phys(s->m, addr, buf, len) : machine_read_phys(s->m, addr, buf, len);
	return write ? machine_write_virt(s->m, s->g_cpu, addr, buf, len)
		     : machine_read_virt(s->m, s->g_cpu, addr, buf, len);
}

/* "ADDR,LEN" then the separator sep (0 = end of packet). */
static bool parse_addr_len(const char **p, char sep, uint64_t *addr, uint64_t *len)
{
	if (!rsp_parse_hex(p, addr) || *(*p)++ != ',' || !rsp_parse_hex(p, len))
		return false;
	if (sep == 0)
		return **p == 0;
	return *(*p)++ == sep;
}

enum rsp_action rsp_cmd_m(struct rsp_server *s, const char *args)
{
	uint64_t addr, len;
	uint8_t buf[RSP_PACKET_SIZE / 2];
	if (!parse_addr_len(&args, 0, &addr, &len)) {
		rsp_reply_error(s, 22);
		return RSP_REPLY;
	}
	if (len > sizeof(buf))
		len = sizeof(buf); /* gdb accepts a short read */
	long n = access_mem(s, addr, buf, (size_t)len, false);
	if (n < 0 || (n == 0 && len > 0))
		rsp_reply_error(s, 14); /* EFAULT: nothing readable there */
	else
		rsp_reply_hex(s, buf, (size_t)n);
	return RSP_REPLY;
}

static void write_mem(struct rsp_server *s, uint64_t addr, const uint8_t *data, uint64_t len)
{
	long n = len ? access_mem(s, addr, (void *)data, (size_t)len, true) : 0;
	if (n < 0 || (uint64_t)n != len)
		rsp_reply_error(s, 14);
	else
		rsp_reply_str(s, "OK");
}

enum rsp_action rsp_cmd_M(struct rsp_server *s, const char *args)
{
	uint64_t addr, len;
	static uint8_t buf[RSP_PACKET_SIZE / 2];
	if (!parse_addr_len(&args, ':', &addr, &len) || len > sizeof(buf) ||
	    strlen(args) != 2 * len || !rsp_hex_decode(args, (size_t)len, buf)) {
		rsp_reply_error(s, 22);
		return RSP_REPLY;
	}
	write_mem(s, addr, buf, len);
	return RSP_REPLY;
}

/* X carries raw bytes (already unescaped by the parser): use plen. */
enum rsp_action rsp_cmd_X(struct rsp_server *s, const char *args, size_t plen)
{
	uint64_t addr, len;
	const char *p = args;
	const char *colon = memchr(args, ':', plen);
	if (!colon || !parse_addr_len(&p, ':', &addr, &len) || p != colon + 1 ||
	    len != plen - (size_t)(p - args)) {
		rsp_reply_error(s, 22);
		return RSP_REPLY;
	}
	write_mem(s, addr, (const uint8_t *)p, len);
	return RSP_REPLY;
}

/* qSearch:memory:ADDR;LEN;PATTERN - the pattern is binary (escaped on the
 * wire, raw here, NUL bytes included): plen bytes of args.  Replies "0",
 * "1,ADDR" for the first match in [ADDR, ADDR+LEN), or E14 when memory in
 * the range cannot be read before a match (gdb then stops the search, as
 * its own fallback search does). */
enum rsp_action rsp_cmd_search(struct rsp_server *s, const char *args, size_t plen)
{
	enum { CHUNK = 4096 };
	static uint8_t buf[CHUNK + RSP_PACKET_SIZE];
	const char *end = args + plen, *p = args;
	uint64_t addr, len;
	if (!rsp_parse_hex(&p, &addr) || p >= end || *p++ != ';' || !rsp_parse_hex(&p, &len) ||
	    p >= end || *p++ != ';' || p == end || (size_t)(end - p) > RSP_PACKET_SIZE) {
		rsp_reply_error(s, 22);
		return RSP_REPLY;
	}
	const uint8_t *pat = (const uint8_t *)p;
	size_t patlen = (size_t)(end - p);
	if (len > UINT64_MAX - addr)
		len = UINT64_MAX - addr; /* the range stops at the top of the space */
	/* Windows of CHUNK start positions, each read with patlen - 1 bytes of
	 * overlap so that a match across two windows is seen. */
	for (uint64_t off = 0; len >= patlen && off <= len - patlen; off += CHUNK) {
		uint64_t starts = len - patlen - off + 1;
		size_t want = (size_t)(starts < CHUNK ? starts : CHUNK) + patlen - 1;
		long n = access_mem(s, addr + off, buf, want, false);
		if (n < (long)patlen) {
			rsp_reply_error(s, 14);
			return RSP_REPLY;
		}
		for (size_t i = 0; i + patlen <= (size_t)n; i++) {
			if (buf[i] == pat[0] && !memcmp(buf + i, pat, patlen)) {
				char r[32];
				snprintf(r, sizeof(r), "1,%llx", (unsigned long long)(addr + off + i));
				rsp_reply_str(s, r);
				return RSP_REPLY;
			}
		}
		if ((size_t)n < want) { /* a short read: the rest is unreadable */
			rsp_reply_error(s, 14);
			return RSP_REPLY;
		}
	}
	rsp_reply_str(s, "0");
	return RSP_REPLY;
}
