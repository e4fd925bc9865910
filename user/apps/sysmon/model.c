// The system monitor's process rows and messages (model.h).
#include <stdio.h>
#include <nexus/errors.h>
#include "model.h"

const char *sysmon_state_name(uint32_t state)
{
    switch (state) {
    case NX_PROC_ENTRY_RUNNING: return "running";
    case NX_PROC_ENTRY_BACKOFF: return "restart";
    case NX_PROC_ENTRY_EXITED: return "exited";
    }
    return "?";
}

void sysmon_row(const struct nx_proc_entry *e, char out[SYSMON_ROW_BYTES])
{
    snprintf(out, SYSMON_ROW_BYTES, "%5u  %-8s %6llu/%-6llu %4u  %.*s", e->pid,
             sysmon_state_name(e->state), (unsigned long long)e->used_pages,
             (unsigned long long)e->budget_pages, e->restarts, (int)sizeof e->name, e->name);
}

const char *sysmon_kill_error(long err)
{
    switch (err) {
    case NX_ERR_NOT_FOUND: return "it is gone (or init did not start it)";
    case NX_ERR_BAD_STATE: return "it is not running";
    case NX_ERR_ACCESS: return "this monitor's proc handle may not kill";
    case NX_ERR_BAD_HANDLE: return "this monitor has no proc handle";
    case NX_ERR_TIMED_OUT: return "init did not answer";
    }
    return "refused";
}
