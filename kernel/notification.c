// Notifications (see notification.h).
#include <stddef.h>
#include <nexus/errors.h>
#include "notification.h"
#include "process.h"
#include "sched.h"
#include "thread.h"

_Static_assert(sizeof(struct notification) <= 64, "a notification takes a 64-byte slab slot (slab.h)");

void endpoint_notify(struct endpoint *ep);  // endpoint.c

static void notification_destroy(struct kobject *k)
{
    struct notification *n = (struct notification *)k;
    struct thread *t;
    while ((t = waitq_pop(&n->waiters)) != NULL)  // waiters hold no handle any more
        sched_wake(t, NX_ERR_PEER_CLOSED);
    process_free_object(n->owner, n, sizeof(*n));
}

int notification_create(struct process *owner, struct notification **out)
{
    struct notification *n = process_alloc_object(owner, sizeof(*n));
    if (!n)
        return NX_ERR_NO_MEMORY;
    kobject_init(&n->obj, NX_OBJ_NOTIFICATION, notification_destroy);
    n->owner = owner;
    *out = n;
    return NX_OK;
}

bool notification_observable(const struct notification *n)
{
    return n->obj.handles || n->bound || !waitq_empty(&n->waiters);
}

uint64_t notification_take(struct notification *n)
{
    uint64_t bits = n->bits;
    n->bits = 0;
    return bits;
}

void notification_signal(struct notification *n, uint64_t bits)
{
    n->bits |= bits;
    if (!n->bits)
        return;
    struct thread *t = waitq_pop(&n->waiters);
    if (t) {
        t->out[0] = notification_take(n);
        sched_wake(t, NX_OK);
    } else if (n->bound) {
        endpoint_notify(n->bound);
    }
}

static void leave_waiters(struct thread *t)
{
    waitq_remove(t->wait_queue, t);
}

long notification_wait(struct notification *n, uint64_t deadline)
{
    struct thread *self = current_thread;
    if (n->bits) {
        self->out[0] = notification_take(n);
        return NX_OK;
    }
    waitq_push(&n->waiters, self);
    self->wait_queue = &n->waiters;
    return sched_block(deadline, leave_waiters);
}
