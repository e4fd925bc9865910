// Host unit tests for the console's line discipline (kernel/console_lines.c): what reaches
// the device for given writes, and a random run of three writers shown on a model terminal,
// where every line must hold one writer's text and every writer's text must be there once.
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "console_lines.h"

#define OUT_MAX (1 << 20)

static char out[OUT_MAX];
static size_t out_len;
static struct console_lines con;

static void put(char c)
{
    assert_true(out_len < OUT_MAX);
    out[out_len++] = c;
}

static int setup(void **state)
{
    (void)state;
    memset(&con, 0, sizeof con);
    con.put = put;
    out_len = 0;
    return 0;
}

static void w(uint32_t source, const char *s)
{
    console_lines_write(&con, source, s, strlen(s));
}

static void expect_out(const char *want)
{
    assert_int_equal(out_len, strlen(want));
    assert_memory_equal(out, want, out_len);
}

enum { KERNEL = 0, SHELL = 7, PROG = 9 };

static void one_writer_passes_through_unchanged(void **state)
{
    (void)state;
    w(SHELL, "nsh> ");
    w(SHELL, "ls\r\n");
    w(SHELL, "a\nb");
    w(SHELL, "\r\x1b[K");
    expect_out("nsh> ls\r\na\nb\r\x1b[K");
}

static void whole_lines_take_the_open_lines_place_and_it_is_drawn_again(void **state)
{
    (void)state;
    w(SHELL, "nsh> ");
    w(SHELL, "ab");
    w(KERNEL, "NEURON: x\n");
    w(PROG, "one\ntwo\n");
    w(SHELL, "c\r\n");
    expect_out("nsh> ab\r\x1b[KNEURON: x\nnsh> ab\r\x1b[Kone\ntwo\nnsh> abc\r\n");
}

static void whole_lines_with_no_line_open_just_go_out(void **state)
{
    (void)state;
    w(SHELL, "done\n");
    w(KERNEL, "NEURON: x\n");
    w(SHELL, "nsh> ");
    expect_out("done\nNEURON: x\nnsh> ");
}

static void a_partial_line_of_another_writer_takes_over(void **state)
{
    (void)state;
    w(SHELL, "nsh> ");
    w(PROG, "progress: ");
    w(SHELL, "x");          // the shell now is the other writer
    w(PROG, "50%\n");       // a whole line: under the shell's new open line
    expect_out("nsh> \nprogress: \nx\r\x1b[K50%\nx");
}

static void written_in_pieces_as_written_at_once(void **state)
{
    (void)state;
    w(SHELL, "nsh> ");
    console_lines_begin(&con, PROG, true);
    console_lines_put(&con, "ab", 2);
    console_lines_put(&con, "c\n", 2);
    console_lines_end(&con);
    expect_out("nsh> \r\x1b[Kabc\nnsh> ");
}

static void a_line_at_the_limit_is_drawn_again_a_longer_one_is_not(void **state)
{
    (void)state;
    char line[CONSOLE_REDRAW_MAX + 1];
    memset(line, 'a', CONSOLE_REDRAW_MAX);
    line[CONSOLE_REDRAW_MAX] = '\0';
    w(SHELL, line);
    w(KERNEL, "K\n");
    size_t before = out_len;
    assert_int_equal(before, 2 * CONSOLE_REDRAW_MAX + 6);  // line, erase (4), "K\n", line again
    assert_memory_equal(out + before - CONSOLE_REDRAW_MAX, line, CONSOLE_REDRAW_MAX);
    w(SHELL, "b");  // one byte past the limit
    w(KERNEL, "K\n");
    w(SHELL, "c");
    assert_int_equal(out_len - before, 5);
    assert_memory_equal(out + before, "b\nK\nc", 5);
}

static void an_empty_write_changes_nothing(void **state)
{
    (void)state;
    w(SHELL, "nsh> ");
    console_lines_begin(&con, SHELL, false);
    console_lines_end(&con);
    w(SHELL, "x");
    expect_out("nsh> x");
}

static void a_closed_line_is_not_drawn_again(void **state)
{
    (void)state;
    w(SHELL, "nsh> ab");
    console_lines_close(&con);
    w(KERNEL, "PANIC\n");
    console_lines_close(&con);  // nothing open: nothing to end
    w(KERNEL, "halted\n");
    expect_out("nsh> ab\nPANIC\nhalted\n");
}

// ---- a random run on a model terminal ----

#define WRITERS 3
#define SCREEN_LINES 40000
#define LINE_MAX_COLS 1024

static char screen[SCREEN_LINES][LINE_MAX_COLS];
static size_t screen_len[SCREEN_LINES];

// The terminal: printable bytes overwrite at the cursor; CR, LF and ESC [ K (erase to the end
// of the line) are the only controls the discipline and these writers use. Returns the lines.
static size_t show(const char *s, size_t len)
{
    size_t row = 0, col = 0;
    memset(screen_len, 0, sizeof screen_len);
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '\n') {
            row++, col = 0;
            assert_true(row < SCREEN_LINES);
        } else if (s[i] == '\r') {
            col = 0;
        } else if (s[i] == '\x1b') {
            assert_true(i + 2 < len && s[i + 1] == '[' && s[i + 2] == 'K');
            screen_len[row] = col;
            i += 2;
        } else {
            assert_true(col < LINE_MAX_COLS);
            screen[row][col++] = s[i];
            if (col > screen_len[row])
                screen_len[row] = col;
        }
    }
    return row + 1;
}

static uint64_t rng = 88172645463325252ull;

static uint64_t next(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

// Writer n writes letters of its own: 'a' + 8n up to 'a' + 8n + 7.
static int writer_of(char c)
{
    return (c - 'a') / 8;
}

static void random_writers_each_keep_their_own_lines_and_text(void **state)
{
    (void)state;
    static char sent[WRITERS][OUT_MAX / 4];
    size_t sent_len[WRITERS] = { 0 };
    for (int k = 0; k < 20000; k++) {
        int who = (int)(next() % WRITERS);
        char buf[8];
        size_t n = 1 + next() % sizeof buf;
        for (size_t i = 0; i < n; i++)
            buf[i] = next() % 6 == 0 ? '\n' : (char)('a' + 8 * who + next() % 8);
        console_lines_write(&con, (uint32_t)who, buf, n);
        for (size_t i = 0; i < n; i++)
            if (buf[i] != '\n')
                sent[who][sent_len[who]++] = buf[i];
    }
    size_t lines = show(out, out_len);
    size_t seen_len[WRITERS] = { 0 };
    for (size_t r = 0; r < lines; r++) {
        if (screen_len[r] == 0)
            continue;
        int who = writer_of(screen[r][0]);
        for (size_t c = 0; c < screen_len[r]; c++) {
            assert_int_equal(writer_of(screen[r][c]), who);
            assert_true(seen_len[who] < sent_len[who]);
            assert_int_equal(screen[r][c], sent[who][seen_len[who]++]);
        }
    }
    for (int i = 0; i < WRITERS; i++)
        assert_int_equal(seen_len[i], sent_len[i]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(one_writer_passes_through_unchanged, setup),
        cmocka_unit_test_setup(whole_lines_take_the_open_lines_place_and_it_is_drawn_again, setup),
        cmocka_unit_test_setup(whole_lines_with_no_line_open_just_go_out, setup),
        cmocka_unit_test_setup(a_partial_line_of_another_writer_takes_over, setup),
        cmocka_unit_test_setup(written_in_pieces_as_written_at_once, setup),
        cmocka_unit_test_setup(a_line_at_the_limit_is_drawn_again_a_longer_one_is_not, setup),
        cmocka_unit_test_setup(an_empty_write_changes_nothing, setup),
        cmocka_unit_test_setup(a_closed_line_is_not_drawn_again, setup),
        cmocka_unit_test_setup(random_writers_each_keep_their_own_lines_and_text, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
