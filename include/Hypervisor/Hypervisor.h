/*
 * Hypervisor.h - umbrella header of the Hypervisor.framework-compatible
 * ARM64 API.  The API describes an ARM64 guest whatever the host is, so it
 * is defined unconditionally (Apple wraps it in #ifdef __arm64__).
 */
#ifndef HYPERVISOR_H
#define HYPERVISOR_H

#include <Hypervisor/hv_base.h>
#include <Hypervisor/hv_kern_types.h>
#include <Hypervisor/hv_vm_types.h>
#include <Hypervisor/hv_vm.h>
#include <Hypervisor/hv_vm_allocate.h>
#include <Hypervisor/hv_vm_config.h>
#include <Hypervisor/hv_vcpu_types.h>
#include <Hypervisor/hv_vcpu.h>
#include <Hypervisor/hv_vcpu_config.h>
#include <Hypervisor/hv_sme_config.h>
#include <Hypervisor/hv_gic_types.h>
#include <Hypervisor/hv_gic_config.h>
#include <Hypervisor/hv_gic_parameters.h>
#include <Hypervisor/hv_gic_state.h>
#include <Hypervisor/hv_gic.h>
#include <os/object.h>

#endif /* HYPERVISOR_H */
