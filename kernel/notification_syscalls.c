// Notification system calls: handle lookups with the right each operation needs around
// kernel/notification.c.
#include <nexus/errors.h>
#include <nexus/syscall.h>
#include "notification.h"
#include "process.h"
#include "sched.h"
#include "syscall.h"
#include "thread.h"

static int get_notification(uhandle_t h, uint32_t rights, struct notification **out)
{
    struct kobject *k;
    int err = syscall_get(h, NX_OBJ_NOTIFICATION, rights, &k, NULL);
    if (err == NX_OK)
        *out = (struct notification *)k;  // the kobject comes first
    return err;
}

long sys_notification_create(void)
{
    struct notification *n;
    int err = syscall_room(1);
    if (err == NX_OK)
        err = notification_create(current_process, &n);
    return err ? err : syscall_install(&n->obj, NX_RIGHTS_ALL);
}

long sys_notify_signal(uhandle_t h, uint64_t bits)
{
    struct notification *n;
    int err = get_notification(h, NX_RIGHT_SIGNAL, &n);
    if (err)
        return err;
    notification_signal(n, bits);
    sched_preempt();
    return NX_OK;
}

long sys_notify_wait(uhandle_t h, uint64_t deadline)
{
    struct notification *n;
    int err = get_notification(h, NX_RIGHT_WAIT, &n);
    return err ? err : notification_wait(n, deadline);
}

long sys_notify_poll(uhandle_t h)
{
    struct notification *n;
    int err = get_notification(h, NX_RIGHT_WAIT, &n);
    if (err)
        return err;
    current_thread->out[0] = notification_take(n);
    return NX_OK;
}
