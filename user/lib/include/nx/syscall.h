#pragma once
// NEURON system call stubs for user programs, generated from NX_SYSCALLS (include/nexus/syscall.h).
// An ecall behaves like a call that clobbers ra, t0-t6 and a0-a7: a0 is the result, a1-a6
// the thread's message registers (see include/nexus/syscall.h), the rest come back zeroed.
#include <nexus/errors.h>
#include <nexus/syscall.h>
#include <stdint.h>

#ifdef NEXUS_HOST
// Host unit tests compile libnx's pure parts, whose headers reach these stubs: there they are
// plain declarations (a test that calls one links its own fake).
long nx_syscall0(long n);
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

#endif  // NEXUS_HOST

static inline long nx_syscall7(long n, long x0, long x1, long x2, long x3, long x4, long x5,
                               long x6)
{
    uint64_t unused[6];  // the stores are optimised away
    return nx_syscall7_out(n, x0, x1, x2, x3, x4, x5, x6, unused);
}

// The stubs, one per NX_SYSCALLS entry, typed as the table says: a handle is an
// nx_handle_t (zero-extended into its register), a pointer a pointer, a value its own type.
#define NX_STUB_PARAM(a) NX_STUB_PARAM_##a
#define NX_STUB_PARAM_NX_H(name, rights) nx_handle_t name
#define NX_STUB_PARAM_NX_V(type, name) type name
#define NX_STUB_PARAM_NX_P(type, name) type name
#define NX_STUB_REG(a) NX_STUB_REG_##a
#define NX_STUB_REG_NX_H(name, rights) (long)name
#define NX_STUB_REG_NX_V(type, name) (long)name
#define NX_STUB_REG_NX_P(type, name) (long)(uintptr_t)name
// The registers past the arguments are passed as 0 (none when there are no arguments).
#define NX_STUB_PAD_1 , 0, 0, 0, 0, 0, 0
#define NX_STUB_PAD_2 , 0, 0, 0, 0, 0
#define NX_STUB_PAD_3 , 0, 0, 0, 0
#define NX_STUB_PAD_4 , 0, 0, 0
#define NX_STUB_PAD_5 , 0, 0
#define NX_STUB_PAD_6 , 0
#define NX_STUB_PAD_7
#define NX_STUB_REGS(n, args) NX_ARGS_LIST(n, NX_STUB_REG, args) NX_STUB_PAD_##n

#define NX_STUB_CALL(num, n, args) NX_STUB_CALL_##n(num, n, args)
#define NX_STUB_CALL_0(num, n, args) nx_syscall0(num)
#define NX_STUB_CALL_N(num, n, args) nx_syscall7(num, NX_STUB_REGS(n, args))
#define NX_STUB_CALL_1 NX_STUB_CALL_N
#define NX_STUB_CALL_2 NX_STUB_CALL_N
#define NX_STUB_CALL_3 NX_STUB_CALL_N
#define NX_STUB_CALL_4 NX_STUB_CALL_N
#define NX_STUB_CALL_5 NX_STUB_CALL_N
#define NX_STUB_CALL_6 NX_STUB_CALL_N
#define NX_STUB_CALL_7 NX_STUB_CALL_N

// result long: a0; msg: a0, and the message registers a1..a6 in out[0..5]; noreturn.
#define NX_STUB_long(num, name, n, args) \
    static inline long nx_##name(NX_ARGS_LIST(n, NX_STUB_PARAM, args)) \
    { return NX_STUB_CALL(num, n, args); }
#define NX_STUB_msg(num, name, n, args) \
    static inline long nx_##name(NX_ARGS_LIST(n, NX_STUB_PARAM, args), uint64_t out[6]) \
    { return nx_syscall7_out(num, NX_STUB_REGS(n, args), out); }
#define NX_STUB_noreturn(num, name, n, args) \
    _Noreturn static inline void nx_##name(NX_ARGS_LIST(n, NX_STUB_PARAM, args)) \
    { NX_STUB_CALL(num, n, args); __builtin_unreachable(); }
#define NX_STUB(num, name, result, n, args, errors, doc) NX_STUB_##result(num, name, n, args)
NX_SYSCALLS(NX_STUB)
#undef NX_STUB
