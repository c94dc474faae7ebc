/*
 * rsp_conn.c - the transport: a TCP listener (127.0.0.1 unless told
 * otherwise) or stdin/stdout, packet sending with the last packet kept
 * for a '-' resend, and no-ack mode.
 */
#include "rsp_internal.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>


int rsp_conn_listen(const struct rsp_opts *o, int *port_out)
{
	struct sockaddr_in sa;
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)o->port);
	const char *addr = o->listen_addr ? o->listen_addr : "127.0.0.1";
	if (inet_pton(AF_INET, addr, &sa.sin_addr) != 1) {
		fprintf(stderr, "hvdbg: bad listen address '%s' (an IPv4 address)\n", addr);
		return -1;
	}
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		perror("hvdbg: socket");
		return -1;
	}
	int one = 1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(fd, 16) < 0) {
		fprintf(stderr, "hvdbg: cannot listen on %s:%d: %s\n", addr, o->port, strerror(errno));
		close(fd);
		return -1;
	}
	socklen_t sl = sizeof(sa);
	getsockname(fd, (struct sockaddr *)&sa, &sl);
	*port_out = ntohs(sa.sin_port);
	return fd;
}

int rsp_conn_accept(int lfd)
{
	int fd;
	do
		fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	while (fd < 0 && errno == EINTR);
	if (fd < 0)
		return -1;
	/* Each stepi is a small request/reply round trip: no Nagle delay. */
	int one = 1;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	return fd;
}

void rsp_conn_attach(struct rsp_server *s, int in_fd, int out_fd, bool is_socket)
{
	s->in_fd = in_fd;
	s->out_fd = out_fd;
	s->is_socket = is_socket;
	s->noack = false;
	s->multiprocess = s->swbreak = s->hwbreak = false;
	s->dead = false;
	s->in_pos = s->in_len = 0;
	s->tx_len = 0;
	rsp_parser_init(&s->parser, s->rx, RSP_PACKET_SIZE + 1);
}

void rsp_conn_close(struct rsp_server *s)
{
	if (s->is_socket && s->in_fd >= 0)
		close(s->in_fd);
	s->in_fd = s->out_fd = -1;
}

bool rsp_send_raw(struct rsp_server *s, const void *buf, size_t len)
{
	const char *p = buf;
	if (s->dead)
		return false;
	while (len) {
		ssize_t n = s->is_socket ? send(s->out_fd, p, len, MSG_NOSIGNAL)
					 : write(s->out_fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			s->dead = true;
			return false;
		}
		p += n;
		len -= (size_t)n;
	}
	return true;
}

bool rsp_send_packet(struct rsp_server *s, const void *data, size_t len)
{
	/* Replies are mostly hex: run-length encoding shrinks zeros. */
	s->tx_len = rsp_frame(s->tx, s->tx_cap, data, len, true);
	if (s->tx_len == 0) /* cannot happen: tx_cap >= 2 * max reply + 4 */
		return false;
	if (s->o.verbose)
		fprintf(stderr, "hvdbg: gdb <- %.*s%s\n", (int)(s->tx_len > 200 ? 200 : s->tx_len), s->tx,
			s->tx_len > 200 ? "..." : "");
	return rsp_send_raw(s, s->tx, s->tx_len);
}

bool rsp_resend(struct rsp_server *s)
{
	if (s->noack || s->tx_len == 0)
		return true;
	return rsp_send_raw(s, s->tx, s->tx_len);
}

bool rsp_conn_read(struct rsp_server *s)
{
	if (s->in_pos > 0) { /* keep the unprocessed tail at the front */
		memmove(s->inbuf, s->inbuf + s->in_pos, s->in_len - s->in_pos);
		s->in_len -= s->in_pos;
		s->in_pos = 0;
	}
	if (s->in_len == RSP_INBUF)
		return true; /* still unprocessed (a deferred packet holds it) */
	ssize_t n;
	do
		n = read(s->in_fd, s->inbuf + s->in_len, RSP_INBUF - s->in_len);
	while (n < 0 && errno == EINTR);
	if (n <= 0)
		return false;
	s->in_len += (size_t)n;
	return true;
}
