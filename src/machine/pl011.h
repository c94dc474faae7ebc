/*
 * pl011.h - the board's PL011 UART (ARM DDI 0183): the registers Linux's
 * amba-pl011 driver uses, transmit through a callback, receive from a
 * queue filled by any thread, and its interrupt as a GIC SPI.
 */
#ifndef HVDBG_PL011_H
#define HVDBG_PL011_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#define PL011_SIZE 0x1000ull

struct pl011 {
	pthread_mutex_t lock;
	void (*out)(void *ctx, const char *buf, size_t len); /* NULL: stdout */
	void *ctx;
	uint32_t intid;      /* GIC SPI raised by the interrupt output; 0 = none */
	uint8_t *rx;         /* received bytes not yet read */
	size_t rx_len, rx_head, rx_cap;
	uint32_t ris_tx;     /* TXRIS: set by a write to DR, cleared by ICR */
	uint32_t imsc, cr, lcr_h, ibrd, fbrd, ifls, dmacr;
	int level;           /* last level given to the GIC (-1: none yet) */
};

void pl011_init(struct pl011 *u, void (*out)(void *, const char *, size_t), void *ctx,
		uint32_t intid);
void pl011_destroy(struct pl011 *u);
/* A 32-bit (or narrower) register access at offset off (any thread). */
uint32_t pl011_read(struct pl011 *u, uint64_t off);
void pl011_write(struct pl011 *u, uint64_t off, uint32_t val);
/* Bytes for the guest to receive (any thread). */
void pl011_input(struct pl011 *u, const void *buf, size_t len);

#endif
