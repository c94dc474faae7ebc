/*
 * apple_style.c - written as macOS programs are: includes <Hypervisor/hv.h>
 * beside the umbrella header and prints Apple's 64-bit types with %llx /
 * %llu.  test_install builds it with -Wall -Wextra -Wformat=2 -Werror
 * against the installed headers: it must compile without a warning.
 * Running it prints one line and exits 0 when a VM can be made.
 */
#include <Hypervisor/hv.h>
#include <Hypervisor/Hypervisor.h>
#include <mach/mach_time.h>
#include <stdio.h>

int main(void)
{
	hv_vcpu_t vcpu = 0;
	hv_vcpu_exit_t *exit_info = NULL;
	hv_ipa_t ipa = 0x40000000;
	hv_memory_flags_t flags = HV_MEMORY_READ | HV_MEMORY_WRITE;
	uint64_t value = 0;
	if (hv_vm_create(NULL) != HV_SUCCESS || hv_vcpu_create(&vcpu, &exit_info, NULL) != HV_SUCCESS)
		return 1;
	hv_vcpu_get_reg(vcpu, HV_REG_CPSR, &value);
	printf("vcpu %llu ipa 0x%llx flags 0x%llx syndrome 0x%llx va 0x%llx pa 0x%llx t %llu cpsr 0x%llx\n",
	       vcpu, ipa, flags, exit_info->exception.syndrome, exit_info->exception.virtual_address,
	       exit_info->exception.physical_address, mach_absolute_time(),
	       (unsigned long long)value);
	hv_vcpu_destroy(vcpu);
	hv_vm_destroy();
	return 0;
}
