/*
 * machine_internal.h - state shared by machine.c (board, devices, PSCI),
 * run_control.c (vCPU threads, all-stop) and debug_ctl.c (breakpoints,
 * watchpoints, stepping, memory).
 *
 * Locking: one mutex m->lock guards every field below except where noted.
 * A vCPU thread runs hv_vcpu_run without it.  The debugger thread asks a
 * vCPU thread to execute a function (vcpu_call) and waits for it.
 */
#ifndef HVDBG_MACHINE_INTERNAL_H
#define HVDBG_MACHINE_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>

#include "machine.h"
#include "pagewalk.h"
#include "pl011.h"

#define BRK0_INSN 0xd4200000u

/* ESR classes the board handles. */
#define EC_UNKNOWN 0x00
#define EC_WFX 0x01
#define EC_HVC64 0x16
#define EC_SMC64 0x17
#define EC_SYSREG 0x18
#define EC_IABT_LOWER 0x20
#define EC_DABT_LOWER 0x24
#define EC_BKPT_LOWER 0x30
#define EC_SSTEP_LOWER 0x32
#define EC_WATCH_LOWER 0x34
#define EC_BRK64 0x3c

#define MDSCR_SS (1ull << 0)
#define MDSCR_MDE (1ull << 15)
#define CPSR_SS (1ull << 21)

struct mvcpu;

/* A function run on a vCPU's thread (vcpu_call). */
struct vcpu_cmd {
	int (*fn)(struct mvcpu *v, void *arg);
	void *arg;
	int rc;
	bool done;
};

struct mvcpu {
	struct machine *m;
	unsigned idx;
	pthread_t thread;
	hv_vcpu_t hv;
	hv_vcpu_exit_t *exit;
	enum machine_vcpu_state state;
	/* mailbox (under m->lock) */
	struct vcpu_cmd *cmd;
	bool go;                       /* start running with action/stepover */
	enum machine_run_action action;
	bool stepover;                 /* one step with our debug features suppressed */
	/* range stepping (machine_step_range): RUN_STEP goes on stepping
	 * on the vCPU's thread while the pc stays in [lo, hi) */
	uint64_t range_lo, range_hi, range_left;
	bool range_stop_at_calls;
	/* PSCI CPU_ON request applied on the vCPU's thread */
	bool boot_pending;
	uint64_t boot_pc, boot_x0;
	/* interrupt line: the vtimer fired and the guest has not cleared it */
	bool vtimer_line;              /* vCPU thread only */
	/* debug state as last programmed into the vCPU (vCPU thread only) */
	unsigned dbg_gen;              /* m->dbg_gen it reflects */
	bool dbg_suppressed;           /* hw bps/wps were zeroed for a step-over */
	bool dbg_owned;                /* the debugger owns the debug registers */
	bool trap_dbg;                 /* trap_debug_exceptions as set */
	uint64_t hw_mdscr;             /* MDSCR_EL1 value in the vCPU */
	/* the guest's own view of its debug registers while we own them */
	uint64_t guest_mdscr;
	uint64_t guest_dbg[MACHINE_MAX_HW_SLOTS][4]; /* BVR, BCR, WVR, WCR */
	/* translation registers cached for memory access while stopped */
	bool mmu_valid;
	struct pagewalk_regs mmu;
	/* the translation registers as of the last stop, for reading memory
	 * by VA while the vCPU runs (machine_read_virt_live; under m->lock) */
	struct pagewalk_regs stop_mmu;
	bool stop_mmu_valid;
	/* results */
	struct machine_stop last;
	hv_vcpu_exit_t last_exit;
	struct machine_exit_stats stats;
	bool created;
	hv_return_t create_rc;
};

struct sw_bp {
	uint64_t va, ipa;
	uint32_t orig;
	bool inserted;
};

struct hw_slot {
	bool used;
	uint64_t addr, len;            /* watchpoints: the range asked for */
	enum machine_watch_kind kind;
	uint64_t vr, cr;               /* register values */
};

struct machine {
	struct machine_opts o;
	pthread_mutex_t lock;
	pthread_cond_t cv;             /* any state change; CLOCK_MONOTONIC */
	uint8_t *ram;
	uint64_t page_size;
	struct elf_image *img;
	uint64_t dyn_base;             /* the ELF's --base (machine_restart loads it there again) */
	/* the last machine_load_linux's request, for machine_restart (copies) */
	struct machine_linux linux_req;
	bool have_linux_req;
	uint64_t vtimer_offset;
	struct mvcpu vcpu[MACHINE_MAX_VCPUS];
	unsigned ncpus;
	/* run state */
	bool running;                  /* between resume and the all-stop */
	unsigned nrunning;             /* vCPU threads in their run loop */
	atomic_bool stop_requested;
	bool interrupt_req;
	bool interrupt_pending;         /* asked while stopped: for the next resume */
	bool internal;                 /* a step-over run: no event published */
	bool start_new;                /* CPU_ON starts the target now (a plain continue) */
	bool have_event;
	struct machine_stop event;
	bool exited;
	bool quit;
	int stop_pipe[2];
	struct pl011 uart;             /* its own lock */
	/* Linux boot (linux_boot.c): the device tree handed to the kernel */
	void *dtb;
	size_t dtb_size;
	uint64_t dtb_ipa, initrd_ipa, initrd_size, kernel_ipa, kernel_size;
	/* debug */
	struct sw_bp *bps;
	size_t nbps, cap_bps;
	struct hw_slot hwbp[MACHINE_MAX_HW_SLOTS], hwwp[MACHINE_MAX_HW_SLOTS];
	unsigned nhwbp, nhwwp;         /* implemented slot counts */
	unsigned dbg_gen;              /* bumped on every hw slot change */
};

/* machine.c */
int machine_handle_exit(struct mvcpu *v, bool stepping, struct machine_stop *ev);
void board_prepare_run(struct mvcpu *v, bool stepping);
void vcpu_boot_state(struct mvcpu *v, uint64_t pc, uint64_t x0);
/* The stack pointer register in use for a CPSR: SP_EL0 at EL0 or with
 * SPSel = 0, else SP_EL1 or SP_EL2 (an EL2 guest at EL2). */
static inline hv_sys_reg_t cpsr_sp_reg(uint64_t cpsr)
{
	unsigned el = (unsigned)(cpsr >> 2) & 3;
	if (el == 0 || !(cpsr & 1))
		return HV_SYS_REG_SP_EL0;
	return el == 2 ? HV_SYS_REG_SP_EL2 : HV_SYS_REG_SP_EL1;
}
/* CPSR of a vCPU at boot: EL1h, or EL2h with --el2, DAIF masked. */
uint64_t machine_boot_cpsr(const struct machine *m);
int inject_sync(struct mvcpu *v, uint64_t esr);
/* vCPU 0 to the boot state at entry with x0 (others keep their state). */
int machine_reset_boot(struct machine *m, uint64_t entry, uint64_t x0);
int vcpu_read_pc(struct mvcpu *v, uint64_t *pc);
bool ipa_in_ram(const struct machine *m, uint64_t ipa, uint64_t len);

/* linux_boot.c: frees the remembered boot request (machine_destroy) */
void machine_linux_request_free(struct machine *m);

/* run_control.c */
int vcpu_call(struct machine *m, unsigned idx, int (*fn)(struct mvcpu *, void *), void *arg);
int require_stopped(struct machine *m, unsigned idx);
/* Called with m->lock held by a vCPU thread reporting an event. */
void publish_stop(struct machine *m, const struct machine_stop *ev);
void psci_cpu_on_locked(struct machine *m, struct mvcpu *t, uint64_t pc, uint64_t ctx);

/* debug_ctl.c */
bool debug_any_active(const struct machine *m);
/* On the vCPU thread before each run. */
int debug_prepare_run(struct mvcpu *v, bool stepping, bool suppress);
/* After a stepping run, clears the step bits. */
int debug_end_step(struct mvcpu *v);
void debug_insert_sw_bps(struct machine *m);
void debug_remove_sw_bps(struct machine *m);
bool debug_is_sw_bp(const struct machine *m, uint64_t pc);
/* Whether resuming v at pc (a single step if step) first steps over a
 * breakpoint/watchpoint there. */
bool debug_needs_stepover(struct mvcpu *v, uint64_t pc, bool step);
void debug_classify_watch(const struct machine *m, uint64_t far, struct machine_stop *ev);
int debug_hw_bp_slot(const struct machine *m, uint64_t pc);
/* Guest MSR/MRS of MDSCR_EL1/DBG* while we own them (EC 0x18, op0 = 2). */
bool debug_emulate_sysreg(struct mvcpu *v, hv_sys_reg_t r, bool read, uint64_t *val);
/* On v's thread: the instruction word at pc through its stage-1
 * translation (RAM only).  0 or MACHINE_ERR_FAULT. */
int vcpu_fetch_insn(struct mvcpu *v, uint64_t pc, uint32_t *insn);

#endif
