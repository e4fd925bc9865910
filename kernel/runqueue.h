#pragma once
// Ready queues: NPRIO priority levels, FIFO inside a level, O(1) pick of the highest
// non-empty level from a bitmap. Pure data structure (host-tested); sched.c drives it.
#include <stdbool.h>
#include <stdint.h>

#define NPRIO 32

struct rq_link {
    struct rq_link *next;
    uint8_t priority;  // 0 (lowest) .. NPRIO-1 (highest)
    uint8_t queued;    // 1 while on a queue
};

struct runqueue {
    uint32_t nonempty;  // bit p set <=> level p has an entry
    struct rq_link *head[NPRIO], *tail[NPRIO];
};

void runqueue_push(struct runqueue *rq, struct rq_link *e);  // append at e's priority
struct rq_link *runqueue_pop(struct runqueue *rq);           // highest level, oldest first
void runqueue_remove(struct runqueue *rq, struct rq_link *e);
int runqueue_top(const struct runqueue *rq);                 // highest level, -1 if empty
// The entry that runqueue_pop would give among those of priority min_prio or higher for
// which ok(e, ctx) holds (still queued), or NULL. Stealing by an idle hart uses it.
struct rq_link *runqueue_find(const struct runqueue *rq, unsigned min_prio,
                              int (*ok)(const struct rq_link *e, const void *ctx),
                              const void *ctx);
// Whether anything of priority prio or higher is queued (prio may be NPRIO: never). One shift,
// for the scheduler's hot paths.
static inline bool runqueue_any_from(const struct runqueue *rq, unsigned prio)
{
    return ((uint64_t)rq->nonempty >> prio) != 0;
}
