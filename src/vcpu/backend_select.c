/*
 * backend_select.c - picks the backend: HV_BACKEND=kvm|emu, or by default
 * kvm where /dev/kvm works and emu otherwise.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend.h"

const struct hv_backend_ops *hv_backend_select(void)
{
	const char *want = getenv("HV_BACKEND");
	if (want && *want) {
		if (!strcmp(want, "emu"))
			return &hv_emu_backend;
		if (!strcmp(want, "kvm")) {
#ifdef HV_HAVE_KVM
			if (hv_kvm_backend.available())
				return &hv_kvm_backend;
			fprintf(stderr, "libhypervisor: HV_BACKEND=kvm but /dev/kvm is not usable\n");
#else
			fprintf(stderr, "libhypervisor: HV_BACKEND=kvm but this build has no kvm backend (host is not aarch64)\n");
#endif
			return NULL;
		}
		fprintf(stderr, "libhypervisor: unknown HV_BACKEND '%s' (use kvm or emu)\n", want);
		return NULL;
	}
#ifdef HV_HAVE_KVM
	if (hv_kvm_backend.available())
		return &hv_kvm_backend;
#endif
	return &hv_emu_backend;
}
