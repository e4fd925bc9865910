// Host unit tests for the Files app's directory model (user/apps/files/listing.c): the sort,
// the table's limit, sizes, and paths at NX_FS_PATH_MAX.
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>
#include <nexus/errors.h>

#include "../../user/apps/files/listing.h"

static struct listing l;

static void add(const char *name, bool dir, uint64_t size)
{
    assert_true(listing_add(&l, name, strlen(name), dir, size));
}

static void sorted_directories_first(void **state)
{
    (void)state;
    listing_clear(&l);
    add("zeta.txt", false, 10);
    add("..", true, 0);
    add("boot", true, 0);
    add(".", true, 0);
    add("Alpha", false, 1);
    add("apps", true, 0);
    listing_sort(&l);
    assert_int_equal(l.n, 4);  // . and .. left out
    assert_string_equal(l.e[0].name, "apps");
    assert_string_equal(l.e[1].name, "boot");
    assert_string_equal(l.e[2].name, "Alpha");
    assert_string_equal(l.e[3].name, "zeta.txt");
    char row[LISTING_ROW_BYTES];
    listing_row(&l.e[1], row);
    assert_string_equal(row, "boot/");
    listing_row(&l.e[3], row);
    assert_non_null(strstr(row, "zeta.txt"));
    assert_non_null(strstr(row, "10 B"));
}

static void the_table_is_bounded(void **state)
{
    (void)state;
    listing_clear(&l);
    char name[16];
    for (int i = 0; i < LISTING_MAX; i++) {
        snprintf(name, sizeof name, "f%04d", LISTING_MAX - i);
        add(name, false, (uint64_t)i);
    }
    assert_false(l.truncated);
    assert_false(listing_add(&l, "one more", 8, false, 0));
    assert_true(l.truncated);
    assert_int_equal(l.n, LISTING_MAX);
    listing_sort(&l);
    for (size_t i = 1; i < l.n; i++)
        assert_true(strcmp(l.e[i - 1].name, l.e[i].name) < 0);
    char longest[NX_FS_NAME_MAX + 10];
    memset(longest, 'x', sizeof longest);
    listing_clear(&l);
    assert_true(listing_add(&l, longest, sizeof longest, false, 0));  // cut to a name's limit
    assert_int_equal(strlen(l.e[0].name), NX_FS_NAME_MAX);
    char row[LISTING_ROW_BYTES];
    listing_row(&l.e[0], row);
    assert_true(strlen(row) < LISTING_ROW_BYTES);
}

static void sizes(void **state)
{
    (void)state;
    static const struct { uint64_t bytes; const char *text; } cases[] = {
        { 0, "0 B" }, { 1023, "1023 B" }, { 1024, "1.0 KiB" }, { 1536, "1.5 KiB" },
        { 1048575, "1024.0 KiB" }, { 1048576, "1.0 MiB" }, { 12u << 20, "12.0 MiB" },
        { 3435973837ull, "3.2 GiB" }, { UINT64_MAX, "16777216.0 TiB" },
    };
    char out[24];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        listing_size(cases[i].bytes, out, sizeof out);
        assert_string_equal(out, cases[i].text);
    }
}

static void paths(void **state)
{
    (void)state;
    char out[NX_FS_PATH_MAX];
    assert_int_equal(listing_join("/", "boot", out), NX_OK);
    assert_string_equal(out, "/boot");
    assert_int_equal(listing_join("/boot", "editor", out), NX_OK);
    assert_string_equal(out, "/boot/editor");
    assert_true(listing_parent(out));
    assert_string_equal(out, "/boot");
    assert_true(listing_parent(out));
    assert_string_equal(out, "/");
    assert_false(listing_parent(out));
    assert_string_equal(out, "/");
    char dir[NX_FS_PATH_MAX];
    memset(dir, 'd', sizeof dir);
    dir[0] = '/';
    dir[NX_FS_PATH_MAX - 3] = '\0';   // with "/x" and the NUL: exactly the limit
    assert_int_equal(listing_join(dir, "x", out), NX_OK);
    assert_int_equal(strlen(out), NX_FS_PATH_MAX - 1);
    strcpy(out, "kept");
    assert_int_equal(listing_join(dir, "xy", out), NX_ERR_TOO_BIG);
    assert_string_equal(out, "kept");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(sorted_directories_first),
        cmocka_unit_test(the_table_is_bounded),
        cmocka_unit_test(sizes),
        cmocka_unit_test(paths),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
