// Host unit tests for the terminal emulator's core (user/apps/terminal/vt*.c): text and
// wrapping, the cursor and erase sequences, scrolling regions and the scrollback, SGR, the
// status report, keys, selection, damage, resizing, malformed input, and nsh's line editor
// drawn through it.
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <nx/text.h>
#include "../../user/apps/terminal/vt.h"
#include "../../user/apps/nsh/lineedit.h"

static char replies[256];
static size_t replies_len;

static void on_reply(void *ctx, const char *s, size_t len)
{
    (void)ctx;
    assert_true(replies_len + len < sizeof replies);
    memcpy(replies + replies_len, s, len);
    replies_len += len;
    replies[replies_len] = '\0';
}

static struct vt vt;

static int setup(void **state)
{
    (void)state;
    replies_len = 0;
    replies[0] = '\0';
    struct vt_callbacks cb = { .reply = on_reply };
    assert_int_equal(vt_init(&vt, 10, 4, &cb), 0);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    vt_free(&vt);
    return 0;
}

static void put(const char *s)
{
    vt_write(&vt, s, strlen(s));
}

// Row of the view as UTF-8, trailing blanks dropped.
static const char *row(int r)
{
    static char buf[4 * VT_MAX_COLS + 1];
    size_t n = 0, keep = 0;
    for (int c = 0; c < vt.cols; c++) {
        uint32_t cp = vt_view_cell(&vt, r, c)->cp;
        n += nx_utf8_encode(cp, buf + n);
        if (cp != ' ')
            keep = n;
    }
    buf[keep] = '\0';
    return buf;
}

static void expect_cursor(int x, int y)
{
    assert_int_equal(vt.cur.x, x);
    assert_int_equal(vt.cur.y, y);
}

static void text_wraps_at_the_margin(void **state)
{
    (void)state;
    put("0123456789");
    expect_cursor(9, 0);            // pending wrap: still in the last column
    assert_string_equal(row(1), "");
    put("ab");
    assert_string_equal(row(0), "0123456789");
    assert_string_equal(row(1), "ab");
    expect_cursor(2, 1);
    put("\x1b[?7l" "cdefghijklmn");  // autowrap off: the last column is overwritten
    assert_string_equal(row(1), "abcdefghin");
}

static void controls_move_the_cursor(void **state)
{
    (void)state;
    put("abc\rX\nY\tZ\bW");
    assert_string_equal(row(0), "Xbc");
    assert_string_equal(row(1), " Y      W");
    put("\a\a");
    assert_int_equal(vt.bells, 2);
    put("\x1b[2;3H");
    expect_cursor(2, 1);
    put("\x1b[A\x1b[5C\x1b[2D\x1b[B");
    expect_cursor(5, 1);
    put("\x1b[99;99f");
    expect_cursor(9, 3);
    put("\x1b[3G\x1b[1d");
    expect_cursor(2, 0);
    put("\x1b[E");
    expect_cursor(0, 1);
    put("\x1b[10A");                // clamped at the top
    expect_cursor(0, 0);
}

static void erase_in_display_and_line(void **state)
{
    (void)state;
    put("aaaaaaaaaabbbbbbbbbbccccccccccdddddddddd");  // the screen full, the cursor pending
    put("\x1b[2;5H\x1b[K");
    assert_string_equal(row(1), "bbbb");
    put("\x1b[1K");
    assert_string_equal(row(1), "");
    put("\x1b[3;3H\x1b[J");
    assert_string_equal(row(2), "cc");
    assert_string_equal(row(3), "");
    assert_string_equal(row(0), "aaaaaaaaaa");
    put("\x1b[1;4H\x1b[1J");
    assert_string_equal(row(0), "    aaaaaa");
    put("\x1b[2J");
    for (int r = 0; r < 4; r++)
        assert_string_equal(row(r), "");
}

static void insert_and_delete_characters_and_lines(void **state)
{
    (void)state;
    put("abcdef\r\n1\r\n2\r\n3");
    put("\x1b[1;3H\x1b[2@");
    assert_string_equal(row(0), "ab  cdef");
    put("\x1b[3P");
    assert_string_equal(row(0), "abdef");
    put("\x1b[2X");
    assert_string_equal(row(0), "ab  f");
    put("\x1b[2;1H\x1b[L");
    assert_string_equal(row(1), "");
    assert_string_equal(row(2), "1");
    assert_string_equal(row(3), "2");
    put("\x1b[2M");
    assert_string_equal(row(1), "2");
    assert_string_equal(row(2), "");
    assert_int_equal(vt.sb, 0);     // deleting lines never feeds the scrollback
}

static void scrolling_regions(void **state)
{
    (void)state;
    put("top\r\na\r\nb\r\nbottom");
    put("\x1b[2;3r");               // rows 2-3 scroll; the cursor goes home
    expect_cursor(0, 0);
    put("\x1b[3;1H\r\nc\r\nd");
    assert_string_equal(row(0), "top");
    assert_string_equal(row(1), "c");
    assert_string_equal(row(2), "d");
    assert_string_equal(row(3), "bottom");
    assert_int_equal(vt.sb, 0);
    put("\x1b[2;1H\x1bM");          // reverse index at the region's top
    assert_string_equal(row(1), "");
    assert_string_equal(row(2), "c");
    put("\x1b[S");
    assert_string_equal(row(1), "c");
    put("\x1b[T");
    assert_string_equal(row(2), "c");
    put("\x1b[3;2r");               // top not above bottom: ignored
    assert_int_equal(vt.margin_top, 1);
    put("\x1b[r");                  // the whole screen again
    assert_int_equal(vt.margin_bottom, 3);
}

static void scrollback_is_bounded(void **state)
{
    (void)state;
    char line[32];
    for (int i = 0; i < VT_SCROLLBACK + 50; i++) {
        snprintf(line, sizeof line, "%d\r\n", i);
        put(line);
    }
    assert_int_equal(vt.sb, VT_SCROLLBACK);
    vt_scroll_view(&vt, 1 << 20);   // as far back as it goes
    assert_int_equal(vt.view, VT_SCROLLBACK);
    snprintf(line, sizeof line, "%d", 47);  // the oldest kept: 1047 lines left the top
    assert_string_equal(row(0), line);
    vt_scroll_view(&vt, -(1 << 20));
    assert_int_equal(vt.view, 0);
    snprintf(line, sizeof line, "%d", VT_SCROLLBACK + 49);
    assert_string_equal(row(2), line);
}

static void save_and_restore_the_cursor(void **state)
{
    (void)state;
    put("\x1b[2;3H\x1b[1;31m\x1b" "7\x1b[H\x1b[0m\x1b" "8x");
    assert_string_equal(row(1), "  x");
    assert_int_equal(vt_view_cell(&vt, 1, 2)->fg, VT_COLOR_INDEXED(1));
    assert_int_equal(vt_view_cell(&vt, 1, 2)->attr, VT_ATTR_BOLD);
    put("\x1b[4;4H\x1b[s\x1b[H\x1b[uy");
    assert_string_equal(row(3), "   y");
}

static void sgr_colours_and_attributes(void **state)
{
    (void)state;
    put("\x1b[1;4;7;32;45ma\x1b[22;24;27mb\x1b[38;5;200;48;2;1;2;3mc\x1b[39;49;93;104md\x1b[me");
    const struct vt_cell *c = vt_view_cell(&vt, 0, 0);
    assert_int_equal(c->attr, VT_ATTR_BOLD | VT_ATTR_UNDERLINE | VT_ATTR_REVERSE);
    assert_int_equal(c->fg, VT_COLOR_INDEXED(2));
    assert_int_equal(c->bg, VT_COLOR_INDEXED(5));
    assert_int_equal(vt_view_cell(&vt, 0, 1)->attr, 0);
    assert_int_equal(vt_view_cell(&vt, 0, 2)->fg, VT_COLOR_INDEXED(200));
    assert_int_equal(vt_view_cell(&vt, 0, 2)->bg, VT_COLOR_RGB(1, 2, 3));
    assert_int_equal(vt_view_cell(&vt, 0, 3)->fg, VT_COLOR_INDEXED(11));
    assert_int_equal(vt_view_cell(&vt, 0, 3)->bg, VT_COLOR_INDEXED(12));
    assert_int_equal(vt_view_cell(&vt, 0, 4)->fg, VT_COLOR_DEFAULT);
    assert_int_equal(vt_view_cell(&vt, 0, 4)->bg, VT_COLOR_DEFAULT);
    put("\x1b[38;5;999mf\x1b[38;2;1mg");  // malformed extended colours change nothing
    assert_int_equal(vt_view_cell(&vt, 0, 5)->fg, VT_COLOR_DEFAULT);
    assert_int_equal(vt_view_cell(&vt, 0, 6)->fg, VT_COLOR_DEFAULT);
}

static void status_report_and_modes(void **state)
{
    (void)state;
    put("\x1b[3;7H\x1b[6n\x1b[5n\x1b[c");
    assert_string_equal(replies, "\x1b[3;7R\x1b[0n\x1b[?6c");
    put("\x1b[?25l");
    assert_int_equal(vt_cursor_row(&vt), -1);
    put("\x1b[?25h");
    assert_int_equal(vt_cursor_row(&vt), 2);
}

static void utf8_text_and_malformed_bytes(void **state)
{
    (void)state;
    put("\xc3\xa4\xe2\x82\xac\xf0\x9f\x98\x80");
    assert_int_equal(vt_view_cell(&vt, 0, 0)->cp, 0xe4);
    assert_int_equal(vt_view_cell(&vt, 0, 1)->cp, 0x20ac);
    assert_int_equal(vt_view_cell(&vt, 0, 2)->cp, 0x1f600);
    put("\r\n\x80\xe2\x82x\xc0\xaf\xed\xa0\x80");
    // stray continuation; cut short then x; overlong (2 parts); a surrogate (3 parts)
    assert_string_equal(row(1), "\xef\xbf\xbd\xef\xbf\xbdx\xef\xbf\xbd\xef\xbf\xbd"
                                "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
}

static void malformed_sequences_are_dropped(void **state)
{
    (void)state;
    char many[200] = "\x1b[";
    for (int i = 0; i < VT_MAX_PARAMS + 4; i++)
        strcat(many, "1;");
    strcat(many, "2J");
    put("abc");
    put(many);                      // too many parameters: not an erase
    assert_string_equal(row(0), "abc");
    put("\x1b[99999999999999999999C");   // clamped, not overflowed
    expect_cursor(9, 0);
    put("\r\n\x1b]0;a title\a" "d\x1b]2;x\x1b\\e\x1bPdcs\x1b\\f");  // strings are skipped
    put("\x1b(B\x1b[\x80g");        // a charset designation; a CSI cut by a byte outside
    put("\x1b[1\x18h");             // CAN cancels
    assert_string_equal(row(1), "defgh");
    assert_int_equal(vt.state, VT_GROUND);
}

static void keys_to_bytes(void **state)
{
    (void)state;
    char out[VT_KEY_BYTES_MAX];
    struct { unsigned code; uint32_t cp; unsigned mods; const char *want; } cases[] = {
        { NX_KEY_UP, 0, 0, "\x1b[A" },     { NX_KEY_LEFT, 0, 0, "\x1b[D" },
        { NX_KEY_HOME, 0, 0, "\x1b[H" },   { NX_KEY_END, 0, 0, "\x1b[F" },
        { NX_KEY_DELETE, 0, 0, "\x1b[3~" }, { NX_KEY_PAGEUP, 0, 0, "\x1b[5~" },
        { NX_KEY_PAGEDOWN, 0, 0, "\x1b[6~" }, { NX_KEY_RIGHT, 0, VT_MOD_CTRL, "\x1b[1;5C" },
        { NX_KEY_ENTER, '\r', 0, "\r" },   { NX_KEY_BACKSPACE, 8, 0, "\x7f" },
        { NX_KEY_TAB, '\t', 0, "\t" },     { 46, 'c', VT_MOD_CTRL, "\x03" },
        { 46, 'C', VT_MOD_CTRL | VT_MOD_SHIFT, "\x03" }, { 30, 'a', VT_MOD_ALT, "\x1b" "a" },
        { 40, 0xe4, 0, "\xc3\xa4" },       { 42, 0, VT_MOD_SHIFT, "" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        size_t n = vt_key(&vt, cases[i].code, cases[i].cp, cases[i].mods, out);
        assert_int_equal(n, strlen(cases[i].want));
        assert_memory_equal(out, cases[i].want, n);
    }
    put("\x1b[?1h");                // application cursor keys
    assert_int_equal(vt_key(&vt, NX_KEY_UP, 0, 0, out), 3);
    assert_memory_equal(out, "\x1bOA", 3);
}

static void selection_across_lines_and_scrollback(void **state)
{
    (void)state;
    put("first\r\nsecond\r\nthird  \r\nfourth\r\nfifth");  // "first" is now scrollback
    char text[64];
    vt_scroll_view(&vt, 1);
    assert_string_equal(row(0), "first");
    vt_select_start(&vt, 0, 2);
    vt_select_extend(&vt, 2, 3);
    assert_true(vt_selected(&vt, 1, 9));
    assert_false(vt_selected(&vt, 0, 1));
    assert_int_equal(vt_selection_text(&vt, text, sizeof text), strlen("rst\nsecond\nthir"));
    assert_string_equal(text, "rst\nsecond\nthir");
    vt_select_extend(&vt, 0, 0);    // backwards from the anchor
    assert_string_equal((vt_selection_text(&vt, text, sizeof text), text), "fir");
    assert_int_equal(vt_selection_text(&vt, text, 2), 1);  // cut to the room
    vt_select_clear(&vt);
    assert_int_equal(vt_selection_text(&vt, text, sizeof text), 0);
    vt_scroll_view(&vt, -1);
    put("\r\n0123456789abc");       // a wrapped line joins without a newline
    vt_select_start(&vt, 2, 0);
    vt_select_extend(&vt, 3, 9);
    assert_string_equal((vt_selection_text(&vt, text, sizeof text), text), "0123456789abc");
}

static int dirty_rows(void)
{
    int n = 0;
    for (int r = 0; r < vt.rows; r++) {
        struct vt_span d = vt_row_damage(&vt, r);
        n += d.from < d.to;
    }
    return n;
}

// Row's damage is exactly columns from..to-1.
static void expect_damage(int row, int from, int to)
{
    struct vt_span d = vt_row_damage(&vt, row);
    assert_int_equal(d.from, from);
    assert_int_equal(d.to, to);
}

// No more than rows rows are damaged: then the damage is cleared.
static void expect_rows_damaged(int rows)
{
    assert_int_equal(dirty_rows(), rows);
    vt_damage_clear(&vt);
}

static void damage_marks_only_changed_rows(void **state)
{
    (void)state;
    assert_int_equal(dirty_rows(), 4);  // a new terminal: everything
    vt_damage_clear(&vt);
    assert_int_equal(dirty_rows(), 0);
    put("x");
    assert_int_equal(dirty_rows(), 1);
    vt_damage_clear(&vt);
    put("\x1b[3;1H");               // the cursor moved: the rows it left and entered
    assert_int_equal(dirty_rows(), 2);
    assert_true(vt_row_damage(&vt, 2).to > 0);
    vt_damage_clear(&vt);
    put("\x1b[3;1H");
    assert_int_equal(dirty_rows(), 0);
    put("\r\n\r\n\r\n");            // scrolling: all of it
    assert_int_equal(dirty_rows(), 4);
}

// Damage by cell: a typed character is its cell and the cursor's next one; a cursor move
// the cell it left and the one it entered (and those between, on one row); rewriting cells
// with what they hold, only the cursor's cells; an erase the cells it blanked; a scrolling
// region its moved rows whole; the whole screen's scrolling everything.
static void damage_spans_only_the_changed_cells(void **state)
{
    (void)state;
    put("ab");
    vt_damage_clear(&vt);
    put("c");                       // the echo of a key: cell 2, the cursor to cell 3
    expect_damage(0, 2, 4);
    expect_rows_damaged(1);
    put("\x1b[9G");                 // the cursor from column 3 to 8
    expect_damage(0, 3, 9);
    expect_rows_damaged(1);
    put("\x1b[2;5H");               // to another row: the cell left and the one entered
    expect_damage(0, 8, 9);
    expect_damage(1, 4, 5);
    expect_rows_damaged(2);
    put("\x1b[1;1Hab");             // nsh redrawing its line: the same letters again
    expect_damage(0, 2, 3);         // only the cursor's cells: where it ends, where it was
    expect_damage(1, 4, 5);
    expect_rows_damaged(2);
    put("\x1b[2;5H");
    vt_damage_clear(&vt);
    put("\x1b[9D");                 // clamped at column 0
    expect_damage(1, 0, 5);
    expect_rows_damaged(1);
    put("\x1b[1;1H");
    vt_damage_clear(&vt);
    put("\x1b[K");                  // erase to the end of row 0: "abc" blanked, no move
    expect_damage(0, 0, 3);
    expect_rows_damaged(1);
    put("\x1b[1;4Hxyz");
    vt_damage_clear(&vt);
    put("\x1b[1;5H\x1b[1K");        // erase columns 0-4: x and y; the cursor from 6 to 4
    expect_damage(0, 3, 7);
    expect_rows_damaged(1);
    put("\x1b[1;3H\x1b[P");          // delete a character: the cells from the cursor moved
    expect_damage(0, 2, 10);
    expect_rows_damaged(1);
    put("\x1b[2;1Hone\x1b[3;1Htwo\x1b[4;1Hsix\x1b[2;4r");  // (the cursor home)
    vt_damage_clear(&vt);
    put("\x1b[4;1H\n");             // the region scrolls: rows 1 and 2 moved, "six" blanked
    expect_damage(0, 0, 1);
    expect_damage(1, 0, 10);
    expect_damage(2, 0, 10);
    expect_damage(3, 0, 3);
    assert_false(vt.all_dirty);
    expect_rows_damaged(4);
    put("\x1b[r\x1b[4;1H\n");        // the whole screen scrolls: everything
    assert_true(vt.all_dirty);
    expect_damage(2, 0, 10);
}

static void resize_keeps_the_cursor_line(void **state)
{
    (void)state;
    put("a\r\nb\r\nc\r\nd");
    assert_int_equal(vt_resize(&vt, 5, 2), 0);
    assert_string_equal(row(0), "c");
    assert_string_equal(row(1), "d");
    expect_cursor(1, 1);
    assert_int_equal(vt.sb, 2);
    assert_int_equal(vt_resize(&vt, 20, 6), 0);  // grows: the lines stay where they were
    assert_string_equal(row(0), "c");
    assert_int_equal(vt.sb, 2);
    put("\x1b[H0123456789012345678");
    assert_int_equal(vt_resize(&vt, 4, 6), 0);  // narrower: lines are cut
    assert_string_equal(row(0), "0123");
    vt_scroll_view(&vt, 2);
    assert_string_equal(row(0), "a");
    assert_int_equal(vt_resize(&vt, 0, 100000), 0);  // clamped
    assert_int_equal(vt.cols, 1);
    assert_int_equal(vt.rows, VT_MAX_ROWS);
}

// nsh's line editor writing into the emulator: whatever it did, the screen shows the
// prompt and its line, and the cursor sits where its cursor is.
static void write_to_vt(void *ctx, const char *s, size_t len)
{
    vt_write(ctx, s, len);
}

static void nsh_line_editor_draws_correctly(void **state)
{
    (void)state;
    vt_free(&vt);
    assert_int_equal(vt_init(&vt, 40, 5, NULL), 0);
    struct ledit e;
    ledit_init(&e, "nsh> ", write_to_vt, &vt);
    ledit_start(&e);
    const char *keys = "echo hello\x1b[D\x1b[D\x1b[DXY\x7f\x1b[H# \x1b[F!!\x1b[3~"
                       "\x1b[D\x1b[D\x1b[3~";
    for (const char *k = keys; *k; k++)
        ledit_key(&e, (unsigned char)*k);
    assert_string_equal(row(0), "nsh> # echo heXllo!");
    assert_string_equal(e.line, "# echo heXllo!");
    expect_cursor(5 + (int)e.cursor, 0);
    keys = "\x15ls /boot\r" "cat\r\x1b[A\x1b[A\x1b[D";
    for (const char *k = keys; *k; k++)
        if (ledit_key(&e, (unsigned char)*k) == LEDIT_LINE)
            ledit_start(&e);  // as nsh does after running the line
    assert_string_equal(row(0), "nsh> ls /boot");
    assert_string_equal(row(1), "nsh> cat");
    assert_string_equal(row(2), "nsh> ls /boot");  // Up twice: the older line
    expect_cursor(5 + (int)e.cursor, 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(text_wraps_at_the_margin, setup, teardown),
        cmocka_unit_test_setup_teardown(controls_move_the_cursor, setup, teardown),
        cmocka_unit_test_setup_teardown(erase_in_display_and_line, setup, teardown),
        cmocka_unit_test_setup_teardown(insert_and_delete_characters_and_lines, setup, teardown),
        cmocka_unit_test_setup_teardown(scrolling_regions, setup, teardown),
        cmocka_unit_test_setup_teardown(scrollback_is_bounded, setup, teardown),
        cmocka_unit_test_setup_teardown(save_and_restore_the_cursor, setup, teardown),
        cmocka_unit_test_setup_teardown(sgr_colours_and_attributes, setup, teardown),
        cmocka_unit_test_setup_teardown(status_report_and_modes, setup, teardown),
        cmocka_unit_test_setup_teardown(utf8_text_and_malformed_bytes, setup, teardown),
        cmocka_unit_test_setup_teardown(malformed_sequences_are_dropped, setup, teardown),
        cmocka_unit_test_setup_teardown(keys_to_bytes, setup, teardown),
        cmocka_unit_test_setup_teardown(selection_across_lines_and_scrollback, setup, teardown),
        cmocka_unit_test_setup_teardown(damage_marks_only_changed_rows, setup, teardown),
        cmocka_unit_test_setup_teardown(damage_spans_only_the_changed_cells, setup, teardown),
        cmocka_unit_test_setup_teardown(resize_keeps_the_cursor_line, setup, teardown),
        cmocka_unit_test_setup_teardown(nsh_line_editor_draws_correctly, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
