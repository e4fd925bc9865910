#pragma once
// Wall-clock time (docs/userspace.md, "Wall-clock time"): the service "rtc", the goldfish RTC
// driver, reads the real-time clock QEMU's virt board has; a client asks it once and adds the
// monotonic clock (nx_clock_get) from then on. Its one operation follows nx/rpc.h:
//
//   NX_RTC_READ  no bytes. Reply: struct nx_rtc_reading. Errors: NX_ERR_INVALID (a request
//                with bytes), NX_ERR_IO (the clock reads outside [2020, 2200): not set, or
//                broken).
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NX_RTC_SERVICE "rtc"

enum {
    NX_RTC_READ = 0x54000001,
};

struct nx_rtc_reading {
    uint64_t unix_ns;   // the RTC: ns since 1970-01-01 00:00:00 UTC
    uint64_t clock_ns;  // nx_clock_get() right after the read
};

// The times the clock may plausibly show: 2020-01-01 00:00:00 UTC up to (not including)
// 2200-01-01. Anything else is an unset or broken clock.
#define NX_WALLCLOCK_MIN_S 1577836800ull
#define NX_WALLCLOCK_MAX_S 7258118400ull
#define NX_NS_PER_S 1000000000ull
bool nx_wallclock_plausible(uint64_t unix_ns);

// The wall-clock time now, ns since the Unix epoch (UTC). The first call asks the service
// (the handle "rtc" if init granted one, else svcmgr's lookup) and keeps the offset from the
// monotonic clock; later calls make no request. NX_OK; NX_ERR_TIMED_OUT when the service does
// not answer within 1 s; the service's errors (NX_ERR_IO) or the lookup's (NX_ERR_NOT_FOUND,
// NX_ERR_ACCESS). A failed first call is retried by the next.
long nx_wallclock_get(uint64_t *unix_ns);

// A time broken down in UTC (proleptic Gregorian calendar, no leap seconds).
struct nx_utc {
    int64_t year;       // every uint64_t second has its year
    uint8_t month;      // 1..12
    uint8_t day;        // 1..31
    uint8_t hour, minute, second;
    uint8_t weekday;    // 0 = Sunday
};

void nx_utc_from_unix(uint64_t unix_s, struct nx_utc *out);
// ISO 8601, "2031-05-17T10:00:00Z": NX_UTC_ISO8601_LEN characters and a NUL for the years
// 0..9999 (more digits past them). Returns the length, or 0 (and "" if size > 0) when size is
// too small.
#define NX_UTC_ISO8601_LEN 20
size_t nx_utc_iso8601(const struct nx_utc *t, char *buf, size_t size);
