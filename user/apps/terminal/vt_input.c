// The emulator's input side (vt.h): keys to the bytes a program reads, and the selection.
#include <string.h>
#include <nx/text.h>
#include "vt_int.h"

// ---- keys ----

// The keys that send an escape sequence: ESC [ <final>, or ESC [ <num> ~ when num is set.
struct special {
    uint16_t code;
    char final;
    uint8_t num;
};

static const struct special specials[] = {
    { NX_KEY_UP, 'A', 0 },     { NX_KEY_DOWN, 'B', 0 },   { NX_KEY_RIGHT, 'C', 0 },
    { NX_KEY_LEFT, 'D', 0 },   { NX_KEY_HOME, 'H', 0 },   { NX_KEY_END, 'F', 0 },
    { NX_KEY_INSERT, '~', 2 }, { NX_KEY_DELETE, '~', 3 }, { NX_KEY_PAGEUP, '~', 5 },
    { NX_KEY_PAGEDOWN, '~', 6 },
};

static size_t special_key(const struct vt *vt, const struct special *k, unsigned mods,
                          char *out)
{
    // xterm's modifier parameter: 1 + Shift 1 + Alt 2 + Ctrl 4.
    unsigned m = 1 + (mods & VT_MOD_SHIFT ? 1 : 0) + (mods & VT_MOD_ALT ? 2 : 0)
                 + (mods & VT_MOD_CTRL ? 4 : 0);
    size_t n = 0;
    out[n++] = '\x1b';
    if (k->num) {
        out[n++] = '[';
        out[n++] = (char)('0' + k->num);
        if (m > 1) {
            out[n++] = ';';
            out[n++] = (char)('0' + m);
        }
        out[n++] = '~';
        return n;
    }
    if (m > 1) {
        memcpy(out + n, "[1;", 3);
        n += 3;
        out[n++] = (char)('0' + m);
    } else {
        out[n++] = vt->app_cursor_keys ? 'O' : '[';
    }
    out[n++] = k->final;
    return n;
}

// A character with Ctrl: the C0 control of @, A-Z, [ \ ] ^ _ (either case), ? as DEL.
static bool ctrl_char(uint32_t cp, char *c)
{
    if (cp == '?')
        *c = 0x7f;
    else if (cp == ' ' || cp == '2')
        *c = 0;
    else if ((cp >= '@' && cp <= '_') || (cp >= 'a' && cp <= 'z'))
        *c = (char)(cp & 0x1f);
    else
        return false;
    return true;
}

// The keys that send one control byte whatever the key map says.
static int control_key(unsigned code)
{
    switch (code) {
    case NX_KEY_ENTER: case NX_KEY_KPENTER: return '\r';
    case NX_KEY_BACKSPACE: return 0x7f;
    case NX_KEY_TAB: return '\t';
    case NX_KEY_ESC: return 0x1b;
    }
    return -1;
}

size_t vt_key(const struct vt *vt, unsigned code, uint32_t codepoint, unsigned mods,
              char out[VT_KEY_BYTES_MAX])
{
    for (size_t i = 0; i < sizeof specials / sizeof specials[0]; i++)
        if (specials[i].code == code)
            return special_key(vt, &specials[i], mods, out);
    size_t n = 0;
    if (mods & VT_MOD_ALT)
        out[n++] = '\x1b';  // Alt: the key prefixed with ESC
    int c = control_key(code);
    char ctl;
    if (c >= 0)
        out[n++] = (char)c;
    else if (codepoint == 0)
        return 0;
    else if ((mods & VT_MOD_CTRL) && ctrl_char(codepoint, &ctl))
        out[n++] = ctl;
    else
        n += nx_utf8_encode(codepoint, out + n);
    return n;
}

// ---- selection ----

static struct vt_pos view_pos(const struct vt *vt, int row, int col)
{
    if (row < 0)
        col = 0;
    if (row >= vt->rows)
        col = vt->cols - 1;
    row = row < 0 ? 0 : row >= vt->rows ? vt->rows - 1 : row;
    col = col < 0 ? 0 : col >= vt->cols ? vt->cols - 1 : col;
    return (struct vt_pos){ vt_view_line(vt, row), col };
}

static bool before(struct vt_pos a, struct vt_pos b)
{
    return a.line < b.line || (a.line == b.line && a.col < b.col);
}

// The selection's ends in order, clipped to the lines still kept.
static bool ordered(const struct vt *vt, struct vt_pos *from, struct vt_pos *to)
{
    if (!vt->has_selection)
        return false;
    *from = vt->sel_anchor;
    *to = vt->sel_head;
    if (before(*to, *from)) {
        struct vt_pos t = *from;
        *from = *to;
        *to = t;
    }
    int64_t oldest = vt->scrolled - vt->sb;
    if (to->line < oldest)
        return false;
    if (from->line < oldest)
        *from = (struct vt_pos){ oldest, 0 };
    return true;
}

static void dirty_selection(struct vt *vt)
{
    struct vt_pos from, to;
    if (!ordered(vt, &from, &to))
        return;
    for (int r = 0; r < vt->rows; r++) {
        int64_t l = vt_view_line(vt, r);
        if (l >= from.line && l <= to.line)
            vt_dirty_row(vt, r - vt->view);
    }
}

void vt_select_start(struct vt *vt, int row, int col)
{
    vt_select_clear(vt);
    vt->sel_anchor = vt->sel_head = view_pos(vt, row, col);
    vt->has_selection = true;
    dirty_selection(vt);
}

void vt_select_extend(struct vt *vt, int row, int col)
{
    if (!vt->has_selection)
        return;
    dirty_selection(vt);
    vt->sel_head = view_pos(vt, row, col);
    dirty_selection(vt);
}

void vt_select_clear(struct vt *vt)
{
    dirty_selection(vt);
    vt->has_selection = false;
}

bool vt_selected(const struct vt *vt, int row, int col)
{
    struct vt_pos from, to, p = { vt_view_line(vt, row), col };
    return ordered(vt, &from, &to) && !before(p, from) && !before(to, p);
}

struct text_out {
    char *out;
    size_t len, cap;
};

static void put(struct text_out *t, const char *s, size_t n)
{
    if (t->len + n < t->cap) {
        memcpy(t->out + t->len, s, n);
        t->len += n;
    } else {
        t->cap = t->len + 1;  // full: nothing after a cut character
    }
}

// Columns from..to of absolute line `line` (trailing blanks dropped unless it wraps on).
static void line_text(const struct vt *vt, int64_t line, int from, int to, struct text_out *t)
{
    int row = (int)(line - vt->scrolled);
    const struct vt_cell *l = vt_line(vt, row);
    bool wraps = vt_line_wrapped(vt, row);
    int end = to;
    while (!wraps && end >= from && l[end].cp == ' ')
        end--;
    for (int c = from; c <= end; c++) {
        char u[4];
        put(t, u, nx_utf8_encode(l[c].cp, u));
    }
}

size_t vt_selection_text(const struct vt *vt, char *out, size_t cap)
{
    struct vt_pos from, to;
    if (cap == 0)
        return 0;
    struct text_out t = { out, 0, cap };
    if (ordered(vt, &from, &to)) {
        for (int64_t line = from.line; line <= to.line; line++) {
            int a = line == from.line ? from.col : 0;
            int b = line == to.line ? to.col : vt->cols - 1;
            line_text(vt, line, a, b, &t);
            if (line < to.line && !vt_line_wrapped(vt, (int)(line - vt->scrolled)))
                put(&t, "\n", 1);
        }
    }
    out[t.len] = '\0';
    return t.len;
}
