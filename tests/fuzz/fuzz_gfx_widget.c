// libFuzzer target for the widgets (user/lib/gfx/widget*.c): any sequence of the
// compositor's events (keys with any code, state, modifiers and code point; pointer moves and
// buttons anywhere; wheel steps; pastes of any bytes) fed to a form of a label, a text field,
// a password field, a button, a list and a scroll view, drawn after each event. After every
// event: each field's content is valid UTF-8 without control characters and within its
// capacity, its cursor and anchor at character boundaries; the list's selection is in range;
// every scroll position within its bar; the damage inside the surface.
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <nexus/errors.h>
#include <nx/widget.h>
#include "support/gfx_files.h"

enum { W = 200, H = 200, REC = 12 };

static struct nx_face face;
static struct nx_glyph_cache cache;
static struct nx_glyph_source glyphs;
static struct nx_theme theme;
static uint32_t pixels[W * H];
static struct nx_gfx_surface surface;
static const char *const items[] = { "one", "two", "three", "four", "five", "six", "seven" };

static void setup(void)
{
    static struct nx_font font;
    size_t size;
    uint8_t *data = gfx_read_file(DEJAVU_SANS, &size);   // kept for the whole run
    if (!data || nx_font_init(&font, data, size) != NX_OK || nx_face_init(&face, &font, 12, 0) != NX_OK ||
        nx_glyph_cache_init(&cache, aligned_alloc(8, NX_GLYPH_CACHE_MIN_BYTES),
                            NX_GLYPH_CACHE_MIN_BYTES) != NX_OK)
        abort();
    glyphs = (struct nx_glyph_source){ .cache = &cache };
    nx_theme_light(&theme, &face, &glyphs);
    nx_gfx_surface_init(&surface, pixels, sizeof(pixels), W, H, W * 4);
}

static void check_field(const struct nx_field *f)
{
    if (f->len > f->cap || f->cursor > f->len || f->anchor > f->len)
        abort();
    bool cursor_ok = f->cursor == f->len, anchor_ok = f->anchor == f->len;
    for (size_t at = 0, n; at < f->len; at += n) {
        uint32_t cp;
        n = nx_utf8_decode(f->buf + at, f->len - at, &cp);
        char enc[4];
        if (cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp < 0xa0) ||
            nx_utf8_encode(cp, enc) != n || memcmp(enc, f->buf + at, n) != 0)
            abort();   // not what a well-formed encoding of cp is: ill-formed bytes
        cursor_ok |= f->cursor == at;
        anchor_ok |= f->anchor == at;
    }
    if (!cursor_ok || !anchor_ok)
        abort();
}

static void check_bar(const struct nx_scrollbar *b)
{
    int32_t max = b->content > b->view ? b->content - b->view : 0;
    if (b->pos < 0 || b->pos > max)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!surface.pixels)
        setup();
    static char name[40], pw[16];
    struct nx_label label;
    struct nx_field field, secret;
    struct nx_button button;
    struct nx_list list;
    struct nx_scroll scroll;
    struct nx_ui ui;
    nx_ui_init(&ui, &surface, &theme);
    nx_label_init(&label, (struct nx_gfx_rect){ 0, 0, 60, 18 }, "Label", 5);
    nx_field_init(&field, (struct nx_gfx_rect){ 0, 20, 120, 24 }, name, sizeof(name));
    nx_field_init(&secret, (struct nx_gfx_rect){ 0, 46, 120, 24 }, pw, sizeof(pw));
    secret.password = true;
    nx_button_init(&button, (struct nx_gfx_rect){ 130, 20, 60, 24 }, "OK", 2);
    nx_list_init(&list, (struct nx_gfx_rect){ 0, 72, 120, 60 }, items, 7);
    nx_scroll_init(&scroll, (struct nx_gfx_rect){ 0, 134, 120, 60 }, 300, NULL, NULL);
    struct nx_widget *all[] = { &label.base, &field.base, &secret.base, &button.base, &list.base, &scroll.base };
    for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
        if (nx_ui_add(&ui, all[i]) != NX_OK)
            abort();
    for (size_t at = 0; at + REC <= size; at += REC) {
        const uint8_t *r = data + at;
        struct nx_wm_event ev = { .type = 1 + r[0] % 4 };
        if (ev.type == 4) {   // a paste of the next bytes into the focused field
            size_t n = r[1] < size - at ? r[1] : size - at;
            if (ui.focus == &field.base || ui.focus == &secret.base)
                nx_field_insert((struct nx_field *)ui.focus, (const char *)r, n);
        } else {
            memcpy(&ev.key, r + 1, REC - 1);   // the union: key, pointer or scroll fields
            if (ev.type == NX_WM_EV_POINTER) {   // mostly over the form, sometimes anywhere
                if (!(r[2] & 0x80))
                    ev.pointer.x = (int8_t)r[1] + 100;
                if (!(r[6] & 0x80))
                    ev.pointer.y = (int8_t)r[5] + 100;
            }
            nx_ui_event(&ui, &ev);
        }
        nx_ui_draw(&ui);
        check_field(&field);
        check_field(&secret);
        if (list.selected < -1 || list.selected >= (int32_t)list.count)
            abort();
        check_bar(&list.bar);
        check_bar(&scroll.bar);
        if (!nx_gfx_rect_contains(nx_gfx_surface_rect(&surface), nx_gfx_damage_extent(&ui.damage)))
            abort();
        nx_gfx_damage_clear(&ui.damage);
    }
    return 0;
}
