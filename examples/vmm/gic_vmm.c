/*
 * gic_vmm.c - the GIC in five minutes: a VMM that gives its guest Apple's
 * in-framework GICv3 (macOS 15 API) and a "device" whose interrupt line
 * is SPI 40.  Only <Hypervisor/Hypervisor.h>; it builds unchanged on
 * macOS 15.
 *
 *   gic_vmm build/examples/guests/gic_hello.bin
 *
 * 1. hv_vm_create, then the GIC (before any vCPU): where its distributor
 *    and redistributors sit in guest physical memory.
 * 2. The vCPU; its redistributor's address goes to the guest in X0.
 * 3. A device thread raises the line: hv_gic_set_spi(40, true).  The
 *    guest's GIC accesses, its WFI and the interrupt's delivery all happen
 *    inside the library: no exits.
 * 4. The guest tells the device it is done (an MMIO store, an exit): the
 *    device lowers its line.  UART bytes and PSCI SYSTEM_OFF as in
 *    mini_vmm.c.
 */
#include <Hypervisor/Hypervisor.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#define RAM_BASE 0x40000000ull
#define RAM_SIZE (16ull << 20)
#define GICD_BASE 0x08000000ull
#define GICR_BASE 0x080a0000ull
#define UART_DR 0x09000000ull
#define DEV_ACK 0x0a000000ull
#define DEVICE_SPI 40
#define PSCI_SYSTEM_OFF 0x84000008ull

#define CHECK(call)                                                                      \
	do {                                                                             \
		hv_return_t r_ = (call);                                                 \
		if (r_ != HV_SUCCESS) {                                                  \
			fprintf(stderr, "gic_vmm: %s failed: 0x%x\n", #call, (unsigned)r_); \
			exit(1);                                                         \
		}                                                                        \
	} while (0)

static void *device(void *arg)
{
	(void)arg;
	usleep(20000); /* some time later, the device has something to say */
	printf("device: raising SPI %d\n", DEVICE_SPI);
	fflush(stdout);
	CHECK(hv_gic_set_spi(DEVICE_SPI, true)); /* any thread may */
	return NULL;
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: gic_vmm GUEST.bin\n");
		return 2;
	}
	void *ram = mmap(NULL, RAM_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	FILE *f = fopen(argv[1], "rb");
	if (ram == MAP_FAILED || !f || fread(ram, 1, RAM_SIZE, f) == 0) {
		fprintf(stderr, "gic_vmm: cannot load %s\n", argv[1]);
		return 1;
	}
	fclose(f);

	CHECK(hv_vm_create(NULL));
	CHECK(hv_vm_map(ram, RAM_BASE, RAM_SIZE, HV_MEMORY_READ | HV_MEMORY_WRITE | HV_MEMORY_EXEC));
	hv_gic_config_t gic = hv_gic_config_create();
	CHECK(hv_gic_config_set_distributor_base(gic, GICD_BASE));
	CHECK(hv_gic_config_set_redistributor_base(gic, GICR_BASE));
	CHECK(hv_gic_create(gic));
	os_release(gic);

	hv_vcpu_t vcpu;
	hv_vcpu_exit_t *exit_info;
	CHECK(hv_vcpu_create(&vcpu, &exit_info, NULL));
	CHECK(hv_vcpu_set_sys_reg(vcpu, HV_SYS_REG_MPIDR_EL1, 0x80000000)); /* affinity 0.0.0.0 */
	hv_ipa_t rd;
	CHECK(hv_gic_get_redistributor_base(vcpu, &rd));
	CHECK(hv_vcpu_set_reg(vcpu, HV_REG_X0, rd));
	CHECK(hv_vcpu_set_reg(vcpu, HV_REG_PC, RAM_BASE));
	CHECK(hv_vcpu_set_reg(vcpu, HV_REG_CPSR, 0x3c5)); /* EL1h, interrupts masked */

	pthread_t dev;
	pthread_create(&dev, NULL, device, NULL);
	for (;;) {
		CHECK(hv_vcpu_run(vcpu));
		uint64_t esr = exit_info->exception.syndrome, x0 = 0, pc = 0;
		unsigned ec = (unsigned)(esr >> 26) & 0x3f;
		if (exit_info->reason != HV_EXIT_REASON_EXCEPTION)
			continue;
		if (ec == 0x16) { /* HVC: PSCI */
			hv_vcpu_get_reg(vcpu, HV_REG_X0, &x0);
			if (x0 == PSCI_SYSTEM_OFF)
				break;
			fprintf(stderr, "gic_vmm: unknown HVC function 0x%llx\n", (unsigned long long)x0);
			return 1;
		}
		if (ec != 0x24 || !(esr & (1u << 24)) || !(esr & (1u << 6))) {
			fprintf(stderr, "gic_vmm: unexpected exit, ESR 0x%llx\n", (unsigned long long)esr);
			return 1;
		}
		/* An MMIO store: Rt holds the data (31 would be XZR). */
		unsigned srt = (esr >> 16) & 31;
		uint64_t data = 0;
		if (srt != 31)
			hv_vcpu_get_reg(vcpu, HV_REG_X0 + srt, &data);
		if (exit_info->exception.physical_address == UART_DR) {
			putchar((int)(data & 0xff));
			fflush(stdout);
		} else if (exit_info->exception.physical_address == DEV_ACK) {
			printf("device: acknowledged, lowering SPI %d\n", DEVICE_SPI);
			CHECK(hv_gic_set_spi(DEVICE_SPI, false));
		}
		hv_vcpu_get_reg(vcpu, HV_REG_PC, &pc);
		hv_vcpu_set_reg(vcpu, HV_REG_PC, pc + 4);
	}
	pthread_join(dev, NULL);
	fflush(stdout);
	hv_vcpu_destroy(vcpu);
	hv_vm_destroy();
	return 0;
}
