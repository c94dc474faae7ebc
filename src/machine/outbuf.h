/*
 * outbuf.h - appending formatted text to a caller's buffer (buf, len) at
 * offset n, never past its end: the explain and pagewalk reports.
 */
#ifndef HVDBG_OUTBUF_H
#define HVDBG_OUTBUF_H

#include <stdio.h>

#define OUTBUF_APPEND(buf, len, n, ...)                                                 \
	do {                                                                            \
		if ((n) < (len))                                                        \
			(n) += (size_t)snprintf((buf) + (n), (len) - (n), __VA_ARGS__); \
	} while (0)

#endif
