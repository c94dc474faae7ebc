/*
 * machine.h - the default board and the run control for debuggers.
 *
 * A machine is one VM (hv_vm_create) with RAM, a PL011 UART, PSCI over
 * HVC, the virtual timer wired to IRQ, and N vCPUs, each on its own
 * thread (Hypervisor.framework binds a vCPU to its creating thread).
 * Everything goes through <Hypervisor/Hypervisor.h>, so it runs on every
 * backend.  See docs/machine.md.
 *
 * Threading: the machine_* functions are meant to be called from one
 * debugger thread (REPL or RSP server).  Only machine_interrupt() and
 * machine_stop_fd() may be used from another thread; none of them is
 * async-signal-safe (from a SIGINT handler, write to a pipe and call
 * machine_interrupt() from a thread).
 *
 * Run model: all-stop.  machine_resume() starts the vCPUs; the first
 * stop event of any vCPU (breakpoint, watchpoint, step done, guest exit,
 * unhandled exit, interrupt) stops all the others; machine_wait() returns
 * that event.  Register, memory and breakpoint calls need the machine
 * stopped (they return MACHINE_ERR_RUNNING otherwise).
 *
 * Return values: 0 on success, a negative MACHINE_ERR_* code otherwise;
 * machine_strerror() names it; calls taking err/errlen also write a
 * message there.
 */
#ifndef HVDBG_MACHINE_H
#define HVDBG_MACHINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <Hypervisor/Hypervisor.h>

#include "../elf/elf_image.h"

#define MACHINE_MAX_VCPUS 64
#define MACHINE_MAX_HW_SLOTS 16

enum {
	MACHINE_OK = 0,
	MACHINE_ERR_ARG = -1,      /* bad argument (vCPU index, register, ...) */
	MACHINE_ERR_RUNNING = -2,  /* the machine must be stopped */
	MACHINE_ERR_HV = -3,       /* a hv_* call failed */
	MACHINE_ERR_FAULT = -4,    /* memory: no translation or outside RAM */
	MACHINE_ERR_NOSLOT = -5,   /* no free hardware breakpoint/watchpoint slot */
	MACHINE_ERR_EXISTS = -6,   /* breakpoint already there / not found */
	MACHINE_ERR_OFF = -7,      /* the vCPU is powered off (PSCI) */
	MACHINE_ERR_EXITED = -8,   /* the guest has ended (SYSTEM_OFF/RESET) */
	MACHINE_ERR_TIMEOUT = -9,  /* machine_wait timed out (still running) */
	MACHINE_ERR_NOMEM = -10,
	MACHINE_ERR_UNSUPPORTED = -11, /* e.g. a watchpoint length the hardware cannot express */
};
const char *machine_strerror(int err);

/* ---------------------------------------------------------------- board */

struct machine_opts {
	uint64_t ram_base;  /* default 0x40000000 */
	uint64_t ram_size;  /* default 128 MiB; multiple of the host page size */
	unsigned ncpus;     /* vCPUs (1..MACHINE_MAX_VCPUS), default 1; vCPU 0 boots */
	uint64_t uart_base; /* PL011, default 0x09000000 (4 KiB) */
	/* UART transmit: called on the vCPU's thread for each chunk written
	 * to UARTDR; NULL = write to stdout. */
	void (*uart_out)(void *ctx, const char *buf, size_t len);
	void *uart_ctx;
	bool psci_smc;         /* SMC is a PSCI conduit too (default false: SMC -> UNDEF in the guest) */
	bool protect_segments; /* hv_vm_protect ELF segments with their R/W/X flags (default true) */
	bool step_irqs;        /* inject pending IRQs while single-stepping (default false, as HVF's NOIRQ) */
	/* The watchpoint stop comes after the access: the controller steps
	 * over the access itself (REPL style).  Default false: stop before the
	 * access, PC at the accessing instruction (gdb RSP style, gdb steps). */
	bool watch_stop_after;
	/* A GICv3 through hv_gic_* (distributor, redistributors, MSI frame at
	 * the MACHINE_GIC* addresses), the timers as its PPIs and the UART's
	 * interrupt as SPI MACHINE_UART_INTID: the machine Linux boots on.
	 * Default false: the minimal CPU interface for the vtimer alone. */
	bool gic;
	/* The guest starts at EL2 (hv_vm_config_set_el2_enabled; emu): a
	 * hypervisor of its own.  PSCI then goes through SMC (the guest's EL2
	 * owns HVC) and the device tree says so. */
	bool el2;
};

/* The GIC machine's layout: QEMU virt's (hw/arm/virt.c), so device trees
 * and habits carry over. */
#define MACHINE_GICD_BASE 0x08000000ull
#define MACHINE_GIC_MSI_BASE 0x08020000ull
#define MACHINE_GICR_BASE 0x080a0000ull
#define MACHINE_GIC_END (MACHINE_GICR_BASE + 0x20000ull * MACHINE_MAX_VCPUS)
#define MACHINE_UART_INTID 33u      /* SPI 1, level */
#define MACHINE_MSI_INTID_BASE 80u
#define MACHINE_MSI_COUNT 64u
void machine_opts_default(struct machine_opts *o);
/* Parses "128M", "1G@0x80000000", "0x100000@0x40000000" (K/M/G suffixes). */
int machine_parse_ram(const char *spec, uint64_t *size, uint64_t *base);

struct machine;

/* Creates the VM, maps RAM, starts the vCPU threads (each creates its
 * vCPU; all stopped: vCPU 0 ready to run at PC 0 until an image is
 * loaded, the others powered off until PSCI CPU_ON).  One machine per
 * process (one VM per process in Hypervisor.framework). */
struct machine *machine_create(const struct machine_opts *o, char *err, size_t errlen);
/* Stops everything, joins the threads, destroys the vCPUs and the VM. */
void machine_destroy(struct machine *m);

/* Loads an ELF (see src/elf/elf_image.h; dyn_base for ET_DYN) into RAM,
 * applies segment permissions, and resets vCPU 0 to the boot state:
 * PC = entry, x0 = 0, CPSR = EL1h with DAIF masked, SP_EL1 = top of RAM.
 * The machine keeps the image (machine_image) for symbols. */
int machine_load_elf(struct machine *m, const char *path, uint64_t dyn_base, char *err,
		     size_t errlen);
/* Starts the guest over: registers reset (secondaries off), RAM
 * cleared, GIC reset, exit counters zeroed, the ELF (or the kernel,
 * initrd and device tree of machine_load_linux) loaded again; for an ELF
 * the image pointer changes (machine_image), a kernel's symbols stay. */
int machine_restart(struct machine *m, char *err, size_t errlen);
/* Copies a flat binary at IPA addr and resets vCPU 0 with PC = entry. */
int machine_load_flat(struct machine *m, const void *data, size_t len, uint64_t addr,
		      uint64_t entry, char *err, size_t errlen);
/* Boots Linux (GIC machine only): see linux_boot.c and docs/machine.md. */
struct machine_linux {
	const char *kernel;  /* Image or Image.gz */
	const char *initrd;  /* NULL: none */
	const char *cmdline; /* NULL: "console=ttyAMA0" */
	const char *dtb;     /* NULL: generate one; else this file, /chosen filled in */
	bool kaslr;          /* false: " nokaslr" is appended to the command line */
};
int machine_load_linux(struct machine *m, const struct machine_linux *l, char *err, size_t errlen);
/* The device tree given to the kernel (NULL before machine_load_linux). */
const void *machine_dtb(const struct machine *m, size_t *size);
const struct elf_image *machine_image(const struct machine *m);
/* Replaces the symbols (e.g. a kernel's System.map); the machine owns img. */
void machine_set_image(struct machine *m, struct elf_image *img);
uint8_t *machine_ram(const struct machine *m);
uint64_t machine_ram_base(const struct machine *m);
uint64_t machine_ram_size(const struct machine *m);
unsigned machine_ncpus(const struct machine *m);
/* The PL011's MMIO range [base, base + size) (the board's only device). */
uint64_t machine_uart_base(const struct machine *m);
uint64_t machine_uart_size(const struct machine *m);
/* UART receive: bytes the guest reads from UARTDR (FR.RXFE clear while
 * some remain).  Thread-safe. */
void machine_uart_input(struct machine *m, const void *buf, size_t len);

/* ---------------------------------------------------------- run control */

enum machine_stop_reason {
	STOP_NONE = 0,        /* stopped because another vCPU stopped (all-stop), or not run */
	STOP_BREAKPOINT,      /* software breakpoint (BRK #0 we inserted); pc = its address */
	STOP_HW_BREAKPOINT,   /* hardware breakpoint; pc = its address */
	STOP_WATCHPOINT,      /* data_addr, watch_kind, pc = accessing instruction */
	STOP_STEP,            /* single step done */
	STOP_INTERRUPT,       /* machine_interrupt() (gdb Ctrl-C: T02 / SIGINT) */
	STOP_GUEST_EXIT,      /* PSCI SYSTEM_OFF or SYSTEM_RESET: the run is over */
	STOP_UNHANDLED,       /* an exit the board cannot handle: esr/far/ipa tell why */
	STOP_ERROR,           /* a hv_* call failed (hv_error) */
};

enum machine_watch_kind { WATCH_WRITE = 1, WATCH_READ = 2, WATCH_ACCESS = 3 };

struct machine_stop {
	enum machine_stop_reason reason;
	unsigned vcpu;       /* which vCPU */
	uint64_t pc;         /* PC at the stop */
	/* STOP_WATCHPOINT */
	uint64_t data_addr;  /* the watched address hit (FAR matched to the armed slot) */
	uint64_t far;        /* raw FAR of the exit */
	enum machine_watch_kind watch_kind; /* kind of the slot that fired */
	bool access_is_write;               /* from ESR.WnR */
	uint64_t watch_pc;   /* accessing instruction (== pc unless watch_stop_after) */
	int hw_slot;         /* slot of the hw breakpoint/watchpoint, else -1 */
	/* STOP_GUEST_EXIT */
	bool reset;          /* SYSTEM_RESET rather than SYSTEM_OFF */
	/* STOP_UNHANDLED (and the raw exit of any exception stop) */
	uint64_t esr, far_raw, ipa;
	hv_exit_reason_t exit_reason;
	hv_return_t hv_error; /* STOP_ERROR */
};

enum machine_run_action { RUN_STAY = 0, RUN_CONT, RUN_STEP };

/* Resumes: action[i] for vCPU i (NULL = RUN_CONT for all).  Powered-off
 * vCPUs ignore the action.  Breakpoints are inserted, and a vCPU is first
 * stepped over (the others held; a RUN_STEP there is just that step):
 *  - a breakpoint at its PC if its last reported stop was at this PC (gdb:
 *    pc == stop_pc), or if its action is RUN_STEP.  So from the boot state
 *    (or after the PC was set by hand) a continue reports the breakpoint
 *    at the PC at once, as gdb's `run` does;
 *  - the instruction that hit a watchpoint before its access
 *    (watch_pc == PC; not in watch_stop_after mode, where the access is
 *    already done). */
int machine_resume(struct machine *m, const enum machine_run_action *action);
/* Shorthands: all vCPUs continue / one vCPU steps (others stay, or
 * continue if others_run) - then wait.  Return the stop as machine_wait. */
int machine_cont(struct machine *m, struct machine_stop *st, int timeout_ms);
int machine_stepi(struct machine *m, unsigned vcpu, bool others_run, struct machine_stop *st);
/* Steps vCPU vcpu (alone) while its pc stays in [lo, hi), at most max
 * instructions, without a round trip to the caller per instruction (the
 * REPL's step/next over a line); with stop_at_calls it also stops with
 * the pc at a call (BL, BLR, BLRA*) so the caller can step over it.
 * The stop is STOP_STEP when the range was left, max reached or a call
 * met; any other event (breakpoint, exit, Ctrl-C) as for stepi.
 * *steps gets the instructions executed. */
int machine_step_range(struct machine *m, unsigned vcpu, uint64_t lo, uint64_t hi, uint64_t max,
		       bool stop_at_calls, struct machine_stop *st, uint64_t *steps);
/* A64 calls: BL, BLR, BLRAA/BLRAB/BLRAAZ/BLRABZ. */
bool machine_insn_is_call(uint32_t insn);
/* Waits for the all-stop after machine_resume: fills *st with the first
 * event (timeout_ms < 0 = forever).  MACHINE_ERR_TIMEOUT if still running. */
int machine_wait(struct machine *m, struct machine_stop *st, int timeout_ms);
/* Thread-safe: stops a running machine (STOP_INTERRUPT).  Asked while
 * it is stopped (or stepping over a breakpoint), the interrupt waits for
 * the next resume, which then stops at once: a Ctrl-C typed just before
 * the guest starts is not lost.  machine_interrupt_discard forgets it
 * (a debugger calls it when a new command starts). */
void machine_interrupt(struct machine *m);
void machine_interrupt_discard(struct machine *m);
/* A file descriptor readable while a stop is ready for machine_wait (for
 * poll/select next to a socket).  Owned by the machine. */
int machine_stop_fd(const struct machine *m);
bool machine_running(const struct machine *m);
/* Switches the watchpoint stop mode (struct machine_opts.watch_stop_after)
 * while stopped, e.g. the REPL serving gdb.  MACHINE_ERR_RUNNING otherwise. */
int machine_set_watch_stop_after(struct machine *m, bool after);
bool machine_watch_stop_after(const struct machine *m);
bool machine_exited(const struct machine *m); /* SYSTEM_OFF/RESET happened */

enum machine_vcpu_state { VCPU_OFF, VCPU_STOPPED, VCPU_RUNNING };
enum machine_vcpu_state machine_vcpu_state(const struct machine *m, unsigned vcpu);
/* The last stop of vCPU i (reason STOP_NONE if it was stopped by
 * another's event), and its last raw exit (for `explain`). */
int machine_vcpu_last_stop(const struct machine *m, unsigned vcpu, struct machine_stop *st);
int machine_vcpu_last_exit(const struct machine *m, unsigned vcpu, hv_vcpu_exit_t *ex);
/* Exit counters per vCPU, for `info exits`. */
struct machine_exit_stats {
	uint64_t total, hvc, smc, mmio, wfi, sysreg, vtimer, canceled, debug, other;
};
int machine_vcpu_stats(const struct machine *m, unsigned vcpu, struct machine_exit_stats *s);

/* ---------------------------------------------- registers (machine stopped) */

/* Executed on the vCPU's own thread.  get/set of HV_REG_* (x0-x30, pc,
 * fpcr, fpsr, cpsr), of Q registers, and of any hv_sys_reg_t (the guest's
 * view of MDSCR_EL1 and the DBG* registers even while the debugger owns
 * the hardware ones). */
int machine_get_reg(struct machine *m, unsigned vcpu, hv_reg_t r, uint64_t *v);
int machine_set_reg(struct machine *m, unsigned vcpu, hv_reg_t r, uint64_t v);
int machine_get_simd(struct machine *m, unsigned vcpu, unsigned q, uint8_t out[16]);
int machine_set_simd(struct machine *m, unsigned vcpu, unsigned q, const uint8_t in[16]);
int machine_get_sys_reg(struct machine *m, unsigned vcpu, hv_sys_reg_t r, uint64_t *v);
int machine_set_sys_reg(struct machine *m, unsigned vcpu, hv_sys_reg_t r, uint64_t v);
/* The guest's counter now: frequency (CNTFRQ_EL0), CNTVCT_EL0 and the
 * virtual offset (hv_vcpu_get_vtimer_offset) of vcpu. */
int machine_timer_now(struct machine *m, unsigned vcpu, uint64_t *frq, uint64_t *cntvct,
		      uint64_t *cntvoff);
/* SP of the current exception level (SP_EL0 or SP_EL1 per CPSR). */
int machine_get_sp(struct machine *m, unsigned vcpu, uint64_t *v);
int machine_set_sp(struct machine *m, unsigned vcpu, uint64_t v);
/* Batch: x0..x30, sp, pc, cpsr (gdb's 34 core registers; cpsr zero-extended). */
int machine_get_core_regs(struct machine *m, unsigned vcpu, uint64_t regs[34]);

/* ------------------------------------------ memory (machine stopped) */

/* By guest virtual address of vcpu (stage-1 walk when SCTLR_EL1.M = 1,
 * else VA = IPA), then IPA -> RAM.  Only RAM is accessible (no MMIO
 * side effects).  Returns the number of bytes done before the first
 * fault (== len on success) - a short count is not an error for gdb's
 * 'm'; -errno style negative MACHINE_ERR_* only for bad arguments. */
long machine_read_virt(struct machine *m, unsigned vcpu, uint64_t va, void *buf, size_t len);
long machine_write_virt(struct machine *m, unsigned vcpu, uint64_t va, const void *buf, size_t len);
/* By IPA (RAM only). */
long machine_read_phys(struct machine *m, uint64_t ipa, void *buf, size_t len);
/* A read of guest RAM while the guest runs (continue &): a snapshot the
 * guest may be changing under it; RAM only (no MMIO, no translation). */
long machine_read_phys_live(struct machine *m, uint64_t ipa, void *buf, size_t len);
/* Keeps vcpu's translation registers (stopped) for machine_read_virt_live,
 * which reads by VA while the guest runs, translating as at that stop. */
int machine_snapshot_translation(struct machine *m, unsigned vcpu);
long machine_read_virt_live(struct machine *m, unsigned vcpu, uint64_t va, void *buf, size_t len);
long machine_write_phys(struct machine *m, uint64_t ipa, const void *buf, size_t len);
/* VA -> IPA of vcpu (the VM's address: with an EL2 guest's stage 2, its
 * output); access permission not checked. */
int machine_translate(struct machine *m, unsigned vcpu, uint64_t va, uint64_t *ipa);

/* Stage-1 walk with every level reported (REPL `pagewalk`); see pagewalk.h. */
struct pagewalk_result;
struct pagewalk_s2_result;
int machine_pagewalk(struct machine *m, unsigned vcpu, uint64_t va, struct pagewalk_result *r);
/* The same for EL2 guests: *el2 if it was EL2's own stage 1, *two_stage
 * if the guest hypervisor's stage 2 followed (its walk in *s2). */
int machine_pagewalk2(struct machine *m, unsigned vcpu, uint64_t va, struct pagewalk_result *r,
		      struct pagewalk_s2_result *s2, bool *two_stage, bool *el2);

/* --------------------------------------- breakpoints (machine stopped) */

/* Software: BRK #0 written over the instruction while running (memory
 * reads show the original word).  addr is a guest VA of vCPU 0's
 * translation regime at insertion time (the IPA is recorded). */
int machine_bp_insert(struct machine *m, uint64_t addr);
int machine_bp_remove(struct machine *m, uint64_t addr);
/* Hardware breakpoints / watchpoints, the same on every vCPU.
 * Counts come from ID_AA64DFR0_EL1 (BRPs+1, WRPs+1). */
unsigned machine_hw_bp_count(const struct machine *m);
unsigned machine_hw_wp_count(const struct machine *m);
int machine_hwbp_insert(struct machine *m, uint64_t addr);
int machine_hwbp_remove(struct machine *m, uint64_t addr);
/* len 1..8 within one aligned doubleword (BAS), or a power of two >= 8
 * with addr aligned to it (MASK, up to 2 GiB); anything else
 * MACHINE_ERR_UNSUPPORTED. */
int machine_wp_insert(struct machine *m, uint64_t addr, uint64_t len, enum machine_watch_kind k);
int machine_wp_remove(struct machine *m, uint64_t addr, uint64_t len, enum machine_watch_kind k);
/* Removes every breakpoint and watchpoint (gdb '?' on connect, 'D'). */
void machine_debug_clear(struct machine *m);

/* ------------------------------------------- GIC state (machine stopped) */

bool machine_has_gic(const struct machine *m);
/* The guest has an EL2 of its own (machine_opts.el2). */
bool machine_has_el2(const struct machine *m);
struct machine_gic_irq {
	uint32_t intid;
	bool enabled, pending, active, group1, edge;
	uint8_t priority;
	uint64_t route; /* GICD_IROUTER (SPIs) */
};
/* Interrupts of vcpu's view (its SGIs/PPIs, then the SPIs) that are
 * enabled, pending or active (all: also disabled ones with a priority
 * set).  MACHINE_ERR_UNSUPPORTED without a GIC. */
int machine_gic_irqs(struct machine *m, unsigned vcpu, bool all, struct machine_gic_irq *out,
		     size_t max, size_t *n);
struct machine_gic_cpu {
	uint64_t pmr, rpr, igrpen1, ctlr, ap1r0;
};
int machine_gic_cpu_state(struct machine *m, unsigned vcpu, struct machine_gic_cpu *s);
int machine_gic_dist_ctlr(struct machine *m, uint64_t *ctlr);
/* EL2 guests: the virtual CPU interface its hypervisor programs. */
#define MACHINE_GIC_MAX_LRS 16
struct machine_gic_vif {
	uint64_t hcr, vmcr, misr, elrsr;
	unsigned nlrs;
	uint64_t lr[MACHINE_GIC_MAX_LRS];
};
int machine_gic_vif_state(struct machine *m, unsigned vcpu, struct machine_gic_vif *s);

/* -------------------------------------------------------- explain */

/* Decodes an ESR_EL2 value in words: "EC 0x24 data abort from a lower EL:
 * write of 4 bytes from x1, translation fault level 3 ...".  Returns buf. */
const char *machine_explain_esr(uint64_t esr, char *buf, size_t len);
/* The same for the guest's own ESR_EL1 (an exception the guest took at
 * EL1): its aborts are stage-1 faults of the guest's page tables. */
const char *machine_explain_esr_el1(uint64_t esr, char *buf, size_t len);
/* Either, with the instruction the syndrome belongs to when known (the
 * PC of an abort exit, ELR_EL1): why a data abort has no instruction
 * syndrome, named from its encoding. */
const char *machine_explain_esr_insn(uint64_t esr, bool el1, uint32_t insn, char *buf, size_t len);

#endif /* HVDBG_MACHINE_H */
