// Host unit tests for the graphics library's surfaces and damage regions (user/lib/gfx):
// surface validation at every limit, fills, copies and blends clipped at the edges and at
// extreme coordinates (checked pixel by pixel against a plain model), the blending
// arithmetic exhaustively, and damage regions under random operations against a bitmap.
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include <nexus/errors.h>
#include <nx/damage.h>
#include <nx/gfx.h>

// A W x H surface inside a larger buffer with a border of canary pixels all round (and a
// stride wider than the surface), so a write outside the surface shows.
#define W 13
#define H 9
#define BORDER 3
#define BUF_W (W + 2 * BORDER + 2)
#define BUF_H (H + 2 * BORDER)
#define CANARY 0x5a5a5a5au

struct canvas {
    uint32_t buf[BUF_H * BUF_W];
    struct nx_gfx_surface s;
};

static void canvas_init(struct canvas *c, uint32_t fill)
{
    for (size_t i = 0; i < BUF_H * BUF_W; i++)
        c->buf[i] = CANARY;
    uint32_t *origin = c->buf + BORDER * BUF_W + BORDER;
    assert_int_equal(nx_gfx_surface_init(&c->s, origin, sizeof(c->buf) - (size_t)(BORDER * BUF_W + BORDER) * 4,
                                         W, H, BUF_W * 4), NX_OK);
    nx_gfx_fill(&c->s, nx_gfx_surface_rect(&c->s), fill);
}

static uint32_t px(const struct canvas *c, int x, int y)
{
    return c->s.pixels[y * c->s.stride + x];
}

static void check_canaries(const struct canvas *c)
{
    for (int y = 0; y < BUF_H; y++)
        for (int x = 0; x < BUF_W; x++) {
            bool inside = y >= BORDER && y < BORDER + H && x >= BORDER && x < BORDER + W;
            if (!inside && c->buf[y * BUF_W + x] != CANARY)
                fail_msg("canary at buffer (%d, %d) overwritten", x, y);
        }
}

static bool in_rect(int64_t x, int64_t y, struct nx_gfx_rect r)
{
    return x >= r.x && x < (int64_t)r.x + r.w && y >= r.y && y < (int64_t)r.y + r.h;
}

// Coordinates at and around every edge that matters, and the extremes of int32.
static const int32_t edges[] = {
    INT32_MIN, INT32_MIN + 1, -1000, -14, -13, -9, -2, -1, 0, 1, 2, 5, 8, 9, 12, 13, 14,
    1000, INT32_MAX - 1, INT32_MAX,
};
#define NEDGES (sizeof(edges) / sizeof(edges[0]))

static int32_t pick(void)
{
    return rand() % 4 ? rand() % 40 - 20 : edges[rand() % NEDGES];
}

static struct nx_gfx_rect random_rect(void)
{
    return (struct nx_gfx_rect){ pick(), pick(), pick(), pick() };
}

static void test_surface_init_limits(void **state)
{
    (void)state;
    static uint32_t mem[64 * 64];
    struct nx_gfx_surface s;
    char *bytes = (char *)mem;
    assert_int_equal(nx_gfx_surface_init(&s, NULL, sizeof(mem), 8, 8, 32), NX_ERR_INVALID);
    assert_int_equal(nx_gfx_surface_init(&s, bytes + 2, 1024, 8, 8, 32), NX_ERR_INVALID);
    assert_int_equal(nx_gfx_surface_init(&s, mem, sizeof(mem), 0, 8, 32), NX_ERR_INVALID);
    assert_int_equal(nx_gfx_surface_init(&s, mem, sizeof(mem), 8, 0, 32), NX_ERR_INVALID);
    assert_int_equal(nx_gfx_surface_init(&s, mem, sizeof(mem), -1, 8, 32), NX_ERR_INVALID);
    assert_int_equal(nx_gfx_surface_init(&s, mem, sizeof(mem), 8, 8, 30), NX_ERR_INVALID);
    assert_int_equal(nx_gfx_surface_init(&s, mem, sizeof(mem), 8, 8, 28), NX_ERR_INVALID);
    assert_int_equal(nx_gfx_surface_init(&s, mem, 8 * 32 - 1, 8, 8, 32), NX_ERR_INVALID);
    assert_int_equal(nx_gfx_surface_init(&s, mem, SIZE_MAX, NX_GFX_MAX_DIM + 1, 1,
                                         (NX_GFX_MAX_DIM + 1) * 4), NX_ERR_TOO_BIG);
    assert_int_equal(nx_gfx_surface_init(&s, mem, SIZE_MAX, 1, NX_GFX_MAX_DIM + 1, 4),
                     NX_ERR_TOO_BIG);
    assert_int_equal(nx_gfx_surface_init(&s, mem, SIZE_MAX, 1, 1, NX_GFX_MAX_DIM * 4 + 4),
                     NX_ERR_TOO_BIG);
    // At the limits exactly: accepted (the size is only checked, not touched).
    assert_int_equal(nx_gfx_surface_init(&s, mem, SIZE_MAX, NX_GFX_MAX_DIM, NX_GFX_MAX_DIM,
                                         NX_GFX_MAX_DIM * 4), NX_OK);
    assert_int_equal(nx_gfx_surface_init(&s, mem, 8 * 32, 8, 8, 32), NX_OK);
    assert_int_equal(s.stride, 8);
    assert_int_equal(nx_gfx_surface_init(&s, mem, 7 * 40 + 32, 8, 8, 40), NX_ERR_INVALID);
    assert_int_equal(nx_gfx_surface_init(&s, mem, 8 * 40, 8, 8, 40), NX_OK);
    assert_int_equal(s.stride, 10);
}

static void test_rect_ops(void **state)
{
    (void)state;
    struct nx_gfx_rect a = { 0, 0, 10, 10 }, b = { 5, -5, 10, 10 }, e = { 3, 3, 0, 5 };
    struct nx_gfx_rect i = nx_gfx_rect_intersect(a, b), u = nx_gfx_rect_union(a, b);
    assert_true(i.x == 5 && i.y == 0 && i.w == 5 && i.h == 5);
    assert_true(u.x == 0 && u.y == -5 && u.w == 15 && u.h == 15);
    // Touching edges do not overlap; an empty rectangle adds nothing to a union.
    assert_true(nx_gfx_rect_empty(nx_gfx_rect_intersect(a, (struct nx_gfx_rect){ 10, 0, 5, 5 })));
    u = nx_gfx_rect_union(a, e);
    assert_true(u.x == 0 && u.y == 0 && u.w == 10 && u.h == 10);
    assert_true(nx_gfx_rect_contains(a, e) && nx_gfx_rect_contains(a, a));
    assert_false(nx_gfx_rect_contains(a, b));
    // The far ends of int32: x + w past INT32_MAX computed exactly, a union clamped.
    struct nx_gfx_rect far = { INT32_MAX - 1, 0, INT32_MAX, 1 }, neg = { INT32_MIN, 0, 1, 1 };
    i = nx_gfx_rect_intersect(far, (struct nx_gfx_rect){ INT32_MAX - 5, 0, 10, 1 });
    assert_true(i.x == INT32_MAX - 1 && i.w == 6);
    u = nx_gfx_rect_union(far, neg);
    assert_true(u.x == INT32_MIN && u.w == INT32_MAX);
    assert_true(nx_gfx_rect_empty(nx_gfx_rect_intersect(far, neg)));
}

// Random rectangles with edge-heavy coordinates, each filled, the result checked pixel by
// pixel (fill and fill_blend: both clip alike).
static void test_fill_clipping(void **state)
{
    (void)state;
    struct canvas c;
    srand(1);
    for (int round = 0; round < 3000; round++) {
        struct nx_gfx_rect r = random_rect();
        canvas_init(&c, 0xff000000u);
        if (round % 2)
            nx_gfx_fill(&c.s, r, 0xff123456u);
        else
            nx_gfx_fill_blend(&c.s, r, 0xff123456u);
        for (int y = 0; y < H; y++)
            for (int x = 0; x < W; x++)
                assert_int_equal(px(&c, x, y), in_rect(x, y, r) ? 0xff123456u : 0xff000000u);
        check_canaries(&c);
    }
}

static uint32_t pattern(int x, int y)
{
    return 0xff000000u | (uint32_t)(x * 16 + 1) << 8 | (uint32_t)(y * 16 + 1);
}

static void paint_pattern(struct canvas *c)
{
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++)
            c->s.pixels[y * c->s.stride + x] = pattern(x, y);
}

// Copies from random source rectangles to random places, between two surfaces and within
// one (overlapping: scrolling), against the model "copy aside, then paste".
static void test_copy_clipping_and_overlap(void **state)
{
    (void)state;
    static struct canvas src, dst;
    srand(2);
    for (int round = 0; round < 4000; round++) {
        bool same = round % 2;
        struct nx_gfx_rect r = random_rect();
        int32_t x = pick(), y = pick();
        if (same && round % 4 == 1) {   // a scroll: a large block moved a little
            r = (struct nx_gfx_rect){ rand() % 5 - 2, rand() % 5 - 2, W - rand() % 4, H - rand() % 4 };
            x = r.x + rand() % 7 - 3;
            y = r.y + rand() % 7 - 3;
        }
        canvas_init(&src, 0);
        paint_pattern(&src);
        canvas_init(&dst, 0xff000000u);
        struct canvas *to = same ? &src : &dst;
        uint32_t before[H][W];
        for (int j = 0; j < H; j++)
            for (int i = 0; i < W; i++)
                before[j][i] = px(to, i, j);
        nx_gfx_copy(&to->s, x, y, &src.s, r);
        for (int j = 0; j < H; j++)
            for (int i = 0; i < W; i++) {
                int64_t sx = (int64_t)i - x + r.x, sy = (int64_t)j - y + r.y;
                bool from = in_rect(sx, sy, r) && sx >= 0 && sx < W && sy >= 0 && sy < H;
                uint32_t want = from ? pattern((int)sx, (int)sy) : before[j][i];
                if (px(to, i, j) != want)
                    fail_msg("round %d: (%d, %d) is %08x, want %08x", round, i, j,
                             px(to, i, j), want);
            }
        check_canaries(to);
    }
}

// The exact "over": s + d * (255 - a) / 255, rounded to nearest, for every premultiplied
// source channel and every destination value.
static void test_over_exact(void **state)
{
    (void)state;
    for (uint32_t a = 0; a < 256; a++)
        for (uint32_t s = 0; s <= a; s++)
            for (uint32_t d = 0; d < 256; d++) {
                uint32_t want = s + (d * (255 - a) * 2 + 255) / 510;
                uint32_t got = nx_gfx_over(a << 24 | s << 16 | s << 8 | s, d << 16 | d << 8 | d);
                if (got != (0xff000000u | want << 16 | want << 8 | want))
                    fail_msg("a=%u s=%u d=%u: %08x, want %u", a, s, d, got, want);
            }
    // Transparent leaves the destination, opaque replaces it; the X byte always ends 0xff.
    assert_int_equal(nx_gfx_over(0, 0x00abcdefu), 0xffabcdefu);
    assert_int_equal(nx_gfx_over(0xff102030u, 0xffabcdefu), 0xff102030u);
    // A colour that is not premultiplied saturates instead of wrapping.
    assert_int_equal(nx_gfx_over(0x80ffffffu, 0xffffffffu), 0xffffffffu);
    assert_int_equal(nx_gfx_argb(128, 255, 0, 100), 0x80800032u);
}

static void test_blend_clipping(void **state)
{
    (void)state;
    static struct canvas src, dst;
    srand(3);
    for (int round = 0; round < 2000; round++) {
        struct nx_gfx_rect r = random_rect();
        int32_t x = pick(), y = pick();
        canvas_init(&src, 0x80402010u);   // half-transparent
        canvas_init(&dst, 0xff000000u);
        nx_gfx_blend(&dst.s, x, y, &src.s, r);
        for (int j = 0; j < H; j++)
            for (int i = 0; i < W; i++) {
                int64_t sx = (int64_t)i - x + r.x, sy = (int64_t)j - y + r.y;
                bool from = in_rect(sx, sy, r) && sx >= 0 && sx < W && sy >= 0 && sy < H;
                assert_int_equal(px(&dst, i, j), from ? 0xff402010u : 0xff000000u);
            }
        check_canaries(&dst);
    }
}

// A 5x4 mask with coverage 0 (untouched), 255 (the colour) and between, placed anywhere.
static void test_mask_blend(void **state)
{
    (void)state;
    static const uint8_t cov[4][6] = {
        { 0, 255, 128, 255, 0, 99 }, { 255, 255, 255, 255, 255, 99 },
        { 1, 2, 3, 4, 5, 99 }, { 0, 0, 0, 0, 0, 99 },
    };
    struct nx_gfx_mask m = { &cov[0][0], 5, 4, 6 };
    struct canvas c;
    srand(4);
    for (int round = 0; round < 3000; round++) {
        int32_t x = pick(), y = pick();
        canvas_init(&c, 0xff204060u);
        nx_gfx_mask_blend(&c.s, x, y, &m, 0xffffffffu);
        for (int j = 0; j < H; j++)
            for (int i = 0; i < W; i++) {
                int64_t mx = (int64_t)i - x, my = (int64_t)j - y;
                uint32_t want = 0xff204060u;
                if (mx >= 0 && mx < 5 && my >= 0 && my < 4) {
                    uint32_t k = cov[my][mx];
                    want = nx_gfx_over(nx_gfx_argb((uint8_t)k, 255, 255, 255), want);
                }
                assert_int_equal(px(&c, i, j), want);
            }
        check_canaries(&c);
    }
    // Full coverage of an opaque colour is that colour exactly.
    canvas_init(&c, 0xff000000u);
    nx_gfx_mask_blend(&c.s, 0, 0, &m, 0xff0a0b0cu);
    assert_int_equal(px(&c, 1, 0), 0xff0a0b0cu);
    assert_int_equal(px(&c, 0, 0), 0xff000000u);
    // A mask whose stride is below its width is refused (nothing drawn).
    struct nx_gfx_mask bad = { &cov[0][0], 5, 4, 4 };
    canvas_init(&c, 0xff000000u);
    nx_gfx_mask_blend(&c.s, 0, 0, &bad, 0xffffffffu);
    assert_int_equal(px(&c, 1, 1), 0xff000000u);
}

// ---- damage ----
#define DW 40
#define DH 30

typedef bool pixmap[DH][DW];

static void region_map(const struct nx_gfx_damage *d, pixmap out)
{
    memset(out, 0, sizeof(pixmap));
    for (uint32_t i = 0; i < d->count; i++) {
        struct nx_gfx_rect r = d->rects[i];
        assert_false(nx_gfx_rect_empty(r));
        assert_true(nx_gfx_rect_contains(d->bounds, r));
        for (int y = r.y; y < r.y + r.h; y++)
            for (int x = r.x; x < r.x + r.w; x++) {
                if (out[y][x])
                    fail_msg("rectangles overlap at (%d, %d)", x, y);
                out[y][x] = true;
            }
    }
}

static void map_rect(pixmap m, struct nx_gfx_rect r, bool inside_only)
{
    for (int y = 0; y < DH; y++)
        for (int x = 0; x < DW; x++) {
            bool in = in_rect(x, y, r);
            m[y][x] = inside_only ? m[y][x] && in : m[y][x] || in;
        }
}

static struct nx_gfx_rect map_extent(pixmap m)
{
    struct nx_gfx_rect u = { 0, 0, 0, 0 };
    for (int y = 0; y < DH; y++)
        for (int x = 0; x < DW; x++)
            if (m[y][x])
                u = nx_gfx_rect_union(u, (struct nx_gfx_rect){ x, y, 1, 1 });
    return u;
}

static uint64_t map_area(pixmap m)
{
    uint64_t n = 0;
    for (int y = 0; y < DH; y++)
        for (int x = 0; x < DW; x++)
            n += m[y][x];
    return n;
}

static bool rect_eq(struct nx_gfx_rect a, struct nx_gfx_rect b)
{
    return a.x == b.x && a.y == b.y && a.w == b.w && a.h == b.h;
}

// Random adds (anywhere, clipped to the bounds), clips and unions. After each: the
// rectangles are disjoint, non-empty, inside the bounds and at most NX_GFX_DAMAGE_MAX; the
// region is exactly the model, or (when it did not fit) one rectangle, the bounding box of
// the model.
static void test_damage_random(void **state)
{
    (void)state;
    struct nx_gfx_damage d, other;
    pixmap model, got;
    int collapses = 0, exact_full = 0;
    srand(5);
    for (int seq = 0; seq < 300; seq++) {
        nx_gfx_damage_init(&d, (struct nx_gfx_rect){ 0, 0, DW, DH });
        memset(model, 0, sizeof(model));
        for (int op = 0; op < 60; op++) {
            int kind = rand() % 10;
            struct nx_gfx_rect r = { rand() % 60 - 10, rand() % 50 - 10, rand() % 12, rand() % 10 };
            if (kind == 0) {
                nx_gfx_damage_clip(&d, r);
                map_rect(model, r, true);
            } else if (kind == 1) {
                // A union is the other region's rectangles added one by one; what it
                // covers is then checked as for any add.
                nx_gfx_damage_init(&other, d.bounds);
                nx_gfx_damage_add(&other, r);
                nx_gfx_damage_add(&other, (struct nx_gfx_rect){ r.y, r.x, r.h, r.w });
                struct nx_gfx_damage one_by_one = d;
                for (uint32_t i = 0; i < other.count; i++)
                    nx_gfx_damage_add(&one_by_one, other.rects[i]);
                nx_gfx_damage_add_region(&d, &other);
                assert_int_equal(d.count, one_by_one.count);
                assert_memory_equal(d.rects, one_by_one.rects, d.count * sizeof(d.rects[0]));
                region_map(&d, got);
                pixmap theirs;
                region_map(&other, theirs);
                for (int y = 0; y < DH; y++)
                    for (int x = 0; x < DW; x++)
                        assert_true(got[y][x] || !(model[y][x] || theirs[y][x]));
                memcpy(model, got, sizeof(model));
            } else {
                nx_gfx_damage_add(&d, r);
                map_rect(model, r, false);
            }
            assert_true(d.count <= NX_GFX_DAMAGE_MAX);
            region_map(&d, got);
            assert_int_equal(nx_gfx_damage_area(&d), map_area(got));
            if (memcmp(got, model, sizeof(model))) {
                struct nx_gfx_rect box = map_extent(model);
                assert_int_equal(d.count, 1);
                assert_true(rect_eq(d.rects[0], box));
                memcpy(model, got, sizeof(model));   // the bounding box is now the damage
                collapses++;
            } else if (d.count == NX_GFX_DAMAGE_MAX) {
                exact_full++;
            }
            assert_true(rect_eq(nx_gfx_damage_extent(&d), map_extent(model)));
            assert_int_equal(nx_gfx_damage_empty(&d), map_area(model) == 0);
        }
    }
    // Both ways of ending were taken.
    assert_true(collapses > 10);
    assert_true(exact_full > 10);
}

// Exactly at the limit: NX_GFX_DAMAGE_MAX separate pixels stay separate; one more collapses
// the region into their bounding box.
static void test_damage_full_collapses(void **state)
{
    (void)state;
    struct nx_gfx_damage d;
    nx_gfx_damage_init(&d, (struct nx_gfx_rect){ 0, 0, 100, 100 });
    for (int i = 0; i < NX_GFX_DAMAGE_MAX; i++)
        nx_gfx_damage_add(&d, (struct nx_gfx_rect){ 2 * i, 3 * i, 1, 1 });
    assert_int_equal(d.count, NX_GFX_DAMAGE_MAX);
    assert_int_equal(nx_gfx_damage_area(&d), NX_GFX_DAMAGE_MAX);
    nx_gfx_damage_add(&d, (struct nx_gfx_rect){ 1, 1, 1, 1 });
    assert_int_equal(d.count, 1);
    struct nx_gfx_rect want = { 0, 0, 2 * (NX_GFX_DAMAGE_MAX - 1) + 1, 3 * (NX_GFX_DAMAGE_MAX - 1) + 1 };
    assert_true(rect_eq(d.rects[0], want));
    // Covered pixels add nothing; a rectangle covering the rest replaces it.
    nx_gfx_damage_add(&d, (struct nx_gfx_rect){ 5, 5, 3, 3 });
    assert_int_equal(d.count, 1);
    nx_gfx_damage_add(&d, (struct nx_gfx_rect){ -50, -50, 500, 500 });
    assert_int_equal(d.count, 1);
    assert_true(rect_eq(d.rects[0], d.bounds));
}

// Damage outside the bounds (negative, beyond, at int32's ends) is cut off or ignored.
static void test_damage_outside_bounds(void **state)
{
    (void)state;
    struct nx_gfx_damage d;
    nx_gfx_damage_init(&d, (struct nx_gfx_rect){ 0, 0, 64, 32 });
    nx_gfx_damage_add(&d, (struct nx_gfx_rect){ INT32_MAX, INT32_MAX, INT32_MAX, INT32_MAX });
    nx_gfx_damage_add(&d, (struct nx_gfx_rect){ INT32_MIN, 0, INT32_MAX, 32 });
    nx_gfx_damage_add(&d, (struct nx_gfx_rect){ 64, 0, 10, 10 });
    nx_gfx_damage_add(&d, (struct nx_gfx_rect){ 3, 3, -5, 10 });
    assert_true(nx_gfx_damage_empty(&d));
    nx_gfx_damage_add(&d, (struct nx_gfx_rect){ -10, 30, 20, 20 });
    assert_int_equal(d.count, 1);
    assert_true(rect_eq(d.rects[0], (struct nx_gfx_rect){ 0, 30, 10, 2 }));
    nx_gfx_damage_clear(&d);
    assert_true(nx_gfx_damage_empty(&d));
    assert_int_equal(nx_gfx_damage_area(&d), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_surface_init_limits),
        cmocka_unit_test(test_rect_ops),
        cmocka_unit_test(test_fill_clipping),
        cmocka_unit_test(test_copy_clipping_and_overlap),
        cmocka_unit_test(test_over_exact),
        cmocka_unit_test(test_blend_clipping),
        cmocka_unit_test(test_mask_blend),
        cmocka_unit_test(test_damage_random),
        cmocka_unit_test(test_damage_full_collapses),
        cmocka_unit_test(test_damage_outside_bounds),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
