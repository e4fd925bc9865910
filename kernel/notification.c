// Notifications (see notification.h) and their syscalls.
#include <stddef.h>
#include <nexus/errors.h>
#include <nexus/syscall.h>
#include "notification.h"
#include "process.h"
#include "sched.h"
#include "syscall.h"
#include "thread.h"

_Static_assert(sizeof(struct notification) <= 64, "a notification takes a 64-byte slab slot (slab.h)");

void endpoint_notify(struct endpoint *ep);  // endpoint.c

static struct notification *of(struct kobject *k)
{
    return (struct notification *)k;
}

static void notification_destroy(struct kobject *k)
{
    struct notification *n = of(k);
    struct thread *t;
    while ((t = waitq_pop(&n->waiters)) != NULL)  // waiters hold no handle any more
        sched_wake(t, NX_ERR_PEER_CLOSED);
    process_free_object(n->owner, n, sizeof(*n));
}

long sys_notification_create(void)
{
    struct process *p = current_process;
    struct notification *n = process_alloc_object(p, sizeof(*n));
    if (!n)
        return NX_ERR_NO_MEMORY;
    kobject_init(&n->obj, NX_OBJ_NOTIFICATION, notification_destroy);
    n->owner = p;
    return syscall_install(&n->obj, NX_RIGHTS_ALL);
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

long sys_notify_signal(nx_handle_t h, uint64_t bits)
{
    struct kobject *k;
    int err = syscall_get(h, NX_OBJ_NOTIFICATION, NX_RIGHT_SIGNAL, &k, NULL);
    if (err)
        return err;
    notification_signal(of(k), bits);
    sched_preempt();
    return NX_OK;
}

static void leave_waiters(struct thread *t)
{
    waitq_remove(t->wait_queue, t);
}

long sys_notify_wait(nx_handle_t h, uint64_t deadline)
{
    struct kobject *k;
    int err = syscall_get(h, NX_OBJ_NOTIFICATION, NX_RIGHT_WAIT, &k, NULL);
    if (err)
        return err;
    struct notification *n = of(k);
    struct thread *self = current_thread;
    if (n->bits) {
        self->out[0] = notification_take(n);
        return NX_OK;
    }
    waitq_push(&n->waiters, self);
    self->wait_queue = &n->waiters;
    return sched_block(deadline, leave_waiters);
}

long sys_notify_poll(nx_handle_t h)
{
    struct kobject *k;
    int err = syscall_get(h, NX_OBJ_NOTIFICATION, NX_RIGHT_WAIT, &k, NULL);
    if (err)
        return err;
    current_thread->out[0] = notification_take(of(k));
    return NX_OK;
}
