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
    sd s0, CTX_S(0)(a0)
    sd s1, CTX_S(1)(a0)
    sd s2, CTX_S(2)(a0)
    sd s3, CTX_S(3)(a0)
    sd s4, CTX_S(4)(a0)
    sd s5, CTX_S(5)(a0)
    sd s6, CTX_S(6)(a0)
    sd s7, CTX_S(7)(a0)
    sd s8, CTX_S(8)(a0)
    sd s9, CTX_S(9)(a0)
    sd s10, CTX_S(10)(a0)
    sd s11, CTX_S(11)(a0)
    .endm

    .text
    .globl switch_context
switch_context:
    save_context
    .globl load_context  // trap.S: ipc_switch
load_context:
    ld ra, CTX_RA(a1)
    ld sp, CTX_SP(a1)
    ld s0, CTX_S(0)(a1)
    ld s1, CTX_S(1)(a1)
    ld s2, CTX_S(2)(a1)
    ld s3, CTX_S(3)(a1)
    ld s4, CTX_S(4)(a1)
    ld s5, CTX_S(5)(a1)
    ld s6, CTX_S(6)(a1)
    ld s7, CTX_S(7)(a1)
    ld s8, CTX_S(8)(a1)
    ld s9, CTX_S(9)(a1)
    ld s10, CTX_S(10)(a1)
    ld s11, CTX_S(11)(a1)
    ret

// switch_context_release(from, to): the same, then from->on_cpu = 0 once its registers are
// stored, for a hart that may be waiting to switch to it (sched.c, the shared IPC path).
    .globl switch_context_release
switch_context_release:
    save_context
    fence rw, w
    sw zero, CTX_ON_CPU(a0)
    j load_context
