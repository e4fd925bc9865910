// Starting programs from ELF files (see nx/loader.h): segments into VMOs, a stack, the
// bootstrap endpoint, then the startup protocol (nx/startup.h) from the parent's side.
#include <string.h>
#include <nx/bootfs.h>
#include <nx/ipc.h>
#include <nx/loader.h>
#include <nx/nx.h>
#include <nx/startup.h>
#include <nx/thread.h>
#include "internal.h"
#include "loader_plan.h"

// Everything nx_load has made so far, for the way out.
struct load {
    const struct nx_load_params *p;
    long proc;            // process handle (or an error before there is one)
    long ep;              // our side of the bootstrap endpoint
    size_t handles_sent;  // p->handles[0..handles_sent) are the child's now
    const char *why;
};

static long fail(struct load *l, long err, const char *why)
{
    l->why = why;
    return err;
}

static long map_segments(struct load *l, const void *elf, const struct elf_image *img)
{
    struct nx_seg_plan plan[ELF_MAX_SEGMENTS];
    uint32_t n = nx_loader_plan(img, plan);
    for (uint32_t i = 0; i < n; i++) {
        const struct nx_seg_plan *s = &plan[i];
        long va = nx_map_new_copy((nx_handle_t)l->proc, s->va, s->size, s->copy_off,
                                  (const char *)elf + s->file_off, s->file_len, s->prot);
        if (va < 0)
            return fail(l, va, "cannot map a segment");
    }
    return NX_OK;
}

// Map the stack, start the first thread with the child's end of a new endpoint.
static long start_process(struct load *l, uint64_t entry)
{
    long sp = nx_map_stack((nx_handle_t)l->proc, NX_EXEC_STACK_SIZE);
    if (sp < 0)
        return fail(l, sp, "cannot map the stack");
    l->ep = nx_endpoint_create();
    if (l->ep < 0)
        return fail(l, l->ep, "cannot make the bootstrap endpoint");
    long child_ep = nx_handle_duplicate(l->ep, NX_RIGHT_WAIT | NX_RIGHT_TRANSFER);
    if (child_ep < 0)
        return fail(l, child_ep, "cannot make the bootstrap endpoint");
    uint32_t prio = l->p->priority ? l->p->priority : PRIO_USER_DEFAULT;
    long err = nx_process_start(l->proc, (long)entry, sp, child_ep, prio);
    if (err) {
        nx_handle_close(child_ep);
        return fail(l, err, "cannot start the process");
    }
    return NX_OK;
}

// One startup call: label, the first nbytes of the IPC buffer, nhandles handles from it, word
// 0. A child that does not answer in time, dies, or refuses the message fails the load.
static long send_startup(struct load *l, uint32_t label, size_t nbytes, size_t nhandles,
                         uint64_t word)
{
    struct nx_msg m = { .info = NX_MSG_INFO(label, nbytes, nhandles), .w = { word } };
    uint64_t timeout = l->p->timeout_ns ? l->p->timeout_ns : NX_STARTUP_TIMEOUT_NS;
    uint64_t deadline = (uint64_t)nx_clock_get() + timeout;
    long err = nx_ipc_call((nx_handle_t)l->ep, &m, deadline);
    if (err == NX_ERR_TIMED_OUT || err == NX_ERR_PEER_CLOSED)
        return fail(l, err, "the program did not answer its startup message");
    if (err)
        return fail(l, err, "cannot send a startup message (a bad handle?)");
    if ((long)m.w[0] != NX_OK)
        return fail(l, (long)m.w[0], "the program refused its startup message");
    return NX_OK;
}

// strings[0..n) in as few messages of `label` as they fit in.
static long send_strings(struct load *l, uint32_t label, const char *const *strings, int n)
{
    char *bytes = (char *)nx_ipc_buf()->bytes;
    for (int done = 0; done < n;) {
        size_t used;
        size_t k = nx_startup_pack(bytes, NX_MSG_BYTES_MAX, strings + done, (size_t)(n - done),
                                   &used);
        if (k == 0)
            return fail(l, NX_ERR_TOO_BIG, "an argument is longer than a message");
        long err = send_startup(l, label, used, 0, 0);
        if (err)
            return err;
        done += (int)k;
    }
    return NX_OK;
}

static long send_args(struct load *l)
{
    long err = send_strings(l, NX_STARTUP_ARGS, l->p->argv, l->p->argc);
    return err ? err : send_strings(l, NX_STARTUP_ENV, l->p->envp, l->p->nenv);
}

// Up to NX_MSG_HANDLES_MAX named handles per message, names in the bytes.
static long send_handles(struct load *l)
{
    const struct nx_load_params *p = l->p;
    struct nx_ipc_buffer *buf = nx_ipc_buf();
    while (l->handles_sent < p->nhandles) {
        const char *names[NX_MSG_HANDLES_MAX];
        size_t n = p->nhandles - l->handles_sent, used;
        n = n < NX_MSG_HANDLES_MAX ? n : NX_MSG_HANDLES_MAX;
        for (size_t i = 0; i < n; i++) {
            const struct nx_named_handle *h = &p->handles[l->handles_sent + i];
            names[i] = h->name;
            buf->handles[i] = h->handle;
            buf->handle_rights[i] = NX_RIGHTS_SAME;
        }
        if (nx_startup_pack((char *)buf->bytes, NX_MSG_BYTES_MAX, names, n, &used) != n)
            return fail(l, NX_ERR_TOO_BIG, "handle names longer than a message");
        long err = send_startup(l, NX_STARTUP_HANDLES, used, n, 0);
        if (err)
            return err;
        l->handles_sent += n;
    }
    return NX_OK;
}

static long load(struct load *l, const void *elf, size_t len)
{
    const struct nx_load_params *p = l->p;
    if (p->nhandles > NX_STARTUP_HANDLES_MAX || p->argc < 0 || p->argc > NX_STARTUP_ARGS_MAX ||
        p->nenv < 0 || p->nenv > NX_STARTUP_ENV_MAX)
        return fail(l, NX_ERR_TOO_BIG, "too many arguments or handles");
    struct elf_image img;
    int e = elf_parse(elf, len, &img);
    if (e != ELF_OK)
        return fail(l, NX_ERR_INVALID, elf_strerror(e));
    l->proc = nx_process_create(p->name, (long)strlen(p->name), (long)p->budget_pages);
    if (l->proc < 0)
        return fail(l, l->proc, "cannot create the process");
    long err = map_segments(l, elf, &img);
    if (!err)
        err = start_process(l, img.entry);
    if (!err)
        err = send_args(l);
    if (!err)
        err = send_handles(l);
    if (!err)
        err = send_startup(l, NX_STARTUP_DONE, 0, 0, 0);
    return err;
}

long nx_load(const void *elf, size_t len, const struct nx_load_params *p, nx_handle_t *proc,
             const char **why)
{
    struct load l = { .p = p, .proc = NX_ERR_BAD_HANDLE, .ep = NX_ERR_BAD_HANDLE, .why = "ok" };
    long err = load(&l, elf, len);
    if (l.ep >= 0)
        nx_handle_close(l.ep);
    if (err) {
        // A handle moved in a call that then failed is already gone; closing it is harmless.
        for (size_t i = l.handles_sent; i < p->nhandles; i++)
            nx_handle_close(p->handles[i].handle);
        if (l.proc >= 0) {
            nx_process_kill(l.proc);
            nx_handle_close(l.proc);
        }
    } else {
        *proc = (nx_handle_t)l.proc;
    }
    if (why)
        *why = l.why;
    return err;
}

// The last component of path: the process's name and argv[0].
static const char *base_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

// Why nx_exec cannot even start loading, or NULL.
static const char *exec_refusal(const struct nx_bootfs *fs, const char *path, int nargs,
                                const void **elf, size_t *size, long *err)
{
    if (nargs < 0 || nargs >= NX_STARTUP_ARGS_MAX)
        return *err = NX_ERR_TOO_BIG, "too many arguments";
    if (!fs)
        return *err = NX_ERR_BAD_STATE, "no boot archive";
    if (nx_bootfs_find(fs, path, elf, size) != NX_OK)
        return *err = NX_ERR_NOT_FOUND, "not in the boot archive";
    return NULL;
}

long nx_exec(const char *path, const char *const *args, int nargs,
             const struct nx_named_handle *handles, size_t nhandles, size_t budget_pages,
             uint32_t priority, nx_handle_t *proc, const char **why)
{
    const void *elf = NULL;
    size_t size = 0;
    long err = NX_OK;
    const char *refusal = exec_refusal(nx_bootfs_default(), path, nargs, &elf, &size, &err);
    if (refusal) {
        for (size_t i = 0; i < nhandles; i++)
            nx_handle_close(handles[i].handle);
        if (why)
            *why = refusal;
        return err;
    }
    const char *argv[NX_STARTUP_ARGS_MAX];
    argv[0] = base_name(path);
    for (int i = 0; i < nargs; i++)
        argv[1 + i] = args[i];
    struct nx_load_params p = {
        .name = argv[0], .argv = argv, .argc = nargs + 1, .handles = handles,
        .nhandles = nhandles, .budget_pages = budget_pages, .priority = priority,
    };
    return nx_load(elf, size, &p, proc, why);
}

long nx_process_wait(nx_handle_t proc, uint64_t deadline, long *status)
{
    long n = nx_notification_create();
    if (n < 0)
        return n;
    uint64_t bits;
    long err = nx_process_watch(proc, n, 1);
    if (!err)
        err = nx_notify_wait_bits((nx_handle_t)n, deadline, &bits);
    if (!err)
        err = nx_process_status(proc, status);
    nx_handle_close(n);
    return err;
}

long nx_process_kill_descendant(nx_handle_t root, uint32_t pid)
{
    long h = nx_process_descendant(root, pid, NX_RIGHT_READ | NX_RIGHT_MANAGE);
    if (h < 0)
        return h;
    long err = nx_process_kill((nx_handle_t)h);
    nx_handle_close((nx_handle_t)h);
    return err;
}
