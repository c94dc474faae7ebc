/*
 * simd_view.c - the SIMD&FP registers as a programmer reads them: the
 * scalar views ($h0 $s0 $d0) as floats, a q register's lanes ($v0.4s
 * $v0.2d $v0.8h $v0.16b) as floats or integers, as gdb's union view
 * ({f = ..., u = ..., s = ...}) shows them.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "repl_internal.h"

void simd_scalar_text(const uint8_t q[16], unsigned size, char *buf, size_t len)
{
	uint64_t bits = 0;
	memcpy(&bits, q, size < 8 ? size : 8);
	repl_format_float(bits, size, buf, len);
}

static uint64_t lane(const uint8_t q[16], unsigned size, unsigned i)
{
	uint64_t v = 0;
	memcpy(&v, q + i * size, size);
	return v;
}

/* "{a, b, ...}" of the lanes in one format: f float, x hex, u, d. */
static size_t lanes_in(const uint8_t q[16], unsigned size, unsigned count, char f, char *buf, size_t len)
{
	size_t n = 0;
	n += (size_t)snprintf(buf + n, n < len ? len - n : 0, "{");
	for (unsigned i = 0; i < count && n < len; i++) {
		uint64_t v = lane(q, size, i);
		char t[48];
		unsigned bits = size * 8;
		int64_t sv = bits == 64 ? (int64_t)v : (int64_t)((v ^ (1ull << (bits - 1))) - (1ull << (bits - 1)));
		if (f == 'f' && size >= 2)
			repl_format_float(v, size, t, sizeof(t));
		else if (f == 'x')
			snprintf(t, sizeof(t), "0x%llx", (unsigned long long)v);
		else if (f == 'd')
			snprintf(t, sizeof(t), "%lld", (long long)sv);
		else
			snprintf(t, sizeof(t), "%llu", (unsigned long long)v);
		n += (size_t)snprintf(buf + n, n < len ? len - n : 0, "%s%s", i ? ", " : "", t);
	}
	n += (size_t)snprintf(buf + n, n < len ? len - n : 0, "}");
	return n;
}

/* "4s" -> 4 lanes of 4 bytes; also "s", "d", "h", "b" (full width). */
static int parse_lanes(const char *spec, unsigned *size, unsigned *nlanes)
{
	char *end;
	unsigned long count = isdigit((unsigned char)*spec) ? strtoul(spec, &end, 10) : 0;
	const char *t = isdigit((unsigned char)*spec) ? end : spec;
	unsigned sz = *t == 'b' ? 1 : *t == 'h' ? 2 : *t == 's' ? 4 : *t == 'd' ? 8 : *t == 'q' ? 16 : 0;
	if (!sz || t[1] || (count && count * sz != 16 && count * sz != 8))
		return -1;
	*size = sz;
	*nlanes = count ? (unsigned)count : 16 / sz;
	return 0;
}

int simd_lanes_text(const uint8_t q[16], const char *lanes, char fmt, char *buf, size_t len)
{
	size_t n = 0;
	if (!lanes) { /* info registers: the float views */
		n += (size_t)snprintf(buf, len, "s = ");
		n += lanes_in(q, 4, 4, 'f', buf + n, n < len ? len - n : 0);
		n += (size_t)snprintf(buf + n, n < len ? len - n : 0, ", d = ");
		lanes_in(q, 8, 2, 'f', buf + n, n < len ? len - n : 0);
		return 0;
	}
	unsigned size, count;
	if (parse_lanes(lanes, &size, &count) != 0)
		return -1;
	if (size == 16) {
		uint64_t lo = lane(q, 8, 0), hi = lane(q, 8, 1);
		snprintf(buf, len, "0x%016llx%016llx", (unsigned long long)hi, (unsigned long long)lo);
		return 0;
	}
	if (fmt) {
		lanes_in(q, size, count, fmt, buf, len);
		return 0;
	}
	/* as gdb: every reading of the lanes */
	if (size >= 2) {
		n += (size_t)snprintf(buf + n, n < len ? len - n : 0, "{f = ");
		n += lanes_in(q, size, count, 'f', buf + n, n < len ? len - n : 0);
		n += (size_t)snprintf(buf + n, n < len ? len - n : 0, ", u = ");
	} else {
		n += (size_t)snprintf(buf + n, n < len ? len - n : 0, "{u = ");
	}
	n += lanes_in(q, size, count, 'u', buf + n, n < len ? len - n : 0);
	n += (size_t)snprintf(buf + n, n < len ? len - n : 0, ", s = ");
	n += lanes_in(q, size, count, 'd', buf + n, n < len ? len - n : 0);
	snprintf(buf + n, n < len ? len - n : 0, "}");
	return 0;
}

int simd_print(struct repl *r, const char *expr, char fmt, const char *head)
{
	if (expr[0] != '$')
		return 0;
	char name[16];
	size_t k = 0;
	const char *p = expr + 1;
	while (isalnum((unsigned char)*p) && k + 1 < sizeof(name))
		name[k++] = *p++;
	name[k] = 0;
	const char *lanes = *p == '.' ? p + 1 : NULL;
	if (*p && !lanes)
		return 0; /* an expression: $s0 + 1 is arithmetic on the bits */
	struct reg_desc d;
	if (!reg_lookup(name, &d) || d.cls != RC_SIMD)
		return 0;
	if (lanes && d.size != 16)
		return repl_err(r, "lanes are views of the vector registers: $v%u.%s", d.idx, lanes);
	uint8_t q[16];
	if (machine_get_simd(r->m, r->cur, d.idx, q) != 0)
		return repl_err(r, "cannot read $%s", name);
	char text[1024];
	if (lanes) {
		if (simd_lanes_text(q, lanes, fmt, text, sizeof(text)) != 0)
			return repl_err(r, "bad lanes '%s': 16b 8h 4s 2d (or 8b 4h 2s 1d for the low half), b h s d q", lanes);
	} else if (d.size == 16) {
		if (fmt == 'f') {
			char views[1000];
			simd_lanes_text(q, NULL, 0, views, sizeof(views));
			snprintf(text, sizeof(text), "{%s}", views);
		} else
			simd_lanes_text(q, "q", 0, text, sizeof(text));
	} else if (fmt && fmt != 'f') {
		return 0; /* print/x $s0: the bits, as any value */
	} else {
		simd_scalar_text(q, d.size, text, sizeof(text));
		if (d.size == 1)
			snprintf(text, sizeof(text), "%u", q[0]);
	}
	printf("%s = %s\n", head, text);
	return 1;
}
