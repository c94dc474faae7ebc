/*
 * frames.c - the call stack from AAPCS64 frame records: backtrace, and
 * gdb's frame selection (frame N, up, down, info frame).  Frame 0 is
 * the pc; frame 1 is LR while the current function has not saved it
 * (LR outside the function), then the x29 chain of {fp, lr} records.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "repl_internal.h"

#define MAX_FRAMES 256

struct frame {
	uint64_t pc;
	uint64_t fp;      /* the frame record this frame's caller info came from (0: LR) */
	uint64_t rec[2];  /* that record: {caller's fp, return address} */
};

/* Walks the stack; *why says why it ended early ("" if it reached the
 * end: fp 0 or a zero return address). */
static int collect(struct repl *r, struct frame *f, int max, char *why, size_t wlen)
{
	uint64_t pc, lr, fp, off;
	int n = 0;
	why[0] = 0;
	if (machine_get_reg(r->m, r->cur, HV_REG_PC, &pc) != 0 || machine_get_reg(r->m, r->cur, HV_REG_LR, &lr) != 0 ||
	    machine_get_reg(r->m, r->cur, HV_REG_FP, &fp) != 0)
		return -1;
	if (max <= 0)
		return 0;
	f[n++] = (struct frame){ .pc = pc };
	const struct elf_symbol *s = r->img ? elf_sym_by_addr(r->img, pc, &off) : NULL;
	bool lr_inside = s && lr > s->addr && lr - s->addr < (s->size ? s->size : off + 1);
	uint64_t rec[2];
	if (!lr_inside && lr && n < max) {
		f[n++] = (struct frame){ .pc = lr };
		/* the function may have pushed its record already: skip it */
		if (fp && machine_read_virt(r->m, r->cur, fp, rec, 16) == 16 && rec[1] == lr)
			fp = rec[0];
	}
	while (fp && n < max) {
		if (fp & 7) {
			snprintf(why, wlen, "(frame pointer 0x%llx misaligned: stopping)", (unsigned long long)fp);
			break;
		}
		if (machine_read_virt(r->m, r->cur, fp, rec, 16) != 16) {
			snprintf(why, wlen, "(cannot read the frame record at 0x%llx)", (unsigned long long)fp);
			break;
		}
		if (!rec[1])
			break;
		f[n++] = (struct frame){ .pc = rec[1], .fp = fp, .rec = { rec[0], rec[1] } };
		if (rec[0] && rec[0] <= fp) {
			snprintf(why, wlen, "(frame chain goes backwards at 0x%llx: stopping)", (unsigned long long)fp);
			break;
		}
		fp = rec[0];
	}
	return n;
}

static void print_frame(struct repl *r, unsigned n, uint64_t pc)
{
	char sym[128];
	elf_format_addr(r->img, pc, sym, sizeof(sym));
	/* a return address belongs to the line of the call before it */
	const struct elf_line *l = r->img ? elf_line_by_addr(r->img, n ? pc - 4 : pc) : NULL;
	printf("#%-2u 0x%016llx in %s", n, (unsigned long long)pc, sym);
	if (l && l->file) {
		const char *b = strrchr(l->file, '/');
		printf(" at %s:%u", b ? b + 1 : l->file, l->line);
	}
	printf("\n");
}

int cmd_backtrace(struct repl *r, const char *fmt, char *args)
{
	(void)fmt;
	struct frame f[MAX_FRAMES];
	char why[128];
	int max = MAX_FRAMES;
	args = skip_ws(args);
	if (*args)
		max = (int)strtol(args, NULL, 0);
	if (max > MAX_FRAMES)
		max = MAX_FRAMES;
	int n = collect(r, f, max, why, sizeof(why));
	if (n < 0)
		return repl_err(r, "cannot read the registers of vCPU %u", r->cur);
	for (int i = 0; i < n; i++)
		print_frame(r, (unsigned)i, f[i].pc);
	if (why[0])
		printf("%s\n", why);
	return 0;
}

/* Selects frame n (clamped as gdb does, with its messages) and shows it. */
static int select_frame(struct repl *r, long n)
{
	struct frame f[MAX_FRAMES];
	char why[128];
	int count = collect(r, f, MAX_FRAMES, why, sizeof(why));
	if (count <= 0)
		return repl_err(r, "no stack");
	if (n < 0)
		return repl_err(r, "Bottom (innermost) frame selected; you cannot go down.");
	if (n >= count)
		return repl_err(r, "Initial frame selected; you cannot go up (%d frame%s).", count, count == 1 ? "" : "s");
	r->frame = (int)n;
	print_frame(r, (unsigned)n, f[n].pc);
	stop_show_location(r, f[n].pc, n == 0);
	if (n) /* an outer frame is at its call: that line, as gdb shows it */
		source_show_at(r, f[n].pc - 4);
	return 0;
}

static long arg_or(char *args, long dflt)
{
	args = skip_ws(args);
	return *args ? strtol(args, NULL, 0) : dflt;
}

int cmd_frame(struct repl *r, const char *fmt, char *args)
{
	(void)fmt;
	return select_frame(r, arg_or(args, r->frame));
}

int cmd_up(struct repl *r, const char *fmt, char *args)
{
	(void)fmt;
	return select_frame(r, r->frame + arg_or(args, 1));
}

int cmd_down(struct repl *r, const char *fmt, char *args)
{
	(void)fmt;
	return select_frame(r, r->frame - arg_or(args, 1));
}

uint64_t frame_selected_pc(struct repl *r)
{
	struct frame f[MAX_FRAMES];
	char why[128];
	int n = collect(r, f, r->frame + 1, why, sizeof(why));
	return n > r->frame ? f[r->frame].pc : n > 0 ? f[0].pc : 0;
}

int info_frame(struct repl *r)
{
	struct frame f[MAX_FRAMES];
	char why[128], sym[128];
	int n = collect(r, f, MAX_FRAMES, why, sizeof(why));
	if (n <= 0)
		return repl_err(r, "no stack");
	int k = r->frame < n ? r->frame : 0;
	elf_format_addr(r->img, f[k].pc, sym, sizeof(sym));
	printf("Stack level %d, pc = 0x%llx in %s\n", k, (unsigned long long)f[k].pc, sym);
	if (k + 1 < n) {
		elf_format_addr(r->img, f[k + 1].pc, sym, sizeof(sym));
		printf(" called by frame %d: returns to 0x%llx in %s", k + 1, (unsigned long long)f[k + 1].pc, sym);
		if (f[k + 1].fp)
			printf(" (saved LR in the frame record at 0x%llx: {fp 0x%llx, lr 0x%llx})\n",
			       (unsigned long long)f[k + 1].fp, (unsigned long long)f[k + 1].rec[0],
			       (unsigned long long)f[k + 1].rec[1]);
		else
			printf(" (still in LR: this function has not saved it)\n");
	} else {
		printf(" outermost frame%s%s\n", why[0] ? " " : "", why);
	}
	if (k > 0)
		printf(" caller of frame %d\n", k - 1);
	if (k == 0) {
		uint64_t sp = 0, fp = 0;
		machine_get_sp(r->m, r->cur, &sp);
		machine_get_reg(r->m, r->cur, HV_REG_FP, &fp);
		printf(" sp 0x%llx, x29 (frame pointer) 0x%llx\n", (unsigned long long)sp, (unsigned long long)fp);
	}
	return 0;
}
