// See fake_kernel.h. Each fake follows its kernel counterpart's contract in sched.h,
// clock.h, process.h and notification.h.
#include <stdlib.h>
#include <string.h>
#include <nexus/errors.h>
#include <nexus/syscall.h>
#include "support/fake_kernel.h"
#include "clock.h"
#include "hart.h"
#include "sched.h"

struct fake_kernel fake;
struct process fake_process;
struct handle_table fake_handles;
static struct thread fake_thread;
struct thread *current_thread;
// One hart, as kernel/hart.c would set it up: the clock's queue is its (clock.c).
struct hart harts[MAX_HARTS];
uint32_t nharts = 1;
uint32_t smp;

void fake_process_init(struct process *p, struct handle_table *t, size_t pages)
{
    memset(p, 0, sizeof(*p));
    kobject_init(&p->obj, NX_OBJ_PROCESS, NULL);
    handle_table_init(t);
    p->handles = t;
    p->budget.limit = pages;
}

void fake_reset(size_t pages)
{
    memset(&fake, 0, sizeof(fake));
    fake.now = 1000;
    fake_process_init(&fake_process, &fake_handles, pages);
    memset(&fake_thread, 0, sizeof(fake_thread));
    memset(&harts[0], 0, sizeof(harts[0]));
    fake_thread.hart = &harts[0];
    fake_thread.proc = &fake_process;
    fake_thread.state = THREAD_RUNNING;
    current_thread = &fake_thread;
}

struct fake_state fake_state(const struct process *p)
{
    struct fake_state s;
    memset(&s, 0, sizeof(s));  // padding too: the states are compared with memcmp
    s.live_objects = kobject_live_count();
    s.handles_installed = handle_counters.installed;
    s.object_allocs = fake.object_allocs;
    s.budget_used = p->budget.used;
    s.handles = handle_table_live(p->handles);
    return s;
}

nx_handle_t fake_notification(struct notification *n, uint32_t rights)
{
    memset(n, 0, sizeof(*n));
    kobject_init(&n->obj, NX_OBJ_NOTIFICATION, NULL);
    nx_handle_t h = NX_HANDLE_INVALID;
    if (handle_install(&fake_handles, &n->obj, rights, &h))
        abort();
    return h;
}

void fake_close_all(void)
{
    handle_table_destroy(&fake_handles);
}

// Weak: the timer test links the real clock (kernel/clock.c) instead.
__attribute__((weak)) uint64_t clock_now(void)
{
    return fake.now;
}

// ---- scheduler ----

static bool prepare_block(uint64_t deadline, void (*unblock)(struct thread *t))
{
    struct thread *t = current_thread;
    t->unblock = unblock;
    if (deadline != NX_DEADLINE_NEVER && deadline <= clock_now()) {
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

// The fast paths hand over the message registers twice, in next->out and in a1..a6 (which
// the real switch returns to user mode as they are): they must agree.
long sched_ipc_switch(void (*unblock)(struct thread *t), uint64_t a1, uint64_t a2, uint64_t a3,
                      uint64_t a4, uint64_t a5, uint64_t a6, struct thread *next)
{
    const uint64_t regs[6] = { a1, a2, a3, a4, a5, a6 };
    for (int i = 0; i < 6; i++)
        if (regs[i] != next->out[i])
            fake.ipc_switch_mismatches++;
    if (next->wait_result != NX_OK)
        fake.ipc_switch_mismatches++;
    fake.ipc_switches++;
    return sched_block_switch(next, NX_DEADLINE_NEVER, unblock);
}

bool sched_may_hand_off(const struct thread *next)
{
    (void)next;
    return !fake.no_hand_off;
}

void sched_block_for_hand_off(void (*unblock)(struct thread *t))
{
    prepare_block(NX_DEADLINE_NEVER, unblock);
}

long sched_hand_off(struct thread *next)
{
    next->unblock = NULL;
    next->state = THREAD_RUNNING;
    fake.switched_to = next;
    fake.hand_offs++;
    return FAKE_BLOCKED;
}

void big_lock_exclusive_instead(void)
{
    fake.exclusive++;
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

// ---- object pages, notifications ----

// A whole budget page per object (the most slab.c can charge), each object its own
// allocation of its size, so that ASan sees any access past its end.
void *process_alloc_object(struct process *p, size_t size)
{
    if (p->budget.used == p->budget.limit)
        return NULL;
    p->budget.used++;
    fake.object_pages++;
    fake.object_allocs++;
    kobject_ref(&p->obj);
    return calloc(1, size);
}

void process_free_object(struct process *p, void *obj, size_t size)
{
    (void)size;
    p->budget.used--;
    fake.object_pages--;
    free(obj);
    kobject_unref(&p->obj);
}

void notification_signal(struct notification *n, uint64_t bits)
{
    n->bits |= bits;
    fake.signals++;
}

uint64_t notification_take(struct notification *n)
{
    uint64_t bits = n->bits;
    n->bits = 0;
    return bits;
}
