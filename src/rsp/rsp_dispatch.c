/*
 * rsp_dispatch.c - packet dispatch, the reply buffer, and the small
 * queries (qSupported, qXfer:features, qAttached, QStartNoAckMode, ...).
 * Anything we do not know gets the empty reply, as the protocol asks.
 */
#include "rsp_internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* ------------------------------------------------------------- replies */

void rsp_reply_reset(struct rsp_server *s)
{
	s->rlen = 0;
	s->reply_overflow = false;
}

void rsp_reply_mem(struct rsp_server *s, const void *data, size_t len)
{
	if (len > RSP_PACKET_SIZE - s->rlen) {
		s->reply_overflow = true;
		return;
	}
	memcpy(s->reply + s->rlen, data, len);
	s->rlen += len;
}

void rsp_reply_str(struct rsp_server *s, const char *str)
{
	rsp_reply_mem(s, str, strlen(str));
}

void rsp_reply_printf(struct rsp_server *s, const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(buf)) {
		s->reply_overflow = true;
		return;
	}
	rsp_reply_mem(s, buf, (size_t)n);
}

void rsp_reply_hex(struct rsp_server *s, const void *data, size_t len)
{
	if (len > (RSP_PACKET_SIZE - s->rlen) / 2) {
		s->reply_overflow = true;
		return;
	}
	rsp_hex_encode(data, len, s->reply + s->rlen);
	s->rlen += 2 * len;
}

void rsp_reply_error(struct rsp_server *s, int code)
{
	rsp_reply_reset(s);
	rsp_reply_printf(s, "E%02x", code & 0xff);
}

void rsp_reply_xfer(struct rsp_server *s, const char *data, size_t size, const char *args)
{
	uint64_t off, len;
	if (!rsp_parse_hex(&args, &off) || *args++ != ',' || !rsp_parse_hex(&args, &len) || *args) {
		rsp_reply_error(s, 22);
		return;
	}
	if (len > RSP_PACKET_SIZE - 1)
		len = RSP_PACKET_SIZE - 1;
	if (off >= size) {
		rsp_reply_str(s, "l");
		return;
	}
	size_t n = size - off;
	rsp_reply_str(s, n > len ? "m" : "l");
	rsp_reply_mem(s, data + off, n > len ? len : n);
}

/* -------------------------------------------------------------- queries */

static bool has_prefix(const char *s, const char *p)
{
	return strncmp(s, p, strlen(p)) == 0;
}

static enum rsp_action q_supported(struct rsp_server *s, const char *args)
{
	/* Features gdb offers decide what we may use in replies. */
	s->multiprocess = strstr(args, "multiprocess+") != NULL;
	s->swbreak = strstr(args, "swbreak+") != NULL;
	s->hwbreak = strstr(args, "hwbreak+") != NULL;
	rsp_reply_printf(s,
			 "PacketSize=%x;qXfer:features:read+;qXfer:threads:read+;"
			 "QStartNoAckMode+;vContSupported+%s%s%s",
			 RSP_PACKET_SIZE, s->multiprocess ? ";multiprocess+" : "",
			 s->swbreak ? ";swbreak+" : "", s->hwbreak ? ";hwbreak+" : "");
	return RSP_REPLY;
}

static enum rsp_action q_xfer(struct rsp_server *s, const char *args)
{
	if (has_prefix(args, "features:read:target.xml:")) {
		rsp_reply_xfer(s, s->tdesc, s->tdesc_len, args + strlen("features:read:target.xml:"));
		return RSP_REPLY;
	}
	if (has_prefix(args, "features:read:")) {
		rsp_reply_error(s, 0); /* unknown annex */
		return RSP_REPLY;
	}
	if (has_prefix(args, "threads:read::"))
		return rsp_cmd_xfer_threads(s, args + strlen("threads:read::"));
	return RSP_REPLY; /* empty: not supported */
}

static enum rsp_action query(struct rsp_server *s, char *pkt)
{
	if (has_prefix(pkt, "qSupported"))
		return q_supported(s, pkt + strlen("qSupported"));
	if (has_prefix(pkt, "qXfer:"))
		return q_xfer(s, pkt + strlen("qXfer:"));
	if (!strcmp(pkt, "qC"))
		return rsp_cmd_qC(s);
	if (!strcmp(pkt, "qfThreadInfo"))
		return rsp_cmd_thread_info(s, true);
	if (!strcmp(pkt, "qsThreadInfo"))
		return rsp_cmd_thread_info(s, false);
	if (has_prefix(pkt, "qThreadExtraInfo,"))
		return rsp_cmd_thread_extra(s, pkt + strlen("qThreadExtraInfo,"));
	if (has_prefix(pkt, "qAttached")) {
		rsp_reply_str(s, "1"); /* attached to an existing VM: detach on quit */
		return RSP_REPLY;
	}
	if (has_prefix(pkt, "qSymbol")) {
		rsp_reply_str(s, "OK");
		return RSP_REPLY;
	}
	if (has_prefix(pkt, "qRcmd,"))
		return rsp_cmd_monitor(s, pkt + strlen("qRcmd,"));
	if (!strcmp(pkt, "QStartNoAckMode")) {
		s->noack = true; /* the loop still expects the ack of this OK */
		rsp_reply_str(s, "OK");
		return RSP_REPLY;
	}
	return RSP_REPLY; /* qOffsets, qTStatus, ...: empty = unsupported */
}

static enum rsp_action v_packet(struct rsp_server *s, char *pkt)
{
	if (!strcmp(pkt, "vCont?")) {
		rsp_reply_str(s, "vCont;c;C;s;S;t");
		return RSP_REPLY;
	}
	if (has_prefix(pkt, "vCont;"))
		return rsp_cmd_vcont(s, pkt + strlen("vCont"));
	if (has_prefix(pkt, "vKill")) {
		rsp_reply_str(s, "OK");
		return RSP_KILL;
	}
	return RSP_REPLY; /* vMustReplyEmpty, vFile, ...: empty */
}

static enum rsp_action status_query(struct rsp_server *s)
{
	if (machine_exited(s->m)) {
		struct machine_stop st = { .reason = STOP_GUEST_EXIT, .hw_slot = -1 };
		rsp_stop_reply(s, &st);
		return RSP_REPLY;
	}
	/* The halt reason of an attach: a plain SIGTRAP on the current vCPU. */
	struct machine_stop st = { .reason = STOP_STEP, .vcpu = s->g_cpu, .hw_slot = -1 };
	rsp_stop_reply(s, &st);
	return RSP_REPLY;
}

enum rsp_action rsp_dispatch(struct rsp_server *s, char *pkt, size_t len)
{
	if (len == 0)
		return RSP_REPLY;
	/* Text packets are handled as C strings; only X and the pattern of
	 * qSearch:memory carry binary (NUL bytes included). */
	static const char search[] = "qSearch:memory:";
	if (len >= sizeof(search) - 1 && !memcmp(pkt, search, sizeof(search) - 1))
		return rsp_cmd_search(s, pkt + sizeof(search) - 1, len - (sizeof(search) - 1));
	if (pkt[0] != 'X' && memchr(pkt, 0, len)) {
		rsp_reply_error(s, 22);
		return RSP_REPLY;
	}
	char *args = pkt + 1;
	switch (pkt[0]) {
	case '?':
		return status_query(s);
	case 'q':
	case 'Q':
		return query(s, pkt);
	case 'v':
		return v_packet(s, pkt);
	case 'H':
		return rsp_cmd_H(s, args);
	case 'T':
		return rsp_cmd_T(s, args);
	case 'g':
		return rsp_cmd_g(s);
	case 'G':
		return rsp_cmd_G(s, args);
	case 'p':
		return rsp_cmd_p(s, args);
	case 'P':
		return rsp_cmd_P(s, args);
	case 'm':
		return rsp_cmd_m(s, args);
	case 'M':
		return rsp_cmd_M(s, args);
	case 'X':
		return rsp_cmd_X(s, args, len - 1);
	case 'Z':
	case 'z':
		return rsp_cmd_Z(s, args, pkt[0] == 'Z');
	case 'c':
	case 's':
	case 'C':
	case 'S':
		return rsp_cmd_cs(s, pkt[0], args);
	case 'D':
		rsp_reply_str(s, "OK");
		return RSP_CLOSE;
	case 'k':
		return RSP_KILL;
	default:
		return RSP_REPLY; /* unsupported: empty reply */
	}
}
