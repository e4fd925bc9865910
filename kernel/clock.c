// Monotonic clock and the kernel's one timer queue (see clock.h). Keys are nanoseconds; the
// hardware timer counts ticks.
#include "clock.h"
#include <stddef.h>
#include "arch/riscv/timer.h"

// Only the boot hart touches these, with interrupts off.
static struct timerq queue;
static uint64_t irqs;

uint64_t clock_now(void)
{
    return timer_ticks_to_ns(timer_now());
}

// Program the hardware for the queue's earliest window end, or turn it off.
static void reprogram(void)
{
    uint64_t fire = timerq_next_fire(&queue);
    if (fire == UINT64_MAX) {
        timer_disarm();
        return;
    }
    // Round up: a tick boundary at or after `fire` keeps every expired deadline <= now.
    uint64_t ticks = timer_ns_to_ticks(fire);
    if (timer_ticks_to_ns(ticks) < fire)
        ticks++;
    timer_arm(ticks);
}

void clock_timer_set(struct clock_timer *t, uint64_t deadline, uint64_t slack)
{
    timerq_add(&queue, &t->q, deadline, slack);
    reprogram();
}

void clock_timer_cancel(struct clock_timer *t)
{
    if (!timerq_armed(&t->q))
        return;
    timerq_cancel(&queue, &t->q);
    reprogram();
}

static void fire(struct timerq_entry *e, void *ctx)
{
    (void)ctx;
    struct clock_timer *t = (struct clock_timer *)((char *)e - offsetof(struct clock_timer, q));
    t->fire(t);
}

void clock_interrupt(void)
{
    irqs++;
    timer_ack();
    timerq_expire(&queue, clock_now(), fire, NULL);
    reprogram();
}

uint64_t clock_irq_count(void)
{
    return irqs;
}
