# gen_a64_seeds.py - regenerates tests/fuzz-corpus/a64_exec_fuzz/ (input format: fuzz/a64_exec_fuzz.c).
#   python3 tests/fuzz-corpus/gen_a64_seeds.py tests/fuzz-corpus/a64_exec_fuzz   (needs aarch64-linux-gnu-as)
# Each seed: (mode byte, pointer mask, assembly).
import os, struct, subprocess, sys, tempfile
out = sys.argv[1]
os.makedirs(out, exist_ok=True)
tmp = tempfile.mkdtemp()
def words(asm):
    s, o, b = (os.path.join(tmp, n) for n in ('t.s', 't.o', 't.bin'))
    open(s, 'w').write(asm + '\n')
    subprocess.check_call(['aarch64-linux-gnu-as', '-march=armv8.5-a+fp16+crc+lse', '-o', o, s])
    subprocess.check_call(['aarch64-linux-gnu-objcopy', '-O', 'binary', '-j', '.text', o, b])
    return open(b, 'rb').read()
seeds = {
 'empty_el1': (0x00, 0, ''),
 'ldst_el1': (0x00, 0x3f, 'ldr x6, [x0]\nstr x6, [x1, #8]!\nldp x2, x3, [x2]\nstp x4, x5, [sp, #-16]!\nldrb w7, [x3, x4]'),
 'ldst_mmu': (0x02, 0x3f, 'ldr x6, [x0]\nstr x6, [x1, #8]!\nldxr x2, [x2]\nstxr w9, x3, [x2]\nldadd x4, x5, [x3]\ncas x6, x7, [x4]'),
 'ldst_el0_mmu': (0x03, 0x3f, 'ldr x6, [x0]\nstr x6, [x1]\nldr q0, [x2]\nst1 {v0.16b, v1.16b}, [x3]\nsvc #1'),
 'mmio': (0x00, 0x00, 'str x1, [x0]\nldr w2, [x0, #4]\nstr x1, [x0, #0x100]\nhvc #5'),
 'sysregs': (0x02, 0x00, 'mrs x0, sctlr_el1\nmsr vbar_el1, x1\nmrs x2, tcr_el1\nmsr ttbr0_el1, x3\nisb\ntlbi vmalle1\ndsb sy\nldr x4, [x5]'),
 'eret': (0x00, 0x00, 'msr elr_el1, x0\nmsr spsr_el1, x1\neret'),
 'exc_gen': (0x04, 0x00, 'brk #1\nsvc #2\nsmc #3\nwfi\nwfe\nudf #0'),
 'fp': (0x00, 0x07, 'ldr d0, [x0]\nfadd d1, d0, d0\nfmul v2.4s, v1.4s, v0.4s\nfcvtzs x3, d1\nscvtf h4, w3\nfrecpe v5.2d, v2.2d'),
 'fp_trap': (0x08, 0x07, 'fadd d1, d0, d0\nmov v0.d[1], x1'),
 'branch': (0x00, 0x00, 'cbz x0, 1f\nadr x1, .\nblr x1\n1: tbz x2, #3, 2f\nret\n2: b.eq .+8\nbr x0'),
 'irq': (0x40, 0x00, 'msr daifclr, #0xf\nnop\nnop\nwfi'),
 'align': (0x80, 0x01, 'ldr x1, [x0, #1]\nldxr x2, [x0]\nldar w3, [x1]'),
 'dc_at': (0x02, 0x07, 'dc zva, x0\ndc civac, x1\nat s1e1r, x2\nmrs x3, par_el1\nat s1e0w, x1\nic ivau, x0'),
 'ttbr1': (0x22, 0x00, 'movn x0, #0\nldr x1, [x0]\nmrs x2, currentel\nmsr spsel, #0\nmsr pan, #1'),
 'debug': (0x04, 0x00, 'msr mdscr_el1, x1\nmsr dbgbvr0_el1, x0\nmsr dbgbcr0_el1, x2\nisb\nnop\nmsr oslar_el1, x3'),
 'dp': (0x00, 0x3f, 'add x0, x1, x2, lsl #3\nsubs w3, w4, #0xfff\nmadd x5, x0, x1, x3\nudiv x6, x5, x4\ncrc32cx w7, w7, x6\nextr x8, x1, x2, #13\nrbit x9, x8\nccmp x0, x1, #4, ne'),
 'selfmod': (0x00, 0x00, 'adr x0, 1f\nldr w1, [x0, #4]\nstr w1, [x0]\nic ivau, x0\nisb\n1: nop\nhvc #7'),
}
for name,(mode,ptr,asm) in seeds.items():
    code = words(asm) if asm else b''
    n = len(code)//4
    regs = struct.pack('<6Q', 0x40010000, 0x40010100, 0x40010200, 0x7fffffff, 0x40020008, 0x123456789abcdef0)
    open(os.path.join(out,name),'wb').write(bytes([mode,ptr,n])+code+regs)
