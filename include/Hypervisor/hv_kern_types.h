/*
 * hv_kern_types.h - return codes and memory flags (arm64), with the exact
 * values of xnu's <arm64/hv/hv_kern_types.h>.
 */
#ifndef HV_KERN_TYPES_H
#define HV_KERN_TYPES_H

#include <stdint.h>

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

typedef uint64_t hv_memory_flags_t;
#define HV_MEMORY_READ (1ull << 0)
#define HV_MEMORY_WRITE (1ull << 1)
#define HV_MEMORY_EXEC (1ull << 2)

#endif /* HV_KERN_TYPES_H */
