// Calendar arithmetic for wall-clock time (nx/time.h): pure, host-tested against the host's
// gmtime.
#include <stdio.h>
#include <nx/time.h>

bool nx_wallclock_plausible(uint64_t unix_ns)
{
    uint64_t s = unix_ns / NX_NS_PER_S;
    return s >= NX_WALLCLOCK_MIN_S && s < NX_WALLCLOCK_MAX_S;
}

// Days since 1970-01-01 to a date: the civil-from-days algorithm over 400-year eras
// (146097 days each), counting years from March so February's length comes last.
static void date_from_days(uint64_t days, struct nx_utc *out)
{
    uint64_t z = days + 719468;                 // days since 0000-03-01
    uint64_t era = z / 146097;
    uint64_t doe = z - era * 146097;            // day of the era, 0..146096
    uint64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;  // 0..399
    uint64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);                // from March 1
    uint64_t mp = (5 * doy + 2) / 153;          // March = 0
    out->day = (uint8_t)(doy - (153 * mp + 2) / 5 + 1);
    out->month = (uint8_t)(mp < 10 ? mp + 3 : mp - 9);
    out->year = (int64_t)(yoe + era * 400 + (out->month <= 2));
    out->weekday = (uint8_t)((days + 4) % 7);   // 1970-01-01 was a Thursday
}

void nx_utc_from_unix(uint64_t unix_s, struct nx_utc *out)
{
    uint64_t secs = unix_s % 86400;
    date_from_days(unix_s / 86400, out);
    out->hour = (uint8_t)(secs / 3600);
    out->minute = (uint8_t)(secs / 60 % 60);
    out->second = (uint8_t)(secs % 60);
}

size_t nx_utc_iso8601(const struct nx_utc *t, char *buf, size_t size)
{
    int n = snprintf(buf, size, "%04lld-%02u-%02uT%02u:%02u:%02uZ", (long long)t->year, t->month,
                     t->day, t->hour, t->minute, t->second);
    if (n < 0 || (size_t)n >= size) {
        if (size)
            buf[0] = '\0';
        return 0;
    }
    return (size_t)n;
}
