/*
 * run.c - run control commands on the all-stop machine: continue, stepi,
 * nexti (steps over calls with a temporary breakpoint at the return
 * address), step/next by source line (DWARF), finish (to the return
 * address from LR or the frame record), until/advance, and trace mode
 * (continue by single steps, logging each instruction and the registers
 * it changed).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "repl_internal.h"

/* step/next/until give up after this long (or this many instructions)
 * without reaching a new line: a `b .` loop, a wait for an interrupt
 * that never comes.  Ctrl-C stops them sooner. */
#define LINE_STEP_SECONDS 5
#define LINE_STEP_LIMIT 200000000ull
#define RANGE_CHUNK 100000u /* instructions per machine_step_range call: the time bound is checked between */

static int check_runnable(struct repl *r)
{
	if (machine_exited(r->m))
		return repl_err(r, "the guest has exited (PSCI SYSTEM_OFF/RESET); 'run' starts it again");
	if (machine_vcpu_state(r->m, r->cur) == VCPU_OFF)
		return repl_err(r, "vCPU %u is powered off; select another with 'vcpu N'", r->cur);
	return 0;
}

static int get_pc_sp(struct repl *r, uint64_t *pc, uint64_t *sp)
{
	if (machine_get_reg(r->m, r->cur, HV_REG_PC, pc) != 0 || (sp && machine_get_sp(r->m, r->cur, sp) != 0))
		return repl_err(r, "cannot read the registers of vCPU %u", r->cur);
	return 0;
}

static int cont_wait(struct repl *r, struct machine_stop *st)
{
	fflush(stdout);
	r->resumes++;
	if (r->console)
		console_resume(r->console); /* keys go to the guest; Ctrl-C stops it */
	int rc;
	for (;;) { /* breakpoints whose condition or ignore count says go on */
		rc = machine_cont(r->m, st, -1);
		if (rc != 0)
			break;
		struct repl_bp *b = NULL;
		if (st->reason == STOP_BREAKPOINT || st->reason == STOP_HW_BREAKPOINT)
			b = bp_at(r, st->pc);
		else if (st->reason == STOP_WATCHPOINT)
			b = wp_for(r, st->data_addr, st->watch_kind);
		if (!b || bp_decide(r, b))
			break;
		if (b->type == BP_WATCH) /* the value seen when passing counts as the old one */
			b->old_valid = wp_read(r, b, &b->old_val);
	}
	if (r->console)
		console_pause(r->console);
	if (rc != 0)
		return repl_err(r, "cannot resume: %s", machine_strerror(rc));
	return 0;
}

static int step_wait(struct repl *r, struct machine_stop *st)
{
	fflush(stdout);
	r->resumes++;
	int rc = machine_stepi(r->m, r->cur, false, st);
	if (rc != 0)
		return repl_err(r, "cannot step: %s", machine_strerror(rc));
	return 0;
}

/* One traced step: "0x... <sym>: insn    x0=0x1". */
static int trace_step(struct repl *r, struct machine_stop *st)
{
	uint64_t pc;
	if (get_pc_sp(r, &pc, NULL) != 0)
		return -1;
	if (step_wait(r, st) != 0)
		return -1;
	regs_snapshot(r, r->cur);
	stop_show_location(r, pc, false);
	stop_show_changes(r, r->cur, "        ");
	return 0;
}

/* Runs until pc == target on the current vCPU with sp >= min_sp (so a
 * recursive call's return does not count), or any other stop.  *reached
 * tells which. */
static int run_to(struct repl *r, uint64_t target, uint64_t min_sp, struct machine_stop *st, bool *reached)
{
	*reached = false;
	bool ours = !bp_at(r, target);
	if (ours) {
		int rc = machine_bp_insert(r->m, target);
		if (rc == MACHINE_ERR_EXISTS)
			ours = false;
		else if (rc != 0)
			return repl_err(r, "cannot put a temporary breakpoint at 0x%llx: %s",
					(unsigned long long)target, machine_strerror(rc));
	}
	int rc = 0;
	for (;;) {
		if ((rc = cont_wait(r, st)) != 0)
			break;
		uint64_t sp = 0;
		if (st->reason == STOP_BREAKPOINT && st->pc == target && st->vcpu == r->cur) {
			machine_get_sp(r->m, r->cur, &sp);
			if (sp >= min_sp) {
				*reached = true;
				break;
			}
			if (!ours) /* a user breakpoint there: report it as such */
				break;
			continue; /* a deeper activation: keep going */
		}
		break;
	}
	if (ours)
		machine_bp_remove(r->m, target);
	return rc;
}

/* Shows a stop that ended a run_to: as "Run till exit" arrival or the
 * other event. */
static void show_run_to(struct repl *r, const struct machine_stop *st, bool reached)
{
	if (!reached) {
		stop_show(r, st);
		return;
	}
	struct machine_stop s = *st;
	s.reason = STOP_STEP; /* a plain arrival: no breakpoint banner */
	stop_show(r, &s);
}

/* Has the guest run at all since it was loaded? */
static bool has_run(struct repl *r)
{
	if (machine_exited(r->m))
		return true;
	for (unsigned i = 0; i < machine_ncpus(r->m); i++) {
		struct machine_exit_stats s;
		if (machine_vcpu_stats(r->m, i, &s) == 0 && s.total)
			return true;
	}
	return false;
}

/* The guest from its entry again: the machine reloads the ELF; the
 * session's breakpoints, displays and history stay. */
static int restart(struct repl *r)
{
	char err[300];
	if (machine_restart(r->m, err, sizeof(err)) != 0)
		return repl_err(r, "cannot restart: %s", err);
	r->img = machine_image(r->m);
	memset(r->have_now, 0, sizeof(r->have_now));
	for (unsigned i = 0; i < machine_ncpus(r->m); i++)
		if (machine_vcpu_state(r->m, i) != VCPU_OFF)
			regs_snapshot(r, i);
	r->x_valid = r->disas_valid = false;
	r->list_file = NULL;
	r->cur = 0;
	r->frame = 0;
	for (int i = 0; i < r->nbp; i++) {
		r->bp[i].hits = 0;
		if (r->bp[i].type == BP_WATCH)
			r->bp[i].old_valid = wp_read(r, &r->bp[i], &r->bp[i].old_val);
	}
	return 0;
}

int cmd_run(struct repl *r, const char *fmt, char *args)
{
	if (has_run(r)) {
		size_t dtb_size;
		printf("Starting the guest again from its entry (%s loaded afresh).\n",
		       machine_dtb(r->m, &dtb_size) ? "the kernel, its initrd and device tree"
		       : r->img && r->img->path ? r->img->path : "the image");
		if (restart(r) != 0)
			return -1;
	}
	return cmd_continue(r, fmt, args);
}

int cmd_reset(struct repl *r, const char *fmt, char *args)
{
	(void)fmt;
	(void)args;
	if (restart(r) != 0)
		return -1;
	uint64_t pc;
	printf("The guest is reset: at its entry, nothing run.\n");
	if (machine_get_reg(r->m, r->cur, HV_REG_PC, &pc) == 0)
		stop_show_location(r, pc, true);
	return 0;
}

int cmd_continue(struct repl *r, const char *fmt, char *args)
{
	(void)fmt;
	struct machine_stop st;
	if (check_runnable(r) != 0)
		return -1;
	args = skip_ws(args);
	rstrip(args);
	if (*args && strcmp(args, "&")) { /* continue N: ignore the current breakpoint N-1 more times */
		char *end;
		long n = strtol(args, &end, 0);
		uint64_t pc;
		if (*end || n < 1)
			return repl_err(r, "usage: continue [N]");
		if (get_pc_sp(r, &pc, NULL) == 0 && n > 1) {
			struct repl_bp *b = bp_at(r, pc);
			for (long i = 1; b && i < n; i++) {
				if (cont_wait(r, &st) != 0)
					return -1;
				if (!(st.reason == STOP_BREAKPOINT || st.reason == STOP_HW_BREAKPOINT) ||
				    bp_at(r, st.pc) != b) {
					stop_show(r, &st);
					return 0;
				}
				b->hits++;
			}
		}
	}
	if (r->trace) {
		repl_sigint = 0;
		for (;;) {
			if (trace_step(r, &st) != 0)
				return -1;
			if (st.reason != STOP_STEP)
				break;
			struct repl_bp *b = bp_at(r, st.pc);
			if (b) {
				st.reason = b->type == BP_HW ? STOP_HW_BREAKPOINT : STOP_BREAKPOINT;
				break;
			}
			if (repl_sigint) {
				st.reason = STOP_INTERRUPT;
				break;
			}
		}
		stop_show(r, &st);
		return 0;
	}
	if (!strcmp(args, "&")) { /* in the background: the prompt stays */
		machine_snapshot_translation(r->m, r->cur); /* for x while it runs */
		int rc = machine_resume(r->m, NULL);
		if (rc != 0)
			return repl_err(r, "cannot resume: %s", machine_strerror(rc));
		r->resumes++;
		r->bg = true;
		printf("Continuing in the background ('interrupt' or Ctrl-C stops it; keys go to hvdbg, "
		       "'send' to the guest).\n");
		return 0;
	}
	printf("Continuing.\n");
	if (cont_wait(r, &st) != 0)
		return -1;
	stop_show(r, &st);
	return 0;
}

bool bg_take_stop(struct repl *r, struct machine_stop *out)
{
	struct machine_stop st;
	if (!r->bg || machine_running(r->m) || machine_wait(r->m, &st, 0) != 0)
		return false;
	struct repl_bp *b = NULL;
	if (st.reason == STOP_BREAKPOINT || st.reason == STOP_HW_BREAKPOINT)
		b = bp_at(r, st.pc);
	else if (st.reason == STOP_WATCHPOINT)
		b = wp_for(r, st.data_addr, st.watch_kind);
	if (b && !bp_decide(r, b)) { /* a condition says go on */
		if (b->type == BP_WATCH)
			b->old_valid = wp_read(r, b, &b->old_val);
		if (machine_resume(r->m, NULL) == 0)
			return false;
	}
	r->bg = false;
	*out = st;
	return true;
}

void bg_stopped(struct repl *r)
{
	struct machine_stop st;
	if (bg_take_stop(r, &st))
		stop_show(r, &st);
}

static long count_arg(struct repl *r, char *args)
{
	args = skip_ws(args);
	if (!*args)
		return 1;
	char err[160];
	uint64_t n;
	if (expr_eval(r, args, &n, err, sizeof(err)) != 0 || n == 0 || n > 100000000) {
		repl_err(r, "bad count '%s'", args);
		return -1;
	}
	return (long)n;
}

int cmd_stepi(struct repl *r, const char *fmt, char *args)
{
	(void)fmt;
	struct machine_stop st;
	long n = count_arg(r, args);
	if (n < 0 || check_runnable(r) != 0)
		return -1;
	repl_sigint = 0;
	for (long i = 0; i < n; i++) {
		int rc = r->trace ? trace_step(r, &st) : step_wait(r, &st);
		if (rc != 0)
			return -1;
		if (st.reason != STOP_STEP || repl_sigint)
			break;
	}
	stop_show(r, &st);
	return 0;
}

/* One nexti: a call is run to its return address; anything else stepped. */
static int nexti_one(struct repl *r, struct machine_stop *st, bool *plain)
{
	uint64_t pc, sp;
	uint32_t insn = 0;
	*plain = true;
	if (get_pc_sp(r, &pc, &sp) != 0)
		return -1;
	if (machine_read_virt(r->m, r->cur, pc, &insn, 4) == 4 && machine_insn_is_call(insn)) {
		bool reached;
		if (run_to(r, pc + 4, sp, st, &reached) != 0)
			return -1;
		*plain = reached;
		if (reached)
			st->reason = STOP_STEP;
		return 0;
	}
	return r->trace ? trace_step(r, st) : step_wait(r, st);
}

/* A step of step/next/until landing on an enabled user breakpoint is a
 * hit of it, as in gdb (the step itself never executes the BRK). */
static bool step_hit_bp(struct repl *r, struct machine_stop *st)
{
	struct repl_bp *b = st->reason == STOP_STEP ? bp_at(r, st->pc) : NULL;
	if (b && !bp_decide(r, b))
		b = NULL;
	if (b)
		st->reason = b->type == BP_HW ? STOP_HW_BREAKPOINT : STOP_BREAKPOINT;
	return b != NULL;
}

int cmd_nexti(struct repl *r, const char *fmt, char *args)
{
	(void)fmt;
	struct machine_stop st;
	long n = count_arg(r, args);
	if (n < 0 || check_runnable(r) != 0)
		return -1;
	repl_sigint = 0;
	for (long i = 0; i < n; i++) {
		bool plain;
		if (nexti_one(r, &st, &plain) != 0)
			return -1;
		if (st.reason != STOP_STEP || repl_sigint)
			break;
	}
	stop_show(r, &st);
	return 0;
}

static bool same_line(const struct elf_line *a, const struct elf_line *b)
{
	return a && b && a->line == b->line && a->file == b->file;
}

static double now_s(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + t.tv_nsec / 1e9;
}

/* The addresses [lo, hi) of the line-table row holding pc. */
static bool row_range(const struct elf_image *img, uint64_t pc, uint64_t *lo, uint64_t *hi)
{
	const struct elf_line *l = img ? elf_line_by_addr(img, pc) : NULL;
	if (!l)
		return false;
	const struct elf_line *e = img->lines + img->nlines, *n = l + 1;
	while (n < e && n->addr <= pc)
		n++;
	*lo = l->addr;
	*hi = n < e ? n->addr : pc + 4;
	return true;
}

/* One move of a line step: over a call (over), else steps while the pc
 * stays in [lo, hi) - on the vCPU's thread, not one round trip per
 * instruction - stopping at calls when over.  *n: instructions run. */
static int step_in_range(struct repl *r, uint64_t lo, uint64_t hi, bool over, struct machine_stop *st, uint64_t *n)
{
	uint64_t pc;
	uint32_t insn;
	*n = 1;
	if (get_pc_sp(r, &pc, NULL) != 0)
		return -1;
	if (over && machine_read_virt(r->m, r->cur, pc, &insn, 4) == 4 && machine_insn_is_call(insn)) {
		bool plain;
		return nexti_one(r, st, &plain);
	}
	if (r->trace || pc < lo || pc >= hi)
		return r->trace ? trace_step(r, st) : step_wait(r, st);
	fflush(stdout);
	r->resumes++;
	int rc = machine_step_range(r->m, r->cur, lo, hi, RANGE_CHUNK, over, st, n);
	if (rc != 0)
		return repl_err(r, "cannot step: %s", machine_strerror(rc));
	return 0;
}

/* Gave up: how long and how far, and what stops it sooner. */
static void gave_up(uint64_t total, double t0, const char *what)
{
	printf("(gave up after %.1f s and %llu instructions without %s; Ctrl-C stops it sooner, 'until' or "
	       "'finish' get out of a loop)\n",
	       now_s() - t0, (unsigned long long)total, what);
}

/* step/next: steps (over calls for next) until the pc is at the first
 * instruction of a different source line. */
static int line_step(struct repl *r, char *args, bool over)
{
	struct machine_stop st;
	uint64_t pc;
	long n = count_arg(r, args);
	if (n < 0 || check_runnable(r) != 0 || get_pc_sp(r, &pc, NULL) != 0)
		return -1;
	if (!r->img || !r->img->nlines || !elf_line_by_addr(r->img, pc)) {
		printf("(no line information here: %s steps one instruction)\n", over ? "next" : "step");
		return over ? cmd_nexti(r, NULL, args) : cmd_stepi(r, NULL, args);
	}
	repl_sigint = 0;
	for (long k = 0; k < n; k++) {
		const struct elf_line *start = elf_line_by_addr(r->img, pc);
		bool done = false;
		double t0 = now_s();
		uint64_t total = 0, lo = 0, hi = 0;
		while (!done) {
			if (total >= LINE_STEP_LIMIT || now_s() - t0 > LINE_STEP_SECONDS) {
				gave_up(total, t0, "reaching a new line");
				stop_show(r, &st);
				return 0;
			}
			if (!row_range(r->img, pc, &lo, &hi))
				lo = hi = 0;
			uint64_t steps;
			if (step_in_range(r, lo, hi, over, &st, &steps) != 0)
				return -1;
			total += steps;
			if (step_hit_bp(r, &st) || st.reason != STOP_STEP || repl_sigint) {
				if (st.reason == STOP_STEP)
					st.reason = STOP_INTERRUPT;
				stop_show(r, &st);
				return 0;
			}
			pc = st.pc;
			const struct elf_line *l = elf_line_by_addr(r->img, pc);
			if (l && l->addr == pc && !same_line(l, start))
				done = true;
		}
	}
	stop_show(r, &st);
	return 0;
}

int cmd_step(struct repl *r, const char *fmt, char *args)
{
	(void)fmt;
	return line_step(r, args, false);
}

int cmd_next(struct repl *r, const char *fmt, char *args)
{
	(void)fmt;
	return line_step(r, args, true);
}

/* The return address of the current function: LR while LR points outside
 * the function (a leaf, or before the prologue's call), else the frame
 * record's saved LR at [x29 + 8]. */
int frame_return_addr(struct repl *r, uint64_t *ret)
{
	uint64_t pc, lr, fp, off;
	if (machine_get_reg(r->m, r->cur, HV_REG_PC, &pc) != 0 || machine_get_reg(r->m, r->cur, HV_REG_LR, &lr) != 0 ||
	    machine_get_reg(r->m, r->cur, HV_REG_FP, &fp) != 0)
		return -1;
	const struct elf_symbol *s = r->img ? elf_sym_by_addr(r->img, pc, &off) : NULL;
	bool lr_inside = s && lr >= s->addr && lr - s->addr < (s->size ? s->size : off + 1) && lr != s->addr;
	if (!lr_inside && lr) {
		*ret = lr;
		return 0;
	}
	uint64_t rec[2];
	if (fp && machine_read_virt(r->m, r->cur, fp, rec, 16) == 16 && rec[1]) {
		*ret = rec[1];
		return 0;
	}
	return -1;
}

/* An FP/SIMD register's low size bytes as a number (h, s, d) or hex. */
static void fp_text(struct repl *r, unsigned q, unsigned size, char *buf, size_t len)
{
	uint8_t b[16];
	if (machine_get_simd(r->m, r->cur, q, b) != 0) {
		snprintf(buf, len, "<unavailable>");
		return;
	}
	if (size == 4 || size == 8 || size == 2) {
		uint64_t bits = 0;
		memcpy(&bits, b, size);
		repl_format_float(bits, size, buf, len);
		return;
	}
	uint64_t lo, hi;
	memcpy(&lo, b, 8);
	memcpy(&hi, b + 8, 8);
	snprintf(buf, len, "0x%016llx%016llx", (unsigned long long)hi, (unsigned long long)lo);
}

/* `finish`'s value, where AAPCS64 puts it for the function's DWARF
 * return type; without one, what the two usual places hold. */
static void show_return_value(struct repl *r, const struct elf_func *fn, const char *name)
{
	uint64_t x0 = 0, x1 = 0;
	char text[96];
	machine_get_reg(r->m, r->cur, HV_REG_X0, &x0);
	machine_get_reg(r->m, r->cur, HV_REG_X1, &x1);
	enum elf_ret_loc loc = fn ? fn->ret : ELF_RET_UNKNOWN;
	switch (loc) {
	case ELF_RET_VOID:
		printf("(%s returns void: no value)\n", name);
		break;
	case ELF_RET_GPR:
		if (fn->ret_size && fn->ret_size <= 4) {
			uint32_t w = (uint32_t)x0;
			if (fn->ret_size < 4) /* the callee need not extend */
				w &= (1u << (8 * fn->ret_size)) - 1;
			if (fn->ret_signed)
				printf("Value returned in w0 (%s): %d\n", fn->ret_type,
				       fn->ret_size == 1 ? (int8_t)w : fn->ret_size == 2 ? (int16_t)w : (int32_t)w);
			else
				printf("Value returned in w0 (%s): %u (0x%x)\n", fn->ret_type, w, w);
		} else if (fn->ret_signed) {
			printf("Value returned in x0 (%s): %lld\n", fn->ret_type, (long long)x0);
		} else {
			char sym[128];
			elf_format_addr(r->img, x0, sym, sizeof(sym));
			printf("Value returned in x0 (%s): 0x%llx%s%s%s\n", fn->ret_type, (unsigned long long)x0,
			       sym[0] != '0' ? " <" : "", sym[0] != '0' ? sym : "", sym[0] != '0' ? ">" : "");
		}
		break;
	case ELF_RET_GPR_PAIR:
		printf("Value returned in x0, x1 (%s, %u bytes): x0 0x%llx, x1 0x%llx\n", fn->ret_type, fn->ret_size,
		       (unsigned long long)x0, (unsigned long long)x1);
		break;
	case ELF_RET_FP: {
		static const char prefix[17] = { [2] = 'h', [4] = 's', [8] = 'd', [16] = 'q' };
		char p = fn->ret_size <= 16 && prefix[fn->ret_size] ? prefix[fn->ret_size] : 'v';
		if (fn->ret_nregs <= 1) {
			fp_text(r, 0, fn->ret_size, text, sizeof(text));
			printf("Value returned in %c0 (%s): %s\n", p, fn->ret_type, text);
			break;
		}
		printf("Value returned in %c0-%c%u (%s):", p, p, fn->ret_nregs - 1, fn->ret_type);
		for (unsigned i = 0; i < fn->ret_nregs && i < 4; i++) {
			fp_text(r, i, fn->ret_size, text, sizeof(text));
			printf("%s %c%u = %s", i ? "," : "", p, i, text);
		}
		printf("\n");
		break;
	}
	case ELF_RET_VECTOR:
		fp_text(r, 0, 16, text, sizeof(text));
		printf("Value returned in v0 (%s): %s\n", fn->ret_type, text);
		break;
	case ELF_RET_MEMORY:
		printf("(%s returns a %u-byte %s in memory: the caller's buffer, whose address it passed in x8)\n",
		       name, fn->ret_size, fn->ret_type);
		break;
	case ELF_RET_UNKNOWN:
		fp_text(r, 0, 8, text, sizeof(text));
		printf("Return type unknown (no DWARF type for %s): x0 = 0x%llx (%lld) if it returns an integer "
		       "or pointer, d0 = %s if a double\n",
		       name ? name : "this function", (unsigned long long)x0, (long long)x0, text);
		break;
	}
}

int cmd_finish(struct repl *r, const char *fmt, char *args)
{
	(void)fmt;
	(void)args;
	uint64_t ret, pc, sp;
	struct machine_stop st;
	bool reached;
	if (check_runnable(r) != 0 || get_pc_sp(r, &pc, &sp) != 0)
		return -1;
	if (frame_return_addr(r, &ret) != 0)
		return repl_err(r, "cannot find the return address (no LR or frame record)");
	char sym[128];
	printf("Run till exit to 0x%llx <%s>\n", (unsigned long long)ret, elf_format_addr(r->img, ret, sym, sizeof(sym)));
	/* the function finishing: its DWARF return type, if any */
	const struct elf_func *fn = elf_func_by_addr(r->img, pc);
	uint64_t off;
	const struct elf_symbol *fsym = r->img ? elf_sym_by_addr(r->img, pc, &off) : NULL;
	if (run_to(r, ret, sp, &st, &reached) != 0)
		return -1;
	show_run_to(r, &st, reached);
	if (reached)
		show_return_value(r, fn, fn ? fn->name : fsym ? fsym->name : NULL);
	return 0;
}

/* gdb's `until` without argument: `next`, but a jump backwards (a loop)
 * does not stop it.  As gdb's until_next_command, steps over calls while
 * the pc stays in [start of the function, end of the current line) - or
 * [function start, pc] without line information - and then, once out,
 * on to the start of a line (a return lands mid-line in the caller). */
static int until_next(struct repl *r)
{
	struct machine_stop st;
	uint64_t pc, off;
	if (check_runnable(r) != 0 || get_pc_sp(r, &pc, NULL) != 0)
		return -1;
	const struct elf_symbol *fn = r->img ? elf_sym_by_addr(r->img, pc, &off) : NULL;
	if (!fn)
		return repl_err(r, "until: 0x%llx is not within a known function", (unsigned long long)pc);
	uint64_t lo = fn->addr, hi = pc + 1;
	const struct elf_line *l = elf_line_by_addr(r->img, pc);
	if (l) { /* the end of the current line's rows */
		const struct elf_line *e = r->img->lines + r->img->nlines, *n = l + 1;
		while (n < e && n->file && same_line(n, l))
			n++;
		hi = n < e ? n->addr : UINT64_MAX;
	}
	repl_sigint = 0;
	bool done = false;
	double t0 = now_s();
	uint64_t total = 0;
	while (!done) {
		if (total >= LINE_STEP_LIMIT || now_s() - t0 > LINE_STEP_SECONDS) {
			gave_up(total, t0, "leaving the line");
			break;
		}
		uint64_t steps;
		if (step_in_range(r, lo, hi, true, &st, &steps) != 0)
			return -1;
		total += steps;
		if (step_hit_bp(r, &st) || st.reason != STOP_STEP || repl_sigint) {
			if (st.reason == STOP_STEP)
				st.reason = STOP_INTERRUPT;
			done = true;
		} else if (st.pc < lo || st.pc >= hi) {
			l = elf_line_by_addr(r->img, st.pc);
			done = !l || l->addr == st.pc;
		}
	}
	stop_show(r, &st);
	return 0;
}

int cmd_until(struct repl *r, const char *fmt, char *args)
{
	(void)fmt;
	char err[160];
	uint64_t target;
	struct machine_stop st;
	bool reached;
	args = skip_ws(args);
	rstrip(args);
	if (!*args)
		return until_next(r);
	if (check_runnable(r) != 0)
		return -1;
	if (expr_location(r, args, &target, err, sizeof(err)) != 0)
		return repl_err(r, "%s", err);
	if (run_to(r, target, 0, &st, &reached) != 0)
		return -1;
	show_run_to(r, &st, reached);
	return 0;
}

/* gdb's advance: until LOCATION, which it requires. */
int cmd_advance(struct repl *r, const char *fmt, char *args)
{
	args = skip_ws(args);
	if (!*args)
		return repl_err(r, "advance needs a location (symbol, *ADDR, FILE:LINE); 'until' alone steps over a loop");
	return cmd_until(r, fmt, args);
}

int cmd_trace(struct repl *r, const char *fmt, char *args)
{
	(void)fmt;
	args = skip_ws(args);
	rstrip(args);
	if (!*args) {
		printf("trace is %s\n", r->trace ? "on" : "off");
		return 0;
	}
	if (!strcmp(args, "on"))
		r->trace = true;
	else if (!strcmp(args, "off"))
		r->trace = false;
	else
		return repl_err(r, "usage: trace on|off");
	printf("trace %s: %s\n", r->trace ? "on" : "off",
	       r->trace ? "continue/step run one instruction at a time and log each with the registers it changed"
			: "continue runs at full speed");
	return 0;
}

int cmd_interrupt(struct repl *r, const char *fmt, char *args)
{
	(void)fmt;
	(void)args;
	if (!machine_running(r->m))
		return repl_err(r, "the guest is not running (Ctrl-C stops it while it runs)");
	machine_interrupt(r->m);
	if (r->bg) { /* continue &: wait for the stop and show it */
		machine_wait(r->m, NULL, -1);
		bg_stopped(r);
	}
	return 0;
}
