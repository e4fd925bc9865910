// The settings store (user/lib/settings.c): every key's range at its limits and just past
// them, canonical forms, a damaged file loading its good lines (the bad ones reported with
// their numbers, their keys at the default), the bounds, and random round trips.
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <nexus/errors.h>
#include <nx/keymap.h>
#include <nx/settings.h>

#pragma GCC diagnostic ignored "-Wunused-parameter"  // cmocka's void **state

static long check(enum nx_setting key, const char *v, char *canon)
{
    char why[NX_SETTINGS_WHY_MAX];
    return nx_setting_check(key, v, strlen(v), canon, why, sizeof(why));
}

static void accepted(enum nx_setting key, const char *v, const char *canon)
{
    char out[NX_SETTING_VALUE_MAX + 1] = "";
    if (check(key, v, out) != NX_OK)
        fail_msg("%s=%s refused", nx_setting_name(key), v);
    assert_string_equal(out, canon);
}

static void refused(enum nx_setting key, const char *v)
{
    char out[NX_SETTING_VALUE_MAX + 1] = "untouched";
    char why[NX_SETTINGS_WHY_MAX] = "";
    if (nx_setting_check(key, v, strlen(v), out, why, sizeof(why)) != NX_ERR_INVALID)
        fail_msg("%s=%s accepted", nx_setting_name(key), v);
    assert_string_equal(out, "untouched");
    // The reason names the key and the range.
    assert_non_null(strstr(why, nx_setting_name(key)));
    assert_non_null(strstr(why, nx_setting_range(key)));
}

static void test_defaults_and_names(void **state)
{
    struct nx_settings s;
    nx_settings_defaults(&s);
    assert_string_equal(s.value[NX_SETTING_POWER_MODE], "balanced");
    assert_string_equal(s.value[NX_SETTING_THEME], "dark");
    assert_string_equal(s.value[NX_SETTING_KEYBOARD_LAYOUT], "us");
    assert_string_equal(s.value[NX_SETTING_LOCK_DELAY], "300");
    assert_string_equal(s.value[NX_SETTING_TIME_ZONE], "UTC");
    for (int k = 0; k < NX_SETTINGS_COUNT; k++) {
        const char *n = nx_setting_name((enum nx_setting)k);
        assert_int_equal(nx_setting_find(n, strlen(n)), k);
        char canon[NX_SETTING_VALUE_MAX + 1];
        assert_int_equal(check((enum nx_setting)k, s.value[k], canon), NX_OK);   // defaults valid
    }
    assert_int_equal(nx_setting_find("power_mod", 9), NX_ERR_NOT_FOUND);
    assert_int_equal(nx_setting_find("power_mode", 11), NX_ERR_NOT_FOUND);
    assert_int_equal(nx_setting_find("", 0), NX_ERR_NOT_FOUND);
    assert_null(nx_setting_name(NX_SETTINGS_COUNT));
    assert_null(nx_setting_range((enum nx_setting)-1));
    char out[8];
    assert_int_equal(nx_setting_check(NX_SETTINGS_COUNT, "x", 1, out, NULL, 0), NX_ERR_NOT_FOUND);
}

static void test_choices(void **state)
{
    accepted(NX_SETTING_POWER_MODE, "performance", "performance");
    accepted(NX_SETTING_POWER_MODE, "balanced", "balanced");
    accepted(NX_SETTING_POWER_MODE, "saver", "saver");
    refused(NX_SETTING_POWER_MODE, "turbo");
    refused(NX_SETTING_POWER_MODE, "Saver");
    refused(NX_SETTING_POWER_MODE, "save");
    refused(NX_SETTING_POWER_MODE, "savers");
    refused(NX_SETTING_POWER_MODE, "");
    accepted(NX_SETTING_THEME, "dark", "dark");
    accepted(NX_SETTING_THEME, "light", "light");
    refused(NX_SETTING_THEME, "dark ");
    accepted(NX_SETTING_KEYBOARD_LAYOUT, "de", "de");
    refused(NX_SETTING_KEYBOARD_LAYOUT, "fr");
    // Every layout offered is one the key maps have, and the index views agree.
    struct nx_settings s;
    nx_settings_defaults(&s);
    for (const char *l = "us\0de\0"; *l; l += strlen(l) + 1) {
        assert_non_null(nx_keymap_find(l));
        strcpy(s.value[NX_SETTING_KEYBOARD_LAYOUT], l);
        assert_true(nx_settings_choice(&s, NX_SETTING_KEYBOARD_LAYOUT) >= 0);
    }
    strcpy(s.value[NX_SETTING_POWER_MODE], "saver");
    assert_int_equal(nx_settings_choice(&s, NX_SETTING_POWER_MODE), 2);
    assert_int_equal(nx_settings_choice(&s, NX_SETTING_LOCK_DELAY), NX_ERR_INVALID);
}

static void test_lock_delay_limits(void **state)
{
    accepted(NX_SETTING_LOCK_DELAY, "0", "0");
    accepted(NX_SETTING_LOCK_DELAY, "30", "30");
    accepted(NX_SETTING_LOCK_DELAY, "3600", "3600");
    const char *bad[] = { "1", "5", "29", "3601", "9999", "10000", "-1", "+30", "030", "00",
                          "", " ", "30s", "3e2", "0x1e", "99999999999999999999999" };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        refused(NX_SETTING_LOCK_DELAY, bad[i]);
    struct nx_settings s;
    nx_settings_defaults(&s);
    assert_int_equal(nx_settings_lock_delay_s(&s), 300);
    strcpy(s.value[NX_SETTING_LOCK_DELAY], "3600");
    assert_int_equal(nx_settings_lock_delay_s(&s), 3600);
}

static void test_time_zones(void **state)
{
    accepted(NX_SETTING_TIME_ZONE, "UTC", "UTC");
    accepted(NX_SETTING_TIME_ZONE, "UTC+0", "UTC");
    accepted(NX_SETTING_TIME_ZONE, "UTC-00:00", "UTC");
    accepted(NX_SETTING_TIME_ZONE, "UTC+1", "UTC+01:00");
    accepted(NX_SETTING_TIME_ZONE, "UTC+01", "UTC+01:00");
    accepted(NX_SETTING_TIME_ZONE, "UTC+5:30", "UTC+05:30");
    accepted(NX_SETTING_TIME_ZONE, "UTC+05:45", "UTC+05:45");
    accepted(NX_SETTING_TIME_ZONE, "UTC-3:30", "UTC-03:30");
    accepted(NX_SETTING_TIME_ZONE, "UTC+14", "UTC+14:00");
    accepted(NX_SETTING_TIME_ZONE, "UTC-12:00", "UTC-12:00");
    const char *bad[] = { "utc", "GMT", "UTC+", "UTC+14:15", "UTC-12:15", "UTC+15", "UTC-13",
                          "UTC+5:20", "UTC+5:3", "UTC+5:300", "UTC+005", "UTC+1:60",
                          "UTC++1", "UTC+1:", "UTC 1", "Europe/Berlin", "UTC+1:30x", "" };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        refused(NX_SETTING_TIME_ZONE, bad[i]);
    struct nx_settings s;
    nx_settings_defaults(&s);
    strcpy(s.value[NX_SETTING_TIME_ZONE], "UTC-03:30");
    assert_int_equal(nx_settings_tz_offset_min(&s), -210);
    strcpy(s.value[NX_SETTING_TIME_ZONE], "UTC+14:00");
    assert_int_equal(nx_settings_tz_offset_min(&s), 840);
}

// A value too long, or not text, is refused without being quoted back.
static void test_values_not_text(void **state)
{
    char out[NX_SETTING_VALUE_MAX + 1], why[NX_SETTINGS_WHY_MAX];
    char longv[100000];
    memset(longv, 'a', sizeof(longv));
    assert_int_equal(nx_setting_check(NX_SETTING_THEME, longv, sizeof(longv), out, why, sizeof(why)),
                     NX_ERR_INVALID);
    assert_null(strstr(why, "aaaa"));
    assert_int_equal(nx_setting_check(NX_SETTING_THEME, "da\033[2Jrk", 9, out, why, sizeof(why)),
                     NX_ERR_INVALID);
    assert_null(strchr(why, '\033'));
    assert_int_equal(nx_setting_check(NX_SETTING_THEME, "dark\0", 5, out, why, sizeof(why)),
                     NX_ERR_INVALID);
    // No room for a reason: still refused, nothing written.
    assert_int_equal(nx_setting_check(NX_SETTING_THEME, "x", 1, out, NULL, 0), NX_ERR_INVALID);
}

struct reports {
    unsigned n, line[16];
    char why[16][NX_SETTINGS_WHY_MAX + 48];
};

static void report(void *ctx, unsigned line, const char *why)
{
    struct reports *r = ctx;
    if (r->n < 16) {
        r->line[r->n] = line;
        snprintf(r->why[r->n], sizeof(r->why[0]), "%s", why);
    }
    r->n++;
}

static unsigned parse(const char *text, size_t len, struct nx_settings *s, struct reports *r)
{
    memset(r, 0, sizeof(*r));
    nx_settings_defaults(s);
    unsigned n = nx_settings_parse(text, len, s, report, r);
    assert_int_equal(n, r->n);
    return n;
}

static void test_damaged_file_keeps_good_lines(void **state)
{
    static const char text[] =
        "# settings\n"
        "power_mode=saver\n"          // 2: good
        "theme=purple\n"              // 3: out of range
        "colour=red\n"                // 4: unknown key
        "  keyboard_layout = de  \r\n" // 5: good, blanks around
        "lock_delay_s=5\n"            // 6: out of range
        "power_mode=performance\n"    // 7: a duplicate
        "garbage\n"                   // 8: no '='
        "\n"
        "time_zone=UTC+2";            // 10: good, no newline
    struct nx_settings s;
    struct reports r;
    assert_int_equal(parse(text, strlen(text), &s, &r), 5);
    assert_string_equal(s.value[NX_SETTING_POWER_MODE], "saver");
    assert_string_equal(s.value[NX_SETTING_THEME], "dark");         // default
    assert_string_equal(s.value[NX_SETTING_KEYBOARD_LAYOUT], "de");
    assert_string_equal(s.value[NX_SETTING_LOCK_DELAY], "300");     // default
    assert_string_equal(s.value[NX_SETTING_TIME_ZONE], "UTC+02:00");
    unsigned lines[] = { 3, 4, 6, 7, 8 };
    for (int i = 0; i < 5; i++)
        assert_int_equal(r.line[i], lines[i]);
    assert_non_null(strstr(r.why[0], "theme: 'purple' is not light or dark"));
    assert_non_null(strstr(r.why[1], "unknown key 'colour'"));
    assert_non_null(strstr(r.why[2], "lock_delay_s: '5'"));
    assert_non_null(strstr(r.why[3], "given twice"));
    assert_non_null(strstr(r.why[4], "not key=value"));
    // No report callback: the same result.
    struct nx_settings t;
    nx_settings_defaults(&t);
    assert_int_equal(nx_settings_parse(text, strlen(text), &t, NULL, NULL), 5);
    assert_memory_equal(&s, &t, sizeof(s));
}

static void test_limits(void **state)
{
    struct nx_settings s;
    struct reports r;
    char text[NX_SETTINGS_FILE_MAX * 3];
    // A line of 127 bytes is read, one of 128 is skipped whole.
    int n = snprintf(text, sizeof(text), "theme=%*s\n", NX_SETTINGS_LINE_MAX - 6, "light");
    assert_int_equal(n, NX_SETTINGS_LINE_MAX + 1);
    assert_int_equal(parse(text, (size_t)n, &s, &r), 0);
    assert_string_equal(s.value[NX_SETTING_THEME], "light");
    n = snprintf(text, sizeof(text), "theme=%*s\npower_mode=saver\n", NX_SETTINGS_LINE_MAX - 5,
                 "light");
    assert_int_equal(parse(text, (size_t)n, &s, &r), 1);
    assert_int_equal(r.line[0], 1);
    assert_string_equal(s.value[NX_SETTING_THEME], "dark");
    assert_string_equal(s.value[NX_SETTING_POWER_MODE], "saver");
    // A file past 4096 bytes: its lines up to there count, the rest is reported once.
    size_t len = 0;
    len += (size_t)sprintf(text, "theme=light\n");
    while (len < NX_SETTINGS_FILE_MAX - 20)
        len += (size_t)sprintf(text + len, "# padding\n");
    len += (size_t)sprintf(text + len, "power_mode=performance\n");   // crosses 4096
    while (len < sizeof(text) - 20)
        len += (size_t)sprintf(text + len, "colour=red\n");
    assert_int_equal(parse(text, len, &s, &r), 1);
    assert_int_equal(r.line[0], 0);
    assert_string_equal(s.value[NX_SETTING_THEME], "light");
    assert_string_equal(s.value[NX_SETTING_POWER_MODE], "balanced");   // cut off, not "perf"
    // A NUL inside a line, and a file of NULs.
    static const char nul[] = "theme=light\0x\npower_mode=saver\n";
    assert_int_equal(parse(nul, sizeof(nul) - 1, &s, &r), 1);
    assert_string_equal(s.value[NX_SETTING_THEME], "dark");
    assert_string_equal(s.value[NX_SETTING_POWER_MODE], "saver");
    memset(text, 0, sizeof(text));
    assert_true(parse(text, sizeof(text), &s, &r) >= 1);
    // Empty input: defaults, no problem.
    assert_int_equal(parse("", 0, &s, &r), 0);
    // An unknown key that is not a plain name is not quoted.
    assert_int_equal(parse("\033[31m=1\n", 8, &s, &r), 1);
    assert_null(strchr(r.why[0], '\033'));
}

static void test_format_round_trip(void **state)
{
    static const char *const values[NX_SETTINGS_COUNT][4] = {
        { "performance", "balanced", "saver", "saver" },
        { "light", "dark", "dark", "light" },
        { "us", "de", "de", "us" },
        { "0", "30", "3600", "1234" },
        { "UTC", "UTC+5:45", "UTC-12", "UTC+14:00" },
    };
    srand(7);
    for (int round = 0; round < 1000; round++) {
        struct nx_settings s, back;
        struct reports r;
        nx_settings_defaults(&s);
        for (int k = 0; k < NX_SETTINGS_COUNT; k++)
            assert_int_equal(check((enum nx_setting)k, values[k][rand() % 4], s.value[k]), NX_OK);
        char text[NX_SETTINGS_FILE_MAX];
        long len = nx_settings_format(&s, text, sizeof(text));
        assert_true(len > 0 && len < NX_SETTINGS_FILE_MAX);
        assert_int_equal(parse(text, (size_t)len, &back, &r), 0);
        assert_memory_equal(&s, &back, sizeof(s));
    }
    struct nx_settings s;
    nx_settings_defaults(&s);
    char small[20];
    assert_int_equal(nx_settings_format(&s, small, sizeof(small)), NX_ERR_TOO_BIG);
    char text[NX_SETTINGS_FILE_MAX];
    long len = nx_settings_format(&s, text, sizeof(text));
    assert_int_equal(nx_settings_format(&s, text, (size_t)len), NX_ERR_TOO_BIG);
    assert_int_equal(nx_settings_format(&s, text, (size_t)len + 1), len);
}

// What the programs that apply settings read: the keys a change touched, the theme, and the
// local time of each zone at its limits (never before 1970).
static void test_views_for_appliers(void **state)
{
    struct nx_settings a, b;
    nx_settings_defaults(&a);
    b = a;
    assert_int_equal(nx_settings_changed(&a, &b), 0);
    assert_true(nx_settings_dark(&a));
    char canon[NX_SETTING_VALUE_MAX + 1];
    assert_int_equal(check(NX_SETTING_THEME, "light", canon), NX_OK);
    strcpy(b.value[NX_SETTING_THEME], canon);
    assert_false(nx_settings_dark(&b));
    assert_int_equal(check(NX_SETTING_TIME_ZONE, "UTC+2", canon), NX_OK);
    strcpy(b.value[NX_SETTING_TIME_ZONE], canon);
    assert_int_equal(nx_settings_changed(&a, &b),
                     1u << NX_SETTING_THEME | 1u << NX_SETTING_TIME_ZONE);
    assert_int_equal(nx_settings_changed(&b, &a), nx_settings_changed(&a, &b));
    assert_int_equal(nx_settings_local_s(&a, 1000), 1000);
    assert_int_equal(nx_settings_local_s(&b, 1000), 1000 + 2 * 3600);
    static const struct { const char *zone; int64_t off_s; } zones[] = {
        { "UTC+14:00", 14 * 3600 }, { "UTC-12:00", -12 * 3600 }, { "UTC+5:45", 5 * 3600 + 2700 },
        { "UTC-0:15", -900 },
    };
    for (size_t i = 0; i < sizeof(zones) / sizeof(zones[0]); i++) {
        assert_int_equal(check(NX_SETTING_TIME_ZONE, zones[i].zone, canon), NX_OK);
        strcpy(b.value[NX_SETTING_TIME_ZONE], canon);
        uint64_t t = 1700000000;
        assert_int_equal(nx_settings_local_s(&b, t), (uint64_t)((int64_t)t + zones[i].off_s));
        uint64_t early = nx_settings_local_s(&b, 60);   // west of UTC just after the epoch
        assert_int_equal(early, zones[i].off_s < -60 ? 0 : (uint64_t)(60 + zones[i].off_s));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults_and_names),
        cmocka_unit_test(test_choices),
        cmocka_unit_test(test_lock_delay_limits),
        cmocka_unit_test(test_time_zones),
        cmocka_unit_test(test_values_not_text),
        cmocka_unit_test(test_damaged_file_keeps_good_lines),
        cmocka_unit_test(test_limits),
        cmocka_unit_test(test_format_round_trip),
        cmocka_unit_test(test_views_for_appliers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
