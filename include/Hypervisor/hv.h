/*
 * hv.h - present so that ARM64 programs that include it build.  In Apple's
 * SDK this header carries only the x86_64 API (VMX, under #ifdef
 * __x86_64__), which this library does not implement: on Linux, x86_64
 * hosts included, it adds nothing to <Hypervisor/Hypervisor.h>, exactly
 * as Apple's hv.h adds nothing on arm64.
 */
#ifndef HV_HV_H
#define HV_HV_H

#include <Hypervisor/hv_base.h>
#include <Hypervisor/hv_kern_types.h>

#endif /* HV_HV_H */
