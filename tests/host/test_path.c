// Host unit tests for path resolution under a directory handle (user/lib/path.c): the
// namespace wall of the file system service.
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>
#include <nexus/errors.h>
#include <nx/fs.h>
#include <nx/path.h>

static char out[NX_FS_PATH_MAX];

static void expect_path(const char *root, const char *rel, const char *want)
{
    assert_int_equal(nx_path_resolve(root, rel, out, sizeof(out)), NX_OK);
    assert_string_equal(out, want);
}

static void test_resolve_plain_and_dots(void **state)
{
    (void)state;
    expect_path("/", "", "/");
    expect_path("/", ".", "/");
    expect_path("/", "a/b", "/a/b");
    expect_path("/", "a//b/", "/a/b");
    expect_path("/", "./a/./b/.", "/a/b");
    expect_path("/data/app", "x", "/data/app/x");
    expect_path("/data/app", "x/../y", "/data/app/y");
    expect_path("/data/app", "x/y/../../z", "/data/app/z");
    expect_path("/data/app", "x/..", "/data/app");
    expect_path("/data/app", "...", "/data/app/...");
    expect_path("/data/app", "..x/.y", "/data/app/..x/.y");
}

// Nothing climbs out of the handle's directory: not a leading "..", not one hidden behind
// a component that was stepped back over, not an absolute path.
static void test_no_escape(void **state)
{
    (void)state;
    const char *bad[] = { "..", "../", "../app", "x/../..", "x/../../app/x", "./..",
                          "a/b/../../..", "/etc", "/", "//data" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(nx_path_resolve("/data/app", bad[i], out, sizeof(out)), NX_ERR_ACCESS);
    assert_int_equal(nx_path_resolve("/", "..", out, sizeof(out)), NX_ERR_ACCESS);
    assert_int_equal(nx_path_resolve("/", "a/../..", out, sizeof(out)), NX_ERR_ACCESS);
}

static void test_limits(void **state)
{
    (void)state;
    char name[NX_FS_NAME_MAX + 2];
    memset(name, 'n', sizeof(name) - 1);
    name[sizeof(name) - 1] = '\0';
    assert_int_equal(nx_path_resolve("/", name, out, sizeof(out)), NX_ERR_TOO_BIG);
    name[NX_FS_NAME_MAX] = '\0';
    char big[NX_FS_NAME_MAX + 2];
    assert_int_equal(nx_path_resolve("/", name, big, sizeof(big)), NX_OK);
    assert_int_equal(strlen(big), NX_FS_NAME_MAX + 1);
    assert_int_equal(nx_path_resolve("/abc", "de", out, 7), NX_ERR_TOO_BIG);  // "/abc/de"
    assert_int_equal(nx_path_resolve("/abc", "de", out, 8), NX_OK);
    assert_int_equal(nx_path_resolve("/abc", "", out, 4), NX_ERR_TOO_BIG);
}

static void test_below(void **state)
{
    (void)state;
    assert_string_equal(nx_path_below("/", "/boot/x"), "boot/x");
    assert_string_equal(nx_path_below("/", "/"), "");
    assert_string_equal(nx_path_below("/boot", "/boot"), "");
    assert_string_equal(nx_path_below("/boot", "/boot/a/b"), "a/b");
    assert_null(nx_path_below("/boot", "/bootx"));
    assert_null(nx_path_below("/boot", "/data"));
    assert_null(nx_path_below("/data/app", "/data"));
}

static void test_split(void **state)
{
    (void)state;
    char parent[16];
    assert_string_equal(nx_path_split("/a/b", parent, sizeof(parent)), "b");
    assert_string_equal(parent, "/a");
    assert_string_equal(nx_path_split("/a", parent, sizeof(parent)), "a");
    assert_string_equal(parent, "/");
    assert_null(nx_path_split("/", parent, sizeof(parent)));
    assert_null(nx_path_split("/abcdef/g", parent, 4));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_resolve_plain_and_dots),
        cmocka_unit_test(test_no_escape),
        cmocka_unit_test(test_limits),
        cmocka_unit_test(test_below),
        cmocka_unit_test(test_split),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
