// make bench, second boot (bench/run_bench.py): started by init after the default manifest's
// services. Reports the memory in use once the system is idle, then the instructions a log
// record costs through the ring: in the writer (nx_log_write), and in the log service (taking
// it out of the ring, stamping and storing it), then powers off through proc.
#include <nx/log.h>
#include <nx/nx.h>
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

// Instructions retired on the hart while this process sleeps for 2 ms: the log service's
// work, if records are pending, plus the cost of the sleep itself.
static uint64_t sleep_cost(void)
{
    uint64_t t0 = nx_rdinstret();
    sleep_ms(2);
    return nx_rdinstret() - t0;
}

int main(void)
{
    static const char text[] = "bench record 0123456789";
    sleeper = (nx_handle_t)nx_notification_create();
    sleep_ms(SETTLE_MS);
    nx_printf("BENCH idle_free_pages %ld\n", nx_system_info(NX_INFO_FREE_PAGES));
    nx_log_write(NX_LOG_DEBUG, text, sizeof(text) - 1);  // connects the ring
    sleep_cost();
    uint64_t idle = sleep_cost(), writer = 0, service = 0;
    for (int r = 0; r < ROUNDS; r++) {
        uint64_t t0 = nx_rdinstret();
        for (int i = 0; i < BATCH; i++)
            nx_log_write(NX_LOG_DEBUG, text, sizeof(text) - 1);
        writer += nx_rdinstret() - t0;
        service += sleep_cost() - idle;
    }
    struct nx_log_stats st = { 0 };
    nx_rpc_call(nx_startup_handle("log"), NX_LOG_STATS, NULL, 0, &st, sizeof(st),
                NX_DEADLINE_NEVER);
    nx_printf("BENCH log_record_writer_instr %lu\n", (unsigned long)(writer / (ROUNDS * BATCH)));
    nx_printf("BENCH log_record_service_instr %lu\n", (unsigned long)(service / (ROUNDS * BATCH)));
    nx_printf("BENCH log_records_dropped %lu\n", (unsigned long)st.dropped);
    return (int)nx_rpc_call(nx_startup_handle("proc"), NX_PROC_POWEROFF, NULL, 0, NULL, 0,
                            NX_DEADLINE_NEVER);
}
