// Client side of the wall-clock service "rtc" (nx/time.h): one request, then the monotonic
// clock.
#include <stdatomic.h>
#include <nx/nx.h>
#include <nx/rpc.h>
#include <nx/services.h>
#include <nx/time.h>

// The service answers from its registers at once; more means nobody serves its endpoint
// (a machine without the RTC: the driver was never started).
#define CALL_TIMEOUT_NS 1000000000ull

static _Atomic nx_handle_t service;
static _Atomic uint64_t offset_ns;  // wall clock minus nx_clock_get; 0: not known yet

static long ask_service(uint64_t *offset)
{
    nx_handle_t rtc;
    struct nx_rtc_reading r;
    long err = nx_svc_find(NX_RTC_SERVICE, &service, &rtc);
    if (!err)
        err = nx_rpc_call(rtc, NX_RTC_READ, NULL, 0, &r, sizeof r,
                          (uint64_t)nx_clock_get() + CALL_TIMEOUT_NS);
    if (err)
        return err;
    if (!nx_wallclock_plausible(r.unix_ns) || r.clock_ns > r.unix_ns)
        return NX_ERR_IO;  // the service checks too; a reply must not make a clock run backwards
    *offset = r.unix_ns - r.clock_ns;
    return NX_OK;
}

long nx_wallclock_get(uint64_t *unix_ns)
{
    uint64_t off = atomic_load(&offset_ns);
    if (off == 0) {
        long err = ask_service(&off);
        if (err)
            return err;
        atomic_store(&offset_ns, off);
    }
    *unix_ns = off + (uint64_t)nx_clock_get();
    return NX_OK;
}
