#pragma once
// Monotonic time and kernel timers for the tickless kernel. Every deadline in the kernel (a
// blocked thread's timeout, a time slice, a user timer object) is a clock_timer in the timer
// queue (timerq.h) of the hart that armed it; the hardware timer is programmed for the queue's next_fire only, so it is
// off when nothing is due, and timers whose windows overlap share one interrupt.
#include <stdint.h>
#include "timerq.h"

struct hart;

struct clock_timer {
    struct timerq_entry q;
    struct hart *hart;  // whose queue it is in while armed
    void (*fire)(struct clock_timer *t);  // called from the timer interrupt
};

// Nanoseconds since boot.
uint64_t clock_now(void);
// Arm t (t->fire set) for [deadline, deadline + slack] in ns; re-arms an armed timer.
void clock_timer_set(struct clock_timer *t, uint64_t deadline, uint64_t slack);
void clock_timer_cancel(struct clock_timer *t);
// The timer interrupt: fire what is due, reprogram the hardware.
void clock_interrupt(void);
// Timer interrupts taken since boot, all harts.
uint64_t clock_irq_count(void);
