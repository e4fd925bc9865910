// No ambient authority: a process granted only svcmgr asks for the log service (policy
// denies it, and logs the denial), then tries every handle in its table on the log's
// operations: none of them reaches the log.
#include <nx/log.h>
#include <nx/nx.h>
#include <nx/rpc.h>
#include <nx/services.h>

#define SLOTS 256
#define GENERATIONS 16

int main(void)
{
    nx_handle_t h;
    long err = nx_svc_lookup("log", &h);
    nx_printf("nolog: lookup of log -> %ld %s\n", err, err == NX_ERR_ACCESS ? "ok" : "WRONG");
    int handles = 0, reached = 0;
    for (uint32_t gen = 0; gen < GENERATIONS; gen++)
        for (uint32_t slot = 1; slot <= SLOTS; slot++) {
            nx_handle_t v = gen << 12 | slot;
            if (nx_handle_info(v) < 0)
                continue;
            struct nx_log_stats s;
            handles++;
            reached += nx_rpc_call(v, NX_LOG_STATS, NULL, 0, &s, sizeof(s),
                                   (uint64_t)nx_clock_get() + 10000000) == NX_OK;
        }
    nx_printf("nolog: %d of its %d handles reach the log %s\n", reached, handles,
              reached == 0 && handles > 0 ? "ok" : "WRONG");
    return 0;
}
