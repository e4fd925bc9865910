#pragma once
// The power mode (nx_system_power_mode, docs/settings.md): the least slack of user timers and
// deadlines, and how an idle hart waits. One system-wide word, written under the big lock
// held exclusive (the syscall), read by any hart without it: a hart that reads the old mode
// a moment longer only coalesces less, or polls once more.
#include <stdint.h>
#include <nexus/syscall.h>

// Set the mode (< NX_POWER_MODES); returns the one before.
enum nx_power_mode power_set_mode(enum nx_power_mode mode);
enum nx_power_mode power_mode(void);
// The slack a user timer or deadline asked for, raised to the mode's least.
uint64_t power_slack(uint64_t slack);
// How long an idle hart polls for an interrupt before it halts (0: it halts at once).
uint64_t power_idle_poll_ns(void);
