// The goldfish RTC driver (service "rtc", docs/userspace.md "Wall-clock time"): QEMU virt's
// real-time clock (compatible "google,goldfish-rtc", one page at 0x101000), mapped read-only
// from the grant mmio:rtc. It answers NX_RTC_READ (nx/time.h) from the registers; it needs no
// interrupt and no timer: the clock counts by itself, and the driver sleeps until asked.
#include <string.h>
#include <nx/log.h>
#include <nx/nx.h>
#include <nx/rpc.h>
#include <nx/startup.h>
#include <nx/time.h>

#define GRANT_MMIO "mmio:rtc"  // physical VMO over the registers
#define GRANT_SERVE "serve"

// The registers (QEMU hw/rtc/goldfish_rtc.c): ns since the Unix epoch, 64 bits in two words.
// Reading TIME_LOW latches the high half, so TIME_HIGH must be read after it.
#define RTC_TIME_LOW 0x00
#define RTC_TIME_HIGH 0x04

static volatile uint32_t *regs;

static uint64_t read_time(void)
{
    uint32_t low = regs[RTC_TIME_LOW / 4];
    uint32_t high = regs[RTC_TIME_HIGH / 4];
    return (uint64_t)high << 32 | low;
}

static long read_clock(void *ctx, struct nx_rpc_req *req)
{
    (void)ctx;
    struct nx_rtc_reading r = { read_time(), (uint64_t)nx_clock_get() };
    if (!nx_wallclock_plausible(r.unix_ns))
        return NX_ERR_IO;
    memcpy(req->reply, &r, sizeof r);
    req->reply_len = sizeof r;
    return NX_OK;
}

static void log_time(void)
{
    uint64_t ns = read_time();
    struct nx_utc t;
    char iso[NX_UTC_ISO8601_LEN + 8];
    nx_utc_from_unix(ns / NX_NS_PER_S, &t);
    nx_utc_iso8601(&t, iso, sizeof iso);
    if (nx_wallclock_plausible(ns))
        nx_log(NX_LOG_INFO, "wall clock %s", iso);
    else  // requests fail with NX_ERR_IO; clients fall back to their own rules
        nx_log(NX_LOG_WARN, "the clock reads %s (%llu ns), not between 2020 and 2200: not set",
               iso, (unsigned long long)ns);
}

int main(void)
{
    nx_handle_t serve = nx_startup_handle(GRANT_SERVE);
    nx_handle_t mmio = nx_startup_handle(GRANT_MMIO);
    if (!serve || !mmio) {
        nx_log(NX_LOG_ERROR, "not granted " GRANT_MMIO " and " GRANT_SERVE);
        return 1;
    }
    long va = nx_vm_map(nx_self, mmio, 0, 0, 4096, NX_PROT_READ);
    if (va < 0) {
        nx_log(NX_LOG_ERROR, "cannot map the registers (%ld)", va);
        return 1;
    }
    regs = (volatile uint32_t *)va;
    log_time();
    static const struct nx_rpc_op ops[] = {
        { NX_RTC_READ, 0, 0, read_clock },
    };
    static const struct nx_rpc_server server = { ops, 1, NULL, NULL };
    nx_rpc_serve(serve, &server);
    return 0;
}
