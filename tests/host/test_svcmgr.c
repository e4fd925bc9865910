// Host unit tests for the service manager's name table (user/services/svcmgr/names.c).
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>
#include <nexus/errors.h>

#include "../../user/services/svcmgr/names.h"

static struct svc_table t;

static int setup(void **state)
{
    (void)state;
    memset(&t, 0, sizeof(t));
    return 0;
}

static void test_add_find_duplicate(void **state)
{
    (void)state;
    assert_int_equal(svc_add(&t, "log", 10, 0), NX_OK);
    assert_int_equal(svc_add(&t, "log", 11, 4), NX_ERR_BAD_STATE);
    assert_int_equal(svc_find(&t, "log")->handle, 10);
    assert_null(svc_find(&t, "lo"));
    assert_null(svc_find(&t, "logs"));
    assert_int_equal(svc_add(&t, "", 1, 0), NX_ERR_INVALID);
    assert_int_equal(svc_add(&t, "sixteen-chars-xx", 1, 0), NX_ERR_INVALID);
    assert_int_equal(svc_add(&t, "fifteen-chars-x", 1, 0), NX_OK);
}

static void test_full_table(void **state)
{
    (void)state;
    char name[16];
    for (int i = 0; i < SVC_MAX_NAMES; i++) {
        snprintf(name, sizeof(name), "s%d", i);
        assert_int_equal(svc_add(&t, name, (uint32_t)i, 0), NX_OK);
    }
    assert_int_equal(svc_add(&t, "extra", 1, 0), NX_ERR_NO_SPACE);
    assert_int_equal(svc_add(&t, "s5", 1, 0), NX_ERR_BAD_STATE);
}

static uint32_t dropped[8];
static int ndropped;

static void drop(void *ctx, uint32_t handle)
{
    (void)ctx;
    dropped[ndropped++] = handle;
}

static void test_remove_owner_frees_names(void **state)
{
    (void)state;
    svc_add(&t, "a", 1, 7);
    svc_add(&t, "b", 2, 8);
    svc_add(&t, "c", 3, 7);
    ndropped = 0;
    assert_int_equal(svc_remove_owner(&t, 7, drop, NULL), 2);
    assert_int_equal(ndropped, 2);
    assert_int_equal(dropped[0] + dropped[1], 4);
    assert_null(svc_find(&t, "a"));
    assert_non_null(svc_find(&t, "b"));
    assert_int_equal(svc_add(&t, "c", 9, 8), NX_OK);
}

static void test_list_pages_through_names(void **state)
{
    (void)state;
    svc_add(&t, "log", 1, 0);
    svc_add(&t, "policy", 2, 0);
    svc_add(&t, "console", 3, 0);
    char out[32];
    int count;
    size_t n = svc_list(&t, 0, out, sizeof(out), &count);
    assert_int_equal(count, 3);
    assert_int_equal(n, 19);
    assert_memory_equal(out, "log\0policy\0console\0", 19);
    n = svc_list(&t, 0, out, 11, &count);
    assert_int_equal(count, 2);
    n = svc_list(&t, 2, out, sizeof(out), &count);
    assert_int_equal(count, 1);
    assert_string_equal(out, "console");
    assert_int_equal(svc_list(&t, 3, out, sizeof(out), &count), 0);
    assert_int_equal(count, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_add_find_duplicate, setup),
        cmocka_unit_test_setup(test_full_table, setup),
        cmocka_unit_test_setup(test_remove_owner_frees_names, setup),
        cmocka_unit_test_setup(test_list_pages_through_names, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
