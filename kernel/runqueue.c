// Bitmap-indexed FIFO ready queues.
#include <stddef.h>
#include "runqueue.h"

void runqueue_push(struct runqueue *rq, struct rq_link *e)
{
    unsigned p = e->priority;
    e->next = NULL;
    e->queued = 1;
    if (rq->tail[p])
        rq->tail[p]->next = e;
    else
        rq->head[p] = e;
    rq->tail[p] = e;
    rq->nonempty |= 1u << p;
}

// Index of the highest set bit of v != 0. RV64GC has no count-leading-zeros instruction
// (Zbb is optional) and libgcc's __clzdi2 costs ~37 instructions: smear the top bit down,
// then a de Bruijn multiply maps the resulting 2^(k+1)-1 to a unique table slot (~16).
static unsigned highest_bit(uint32_t v)
{
    static const uint8_t table[32] = {
        0, 9, 1, 10, 13, 21, 2, 29, 11, 14, 16, 18, 22, 25, 3, 30,
        8, 12, 20, 28, 15, 17, 24, 7, 19, 27, 23, 6, 26, 5, 4, 31,
    };
    v |= v >> 1;
    v |= v >> 2;
    v |= v >> 4;
    v |= v >> 8;
    v |= v >> 16;
    return table[(uint32_t)(v * 0x07c4acddu) >> 27];
}

int runqueue_top(const struct runqueue *rq)
{
    return rq->nonempty ? (int)highest_bit(rq->nonempty) : -1;
}

static void unlink_head(struct runqueue *rq, unsigned p)
{
    struct rq_link *e = rq->head[p];
    rq->head[p] = e->next;
    if (!rq->head[p]) {
        rq->tail[p] = NULL;
        rq->nonempty &= ~(1u << p);
    }
    e->next = NULL;
    e->queued = 0;
}

struct rq_link *runqueue_pop(struct runqueue *rq)
{
    int p = runqueue_top(rq);
    if (p < 0)
        return NULL;
    struct rq_link *e = rq->head[p];
    unlink_head(rq, (unsigned)p);
    return e;
}

void runqueue_remove(struct runqueue *rq, struct rq_link *e)
{
    unsigned p = e->priority;
    if (!e->queued)
        return;
    if (rq->head[p] == e) {
        unlink_head(rq, p);
        return;
    }
    struct rq_link *prev = rq->head[p];
    while (prev && prev->next != e)
        prev = prev->next;
    if (!prev)
        return;
    prev->next = e->next;
    if (rq->tail[p] == e)
        rq->tail[p] = prev;
    e->next = NULL;
    e->queued = 0;
}

struct rq_link *runqueue_find(const struct runqueue *rq, unsigned min_prio,
                              int (*ok)(const struct rq_link *e, const void *ctx),
                              const void *ctx)
{
    for (int p = runqueue_top(rq); p >= (int)min_prio; p--)
        for (struct rq_link *e = rq->head[p]; e; e = e->next)
            if (ok(e, ctx))
                return e;
    return NULL;
}
