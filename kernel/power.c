// The power mode (see power.h).
#include "power.h"

static const struct {
    uint64_t least_slack_ns, idle_poll_ns;
} modes[NX_POWER_MODES] = {
    [NX_POWER_PERFORMANCE] = { 0, NX_POWER_IDLE_POLL_NS },
    [NX_POWER_BALANCED] = { NX_POWER_SLACK_BALANCED_NS, 0 },
    [NX_POWER_SAVER] = { NX_POWER_SLACK_SAVER_NS, 0 },
};

static enum nx_power_mode mode = NX_POWER_BALANCED;

enum nx_power_mode power_set_mode(enum nx_power_mode m)
{
    enum nx_power_mode before = mode;
    __atomic_store_n(&mode, m, __ATOMIC_RELAXED);
    return before;
}

enum nx_power_mode power_mode(void)
{
    return __atomic_load_n(&mode, __ATOMIC_RELAXED);
}

uint64_t power_slack(uint64_t slack)
{
    uint64_t least = modes[power_mode()].least_slack_ns;
    return slack > least ? slack : least;
}

uint64_t power_idle_poll_ns(void)
{
    return modes[power_mode()].idle_poll_ns;
}
