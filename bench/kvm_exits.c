/*
 * kvm_exits.c - what an exit round trip costs through hv_vcpu_run (the
 * kvm backend) against a raw KVM_RUN loop on the same host, for
 *
 *   store: a guest loop `str x1, [x2]; b .-4` with x2 in unmapped IPA space
 *          (KVM_EXIT_MMIO; hv: EC 0x24 data abort with the decoded syndrome)
 *   load:  `ldr x3, [x2]; b .-4` likewise
 *   HVC:   `hvc #0; b .-4` (KVM_EXIT_HYPERCALL through the SMCCC filter;
 *          hv: EC 0x16 with the immediate)
 *
 * Two pairs of rows.  "bare": the exit and nothing else (raw: KVM_RUN in
 * a loop, KVM completes the access itself; hv: hv_vcpu_run in a loop, an
 * MMIO access is not completed and runs again).  "with the VMM's work":
 * what a device model needs from each exit, done the cheapest way each
 * API allows:
 *
 *            raw KVM VMM                          hv VMM (HVF-style)
 *   store    address, data, size in kvm_run;     Rt (ISS.SRT) read, PC read,
 *            KVM completes (no ioctl)            PC += 4 written
 *   load     value into kvm_run->mmio.data;      Rt = value written, PC read,
 *            KVM writes Rt, PC += 4 (no ioctl)   PC += 4 written
 *   HVC      X0 read with KVM_GET_ONE_REG        X0 read (hv_vcpu_get_reg)
 *            (kvm_run has W0 only)
 *
 * Each figure is the best of several rounds, interleaved.  The raw vCPU
 * gets the backend's features (RAW_NO_PTRAUTH=1: without pointer
 * authentication).  aarch64 only: run it in a nested-KVM VM with
 * bench/kvm_exits.sh.
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
#define STORE_ENTRY 0x0
#define HVC_ENTRY 0x8
#define LOAD_ENTRY 0x10
#define LOAD_VALUE 0x5678ull

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
	0xf9400043, /* 0x10: ldr x3, [x2] */
	0x17ffffff, /* 0x14: b 0x10 */
};

enum kind { STORE, LOAD, HVC, NKINDS };
static const uint64_t entry_of[NKINDS] = { STORE_ENTRY, LOAD_ENTRY, HVC_ENTRY };

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

static uint64_t raw_get(struct raw *r, uint64_t id)
{
	uint64_t value;
	struct kvm_one_reg reg = { .id = id, .addr = (uintptr_t)&value };
	if (ioctl(r->cpu, KVM_GET_ONE_REG, &reg))
		die("KVM_GET_ONE_REG");
	return value;
}

/* work: the raw VMM's share of the table at the top. */
static double raw_loop(struct raw *r, enum kind k, bool work, unsigned n)
{
	uint32_t want = k == HVC ? KVM_EXIT_HYPERCALL : KVM_EXIT_MMIO;
	volatile uint64_t sink = 0;
	raw_set(r, CORE_REG(regs.pc), RAM_IPA + entry_of[k]);
	double t0 = now();
	for (unsigned i = 0; i < n; i++) {
		if (ioctl(r->cpu, KVM_RUN, 0) || r->run->exit_reason != want) {
			fprintf(stderr, "raw KVM_RUN: exit reason %u, expected %u\n", r->run->exit_reason, want);
			exit(1);
		}
		if (!work)
			continue;
		if (k == STORE) {
			uint64_t data;
			memcpy(&data, r->run->mmio.data, sizeof(data));
			sink += data + r->run->mmio.phys_addr + r->run->mmio.len;
		} else if (k == LOAD) {
			uint64_t value = LOAD_VALUE;
			memcpy(r->run->mmio.data, &value, sizeof(value));
		} else {
			sink += raw_get(r, CORE_REG(regs.regs[0]));
		}
	}
	double t = (now() - t0) / n;
	if (k == LOAD && work) { /* complete the last load; check what KVM wrote */
		r->run->immediate_exit = 1;
		ioctl(r->cpu, KVM_RUN, 0);
		r->run->immediate_exit = 0;
		if (raw_get(r, CORE_REG(regs.regs[3])) != LOAD_VALUE) {
			fprintf(stderr, "raw load completion: wrong X3\n");
			exit(1);
		}
		raw_set(r, CORE_REG(regs.regs[3]), 0);
	}
	(void)sink;
	return t;
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

/* A ONE_REG read right after an exit: under nested TCG much dearer than
 * the next one (the emulated world switch flushes QEMU's TLB and jump
 * cache, so the ioctl path runs cold). */
static double first_get_reg_cost(struct raw *r, unsigned n)
{
	raw_set(r, CORE_REG(regs.pc), RAM_IPA + HVC_ENTRY);
	double sum = 0;
	for (unsigned i = 0; i < n; i++) {
		if (ioctl(r->cpu, KVM_RUN, 0))
			die("KVM_RUN");
		double t0 = now();
		raw_get(r, CORE_REG(regs.pc));
		sum += now() - t0;
	}
	return sum / n;
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

/* work: the hv VMM's share of the table at the top (HVF-style MMIO
 * completion: Rt from/to the device, then skip the instruction). */
static double hv_loop(enum kind k, bool work, unsigned n)
{
	unsigned ec = k == HVC ? 0x16 : 0x24;
	volatile uint64_t sink = 0;
	check(hv_vcpu_set_reg(vcpu, HV_REG_PC, RAM_IPA + entry_of[k]), "set PC");
	double t0 = now();
	for (unsigned i = 0; i < n; i++) {
		check(hv_vcpu_run(vcpu), "hv_vcpu_run");
		hv_exit_is(ec);
		if (!work)
			continue;
		uint64_t value, pc;
		if (k == HVC) {
			check(hv_vcpu_get_reg(vcpu, HV_REG_X0, &value), "get X0");
			sink += value;
			continue;
		}
		hv_reg_t rt = (hv_reg_t)(HV_REG_X0 + ((ex->exception.syndrome >> 16) & 31));
		if (k == STORE) {
			check(hv_vcpu_get_reg(vcpu, rt, &value), "get Rt");
			sink += value + ex->exception.physical_address;
		} else {
			check(hv_vcpu_set_reg(vcpu, rt, LOAD_VALUE), "set Rt");
		}
		check(hv_vcpu_get_reg(vcpu, HV_REG_PC, &pc), "get PC");
		check(hv_vcpu_set_reg(vcpu, HV_REG_PC, pc + 4), "set PC");
	}
	double t = (now() - t0) / n;
	if (k == LOAD && work) { /* the last completion must have reached X3 */
		uint64_t x3;
		check(hv_vcpu_get_reg(vcpu, HV_REG_X3, &x3), "get X3");
		if (x3 != LOAD_VALUE) {
			fprintf(stderr, "hv load completion: X3 %#llx\n", (unsigned long long)x3);
			exit(1);
		}
		check(hv_vcpu_set_reg(vcpu, HV_REG_X3, 0), "set X3");
	}
	(void)sink;
	return t;
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

	/* best[hv?][work?][kind] */
	double best[2][2][NKINDS];
	for (unsigned a = 0; a < 2; a++)
		for (unsigned b = 0; b < 2; b++)
			for (unsigned k = 0; k < NKINDS; k++)
				best[a][b][k] = 1e9;
	for (unsigned k = 0; k < NKINDS; k++) { /* warm up */
		raw_loop(&r, (enum kind)k, true, n / 10 + 1);
		hv_loop((enum kind)k, true, n / 10 + 1);
	}
	for (unsigned i = 0; i < rounds; i++) /* interleaved: drift hits all rows */
		for (unsigned k = 0; k < NKINDS; k++)
			for (unsigned w = 0; w < 2; w++) {
				best[0][w][k] = min2(best[0][w][k], raw_loop(&r, (enum kind)k, w, n));
				best[1][w][k] = min2(best[1][w][k], hv_loop((enum kind)k, w, n));
			}

	static const char *const row[2][2] = {
		{ "raw KVM_RUN loop, bare", "raw KVM_RUN + the VMM's work" },
		{ "hv_vcpu_run, bare", "hv_vcpu_run + the VMM's work" },
	};
	printf("exit round trip, best of %u x %u (us)        MMIO store  MMIO load        HVC\n", rounds, n);
	for (unsigned a = 0; a < 2; a++)
		for (unsigned w = 0; w < 2; w++)
			printf("  %-40s %10.2f %10.2f %10.2f\n", row[a][w], best[a][w][STORE] * 1e6,
			       best[a][w][LOAD] * 1e6, best[a][w][HVC] * 1e6);
	for (unsigned w = 0; w < 2; w++)
		printf("  %-40s %10.3f %10.3f %10.3f\n", w ? "ratio hv / raw, with the VMM's work" : "ratio hv / raw, bare",
		       best[1][w][STORE] / best[0][w][STORE], best[1][w][LOAD] / best[0][w][LOAD],
		       best[1][w][HVC] / best[0][w][HVC]);
	printf("VMM's work: store: raw nothing (kvm_run has address, data, size; KVM completes),"
	       " hv get Rt, get PC, set PC+4; load: raw value into kvm_run (KVM completes),"
	       " hv set Rt, get PC, set PC+4; HVC: both read X0 (ONE_REG / hv_vcpu_get_reg)\n");
	printf("pieces (us): KVM_GET_ONE_REG PC %.2f (first after an exit %.2f), SCTLR_EL1 %.2f;"
	       " clock_gettime(THREAD_CPUTIME) %.2f; KVM_RUN with immediate_exit %.2f\n",
	       raw_get_reg_cost(&r, CORE_REG(regs.pc), n) * 1e6, first_get_reg_cost(&r, n) * 1e6,
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
