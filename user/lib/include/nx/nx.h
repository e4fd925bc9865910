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
