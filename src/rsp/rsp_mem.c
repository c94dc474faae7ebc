/*
 * rsp_mem.c - memory packets: m (read, hex), M (write, hex), X (write,
 * binary).  Addresses are virtual addresses of the current (Hg) vCPU,
 * translated and bounded by the machine layer: only guest RAM is ever
 * touched, never MMIO, never host memory outside it.
 */
#include "rsp_internal.h"

#include <stdlib.h>
#include <string.h>

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
	long n = machine_read_virt(s->m, s->g_cpu, addr, buf, (size_t)len);
	if (n < 0 || (n == 0 && len > 0))
		rsp_reply_error(s, 14); /* EFAULT: nothing readable there */
	else
		rsp_reply_hex(s, buf, (size_t)n);
	return RSP_REPLY;
}

static void write_mem(struct rsp_server *s, uint64_t addr, const uint8_t *data, uint64_t len)
{
	long n = len ? machine_write_virt(s->m, s->g_cpu, addr, data, (size_t)len) : 0;
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
