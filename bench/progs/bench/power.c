// The power modes' effect on timer interrupts (docs/settings.md): the timers an idle desktop
// keeps, each asking for no slack of its own and re-armed from when it fired, run SPAN of
// virtual time in each mode; the kernel's least slack lets windows that come near each other
// share an interrupt. The bench runs as init, so it holds the device resource the mode needs.
#include <nx/nx.h>
#include "bench.h"

#define MS 1000000ull
#define NS_PER_S 1000000000ull
#define SPAN (5000 * MS)

// The clock (1 s) and four periodic timers of apps (an animation, a blinking cursor, a
// monitor's refresh, a poll), in ms.
static const uint64_t periods_ms[] = { 1000, 100, 250, 330, 700 };
#define NTIMERS (sizeof(periods_ms) / sizeof(periods_ms[0]))

// Timer interrupts per second (rounded) while the timers run SPAN in mode.
static uint64_t irqs_per_s(long mode)
{
    long before_mode = nx_system_power_mode(nx_start_handle, mode);
    long n = nx_notification_create(), t[NTIMERS];
    uint64_t start = (uint64_t)nx_clock_get(), now = start, bits, fired = 0;
    for (unsigned i = 0; i < NTIMERS; i++) {
        t[i] = nx_timer_create(n, (long)(1ull << i));
        nx_timer_set(t[i], (long)(start + periods_ms[i] * MS), 0);
    }
    long before = nx_system_info(NX_INFO_TIMER_IRQS);
    while (now - start < SPAN && nx_notify_wait_bits(n, NX_DEADLINE_NEVER, &bits) == NX_OK) {
        now = (uint64_t)nx_clock_get();
        for (unsigned i = 0; i < NTIMERS; i++)
            if (bits & (1ull << i)) {
                nx_timer_set(t[i], (long)(now + periods_ms[i] * MS), 0);
                fired++;
            }
    }
    uint64_t irqs = (uint64_t)(nx_system_info(NX_INFO_TIMER_IRQS) - before);
    uint64_t span = (uint64_t)nx_clock_get() - start;
    for (unsigned i = 0; i < NTIMERS; i++)
        nx_handle_close(t[i]);
    nx_handle_close(n);
    nx_system_power_mode(nx_start_handle, before_mode);
    nx_printf("bench: power mode %ld: %lu timer firings, %lu interrupts in %lu ns\n", mode,
              fired, irqs, span);
    return (irqs * NS_PER_S + span / 2) / span;
}

void bench_power(void)
{
    report("idle_timer_irqs_per_s_performance", irqs_per_s(NX_POWER_PERFORMANCE));
    report("idle_timer_irqs_per_s_balanced", irqs_per_s(NX_POWER_BALANCED));
    report("idle_timer_irqs_per_s_saver", irqs_per_s(NX_POWER_SAVER));
}
