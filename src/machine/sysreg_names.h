/*
 * sysreg_names.h - system register names by encoding (sysreg_names.c).
 */
#ifndef HVDBG_SYSREG_NAMES_H
#define HVDBG_SYSREG_NAMES_H

#include <stdbool.h>
#include <stddef.h>

/* "SCTLR_EL1", or the generic "S3_0_C1_C0_0" written into buf. */
const char *sysreg_name(unsigned op0, unsigned op1, unsigned crn, unsigned crm, unsigned op2, char *buf, size_t len);

/* The hv_sys_reg_t value (= encoding) of a register named as in the API
 * (case-insensitive: "ACTLR_EL1", "id_aa64mmfr1_el1"); false if none. */
bool sysreg_api_by_name(const char *name, unsigned *enc);

#endif
