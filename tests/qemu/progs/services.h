#pragma once
// Shared by the QEMU test programs of init's services (svctest, logtest): naps, init's
// process list, a restart seen through proc, the log's history. Include after expect.h.
#include <string.h>
#include <nx/log.h>
#include <nx/nx.h>
#include <nx/rpc.h>
#include <nx/services.h>
#include <nx/startup.h>

#define MS 1000000ull

static inline void nap(uint64_t ms)
{
    long n = nx_notification_create();
    uint64_t bits;
    nx_notify_wait_bits(n, (uint64_t)nx_clock_get() + ms * MS, &bits);
    nx_handle_close(n);
}

// The entry of the process init calls name, or an error.
static inline long find(nx_handle_t proc, const char *name, struct nx_proc_entry *out)
{
    struct nx_proc_list_req q = { 0 };
    struct nx_proc_entry e[NX_MSG_BYTES_MAX / sizeof(struct nx_proc_entry)];
    struct nx_rpc_call c = { .op = NX_PROC_LIST, .req = &q, .req_len = sizeof(q), .rep = e,
                             .rep_cap = sizeof(e), .deadline = NX_DEADLINE_NEVER };
    long n = nx_rpc(proc, &c);
    for (long i = 0; i < n; i++)
        if (!strcmp(e[i].name, name)) {
            *out = e[i];
            return NX_OK;
        }
    return n < 0 ? n : NX_ERR_NOT_FOUND;
}

// Kill the restartable service `name` through proc and wait (2 s at most) for init to
// restart it.
static inline void kill_and_watch_restart(nx_handle_t proc, const char *name)
{
    struct nx_proc_entry before = { 0 }, after = { 0 };
    expect("the service is in the process list", find(proc, name, &before), NX_OK);
    struct nx_proc_kill_req k = { before.pid };
    expect("kill it", nx_rpc_call(proc, NX_PROC_KILL, &k, sizeof(k), NULL, 0, NX_DEADLINE_NEVER),
           NX_OK);
    uint64_t end = (uint64_t)nx_clock_get() + 2000 * MS;
    do
        nap(20);
    while ((find(proc, name, &after) != NX_OK || after.restarts == 0 ||
              after.state != NX_PROC_ENTRY_RUNNING) && (uint64_t)nx_clock_get() < end);
    expect("restarted once", after.restarts, 1);
    expect("running again", after.state, NX_PROC_ENTRY_RUNNING);
    expect("under a new pid", after.pid != before.pid, 1);
    nx_printf(TEST_NAME ": %s came back as pid %u\n", name, after.pid);
}

// True if the log history holds a record containing text.
static inline bool log_has(const char *text)
{
    nx_handle_t log = nx_startup_handle("log");
    struct nx_log_read_req q = { 0 };
    char rep[NX_MSG_BYTES_MAX + 1];
    for (;;) {
        struct nx_rpc_call c = { .op = NX_LOG_READ, .req = &q, .req_len = sizeof(q), .rep = rep,
                                 .rep_cap = NX_MSG_BYTES_MAX, .deadline = NX_DEADLINE_NEVER };
        if (nx_rpc(log, &c) < 0 || c.rep_len <= sizeof(struct nx_log_read_rep))
            return false;
        rep[c.rep_len] = '\0';
        if (strstr(rep + sizeof(struct nx_log_read_rep), text))
            return true;
        memcpy(&q.since, rep, sizeof(q.since));
    }
}

// log_has, retried for a second: another process's record reaches the log when the log
// service next drains that process's ring.
static inline bool log_gets(const char *text)
{
    for (int i = 0; i < 50; i++) {
        if (log_has(text))
            return true;
        nap(20);
    }
    return false;
}
