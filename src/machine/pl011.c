/*
 * pl011.c - PL011 UART model (see pl011.h).
 *
 * Transmission is instant: the FIFO never fills (TXFF clear, TXFE set,
 * BUSY clear) and each write to DR raises TXRIS, as QEMU's model does,
 * so a driver waiting for the transmit interrupt gets it.  The receive
 * interrupts (RXRIS, RTRIS) follow the receive queue: set while bytes
 * wait.  The output to the GIC is RIS & IMSC, recomputed after every
 * change and given to hv_gic_set_spi only when it moves.
 */
#include "pl011.h"

#include <Hypervisor/Hypervisor.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define UARTDR 0x000
#define UARTRSR 0x004
#define UARTFR 0x018
#define UARTILPR 0x020
#define UARTIBRD 0x024
#define UARTFBRD 0x028
#define UARTLCR_H 0x02c
#define UARTCR 0x030
#define UARTIFLS 0x034
#define UARTIMSC 0x038
#define UARTRIS 0x03c
#define UARTMIS 0x040
#define UARTICR 0x044
#define UARTDMACR 0x048

#define FR_RXFE (1u << 4)
#define FR_TXFE (1u << 7)
#define INT_RX (1u << 4)
#define INT_TX (1u << 5)
#define INT_RT (1u << 6)
#define INT_ALL 0x7ffu

void pl011_init(struct pl011 *u, void (*out)(void *, const char *, size_t), void *ctx,
		uint32_t intid)
{
	memset(u, 0, sizeof(*u));
	pthread_mutex_init(&u->lock, NULL);
	u->out = out;
	u->ctx = ctx;
	u->intid = intid;
	u->cr = 0x300; /* TXE, RXE (reset value) */
	u->ifls = 0x12;
	u->level = -1;
}

void pl011_destroy(struct pl011 *u)
{
	free(u->rx);
	pthread_mutex_destroy(&u->lock);
}

static uint32_t ris(const struct pl011 *u)
{
	uint32_t r = u->ris_tx;
	if (u->rx_head < u->rx_len)
		r |= INT_RX | INT_RT;
	return r;
}

/* Under u->lock: drives the SPI from RIS & IMSC. */
static void update_irq(struct pl011 *u)
{
	int level = (ris(u) & u->imsc) != 0;
	if (u->intid && level != u->level) {
		u->level = level;
		hv_gic_set_spi(u->intid, level);
	}
}

uint32_t pl011_read(struct pl011 *u, uint64_t off)
{
	/* UARTPeriphID0-3 (as QEMU's PL011) and UARTPCellID0-3. */
	static const uint8_t id[8] = { 0x11, 0x10, 0x14, 0x00, 0x0d, 0xf0, 0x05, 0xb1 };
	uint32_t v = 0;
	pthread_mutex_lock(&u->lock);
	switch (off) {
	case UARTDR:
		if (u->rx_head < u->rx_len) {
			v = u->rx[u->rx_head++];
			if (u->rx_head == u->rx_len)
				u->rx_head = u->rx_len = 0;
			update_irq(u);
		}
		break;
	case UARTFR: v = FR_TXFE | (u->rx_head < u->rx_len ? 0 : FR_RXFE); break;
	case UARTIBRD: v = u->ibrd; break;
	case UARTFBRD: v = u->fbrd; break;
	case UARTLCR_H: v = u->lcr_h; break;
	case UARTCR: v = u->cr; break;
	case UARTIFLS: v = u->ifls; break;
	case UARTIMSC: v = u->imsc; break;
	case UARTRIS: v = ris(u); break;
	case UARTMIS: v = ris(u) & u->imsc; break;
	case UARTDMACR: v = u->dmacr; break;
	default:
		if (off >= 0xfe0 && off < 0x1000)
			v = id[(off - 0xfe0) / 4];
		break;
	}
	pthread_mutex_unlock(&u->lock);
	return v;
}

void pl011_write(struct pl011 *u, uint64_t off, uint32_t val)
{
	pthread_mutex_lock(&u->lock);
	switch (off) {
	case UARTDR: {
		char c = (char)(val & 0xff);
		if (u->out) {
			u->out(u->ctx, &c, 1);
		} else {
			fputc(c, stdout);
			if (c == '\n')
				fflush(stdout);
		}
		u->ris_tx = INT_TX;
		break;
	}
	case UARTIBRD: u->ibrd = val & 0xffff; break;
	case UARTFBRD: u->fbrd = val & 0x3f; break;
	case UARTLCR_H: u->lcr_h = val & 0xff; break;
	case UARTCR: u->cr = val & 0xff87; break;
	case UARTIFLS: u->ifls = val & 0x3f; break;
	case UARTIMSC: u->imsc = val & INT_ALL; break;
	case UARTICR: u->ris_tx &= ~val; break;
	case UARTDMACR: u->dmacr = val & 7; break;
	default: break; /* RSR/ECR writes clear errors we never have */
	}
	update_irq(u);
	pthread_mutex_unlock(&u->lock);
}

void pl011_input(struct pl011 *u, const void *buf, size_t len)
{
	pthread_mutex_lock(&u->lock);
	if (u->rx_head > 0 && u->rx_head == u->rx_len)
		u->rx_head = u->rx_len = 0;
	if (u->rx_len + len > u->rx_cap) {
		size_t cap = u->rx_cap ? u->rx_cap : 256;
		while (cap < u->rx_len + len)
			cap *= 2;
		uint8_t *n = realloc(u->rx, cap);
		if (!n) {
			pthread_mutex_unlock(&u->lock);
			return;
		}
		u->rx = n;
		u->rx_cap = cap;
	}
	memcpy(u->rx + u->rx_len, buf, len);
	u->rx_len += len;
	update_irq(u);
	pthread_mutex_unlock(&u->lock);
}
