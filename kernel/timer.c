// Timer objects (see timer.h): the clock does most of the work.
#include "timer.h"
#include <stddef.h>
#include <nexus/errors.h>
#include <nexus/syscall.h>
#include "notification.h"
#include "process.h"

_Static_assert(sizeof(struct timer) <= 256, "a timer takes a 256-byte slab slot (slab.h)");

// Called from the timer interrupt once the window is open.
static void timer_fire(struct clock_timer *c)
{
    struct timer *t = (struct timer *)((char *)c - offsetof(struct timer, clock));
    notification_signal(t->notif, t->bits);
}

// Last handle gone: a pending setting goes with it.
static void timer_destroy(struct kobject *o)
{
    struct timer *t = (struct timer *)o;  // the kobject comes first
    clock_timer_cancel(&t->clock);
    kobject_unref(&t->notif->obj);
    process_free_object(t->owner, t, sizeof(*t));
}

int timer_create(struct process *owner, struct notification *n, uint64_t bits,
                 struct timer **out)
{
    struct timer *t = process_alloc_object(owner, sizeof(*t));
    if (!t)
        return NX_ERR_NO_MEMORY;
    kobject_init(&t->obj, NX_OBJ_TIMER, timer_destroy);
    t->owner = owner;
    kobject_ref(&n->obj);
    t->notif = n;
    t->bits = bits;
    t->clock.fire = timer_fire;
    *out = t;
    return NX_OK;
}

void timer_set(struct timer *t, uint64_t deadline, uint64_t slack)
{
    if (deadline == NX_DEADLINE_NEVER)
        clock_timer_cancel(&t->clock);
    else
        clock_timer_set(&t->clock, deadline, slack);
}

void timer_cancel(struct timer *t)
{
    clock_timer_cancel(&t->clock);
}
