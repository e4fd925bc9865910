// The console protocol from a client of its own (manifest tests/qemu/manifests/console):
// a write, a read that times out, malformed requests, a waiting read superseded by a newer
// one, and a reader killed while it waits, which must not lock the input for the next one.
#define TEST_NAME "contest"
#include <nx/console.h>
#include <nx/rpc.h>
#include <nx/services.h>
#include <nx/startup.h>
#include <nx/thread.h>
#include "expect.h"

#define MS 1000000ull

static nx_handle_t con;
static volatile long older_read = 1;

static uint64_t in_ms(uint64_t ms)
{
    return (uint64_t)nx_clock_get() + ms * MS;
}

static void sleep_ms(uint64_t ms)
{
    long n = nx_notification_create();
    uint64_t bits;
    nx_notify_wait_bits(n, in_ms(ms), &bits);
    nx_handle_close(n);
}

static long read_one(nx_handle_t h, uint64_t deadline)
{
    char c;
    return nx_console_read(h, &c, 1, deadline);
}

static void older_reader(void *unused)
{
    (void)unused;
    older_read = read_one(con, NX_DEADLINE_NEVER);
}

static void doomed_reader(nx_handle_t h)
{
    read_one(h, NX_DEADLINE_NEVER);
}

static void requests(void)
{
    static const char hello[] = "contest: hello through the console\n";
    expect("write", nx_console_write(con, hello, sizeof hello - 1), sizeof hello - 1);
    expect("read times out", read_one(con, in_ms(20)), NX_ERR_TIMED_OUT);
    struct nx_console_read_req bad = { .deadline = in_ms(20), .max = 0 };
    expect("read of 0 bytes", nx_rpc_call(con, NX_CONSOLE_READ, &bad, sizeof bad, NULL, 0,
                                          NX_DEADLINE_NEVER), NX_ERR_INVALID);
    bad.max = NX_MSG_BYTES_MAX + 1;
    expect("read of 1025 bytes", nx_rpc_call(con, NX_CONSOLE_READ, &bad, sizeof bad, NULL, 0,
                                             NX_DEADLINE_NEVER), NX_ERR_INVALID);
    expect("unknown operation", nx_rpc_call(con, NX_CONSOLE_READ + 100, NULL, 0, NULL, 0,
                                            NX_DEADLINE_NEVER), NX_ERR_INVALID);
}

static void superseded(void)
{
    nx_thread_start(older_reader, NULL, PRIO_USER_DEFAULT, NX_THREAD_STACK_SIZE);
    sleep_ms(20);
    expect("a newer read waits for its own deadline", read_one(con, in_ms(20)),
           NX_ERR_TIMED_OUT);
    expect("the older read was superseded", older_read, NX_ERR_BAD_STATE);
}

static void killed_reader(void)
{
    nx_handle_t mine;
    expect("lookup with TRANSFER", nx_svc_lookup("console", &mine), NX_OK);
    long child = nx_spawn("doomed", 64, doomed_reader, mine);
    sleep_ms(20);
    expect("kill the waiting reader", nx_process_kill(child), NX_OK);
    expect("the next read is not locked out", read_one(con, in_ms(20)), NX_ERR_TIMED_OUT);
    nx_handle_close(child);
}

int main(void)
{
    con = nx_startup_handle("console");
    requests();
    superseded();
    killed_reader();
    struct nx_console_stats s = { 0 };
    expect("stats", nx_console_stats(con, &s), NX_OK);
    expect("stats count the write", s.written >= 35, 1);
    nx_printf("contest: %d failures\n", failures);
    return failures;
}
