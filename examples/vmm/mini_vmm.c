/*
 * mini_vmm.c - a minimal VMM written only against the public
 * Hypervisor.framework API, as a macOS program would be: it loads a flat
 * guest image at 0x40000000, emulates a PL011 UART data register at
 * 0x09000000 from data-abort exits, and handles PSCI SYSTEM_OFF/RESET
 * over HVC.  Enough for the example guests that need no interrupts and
 * one vCPU: hello, exceptions, paging, fpsimd, watch (docs/tutorial.md).
 *
 *   mini_vmm GUEST.bin
 */
#include <Hypervisor/Hypervisor.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#define RAM_BASE 0x40000000ull
#define RAM_SIZE (128ull << 20) /* as the default machine (docs/machine.md) */
#define UART_BASE 0x09000000ull
#define UART_SIZE 0x1000ull
#define PSCI_SYSTEM_OFF 0x84000008ull
#define PSCI_SYSTEM_RESET 0x84000009ull

#define CHECK(call)                                                             \
	do {                                                                    \
		hv_return_t r_ = (call);                                        \
		if (r_ != HV_SUCCESS) {                                         \
			fprintf(stderr, "mini_vmm: %s failed: 0x%x\n", #call,   \
				(unsigned)r_);                                  \
			exit(1);                                                \
		}                                                               \
	} while (0)

static void load_image(const char *path, uint8_t *ram)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		fprintf(stderr, "mini_vmm: %s: %s\n", path, strerror(errno));
		exit(1);
	}
	size_t n = fread(ram, 1, RAM_SIZE, f);
	if (ferror(f) || n == 0) {
		fprintf(stderr, "mini_vmm: %s: cannot read a guest image\n", path);
		exit(1);
	}
	fclose(f);
}

/* Emulates an MMIO access from a data-abort exit; false if unhandled. */
static bool handle_mmio(hv_vcpu_t vcpu, const hv_vcpu_exit_t *ex)
{
	uint64_t esr = ex->exception.syndrome;
	uint64_t ipa = ex->exception.physical_address;
	bool isv = esr & (1u << 24), is_write = esr & (1u << 6);
	unsigned srt = (esr >> 16) & 31;
	if (!isv || ipa < UART_BASE || ipa >= UART_BASE + UART_SIZE)
		return false;
	if (is_write) {
		uint64_t value = 0;
		if (srt != 31)
			CHECK(hv_vcpu_get_reg(vcpu, HV_REG_X0 + srt, &value));
		if (ipa == UART_BASE) {
			putchar((int)(value & 0xff));
			fflush(stdout);
		}
	} else if (srt != 31) {
		/* UARTFR (0x18) reads 0: transmit FIFO never full. */
		CHECK(hv_vcpu_set_reg(vcpu, HV_REG_X0 + srt, 0));
	}
	uint64_t pc;
	CHECK(hv_vcpu_get_reg(vcpu, HV_REG_PC, &pc));
	CHECK(hv_vcpu_set_reg(vcpu, HV_REG_PC, pc + 4));
	return true;
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: mini_vmm GUEST.bin\n");
		return 2;
	}
	uint8_t *ram = mmap(NULL, RAM_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (ram == MAP_FAILED) {
		perror("mini_vmm: mmap");
		return 1;
	}
	load_image(argv[1], ram);

	CHECK(hv_vm_create(NULL));
	CHECK(hv_vm_map(ram, RAM_BASE, RAM_SIZE, HV_MEMORY_READ | HV_MEMORY_WRITE | HV_MEMORY_EXEC));

	hv_vcpu_t vcpu;
	hv_vcpu_exit_t *vexit;
	CHECK(hv_vcpu_create(&vcpu, &vexit, NULL));
	CHECK(hv_vcpu_set_reg(vcpu, HV_REG_CPSR, 0x3c5)); /* EL1h, DAIF masked */
	CHECK(hv_vcpu_set_reg(vcpu, HV_REG_PC, RAM_BASE));
	CHECK(hv_vcpu_set_sys_reg(vcpu, HV_SYS_REG_SP_EL1, RAM_BASE + RAM_SIZE));

	int status = 1;
	for (;;) {
		CHECK(hv_vcpu_run(vcpu));
		if (vexit->reason != HV_EXIT_REASON_EXCEPTION) {
			fprintf(stderr, "mini_vmm: unexpected exit reason %u\n", vexit->reason);
			break;
		}
		uint64_t esr = vexit->exception.syndrome;
		unsigned ec = (esr >> 26) & 0x3f;
		if (ec == 0x24 && handle_mmio(vcpu, vexit))
			continue;
		if (ec == 0x16) { /* HVC: PSCI */
			uint64_t fn;
			CHECK(hv_vcpu_get_reg(vcpu, HV_REG_X0, &fn));
			if (fn == PSCI_SYSTEM_OFF || fn == PSCI_SYSTEM_RESET) {
				status = 0;
				break;
			}
			CHECK(hv_vcpu_set_reg(vcpu, HV_REG_X0, (uint64_t)-1)); /* NOT_SUPPORTED */
			continue;
		}
		uint64_t pc;
		CHECK(hv_vcpu_get_reg(vcpu, HV_REG_PC, &pc));
		fprintf(stderr, "mini_vmm: unhandled exit: EC 0x%02x ESR 0x%llx FAR 0x%llx IPA 0x%llx PC 0x%llx\n",
			ec, (unsigned long long)esr, (unsigned long long)vexit->exception.virtual_address,
			(unsigned long long)vexit->exception.physical_address, (unsigned long long)pc);
		break;
	}
	CHECK(hv_vcpu_destroy(vcpu));
	CHECK(hv_vm_unmap(RAM_BASE, RAM_SIZE));
	CHECK(hv_vm_destroy());
	munmap(ram, RAM_SIZE);
	return status;
}
