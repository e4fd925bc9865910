// Drawing the emulator's screen (see render.h). Only the dirty cells are drawn (or all of
// the surface after vt_damage_all): backgrounds first, then glyphs over them, so a glyph
// reaching into its neighbour is never cut.
#include "render.h"

// The xterm default colours for indexes 0-15, as the dark palette's.
#define ANSI_16 { \
    0xff000000, 0xffcd3131, 0xff0dbc79, 0xffe5e510, 0xff2472c8, 0xffbc3fbc, 0xff11a8cd, 0xffe5e5e5, \
    0xff666666, 0xfff14c4c, 0xff23d18b, 0xfff5f543, 0xff3b8eea, 0xffd670d6, 0xff29b8db, 0xffffffff }

const struct term_palette term_palette_dark = {
    .fg = 0xffd4d4d4, .bg = 0xff1e1e1e, .cursor = 0xffc0c0c0,
    .sel_fg = 0xffffffff, .sel_bg = 0xff264f78, .ansi = ANSI_16,
};

const struct term_palette term_palette_light = {
    .fg = 0xff222222, .bg = 0xfffafaf5, .cursor = 0xff404040,
    .sel_fg = 0xff000000, .sel_bg = 0xffadd6ff,
    .ansi = { 0xff000000, 0xffcd3131, 0xff00bc00, 0xff949800, 0xff0451a5, 0xffbc05bc,
              0xff0598bc, 0xff555555, 0xff666666, 0xffcd3131, 0xff14ce14, 0xffb5ba00,
              0xff0451a5, 0xffbc05bc, 0xff0598bc, 0xffa5a5a5 },
};

// The 6x6x6 cube's levels (indexes 16-231), as xterm has them.
static const uint8_t cube[6] = { 0, 95, 135, 175, 215, 255 };

uint32_t term_color(const struct term_palette *pal, uint32_t c, uint32_t def)
{
    if (VT_COLOR_KIND(c) == 2)
        return 0xff000000u | (c & 0xffffffu);
    if (VT_COLOR_KIND(c) != 1)
        return def;
    unsigned i = c & 0xff;
    if (i < 16)
        return pal->ansi[i];
    if (i < 232) {
        i -= 16;
        return nx_gfx_rgb(cube[i / 36], cube[i / 6 % 6], cube[i % 6]);
    }
    uint8_t grey = (uint8_t)(8 + 10 * (i - 232));
    return nx_gfx_rgb(grey, grey, grey);
}

void term_render_init(struct term_render *r, struct nx_glyph_cache *cache,
                      const struct nx_face *face, const struct term_palette *pal)
{
    *r = (struct term_render){ .cache = cache, .face = face, .pal = pal };
    r->cell_w = nx_text_width(face, "M", 1);
    if (r->cell_w < 1)
        r->cell_w = 1;
    r->cell_h = face->line_height > 0 ? face->line_height : 1;
    r->baseline = face->ascent;
}

void term_render_grid(const struct term_render *r, int32_t w, int32_t h, int *cols, int *rows)
{
    *cols = w / r->cell_w > 0 ? (int)(w / r->cell_w) : 1;
    *rows = h / r->cell_h > 0 ? (int)(h / r->cell_h) : 1;
}

struct look {
    uint32_t fg, bg;
};

static struct look cell_look(const struct term_render *r, const struct vt *vt,
                             const struct vt_cell *c, int row, int col, bool cursor)
{
    struct look l = { term_color(r->pal, c->fg, r->pal->fg), term_color(r->pal, c->bg, r->pal->bg) };
    if (c->attr & VT_ATTR_REVERSE)
        l = (struct look){ l.bg, l.fg };
    if (vt_selected(vt, row, col))
        l = (struct look){ r->pal->sel_fg, r->pal->sel_bg };
    if (cursor)
        l = (struct look){ r->pal->bg, r->pal->cursor };
    return l;
}

// The backgrounds of span's cells of row, at the surface's coordinates less origin.
static void draw_backgrounds(const struct term_render *r, const struct vt *vt,
                             struct nx_gfx_surface *s, int row, struct vt_span span,
                             struct nx_gfx_rect origin)
{
    int cursor_col = vt_cursor_row(vt) == row ? vt->cur.x : -1;
    for (int col = span.from; col < span.to; col++) {
        struct look l = cell_look(r, vt, vt_view_cell(vt, row, col), row, col, col == cursor_col);
        nx_gfx_fill(s, (struct nx_gfx_rect){ col * r->cell_w - origin.x, row * r->cell_h - origin.y,
                                             r->cell_w, r->cell_h }, l.bg);
    }
}

// The glyphs and underlines of span's cells of row and of the cell on either side: a glyph
// reaching into a neighbouring cell is drawn there as a whole row's drawing draws it.
// Whether one of them reaches up out of the row.
static bool draw_glyphs(const struct term_render *r, const struct vt *vt, struct nx_gfx_surface *s,
                        int row, struct vt_span span, struct nx_gfx_rect origin)
{
    int cursor_col = vt_cursor_row(vt) == row ? vt->cur.x : -1;
    int32_t y = row * r->cell_h - origin.y;
    bool up = false;
    for (int col = span.from > 0 ? span.from - 1 : 0; col <= span.to && col < vt->cols; col++) {
        const struct vt_cell *c = vt_view_cell(vt, row, col);
        struct look l = cell_look(r, vt, c, row, col, col == cursor_col);
        int32_t x = col * r->cell_w - origin.x;
        const struct nx_glyph *g;
        if (c->cp != ' ' && nx_glyph_get(r->cache, r->face, c->cp, &g) == 0) {
            nx_glyph_draw(s, g, x, y + r->baseline, l.fg);
            up = up || (g->h > 0 && r->baseline + g->y0 < 0);
        }
        if (c->attr & VT_ATTR_UNDERLINE)
            nx_gfx_fill(s, (struct nx_gfx_rect){ x, y + r->baseline + 1, r->cell_w, 1 }, l.fg);
    }
    return up;
}

static struct nx_gfx_rect span_rect(const struct term_render *r, const struct nx_gfx_surface *s,
                                    int row, struct vt_span span)
{
    struct nx_gfx_rect rect = { span.from * r->cell_w, row * r->cell_h,
                                (span.to - span.from) * r->cell_w, r->cell_h };
    return nx_gfx_rect_intersect(rect, nx_gfx_surface_rect(s));
}

// Redraws the span of row, drawing nothing outside its cells (a view of s clipped to
// them), and notes whether a glyph drawn reaches up. What the whole screen's drawing leaves
// there: the backgrounds, the glyphs of the row and the tops of the glyphs of the row below
// reaching up into it (drawn after it); those of the row above reaching down are covered by
// its backgrounds.
static void draw_span(struct term_render *r, const struct vt *vt, struct nx_gfx_surface *s,
                      int row, struct vt_span span)
{
    struct nx_gfx_rect rect = span_rect(r, s, row, span);
    if (nx_gfx_rect_empty(rect))
        return;
    struct nx_gfx_surface clip = {
        .pixels = s->pixels + (size_t)rect.y * (size_t)s->stride + (size_t)rect.x,
        .width = rect.w, .height = rect.h, .stride = s->stride,
    };
    draw_backgrounds(r, vt, &clip, row, span, rect);
    bool up = draw_glyphs(r, vt, &clip, row, span, rect);
    r->reach_up[row] = up || (r->reach_up[row] && (span.from > 0 || span.to < vt->cols));
    if (row + 1 < vt->rows && r->reach_up[row + 1])
        draw_glyphs(r, vt, &clip, row + 1, span, rect);
}

// rect into rects[0..n): joined to the last when it lies right below it with the same
// columns, or when rects is full (the last grows to cover it). The new count.
static size_t add_rect(struct nx_gfx_rect *rects, size_t n, size_t max, struct nx_gfx_rect rect)
{
    struct nx_gfx_rect *last = n ? &rects[n - 1] : NULL;
    bool below = last && last->x == rect.x && last->w == rect.w && last->y + last->h == rect.y;
    if (last && (below || n == max))
        *last = nx_gfx_rect_union(*last, rect);
    else if (n < max)
        rects[n++] = rect;
    return n;
}

// Everything, the margin right of and below the cells too, in one rectangle.
static size_t draw_all(struct term_render *r, struct vt *vt, struct nx_gfx_surface *s,
                       struct nx_gfx_rect *rects, size_t max)
{
    nx_gfx_fill(s, nx_gfx_surface_rect(s), r->pal->bg);
    struct vt_span all = { 0, vt->cols };
    for (int row = 0; row < vt->rows; row++) {
        draw_backgrounds(r, vt, s, row, all, (struct nx_gfx_rect){ 0 });
        r->reach_up[row] = draw_glyphs(r, vt, s, row, all, (struct nx_gfx_rect){ 0 });
    }
    if (max == 0)
        return 0;
    rects[0] = nx_gfx_surface_rect(s);
    return 1;
}

static struct vt_span join(struct vt_span a, struct vt_span b)
{
    if (a.from >= a.to)
        return b;
    if (b.from >= b.to)
        return a;
    return (struct vt_span){ a.from < b.from ? a.from : b.from, a.to > b.to ? a.to : b.to };
}

// Draws the damage into spans[row], bottom row first: a changed cell's glyph may reach into
// the cell on either side (so those are redrawn with it) and, in a row where a glyph drawn
// reaches up (before or after the change), into the row above (so the same cells of that
// row are redrawn too; never further in DejaVu Sans Mono: docs/terminal.md).
static void draw_damage(struct term_render *r, const struct vt *vt, struct nx_gfx_surface *s,
                        struct vt_span *spans)
{
    struct vt_span above = { 0, 0 };  // what the row below asks of this one
    for (int row = vt->rows - 1; row >= 0; row--) {
        struct vt_span d = vt_row_damage(vt, row);
        if (d.from < d.to)
            d = (struct vt_span){ d.from > 0 ? d.from - 1 : 0, d.to < vt->cols ? d.to + 1 : d.to };
        spans[row] = join(d, above);
        bool reached = r->reach_up[row];
        if (spans[row].from < spans[row].to)
            draw_span(r, vt, s, row, spans[row]);
        above = reached || r->reach_up[row] ? d : (struct vt_span){ 0, 0 };
    }
}

size_t term_render(struct term_render *r, struct vt *vt, struct nx_gfx_surface *s,
                   struct nx_gfx_rect *rects, size_t max)
{
    size_t n = 0;
    if (vt->all_dirty) {
        n = draw_all(r, vt, s, rects, max);
    } else {
        struct vt_span spans[VT_MAX_ROWS];
        draw_damage(r, vt, s, spans);
        for (int row = 0; row < vt->rows; row++) {
            struct nx_gfx_rect rect = spans[row].from < spans[row].to
                                          ? span_rect(r, s, row, spans[row])
                                          : (struct nx_gfx_rect){ 0 };
            if (!nx_gfx_rect_empty(rect))
                n = add_rect(rects, n, max, rect);
        }
    }
    vt_damage_clear(vt);
    return n;
}
