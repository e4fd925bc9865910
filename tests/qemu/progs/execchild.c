// Started by exectest through the loader: prints what the startup protocol gave it (with
// picolibc's printf), uses malloc up to and beyond its budget, calls exectest's rpc server,
// writes records into the ring it was granted, swaps the stdio sink, signals the
// notification it was granted, and exits with status 42.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <nx/nx.h>
#include <nx/ring.h>
#include <nx/rpc.h>
#include <nx/startup.h>
#include <nx/stdio.h>
#include <nx/thread.h>
#include "exectest.h"

static void show_startup(int argc, char **argv)
{
    printf("execchild: argc %d\n", argc);
    for (int i = 0; i < argc; i++)
        printf("execchild: argv[%d] = \"%s\"\n", i, argv[i]);
    for (size_t i = 0; i < nx_startup_handle_count(); i++) {
        const char *name;
        nx_handle_t h = nx_startup_handle_at(i, &name);
        printf("execchild: handle \"%s\" type %u\n", name, nx_handle_info_type(nx_handle_info(h)));
    }
    printf("execchild: unknown name gives %u\n", nx_startup_handle("nosuch"));
}

static void use_malloc(void)
{
    char *small = malloc(100 * 1024);
    memset(small, 'x', 100 * 1024);
    printf("execchild: malloc 100 KiB %s\n", small && small[100 * 1024 - 1] == 'x' ? "ok" : "WRONG");
    free(small);
    void *huge = malloc(64 << 20);
    printf("execchild: malloc beyond the heap gives %s\n", huge ? "WRONG" : "NULL");
    void *over = malloc(1000 * 1024);  // under the heap's end, over the budget
    printf("execchild: malloc beyond the budget gives %s\n", over ? "WRONG" : "NULL");
    char *again = malloc(16 * 1024);
    printf("execchild: malloc after that %s\n", again ? "ok" : "WRONG");
    free(again);
}

// Two threads of one priority malloc, fill, check and free blocks at the same time; the
// time slice preempts them inside malloc, so the heap is only safe with picolibc's locks.
#define CHURN_ROUNDS 100000  // without the locks, the heap breaks well before the end
#define CHURN_LIVE 8

static volatile int churn_bad;

static void churn(void *arg)
{
    uint8_t id = (uint8_t)(uintptr_t)arg;
    uint8_t *blocks[CHURN_LIVE] = { 0 };
    size_t sizes[CHURN_LIVE] = { 0 };
    for (int i = 0; i < CHURN_ROUNDS; i++) {
        int k = i % CHURN_LIVE;
        if (blocks[k])  // a block handed out twice shows the other thread's byte
            churn_bad |= blocks[k][0] != id || blocks[k][sizes[k] - 1] != id;
        free(blocks[k]);
        sizes[k] = 16 + (size_t)(i * 37 % 64);
        blocks[k] = malloc(sizes[k]);
        if (blocks[k])
            memset(blocks[k], id, sizes[k]);
    }
    for (int k = 0; k < CHURN_LIVE; k++)
        free(blocks[k]);
}

static void churn_thread(void *arg)
{
    churn(arg);
    nx_notify_signal((nx_handle_t)(uintptr_t)arg >> 8, 1);
}

static void malloc_from_two_threads(void)
{
    long done = nx_notification_create();
    struct nx_process_info info;
    nx_process_info(nx_self, &info);
    // The worker's argument: its fill byte, and the notification to signal above it.
    uintptr_t arg = (uintptr_t)done << 8 | 0xa5;
    long t = nx_thread_start(churn_thread, (void *)arg, info.priority, 0);
    churn((void *)(uintptr_t)0x5a);
    uint64_t bits;
    nx_notify_wait_bits((nx_handle_t)done, NX_DEADLINE_NEVER, &bits);
    if (t > 0 && !churn_bad)
        printf("execchild: malloc from two threads ok\n");
    else
        printf("execchild: malloc from two threads WRONG (thread %ld, bad %d)\n", t, churn_bad);
    nx_handle_close(t);
    nx_handle_close(done);
}

static void use_rpc(nx_handle_t ep)
{
    struct add_req req = { 2, 40 };
    struct add_rep rep = { 0 };
    uint64_t deadline = (uint64_t)nx_clock_get() + 1000000000ull;
    long st = nx_rpc_call(ep, OP_ADD, &req, sizeof(req), &rep, sizeof(rep), deadline);
    printf("execchild: rpc add -> %ld, sum %ld\n", st, (long)rep.sum);
    st = nx_rpc_call(ep, OP_ADD, &req, 1, &rep, sizeof(rep), deadline);
    printf("execchild: rpc add with 1 byte -> %ld\n", st);
    st = nx_rpc_call(ep, 999, NULL, 0, NULL, 0, deadline);
    printf("execchild: rpc unknown op -> %ld\n", st);
}

static void use_ring(nx_handle_t vmo, nx_handle_t notif)
{
    struct nx_ring r;
    long err = nx_ring_map(vmo, NX_RING_WRITER, notif, RING_BIT, &r);
    int written = 0;
    char rec[64];
    for (int i = 0; err == NX_OK && i < RING_RECORDS; i++) {
        int n = snprintf(rec, sizeof(rec), "record %d", i);
        written += nx_ring_write(&r, rec, (size_t)n) == NX_OK;
    }
    printf("execchild: ring map %ld, wrote %d, dropped %lu\n", err, written,
           (unsigned long)nx_ring_dropped(&r));
}

// Two lines of input, a few bytes at a time, then the end.
static long script_source(void *ctx, char *buf, size_t cap)
{
    const char **rest = ctx;
    size_t n = strlen(*rest);
    n = n < cap ? n : cap;
    n = n < 5 ? n : 5;
    memcpy(buf, *rest, n);
    *rest += n;
    return (long)n;
}

static void read_stdin(void)
{
    static const char *script = "first line\nsecond\n";
    char line[32];
    nx_stdio_set_source(script_source, &script);
    while (fgets(line, sizeof(line), stdin))
        printf("execchild: stdin gave %s", line);
    printf("execchild: stdin at end %d\n", feof(stdin) != 0);
    nx_stdio_set_source(NULL, NULL);
}

static long bracket_sink(void *ctx, const char *buf, size_t len)
{
    nx_debug_write(ctx, 9);
    return nx_debug_write(buf, (long)len);
}

// Recurse until the stack runs into its guard page (1 KiB frames: long before the bound).
static long overflow(long depth)
{
    volatile char frame[1024];
    frame[0] = (char)depth;
    return depth > (1l << 20) ? 0 : overflow(depth + 1) + frame[0];
}

int main(int argc, char **argv)
{
    if (argc == 2 && strcmp(argv[1], "overflow") == 0) {
        printf("execchild: overflowing the stack\n");
        return (int)overflow(0);
    }
    show_startup(argc, argv);
    malloc_from_two_threads();  // before use_malloc spends the budget
    use_malloc();
    use_rpc(nx_startup_handle("ep"));
    use_ring(nx_startup_handle("ring"), nx_startup_handle("ringsig"));
    read_stdin();
    nx_stdio_set_sink(bracket_sink, "[sink]   ");
    printf("execchild: through my own sink\n");
    nx_stdio_set_sink(NULL, NULL);
    struct nx_process_info info;
    nx_process_info(nx_self, &info);
    printf("execchild: running at priority %u\n", info.priority);
    nx_notify_signal(nx_startup_handle("done"), 4);
    fprintf(stderr, "execchild: exit 42\n");
    return 42;
}
