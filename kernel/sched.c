// Scheduling: one run queue per hart. Threads switch on their own kernel stacks; each hart's
// idle thread runs on that hart's boot stack. Tickless: a hart's slice timer is armed only
// while another thread of its running thread's priority waits there, and a blocked thread's
// deadline is a clock timer like any other. Everything here runs under the big lock (hart.h).
#include <stddef.h>
#include <nexus/errors.h>
#include <nexus/syscall.h>
#include "sched.h"
#include "clock.h"
#include "console.h"
#include "hart.h"
#include "placement.h"
#include "power.h"
#include "panic.h"
#include "process.h"
#include "thread.h"
#include "arch/riscv/csr.h"
#include "arch/riscv/fpu.h"
#include "arch/riscv/sbi.h"
#include "arch/riscv/vm.h"

#define SLICE_NS 5000000ULL   // 5 ms
#define SLICE_SLACK_NS 500000ULL  // a slice may run 10% long, to share interrupts

static struct thread *thread_of(struct rq_link *l)
{
    return l ? (struct thread *)((char *)l - offsetof(struct thread, rq)) : NULL;
}

static bool allowed_on(const struct thread *t, const struct hart *h)
{
    return (t->affinity >> h->index) & 1;
}

static bool contended(struct hart *h)
{
    struct thread *t = h->current;
    return t != &h->idle && runqueue_any_from(&h->ready, t->rq.priority);
}

static __attribute__((noinline)) void toggle_slice(struct hart *h)
{
    if (timerq_armed(&h->slice.q))
        clock_timer_cancel(&h->slice);
    else
        clock_timer_set(&h->slice, clock_now() + SLICE_NS, SLICE_SLACK_NS);
}

// Inline and cheap when nothing changes, as on every IPC switch between threads of one
// priority.
static inline void update_slice(struct hart *h)
{
    if (contended(h) != timerq_armed(&h->slice.q))
        toggle_slice(h);
}

// Called inside clock_interrupt, which must finish before anyone switches: just take note.
static void slice_fired(struct clock_timer *t)
{
    struct hart *h = (struct hart *)((char *)t - offsetof(struct hart, slice));
    h->slice_over = true;
}

void sched_preempt(void)
{
    struct hart *h = this_hart();
    struct thread *t = current_thread;
    bool over = h->slice_over;
    h->slice_over = false;
    if (t == &h->idle)
        return;
    int top = runqueue_top(&h->ready);
    if (top > t->rq.priority || (over && top == t->rq.priority) || !allowed_on(t, h))
        sched_yield();
    else
        update_slice(h);
}

// The harts idle with nothing queued.
static uint64_t free_harts(void)
{
    uint64_t free = 0;
    for (uint32_t i = 0; i < nharts; i++)
        if (harts[i].idling && !harts[i].ready.nonempty)
            free |= 1ull << i;
    return free;
}

static struct hart *place(const struct thread *t)
{
    struct hart *self = this_hart();
    if (!smp)
        return self;
    int last = t->hart ? (int)t->hart->index : -1;
    return &harts[place_thread(t->affinity & harts_online(), last, self->index, free_harts())];
}

void sched_ready(struct thread *t)
{
    struct hart *h = place(t);
    t->state = THREAD_READY;
    t->rq_hart = h;  // t->hart stays where t runs until it is switched out
    runqueue_push(&h->ready, &t->rq);
    if (h == this_hart())
        update_slice(h);
    else if (h->idling || t->rq.priority >= h->current->rq.priority)
        hart_send_ipi(1ull << h->index, IPI_RESCHEDULE);
}

int sched_set_affinity(struct thread *t, uint64_t mask)
{
    mask &= harts_online();
    if (!mask)
        return NX_ERR_INVALID;
    if (t->state == THREAD_DEAD)
        return NX_ERR_BAD_STATE;
    t->affinity = mask == harts_online() ? AFFINITY_ANY : mask;
    if (t->state == THREAD_READY && !allowed_on(t, t->rq_hart)) {
        sched_remove(t);
        sched_ready(t);
    } else if (t->state == THREAD_RUNNING && !allowed_on(t, t->hart)) {
        if (t == current_thread)
            sched_yield();
        else  // its sched_preempt moves it
            hart_send_ipi(1ull << t->hart->index, IPI_RESCHEDULE);
    }
    return NX_OK;  // a blocked thread is placed when it wakes
}

void sched_remove(struct thread *t)
{
    runqueue_remove(&t->rq_hart->ready, &t->rq);
}

static void reap_zombie(struct hart *h)
{
    if (h->zombie) {
        kobject_unref(&h->zombie->obj);  // the reference that kept it running
        h->zombie = NULL;
    }
}

// next is new to h: h joins the harts of next's process, and if a kernel stack was mapped
// since h last fenced, next's may be one h cached as invalid.
static __attribute__((noinline)) void adopt(struct thread *next, struct hart *h)
{
    next->hart = h;
    // h may hold translations of next's process from now on (atomic: a shared IPC path on
    // another hart may be adding its own bit; ordered before h reads its page tables, for a
    // shared unmap's shootdown: process_flush_tlb)
    __atomic_fetch_or(&next->proc->harts, h->bit, __ATOMIC_SEQ_CST);
    if (h->kstack_generation != kstack_generation) {
        h->kstack_generation = kstack_generation;
        sfence_vma_all();
    }
}

// Make next the current thread of h, in its address space.
static inline void make_current(struct thread *next, struct hart *h)
{
    next->state = THREAD_RUNNING;
    if (next->hart != h)
        adopt(next, h);
    h->current = next;
    struct process *p = next->proc;
    if (p->satp != h->satp) {  // into p's address space (p->harts has h: adopt)
        h->satp = p->satp;
        vm_activate(p->satp, p->flush_on_switch);
    }
    current_thread = next;
}

// Switch from prev (not running any more) to next, or to the idle thread when next is NULL.
static void switch_from(struct thread *prev, struct thread *next)
{
    struct hart *h = prev->hart;
    if (prev->state == THREAD_DEAD && prev != &h->idle) {
        // The last zombie may still be here (a thread that was switched to last, e.g. to
        // the idle thread, reaps it on its way): free it first (we run on prev's stack).
        reap_zombie(h);
        h->zombie = prev;
    }
    fpu_switch_out(prev);
    if (next) {
        make_current(next, h);
    } else {
        next = &h->idle;
        h->current = next;
        current_thread = next;
    }
    update_slice(h);
    switch_context(&prev->ctx, &next->ctx);
    reap_zombie(this_hart());  // back on prev's stack: whoever ran last is off its own
}

static int may_run_on(const struct rq_link *l, const void *h)
{
    return allowed_on(thread_of((struct rq_link *)l), h);
}

// The most urgent thread queued on another hart that may run on h, taken off its queue; NULL
// if there is none. An idle hart calls this: work goes where a hart is free.
static struct thread *steal(struct hart *h)
{
    struct rq_link *best = NULL;
    struct runqueue *from = NULL;
    for (uint32_t i = 0; i < nharts; i++) {
        struct runqueue *rq = &harts[i].ready;
        struct rq_link *l;
        if (&harts[i] != h &&
            (l = runqueue_find(rq, best ? best->priority + 1u : 0, may_run_on, h)) != NULL)
            best = l, from = rq;
    }
    if (best)
        runqueue_remove(from, best);
    return thread_of(best);
}

_Noreturn void user_return(void);  // trap.S

_Noreturn void sched_thread_start(void)
{
    reap_zombie(this_hart());  // as a thread switched back in would (switch_from)
    user_return();
}

void sched_switch(void)
{
    struct thread *prev = current_thread;
    struct thread *next = thread_of(runqueue_pop(&prev->hart->ready));
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

_Noreturn void thread_dying(void)
{
    sched_switch();
    panic("dead thread was scheduled");
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
        clock_timer_set(&t->wait_timer, deadline, power_slack(0));
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
    if (runqueue_any_from(&prev->hart->ready, next->rq.priority + 1u) ||
        !allowed_on(next, prev->hart)) {
        sched_ready(next);
        sched_switch();
    } else {
        switch_from(prev, next);
    }
    return current_thread->wait_result;
}

// next, blocked without a deadline, may take the hart from prev at once, affinity aside:
// they share a priority and nothing else is ready at it or above.
static inline bool may_hand_off(const struct thread *prev, const struct thread *next,
                                struct hart *h)
{
    return !timerq_armed(&next->wait_timer.q) && next->rq.priority == prev->rq.priority &&
           !runqueue_any_from(&h->ready, next->rq.priority);
}

// The IPC paths that find their peer waiting come here (the fast paths without a deadline
// through sched_ipc_switch, below). When neither thread has a deadline, may_hand_off and
// next may run anywhere, only the switch itself is left: next comes to this hart, no queue
// changes, and the slice timer stays off as it is. This path calls nothing but
// switch_context (and an FP save when the thread leaving dirtied them), so it needs almost no
// stack frame.
long sched_block_switch(struct thread *next, uint64_t deadline,
                        void (*unblock)(struct thread *t))
{
    struct thread *prev = current_thread;
    struct hart *h = prev->hart;
    if (deadline != NX_DEADLINE_NEVER || !may_hand_off(prev, next, h) ||
        next->affinity != AFFINITY_ANY)  // cheaper than allowed_on, and what most threads have
        return block_switch_general(next, deadline, unblock);
    prev->unblock = unblock;
    prev->state = THREAD_BLOCKED;
    next->unblock = NULL;
    fpu_switch_out(prev);
    make_current(next, h);
    switch_context(&prev->ctx, &next->ctx);
    reap_zombie(this_hart());  // back on prev's stack: whoever ran last is off its own
    return current_thread->wait_result;
}

// sched_block_switch's fast case, without the calls it may make (an FP save, a hart adopted)
// and so without a stack frame: those cases take the general switch.
long sched_ipc_switch(void (*unblock)(struct thread *t), uint64_t a1, uint64_t a2, uint64_t a3,
                      uint64_t a4, uint64_t a5, uint64_t a6, struct thread *next)
{
    struct thread *prev = current_thread;
    struct hart *h = prev->hart;
    if (!may_hand_off(prev, next, h) || next->affinity != AFFINITY_ANY || next->hart != h ||
        fpu_dirty())
        return block_switch_general(next, NX_DEADLINE_NEVER, unblock);
    prev->unblock = unblock;
    prev->state = THREAD_BLOCKED;
    next->unblock = NULL;
    make_current(next, h);
    return ipc_switch(&prev->ctx, a1, a2, a3, a4, a5, a6, &next->ctx);
}

long sched_ipc_resumed(void)
{
    reap_zombie(this_hart());  // as in sched_block_switch
    return current_thread->wait_result;
}

bool sched_may_hand_off(const struct thread *next)
{
    struct thread *prev = current_thread;
    return may_hand_off(prev, next, prev->hart) && allowed_on(next, prev->hart);
}

void sched_block_for_hand_off(void (*unblock)(struct thread *t))
{
    struct thread *prev = current_thread;
    prev->unblock = unblock;
    prev->state = THREAD_BLOCKED;
    prev->ctx.on_cpu = 1;
}

long sched_hand_off(struct thread *next)
{
    struct thread *prev = current_thread;
    next->unblock = NULL;
    while (__atomic_load_n(&next->ctx.on_cpu, __ATOMIC_ACQUIRE))
        ;  // its hart is storing its registers: a few instructions
    fpu_switch_out(prev);
    prev->hart->hand_offs++;
    make_current(next, prev->hart);
    switch_context_release(&prev->ctx, &next->ctx);
    reap_zombie(this_hart());  // as in sched_block_switch (the hart may hold it exclusive)
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

uint64_t sched_idle_instret(void)
{
    uint64_t sum = 0;
    for (uint32_t i = 0; i < nharts; i++)
        sum += harts[i].idle_instret;
    return sum;
}

// WFI, counting the instret and the time that pass meanwhile (a poll's too). Other harts may run while
// this one halts, so it gives the big lock up first.
static void halt(struct hart *h)
{
    uint64_t before = rdinstret(), t0 = clock_now();
    h->idling = true;
    if (smp)
        big_lock_release();
    // Performance mode: poll a while first, so work that comes soon finds the hart awake.
    uint64_t poll_ns = power_idle_poll_ns();
    while (poll_ns && !irq_pending() && clock_now() - t0 < poll_ns)
        ;
    wfi();   // at once if an interrupt is pending
    if (smp)
        big_lock_acquire();
    h->idling = false;
    h->idle_instret += rdinstret() - before;
    h->idle_ns += clock_now() - t0;
}

_Noreturn void sched_idle_loop(void)
{
    struct hart *h = this_hart();
    h->slice.fire = slice_fired;
    for (;;) {
        reap_zombie(h);
        if (process_count() == 0) {
            kprintf("NEURON: no processes left, powering off\n");
            sbi_shutdown();
        }
        struct thread *next = thread_of(runqueue_pop(&h->ready));
        if (!next && smp)
            next = steal(h);
        if (next) {
            if (h->tlb_stale) {  // harts_fence passed this hart by while it idled
                h->tlb_stale = false;
                sfence_vma_all();
            }
            make_current(next, h);
            update_slice(h);
            switch_context(&h->idle.ctx, &next->ctx);
            continue;
        }
        // wfi wakes on an enabled pending interrupt even with SIE clear; opening SIE after
        // it takes that interrupt, and nothing can slip in between check and sleep. The
        // hardware timer is armed only if a timer is due (clock.c).
        halt(h);
        irq_enable();
        irq_disable();
    }
}
