#pragma once
// Shared by the QEMU test programs: each check prints "<TEST_NAME>: <what> ok" or
// "<TEST_NAME>: <what> WRONG (got X, want Y)" (run_tests.py forbids WRONG) and counts failures.
// Define TEST_NAME before including this file.
#include <nx/nx.h>

static int failures;

static void expect(const char *what, long got, long want)
{
    if (got == want) {
        nx_printf(TEST_NAME ": %s ok\n", what);
    } else {
        nx_printf(TEST_NAME ": %s WRONG (got %ld, want %ld)\n", what, got, want);
        failures++;
    }
}

// Kernel counters that must come back once a test has closed everything it made.
struct leak_baseline {
    long pages, handles, objects;
};

static inline struct leak_baseline leak_baseline(void)
{
    return (struct leak_baseline){ nx_system_info(NX_INFO_FREE_PAGES),
                                   nx_system_info(NX_INFO_LIVE_HANDLES),
                                   nx_system_info(NX_INFO_LIVE_OBJECTS) };
}

// A process killed while it runs on another hart is freed when that hart next leaves it,
// a moment after the killer saw it dead: the counters are given up to 2 s to come back (a
// leak never does).
#define LEAK_SETTLE_NS 2000000000ll

static inline void expect_no_leaks(struct leak_baseline b)
{
    long end = nx_clock_get() + LEAK_SETTLE_NS;
    while ((nx_system_info(NX_INFO_FREE_PAGES) != b.pages ||
            nx_system_info(NX_INFO_LIVE_HANDLES) != b.handles ||
            nx_system_info(NX_INFO_LIVE_OBJECTS) != b.objects) && nx_clock_get() < end)
        nx_yield();
    expect("no page leaked", nx_system_info(NX_INFO_FREE_PAGES), b.pages);
    expect("no handle leaked", nx_system_info(NX_INFO_LIVE_HANDLES), b.handles);
    expect("no object leaked", nx_system_info(NX_INFO_LIVE_OBJECTS), b.objects);
}

// Start fn(arg) in a copy of this program with a budget of `pages` and wait for it to end;
// its exit status (or nx_spawn's error).
static inline long spawn_and_wait(const char *name, size_t pages, void (*fn)(nx_handle_t),
                                  nx_handle_t arg)
{
    long proc = nx_spawn(name, pages, fn, arg);
    if (proc < 0)
        return proc;
    long n = nx_notification_create(), status = 1;
    uint64_t bits;
    nx_process_watch(proc, n, 1);
    nx_notify_wait_bits(n, NX_DEADLINE_NEVER, &bits);
    nx_process_status(proc, &status);
    nx_handle_close(n);
    nx_handle_close(proc);
    return status;
}
