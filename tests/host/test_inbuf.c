// Host unit tests for the UART driver's input ring (user/drivers/uart/inbuf.c).
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "../../user/drivers/uart/inbuf.h"

static struct inbuf b;

static int setup(void **state)
{
    (void)state;
    memset(&b, 0, sizeof b);
    return 0;
}

static void bytes_come_out_in_order(void **state)
{
    (void)state;
    uint8_t out[8];
    assert_int_equal(inbuf_take(&b, out, sizeof out), 0);
    for (uint8_t c = 1; c <= 5; c++)
        inbuf_put(&b, c);
    assert_int_equal(inbuf_take(&b, out, 3), 3);
    assert_memory_equal(out, ((uint8_t[]){ 1, 2, 3 }), 3);
    assert_int_equal(inbuf_take(&b, out, sizeof out), 2);
    assert_memory_equal(out, ((uint8_t[]){ 4, 5 }), 2);
    assert_int_equal(inbuf_take(&b, out, 0), 0);
}

static void wraps_around_many_times(void **state)
{
    (void)state;
    uint8_t out[INBUF_SIZE];
    unsigned next_in = 0, next_out = 0;
    for (int round = 0; round < 50; round++) {
        for (int i = 0; i < 700; i++)
            inbuf_put(&b, (uint8_t)next_in++);
        size_t n = inbuf_take(&b, out, sizeof out);
        assert_int_equal(n, 700);
        for (size_t i = 0; i < n; i++)
            assert_int_equal(out[i], (uint8_t)next_out++);
    }
    assert_int_equal(b.dropped, 0);
    assert_int_equal(b.received, 50 * 700);
}

static void full_buffer_drops_and_counts_the_newest(void **state)
{
    (void)state;
    uint8_t out[INBUF_SIZE];
    for (int i = 0; i < INBUF_SIZE + 10; i++)
        inbuf_put(&b, (uint8_t)i);
    assert_int_equal(b.dropped, 10);
    assert_int_equal(b.received, INBUF_SIZE + 10);
    assert_int_equal(inbuf_take(&b, out, sizeof out), INBUF_SIZE);
    for (int i = 0; i < INBUF_SIZE; i++)
        assert_int_equal(out[i], (uint8_t)i);
    inbuf_put(&b, 42);  // room again
    assert_int_equal(inbuf_take(&b, out, sizeof out), 1);
    assert_int_equal(out[0], 42);
}

static void indices_wrap_at_2_to_the_32(void **state)
{
    (void)state;
    uint8_t out[4];
    b.head = b.tail = UINT32_MAX - 1;
    for (uint8_t c = 0; c < 4; c++)
        inbuf_put(&b, c);
    assert_int_equal(inbuf_take(&b, out, sizeof out), 4);
    assert_memory_equal(out, ((uint8_t[]){ 0, 1, 2, 3 }), 4);
    assert_int_equal(b.dropped, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(bytes_come_out_in_order, setup),
        cmocka_unit_test_setup(wraps_around_many_times, setup),
        cmocka_unit_test_setup(full_buffer_drops_and_counts_the_newest, setup),
        cmocka_unit_test_setup(indices_wrap_at_2_to_the_32, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
