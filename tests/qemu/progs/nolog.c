// No ambient authority. Started by init with grant=svcmgr,mmio:uart,irq:10 and no log: it
// holds exactly the handles granted (and its own process handle), the policy refuses it the
// log service (and logs the denial), and none of the handles in its table, whatever value it
// tries, reaches the log.
#include <string.h>
#include <nx/log.h>
#include <nx/nx.h>
#include <nx/rpc.h>
#include <nx/services.h>
#include <nx/startup.h>

#define SLOTS 256
#define GENERATIONS 16

static int failures;

static void expect(const char *what, long got, long want)
{
    nx_printf("nolog: %s -> %ld %s\n", what, got, got == want ? "ok" : "WRONG");
    failures += got != want;
}

static long type_of(const char *name)
{
    long info = nx_handle_info(nx_startup_handle(name));
    return info < 0 ? info : info & 0xff;
}

static void granted(int argc, char **argv)
{
    expect("arguments from the manifest", argc == 3 && !strcmp(argv[2], "two"), 1);
    expect("named handles", (long)nx_startup_handle_count(), 5);
    expect("serve is an endpoint", type_of("serve"), NX_OBJ_ENDPOINT);
    expect("svcmgr is an endpoint", type_of("svcmgr"), NX_OBJ_ENDPOINT);
    expect("mmio:uart is a VMO", type_of("mmio:uart"), NX_OBJ_VMO);
    expect("irq:10 is an IRQ", type_of("irq:10"), NX_OBJ_IRQ);
    expect("irq:10:notif is a notification", type_of("irq:10:notif"), NX_OBJ_NOTIFICATION);
    expect("no log handle", nx_startup_handle("log"), NX_HANDLE_INVALID);
}

// Every valid handle value in the table (each slot, the first generations): how many there
// are, and how many answer a log request.
static void probe_table(void)
{
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
    expect("handles in the table: the granted ones and its own process", handles, 6);
    expect("handles that reach the log", reached, 0);
}

int main(int argc, char **argv)
{
    nx_handle_t h;
    granted(argc, argv);
    expect("lookup of log", nx_svc_lookup("log", &h), NX_ERR_ACCESS);
    probe_table();
    nx_printf("nolog: %d failures\n", failures);
    return failures != 0;
}
