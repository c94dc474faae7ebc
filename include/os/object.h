/*
 * os/object.h - reference counting of OS objects (hv_vm_config_t,
 * hv_vcpu_config_t), as libdispatch provides on macOS.
 */
#ifndef HV_OS_OBJECT_H
#define HV_OS_OBJECT_H

#ifdef __cplusplus
extern "C" {
#endif

extern __attribute__((visibility("default"))) void *os_retain(void *object);
extern __attribute__((visibility("default"))) void os_release(void *object);

#ifdef __cplusplus
}
#endif

#endif /* HV_OS_OBJECT_H */
