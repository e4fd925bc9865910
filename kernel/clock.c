// Monotonic clock and the kernel's timer queues, one per hart (see clock.h). Keys are
// nanoseconds; the hardware timer counts ticks. A timer fires on the hart that armed it.
#include "clock.h"
#include <stddef.h>
#include "hart.h"
#include "arch/riscv/timer.h"

uint64_t clock_now(void)
{
    return timer_ticks_to_ns(timer_now());
}

// Program this hart's timer for its queue's earliest window end, or turn it off.
static void reprogram(struct hart *h)
{
    uint64_t fire = timerq_next_fire(&h->clock);
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
    struct hart *h = this_hart();
    if (timerq_armed(&t->q) && t->hart != h)
        clock_timer_cancel(t);
    t->hart = h;
    timerq_add(&h->clock, &t->q, deadline, slack);
    reprogram(h);
}

// A timer armed by another hart is taken off that hart's queue; that hart's timer may then
// fire once for nothing (it reprograms itself then).
void clock_timer_cancel(struct clock_timer *t)
{
    if (!timerq_armed(&t->q))
        return;
    timerq_cancel(&t->hart->clock, &t->q);
    if (t->hart == this_hart())
        reprogram(t->hart);
}

static void fire(struct timerq_entry *e, void *ctx)
{
    (void)ctx;
    struct clock_timer *t = (struct clock_timer *)((char *)e - offsetof(struct clock_timer, q));
    t->fire(t);
}

void clock_interrupt(void)
{
    struct hart *h = this_hart();
    h->timer_irqs++;
    timer_ack();
    timerq_expire(&h->clock, clock_now(), fire, NULL);
    reprogram(h);
}

uint64_t clock_irq_count(void)
{
    uint64_t sum = 0;
    for (uint32_t i = 0; i < nharts; i++)
        sum += harts[i].timer_irqs;
    return sum;
}
