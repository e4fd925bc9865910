// End-to-end test of init's proc and exec services, svcmgr and the log: kill the restartable
// "sleeper" and see it come back (and the log say so); look names up as policy allows,
// denies, or cannot find; run programs through exec; then power off through proc.
#include <string.h>
#include <nx/log.h>
#include <nx/nx.h>
#include <nx/rpc.h>
#include <nx/services.h>
#include <nx/startup.h>

#define MS 1000000ull

static int failures;

static void expect(const char *what, long got, long want)
{
    nx_printf("svctest: %s -> %ld %s\n", what, got, got == want ? "ok" : "WRONG");
    failures += got != want;
}

static void nap(uint64_t ms)
{
    long n = nx_notification_create();
    uint64_t bits;
    nx_notify_wait_bits(n, (uint64_t)nx_clock_get() + ms * MS, &bits);
    nx_handle_close(n);
}

// The entry of the process init calls name, or an error.
static long find(nx_handle_t proc, const char *name, struct nx_proc_entry *out)
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

static void kill_and_watch_restart(nx_handle_t proc)
{
    struct nx_proc_entry before, after;
    expect("sleeper is in the process list", find(proc, "sleeper", &before), NX_OK);
    struct nx_proc_kill_req k = { before.pid };
    expect("kill sleeper", nx_rpc_call(proc, NX_PROC_KILL, &k, sizeof(k), NULL, 0,
                                       NX_DEADLINE_NEVER), NX_OK);
    uint64_t end = (uint64_t)nx_clock_get() + 2000 * MS;
    do
        nap(20);
    while ((find(proc, "sleeper", &after) != NX_OK || after.restarts == 0 ||
              after.state != NX_PROC_ENTRY_RUNNING) && (uint64_t)nx_clock_get() < end);
    expect("sleeper restarted once", after.restarts, 1);
    expect("sleeper runs again", after.state, NX_PROC_ENTRY_RUNNING);
    expect("under a new pid", after.pid != before.pid, 1);
    nx_printf("svctest: sleeper came back as pid %u\n", after.pid);
}

// True if the log history holds a record containing text.
static bool log_has(const char *text)
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
static bool log_gets(const char *text)
{
    for (int i = 0; i < 50; i++) {
        if (log_has(text))
            return true;
        nap(20);
    }
    return false;
}

static void lookups(void)
{
    nx_handle_t h;
    expect("lookup of a granted service", nx_svc_lookup("log", &h), NX_OK);
    expect("lookup of a service not granted", nx_svc_lookup("sleeper", &h), NX_ERR_ACCESS);
    expect("the log shows the denial", log_gets("denied svctest -> sleeper"), 1);
    expect("lookup of an unknown name", nx_svc_lookup("nosuch", &h), NX_ERR_NOT_FOUND);
}

// exec: a program from the boot archive starts (its pid comes back), a missing one does not;
// proc refuses to kill what init did not start.
static void exec_and_kill(nx_handle_t proc)
{
    nx_handle_t exec = nx_startup_handle("exec");
    struct {
        struct nx_exec_req r;
        char args[8];
    } req = { { .path = "hello" }, "a1\0a2" };
    long pid = nx_rpc_call(exec, NX_EXEC_RUN, &req, sizeof(req), NULL, 0, NX_DEADLINE_NEVER);
    expect("exec hello gives a pid", pid > 0, 1);
    strcpy(req.r.path, "nosuch");
    expect("exec of a missing program",
           nx_rpc_call(exec, NX_EXEC_RUN, &req.r, sizeof(req.r), NULL, 0, NX_DEADLINE_NEVER),
           NX_ERR_NOT_FOUND);
    strcpy(req.r.path, "sleeper");
    expect("exec of a program named like a service",
           nx_rpc_call(exec, NX_EXEC_RUN, &req.r, sizeof(req.r), NULL, 0, NX_DEADLINE_NEVER),
           NX_ERR_BAD_STATE);
    struct nx_proc_kill_req k = { 999 };
    expect("kill of a pid init did not start",
           nx_rpc_call(proc, NX_PROC_KILL, &k, sizeof(k), NULL, 0, NX_DEADLINE_NEVER),
           NX_ERR_NOT_FOUND);
    expect("proc through the exec handle",
           nx_rpc_call(exec, NX_PROC_KILL, &k, sizeof(k), NULL, 0, NX_DEADLINE_NEVER),
           NX_ERR_ACCESS);
}

// Register a name in svcmgr with a handle (moved): the status.
static long register_name(const char *name, nx_handle_t ep)
{
    struct nx_rpc_call c = { .op = NX_SVCMGR_REGISTER, .req = name, .req_len = strlen(name) + 1,
                             .send = { 1, { ep }, { NX_RIGHTS_SAME } },
                             .deadline = NX_DEADLINE_NEVER };
    return nx_rpc(nx_startup_handle("svcmgr"), &c);
}

// svcmgr's registrations and list; init-only operations and a bogus ring refused by the log.
static void registrations_and_refusals(void)
{
    expect("register a taken name", register_name("log", (nx_handle_t)nx_endpoint_create()),
           NX_ERR_BAD_STATE);
    expect("register a new name", register_name("svctest-ep", (nx_handle_t)nx_endpoint_create()),
           NX_OK);
    struct nx_svcmgr_list_req q = { 0 };
    char names[NX_MSG_BYTES_MAX];
    struct nx_rpc_call c = { .op = NX_SVCMGR_LIST, .req = &q, .req_len = sizeof(q),
                             .rep = names, .rep_cap = sizeof(names),
                             .deadline = NX_DEADLINE_NEVER };
    long n = nx_rpc(nx_startup_handle("svcmgr"), &c);
    bool listed = false;
    for (size_t off = 0; off < c.rep_len; off += strlen(names + off) + 1)
        listed |= !strcmp(names + off, "svctest-ep");
    expect("the list has the new name", n > 5 && listed, 1);
    nx_handle_t log = nx_startup_handle("log");
    struct nx_policy_identify id = { .badge = 1, .name = "liar" };
    expect("identify to the log (init only)",
           nx_rpc_call(log, NX_LOG_IDENTIFY, &id, sizeof(id), NULL, 0, NX_DEADLINE_NEVER),
           NX_ERR_ACCESS);
    struct nx_rpc_call bogus = { .op = NX_LOG_CONNECT, .deadline = NX_DEADLINE_NEVER,
                                 .send = { 1, { (nx_handle_t)nx_vmo_create(8192) },
                                           { NX_RIGHTS_SAME } } };
    expect("connect a VMO that is no ring", nx_rpc(log, &bogus), NX_ERR_BAD_STATE);
}

int main(void)
{
    nx_handle_t proc = nx_startup_handle("proc");
    kill_and_watch_restart(proc);
    expect("the log shows the restart", log_gets("restarting sleeper"), 1);
    lookups();
    exec_and_kill(proc);
    registrations_and_refusals();
    nx_printf("svctest: %d failures\n", failures);
    return nx_rpc_call(proc, NX_PROC_POWEROFF, NULL, 0, NULL, 0, NX_DEADLINE_NEVER) ? 1 : 0;
}
