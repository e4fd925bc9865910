#pragma once
// Internals shared by the files of the graphics library (user/lib/gfx).
#include <stdint.h>
#include <nx/gfx.h>

// A rectangle by its edges, [x0, x1) x [y0, y1), in 64 bits: no int32 rectangle overflows it.
struct gfx_box {
    int64_t x0, y0, x1, y1;
};

struct gfx_box gfx_box_of(struct nx_gfx_rect r);
bool gfx_box_empty(struct gfx_box b);
struct gfx_box gfx_box_intersect(struct gfx_box a, struct gfx_box b);
// Back to a rectangle, clamped to the int32 range; empty boxes become (0, 0, 0, 0).
struct nx_gfx_rect gfx_rect_of(struct gfx_box b);
// nx_gfx_mask_blend at a position that may lie beyond the int32 range (a glyph's offset
// added to a pen near its end); |x| and |y| stay below 2^62.
void gfx_mask_blend(struct nx_gfx_surface *dst, int64_t x, int64_t y,
                    const struct nx_gfx_mask *mask, uint32_t color);
