// Scheduling on the boot hart. Threads switch on their own kernel stacks; the idle loop runs
// on the boot stack. Tickless: the slice timer is armed only while another thread of the
// running thread's priority is waiting for the CPU.
#include <stddef.h>
#include "sched.h"
#include "console.h"
#include "panic.h"
#include "process.h"
#include "thread.h"
#include "arch/riscv/csr.h"
#include "arch/riscv/sbi.h"
#include "arch/riscv/timer.h"
#include "arch/riscv/vm.h"

#define SLICE_NS 5000000ULL  // 5 ms

static struct runqueue ready;
static struct context idle_ctx;
static struct thread *zombie;  // dead, but its stack was in use when it switched away

static struct thread *thread_of(struct rq_link *l)
{
    return l ? (struct thread *)((char *)l - offsetof(struct thread, rq)) : NULL;
}

static void update_slice(void)
{
    struct thread *t = current_thread;
    bool contended = t && runqueue_top(&ready) >= t->rq.priority;
    if (contended && !timer_armed())
        timer_arm(timer_now() + timer_ns_to_ticks(SLICE_NS));
    else if (!contended)
        timer_disarm();
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
        thread_free(zombie);
        zombie = NULL;
    }
}

// Make next current and switch to it from the context `from`.
static void enter(struct context *from, struct thread *next, struct process *prev_proc)
{
    next->state = THREAD_RUNNING;
    if (next->proc != prev_proc)
        vm_activate(next->proc->root);
    current_thread = next;
    update_slice();
    switch_context(from, &next->ctx);
}

void sched_switch(void)
{
    struct thread *prev = current_thread;
    thread_check_stack(prev);
    if (prev->state == THREAD_DEAD)
        zombie = prev;
    struct thread *next = thread_of(runqueue_pop(&ready));
    if (next == prev) {
        prev->state = THREAD_RUNNING;
        return;
    }
    if (next) {
        enter(&prev->ctx, next, prev->proc);
    } else {
        current_thread = NULL;
        switch_context(&prev->ctx, &idle_ctx);
    }
    reap_zombie();  // back on prev's stack: whoever ran last is off its own
}

void sched_yield(void)
{
    sched_ready(current_thread);
    sched_switch();
}

void sched_timer_tick(void)
{
    timer_ack();
    struct thread *t = current_thread;
    if (t && runqueue_top(&ready) >= t->rq.priority)
        sched_yield();
    else
        update_slice();
}

_Noreturn void sched_idle_loop(void)
{
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
        timer_disarm();
        // wfi wakes on an enabled pending interrupt even with SIE clear; opening SIE after
        // it takes that interrupt, and nothing can slip in between check and sleep.
        wfi();
        irq_enable();
        irq_disable();
    }
}
