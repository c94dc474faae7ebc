/*
 * repl_internal.h - the contract between the REPL's files: session state,
 * the command table, and the helpers each command group exports.
 *
 *   repl.c        main loop, input sources (-ex, -x, terminal), Ctrl-C
 *   line.c        libedit line editing, history, tab completion
 *   commands.c    command table, dispatch (unique prefixes), help
 *   expr.c        address/value expressions ($reg, sym+off, *addr, arithmetic)
 *   regs.c        register names, info registers, set
 *   disas.c       capstone wrapper, disassemble, call detection
 *   mem.c         x/FMT, print
 *   breakpoints.c break/tbreak/hbreak/watch..., delete/disable/enable
 *   run.c         continue, stepi, nexti, step/next, finish, until, trace
 *   stop.c        what a stop looks like (location, instruction, changes)
 *   info.c        info *, vcpus, explain, pagewalk, gdbserver
 *   frames.c      backtrace, frame/up/down, info frame
 *   bp_actions.c  breakpoint conditions, ignore counts, commands
 *   display.c     display/undisplay
 *   source.c      source files: list, the line at each stop
 *   simd_view.c   FP/SIMD register views and lanes
 *   sysreg_fields.c  info sysreg: system register fields
 *   hw.c          info gic, info timer, send
 */
#ifndef HVDBG_REPL_INTERNAL_H
#define HVDBG_REPL_INTERNAL_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "../console/console.h"
#include "../machine/machine.h"
#include "repl.h"

#define REPL_MAX_BP 128
#define REPL_NREGS 34 /* x0..x30, sp, pc, cpsr: machine_get_core_regs */
#define REG_SP 31
#define REG_PC 32
#define REG_CPSR 33

enum bp_type { BP_SW, BP_HW, BP_WATCH };

struct repl_bp {
	int num;
	enum bp_type type;
	bool enabled, temp;
	uint64_t addr, len;            /* len: watchpoints only */
	enum machine_watch_kind kind;  /* watchpoints only */
	unsigned hits;
	char where[96];                /* what the user typed, for info breakpoints */
	uint64_t old_val;              /* watchpoints (len <= 8): value at the last stop */
	bool old_valid;
	char cond[128];                /* stop only if this expression is non-zero ("" = always) */
	unsigned ignore;               /* hits still to pass over */
	char cmds[1024];               /* commands run at a stop here, one per line */
};

struct repl {
	struct machine *m;
	const struct elf_image *img;
	unsigned cur;          /* selected vCPU */
	bool color;
	bool interactive;      /* reading a terminal through libedit */
	bool quit;
	int errors;            /* commands that failed (batch exit status) */
	struct repl_bp bp[REPL_MAX_BP];
	int nbp, next_bp;
	/* Core registers at the previous and the latest stop, per vCPU, so
	 * stops and `info registers` can highlight what changed. */
	uint64_t prev[MACHINE_MAX_VCPUS][REPL_NREGS];
	uint64_t now[MACHINE_MAX_VCPUS][REPL_NREGS];
	bool have_now[MACHINE_MAX_VCPUS];
	/* x/FMT state: the next address and the last format */
	char x_fmt;
	unsigned x_size, x_count;
	uint64_t x_next;
	bool x_valid, x_back, x_phys;
	uint64_t disas_next;   /* disassemble with no argument after the last one */
	bool disas_valid;
	unsigned value_num;    /* print's $N */
	bool trace;
	int gdb_port;
	struct console *console; /* the guest's UART on the terminal while it runs */
	/* `commands N` collects the lines up to `end` (bp_actions.c) */
	int capture_bp;
	char capture[1024];
	/* a stop's breakpoint commands, run once the command that stopped ends */
	char pending_cmds[1024];
	bool in_bp_cmds;
	unsigned long resumes; /* the guest was resumed (a command list stops after one) */
	bool bg;               /* continue &: running while the prompt takes commands */
	char print_label[200];   /* print says this instead of "$N" (displays) */
	struct repl_display {
		int num;
		char fmt[16];    /* "" or the /FMT */
		char expr[160];
		bool examine;    /* /i, /s or a count: shown as x/FMT EXPR */
	} displays[16];
	int ndisplays, next_display;
	int frame;               /* the selected stack frame (0 at each stop) */
	const char *list_file;   /* list: the file, the first line shown, the next one */
	unsigned list_first, list_next;
};

/* Set by the SIGINT handler (Ctrl-C): long loops (trace, step by line)
 * poll it; a thread also calls machine_interrupt for a running guest. */
extern volatile sig_atomic_t repl_sigint;

/* ---- output helpers (repl.c) ---- */
/* Prints an error for the user and counts it; returns -1. */
int repl_err(struct repl *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* ANSI color around s when the session has color. */
const char *repl_hl_on(const struct repl *r);
const char *repl_hl_off(const struct repl *r);
/* Runs one command line (no repeat logic). */
int repl_exec_line(struct repl *r, const char *line);

/* ---- commands.c ---- */
typedef int (*repl_cmd_fn)(struct repl *r, const char *fmt, char *args);
struct repl_cmd {
	const char *name;
	const char *aliases;   /* space-separated, NULL if none */
	repl_cmd_fn fn;
	bool repeat;           /* Enter repeats it */
	const char *usage;
	const char *help;
};
const struct repl_cmd *repl_cmd_find(const char *word, bool *ambiguous);
const struct repl_cmd *repl_cmd_table(size_t *n);
/* info subcommand names for completion. */
extern const char *const repl_info_subcmds[];

/* ---- expr.c ---- */
/* Evaluates an expression; 0 or -1 with a message in err. */
int expr_eval(struct repl *r, const char *s, uint64_t *val, char *err, size_t errlen);
/* A location for break/until: "sym", "sym+off", "*expr", "file:line",
 * "0x...", "$reg". */
int expr_location(struct repl *r, const char *s, uint64_t *addr, char *err, size_t errlen);
/* Skips spaces. */
char *skip_ws(char *s);
/* Strips trailing spaces in place. */
void rstrip(char *s);

/* ---- regs.c ---- */
enum reg_class { RC_CORE, RC_W, RC_SIMD, RC_SYS, RC_FPSR, RC_FPCR, RC_SP_EL };
struct reg_desc {
	const char *name;
	enum reg_class cls;
	unsigned idx;          /* core index, SIMD q number, or hv_sys_reg_t */
	unsigned size;         /* RC_SIMD: the view's bytes: b 1, h 2, s 4, d 8, q/v 16 */
};
/* Finds a register by name (without '$'; case-insensitive; aliases fp,
 * lr, ip0/1, w0..w30; v/q0..31 and their scalar views d/s/h/b0..31,
 * which read and write the low bytes; q/v give their low 64 bits). */
bool reg_lookup(const char *name, struct reg_desc *d);
int reg_read(struct repl *r, const struct reg_desc *d, uint64_t *v);
int reg_write(struct repl *r, const struct reg_desc *d, uint64_t v);
/* Register names for completion: calls fn with each; stops if it returns non-zero. */
void reg_names(int (*fn)(void *ctx, const char *name), void *ctx);
/* Refreshes now[]/prev[] of vCPU i after a stop. */
void regs_snapshot(struct repl *r, unsigned vcpu);
/* Core register i (0..33) name. */
const char *reg_core_name(unsigned i);
int cmd_info_registers(struct repl *r, char *args);
int cmd_set(struct repl *r, const char *fmt, char *args);

/* ---- simd_view.c ---- */
/* "1.5" for an FP scalar view (h/s/d) of q's low bytes. */
void simd_scalar_text(const uint8_t q[16], unsigned size, char *buf, size_t len);
/* "{f = {1, 2.5}, u = {0x3f800000, 0x40200000}}" style lanes of a q
 * register: lanes "4s" "2d" "8h" "16b" (NULL: s and d float views). */
int simd_lanes_text(const uint8_t q[16], const char *lanes, char fmt, char *buf, size_t len);
/* print $vN.LANES / $qN / $sN...: handled (1), not a SIMD view (0), error (-1). */
int simd_print(struct repl *r, const char *expr, char fmt, const char *head);

/* ---- disas.c ---- */
bool disas_init(void);
void disas_fini(void);
/* One instruction at addr: text "mov\tx0, #1" (with <sym> for branch
 * targets) into buf; returns false if it cannot be decoded. */
bool disas_one(struct repl *r, uint64_t addr, uint32_t insn, char *buf, size_t len);
/* Prints n instructions from addr (=> at pc, * at breakpoints). */
void disas_print(struct repl *r, uint64_t addr, unsigned n);
int cmd_disassemble(struct repl *r, const char *fmt, char *args);

/* ---- mem.c ---- */
/* A float of size 2, 4 or 8 bytes as gdb prints it (round-trip exact). */
void repl_format_float(uint64_t bits, unsigned size, char *buf, size_t len);
int cmd_x(struct repl *r, const char *fmt, char *args);
int cmd_xp(struct repl *r, const char *fmt, char *args);
int cmd_print(struct repl *r, const char *fmt, char *args);

/* ---- breakpoints.c ---- */
int cmd_break(struct repl *r, const char *fmt, char *args);
int cmd_tbreak(struct repl *r, const char *fmt, char *args);
int cmd_hbreak(struct repl *r, const char *fmt, char *args);
int cmd_watch(struct repl *r, const char *fmt, char *args);
int cmd_rwatch(struct repl *r, const char *fmt, char *args);
int cmd_awatch(struct repl *r, const char *fmt, char *args);
int cmd_delete(struct repl *r, const char *fmt, char *args);
int cmd_disable(struct repl *r, const char *fmt, char *args);
int cmd_enable(struct repl *r, const char *fmt, char *args);
int cmd_info_breakpoints(struct repl *r);
/* The enabled code breakpoint at addr, or NULL. */
struct repl_bp *bp_at(struct repl *r, uint64_t addr);
/* The enabled watchpoint that fired: covering addr, of kind kind if one
 * is (else any covering addr, else any enabled one), or NULL. */
struct repl_bp *wp_for(struct repl *r, uint64_t addr, enum machine_watch_kind kind);
void bp_delete(struct repl *r, struct repl_bp *b);
/* Arms every enabled entry again (after machine_debug_clear). */
void bp_rearm_all(struct repl *r);
/* Reads a watchpoint's value (len <= 8). */
bool wp_read(struct repl *r, const struct repl_bp *b, uint64_t *v);

/* ---- bp_actions.c ---- */
/* At a stop on b: stop for the user (true), or pass over it (condition
 * false, or an ignore count left: counted as a hit). */
bool bp_decide(struct repl *r, struct repl_bp *b);
/* Splits " if EXPR" off a location into b->cond (checked to parse). */
int bp_take_condition(struct repl *r, char *args, char *cond, size_t len);
int cmd_condition(struct repl *r, const char *fmt, char *args);
int cmd_ignore(struct repl *r, const char *fmt, char *args);
int cmd_commands(struct repl *r, const char *fmt, char *args);
/* While `commands` collects: takes the line (true), "end" finishes. */
bool bp_capture_line(struct repl *r, const char *line);
/* Queues b's commands to run after the current command (stop_show). */
void bp_queue_commands(struct repl *r, const struct repl_bp *b);
/* Runs queued breakpoint commands (and those their stops queue). */
void bp_run_queued(struct repl *r);
/* For bp_actions.c: the entry numbered num, or NULL. */
struct repl_bp *bp_by_num(struct repl *r, int num);

/* ---- source.c ---- */
int cmd_list(struct repl *r, const char *fmt, char *args);
/* Line `line` of a source file (the line table's name), or NULL. */
const char *source_line(const struct repl *r, const char *file, unsigned line);
/* "NN<tab>text" of pc's source line when the file is found; sets list's default. */
void source_show_at(struct repl *r, uint64_t pc);
void source_forget(void);

/* ---- display.c ---- */
int cmd_display(struct repl *r, const char *fmt, char *args);
int cmd_undisplay(struct repl *r, const char *fmt, char *args);
int info_display(struct repl *r);
/* Shows every display (at a stop). */
void display_all(struct repl *r);

/* ---- run.c ---- */
int cmd_continue(struct repl *r, const char *fmt, char *args);
int cmd_run(struct repl *r, const char *fmt, char *args);
int cmd_reset(struct repl *r, const char *fmt, char *args);
int cmd_stepi(struct repl *r, const char *fmt, char *args);
int cmd_nexti(struct repl *r, const char *fmt, char *args);
int cmd_step(struct repl *r, const char *fmt, char *args);
int cmd_next(struct repl *r, const char *fmt, char *args);
int cmd_finish(struct repl *r, const char *fmt, char *args);
int cmd_until(struct repl *r, const char *fmt, char *args);
int cmd_advance(struct repl *r, const char *fmt, char *args);
int cmd_trace(struct repl *r, const char *fmt, char *args);
int cmd_interrupt(struct repl *r, const char *fmt, char *args);
/* continue &'s stop, once the machine has stopped: true with the stop to
 * show, false if none or it went on past a breakpoint whose condition or
 * ignore count says so.  bg_stopped shows it. */
bool bg_take_stop(struct repl *r, struct machine_stop *st);
void bg_stopped(struct repl *r);
/* Return address of the current function (LR or the frame record). */
int frame_return_addr(struct repl *r, uint64_t *ret);

/* ---- stop.c ---- */
/* Handles a stop (breakpoint bookkeeping, vCPU switch) and shows it. */
void stop_show(struct repl *r, const struct machine_stop *st);
/* "=> 0x40000070 <func_a>:  mov x0, #1" for vCPU cur's pc. */
void stop_show_location(struct repl *r, uint64_t pc, bool arrow);
/* Prints the registers that changed since the previous stop; returns how many. */
int stop_show_changes(struct repl *r, unsigned vcpu, const char *prefix);
const char *stop_reason_name(enum machine_stop_reason why);

/* ---- info.c ---- */
int cmd_info(struct repl *r, const char *fmt, char *args);
/* ---- frames.c ---- */
int cmd_backtrace(struct repl *r, const char *fmt, char *args);
int cmd_frame(struct repl *r, const char *fmt, char *args);
int cmd_up(struct repl *r, const char *fmt, char *args);
int cmd_down(struct repl *r, const char *fmt, char *args);
int info_frame(struct repl *r);
/* The pc of the selected frame (frame N's return address). */
uint64_t frame_selected_pc(struct repl *r);
int cmd_vcpu(struct repl *r, const char *fmt, char *args);
int cmd_explain(struct repl *r, const char *fmt, char *args);
int cmd_pagewalk(struct repl *r, const char *fmt, char *args);
int cmd_gdbserver(struct repl *r, const char *fmt, char *args);
/* ---- sysreg_fields.c ---- */
int info_sysreg(struct repl *r, char *args);
/* ---- hw.c ---- */
int info_gic(struct repl *r, char *args);
int info_timer(struct repl *r, char *args);
int cmd_send(struct repl *r, const char *fmt, char *args);

/* ---- line.c ---- */
void line_init(struct repl *r, const char *history_path);
/* Reads a line (malloc'd, NULL at EOF). */
char *line_read(const char *prompt);
/* The prompt's line (malloc'd), or NULL with why: EOF, Ctrl-C (intr_fd,
 * written by the SIGINT handler, became readable: the line is dropped),
 * or the guest running in the background stopped (stop_fd, the
 * machine's stop pipe; -1 when none runs). */
enum line_end { LINE_OK, LINE_EOF, LINE_INTERRUPTED, LINE_STOPPED };
char *line_read_poll(const char *prompt, int stop_fd, int intr_fd, enum line_end *end);
/* Takes the prompt of line_read_poll off the screen (before output). */
void line_release_prompt(void);
void line_add_history(const char *line);
void line_fini(void);

#endif /* HVDBG_REPL_INTERNAL_H */
