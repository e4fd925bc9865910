// End-to-end test of init's proc and exec services, svcmgr and the log: kill the restartable
// "sleeper" and see it come back (and the log say so); look names up as policy allows,
// denies, or cannot find; run programs through exec; then power off through proc.
#define TEST_NAME "svctest"
#include "expect.h"

#include "services.h"

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

static struct nx_log_stats log_stats(void)
{
    struct nx_log_stats st = { 0 };
    nx_rpc_call(nx_startup_handle("log"), NX_LOG_STATS, NULL, 0, &st, sizeof(st),
                NX_DEADLINE_NEVER);
    return st;
}

// A flood of records: each one is stored or counted as dropped (within 2 s: the service
// echoes each to the slow console, and answers calls between its rings' batches), and the log
// still answers.
static void flood(void)
{
    enum { N = 2000 };
    struct nx_log_stats a = log_stats(), b;
    for (int i = 0; i < N; i++)
        nx_log(NX_LOG_DEBUG, "flood %d", i);
    for (int waited = 0; waited < 2000; waited += 50) {
        nap(50);
        b = log_stats();
        if (b.records - a.records + b.dropped - a.dropped >= N)
            break;
    }
    nx_printf("svctest: flood of %d: %lu stored, %lu dropped\n", N,
              (unsigned long)(b.records - a.records), (unsigned long)(b.dropped - a.dropped));
    expect("every flooded record stored or counted",
           b.records - a.records + b.dropped - a.dropped >= N, 1);
}

int main(void)
{
    nx_handle_t proc = nx_startup_handle("proc");
    kill_and_watch_restart(proc, "sleeper");
    expect("the log shows the restart", log_gets("restarting sleeper"), 1);
    lookups();
    exec_and_kill(proc);
    registrations_and_refusals();
    flood();
    nx_printf("svctest: %d failures\n", failures);
    return nx_rpc_call(proc, NX_PROC_POWEROFF, NULL, 0, NULL, 0, NX_DEADLINE_NEVER) ? 1 : 0;
}
