// Commands served by other processes: ps, kill, poweroff and mem's per-process part (init's
// proc), run (init's exec), log (the log service), svc (svcmgr). Each service is the handle
// init granted under its name, or else one svcmgr hands out if the policy allows. A call
// has a deadline, so a service that hangs costs the shell a message, not its life.
#include <stdio.h>
#include <string.h>
#include <nx/loader.h>
#include <nx/nx.h>
#include <nx/rpc.h>
#include <nx/services.h>
#include <nx/startup.h>
#include <nx/stdio.h>
#include "nsh.h"

#define CALL_TIMEOUT_NS 5000000000ull

const char *nsh_error(long err)
{
    switch (err) {
#define NX_ERROR_TEXT(name, value, text) case value: return text;
        NX_ERRORS(NX_ERROR_TEXT)
#undef NX_ERROR_TEXT
    }
    return "unknown error";
}

// Call `service` with op and req[0..len) and a copy of the handle `give` (unless it is
// NX_HANDLE_INVALID); the reply's bytes go to rep[0..cap), their count to *got. Returns the
// reply's status, the IPC error, or NX_ERR_BAD_HANDLE if the shell cannot reach the service.
static long ask_giving(const char *service, uint32_t op, const void *req, size_t len,
                       void *rep, size_t cap, size_t *got, nx_handle_t give)
{
    nx_handle_t ep = nx_startup_handle(service), looked_up = NX_HANDLE_INVALID;
    if (ep == NX_HANDLE_INVALID && nx_svc_lookup(service, &looked_up) == NX_OK)
        ep = looked_up;
    if (ep == NX_HANDLE_INVALID)
        return NX_ERR_BAD_HANDLE;
    struct nx_rpc_call c = {
        .op = op, .req = req, .req_len = len, .rep = rep, .rep_cap = cap,
        .deadline = (uint64_t)nx_clock_get() + CALL_TIMEOUT_NS,
    };
    if (give != NX_HANDLE_INVALID)
        c.send = (struct nx_rpc_handles){ 1, { give }, { NX_RIGHTS_SAME | NX_XFER_COPY } };
    long r = nx_rpc(ep, &c);
    nx_rpc_close_handles(&c.recv);
    if (looked_up != NX_HANDLE_INVALID)
        nx_handle_close(looked_up);
    if (got)
        *got = c.rep_len;
    return r;
}

static long ask(const char *service, uint32_t op, const void *req, size_t len, void *rep,
                size_t cap, size_t *got)
{
    return ask_giving(service, op, req, len, rep, cap, got, NX_HANDLE_INVALID);
}

static int failed(const char *cmd, const char *service, long err)
{
    if (err == NX_ERR_BAD_HANDLE)
        printf("nsh: %s: the %s service is not reachable\n", cmd, service);
    else
        printf("nsh: %s: %s (%ld)\n", cmd, nsh_error(err), err);
    return 1;
}

// ---- proc ----

// Call fn for every process init lists; returns NX_OK or the error.
static long each_process(void (*fn)(const struct nx_proc_entry *e))
{
    struct nx_proc_entry batch[NX_MSG_BYTES_MAX / sizeof(struct nx_proc_entry)];
    for (uint32_t index = 0;;) {
        struct nx_proc_list_req req = { index };
        size_t got;
        long n = ask("proc", NX_PROC_LIST, &req, sizeof req, batch, sizeof batch, &got);
        if (n <= 0)
            return n;
        for (size_t i = 0; i < (size_t)n && i < got / sizeof batch[0]; i++)
            fn(&batch[i]);
        index += (uint32_t)n;
    }
}

static const char *state_name(uint32_t state)
{
    switch (state) {
    case NX_PROC_ENTRY_RUNNING: return "running";
    case NX_PROC_ENTRY_BACKOFF: return "restart";
    case NX_PROC_ENTRY_EXITED: return "exited";
    }
    return "?";
}

// The hart each thread last ran on, one digit per thread ('?': not yet run), '+' for threads
// past those the entry carries; "-" without threads.
static void format_harts(const struct nx_proc_entry *e, char out[NX_PROC_ENTRY_HARTS + 2])
{
    uint32_t n = e->threads < NX_PROC_ENTRY_HARTS ? e->threads : NX_PROC_ENTRY_HARTS;
    for (uint32_t i = 0; i < n; i++)
        out[i] = e->thread_hart[i] < 10 ? (char)('0' + e->thread_hart[i]) : '?';
    if (e->threads > n)
        out[n++] = '+';
    if (!n)
        out[n++] = '-';
    out[n] = 0;
}

static void ps_line(const struct nx_proc_entry *e)
{
    char harts[NX_PROC_ENTRY_HARTS + 2];
    format_harts(e, harts);
    printf("%5u %-8s %4u %5llu/%-6llu %8u %-9s %.15s", e->pid, state_name(e->state), e->priority,
           (unsigned long long)e->used_pages, (unsigned long long)e->budget_pages, e->restarts,
           harts, e->name);
    if (e->state != NX_PROC_ENTRY_RUNNING && (e->restarts || e->state == NX_PROC_ENTRY_EXITED))
        printf(" (last status %lld)", (long long)e->exit_status);
    printf("\n");
}

int cmd_ps(int argc, char **argv)
{
    (void)argc;
    printf("  PID STATE    PRIO  PAGES/BUDGET RESTARTS HARTS     NAME\n");
    long r = each_process(ps_line);
    return r < 0 ? failed(argv[0], "proc", r) : 0;
}

static void budget_line(const struct nx_proc_entry *e)
{
    if (e->state == NX_PROC_ENTRY_RUNNING)
        printf("  %-15.15s %6llu of %6llu pages\n", e->name, (unsigned long long)e->used_pages,
               (unsigned long long)e->budget_pages);
}

int nsh_mem_budgets(void)
{
    printf("budgets of the processes init started:\n");
    long r = each_process(budget_line);
    return r < 0 ? failed("mem", "proc", r) : 0;
}

int cmd_kill(int argc, char **argv)
{
    unsigned long pid;
    (void)argc;
    if (!cmdline_number(argv[1], &pid) || pid > UINT32_MAX)
        return nsh_usage(argv[0]);
    // One of the shell's own processes (its jobs and what they started) first.
    long r = nx_process_kill_descendant(nx_self, (uint32_t)pid);
    if (r == NX_ERR_NOT_FOUND) {
        struct nx_proc_kill_req req = { (uint32_t)pid };
        r = ask("proc", NX_PROC_KILL, &req, sizeof req, NULL, 0, NULL);
    }
    if (r == NX_ERR_NOT_FOUND)
        printf("nsh: kill: no process %lu among this shell's and those init started\n", pid);
    else if (r == NX_ERR_ACCESS)
        printf("nsh: kill: process %lu is not this shell's, and this session may not stop "
               "what init started\n", pid);
    else if (r == NX_ERR_BAD_STATE)
        printf("nsh: kill: process %lu is not running\n", pid);
    else if (r < 0)
        return failed(argv[0], "proc", r);
    else
        printf("killed process %lu\n", pid);
    return r < 0;
}

int cmd_poweroff(int argc, char **argv)
{
    (void)argc;
    printf("powering off\n");
    nx_stdio_flush();
    return failed(argv[0], "proc", ask("proc", NX_PROC_POWEROFF, NULL, 0, NULL, 0, NULL));
}

// ---- exec ----

int cmd_run(int argc, char **argv)
{
    char req[NX_MSG_BYTES_MAX];
    struct nx_exec_req head = { .pages = 0 };
    size_t len = sizeof head;
    if (strlen(argv[1]) >= sizeof head.path) {
        printf("nsh: run: program name too long\n");
        return 1;
    }
    strcpy(head.path, argv[1]);
    memcpy(req, &head, sizeof head);
    for (int i = 2; i < argc; i++) {
        size_t n = strlen(argv[i]) + 1;
        if (len + n > sizeof req) {
            printf("nsh: run: arguments too long\n");
            return 1;
        }
        memcpy(req + len, argv[i], n);
        len += n;
    }
    // The program gets our console, so what it prints shows up here.
    long pid = ask_giving("exec", NX_EXEC_RUN, req, len, NULL, 0, NULL, nsh_console);
    if (pid == NX_ERR_NOT_FOUND)
        printf("nsh: run: no program %s in the boot archive\n", argv[1]);
    else if (pid == NX_ERR_BAD_STATE)
        printf("nsh: run: %s is a service's name; init runs it (kill restarts it)\n", argv[1]);
    else if (pid < 0)
        return failed(argv[0], "exec", pid);
    else
        printf("started %s as process %ld\n", argv[1], pid);
    return pid < 0;
}

// ---- log, svcmgr ----

int cmd_log(int argc, char **argv)
{
    (void)argc;
    char buf[NX_MSG_BYTES_MAX];
    struct nx_log_read_req req = { .since = 0 };
    for (;;) {
        size_t got;
        long r = ask("log", NX_LOG_READ, &req, sizeof req, buf, sizeof buf, &got);
        if (r < 0)
            return failed(argv[0], "log", r);
        struct nx_log_read_rep rep;
        if (got <= sizeof rep)
            return 0;
        memcpy(&rep, buf, sizeof rep);
        fwrite(buf + sizeof rep, 1, got - sizeof rep, stdout);
        if (rep.next <= req.since)
            return 0;
        req.since = rep.next;
    }
}

int cmd_svc(int argc, char **argv)
{
    (void)argc;
    char names[NX_MSG_BYTES_MAX + 1];
    for (uint32_t index = 0;;) {
        struct nx_svcmgr_list_req req = { index };
        size_t got;
        long n = ask("svcmgr", NX_SVCMGR_LIST, &req, sizeof req, names, NX_MSG_BYTES_MAX, &got);
        if (n < 0)
            return failed(argv[0], "svcmgr", n);
        if (n == 0)
            return 0;
        names[got] = '\0';
        for (const char *p = names; p < names + got; p += strlen(p) + 1)
            printf("  %s\n", p);
        index += (uint32_t)n;
    }
}
