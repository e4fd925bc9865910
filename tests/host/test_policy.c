// Host unit tests for the policy tables (user/services/policy/rules.c) and the badge names
// they use (user/lib/badges.c): identities, rule matching with wildcards and rights, no
// ambient authority, and the init-only identify operation.
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>
#include <nexus/errors.h>
#include <nexus/handle.h>

#include <nx/rpc.h>
#include <nx/services.h>

#include "../../user/services/policy/rules.h"

static struct policy p;

static int setup(void **state)
{
    (void)state;
    memset(&p, 0, sizeof(p));
    return 0;
}

static void test_nobody_reaches_anything_without_a_rule(void **state)
{
    (void)state;
    uint32_t rights = 99;
    assert_int_equal(nx_badge_name_set(&p.clients, 5, "nsh"), NX_OK);
    assert_int_equal(policy_check(&p, 5, "log", &rights), NX_ERR_ACCESS);
    assert_int_equal(rights, 0);
    assert_int_equal(policy_allow(&p, "nsh", "log", NX_RIGHT_SIGNAL), NX_OK);
    assert_int_equal(policy_check(&p, 5, "log", &rights), NX_OK);
    assert_int_equal(rights, NX_RIGHT_SIGNAL);
    // An unnamed badge reaches nothing, even through a wildcard rule.
    assert_int_equal(policy_allow(&p, "*", "log", NX_RIGHT_SIGNAL), NX_OK);
    assert_int_equal(policy_check(&p, 6, "log", &rights), NX_ERR_ACCESS);
    assert_int_equal(policy_check(&p, 0, "log", &rights), NX_ERR_ACCESS);
}

static void test_wildcard_and_rights_union(void **state)
{
    (void)state;
    uint32_t rights;
    nx_badge_name_set(&p.clients, 1, "a");
    nx_badge_name_set(&p.clients, 2, "b");
    policy_allow(&p, "*", "log", NX_RIGHT_SIGNAL);
    policy_allow(&p, "a", "log", NX_RIGHT_TRANSFER);
    policy_allow(&p, "a", "log", NX_RIGHT_DUPLICATE);
    assert_int_equal(p.nrules, 2);
    assert_int_equal(policy_check(&p, 1, "log", &rights), NX_OK);
    assert_int_equal(rights, NX_RIGHT_SIGNAL | NX_RIGHT_TRANSFER | NX_RIGHT_DUPLICATE);
    assert_int_equal(policy_check(&p, 2, "log", &rights), NX_OK);
    assert_int_equal(rights, NX_RIGHT_SIGNAL);
    assert_int_equal(policy_check(&p, 2, "logger", &rights), NX_ERR_ACCESS);
    assert_int_equal(policy_check(&p, 2, "lo", &rights), NX_ERR_ACCESS);
}

static void test_identities(void **state)
{
    (void)state;
    assert_int_equal(nx_badge_name_set(&p.clients, 0, "init"), NX_ERR_INVALID);
    assert_int_equal(nx_badge_name_set(&p.clients, 3, ""), NX_OK);  // forgets: nothing to forget
    assert_int_equal(nx_badge_name_set(&p.clients, 3, "sixteen-chars-xx"), NX_ERR_INVALID);
    assert_int_equal(nx_badge_name_set(&p.clients, 3, "old"), NX_OK);
    assert_int_equal(nx_badge_name_set(&p.clients, 3, "new"), NX_OK);
    assert_string_equal(nx_badge_name(&p.clients, 3), "new");
    assert_null(nx_badge_name(&p.clients, 0));
    assert_int_equal(nx_badge_name_set(&p.clients, 3, ""), NX_OK);
    assert_null(nx_badge_name(&p.clients, 3));
    for (uint32_t b = 1; b <= NX_BADGE_NAMES; b++)
        assert_int_equal(nx_badge_name_set(&p.clients, b, "c"), NX_OK);
    assert_int_equal(nx_badge_name_set(&p.clients, 1000, "c"), NX_ERR_NO_SPACE);
    assert_int_equal(nx_badge_name_set(&p.clients, 7, "again"), NX_OK);
}

static void test_identify_op_is_init_only(void **state)
{
    (void)state;
    struct nx_policy_identify id = { .badge = 9, .name = "svc" };
    struct nx_rpc_req req = { .badge = 4, .data = (const uint8_t *)&id, .len = sizeof(id) };
    assert_int_equal(nx_badge_identify_op(&p.clients, &req), NX_ERR_ACCESS);
    assert_null(nx_badge_name(&p.clients, 9));
    req.badge = 0;
    assert_int_equal(nx_badge_identify_op(&p.clients, &req), NX_OK);
    assert_string_equal(nx_badge_name(&p.clients, 9), "svc");
    memset(id.name, 'x', sizeof(id.name));
    assert_int_equal(nx_badge_identify_op(&p.clients, &req), NX_ERR_INVALID);
    assert_string_equal(nx_badge_name(&p.clients, 9), "svc");
}

static void test_rule_limits(void **state)
{
    (void)state;
    char name[16];
    assert_int_equal(policy_allow(&p, "a", "b", 0), NX_ERR_INVALID);
    assert_int_equal(policy_allow(&p, "", "b", 1), NX_ERR_INVALID);
    for (int i = 0; i < POLICY_MAX_RULES; i++) {
        snprintf(name, sizeof(name), "s%d", i);
        assert_int_equal(policy_allow(&p, "a", name, 1), NX_OK);
    }
    assert_int_equal(policy_allow(&p, "a", "one-more", 1), NX_ERR_NO_SPACE);
    assert_int_equal(policy_allow(&p, "a", "s3", 2), NX_OK);  // merging needs no slot
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_nobody_reaches_anything_without_a_rule, setup),
        cmocka_unit_test_setup(test_wildcard_and_rights_union, setup),
        cmocka_unit_test_setup(test_identities, setup),
        cmocka_unit_test_setup(test_identify_op_is_init_only, setup),
        cmocka_unit_test_setup(test_rule_limits, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
