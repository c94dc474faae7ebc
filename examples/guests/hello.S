/*
 * hello.S - prints a line through a PL011 UART at 0x09000000 (each store
 * is an MMIO exit the VMM emulates) and powers off with PSCI SYSTEM_OFF
 * over HVC.  Runs at EL1 with the MMU off; linked at 0x40000000.
 */
	.equ UART_DR, 0x09000000
	.equ PSCI_SYSTEM_OFF, 0x84000008

	.text
	.global _start
_start:
	ldr	x1, =UART_DR
	adr	x2, message
1:	ldrb	w3, [x2], #1
	cbz	w3, 2f
	strb	w3, [x1]
	b	1b
2:	ldr	x0, =PSCI_SYSTEM_OFF
	hvc	#0
	b	.

message:
	.asciz	"Hello from an ARM64 guest, through MMIO exits!\n"
