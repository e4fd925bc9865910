// Wall-clock calendar arithmetic (nx/time.h): the plausible range at its edges, dates broken
// down as the host's gmtime_r does them (every day of 1970-2400 and random seconds up to the
// year 292 billion), and ISO 8601 text with buffers of every size.
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <nx/time.h>

#pragma GCC diagnostic ignored "-Wunused-parameter"  // cmocka's void **state

#define NS NX_NS_PER_S

static void plausible_range_edges(void **state)
{
    assert_false(nx_wallclock_plausible(0));
    assert_false(nx_wallclock_plausible(NX_WALLCLOCK_MIN_S * NS - 1));
    assert_true(nx_wallclock_plausible(NX_WALLCLOCK_MIN_S * NS));
    assert_true(nx_wallclock_plausible(1778925600ull * NS));  // 2026-05-16
    assert_true(nx_wallclock_plausible(NX_WALLCLOCK_MAX_S * NS - 1));
    assert_false(nx_wallclock_plausible(NX_WALLCLOCK_MAX_S * NS));
    assert_false(nx_wallclock_plausible(UINT64_MAX));
    // The constants are the dates they claim.
    struct nx_utc t;
    nx_utc_from_unix(NX_WALLCLOCK_MIN_S, &t);
    assert_true(t.year == 2020 && t.month == 1 && t.day == 1 && t.hour == 0 && t.second == 0);
    nx_utc_from_unix(NX_WALLCLOCK_MAX_S, &t);
    assert_true(t.year == 2200 && t.month == 1 && t.day == 1 && t.hour == 0 && t.second == 0);
}

static void check_against_gmtime(uint64_t s)
{
    time_t tt = (time_t)s;
    struct tm want;
    assert_non_null(gmtime_r(&tt, &want));
    struct nx_utc got;
    nx_utc_from_unix(s, &got);
    assert_int_equal(got.year, (int64_t)want.tm_year + 1900);
    assert_int_equal(got.month, want.tm_mon + 1);
    assert_int_equal(got.day, want.tm_mday);
    assert_int_equal(got.hour, want.tm_hour);
    assert_int_equal(got.minute, want.tm_min);
    assert_int_equal(got.second, want.tm_sec);
    assert_int_equal(got.weekday, want.tm_wday);
}

static void dates_match_gmtime(void **state)
{
    for (uint64_t day = 0; day < 157000; day++)  // 1970 .. 2399, leap days and centuries
        check_against_gmtime(day * 86400 + (day * 7919) % 86400);
    check_against_gmtime(951782400);   // 2000-02-29
    check_against_gmtime(4107542400);  // 2100-03-01 (2100 is no leap year)
    check_against_gmtime(UINT32_MAX);  // 2106-02-07 06:28:15: ext2's last second
    srandom(13);
    for (int i = 0; i < 200000; i++) {
        // gmtime_r's year is an int: up to 2^55 s (year ~1.1 billion) it fits.
        uint64_t s = ((uint64_t)random() << 31 | (uint64_t)random()) >> (7 + random() % 24);
        check_against_gmtime(s);
    }
}

static void the_end_of_time(void **state)
{
    struct nx_utc t;
    nx_utc_from_unix(UINT64_MAX, &t);  // beyond gmtime_r: no overflow, a date in range
    assert_true(t.year > 584000000000ll);
    assert_true(t.month >= 1 && t.month <= 12 && t.day >= 1 && t.day <= 31);
    assert_true(t.hour < 24 && t.minute < 60 && t.second < 60 && t.weekday < 7);
    char buf[64];
    assert_true(nx_utc_iso8601(&t, buf, sizeof buf) > NX_UTC_ISO8601_LEN);
}

static void iso8601_text(void **state)
{
    struct nx_utc t;
    char buf[NX_UTC_ISO8601_LEN + 1];
    nx_utc_from_unix(1936778400, &t);  // -rtc base=2031-05-17T10:00:00 in the QEMU case
    assert_int_equal(nx_utc_iso8601(&t, buf, sizeof buf), NX_UTC_ISO8601_LEN);
    assert_string_equal(buf, "2031-05-17T10:00:00Z");
    nx_utc_from_unix(0, &t);
    assert_int_equal(nx_utc_iso8601(&t, buf, sizeof buf), NX_UTC_ISO8601_LEN);
    assert_string_equal(buf, "1970-01-01T00:00:00Z");
    assert_int_equal(t.weekday, 4);
    for (size_t size = 0; size <= NX_UTC_ISO8601_LEN; size++) {
        char *small = malloc(size ? size : 1);  // exactly sized: ASan sees a write past it
        assert_int_equal(nx_utc_iso8601(&t, small, size), 0);
        if (size)
            assert_string_equal(small, "");
        free(small);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(plausible_range_edges),
        cmocka_unit_test(dates_match_gmtime),
        cmocka_unit_test(the_end_of_time),
        cmocka_unit_test(iso8601_text),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
