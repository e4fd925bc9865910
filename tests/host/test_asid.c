// ASID bookkeeping: live ASIDs are never handed out twice, retired ones only after the fence
// that going round every ASID asks for, and 0 is the kernel's and the overflow's.
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>
#include "asid.h"

static struct asid_pool pool;

static void without_asids_everything_gets_zero(void **state)
{
    (void)state;
    bool fence;
    asid_init(&pool, 1);
    assert_int_equal(asid_take(&pool, &fence), 0);
    assert_int_equal(asid_take(&pool, &fence), 0);
    asid_retire(&pool, 0);
    assert_int_equal(asid_take(&pool, &fence), 0);
}

static void asids_are_handed_out_once_each_and_zero_when_all_are_live(void **state)
{
    (void)state;
    bool fence, seen[16] = { false };
    asid_init(&pool, 16);
    for (int i = 1; i < 16; i++) {
        uint32_t a = asid_take(&pool, &fence);
        assert_true(a >= 1 && a < 16);
        assert_false(seen[a]);
        assert_false(fence);
        seen[a] = true;
    }
    assert_int_equal(asid_take(&pool, &fence), 0);  // the overflow shares 0
}

static void a_retired_asid_returns_only_after_going_round_with_a_fence(void **state)
{
    (void)state;
    bool fence;
    asid_init(&pool, 8);
    uint32_t first = asid_take(&pool, &fence);
    asid_retire(&pool, first);
    // The others are handed out first, without a fence.
    for (int i = 0; i < 6; i++) {
        uint32_t a = asid_take(&pool, &fence);
        assert_int_not_equal(a, first);
        assert_false(fence);
    }
    // Only the retired one is left: it comes back, and the caller must fence.
    assert_int_equal(asid_take(&pool, &fence), first);
    assert_true(fence);
}

static void retiring_zero_changes_nothing(void **state)
{
    (void)state;
    bool fence;
    asid_init(&pool, 4);
    asid_retire(&pool, 0);
    for (int i = 0; i < 3; i++)
        assert_int_not_equal(asid_take(&pool, &fence), 0);
    assert_int_equal(asid_take(&pool, &fence), 0);
}

static void the_full_sixteen_bits_work_at_the_limit(void **state)
{
    (void)state;
    bool fence;
    asid_init(&pool, ASID_MAX);
    uint32_t last = 0;
    for (uint32_t i = 1; i < ASID_MAX; i++)
        last = asid_take(&pool, &fence);
    assert_int_equal(last, ASID_MAX - 1);
    assert_int_equal(asid_take(&pool, &fence), 0);
    asid_retire(&pool, 12345);
    assert_int_equal(asid_take(&pool, &fence), 12345);
    assert_true(fence);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(without_asids_everything_gets_zero),
        cmocka_unit_test(asids_are_handed_out_once_each_and_zero_when_all_are_live),
        cmocka_unit_test(a_retired_asid_returns_only_after_going_round_with_a_fence),
        cmocka_unit_test(retiring_zero_changes_nothing),
        cmocka_unit_test(the_full_sixteen_bits_work_at_the_limit),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
