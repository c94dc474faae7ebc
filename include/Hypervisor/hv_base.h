/*
 * hv_base.h - common macros for the Hypervisor.framework-compatible API.
 *
 * Apple's headers use Darwin-only macros (API_AVAILABLE, OS_ENUM, nullability
 * qualifiers).  We define them here so that programs written for macOS
 * compile unchanged with gcc and clang on Linux.
 */
#ifndef HV_BASE_H
#define HV_BASE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#ifdef __cplusplus
#define HV_BEGIN_DECLS extern "C" {
#define HV_END_DECLS }
#else
#define HV_BEGIN_DECLS
#define HV_END_DECLS
#endif

#ifndef __BEGIN_DECLS
#define __BEGIN_DECLS HV_BEGIN_DECLS
#define __END_DECLS HV_END_DECLS
#endif

/* Availability annotations carry no meaning on Linux. */
#ifndef API_AVAILABLE
#define API_AVAILABLE(...)
#endif
#ifndef API_UNAVAILABLE
#define API_UNAVAILABLE(...)
#endif
#define HV_API_AVAILABLE_ARM64(...)
#define HV_API_AVAILABLE_X86_64(...)
#define HV_API_AVAILABLE(...)

#ifndef OS_EXPORT
#define OS_EXPORT extern __attribute__((visibility("default")))
#endif
#ifndef OS_WARN_RESULT
#define OS_WARN_RESULT __attribute__((warn_unused_result))
#endif
#ifndef OS_OBJECT_RETURNS_RETAINED
#define OS_OBJECT_RETURNS_RETAINED
#endif
#ifndef OS_ASSUME_NONNULL_BEGIN
#define OS_ASSUME_NONNULL_BEGIN
#define OS_ASSUME_NONNULL_END
#endif

/* gcc has no nullability qualifiers; clang knows them. */
#if !defined(__clang__)
#ifndef _Nullable
#define _Nullable
#endif
#ifndef _Nonnull
#define _Nonnull
#endif
#ifndef _Null_unspecified
#define _Null_unspecified
#endif
#endif

/*
 * OS_ENUM(name, type, ...) makes name_t with exactly the size of `type`
 * (hv_sys_reg_t is 16-bit, hv_reg_t 32-bit), as Apple's <os/base.h> does for
 * compilers without fixed-underlying-type enums in C.
 */
#ifndef OS_ENUM
#define OS_ENUM(_name, _type, ...) \
	enum { __VA_ARGS__ };          \
	typedef _type _name##_t
#endif

#endif /* HV_BASE_H */
