/*
 * pagewalk.h - software stage-1 translation table walk (VMSAv8-64,
 * EL1&0 regime, 4K/16K/64K granules, 48-bit OA) on a snapshot of the
 * translation registers, for debugger memory access by virtual address
 * and the REPL `pagewalk` command.  Descriptors are read through a
 * callback (guest RAM only), so a bogus table never touches host memory.
 */
#ifndef HVDBG_PAGEWALK_H
#define HVDBG_PAGEWALK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Stage 2 of an EL2 guest's hypervisor (pagewalk_s2.c). */
struct pagewalk_s2_regs {
	uint64_t vtcr, vttbr;
};

struct pagewalk_regs {
	uint64_t sctlr, tcr, ttbr0, ttbr1;
	/* EL2 guests.  el2: the walk is EL2's own stage 1 (SCTLR_EL2,
	 * TTBR0_EL2 and TCR_EL2 as a TCR_EL1 with TTBR1 walks disabled, in
	 * the fields above).  s2: EL1&0 under HCR_EL2.VM: the stage-1 tables
	 * and its output go through the guest hypervisor's stage 2. */
	bool el2, s2;
	struct pagewalk_s2_regs s2r;
};

enum pagewalk_desc_type { PW_INVALID, PW_TABLE, PW_BLOCK, PW_PAGE };

struct pagewalk_level {
	int level;             /* -1..3 (-1 with 52-bit VAs: FEAT_LPA2) */
	uint64_t table;        /* IPA of the table */
	uint64_t index;        /* entry index in it */
	uint64_t desc_addr;    /* IPA of the descriptor */
	uint64_t desc;         /* its value (0 if unreadable) */
	enum pagewalk_desc_type type;
};

struct pagewalk_result {
	bool mmu_on;          /* SCTLR_EL1.M; if false ipa = va, nlevels = 0 */
	bool el2;             /* the walk was EL2's own (pagewalk_regs.el2) */
	bool ok;              /* a translation was found */
	int ttbr;             /* 0 or 1 */
	unsigned granule;     /* bytes: 4096, 16384, 65536 */
	unsigned input_bits;  /* 64 - TnSZ */
	int nlevels;
	struct pagewalk_level lv[5];
	uint64_t ipa;         /* output address (ok) */
	uint64_t block_size;  /* size of the page or block mapped */
	/* final descriptor attributes (ok) */
	unsigned ap;          /* AP[2:1] */
	bool uxn, pxn, af, ng;
	unsigned sh, attr_index;
	char fault[96];       /* why not ok, e.g. "translation fault, level 2" */
	/* Effective permissions (ok or AF fault): the final descriptor's AP,
	 * PXN and UXN restricted by the tables above it (APTable, PXNTable,
	 * UXNTable unless TCR_EL1.HPDn), by "writable at EL0 implies PXN" and
	 * by SCTLR_EL1.WXN; limits[] says which rule removed what. */
	bool el1_w, el0_r, el0_w, el1_x, el0_x;
	int nlimits;
	char limits[6][112];
};

/* Reads 8 bytes at an IPA; returns false if not readable (not RAM). */
typedef bool (*pagewalk_read_fn)(void *ctx, uint64_t ipa, uint64_t *val);

/* Walks va; returns true if translated (r->ok). */
bool pagewalk(const struct pagewalk_regs *regs, uint64_t va, pagewalk_read_fn read, void *ctx,
	      struct pagewalk_result *r);

struct pagewalk_s2_result {
	bool ok;
	unsigned granule, input_bits;
	int nlevels;
	struct pagewalk_level lv[4];
	uint64_t pa, block_size;
	unsigned s2ap, memattr;
	bool xn;
	char fault[96];
};

/* Walks an IPA through stage 2; returns true if translated. */
bool pagewalk_s2(const struct pagewalk_s2_regs *regs, uint64_t ipa, pagewalk_read_fn read, void *ctx,
		 struct pagewalk_s2_result *r);
const char *pagewalk_s2_format(const struct pagewalk_s2_result *r, uint64_t ipa, char *buf, size_t len);

/* One level's line of a report ("  L1: table ... block") into buf;
 * returns the length it wanted (as snprintf). */
size_t pagewalk_format_level(const struct pagewalk_level *L, char *buf, size_t len);

/* Human-readable report of a walk (several lines) into buf; returns buf. */
const char *pagewalk_format(const struct pagewalk_result *r, uint64_t va, char *buf, size_t len);

#endif
