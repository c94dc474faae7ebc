/*
 * board_fdt.c - generates the GIC machine's device tree (see board_fdt.h):
 * what QEMU's virt board says about the same devices, nothing more.
 */
#include "board_fdt.h"

#include <libfdt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "machine.h"
#include "pl011.h"

#define PHANDLE_GIC 1
#define PHANDLE_CLK 2
#define UART_CLOCK_HZ 24000000u

/* GIC interrupt specifiers (arm,gic-v3 binding): type, number, flags. */
#define GIC_SPI 0
#define GIC_PPI 1
#define IRQ_LEVEL_HIGH 4
#define IRQ_LEVEL_LOW 8

/* fdt_property of big-endian cells / of (address, size) pairs. */
static int prop_cells(void *fdt, const char *name, const uint32_t *v, int n)
{
	fdt32_t c[16];
	for (int i = 0; i < n; i++)
		c[i] = cpu_to_fdt32(v[i]);
	return fdt_property(fdt, name, c, n * (int)sizeof(c[0]));
}

static int prop_reg(void *fdt, const uint64_t *v, int n)
{
	fdt64_t c[8];
	for (int i = 0; i < n; i++)
		c[i] = cpu_to_fdt64(v[i]);
	return fdt_property(fdt, "reg", c, n * (int)sizeof(c[0]));
}

static int node_cpus(void *fdt, const struct board_fdt *b)
{
	int e = fdt_begin_node(fdt, "cpus");
	e = e ?: fdt_property_u32(fdt, "#address-cells", 1);
	e = e ?: fdt_property_u32(fdt, "#size-cells", 0);
	for (unsigned i = 0; i < b->ncpus && !e; i++) {
		char name[32];
		snprintf(name, sizeof(name), "cpu@%x", i);
		e = fdt_begin_node(fdt, name);
		e = e ?: fdt_property_string(fdt, "device_type", "cpu");
		e = e ?: fdt_property_string(fdt, "compatible", "arm,armv8");
		e = e ?: fdt_property_u32(fdt, "reg", i);
		e = e ?: fdt_property_string(fdt, "enable-method", "psci");
		e = e ?: fdt_end_node(fdt);
	}
	return e ?: fdt_end_node(fdt);
}

static int node_gic(void *fdt, const struct board_fdt *b)
{
	char name[40];
	snprintf(name, sizeof(name), "interrupt-controller@%llx", (unsigned long long)MACHINE_GICD_BASE);
	uint64_t reg[4] = { MACHINE_GICD_BASE, 0x10000, MACHINE_GICR_BASE, 0x20000ull * b->ncpus };
	int e = fdt_begin_node(fdt, name);
	e = e ?: fdt_property_string(fdt, "compatible", "arm,gic-v3");
	e = e ?: fdt_property_u32(fdt, "#interrupt-cells", 3);
	e = e ?: fdt_property(fdt, "interrupt-controller", NULL, 0);
	e = e ?: fdt_property_u32(fdt, "#address-cells", 0);
	e = e ?: prop_reg(fdt, reg, 4);
	e = e ?: fdt_property_u32(fdt, "#redistributor-regions", 1);
	/* The maintenance interrupt (PPI 9 = INTID 25, level) exists only
	 * with EL2: KVM in the guest needs it for its vGIC. */
	static const uint32_t maint[3] = { GIC_PPI, 9, IRQ_LEVEL_HIGH };
	if (b->el2)
		e = e ?: prop_cells(fdt, "interrupts", maint, 3);
	e = e ?: fdt_property_u32(fdt, "phandle", PHANDLE_GIC);
	return e ?: fdt_end_node(fdt);
}

static int node_timer(void *fdt)
{
	/* Secure, non-secure physical, virtual, hypervisor timer PPIs, with
	 * a CPU mask for every CPU (the GICv3 binding ignores it). */
	static const uint32_t irqs[12] = {
		GIC_PPI, 13, IRQ_LEVEL_HIGH, GIC_PPI, 14, IRQ_LEVEL_HIGH,
		GIC_PPI, 11, IRQ_LEVEL_HIGH, GIC_PPI, 10, IRQ_LEVEL_HIGH,
	};
	int e = fdt_begin_node(fdt, "timer");
	e = e ?: fdt_property_string(fdt, "compatible", "arm,armv8-timer");
	e = e ?: prop_cells(fdt, "interrupts", irqs, 12);
	e = e ?: fdt_property(fdt, "always-on", NULL, 0);
	return e ?: fdt_end_node(fdt);
}

static int node_uart(void *fdt, const struct board_fdt *b, char *path, size_t pathlen)
{
	snprintf(path, pathlen, "/pl011@%llx", (unsigned long long)b->uart_base);
	uint64_t reg[2] = { b->uart_base, PL011_SIZE };
	uint32_t irq[3] = { GIC_SPI, MACHINE_UART_INTID - 32, IRQ_LEVEL_HIGH };
	uint32_t clks[2] = { PHANDLE_CLK, PHANDLE_CLK };
	static const char compat[] = "arm,pl011\0arm,primecell";
	static const char clk_names[] = "uartclk\0apb_pclk";
	int e = fdt_begin_node(fdt, path + 1);
	e = e ?: fdt_property(fdt, "compatible", compat, sizeof(compat));
	e = e ?: prop_reg(fdt, reg, 2);
	e = e ?: prop_cells(fdt, "interrupts", irq, 3);
	e = e ?: prop_cells(fdt, "clocks", clks, 2);
	e = e ?: fdt_property(fdt, "clock-names", clk_names, sizeof(clk_names));
	return e ?: fdt_end_node(fdt);
}

int board_fdt_build(const struct board_fdt *b, void **out, size_t *size, char *err, size_t errlen)
{
	int cap = 64 * 1024 + (int)b->ncpus * 256 + (b->bootargs ? (int)strlen(b->bootargs) : 0);
	void *fdt = malloc((size_t)cap);
	if (!fdt) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	char uart_path[40], mem_name[40];
	snprintf(mem_name, sizeof(mem_name), "memory@%llx", (unsigned long long)b->ram_base);
	uint64_t mem_reg[2] = { b->ram_base, b->ram_size };
	static const char psci_compat[] = "arm,psci-1.0\0arm,psci-0.2";

	int e = fdt_create(fdt, cap);
	e = e ?: fdt_finish_reservemap(fdt);
	e = e ?: fdt_begin_node(fdt, "");
	e = e ?: fdt_property_string(fdt, "compatible", "linux,dummy-virt");
	e = e ?: fdt_property_string(fdt, "model", "hvdbg");
	e = e ?: fdt_property_u32(fdt, "#address-cells", 2);
	e = e ?: fdt_property_u32(fdt, "#size-cells", 2);
	e = e ?: fdt_property_u32(fdt, "interrupt-parent", PHANDLE_GIC);

	e = e ?: fdt_begin_node(fdt, "psci");
	e = e ?: fdt_property(fdt, "compatible", psci_compat, sizeof(psci_compat));
	e = e ?: fdt_property_string(fdt, "method", b->el2 ? "smc" : "hvc");
	e = e ?: fdt_end_node(fdt);

	e = e ?: fdt_begin_node(fdt, mem_name);
	e = e ?: fdt_property_string(fdt, "device_type", "memory");
	e = e ?: prop_reg(fdt, mem_reg, 2);
	e = e ?: fdt_end_node(fdt);

	e = e ?: node_cpus(fdt, b);
	e = e ?: node_gic(fdt, b);
	e = e ?: node_timer(fdt);

	e = e ?: fdt_begin_node(fdt, "apb-pclk");
	e = e ?: fdt_property_string(fdt, "compatible", "fixed-clock");
	e = e ?: fdt_property_u32(fdt, "#clock-cells", 0);
	e = e ?: fdt_property_u32(fdt, "clock-frequency", UART_CLOCK_HZ);
	e = e ?: fdt_property_string(fdt, "clock-output-names", "clk24mhz");
	e = e ?: fdt_property_u32(fdt, "phandle", PHANDLE_CLK);
	e = e ?: fdt_end_node(fdt);

	e = e ?: node_uart(fdt, b, uart_path, sizeof(uart_path));

	e = e ?: fdt_begin_node(fdt, "chosen");
	if (b->bootargs)
		e = e ?: fdt_property_string(fdt, "bootargs", b->bootargs);
	e = e ?: fdt_property_string(fdt, "stdout-path", uart_path);
	if (b->initrd_end > b->initrd_start) {
		e = e ?: fdt_property_u64(fdt, "linux,initrd-start", b->initrd_start);
		e = e ?: fdt_property_u64(fdt, "linux,initrd-end", b->initrd_end);
	}
	e = e ?: fdt_end_node(fdt);

	e = e ?: fdt_end_node(fdt);
	e = e ?: fdt_finish(fdt);
	if (e) {
		snprintf(err, errlen, "building the device tree: %s", fdt_strerror(e));
		free(fdt);
		return -1;
	}
	*out = fdt;
	*size = fdt_totalsize(fdt);
	return 0;
}
