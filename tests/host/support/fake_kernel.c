// See fake_kernel.h. Each fake follows its kernel counterpart's contract in sched.h,
// clock.h, process.h, syscall.h and notification.h.
#include <stdlib.h>
#include <string.h>
#include <nexus/errors.h>
#include <nexus/syscall.h>
#include "support/fake_kernel.h"
#include "clock.h"
#include "handle.h"
#include "notification.h"
#include "process.h"
#include "sched.h"
#include "syscall.h"

struct fake_kernel fake;
struct thread *current_thread;

void fake_reset(void)
{
    memset(&fake, 0, sizeof(fake));
    fake.now = 1000;
    current_thread = NULL;
}

uint64_t clock_now(void)
{
    return fake.now;
}

// ---- scheduler ----

static bool prepare_block(uint64_t deadline, void (*unblock)(struct thread *t))
{
    struct thread *t = current_thread;
    t->unblock = unblock;
    if (deadline != NX_DEADLINE_NEVER && deadline <= fake.now) {
        unblock(t);
        t->unblock = NULL;
        return false;
    }
    t->state = THREAD_BLOCKED;
    t->wait_result = FAKE_BLOCKED;
    fake.blocks++;
    return true;
}

long sched_block(uint64_t deadline, void (*unblock)(struct thread *t))
{
    return prepare_block(deadline, unblock) ? FAKE_BLOCKED : NX_ERR_TIMED_OUT;
}

long sched_block_switch(struct thread *next, uint64_t deadline,
                        void (*unblock)(struct thread *t))
{
    if (!prepare_block(deadline, unblock)) {
        sched_wake(next, next->wait_result);
        return NX_ERR_TIMED_OUT;
    }
    next->unblock = NULL;
    next->state = THREAD_RUNNING;
    fake.switched_to = next;
    return FAKE_BLOCKED;
}

void sched_wake(struct thread *t, long result)
{
    t->unblock = NULL;
    t->wait_result = result;
    t->state = THREAD_READY;
    fake.wakes++;
}

void sched_cancel_wait(struct thread *t)
{
    if (t->state != THREAD_BLOCKED)
        return;
    if (t->unblock)
        t->unblock(t);
    t->unblock = NULL;
}

void fake_timeout(struct thread *t)
{
    t->unblock(t);
    t->unblock = NULL;
    t->wait_result = NX_ERR_TIMED_OUT;
    t->state = THREAD_READY;
}

bool fake_blocked(const struct thread *t)
{
    return t->state == THREAD_BLOCKED;
}

// ---- processes, syscall glue, notifications ----

void *process_alloc_object(struct process *p, size_t size)
{
    (void)p;
    if (fake.alloc_fails)
        return NULL;
    fake.objects++;
    return calloc(1, size);
}

void process_free_object(struct process *p, void *obj, size_t size)
{
    (void)p, (void)size;
    fake.objects--;
    free(obj);
}

uint64_t notification_take(struct notification *n)
{
    uint64_t bits = n->bits;
    n->bits = 0;
    return bits;
}
