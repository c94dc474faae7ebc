/*
 * rsp_break.c - Z/z packets: 0 software breakpoint (BRK #0), 1 hardware
 * breakpoint, 2/3/4 write/read/access watchpoints.
 *
 * A watchpoint slot covers 1-8 bytes inside one aligned doubleword (BAS)
 * or an aligned power of two (MASK).  A range the hardware cannot encode
 * in one slot is split over up to RSP_WATCH_PIECES slots; if that is not
 * enough the insert fails with an error and nothing stays armed.
 */
#include "rsp_internal.h"

#include <string.h>

static int reply_rc(struct rsp_server *s, int rc)
{
	if (rc == 0 || rc == MACHINE_ERR_EXISTS)
		rsp_reply_str(s, "OK"); /* re-insert / already gone: fine for gdb */
	else if (rc == MACHINE_ERR_NOSLOT)
		rsp_reply_error(s, 28); /* ENOSPC */
	else if (rc == MACHINE_ERR_FAULT)
		rsp_reply_error(s, 14);
	else
		rsp_reply_error(s, 22);
	return RSP_REPLY;
}

/* Splits [addr, addr+len) into slot-sized pieces; returns the count or
 * 0 if more than RSP_WATCH_PIECES are needed. */
static unsigned split_range(uint64_t addr, uint64_t len, uint64_t *pa, uint64_t *pl)
{
	unsigned n = 0;
	while (len) {
		uint64_t piece;
		if (addr & 7) {
			piece = 8 - (addr & 7); /* to the doubleword boundary (BAS) */
			if (piece > len)
				piece = len;
		} else if (len < 8) {
			piece = len;
		} else {
			/* The largest aligned power of two that fits (MASK). */
			piece = 8;
			while (piece < (1ull << 31) && !(addr & (piece * 2 - 1)) && piece * 2 <= len)
				piece *= 2;
		}
		if (n == RSP_WATCH_PIECES)
			return 0;
		pa[n] = addr;
		pl[n] = piece;
		n++;
		addr += piece;
		len -= piece;
	}
	return n;
}

static struct rsp_watch *find_watch(struct rsp_server *s, uint64_t addr, uint64_t len,
				    enum machine_watch_kind k)
{
	for (unsigned i = 0; i < RSP_MAX_WATCH; i++) {
		struct rsp_watch *w = &s->watch[i];
		if (w->used && w->addr == addr && w->len == len && w->kind == k)
			return w;
	}
	return NULL;
}

static int watch_insert(struct rsp_server *s, uint64_t addr, uint64_t len, enum machine_watch_kind k)
{
	if (len == 0 || addr + len < addr)
		return MACHINE_ERR_ARG;
	if (find_watch(s, addr, len, k))
		return 0;
	struct rsp_watch *w = NULL;
	for (unsigned i = 0; i < RSP_MAX_WATCH && !w; i++)
		if (!s->watch[i].used)
			w = &s->watch[i];
	if (!w)
		return MACHINE_ERR_NOSLOT;
	int rc = machine_wp_insert(s->m, addr, len, k);
	if (rc == 0) {
		w->npieces = 1;
		w->piece_addr[0] = addr;
		w->piece_len[0] = len;
	} else if (rc == MACHINE_ERR_UNSUPPORTED) {
		w->npieces = split_range(addr, len, w->piece_addr, w->piece_len);
		if (w->npieces == 0)
			return MACHINE_ERR_UNSUPPORTED;
		for (unsigned i = 0; i < w->npieces; i++) {
			rc = machine_wp_insert(s->m, w->piece_addr[i], w->piece_len[i], k);
			if (rc) { /* all or nothing */
				while (i--)
					machine_wp_remove(s->m, w->piece_addr[i], w->piece_len[i], k);
				return rc;
			}
		}
	} else {
		return rc;
	}
	w->used = true;
	w->addr = addr;
	w->len = len;
	w->kind = k;
	return 0;
}

static int watch_remove(struct rsp_server *s, uint64_t addr, uint64_t len, enum machine_watch_kind k)
{
	struct rsp_watch *w = find_watch(s, addr, len, k);
	if (!w)
		return machine_wp_remove(s->m, addr, len, k);
	for (unsigned i = 0; i < w->npieces; i++)
		machine_wp_remove(s->m, w->piece_addr[i], w->piece_len[i], k);
	w->used = false;
	return 0;
}

void rsp_break_clear(struct rsp_server *s)
{
	memset(s->watch, 0, sizeof(s->watch));
}

enum rsp_action rsp_cmd_Z(struct rsp_server *s, const char *args, bool insert)
{
	uint64_t type, addr, kind;
	const char *p = args;
	if (!rsp_parse_hex(&p, &type) || *p++ != ',' || !rsp_parse_hex(&p, &addr) || *p++ != ',' ||
	    !rsp_parse_hex(&p, &kind) || (*p && *p != ';')) {
		rsp_reply_error(s, 22);
		return RSP_REPLY;
	}
	switch (type) {
	case 0:
		return reply_rc(s, insert ? machine_bp_insert(s->m, addr) : machine_bp_remove(s->m, addr));
	case 1:
		return reply_rc(s, insert ? machine_hwbp_insert(s->m, addr)
					  : machine_hwbp_remove(s->m, addr));
	case 2:
	case 3:
	case 4: {
		enum machine_watch_kind k = type == 2 ? WATCH_WRITE : type == 3 ? WATCH_READ : WATCH_ACCESS;
		return reply_rc(s, insert ? watch_insert(s, addr, kind, k) : watch_remove(s, addr, kind, k));
	}
	default:
		return RSP_REPLY; /* empty: this type is not supported */
	}
}
