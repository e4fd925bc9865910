// libFuzzer target for damage regions (user/lib/gfx/damage.c): the input is a sequence of
// operations (add, clip, union with a second region, clear) on rectangles anywhere in the
// int32 plane, applied to a region over a small surface and to a bitmap of the pixels
// damaged. After each: at most NX_GFX_DAMAGE_MAX rectangles, each non-empty, inside the
// bounds and disjoint from the others; every damaged pixel covered; and the region exactly
// the damage, or (after it did not fit) one rectangle, the bounding box of what it held.
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <nx/damage.h>

#define W 48
#define H 32

static bool damaged[H][W], covered[H][W];

// A coordinate: mostly near the surface, sometimes anywhere in int32.
static int32_t coord(const uint8_t *p)
{
    int32_t v = (int8_t)p[0];
    return p[1] & 0x80 ? (int32_t)((uint32_t)p[1] << 25 | (uint32_t)p[0] << 17) : v;
}

static void paint(bool map[H][W], struct nx_gfx_rect r, bool clip_only)
{
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++) {
            bool in = x >= r.x && x < (int64_t)r.x + r.w && y >= r.y && y < (int64_t)r.y + r.h;
            map[y][x] = clip_only ? map[y][x] && in : map[y][x] || in;
        }
}

static void check(const struct nx_gfx_damage *d)
{
    if (d->count > NX_GFX_DAMAGE_MAX)
        abort();
    memset(covered, 0, sizeof(covered));
    for (uint32_t i = 0; i < d->count; i++) {
        struct nx_gfx_rect r = d->rects[i];
        if (nx_gfx_rect_empty(r) || !nx_gfx_rect_contains(d->bounds, r))
            abort();
        for (int y = r.y; y < r.y + r.h; y++)
            for (int x = r.x; x < r.x + r.w; x++) {
                if (covered[y][x])
                    abort();   // two rectangles overlap
                covered[y][x] = true;
            }
    }
    if (memcmp(covered, damaged, sizeof(covered)) == 0)
        return;
    struct nx_gfx_rect box = { 0, 0, 0, 0 };
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++)
            if (damaged[y][x])
                box = nx_gfx_rect_union(box, (struct nx_gfx_rect){ x, y, 1, 1 });
    struct nx_gfx_rect only = d->rects[0];
    if (d->count != 1 || only.x != box.x || only.y != box.y || only.w != box.w || only.h != box.h)
        abort();
    memcpy(damaged, covered, sizeof(covered));   // the box is the damage from now on
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct nx_gfx_damage d, other;
    nx_gfx_damage_init(&d, (struct nx_gfx_rect){ 0, 0, W, H });
    memset(damaged, 0, sizeof(damaged));
    for (size_t at = 0; at + 9 <= size; at += 9) {
        const uint8_t *p = data + at;
        struct nx_gfx_rect r = { coord(p + 1), coord(p + 3), coord(p + 5), coord(p + 7) };
        switch (p[0] % 4) {
        case 0:
            nx_gfx_damage_add(&d, r);
            paint(damaged, r, false);
            break;
        case 1:
            nx_gfx_damage_clip(&d, r);
            paint(damaged, r, true);
            break;
        case 2:   // a union adds the other region's rectangles one by one: check each
            nx_gfx_damage_init(&other, d.bounds);
            nx_gfx_damage_add(&other, r);
            nx_gfx_damage_add(&other, (struct nx_gfx_rect){ r.y, r.x, r.h, r.w });
            for (uint32_t i = 0; i < other.count; i++) {
                struct nx_gfx_damage one = other;
                one.count = 1;
                one.rects[0] = other.rects[i];
                nx_gfx_damage_add_region(&d, &one);
                paint(damaged, other.rects[i], false);
                check(&d);
            }
            break;
        default:
            nx_gfx_damage_clear(&d);
            memset(damaged, 0, sizeof(damaged));
        }
        check(&d);
    }
    return 0;
}
