/*
 * kvm_exits.c - what an exit round trip costs through hv_vcpu_run (the
 * kvm backend) against a raw KVM_RUN loop on the same host, for
 *
 *   MMIO: a guest loop `str x1, [x2]; b .-4` with x2 in unmapped IPA space
 *         (KVM_EXIT_MMIO; hv: EC 0x24 data abort with the decoded syndrome)
 *   HVC:  a guest loop `hvc #0; b .-4` (KVM_EXIT_HYPERCALL through the
 *         SMCCC filter; hv: EC 0x16 with the immediate)
 *
 * Rows: the raw loop (KVM completes the store and advances PC itself);
 * hv_vcpu_run alone (MMIO: PC is not advanced, so the store runs again);
 * hv_vcpu_run plus what a VMM must then do HVF-style (read Rt, PC += 4).
 * Each figure is the best of several rounds.  The raw vCPU gets the
 * backend's features (RAW_NO_PTRAUTH=1: without pointer authentication).
 * aarch64 only: run it in a nested-KVM VM with bench/kvm_exits.sh.
 *
 *   kvm_exits [ITERATIONS] [ROUNDS]
 */
#include <stdio.h>
#include <stdlib.h>

#if defined(__aarch64__)

#include <Hypervisor/Hypervisor.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <stddef.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define RAM_IPA 0x40000000ull
#define RAM_SIZE 0x10000ull
#define MMIO_IPA 0x80000000ull
#define MMIO_ENTRY 0x0
#define HVC_ENTRY 0x8

/* Linux >= 6.4 UAPI (the SMCCC filter), absent from older headers. */
#ifndef KVM_ARM_VM_SMCCC_CTRL
#define KVM_ARM_VM_SMCCC_CTRL 0
#define KVM_ARM_VM_SMCCC_FILTER 0
#define KVM_SMCCC_FILTER_FWD_TO_USER 2
struct kvm_smccc_filter {
	__u32 base;
	__u32 nr_functions;
	__u8 action;
	__u8 pad[15];
};
#endif

static const uint32_t guest_code[] = {
	0xf9000041, /* 0x0: str x1, [x2] */
	0x17ffffff, /* 0x4: b 0x0 */
	0xd4000002, /* 0x8: hvc #0 */
	0x17ffffff, /* 0xc: b 0x8 */
};

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static void die(const char *what)
{
	perror(what);
	exit(1);
}

static void *guest_ram(void)
{
	void *ram = mmap(NULL, RAM_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (ram == MAP_FAILED)
		die("mmap");
	memcpy(ram, guest_code, sizeof(guest_code));
	return ram;
}

/* ---------------------------------------------------------------- raw KVM */

#define CORE_REG(field) \
	(KVM_REG_ARM64 | KVM_REG_SIZE_U64 | KVM_REG_ARM_CORE | (offsetof(struct kvm_regs, field) / sizeof(__u32)))

struct raw {
	int vm, cpu;
	struct kvm_run *run;
};

static void raw_set(struct raw *r, uint64_t id, uint64_t value)
{
	struct kvm_one_reg reg = { .id = id, .addr = (uintptr_t)&value };
	if (ioctl(r->cpu, KVM_SET_ONE_REG, &reg))
		die("KVM_SET_ONE_REG");
}

static void raw_setup(struct raw *r, void *ram)
{
	int kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (kvm < 0)
		die("/dev/kvm");
	r->vm = ioctl(kvm, KVM_CREATE_VM, 0);
	if (r->vm < 0)
		die("KVM_CREATE_VM");
	struct kvm_userspace_memory_region mr = {
		.slot = 0, .guest_phys_addr = RAM_IPA, .memory_size = RAM_SIZE, .userspace_addr = (uintptr_t)ram,
	};
	if (ioctl(r->vm, KVM_SET_USER_MEMORY_REGION, &mr))
		die("KVM_SET_USER_MEMORY_REGION");
	/* HVC with function id 0 (X0) goes to userspace, as in the backend. */
	struct kvm_smccc_filter f = { .base = 0, .nr_functions = 1, .action = KVM_SMCCC_FILTER_FWD_TO_USER };
	struct kvm_device_attr a = {
		.group = KVM_ARM_VM_SMCCC_CTRL, .attr = KVM_ARM_VM_SMCCC_FILTER, .addr = (uintptr_t)&f,
	};
	if (ioctl(r->vm, KVM_SET_DEVICE_ATTR, &a))
		die("KVM_ARM_VM_SMCCC_FILTER");
	r->cpu = ioctl(r->vm, KVM_CREATE_VCPU, 0UL);
	if (r->cpu < 0)
		die("KVM_CREATE_VCPU");
	struct kvm_vcpu_init init;
	if (ioctl(r->vm, KVM_ARM_PREFERRED_TARGET, &init))
		die("KVM_ARM_PREFERRED_TARGET");
	/* The vCPU features the backend asks for (PSCI 0.2, pointer
	 * authentication when offered: its keys are switched on every
	 * entry and exit). */
	init.features[0] |= 1u << KVM_ARM_VCPU_PSCI_0_2;
	if (!getenv("RAW_NO_PTRAUTH") && ioctl(kvm, KVM_CHECK_EXTENSION, KVM_CAP_ARM_PTRAUTH_ADDRESS) > 0 &&
	    ioctl(kvm, KVM_CHECK_EXTENSION, KVM_CAP_ARM_PTRAUTH_GENERIC) > 0)
		init.features[0] |= (1u << KVM_ARM_VCPU_PTRAUTH_ADDRESS) | (1u << KVM_ARM_VCPU_PTRAUTH_GENERIC);
	if (ioctl(r->cpu, KVM_ARM_VCPU_INIT, &init))
		die("KVM_ARM_VCPU_INIT");
	int size = ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
	r->run = mmap(NULL, (size_t)size, PROT_READ | PROT_WRITE, MAP_SHARED, r->cpu, 0);
	if (r->run == MAP_FAILED)
		die("mmap kvm_run");
	close(kvm);
	raw_set(r, CORE_REG(regs.pstate), 0x3c5);
	raw_set(r, CORE_REG(regs.regs[0]), 0);
	raw_set(r, CORE_REG(regs.regs[1]), 0x1234);
	raw_set(r, CORE_REG(regs.regs[2]), MMIO_IPA);
}

static double raw_loop(struct raw *r, uint64_t entry, uint32_t want, unsigned n)
{
	raw_set(r, CORE_REG(regs.pc), RAM_IPA + entry);
	double t0 = now();
	for (unsigned i = 0; i < n; i++) {
		if (ioctl(r->cpu, KVM_RUN, 0) || r->run->exit_reason != want) {
			fprintf(stderr, "raw KVM_RUN: exit reason %u, expected %u\n", r->run->exit_reason, want);
			exit(1);
		}
	}
	return (now() - t0) / n;
}

/* The price of the pieces an hv exit adds: a ONE_REG read, the thread
 * CPU clock (exec time), a KVM_RUN that returns at once. */
static double raw_get_reg_cost(struct raw *r, uint64_t id, unsigned n)
{
	uint64_t v;
	struct kvm_one_reg reg = { .id = id, .addr = (uintptr_t)&v };
	double t0 = now();
	for (unsigned i = 0; i < n; i++)
		if (ioctl(r->cpu, KVM_GET_ONE_REG, &reg))
			die("KVM_GET_ONE_REG");
	return (now() - t0) / n;
}

static double cpu_clock_cost(unsigned n)
{
	struct timespec t;
	double t0 = now();
	for (unsigned i = 0; i < n; i++)
		clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
	return (now() - t0) / n;
}

static double null_run_cost(struct raw *r, unsigned n)
{
	double t0 = now();
	for (unsigned i = 0; i < n; i++) {
		r->run->immediate_exit = 1;
		ioctl(r->cpu, KVM_RUN, 0); /* EINTR at once */
	}
	r->run->immediate_exit = 0;
	return (now() - t0) / n;
}

/* ---------------------------------------------------------------- hv */

static hv_vcpu_t vcpu;
static hv_vcpu_exit_t *ex;

static void check(hv_return_t r, const char *what)
{
	if (r != HV_SUCCESS) {
		fprintf(stderr, "%s: %#x\n", what, (unsigned)r);
		exit(1);
	}
}

static void hv_setup(void *ram)
{
	check(hv_vm_create(NULL), "hv_vm_create");
	check(hv_vm_map(ram, RAM_IPA, RAM_SIZE, HV_MEMORY_READ | HV_MEMORY_WRITE | HV_MEMORY_EXEC), "hv_vm_map");
	check(hv_vcpu_create(&vcpu, &ex, NULL), "hv_vcpu_create");
	check(hv_vcpu_set_reg(vcpu, HV_REG_CPSR, 0x3c5), "set CPSR");
	check(hv_vcpu_set_reg(vcpu, HV_REG_X0, 0), "set X0");
	check(hv_vcpu_set_reg(vcpu, HV_REG_X1, 0x1234), "set X1");
	check(hv_vcpu_set_reg(vcpu, HV_REG_X2, MMIO_IPA), "set X2");
}

static void hv_exit_is(unsigned ec)
{
	if (ex->reason != HV_EXIT_REASON_EXCEPTION || (ex->exception.syndrome >> 26) != ec) {
		fprintf(stderr, "hv_vcpu_run: reason %u syndrome %#llx, expected EC %#x\n", (unsigned)ex->reason,
			(unsigned long long)ex->exception.syndrome, ec);
		exit(1);
	}
}

/* complete: do what an HVF VMM does after a data abort on a store: read
 * Rt (ISS.SRT) for the device, then skip the instruction. */
static double hv_loop(uint64_t entry, unsigned ec, bool complete, unsigned n)
{
	check(hv_vcpu_set_reg(vcpu, HV_REG_PC, RAM_IPA + entry), "set PC");
	double t0 = now();
	for (unsigned i = 0; i < n; i++) {
		check(hv_vcpu_run(vcpu), "hv_vcpu_run");
		hv_exit_is(ec);
		if (complete) {
			uint64_t value, pc;
			unsigned srt = (unsigned)(ex->exception.syndrome >> 16) & 31;
			check(hv_vcpu_get_reg(vcpu, (hv_reg_t)(HV_REG_X0 + srt), &value), "get Rt");
			check(hv_vcpu_get_reg(vcpu, HV_REG_PC, &pc), "get PC");
			check(hv_vcpu_set_reg(vcpu, HV_REG_PC, pc + 4), "set PC");
		}
	}
	return (now() - t0) / n;
}

/* ---------------------------------------------------------------- main */

static double min2(double a, double b)
{
	return a < b ? a : b;
}

int main(int argc, char **argv)
{
	unsigned n = argc > 1 ? (unsigned)strtoul(argv[1], NULL, 0) : 5000;
	unsigned rounds = argc > 2 ? (unsigned)strtoul(argv[2], NULL, 0) : 3;
	if (n == 0 || rounds == 0)
		return 2;
	struct raw r;
	raw_setup(&r, guest_ram());
	hv_setup(guest_ram());

	enum { RAW_MMIO, HV_MMIO, HV_MMIO_DONE, RAW_HVC, HV_HVC, NROWS };
	double best[NROWS];
	for (unsigned i = 0; i < NROWS; i++)
		best[i] = 1e9;
	raw_loop(&r, MMIO_ENTRY, KVM_EXIT_MMIO, n / 10 + 1); /* warm up */
	hv_loop(MMIO_ENTRY, 0x24, false, n / 10 + 1);
	for (unsigned k = 0; k < rounds; k++) { /* interleaved: drift hits all rows */
		best[RAW_MMIO] = min2(best[RAW_MMIO], raw_loop(&r, MMIO_ENTRY, KVM_EXIT_MMIO, n));
		best[HV_MMIO] = min2(best[HV_MMIO], hv_loop(MMIO_ENTRY, 0x24, false, n));
		best[HV_MMIO_DONE] = min2(best[HV_MMIO_DONE], hv_loop(MMIO_ENTRY, 0x24, true, n));
		best[RAW_HVC] = min2(best[RAW_HVC], raw_loop(&r, HVC_ENTRY, KVM_EXIT_HYPERCALL, n));
		best[HV_HVC] = min2(best[HV_HVC], hv_loop(HVC_ENTRY, 0x16, false, n));
	}

	printf("exit round trip, best of %u x %u (us)     MMIO store     HVC\n", rounds, n);
	printf("  raw KVM_RUN loop                      %9.2f  %9.2f\n", best[RAW_MMIO] * 1e6, best[RAW_HVC] * 1e6);
	printf("  hv_vcpu_run                           %9.2f  %9.2f\n", best[HV_MMIO] * 1e6, best[HV_HVC] * 1e6);
	printf("  hv_vcpu_run + VMM completion (Rt, PC) %9.2f  %9s\n", best[HV_MMIO_DONE] * 1e6, "-");
	printf("  ratio hv_vcpu_run / raw               %9.3f  %9.3f\n", best[HV_MMIO] / best[RAW_MMIO],
	       best[HV_HVC] / best[RAW_HVC]);
	printf("  ratio with completion / raw           %9.3f  %9s\n", best[HV_MMIO_DONE] / best[RAW_MMIO], "-");
	printf("pieces (us): KVM_GET_ONE_REG PC %.2f, SCTLR_EL1 %.2f; clock_gettime(THREAD_CPUTIME) %.2f;"
	       " KVM_RUN with immediate_exit %.2f\n",
	       raw_get_reg_cost(&r, CORE_REG(regs.pc), n) * 1e6,
	       raw_get_reg_cost(&r, ARM64_SYS_REG(3, 0, 1, 0, 0), n) * 1e6, cpu_clock_cost(n) * 1e6,
	       null_run_cost(&r, n) * 1e6);
	return 0;
}

#else /* !__aarch64__ */

int main(void)
{
	puts("kvm_exits: needs an aarch64 host with /dev/kvm; run bench/kvm_exits.sh (nested KVM VM)");
	return 0;
}

#endif
