// Rectangle maths, exact for any int32 rectangle: edges are computed in 64 bits, so
// x + w never overflows.
#include <nx/gfx.h>
#include "gfx_int.h"

struct gfx_box gfx_box_of(struct nx_gfx_rect r)
{
    struct gfx_box b = { r.x, r.y, (int64_t)r.x + r.w, (int64_t)r.y + r.h };
    return b;
}

bool gfx_box_empty(struct gfx_box b)
{
    return b.x1 <= b.x0 || b.y1 <= b.y0;
}

struct gfx_box gfx_box_intersect(struct gfx_box a, struct gfx_box b)
{
    struct gfx_box r = {
        a.x0 > b.x0 ? a.x0 : b.x0, a.y0 > b.y0 ? a.y0 : b.y0,
        a.x1 < b.x1 ? a.x1 : b.x1, a.y1 < b.y1 ? a.y1 : b.y1,
    };
    if (gfx_box_empty(r))
        r = (struct gfx_box){ 0, 0, 0, 0 };
    return r;
}

static int32_t clamp32(int64_t v)
{
    return v < INT32_MIN ? INT32_MIN : v > INT32_MAX ? INT32_MAX : (int32_t)v;
}

// Clamped to the int32 range: the left/top edge first, then the size from it.
struct nx_gfx_rect gfx_rect_of(struct gfx_box b)
{
    if (gfx_box_empty(b))
        return (struct nx_gfx_rect){ 0, 0, 0, 0 };
    int32_t x = clamp32(b.x0), y = clamp32(b.y0);
    return (struct nx_gfx_rect){ x, y, clamp32(b.x1 - x), clamp32(b.y1 - y) };
}

bool nx_gfx_rect_empty(struct nx_gfx_rect r)
{
    return r.w <= 0 || r.h <= 0;
}

bool nx_gfx_rect_contains(struct nx_gfx_rect a, struct nx_gfx_rect b)
{
    if (nx_gfx_rect_empty(b))
        return true;
    struct gfx_box x = gfx_box_of(a), y = gfx_box_of(b);
    return x.x0 <= y.x0 && x.y0 <= y.y0 && y.x1 <= x.x1 && y.y1 <= x.y1;
}

struct nx_gfx_rect nx_gfx_rect_intersect(struct nx_gfx_rect a, struct nx_gfx_rect b)
{
    return gfx_rect_of(gfx_box_intersect(gfx_box_of(a), gfx_box_of(b)));
}

struct nx_gfx_rect nx_gfx_rect_union(struct nx_gfx_rect a, struct nx_gfx_rect b)
{
    if (nx_gfx_rect_empty(a))
        return nx_gfx_rect_empty(b) ? (struct nx_gfx_rect){ 0, 0, 0, 0 } : b;
    if (nx_gfx_rect_empty(b))
        return a;
    struct gfx_box x = gfx_box_of(a), y = gfx_box_of(b);
    struct gfx_box u = {
        x.x0 < y.x0 ? x.x0 : y.x0, x.y0 < y.y0 ? x.y0 : y.y0,
        x.x1 > y.x1 ? x.x1 : y.x1, x.y1 > y.y1 ? x.y1 : y.y1,
    };
    return gfx_rect_of(u);
}
