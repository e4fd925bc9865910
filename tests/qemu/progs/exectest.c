// The loader end to end (must be the first boot program: it needs the boot archive). Starts
// execchild from the archive with arguments and named handles (an rpc server's endpoint,
// served by a thread of this process, and a ring it reads), waits for its exit status, has
// malformed and missing programs refused with a clear reason, and checks that pages,
// handles, objects and processes all come back. Prints "exectest: <check> ok" or "WRONG".
#include <stdio.h>
#include <string.h>
#include <nx/bootfs.h>
#include <nx/loader.h>
#include <nx/nx.h>
#include <nx/ring.h>
#include <nx/rpc.h>
#include <nx/thread.h>
#include "exectest.h"

static int failures;

static void expect(const char *what, long got, long want)
{
    if (got == want) {
        printf("exectest: %s ok\n", what);
    } else {
        printf("exectest: %s WRONG (got %ld, want %ld)\n", what, got, want);
        failures++;
    }
}

static long counter(int what) { return nx_system_info(what); }

static long add(void *ctx, struct nx_rpc_req *req)
{
    (void)ctx;
    struct add_req a;
    memcpy(&a, req->data, sizeof(a));
    struct add_rep r = { a.a + a.b };
    memcpy(req->reply, &r, sizeof(r));
    req->reply_len = sizeof(r);
    return NX_OK;
}

static const struct nx_rpc_op ops[] = { { OP_ADD, sizeof(struct add_req), sizeof(struct add_req), add } };
static const struct nx_rpc_server server = { ops, 1, NULL, NULL };
static long server_ep;

static void serve(void *arg)
{
    (void)arg;
    nx_rpc_serve((nx_handle_t)server_ep, &server);
}

// What execchild wrote into the ring: records in order, the rest counted as dropped.
static void read_ring(struct nx_ring *r)
{
    char rec[64], want[64];
    size_t len;
    int n = 0, in_order = 1;
    while (nx_ring_read(r, rec, sizeof(rec), &len, 0) == NX_OK) {
        snprintf(want, sizeof(want), "record %d", n++);
        in_order &= len == strlen(want) && memcmp(rec, want, len) == 0;
    }
    printf("exectest: ring gave %d records, %lu dropped\n", n, (unsigned long)nx_ring_dropped(r));
    expect("ring records in order", in_order, 1);
    expect("every record read or counted", n + (long)nx_ring_dropped(r), RING_RECORDS);
}

static nx_handle_t dup(long h, uint32_t rights)
{
    return (nx_handle_t)nx_handle_duplicate(h, rights | NX_RIGHT_TRANSFER);
}

// Start execchild with two arguments and four named handles; it exits with 42 after
// signalling bit 4 on "done".
static void run_child(uint32_t priority)
{
    long n = nx_notification_create(), ringsig = nx_notification_create();
    struct nx_ring ring;
    nx_handle_t ring_vmo = NX_HANDLE_INVALID;
    expect("ring created", nx_ring_create(RING_DATA_SIZE, (nx_handle_t)ringsig, RING_BIT, &ring,
                                          &ring_vmo), NX_OK);
    const char *args[] = { "alpha", "two words" };
    struct nx_named_handle hs[] = {
        { "done", dup(n, NX_RIGHT_SIGNAL) },
        { "ep", dup(server_ep, NX_RIGHT_SIGNAL) },
        { "ring", ring_vmo },
        { "ringsig", dup(ringsig, NX_RIGHT_SIGNAL) },
    };
    nx_handle_t proc = NX_HANDLE_INVALID;
    const char *why = NULL;
    long err = nx_exec("execchild", args, 2, hs, 4, 256, priority, &proc, &why);
    printf("exectest: exec execchild: %s\n", why);
    expect("exec", err, NX_OK);
    long status = 0;
    expect("wait", nx_process_wait(proc, NX_DEADLINE_NEVER, &status), NX_OK);
    expect("exit status", status, 42);
    uint64_t bits = 0;
    nx_notify_poll_bits((nx_handle_t)n, &bits);
    expect("the granted handle works", (long)bits, 4);
    read_ring(&ring);
    nx_ring_unmap(&ring);
    nx_handle_close(ringsig);
    nx_handle_close(proc);
    nx_handle_close(n);
}

// nx_exec must refuse and consume the handle it was given.
static void refused(const char *path, long want, uint32_t priority)
{
    long handles = counter(NX_INFO_LIVE_HANDLES);
    struct nx_named_handle h = { "n", (nx_handle_t)nx_notification_create() };
    nx_handle_t proc = NX_HANDLE_INVALID;
    const char *why = NULL;
    long err = nx_exec(path, NULL, 0, &h, 1, 64, priority, &proc, &why);
    printf("exectest: exec %s refused: %s\n", path, why);
    expect("refused with the right error", err, want);
    expect("its handle consumed", counter(NX_INFO_LIVE_HANDLES), handles);
}

// Handles the startup protocol cannot deliver fail the exec after the child exists: every
// handle is gone afterwards, and so is the child.
// handles = the live-handle count before hs were made.
static void refused_in_startup(const char *what, struct nx_named_handle *hs, size_t n,
                               long want, long handles)
{
    long processes = counter(NX_INFO_LIVE_PROCESSES);
    nx_handle_t proc = NX_HANDLE_INVALID;
    const char *why = NULL;
    long err = nx_exec("execchild", NULL, 0, hs, n, 64, 0, &proc, &why);
    printf("exectest: exec with %s refused: %s\n", what, why);
    expect("refused in the startup protocol", err, want);
    expect("its handles consumed", counter(NX_INFO_LIVE_HANDLES), handles);
    expect("the child is gone", counter(NX_INFO_LIVE_PROCESSES), processes);
}

static void refused_handles(void)
{
    // Two handles under one name: the child refuses the message.
    long handles = counter(NX_INFO_LIVE_HANDLES);
    struct nx_named_handle twice[] = {
        { "twice", (nx_handle_t)nx_notification_create() },
        { "twice", (nx_handle_t)nx_notification_create() },
    };
    refused_in_startup("a repeated name", twice, 2, NX_ERR_INVALID, handles);
    // A value that names no handle: the kernel refuses the call.
    struct nx_named_handle bogus[] = { { "bogus", 0xfff } };
    refused_in_startup("a bad handle", bogus, 1, NX_ERR_BAD_HANDLE, handles);
}

// A stack overflow hits the guard page below the stack and kills only the child.
static void stack_overflow(void)
{
    const char *args[] = { "overflow" };
    nx_handle_t proc = NX_HANDLE_INVALID;
    const char *why = NULL;
    expect("exec to overflow", nx_exec("execchild", args, 1, NULL, 0, 64, 0, &proc, &why), NX_OK);
    long status = 0;
    nx_process_wait(proc, NX_DEADLINE_NEVER, &status);
    expect("the overflow killed it", status, NX_EXIT_KILLED);
    nx_handle_close(proc);
}

// A program that never answers: nx_load gives up at the deadline and kills it.
static void mute(void)
{
    long processes = counter(NX_INFO_LIVE_PROCESSES);
    const struct nx_bootfs *fs = nx_bootfs_default();
    const void *elf;
    size_t size;
    expect("find mute", nx_bootfs_find(fs, "mute", &elf, &size), NX_OK);
    const char *argv[] = { "mute" };
    struct nx_load_params p = { .name = "mute", .argv = argv, .argc = 1, .budget_pages = 64,
                                .timeout_ns = 100 * 1000 * 1000 };
    nx_handle_t proc = NX_HANDLE_INVALID;
    const char *why = NULL;
    uint64_t start = (uint64_t)nx_clock_get();
    long err = nx_load(elf, size, &p, &proc, &why);
    uint64_t waited_ms = ((uint64_t)nx_clock_get() - start) / 1000000;
    printf("exectest: load mute: %s after %lu ms\n", why, (unsigned long)waited_ms);
    expect("a mute child times out", err, NX_ERR_TIMED_OUT);
    expect("at its deadline, not the default 2 s", waited_ms >= 100 && waited_ms < 1000, 1);
    expect("and is gone", counter(NX_INFO_LIVE_PROCESSES), processes);
}

int main(void)
{
    server_ep = nx_endpoint_create();
    expect("rpc server thread", nx_thread_start(serve, NULL, PRIO_USER_DEFAULT, 0) > 0, 1);
    // The first exec and the first scan of the whole archive (a missing file) map the boot
    // archive and touch stack, data and page-table pages for good: count from after them.
    run_child(0);
    refused("nosuchprogram", NX_ERR_NOT_FOUND, 0);
    long pages = counter(NX_INFO_FREE_PAGES), objects = counter(NX_INFO_LIVE_OBJECTS);
    long handles = counter(NX_INFO_LIVE_HANDLES);
    run_child(8);
    refused("badelf", NX_ERR_INVALID, 0);
    refused("execchild", NX_ERR_ACCESS, PRIO_USER_DEFAULT + 1);
    refused_handles();
    mute();
    stack_overflow();
    expect("no page leaked", counter(NX_INFO_FREE_PAGES), pages);
    expect("no object leaked", counter(NX_INFO_LIVE_OBJECTS), objects);
    expect("no handle leaked", counter(NX_INFO_LIVE_HANDLES), handles);
    expect("no process left", counter(NX_INFO_LIVE_PROCESSES), 1);
    printf("exectest: %d failures\n", failures);
    return failures;
}
