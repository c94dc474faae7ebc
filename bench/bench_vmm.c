/*
 * bench_vmm.c - runs a bare-metal benchmark guest (ELF-free flat image
 * linked at 0x40200000) on libhypervisor until PSCI SYSTEM_OFF and prints
 * the wall time and the guest's checksum (x1).
 *
 *   bench_vmm GUEST.bin
 */
#include <Hypervisor/Hypervisor.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <time.h>

#define RAM_BASE 0x40000000ull
#define RAM_SIZE (128ull << 20)
#define LOAD_ADDR 0x40200000ull

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: bench_vmm GUEST.bin\n");
		return 2;
	}
	uint8_t *ram = mmap(NULL, RAM_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	FILE *f = fopen(argv[1], "rb");
	if (ram == MAP_FAILED || !f) {
		perror("bench_vmm");
		return 1;
	}
	size_t n = fread(ram + (LOAD_ADDR - RAM_BASE), 1, RAM_SIZE - (LOAD_ADDR - RAM_BASE), f);
	fclose(f);
	if (n == 0)
		return 1;
	hv_vcpu_t vcpu;
	hv_vcpu_exit_t *vexit;
	if (hv_vm_create(NULL) || hv_vm_map(ram, RAM_BASE, RAM_SIZE, 7) ||
	    hv_vcpu_create(&vcpu, &vexit, NULL) || hv_vcpu_set_reg(vcpu, HV_REG_CPSR, 0x3c5) ||
	    hv_vcpu_set_reg(vcpu, HV_REG_PC, LOAD_ADDR)) {
		fprintf(stderr, "bench_vmm: setup failed\n");
		return 1;
	}
	double t0 = now();
	for (;;) {
		if (hv_vcpu_run(vcpu) != HV_SUCCESS)
			return 1;
		uint64_t esr = vexit->exception.syndrome;
		unsigned ec = (esr >> 26) & 0x3f;
		if (vexit->reason == HV_EXIT_REASON_EXCEPTION && ec == 0x16)
			break;
		if (vexit->reason == HV_EXIT_REASON_EXCEPTION && ec == 0x24 && (esr & (1u << 24)) &&
		    (esr & (1u << 6)) && vexit->exception.physical_address == 0x09000000) {
			/* UART data register: the guest prints its checksum. */
			uint64_t v = 0, pc;
			unsigned srt = (esr >> 16) & 31;
			if (srt != 31)
				hv_vcpu_get_reg(vcpu, HV_REG_X0 + srt, &v);
			putchar((int)(v & 0xff));
			hv_vcpu_get_reg(vcpu, HV_REG_PC, &pc);
			hv_vcpu_set_reg(vcpu, HV_REG_PC, pc + 4);
			continue;
		}
		fprintf(stderr, "bench_vmm: unexpected exit %u EC 0x%x\n", vexit->reason, ec);
		return 1;
	}
	double t1 = now();
	fprintf(stderr, "time %.6f\n", t1 - t0);
	hv_vcpu_destroy(vcpu);
	return 0;
}
