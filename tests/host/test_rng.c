// The virtio-rng driver's pool (user/drivers/virtio-rng/pool.c): the device fills the room at
// the tail, takes come from the end and wipe what they took, nothing beyond the page either
// way; and the size checks of NX_RNG_READ at their limits.
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include <nexus/errors.h>
#include <nx/random.h>
#include "../../user/drivers/virtio-rng/pool.h"

#pragma GCC diagnostic ignored "-Wunused-parameter"  // cmocka's void **state

#define CAP 64

// The page, with a guard byte after it that nothing may touch.
static uint8_t page[CAP + 1];
static struct rng_pool pool;

static int setup(void **state)
{
    memset(page, 0, sizeof page);
    page[CAP] = 0xee;
    rng_pool_init(&pool, page, CAP);
    return 0;
}

// What a device does: write n bytes (1, 2, 3...) at the room's start.
static void device_writes(uint32_t n)
{
    for (uint32_t i = 0; i < n; i++)
        page[pool.len + i] = (uint8_t)(pool.len + i + 1);
}

static void an_empty_pool_offers_the_whole_page(void **state)
{
    assert_int_equal(rng_pool_room(&pool), CAP);
    uint8_t out[1];
    assert_false(rng_pool_take(&pool, out, 1));
}

static void takes_come_from_the_end_and_are_wiped(void **state)
{
    device_writes(10);
    assert_true(rng_pool_added(&pool, 10));
    assert_int_equal(rng_pool_room(&pool), CAP - 10);
    uint8_t out[4];
    assert_true(rng_pool_take(&pool, out, 4));
    assert_memory_equal(out, ((uint8_t[]){ 7, 8, 9, 10 }), 4);
    assert_int_equal(pool.len, 6);
    assert_memory_equal(page + 6, ((uint8_t[]){ 0, 0, 0, 0 }), 4);  // handed out once only
    assert_int_equal(rng_pool_room(&pool), CAP - 6);                // the room is one run again
    assert_false(rng_pool_take(&pool, out, 7));
    assert_int_equal(pool.len, 6);                                  // a refused take takes nothing
}

static void the_pool_fills_to_the_page_and_no_further(void **state)
{
    device_writes(CAP);
    assert_true(rng_pool_added(&pool, CAP));
    assert_int_equal(rng_pool_room(&pool), 0);
    assert_false(rng_pool_added(&pool, 1));  // a device claiming more than it was given
    assert_int_equal(pool.len, CAP);
    uint8_t out[CAP];
    assert_true(rng_pool_take(&pool, out, CAP));
    assert_int_equal(out[0], 1);
    assert_int_equal(out[CAP - 1], CAP);
    assert_int_equal(pool.len, 0);
    assert_int_equal(page[CAP], 0xee);
}

static void a_partial_fill_counts_what_was_written(void **state)
{
    assert_true(rng_pool_added(&pool, 5));
    assert_false(rng_pool_added(&pool, CAP - 4));
    assert_true(rng_pool_added(&pool, CAP - 5));
    assert_int_equal(rng_pool_room(&pool), 0);
}

static void sizes_are_checked_at_their_limits(void **state)
{
    assert_int_equal(rng_check_size(0), NX_ERR_INVALID);
    assert_int_equal(rng_check_size(1), NX_OK);
    assert_int_equal(rng_check_size(NX_RNG_MAX), NX_OK);
    assert_int_equal(rng_check_size(NX_RNG_MAX + 1), NX_ERR_TOO_BIG);
    assert_int_equal(rng_check_size(UINT64_MAX), NX_ERR_TOO_BIG);
    assert_int_equal(rng_check_size(1ull << 32), NX_ERR_TOO_BIG);  // no truncation to 32 bits
}

int main(void)
{
#define T(f) cmocka_unit_test_setup(f, setup)
    const struct CMUnitTest tests[] = {
        T(an_empty_pool_offers_the_whole_page),
        T(takes_come_from_the_end_and_are_wiped),
        T(the_pool_fills_to_the_page_and_no_further),
        T(a_partial_fill_counts_what_was_written),
        T(sizes_are_checked_at_their_limits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
