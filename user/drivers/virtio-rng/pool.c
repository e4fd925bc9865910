// The entropy pool's bookkeeping (pool.h).
#include "pool.h"
#include <string.h>
#include <nexus/errors.h>
#include <nx/random.h>

void rng_pool_init(struct rng_pool *p, uint8_t *buf, uint32_t cap)
{
    *p = (struct rng_pool){ buf, cap, 0 };
}

uint32_t rng_pool_room(const struct rng_pool *p)
{
    return p->cap - p->len;
}

bool rng_pool_added(struct rng_pool *p, uint32_t n)
{
    if (n > rng_pool_room(p))
        return false;
    p->len += n;
    return true;
}

bool rng_pool_take(struct rng_pool *p, void *out, uint32_t n)
{
    if (n > p->len)
        return false;
    p->len -= n;
    memcpy(out, p->buf + p->len, n);
    memset(p->buf + p->len, 0, n);
    return true;
}

long rng_check_size(uint64_t n)
{
    return n == 0 ? NX_ERR_INVALID : n > NX_RNG_MAX ? NX_ERR_TOO_BIG : NX_OK;
}
