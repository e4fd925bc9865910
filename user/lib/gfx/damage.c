// Damage regions (nx/damage.h). A rectangle is added as the pieces of it no existing
// rectangle covers (r minus each of them: at most four pieces per subtraction), so the
// rectangles stay disjoint; when the pieces would not fit, the region collapses into its
// bounding box.
#include <nx/damage.h>
#include "gfx_int.h"

// Pieces in flight while subtracting: each subtraction splits a piece into at most four.
#define PIECES_MAX (4 * NX_GFX_DAMAGE_MAX)

void nx_gfx_damage_init(struct nx_gfx_damage *d, struct nx_gfx_rect bounds)
{
    d->bounds = bounds;
    d->count = 0;
}

void nx_gfx_damage_clear(struct nx_gfx_damage *d)
{
    d->count = 0;
}

bool nx_gfx_damage_empty(const struct nx_gfx_damage *d)
{
    return d->count == 0;
}

struct nx_gfx_rect nx_gfx_damage_extent(const struct nx_gfx_damage *d)
{
    struct nx_gfx_rect u = { 0, 0, 0, 0 };
    for (uint32_t i = 0; i < d->count; i++)
        u = nx_gfx_rect_union(u, d->rects[i]);
    return u;
}

uint64_t nx_gfx_damage_area(const struct nx_gfx_damage *d)
{
    uint64_t area = 0;
    for (uint32_t i = 0; i < d->count; i++)
        area += (uint64_t)d->rects[i].w * (uint64_t)d->rects[i].h;
    return area;
}

// Writes the parts of p outside e to out (at most 4); returns how many.
static int subtract(struct gfx_box p, struct gfx_box e, struct gfx_box *out)
{
    struct gfx_box c = gfx_box_intersect(p, e);
    if (gfx_box_empty(c)) {
        out[0] = p;
        return 1;
    }
    struct gfx_box parts[4] = {
        { p.x0, p.y0, p.x1, c.y0 },   // above
        { p.x0, c.y1, p.x1, p.y1 },   // below
        { p.x0, c.y0, c.x0, c.y1 },   // left
        { c.x1, c.y0, p.x1, c.y1 },   // right
    };
    int n = 0;
    for (int i = 0; i < 4; i++)
        if (!gfx_box_empty(parts[i]))
            out[n++] = parts[i];
    return n;
}

// Drops the rectangles r contains (r will cover them) and tells whether one contains r.
// When one does, none was dropped before it: the rectangles are disjoint, so none inside r
// can exist beside one around r.
static bool absorb(struct nx_gfx_damage *d, struct nx_gfx_rect r)
{
    uint32_t kept = 0;
    for (uint32_t i = 0; i < d->count; i++) {
        if (nx_gfx_rect_contains(d->rects[i], r))
            return true;
        if (!nx_gfx_rect_contains(r, d->rects[i]))
            d->rects[kept++] = d->rects[i];
    }
    d->count = kept;
    return false;
}

// The pieces of r no rectangle of d covers, into out; -1 when more than `room`.
static int uncovered(const struct nx_gfx_damage *d, struct nx_gfx_rect r, uint32_t room,
                     struct gfx_box out[PIECES_MAX])
{
    struct gfx_box next[PIECES_MAX];
    int n = 1;
    out[0] = gfx_box_of(r);
    for (uint32_t i = 0; i < d->count && n > 0; i++) {
        int m = 0;
        for (int j = 0; j < n; j++)
            m += subtract(out[j], gfx_box_of(d->rects[i]), next + m);
        if ((uint32_t)m > room)
            return -1;
        for (int j = 0; j < m; j++)
            out[j] = next[j];
        n = m;
    }
    return (uint32_t)n > room ? -1 : n;
}

void nx_gfx_damage_add(struct nx_gfx_damage *d, struct nx_gfx_rect r)
{
    r = nx_gfx_rect_intersect(r, d->bounds);
    if (nx_gfx_rect_empty(r) || absorb(d, r))
        return;
    struct gfx_box pieces[PIECES_MAX];
    int n = uncovered(d, r, NX_GFX_DAMAGE_MAX - d->count, pieces);
    if (n < 0) {
        d->rects[0] = nx_gfx_rect_union(nx_gfx_damage_extent(d), r);
        d->count = 1;
        return;
    }
    for (int i = 0; i < n; i++)
        d->rects[d->count++] = gfx_rect_of(pieces[i]);
}

void nx_gfx_damage_add_region(struct nx_gfx_damage *d, const struct nx_gfx_damage *other)
{
    for (uint32_t i = 0; i < other->count; i++)
        nx_gfx_damage_add(d, other->rects[i]);
}

void nx_gfx_damage_clip(struct nx_gfx_damage *d, struct nx_gfx_rect r)
{
    uint32_t kept = 0;
    for (uint32_t i = 0; i < d->count; i++) {
        struct nx_gfx_rect c = nx_gfx_rect_intersect(d->rects[i], r);
        if (!nx_gfx_rect_empty(c))
            d->rects[kept++] = c;
    }
    d->count = kept;
}
