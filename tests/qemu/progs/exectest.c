// The loader end to end (must be the first boot program: it needs the boot archive). Starts
// execchild from the archive with arguments and named handles, waits for its exit status,
// has malformed and missing programs refused with a clear reason, and checks that pages,
// handles, objects and processes all come back. Prints "exectest: <check> ok" or "WRONG".
#include <stdio.h>
#include <nx/loader.h>
#include <nx/nx.h>

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

// Start execchild with two arguments and two named handles; it exits with 42 after
// signalling bit 4 on "done".
static void run_child(uint32_t priority)
{
    long n = nx_notification_create();
    long ep = nx_endpoint_create();
    const char *args[] = { "alpha", "two words" };
    struct nx_named_handle hs[] = {
        { "done", (nx_handle_t)nx_handle_duplicate(n, NX_RIGHT_SIGNAL | NX_RIGHT_TRANSFER) },
        { "ep", (nx_handle_t)ep },
    };
    nx_handle_t proc = NX_HANDLE_INVALID;
    const char *why = NULL;
    long err = nx_exec("execchild", args, 2, hs, 2, 256, priority, &proc, &why);
    printf("exectest: exec execchild: %s\n", why);
    expect("exec", err, NX_OK);
    long status = 0;
    expect("wait", nx_process_wait(proc, NX_DEADLINE_NEVER, &status), NX_OK);
    expect("exit status", status, 42);
    uint64_t bits = 0;
    nx_notify_poll_bits((nx_handle_t)n, &bits);
    expect("the granted handle works", (long)bits, 4);
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

int main(void)
{
    // The first exec and the first scan of the whole archive (a missing file) map the boot
    // archive and touch stack, data and page-table pages for good: count from after them.
    run_child(0);
    refused("nosuchprogram", NX_ERR_NOT_FOUND, 0);
    long pages = counter(NX_INFO_FREE_PAGES), objects = counter(NX_INFO_LIVE_OBJECTS);
    long handles = counter(NX_INFO_LIVE_HANDLES);
    run_child(8);
    refused("badelf", NX_ERR_INVALID, 0);
    refused("execchild", NX_ERR_ACCESS, PRIO_USER_DEFAULT + 1);
    expect("no page leaked", counter(NX_INFO_FREE_PAGES), pages);
    expect("no object leaked", counter(NX_INFO_LIVE_OBJECTS), objects);
    expect("no handle leaked", counter(NX_INFO_LIVE_HANDLES), handles);
    expect("no process left", counter(NX_INFO_LIVE_PROCESSES), 1);
    printf("exectest: %d failures\n", failures);
    return failures;
}
