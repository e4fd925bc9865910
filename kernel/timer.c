// Timer objects (see timer.h): the syscalls check their arguments, the clock does the rest.
#include "timer.h"
#include <stddef.h>
#include <nexus/errors.h>
#include <nexus/syscall.h>
#include "notification.h"
#include "process.h"
#include "syscall.h"

_Static_assert(sizeof(struct timer) <= 256, "a timer takes a 256-byte slab slot (slab.h)");

static struct timer *to_timer(struct kobject *o)
{
    return (struct timer *)((char *)o - offsetof(struct timer, obj));
}

// Called from the timer interrupt once the window is open.
static void timer_fire(struct clock_timer *c)
{
    struct timer *t = (struct timer *)((char *)c - offsetof(struct timer, clock));
    notification_signal(t->notif, t->bits);
}

// Last handle gone: a pending setting goes with it.
static void timer_destroy(struct kobject *o)
{
    struct timer *t = to_timer(o);
    clock_timer_cancel(&t->clock);
    kobject_unref(&t->notif->obj);
    process_free_object(t->owner, t, sizeof(*t));
}

long sys_timer_create(uint64_t notif, uint64_t bits)
{
    struct kobject *n;
    int err = syscall_get(notif, NX_OBJ_NOTIFICATION, NX_RIGHT_SIGNAL, &n, NULL);
    if (err)
        return err;
    if (bits == 0)
        return NX_ERR_INVALID;
    struct process *p = current_process;
    struct timer *t = process_alloc_object(p, sizeof(*t));
    if (!t)
        return NX_ERR_NO_MEMORY;
    kobject_init(&t->obj, NX_OBJ_TIMER, timer_destroy);
    t->owner = p;
    kobject_ref(n);
    t->notif = (struct notification *)n;
    t->bits = bits;
    t->clock.fire = timer_fire;
    return syscall_install(&t->obj, TIMER_RIGHTS);
}

static int get_timer(uint64_t h, struct timer **out)
{
    struct kobject *o;
    int err = syscall_get(h, NX_OBJ_TIMER, NX_RIGHT_WRITE, &o, NULL);
    if (!err)
        *out = to_timer(o);
    return err;
}

long sys_timer_set(uint64_t h, uint64_t deadline, uint64_t slack)
{
    struct timer *t;
    int err = get_timer(h, &t);
    if (err)
        return err;
    if (slack > TIMER_SLACK_MAX_NS)
        return NX_ERR_INVALID;
    if (deadline == NX_DEADLINE_NEVER)
        clock_timer_cancel(&t->clock);
    else
        clock_timer_set(&t->clock, deadline, slack);
    return NX_OK;
}

long sys_timer_cancel(uint64_t h)
{
    struct timer *t;
    int err = get_timer(h, &t);
    if (!err)
        clock_timer_cancel(&t->clock);
    return err;
}
