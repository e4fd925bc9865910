// Host unit tests for the shell's line editor (user/apps/nsh/lineedit.c): editing keys,
// history, escape sequences split across reads, overlong lines and binary garbage.
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "../../user/apps/nsh/lineedit.h"

// What the editor wrote to the terminal since the last reset.
static char screen[8192];
static size_t screen_len;

static void capture(void *ctx, const char *s, size_t len)
{
    (void)ctx;
    assert_true(screen_len + len < sizeof screen);
    memcpy(screen + screen_len, s, len);
    screen_len += len;
    screen[screen_len] = '\0';
}

static struct ledit ed;

static int setup(void **state)
{
    (void)state;
    ledit_init(&ed, "nsh> ", capture, NULL);
    ledit_start(&ed);
    screen_len = 0;
    return 0;
}

// Feed `keys` up to the first event and return it (LEDIT_NONE if none came); the line stays
// in ed.line after LEDIT_LINE.
static enum ledit_event feed(const char *keys)
{
    enum ledit_event ev = LEDIT_NONE;
    for (size_t i = 0; keys[i] && ev == LEDIT_NONE; i++)
        ev = ledit_key(&ed, (unsigned char)keys[i]);
    return ev;
}

static void expect_line(const char *keys, const char *want)
{
    assert_int_equal(feed(keys), LEDIT_LINE);
    assert_string_equal(ed.line, want);
    ledit_start(&ed);
}

static void typing_echoes_and_enter_ends_the_line(void **state)
{
    (void)state;
    assert_int_equal(feed("ps"), LEDIT_NONE);
    assert_string_equal(screen, "ps");
    assert_int_equal(feed("\r"), LEDIT_LINE);
    assert_string_equal(ed.line, "ps");
    assert_string_equal(screen, "ps\r\n");
}

static void cr_lf_is_one_enter_and_lf_alone_is_one_too(void **state)
{
    (void)state;
    expect_line("a\r", "a");
    assert_int_equal(feed("\n"), LEDIT_NONE);  // the LF of CR LF
    assert_int_equal(feed("b\n"), LEDIT_LINE);
    assert_string_equal(ed.line, "b");
    ledit_start(&ed);
    assert_int_equal(feed("\n"), LEDIT_LINE);  // an LF after an LF is an empty line
    assert_string_equal(ed.line, "");
}

static void backspace_at_the_edges(void **state)
{
    (void)state;
    expect_line("\x7f\x7f" "ab\x7f" "c\r", "ac");           // nothing to erase at first
    expect_line("x\x08\x08\x08y\r", "y");                   // ^H too; more than there is
    screen_len = 0;
    expect_line("ab\x7f\r", "a");
    assert_true(strstr(screen, "\b \b") != NULL);          // erased at the end: no redraw
}

static void arrows_move_and_insert_in_the_middle(void **state)
{
    (void)state;
    expect_line("ac\x1b[Db\r", "abc");
    expect_line("abc\x1b[D\x1b[D\x1b[D\x1b[Dx\r", "xabc");  // left stops at column 0
    expect_line("ab\x1b[C\x1b[Cc\r", "abc");                // right stops at the end
    expect_line("abc\x1b[D\x1b[D\x7f\r", "bc");             // backspace mid-line
    expect_line("abc\x1b[H\x1b[3~\r", "bc");               // Home, Delete
    expect_line("abc\x1b[1~x\x1b[4~y\x05z\r", "xabcyz");   // Home, End as ~ keys, ^E
    expect_line("abc\x1bOD\x1bOH-\x1bOF+\r", "-abc+");      // SS3 arrows (application mode)
}

static void redraw_puts_the_cursor_back(void **state)
{
    (void)state;
    feed("abcd\x1b[D\x1b[D");
    screen_len = 0;
    feed("X");
    assert_string_equal(screen, "\rnsh> abXcd\x1b[K\x1b[2D");
}

static void ctrl_l_draws_the_line_again_below(void **state)
{
    (void)state;
    feed("abc\x1b[D");
    screen_len = 0;
    feed("\x0c");
    assert_string_equal(screen, "\r\n\rnsh> abc\x1b[K\x1b[1D");
    expect_line("\r", "abc");
}

static void history_walks_back_and_forth(void **state)
{
    (void)state;
    expect_line("one\r", "one");
    expect_line("two\r", "two");
    expect_line("three\r", "three");
    expect_line("\x1b[A\r", "three");                 // same as the newest: not stored twice
    assert_string_equal(ledit_history(&ed, 1), "two");
    expect_line("\x1b[A\x1b[A\r", "two");
    expect_line("\x1b[A\x1b[A\x1b[A\x1b[A\x1b[A\r", "one");   // up stops at the oldest
    expect_line("dra\x1b[A\x1b[B\x1b[Bft\r", "draft");        // down past the newest: the draft
    expect_line("\x1b[A!\r", "draft!");                       // a recalled line can be edited
    assert_string_equal(ledit_history(&ed, 1), "draft");      // ... without changing history
    expect_line("\r", "");
    assert_string_equal(ledit_history(&ed, 0), "draft!");     // empty lines are not kept
}

static void history_ring_keeps_the_newest(void **state)
{
    (void)state;
    char keys[16], want[16];
    for (int i = 0; i < LEDIT_HISTORY + 5; i++) {
        snprintf(keys, sizeof keys, "cmd%d\r", i);
        snprintf(want, sizeof want, "cmd%d", i);
        expect_line(keys, want);
    }
    assert_string_equal(ledit_history(&ed, 0), "cmd20");
    assert_string_equal(ledit_history(&ed, LEDIT_HISTORY - 1), "cmd5");
    assert_null(ledit_history(&ed, LEDIT_HISTORY));
}

static void escape_sequences_split_across_reads(void **state)
{
    (void)state;
    const char *keys = "ab\x1b[D\x1b[3~c\x1b[A\r";
    // Whatever way the bytes are chunked, one editor fed them one by one gives the same
    // result: here every split point of the sequence, feeding through a fresh editor.
    for (size_t split = 0; split < strlen(keys); split++) {
        setup(NULL);
        expect_line("old\r", "old");
        char first[32] = { 0 };
        memcpy(first, keys, split);
        feed(first);
        assert_int_equal(feed(keys + split), LEDIT_LINE);
        assert_string_equal(ed.line, "old");  // the up arrow recalled it last
    }
}

static void unknown_sequences_and_garbage_are_ignored(void **state)
{
    (void)state;
    expect_line("a\x1b[1;5Cb\r", "ab");             // ctrl-right: a sequence with parameters
    expect_line("a\x1b[99999999999999~b\r", "ab");  // a huge parameter
    expect_line("a\x1bxb\r", "ab");                 // Alt+x
    expect_line("a\x1b\x1b[Cb\r", "ab");            // ESC ESC [ C: one right arrow, at the end
    expect_line("a\x80\xff\x01\x02\x1c\tb\r", "ab"); // high bytes and other controls
    expect_line("a\x1b[\x01" "b\r", "ab");          // a control byte abandons the sequence
}

static void overlong_lines_are_truncated_and_flagged(void **state)
{
    (void)state;
    char keys[LEDIT_LINE_MAX + 40];
    memset(keys, 'x', sizeof keys - 2);
    keys[sizeof keys - 2] = '\r';
    keys[sizeof keys - 1] = '\0';
    assert_int_equal(feed(keys), LEDIT_LINE);
    assert_int_equal(strlen(ed.line), LEDIT_LINE_MAX);
    assert_true(ed.truncated);
    assert_true(strchr(screen, '\a') != NULL);
    ledit_start(&ed);
    expect_line("ok\r", "ok");
    assert_false(ed.truncated);
}

static void ctrl_c_cancels_and_ctrl_u_erases(void **state)
{
    (void)state;
    assert_int_equal(feed("abc\x03"), LEDIT_CANCEL);
    assert_null(ledit_history(&ed, 0));  // an abandoned line is not kept
    ledit_start(&ed);
    expect_line("abc\x15xy\r", "xy");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(typing_echoes_and_enter_ends_the_line, setup),
        cmocka_unit_test_setup(cr_lf_is_one_enter_and_lf_alone_is_one_too, setup),
        cmocka_unit_test_setup(backspace_at_the_edges, setup),
        cmocka_unit_test_setup(arrows_move_and_insert_in_the_middle, setup),
        cmocka_unit_test_setup(redraw_puts_the_cursor_back, setup),
        cmocka_unit_test_setup(ctrl_l_draws_the_line_again_below, setup),
        cmocka_unit_test_setup(history_walks_back_and_forth, setup),
        cmocka_unit_test_setup(history_ring_keeps_the_newest, setup),
        cmocka_unit_test_setup(escape_sequences_split_across_reads, setup),
        cmocka_unit_test_setup(unknown_sequences_and_garbage_are_ignored, setup),
        cmocka_unit_test_setup(overlong_lines_are_truncated_and_flagged, setup),
        cmocka_unit_test_setup(ctrl_c_cancels_and_ctrl_u_erases, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
