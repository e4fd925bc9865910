#pragma once
// A damage region: the part of a surface that changed since it was last shown, as at most
// NX_GFX_DAMAGE_MAX disjoint rectangles inside fixed bounds (user/lib/gfx/damage.c;
// docs/graphics-lib.md). Disjoint, so a compositor walking the rectangles touches each
// damaged pixel once. The region always covers every pixel added (and clipped to the
// bounds); it is exact until a rectangle does not fit, then it becomes the bounding box of
// everything in it, one rectangle.
#include <stdbool.h>
#include <stdint.h>
#include <nx/gfx.h>

#define NX_GFX_DAMAGE_MAX 16

struct nx_gfx_damage {
    struct nx_gfx_rect bounds;
    uint32_t count;
    struct nx_gfx_rect rects[NX_GFX_DAMAGE_MAX];   // [0, count): disjoint, non-empty, in bounds
};

// An empty region whose rectangles will be clipped to bounds (usually the surface's).
void nx_gfx_damage_init(struct nx_gfx_damage *d, struct nx_gfx_rect bounds);
void nx_gfx_damage_clear(struct nx_gfx_damage *d);
bool nx_gfx_damage_empty(const struct nx_gfx_damage *d);
// Adds r, clipped to the bounds; a rectangle wholly outside them adds nothing.
void nx_gfx_damage_add(struct nx_gfx_damage *d, struct nx_gfx_rect r);
// Adds every rectangle of other (the union of the two regions).
void nx_gfx_damage_add_region(struct nx_gfx_damage *d, const struct nx_gfx_damage *other);
// Keeps only the part of the region inside r.
void nx_gfx_damage_clip(struct nx_gfx_damage *d, struct nx_gfx_rect r);
// The bounding box of the region (empty when the region is).
struct nx_gfx_rect nx_gfx_damage_extent(const struct nx_gfx_damage *d);
// The number of pixels in the region.
uint64_t nx_gfx_damage_area(const struct nx_gfx_damage *d);
