#pragma once
// The kernel counters a robustness test compares before and after its hostile processes:
// each prints "<TEST_NAME>: <counter> before N after M ok" (or LEAK, which run_tests.py
// forbids). Define TEST_NAME before including this file.
#include <nx/nx.h>

struct counters {
    long pages, handles, objects, processes;
};

static inline struct counters read_counters(void)
{
    return (struct counters){ nx_system_info(NX_INFO_FREE_PAGES),
                              nx_system_info(NX_INFO_LIVE_HANDLES),
                              nx_system_info(NX_INFO_LIVE_OBJECTS),
                              nx_system_info(NX_INFO_LIVE_PROCESSES) };
}

// The counters once back where they were (before), or as they are SETTLE_NS later: with
// several harts, a thread that ends or is killed on another hart gives its pages back moments
// after the test sees it gone (when that hart switches away from it). A leak never settles.
#define SETTLE_NS 200000000ull
static inline struct counters settled_counters(struct counters before)
{
    uint64_t deadline = (uint64_t)nx_clock_get() + SETTLE_NS;
    struct counters now = read_counters();
    while ((now.pages != before.pages || now.handles != before.handles ||
            now.objects != before.objects || now.processes != before.processes) &&
           (uint64_t)nx_clock_get() < deadline) {
        nx_yield();
        now = read_counters();
    }
    return now;
}

static inline void compare_one(const char *what, long before, long after)
{
    nx_printf(TEST_NAME ": %s before %ld after %ld %s\n", what, before, after,
              before == after ? "ok" : "LEAK");
}

static inline void compare_counters(struct counters before, struct counters after)
{
    compare_one("free pages", before.pages, after.pages);
    compare_one("live handles", before.handles, after.handles);
    compare_one("live objects", before.objects, after.objects);
    compare_one("live processes", before.processes, after.processes);
}
