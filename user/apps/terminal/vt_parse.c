// The emulator's parser (vt.h): UTF-8 text, C0 controls, ESC and CSI sequences, and strings
// (OSC, DCS...) skipped whole. A state machine after the DEC/xterm one, reduced to the
// subset docs/terminal.md lists; what it does not know it drops, and it stores at most
// VT_MAX_PARAMS parameters, so no input can make it grow or fail.
#include <stdio.h>
#include <nx/text.h>
#include "vt_int.h"

#define ESC 0x1b
#define CAN 0x18
#define SUB 0x1a
#define DEL 0x7f

static int min(int a, int b) { return a < b ? a : b; }
static int max(int a, int b) { return a > b ? a : b; }

// Parameter i, or def when absent or 0.
static int param(const struct vt *vt, int i, int def)
{
    return i < vt->nparams && vt->params[i] ? (int)vt->params[i] : def;
}

static void reply(struct vt *vt, const char *s, int len)
{
    if (vt->cb.reply && len > 0)
        vt->cb.reply(vt->cb.ctx, s, (size_t)len);
}

// ---- the cursor ----

static void move_to(struct vt *vt, int x, int y)
{
    vt->cur.x = max(0, min(x, vt->cols - 1));
    vt->cur.y = max(0, min(y, vt->rows - 1));
    vt->cur.wrap_pending = false;
}

// Up or down by n, stopping at the scrolling region's edge when inside it.
static void move_vertical(struct vt *vt, int n)
{
    int y = vt->cur.y, lo = 0, hi = vt->rows - 1;
    if (y >= vt->margin_top && y <= vt->margin_bottom) {
        lo = vt->margin_top;
        hi = vt->margin_bottom;
    }
    move_to(vt, vt->cur.x, max(lo, min(y + n, hi)));
}

static void linefeed(struct vt *vt)
{
    if (vt->cur.y == vt->margin_bottom)
        vt_scroll_up(vt, vt->margin_top, vt->margin_bottom, 1, true);
    else if (vt->cur.y < vt->rows - 1)
        vt->cur.y++;
    vt->cur.wrap_pending = false;
}

static void reverse_index(struct vt *vt)
{
    if (vt->cur.y == vt->margin_top)
        vt_scroll_down(vt, vt->margin_top, vt->margin_bottom, 1);
    else if (vt->cur.y > 0)
        vt->cur.y--;
    vt->cur.wrap_pending = false;
}

static void print(struct vt *vt, uint32_t cp)
{
    if (cp >= 0x80 && cp < 0xa0)
        return;  // C1 controls as text: not drawable
    if (vt->cur.wrap_pending && vt->autowrap) {
        vt_set_wrapped(vt, vt->cur.y, true);
        vt->cur.x = 0;
        linefeed(vt);
    }
    struct vt_cell c = vt->cur.pen;
    c.cp = cp;
    vt_put(vt, vt->cur.y, vt->cur.x, c);
    if (vt->cur.x == vt->cols - 1)
        vt->cur.wrap_pending = true;
    else
        vt->cur.x++;
}

// ---- erasing and editing within the screen ----

static void erase_display(struct vt *vt, int mode)
{
    int y = vt->cur.y;
    if (mode == 0) {
        vt_fill(vt, y, vt->cur.x, vt->cols);
        for (int r = y + 1; r < vt->rows; r++)
            vt_fill(vt, r, 0, vt->cols);
    } else if (mode == 1) {
        for (int r = 0; r < y; r++)
            vt_fill(vt, r, 0, vt->cols);
        vt_fill(vt, y, 0, vt->cur.x + 1);
    } else if (mode == 2) {
        for (int r = 0; r < vt->rows; r++)
            vt_fill(vt, r, 0, vt->cols);
    } else if (mode == 3) {  // xterm: forget the scrollback
        vt->sb = vt->view = 0;
        vt->has_selection = false;
        vt_damage_all(vt);
    }
}

static void erase_line(struct vt *vt, int mode)
{
    int y = vt->cur.y;
    if (mode == 0)
        vt_fill(vt, y, vt->cur.x, vt->cols);
    else if (mode == 1)
        vt_fill(vt, y, 0, vt->cur.x + 1);
    else if (mode == 2)
        vt_fill(vt, y, 0, vt->cols);
}

// n cells inserted at the cursor (the rest shift right, falling off the end), or deleted
// (the rest shift left, blanks entering at the end).
static void shift_cells(struct vt *vt, int n, bool insert)
{
    struct vt_cell *l = vt_line(vt, vt->cur.y);
    int x = vt->cur.x, span = vt->cols - x;
    n = min(n, span);
    if (insert) {
        for (int c = vt->cols - 1; c >= x + n; c--)
            l[c] = l[c - n];
        vt_fill(vt, vt->cur.y, x, x + n);
    } else {
        for (int c = x; c + n < vt->cols; c++)
            l[c] = l[c + n];
        vt_fill(vt, vt->cur.y, vt->cols - n, vt->cols);
    }
    vt_dirty_cells(vt, vt->cur.y, x, vt->cols);  // (the cells moved)
    vt->cur.wrap_pending = false;
}

// IL and DL: lines at the cursor, within the scrolling region (nothing outside it).
static void shift_lines(struct vt *vt, int n, bool insert)
{
    int y = vt->cur.y;
    if (y < vt->margin_top || y > vt->margin_bottom)
        return;
    if (insert)
        vt_scroll_down(vt, y, vt->margin_bottom, n);
    else
        vt_scroll_up(vt, y, vt->margin_bottom, n, false);
    vt->cur.x = 0;
    vt->cur.wrap_pending = false;
}

// ---- CSI sequences ----

// An SGR extended colour (38 or 48) at params[*i]: 5;N or 2;R;G;B. VT_COLOR_DEFAULT when
// malformed (then the rest of the sequence is skipped).
static uint32_t extended_color(const struct vt *vt, int *i, bool *bad)
{
    int kind = param(vt, *i + 1, 0);
    if (kind == 5 && *i + 2 < vt->nparams && vt->params[*i + 2] < 256) {
        *i += 2;
        return VT_COLOR_INDEXED(vt->params[*i]);
    }
    if (kind == 2 && *i + 4 < vt->nparams) {
        unsigned r = vt->params[*i + 2], g = vt->params[*i + 3], b = vt->params[*i + 4];
        *i += 4;
        if (r < 256 && g < 256 && b < 256)
            return VT_COLOR_RGB(r, g, b);
    }
    *bad = true;
    return VT_COLOR_DEFAULT;
}

static void sgr_one(struct vt *vt, int *i, bool *bad)
{
    struct vt_cell *pen = &vt->cur.pen;
    unsigned p = *i < vt->nparams ? vt->params[*i] : 0;
    if (p == 0) {
        pen->fg = pen->bg = VT_COLOR_DEFAULT;
        pen->attr = 0;
    } else if (p == 1) {
        pen->attr |= VT_ATTR_BOLD;
    } else if (p == 4) {
        pen->attr |= VT_ATTR_UNDERLINE;
    } else if (p == 7) {
        pen->attr |= VT_ATTR_REVERSE;
    } else if (p == 22) {
        pen->attr &= (uint8_t)~VT_ATTR_BOLD;
    } else if (p == 24) {
        pen->attr &= (uint8_t)~VT_ATTR_UNDERLINE;
    } else if (p == 27) {
        pen->attr &= (uint8_t)~VT_ATTR_REVERSE;
    } else if (p >= 30 && p <= 37) {
        pen->fg = VT_COLOR_INDEXED(p - 30);
    } else if (p >= 40 && p <= 47) {
        pen->bg = VT_COLOR_INDEXED(p - 40);
    } else if (p >= 90 && p <= 97) {
        pen->fg = VT_COLOR_INDEXED(p - 90 + 8);
    } else if (p >= 100 && p <= 107) {
        pen->bg = VT_COLOR_INDEXED(p - 100 + 8);
    } else if (p == 39) {
        pen->fg = VT_COLOR_DEFAULT;
    } else if (p == 49) {
        pen->bg = VT_COLOR_DEFAULT;
    } else if (p == 38 || p == 48) {
        uint32_t c = extended_color(vt, i, bad);
        if (!*bad)
            *(p == 38 ? &pen->fg : &pen->bg) = c;
    }
}

static void sgr(struct vt *vt)
{
    bool bad = false;
    int n = vt->nparams ? vt->nparams : 1;
    for (int i = 0; i < n && !bad; i++)
        sgr_one(vt, &i, &bad);
}

static void set_margins(struct vt *vt)
{
    int top = param(vt, 0, 1) - 1, bottom = param(vt, 1, vt->rows) - 1;
    if (top >= bottom || bottom >= vt->rows)
        return;
    vt->margin_top = top;
    vt->margin_bottom = bottom;
    move_to(vt, 0, 0);
}

static void set_private_modes(struct vt *vt, bool on)
{
    for (int i = 0; i < vt->nparams; i++) {
        if (vt->params[i] == 25)
            vt->cursor_visible = on;
        else if (vt->params[i] == 7)
            vt->autowrap = on;
        else if (vt->params[i] == 1)
            vt->app_cursor_keys = on;
    }
}

static void status_report(struct vt *vt)
{
    char s[32];
    if (param(vt, 0, 0) == 6)
        reply(vt, s, snprintf(s, sizeof s, "\x1b[%d;%dR", vt->cur.y + 1, vt->cur.x + 1));
    else if (param(vt, 0, 0) == 5)
        reply(vt, "\x1b[0n", 4);
}

static void save_cursor(struct vt *vt)
{
    vt->saved = vt->cur;
}

static void restore_cursor(struct vt *vt)
{
    vt->cur = vt->saved;
    move_to(vt, vt->cur.x, vt->cur.y);
    vt->cur.wrap_pending = vt->saved.wrap_pending;
}

// Cursor movement and erasing: the finals taking one count (default 1).
static bool csi_counted(struct vt *vt, uint8_t final)
{
    int n = param(vt, 0, 1), x = vt->cur.x, y = vt->cur.y;
    switch (final) {
    case 'A': move_vertical(vt, -n); break;
    case 'B': case 'e': move_vertical(vt, n); break;
    case 'C': case 'a': move_to(vt, x + n, y); break;
    case 'D': move_to(vt, x - n, y); break;
    case 'E': move_vertical(vt, n); move_to(vt, 0, vt->cur.y); break;
    case 'F': move_vertical(vt, -n); move_to(vt, 0, vt->cur.y); break;
    case 'G': case '`': move_to(vt, n - 1, y); break;
    case 'd': move_to(vt, x, n - 1); break;
    case '@': shift_cells(vt, n, true); break;
    case 'P': shift_cells(vt, n, false); break;
    case 'L': shift_lines(vt, n, true); break;
    case 'M': shift_lines(vt, n, false); break;
    case 'X': vt_fill(vt, y, x, x + n); vt->cur.wrap_pending = false; break;
    case 'S': vt_scroll_up(vt, vt->margin_top, vt->margin_bottom, n, true); break;
    case 'T': vt_scroll_down(vt, vt->margin_top, vt->margin_bottom, n); break;
    default: return false;
    }
    return true;
}

static void csi_dispatch(struct vt *vt, uint8_t final)
{
    if (vt->param_overflow || vt->intermediate)
        return;
    if (vt->private_mode) {
        if (final == 'h' || final == 'l')
            set_private_modes(vt, final == 'h');
        return;
    }
    if (csi_counted(vt, final))
        return;
    switch (final) {
    case 'H': case 'f': move_to(vt, param(vt, 1, 1) - 1, param(vt, 0, 1) - 1); break;
    case 'J': erase_display(vt, param(vt, 0, 0)); break;
    case 'K': erase_line(vt, param(vt, 0, 0)); break;
    case 'm': sgr(vt); break;
    case 'h': case 'l': if (param(vt, 0, 0) == 20) vt->newline_crlf = final == 'h'; break;
    case 'r': set_margins(vt); break;
    case 's': save_cursor(vt); break;
    case 'u': restore_cursor(vt); break;
    case 'n': status_report(vt); break;
    case 'c': if (param(vt, 0, 0) == 0) reply(vt, "\x1b[?6c", 5); break;
    }
}

static void csi_byte(struct vt *vt, uint8_t b)
{
    if (b >= '0' && b <= '9') {
        if (vt->nparams == 0)
            vt->nparams = 1;
        unsigned *p = &vt->params[vt->nparams - 1];
        *p = *p * 10 + (b - '0');
        if (*p > VT_PARAM_CAP)
            *p = VT_PARAM_CAP;
    } else if (b == ';' || b == ':') {
        if (vt->nparams == 0)
            vt->nparams = 1;
        if (vt->nparams == VT_MAX_PARAMS)
            vt->param_overflow = true;
        else
            vt->params[vt->nparams++] = 0;
    } else if (b >= '<' && b <= '?') {
        vt->private_mode = true;
    } else if (b >= 0x20 && b <= 0x2f) {
        vt->intermediate = true;
    } else if (b >= 0x40 && b <= 0x7e) {
        csi_dispatch(vt, b);
        vt->state = VT_GROUND;
    } else {
        vt->state = VT_GROUND;  // not part of any sequence: the sequence is dropped
    }
}

// ---- ESC sequences ----

static void esc_byte(struct vt *vt, uint8_t b)
{
    vt->state = VT_GROUND;
    switch (b) {
    case '[':
        vt->state = VT_CSI;
        vt->nparams = 0;
        vt->params[0] = 0;
        vt->param_overflow = vt->private_mode = vt->intermediate = false;
        break;
    case ']': case 'P': case '_': case '^': case 'X':
        vt->state = VT_STRING;  // OSC, DCS, APC, PM, SOS: skipped up to ST or BEL
        break;
    case '(': case ')': case '*': case '+': case '#': case '%': case ' ':
        vt->state = VT_ESC_SKIP;  // character sets and the like: one more byte, ignored
        break;
    case '7': save_cursor(vt); break;
    case '8': restore_cursor(vt); break;
    case 'D': linefeed(vt); break;
    case 'E': linefeed(vt); vt->cur.x = 0; break;
    case 'M': reverse_index(vt); break;
    case 'c': vt_reset(vt); break;
    }
}

// ---- bytes ----

static void control(struct vt *vt, uint8_t b)
{
    switch (b) {
    case '\a':
        vt->bells++;
        if (vt->cb.bell)
            vt->cb.bell(vt->cb.ctx);
        break;
    case '\b':
        move_to(vt, vt->cur.x - 1, vt->cur.y);
        break;
    case '\t':
        move_to(vt, min((vt->cur.x / VT_TAB + 1) * VT_TAB, vt->cols - 1), vt->cur.y);
        break;
    case '\n': case '\v': case '\f':
        linefeed(vt);
        if (vt->newline_crlf)
            vt->cur.x = 0;
        break;
    case '\r':
        move_to(vt, 0, vt->cur.y);
        break;
    case ESC:
        vt->state = VT_ESC;
        break;
    case CAN: case SUB:
        vt->state = VT_GROUND;
        break;
    }
}

// The code points of the UTF-8 bytes gathered (one U+FFFD per ill-formed part).
static void utf8_flush(struct vt *vt)
{
    for (int off = 0; off < vt->utf8_len;) {
        uint32_t cp;
        off += (int)nx_utf8_decode((const char *)vt->utf8 + off, (size_t)(vt->utf8_len - off), &cp);
        print(vt, cp);
    }
    vt->utf8_len = 0;
}

static int utf8_length(uint8_t lead)
{
    return lead >= 0xc2 && lead <= 0xdf ? 2 : lead >= 0xe0 && lead <= 0xef ? 3
         : lead >= 0xf0 && lead <= 0xf4 ? 4 : 1;
}

static void text_byte(struct vt *vt, uint8_t b)
{
    bool continuation = b >= 0x80 && b <= 0xbf;
    if (vt->utf8_len && continuation) {
        vt->utf8[vt->utf8_len++] = b;
        if (vt->utf8_len == vt->utf8_need)
            utf8_flush(vt);
        return;
    }
    if (vt->utf8_len)
        utf8_flush(vt);  // cut short: U+FFFD
    if (b < 0x80) {
        print(vt, b);
        return;
    }
    vt->utf8[0] = b;
    vt->utf8_len = 1;
    vt->utf8_need = utf8_length(b);
    if (vt->utf8_need == 1)
        utf8_flush(vt);  // not a lead byte: U+FFFD
}

static void string_byte(struct vt *vt, uint8_t b)
{
    if (b == '\a' || b == CAN || b == SUB)
        vt->state = VT_GROUND;
    else if (vt->state == VT_STRING_ESC)
        vt->state = b == '\\' ? VT_GROUND : VT_STRING;
    else if (b == ESC)
        vt->state = VT_STRING_ESC;
}

static void byte(struct vt *vt, uint8_t b)
{
    if (vt->state == VT_STRING || vt->state == VT_STRING_ESC) {
        string_byte(vt, b);
        return;
    }
    if (b < 0x20) {
        if (vt->utf8_len)
            utf8_flush(vt);
        control(vt, b);
        return;
    }
    if (b == DEL)
        return;
    switch (vt->state) {
    case VT_ESC: esc_byte(vt, b); break;
    case VT_ESC_SKIP: vt->state = VT_GROUND; break;
    case VT_CSI: csi_byte(vt, b); break;
    default: text_byte(vt, b); break;
    }
}

void vt_write(struct vt *vt, const void *bytes, size_t len)
{
    const uint8_t *p = bytes;
    struct vt_cursor was = vt->cur;
    bool was_visible = vt->cursor_visible;
    for (size_t i = 0; i < len; i++)
        byte(vt, p[i]);
    // The cursor is drawn by the renderer: the cells it left and entered need redrawing.
    if (was.x != vt->cur.x || was.y != vt->cur.y || was_visible != vt->cursor_visible) {
        vt_dirty_cells(vt, was.y, was.x, was.x + 1);
        vt_dirty_cells(vt, vt->cur.y, vt->cur.x, vt->cur.x + 1);
    }
}
