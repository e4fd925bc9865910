#pragma once
// Register save areas shared between C and trap.S / switch.S. The assembly uses the offsets
// below; _Static_asserts here (and in thread.h for struct thread) pin the C layouts to them.

// User registers, saved on entry from U-mode. regs[i] holds x<i> (regs[0] unused).
#define TF_REG(i) ((i) * 8)
#define TF_EPC 256
#define TF_STATUS 264
#define TF_CAUSE 272
#define TF_TVAL 280
#define TF_SIZE 288
// struct thread starts with the trapframe, then the kernel stack top.
#define THREAD_KSTACK_TOP TF_SIZE
// Then the six message registers a syscall returns in a1..a6.
#define THREAD_OUT (TF_SIZE + 8)
// Then the hart it runs on.
#define THREAD_HART (THREAD_OUT + 48)
#define THREAD_DYING (THREAD_HART + 8)
#define THREAD_SMP (THREAD_DYING + 4)

// Callee-saved kernel registers, for switching between kernel threads.
#define CTX_RA 0
#define CTX_SP 8
#define CTX_S(i) (16 + (i) * 8)
#define CTX_ON_CPU 112
#define CTX_SIZE 120

#ifdef __ASSEMBLER__
// Store (op sd) or load (op ld) s0-s11 of the struct context at base (switch.S, trap.S).
    .macro context_s op, base
    \op s0, CTX_S(0)(\base)
    \op s1, CTX_S(1)(\base)
    \op s2, CTX_S(2)(\base)
    \op s3, CTX_S(3)(\base)
    \op s4, CTX_S(4)(\base)
    \op s5, CTX_S(5)(\base)
    \op s6, CTX_S(6)(\base)
    \op s7, CTX_S(7)(\base)
    \op s8, CTX_S(8)(\base)
    \op s9, CTX_S(9)(\base)
    \op s10, CTX_S(10)(\base)
    \op s11, CTX_S(11)(\base)
    .endm
#else
#include <stdint.h>

enum { REG_RA = 1, REG_SP = 2, REG_GP = 3, REG_TP = 4, REG_A0 = 10, REG_A1 = 11, REG_A2 = 12, REG_A3 = 13, REG_A7 = 17 };

struct trapframe {
    uint64_t regs[32];
    uint64_t epc, status, cause, tval;
};

struct context {
    uint64_t ra, sp, s[12];
    uint32_t on_cpu;  // its hart is still storing the registers above (switch_context_release)
    uint32_t unused;
};

_Static_assert(__builtin_offsetof(struct trapframe, epc) == TF_EPC, "trap.S offset");
_Static_assert(__builtin_offsetof(struct trapframe, status) == TF_STATUS, "trap.S offset");
_Static_assert(__builtin_offsetof(struct trapframe, cause) == TF_CAUSE, "trap.S offset");
_Static_assert(__builtin_offsetof(struct trapframe, tval) == TF_TVAL, "trap.S offset");
_Static_assert(sizeof(struct trapframe) == TF_SIZE, "trap.S frame size");
_Static_assert(__builtin_offsetof(struct context, s) == CTX_S(0), "switch.S offset");
_Static_assert(__builtin_offsetof(struct context, on_cpu) == CTX_ON_CPU, "switch.S offset");
_Static_assert(sizeof(struct context) == CTX_SIZE, "switch.S context size");

// Switch kernel stacks: save the callee-saved registers in *from, load *to.
void switch_context(struct context *from, const struct context *to);
void switch_context_release(struct context *from, const struct context *to);
// trap.S: switch_context for sched_ipc_switch, whose caller came straight from the syscall
// dispatch: the thread switched out keeps only its user's callee-saved registers (and comes
// back through sched_ipc_resumed into the syscall exit); the thread switched to, if it left
// the same way, returns to user mode with its message registers a1..a6 and NX_OK. Called
// from anywhere else, it is switch_context followed by sched_ipc_resumed.
long ipc_switch(struct context *from, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4,
                uint64_t a5, uint64_t a6, struct context *to);
#endif
