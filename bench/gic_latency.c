/*
 * gic_latency.c - interrupt latencies through the GIC API (hv_gic_*, both
 * backends), public API only:
 *
 *   SPI:  a host thread calls hv_gic_set_spi (edge) and spins until the
 *         guest's IRQ handler has counted it in RAM: injection to the
 *         guest's vector and back, per interrupt.
 *   SGI:  vCPU 0 sends an SGI to vCPU 1 (ICC_SGI1R_EL1) and spins until
 *         vCPU 1's handler has counted it: a round trip between two
 *         vCPUs on two threads, all inside the guest.
 *
 * The guest is tests/guests/gic.S (its setup, WFI loop, counting IRQ
 * handler and SGI loop).  bench/gic.sh runs it on emu here and on kvm in
 * the nested-KVM VM, side by side.
 *
 *   gic_latency GIC.BIN [ITERATIONS]
 */
#include <Hypervisor/Hypervisor.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#define RAM 0x40000000ull
#define RAM_SIZE (4ull << 20)
#define GICD 0x08000000ull
#define GICR 0x080a0000ull
#define SPI 40u
#define COUNTERS 0x100000ull /* 8-byte counters[INTID], one page per vCPU */
enum { E_WAIT = 0, E_SETUP = 1, E_SGI_LOOP = 8 };

static uint8_t *ram;
static unsigned iterations = 2000;

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static void check(hv_return_t r, const char *what)
{
	if (r != HV_SUCCESS) {
		fprintf(stderr, "gic_latency: %s: 0x%x\n", what, (unsigned)r);
		exit(1);
	}
}

static volatile uint64_t *counter(unsigned vcpu, unsigned intid)
{
	return (volatile uint64_t *)(ram + COUNTERS + 0x2000 * vcpu) + intid;
}

/* Creates the calling thread's vCPU, runs the guest's GIC setup for it. */
static hv_vcpu_t make_vcpu(hv_vcpu_exit_t **ex)
{
	hv_vcpu_t v;
	check(hv_vcpu_create(&v, ex, NULL), "hv_vcpu_create");
	return v;
}

static void setup(hv_vcpu_t v, hv_vcpu_exit_t *ex)
{
	uint64_t mpidr = 0;
	hv_ipa_t rd;
	hv_vcpu_get_sys_reg(v, HV_SYS_REG_MPIDR_EL1, &mpidr);
	check(hv_gic_get_redistributor_base(v, &rd), "redistributor base");
	hv_vcpu_set_sys_reg(v, HV_SYS_REG_VBAR_EL1, RAM + 0x800);
	hv_vcpu_set_sys_reg(v, HV_SYS_REG_SP_EL1, RAM + RAM_SIZE - 0x10000 * v);
	hv_vcpu_set_reg(v, HV_REG_CPSR, 0x3c5);
	hv_vcpu_set_reg(v, HV_REG_PC, RAM + 4 * E_SETUP);
	hv_vcpu_set_reg(v, HV_REG_X1, GICD);
	hv_vcpu_set_reg(v, HV_REG_X2, rd);
	hv_vcpu_set_reg(v, HV_REG_X3, SPI + v); /* one SPI routed to each vCPU */
	hv_vcpu_set_reg(v, HV_REG_X4, mpidr & 0xffffff);
	check(hv_vcpu_run(v), "setup run");
	if (ex->reason != HV_EXIT_REASON_EXCEPTION || (ex->exception.syndrome & 0xffff) != 1) {
		fprintf(stderr, "gic_latency: setup did not finish\n");
		exit(1);
	}
	/* Then the counting WFI loop. */
	hv_vcpu_set_reg(v, HV_REG_PC, RAM + 4 * E_WAIT);
	hv_vcpu_set_reg(v, HV_REG_X20, RAM + COUNTERS + 0x2000 * v);
	hv_vcpu_set_reg(v, HV_REG_X21, 1);
}

struct peer {
	sem_t made, go, ready;
	hv_vcpu_t vcpu;
	uint64_t mpidr;
};

static void *peer_main(void *arg)
{
	struct peer *p = arg;
	hv_vcpu_exit_t *ex;
	p->vcpu = make_vcpu(&ex);
	hv_vcpu_get_sys_reg(p->vcpu, HV_SYS_REG_MPIDR_EL1, &p->mpidr);
	sem_post(&p->made);
	sem_wait(&p->go);
	setup(p->vcpu, ex);
	sem_post(&p->ready);
	hv_vcpu_run(p->vcpu); /* counts SGIs until cancelled */
	hv_vcpu_destroy(p->vcpu);
	return NULL;
}

struct injector {
	hv_vcpu_t vcpu;
	double secs;
};

static void *inject_main(void *arg)
{
	struct injector *in = arg;
	unsigned spi = SPI + (unsigned)in->vcpu; /* routed to that vCPU by setup() */
	volatile uint64_t *c = counter((unsigned)in->vcpu, spi);
	double t0 = now();
	for (unsigned i = 0; i < iterations; i++) {
		uint64_t before = *c;
		hv_gic_set_spi(spi, true);
		while (*c == before)
			;
	}
	in->secs = now() - t0;
	hv_vcpus_exit(&in->vcpu, 1);
	return NULL;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: gic_latency GIC.BIN [ITERATIONS]\n");
		return 2;
	}
	if (argc > 2)
		iterations = (unsigned)strtoul(argv[2], NULL, 0);
	ram = mmap(NULL, RAM_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	FILE *f = fopen(argv[1], "rb");
	if (ram == MAP_FAILED || !f || fread(ram, 1, COUNTERS, f) == 0) {
		fprintf(stderr, "gic_latency: cannot load %s\n", argv[1]);
		return 1;
	}
	fclose(f);
	check(hv_vm_create(NULL), "hv_vm_create");
	check(hv_vm_map(ram, RAM, RAM_SIZE, HV_MEMORY_READ | HV_MEMORY_WRITE | HV_MEMORY_EXEC), "map");
	hv_gic_config_t cfg = hv_gic_config_create();
	check(hv_gic_config_set_distributor_base(cfg, GICD), "distributor base");
	check(hv_gic_config_set_redistributor_base(cfg, GICR), "redistributor base");
	check(hv_gic_create(cfg), "hv_gic_create");
	os_release(cfg);

	/* Both vCPUs exist before either runs (KVM's vgic fixes the
	 * topology at the first run). */
	struct peer p;
	sem_init(&p.made, 0, 0);
	sem_init(&p.go, 0, 0);
	sem_init(&p.ready, 0, 0);
	pthread_t pt;
	pthread_create(&pt, NULL, peer_main, &p);
	sem_wait(&p.made);
	hv_vcpu_exit_t *ex;
	hv_vcpu_t v0 = make_vcpu(&ex);
	setup(v0, ex);
	/* SPIs 32-47 edge-triggered. */
	check(hv_gic_set_distributor_reg(HV_GIC_DISTRIBUTOR_REG_GICD_ICFGR2, 0xaaaaaaaa), "ICFGR2");
	sem_post(&p.go);
	sem_wait(&p.ready);

	/* SPI: the host injects, vCPU 0 (in WFI) takes it. */
	struct injector in = { v0, 0 };
	pthread_t it;
	pthread_create(&it, NULL, inject_main, &in);
	check(hv_vcpu_run(v0), "SPI run");
	pthread_join(it, NULL);

	/* SGI: vCPU 0's guest loop pings vCPU 1 `iterations` times. */
	uint64_t aff0 = p.mpidr & 0xff;
	uint64_t sgi = 5ull << 24 | ((p.mpidr >> 8) & 0xff) << 16 | ((p.mpidr >> 16) & 0xff) << 32 |
		       (aff0 >> 4) << 44 | 1ull << (aff0 & 15);
	hv_vcpu_set_reg(v0, HV_REG_PC, RAM + 4 * E_SGI_LOOP);
	hv_vcpu_set_reg(v0, HV_REG_CPSR, 0x3c5);
	hv_vcpu_set_reg(v0, HV_REG_X1, sgi);
	hv_vcpu_set_reg(v0, HV_REG_X2, RAM + COUNTERS + 0x2000 * p.vcpu + 8 * 5);
	hv_vcpu_set_reg(v0, HV_REG_X3, iterations);
	double t0 = now();
	check(hv_vcpu_run(v0), "SGI run");
	double sgi_secs = now() - t0;
	if (ex->reason != HV_EXIT_REASON_EXCEPTION || (ex->exception.syndrome & 0xffff) != 8) {
		fprintf(stderr, "gic_latency: SGI loop did not finish (reason %u)\n", ex->reason);
		return 1;
	}
	hv_vcpus_exit(&p.vcpu, 1);
	pthread_join(pt, NULL);
	unsigned spi0 = SPI + (unsigned)v0;
	if (*counter((unsigned)p.vcpu, 5) != iterations || *counter((unsigned)v0, spi0) != iterations) {
		fprintf(stderr, "gic_latency: counts %llu SGIs, %llu SPIs, want %u\n",
			(unsigned long long)*counter((unsigned)p.vcpu, 5),
			(unsigned long long)*counter((unsigned)v0, spi0), iterations);
		return 1;
	}
	printf("SPI injection to handler and back  %8.2f us\n", in.secs / iterations * 1e6);
	printf("SGI round trip between two vCPUs    %8.2f us\n", sgi_secs / iterations * 1e6);
	hv_vcpu_destroy(v0);
	hv_vm_destroy();
	return 0;
}
