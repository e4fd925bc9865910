#pragma once
// Drawing the emulator's screen (render.c): the dirty cells of the view into a surface, cells
// of a monospaced face, the selection and a block cursor, in a light or a dark palette.
#include <stddef.h>
#include <nx/gfx.h>
#include <nx/text.h>
#include "vt.h"

struct term_palette {
    uint32_t fg, bg, cursor, sel_fg, sel_bg;
    uint32_t ansi[16];          // the 16 named colours (indexes 0-15)
};
extern const struct term_palette term_palette_dark, term_palette_light;

struct term_render {
    struct nx_glyph_cache *cache;
    const struct nx_face *face;
    const struct term_palette *pal;
    int32_t cell_w, cell_h, baseline;
    // Per row of the view: a glyph drawn on it may reach up into the row above (so a change
    // of the row redraws the cells above it too; term_render sets it as it draws).
    bool reach_up[VT_MAX_ROWS];
};

// Cell size from the face: the advance of 'M' by its line height.
void term_render_init(struct term_render *r, struct nx_glyph_cache *cache,
                      const struct nx_face *face, const struct term_palette *pal);
// Columns and rows that fit in w x h pixels (at least 1 each).
void term_render_grid(const struct term_render *r, int32_t w, int32_t h, int *cols, int *rows);
// Draws vt's dirty cells into s and clears the damage; the rectangles changed go to
// rects[0..max) (a row's span of cells, joined with the next row's when they have the same
// columns; more than max: the last one grows to cover the rest; after vt_damage_all: the
// whole surface). Their count.
size_t term_render(struct term_render *r, struct vt *vt, struct nx_gfx_surface *s,
                   struct nx_gfx_rect *rects, size_t max);
// The colour of a cell colour (VT_COLOR_*), def for the default.
uint32_t term_color(const struct term_palette *pal, uint32_t c, uint32_t def);
