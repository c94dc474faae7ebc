/*
 * rsp_packet.h - gdb remote serial protocol framing, with no I/O: an
 * incremental parser for the byte stream from gdb ($data#cs packets,
 * '+'/'-' acks, 0x03 interrupts, '}' escapes, '*' run-length encoding)
 * and the encoder for our replies.  Pure functions, so the unit tests and
 * the fuzz target drive them directly.
 */
#ifndef HVDBG_RSP_PACKET_H
#define HVDBG_RSP_PACKET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum rsp_event {
	RSP_EV_NONE = 0,   /* need more bytes */
	RSP_EV_PACKET,     /* a complete packet with a good checksum */
	RSP_EV_ACK,        /* '+' */
	RSP_EV_NACK,       /* '-': resend the last packet */
	RSP_EV_INTERRUPT,  /* 0x03 outside a packet */
	RSP_EV_BADSUM,     /* complete packet, wrong checksum (data kept) */
	RSP_EV_OVERSIZE,   /* complete packet longer than the buffer (dropped) */
	RSP_EV_MALFORMED,  /* bad RLE or escape, or non-hex checksum (dropped) */
};

struct rsp_parser {
	char *buf;        /* decoded packet data, NUL-terminated */
	size_t cap;       /* buf size, including the NUL */
	size_t len;       /* decoded length */
	int state;
	uint8_t sum;      /* running checksum of the raw bytes */
	uint8_t rx_sum;   /* the checksum received */
	bool overflow, malformed;
	uint64_t garbage; /* bytes ignored outside packets (statistics) */
};

void rsp_parser_init(struct rsp_parser *p, char *buf, size_t cap);
/* Feeds bytes; stops after the first event and returns the number of
 * bytes consumed (call again with the rest).  *ev is RSP_EV_NONE when
 * all n bytes were consumed with no event.  After RSP_EV_PACKET or
 * RSP_EV_BADSUM the data is p->buf[0..p->len). */
size_t rsp_parse(struct rsp_parser *p, const uint8_t *in, size_t n, enum rsp_event *ev);

/* Frames data as $...#cs into out (escaping $ # } *, and run-length
 * encoding runs if rle).  Returns the framed length, or 0 if out is too
 * small (cap >= 2 * len + 4 is always enough). */
size_t rsp_frame(char *out, size_t cap, const void *data, size_t len, bool rle);

/* Hex helpers. */
int rsp_hexval(int c); /* -1 if not a hex digit */
/* Decodes 2*n hex chars into n bytes; false on a bad digit. */
bool rsp_hex_decode(const char *hex, size_t n, uint8_t *out);
/* Encodes n bytes as 2*n lower-case hex chars (no NUL). */
void rsp_hex_encode(const uint8_t *in, size_t n, char *out);
/* Parses a hex number at *s (1..16 digits), advances *s; false if none
 * or too long. */
bool rsp_parse_hex(const char **s, uint64_t *v);

#endif
