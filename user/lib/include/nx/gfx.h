#pragma once
// Pixel surfaces and the drawing on them (user/lib/gfx, libnxgfx.a; docs/graphics-lib.md).
//
// A surface is a caller's buffer of 32-bit pixels 0xAARRGGBB (XRGB8888 in memory order
// B, G, R, X on RISC-V and x86: virtio-gpu's B8G8R8X8): the library never allocates one, so
// a VMO mapping can back it. As a destination a surface is opaque (its top byte is ignored
// on reading and written as 0xff by blending); as a blending source its pixels are
// premultiplied ARGB.
//
// Every operation clips to the surfaces it touches: rectangles may lie partly or wholly
// outside, start at negative coordinates or reach past INT32_MAX (edges are computed in 64
// bits), and what falls outside is not drawn.
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

// Largest width or height of a surface, in pixels.
#define NX_GFX_MAX_DIM 8192

struct nx_gfx_rect {
    int32_t x, y;
    int32_t w, h;   // empty when either is <= 0
};

struct nx_gfx_surface {
    uint32_t *pixels;
    int32_t width, height;
    int32_t stride;   // in pixels, >= width
};

// A premultiplied colour from straight components: each colour channel scaled by a/255.
static inline uint32_t nx_gfx_argb(uint8_t a, uint8_t r, uint8_t g, uint8_t b)
{
    uint32_t ch[3] = { r, g, b };
    for (int i = 0; i < 3; i++)
        ch[i] = (ch[i] * a + 127) / 255;
    return (uint32_t)a << 24 | ch[0] << 16 | ch[1] << 8 | ch[2];
}

static inline uint32_t nx_gfx_rgb(uint8_t r, uint8_t g, uint8_t b)
{
    return 0xff000000u | (uint32_t)r << 16 | (uint32_t)g << 8 | b;
}

// Makes s a view of mem: width x height pixels, rows stride_bytes apart.
// NX_ERR_INVALID: mem NULL or not 4-byte aligned, width or height <= 0, stride_bytes not a
//   multiple of 4 or below width * 4, or mem_size below stride_bytes * height.
// NX_ERR_TOO_BIG: width or height above NX_GFX_MAX_DIM, or stride_bytes above
//   NX_GFX_MAX_DIM * 4.
long nx_gfx_surface_init(struct nx_gfx_surface *s, void *mem, size_t mem_size,
                         int32_t width, int32_t height, size_t stride_bytes);

// The surface's whole area: (0, 0, width, height).
struct nx_gfx_rect nx_gfx_surface_rect(const struct nx_gfx_surface *s);

// ---- rectangles ----
bool nx_gfx_rect_empty(struct nx_gfx_rect r);
// a contains b (an empty b is contained in anything).
bool nx_gfx_rect_contains(struct nx_gfx_rect a, struct nx_gfx_rect b);
// The common part of a and b; empty (0, 0, 0, 0) when they do not overlap.
struct nx_gfx_rect nx_gfx_rect_intersect(struct nx_gfx_rect a, struct nx_gfx_rect b);
// The bounding box of a and b (an empty one is ignored), clamped to the int32 range.
struct nx_gfx_rect nx_gfx_rect_union(struct nx_gfx_rect a, struct nx_gfx_rect b);

// ---- drawing ----
// Sets the pixels of r (clipped) to color, as is.
void nx_gfx_fill(struct nx_gfx_surface *dst, struct nx_gfx_rect r, uint32_t color);
// Blends the premultiplied color over the pixels of r (clipped).
void nx_gfx_fill_blend(struct nx_gfx_surface *dst, struct nx_gfx_rect r, uint32_t color);
// Copies src_r of src to dst with its top-left at (x, y), clipped to both surfaces. src and
// dst may be the same surface with overlapping areas (scrolling): the result is as if the
// source were copied aside first.
void nx_gfx_copy(struct nx_gfx_surface *dst, int32_t x, int32_t y,
                 const struct nx_gfx_surface *src, struct nx_gfx_rect src_r);
// Blends src_r of src (premultiplied ARGB) over dst at (x, y), clipped like nx_gfx_copy
// (src and dst must not overlap).
void nx_gfx_blend(struct nx_gfx_surface *dst, int32_t x, int32_t y,
                  const struct nx_gfx_surface *src, struct nx_gfx_rect src_r);

// An 8-bit coverage mask (0: nothing, 255: full), e.g. an anti-aliased glyph.
struct nx_gfx_mask {
    const uint8_t *cov;
    int32_t w, h;
    int32_t stride;   // bytes per row
};
// Blends the premultiplied color, scaled by each coverage value, over dst with the mask's
// top-left at (x, y), clipped to dst.
void nx_gfx_mask_blend(struct nx_gfx_surface *dst, int32_t x, int32_t y,
                       const struct nx_gfx_mask *mask, uint32_t color);

// One pixel blended: the premultiplied src over the opaque dst (exact rounding).
uint32_t nx_gfx_over(uint32_t src, uint32_t dst);
