// Host unit tests for the editor's gap buffer (user/apps/editor/textbuf.c): editing and
// cursor keys over multi-byte and ill-formed UTF-8, lines, the capacity limit, and random
// operations checked against a plain-array model.
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>
#include <nexus/errors.h>

#include "../../user/apps/editor/textbuf.h"

static char mem[64];
static struct textbuf tb;

// The text, NUL-terminated, in a static buffer.
static const char *text(void)
{
    static char out[sizeof mem + 1];
    const char *a, *b;
    size_t alen, blen;
    textbuf_spans(&tb, &a, &alen, &b, &blen);
    memcpy(out, a, alen);
    memcpy(out + alen, b, blen);
    out[alen + blen] = '\0';
    return out;
}

static void load(const char *s)
{
    textbuf_init(&tb, mem, sizeof mem);
    assert_int_equal(textbuf_load(&tb, s, strlen(s)), NX_OK);
}

static void typing_and_deleting(void **state)
{
    (void)state;
    load("");
    assert_int_equal(textbuf_insert(&tb, "héllo", strlen("héllo")), NX_OK);
    assert_string_equal(text(), "héllo");
    assert_true(textbuf_left(&tb));
    assert_true(textbuf_left(&tb));
    assert_true(textbuf_left(&tb));
    assert_true(textbuf_left(&tb));  // before é (two bytes): one step
    assert_int_equal(textbuf_cursor(&tb), 1);
    assert_true(textbuf_delete(&tb));
    assert_string_equal(text(), "hllo");
    assert_true(textbuf_backspace(&tb));
    assert_false(textbuf_backspace(&tb));
    assert_string_equal(text(), "llo");
    textbuf_end(&tb);
    assert_false(textbuf_delete(&tb));
    assert_false(textbuf_right(&tb));
    assert_int_equal(textbuf_insert(&tb, "€", 3), NX_OK);
    assert_true(textbuf_backspace(&tb));  // the three bytes at once
    assert_string_equal(text(), "llo");
}

static void ill_formed_bytes_kept_and_stepped_one_by_one(void **state)
{
    (void)state;
    load("a\x80\xe2\x82z\xff");  // a stray continuation, a cut sequence, 0xff
    textbuf_end(&tb);
    size_t steps = 0;
    while (textbuf_left(&tb))
        steps++;
    assert_int_equal(steps, 5);  // a, 80, e2 82, z, ff
    assert_memory_equal(text(), "a\x80\xe2\x82z\xff", 6);
    textbuf_end(&tb);
    assert_true(textbuf_backspace(&tb));
    assert_true(textbuf_backspace(&tb));
    assert_true(textbuf_backspace(&tb));  // e2 82 together
    assert_string_equal(text(), "a\x80");
}

static void lines_home_end_up_down(void **state)
{
    (void)state;
    load("first line\nab\n\nthe last one");
    assert_int_equal(textbuf_line_of(&tb, textbuf_len(&tb)), 3);
    assert_int_equal(textbuf_line_at(&tb, 1), 11);
    assert_int_equal(textbuf_line_at(&tb, 99), 15);
    for (int i = 0; i < 7; i++)
        textbuf_right(&tb);
    assert_true(textbuf_down(&tb));   // "ab" is shorter: its end
    assert_int_equal(textbuf_cursor(&tb), 13);
    assert_true(textbuf_down(&tb));   // the empty line
    assert_int_equal(textbuf_cursor(&tb), 14);
    assert_true(textbuf_down(&tb));   // the goal column 7 again
    assert_int_equal(textbuf_col_of(&tb, textbuf_cursor(&tb)), 7);
    assert_false(textbuf_down(&tb));
    textbuf_home(&tb);
    assert_int_equal(textbuf_cursor(&tb), 15);
    textbuf_end(&tb);
    assert_int_equal(textbuf_cursor(&tb), textbuf_len(&tb));
    for (int i = 0; i < 3; i++)
        assert_true(textbuf_up(&tb));
    assert_false(textbuf_up(&tb));
    assert_int_equal(textbuf_cursor(&tb), 10);  // "first line" is 10 long: its end
    assert_int_equal(textbuf_insert(&tb, "\n", 1), NX_OK);
    assert_int_equal(textbuf_line_of(&tb, textbuf_cursor(&tb)), 1);
}

static void full_buffer_refuses(void **state)
{
    (void)state;
    char big[sizeof mem + 1];
    memset(big, 'x', sizeof big);
    textbuf_init(&tb, mem, sizeof mem);
    assert_int_equal(textbuf_load(&tb, big, sizeof big), NX_ERR_TOO_BIG);
    assert_int_equal(textbuf_len(&tb), 0);
    assert_int_equal(textbuf_load(&tb, big, sizeof mem), NX_OK);  // exactly full
    assert_int_equal(textbuf_insert(&tb, "y", 1), NX_ERR_NO_SPACE);
    assert_int_equal(textbuf_len(&tb), sizeof mem);
    assert_true(textbuf_delete(&tb));
    assert_int_equal(textbuf_insert(&tb, "€", 3), NX_ERR_NO_SPACE);  // never half a character
    assert_int_equal(textbuf_insert(&tb, "y", 1), NX_OK);
    assert_int_equal(text()[0], 'y');
}

// Random operations against a plain array with its own cursor.
static void random_against_a_model(void **state)
{
    (void)state;
    static const char *const pieces[] = { "a", "\n", "é", "€", "\xf0\x9f\x98\x80", "\x80", "xy" };
    char model[sizeof mem];
    size_t mlen = 0, mcur = 0;
    srand(16);
    textbuf_init(&tb, mem, sizeof mem);
    for (int i = 0; i < 20000; i++) {
        int op = rand() % 6;
        if (op == 0) {
            const char *p = pieces[rand() % 7];
            size_t n = strlen(p);
            long err = textbuf_insert(&tb, p, n);
            assert_int_equal(err, mlen + n <= sizeof mem ? NX_OK : NX_ERR_NO_SPACE);
            if (!err) {
                memmove(model + mcur + n, model + mcur, mlen - mcur);
                memcpy(model + mcur, p, n);
                mlen += n;
                mcur += n;
            }
        } else if (op == 1 && mcur > 0) {
            size_t prev = textbuf_prev_char(&tb, mcur);
            assert_true(textbuf_backspace(&tb));
            memmove(model + prev, model + mcur, mlen - mcur);
            mlen -= mcur - prev;
            mcur = prev;
        } else if (op == 2 && mcur < mlen) {
            size_t next = textbuf_next_char(&tb, mcur);
            assert_true(textbuf_delete(&tb));
            memmove(model + mcur, model + next, mlen - next);
            mlen -= next - mcur;
        } else if (op == 3) {
            rand() % 2 ? textbuf_left(&tb) : textbuf_right(&tb);
            mcur = textbuf_cursor(&tb);
        } else if (op == 4) {
            rand() % 2 ? textbuf_up(&tb) : textbuf_down(&tb);
            mcur = textbuf_cursor(&tb);
        } else if (op == 5) {
            rand() % 2 ? textbuf_home(&tb) : textbuf_end(&tb);
            mcur = textbuf_cursor(&tb);
        }
        assert_int_equal(textbuf_len(&tb), mlen);
        assert_int_equal(textbuf_cursor(&tb), mcur);
        assert_true(mcur == 0 || mcur == mlen || (model[mcur] & 0xc0) != 0x80 ||
                    textbuf_next_char(&tb, textbuf_prev_char(&tb, mcur)) == mcur);
        assert_memory_equal(text(), model, mlen);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(typing_and_deleting),
        cmocka_unit_test(ill_formed_bytes_kept_and_stepped_one_by_one),
        cmocka_unit_test(lines_home_end_up_down),
        cmocka_unit_test(full_buffer_refuses),
        cmocka_unit_test(random_against_a_model),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
