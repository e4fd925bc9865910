#pragma once
// NEURON system call stubs for user programs, generated from include/nexus/syscall.h.
// An ecall behaves like a call that clobbers ra, t0-t6 and a0-a7: a0 is the result, a1-a6
// the thread's message registers (see include/nexus/syscall.h), the rest come back zeroed.
#include <nexus/errors.h>
#include <nexus/syscall.h>
#include <stdint.h>

#ifdef NEXUS_HOST
// Host unit tests compile libnx's pure parts, whose headers reach these stubs: there they are
// plain declarations (a test that calls one links its own fake).
long nx_syscall0(long n);
long nx_syscall7(long n, long x0, long x1, long x2, long x3, long x4, long x5, long x6);
long nx_syscall7_out(long n, long x0, long x1, long x2, long x3, long x4, long x5, long x6,
                     uint64_t out[6]);
#else
#define NX_ECALL_CLOBBERS "memory", "ra", "t0", "t1", "t2", "t3", "t4", "t5", "t6"

static inline long nx_syscall0(long n)
{
    register long a0 __asm__("a0");
    register long a7 __asm__("a7") = n;
    __asm__ volatile("ecall"
                     : "=r"(a0), "+r"(a7)
                     :
                     : NX_ECALL_CLOBBERS, "a1", "a2", "a3", "a4", "a5", "a6");
    return a0;
}

// Up to seven arguments; the message registers a1..a6 come back in out[0..5].
static inline long nx_syscall7_out(long n, long x0, long x1, long x2, long x3, long x4, long x5,
                                   long x6, uint64_t out[6])
{
    register long a0 __asm__("a0") = x0;
    register long a1 __asm__("a1") = x1;
    register long a2 __asm__("a2") = x2;
    register long a3 __asm__("a3") = x3;
    register long a4 __asm__("a4") = x4;
    register long a5 __asm__("a5") = x5;
    register long a6 __asm__("a6") = x6;
    register long a7 __asm__("a7") = n;
    __asm__ volatile("ecall"
                     : "+r"(a0), "+r"(a1), "+r"(a2), "+r"(a3), "+r"(a4), "+r"(a5), "+r"(a6),
                       "+r"(a7)
                     :
                     : NX_ECALL_CLOBBERS);
    out[0] = a1, out[1] = a2, out[2] = a3, out[3] = a4, out[4] = a5, out[5] = a6;
    return a0;
}

static inline long nx_syscall7(long n, long x0, long x1, long x2, long x3, long x4, long x5,
                               long x6)
{
    uint64_t unused[6];  // the stores are optimised away
    return nx_syscall7_out(n, x0, x1, x2, x3, x4, x5, x6, unused);
}
#endif  // NEXUS_HOST

#define NX_PARAMS_0 void
#define NX_PARAMS_1 long x0
#define NX_PARAMS_2 long x0, long x1
#define NX_PARAMS_3 long x0, long x1, long x2
#define NX_PARAMS_4 long x0, long x1, long x2, long x3
#define NX_PARAMS_5 long x0, long x1, long x2, long x3, long x4
#define NX_PARAMS_6 long x0, long x1, long x2, long x3, long x4, long x5
#define NX_PARAMS_7 long x0, long x1, long x2, long x3, long x4, long x5, long x6
#define NX_CALL_0(n) nx_syscall0(n)
#define NX_CALL_1(n) nx_syscall7(n, x0, 0, 0, 0, 0, 0, 0)
#define NX_CALL_2(n) nx_syscall7(n, x0, x1, 0, 0, 0, 0, 0)
#define NX_CALL_3(n) nx_syscall7(n, x0, x1, x2, 0, 0, 0, 0)
#define NX_CALL_4(n) nx_syscall7(n, x0, x1, x2, x3, 0, 0, 0)
#define NX_CALL_5(n) nx_syscall7(n, x0, x1, x2, x3, x4, 0, 0)
#define NX_CALL_6(n) nx_syscall7(n, x0, x1, x2, x3, x4, x5, 0)
#define NX_CALL_7(n) nx_syscall7(n, x0, x1, x2, x3, x4, x5, x6)

#define NX_STUB(num, name, nargs, doc) \
    static inline long nx_##name(NX_PARAMS_##nargs) { return NX_CALL_##nargs(num); }
NX_SYSCALLS(NX_STUB)
#undef NX_STUB
