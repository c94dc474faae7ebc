/*
 * mem.c - `x/NFU ADDR` (gdb's examine: formats x d u o t a c f s i, sizes
 * b h w g; Enter continues after the last unit) and `print[/F] EXPR`.
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "repl_internal.h"

static void addr_label(struct repl *r, uint64_t a, char *buf, size_t len)
{
	char sym[128];
	elf_format_addr(r->img, a, sym, sizeof(sym));
	if (sym[0] != '0')
		snprintf(buf, len, "0x%llx <%s>", (unsigned long long)a, sym);
	else
		snprintf(buf, len, "0x%llx", (unsigned long long)a);
}

/* Half precision (IEEE binary16) to double, exactly. */
static double half_to_double(uint16_t h)
{
	int e = (h >> 10) & 0x1f, m = h & 0x3ff;
	double v = e == 0 ? ldexp(m, -24) : e == 31 ? (m ? NAN : INFINITY) : ldexp(m | 0x400, e - 25);
	return h & 0x8000 ? -v : v;
}

void repl_format_float(uint64_t bits, unsigned size, char *buf, size_t len)
{
	if (size == 2) { /* binary16: 5 significant digits round-trip */
		snprintf(buf, len, "%.5g", half_to_double((uint16_t)bits));
	} else if (size == 4) {
		float f;
		uint32_t w = (uint32_t)bits;
		memcpy(&f, &w, 4);
		snprintf(buf, len, "%.9g", (double)f);
	} else {
		double d;
		memcpy(&d, &bits, 8);
		snprintf(buf, len, "%.17g", d);
	}
}

/* One unit in format f (size bytes). */
static void fmt_value(struct repl *r, char f, unsigned size, uint64_t v, char *buf, size_t len)
{
	unsigned bits = size * 8;
	int64_t sv = bits == 64 ? (int64_t)v : (int64_t)((v ^ (1ull << (bits - 1))) - (1ull << (bits - 1)));
	switch (f) {
	case 'd':
		snprintf(buf, len, "%lld", (long long)sv);
		break;
	case 'u':
		snprintf(buf, len, "%llu", (unsigned long long)v);
		break;
	case 'o':
		snprintf(buf, len, "0%llo", (unsigned long long)v);
		break;
	case 't': {
		size_t k = 0;
		for (unsigned i = bits; i-- > 0 && k + 1 < len;)
			buf[k++] = (v >> i) & 1 ? '1' : '0';
		buf[k] = 0;
		break;
	}
	case 'c': {
		unsigned char c = (unsigned char)v;
		if (isprint(c))
			snprintf(buf, len, "%u '%c'", c, c);
		else
			snprintf(buf, len, "%u '\\%03o'", c, c);
		break;
	}
	case 'a':
		addr_label(r, v, buf, len);
		break;
	case 'f':
		if (size == 2 || size == 4 || size == 8) {
			repl_format_float(v, size, buf, len);
		} else {
			snprintf(buf, len, "%lld", (long long)sv);
		}
		break;
	default:
		snprintf(buf, len, "0x%0*llx", (int)size * 2, (unsigned long long)v);
		break;
	}
}

/* x reads virtual addresses (the guest's translation), xp physical ones
 * (IPAs: guest RAM as the hypervisor maps it). */
static long read_mem(struct repl *r, bool phys, uint64_t addr, void *buf, size_t len)
{
	if (machine_running(r->m)) /* continue &: a live snapshot (VAs translated as at the last stop) */
		return phys ? machine_read_phys_live(r->m, addr, buf, len)
			    : machine_read_virt_live(r->m, r->cur, addr, buf, len);
	return phys ? machine_read_phys(r->m, addr, buf, len) : machine_read_virt(r->m, r->cur, addr, buf, len);
}

static void print_string(struct repl *r, bool phys, uint64_t *addr)
{
	char lbl[160];
	addr_label(r, *addr, lbl, sizeof(lbl));
	printf("%s:\t\"", lbl);
	for (unsigned i = 0; i < 4096; i++) {
		uint8_t c;
		if (read_mem(r, phys, *addr, &c, 1) != 1) {
			printf("\"<cannot access memory at 0x%llx>\n", (unsigned long long)*addr);
			return;
		}
		(*addr)++;
		if (c == 0)
			break;
		if (c == '\n')
			printf("\\n");
		else if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (isprint(c))
			putchar(c);
		else
			printf("\\%03o", c);
	}
	printf("\"\n");
}

#define X_MAX_COUNT 65536

/* Parses "4xg" (or "-4xg": the units before the address) into
 * count/format/size; 0, -1 (bad format) or -2 (count). */
static int parse_fmt(const char *fmt, unsigned *count, bool *back, char *f, unsigned *size)
{
	*back = false;
	if (!fmt)
		return 0;
	if (*fmt == '-') {
		*back = true;
		fmt++;
	}
	char *end;
	if (isdigit((unsigned char)*fmt)) {
		errno = 0;
		unsigned long c = strtoul(fmt, &end, 10);
		if (c == 0 || c > X_MAX_COUNT || errno == ERANGE)
			return -2;
		*count = (unsigned)c;
		fmt = end;
	}
	for (; *fmt; fmt++) {
		if (strchr("xduotacfsi", *fmt))
			*f = *fmt;
		else if (*fmt == 'b')
			*size = 1;
		else if (*fmt == 'h')
			*size = 2;
		else if (*fmt == 'w')
			*size = 4;
		else if (*fmt == 'g')
			*size = 8;
		else
			return -1;
	}
	return 0;
}

static int examine(struct repl *r, const char *fmt, char *args, bool phys)
{
	char err[160];
	unsigned count = 1, size = r->x_size ? r->x_size : 4;
	char f = r->x_fmt ? r->x_fmt : 'x';
	bool back;
	int prc = parse_fmt(fmt, &count, &back, &f, &size);
	if (prc == -2)
		return repl_err(r, "count in '/%s' out of range: 1 to %d units", fmt, X_MAX_COUNT);
	if (prc != 0)
		return repl_err(r, "bad format '/%s': x/[COUNT][xduotacfsi][bhwg] ADDR", fmt);
	if (!fmt && r->x_valid && !*skip_ws(args)) {
		count = r->x_count; /* Enter after x repeats with the same count ... */
		back = r->x_back;   /* ... and direction */
	}
	if (f == 'i' && machine_running(r->m))
		return repl_err(r, "x/i needs the guest stopped ('interrupt'); x/x shows the words meanwhile");
	if (phys && f == 'i')
		return repl_err(r, "xp shows data; for instructions at a physical address use x/i with the MMU off");
	if (back && f == 's')
		return repl_err(r, "x/-N does not go back over strings (their lengths are unknown)");
	if (f == 'a')
		size = 8;
	else if (f == 'c' && (!fmt || !strpbrk(fmt, "hwg")))
		size = 1;
	uint64_t addr;
	args = skip_ws(args);
	if (*args) {
		if (expr_eval(r, args, &addr, err, sizeof(err)) != 0)
			return repl_err(r, "%s", err);
	} else if (r->x_valid) {
		addr = r->x_next;
	} else {
		return repl_err(r, "an address is needed: x/FMT ADDR");
	}
	r->x_fmt = f;
	r->x_count = count;
	r->x_back = back;
	r->x_phys = phys;
	if (f != 's' && f != 'i')
		r->x_size = size;
	uint64_t unit = f == 'i' ? 4 : size;
	if (back) { /* the count units ending at addr; Enter goes on backwards */
		if (addr < (uint64_t)count * unit)
			return repl_err(r, "x/-%u: nothing below address 0", count);
		addr -= (uint64_t)count * unit;
	}
	if (f == 'i') {
		disas_print(r, addr, count);
		r->x_next = back ? addr : r->disas_next;
		r->x_valid = true;
		return 0;
	}
	if (f == 's') {
		for (unsigned i = 0; i < count; i++)
			print_string(r, phys, &addr);
		r->x_next = addr;
		r->x_valid = true;
		return 0;
	}
	uint64_t start = addr;
	unsigned per_line = size == 8 ? 2 : size == 4 ? 4 : 8;
	if (f == 'c' || f == 'd' || f == 'u')
		per_line = 8;
	for (unsigned i = 0; i < count; i++) {
		uint8_t b[8] = { 0 };
		if (read_mem(r, phys, addr, b, size) != (long)size) {
			if (i) /* end the line of the units shown */
				printf("\n");
			r->x_valid = false;
			return repl_err(r, "cannot access memory at 0x%llx", (unsigned long long)addr);
		}
		if (i % per_line == 0) {
			char lbl[160];
			addr_label(r, addr, lbl, sizeof(lbl));
			printf("%s%s:", i ? "\n" : "", lbl);
		}
		uint64_t v = 0;
		for (unsigned k = 0; k < size; k++)
			v |= (uint64_t)b[k] << (8 * k);
		char text[80];
		fmt_value(r, f, size, v, text, sizeof(text));
		printf("\t%s", text);
		addr += size;
	}
	printf("\n");
	r->x_next = back ? start : addr;
	r->x_valid = true;
	return 0;
}

int cmd_x(struct repl *r, const char *fmt, char *args)
{
	/* Enter after xp repeats xp */
	return examine(r, fmt, args, !fmt && r->x_valid && !*skip_ws(args) ? r->x_phys : false);
}

int cmd_xp(struct repl *r, const char *fmt, char *args)
{
	return examine(r, fmt, args, true);
}

/* Is s a lone identifier naming a data symbol?  Then print shows its value. */
static const struct elf_symbol *data_symbol(struct repl *r, const char *s)
{
	if (!r->img || !(isalpha((unsigned char)*s) || *s == '_' || *s == '.'))
		return NULL;
	for (const char *p = s; *p; p++)
		if (!(isalnum((unsigned char)*p) || *p == '_' || *p == '.'))
			return NULL;
	const struct elf_symbol *sym = elf_sym_by_name(r->img, s);
	if (!sym || sym->kind == ELF_SYM_FUNC)
		return NULL;
	/* untyped labels: data only if no executable segment holds them */
	for (size_t i = 0; i < r->img->nsegs; i++) {
		const struct elf_segment *g = &r->img->segs[i];
		if (sym->addr >= g->vaddr && sym->addr - g->vaddr < g->memsz)
			return (g->flags & ELF_SEG_X) && sym->kind != ELF_SYM_OBJECT ? NULL : sym;
	}
	return NULL;
}

int cmd_print(struct repl *r, const char *fmt, char *args)
{
	char err[160], text[160];
	args = skip_ws(args);
	rstrip(args);
	if (!*args)
		return repl_err(r, "usage: print[/FMT] EXPR");
	char f = 0;
	if (fmt) {
		if (strlen(fmt) != 1 || !strchr("xduotacf", fmt[0]))
			return repl_err(r, "bad format '/%s' for print (x d u o t a c f)", fmt);
		f = fmt[0];
	}
	/* gdb's `print $x0 = 5`: an assignment, then the value */
	char *eq = strchr(args, '=');
	if (eq && eq > args && eq[1] != '=' && !strchr("<>!=", eq[-1])) {
		char lhs[256];
		snprintf(lhs, sizeof(lhs), "%.*s", (int)(eq - args), args);
		rstrip(lhs);
		if (cmd_set(r, NULL, args) != 0)
			return -1;
		snprintf(args, strlen(args) + 1, "%s", lhs);
	}
	/* "$N" (the value history), or a display's "N: EXPR" */
	char head[200];
	if (r->print_label[0])
		snprintf(head, sizeof(head), "%s", r->print_label);
	else
		snprintf(head, sizeof(head), "$%u", r->value_num + 1);
	int simd = simd_print(r, args, f, head); /* $s0, $v0.4s ... */
	if (simd < 0)
		return -1;
	if (simd) {
		if (!r->print_label[0])
			r->value_num++;
		return 0;
	}
	uint64_t v;
	const struct elf_symbol *sym = data_symbol(r, args);
	unsigned size = 8;
	if (sym) {
		size = sym->size == 1 || sym->size == 2 || sym->size == 4 ? (unsigned)sym->size : 8;
		uint8_t b[8] = { 0 };
		if (machine_read_virt(r->m, r->cur, sym->addr, b, size) != (long)size)
			return repl_err(r, "cannot access memory at 0x%llx", (unsigned long long)sym->addr);
		v = 0;
		for (unsigned k = 0; k < size; k++)
			v |= (uint64_t)b[k] << (8 * k);
	} else if (expr_eval(r, args, &v, err, sizeof(err)) != 0) {
		return repl_err(r, "%s", err);
	}
	if (!r->print_label[0])
		r->value_num++;
	if (f == 'x') { /* print/x: no zero padding (x/x pads to the unit) */
		printf("%s = 0x%llx\n", head, (unsigned long long)v);
	} else if (f) {
		fmt_value(r, f, size, v, text, sizeof(text));
		printf("%s = %s\n", head, text);
	} else {
		char lbl[160];
		addr_label(r, v, lbl, sizeof(lbl));
		if (strchr(lbl, '<'))
			printf("%s = %s\n", head, lbl);
		else
			printf("%s = 0x%llx (%lld)\n", head, (unsigned long long)v, (long long)v);
	}
	if (sym)
		printf("    (%s: %u bytes at 0x%llx)\n", sym->name, size, (unsigned long long)sym->addr);
	return 0;
}
