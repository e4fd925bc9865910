// Host unit tests for the widget toolkit (user/lib/gfx/widget*.c), driven by the events the
// compositor sends (struct nx_wm_event): typing, cursor and selection by keys and pointer,
// bounded and invalid input into text fields, password fields, buttons by keys and clicks,
// Tab order, list navigation and scrolling, the scroll view, the form's limits, and the damage
// reported (only what changed). Fonts: DejaVu from fonts-dejavu-core.
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include <nexus/errors.h>
#include <nx/keycodes.h>
#include <nx/widget.h>
#include "support/gfx_files.h"

enum { W = 320, H = 240 };

static uint8_t *font_data;
static struct nx_font font;
static struct nx_face face;
static void *cache_mem;
static struct nx_glyph_cache cache;
static struct nx_glyph_source glyphs;
static struct nx_theme theme;
static uint32_t pixels[W * H];
static struct nx_gfx_surface surface;
static struct nx_ui ui;

static int setup(void **state)
{
    (void)state;
    size_t n;
    font_data = gfx_read_file(DEJAVU_SANS, &n);
    assert_int_equal(nx_font_init(&font, font_data, n), NX_OK);
    assert_int_equal(nx_face_init(&face, &font, 14, NX_FACE_KERNING), NX_OK);
    cache_mem = aligned_alloc(8, 256u << 10);
    assert_int_equal(nx_glyph_cache_init(&cache, cache_mem, 256u << 10), NX_OK);
    glyphs = (struct nx_glyph_source){ .cache = &cache };
    nx_theme_light(&theme, &face, &glyphs);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    free(cache_mem);
    free(font_data);
    return 0;
}

// A fresh form on the whole surface, drawn once and its damage cleared.
static int fresh_form(void **state)
{
    (void)state;
    nx_gfx_surface_init(&surface, pixels, sizeof(pixels), W, H, W * 4);
    nx_ui_init(&ui, &surface, &theme);
    return 0;
}

static struct nx_widget *key_mods(uint16_t code, uint32_t cp, uint8_t mods)
{
    struct nx_wm_event ev = { .type = NX_WM_EV_KEY };
    ev.key.code = code;
    ev.key.state = 1;
    ev.key.mods = mods;
    ev.key.codepoint = cp;
    return nx_ui_event(&ui, &ev);
}

static struct nx_widget *key(uint16_t code)
{
    return key_mods(code, 0, 0);
}

static void type(const char *s)
{
    for (size_t at = 0, n; s[at]; at += n) {
        uint32_t cp;
        n = nx_utf8_decode(s + at, strlen(s + at), &cp);
        key_mods(0 /* a key the map gave the character for */, cp, 0);
    }
}

static struct nx_widget *pointer(int32_t x, int32_t y, uint32_t buttons, uint32_t mods)
{
    struct nx_wm_event ev = { .type = NX_WM_EV_POINTER };
    ev.pointer.x = x;
    ev.pointer.y = y;
    ev.pointer.buttons = buttons;
    ev.pointer.mods = mods;
    return nx_ui_event(&ui, &ev);
}

static struct nx_widget *click(int32_t x, int32_t y)
{
    pointer(x, y, NX_WM_BUTTON_LEFT, 0);
    return pointer(x, y, 0, 0);
}

static struct nx_widget *wheel(int32_t dy)
{
    struct nx_wm_event ev = { .type = NX_WM_EV_SCROLL };
    ev.scroll.dy = dy;
    return nx_ui_event(&ui, &ev);
}

static void assert_content(const struct nx_field *f, const char *want)
{
    assert_int_equal(f->len, strlen(want));
    assert_memory_equal(f->buf, want, f->len);
}

static void assert_selection(const struct nx_field *f, size_t start, size_t len)
{
    size_t s;
    assert_int_equal(nx_field_selection(f, &s), len);
    if (len)
        assert_int_equal(s, start);
}

// ---- text fields ----
static char buf[NX_FIELD_MAX_BYTES];
static struct nx_field field;

static void add_field(size_t cap)
{
    assert_int_equal(nx_field_init(&field, (struct nx_gfx_rect){ 10, 10, 200, 26 }, buf, cap), NX_OK);
    assert_int_equal(nx_ui_add(&ui, &field.base), NX_OK);
    nx_ui_focus(&ui, &field.base);
}

static void test_field_typing(void **state)
{
    (void)state;
    add_field(64);
    type("h\xc3\xa9llo");                    // héllo
    assert_content(&field, "h\xc3\xa9llo");
    assert_int_equal(field.cursor, 6);
    key(NX_KEY_BACKSPACE);
    assert_content(&field, "h\xc3\xa9ll");
    key(NX_KEY_LEFT);
    key(NX_KEY_LEFT);
    assert_int_equal(field.cursor, 3);       // after é, a two-byte character
    key(NX_KEY_LEFT);
    assert_int_equal(field.cursor, 1);
    type("X");
    assert_content(&field, "hX\xc3\xa9ll");
    key(NX_KEY_HOME);
    key(NX_KEY_DELETE);
    assert_content(&field, "X\xc3\xa9ll");
    key(NX_KEY_END);
    assert_int_equal(field.cursor, field.len);
    key(NX_KEY_DELETE);                          // nothing after the end
    key(NX_KEY_RIGHT);
    assert_content(&field, "X\xc3\xa9ll");
    // Ctrl, Alt or Meta with a character do not type; AltGr does.
    key_mods(NX_KEY_Q, 'q', NX_WM_MOD_CTRL);
    key_mods(NX_KEY_Q, 'q', NX_WM_MOD_ALT);
    key_mods(NX_KEY_Q, '@', NX_WM_MOD_ALTGR);
    assert_content(&field, "X\xc3\xa9ll@");
    // A key release types nothing.
    struct nx_wm_event up = { .type = NX_WM_EV_KEY };
    up.key.code = NX_KEY_A;
    up.key.codepoint = 'a';
    nx_ui_event(&ui, &up);
    assert_content(&field, "X\xc3\xa9ll@");
    // Enter activates the field.
    assert_ptr_equal(key(NX_KEY_ENTER), &field.base);
    key(NX_KEY_HOME);
    key(NX_KEY_BACKSPACE);                       // nothing before the start
    assert_content(&field, "X\xc3\xa9ll@");
}

static void test_field_selection_keys(void **state)
{
    (void)state;
    add_field(64);
    type("abcdef");
    key_mods(NX_KEY_LEFT, 0, NX_WM_MOD_SHIFT);
    key_mods(NX_KEY_LEFT, 0, NX_WM_MOD_SHIFT);
    assert_selection(&field, 4, 2);           // "ef"
    type("Z");                                // replaces the selection
    assert_content(&field, "abcdZ");
    key_mods(NX_KEY_HOME, 0, NX_WM_MOD_SHIFT);
    assert_selection(&field, 0, 5);
    key(NX_KEY_RIGHT);                           // ends the selection at its right side
    assert_selection(&field, 0, 0);
    assert_int_equal(field.cursor, 5);
    key_mods(NX_KEY_LEFT, 0, NX_WM_MOD_SHIFT);
    key_mods(NX_KEY_LEFT, 0, NX_WM_MOD_SHIFT);
    key(NX_KEY_LEFT);                            // ... or its left side
    assert_int_equal(field.cursor, 3);
    key_mods(NX_KEY_END, 0, NX_WM_MOD_SHIFT);
    key(NX_KEY_BACKSPACE);                       // deletes the selection only
    assert_content(&field, "abc");
    key_mods(NX_KEY_A, 'a', NX_WM_MOD_CTRL);      // select all
    assert_selection(&field, 0, 3);
    key(NX_KEY_DELETE);
    assert_content(&field, "");
}

// A 10,000-byte paste into a field of 64 bytes is cut at a character boundary.
static void test_field_bounded_paste(void **state)
{
    (void)state;
    add_field(64);
    char paste[10000];
    for (size_t i = 0; i < sizeof(paste); i++)
        paste[i] = "ab\xe2\x82\xac"[i % 5];   // "ab€" repeated
    size_t n = nx_field_insert(&field, paste, sizeof(paste));
    assert_int_equal(n, field.len);
    assert_true(field.len <= 64 && field.len > 60);
    assert_memory_equal(field.buf, paste, field.len);   // a prefix, cut between characters
    for (size_t at = 0, k; at < field.len; at += k) {
        uint32_t cp;
        k = nx_utf8_decode(field.buf + at, field.len - at, &cp);
        assert_int_not_equal(cp, NX_UTF8_REPLACEMENT);
    }
    size_t room = 64 - field.len, before = field.len;
    assert_true(room < 3);                    // "€" did not fit
    assert_int_equal(nx_field_insert(&field, "xyz", 3), room);
    assert_int_equal(field.len, 64);
    assert_int_equal(nx_field_insert(&field, "x", 1), 0);   // full
    // In the middle of a full field: the tail stays, nothing is inserted.
    key(NX_KEY_HOME);
    assert_int_equal(nx_field_insert(&field, paste, sizeof(paste)), 0);
    assert_memory_equal(field.buf, paste, before);
    assert_memory_equal(field.buf + before, "xyz", room);
    // A selection replaced by a long paste: only what fits.
    key_mods(NX_KEY_END, 0, NX_WM_MOD_SHIFT);
    n = nx_field_insert(&field, "0123456789", 10);
    assert_int_equal(n, 10);
    assert_content(&field, "0123456789");
    // The smallest field holds one byte: a two-byte character does not fit.
    char one[1];
    assert_int_equal(nx_field_init(&field, (struct nx_gfx_rect){ 0, 0, 50, 20 }, one, 1), NX_OK);
    assert_int_equal(nx_field_insert(&field, "\xc3\xa9", 2), 0);
    assert_int_equal(nx_field_insert(&field, "ab", 2), 1);
}

static void test_field_invalid_utf8(void **state)
{
    (void)state;
    add_field(64);
    // A stray byte, a sequence cut short, a control character, a newline, DEL, a C1 control.
    const char in[] = "a\xff" "\xc3" "b\x01\n\x7f\xc2\x85" "c";
    nx_field_insert(&field, in, sizeof(in) - 1);
    assert_content(&field, "a\xef\xbf\xbd\xef\xbf\xbd" "bc");
    // Typing a surrogate or a control character.
    key_mods(NX_KEY_A, 0xd800, 0);
    key_mods(NX_KEY_A, 0x1b, 0);
    assert_content(&field, "a\xef\xbf\xbd\xef\xbf\xbd" "bc");
    assert_int_equal(nx_field_init(&field, (struct nx_gfx_rect){ 0, 0, 9, 9 }, NULL, 4), NX_ERR_INVALID);
    assert_int_equal(nx_field_init(&field, (struct nx_gfx_rect){ 0, 0, 9, 9 }, buf, 0), NX_ERR_INVALID);
    assert_int_equal(nx_field_init(&field, (struct nx_gfx_rect){ 0, 0, 9, 9 }, buf, NX_FIELD_MAX_BYTES + 1),
                     NX_ERR_INVALID);
}

static void test_field_pointer(void **state)
{
    (void)state;
    add_field(64);
    nx_field_set(&field, "hello world", 11);
    nx_ui_draw(&ui);
    int32_t y = 20, x0 = 10 + theme.pad;
    click(x0 + 150, y);                       // right of the text: the end
    assert_int_equal(field.cursor, 11);
    click(x0 - 3, y);                         // left of it: the start
    assert_int_equal(field.cursor, 0);
    int32_t wh = nx_text_width(&face, "hello", 5);
    click(x0 + wh + 1, y);                    // just after "hello"
    assert_int_equal(field.cursor, 5);
    pointer(x0 + wh + 1, y, NX_WM_BUTTON_LEFT, 0);   // drag to the end (and beyond the field)
    pointer(x0 + 400, y + 50, NX_WM_BUTTON_LEFT, 0);
    pointer(x0 + 400, y + 50, 0, 0);
    assert_selection(&field, 5, 6);
    click(x0 + 1, y);
    pointer(x0 + wh + 1, y, NX_WM_BUTTON_LEFT, NX_WM_MOD_SHIFT);   // Shift+click extends
    pointer(x0 + wh + 1, y, 0, 0);
    assert_selection(&field, 0, 5);
}

static void test_field_password(void **state)
{
    (void)state;
    static char pw[32], other[32], shorter[32];
    struct nx_field secret, same_len, short_one;
    struct nx_field *fields[3] = { &secret, &same_len, &short_one };
    char *bufs[3] = { pw, other, shorter };
    for (int i = 0; i < 3; i++) {
        nx_field_init(fields[i], (struct nx_gfx_rect){ 10, 10 + 40 * i, 150, 26 }, bufs[i], 32);
        fields[i]->password = true;
        nx_ui_add(&ui, &fields[i]->base);
    }
    nx_ui_focus(&ui, &secret.base);
    type("s\xc3\xa9kr");                      // sékr: kept as typed
    assert_content(&secret, "s\xc3\xa9kr");
    nx_field_set(&same_len, "abcd", 4);
    nx_field_set(&short_one, "abc", 3);
    nx_ui_focus(&ui, NULL);
    nx_ui_draw(&ui);
    // Shown as a bullet per character: any four characters look the same, three do not.
    bool same = true, differs = false;
    for (int32_t y = 0; y < 26; y++) {
        same &= memcmp(&pixels[(10 + y) * W + 10], &pixels[(50 + y) * W + 10], 150 * 4) == 0;
        differs |= memcmp(&pixels[(10 + y) * W + 10], &pixels[(90 + y) * W + 10], 150 * 4) != 0;
    }
    assert_true(same);
    assert_true(differs);
    // The cursor moves by characters and clicks land between bullets.
    nx_ui_focus(&ui, &secret.base);
    key(NX_KEY_LEFT);
    key(NX_KEY_LEFT);
    key(NX_KEY_LEFT);
    assert_int_equal(secret.cursor, 1);
    int32_t bw = nx_text_width(&face, "\xe2\x80\xa2", 3);
    click(10 + theme.pad + 2 * bw + 1, 20);
    assert_int_equal(secret.cursor, 3);        // after "sé"
}

// A long text scrolls to keep the cursor visible.
static void test_field_scrolls(void **state)
{
    (void)state;
    add_field(256);
    for (int i = 0; i < 60; i++)
        type("w");
    nx_ui_draw(&ui);
    assert_true(field.scroll_x > 0);
    key(NX_KEY_HOME);
    nx_ui_draw(&ui);
    assert_int_equal(field.scroll_x, 0);
}

// ---- buttons and focus ----
static void test_button(void **state)
{
    (void)state;
    struct nx_button b;
    nx_button_init(&b, (struct nx_gfx_rect){ 20, 20, 80, 28 }, "OK", 2);
    nx_ui_add(&ui, &b.base);
    assert_null(pointer(50, 30, 0, 0));
    assert_true(b.base.state & NX_WIDGET_HOVER);
    pointer(50, 30, NX_WM_BUTTON_LEFT, 0);
    assert_true(b.base.state & NX_WIDGET_PRESSED);
    assert_true(b.base.state & NX_WIDGET_FOCUSED);   // a press focuses
    assert_ptr_equal(pointer(52, 31, 0, 0), &b.base);
    assert_false(b.base.state & NX_WIDGET_PRESSED);
    // Pressed inside, released outside: not activated (and not pressed while outside).
    pointer(50, 30, NX_WM_BUTTON_LEFT, 0);
    pointer(150, 30, NX_WM_BUTTON_LEFT, 0);
    assert_false(b.base.state & NX_WIDGET_PRESSED);
    assert_false(b.base.state & NX_WIDGET_HOVER);
    assert_null(pointer(150, 30, 0, 0));
    // Pressed outside, released inside: neither.
    pointer(150, 30, NX_WM_BUTTON_LEFT, 0);
    assert_null(pointer(50, 30, 0, 0));
    // A right click does nothing.
    pointer(50, 30, NX_WM_BUTTON_RIGHT, 0);
    assert_null(pointer(50, 30, 0, 0));
    // Keys: Enter and Space activate, a repeat does not, other keys are not the button's.
    assert_ptr_equal(key(NX_KEY_ENTER), &b.base);
    assert_ptr_equal(key(NX_KEY_SPACE), &b.base);
    struct nx_wm_event rep = { .type = NX_WM_EV_KEY };
    rep.key.code = NX_KEY_SPACE;
    rep.key.state = 2;
    assert_null(nx_ui_event(&ui, &rep));
    assert_null(key(NX_KEY_A));
}

static void test_tab_order(void **state)
{
    (void)state;
    static char b1[8], b2[8];
    struct nx_label l;
    struct nx_field f1, f2;
    struct nx_button b;
    struct nx_list list;
    nx_label_init(&l, (struct nx_gfx_rect){ 0, 0, 50, 20 }, "Name", 4);
    nx_field_init(&f1, (struct nx_gfx_rect){ 0, 20, 50, 20 }, b1, sizeof(b1));
    nx_button_init(&b, (struct nx_gfx_rect){ 0, 40, 50, 20 }, "Go", 2);
    nx_field_init(&f2, (struct nx_gfx_rect){ 0, 60, 50, 20 }, b2, sizeof(b2));
    nx_list_init(&list, (struct nx_gfx_rect){ 0, 80, 50, 60 }, NULL, 0);
    struct nx_widget *order[] = { &l.base, &f1.base, &b.base, &f2.base, &list.base };
    for (int i = 0; i < 5; i++)
        assert_int_equal(nx_ui_add(&ui, order[i]), NX_OK);
    struct nx_widget *forward[] = { &f1.base, &b.base, &f2.base, &list.base, &f1.base };
    for (int i = 0; i < 5; i++) {
        key(NX_KEY_TAB);
        assert_ptr_equal(ui.focus, forward[i]);
        assert_true(ui.focus->state & NX_WIDGET_FOCUSED);
    }
    struct nx_widget *back[] = { &list.base, &f2.base, &b.base, &f1.base };
    for (int i = 0; i < 4; i++) {
        key_mods(NX_KEY_TAB, 0, NX_WM_MOD_SHIFT);
        assert_ptr_equal(ui.focus, back[i]);
    }
    assert_int_equal(f1.base.state & NX_WIDGET_FOCUSED, NX_WIDGET_FOCUSED);
    assert_false(b.base.state & NX_WIDGET_FOCUSED);   // one focus at a time
    // From no focus, Shift+Tab starts at the last; Ctrl+Tab is not for the form.
    nx_ui_focus(&ui, NULL);
    key_mods(NX_KEY_TAB, 0, NX_WM_MOD_SHIFT);
    assert_ptr_equal(ui.focus, &list.base);
    key_mods(NX_KEY_TAB, 0, NX_WM_MOD_CTRL);
    assert_ptr_equal(ui.focus, &list.base);
    // A label takes no focus, by click or by call.
    nx_ui_focus(&ui, &l.base);
    assert_ptr_equal(ui.focus, &list.base);
    click(10, 10);
    assert_ptr_equal(ui.focus, &list.base);
    click(10, 30);
    assert_ptr_equal(ui.focus, &f1.base);
}

static void test_form_limits(void **state)
{
    (void)state;
    static struct nx_label labels[NX_UI_MAX_WIDGETS + 1];
    for (int i = 0; i <= NX_UI_MAX_WIDGETS; i++)
        nx_label_init(&labels[i], (struct nx_gfx_rect){ 0, i * 3, 10, 3 }, "", 0);
    for (int i = 0; i < NX_UI_MAX_WIDGETS; i++)
        assert_int_equal(nx_ui_add(&ui, &labels[i].base), NX_OK);
    assert_int_equal(nx_ui_add(&ui, &labels[NX_UI_MAX_WIDGETS].base), NX_ERR_NO_SPACE);
    assert_int_equal(nx_ui_add(&ui, &labels[0].base), NX_ERR_INVALID);   // already in
    assert_int_equal(nx_ui_add(&ui, NULL), NX_ERR_INVALID);
    fresh_form(NULL);
    struct nx_label out;
    nx_label_init(&out, (struct nx_gfx_rect){ W - 5, 0, 10, 10 }, "", 0);   // past the edge
    assert_int_equal(nx_ui_add(&ui, &out.base), NX_ERR_INVALID);
    nx_label_init(&out, (struct nx_gfx_rect){ 0, 0, 0, 10 }, "", 0);        // empty
    assert_int_equal(nx_ui_add(&ui, &out.base), NX_ERR_INVALID);
    // Events with nothing to receive them, pointers far outside.
    assert_null(key(NX_KEY_TAB));
    assert_null(pointer(INT32_MIN, INT32_MAX, NX_WM_BUTTON_LEFT, 0));
    assert_null(wheel(5));
}

// ---- lists ----
static const char *const items[] = {
    "alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "iota", "kappa",
    "lambda", "mu", "nu", "xi", "omicron", "pi", "rho", "sigma", "tau", "upsilon",
};
#define NITEMS ((int32_t)(sizeof(items) / sizeof(items[0])))

static void test_list_keys(void **state)
{
    (void)state;
    struct nx_list l;
    int32_t rh = nx_list_row_height(&theme);
    nx_list_init(&l, (struct nx_gfx_rect){ 10, 10, 120, 5 * rh + 2 }, items, NITEMS);
    nx_ui_add(&ui, &l.base);
    nx_ui_focus(&ui, &l.base);
    assert_null(key(NX_KEY_ENTER));              // nothing selected yet
    key(NX_KEY_DOWN);
    assert_int_equal(l.selected, 0);
    key(NX_KEY_UP);
    assert_int_equal(l.selected, 0);          // stays at the top
    for (int i = 0; i < 7; i++)
        key(NX_KEY_DOWN);
    assert_int_equal(l.selected, 7);
    assert_int_equal(l.bar.pos, 3 * rh);      // row 7 is the last visible of 5
    key(NX_KEY_END);
    assert_int_equal(l.selected, NITEMS - 1);
    assert_int_equal(l.bar.pos, (NITEMS - 5) * rh);
    key(NX_KEY_DOWN);
    assert_int_equal(l.selected, NITEMS - 1);
    key(NX_KEY_PAGEUP);
    assert_int_equal(l.selected, NITEMS - 6);
    key(NX_KEY_HOME);
    assert_int_equal(l.selected, 0);
    assert_int_equal(l.bar.pos, 0);
    key(NX_KEY_PAGEDOWN);
    assert_int_equal(l.selected, 5);
    assert_ptr_equal(key(NX_KEY_ENTER), &l.base);
    assert_null(key(NX_KEY_LEFT));               // not the list's
    // New, shorter items: a selection past their end is cleared.
    nx_list_set_items(&l, items, 3);
    assert_int_equal(l.selected, -1);
    nx_list_set_items(&l, NULL, 0);
    assert_null(key(NX_KEY_DOWN));
    assert_int_equal(l.selected, -1);
}

static void test_list_pointer_and_wheel(void **state)
{
    (void)state;
    struct nx_list l;
    int32_t rh = nx_list_row_height(&theme);
    nx_list_init(&l, (struct nx_gfx_rect){ 10, 10, 120, 5 * rh + 2 }, items, NITEMS);
    nx_ui_add(&ui, &l.base);
    nx_ui_draw(&ui);
    assert_null(click(40, 11 + 2 * rh + 3));  // row 2
    assert_int_equal(l.selected, 2);
    assert_ptr_equal(ui.focus, &l.base);
    assert_ptr_equal(pointer(40, 11 + 2 * rh + 3, NX_WM_BUTTON_LEFT, 0), &l.base);   // again
    pointer(40, 11 + 2 * rh + 3, 0, 0);
    pointer(40, 20, 0, 0);                    // hover, then the wheel
    wheel(3);
    assert_int_equal(l.bar.pos, 3 * rh);
    assert_null(click(40, 11 + 1));           // now row 3 is on top
    assert_int_equal(l.selected, 3);
    wheel(1000);
    assert_int_equal(l.bar.pos, (NITEMS - 5) * rh);
    wheel(-1000);
    assert_int_equal(l.bar.pos, 0);
    // The scroll bar: a press below the thumb pages; the thumb dragged past either end stops
    // there.
    int32_t bx = 10 + 120 - 1 - 4, bottom = 10 + 5 * rh;
    click(bx, bottom - 2);
    assert_int_equal(l.bar.pos, 5 * rh);
    assert_int_equal(l.selected, 3);          // the bar's press selected nothing
    nx_list_select(&l, 0);
    key(NX_KEY_HOME);
    pointer(bx, 13, NX_WM_BUTTON_LEFT, 0);     // on the thumb at the top
    pointer(bx, bottom + 500, NX_WM_BUTTON_LEFT, 0);
    assert_int_equal(l.bar.pos, (NITEMS - 5) * rh);
    pointer(bx, -500, NX_WM_BUTTON_LEFT, 0);
    assert_int_equal(l.bar.pos, 0);
    pointer(bx, -500, 0, 0);
    assert_int_equal(l.bar.grab, -1);
}

// ---- the scroll view ----
static int32_t last_offset, draws;

static void draw_rows(void *ctx, struct nx_gfx_surface *view, const struct nx_theme *t, int32_t offset)
{
    (void)ctx;
    last_offset = offset;
    draws++;
    nx_gfx_fill(view, nx_gfx_surface_rect(view), t->field_bg);
}

static void test_scroll_view(void **state)
{
    (void)state;
    struct nx_scroll s;
    nx_scroll_init(&s, (struct nx_gfx_rect){ 10, 10, 100, 102 }, 1000, draw_rows, NULL);
    nx_ui_add(&ui, &s.base);
    draws = 0;
    nx_ui_draw(&ui);
    assert_int_equal(draws, 1);
    assert_int_equal(last_offset, 0);
    nx_ui_focus(&ui, &s.base);
    key(NX_KEY_END);
    nx_ui_draw(&ui);
    assert_int_equal(last_offset, 900);
    key(NX_KEY_DOWN);
    assert_int_equal(s.bar.pos, 900);
    key(NX_KEY_PAGEUP);
    assert_int_equal(s.bar.pos, 900 - (100 - face.line_height));
    key(NX_KEY_HOME);
    key(NX_KEY_UP);
    assert_int_equal(s.bar.pos, 0);
    pointer(50, 50, 0, 0);
    wheel(2);
    assert_int_equal(s.bar.pos, 6 * face.line_height);
    nx_scroll_to(&s, 5000);
    assert_int_equal(s.bar.pos, 900);
    nx_scroll_set_content(&s, 50);            // shorter than the view: no scrolling at all
    assert_int_equal(s.bar.pos, 0);
    wheel(3);
    assert_int_equal(s.bar.pos, 0);
    draws = 0;
    nx_ui_draw(&ui);
    assert_int_equal(draws, 1);
    nx_ui_draw(&ui);
    assert_int_equal(draws, 1);               // nothing changed: not drawn again
}

// ---- damage ----
static void test_damage_only_what_changed(void **state)
{
    (void)state;
    struct nx_button b;
    struct nx_label l;
    nx_label_init(&l, (struct nx_gfx_rect){ 10, 50, 100, 20 }, "Label", 5);
    nx_button_init(&b, (struct nx_gfx_rect){ 220, 10, 80, 26 }, "OK", 2);
    add_field(64);
    nx_ui_add(&ui, &l.base);
    nx_ui_add(&ui, &b.base);
    nx_ui_draw(&ui);
    assert_int_equal(nx_gfx_damage_area(&ui.damage), W * H);   // the first frame: everything
    nx_gfx_damage_clear(&ui.damage);
    nx_ui_draw(&ui);
    assert_true(nx_gfx_damage_empty(&ui.damage));   // nothing happened
    type("x");
    nx_ui_draw(&ui);
    assert_int_equal(ui.damage.count, 1);
    assert_memory_equal(&ui.damage.rects[0], &field.base.rect, sizeof(struct nx_gfx_rect));
    nx_gfx_damage_clear(&ui.damage);
    pointer(230, 20, 0, 0);                   // hover the button
    nx_ui_draw(&ui);
    assert_int_equal(ui.damage.count, 1);
    assert_memory_equal(&ui.damage.rects[0], &b.base.rect, sizeof(struct nx_gfx_rect));
    nx_gfx_damage_clear(&ui.damage);
    pointer(231, 21, 0, 0);                   // moving within it changes nothing
    nx_ui_draw(&ui);
    assert_true(nx_gfx_damage_empty(&ui.damage));
    pointer(20, 20, 0, 0);                    // onto the field: only the button's look changes
    nx_ui_draw(&ui);
    assert_int_equal(ui.damage.count, 1);
    assert_memory_equal(&ui.damage.rects[0], &b.base.rect, sizeof(struct nx_gfx_rect));
    nx_gfx_damage_clear(&ui.damage);
    nx_label_set(&l, "Other", 5);
    nx_ui_draw(&ui);
    assert_int_equal(nx_gfx_damage_area(&ui.damage), 100 * 20);
    // A theme change redraws everything.
    struct nx_theme dark;
    nx_theme_dark(&dark, &face, &glyphs);
    nx_gfx_damage_clear(&ui.damage);
    nx_ui_set_theme(&ui, &dark);
    nx_ui_draw(&ui);
    assert_int_equal(nx_gfx_damage_area(&ui.damage), W * H);
    assert_int_equal(pixels[0], dark.bg);
}

static void test_text_offset_at(void **state)
{
    (void)state;
    const char s[] = "Wave\xc3\xa9";
    size_t len = sizeof(s) - 1;
    assert_int_equal(nx_text_offset_at(&face, s, len, -100), 0);
    assert_int_equal(nx_text_offset_at(&face, s, len, 0), 0);
    assert_int_equal(nx_text_offset_at(&face, s, len, 10000), len);
    assert_int_equal(nx_text_offset_at(&face, s, 0, 5), 0);
    for (size_t at = 0; at <= len; at = at == 4 ? len : at + 1) {
        int32_t x = nx_text_width(&face, s, at);
        assert_int_equal(nx_text_offset_at(&face, s, len, x), at);   // on a boundary: it
        if (at == len)
            break;
    }
}

#define FORM_TEST(t) cmocka_unit_test_setup(t, fresh_form)

int main(void)
{
    const struct CMUnitTest tests[] = {
        FORM_TEST(test_field_typing),
        FORM_TEST(test_field_selection_keys),
        FORM_TEST(test_field_bounded_paste),
        FORM_TEST(test_field_invalid_utf8),
        FORM_TEST(test_field_pointer),
        FORM_TEST(test_field_password),
        FORM_TEST(test_field_scrolls),
        FORM_TEST(test_button),
        FORM_TEST(test_tab_order),
        FORM_TEST(test_form_limits),
        FORM_TEST(test_list_keys),
        FORM_TEST(test_list_pointer_and_wheel),
        FORM_TEST(test_scroll_view),
        FORM_TEST(test_damage_only_what_changed),
        FORM_TEST(test_text_offset_at),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
