// ASID bookkeeping (asid.h).
#include "asid.h"

static bool test(const uint64_t *set, uint32_t a)
{
    return (set[a / 64] >> (a % 64)) & 1;
}

static void set_bit(uint64_t *set, uint32_t a, bool on)
{
    if (on)
        set[a / 64] |= 1ull << (a % 64);
    else
        set[a / 64] &= ~(1ull << (a % 64));
}

void asid_init(struct asid_pool *p, uint32_t count)
{
    *p = (struct asid_pool){ .count = count ? count : 1, .hint = 1 };
    set_bit(p->live, 0, true);
}

uint32_t asid_take(struct asid_pool *p, bool *fence_all)
{
    *fence_all = false;
    for (uint32_t n = 0; n <= p->count; n++) {
        uint32_t a = (p->hint + n) % p->count;
        if (a == 0 && !*fence_all) {  // gone round: the retired ones may be used again
            for (uint32_t i = 0; i < (p->count + 63) / 64; i++)
                *fence_all |= p->retired[i] != 0, p->retired[i] = 0;
            continue;
        }
        if (!test(p->live, a) && !test(p->retired, a)) {
            set_bit(p->live, a, true);
            p->hint = a + 1;
            return a;
        }
    }
    return 0;
}

void asid_retire(struct asid_pool *p, uint32_t asid)
{
    if (!asid)
        return;
    set_bit(p->live, asid, false);
    set_bit(p->retired, asid, true);
}
