/*
 * emu_exits.c - exit costs of the emu backend, public API only:
 *
 *   MMIO round trip: the guest stores to an unmapped IPA in a loop; each
 *       store exits (EC 0x24), the VMM steps the PC past it and runs
 *       again.  Time per exit and re-entry.
 *   cancel latency: the guest spins (B .); another thread calls
 *       hv_vcpus_exit and times until hv_vcpu_run has returned with
 *       HV_EXIT_REASON_CANCELED.
 *
 * bench/emu_exits.sh runs it with the translator on and off, side by side.
 *
 *   emu_exits [ROUND_TRIPS] [CANCELS]
 */
#include <Hypervisor/Hypervisor.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#define RAM 0x40000000ull
#define RAM_SIZE 0x10000ull
#define MMIO 0x09000000ull
#define STR_X1_X0 0xf9000001u /* str x1, [x0] */
#define B_BACK 0x17ffffffu    /* b .-4 */
#define B_SELF 0x14000000u    /* b . */

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

#define CHECK(call)                                                                \
	do {                                                                       \
		if ((call) != HV_SUCCESS) {                                        \
			fprintf(stderr, "emu_exits: %s failed\n", #call);          \
			exit(1);                                                   \
		}                                                                  \
	} while (0)

static hv_vcpu_t vcpu;
static hv_vcpu_exit_t *vexit;
static atomic_uint started;  /* spin-loop runs begun by the vCPU thread */
static atomic_uint sent;     /* cancels sent */
static atomic_uint finished; /* spin-loop runs that have returned */
static double cancel_sent;

static void *canceller(void *arg)
{
	unsigned n = *(unsigned *)arg;
	for (unsigned i = 1; i <= n; i++) {
		while (atomic_load(&started) != i)
			;
		/* Let the guest get into its loop (translated, chaining). */
		struct timespec d = { 0, 200000 };
		nanosleep(&d, NULL);
		cancel_sent = now();
		atomic_store(&sent, i);
		hv_vcpus_exit(&vcpu, 1);
		while (atomic_load(&finished) != i)
			;
	}
	return NULL;
}

int main(int argc, char **argv)
{
	unsigned trips = argc > 1 ? (unsigned)atoi(argv[1]) : 200000;
	unsigned cancels = argc > 2 ? (unsigned)atoi(argv[2]) : 200;
	uint32_t *ram = mmap(NULL, RAM_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (ram == MAP_FAILED)
		return 1;
	ram[0] = STR_X1_X0;
	ram[1] = B_BACK;
	ram[2] = B_SELF;
	CHECK(hv_vm_create(NULL));
	CHECK(hv_vm_map(ram, RAM, RAM_SIZE, HV_MEMORY_READ | HV_MEMORY_WRITE | HV_MEMORY_EXEC));
	CHECK(hv_vcpu_create(&vcpu, &vexit, NULL));
	CHECK(hv_vcpu_set_reg(vcpu, HV_REG_CPSR, 0x3c5));
	CHECK(hv_vcpu_set_reg(vcpu, HV_REG_X0, MMIO));
	CHECK(hv_vcpu_set_reg(vcpu, HV_REG_PC, RAM));

	double t0 = now();
	for (unsigned i = 0; i < trips; i++) {
		CHECK(hv_vcpu_run(vcpu));
		if (vexit->reason != HV_EXIT_REASON_EXCEPTION || ((vexit->exception.syndrome >> 26) & 0x3f) != 0x24) {
			fprintf(stderr, "emu_exits: unexpected exit %u\n", (unsigned)vexit->reason);
			return 1;
		}
		uint64_t pc;
		CHECK(hv_vcpu_get_reg(vcpu, HV_REG_PC, &pc));
		CHECK(hv_vcpu_set_reg(vcpu, HV_REG_PC, pc + 4));
	}
	double trip_us = (now() - t0) / trips * 1e6;

	pthread_t th;
	if (pthread_create(&th, NULL, canceller, &cancels) != 0)
		return 1;
	double sum = 0, worst = 0;
	for (unsigned i = 1; i <= cancels; i++) {
		CHECK(hv_vcpu_set_reg(vcpu, HV_REG_PC, RAM + 8));
		atomic_store(&started, i);
		CHECK(hv_vcpu_run(vcpu));
		double lat = now() - cancel_sent;
		if (vexit->reason != HV_EXIT_REASON_CANCELED || atomic_load(&sent) != i) {
			fprintf(stderr, "emu_exits: spin loop left with exit %u\n", (unsigned)vexit->reason);
			return 1;
		}
		sum += lat;
		if (lat > worst)
			worst = lat;
		atomic_store(&finished, i);
	}
	pthread_join(th, NULL);
	printf("MMIO store exit round trip: %.3f us\n", trip_us);
	printf("hv_vcpus_exit latency: mean %.2f us, worst %.2f us\n", sum / cancels * 1e6, worst * 1e6);
	return 0;
}
