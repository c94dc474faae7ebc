/*
 * hv_kern_types.h - return codes and memory flags (arm64), with the exact
 * values of xnu's <arm64/hv/hv_kern_types.h>.
 */
#ifndef HV_KERN_TYPES_H
#define HV_KERN_TYPES_H

#include <stdint.h>

/*
 * Apple's 64-bit types are uint64_t, which on macOS is unsigned long long;
 * programs print them with %llx.  On LP64 Linux uint64_t is unsigned long,
 * so the types below are spelled unsigned long long (same size and ABI):
 * such printf calls compile without format warnings here as on macOS.
 * Functions that Apple declares with uint64_t * (hv_vcpu_get_reg, ...)
 * keep uint64_t * (docs/compatibility.md).
 */
typedef unsigned long long hv_u64_t_;

/* mach_error_t: signed 32-bit; err_local | err_sub(0xba5) | code. */
typedef int hv_return_t;

#define HV_SUCCESS ((hv_return_t)0)
#define HV_ERROR ((hv_return_t)0xfae94001)
#define HV_BUSY ((hv_return_t)0xfae94002)
#define HV_BAD_ARGUMENT ((hv_return_t)0xfae94003)
#define HV_ILLEGAL_GUEST_STATE ((hv_return_t)0xfae94004)
#define HV_NO_RESOURCES ((hv_return_t)0xfae94005)
#define HV_NO_DEVICE ((hv_return_t)0xfae94006)
#define HV_DENIED ((hv_return_t)0xfae94007)
#define HV_EXISTS ((hv_return_t)0xfae94008)
#define HV_UNSUPPORTED ((hv_return_t)0xfae9400f)

typedef hv_u64_t_ hv_memory_flags_t;
#define HV_MEMORY_READ (1ull << 0)
#define HV_MEMORY_WRITE (1ull << 1)
#define HV_MEMORY_EXEC (1ull << 2)

#endif /* HV_KERN_TYPES_H */
