// switch_context(from, to): save callee-saved registers into *from, load them from *to, and
// return on the new stack. Everything else is caller-saved by the C ABI. FP goes off: the
// thread switched to gets it back by trapping on its first FP instruction (fpu.h).
#include "arch/riscv/fpu.h"
#include "arch/riscv/trapframe.h"

    .macro save_context
    li t0, SSTATUS_FS
    csrc sstatus, t0
    sd ra, CTX_RA(a0)
    sd sp, CTX_SP(a0)
    context_s sd, a0
    .endm

    .text
    .globl switch_context
switch_context:
    save_context
    .globl load_context  // trap.S: ipc_switch
load_context:
    ld ra, CTX_RA(a1)
    ld sp, CTX_SP(a1)
    context_s ld, a1
    ret

// switch_context_release(from, to): the same, then from->on_cpu = 0 once its registers are
// stored, for a hart that may be waiting to switch to it (sched.c, the shared IPC path).
    .globl switch_context_release
switch_context_release:
    save_context
    fence rw, w
    sw zero, CTX_ON_CPU(a0)
    j load_context
