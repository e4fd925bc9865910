// make bench, second boot (bench/run_bench.py): started by init after the default manifest's
// services. Reports the memory in use once the system is idle, then the instructions a log
// record costs through the ring, then powers off through proc: the writer's share is
// nx_log_push of the record nx_log_write makes into a private ring (what a write costs while
// the log service is awake: no system call); the service's share is what the log service
// counts for taking records out of rings (pop, stamp, store). The wake-up when the log
// service sleeps (one signal per batch) is not included.
#include <nx/log.h>
#include <nx/nx.h>
#include <nx/ring.h>
#include <nx/rpc.h>
#include <nx/services.h>
#include <nx/startup.h>

#define MS 1000000ull
#define BATCH 32     // records per round: well inside one ring (no drops)
#define ROUNDS 50
#define SETTLE_MS 200

static nx_handle_t sleeper;

static void sleep_ms(uint64_t ms)
{
    uint64_t bits;
    nx_notify_wait_bits(sleeper, (uint64_t)nx_clock_get() + ms * MS, &bits);
}

static const char text[] = "bench record 0123456789";

// Instructions per record of nx_log_push into a private ring (emptied between batches).
static uint64_t writer_cost(void)
{
    static uint64_t mem[(sizeof(struct nx_ring_shared) + NX_LOG_RING_SIZE) / 8];
    struct nx_ring r;
    char buf[NX_RING_RECORD_MAX];
    size_t len;
    uint64_t sum = 0;
    nx_ring_format(&r, mem, sizeof(mem));
    for (int round = 0; round < ROUNDS; round++) {
        uint64_t t0 = nx_rdinstret();
        for (int i = 0; i < BATCH; i++)
            nx_log_push(&r, NX_LOG_DEBUG, text, sizeof(text) - 1);
        sum += nx_rdinstret() - t0;
        while (nx_ring_pop(&r, buf, sizeof(buf), &len) == NX_OK)
            continue;
    }
    return sum / (ROUNDS * BATCH);
}

// The log service's instructions per record, over a batch of records written now.
static uint64_t service_cost(void)
{
    nx_handle_t log = nx_startup_handle("log");
    struct nx_log_stats a = { 0 }, b = { 0 };
    nx_rpc_call(log, NX_LOG_STATS, NULL, 0, &a, sizeof(a), NX_DEADLINE_NEVER);
    for (int round = 0; round < ROUNDS; round++) {
        for (int i = 0; i < BATCH; i++)
            nx_log_write(NX_LOG_DEBUG, text, sizeof(text) - 1);
        sleep_ms(1);
    }
    nx_rpc_call(log, NX_LOG_STATS, NULL, 0, &b, sizeof(b), NX_DEADLINE_NEVER);
    nx_printf("BENCH log_records_dropped %lu\n", (unsigned long)(b.dropped - a.dropped));
    return (b.take_instr - a.take_instr) / (b.records - a.records);
}

int main(void)
{
    sleeper = (nx_handle_t)nx_notification_create();
    sleep_ms(SETTLE_MS);
    nx_printf("BENCH idle_free_pages %ld\n", nx_system_info(NX_INFO_FREE_PAGES));
    nx_log_write(NX_LOG_DEBUG, text, sizeof(text) - 1);  // connects the ring
    uint64_t writer = writer_cost(), service = service_cost();
    nx_printf("BENCH log_record_instr %lu\n", (unsigned long)(writer + service));
    nx_printf("BENCH log_record_writer_instr %lu\n", (unsigned long)writer);
    nx_printf("BENCH log_record_service_instr %lu\n", (unsigned long)service);
    return (int)nx_rpc_call(nx_startup_handle("proc"), NX_PROC_POWEROFF, NULL, 0, NULL, 0,
                            NX_DEADLINE_NEVER);
}
