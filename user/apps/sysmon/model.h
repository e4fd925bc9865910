#pragma once
// The system monitor's process rows and messages (pure: host-tested in tests/host/test_sysmon.c;
// its load, memory and uptime lines are libnxapp's, figures.h).
#include <stddef.h>
#include <stdint.h>
#include <nx/services.h>

#define SYSMON_ROW_BYTES 96        // a process row's text, NUL included

// "pid state pages/budget restarts name" for the list (always NUL-terminated, cut to fit).
void sysmon_row(const struct nx_proc_entry *e, char out[SYSMON_ROW_BYTES]);
// The state's name ("running", "restart", "exited", "?").
const char *sysmon_state_name(uint32_t state);
// What a refused kill says (NX_ERR_* of NX_PROC_KILL).
const char *sysmon_kill_error(long err);
