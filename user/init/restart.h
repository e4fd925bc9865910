#pragma once
// When to restart a service that died: a bounded, doubling back-off that gives up on a
// service that keeps dying quickly. Pure (host-tested).
#include <stdint.h>

#define RESTART_FIRST_NS 10000000ull     // 10 ms after the first quick death
#define RESTART_MAX_NS 1000000000ull     // doubling up to 1 s
#define RESTART_QUICK_NS 1000000000ull   // a life shorter than this is a quick death
#define RESTART_GIVE_UP 8                // quick deaths in a row before init gives up

struct restart_state {
    uint64_t delay_ns;       // the last delay used (0: none yet)
    uint32_t quick_deaths;   // in a row
};

// An instance started at `started` died at `now`: returns the delay before the next start,
// or -1 to give up (more than RESTART_GIVE_UP quick deaths in a row). A long life resets the
// back-off.
int64_t restart_delay(struct restart_state *rs, uint64_t started, uint64_t now);
