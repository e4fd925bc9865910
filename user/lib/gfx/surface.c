// Surfaces: validation, fills, copies and blending, all clipped (nx/gfx.h).
#include <string.h>
#include <nexus/errors.h>
#include <nx/gfx.h>
#include "gfx_int.h"

long nx_gfx_surface_init(struct nx_gfx_surface *s, void *mem, size_t mem_size,
                         int32_t width, int32_t height, size_t stride_bytes)
{
    if (!mem || (uintptr_t)mem % 4 || width <= 0 || height <= 0 || stride_bytes % 4)
        return NX_ERR_INVALID;
    if (width > NX_GFX_MAX_DIM || height > NX_GFX_MAX_DIM ||
        stride_bytes > (size_t)NX_GFX_MAX_DIM * 4)
        return NX_ERR_TOO_BIG;
    if (stride_bytes < (size_t)width * 4 || mem_size / stride_bytes < (size_t)height)
        return NX_ERR_INVALID;
    *s = (struct nx_gfx_surface){ mem, width, height, (int32_t)(stride_bytes / 4) };
    return NX_OK;
}

struct nx_gfx_rect nx_gfx_surface_rect(const struct nx_gfx_surface *s)
{
    return (struct nx_gfx_rect){ 0, 0, s->width, s->height };
}

static uint32_t *pixel_at(const struct nx_gfx_surface *s, int64_t x, int64_t y)
{
    return s->pixels + y * s->stride + x;
}

// x / 255 rounded to nearest, exact for 0 <= x <= 255 * 255.
static uint32_t div255(uint32_t x)
{
    x += 128;
    return (x + (x >> 8)) >> 8;
}

uint32_t nx_gfx_over(uint32_t src, uint32_t dst)
{
    uint32_t keep = 255 - (src >> 24), out = 0xff000000u;
    for (int shift = 0; shift < 24; shift += 8) {
        uint32_t c = (src >> shift & 0xff) + div255((dst >> shift & 0xff) * keep);
        out |= (c > 255 ? 255 : c) << shift;   // saturates a colour that is not premultiplied
    }
    return out;
}

// Each channel (alpha too) of the premultiplied color scaled by coverage k.
static uint32_t scale_color(uint32_t color, uint32_t k)
{
    uint32_t out = 0;
    for (int shift = 0; shift < 32; shift += 8)
        out |= div255((color >> shift & 0xff) * k) << shift;
    return out;
}

void nx_gfx_fill(struct nx_gfx_surface *dst, struct nx_gfx_rect r, uint32_t color)
{
    struct gfx_box b = gfx_box_intersect(gfx_box_of(r), gfx_box_of(nx_gfx_surface_rect(dst)));
    for (int64_t y = b.y0; y < b.y1; y++) {
        uint32_t *p = pixel_at(dst, b.x0, y);
        for (int64_t x = b.x0; x < b.x1; x++)
            *p++ = color;
    }
}

void nx_gfx_fill_blend(struct nx_gfx_surface *dst, struct nx_gfx_rect r, uint32_t color)
{
    struct gfx_box b = gfx_box_intersect(gfx_box_of(r), gfx_box_of(nx_gfx_surface_rect(dst)));
    for (int64_t y = b.y0; y < b.y1; y++) {
        uint32_t *p = pixel_at(dst, b.x0, y);
        for (int64_t x = b.x0; x < b.x1; x++, p++)
            *p = nx_gfx_over(color, *p);
    }
}

// A block of w x h pixels read at (sx, sy) of a source and written at (dx, dy) of dst.
struct placement {
    int64_t dx, dy, sx, sy, w, h;
};

// The part of src_r (inside the source area `area`) that lands inside dst when src_r's
// top-left goes to (x, y). False when nothing does.
static bool place(const struct nx_gfx_surface *dst, int64_t x, int64_t y, struct gfx_box area,
                  struct nx_gfx_rect src_r, struct placement *p)
{
    struct gfx_box s = gfx_box_intersect(gfx_box_of(src_r), area);
    if (gfx_box_empty(s))
        return false;
    int64_t shift_x = x - src_r.x, shift_y = y - src_r.y;
    struct gfx_box d = { s.x0 + shift_x, s.y0 + shift_y, s.x1 + shift_x, s.y1 + shift_y };
    struct gfx_box c = gfx_box_intersect(d, gfx_box_of(nx_gfx_surface_rect(dst)));
    if (gfx_box_empty(c))
        return false;
    *p = (struct placement){ c.x0, c.y0, s.x0 + (c.x0 - d.x0), s.y0 + (c.y0 - d.y0),
                             c.x1 - c.x0, c.y1 - c.y0 };
    return true;
}

void nx_gfx_copy(struct nx_gfx_surface *dst, int32_t x, int32_t y,
                 const struct nx_gfx_surface *src, struct nx_gfx_rect src_r)
{
    struct placement p;
    if (!place(dst, x, y, gfx_box_of(nx_gfx_surface_rect(src)), src_r, &p))
        return;
    // Moving down within one surface: bottom row first, so no source row is overwritten
    // before it is read (memmove handles the overlap within a row).
    bool upward = dst->pixels == src->pixels && p.dy > p.sy;
    for (int64_t i = 0; i < p.h; i++) {
        int64_t row = upward ? p.h - 1 - i : i;
        memmove(pixel_at(dst, p.dx, p.dy + row), pixel_at(src, p.sx, p.sy + row),
                (size_t)p.w * 4);
    }
}

void nx_gfx_blend(struct nx_gfx_surface *dst, int32_t x, int32_t y,
                  const struct nx_gfx_surface *src, struct nx_gfx_rect src_r)
{
    struct placement p;
    if (!place(dst, x, y, gfx_box_of(nx_gfx_surface_rect(src)), src_r, &p))
        return;
    for (int64_t row = 0; row < p.h; row++) {
        uint32_t *d = pixel_at(dst, p.dx, p.dy + row);
        const uint32_t *s = pixel_at(src, p.sx, p.sy + row);
        for (int64_t i = 0; i < p.w; i++)
            d[i] = nx_gfx_over(s[i], d[i]);
    }
}

void gfx_mask_blend(struct nx_gfx_surface *dst, int64_t x, int64_t y,
                    const struct nx_gfx_mask *mask, uint32_t color)
{
    struct nx_gfx_rect whole = { 0, 0, mask->w, mask->h };
    struct placement p;
    if (mask->stride < mask->w || !place(dst, x, y, gfx_box_of(whole), whole, &p))
        return;
    bool opaque = color >> 24 == 0xff;
    for (int64_t row = 0; row < p.h; row++) {
        uint32_t *d = pixel_at(dst, p.dx, p.dy + row);
        const uint8_t *k = mask->cov + (p.sy + row) * mask->stride + p.sx;
        for (int64_t i = 0; i < p.w; i++) {
            if (k[i] == 0)
                continue;
            d[i] = opaque && k[i] == 255 ? color : nx_gfx_over(scale_color(color, k[i]), d[i]);
        }
    }
}

void nx_gfx_mask_blend(struct nx_gfx_surface *dst, int32_t x, int32_t y,
                       const struct nx_gfx_mask *mask, uint32_t color)
{
    gfx_mask_blend(dst, x, y, mask, color);
}
