// Ready queues: priority order, FIFO inside a level, removal anywhere.
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "runqueue.h"

static struct rq_link make(uint8_t prio)
{
    return (struct rq_link){ .priority = prio };
}

static void empty_queue_has_no_top(void **state)
{
    (void)state;
    struct runqueue rq = { 0 };
    assert_int_equal(runqueue_top(&rq), -1);
    assert_null(runqueue_pop(&rq));
}

static void highest_priority_first_fifo_within_level(void **state)
{
    (void)state;
    struct runqueue rq = { 0 };
    struct rq_link a = make(3), b = make(31), c = make(3), d = make(0);
    runqueue_push(&rq, &a);
    runqueue_push(&rq, &b);
    runqueue_push(&rq, &c);
    runqueue_push(&rq, &d);
    assert_int_equal(runqueue_top(&rq), 31);
    assert_ptr_equal(runqueue_pop(&rq), &b);
    assert_ptr_equal(runqueue_pop(&rq), &a);
    assert_ptr_equal(runqueue_pop(&rq), &c);
    assert_ptr_equal(runqueue_pop(&rq), &d);
    assert_int_equal(rq.nonempty, 0);
}

static void remove_head_middle_tail_and_absent(void **state)
{
    (void)state;
    struct runqueue rq = { 0 };
    struct rq_link e[4] = { make(7), make(7), make(7), make(7) };
    for (int i = 0; i < 4; i++)
        runqueue_push(&rq, &e[i]);
    runqueue_remove(&rq, &e[1]);  // middle
    runqueue_remove(&rq, &e[3]);  // tail
    runqueue_remove(&rq, &e[3]);  // not queued any more: no effect
    runqueue_push(&rq, &e[3]);    // tail must have been fixed up
    runqueue_remove(&rq, &e[0]);  // head
    assert_ptr_equal(runqueue_pop(&rq), &e[2]);
    assert_ptr_equal(runqueue_pop(&rq), &e[3]);
    assert_null(runqueue_pop(&rq));
    assert_false(e[1].queued);
}

// runqueue_top computes the highest set bit without a clz instruction: check it against one.
static void top_matches_count_leading_zeros(void **state)
{
    (void)state;
    struct runqueue rq = { 0 };
    uint32_t x = 12345;
    for (int i = 0; i < 100000; i++) {
        x ^= x << 13, x ^= x >> 17, x ^= x << 5;
        rq.nonempty = i < 32 ? 1u << i : x >> (i % 32);
        if (rq.nonempty)
            assert_int_equal(runqueue_top(&rq), 31 - __builtin_clz(rq.nonempty));
    }
}

// The scheduler's one-shift test agrees with runqueue_top, NPRIO ("above the top") included.
static void any_from_matches_top(void **state)
{
    (void)state;
    struct runqueue rq = { 0 };
    uint32_t x = 777;
    for (int i = 0; i < 10000; i++) {
        x ^= x << 13, x ^= x >> 17, x ^= x << 5;
        rq.nonempty = i == 0 ? 0 : x >> (i % 32);
        for (unsigned p = 0; p <= NPRIO; p++)
            assert_int_equal(runqueue_any_from(&rq, p), runqueue_top(&rq) >= (int)p);
    }
}

static void every_level_is_usable(void **state)
{
    (void)state;
    struct runqueue rq = { 0 };
    struct rq_link e[NPRIO];
    for (int p = 0; p < NPRIO; p++) {
        e[p] = make((uint8_t)p);
        runqueue_push(&rq, &e[p]);
    }
    for (int p = NPRIO - 1; p >= 0; p--)
        assert_ptr_equal(runqueue_pop(&rq), &e[p]);
}

// Stealing: the most urgent entry an idle hart may take, never below the floor asked for.
static int odd_only(const struct rq_link *e, const void *ctx)
{
    (void)ctx;
    return e->priority % 2;
}

static int not_this_one(const struct rq_link *e, const void *ctx)
{
    return e != ctx;
}

static void find_takes_the_most_urgent_allowed_entry(void **state)
{
    (void)state;
    struct runqueue rq = { 0 };
    struct rq_link a = make(10), b = make(7), c = make(7), d = make(3);
    runqueue_push(&rq, &a);
    runqueue_push(&rq, &b);
    runqueue_push(&rq, &c);
    runqueue_push(&rq, &d);
    assert_ptr_equal(runqueue_find(&rq, 0, odd_only, NULL), &b);  // 10 not allowed; FIFO at 7
    assert_ptr_equal(runqueue_find(&rq, 0, not_this_one, &a), &b);
    assert_ptr_equal(runqueue_find(&rq, 8, odd_only, NULL), NULL);  // nothing allowed at 8+
    assert_ptr_equal(runqueue_find(&rq, 4, not_this_one, &b), &a);
    runqueue_remove(&rq, &b);
    assert_ptr_equal(runqueue_find(&rq, 0, odd_only, NULL), &c);
    struct runqueue empty = { 0 };
    assert_ptr_equal(runqueue_find(&empty, 0, odd_only, NULL), NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(empty_queue_has_no_top),
        cmocka_unit_test(highest_priority_first_fifo_within_level),
        cmocka_unit_test(remove_head_middle_tail_and_absent),
        cmocka_unit_test(every_level_is_usable),
        cmocka_unit_test(top_matches_count_leading_zeros),
        cmocka_unit_test(any_from_matches_top),
        cmocka_unit_test(find_takes_the_most_urgent_allowed_entry),
    };
    return cmocka_run_group_tests_name("runqueue", tests, NULL, NULL);
}
