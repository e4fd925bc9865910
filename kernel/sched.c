// Scheduling on the boot hart. Threads switch on their own kernel stacks; the idle loop runs
// on the boot stack. Tickless: the slice timer is armed only while another thread of the
// running thread's priority is waiting for the CPU, and a blocked thread's deadline is a
// clock timer like any other.
#include <stddef.h>
#include <nexus/errors.h>
#include <nexus/syscall.h>
#include "sched.h"
#include "clock.h"
#include "console.h"
#include "panic.h"
#include "process.h"
#include "thread.h"
#include "arch/riscv/csr.h"
#include "arch/riscv/sbi.h"
#include "arch/riscv/vm.h"

#define SLICE_NS 5000000ULL   // 5 ms
#define SLICE_SLACK_NS 500000ULL  // a slice may run 10% long, to share interrupts

static struct runqueue ready;
static struct context idle_ctx;
static struct thread *zombie;  // dead; its stack was in use when it switched away
static struct clock_timer slice;
static bool slice_over;  // the slice timer fired: the next sched_preempt takes turns

static struct thread *thread_of(struct rq_link *l)
{
    return l ? (struct thread *)((char *)l - offsetof(struct thread, rq)) : NULL;
}

static bool contended(void)
{
    struct thread *t = current_thread;
    return t && runqueue_any_from(&ready, t->rq.priority);
}

static __attribute__((noinline)) void toggle_slice(void)
{
    if (timerq_armed(&slice.q))
        clock_timer_cancel(&slice);
    else
        clock_timer_set(&slice, clock_now() + SLICE_NS, SLICE_SLACK_NS);
}

// Inline and cheap when nothing changes, as on every IPC switch between threads of one
// priority.
static inline void update_slice(void)
{
    if (contended() != timerq_armed(&slice.q))
        toggle_slice();
}

// Called inside clock_interrupt, which must finish before anyone switches: just take note.
static void slice_fired(struct clock_timer *t)
{
    (void)t;
    slice_over = true;
}

void sched_preempt(void)
{
    struct thread *t = current_thread;
    bool over = slice_over;
    slice_over = false;
    if (!t)
        return;
    int top = runqueue_top(&ready);
    if (top > t->rq.priority || (over && top == t->rq.priority))
        sched_yield();
    else
        update_slice();
}

void sched_ready(struct thread *t)
{
    t->state = THREAD_READY;
    runqueue_push(&ready, &t->rq);
    update_slice();
}

void sched_remove(struct thread *t)
{
    runqueue_remove(&ready, &t->rq);
}

static void reap_zombie(void)
{
    if (zombie) {
        kobject_unref(&zombie->obj);  // the reference that kept it running
        zombie = NULL;
    }
}

// Make next the current thread, in its address space.
static inline void make_current(struct thread *next, struct process *prev_proc)
{
    next->state = THREAD_RUNNING;
    if (next->proc != prev_proc)
        vm_activate(next->proc->root);
    current_thread = next;
}

// Make next current and switch to it from the context `from`.
static void enter(struct context *from, struct thread *next, struct process *prev_proc)
{
    make_current(next, prev_proc);
    update_slice();
    switch_context(from, &next->ctx);
}

// Switch from prev (not running any more) to next, or to the idle loop when next is NULL.
static void switch_from(struct thread *prev, struct thread *next)
{
    if (prev->state == THREAD_DEAD) {
        // A new thread starts in user_return and reaps nothing, so the last zombie may still
        // be here: free it first (we run on prev's stack, not on its).
        reap_zombie();
        zombie = prev;
    }
    if (next) {
        enter(&prev->ctx, next, prev->proc);
    } else {
        current_thread = NULL;
        update_slice();
        switch_context(&prev->ctx, &idle_ctx);
    }
    reap_zombie();  // back on prev's stack: whoever ran last is off its own
}

void sched_switch(void)
{
    struct thread *prev = current_thread;
    struct thread *next = thread_of(runqueue_pop(&ready));
    if (next == prev) {
        prev->state = THREAD_RUNNING;
        return;
    }
    switch_from(prev, next);
}

void sched_yield(void)
{
    sched_ready(current_thread);
    sched_switch();
}

// ---- blocking ----

static struct thread *waiter_of(struct clock_timer *c)
{
    return (struct thread *)((char *)c - offsetof(struct thread, wait_timer));
}

static void deadline_passed(struct clock_timer *c)
{
    struct thread *t = waiter_of(c);
    t->unblock(t);
    t->unblock = NULL;
    t->wait_result = NX_ERR_TIMED_OUT;
    sched_ready(t);
}

// Mark the current thread blocked until `deadline`; false if the deadline already passed
// (the thread was then taken off its queue again).
static bool prepare_block(uint64_t deadline, void (*unblock)(struct thread *t))
{
    struct thread *t = current_thread;
    t->unblock = unblock;
    if (deadline != NX_DEADLINE_NEVER) {
        if (deadline <= clock_now()) {
            unblock(t);
            t->unblock = NULL;
            return false;
        }
        t->wait_timer.fire = deadline_passed;
        clock_timer_set(&t->wait_timer, deadline, 0);
    }
    t->state = THREAD_BLOCKED;
    return true;
}

long sched_block(uint64_t deadline, void (*unblock)(struct thread *t))
{
    if (!prepare_block(deadline, unblock))
        return NX_ERR_TIMED_OUT;
    sched_switch();
    return current_thread->wait_result;
}

static __attribute__((noinline)) long block_switch_general(struct thread *next,
                                                           uint64_t deadline,
                                                           void (*unblock)(struct thread *t))
{
    if (!prepare_block(deadline, unblock)) {
        sched_wake(next, next->wait_result);
        return NX_ERR_TIMED_OUT;
    }
    struct thread *prev = current_thread;
    if (next->wait_timer.q.state != TQ_IDLE)
        clock_timer_cancel(&next->wait_timer);
    next->unblock = NULL;
    if (runqueue_any_from(&ready, next->rq.priority + 1u)) {
        sched_ready(next);
        sched_switch();
    } else {
        switch_from(prev, next);
    }
    return current_thread->wait_result;
}

// The IPC fast path (every call and reply_recv that finds its peer waiting) comes here. When
// neither thread has a deadline, they share a priority and nothing else is ready at it or
// above, only the switch itself is left: no queue changes, and the slice timer stays off as
// it is. This path calls nothing but switch_context, so it needs almost no stack frame.
long sched_block_switch(struct thread *next, uint64_t deadline,
                        void (*unblock)(struct thread *t))
{
    struct thread *prev = current_thread;
    if (deadline != NX_DEADLINE_NEVER || timerq_armed(&next->wait_timer.q) ||
        next->rq.priority != prev->rq.priority || runqueue_any_from(&ready, next->rq.priority))
        return block_switch_general(next, deadline, unblock);
    prev->unblock = unblock;
    prev->state = THREAD_BLOCKED;
    next->unblock = NULL;
    make_current(next, prev->proc);
    switch_context(&prev->ctx, &next->ctx);
    reap_zombie();  // back on prev's stack: whoever ran last is off its own
    return current_thread->wait_result;
}

void sched_cancel_wait(struct thread *t)
{
    if (t->state != THREAD_BLOCKED)
        return;
    clock_timer_cancel(&t->wait_timer);
    if (t->unblock)
        t->unblock(t);
    t->unblock = NULL;
}

void sched_wake(struct thread *t, long result)
{
    clock_timer_cancel(&t->wait_timer);
    t->unblock = NULL;
    t->wait_result = result;
    sched_ready(t);
}

static uint64_t idle_instret;

uint64_t sched_idle_instret(void)
{
    return idle_instret;
}

// WFI, counting the instret that passes meanwhile.
static void halt(void)
{
    uint64_t before = rdinstret();
    wfi();
    idle_instret += rdinstret() - before;
}

_Noreturn void sched_idle_loop(void)
{
    slice.fire = slice_fired;
    for (;;) {
        reap_zombie();
        if (process_count() == 0) {
            kprintf("NEURON: no processes left, powering off\n");
            sbi_shutdown();
        }
        struct thread *next = thread_of(runqueue_pop(&ready));
        if (next) {
            enter(&idle_ctx, next, NULL);
            continue;
        }
        // wfi wakes on an enabled pending interrupt even with SIE clear; opening SIE after
        // it takes that interrupt, and nothing can slip in between check and sleep. The
        // hardware timer is armed only if a timer is due (clock.c).
        halt();
        irq_enable();
        irq_disable();
    }
}
