// The delay after wrong passwords (nx/throttle.h). A delay doubles so that a person who
// mistypes twice waits a second or two, and stops doubling at 32 s so that the rightful user
// is never locked out for long; 1,000 guesses at one name then take 8.8 hours
// (tests/host/test_throttle.c).
#include <nx/throttle.h>

#define MS 1000000ull

uint32_t nx_throttle_wait_ms(const struct nx_throttle *t, uint64_t now)
{
    return now >= t->not_before ? 0 : (uint32_t)((t->not_before - now + MS - 1) / MS);
}

uint32_t nx_throttle_failed(struct nx_throttle *t, uint64_t now)
{
    if (t->failures < UINT32_MAX)
        t->failures++;
    uint32_t ms = t->failures > 6 ? NX_THROTTLE_MAX_MS : 1000u << (t->failures - 1);
    t->not_before = now + ms * MS;
    return ms;
}

void nx_throttle_passed(struct nx_throttle *t)
{
    t->failures = 0;
}
