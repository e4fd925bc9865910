// Timer objects through real syscalls: an idle wait takes no interrupt but its own, a timer
// fires inside its window and never before its deadline, cancel and close disarm it, a new
// setting replaces the old one, overlapping windows share one timer interrupt, and bad
// arguments give the documented errors.
// Each check prints "timer: <what> ok" or "... WRONG"; times are virtual nanoseconds.
#include <nx/nx.h>

#define MS 1000000ULL
// How late a wake-up may be observed after the window's end: the interrupt, the switch back
// to this thread and the clock read, under emulation on a busy host.
#define LATENESS_BOUND (20 * MS)

static long notif;
static int wrong;

static void check(const char *what, int ok)
{
    nx_printf("timer: %s %s\n", what, ok ? "ok" : "WRONG");
    wrong += !ok;
}

static void expect(const char *what, long got, long want)
{
    nx_printf("timer: %s -> %ld %s\n", what, got, got == want ? "ok" : "WRONG");
    wrong += got != want;
}

static uint64_t now(void)
{
    return (uint64_t)nx_clock_get();
}

// Set t for [deadline, deadline + slack], wait for its bit, and check when it came.
static void fires_in_window(long t, uint64_t slack)
{
    uint64_t deadline = now() + 20 * MS, bits;
    expect("set", nx_timer_set(t, (long)deadline, (long)slack), NX_OK);
    // Waiting up to just before the deadline must time out: the timer cannot fire early.
    expect("nothing before the deadline", nx_notify_wait_bits(notif, deadline - MS, &bits),
           NX_ERR_TIMED_OUT);
    long r = nx_notify_wait_bits(notif, NX_DEADLINE_NEVER, &bits);
    uint64_t woke = now();
    nx_printf("timer: deadline %lu slack %lu woke %lu (+%lu ns)\n", deadline, slack, woke,
              woke - deadline);
    check("fired with its bit", r == NX_OK && bits == 0x2);
    check("not before its deadline", woke >= deadline);
    check("inside its window", woke <= deadline + slack + LATENESS_BOUND);
}

static void cancel_and_replace(long t)
{
    uint64_t bits, start = now();
    expect("set", nx_timer_set(t, (long)(start + 5 * MS), 0), NX_OK);
    expect("cancel", nx_timer_cancel(t), NX_OK);
    expect("cancelled timer stays quiet", nx_notify_wait_bits(notif, start + 30 * MS, &bits),
           NX_ERR_TIMED_OUT);
    start = now();
    expect("set", nx_timer_set(t, (long)(start + 5 * MS), 0), NX_OK);
    expect("set again, later", nx_timer_set(t, (long)(start + 40 * MS), 0), NX_OK);
    expect("the first setting is gone", nx_notify_wait_bits(notif, start + 30 * MS, &bits),
           NX_ERR_TIMED_OUT);
    expect("the second fires", nx_notify_wait_bits(notif, NX_DEADLINE_NEVER, &bits), NX_OK);
    check("at or after its deadline", now() >= start + 40 * MS);
}

// 8 timers whose windows all contain one instant: one interrupt for all of them.
static void coalesced(void)
{
    long t[8];
    for (int i = 0; i < 8; i++)
        t[i] = nx_timer_create(notif, 1L << i);
    uint64_t start = now(), all = 0, bits;
    long irqs = nx_system_info(NX_INFO_TIMER_IRQS);
    for (int i = 0; i < 8; i++)
        nx_timer_set(t[i], (long)(start + 20 * MS + (uint64_t)i * MS), 10 * MS);
    while (all != 0xff && nx_notify_wait_bits(notif, NX_DEADLINE_NEVER, &bits) == NX_OK)
        all |= bits;
    irqs = nx_system_info(NX_INFO_TIMER_IRQS) - irqs;
    nx_printf("timer: 8 overlapping windows took %ld timer interrupt(s)\n", irqs);
    check("all 8 fired", all == 0xff);
    check("one interrupt for all", irqs == 1);
    for (int i = 0; i < 8; i++)
        nx_handle_close(t[i]);
}

static void bad_arguments(long t)
{
    long no_write = nx_handle_duplicate(t, NX_RIGHT_DUPLICATE | NX_RIGHT_TRANSFER);
    long no_signal = nx_handle_duplicate(notif, NX_RIGHT_WAIT);
    expect("create with bits 0", nx_timer_create(notif, 0), NX_ERR_INVALID);
    expect("create on a timer handle", nx_timer_create(t, 1), NX_ERR_WRONG_TYPE);
    expect("create without SIGNAL", nx_timer_create(no_signal, 1), NX_ERR_ACCESS);
    expect("create on handle 0", nx_timer_create(0, 1), NX_ERR_BAD_HANDLE);
    expect("set with slack over 1 s", nx_timer_set(t, (long)now(), 1000 * MS + 1), NX_ERR_INVALID);
    expect("set without WRITE", nx_timer_set(no_write, (long)now(), 0), NX_ERR_ACCESS);
    expect("set on a notification", nx_timer_set(notif, (long)now(), 0), NX_ERR_WRONG_TYPE);
    expect("cancel without WRITE", nx_timer_cancel(no_write), NX_ERR_ACCESS);
    expect("cancel a 64-bit handle",  // the raw call: the typed stub would cut it to 32 bits
           nx_syscall7(NX_SYS_timer_cancel, t | 1L << 32, 0, 0, 0, 0, 0, 0), NX_ERR_BAD_HANDLE);
    nx_handle_close(no_write);
    nx_handle_close(no_signal);
}

// Closing the last handle of a set timer disarms it.
static void close_disarms(void)
{
    uint64_t bits, start = now();
    long t = nx_timer_create(notif, 1);
    // Far enough out that the close comes first even when the host stalls this vCPU.
    nx_timer_set(t, (long)(start + 100 * MS), 0);
    expect("close a set timer", nx_handle_close(t), NX_OK);
    expect("it never fires", nx_notify_wait_bits(notif, start + 150 * MS, &bits),
           NX_ERR_TIMED_OUT);
    expect("set on the closed handle", nx_timer_set(t, (long)now(), 0), NX_ERR_BAD_HANDLE);
}

// Tickless: sleeping 100 ms with nothing else due takes exactly the interrupt asked for.
static void idle_is_quiet(void)
{
    uint64_t bits;
    long irqs = nx_system_info(NX_INFO_TIMER_IRQS);
    nx_notify_wait_bits(notif, now() + 100 * MS, &bits);
    irqs = nx_system_info(NX_INFO_TIMER_IRQS) - irqs;
    nx_printf("timer: idle 100 ms took %ld timer interrupt(s)\n", irqs);
    check("idle takes only the wake-up asked for", irqs == 1);
}

int main(void)
{
    notif = nx_notification_create();
    long t = nx_timer_create(notif, 0x2);
    check("created", notif > 0 && t > 0);
    idle_is_quiet();
    fires_in_window(t, 2 * MS);
    fires_in_window(t, 0);
    cancel_and_replace(t);
    coalesced();
    bad_arguments(t);
    close_disarms();
    long pages = nx_system_info(NX_INFO_FREE_PAGES);
    nx_handle_close(t);
    check("closing a timer gives its page back", nx_system_info(NX_INFO_FREE_PAGES) == pages + 1);
    nx_printf("timer: done, %d wrong\n", wrong);
    return wrong;
}
