/*
 * backend.h - which backend the conformance suites run on, so that a test
 * whose expected result differs *by design* on one backend can assert
 * that backend's documented behaviour instead (docs/kvm-backend.md,
 * "What KVM cannot express").  Every such test says why in a comment.
 */
#ifndef TESTS_BACKEND_H
#define TESTS_BACKEND_H

#include <stdbool.h>

/* The library runs on its kvm backend (HV_BACKEND=kvm, or the default on
 * an aarch64 host whose /dev/kvm the backend can use). */
bool hv_test_backend_is_kvm(void);

/* The KVM host is itself an emulator (QEMU TCG, as in tests/kvm/run-vm,
 * which sets HVDBG_TEST_L0=tcg): architectural checks the emulator omits
 * do not happen for the nested guest either. */
bool hv_test_host_is_tcg(void);

/* Prints "NOTE test: why" on stderr (a test that checks a documented
 * difference or cannot check anything on this backend). */
void hv_test_note(const char *test, const char *why);

/* Whether the backend offers EL2 guests (hv_vm_config_get_el2_supported);
 * if not, notes that `test` is skipped. */
bool hv_test_have_el2(const char *test);

/* Factor for the suites' wall-clock bounds (HV_TEST_TIME_SCALE, default
 * 1): runs under valgrind or on a loaded machine are many times slower,
 * and a time bound there says nothing about the library. */
double hv_test_time_scale(void);

#endif /* TESTS_BACKEND_H */
