// init's services: exec (start a program from the boot archive) and proc (list and kill
// what init started, power off; proc:view all but kill). Both arrive on init_ep; the badge
// says which facet the caller was granted (BADGE_EXEC, BADGE_PROC, MF_BADGE_PROC_VIEW) and
// who it is.
#include <string.h>
#include <nx/log.h>
#include <nx/nx.h>
#include <nx/rpc.h>
#include <nx/services.h>
#include <nx/startup.h>

#include "init.h"

#define EXEC_DEFAULT_PAGES 256
#define EXEC_MAX_ARGS (NX_STARTUP_ARGS_MAX - 1)  // argv[0] is the program's name

static const char *caller(uint64_t badge)
{
    const struct child *c = child_by_badge((uint32_t)badge & BADGE_CLIENT_MASK);
    return c ? c->name : "?";
}

// The program name: the last component of path.
static const char *base_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

// The arguments after the request struct: NUL-terminated strings filling the rest.
static long split_args(const struct nx_rpc_req *req, const char **args, int *nargs)
{
    const char *p = (const char *)req->data + sizeof(struct nx_exec_req);
    const char *end = (const char *)req->data + req->len;
    if (p < end && end[-1] != '\0')
        return NX_ERR_INVALID;
    for (*nargs = 0; p < end; p += strlen(p) + 1) {
        if (*nargs == EXEC_MAX_ARGS)
            return NX_ERR_TOO_BIG;
        args[(*nargs)++] = p;
    }
    return NX_OK;
}

static long op_exec(void *ctx, struct nx_rpc_req *req)
{
    (void)ctx;
    struct nx_exec_req r;
    const char *args[EXEC_MAX_ARGS];
    int nargs;
    memcpy(&r, req->data, sizeof(r));
    if (!(req->badge & BADGE_EXEC))
        return NX_ERR_ACCESS;
    long err = memchr(r.path, '\0', sizeof(r.path)) ? split_args(req, args, &nargs)
                                                    : NX_ERR_INVALID;
    if (err)
        return err;
    // A program is known (to policy and log) by its file name: it must not pass for a service.
    const struct child *same = child_by_name(base_name(r.path));
    if (same && same->svc)
        return NX_ERR_BAD_STATE;
    struct child *c = child_new(base_name(r.path), NULL);
    if (!c)
        return NX_ERR_NO_SPACE;
    nx_log(NX_LOG_INFO, "%s runs %s", caller(req->badge), r.path);
    // The caller may hand the program its console (its one handle): the program's stdout.
    nx_handle_t console = req->handles.count == 1 ? req->handles.h[0] : NX_HANDLE_INVALID;
    req->handles.h[0] = NX_HANDLE_INVALID;  // kept: child_start consumes it
    err = child_start(c, r.path, args, nargs, r.pages ? r.pages : EXEC_DEFAULT_PAGES,
                      r.priority, console);
    if (err) {
        c->state = CHILD_FREE;
        return err;
    }
    return c->pid;
}

static void fill_entry(struct nx_proc_entry *e, const struct child *c)
{
    static const uint32_t states[] = {
        [CHILD_RUNNING] = NX_PROC_ENTRY_RUNNING,
        [CHILD_BACKOFF] = NX_PROC_ENTRY_BACKOFF,
        [CHILD_EXITED] = NX_PROC_ENTRY_EXITED,
    };
    struct nx_process_info info = { 0 };
    if (c->state == CHILD_RUNNING)
        nx_process_info(c->proc, &info);
    memset(e, 0, sizeof(*e));
    e->pid = c->pid;
    e->state = states[c->state];
    e->priority = info.priority;
    e->restarts = c->restarts;
    e->budget_pages = info.budget_pages;
    e->used_pages = info.used_pages;
    e->exit_status = c->exit_status;
    memcpy(e->name, c->name, sizeof(e->name));
    e->threads = info.threads;
    memcpy(e->thread_hart, info.thread_hart, sizeof(e->thread_hart));
}

static long op_list(void *ctx, struct nx_rpc_req *req)
{
    (void)ctx;
    struct nx_proc_list_req r;
    struct nx_proc_entry *out = (struct nx_proc_entry *)(void *)req->reply;
    const size_t max = NX_MSG_BYTES_MAX / sizeof(*out);
    size_t n = 0;
    memcpy(&r, req->data, sizeof(r));
    if (!(req->badge & BADGE_PROC))
        return NX_ERR_ACCESS;
    for (uint32_t i = 0, seen = 0; i < MAX_CHILDREN && n < max; i++) {
        if (children[i].state == CHILD_FREE || seen++ < r.index)
            continue;
        struct nx_proc_entry e;
        fill_entry(&e, &children[i]);
        memcpy(&out[n++], &e, sizeof(e));
    }
    req->reply_len = n * sizeof(*out);
    return (long)n;
}

static long op_kill(void *ctx, struct nx_rpc_req *req)
{
    (void)ctx;
    struct nx_proc_kill_req r;
    memcpy(&r, req->data, sizeof(r));
    if (!(req->badge & BADGE_PROC))
        return NX_ERR_ACCESS;
    for (int i = 0; i < MAX_CHILDREN; i++) {
        struct child *c = &children[i];
        if (c->state == CHILD_FREE || c->pid != r.pid)
            continue;
        if (req->badge & MF_BADGE_PROC_VIEW)   // proc:view lists what it may not kill
            return NX_ERR_ACCESS;
        if (c->state != CHILD_RUNNING)
            return NX_ERR_BAD_STATE;
        nx_log(NX_LOG_WARN, "%s kills %s (pid %u)", caller(req->badge), c->name, c->pid);
        return nx_process_kill(c->proc);
    }
    return NX_ERR_NOT_FOUND;
}

static long op_poweroff(void *ctx, struct nx_rpc_req *req)
{
    (void)ctx;
    if (!(req->badge & BADGE_PROC))
        return NX_ERR_ACCESS;
    nx_log(NX_LOG_WARN, "power off requested by %s", caller(req->badge));
    children_sync_files();
    return nx_system_poweroff(nx_start_handle);
}

static const struct nx_rpc_op ops[] = {
    { NX_EXEC_RUN, sizeof(struct nx_exec_req), NX_MSG_BYTES_MAX, op_exec },
    { NX_PROC_LIST, sizeof(struct nx_proc_list_req), sizeof(struct nx_proc_list_req), op_list },
    { NX_PROC_KILL, sizeof(struct nx_proc_kill_req), sizeof(struct nx_proc_kill_req), op_kill },
    { NX_PROC_POWEROFF, 0, 0, op_poweroff },
};

static void on_signals(void *ctx, uint64_t bits)
{
    (void)ctx;
    children_reap(bits);
}

void init_serve(void)
{
    const struct nx_rpc_server srv = { ops, sizeof(ops) / sizeof(ops[0]), NULL, on_signals };
    long err = nx_rpc_serve(init_ep, &srv);
    nx_log(NX_LOG_ERROR, "serving stopped: %ld", err);
}
