/*
 * breakpoints.c - the REPL's breakpoint table: break/tbreak (software,
 * BRK #0), hbreak (hardware), watch/rwatch/awatch (hardware watchpoints),
 * delete/disable/enable, info breakpoints.  Several table entries may
 * share one machine breakpoint: it is inserted while at least one
 * enabled entry wants it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "repl_internal.h"

static bool same_target(const struct repl_bp *a, const struct repl_bp *b)
{
	if (a->type != b->type || a->addr != b->addr)
		return false;
	return a->type != BP_WATCH || (a->len == b->len && a->kind == b->kind);
}

/* Another enabled entry needs the same machine breakpoint as b. */
static bool shared(struct repl *r, const struct repl_bp *b)
{
	for (int i = 0; i < r->nbp; i++)
		if (&r->bp[i] != b && r->bp[i].enabled && same_target(&r->bp[i], b))
			return true;
	return false;
}

static int arm(struct repl *r, struct repl_bp *b)
{
	if (shared(r, b))
		return 0;
	switch (b->type) {
	case BP_SW: return machine_bp_insert(r->m, b->addr);
	case BP_HW: return machine_hwbp_insert(r->m, b->addr);
	default: return machine_wp_insert(r->m, b->addr, b->len, b->kind);
	}
}

static void disarm(struct repl *r, struct repl_bp *b)
{
	if (shared(r, b))
		return;
	switch (b->type) {
	case BP_SW: machine_bp_remove(r->m, b->addr); break;
	case BP_HW: machine_hwbp_remove(r->m, b->addr); break;
	default: machine_wp_remove(r->m, b->addr, b->len, b->kind); break;
	}
}

bool wp_read(struct repl *r, const struct repl_bp *b, uint64_t *v)
{
	uint8_t buf[8] = { 0 };
	if (b->len > 8 || machine_read_virt(r->m, r->cur, b->addr, buf, b->len) != (long)b->len)
		return false;
	*v = 0;
	for (unsigned i = 0; i < b->len; i++)
		*v |= (uint64_t)buf[i] << (8 * i);
	return true;
}

static struct repl_bp *add(struct repl *r, enum bp_type t, uint64_t addr, const char *where)
{
	if (r->nbp >= REPL_MAX_BP) {
		repl_err(r, "too many breakpoints (%d)", REPL_MAX_BP);
		return NULL;
	}
	struct repl_bp *b = &r->bp[r->nbp];
	memset(b, 0, sizeof(*b));
	b->type = t;
	b->addr = addr;
	b->enabled = true;
	b->kind = WATCH_WRITE;
	snprintf(b->where, sizeof(b->where), "%s", where);
	return b;
}

static int commit(struct repl *r, struct repl_bp *b)
{
	int rc = arm(r, b);
	if (rc == MACHINE_ERR_FAULT && b->type == BP_SW) {
		/* Not mapped yet (a kernel address while its MMU is off): no
		 * BRK can be written there, but a hardware breakpoint matches
		 * the virtual address whenever it comes to be executed. */
		b->type = BP_HW;
		rc = arm(r, b);
	}
	if (rc != 0 && rc != MACHINE_ERR_EXISTS) {
		const char *hint = rc == MACHINE_ERR_NOSLOT ? " (all hardware slots are in use)"
				   : rc == MACHINE_ERR_UNSUPPORTED ? " (a watched range must be 1-8 bytes inside one aligned "
								     "doubleword, or a power of two >= 8 aligned to its size)"
				   : rc == MACHINE_ERR_FAULT ? " (the address is not mapped)" : "";
		return repl_err(r, "cannot set it at 0x%llx: %s%s", (unsigned long long)b->addr,
				machine_strerror(rc), hint);
	}
	b->num = ++r->next_bp;
	r->nbp++;
	return 0;
}

static void describe_loc(struct repl *r, uint64_t addr, char *buf, size_t len)
{
	char sym[128];
	elf_format_addr(r->img, addr, sym, sizeof(sym));
	const struct elf_line *l = r->img ? elf_line_by_addr(r->img, addr) : NULL;
	const char *file = l && l->file ? strrchr(l->file, '/') : NULL;
	file = file ? file + 1 : l && l->file ? l->file : NULL;
	if (file)
		snprintf(buf, len, "0x%llx <%s> (%s:%u)", (unsigned long long)addr, sym, file, l->line);
	else if (sym[0] != '0')
		snprintf(buf, len, "0x%llx <%s>", (unsigned long long)addr, sym);
	else
		snprintf(buf, len, "0x%llx", (unsigned long long)addr);
}

static int code_bp(struct repl *r, char *args, enum bp_type t, bool temp)
{
	char err[160], loc[256], cond[128];
	uint64_t addr;
	args = skip_ws(args);
	rstrip(args);
	if (bp_take_condition(r, args, cond, sizeof(cond)) != 0)
		return -1;
	if (!*args) { /* gdb: break at the current pc */
		if (machine_get_reg(r->m, r->cur, HV_REG_PC, &addr) != 0)
			return repl_err(r, "cannot read pc");
	} else if (expr_location(r, args, &addr, err, sizeof(err)) != 0) {
		return repl_err(r, "%s", err);
	}
	if (addr & 3)
		return repl_err(r, "0x%llx is not 4-byte aligned (A64 instructions are)", (unsigned long long)addr);
	/* A symbol naming data: a BRK would overwrite it (and never be hit). */
	const struct elf_symbol *named = r->img && *args != '*' ? elf_sym_by_name(r->img, args) : NULL;
	if (named && named->data)
		return repl_err(r, "%s is data, not code (%s): a breakpoint would overwrite it; 'watch %s' stops "
				"when it is accessed, 'break *0x%llx' insists",
				args, named->kind == ELF_SYM_OBJECT ? "an object symbol" : "a label of bytes, not instructions",
				args, (unsigned long long)addr);
	uint64_t off;
	const struct elf_symbol *at = r->img ? elf_sym_by_addr(r->img, addr, &off) : NULL;
	if (at && at->data && !named)
		printf("warning: 0x%llx is in %s, which is data: the breakpoint may overwrite it.\n",
		       (unsigned long long)addr, at->name);
	/* gdb's note: the same place has breakpoints already */
	char others[160] = "";
	size_t on = 0;
	int nothers = 0;
	for (int i = 0; i < r->nbp; i++)
		if (r->bp[i].type != BP_WATCH && r->bp[i].addr == addr && on < sizeof(others) - 16) {
			on += (size_t)snprintf(others + on, sizeof(others) - on, "%s%d", nothers ? ", " : "", r->bp[i].num);
			nothers++;
		}
	struct repl_bp *b = add(r, t, addr, *args ? args : "*pc");
	if (!b)
		return -1;
	b->temp = temp;
	snprintf(b->cond, sizeof(b->cond), "%s", cond);
	if (commit(r, b) != 0)
		return -1;
	describe_loc(r, addr, loc, sizeof(loc));
	if (t != b->type)
		printf("0x%llx is not mapped yet: a hardware breakpoint instead.\n", (unsigned long long)addr);
	if (nothers)
		printf("Note: breakpoint%s %s also set at pc 0x%llx.\n", nothers > 1 ? "s" : "", others,
		       (unsigned long long)addr);
	size_t dup;
	elf_syms_named(r->img, args, &dup);
	if (dup > 1)
		printf("note: %zu symbols are named %s (static functions): this is the first; "
		       "'info address %s' lists them, '*ADDR' picks one.\n", dup, args, args);
	t = b->type;
	printf("%s %d at %s\n", t == BP_HW ? "Hardware breakpoint" : temp ? "Temporary breakpoint" : "Breakpoint",
	       b->num, loc);
	return 0;
}

int cmd_break(struct repl *r, const char *fmt, char *args)
{
	(void)fmt;
	return code_bp(r, args, BP_SW, false);
}

int cmd_tbreak(struct repl *r, const char *fmt, char *args)
{
	(void)fmt;
	return code_bp(r, args, BP_SW, true);
}

int cmd_hbreak(struct repl *r, const char *fmt, char *args)
{
	(void)fmt;
	return code_bp(r, args, BP_HW, false);
}

static const char *kind_name(enum machine_watch_kind k)
{
	return k == WATCH_READ ? "Read watchpoint" : k == WATCH_ACCESS ? "Access watchpoint" : "Hardware watchpoint";
}

/* watch EXPR [LEN]: EXPR is an address (a symbol stands for its address;
 * its size gives LEN when known, else 8). */
static int watch(struct repl *r, char *args, enum machine_watch_kind k)
{
	char err[160], cond[128];
	args = skip_ws(args);
	rstrip(args);
	if (bp_take_condition(r, args, cond, sizeof(cond)) != 0)
		return -1;
	if (!*args)
		return repl_err(r, "usage: watch ADDR|SYMBOL [LEN] [if EXPR]");
	uint64_t len = 0, addr;
	bool have_len = false;
	char *sp = strrchr(args, ' ');
	if (sp) {
		char *end;
		unsigned long long l = strtoull(sp + 1, &end, 0);
		if (*end == 0 && end != sp + 1) {
			len = l;
			have_len = true;
			*sp = 0;
			rstrip(args);
		}
	}
	if (have_len && len == 0)
		return repl_err(r, "the length must be at least 1 byte");
	/* gdb's `watch $x0` watches the register's value, not memory at it. */
	if (*args == '$')
		return repl_err(r, "%s is a register: hardware watchpoints watch memory; 'watch *%s' watches the "
				"8 bytes it points to (a register's own changes show at each stop as 'changed:')",
				args, args);
	const char *e = *args == '*' ? args + 1 : *args == '&' ? args + 1 : args;
	if (expr_eval(r, e, &addr, err, sizeof(err)) != 0)
		return repl_err(r, "%s", err);
	if (!len) {
		const struct elf_symbol *s = r->img ? elf_sym_by_name(r->img, e) : NULL;
		len = s && s->size && s->size <= 8 ? s->size : 8;
		if (!s && (addr & 7) + len > 8)
			len = 8 - (addr & 7);
	}
	struct repl_bp *b = add(r, BP_WATCH, addr, args);
	if (!b)
		return -1;
	b->len = len;
	b->kind = k;
	snprintf(b->cond, sizeof(b->cond), "%s", cond);
	if (commit(r, b) != 0)
		return -1;
	b->old_valid = wp_read(r, b, &b->old_val);
	printf("%s %d: %s (0x%llx, %llu byte%s)\n", kind_name(k), b->num, b->where,
	       (unsigned long long)addr, (unsigned long long)len, len == 1 ? "" : "s");
	return 0;
}

int cmd_watch(struct repl *r, const char *fmt, char *args)
{
	(void)fmt;
	return watch(r, args, WATCH_WRITE);
}

int cmd_rwatch(struct repl *r, const char *fmt, char *args)
{
	(void)fmt;
	return watch(r, args, WATCH_READ);
}

int cmd_awatch(struct repl *r, const char *fmt, char *args)
{
	(void)fmt;
	return watch(r, args, WATCH_ACCESS);
}

void bp_delete(struct repl *r, struct repl_bp *b)
{
	if (b->enabled)
		disarm(r, b);
	int i = (int)(b - r->bp);
	memmove(&r->bp[i], &r->bp[i + 1], (size_t)(r->nbp - i - 1) * sizeof(*b));
	r->nbp--;
}

void bp_rearm_all(struct repl *r)
{
	bool want[REPL_MAX_BP];
	for (int i = 0; i < r->nbp; i++) { /* none counts as armed yet */
		want[i] = r->bp[i].enabled;
		r->bp[i].enabled = false;
	}
	for (int i = 0; i < r->nbp; i++) {
		if (!want[i])
			continue;
		int rc = arm(r, &r->bp[i]);
		if (rc != 0 && rc != MACHINE_ERR_EXISTS)
			printf("breakpoint %d stays disabled: %s\n", r->bp[i].num, machine_strerror(rc));
		else
			r->bp[i].enabled = true;
	}
}

struct repl_bp *bp_at(struct repl *r, uint64_t addr)
{
	for (int i = 0; i < r->nbp; i++)
		if (r->bp[i].enabled && r->bp[i].type != BP_WATCH && r->bp[i].addr == addr)
			return &r->bp[i];
	return NULL;
}

struct repl_bp *wp_for(struct repl *r, uint64_t addr, enum machine_watch_kind kind)
{
	/* Best: the range holds addr and the kind is the slot's that fired
	 * (a watch and an rwatch may cover the same bytes); then the range
	 * alone; then any enabled watchpoint. */
	struct repl_bp *in_range = NULL, *any = NULL;
	for (int i = 0; i < r->nbp; i++) {
		struct repl_bp *b = &r->bp[i];
		if (!b->enabled || b->type != BP_WATCH)
			continue;
		if (addr >= b->addr && addr - b->addr < b->len) {
			if (b->kind == kind)
				return b;
			if (!in_range)
				in_range = b;
		}
		if (!any)
			any = b;
	}
	return in_range ? in_range : any;
}

struct repl_bp *bp_by_num(struct repl *r, int num)
{
	for (int i = 0; i < r->nbp; i++)
		if (r->bp[i].num == num)
			return &r->bp[i];
	return NULL;
}

/* Applies op to each numbered breakpoint in args (all if empty). */
static int each(struct repl *r, char *args, int (*op)(struct repl *, struct repl_bp *), const char *what)
{
	args = skip_ws(args);
	if (!*args) {
		for (int i = r->nbp - 1; i >= 0; i--)
			op(r, &r->bp[i]);
		return 0;
	}
	int rc = 0;
	for (char *tok = strtok(args, " \t"); tok; tok = strtok(NULL, " \t")) {
		char *end;
		long n = strtol(tok, &end, 10);
		struct repl_bp *b = *end ? NULL : bp_by_num(r, (int)n);
		if (!b)
			rc = repl_err(r, "no breakpoint number %s to %s", tok, what);
		else
			op(r, b);
	}
	return rc;
}

static int op_delete(struct repl *r, struct repl_bp *b)
{
	bp_delete(r, b);
	return 0;
}

static int op_disable(struct repl *r, struct repl_bp *b)
{
	if (b->enabled) {
		b->enabled = false;
		disarm(r, b);
	}
	return 0;
}

static int op_enable(struct repl *r, struct repl_bp *b)
{
	if (!b->enabled) {
		int rc = arm(r, b);
		if (rc != 0 && rc != MACHINE_ERR_EXISTS)
			return repl_err(r, "cannot enable %d: %s", b->num, machine_strerror(rc));
		b->enabled = true;
	}
	return 0;
}

int cmd_delete(struct repl *r, const char *fmt, char *args)
{
	(void)fmt;
	return each(r, args, op_delete, "delete");
}

int cmd_disable(struct repl *r, const char *fmt, char *args)
{
	(void)fmt;
	return each(r, args, op_disable, "disable");
}

int cmd_enable(struct repl *r, const char *fmt, char *args)
{
	(void)fmt;
	return each(r, args, op_enable, "enable");
}

int cmd_info_breakpoints(struct repl *r)
{
	if (!r->nbp) {
		printf("No breakpoints or watchpoints.\n");
		return 0;
	}
	printf("Num  Type            Disp Enb Address            What\n");
	for (int i = 0; i < r->nbp; i++) {
		const struct repl_bp *b = &r->bp[i];
		const char *type = b->type == BP_SW ? "breakpoint" : b->type == BP_HW ? "hw breakpoint"
				 : b->kind == WATCH_READ ? "read watchpoint"
				 : b->kind == WATCH_ACCESS ? "acc watchpoint" : "hw watchpoint";
		char what[256];
		if (b->type == BP_WATCH)
			snprintf(what, sizeof(what), "%s (%llu bytes)", b->where, (unsigned long long)b->len);
		else
			describe_loc(r, b->addr, what, sizeof(what));
		printf("%-4d %-15s %-4s %-3s 0x%016llx %s\n", b->num, type, b->temp ? "del" : "keep",
		       b->enabled ? "y" : "n", (unsigned long long)b->addr, what);
		if (b->cond[0])
			printf("\tstop only if %s\n", b->cond);
		if (b->hits)
			printf("\tbreakpoint already hit %u time%s\n", b->hits, b->hits == 1 ? "" : "s");
		if (b->ignore)
			printf("\twill ignore next %u crossing%s of breakpoint\n", b->ignore, b->ignore == 1 ? "" : "s");
		for (const char *c = b->cmds; *c;) {
			const char *nl = strchr(c, '\n');
			int n = nl ? (int)(nl - c) : (int)strlen(c);
			printf("        %.*s\n", n, c);
			c += n + (nl ? 1 : 0);
		}
	}
	return 0;
}
