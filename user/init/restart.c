// Restart back-off (see restart.h).
#include "restart.h"

int64_t restart_delay(struct restart_state *rs, uint64_t started, uint64_t now)
{
    if (now - started >= RESTART_QUICK_NS) {
        rs->quick_deaths = 0;
        rs->delay_ns = RESTART_FIRST_NS;
        return (int64_t)rs->delay_ns;
    }
    if (++rs->quick_deaths > RESTART_GIVE_UP)
        return -1;
    rs->delay_ns = rs->quick_deaths == 1                    ? RESTART_FIRST_NS
                   : rs->delay_ns * 2 > RESTART_MAX_NS       ? RESTART_MAX_NS
                                                             : rs->delay_ns * 2;
    return (int64_t)rs->delay_ns;
}
