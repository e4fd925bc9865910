// The compositor's region maths (region.h).
#include "region.h"

size_t region_subtract(struct nx_gfx_rect a, struct nx_gfx_rect b, struct nx_gfx_rect out[4])
{
    struct nx_gfx_rect in = nx_gfx_rect_intersect(a, b);
    if (nx_gfx_rect_empty(in)) {
        if (nx_gfx_rect_empty(a))
            return 0;
        out[0] = a;
        return 1;
    }
    size_t n = 0;
    int64_t a_bottom = (int64_t)a.y + a.h, a_right = (int64_t)a.x + a.w;
    int64_t in_bottom = (int64_t)in.y + in.h, in_right = (int64_t)in.x + in.w;
    if (in.y > a.y)
        out[n++] = (struct nx_gfx_rect){ a.x, a.y, a.w, in.y - a.y };
    if (in_bottom < a_bottom)
        out[n++] = (struct nx_gfx_rect){ a.x, (int32_t)in_bottom, a.w,
                                         (int32_t)(a_bottom - in_bottom) };
    if (in.x > a.x)
        out[n++] = (struct nx_gfx_rect){ a.x, in.y, in.x - a.x, in.h };
    if (in_right < a_right)
        out[n++] = (struct nx_gfx_rect){ (int32_t)in_right, in.y, (int32_t)(a_right - in_right),
                                         in.h };
    return n;
}

void region_split(const struct nx_gfx_rect *layers, int from, int to, struct nx_gfx_rect d,
                  region_piece_fn fn, void *ctx)
{
    if (nx_gfx_rect_empty(d))
        return;
    for (int i = from; i < to; i++) {
        struct nx_gfx_rect in = nx_gfx_rect_intersect(d, layers[i]);
        if (nx_gfx_rect_empty(in))
            continue;
        fn(ctx, i, in);
        struct nx_gfx_rect rest[4];
        size_t n = region_subtract(d, in, rest);
        for (size_t k = 0; k < n; k++)
            region_split(layers, i + 1, to, rest[k], fn, ctx);
        return;
    }
    fn(ctx, -1, d);
}
