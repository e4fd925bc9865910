#pragma once
// libnx: the runtime every Nexus OS program links with.
#include <stddef.h>
#include <stdint.h>
#include <nx/syscall.h>

// instret at the program's first instruction (read by crt0), for boot-time measurement.
extern uint64_t nx_start_instret;

static inline uint64_t nx_rdinstret(void)
{
    uint64_t v;
    __asm__ volatile("rdinstret %0" : "=r"(v));
    return v;
}

// Formatted output to the debug console (%s %c %d %ld %u %lu %x %lx %%); returns bytes written.
int nx_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void nx_puts(const char *s);
_Noreturn void nx_exit_process(long status);

// nx_notify_wait that also returns the bits it took (message register a1) in *bits; *bits is
// 0 when the wait failed (timed out, bad handle...).
static inline long nx_notify_wait_bits(long notif, uint64_t deadline, uint64_t *bits)
{
    register long a0 __asm__("a0") = notif;
    register long a1 __asm__("a1") = (long)deadline;
    register long a7 __asm__("a7") = NX_SYS_notify_wait;
    __asm__ volatile("ecall"
                     : "+r"(a0), "+r"(a1), "+r"(a7)
                     :
                     : NX_ECALL_CLOBBERS, "a2", "a3", "a4", "a5", "a6");
    *bits = a0 == NX_OK ? (uint64_t)a1 : 0;
    return a0;
}
