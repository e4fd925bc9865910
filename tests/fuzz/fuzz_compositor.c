// libFuzzer target for the compositor's client requests (user/services/compositor): the
// input is a screen size, a stack of windows placed where their requests asked, then
// requests (surface creations and presents of any bytes). What the checks accept must keep
// their promises: an accepted surface fits the screen and its VMO; an accepted present's
// rectangles lie inside the surface; the damage, split among the windows over it, is painted
// exactly once (the pieces' areas add up to the damage's, each inside it and inside its
// window's frame); and nothing is read outside its buffer (ASan).
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <nexus/errors.h>

#include "../../user/services/compositor/region.h"
#include "../../user/services/compositor/request.h"
#include "../../user/services/compositor/scene.h"

struct split {
    const struct nx_gfx_rect *layers;
    struct nx_gfx_rect d;
    uint64_t area;
};

static bool inside(struct nx_gfx_rect in, struct nx_gfx_rect out)
{
    return nx_gfx_rect_contains(out, in);
}

static void piece(void *ctx, int layer, struct nx_gfx_rect p)
{
    struct split *s = ctx;
    if (nx_gfx_rect_empty(p) || !inside(p, s->d) || (layer >= 0 && !inside(p, s->layers[layer])))
        abort();
    s->area += (uint64_t)p.w * (uint64_t)p.h;
}

static size_t take(void *out, size_t n, const uint8_t **data, size_t *size)
{
    size_t k = n < *size ? n : *size;
    memset(out, 0, n);
    memcpy(out, *data, k);
    *data += k;
    *size -= k;
    return k;
}

static void create(const uint8_t **data, size_t *size, int32_t sw, int32_t sh,
                   struct wm_stack *stack, struct wm_geom *geom)
{
    struct nx_wm_surface_create c;
    uint32_t rights;
    uint64_t vmo_size;
    take(&c, sizeof c, data, size);
    take(&rights, sizeof rights, data, size);
    take(&vmo_size, sizeof vmo_size, data, size);
    if (wm_check_surface(c.w, c.h, c.stride, c.flags, sw, sh, rights, vmo_size) != NX_OK)
        return;
    if (c.w < 1 || c.h < 1 || c.w > sw || c.h > sh || (uint64_t)c.stride * c.h > vmo_size ||
        (int64_t)c.stride < (int64_t)c.w * 4)
        abort();
    if (stack->n == WM_MAX_WINDOWS)
        return;
    int w = stack->n;
    geom[w] = wm_geom_new(c.flags, c.w, c.h);
    wm_place(&geom[w], c.x, c.y, sw, sh, c.x % (sh + 1));
    if (geom[w].top && (geom[w].x < 0 || geom[w].y < 0 || geom[w].x + geom[w].w > sw ||
                        geom[w].y + geom[w].h > sh))
        abort();
    bool lock = c.flags & NX_WM_SURFACE_LOCK;
    // A lock surface accepted covers the whole screen, and the lock layer stays on top.
    if (lock && (geom[w].framed || geom[w].x || geom[w].y || geom[w].w != sw || geom[w].h != sh))
        abort();
    wm_stack_push(stack, w, lock ? WM_LAYER_LOCK : geom[w].top ? WM_LAYER_TOP : WM_LAYER_WINDOW);
    if (stack->nlock && stack->layer[stack->order[0]] != WM_LAYER_LOCK)
        abort();
    (void)wm_part_at(&geom[w], c.x, c.y);
}

static void present(const uint8_t **data, size_t *size, const struct wm_stack *stack,
                    const struct wm_geom *geom)
{
    struct nx_wm_present p;
    uint16_t len;
    take(&len, sizeof len, data, size);
    size_t got = take(&p, len % (sizeof p + 1), data, size);
    if (!stack->n)
        return;
    const struct wm_geom *g = &geom[stack->order[p.id % (uint32_t)stack->n]];
    struct nx_gfx_rect out[NX_WM_MAX_DAMAGE];
    size_t n;
    if (wm_clip_damage(&p, got, g->w, g->h, out, &n) != NX_OK)
        return;
    struct nx_gfx_rect frames[WM_MAX_WINDOWS];
    wm_stack_frames(stack, geom, frames);
    for (size_t i = 0; i < n; i++) {
        if (!inside(out[i], (struct nx_gfx_rect){ 0, 0, g->w, g->h }) || nx_gfx_rect_empty(out[i]))
            abort();
        struct nx_gfx_rect d = { out[i].x + g->x, out[i].y + g->y, out[i].w, out[i].h };
        struct split s = { frames, d, 0 };
        region_split(frames, 0, stack->n, d, piece, &s);
        if (s.area != (uint64_t)d.w * (uint64_t)d.h)
            abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint16_t dims[2];
    take(dims, sizeof dims, &data, &size);
    int32_t sw = dims[0] % 4096 + 1, sh = dims[1] % 4096 + 1;
    struct wm_stack stack = { 0 };
    struct wm_geom geom[WM_MAX_WINDOWS];
    while (size) {
        uint8_t op;
        take(&op, 1, &data, &size);
        if (op & 1)
            create(&data, &size, sw, sh, &stack, geom);
        else
            present(&data, &size, &stack, geom);
        if (op & 2 && stack.n)
            wm_stack_raise(&stack, stack.order[op % stack.n]);
    }
    return 0;
}
