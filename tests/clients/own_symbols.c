/*
 * own_symbols.c - a VMM that defines functions with the generic names the
 * library uses inside (mem_read, mmu_walk, hv_memmap_add, emu_exec_run,
 * fpu_arith): it must link against libhypervisor.a and .so without a
 * clash, and the library must keep calling its own.  Prints "ok".
 */
#include <Hypervisor/Hypervisor.h>
#include <stdio.h>
#include <sys/mman.h>

int mem_read(int x) { return x + 1; }
int mem_write(int x) { return x + 2; }
int mmu_walk(int x) { return x + 3; }
int hv_memmap_add(int x) { return x + 4; }
int emu_exec_run(int x) { return x + 5; }
int fpu_arith(int x) { return x + 6; }

int main(void)
{
	/* A guest that loads through the MMU-off path and then HVCs. */
	static const unsigned code[] = {
		0xf9400020, /* ldr x0, [x1] */
		0xd4000002, /* hvc #0 */
	};
	size_t sz = 0x10000;
	unsigned *ram = mmap(NULL, sz, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (ram == MAP_FAILED)
		return 1;
	ram[0] = code[0];
	ram[1] = code[1];
	ram[0x100] = 0x12345678;
	hv_vcpu_t vcpu;
	hv_vcpu_exit_t *ex;
	if (hv_vm_create(NULL) || hv_vm_map(ram, 0x40000000, sz, HV_MEMORY_READ | HV_MEMORY_WRITE | HV_MEMORY_EXEC) ||
	    hv_vcpu_create(&vcpu, &ex, NULL))
		return 2;
	hv_vcpu_set_reg(vcpu, HV_REG_PC, 0x40000000);
	hv_vcpu_set_reg(vcpu, HV_REG_CPSR, 0x3c5);
	hv_vcpu_set_reg(vcpu, HV_REG_X1, 0x40000400);
	if (hv_vcpu_run(vcpu))
		return 3;
	uint64_t x0 = 0;
	hv_vcpu_get_reg(vcpu, HV_REG_X0, &x0);
	int mine = mem_read(0) + mem_write(0) + mmu_walk(0) + hv_memmap_add(0) + emu_exec_run(0) + fpu_arith(0);
	if (ex->reason != HV_EXIT_REASON_EXCEPTION || (ex->exception.syndrome >> 26) != 0x16 ||
	    x0 != 0x12345678 || mine != 21) {
		printf("wrong: reason %u esr 0x%llx x0 0x%llx mine %d\n", ex->reason,
		       ex->exception.syndrome, (unsigned long long)x0, mine);
		return 4;
	}
	hv_vcpu_destroy(vcpu);
	hv_vm_destroy();
	printf("ok\n");
	return 0;
}
