// Timer queue: two intrusive pairing heaps plus a list of expired-but-unfired entries.
// Pairing heaps give O(1) insert and min, O(log n) amortised removal, no allocation and no
// fixed capacity. All loops are iterative: no recursion on the kernel stack.
#include "timerq.h"

#define ENTRY_OF(node, field) \
    ((struct timerq_entry *)((char *)(node) - offsetof(struct timerq_entry, field)))

// ---- pairing heap over struct tq_node ----

// Link two roots (next/prev NULL); the larger key becomes the first child of the smaller.
static struct tq_node *meld(struct tq_node *a, struct tq_node *b)
{
    if (!a)
        return b;
    if (!b)
        return a;
    if (b->key < a->key) {
        struct tq_node *t = a;
        a = b;
        b = t;
    }
    b->prev = a;
    b->next = a->child;
    if (a->child)
        a->child->prev = b;
    a->child = b;
    return a;
}

// Turn a sibling list into one heap: meld pairs left to right, then fold the results right
// to left. This two-pass order is what gives the pairing heap its amortised bound.
static struct tq_node *merge_pairs(struct tq_node *first)
{
    struct tq_node *stack = NULL;  // melded pairs, last pair on top, linked through next
    while (first) {
        struct tq_node *a = first, *b = a->next;
        first = b ? b->next : NULL;
        a->next = a->prev = NULL;
        if (b)
            b->next = b->prev = NULL;
        struct tq_node *m = meld(a, b);
        m->next = stack;
        stack = m;
    }
    struct tq_node *root = NULL;
    while (stack) {
        struct tq_node *s = stack;
        stack = s->next;
        s->next = NULL;
        root = meld(root, s);
    }
    return root;
}

static void heap_insert(struct tq_node **root, struct tq_node *n, uint64_t key)
{
    n->key = key;
    n->child = n->next = n->prev = NULL;
    *root = meld(*root, n);
}

// Remove any node: cut it (with its subtree) out of its sibling list, then meld its
// children back into the heap.
static void heap_remove(struct tq_node **root, struct tq_node *n)
{
    if (n == *root) {
        *root = merge_pairs(n->child);
    } else {
        if (n->prev->child == n)  // first child: prev is the parent
            n->prev->child = n->next;
        else
            n->prev->next = n->next;
        if (n->next)
            n->next->prev = n->prev;
        *root = meld(*root, merge_pairs(n->child));
    }
    n->child = n->next = n->prev = NULL;
}

// ---- the list of expired entries waiting for their callback ----

static void firing_append(struct timerq *q, struct timerq_entry *e)
{
    e->fire_next = NULL;
    e->fire_prev = q->firing_tail;
    if (q->firing_tail)
        q->firing_tail->fire_next = e;
    else
        q->firing = e;
    q->firing_tail = e;
}

static void firing_unlink(struct timerq *q, struct timerq_entry *e)
{
    if (e->fire_prev)
        e->fire_prev->fire_next = e->fire_next;
    else
        q->firing = e->fire_next;
    if (e->fire_next)
        e->fire_next->fire_prev = e->fire_prev;
    else
        q->firing_tail = e->fire_prev;
    e->fire_prev = e->fire_next = NULL;
}

// ---- the timer queue ----

void timerq_init(struct timerq *q)
{
    q->by_deadline = q->by_latest = NULL;
    q->firing = q->firing_tail = NULL;
    q->armed = 0;
}

// deadline + slack without wrapping: a huge slack means "any time after deadline".
static uint64_t window_end(uint64_t deadline, uint64_t slack)
{
    return slack > UINT64_MAX - deadline ? UINT64_MAX : deadline + slack;
}

void timerq_cancel(struct timerq *q, struct timerq_entry *e)
{
    if (e->state == TQ_ARMED) {
        heap_remove(&q->by_deadline, &e->by_deadline);
        heap_remove(&q->by_latest, &e->by_latest);
    } else if (e->state == TQ_FIRING) {
        firing_unlink(q, e);
    } else {
        return;
    }
    e->state = TQ_IDLE;
    q->armed--;
}

void timerq_add(struct timerq *q, struct timerq_entry *e, uint64_t deadline, uint64_t slack)
{
    timerq_cancel(q, e);
    e->deadline = deadline;
    e->slack = slack;
    heap_insert(&q->by_deadline, &e->by_deadline, deadline);
    heap_insert(&q->by_latest, &e->by_latest, window_end(deadline, slack));
    e->state = TQ_ARMED;
    q->armed++;
}

uint64_t timerq_next_fire(const struct timerq *q)
{
    return q->by_latest ? q->by_latest->key : UINT64_MAX;
}

// Two phases so that callbacks can change the queue freely: first move every expired entry
// out of the heaps onto the firing list, then fire from that list. An entry a callback
// (re)adds goes back into the heaps, not onto the list, so it cannot fire again in this call
// however early its deadline; one a callback cancels leaves the list and does not fire.
size_t timerq_expire(struct timerq *q, uint64_t now,
                     void (*fire)(struct timerq_entry *e, void *ctx), void *ctx)
{
    while (q->by_deadline && q->by_deadline->key <= now) {
        struct timerq_entry *e = ENTRY_OF(q->by_deadline, by_deadline);
        heap_remove(&q->by_deadline, &e->by_deadline);
        heap_remove(&q->by_latest, &e->by_latest);
        e->state = TQ_FIRING;
        firing_append(q, e);
    }
    size_t fired = 0;
    while (q->firing) {
        struct timerq_entry *e = q->firing;
        firing_unlink(q, e);
        e->state = TQ_IDLE;
        q->armed--;
        fire(e, ctx);
        fired++;
    }
    return fired;
}
