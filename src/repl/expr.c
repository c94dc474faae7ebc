/*
 * expr.c - the REPL's small expression language (C precedence):
 *   numbers 0x1f 42 0b101 0o17, $reg ($x0 $w1 $sp $pc $lr $fp $sctlr_el1),
 *   symbols (their address), sym+0x10, &sym, *addr (a 64-bit load),
 *   *(u8*)addr / (u16*) (u32*) (u64*) casts, + - * / % & | ^ << >> ~ ( ),
 *   comparisons (signed) == != < <= > >=, ! && || (0 or 1).
 * Values are uint64_t and wrap.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "repl_internal.h"

struct val {
	uint64_t v;
	unsigned ptr_size; /* set by a (uN*) cast: the size * loads */
};

struct parser {
	struct repl *r;
	const char *p;
	char *err;
	size_t errlen;
	bool failed;
};

char *skip_ws(char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	return s;
}

void rstrip(char *s)
{
	size_t n = strlen(s);
	while (n && isspace((unsigned char)s[n - 1]))
		s[--n] = 0;
}

static void fail(struct parser *ps, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void fail(struct parser *ps, const char *fmt, ...)
{
	if (ps->failed)
		return;
	ps->failed = true;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(ps->err, ps->errlen, fmt, ap);
	va_end(ap);
}

static void ws(struct parser *ps)
{
	while (*ps->p == ' ' || *ps->p == '\t')
		ps->p++;
}

static bool eat(struct parser *ps, const char *tok)
{
	ws(ps);
	size_t n = strlen(tok);
	if (strncmp(ps->p, tok, n) != 0)
		return false;
	/* "<" must not match "<<" and so on */
	if (n == 1 && (tok[0] == '<' || tok[0] == '>' || tok[0] == '&' || tok[0] == '|') &&
	    ps->p[1] == tok[0])
		return false;
	ps->p += n;
	return true;
}

static bool ident_char(char c, bool first)
{
	return isalpha((unsigned char)c) || c == '_' || c == '.' || (!first && isdigit((unsigned char)c));
}

static struct val parse_or(struct parser *ps);

static uint64_t load(struct parser *ps, uint64_t addr, unsigned size)
{
	uint8_t buf[8] = { 0 };
	struct repl *r = ps->r;
	long n = machine_read_virt(r->m, r->cur, addr, buf, size);
	if (n != (long)size) {
		fail(ps, "cannot access memory at 0x%llx", (unsigned long long)addr);
		return 0;
	}
	uint64_t v = 0;
	for (unsigned i = 0; i < size; i++)
		v |= (uint64_t)buf[i] << (8 * i);
	return v;
}

/* "(u32*)" and friends: returns the size, or 0 if not a cast. */
static unsigned parse_cast(struct parser *ps)
{
	static const struct { const char *name; unsigned size; } types[] = {
		{ "u8", 1 }, { "u16", 2 }, { "u32", 4 }, { "u64", 8 },
		{ "uint8_t", 1 }, { "uint16_t", 2 }, { "uint32_t", 4 }, { "uint64_t", 8 },
		{ "char", 1 }, { "short", 2 }, { "int", 4 }, { "long", 8 },
	};
	const char *save = ps->p;
	ws(ps);
	if (*ps->p != '(')
		return 0;
	ps->p++;
	ws(ps);
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		size_t n = strlen(types[i].name);
		if (!strncmp(ps->p, types[i].name, n) && !ident_char(ps->p[n], false)) {
			ps->p += n;
			if (eat(ps, "*") && eat(ps, ")"))
				return types[i].size;
			break;
		}
	}
	ps->p = save;
	return 0;
}

static struct val parse_primary(struct parser *ps)
{
	struct val v = { 0, 0 };
	ws(ps);
	const char *s = ps->p;
	if (*s == '(') {
		ps->p++;
		v = parse_or(ps);
		if (!eat(ps, ")"))
			fail(ps, "missing ')'");
		return v;
	}
	if (isdigit((unsigned char)*s)) {
		char *end;
		int base = 0;
		if (s[0] == '0' && (s[1] == 'b' || s[1] == 'B'))
			base = 2, s += 2;
		else if (s[0] == '0' && (s[1] == 'o' || s[1] == 'O'))
			base = 8, s += 2;
		else if (s[0] == '0' && isdigit((unsigned char)s[1]))
			base = 10; /* gdb reads 010 as 10 too */
		errno = 0;
		v.v = strtoull(s, &end, base);
		if (end == s || ident_char(*end, false))
			fail(ps, "bad number near '%.20s'", ps->p);
		else if (errno == ERANGE)
			fail(ps, "number %.*s is too large for 64 bits", (int)(end - ps->p), ps->p);
		ps->p = end;
		return v;
	}
	if (*s == '$') {
		char name[48];
		size_t n = 0;
		s++;
		while (ident_char(s[n], n == 0) && n + 1 < sizeof(name)) {
			name[n] = s[n];
			n++;
		}
		name[n] = 0;
		struct reg_desc d;
		if (!n || !reg_lookup(name, &d)) {
			fail(ps, "unknown register '$%s' (try 'info registers all')", name);
			return v;
		}
		if (reg_read(ps->r, &d, &v.v) != 0)
			fail(ps, "cannot read $%s", name);
		ps->p = s + n;
		return v;
	}
	if (ident_char(*s, true)) {
		char name[256];
		size_t n = 0;
		while (ident_char(s[n], n == 0) && n + 1 < sizeof(name)) {
			name[n] = s[n];
			n++;
		}
		name[n] = 0;
		const struct elf_symbol *sym = ps->r->img ? elf_sym_by_name(ps->r->img, name) : NULL;
		if (!sym) {
			fail(ps, "no symbol \"%s\"", name);
			return v;
		}
		v.v = sym->addr;
		ps->p = s + n;
		return v;
	}
	if (*s == 0)
		fail(ps, "expression expected");
	else
		fail(ps, "unexpected '%c'", *s);
	return v;
}

static struct val parse_unary(struct parser *ps)
{
	struct val v;
	if (eat(ps, "-")) {
		v = parse_unary(ps);
		v.v = 0 - v.v;
		v.ptr_size = 0;
		return v;
	}
	if (eat(ps, "~")) {
		v = parse_unary(ps);
		v.v = ~v.v;
		v.ptr_size = 0;
		return v;
	}
	if (eat(ps, "!")) {
		v = parse_unary(ps);
		v.v = !v.v;
		v.ptr_size = 0;
		return v;
	}
	if (eat(ps, "+"))
		return parse_unary(ps);
	if (eat(ps, "&")) /* &sym is sym: symbols are addresses already */
		return parse_unary(ps);
	if (eat(ps, "*")) {
		v = parse_unary(ps);
		unsigned size = v.ptr_size ? v.ptr_size : 8;
		if (!ps->failed)
			v.v = load(ps, v.v, size);
		v.ptr_size = 0;
		return v;
	}
	unsigned cast = parse_cast(ps);
	if (cast) {
		v = parse_unary(ps);
		v.ptr_size = cast;
		return v;
	}
	return parse_primary(ps);
}

static struct val parse_mul(struct parser *ps)
{
	struct val a = parse_unary(ps);
	for (;;) {
		if (eat(ps, "*")) {
			a.v *= parse_unary(ps).v;
		} else if (eat(ps, "/") || eat(ps, "%")) {
			bool mod = ps->p[-1] == '%';
			uint64_t b = parse_unary(ps).v;
			if (b == 0) {
				fail(ps, "division by zero");
				return a;
			}
			a.v = mod ? a.v % b : a.v / b;
		} else {
			return a;
		}
		a.ptr_size = 0;
	}
}

static struct val parse_add(struct parser *ps)
{
	struct val a = parse_mul(ps);
	for (;;) {
		if (eat(ps, "+"))
			a.v += parse_mul(ps).v;
		else if (eat(ps, "-"))
			a.v -= parse_mul(ps).v;
		else
			return a;
		a.ptr_size = 0;
	}
}

static struct val parse_shift(struct parser *ps)
{
	struct val a = parse_add(ps);
	for (;;) {
		bool left;
		if (eat(ps, "<<"))
			left = true;
		else if (eat(ps, ">>"))
			left = false;
		else
			return a;
		uint64_t b = parse_add(ps).v;
		a.v = b >= 64 ? 0 : left ? a.v << b : a.v >> b;
		a.ptr_size = 0;
	}
}

/* Comparisons are signed, as gdb's on the registers' long type. */
static struct val parse_rel(struct parser *ps)
{
	struct val a = parse_shift(ps);
	for (;;) {
		int op;
		if (eat(ps, "<="))
			op = 0;
		else if (eat(ps, ">="))
			op = 1;
		else if (eat(ps, "<"))
			op = 2;
		else if (eat(ps, ">"))
			op = 3;
		else
			return a;
		int64_t x = (int64_t)a.v, y = (int64_t)parse_shift(ps).v;
		a.v = op == 0 ? x <= y : op == 1 ? x >= y : op == 2 ? x < y : x > y;
		a.ptr_size = 0;
	}
}

static struct val parse_eq(struct parser *ps)
{
	struct val a = parse_rel(ps);
	for (;;) {
		bool ne;
		if (eat(ps, "=="))
			ne = false;
		else if (eat(ps, "!="))
			ne = true;
		else
			return a;
		uint64_t b = parse_rel(ps).v;
		a.v = ne ? a.v != b : a.v == b;
		a.ptr_size = 0;
	}
}

static struct val parse_and(struct parser *ps)
{
	struct val a = parse_eq(ps);
	while (eat(ps, "&")) {
		a.v &= parse_eq(ps).v;
		a.ptr_size = 0;
	}
	return a;
}

static struct val parse_xor(struct parser *ps)
{
	struct val a = parse_and(ps);
	while (eat(ps, "^")) {
		a.v ^= parse_and(ps).v;
		a.ptr_size = 0;
	}
	return a;
}

static struct val parse_bitor(struct parser *ps)
{
	struct val a = parse_xor(ps);
	while (eat(ps, "|")) {
		a.v |= parse_xor(ps).v;
		a.ptr_size = 0;
	}
	return a;
}

static struct val parse_land(struct parser *ps)
{
	struct val a = parse_bitor(ps);
	while (eat(ps, "&&")) {
		uint64_t b = parse_bitor(ps).v; /* both sides read: no side effects here */
		a.v = a.v && b;
		a.ptr_size = 0;
	}
	return a;
}

static struct val parse_or(struct parser *ps)
{
	struct val a = parse_land(ps);
	while (eat(ps, "||")) {
		uint64_t b = parse_land(ps).v;
		a.v = a.v || b;
		a.ptr_size = 0;
	}
	return a;
}

int expr_eval(struct repl *r, const char *s, uint64_t *val, char *err, size_t errlen)
{
	struct parser ps = { r, s, err, errlen, false };
	struct val v = parse_or(&ps);
	ws(&ps);
	if (!ps.failed && *ps.p)
		fail(&ps, "junk at the end of the expression: '%s'", ps.p);
	if (ps.failed)
		return -1;
	*val = v.v;
	return 0;
}

int expr_location(struct repl *r, const char *s, uint64_t *addr, char *err, size_t errlen)
{
	while (*s == ' ')
		s++;
	if (*s == 0) {
		snprintf(err, errlen, "a location is needed (symbol, *address or file:line)");
		return -1;
	}
	const char *colon = strrchr(s, ':');
	if (colon && colon != s && *s != '*' && *s != '$') {
		char *end;
		unsigned long line = strtoul(colon + 1, &end, 10);
		if (end != colon + 1 && *end == 0) {
			char file[256];
			snprintf(file, sizeof(file), "%.*s", (int)(colon - s), s);
			if (!r->img || !r->img->nlines) {
				snprintf(err, errlen, "no line information in the guest (build it with -g)");
				return -1;
			}
			return elf_line_to_addr(r->img, file, (unsigned)line, addr, err, errlen);
		}
	}
	if (*s == '*')
		s++;
	return expr_eval(r, s, addr, err, errlen);
}
