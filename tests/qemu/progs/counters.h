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
