// Text fields (nx/widget.h): a bounded UTF-8 buffer, a cursor and a selection (anchor to
// cursor, both at character starts), edited by keys and the pointer. The content is kept
// valid UTF-8 without control characters, so the cursor steps by decoding and the text draws
// as it is stored (or as bullets in a password field).
#include <string.h>
#include <nexus/errors.h>
#include "widget_int.h"

#define BULLET "\xe2\x80\xa2"   // U+2022, what a password field shows per character

static size_t sel_start(const struct nx_field *f)
{
    return f->cursor < f->anchor ? f->cursor : f->anchor;
}

static size_t sel_end(const struct nx_field *f)
{
    return f->cursor > f->anchor ? f->cursor : f->anchor;
}

size_t nx_field_selection(const struct nx_field *f, size_t *start)
{
    *start = sel_start(f);
    return sel_end(f) - sel_start(f);
}

static size_t next_char(const struct nx_field *f, size_t at)
{
    uint32_t cp;
    return at < f->len ? at + nx_utf8_decode(f->buf + at, f->len - at, &cp) : at;
}

static size_t prev_char(const struct nx_field *f, size_t at)
{
    while (at > 0 && ((uint8_t)f->buf[--at] & 0xc0) == 0x80)
        ;
    return at;
}

static size_t chars_in(const char *s, size_t len)
{
    size_t n = 0;
    for (size_t i = 0; i < len; i++)
        n += ((uint8_t)s[i] & 0xc0) != 0x80;
    return n;
}

// Characters a field may hold: Unicode scalar values but the C0 and C1 control characters
// and DEL.
static bool storable(uint32_t cp)
{
    return cp >= 0x20 && cp != 0x7f && !(cp >= 0x80 && cp < 0xa0) &&
           !(cp >= 0xd800 && cp <= 0xdfff) && cp <= 0x10ffff;
}

// ---- geometry: content offsets to pixels and back ----
static int32_t bullet_w(const struct nx_theme *t)
{
    return nx_text_width(t->face, BULLET, 3);
}

// x of the boundary at byte offset at, from the text's start.
static int32_t x_of(const struct nx_field *f, const struct nx_theme *t, size_t at)
{
    if (f->password)
        return (int32_t)chars_in(f->buf, at) * bullet_w(t);
    return nx_text_width(t->face, f->buf, at);
}

// The boundary nearest to x pixels from the text's start.
static size_t offset_at(const struct nx_field *f, const struct nx_theme *t, int32_t x)
{
    if (!f->password)
        return nx_text_offset_at(t->face, f->buf, f->len, x);
    int32_t bw = bullet_w(t);
    int64_t k = bw > 0 ? ((int64_t)x + bw / 2) / bw : 0;
    size_t at = 0;
    for (; k > 0 && at < f->len; k--)
        at = next_char(f, at);
    return at;
}

static int32_t inner_w(const struct nx_field *f, const struct nx_theme *t)
{
    return f->base.rect.w - 2 * t->pad;
}

// Scrolls so that the cursor is visible, and no further right than the text needs (when
// drawing: edits by the app, nx_field_insert, know no theme).
static void show_cursor(struct nx_field *f, const struct nx_theme *t)
{
    int32_t cx = x_of(f, t, f->cursor), w = inner_w(f, t) - 1, end = x_of(f, t, f->len);
    if (cx - f->scroll_x > w)
        f->scroll_x = cx - w;
    if (cx < f->scroll_x)
        f->scroll_x = cx;
    if (f->scroll_x > 0 && end - f->scroll_x < w)
        f->scroll_x = end > w ? end - w : 0;
}

// ---- editing ----
static void delete_range(struct nx_field *f, size_t from, size_t to)
{
    memmove(f->buf + from, f->buf + to, f->len - to);
    f->len -= to - from;
    f->cursor = f->anchor = from;
}

size_t nx_field_insert(struct nx_field *f, const char *text, size_t len)
{
    delete_range(f, sel_start(f), sel_end(f));
    // The tail moves to the end of the buffer; the new text fills the gap it leaves.
    size_t tail = f->len - f->cursor, gap_end = f->cap - tail;
    memmove(f->buf + gap_end, f->buf + f->cursor, tail);
    size_t at = f->cursor;
    for (size_t i = 0, n; i < len; i += n) {
        uint32_t cp;
        n = nx_utf8_decode(text + i, len - i, &cp);
        if (!storable(cp))
            continue;
        char enc[4];
        size_t k = nx_utf8_encode(cp, enc);
        if (k > gap_end - at)
            break;   // cut at a character: the field is full
        memcpy(f->buf + at, enc, k);
        at += k;
    }
    memmove(f->buf + at, f->buf + gap_end, tail);
    size_t inserted = at - f->cursor;
    f->len += inserted;
    f->cursor = f->anchor = at;
    nx_widget_dirty(&f->base);
    return inserted;
}

void nx_field_set(struct nx_field *f, const char *text, size_t len)
{
    f->anchor = 0;
    f->cursor = f->len;
    f->scroll_x = 0;
    nx_field_insert(f, text, len);
}

// Moves the cursor to at, the anchor with it unless the selection is being extended.
static void move_to(struct nx_field *f, size_t at, bool extend)
{
    f->cursor = at;
    if (!extend)
        f->anchor = at;
}

static void move_key(struct nx_field *f, uint16_t code, bool extend)
{
    bool selected = f->cursor != f->anchor;
    if (code == NX_KEY_HOME || code == NX_KEY_END)
        move_to(f, code == NX_KEY_HOME ? 0 : f->len, extend);
    else if (selected && !extend)   // an arrow ends a selection at its side
        move_to(f, code == NX_KEY_LEFT ? sel_start(f) : sel_end(f), false);
    else
        move_to(f, code == NX_KEY_LEFT ? prev_char(f, f->cursor) : next_char(f, f->cursor), extend);
}

static void erase_key(struct nx_field *f, uint16_t code)
{
    if (f->cursor != f->anchor)
        delete_range(f, sel_start(f), sel_end(f));
    else if (code == NX_KEY_BACKSPACE)
        delete_range(f, prev_char(f, f->cursor), f->cursor);
    else
        delete_range(f, f->cursor, next_char(f, f->cursor));
}

// A key with a character to insert: not with Ctrl, Alt or Meta (AltGr is how some are typed).
static bool types_char(const struct nx_wm_event *ev)
{
    return storable(ev->key.codepoint) &&
           !(ev->key.mods & (NX_WM_MOD_CTRL | NX_WM_MOD_ALT | NX_WM_MOD_META));
}

static enum nx_widget_result field_key(struct nx_widget *w, struct nx_ui *ui,
                                       const struct nx_wm_event *ev)
{
    struct nx_field *f = (struct nx_field *)w;
    uint16_t c = ev->key.code;
    bool shift = ev->key.mods & NX_WM_MOD_SHIFT;
    if (!wgt_key_down(ev))
        return NX_WIDGET_IGNORED;
    if (c == NX_KEY_ENTER || c == NX_KEY_KPENTER)
        return NX_WIDGET_ACTIVATED;
    if (c == NX_KEY_LEFT || c == NX_KEY_RIGHT || c == NX_KEY_HOME || c == NX_KEY_END)
        move_key(f, c, shift);
    else if (c == NX_KEY_BACKSPACE || c == NX_KEY_DELETE)
        erase_key(f, c);
    else if (c == NX_KEY_A && (ev->key.mods & NX_WM_MOD_CTRL)) {
        f->anchor = 0;
        f->cursor = f->len;
    } else if (types_char(ev)) {
        char enc[4];
        nx_field_insert(f, enc, nx_utf8_encode(ev->key.codepoint, enc));
    } else
        return NX_WIDGET_IGNORED;   // Tab, Up, Down, shortcuts: the form's or the app's
    (void)ui;
    nx_widget_dirty(w);
    return NX_WIDGET_HANDLED;
}

// A press places the cursor (Shift: extends the selection); a drag extends it.
static enum nx_widget_result field_pointer(struct nx_widget *w, struct nx_ui *ui,
                                           const struct nx_wm_event *ev, uint32_t pressed,
                                           uint32_t released)
{
    struct nx_field *f = (struct nx_field *)w;
    (void)released;
    bool left = ev->pointer.buttons & NX_WM_BUTTON_LEFT;
    if (!(pressed & NX_WM_BUTTON_LEFT) && !(left && ui->grab == w))
        return NX_WIDGET_IGNORED;
    int32_t x, y;
    wgt_local(w, ev, &x, &y);
    int64_t tx = (int64_t)x - ui->theme->pad + f->scroll_x;
    size_t at = offset_at(f, ui->theme, (int32_t)(tx < INT32_MIN ? INT32_MIN : tx > INT32_MAX ? INT32_MAX : tx));
    bool extend = !(pressed & NX_WM_BUTTON_LEFT) || (ev->pointer.mods & NX_WM_MOD_SHIFT);
    if (at != f->cursor || (!extend && f->anchor != at)) {
        move_to(f, at, extend);
        nx_widget_dirty(w);
    }
    return NX_WIDGET_HANDLED;
}

// ---- drawing ----
// The content (or its bullets) with its start at x.
static void draw_content(const struct nx_field *f, struct nx_gfx_surface *view,
                         const struct nx_theme *t, int32_t x, int32_t baseline, uint32_t color)
{
    if (!f->password) {
        wgt_text(view, t, x, baseline, f->buf, f->len, color);
        return;
    }
    int32_t bw = bullet_w(t);
    size_t n = chars_in(f->buf, f->len);
    for (size_t i = 0; i < n && x < view->width; i++, x += bw)
        if (x + bw > 0)
            wgt_text(view, t, x, baseline, BULLET, 3, color);
}

static void field_draw(struct nx_widget *w, struct nx_ui *ui, struct nx_gfx_surface *view)
{
    struct nx_field *f = (struct nx_field *)w;
    const struct nx_theme *t = ui->theme;
    bool focused = w->state & NX_WIDGET_FOCUSED;
    show_cursor(f, t);
    nx_gfx_fill(view, nx_gfx_surface_rect(view), t->field_bg);
    wgt_frame(view, focused ? 2 : 1, focused ? t->focus : t->border);
    struct nx_gfx_surface inner = wgt_subview(view, (struct nx_gfx_rect){ t->pad, 2, inner_w(f, t), w->rect.h - 4 });
    int32_t base = wgt_baseline(t, w->rect.h) - 2, x = -f->scroll_x;
    if (f->len == 0 && f->placeholder && !focused)
        wgt_text(&inner, t, 0, base, f->placeholder, strlen(f->placeholder), t->muted);
    draw_content(f, &inner, t, x, base, t->fg);
    int32_t top = base - t->face->ascent, h = t->face->line_height;
    if (f->cursor != f->anchor) {
        int32_t x0 = x + x_of(f, t, sel_start(f)), x1 = x + x_of(f, t, sel_end(f));
        struct nx_gfx_surface sel = wgt_subview(&inner, (struct nx_gfx_rect){ x0, top, x1 - x0, h });
        nx_gfx_fill(&sel, nx_gfx_surface_rect(&sel), t->select_bg);
        if (sel.width > 0)
            draw_content(f, &sel, t, x - (x0 > 0 ? x0 : 0), base - (top > 0 ? top : 0), t->select_fg);
    }
    if (focused)
        nx_gfx_fill(&inner, (struct nx_gfx_rect){ x + x_of(f, t, f->cursor), top, 1, h }, t->fg);
}

static const struct nx_widget_ops field_ops = {
    .draw = field_draw, .key = field_key, .pointer = field_pointer, .focusable = true,
};

long nx_field_init(struct nx_field *f, struct nx_gfx_rect r, char *buf, size_t cap)
{
    if (!buf || cap < 1 || cap > NX_FIELD_MAX_BYTES)
        return NX_ERR_INVALID;
    *f = (struct nx_field){ .base = { &field_ops, r, NX_WIDGET_DIRTY }, .buf = buf, .cap = cap };
    return NX_OK;
}
