// The delay after wrong passwords (user/lib/users/throttle.c): its schedule, refusals before
// the delay is over, and what it costs a guesser: 1,000 guesses at one name, each made as
// soon as the delay allows.
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <nx/throttle.h>

#define MS 1000000ull
#define S (1000 * MS)

static void delays_double_up_to_32_seconds(void **state)
{
    (void)state;
    struct nx_throttle t = { 0 };
    const uint32_t want[] = { 1000, 2000, 4000, 8000, 16000, 32000, 32000, 32000 };
    uint64_t now = 5 * S;
    for (size_t i = 0; i < sizeof want / sizeof *want; i++) {
        assert_int_equal(nx_throttle_wait_ms(&t, now), 0);
        assert_int_equal(nx_throttle_failed(&t, now), want[i]);
        now += want[i] * MS;
    }
}

static void a_try_inside_the_delay_is_told_how_long_to_wait(void **state)
{
    (void)state;
    struct nx_throttle t = { 0 };
    nx_throttle_failed(&t, 0);
    nx_throttle_failed(&t, 1 * S);             // second wrong: 2 s, until 3 s
    assert_int_equal(nx_throttle_wait_ms(&t, 1 * S), 2000);
    assert_int_equal(nx_throttle_wait_ms(&t, 3 * S - 1), 1);   // rounded up, never 0 early
    assert_int_equal(nx_throttle_wait_ms(&t, 3 * S), 0);
}

static void a_right_password_starts_the_schedule_again(void **state)
{
    (void)state;
    struct nx_throttle t = { 0 };
    for (int i = 0; i < 9; i++)
        nx_throttle_failed(&t, (uint64_t)i * 40 * S);
    nx_throttle_passed(&t);
    assert_int_equal(nx_throttle_failed(&t, 400 * S), 1000);
}

static void failures_saturate_without_wrapping_to_a_short_delay(void **state)
{
    (void)state;
    struct nx_throttle t = { .failures = UINT32_MAX - 1 };
    assert_int_equal(nx_throttle_failed(&t, 0), NX_THROTTLE_MAX_MS);
    assert_int_equal(nx_throttle_failed(&t, 0), NX_THROTTLE_MAX_MS);
    assert_int_equal(t.failures, UINT32_MAX);
}

// The brute force of issue 16, measured: 1,000 wrong guesses at one name, each as early as
// the service answers it, take 1+2+4+8+16+32 s and then 32 s each: 31,839 s (8.8 hours)
// before the 1,000th is even answered.
static void a_thousand_guesses_take_eight_point_eight_hours(void **state)
{
    (void)state;
    struct nx_throttle t = { 0 };
    uint64_t now = 0;
    unsigned answered = 0, refused = 0;
    while (answered < 1000) {
        uint32_t wait = nx_throttle_wait_ms(&t, now);
        if (wait) {
            refused++;             // a guess inside the delay is refused, not checked
            now += wait * MS;
            continue;
        }
        nx_throttle_failed(&t, now);
        answered++;
        if (answered < 1000)
            now += 100 * MS;       // the guesser asks again 0.1 s later: refused
    }
    assert_int_equal(now / S, 31839);
    assert_int_equal(refused, 999);
    print_message("1,000 guesses: %llu s (%.1f h)\n", (unsigned long long)(now / S),
                  (double)now / S / 3600);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(delays_double_up_to_32_seconds),
        cmocka_unit_test(a_try_inside_the_delay_is_told_how_long_to_wait),
        cmocka_unit_test(a_right_password_starts_the_schedule_again),
        cmocka_unit_test(failures_saturate_without_wrapping_to_a_short_delay),
        cmocka_unit_test(a_thousand_guesses_take_eight_point_eight_hours),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
