/*
 * backend.c - which backend the suites run on (see backend.h).
 */
#include "backend.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The library's own choice (HV_BACKEND or its default): the only
 * non-public symbol the suites use, so that the answer cannot disagree
 * with what hv_vm_create picks. */
#include "../../src/vcpu/backend.h"

bool hv_test_backend_is_kvm(void)
{
	static int cached = -1;
	if (cached < 0) {
		const struct hv_backend_ops *b = hv_backend_select();
		cached = b && strcmp(b->name, "kvm") == 0;
	}
	return cached;
}

bool hv_test_host_is_tcg(void)
{
	const char *l0 = getenv("HVDBG_TEST_L0");
	return l0 && strcmp(l0, "tcg") == 0;
}

void hv_test_note(const char *test, const char *why)
{
	fprintf(stderr, "NOTE %s: %s\n", test, why);
}

bool hv_test_have_el2(const char *test)
{
	bool el2 = false;
	if (hv_vm_config_get_el2_supported(&el2) == HV_SUCCESS && el2)
		return true;
	hv_test_note(test, "skipped: no EL2 for guests on this backend (emu has)");
	return false;
}

double hv_test_time_scale(void)
{
	const char *e = getenv("HV_TEST_TIME_SCALE");
	double f = e ? strtod(e, NULL) : 1.0;
	return f >= 1.0 ? f : 1.0;
}
