// The emulator's grid (vt.h): the ring of lines, scrolling, erasing, resizing, the view and
// its damage. The parser (vt_parse.c) drives it through vt_int.h.
#include <stdlib.h>
#include <string.h>
#include "vt_int.h"

static int clamp(int v, int lo, int hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

static struct vt_cell *ring_line(const struct vt *vt, int ring)
{
    return vt->cells + (size_t)ring * (size_t)vt->cols;
}

static int ring_of_row(const struct vt *vt, int row)  // row may be negative: scrollback
{
    return ((vt->top + row) % vt->cap + vt->cap) % vt->cap;
}

struct vt_cell *vt_line(const struct vt *vt, int row)
{
    return ring_line(vt, ring_of_row(vt, row));
}

struct vt_cell vt_blank(const struct vt *vt)
{
    // Erasing fills with the pen's background, as xterm does (bce).
    return (struct vt_cell){ .cp = ' ', .fg = vt->cur.pen.fg, .bg = vt->cur.pen.bg };
}

static bool same_cell(struct vt_cell a, struct vt_cell b)
{
    return a.cp == b.cp && a.fg == b.fg && a.bg == b.bg && a.attr == b.attr;
}

void vt_put(struct vt *vt, int row, int col, struct vt_cell c)
{
    struct vt_cell *cell = vt_line(vt, row) + col;
    if (same_cell(*cell, c))
        return;  // (nsh redraws its whole line after an edit: most of it is unchanged)
    *cell = c;
    vt_dirty_cells(vt, row, col, col + 1);
}

void vt_fill(struct vt *vt, int row, int from, int to)
{
    struct vt_cell b = vt_blank(vt);
    for (int c = clamp(from, 0, vt->cols); c < clamp(to, 0, vt->cols); c++)
        vt_put(vt, row, c, b);
}

void vt_dirty_cells(struct vt *vt, int row, int from, int to)
{
    int v = row + vt->view;  // a screen row's place in the view
    from = clamp(from, 0, vt->cols);
    to = clamp(to, 0, vt->cols);
    if (v < 0 || v >= vt->rows || from >= to)
        return;
    struct vt_span *d = &vt->dirty[v];
    if (d->from >= d->to)
        *d = (struct vt_span){ from, to };
    else
        *d = (struct vt_span){ from < d->from ? from : d->from, to > d->to ? to : d->to };
}

void vt_dirty_row(struct vt *vt, int row)
{
    vt_dirty_cells(vt, row, 0, vt->cols);
}

void vt_damage_all(struct vt *vt)
{
    vt->all_dirty = true;
}

struct vt_span vt_row_damage(const struct vt *vt, int row)
{
    if (row < 0 || row >= vt->rows)
        return (struct vt_span){ 0, 0 };
    return vt->all_dirty ? (struct vt_span){ 0, vt->cols } : vt->dirty[row];
}

void vt_damage_clear(struct vt *vt)
{
    memset(vt->dirty, 0, (size_t)vt->rows * sizeof *vt->dirty);
    vt->all_dirty = false;
}

static void clear_ring(struct vt *vt)
{
    struct vt_cell b = { .cp = ' ' };
    for (size_t i = 0; i < (size_t)vt->cap * (size_t)vt->cols; i++)
        vt->cells[i] = b;
    memset(vt->wrapped, 0, (size_t)vt->cap);
}

void vt_reset(struct vt *vt)
{
    vt->cur = (struct vt_cursor){ .pen = { .cp = ' ' } };
    vt->saved = vt->cur;
    vt->margin_top = 0;
    vt->margin_bottom = vt->rows - 1;
    vt->autowrap = vt->cursor_visible = true;
    vt->app_cursor_keys = false;
    vt->state = VT_GROUND;
    vt->utf8_len = 0;
    for (int r = 0; r < vt->rows; r++)
        vt_fill(vt, r, 0, vt->cols);
    vt_damage_all(vt);
}

// The arrays of a cols x rows terminal, all or nothing.
static int alloc_arrays(struct vt *vt, int cols, int rows)
{
    int cap = rows + VT_SCROLLBACK;
    vt->cells = malloc((size_t)cap * (size_t)cols * sizeof *vt->cells);
    vt->wrapped = malloc((size_t)cap);
    vt->dirty = calloc((size_t)rows, sizeof *vt->dirty);
    if (!vt->cells || !vt->wrapped || !vt->dirty) {
        vt_free(vt);
        return -1;
    }
    vt->cols = cols;
    vt->rows = rows;
    vt->cap = cap;
    return 0;
}

int vt_init(struct vt *vt, int cols, int rows, const struct vt_callbacks *cb)
{
    memset(vt, 0, sizeof *vt);
    if (cb)
        vt->cb = *cb;
    if (alloc_arrays(vt, clamp(cols, 1, VT_MAX_COLS), clamp(rows, 1, VT_MAX_ROWS)))
        return -1;
    clear_ring(vt);
    vt_reset(vt);
    return 0;
}

void vt_free(struct vt *vt)
{
    free(vt->cells);
    free(vt->wrapped);
    free(vt->dirty);
    vt->cells = NULL;
    vt->wrapped = NULL;
    vt->dirty = NULL;
    vt->cols = vt->rows = 0;
}

// ---- scrolling ----

// The whole screen up by one: the top line joins the scrollback (the ring turns).
static void scroll_screen_up(struct vt *vt)
{
    vt->top = (vt->top + 1) % vt->cap;
    vt->scrolled++;
    if (vt->sb < VT_SCROLLBACK)
        vt->sb++;
    if (vt->view > 0)
        vt->view = vt->view < vt->sb ? vt->view + 1 : vt->sb;  // a reader of the scrollback keeps seeing the same lines
    vt->wrapped[ring_of_row(vt, vt->rows - 1)] = false;
    vt_fill(vt, vt->rows - 1, 0, vt->cols);
    vt_damage_all(vt);
}

static void move_line(struct vt *vt, int to, int from)
{
    memcpy(vt_line(vt, to), vt_line(vt, from), (size_t)vt->cols * sizeof(struct vt_cell));
    vt->wrapped[ring_of_row(vt, to)] = vt->wrapped[ring_of_row(vt, from)];
    vt_dirty_row(vt, to);
}

static void blank_line(struct vt *vt, int row)
{
    vt->wrapped[ring_of_row(vt, row)] = false;
    vt_fill(vt, row, 0, vt->cols);
}

// Rows top..bottom (inclusive) up by n: lines leave at the top, blanks enter at the bottom.
// history: lines leaving the whole screen's top go to the scrollback.
void vt_scroll_up(struct vt *vt, int top, int bottom, int n, bool history)
{
    n = clamp(n, 0, bottom - top + 1);
    if (history && top == 0 && bottom == vt->rows - 1) {
        while (n--)
            scroll_screen_up(vt);
        return;
    }
    for (int r = top; r + n <= bottom; r++)
        move_line(vt, r, r + n);
    for (int r = bottom - n + 1; r <= bottom; r++)
        blank_line(vt, r);
}

void vt_scroll_down(struct vt *vt, int top, int bottom, int n)
{
    n = clamp(n, 0, bottom - top + 1);
    for (int r = bottom; r - n >= top; r--)
        move_line(vt, r, r - n);
    for (int r = top; r < top + n; r++)
        blank_line(vt, r);
}

void vt_set_wrapped(struct vt *vt, int row, bool w)
{
    vt->wrapped[ring_of_row(vt, row)] = w;
}

bool vt_line_wrapped(const struct vt *vt, int row)
{
    return vt->wrapped[ring_of_row(vt, row)];
}

// ---- the view ----

const struct vt_cell *vt_view_cell(const struct vt *vt, int row, int col)
{
    return vt_line(vt, clamp(row, 0, vt->rows - 1) - vt->view) + clamp(col, 0, vt->cols - 1);
}

int64_t vt_view_line(const struct vt *vt, int row)
{
    return vt->scrolled + row - vt->view;
}

void vt_scroll_view(struct vt *vt, int lines)
{
    int v = clamp(vt->view + clamp(lines, -VT_SCROLLBACK, VT_SCROLLBACK), 0, vt->sb);
    if (v != vt->view)
        vt_damage_all(vt);
    vt->view = v;
}

int vt_cursor_row(const struct vt *vt)
{
    int r = vt->cur.y + vt->view;
    return vt->cursor_visible && r < vt->rows ? r : -1;
}

// ---- resizing ----

static bool line_blank(const struct vt *vt, int row)
{
    const struct vt_cell *l = vt_line(vt, row);
    for (int c = 0; c < vt->cols; c++)
        if (l[c].cp != ' ' || l[c].bg != VT_COLOR_DEFAULT)
            return false;
    return !vt_line_wrapped(vt, row);
}

// Copy the old lines first..end-1 (screen rows; negative: scrollback) of old into vt's new
// ring, line first going to ring line 0.
static void copy_lines(struct vt *vt, const struct vt *old, int first, int end)
{
    int n = vt->cols < old->cols ? vt->cols : old->cols;
    for (int i = 0; first + i < end; i++) {
        memcpy(ring_line(vt, i), vt_line(old, first + i), (size_t)n * sizeof(struct vt_cell));
        vt->wrapped[i] = vt_line_wrapped(old, first + i) && n == old->cols;
    }
}

int vt_resize(struct vt *vt, int cols, int rows)
{
    cols = clamp(cols, 1, VT_MAX_COLS);
    rows = clamp(rows, 1, VT_MAX_ROWS);
    if (cols == vt->cols && rows == vt->rows)
        return 0;
    struct vt old = *vt;
    if (alloc_arrays(vt, cols, rows)) {
        *vt = old;
        return -1;
    }
    clear_ring(vt);
    // The lines in use end at the cursor's or the last one not blank; the screen shows the
    // last `rows` of them.
    int end = old.rows;
    while (end > old.cur.y + 1 && line_blank(&old, end - 1))
        end--;
    int first_screen = end - rows > 0 ? end - rows : 0;  // old row shown at new row 0
    int keep_sb = old.sb + first_screen < VT_SCROLLBACK ? old.sb + first_screen : VT_SCROLLBACK;
    copy_lines(vt, &old, first_screen - keep_sb, end);
    vt->top = keep_sb;
    vt->sb = keep_sb;
    vt->scrolled = old.scrolled + first_screen;
    vt->view = 0;
    vt->cur.x = clamp(vt->cur.x, 0, cols - 1);
    vt->cur.y = clamp(old.cur.y - first_screen, 0, rows - 1);
    vt->cur.wrap_pending = false;
    vt->saved.x = clamp(vt->saved.x, 0, cols - 1);
    vt->saved.y = clamp(vt->saved.y - first_screen, 0, rows - 1);
    vt->margin_top = 0;
    vt->margin_bottom = rows - 1;
    vt->has_selection = false;
    free(old.cells);
    free(old.wrapped);
    free(old.dirty);
    vt_damage_all(vt);
    return 0;
}
