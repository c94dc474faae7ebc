/*
 * hw.c - what the board's hardware is doing, for kernels: `info gic`
 * (distributor, each vCPU's CPU interface, the interrupts enabled,
 * pending or active), `info timer` (the generic timers of each vCPU) and
 * `send` (type into the guest's UART from a script).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "repl_internal.h"

#define MAX_IRQS 1100

static const char *irq_kind(uint32_t id)
{
	return id < 16 ? "SGI" : id < 32 ? "PPI" : "SPI";
}

/* Names for the interrupts this board wires (docs/machine.md). */
static const char *irq_name(uint32_t id)
{
	switch (id) {
	case 27: return "virtual timer";
	case 30: return "physical timer";
	case 26: return "hyp timer";
	case 29: return "secure timer";
	case 33: return "PL011 UART";
	default: return id < 16 ? "IPI" : "";
	}
}

/* EL2 guests: the list registers and controls of the virtual CPU
 * interface, as the guest hypervisor left them. */
static int show_vif(struct repl *r, unsigned vcpu)
{
	struct machine_gic_vif v;
	if (!machine_has_el2(r->m))
		return 0;
	if (machine_gic_vif_state(r->m, vcpu, &v))
		return repl_err(r, "cannot read the virtual CPU interface of vCPU %u", vcpu);
	static const char *const states[] = { "invalid", "pending", "active", "pending+active" };
	printf("vCPU %u virtual CPU interface (the guest's EL2): ICH_HCR_EL2 0x%llx (%s), VENG1 %s, VPMR 0x%02llx, "
	       "MISR 0x%llx\n",
	       vcpu, (unsigned long long)v.hcr, (v.hcr & 1) ? "enabled" : "disabled", (v.vmcr & 2) ? "on" : "off",
	       (unsigned long long)(v.vmcr >> 24 & 0xff), (unsigned long long)v.misr);
	for (unsigned i = 0; i < v.nlrs; i++) {
		uint64_t lr = v.lr[i];
		if (!(lr >> 62) && (v.elrsr >> i & 1))
			continue; /* free */
		printf("  LR%u: vINTID %llu %s, group %u, priority 0x%02llx%s\n", i, (unsigned long long)(lr & 0xffffffff),
		       states[lr >> 62], (unsigned)(lr >> 60 & 1), (unsigned long long)(lr >> 48 & 0xff),
		       (lr >> 61 & 1) ? ", HW" : "");
	}
	return 0;
}

static int info_gic_cpu(struct repl *r, unsigned vcpu, bool all)
{
	struct machine_gic_cpu c;
	static struct machine_gic_irq q[MAX_IRQS];
	size_t n = 0;
	if (machine_gic_cpu_state(r->m, vcpu, &c) || machine_gic_irqs(r->m, vcpu, all, q, MAX_IRQS, &n))
		return repl_err(r, "cannot read the GIC state of vCPU %u", vcpu);
	printf("vCPU %u: ICC_IGRPEN1 %s, PMR 0x%02llx, running priority 0x%02llx%s, EOImode %s\n",
	       vcpu, (c.igrpen1 & 1) ? "on" : "off",
	       (unsigned long long)c.pmr, (unsigned long long)c.rpr, c.rpr == 0xff ? " (idle)" : "",
	       (c.ctlr & 2) ? "1 (EOI drops priority, DIR deactivates)" : "0");
	printf("  INTID  type  state                   prio  grp  trigger  %s\n", vcpu == 0 ? "route / name" : "name");
	for (size_t i = 0; i < n; i++) {
		const struct machine_gic_irq *x = &q[i];
		if (vcpu != 0 && x->intid >= 32)
			break; /* SPIs are shown once, with vCPU 0 */
		char state[40];
		snprintf(state, sizeof(state), "%s%s%s", x->enabled ? "enabled" : "disabled",
			 x->pending ? "+pending" : "", x->active ? "+active" : "");
		char route[40] = "";
		if (x->intid >= 32)
			snprintf(route, sizeof(route), (x->route >> 31 & 1) ? "any CPU  " : "aff %llx  ",
				 (unsigned long long)(x->route & 0xff00ffffffull));
		bool masked = x->priority >= c.pmr;
		printf("  %5u  %s   %-23s 0x%02x%s %-4u %-8s %s%s\n", x->intid, irq_kind(x->intid), state,
		       x->priority, masked && x->enabled ? "*" : " ", x->group1 ? 1 : 0,
		       x->edge ? "edge" : "level", route, irq_name(x->intid));
	}
	return 0;
}

/* info gic [all|VCPU] */
int info_gic(struct repl *r, char *args)
{
	if (!machine_has_gic(r->m))
		return repl_err(r, "this machine has no GIC (the ELF machine's minimal CPU interface only "
				   "answers ICC_IAR1 for the vtimer; --kernel boots the GIC machine)");
	bool all = false;
	int one = -1;
	args = skip_ws(args);
	if (!strcmp(args, "all"))
		all = true;
	else if (*args)
		one = (int)strtoul(args, NULL, 0);
	if (one >= (int)machine_ncpus(r->m))
		return repl_err(r, "no vCPU %d", one);
	uint64_t ctlr = 0;
	if (machine_gic_dist_ctlr(r->m, &ctlr))
		return repl_err(r, "cannot read GICD_CTLR");
	printf("GICv3 distributor at 0x%llx: group 0 %s, group 1 %s, affinity routing, one security state\n",
	       (unsigned long long)MACHINE_GICD_BASE, (ctlr & 1) ? "enabled" : "disabled",
	       (ctlr & 2) ? "enabled" : "disabled");
	for (unsigned v = 0; v < machine_ncpus(r->m); v++) {
		if ((one >= 0 && (int)v != one) || machine_vcpu_state(r->m, v) == VCPU_OFF)
			continue;
		if (info_gic_cpu(r, v, all))
			return -1;
	}
	printf("(* priority not above PMR: masked at this CPU interface)\n");
	for (unsigned v = 0; v < machine_ncpus(r->m); v++) {
		if ((one >= 0 && (int)v != one) || machine_vcpu_state(r->m, v) == VCPU_OFF)
			continue;
		if (show_vif(r, v))
			return -1;
	}
	return 0;
}

static void show_timer(const char *name, uint64_t ctl, uint64_t cval, uint64_t now, uint64_t frq)
{
	printf("  %-8s CTL 0x%llx (%s%s%s)", name, (unsigned long long)ctl, (ctl & 1) ? "enabled" : "disabled",
	       (ctl & 2) ? ", masked" : "", (ctl & 4) ? ", condition met" : "");
	printf("  CVAL 0x%llx", (unsigned long long)cval);
	if ((ctl & 1) && frq) {
		if (cval > now)
			printf("  fires in %.3f ms", (double)(cval - now) * 1e3 / (double)frq);
		else
			printf("  fired %.3f ms ago", (double)(now - cval) * 1e3 / (double)frq);
	}
	printf("\n");
}

/* info timer: each vCPU's EL1 virtual and physical timers. */
int info_timer(struct repl *r, char *args)
{
	(void)args;
	for (unsigned v = 0; v < machine_ncpus(r->m); v++) {
		if (machine_vcpu_state(r->m, v) == VCPU_OFF)
			continue;
		uint64_t frq = 0, vct = 0, vctl = 0, vcval = 0, pctl = 0, pcval = 0, off = 0, kctl = 0;
		if (machine_get_sys_reg(r->m, v, HV_SYS_REG_CNTV_CTL_EL0, &vctl) ||
		    machine_get_sys_reg(r->m, v, HV_SYS_REG_CNTV_CVAL_EL0, &vcval))
			return repl_err(r, "cannot read the timers of vCPU %u", v);
		machine_get_sys_reg(r->m, v, HV_SYS_REG_CNTKCTL_EL1, &kctl);
		bool have_p = machine_has_gic(r->m) &&
			      machine_get_sys_reg(r->m, v, HV_SYS_REG_CNTP_CTL_EL0, &pctl) == 0 &&
			      machine_get_sys_reg(r->m, v, HV_SYS_REG_CNTP_CVAL_EL0, &pcval) == 0;
		if (machine_timer_now(r->m, v, &frq, &vct, &off))
			return repl_err(r, "cannot read the counter of vCPU %u", v);
		printf("vCPU %u: CNTFRQ %llu Hz, CNTVCT 0x%llx (%.3f s), CNTVOFF 0x%llx, CNTKCTL 0x%llx\n", v,
		       (unsigned long long)frq, (unsigned long long)vct, frq ? (double)vct / (double)frq : 0.0,
		       (unsigned long long)off, (unsigned long long)kctl);
		show_timer("virtual", vctl, vcval, vct, frq);
		if (have_p)
			show_timer("physical", pctl, pcval, vct + off, frq);
	}
	return 0;
}

/* send TEXT: C escapes (\n \r \t \e \\ \xNN) decoded, queued for the UART. */
int cmd_send(struct repl *r, const char *fmt, char *args)
{
	(void)fmt;
	args = skip_ws(args);
	size_t n = 0, len = strlen(args);
	char *buf = malloc(len + 1);
	if (!buf)
		return repl_err(r, "out of memory");
	for (size_t i = 0; i < len; i++) {
		char c = args[i];
		if (c == '\\' && i + 1 < len) {
			char e = args[++i];
			switch (e) {
			case 'n': c = '\n'; break;
			case 'r': c = '\r'; break;
			case 't': c = '\t'; break;
			case 'e': c = 0x1b; break;
			case 'x': {
				unsigned v = 0, k = 0;
				while (k < 2 && i + 1 < len && strchr("0123456789abcdefABCDEF", args[i + 1])) {
					char h = args[++i];
					v = v * 16 + (unsigned)(h <= '9' ? h - '0' : (h | 0x20) - 'a' + 10);
					k++;
				}
				c = (char)v;
				break;
			}
			default: c = e; break;
			}
		}
		buf[n++] = c;
	}
	machine_uart_input(r->m, buf, n);
	free(buf);
	printf("queued %zu byte%s for the UART; 'continue' lets the guest read them\n", n, n == 1 ? "" : "s");
	return 0;
}
