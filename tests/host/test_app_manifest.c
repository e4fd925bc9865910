// App manifests (user/lib/app_manifest.c, nx/app.h): a good manifest read whole; every rule
// broken refused with its line and nothing kept; each bound accepted at the limit and
// refused one past it.
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include <glob.h>
#include <nexus/errors.h>
#include <nx/app.h>

#pragma GCC diagnostic ignored "-Wunused-parameter"  // cmocka's void **state

#define GOOD "name Terminal\nicon >_\nprogram terminal\npages 6144\n"

static struct nx_app app;
static struct nx_app_error err;

static long parse(const char *text)
{
    return nx_app_parse(text, strlen(text), &app, &err);
}

// text refused with code at line; the app left cleared.
static void refused(const char *text, long code, unsigned line)
{
    static const struct nx_app cleared;
    long e = parse(text);
    if (e != code || err.line != line)
        fail_msg("\"%s\": %ld at line %u (%s), want %ld at line %u", text, e, err.line, err.why,
                 code, line);
    assert_true(err.why[0] != '\0');
    assert_memory_equal(&app, &cleared, sizeof app);
}

static void test_terminal_read_whole(void **state)
{
    assert_int_equal(parse("# The Terminal\n\n" GOOD "caps log svcmgr dir:/ cwd dir:/boot"), NX_OK);
    assert_string_equal(app.name, "Terminal");
    assert_string_equal(app.icon, ">_");
    assert_string_equal(app.program, "terminal");
    assert_int_equal(app.pages, 6144);
    assert_int_equal(app.ncaps, 5);
    assert_string_equal(app.caps[2], "dir:/");
    assert_string_equal(app.caps[4], "dir:/boot");
    assert_true(nx_app_wants(&app, "cwd"));
    assert_false(nx_app_wants(&app, "dir:"));
    assert_false(nx_app_wants(&app, "net"));
}

static void test_fields_in_any_order_caps_optional(void **state)
{
    assert_int_equal(parse("pages 16\nprogram a\nicon \xf0\x9f\x96\xa5\nname Caf\xc3\xa9\n"), NX_OK);
    assert_int_equal(app.ncaps, 0);
    assert_string_equal(app.icon, "\xf0\x9f\x96\xa5");
    assert_string_equal(app.name, "Caf\xc3\xa9");
}

static void test_missing_fields_refused(void **state)
{
    refused("", NX_ERR_INVALID, 0);
    refused("icon x\nprogram a\npages 16\n", NX_ERR_INVALID, 0);
    refused("name A\nprogram a\npages 16\n", NX_ERR_INVALID, 0);
    refused("name A\nicon x\npages 16\n", NX_ERR_INVALID, 0);
    refused("name A\nicon x\nprogram a\n", NX_ERR_INVALID, 0);
    assert_string_equal(err.why, "no pages");
}

static void test_malformed_lines_refused_with_their_line(void **state)
{
    refused(GOOD "bogus value\n", NX_ERR_INVALID, 5);
    refused(GOOD "caps\n", NX_ERR_INVALID, 5);
    refused(GOOD "caps \n", NX_ERR_INVALID, 5);
    refused(GOOD "caps  log\n", NX_ERR_INVALID, 5);
    refused(GOOD "caps log \n", NX_ERR_INVALID, 5);
    refused(GOOD " caps log\n", NX_ERR_INVALID, 5);
    refused("name A\r\nicon x\nprogram a\npages 16\n", NX_ERR_INVALID, 1);
    refused("name A\nicon\tx\nprogram a\npages 16\n", NX_ERR_INVALID, 2);
    refused(GOOD "name B\n", NX_ERR_INVALID, 5);
    refused(GOOD "caps a\ncaps b\n", NX_ERR_INVALID, 6);
    refused(GOOD "caps log log\n", NX_ERR_INVALID, 5);
    refused(GOOD "caps Log\n", NX_ERR_INVALID, 5);
    refused(GOOD "caps a b  c\n", NX_ERR_INVALID, 5);
    refused("name A\nicon x\nprogram Terminal\npages 16\n", NX_ERR_INVALID, 3);
    refused("name A\nicon x\nprogram ../nsh\npages 16\n", NX_ERR_INVALID, 3);
    refused("name \x7f\nicon x\nprogram a\npages 16\n", NX_ERR_INVALID, 1);
}

static void test_a_nul_refused(void **state)
{
    static const char text[] = "name A\nicon x\0y\nprogram a\npages 16\n";
    assert_int_equal(nx_app_parse(text, sizeof text - 1, &app, &err), NX_ERR_INVALID);
    assert_int_equal(err.line, 2);
}

static void test_bad_utf8_refused(void **state)
{
    static const char *const bad[] = {
        "\x80", "\xc0\xaf", "\xc1\xbf", "\xc3", "\xe0\x80\xaf", "\xed\xa0\x80", "\xf0\x80\x80\xaf",
        "\xf4\x90\x80\x80", "\xf5\x80\x80\x80", "\xff", "\xc2\x85", "a\xe2\x82",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char text[128];
        snprintf(text, sizeof text, "name %s\nicon x\nprogram a\npages 16\n", bad[i]);
        refused(text, NX_ERR_INVALID, 1);
        snprintf(text, sizeof text, "name A\nicon %s\nprogram a\npages 16\n", bad[i]);
        refused(text, NX_ERR_INVALID, 2);
    }
    assert_int_equal(parse("name \xef\xbf\xbd\xf4\x8f\xbf\xbf\nicon x\nprogram a\npages 16\n"),
                     NX_OK);
}

static void test_pages_bounds(void **state)
{
    char text[128];
    static const struct { const char *v; long code; } cases[] = {
        { "16", NX_OK }, { "16384", NX_OK }, { "15", NX_ERR_TOO_BIG }, { "16385", NX_ERR_TOO_BIG },
        { "0", NX_ERR_INVALID }, { "016", NX_ERR_INVALID }, { "-16", NX_ERR_INVALID },
        { "1e3", NX_ERR_INVALID }, { "99999999999999999999999999", NX_ERR_TOO_BIG },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        snprintf(text, sizeof text, "name A\nicon x\nprogram a\npages %s\n", cases[i].v);
        if (cases[i].code)
            refused(text, cases[i].code, 4);
        else
            assert_int_equal(parse(text), NX_OK);
    }
}

// field's value of n bytes of c: accepted at max, refused (TOO_BIG) at max + 1.
static void check_bound(const char *field, char c, size_t max, unsigned line)
{
    char value[NX_APP_LINE_MAX], text[NX_APP_FILE_MAX];
    for (size_t n = max; n <= max + 1; n++) {
        memset(value, c, n);
        value[n] = '\0';
        snprintf(text, sizeof text, "%s%s %s\n", GOOD, field, value);
        // The field replaces GOOD's own: GOOD's line of it is turned into a comment.
        char *own = strstr(text, field);
        if (own < text + strlen(GOOD))
            own[0] = '#';
        if (n == max)
            assert_int_equal(parse(text), NX_OK);
        else
            refused(text, NX_ERR_TOO_BIG, line);
    }
}

static void test_field_bounds(void **state)
{
    check_bound("name", 'N', NX_APP_NAME_MAX, 5);
    check_bound("icon", 'I', NX_APP_ICON_MAX, 5);
    check_bound("program", 'p', NX_APP_PROGRAM_MAX, 5);
    check_bound("caps", 'c', NX_APP_CAP_MAX, 5);
}

static void test_caps_bound(void **state)
{
    char text[NX_APP_FILE_MAX] = GOOD "caps";
    for (int i = 0; i < NX_APP_CAPS_MAX; i++)
        snprintf(text + strlen(text), sizeof text - strlen(text), " c%d", i);
    assert_int_equal(parse(text), NX_OK);
    assert_int_equal(app.ncaps, NX_APP_CAPS_MAX);
    strcat(text, " one-more");
    refused(text, NX_ERR_TOO_BIG, 5);
}

static void test_line_and_file_bounds(void **state)
{
    char text[NX_APP_FILE_MAX + 2];
    // A comment of exactly NX_APP_LINE_MAX bytes, then one byte more.
    memset(text, '#', NX_APP_LINE_MAX);
    snprintf(text + NX_APP_LINE_MAX, sizeof text - NX_APP_LINE_MAX, "\n%s", GOOD);
    assert_int_equal(parse(text), NX_OK);
    memset(text, '#', NX_APP_LINE_MAX + 1);
    snprintf(text + NX_APP_LINE_MAX + 1, sizeof text - NX_APP_LINE_MAX - 1, "\n%s", GOOD);
    refused(text, NX_ERR_TOO_BIG, 1);
    // A file of exactly NX_APP_FILE_MAX bytes (padded with empty lines), then one more.
    size_t good = strlen(GOOD);
    memcpy(text, GOOD, good);
    memset(text + good, '\n', NX_APP_FILE_MAX - good);
    assert_int_equal(nx_app_parse(text, NX_APP_FILE_MAX, &app, &err), NX_OK);
    text[NX_APP_FILE_MAX] = '\n';
    assert_int_equal(nx_app_parse(text, NX_APP_FILE_MAX + 1, &app, &err), NX_ERR_TOO_BIG);
    assert_int_equal(err.line, 0);
}

static void test_manifest_file_names(void **state)
{
    assert_true(nx_app_is_manifest("terminal.app"));
    assert_true(nx_app_is_manifest("a.app"));
    assert_false(nx_app_is_manifest(".app"));
    assert_false(nx_app_is_manifest("terminal"));
    assert_false(nx_app_is_manifest("terminal.app.bak"));
    assert_false(nx_app_is_manifest("app"));
}

// Every app and session manifest the boot archives carry parses (run from the tree's root,
// as make host-test does): a broken one would only show as a line in the log at run time.
static void test_installed_manifests_parse(void **state)
{
    static const char *const patterns[] = { "user/apps/*/*.app", "user/apps/*/*.session",
                                            "tests/qemu/apps/*.app", "tests/qemu/apps/*.session" };
    size_t checked = 0;
    for (size_t p = 0; p < sizeof patterns / sizeof patterns[0]; p++) {
        glob_t g;
        if (glob(patterns[p], 0, NULL, &g) != 0)
            continue;
        for (size_t i = 0; i < g.gl_pathc; i++, checked++) {
            char text[NX_APP_FILE_MAX + 1];
            FILE *f = fopen(g.gl_pathv[i], "rb");
            assert_non_null(f);
            size_t n = fread(text, 1, sizeof text, f);
            fclose(f);
            long e = nx_app_parse(text, n, &app, &err);
            if (e)
                fail_msg("%s line %u: %s", g.gl_pathv[i], err.line, err.why);
        }
        globfree(&g);
    }
    assert_true(checked >= 8);  // four apps, three sessions and the suite's own
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_terminal_read_whole),
        cmocka_unit_test(test_fields_in_any_order_caps_optional),
        cmocka_unit_test(test_missing_fields_refused),
        cmocka_unit_test(test_malformed_lines_refused_with_their_line),
        cmocka_unit_test(test_a_nul_refused),
        cmocka_unit_test(test_bad_utf8_refused),
        cmocka_unit_test(test_pages_bounds),
        cmocka_unit_test(test_field_bounds),
        cmocka_unit_test(test_caps_bound),
        cmocka_unit_test(test_line_and_file_bounds),
        cmocka_unit_test(test_manifest_file_names),
        cmocka_unit_test(test_installed_manifests_parse),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
