// Timer system calls: handle lookups and argument checks around kernel/timer.c.
#include <nexus/errors.h>
#include <nexus/syscall.h>
#include "notification.h"
#include "power.h"
#include "process.h"
#include "syscall.h"
#include "thread.h"
#include "timer.h"

long sys_timer_create(uhandle_t notif, uint64_t bits)
{
    struct notification *n;
    int err = syscall_signal_target(notif, bits, &n);
    if (err)
        return err;
    struct timer *t;
    err = syscall_room(1);
    if (err == NX_OK)
        err = timer_create(current_process, n, bits, &t);
    return err ? err : syscall_install(&t->obj, TIMER_RIGHTS);
}

static int get_timer(uhandle_t h, struct timer **out)
{
    struct kobject *o;
    int err = syscall_get(h, NX_OBJ_TIMER, NX_RIGHT_WRITE, &o, NULL);
    if (!err)
        *out = (struct timer *)o;  // the kobject comes first
    return err;
}

long sys_timer_set(uhandle_t h, uint64_t deadline, uint64_t slack)
{
    struct timer *t;
    int err = get_timer(h, &t);
    if (err)
        return err;
    if (slack > TIMER_SLACK_MAX_NS)
        return NX_ERR_INVALID;
    timer_set(t, deadline, power_slack(slack));
    return NX_OK;
}

long sys_timer_cancel(uhandle_t h)
{
    struct timer *t;
    int err = get_timer(h, &t);
    if (!err)
        timer_cancel(t);
    return err;
}
