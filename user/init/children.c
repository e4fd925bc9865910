// The processes init starts: what each is granted, how it is introduced to the log and policy
// services, and what happens when it dies (restart with back-off, or not).
#include <stdio.h>
#include <string.h>
#include <nx/blk.h>
#include <nx/fs.h>
#include <nx/loader.h>
#include <nx/log.h>
#include <nx/nx.h>
#include <nx/rpc.h>
#include <nx/services.h>
#include <nx/startup.h>
#include <nx/virtio.h>

#include "init.h"

struct child children[MAX_CHILDREN];
static uint32_t next_badge = 1;
static nx_handle_t timer = NX_HANDLE_INVALID;

// Rights of the handles init grants.
// MANAGE, DUPLICATE and SIGNAL let a server mint client handles of its own, with badges of
// its choosing (the file system service's directory handles); they reach nobody but the
// server itself.
#define SERVE_RIGHTS (NX_RIGHT_WAIT | NX_RIGHT_TRANSFER | NX_RIGHT_MANAGE | NX_RIGHT_DUPLICATE | \
                      NX_RIGHT_SIGNAL)
// DUPLICATE lets a client hand a copy on (the shell gives its console to what it runs).
#define CLIENT_RIGHTS (NX_RIGHT_SIGNAL | NX_RIGHT_DUPLICATE | NX_RIGHT_TRANSFER)
#define REGISTER_RIGHTS (NX_RIGHT_SIGNAL | NX_RIGHT_MANAGE | NX_RIGHT_DUPLICATE | NX_RIGHT_TRANSFER)

struct child *child_new(const char *name, const struct mf_service *svc)
{
    for (int i = 0; i < MAX_CHILDREN; i++) {
        struct child *c = &children[i];
        if (c->state != CHILD_FREE)
            continue;
        memset(c, 0, sizeof(*c));
        c->state = CHILD_EXITED;
        c->badge = next_badge++;
        c->svc = svc;
        strncpy(c->name, name, sizeof(c->name) - 1);
        c->ep = c->proc = NX_HANDLE_INVALID;
        return c;
    }
    return NULL;
}

struct child *child_by_name(const char *name)
{
    for (int i = 0; i < MAX_CHILDREN; i++)
        if (children[i].state != CHILD_FREE && !strcmp(children[i].name, name))
            return &children[i];
    return NULL;
}

struct child *child_by_badge(uint32_t badge)
{
    for (int i = 0; i < MAX_CHILDREN; i++)
        if (children[i].state != CHILD_FREE && children[i].badge == badge)
            return &children[i];
    return NULL;
}

// init's calls to the system services are bounded in time: a service that died and is not
// reaped yet must not hold init (and so every restart) for ever.
#define SERVICE_CALL_TIMEOUT_NS 1000000000ull

static long call(nx_handle_t ep, uint32_t op, const void *req, size_t len)
{
    return nx_rpc_call(ep, op, req, len, NULL, 0,
                       (uint64_t)nx_clock_get() + SERVICE_CALL_TIMEOUT_NS);
}

// The endpoint of a running system service (log, policy, svcmgr), or NX_HANDLE_INVALID.
static nx_handle_t running_service(const char *name)
{
    struct child *c = child_by_name(name);
    return c && c->svc && c->state == CHILD_RUNNING ? c->ep : NX_HANDLE_INVALID;
}

void children_sync_files(void)
{
    nx_handle_t fs = running_service("fs");
    if (fs != NX_HANDLE_INVALID)
        call(fs, NX_FS_SYNC, NULL, 0);
}

// Tell svc (log or policy, if it runs) that badge is called name.
static void identify_to(const char *svc, uint32_t op, uint32_t badge, const char *name)
{
    nx_handle_t ep = running_service(svc);
    struct nx_policy_identify id = { .badge = badge };
    strncpy(id.name, name, sizeof(id.name) - 1);
    if (ep != NX_HANDLE_INVALID)
        call(ep, op, &id, sizeof(id));
}

static void introduce(const struct child *c)
{
    identify_to("log", NX_LOG_IDENTIFY, c->badge, c->name);
    identify_to("policy", NX_POLICY_IDENTIFY, c->badge, c->name);
}

static void allow(nx_handle_t policy, const char *client, const char *service, uint32_t rights)
{
    struct nx_policy_allow a = { .rights = rights };
    strncpy(a.client, client, sizeof(a.client) - 1);
    strncpy(a.service, service, sizeof(a.service) - 1);
    call(policy, NX_POLICY_ALLOW, &a, sizeof(a));
}

static uint32_t nx_rights(uint32_t mf_rights)
{
    return (mf_rights & MF_RIGHT_CALL ? NX_RIGHT_SIGNAL : 0) |
           (mf_rights & MF_RIGHT_TRANSFER ? NX_RIGHT_TRANSFER : 0) |
           (mf_rights & MF_RIGHT_DUP ? NX_RIGHT_DUPLICATE : 0);
}

// A fresh policy service learns every name and rule: the manifest's allow lines, and a rule
// for each service grant (a service may look up again what it was granted).
static void teach_policy(nx_handle_t policy)
{
    for (int i = 0; i < MAX_CHILDREN; i++)
        if (children[i].state != CHILD_FREE)
            introduce(&children[i]);
    for (int i = 0; i < manifest.nrules; i++) {
        const struct mf_rule *r = &manifest.rules[i];
        allow(policy, r->client, r->service, nx_rights(r->rights));
    }
    for (int i = 0; i < manifest.nservices; i++) {
        const struct mf_service *s = &manifest.services[i];
        for (int g = 0; g < s->ngrants; g++)
            if (s->grants[g].kind == MF_GRANT_SERVICE)
                allow(policy, s->name, s->grants[g].name, NX_RIGHT_SIGNAL);
    }
}

// A fresh svcmgr learns every service's endpoint under the service's name.
static void teach_svcmgr(nx_handle_t svcmgr)
{
    for (int i = 0; i < MAX_CHILDREN; i++) {
        struct child *c = &children[i];
        long h = c->svc ? nx_handle_duplicate(c->ep, REGISTER_RIGHTS) : -1;
        if (h < 0)
            continue;
        struct nx_rpc_call call = {
            .op = NX_SVCMGR_REGISTER,
            .req = c->name,
            .req_len = strlen(c->name) + 1,
            .send = { 1, { (nx_handle_t)h }, { NX_RIGHTS_SAME } },
            .deadline = (uint64_t)nx_clock_get() + SERVICE_CALL_TIMEOUT_NS,
        };
        long err = nx_rpc(svcmgr, &call);
        if (err)
            nx_log(NX_LOG_ERROR, "svcmgr refused %s: %ld", c->name, err);
    }
}

// The system services keep their state in memory: after each start of one, init gives it
// what it must know (and connects init's own log ring to a new log service).
static void after_start(struct child *c)
{
    if (!strcmp(c->name, "log")) {
        nx_log_connect(c->ep);
        for (int i = 0; i < MAX_CHILDREN; i++)
            if (children[i].state != CHILD_FREE)
                identify_to("log", NX_LOG_IDENTIFY, children[i].badge, children[i].name);
    } else if (!strcmp(c->name, "policy")) {
        teach_policy(c->ep);
    } else if (!strcmp(c->name, "svcmgr")) {
        teach_svcmgr(c->ep);
    }
}

// ---- granting ----

struct grants {
    size_t n;
    struct nx_named_handle h[NX_STARTUP_HANDLES_MAX];
    char names[NX_STARTUP_HANDLES_MAX][MF_NAME_MAX + 8];  // h[i].name points to names[i]
};

// Add h (or pass its error on) under a copy of name.
static long add_handle(struct grants *g, const char *name, long h)
{
    if (h < 0)
        return h;
    if (g->n == NX_STARTUP_HANDLES_MAX) {
        nx_handle_close(h);
        return NX_ERR_NO_SPACE;
    }
    snprintf(g->names[g->n], sizeof g->names[g->n], "%s", name);
    g->h[g->n] = (struct nx_named_handle){ g->names[g->n], (nx_handle_t)h };
    g->n++;
    return NX_OK;
}

// A handle to `name`'s endpoint badged for c (and the grant's facet bits): a service's, or
// init's own for exec and proc.
static long grant_endpoint(struct grants *g, const struct child *c, const char *name,
                           uint32_t facet_bits)
{
    uint32_t facet = !strcmp(name, "exec") ? BADGE_EXEC : !strcmp(name, "proc") ? BADGE_PROC : 0;
    const struct child *s = facet ? NULL : child_by_name(name);
    nx_handle_t ep = facet ? init_ep : s && s->svc ? s->ep : NX_HANDLE_INVALID;
    if (ep == NX_HANDLE_INVALID)
        return NX_ERR_NOT_FOUND;
    return add_handle(g, name, nx_endpoint_mint(ep, (long)(c->badge | facet | facet_bits),
                                                CLIENT_RIGHTS));
}

// "irq:N" (the IRQ object of each line N of the grant) and "GRANT:notif" (the notification
// they signal: line N sets bit NX_IRQ_BIT << (N - first line)).
static long grant_irq(struct grants *g, const struct mf_grant *gr)
{
    long notif = nx_notification_create();
    if (notif < 0)
        return notif;
    long err = NX_OK;
    for (uint32_t line = gr->value; err == NX_OK && line <= gr->last; line++) {
        char name[MF_NAME_MAX];
        snprintf(name, sizeof name, "irq:%u", (unsigned)line);
        long irq = nx_irq_create(nx_start_handle, line, notif,
                                 (long)(NX_IRQ_BIT << (line - gr->value)));
        err = add_handle(g, name, irq);
    }
    char name[MF_NAME_MAX + 8];
    snprintf(name, sizeof name, "%s:notif", gr->name);
    if (err == NX_OK)
        return add_handle(g, name, notif);
    nx_handle_close(notif);
    return err;
}

// virtio:KIND: a physical VMO over the one slot init picked for c (under the grant's name), the
// IRQ object of the slot's line ("virtio:KIND:irq") and the notification it signals with
// NX_IRQ_BIT ("virtio:KIND:notif"). No device of the kind: none of them, and the driver says so.
static long grant_virtio(struct grants *g, struct child *c, int i)
{
    const struct mf_grant *gr = &c->svc->grants[i];
    long slot = virtio_claim(c, i);
    if (slot < 0)
        return slot == NX_ERR_NOT_FOUND ? NX_OK : slot;
    long err = add_handle(g, gr->name, nx_vmo_physical(nx_start_handle,
                                                       VIRTIO_BASE + slot * VIRTIO_SLOT_SIZE,
                                                       VIRTIO_SLOT_SIZE));
    long notif = err ? err : nx_notification_create();
    if (notif < 0)
        return notif;
    char name[MF_NAME_MAX + 8];
    snprintf(name, sizeof name, "%s:irq", gr->name);
    err = add_handle(g, name, nx_irq_create(nx_start_handle, VIRTIO_FIRST_LINE + slot, notif,
                                            (long)NX_IRQ_BIT));
    snprintf(name, sizeof name, "%s:notif", gr->name);
    if (err == NX_OK)
        return add_handle(g, name, notif);
    nx_handle_close(notif);
    return err;
}

// A physical VMO over device d's registers.
static long grant_mmio(struct grants *g, const struct mf_grant *gr)
{
    const struct mf_device *d = &mf_devices[gr->value];
    return add_handle(g, gr->name, nx_vmo_physical(nx_start_handle, (long)d->paddr,
                                                   (long)d->size));
}

// Mounting may take the file system service a while (a journal replay) on its first start.
#define FS_GRANT_TIMEOUT_NS 10000000000ull

// dir:PATH: a directory handle asked of the file system service through init's own
// (unbadged: the whole tree) handle.
static long grant_dir(struct grants *g, const struct mf_grant *gr)
{
    const struct child *fs = child_by_name("fs");
    const char *rel = gr->name + 5;  // "dir:/" stripped: requests are relative
    if (!fs)
        return NX_ERR_NOT_FOUND;
    struct nx_rpc_call call = { .op = NX_FS_OPENDIR, .req = rel, .req_len = strlen(rel) + 1,
                                .deadline = (uint64_t)nx_clock_get() + FS_GRANT_TIMEOUT_NS };
    long err = nx_rpc(fs->ep, &call);
    if (err >= 0 && call.recv.count != 1)
        err = NX_ERR_BAD_STATE;
    if (err < 0) {
        nx_rpc_close_handles(&call.recv);
        return err;
    }
    return add_handle(g, gr->name, call.recv.h[0]);
}

static long grant_one(struct grants *g, struct child *c, int i)
{
    const struct mf_grant *gr = &c->svc->grants[i];
    switch (gr->kind) {
    case MF_GRANT_BOOTFS:
        return add_handle(g, gr->name, nx_handle_duplicate(nx_boot_archive,
                          NX_RIGHT_READ | NX_RIGHT_MAP | NX_RIGHT_TRANSFER));
    case MF_GRANT_POWER:   // the power mode and nothing else the resource allows
        return add_handle(g, gr->name, nx_handle_duplicate(nx_start_handle,
                          NX_RIGHT_WRITE | NX_RIGHT_TRANSFER));
    case MF_GRANT_DIR:
        return grant_dir(g, gr);
    case MF_GRANT_MMIO:
        return grant_mmio(g, gr);
    case MF_GRANT_IRQ:
        return grant_irq(g, gr);
    case MF_GRANT_VIRTIO:
        return grant_virtio(g, c, i);
    default:
        return grant_endpoint(g, c, gr->name, gr->facet);
    }
}

static void close_grants(struct grants *g)
{
    for (size_t i = 0; i < g->n; i++)
        nx_handle_close(g->h[i].handle);
    g->n = 0;
}

// Everything the manifest grants service c, plus "serve": its own endpoint.
static long make_grants(struct grants *g, struct child *c)
{
    long err = add_handle(g, "serve", nx_handle_duplicate(c->ep, SERVE_RIGHTS));
    for (int i = 0; !err && i < c->svc->ngrants; i++) {
        err = grant_one(g, c, i);
        if (err)
            nx_log(NX_LOG_ERROR, "%s: cannot grant %s: %ld", c->name, c->svc->grants[i].name, err);
    }
    if (err)
        close_grants(g);
    return err;
}

// ---- starting and restarting ----

static void watch(struct child *c)
{
    long bit = (long)(c - children);
    long err = nx_process_watch(c->proc, wake, (long)(1ull << bit));
    if (err)
        nx_log(NX_LOG_ERROR, "cannot watch %s: %ld", c->name, err);
}

// Start c's program with the handles in g (consumed either way).
static long exec_child(struct child *c, struct grants *g, const char *path,
                       const char *const *args, int nargs, uint32_t pages, uint32_t priority)
{
    const char *why = "";
    nx_handle_t proc;
    introduce(c);
    long err = nx_exec(path, args, nargs, g->h, g->n, pages, priority, &proc, &why);
    g->n = 0;
    if (err) {
        nx_log(NX_LOG_ERROR, "cannot start %s: %s (%ld)", c->name, why, err);
        return err;
    }
    struct nx_process_info info;
    nx_process_info(proc, &info);
    c->proc = proc;
    c->pid = info.pid;
    c->state = CHILD_RUNNING;
    c->started_ns = (uint64_t)nx_clock_get();
    watch(c);
    return NX_OK;
}

static void log_started(const struct child *c, uint32_t pages, uint32_t priority)
{
    nx_log(NX_LOG_INFO, "started %s (pid %u, %u pages, priority %u)", c->name, c->pid, pages,
           priority ? priority : PRIO_USER_DEFAULT);
}

long child_start(struct child *c, const char *path, const char *const *args, int nargs,
                 uint32_t pages, uint32_t priority, nx_handle_t console)
{
    struct grants g = { 0 };
    nx_handle_t mgr = running_service("svcmgr");
    long err = console == NX_HANDLE_INVALID ? NX_OK : add_handle(&g, "console", console);
    if (!err && mgr != NX_HANDLE_INVALID)
        err = grant_endpoint(&g, c, "svcmgr", 0);
    if (!err)
        err = exec_child(c, &g, path, args, nargs, pages, priority);
    if (!err)
        log_started(c, pages, priority);
    return err;
}

long service_start(struct child *c)
{
    const struct mf_service *s = c->svc;
    const char *args[MF_MAX_ARGS];
    struct grants g = { 0 };
    for (int i = 0, off = 0; i < s->argc; i++, off += (int)strlen(s->args + off) + 1)
        args[i] = s->args + off;
    long err = make_grants(&g, c);
    if (!err)
        err = exec_child(c, &g, s->binary, args, s->argc, s->pages, s->priority);
    if (!err) {
        after_start(c);  // first: a new log service must have init's ring before this record
        log_started(c, s->pages, s->priority);
    }
    return err;
}

// ---- deaths ----

static void arm_timer(void)
{
    uint64_t next = NX_DEADLINE_NEVER;
    for (int i = 0; i < MAX_CHILDREN; i++)
        if (children[i].state == CHILD_BACKOFF && children[i].restart_at_ns < next)
            next = children[i].restart_at_ns;
    if (timer == NX_HANDLE_INVALID) {
        long t = nx_timer_create(wake, (long)TIMER_BIT);
        if (t < 0)
            return;
        timer = (nx_handle_t)t;
    }
    nx_timer_set(timer, (long)next, 1000000);
}

static void schedule_restart(struct child *c, uint64_t now)
{
    int64_t delay = restart_delay(&c->backoff, c->started_ns, now);
    if (delay < 0) {
        c->state = CHILD_EXITED;
        nx_log(NX_LOG_ERROR, "%s died %d times in a row within %llu ms of starting: giving up",
               c->name, RESTART_GIVE_UP + 1, RESTART_QUICK_NS / 1000000);
        return;
    }
    c->state = CHILD_BACKOFF;
    c->restart_at_ns = now + (uint64_t)delay;
    nx_log(NX_LOG_WARN, "%s (pid %u) died with status %lld: restarting in %lld ms", c->name,
           c->pid, (long long)c->exit_status, (long long)delay / 1000000);
}

// The log service drops the rings of a process that ended, svcmgr the names it registered,
// the block driver the VMOs it attached, the file system its opens (a restarted instance
// makes and registers its own).
static void disconnect(const struct child *c)
{
    static const struct {
        const char *service;
        uint32_t op;
    } tell[] = { { "log", NX_LOG_DISCONNECT }, { "svcmgr", NX_SVCMGR_DISCONNECT },
                 { "blk", NX_BLK_DISCONNECT }, { "fs", NX_FS_DISCONNECT } };
    struct nx_badge_req d = { c->badge };
    for (size_t i = 0; i < sizeof(tell) / sizeof(tell[0]); i++) {
        nx_handle_t ep = running_service(tell[i].service);
        if (ep != NX_HANDLE_INVALID)
            call(ep, tell[i].op, &d, sizeof(d));
    }
}

static void died(struct child *c, uint64_t now)
{
    long status = 0;
    nx_process_status(c->proc, &status);
    nx_handle_close(c->proc);
    c->proc = NX_HANDLE_INVALID;
    c->exit_status = status;
    c->state = CHILD_EXITED;
    if (c->svc && !strcmp(c->name, "log"))
        nx_log_disconnect();  // init's records go to the debug console until a new log runs
    disconnect(c);
    // Status 0 is a service's own "nothing to do here" (the compositor with no display):
    // restarting it would only find the same.
    if (c->svc && c->svc->restart && status != 0) {
        schedule_restart(c, now);
        return;
    }
    nx_log(status ? NX_LOG_WARN : NX_LOG_INFO, "%s (pid %u) exited with status %ld", c->name,
           c->pid, status);
    if (!c->svc) {  // a program's slot and badge are done with
        identify_to("log", NX_LOG_IDENTIFY, c->badge, "");
        identify_to("policy", NX_POLICY_IDENTIFY, c->badge, "");
        c->state = CHILD_FREE;
    }
}

static void restart_due(uint64_t now)
{
    for (int i = 0; i < MAX_CHILDREN; i++) {
        struct child *c = &children[i];
        if (c->state != CHILD_BACKOFF || c->restart_at_ns > now)
            continue;
        c->restarts++;
        nx_log(NX_LOG_WARN, "restarting %s (restart %u)", c->name, c->restarts);
        if (service_start(c) != NX_OK) {
            c->started_ns = now;  // a failed start counts as a quick death
            schedule_restart(c, now);
        }
    }
}

void children_reap(uint64_t bits)
{
    uint64_t now = (uint64_t)nx_clock_get();
    for (int i = 0; i < MAX_CHILDREN; i++)
        if ((bits & (1ull << i)) && children[i].state == CHILD_RUNNING)
            died(&children[i], now);
    restart_due(now);
    arm_timer();
}
