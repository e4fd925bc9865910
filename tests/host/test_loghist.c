// Host unit tests for the log history (user/services/log/history.c): numbering, wrap-around,
// formatting, and readers resuming from any seq.
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../user/services/log/history.h"

static struct log_history *h;

static int setup(void **state)
{
    (void)state;
    h = calloc(1, sizeof(*h));
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    free(h);
    return 0;
}

static void add(const char *text)
{
    history_add(h, 1234567890123, 2, "svc", text, strlen(text));
}

static void test_format(void **state)
{
    (void)state;
    add("hello\n");
    char out[64];
    size_t n = history_format(history_from(h, 0), out, sizeof(out));
    assert_int_equal(n, strlen("[1234.567890] I svc: hello\n"));
    assert_memory_equal(out, "[1234.567890] I svc: hello\n", n);
    assert_int_equal(history_format(history_from(h, 0), out, n - 1), 0);
    history_add(h, 5000, 0, "a-very-long-source-name", "x", 1);
    n = history_format(history_from(h, 1), out, sizeof(out));
    assert_memory_equal(out, "[   0.000005] E a-very-long-sou: x\n", n);
}

static void test_long_text_is_cut(void **state)
{
    (void)state;
    char text[300];
    memset(text, 'y', sizeof(text));
    history_add(h, 0, 3, "s", text, sizeof(text));
    assert_int_equal(history_from(h, 0)->len, LOG_TEXT_MAX);
}

static void test_wraps_and_resumes(void **state)
{
    (void)state;
    char text[16];
    for (int i = 0; i < LOG_HISTORY + 10; i++) {
        snprintf(text, sizeof(text), "r%d", i);
        add(text);
    }
    assert_int_equal(history_from(h, 0)->seq, 10);  // the 10 oldest were overwritten
    assert_int_equal(history_from(h, 100)->seq, 100);
    assert_null(history_from(h, LOG_HISTORY + 10));
    char out[1024];
    uint64_t next, seq = 0;
    int lines = 0;
    size_t n;
    while ((n = history_read(h, seq, out, sizeof(out), &next)) > 0) {
        for (size_t i = 0; i < n; i++)
            lines += out[i] == '\n';
        assert_true(next > seq);
        seq = next;
    }
    assert_int_equal(lines, LOG_HISTORY);
    assert_int_equal(seq, LOG_HISTORY + 10);
    assert_int_equal(history_read(h, seq, out, sizeof(out), &next), 0);
    assert_int_equal(next, seq);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_format, setup, teardown),
        cmocka_unit_test_setup_teardown(test_long_text_is_cut, setup, teardown),
        cmocka_unit_test_setup_teardown(test_wraps_and_resumes, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
