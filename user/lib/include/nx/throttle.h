#pragma once
// The delay after wrong passwords (user/lib/users/throttle.c, docs/login.md "Delays"): one
// record per name a service answers for. After the k-th wrong password in a row the next try
// waits 2^(k-1) s, at most NX_THROTTLE_MAX_MS; a right password clears it. Times are in ns of
// any monotonic clock (nx_clock_get).
#include <stdint.h>

#define NX_THROTTLE_MAX_MS 32000u

struct nx_throttle {
    uint32_t failures;     // wrong passwords in a row
    uint64_t not_before;   // no try is answered before this time
};

// 0 if a try may be answered at now, else the milliseconds until it may (rounded up).
uint32_t nx_throttle_wait_ms(const struct nx_throttle *t, uint64_t now);

// A wrong password at now: returns the delay until the next try (ms) and starts it.
uint32_t nx_throttle_failed(struct nx_throttle *t, uint64_t now);

// A right password: the next wrong one starts again at the shortest delay.
void nx_throttle_passed(struct nx_throttle *t);
