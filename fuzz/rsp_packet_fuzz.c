/*
 * rsp_packet_fuzz.c - libFuzzer target for the RSP packet parser
 * (src/rsp/rsp_packet.c).  The input is the byte stream from a client,
 * fed in chunks whose sizes come from the input itself; every decoded
 * packet is re-framed with and without RLE and must parse back to the
 * same bytes; the hex helpers run on each packet.
 *
 *   clang -g -O1 -std=c11 -D_GNU_SOURCE -fsanitize=fuzzer,address,undefined \
 *       -o build/fuzz/rsp_packet_fuzz fuzz/rsp_packet_fuzz.c src/rsp/rsp_packet.c
 *   build/fuzz/rsp_packet_fuzz -max_total_time=60
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../src/rsp/rsp_packet.h"

#define CAP 4097 /* small, so oversized packets are reached */

static void check_packet(const char *data, size_t len)
{
	static char framed[2 * CAP + 8], back[CAP];
	for (int rle = 0; rle < 2; rle++) {
		size_t n = rsp_frame(framed, sizeof(framed), data, len, rle);
		if (n == 0)
			abort(); /* the buffer is always big enough */
		struct rsp_parser q;
		enum rsp_event ev;
		rsp_parser_init(&q, back, sizeof(back));
		size_t used = rsp_parse(&q, (const uint8_t *)framed, n, &ev);
		if (ev != RSP_EV_PACKET || used != n || q.len != len || memcmp(q.buf, data, len))
			abort(); /* frame/parse round trip broken */
	}
	/* Hex helpers on whatever the packet holds. */
	uint8_t bytes[64];
	size_t nb = len / 2 < sizeof(bytes) ? len / 2 : sizeof(bytes);
	if (memchr(data, 0, len) == NULL)
		(void)rsp_hex_decode(data, nb, bytes);
	const char *p = data;
	uint64_t v;
	if (memchr(data, 0, len)) /* rsp_parse_hex reads a C string */
		(void)rsp_parse_hex(&p, &v);
}

int LLVMFuzzerTestOneInput(const uint8_t *in, size_t size)
{
	static char buf[CAP];
	struct rsp_parser p;
	rsp_parser_init(&p, buf, sizeof(buf));
	size_t off = 0;
	unsigned chunk_seed = size ? in[0] : 1;
	while (off < size) {
		size_t chunk = 1 + (chunk_seed % 97);
		chunk_seed = chunk_seed * 1103515245u + 12345u;
		if (chunk > size - off)
			chunk = size - off;
		size_t done = 0;
		while (done < chunk) {
			enum rsp_event ev;
			size_t used = rsp_parse(&p, in + off + done, chunk - done, &ev);
			if (used == 0 || used > chunk - done)
				abort(); /* must always make progress, never overrun */
			done += used;
			if (p.len >= p.cap)
				abort();
			if (ev == RSP_EV_PACKET || ev == RSP_EV_BADSUM) {
				if (p.buf[p.len] != 0)
					abort(); /* NUL-terminated */
				check_packet(p.buf, p.len);
			}
		}
		off += chunk;
	}
	return 0;
}
