/*
 * cpu.h - state of one emulated AArch64 vCPU and the contract between the
 * interpreter's parts.  Read docs/emu-design.md first.
 *
 * The guest runs at EL0/EL1, and at EL2 when the VM has EL2 enabled
 * (el2.h: a guest hypervisor with its own stage 2).  The real EL2 is the
 * host: exits (hv_vcpu_run returning) carry an ESR_EL2-style syndrome,
 * FAR and IPA.
 *
 * Control flow: an instruction that raises an exception calls one of the
 * _Noreturn functions below, which longjmp back to the run loop
 * (exec.c).  Handlers therefore never check return codes of memory
 * accesses: if mem_read() returns, it succeeded.
 */
#ifndef EMU_CPU_H
#define EMU_CPU_H

#include <setjmp.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "../gic/gic.h"
#include "../vm.h"

/* ------------------------------------------------------------------ */
/* System registers held by the emulator (index into cpu->sr[]).       */
/* Debug breakpoint/watchpoint registers live in cpu->dbg (below).      */
enum emu_sysreg {
	SR_SCTLR_EL1,
	SR_ACTLR_EL1,
	SR_CPACR_EL1,
	SR_TTBR0_EL1,
	SR_TTBR1_EL1,
	SR_TCR_EL1,
	SR_ESR_EL1,
	SR_FAR_EL1,
	SR_PAR_EL1,
	SR_MAIR_EL1,
	SR_AMAIR_EL1,
	SR_VBAR_EL1,
	SR_CONTEXTIDR_EL1,
	SR_TPIDR_EL1,
	SR_TPIDR_EL0,
	SR_TPIDRRO_EL0,
	SR_CNTKCTL_EL1,
	SR_CSSELR_EL1,
	SR_SPSR_EL1,
	SR_ELR_EL1,
	SR_AFSR0_EL1,
	SR_AFSR1_EL1,
	SR_MDSCR_EL1,
	SR_MDCCINT_EL1,
	SR_CNTV_CTL_EL0,
	SR_CNTV_CVAL_EL0,
	SR_APIAKEYLO_EL1,
	SR_APIAKEYHI_EL1,
	SR_APIBKEYLO_EL1,
	SR_APIBKEYHI_EL1,
	SR_APDAKEYLO_EL1,
	SR_APDAKEYHI_EL1,
	SR_APDBKEYLO_EL1,
	SR_APDBKEYHI_EL1,
	SR_APGAKEYLO_EL1,
	SR_APGAKEYHI_EL1,
	/* Identification registers: writable by the host (hv_vcpu_set_sys_reg,
	 * as Apple allows), read-only for the guest. */
	SR_MIDR_EL1,
	SR_MPIDR_EL1,
	SR_ID_AA64PFR0_EL1,
	SR_ID_AA64PFR1_EL1,
	SR_ID_AA64DFR0_EL1,
	SR_ID_AA64DFR1_EL1,
	SR_ID_AA64ISAR0_EL1,
	SR_ID_AA64ISAR1_EL1,
	SR_ID_AA64MMFR0_EL1,
	SR_ID_AA64MMFR1_EL1,
	SR_ID_AA64MMFR2_EL1,
	/* EL2 (guest hypervisor; only with EL2 enabled, el2.h). */
	SR_HCR_EL2,
	SR_SCTLR_EL2,
	SR_ACTLR_EL2,
	SR_CPTR_EL2,
	SR_MDCR_EL2,
	SR_HSTR_EL2,
	SR_HACR_EL2,
	SR_TTBR0_EL2,
	SR_TTBR1_EL2,
	SR_TCR_EL2,
	SR_VTTBR_EL2,
	SR_VTCR_EL2,
	SR_MAIR_EL2,
	SR_AMAIR_EL2,
	SR_VBAR_EL2,
	SR_ESR_EL2,
	SR_FAR_EL2,
	SR_HPFAR_EL2,
	SR_ELR_EL2,
	SR_SPSR_EL2,
	SR_AFSR0_EL2,
	SR_AFSR1_EL2,
	SR_TPIDR_EL2,
	SR_VPIDR_EL2,
	SR_VMPIDR_EL2,
	SR_CNTHCTL_EL2,
	SR_CNTVOFF_EL2,
	SR_CNTHP_CTL_EL2,
	SR_CNTHP_CVAL_EL2,
	SR_CONTEXTIDR_EL2, /* FEAT_VHE */
	SR_CNTHV_CTL_EL2,
	SR_CNTHV_CVAL_EL2,
	SR_COUNT
};

#define EMU_NUM_BRP 16
#define EMU_NUM_WRP 16

/* PSTATE bits in SPSR/CPSR format. */
#define PSTATE_N (1u << 31)
#define PSTATE_Z (1u << 30)
#define PSTATE_C (1u << 29)
#define PSTATE_V (1u << 28)
#define PSTATE_NZCV_MASK 0xf0000000u
#define PSTATE_SS (1u << 21)
#define PSTATE_IL (1u << 20)
#define PSTATE_PAN (1u << 22)
#define PSTATE_D (1u << 9)
#define PSTATE_A (1u << 8)
#define PSTATE_I (1u << 7)
#define PSTATE_F (1u << 6)
#define PSTATE_DAIF_MASK 0x3c0u

/* Exception classes (ESR EC field). */
enum {
	EC_UNKNOWN = 0x00,
	EC_WFX = 0x01,
	EC_FP_ACCESS = 0x07,
	EC_ILLEGAL_STATE = 0x0e,
	EC_SVC64 = 0x15,
	EC_HVC64 = 0x16,
	EC_SMC64 = 0x17,
	EC_SYSREG = 0x18,
	EC_IABT_LOWER = 0x20,
	EC_IABT_SAME = 0x21,
	EC_PC_ALIGN = 0x22,
	EC_DABT_LOWER = 0x24,
	EC_DABT_SAME = 0x25,
	EC_SP_ALIGN = 0x26,
	EC_FP_EXC64 = 0x2c,
	EC_SERROR = 0x2f,
	EC_BKPT_LOWER = 0x30,
	EC_BKPT_SAME = 0x31,
	EC_SSTEP_LOWER = 0x32,
	EC_SSTEP_SAME = 0x33,
	EC_WATCH_LOWER = 0x34,
	EC_WATCH_SAME = 0x35,
	EC_BRK64 = 0x3c,
};
#define ESR_IL (1u << 25)
#define ESR_EC_SHIFT 26

/* Fault status codes (DFSC/IFSC) for ESR. */
enum {
	FSC_ADDR_SIZE_L0 = 0x00, /* + level */
	FSC_TRANSLATION_L0 = 0x04, /* + level */
	FSC_ACCESS_FLAG_L0 = 0x08, /* + level (level 0 only with LPA2) */
	FSC_PERMISSION_L0 = 0x0c, /* + level */
	FSC_SYNC_EXTERNAL = 0x10,
	FSC_ALIGNMENT = 0x21,
	FSC_DEBUG = 0x22,
};

/* Memory access kinds. */
enum emu_access {
	ACC_READ = 0,
	ACC_WRITE = 1,
	ACC_EXEC = 2,
};

/* Flags for mem_read/mem_write. */
#define MEMF_UNPRIV (1u << 0)  /* LDTR/STTR: EL0 permissions when at EL1 */
#define MEMF_ALIGNED (1u << 1) /* natural alignment required (exclusives, atomics, acquire/release) */
#define MEMF_RMW (1u << 2)     /* atomic read-modify-write: a fault reports WnR=1 */
#define MEMF_CM (1u << 3)      /* cache maintenance (DC by VA): ESR.CM=1, WnR=1 */

/* Software TLB: one per translation regime view (EL0 or EL1 permissions
 * of the EL1&0 regime, and the EL2 regime) for fetches and for data with
 * PSTATE.PAN clear, the same three for data with PAN set (entries made
 * then checked PAN: the key of a hit is the page alone), and one that
 * never hits (EMU_TLB_NONE: the data view while watchpoints are armed). */
#define EMU_TLB_PAN_VIEW 3 /* + view: its entries made with PAN set */
#define EMU_TLB_NONE 6
#define EMU_TLB_VIEWS 7
#define EMU_TLB_SIZE 4096
#define EMU_TLB_FILL_LOG 1024
#define EMU_TLBI_QUEUE 64
struct emu_tlb_entry {
	/* Page-aligned VA tag per access kind; ~0 = invalid. */
	uint64_t tag[3];
	/* host address = va + addend (only valid when the tag matches). */
	uintptr_t addend;
};

/* Decoded-instruction cache (icache.c, icache.h): basic blocks of
 * pre-decoded operations.  A block is compared with the guest's
 * instruction words when entered unless nothing that could change its
 * code or translation happened since it was last checked (ic.epoch). */
struct emu_cpu;
struct emu_op;
/* Executes one operation and (threaded) the rest of its block; returns
 * when the block ends, with cpu->pc holding the next PC. */
typedef bool (*emu_op_fn)(struct emu_cpu *cpu, const struct emu_op *op);
/* Group entry point (emu_exec_dp_imm, ...): the generic path. */
typedef void (*emu_group_fn)(struct emu_cpu *cpu, uint32_t insn);
struct emu_op {
	emu_op_fn fn;
	union {
		uint64_t imm;       /* immediate, mask, branch target... */
		emu_group_fn group; /* generic operations */
	};
	uint64_t pc;            /* address of the instruction */
	uint32_t insn;          /* its encoding */
	uint8_t rd, rn, rm, ra; /* operand fields (per handler) */
};
/* Direct-mapped on the block's PC: 131072 slots (4 MiB) cover 512 KiB
 * of code without two blocks sharing a slot.  A Linux boot with 4096
 * rebuilt 2M blocks (conflicts, each forgetting its translation) and
 * took 1.6x as long; with 32768, 421k blocks and 8% longer. */
#define EMU_IC_SLOTS 131072
#define EMU_IC_OPS 131072      /* operation arena (4 MiB); flushed when full */
#define EMU_IC_MAX_INSNS 32    /* instructions per block */
/* Code-page filter, by host page number modulo its size: 512 MiB of
 * guest memory without two pages sharing an entry.  With 4096 entries a
 * Linux boot's stores hit entries of code pages 300k times. */
#define EMU_IC_PAGES 131072
/* code_page[] values.  No write entry of this vCPU's TLB maps a page
 * whose entry is EMU_CP_CODE (a write entry is not made for it, and
 * marking a page drops its write entries), so a store that hits the TLB
 * writes no checked code: only the slow path notes code writes
 * (mem_note_code_write), and translated stores check nothing. */
enum {
	EMU_CP_NONE,  /* no block checked on it since this vCPU's last store */
	EMU_CP_CODE,  /* a block checked on it since */
	EMU_CP_WRITE, /* not CODE, and the TLB may hold write entries for it */
};
struct emu_ic_slot {             /* 32 bytes: the index is a shift */
	uint64_t pc;                /* block start; 1 = empty */
	uint64_t epoch;             /* ic.epoch when last checked against memory */
	const struct emu_op *ops;   /* first operation (in ic.ops) */
	uint16_t n;                 /* instructions */
	/* The data TLB view (cpu->fast_view) its translation was made for:
	 * the translation reads that view's entries at a fixed offset. */
	uint8_t jit_view;
	uint8_t heat; /* runs interpreted, towards its translation (jit.h) */
	/* Its translation's body: offset in the translator's code cache
	 * (executable view), 0 = none (jit/jit_cache.c).  Here, not in a
	 * table of the translator: the run loop and the chain stub have
	 * the slot in cache already. */
	uint32_t jit;
};
struct emu_icache {
	bool ready;
	uint32_t used; /* ops[] entries in use */
	/* Moved (emu_ic_invalidate) by anything that may change code or
	 * its translation seen by this vCPU: TLB flushes, its stores to
	 * pages holding cached code (code_page filter), system
	 * instructions, event checks (writes by other vCPUs or the host)
	 * and run entry.  The low bits are the EL (emu_ic_set_el): a block
	 * is checked for the EL it runs at (fetch permissions), and blocks
	 * of EL1 stay checked across exceptions from EL0 and ERETs to it. */
	uint64_t epoch;
	uint8_t code_page[EMU_IC_PAGES]; /* EMU_CP_*, by host page */
	/* VA pages of blocks validated (by VA, the slots' key): a TLBI by
	 * VA of a marked page moves the epoch (tlbi.c). */
	uint8_t code_va[EMU_IC_PAGES];
	struct emu_ic_slot slot[EMU_IC_SLOTS];
	struct emu_op ops[EMU_IC_OPS];
	/* ops[i].insn packed: what a block's check compares with memory
	 * (a Linux boot checks 2M blocks: 4 bytes a word, not 32) */
	uint32_t words[EMU_IC_OPS];
};
#define EMU_IC_EPOCH_STEP 4 /* above the EL */

/* Why the run loop was left (longjmp value). */
enum emu_stop {
	STOP_NONE = 0,
	STOP_EXCEPTION_TAKEN = 1, /* guest exception entered: resume loop */
	STOP_EXIT = 2,            /* exit to host: hv_vcpu_run returns */
};

struct emu_cpu {
	/* General-purpose registers.  x[31] is kept at 0 and never written
	 * (read it as XZR); SP lives in sp_el[]. */
	uint64_t x[32];
	uint64_t sp_el[3]; /* SP_EL0, SP_EL1, SP_EL2 */
	uint64_t pc;       /* next instruction (already +4 while executing) */
	uint64_t insn_pc;  /* address of the instruction being executed */

	/* PSTATE, split for speed. */
	uint32_t nzcv;  /* PSTATE_NZCV_MASK bits only */
	uint32_t daif;  /* PSTATE_DAIF_MASK bits only */
	uint8_t el;     /* 0, 1, or 2 with EL2 enabled */
	uint8_t spsel;  /* 0: SP_EL0, 1: SP_ELx (always 0 at EL0) */
	bool pstate_ss;
	bool pstate_il;
	bool pstate_pan;
	bool pstate_ssbs;

	/* FP/SIMD state. */
	uint64_t v[32][2]; /* little-endian: v[n][0] = low 64 bits */
	uint32_t fpcr, fpsr;
	/* The host thread's MXCSR while a run holds the guest's, and whether
	 * one does (fp_arith.h fpu_env_enter): FPSR flags may be there. */
	uint32_t host_mxcsr;
	bool fpenv_live;

	uint64_t sr[SR_COUNT];
	struct {
		uint64_t bvr[EMU_NUM_BRP], bcr[EMU_NUM_BRP];
		uint64_t wvr[EMU_NUM_WRP], wcr[EMU_NUM_WRP];
	} dbg;

	/* Exclusive monitor (LDXR/STXR). */
	bool excl_valid;
	uint64_t excl_addr; /* VA of the reservation */
	unsigned excl_size; /* bytes covered */
	uint64_t excl_val[2]; /* value LDXR/LDXP read: STXR/STXP compare-exchange against it */

	/* ESR ISS for a data abort exit of the current load/store when it is
	 * a single general-purpose register access without writeback:
	 * ISV | SAS | SSE | SRT | SF | AR (see ldst.c).  0 = ISV clear.
	 * Set by the load/store handler before accessing memory. */
	uint32_t dabt_iss;

	/* Memory access fast path (mem.c). */
	struct emu_tlb_entry tlb[EMU_TLB_VIEWS][EMU_TLB_SIZE]; /* [0]=EL0 view, [1]=EL1, [2]=EL2, PAN set +3 */
	uint64_t tlb_mem_generation; /* vm->mem_generation the TLB was built for */
	/* Entries filled since the last full flush (index into tlb[0]),
	 * which resets only those while there are at most EMU_TLB_FILL_LOG:
	 * a context switch writes TTBR0 and TTBR1, each a flush; and
	 * mem_tlb_drop_writes looks only at those (with 128, a Linux boot's
	 * drops went over all 24k entries 94% of the time: 1.2% of it). */
	uint16_t tlb_filled[EMU_TLB_FILL_LOG];
	unsigned tlb_nfilled; /* > EMU_TLB_FILL_LOG: more than the log holds */
	/* Region holding every stage-1 mapping larger than a TLB entry that
	 * was cached since the last full flush (tlbi.c): VA bits 55:12 */
	bool tlb_large;
	uint64_t tlb_large_va, tlb_large_mask;
	/* Broadcast TLBIs by VA of other vCPUs, taken at the next event
	 * check (tlbi.c); more than EMU_TLBI_QUEUE: drop everything. */
	pthread_mutex_t tlbi_lock;
	atomic_uint tlbi_queued;
	uint64_t tlbi_queue[EMU_TLBI_QUEUE];
	uint64_t ic_code_generation; /* emu_vm.code_generation last seen (icache.c) */
	unsigned ic_quiet_checks;    /* event checks since the decoded code was re-checked */
	bool debug_watch_active;    /* watchpoints armed: bypass the fast path for data */
	bool debug_bkpt_active;     /* HW breakpoints or step armed: slow per-insn checks */
	uint8_t debug_step_flags;   /* debug.c private: software-step bookkeeping */
	bool event_register;        /* WFE/SEV/SEVL event register (system.c, ERET) */

	/* Run loop state (exec.c). */
	jmp_buf stop_jmp;
	int32_t budget;       /* instructions until the next event check */
	uint64_t insn_count;  /* retired instructions (for benchmarks) */
	bool irq_check;       /* DAIF/pending state changed: re-check interrupts */

	/* Back-pointer to the API object (exit record, pending IRQ/FIQ,
	 * vtimer mask/offset, trap flags, cancel flag). */
	struct hv_vcpu_obj *obj;
	struct hv_vm_obj *vm;

	/* Block being executed (exec.c, icache.c), NULL between blocks. */
	struct emu_ic_slot *blk;
	struct emu_icache ic;

	/* Fast-path state added after the fields above so that their layout
	 * (which the host caches see) stays as it was. */
	uint64_t event_at; /* insn_count at which cached blocks return to the loop */
	/* Translated code's event_at: 0 while hardware breakpoints or step
	 * are armed (debug_bkpt_active), so that no translated block enters
	 * another one then (emu_set_chain_at). */
	uint64_t chain_at;
	/* NZCV of the cached fast path (icache.h, alu.h cc_*): while an
	 * operation of a cached block runs, the flags live here and nzcv is
	 * stale; both agree whenever anything else may look (generic
	 * operations, faults, between blocks).  N = bit 63 of cc_n, Z =
	 * (cc_z == 0), C = cc_c (0 or 1), V = bit 63 of cc_v. */
	uint64_t cc_n, cc_c, cc_z, cc_v; /* n, z not adjacent: see alu.h */
	/* Data TLB view of the cached load/store handlers (fast_ldst.c) and
	 * of translated code: tlb[mem_data_view(el)], or tlb[EMU_TLB_NONE]
	 * while watchpoints are armed.  Set by the run loop at block entry;
	 * EL, PAN and the watchpoints only change in operations that end
	 * their block. */
	const struct emu_tlb_entry *fast_tlb;
	uint8_t fast_view; /* its index in tlb[] */
	/* The current SP (emu_sp_ptr), for translated code (jit/): set
	 * with fast_tlb; EL and SPSel also change only at block ends. */
	uint64_t *fast_sp;
	/* Translated loads and stores: the TLB addend each site (a slot,
	 * shared round-robin) saw last, through which its next access goes
	 * while the TLB entry is compared (jit_translate.c). */
#define EMU_JIT_ADDENDS 1024
	uintptr_t jit_addend[EMU_JIT_ADDENDS];
	/* The translator (jit/jit.h), NULL when interpreting only, and how
	 * often a block runs interpreted before it is translated. */
	struct emu_jit *jit;
	uint8_t jit_hot; /* JIT_HOT (jit/jit_priv.h) or HV_EMU_JIT_HOT */

	/* With a GIC: the timer outputs last driven into PPIs 27 and 30
	 * (timer.c), and the guest physical address of a GIC register access
	 * (mem.c: translate_part -> slow_access). */
	bool vtimer_level, ptimer_level, hptimer_level, hvtimer_level;
	uint64_t gic_mmio_pa;
	/* The EL1 physical timer, guest-visible only with a GIC (PPI 30);
	 * here, not in sr[], to keep the hot fields' layout. */
	uint64_t cntp_ctl, cntp_cval;
	/* The PMU of an EL2 guest with a valid PMUVer (pmu.c). */
	struct emu_pmu {
		uint32_t pmcr, cnten, ovs, inten, selr, userenr, ccfiltr;
		bool running;       /* the cycle counter counts */
		uint64_t ccnt;      /* its value at insn_count == base */
		uint64_t base;
	} pmu;
	/* Breakpoints without a software step (debug.c): cached blocks run
	 * unless one of these addresses lies within a block's reach. */
	bool debug_step_armed;      /* MDSCR_EL1.SS: every instruction the plain way */
	unsigned debug_nbp;
	uint64_t debug_bp_addr[EMU_NUM_BRP];
	/* The VM has EL2 enabled: the guest owns EL2 (el2.h). */
	bool el2;
};

/* ---- exec.c: run loop and top-level decode ----------------------- */
int emu_exec_run(struct emu_cpu *cpu); /* returns after an exit was recorded */
void emu_exec_unallocated(struct emu_cpu *cpu, uint32_t insn); /* UNDEF */

/* Instruction groups (one file each); dispatched on insn bits [28:25].
 * On entry cpu->insn_pc = address of insn and cpu->pc = insn_pc + 4;
 * branches assign cpu->pc. */
void emu_exec_dp_imm(struct emu_cpu *cpu, uint32_t insn);   /* dp_imm.c  (100x) */
void emu_exec_branch_sys(struct emu_cpu *cpu, uint32_t insn); /* branch.c (101x) */
void emu_exec_ldst(struct emu_cpu *cpu, uint32_t insn);     /* ldst.c    (x1x0) */
void emu_exec_dp_reg(struct emu_cpu *cpu, uint32_t insn);   /* dp_reg.c  (x101) */
void emu_exec_fpsimd(struct emu_cpu *cpu, uint32_t insn);   /* fpsimd.c  (x111) */
/* Advanced SIMD load/store structures (LD1-LD4, ST1-ST4, LD1R-LD4R),
 * called by ldst.c; does its own FP access check. */
void emu_ldst_simd_struct(struct emu_cpu *cpu, uint32_t insn); /* ldst_simd.c */
/* Called by branch.c for the system and exception-generating classes. */
void emu_exec_system(struct emu_cpu *cpu, uint32_t insn);       /* system.c */
/* What a system instruction may do to the decoded block holding it
 * (system.c, for icache.c): END it (moving the icache epoch), be a NOP,
 * stay in it without moving the epoch (QUIET; QUIET_MEM when it accesses
 * memory), or end it without moving the epoch (STOP). */
enum emu_sys_class { EMU_SYS_END, EMU_SYS_NOP, EMU_SYS_QUIET, EMU_SYS_QUIET_MEM, EMU_SYS_STOP,
		     EMU_SYS_MRS_SP_EL0 /* QUIET, Rt not ZR, with a fast form */ };
enum emu_sys_class emu_sys_class(uint32_t insn);
/* Code invalidated by any vCPU's IC IVAU / IALLU since this one last
 * looked is re-checked from now on (icache.c; event checks and ISB).
 * Returns whether there was any. */
bool emu_ic_see_invalidations(struct emu_cpu *cpu);
/* The VM's instruction cache invalidations (IC IVAU, IC IALLU(IS)), for
 * every vCPU to see (emu_ic_see_invalidations): invalidation g is
 * inval[g % EMU_IC_INVAL_RING], the host page number IC IVAU named or
 * EMU_IC_INVAL_ALL, valid while its gen is g + 1 (a seqlock: writers
 * take the lock, readers check gen before and after).  vm->backend_state. */
#define EMU_IC_INVAL_RING 64
#define EMU_IC_INVAL_ALL UINT64_MAX
struct emu_ic_inval {
	atomic_uint_fast64_t gen, page;
};
struct emu_vm {
	pthread_mutex_t ic_lock;
	atomic_uint_fast64_t code_generation;
	struct emu_ic_inval inval[EMU_IC_INVAL_RING];
};
/* Records an invalidation of the code at host page number `page` (or
 * EMU_IC_INVAL_ALL) by this vCPU (icache.c). */
void emu_ic_note_invalidation(struct emu_cpu *cpu, uint64_t page);
/* Every cached block is checked against memory again before it runs. */
static inline void emu_ic_invalidate(struct emu_cpu *cpu)
{
	cpu->ic.epoch += EMU_IC_EPOCH_STEP;
}
/* After cpu->el changed (the two places that change it call this, so the
 * low bits are always the EL): the blocks checked at the new EL are
 * valid again, the others are checked before they run. */
static inline void emu_ic_set_el(struct emu_cpu *cpu)
{
	cpu->ic.epoch = (cpu->ic.epoch & ~(uint64_t)(EMU_IC_EPOCH_STEP - 1)) | cpu->el;
}
void emu_exec_exception_gen(struct emu_cpu *cpu, uint32_t insn); /* exception.c */

/* ---- registers (inline helpers, below) ---------------------------- */
static inline void emu_set_chain_at(struct emu_cpu *cpu)
{
	cpu->chain_at = cpu->debug_bkpt_active ? 0 : cpu->event_at;
}
static inline uint64_t *emu_sp_ptr(struct emu_cpu *cpu)
{
	return &cpu->sp_el[cpu->spsel ? cpu->el : 0];
}
/* SCTLR of the current translation regime (SCTLR_EL2 at EL2). */
static inline uint64_t emu_sctlr(const struct emu_cpu *cpu)
{
	return cpu->sr[cpu->el == 2 ? SR_SCTLR_EL2 : SR_SCTLR_EL1];
}

/* Register n with 31 = XZR. */
static inline uint64_t xreg(const struct emu_cpu *cpu, unsigned n)
{
	return cpu->x[n]; /* x[31] is always 0 */
}
static inline uint32_t wreg(const struct emu_cpu *cpu, unsigned n)
{
	return (uint32_t)cpu->x[n];
}
static inline void set_xreg(struct emu_cpu *cpu, unsigned n, uint64_t v)
{
	if (n != 31)
		cpu->x[n] = v;
}
static inline void set_wreg(struct emu_cpu *cpu, unsigned n, uint32_t v)
{
	if (n != 31)
		cpu->x[n] = v; /* zero-extends */
}
/* Register n with 31 = SP. */
static inline uint64_t xreg_sp(struct emu_cpu *cpu, unsigned n)
{
	return n == 31 ? *emu_sp_ptr(cpu) : cpu->x[n];
}
static inline void set_xreg_sp(struct emu_cpu *cpu, unsigned n, uint64_t v)
{
	if (n == 31)
		*emu_sp_ptr(cpu) = v;
	else
		cpu->x[n] = v;
}

/* Full PSTATE in SPSR format, and the reverse (used by exception entry,
 * ERET and the host API).  cpu_set_pstate ignores illegal EL/SP values by
 * setting PSTATE.IL as the architecture does for an illegal return. */
uint64_t emu_get_pstate(const struct emu_cpu *cpu);
void emu_set_pstate(struct emu_cpu *cpu, uint64_t spsr);

/* ---- exception.c: exceptions into the guest and exits to the host --- */
/* Synchronous exception to guest EL1 (or to the host when routing says
 * so).  esr is the full ESR value (EC|IL|ISS); far is written to FAR_EL1
 * when far_valid.  The preferred return address is cpu->insn_pc unless
 * the EC says otherwise (SVC: cpu->pc). */
_Noreturn void emu_take_sync(struct emu_cpu *cpu, uint32_t esr, uint64_t far, bool far_valid);
/* UNDEFINED instruction: EC 0, IL=1, to EL1. */
_Noreturn void emu_undefined(struct emu_cpu *cpu);
/* Exit to the host with HV_EXIT_REASON_EXCEPTION.  The guest PC seen by
 * the host is `pc` (Apple: at the instruction for aborts, SMC, WFx, BRK,
 * sysreg traps; after it for HVC). */
_Noreturn void emu_exit_exception(struct emu_cpu *cpu, uint64_t esr, uint64_t far, uint64_t ipa, uint64_t pc);
/* Exit to the host with another reason (CANCELED, VTIMER_ACTIVATED). */
_Noreturn void emu_exit_reason(struct emu_cpu *cpu, hv_exit_reason_t reason);
/* Asynchronous exception (IRQ/FIQ) into the guest; called between
 * instructions by the run loop.  vector_offset: 0x80 IRQ, 0x100 FIQ. */
void emu_take_interrupt(struct emu_cpu *cpu, unsigned target_el, uint32_t vector_offset);
/* el2.c: interrupt routing.  Takes the highest-priority interrupt that
 * is pending and not masked, if any (between instructions). */
void emu_take_pending_interrupt(struct emu_cpu *cpu);
/* A WFI/WFE wake-up event: an interrupt pending for the current EL's
 * world, masked or not. */
bool emu_interrupt_pending(const struct emu_cpu *cpu);
/* ISR_EL1: the A/I/F bits of the interrupts pending as the current EL
 * sees them (virtual ones at EL1 under HCR_EL2.AMO/IMO/FMO). */
uint64_t emu_isr(const struct emu_cpu *cpu);
/* ERET from EL1. */
void emu_eret(struct emu_cpu *cpu);
/* CPACR_EL1.FPEN check for FP/SIMD instructions and SIMD&FP loads/stores:
 * returns if allowed, else traps to EL1 with EC 0x07. */
void emu_check_fp_access(struct emu_cpu *cpu);

/* ---- mem.c / mmu.c: guest memory ---------------------------------- */
/* size: 1, 2, 4 or 8 bytes; little-endian.  Faults raise the right
 * exception (stage-1 fault -> guest EL1, stage-2 fault -> host exit with
 * EC 0x24 and cpu->dabt_iss, watchpoint, alignment). */
uint64_t mem_read(struct emu_cpu *cpu, uint64_t va, unsigned size, unsigned flags);
void mem_write(struct emu_cpu *cpu, uint64_t va, unsigned size, uint64_t value, unsigned flags);
/* 16-byte accesses (Q registers); out[0] = low 64 bits. */
void mem_read128(struct emu_cpu *cpu, uint64_t va, uint64_t out[2], unsigned flags);
void mem_write128(struct emu_cpu *cpu, uint64_t va, const uint64_t in[2], unsigned flags);
/* Host pointer for a writable guest range of `size` bytes that lies in
 * one page (DC ZVA); faults as a write. */
uint8_t *mem_write_ptr(struct emu_cpu *cpu, uint64_t va, unsigned size, unsigned flags);
/* The host address guest VA va is at, translated at the current EL as DC
 * by VA is (no permissions), for IC IVAU: never faults nor fills the
 * TLB; NULL when it is not in RAM. */
const uint8_t *mem_probe_host(struct emu_cpu *cpu, uint64_t va);
/* Host pointer for a naturally aligned `size`-byte access that passed
 * both the read and the write checks (host atomics for LSE/exclusives).
 * Unaligned -> alignment fault; any fault reports WnR=1 (MEMF_RMW). */
uint8_t *mem_rmw_ptr(struct emu_cpu *cpu, uint64_t va, unsigned size, unsigned flags);
/* Fetches the instruction at cpu->pc (instruction abort / PC alignment
 * on failure). */
uint32_t mem_fetch(struct emu_cpu *cpu);
/* ---- tlbi.c: dropping cached translations ---------------------------- */
/* Drops all cached translations (TLBI, MMU register writes, EL/PAN
 * changes are handled by the TLB index). */
void mem_tlb_flush(struct emu_cpu *cpu);
void mem_tlb_drop_writes(struct emu_cpu *cpu, const uint8_t *host);
/* Entry e was filled for va from a stage-1 mapping of 2^shift bytes. */
void emu_tlb_filled(struct emu_cpu *cpu, const struct emu_tlb_entry *e, uint64_t va, unsigned shift);
/* TLBI by VA (the operand's VA field; any ASID) on this vCPU and, if
 * broadcast, on the others at their next event check. */
void emu_tlbi_va(struct emu_cpu *cpu, uint64_t operand, bool broadcast);
/* At an event check: the pages other vCPUs' TLBIs queued for this one. */
void emu_tlbi_take_queued(struct emu_cpu *cpu);

/* Address translation without side effects, for AT: ok with pa, else
 * the fault (fsc, which stage, which map). */
struct emu_walk_result {
	bool ok;
	uint64_t pa;
	uint8_t fsc;      /* on failure: fault status code */
	bool stage2;      /* fault is in stage 2 (unmapped IPA / permission) */
	bool guest_s2;    /* ... of the guest hypervisor's stage 2 (to its EL2) */
	bool s1ptw;       /* stage-2 fault during the stage-1 walk */
	uint64_t ipa;     /* faulting IPA for stage-2 faults */
	uint64_t attrs;   /* MAIR attribute byte for the page */
	uint8_t s1_shift; /* log2 of the stage-1 mapping's size (0: stage 1 off) */
	bool device;      /* Device memory type */
};
/* The walks of AT (PSTATE.PAN ignored): stage 1 of EL1&0 (S1E1*, S1E0*;
 * EL2&0 at EL2 of a VHE host),
 * both stages of EL1&0 (S12E*), stage 1 of EL2 (S1E2*). */
enum emu_at_stages { AT_S1E1, AT_S12, AT_S1E2 };
struct emu_walk_result emu_mmu_translate_at(struct emu_cpu *cpu, uint64_t va, enum emu_access acc, bool el0_perms,
					    enum emu_at_stages stages);

/* ---- debug.c: hardware breakpoints, watchpoints, software step ----- */
/* Recomputes debug_watch_active / debug_bkpt_active after a change of
 * MDSCR_EL1, DBG*, PSTATE.D, or the trap flags. */
void emu_debug_update(struct emu_cpu *cpu);
/* Before executing the instruction at cpu->pc (only when
 * debug_bkpt_active): software step and breakpoint checks. */
void emu_debug_check_insn(struct emu_cpu *cpu);
/* Whether the instruction at pc must run the plain way (step armed, or
 * an armed breakpoint within the longest block from pc). */
bool emu_debug_plain_at(const struct emu_cpu *cpu, uint64_t pc);
/* Before a data access (only when debug_watch_active). */
void emu_debug_check_watch(struct emu_cpu *cpu, uint64_t va, unsigned size, bool is_write);
/* After an instruction retired: advance the software-step state machine. */
void emu_debug_insn_retired(struct emu_cpu *cpu);

/* ---- timer.c: generic timer --------------------------------------- */
uint64_t emu_timer_cntvct(struct emu_cpu *cpu);
/* Checks the vtimer condition; exits with VTIMER_ACTIVATED if it fires
 * and is not masked. */
void emu_timer_check(struct emu_cpu *cpu);
/* Host tick at which a timer will fire (0: none pending): WFI's sleep. */
uint64_t emu_timer_deadline(struct emu_cpu *cpu);

/* The IRQ and FIQ lines: the host's (hv_vcpu_set_pending_interrupt) or
 * the GIC's outputs. */
static inline bool emu_irq_line(const struct emu_cpu *cpu)
{
	return cpu->obj->pending_irq ||
	       (cpu->obj->gic && atomic_load_explicit(&cpu->obj->gic->irq_out, memory_order_relaxed));
}
static inline bool emu_fiq_line(const struct emu_cpu *cpu)
{
	return cpu->obj->pending_fiq ||
	       (cpu->obj->gic && atomic_load_explicit(&cpu->obj->gic->fiq_out, memory_order_relaxed));
}

/* ---- sysregs.c: system register table ----------------------------- */
/* Host API access by hv_sys_reg_t (HV_BAD_ARGUMENT if unknown). */
hv_return_t emu_sysreg_get(struct emu_cpu *cpu, uint16_t hv_reg, uint64_t *value);
hv_return_t emu_sysreg_set(struct emu_cpu *cpu, uint16_t hv_reg, uint64_t value);
/* Reset values for a new vCPU with the given id. */
void emu_sysreg_reset(struct emu_cpu *cpu, unsigned vcpu_id);
/* Identification register values of this emulator. */
uint64_t emu_feature_reg(hv_feature_reg_t reg);
/* CCSIDR_EL1 for cache `level` (0-based) of the instruction (insn=true)
 * or data/unified cache; 0 where there is no such cache (sysregs.c). */
uint64_t emu_ccsidr(bool insn, unsigned level);

#endif /* EMU_CPU_H */
