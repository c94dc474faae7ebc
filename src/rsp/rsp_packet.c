/*
 * rsp_packet.c - RSP framing: the incremental parser for gdb's byte
 * stream and the encoder for replies (see rsp_packet.h).
 *
 * Grammar (gdb manual, "Overview" of the remote protocol):
 *   packet  = '$' data '#' hex hex     checksum = sum of raw data bytes mod 256
 *   escape  = '}' (c ^ 0x20)           for $ # } * (and anything else)
 *   rle     = c '*' n                  c repeated n - 29 more times
 * Outside packets: '+' ack, '-' nack, 0x03 interrupt, anything else is
 * ignored (counted as garbage).
 */
#include "rsp_packet.h"

#include <string.h>

enum { ST_IDLE, ST_DATA, ST_ESC, ST_RLE, ST_CS1, ST_CS2 };

void rsp_parser_init(struct rsp_parser *p, char *buf, size_t cap)
{
	memset(p, 0, sizeof(*p));
	p->buf = buf;
	p->cap = cap;
	p->state = ST_IDLE;
	if (cap)
		buf[0] = 0;
}

int rsp_hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static void put(struct rsp_parser *p, char c)
{
	if (p->len + 1 < p->cap)
		p->buf[p->len++] = c;
	else
		p->overflow = true;
}

static void start_packet(struct rsp_parser *p)
{
	p->state = ST_DATA;
	p->len = 0;
	p->sum = 0;
	p->overflow = p->malformed = false;
}

/* Run-length count char: repeat the previous decoded byte n - 29 times. */
static void expand_rle(struct rsp_parser *p, uint8_t n)
{
	if (p->len == 0 || n < 29 || n > 126) {
		p->malformed = true;
		return;
	}
	char prev = p->buf[p->len - 1];
	for (unsigned i = 0; i < (unsigned)(n - 29); i++)
		put(p, prev);
}

static enum rsp_event finish(struct rsp_parser *p)
{
	p->state = ST_IDLE;
	if (p->cap)
		p->buf[p->len < p->cap ? p->len : p->cap - 1] = 0;
	if (p->overflow) {
		p->len = 0;
		return RSP_EV_OVERSIZE;
	}
	if (p->malformed) {
		p->len = 0;
		return RSP_EV_MALFORMED;
	}
	return p->sum == p->rx_sum ? RSP_EV_PACKET : RSP_EV_BADSUM;
}

size_t rsp_parse(struct rsp_parser *p, const uint8_t *in, size_t n, enum rsp_event *ev)
{
	*ev = RSP_EV_NONE;
	for (size_t i = 0; i < n; i++) {
		uint8_t c = in[i];
		switch (p->state) {
		case ST_IDLE:
			if (c == '$') {
				start_packet(p);
			} else if (c == '+' || c == '-' || c == 0x03) {
				*ev = c == '+' ? RSP_EV_ACK : c == '-' ? RSP_EV_NACK : RSP_EV_INTERRUPT;
				return i + 1;
			} else {
				p->garbage++;
			}
			break;
		case ST_DATA:
			if (c == '#') {
				p->state = ST_CS1;
				break;
			}
			if (c == '$') { /* a new packet restarts framing (gdb resent) */
				p->garbage += p->len + 1;
				start_packet(p);
				break;
			}
			p->sum = (uint8_t)(p->sum + c);
			if (c == '}')
				p->state = ST_ESC;
			else if (c == '*')
				p->state = ST_RLE;
			else
				put(p, (char)c);
			break;
		case ST_ESC:
			p->sum = (uint8_t)(p->sum + c);
			put(p, (char)(c ^ 0x20));
			p->state = ST_DATA;
			break;
		case ST_RLE:
			if (c == '#') { /* '#' may not be a count: the packet ends */
				p->malformed = true;
				p->state = ST_CS1;
				break;
			}
			p->sum = (uint8_t)(p->sum + c);
			expand_rle(p, c);
			p->state = ST_DATA;
			break;
		case ST_CS1:
		case ST_CS2: {
			int v = rsp_hexval(c);
			if (v < 0) {
				p->malformed = true;
				p->state = ST_CS2; /* end the packet here */
				v = 0;
			}
			if (p->state == ST_CS1) {
				p->rx_sum = (uint8_t)(v << 4);
				p->state = ST_CS2;
			} else {
				p->rx_sum = (uint8_t)(p->rx_sum | v);
				*ev = finish(p);
				return i + 1;
			}
			break;
		}
		}
	}
	return n;
}

static bool needs_escape(uint8_t c)
{
	return c == '$' || c == '#' || c == '}' || c == '*';
}

/* A run-length count n - 29 must not give a framing character. */
static bool bad_count(unsigned n)
{
	uint8_t c = (uint8_t)(n + 29);
	return needs_escape(c) || c == '+' || c == '-';
}

size_t rsp_frame(char *out, size_t cap, const void *data, size_t len, bool rle)
{
	const uint8_t *d = data;
	size_t o = 0;
	uint8_t sum = 0;
	if (cap < 4)
		return 0;
	out[o++] = '$';
	for (size_t i = 0; i < len;) {
		uint8_t c = d[i];
		if (needs_escape(c)) {
			if (o + 2 > cap - 3)
				return 0;
			out[o++] = '}';
			out[o++] = (char)(c ^ 0x20);
			sum = (uint8_t)(sum + '}' + (c ^ 0x20));
			i++;
			continue;
		}
		size_t run = 1;
		while (rle && i + run < len && d[i + run] == c && run < 98)
			run++;
		unsigned extra = (unsigned)run - 1;
		while (extra >= 3 && bad_count(extra))
			extra--;
		if (o + 3 > cap - 3)
			return 0;
		out[o++] = (char)c;
		sum = (uint8_t)(sum + c);
		if (extra >= 3) {
			out[o++] = '*';
			out[o++] = (char)(extra + 29);
			sum = (uint8_t)(sum + '*' + extra + 29);
			i += extra + 1;
		} else {
			i++;
		}
	}
	static const char hex[] = "0123456789abcdef";
	out[o++] = '#';
	out[o++] = hex[sum >> 4];
	out[o++] = hex[sum & 15];
	return o;
}

bool rsp_hex_decode(const char *hex, size_t n, uint8_t *out)
{
	for (size_t i = 0; i < n; i++) {
		int hi = rsp_hexval((unsigned char)hex[2 * i]);
		if (hi < 0) /* also stops at a NUL before reading past it */
			return false;
		int lo = rsp_hexval((unsigned char)hex[2 * i + 1]);
		if (lo < 0)
			return false;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return true;
}

void rsp_hex_encode(const uint8_t *in, size_t n, char *out)
{
	static const char hex[] = "0123456789abcdef";
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = hex[in[i] >> 4];
		out[2 * i + 1] = hex[in[i] & 15];
	}
}

bool rsp_parse_hex(const char **s, uint64_t *v)
{
	const char *p = *s;
	uint64_t x = 0;
	int nd = 0, d;
	while ((d = rsp_hexval((unsigned char)*p)) >= 0) {
		if (++nd > 16)
			return false;
		x = x << 4 | (uint64_t)d;
		p++;
	}
	if (nd == 0)
		return false;
	*s = p;
	*v = x;
	return true;
}
