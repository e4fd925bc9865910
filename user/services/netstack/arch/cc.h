#pragma once
// lwIP's compiler and platform definitions for the stack service (and its host tests): the C
// library is picolibc (host: glibc), both little-endian with <stdint.h> and <inttypes.h>.
#include <stdint.h>
#include <stdlib.h>

#define LWIP_NO_CTYPE_H 0
#ifndef BYTE_ORDER
#define BYTE_ORDER LITTLE_ENDIAN
#endif
#define LWIP_ERRNO_STDINCLUDE 1
#define LWIP_PROVIDE_ERRNO 0

// Diagnostics go to the service's log; a failed assertion ends the service (init restarts it).
void netstack_diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void netstack_assert(const char *msg, const char *file, int line) __attribute__((noreturn));
#define LWIP_PLATFORM_DIAG(x) do { netstack_diag x; } while (0)
#define LWIP_PLATFORM_ASSERT(x) netstack_assert(x, __FILE__, __LINE__)

// Random numbers (TCP's initial sequence numbers and ports, DHCP's and DNS's ids).
uint32_t netstack_random(void);
