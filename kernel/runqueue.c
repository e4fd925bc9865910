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

int runqueue_top(const struct runqueue *rq)
{
    return rq->nonempty ? 31 - __builtin_clz(rq->nonempty) : -1;
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
