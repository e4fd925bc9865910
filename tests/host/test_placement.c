// The wake-up placement rule (placement.h): last hart if free, else any free hart, else the
// waker's, always within the affinity.
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include "placement.h"

#define ALL 0xffull  // eight harts

static void a_free_last_hart_wins(void **state)
{
    (void)state;
    assert_int_equal(place_thread(ALL, 5, 0, 1u << 5 | 1u << 2), 5);
}

static void otherwise_any_free_hart(void **state)
{
    (void)state;
    assert_int_equal(place_thread(ALL, 5, 0, 1u << 2 | 1u << 6), 2);
    assert_int_equal(place_thread(ALL, -1, 0, 1u << 7), 7);  // never ran
}

static void with_no_free_hart_the_wakers(void **state)
{
    (void)state;
    assert_int_equal(place_thread(ALL, 5, 3, 0), 3);
}

static void the_affinity_bounds_every_choice(void **state)
{
    (void)state;
    // Free harts outside the affinity are not taken; the waker's is not either.
    assert_int_equal(place_thread(1u << 4 | 1u << 6, 5, 3, 1u << 2 | 1u << 5), 4);
    // A free hart inside it is.
    assert_int_equal(place_thread(1u << 4 | 1u << 6, 5, 3, 1u << 6), 6);
    // The last hart, when allowed and nothing is free, before the lowest allowed.
    assert_int_equal(place_thread(1u << 4 | 1u << 6, 6, 3, 0), 6);
}

static void one_hart_always_places_there(void **state)
{
    (void)state;
    assert_int_equal(place_thread(1, -1, 0, 0), 0);
    assert_int_equal(place_thread(1, 0, 0, 1), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_free_last_hart_wins),
        cmocka_unit_test(otherwise_any_free_hart),
        cmocka_unit_test(with_no_free_hart_the_wakers),
        cmocka_unit_test(the_affinity_bounds_every_choice),
        cmocka_unit_test(one_hart_always_places_there),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
