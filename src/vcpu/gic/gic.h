/*
 * gic.h - the library's GICv3 model (IHI 0069), behind Apple's hv_gic_*
 * API on the emu backend: a distributor with 988 SPIs, one redistributor
 * per vCPU (SGIs, PPIs), the CPU interface as system registers, and an
 * MSI frame.  One security state (GICD_CTLR.DS = 1), affinity routing
 * always on (ARE), 5 priority bits, no LPIs/ITS.
 *
 * One mutex guards the whole model; each vCPU's outputs (IRQ and FIQ
 * lines) are recomputed under it after every change and published as
 * atomics that the interpreter reads without the lock.  A vCPU in WFI
 * sleeps on its condition variable until its outputs rise, a cancel, or a
 * timer deadline.
 *
 * Files: gic_core.c (state, priorities, outputs, WFI), gic_dist.c
 * (distributor and MSI frame MMIO), gic_redist.c (redistributor MMIO),
 * gic_cpuif.c (ICC_* registers, SGI generation), gic_state.c (save and
 * restore).  The API layer is src/vcpu/hv_gic.c.
 */
#ifndef HV_GIC_MODEL_H
#define HV_GIC_MODEL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#define GIC_NR_INTIDS 1020 /* 0..1019: SGIs, PPIs, SPIs */
#define GIC_NR_PRIV 32     /* SGIs 0-15, PPIs 16-31 (per vCPU) */
#define GIC_SPI_BASE 32
#define GIC_NR_SPIS (GIC_NR_INTIDS - GIC_SPI_BASE)
#define GIC_INTID_SPURIOUS 1023
#define GIC_PRIO_BITS 5
#define GIC_PRIO_MASK 0xf8 /* implemented priority bits */
#define GIC_MAX_CPUS 64

/* Region geometry (hv_gic_parameters.h). */
#define GIC_DIST_SIZE 0x10000ull
#define GIC_DIST_ALIGN 0x10000ull
#define GIC_REDIST_SIZE 0x20000ull /* RD frame + SGI frame */
#define GIC_REDIST_REGION_SIZE 0x2000000ull /* 256 redistributors */
#define GIC_REDIST_ALIGN 0x10000ull
#define GIC_MSI_SIZE 0x10000ull
#define GIC_MSI_ALIGN 0x10000ull

/* GICM (MSI frame) and PPI numbers. */
#define GICM_TYPER 0x0008
#define GICM_SET_SPI_NSR 0x0040
#define GIC_PPI_VTIMER 27
#define GIC_PPI_PTIMER 30
#define GIC_PPI_MAINTENANCE 25 /* the virtual CPU interface's (EL2 guests) */
#define GIC_NR_LRS 4           /* list registers of the virtual CPU interface */

struct gic_irq {
	uint8_t prio;
	bool group1;  /* IGROUPR: 1 = group 1 (IRQ), 0 = group 0 (FIQ) */
	bool enabled;
	bool latch;   /* edge seen, or pending set by software */
	bool level;   /* input line (level-sensitive sources) */
	bool active;
	bool edge;    /* ICFGR: edge-triggered */
};

/* Pending: an edge/software latch, or a level-sensitive line held high. */
static inline bool gic_irq_pending(const struct gic_irq *i)
{
	return i->latch || (!i->edge && i->level);
}

struct gic;

/* The virtual CPU interface of one vCPU (gic_vcpuif.c): ICH_HCR_EL2,
 * ICH_VMCR_EL2, the list registers, the virtual active priorities, and
 * the virtual IRQ/FIQ it signals (read by the vCPU without the lock). */
struct gic_vif {
	uint64_t hcr, vmcr;
	uint64_t lr[GIC_NR_LRS];
	uint32_t apr[2];
	atomic_bool virq_out, vfiq_out;
};

struct gic_cpu {
	struct gic *gic;
	unsigned id;   /* vCPU id = redistributor index */
	uint64_t mpidr;
	struct gic_irq priv[GIC_NR_PRIV];
	uint32_t waker; /* GICR_WAKER.ProcessorSleep */

	/* CPU interface (ICC_*). */
	uint8_t pmr;
	uint8_t bpr0, bpr1;
	uint32_t ctlr; /* CBPR, EOImode, PMHE */
	bool igrpen0, igrpen1;
	uint32_t apr[2]; /* active priorities by group: bit n = priority n << 3 */

	/* Outputs, read by the vCPU without the lock. */
	atomic_bool irq_out, fiq_out;
	pthread_cond_t wake;

	struct gic_vif vif;
};

struct gic_config {
	uint64_t dist_base, redist_base, msi_base;
	bool msi_base_set;
	uint32_t msi_intid_base, msi_intid_count; /* count 0: no MSIs */
};

/* Whether intid is one of the configured MSIs (every backend's check). */
static inline bool gic_config_is_msi(const struct gic_config *c, uint64_t intid)
{
	return c->msi_intid_count && intid >= c->msi_intid_base && intid - c->msi_intid_base < c->msi_intid_count;
}

/* GICM_TYPER: first SPI [25:16], number of SPIs [9:0]. */
static inline uint64_t gic_msi_typer(const struct gic_config *c)
{
	return (uint64_t)c->msi_intid_base << 16 | c->msi_intid_count;
}

struct gic {
	pthread_mutex_t lock;
	struct gic_config cfg;
	uint32_t ctlr; /* EnableGrp0, EnableGrp1 */
	struct gic_irq spi[GIC_NR_SPIS];
	uint64_t irouter[GIC_NR_SPIS];
	struct gic_cpu *cpus[GIC_MAX_CPUS];
};

/* gic_core.c */
struct gic *gic_new(const struct gic_config *cfg);
void gic_free(struct gic *g);
/* A vCPU's redistributor and CPU interface (NULL: out of memory). */
struct gic_cpu *gic_cpu_attach(struct gic *g, unsigned id, uint64_t mpidr);
void gic_cpu_detach(struct gic_cpu *c);
void gic_cpu_set_mpidr(struct gic_cpu *c, uint64_t mpidr);
void gic_reset(struct gic *g);
/* Lock held: */
void gic_reset_cpu_locked(struct gic_cpu *c);
struct gic_irq *gic_irq_of(struct gic_cpu *c, unsigned intid); /* NULL: none */
void gic_update_locked(struct gic *g);
uint8_t gic_group_prio(const struct gic_cpu *c, uint8_t prio, bool group1);
unsigned gic_running_prio(const struct gic_cpu *c); /* 0x100: idle */
/* Highest-priority pending interrupt for c (any group), 1023 if none. */
unsigned gic_hppi_locked(const struct gic_cpu *c, uint8_t *prio);
bool gic_can_signal(const struct gic_cpu *c, unsigned intid, uint8_t prio);
/* Host-driven inputs. */
void gic_set_spi(struct gic *g, unsigned intid, bool level);
void gic_send_msi(struct gic *g, unsigned intid);
void gic_set_ppi_level(struct gic_cpu *c, unsigned intid, bool level);
/* WFI: sleeps until an output rises, *stop becomes true or the host
 * clock reaches deadline (hv_host_ticks units, 0 = none). */
void gic_wait(struct gic_cpu *c, const atomic_bool *stop, uint64_t deadline);
/* Wakes a vCPU sleeping in gic_wait (a cancel). */
void gic_kick(struct gic_cpu *c);
/* The vCPU whose MPIDR affinity (Aff3.Aff2.Aff1.Aff0) is aff, or NULL. */
struct gic_cpu *gic_cpu_by_affinity(struct gic *g, uint64_t aff);

/* gic_regs.c: the per-INTID register arrays shared by the distributor
 * (SPIs) and redistributors (SGIs, PPIs).  at() maps an INTID to its
 * state or NULL (RAZ/WI); lock held. */
typedef struct gic_irq *(*gic_irq_at)(void *ctx, unsigned intid);
enum gic_field { GF_GROUP, GF_ENABLE, GF_PEND, GF_ACTIVE };
enum gic_bits_op { GB_SET, GB_CLEAR, GB_ASSIGN };
uint32_t gic_bits_read(gic_irq_at at, void *ctx, unsigned first, enum gic_field f);
void gic_bits_write(gic_irq_at at, void *ctx, unsigned first, enum gic_field f, uint32_t v,
		    enum gic_bits_op op);
uint64_t gic_prio_read(gic_irq_at at, void *ctx, unsigned first, unsigned n);
void gic_prio_write(gic_irq_at at, void *ctx, unsigned first, unsigned n, uint64_t v);
uint32_t gic_cfg_read(gic_irq_at at, void *ctx, unsigned first);
void gic_cfg_write(gic_irq_at at, void *ctx, unsigned first, uint32_t v);
/* Register array offsets, common to GICD and the GICR SGI frame. */
#define GIC_IGROUPR 0x080
#define GIC_ISENABLER 0x100
#define GIC_ICENABLER 0x180
#define GIC_ISPENDR 0x200
#define GIC_ICPENDR 0x280
#define GIC_ISACTIVER 0x300
#define GIC_ICACTIVER 0x380
#define GIC_IPRIORITYR 0x400
#define GIC_ICFGR 0xc00
#define GIC_PIDR2 0xffe8
#define GIC_PIDR2_V3 0x3b /* ArchRev 3 */
/* An access to the 1-bit, priority or config arrays at off (INTID from
 * the offset); false if off is none of them. */
bool gic_array_read(gic_irq_at at, void *ctx, uint64_t off, unsigned size, uint64_t *value);
bool gic_array_write(gic_irq_at at, void *ctx, uint64_t off, unsigned size, uint64_t value);

/* gic_dist.c: distributor (offsets from its base); the MSI frame is
 * reached through gic_mmio. */
bool gic_dist_read(struct gic *g, uint64_t off, unsigned size, uint64_t *value);
bool gic_dist_write(struct gic *g, uint64_t off, unsigned size, uint64_t value);

/* gic_redist.c: one vCPU's redistributor (offset from its RD_base). */
bool gic_redist_read(struct gic_cpu *c, uint64_t off, unsigned size, uint64_t *value);
bool gic_redist_write(struct gic_cpu *c, uint64_t off, unsigned size, uint64_t value);

/* Whether addr lies in one of the GIC's frames (no lock: fixed). */
bool gic_owns(const struct gic *g, uint64_t addr);
/* Guest physical access to any GIC frame: true if addr is the GIC's
 * (then *value is the read data or the write was done). */
bool gic_mmio(struct gic *g, uint64_t addr, unsigned size, bool is_write, uint64_t *value);

/* gic_cpuif.c: ICC_* system registers by hv_sys_reg_t encoding.
 * guest: an MRS/MSR (IAR acknowledges, SGI1R sends); false for the host
 * API, which reads and writes the state only. */
bool gic_icc_is_reg(uint16_t enc);
bool gic_icc_read(struct gic_cpu *c, uint16_t enc, uint64_t *value, bool guest);
bool gic_icc_write(struct gic_cpu *c, uint16_t enc, uint64_t value, bool guest);

/* gic_vcpuif.c: the virtual CPU interface (EL2 guests).  ICH_*_EL2 by
 * encoding (the guest at EL2 and hv_gic_*_ich_reg); ICV_*_EL1 by the ICC
 * encoding they replace (EL1 under HCR_EL2.IMO/FMO, hv_gic_*_icv_reg). */
bool gic_ich_is_reg(uint16_t enc);
bool gic_ich_read(struct gic_cpu *c, uint16_t enc, uint64_t *value);
bool gic_ich_write(struct gic_cpu *c, uint16_t enc, uint64_t value);
bool gic_icv_read(struct gic_cpu *c, uint16_t enc, uint64_t *value, bool guest);
bool gic_icv_write(struct gic_cpu *c, uint16_t enc, uint64_t value, bool guest);
/* Which routing bit makes an ICC register virtual at EL1: group 0 ones
 * FMO, group 1 ones IMO, the common ones either; the SGI registers trap
 * to EL2 instead (SGI0R: FMO, SGI1R/ASGI1R: IMO); SRE is not virtual. */
enum gic_icc_class { GIC_ICC_GROUP0, GIC_ICC_GROUP1, GIC_ICC_COMMON, GIC_ICC_SGI0, GIC_ICC_SGI1, GIC_ICC_SRE };
enum gic_icc_class gic_icc_class(uint16_t enc);
/* ICH_HCR_EL2.TALL0/TALL1/TC/TDIR trap this ICV access to EL2. */
bool gic_icv_trapped(struct gic_cpu *c, uint16_t enc);
void gic_vif_reset_locked(struct gic_cpu *c); /* lock held */

/* gic_ops.c: the model as a backend's hv_gic_ops (emu). */
extern const struct hv_gic_ops gic_model_ops;

/* gic_state.c: the hv_gic_state blob. */
size_t gic_state_size(const struct gic *g);
void gic_state_save(struct gic *g, void *buf);
bool gic_state_restore(struct gic *g, const void *buf, size_t size);

#endif /* HV_GIC_MODEL_H */
