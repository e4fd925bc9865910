// Instruction-count benchmarks run inside the booted system (make bench runs QEMU with
// -icount shift=0 so instret is exact). Prints "BENCH <name> <value>" lines for the harness.
#include <string.h>
#include <stdbool.h>
#include <nx/nx.h>
#include "bench.h"

void report(const char *name, uint64_t value)
{
    nx_printf("BENCH %s %lu\n", name, value);
}

// Instructions per round trip of the bare syscall, minus the loop's own cost.
static uint64_t null_syscall(void)
{
    uint64_t loop_start = nx_rdinstret();
    for (volatile int i = 0; i < ITERATIONS; i++)
        ;
    uint64_t loop_cost = nx_rdinstret() - loop_start;
    uint64_t start = nx_rdinstret();
    for (volatile int i = 0; i < ITERATIONS; i++)
        nx_nop();
    return (nx_rdinstret() - start - loop_cost) / ITERATIONS;
}

// ---- thread switch through yield ----

static uint64_t partner_stack[512] __attribute__((aligned(16)));
static volatile int partner_stop;

static void yield_partner(long unused)
{
    (void)unused;
    while (!partner_stop)
        nx_yield();
    nx_thread_exit();
}

// One FP instruction: the thread needs the FP registers before it goes on.
static inline void use_fp(void)
{
    __asm__ volatile("fadd.d ft0, ft0, ft1" ::: "ft0");
}

static void fp_yield_partner(long unused)
{
    (void)unused;
    while (!partner_stop) {
        use_fp();
        nx_yield();
    }
    nx_thread_exit();
}

// Two threads of one priority yield to each other (with_fp: each uses FP between switches,
// so every switch hands the FP registers over): each main-loop turn is two switches.
static uint64_t yield_switch(bool with_fp)
{
    partner_stop = 0;
    long t = nx_thread_create(nx_self, (long)(with_fp ? fp_yield_partner : yield_partner),
                              (long)&partner_stack[512], 0, PRIO_USER_DEFAULT);
    nx_yield();  // the partner is now in its loop
    uint64_t start = nx_rdinstret();
    for (int i = 0; i < ITERATIONS; i++) {
        if (with_fp)
            use_fp();
        nx_yield();
    }
    uint64_t cost = nx_rdinstret() - start;
    partner_stop = 1;
    nx_yield();  // let it exit
    nx_handle_close(t);
    return cost / (2 * ITERATIONS);
}

// ---- timer interrupts ----

#define MS 1000000ull
#define NS_PER_S 1000000000ull
#define IDLE_SPAN (1000 * MS)

// Timer interrupts the kernel takes while this process, alone, sleeps IDLE_SPAN of virtual
// time on a notification nobody signals: the wait's deadline is the one interrupt it asked
// for; a tickless kernel takes no other. Returns the others per second (rounded).
static uint64_t idle_timer_irqs_per_s(void)
{
    long n = nx_notification_create();
    uint64_t bits, start = (uint64_t)nx_clock_get();
    long before = nx_system_info(NX_INFO_TIMER_IRQS);
    nx_notify_wait_bits(n, start + IDLE_SPAN, &bits);
    uint64_t irqs = (uint64_t)(nx_system_info(NX_INFO_TIMER_IRQS) - before);
    uint64_t span = (uint64_t)nx_clock_get() - start;
    nx_handle_close(n);
    nx_printf("bench: idle for %lu ns: %lu timer interrupt(s), 1 asked for\n", span, irqs);
    uint64_t unasked = irqs > 0 ? irqs - 1 : 0;
    return (unasked * NS_PER_S + span / 2) / span;
}

#define TIMERS 100

// Timer interrupts taken while TIMERS timer objects fire: timer i has deadline
// 10 ms + i * gap from now and the given slack. Timer i signals bit i % 64 of notification
// i / 64, so the process knows when every one has fired.
static uint64_t timer_irqs(uint64_t gap, uint64_t slack)
{
    long notif[2] = { nx_notification_create(), nx_notification_create() }, t[TIMERS];
    uint64_t want[2] = { 0, 0 }, got[2] = { 0, 0 }, bits;
    for (int i = 0; i < TIMERS; i++) {
        t[i] = nx_timer_create(notif[i / 64], (long)(1ull << (i % 64)));
        want[i / 64] |= 1ull << (i % 64);
    }
    long before = nx_system_info(NX_INFO_TIMER_IRQS);
    uint64_t start = (uint64_t)nx_clock_get();
    for (int i = 0; i < TIMERS; i++)
        nx_timer_set(t[i], (long)(start + 10 * MS + (uint64_t)i * gap), (long)slack);
    for (int k = 0; k < 2; k++)
        while (got[k] != want[k] && nx_notify_wait_bits(notif[k], NX_DEADLINE_NEVER, &bits) == NX_OK)
            got[k] |= bits;
    uint64_t irqs = (uint64_t)(nx_system_info(NX_INFO_TIMER_IRQS) - before);
    for (int i = 0; i < TIMERS; i++)
        nx_handle_close(t[i]);
    nx_handle_close(notif[0]);
    nx_handle_close(notif[1]);
    return irqs;
}

// ---- the console ----

#define CONSOLE_LINES 16

// Instructions per byte of nx_debug_write: 16 lines of 64 bytes, each one write (the kernel's
// line discipline, then the serial port).
static uint64_t console_write_per_byte(void)
{
    char line[64];
    memset(line, '-', sizeof line - 1);
    line[sizeof line - 1] = '\n';
    uint64_t start = nx_rdinstret();
    for (int i = 0; i < CONSOLE_LINES; i++)
        nx_debug_write(line, sizeof line);
    return (nx_rdinstret() - start) / (CONSOLE_LINES * sizeof line);
}

// ---- notification signal -> wake across processes ----

// The child answers every signal with one: both sides block in wait on the one notification,
// so each signal finds the other side waiting and wakes it directly.
static void notify_partner(nx_handle_t n)
{
    uint64_t bits;
    for (int i = 0; i < ITERATIONS; i++) {
        nx_notify_wait_bits(n, NX_DEADLINE_NEVER, &bits);
        nx_notify_signal(n, 2);
    }
}

static uint64_t notify_wake(void)
{
    long n = nx_notification_create();
    long child = nx_spawn("notify-partner", 256, notify_partner,
                          (nx_handle_t)nx_handle_duplicate(n, NX_RIGHTS_SAME));
    uint64_t bits;
    nx_yield();  // the partner is now waiting
    uint64_t start = nx_rdinstret();
    for (int i = 0; i < ITERATIONS; i++) {
        nx_notify_signal(n, 1);
        nx_notify_wait_bits(n, NX_DEADLINE_NEVER, &bits);
    }
    uint64_t cost = nx_rdinstret() - start;
    nx_handle_close(child);
    nx_handle_close(n);
    return cost / (2 * ITERATIONS);
}

int main(void)
{
    report("first_user_instret", nx_start_instret);
    report("null_syscall_instr", null_syscall());
    bench_vm();
    bench_pager();
    report("yield_switch_instr", yield_switch(false));
    report("fp_switch_instr", yield_switch(true));
    report("notify_wake_instr", notify_wake());
    report("console_write_instr_per_byte", console_write_per_byte());
    report("idle_timer_irqs_per_s", idle_timer_irqs_per_s());
    // Windows all overlapping (deadlines 50 us apart, 10 ms slack): one interrupt is enough.
    report("timer_coalesce_irqs", timer_irqs(50000, 10 * MS));
    // Deadlines 1 ms apart, 5 ms slack: at best one interrupt per 6 timers, 17 in all.
    report("timer_spread_irqs", timer_irqs(MS, 5 * MS));
    bench_ipc();
    bench_pipe();
    bench_exec();
    bench_power();
    return 0;
}
