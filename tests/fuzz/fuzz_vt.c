// libFuzzer target for the terminal emulator (user/apps/terminal/vt*.c): whatever a program
// prints, interleaved with resizes, scrolling the view, selections and keys. Nothing may
// read or write out of bounds (ASan) or hit undefined behaviour (UBSan), and the state stays
// sound: the cursor and the margins on the screen, the scrollback and the view bounded, the
// selection's text within its buffer and NUL-terminated; and the damage covers every cell
// of the view that looks different after an operation (its contents, its selection, the
// cursor on it), within the row's columns.
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../user/apps/terminal/vt.h"

static void check(const struct vt *vt)
{
    if (vt->cur.x < 0 || vt->cur.x >= vt->cols || vt->cur.y < 0 || vt->cur.y >= vt->rows ||
        vt->margin_top < 0 || vt->margin_top >= vt->margin_bottom + (vt->rows == 1) ||
        vt->margin_bottom >= vt->rows || vt->sb < 0 || vt->sb > VT_SCROLLBACK ||
        vt->view < 0 || vt->view > vt->sb)
        abort();
}

// How a cell of the view looks: what a renderer draws from.
struct look {
    struct vt_cell c;
    bool selected, cursor;
};

// The view before an operation (a resize damages everything: the fuzzer's sizes stay below
// 70 x 30).
static struct look before[70 * 30];

static struct look look_of(const struct vt *vt, int row, int col)
{
    return (struct look){ *vt_view_cell(vt, row, col), vt_selected(vt, row, col),
                          vt_cursor_row(vt) == row && vt->cur.x == col };
}

static bool same_look(struct look a, struct look b)
{
    return a.c.cp == b.c.cp && a.c.fg == b.c.fg && a.c.bg == b.c.bg && a.c.attr == b.c.attr &&
           a.selected == b.selected && a.cursor == b.cursor;
}

static void shoot(const struct vt *vt)
{
    for (int r = 0; r < vt->rows; r++)
        for (int c = 0; c < vt->cols; c++)
            before[r * vt->cols + c] = look_of(vt, r, c);
}

static void check_damage(const struct vt *vt, int cols, int rows)
{
    if (vt->all_dirty)
        return;
    if (vt->cols != cols || vt->rows != rows)
        abort();  // a new size not all damaged
    for (int r = 0; r < vt->rows; r++) {
        struct vt_span d = vt_row_damage(vt, r);
        if (d.from < d.to && (d.from < 0 || d.to > vt->cols))
            abort();
        for (int c = 0; c < vt->cols; c++)
            if ((c < d.from || c >= d.to) && !same_look(before[r * vt->cols + c], look_of(vt, r, c)))
                abort();
    }
}

static void ignore_reply(void *ctx, const char *s, size_t len)
{
    (void)ctx;
    if (len > 32 || (len && s[0] != '\x1b'))
        abort();
}

// One operation chosen by op from the bytes at *p (consumed).
static void operate(struct vt *vt, uint8_t op, const uint8_t **p, const uint8_t *end)
{
    size_t left = (size_t)(end - *p);
    uint8_t a = left > 0 ? (*p)[0] : 0, b = left > 1 ? (*p)[1] : 0;
    char buf[256];
    switch (op & 7) {
    case 0: vt_resize(vt, a % 70, b % 30); *p += left < 2 ? left : 2; break;
    case 1: vt_scroll_view(vt, (int8_t)a * 8); *p += left < 1 ? left : 1; break;
    case 2: vt_select_start(vt, (int8_t)a, (int8_t)b); *p += left < 2 ? left : 2; break;
    case 3: vt_select_extend(vt, (int8_t)a, (int8_t)b); *p += left < 2 ? left : 2; break;
    case 4: {
        size_t n = vt_selection_text(vt, buf, 1 + a % sizeof buf);
        if (n >= 1 + a % sizeof buf || buf[n] != '\0')
            abort();
        *p += left < 1 ? left : 1;
        break;
    }
    case 5: {
        char out[VT_KEY_BYTES_MAX];
        if (vt_key(vt, a, (uint32_t)b << (op >> 3), op >> 5, out) > VT_KEY_BYTES_MAX)
            abort();
        *p += left < 2 ? left : 2;
        break;
    }
    default: {  // text: the next a bytes
        size_t n = a < left - (left > 0) ? a : left - (left > 0);
        vt_write(vt, *p + (left > 0), n);
        *p += n + (left > 0);
        break;
    }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    struct vt vt;
    struct vt_callbacks cb = { .reply = ignore_reply };
    if (vt_init(&vt, 1 + data[0] % 64, 1 + data[1] % 24, &cb))
        return 0;
    const uint8_t *p = data + 2, *end = data + size;
    while (p < end) {
        uint8_t op = *p++;
        int cols = vt.cols, rows = vt.rows;
        shoot(&vt);
        operate(&vt, op, &p, end);
        check(&vt);
        check_damage(&vt, cols, rows);
        vt_damage_clear(&vt);
    }
    vt_free(&vt);
    return 0;
}
