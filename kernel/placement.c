// The wake-up placement rule (placement.h).
#include "placement.h"

static int lowest(uint64_t mask)
{
    return mask ? __builtin_ctzll(mask) : -1;
}

static int has(uint64_t mask, int i)
{
    return i >= 0 && ((mask >> i) & 1);
}

unsigned place_thread(uint64_t allowed, int last, unsigned waker, uint64_t free)
{
    if (has(allowed & free, last))
        return (unsigned)last;
    if (allowed & free)
        return (unsigned)lowest(allowed & free);
    if (has(allowed, (int)waker))
        return waker;
    if (has(allowed, last))
        return (unsigned)last;
    return (unsigned)lowest(allowed);
}
