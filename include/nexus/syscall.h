#pragma once
// The NEURON system call list, declared once. The kernel's dispatch table, the user stubs in
// libnx and the table in docs/abi.md are all produced from NX_SYSCALLS.
//
// Calling convention: number in a7, arguments in a0..a5, result in a0 (negative = nx_error).
// An ecall behaves like a C function call: s0-s11, sp, gp and tp survive it; ra, t0-t6 and
// a1-a7 come back zeroed (so no kernel value ever leaks to user space).
#define NX_SYSCALLS(X)                                                                   \
    X(0, debug_write, 2, "(const char *buf, size_t len): write len bytes (at most NX_DEBUG_WRITE_MAX) to the kernel debug console; returns len") \
    X(1, exit,        1, "(long status): end the calling process with status; does not return") \
    X(2, yield,       0, "(): give the CPU to the next ready thread of the same priority; returns 0") \
    X(3, clock_get,   0, "(): monotonic time since boot in nanoseconds")                      \
    X(4, nop,         0, "(): does nothing and returns 0 (measures the bare syscall path)")

#define NX_DEBUG_WRITE_MAX 4096

enum nx_syscall_number {
#define NX_SYSCALL_ENUM(num, name, nargs, doc) NX_SYS_##name = num,
    NX_SYSCALLS(NX_SYSCALL_ENUM)
#undef NX_SYSCALL_ENUM
    NX_SYSCALL_COUNT
};
