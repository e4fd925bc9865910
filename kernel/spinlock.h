#pragma once
// A test-and-set spin lock for data that paths holding the big lock shared touch together
// (docs/smp.md). Interrupts are off in the kernel, so a holder is never interrupted; hold it
// for a few instructions only, and never across a switch or while waiting for anything.
#include <stdint.h>

struct spinlock {
    uint32_t held;
};

static inline void spin_lock(struct spinlock *l)
{
    while (__atomic_exchange_n(&l->held, 1, __ATOMIC_ACQUIRE))
        while (__atomic_load_n(&l->held, __ATOMIC_RELAXED))
            ;
}

static inline void spin_unlock(struct spinlock *l)
{
    __atomic_store_n(&l->held, 0, __ATOMIC_RELEASE);
}
