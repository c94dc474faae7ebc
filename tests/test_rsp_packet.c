/*
 * test_rsp_packet.c - unit tests of the RSP packet layer (src/rsp/
 * rsp_packet.c): framing, checksums, acks and 0x03, '}' escapes, '*'
 * run-length decoding and encoding, oversized packets, garbage, split
 * input, and a round trip of random data through rsp_frame/rsp_parse.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../src/rsp/rsp_packet.h"

static char buf[64];
static struct rsp_parser P;

static void setup(void)
{
	rsp_parser_init(&P, buf, sizeof(buf));
}

/* Feeds a whole string; returns the first event (and where it ended). */
static enum rsp_event feed(const char *s, size_t *used)
{
	enum rsp_event ev = RSP_EV_NONE;
	size_t n = strlen(s), off = 0;
	while (off < n && ev == RSP_EV_NONE)
		off += rsp_parse(&P, (const uint8_t *)s + off, n - off, &ev);
	if (used)
		*used = off;
	return ev;
}

/* "$data#cs" with the right checksum. */
static const char *mk(const char *data)
{
	static char out[256];
	unsigned sum = 0;
	for (const char *p = data; *p; p++)
		sum += (unsigned char)*p;
	snprintf(out, sizeof(out), "$%s#%02x", data, sum & 0xff);
	return out;
}

START_TEST(t_simple)
{
	size_t used;
	ck_assert_int_eq(feed("$g#67", &used), RSP_EV_PACKET);
	ck_assert_uint_eq(used, 5);
	ck_assert_uint_eq(P.len, 1);
	ck_assert_str_eq(P.buf, "g");
	ck_assert_int_eq(feed(mk("qSupported:multiprocess+"), NULL), RSP_EV_PACKET);
	ck_assert_str_eq(P.buf, "qSupported:multiprocess+");
	ck_assert_int_eq(feed("$#00", NULL), RSP_EV_PACKET); /* empty packet */
	ck_assert_uint_eq(P.len, 0);
	ck_assert_int_eq(feed("$?#3F", NULL), RSP_EV_PACKET); /* upper-case checksum */
}
END_TEST

START_TEST(t_acks_interrupt)
{
	size_t used;
	ck_assert_int_eq(feed("+", NULL), RSP_EV_ACK);
	ck_assert_int_eq(feed("-", NULL), RSP_EV_NACK);
	ck_assert_int_eq(feed("\x03", NULL), RSP_EV_INTERRUPT);
	/* One event per call: the rest stays for the next call. */
	ck_assert_int_eq(feed("+$g#67", &used), RSP_EV_ACK);
	ck_assert_uint_eq(used, 1);
	ck_assert_int_eq(feed("$g#67", NULL), RSP_EV_PACKET);
	/* 0x03 inside a packet is data (binary X payloads). */
	ck_assert_int_eq(feed(mk("X0,1:\x03"), NULL), RSP_EV_PACKET);
	ck_assert_uint_eq(P.len, 6);
	ck_assert_int_eq(P.buf[5], 3);
}
END_TEST

START_TEST(t_bad_checksum)
{
	ck_assert_int_eq(feed("$g#00", NULL), RSP_EV_BADSUM);
	ck_assert_int_eq(feed("$g#zz", NULL), RSP_EV_MALFORMED);
	ck_assert_int_eq(feed("$g#6", NULL), RSP_EV_NONE); /* incomplete */
	ck_assert_int_eq(feed("7", NULL), RSP_EV_PACKET);
}
END_TEST

START_TEST(t_escapes)
{
	/* '}' then the byte ^ 0x20: "}]" is '}', "}\x03" '#', "}\x04" '$', "}\x0a" '*' */
	ck_assert_int_eq(feed(mk("a}]b}\x03}\x04}\x0a"), NULL), RSP_EV_PACKET);
	ck_assert_uint_eq(P.len, 6);
	ck_assert_mem_eq(P.buf, "a}b#$*", 6);
}
END_TEST

START_TEST(t_rle_decode)
{
	/* "0* " = '0' then ' ' - 29 = 3 more: "0000" */
	ck_assert_int_eq(feed(mk("0* "), NULL), RSP_EV_PACKET);
	ck_assert_str_eq(P.buf, "0000");
	/* RLE with nothing before it is malformed. */
	ck_assert_int_eq(feed("$* #4a", NULL), RSP_EV_MALFORMED);
	/* A count that is '#' ends the packet: malformed. */
	ck_assert_int_eq(feed("$0*#00", NULL), RSP_EV_MALFORMED);
	/* A count below 29 is malformed. */
	ck_assert_int_eq(feed("$0*\x01#5b", NULL), RSP_EV_MALFORMED);
}
END_TEST

START_TEST(t_oversize)
{
	char big[200];
	memset(big, 0, sizeof(big));
	big[0] = '$';
	memset(big + 1, 'm', 150);
	strcat(big, "#00");
	ck_assert_int_eq(feed(big, NULL), RSP_EV_OVERSIZE);
	ck_assert_uint_eq(P.len, 0);
	/* The parser recovers. */
	ck_assert_int_eq(feed("$g#67", NULL), RSP_EV_PACKET);
	/* RLE expanding past the buffer is oversized too. */
	ck_assert_int_eq(feed("$0*~0*~#00", NULL), RSP_EV_OVERSIZE);
	/* Exactly cap - 1 bytes fit. */
	char fit[100];
	fit[0] = '$';
	memset(fit + 1, 'a', 63);
	snprintf(fit + 64, sizeof(fit) - 64, "#%02x", (63 * 'a') & 0xff);
	ck_assert_int_eq(feed(fit, NULL), RSP_EV_PACKET);
	ck_assert_uint_eq(P.len, 63);
}
END_TEST

START_TEST(t_garbage)
{
	ck_assert_int_eq(feed("hello\xff\xfe\x00", NULL), RSP_EV_NONE);
	ck_assert_int_eq(feed("zz$g#67", NULL), RSP_EV_PACKET);
	ck_assert_uint_ge(P.garbage, 5);
	/* A '$' inside a packet restarts it (gdb resent after a timeout). */
	ck_assert_int_eq(feed("$m12$g#67", NULL), RSP_EV_PACKET);
	ck_assert_str_eq(P.buf, "g");
}
END_TEST

START_TEST(t_split_input)
{
	const char *pkt = mk("m40000000,4");
	/* Byte by byte gives the same result. */
	enum rsp_event ev = RSP_EV_NONE;
	for (size_t i = 0; i < strlen(pkt); i++) {
		ck_assert_int_eq(ev, RSP_EV_NONE);
		rsp_parse(&P, (const uint8_t *)pkt + i, 1, &ev);
	}
	ck_assert_int_eq(ev, RSP_EV_PACKET);
	ck_assert_str_eq(P.buf, "m40000000,4");
}
END_TEST

START_TEST(t_frame)
{
	char out[64];
	size_t n = rsp_frame(out, sizeof(out), "OK", 2, false);
	ck_assert_uint_eq(n, 6);
	ck_assert_mem_eq(out, "$OK#9a", 6);
	/* Escapes for $ # } *. */
	n = rsp_frame(out, sizeof(out), "a$#}*", 5, false);
	ck_assert_mem_eq(out, "$a}\x04}\x03}]}\x0a#", n - 2);
	/* RLE: 10 zeros = '0' '*' (9 + 29 = '&'). */
	n = rsp_frame(out, sizeof(out), "0000000000", 10, true);
	out[n] = 0;
	ck_assert_str_eq(out, "$0*&#80");
	/* Too small a buffer. */
	ck_assert_uint_eq(rsp_frame(out, 5, "hello", 5, false), 0);
}
END_TEST

/* Counts that would give '#', '$', '+', '-', '}' or '*' are avoided. */
START_TEST(t_frame_rle_counts)
{
	char data[200], out[512];
	for (unsigned run = 1; run <= 120; run++) {
		memset(data, 'x', run);
		size_t n = rsp_frame(out, sizeof(out), data, run, true);
		ck_assert_uint_gt(n, 0);
		for (size_t i = 1; i + 3 < n; i++)
			if (out[i] == '*') {
				char c = out[i + 1];
				ck_assert_msg(c != '#' && c != '$' && c != '+' && c != '-' && c != '}' &&
						      c != '*',
					      "run %u: count char %c", run, c);
			}
		rsp_parser_init(&P, buf, sizeof(buf));
		char big[256];
		struct rsp_parser q;
		rsp_parser_init(&q, big, sizeof(big));
		enum rsp_event ev;
		rsp_parse(&q, (const uint8_t *)out, n, &ev);
		ck_assert_int_eq(ev, RSP_EV_PACKET);
		ck_assert_uint_eq(q.len, run);
		ck_assert_mem_eq(q.buf, data, run);
	}
}
END_TEST

START_TEST(t_round_trip_random)
{
	static char data[4096], out[2 * 4096 + 8], back[4097];
	unsigned seed = 12345;
	for (int iter = 0; iter < 500; iter++) {
		size_t len = (size_t)(rand_r(&seed) % 4096);
		for (size_t i = 0; i < len; i++) {
			/* Runs and special characters are likely. */
			int r = rand_r(&seed) % 8;
			data[i] = r < 3 && i ? data[i - 1] : r == 3 ? "$#}*\x03+-"[rand_r(&seed) % 7]
								 : (char)rand_r(&seed);
		}
		for (int rle = 0; rle < 2; rle++) {
			size_t n = rsp_frame(out, sizeof(out), data, len, rle);
			ck_assert_uint_gt(n, 0);
			struct rsp_parser q;
			rsp_parser_init(&q, back, sizeof(back));
			enum rsp_event ev;
			size_t used = rsp_parse(&q, (const uint8_t *)out, n, &ev);
			ck_assert_int_eq(ev, RSP_EV_PACKET);
			ck_assert_uint_eq(used, n);
			ck_assert_uint_eq(q.len, len);
			ck_assert_int_eq(memcmp(q.buf, data, len), 0);
		}
	}
}
END_TEST

START_TEST(t_hex)
{
	uint8_t b[4];
	char h[9] = { 0 };
	ck_assert(rsp_hex_decode("0aFf10", 3, b));
	ck_assert_int_eq(b[0], 0x0a);
	ck_assert_int_eq(b[1], 0xff);
	ck_assert_int_eq(b[2], 0x10);
	ck_assert(!rsp_hex_decode("0g", 1, b));
	ck_assert(!rsp_hex_decode("0", 1, b)); /* stops at the NUL */
	rsp_hex_encode((const uint8_t *)"\x01\xab\x00\xff", 4, h);
	ck_assert_str_eq(h, "01ab00ff");
	const char *p = "40000000,4";
	uint64_t v;
	ck_assert(rsp_parse_hex(&p, &v));
	ck_assert_uint_eq(v, 0x40000000);
	ck_assert_int_eq(*p, ',');
	p = "ffffffffffffffff";
	ck_assert(rsp_parse_hex(&p, &v) && v == UINT64_MAX);
	p = "10000000000000000"; /* 17 digits */
	ck_assert(!rsp_parse_hex(&p, &v));
	p = ",";
	ck_assert(!rsp_parse_hex(&p, &v));
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("rsp_packet");
	TCase *tc = tcase_create("packet");
	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, t_simple);
	tcase_add_test(tc, t_acks_interrupt);
	tcase_add_test(tc, t_bad_checksum);
	tcase_add_test(tc, t_escapes);
	tcase_add_test(tc, t_rle_decode);
	tcase_add_test(tc, t_oversize);
	tcase_add_test(tc, t_garbage);
	tcase_add_test(tc, t_split_input);
	tcase_add_test(tc, t_frame);
	tcase_add_test(tc, t_frame_rle_counts);
	tcase_add_test(tc, t_round_trip_random);
	tcase_add_test(tc, t_hex);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
