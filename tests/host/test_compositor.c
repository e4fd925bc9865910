// The compositor's pure parts: region_split against a pixel-by-pixel model (every damaged
// pixel painted once, by the topmost window over it), rectangle subtraction, frames and hit
// tests, the stacking order at its limit, the checks of surface requests (every error),
// damage clipping and client badges.
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <nexus/errors.h>
#include <nexus/handle.h>
#include <nx/services.h>
#include "../../user/services/compositor/region.h"
#include "../../user/services/compositor/request.h"
#include "../../user/services/compositor/scene.h"

#pragma GCC diagnostic ignored "-Wunused-parameter"  // cmocka's void **state

// ---- region_split against a model ----

#define W 96
#define H 64

struct canvas {
    int owner[H][W];   // layer that painted the pixel, -2: not painted
    int paints[H][W];  // how many times
    bool outside;      // a piece reached past the canvas
};

static void paint(void *ctx, int layer, struct nx_gfx_rect p)
{
    struct canvas *c = ctx;
    assert_false(nx_gfx_rect_empty(p));
    for (int y = p.y; y < p.y + p.h; y++)
        for (int x = p.x; x < p.x + p.w; x++) {
            if (x < 0 || y < 0 || x >= W || y >= H) {
                c->outside = true;
                continue;
            }
            c->owner[y][x] = layer;
            c->paints[y][x]++;
        }
}

static void assert_rect(struct nx_gfx_rect r, int x, int y, int w, int h)
{
    assert_int_equal(r.x, x);
    assert_int_equal(r.y, y);
    assert_int_equal(r.w, w);
    assert_int_equal(r.h, h);
}

static bool in(struct nx_gfx_rect r, int x, int y)
{
    return x >= r.x && y >= r.y && x < r.x + r.w && y < r.y + r.h;
}

static struct nx_gfx_rect random_rect(int span)
{
    return (struct nx_gfx_rect){ rand() % (W + 20) - 10, rand() % (H + 20) - 10,
                                 rand() % span, rand() % span };
}

static void split_matches_the_model(void **state)
{
    srand(13);
    static struct canvas c;
    for (int round = 0; round < 2000; round++) {
        int n = rand() % (WM_MAX_WINDOWS + 1);
        struct nx_gfx_rect layers[WM_MAX_WINDOWS], d = random_rect(80);
        for (int i = 0; i < n; i++)
            layers[i] = random_rect(50);
        memset(&c, 0, sizeof c);
        for (int y = 0; y < H; y++)
            for (int x = 0; x < W; x++)
                c.owner[y][x] = -2;
        region_split(layers, 0, n, d, paint, &c);
        for (int y = 0; y < H; y++)
            for (int x = 0; x < W; x++) {
                int want = -2;
                if (in(d, x, y)) {
                    want = -1;
                    for (int i = n - 1; i >= 0; i--)
                        if (in(layers[i], x, y))
                            want = i;
                }
                assert_int_equal(c.owner[y][x], want);
                assert_int_equal(c.paints[y][x], want == -2 ? 0 : 1);
            }
    }
}

static void subtract_covers_the_difference(void **state)
{
    struct nx_gfx_rect out[4];
    struct nx_gfx_rect a = { 0, 0, 10, 10 };
    assert_int_equal(region_subtract(a, a, out), 0);
    assert_int_equal(region_subtract(a, (struct nx_gfx_rect){ -5, -5, 30, 30 }, out), 0);
    assert_int_equal(region_subtract(a, (struct nx_gfx_rect){ 20, 0, 5, 5 }, out), 1);
    assert_memory_equal(&out[0], &a, sizeof a);
    assert_int_equal(region_subtract(a, (struct nx_gfx_rect){ 3, 3, 4, 4 }, out), 4);
    uint64_t area = 0;
    for (int i = 0; i < 4; i++)
        area += (uint64_t)out[i].w * out[i].h;
    assert_int_equal(area, 100 - 16);
    assert_int_equal(region_subtract((struct nx_gfx_rect){ 0, 0, 0, 5 }, a, out), 0);
    // At the edges of the int32 range: no overflow.
    struct nx_gfx_rect huge = { INT32_MAX - 10, INT32_MAX - 10, 10, 10 };
    assert_int_equal(region_subtract(huge, (struct nx_gfx_rect){ INT32_MAX - 5, INT32_MAX - 5, 5, 5 },
                                     out), 2);
}

// ---- frames, hits, placement ----

static void frames_and_parts(void **state)
{
    struct wm_geom g = { 100, 100, 200, 150, true, false };
    struct nx_gfx_rect f = wm_frame(&g), t = wm_title_bar(&g), b = wm_close_button(&g);
    assert_int_equal(f.x, 100 - WM_BORDER);
    assert_int_equal(f.y, 100 - WM_TITLE_H);
    assert_int_equal(f.w, 200 + 2 * WM_BORDER);
    assert_int_equal(f.h, 150 + WM_TITLE_H + WM_BORDER);
    assert_int_equal(t.h, WM_TITLE_H);
    assert_true(b.x + b.w <= t.x + t.w && b.y >= t.y && b.y + b.h <= t.y + t.h);
    assert_int_equal(wm_part_at(&g, 150, 150), WM_PART_CONTENT);
    assert_int_equal(wm_part_at(&g, 150, 80), WM_PART_TITLE);
    assert_int_equal(wm_part_at(&g, b.x + 1, b.y + 1), WM_PART_CLOSE);
    assert_int_equal(wm_part_at(&g, 97, 200), WM_PART_BORDER);
    assert_int_equal(wm_part_at(&g, f.x + f.w - 1, f.y + f.h - 1), WM_PART_RESIZE);
    assert_int_equal(wm_part_at(&g, 150, 251), WM_PART_BORDER);
    assert_int_equal(wm_part_at(&g, f.x + f.w, 150), WM_PART_NONE);
    assert_int_equal(wm_part_at(&g, 0, 0), WM_PART_NONE);
    struct wm_geom full = { 0, 0, 1280, 800, false, false };
    assert_rect(wm_frame(&full), 0, 0, 1280, 800);
    assert_true(nx_gfx_rect_empty(wm_title_bar(&full)));
    assert_int_equal(wm_part_at(&full, 5, 5), WM_PART_CONTENT);
}

static void placement_keeps_the_title_bar_reachable(void **state)
{
    struct wm_geom g = { 0, 0, 200, 150, true, false };
    wm_place(&g, -100000, -100000, 1280, 800, 0);
    assert_true(wm_frame(&g).y >= 0);
    assert_true(wm_frame(&g).x + wm_frame(&g).w >= WM_KEEP);
    wm_place(&g, INT32_MAX, INT32_MAX, 1280, 800, 0);
    assert_true(wm_frame(&g).x <= 1280 - WM_KEEP);
    assert_true(wm_frame(&g).y <= 800 - WM_KEEP);
    wm_place(&g, 300, 200, 1280, 800, 0);
    assert_int_equal(g.x, 300);
    assert_int_equal(g.y, 200);
    struct wm_geom full = { 5, 5, 1280, 800, false, false };
    wm_place(&full, 40, 40, 1280, 800, 0);
    assert_int_equal(full.x, 0);
    assert_int_equal(full.y, 0);
}

static void the_stack_orders_and_is_bounded(void **state)
{
    struct wm_stack s = { 0 };
    struct wm_geom geom[WM_MAX_WINDOWS];
    for (int i = 0; i < WM_MAX_WINDOWS; i++) {
        geom[i] = (struct wm_geom){ 10 * i + WM_BORDER, 10 * i + WM_TITLE_H, 100, 100, true, false };
        wm_stack_push(&s, i, WM_LAYER_WINDOW);
    }
    wm_stack_push(&s, 99, WM_LAYER_WINDOW);  // full: refused
    assert_int_equal(s.n, WM_MAX_WINDOWS);
    assert_int_equal(wm_stack_depth(&s, WM_MAX_WINDOWS - 1), 0);
    assert_int_equal(wm_stack_depth(&s, 99), -1);
    // (15, 35) lies in the frames of windows 0 and 1: the later, on top, wins.
    assert_int_equal(wm_stack_at(&s, geom, 15, 35), 1);
    wm_stack_raise(&s, 0);
    assert_int_equal(wm_stack_at(&s, geom, 15, 35), 0);
    assert_int_equal(s.order[0], 0);
    wm_stack_remove(&s, 0);
    wm_stack_remove(&s, 0);  // not there: nothing
    assert_int_equal(s.n, WM_MAX_WINDOWS - 1);
    assert_int_equal(wm_stack_at(&s, geom, 15, 35), 1);
    assert_int_equal(wm_stack_at(&s, geom, 2000, 2000), -1);
    struct nx_gfx_rect frames[WM_MAX_WINDOWS];
    wm_stack_frames(&s, geom, frames);
    assert_rect(frames[0], 10 * s.order[0], 10 * s.order[0], 108, 128);
}

// Random pushes, raises and removals of lock, top and ordinary windows against a model: the
// lock layer always precedes the top layer, which precedes the rest, each layer in push/raise
// order; nlock and ntop count them; input goes only to the lock layer while it holds any.
static void the_layers_stay_in_order(void **state)
{
    struct wm_stack s = { 0 };
    int model[3][WM_MAX_WINDOWS], nm[3] = { 0, 0, 0 };  // by enum wm_layer; [i][0] its top
    bool in[WM_MAX_WINDOWS] = { false };
    enum wm_layer layer[WM_MAX_WINDOWS] = { 0 };
    srand(16);
    for (int step = 0; step < 30000; step++) {
        int w = rand() % WM_MAX_WINDOWS, op = rand() % 3;
        if (op == 0 && !in[w]) {
            int r = rand() % 8;
            layer[w] = r == 0 ? WM_LAYER_LOCK : r < 3 ? WM_LAYER_TOP : WM_LAYER_WINDOW;
            wm_stack_push(&s, w, layer[w]);
        } else if (op == 1 || (op == 0 && in[w])) {
            wm_stack_raise(&s, w);
        } else {
            wm_stack_remove(&s, w);
        }
        // The model: the same operation on three lists.
        int *l = model[layer[w]], *n = &nm[layer[w]];
        int at = -1;
        for (int i = 0; i < *n; i++)
            if (l[i] == w)
                at = i;
        if (at >= 0) {
            memmove(&l[at], &l[at + 1], (size_t)(*n - at - 1) * sizeof l[0]);
            (*n)--;
        }
        bool stays = op == 0 || (op == 1 && in[w]);
        if (stays) {
            memmove(&l[1], &l[0], (size_t)*n * sizeof l[0]);
            l[0] = w;
            (*n)++;
        }
        in[w] = stays;
        int nl = nm[WM_LAYER_LOCK], nt = nm[WM_LAYER_TOP], nw = nm[WM_LAYER_WINDOW];
        assert_int_equal(s.n, nl + nt + nw);
        assert_int_equal(s.nlock, nl);
        assert_int_equal(s.ntop, nl + nt);
        assert_memory_equal(s.order, model[WM_LAYER_LOCK], (size_t)nl * sizeof(int));
        assert_memory_equal(s.order + nl, model[WM_LAYER_TOP], (size_t)nt * sizeof(int));
        assert_memory_equal(s.order + nl + nt, model[WM_LAYER_WINDOW], (size_t)nw * sizeof(int));
        for (int v = 0; v < WM_MAX_WINDOWS; v++)
            assert_int_equal(wm_stack_takes_input(&s, v),
                             nl ? in[v] && layer[v] == WM_LAYER_LOCK : true);
    }
    assert_false(wm_stack_takes_input(&s, -1));
    assert_false(wm_stack_takes_input(&s, WM_MAX_WINDOWS));
}

// The login screen's lock over a session that then puts up a fullscreen surface, a bar, a
// menu and a window, and raises each: the lock stays on top, under every point of the screen,
// and only it takes input; once it goes, the session's surfaces do again.
static void nothing_goes_over_the_lock(void **state)
{
    struct wm_stack s = { 0 };
    struct wm_geom geom[WM_MAX_WINDOWS];
    geom[0] = wm_geom_new(NX_WM_SURFACE_FULLSCREEN | NX_WM_SURFACE_LOCK, 1280, 800);
    wm_place(&geom[0], 0, 0, 1280, 800, 0);
    wm_stack_push(&s, 0, WM_LAYER_LOCK);
    geom[1] = wm_geom_new(NX_WM_SURFACE_FULLSCREEN, 1280, 800);
    geom[2] = wm_geom_new(NX_WM_SURFACE_TOP, 1280, 28);
    geom[3] = wm_geom_new(NX_WM_SURFACE_TOP, 200, 300);
    geom[4] = wm_geom_new(0, 400, 300);
    enum wm_layer layers[] = { WM_LAYER_LOCK, WM_LAYER_TOP, WM_LAYER_TOP, WM_LAYER_TOP,
                               WM_LAYER_WINDOW };
    for (int w = 1; w <= 4; w++) {
        wm_place(&geom[w], 10, 10, 1280, 800, 0);
        wm_stack_push(&s, w, layers[w]);
        wm_stack_raise(&s, w);
        assert_int_equal(s.order[0], 0);
        assert_false(wm_stack_takes_input(&s, w));
    }
    assert_true(wm_stack_takes_input(&s, 0));
    for (int32_t y = 0; y < 800; y += 37)
        for (int32_t x = 0; x < 1280; x += 41)
            assert_int_equal(wm_stack_at(&s, geom, x, y), 0);
    wm_stack_remove(&s, 0);
    assert_int_equal(s.order[0], 3);   // the menu, last raised of the top layer
    for (int w = 1; w <= 4; w++)
        assert_true(wm_stack_takes_input(&s, w));
}

static void top_surfaces_are_placed_on_the_screen_and_keep_windows_below(void **state)
{
    struct wm_geom bar = wm_geom_new(NX_WM_SURFACE_TOP, 1280, 28);
    assert_true(bar.top);
    assert_false(bar.framed);
    wm_place(&bar, -5, -5, 1280, 800, 0);
    assert_int_equal(bar.x, 0);
    assert_int_equal(bar.y, 0);
    assert_rect(wm_frame(&bar), 0, 0, 1280, 28);
    struct wm_geom menu = wm_geom_new(NX_WM_SURFACE_TOP, 200, 100);
    wm_place(&menu, 1200, 790, 1280, 800, 0);
    assert_int_equal(menu.x, 1080);
    assert_int_equal(menu.y, 700);
    wm_place(&menu, INT32_MIN, INT32_MAX, 1280, 800, 0);
    assert_int_equal(menu.x, 0);
    assert_int_equal(menu.y, 700);
    // Only a top surface at (0, 0) across the whole width makes an inset.
    struct wm_geom geom[3] = { bar, menu, wm_geom_new(0, 1280, 40) };
    bool used[3] = { true, true, true };
    assert_int_equal(wm_top_inset(geom, used, 3, 1280), 28);
    used[0] = false;
    assert_int_equal(wm_top_inset(geom, used, 3, 1280), 0);
    // A framed window's title bar goes below the inset; with no room, as low as it may.
    struct wm_geom g = wm_geom_new(0, 200, 150);
    assert_true(g.framed);
    wm_place(&g, 40, 40, 1280, 800, 28);
    assert_int_equal(g.y, 28 + WM_TITLE_H);
    wm_place(&g, 40, 100, 1280, 800, 28);
    assert_int_equal(g.y, 100);
    wm_place(&g, 40, 0, 1280, 800, 5000);
    assert_int_equal(g.y, 800 - WM_KEEP + WM_TITLE_H);
    struct wm_geom full = wm_geom_new(NX_WM_SURFACE_FULLSCREEN, 1280, 800);
    wm_place(&full, 40, 40, 1280, 800, 28);
    assert_int_equal(full.y, 0);
}

// ---- requests ----

#define RM (NX_RIGHT_READ | NX_RIGHT_MAP)
#define FS_RIGHTS (RM | NX_RIGHT_DMA | NX_RIGHT_TRANSFER | NX_RIGHT_DUPLICATE)

static void surfaces_are_checked(void **state)
{
    assert_int_equal(wm_check_surface(200, 150, 800, 0, 1280, 800, RM, 120000), NX_OK);
    assert_int_equal(wm_check_surface(200, 150, 1024, NX_WM_SURFACE_OPAQUE, 1280, 800, RM,
                                      1024 * 150), NX_OK);
    assert_int_equal(wm_check_surface(0, 150, 800, 0, 1280, 800, RM, 1 << 20), NX_ERR_INVALID);
    assert_int_equal(wm_check_surface(200, -1, 800, 0, 1280, 800, RM, 1 << 20), NX_ERR_INVALID);
    assert_int_equal(wm_check_surface(200, 150, 796, 0, 1280, 800, RM, 1 << 20), NX_ERR_INVALID);
    assert_int_equal(wm_check_surface(200, 150, 802, 0, 1280, 800, RM, 1 << 20), NX_ERR_INVALID);
    assert_int_equal(wm_check_surface(INT32_MAX, 1, INT32_MAX - 3, 0, 1280, 800, RM, 1 << 20),
                     NX_ERR_INVALID);
    assert_int_equal(wm_check_surface(200, 150, 800, 1u << 9, 1280, 800, RM, 1 << 20),
                     NX_ERR_INVALID);
    assert_int_equal(wm_check_surface(1281, 10, 1281 * 4, 0, 1280, 800, RM, 1 << 24),
                     NX_ERR_TOO_BIG);
    assert_int_equal(wm_check_surface(10, 801, 40, 0, 1280, 800, RM, 1 << 24), NX_ERR_TOO_BIG);
    assert_int_equal(wm_check_surface(10, 10, NX_GFX_MAX_DIM * 4 + 4, 0, 1280, 800, RM, 1 << 30),
                     NX_ERR_TOO_BIG);
    assert_int_equal(wm_check_surface(200, 150, 800, 0, 1280, 800, RM, 120000 - 1),
                     NX_ERR_TOO_BIG);
    assert_int_equal(wm_check_surface(200, 150, 800, 0, 1280, 800, NX_RIGHT_READ, 120000),
                     NX_ERR_ACCESS);
    assert_int_equal(wm_check_surface(200, 150, 800, 0, 1280, 800, NX_RIGHT_MAP, 120000),
                     NX_ERR_ACCESS);
    // Fullscreen: exactly the screen, rows packed, and the rights the GPU driver needs.
    uint64_t fs = 1280 * 800 * 4;
    assert_int_equal(wm_check_surface(200, 150, 800, NX_WM_SURFACE_TOP, 1280, 800, RM, 120000),
                     NX_OK);
    assert_int_equal(wm_check_surface(1280, 800, 5120, NX_WM_SURFACE_FULLSCREEN | NX_WM_SURFACE_TOP,
                                      1280, 800, FS_RIGHTS, 1 << 23), NX_ERR_INVALID);
    assert_int_equal(wm_check_surface(1280, 800, 5120, NX_WM_SURFACE_FULLSCREEN, 1280, 800,
                                      FS_RIGHTS, fs), NX_OK);
    assert_int_equal(wm_check_surface(1280, 800, 5120, NX_WM_SURFACE_FULLSCREEN, 1280, 800, RM,
                                      fs), NX_ERR_ACCESS);
    assert_int_equal(wm_check_surface(1280, 800, 5120, NX_WM_SURFACE_FULLSCREEN, 1280, 800,
                                      FS_RIGHTS & ~NX_RIGHT_TRANSFER, fs), NX_ERR_ACCESS);
    assert_int_equal(wm_check_surface(1280, 799, 5120, NX_WM_SURFACE_FULLSCREEN, 1280, 800,
                                      FS_RIGHTS, fs), NX_ERR_INVALID);
    assert_int_equal(wm_check_surface(1280, 800, 5124, NX_WM_SURFACE_FULLSCREEN, 1280, 800,
                                      FS_RIGHTS, 1 << 24), NX_ERR_INVALID);
}

// A lock surface must be fullscreen; who may ask is the badge's (init's NX_BADGE_LOCK facet,
// never one of the compositor's own client badges, whatever their generation); an idle
// watch is bounded.
static void lock_and_idle_requests_are_checked(void **state)
{
    uint64_t fs = 1280 * 800 * 4, ns = 1;
    uint32_t lock = NX_WM_SURFACE_FULLSCREEN | NX_WM_SURFACE_LOCK;
    assert_int_equal(wm_check_surface(1280, 800, 5120, lock, 1280, 800, FS_RIGHTS, fs), NX_OK);
    assert_int_equal(wm_check_surface(200, 150, 800, NX_WM_SURFACE_LOCK, 1280, 800, RM, 120000),
                     NX_ERR_INVALID);
    assert_int_equal(wm_check_surface(200, 150, 800, NX_WM_SURFACE_LOCK | NX_WM_SURFACE_TOP,
                                      1280, 800, RM, 120000), NX_ERR_INVALID);
    assert_int_equal(wm_check_surface(1280, 800, 5120, lock | NX_WM_SURFACE_TOP, 1280, 800,
                                      FS_RIGHTS, fs), NX_ERR_INVALID);
    assert_true(wm_badge_may_lock(5 | NX_BADGE_LOCK));
    assert_false(wm_badge_may_lock(5));
    assert_false(wm_badge_may_lock(0));
    assert_false(wm_badge_may_lock(1ull << 32 | 5 | NX_BADGE_LOCK));
    for (uint32_t gen = 0; gen < 65536; gen += 257)
        for (unsigned slot = 0; slot < NX_WM_MAX_CLIENTS; slot++)
            assert_false(wm_badge_may_lock(wm_badge(77, gen, slot)));
    assert_false(wm_badge_may_lock(wm_badge(77, 0xffff, 15) | NX_BADGE_LOCK));
    struct nx_wm_idle_watch w = { 0 };
    assert_int_equal(wm_check_idle(&w, &ns), NX_OK);
    assert_int_equal(ns, 0);
    w.seconds = NX_WM_IDLE_MAX_S;
    assert_int_equal(wm_check_idle(&w, &ns), NX_OK);
    assert_int_equal(ns, 86400000000000ull);
    w.seconds = NX_WM_IDLE_MAX_S + 1;
    assert_int_equal(wm_check_idle(&w, &ns), NX_ERR_INVALID);
    w.seconds = UINT32_MAX;
    assert_int_equal(wm_check_idle(&w, &ns), NX_ERR_INVALID);
}

static void damage_is_checked_and_clipped(void **state)
{
    struct nx_wm_present p = { 1, 3, { { -5, -5, 10, 10 }, { 190, 140, 100, 100 },
                                       { 300, 0, 5, 5 } } };
    struct nx_gfx_rect out[NX_WM_MAX_DAMAGE];
    size_t n, head = offsetof(struct nx_wm_present, damage);
    assert_int_equal(wm_clip_damage(&p, head + 3 * sizeof p.damage[0], 200, 150, out, &n), NX_OK);
    assert_int_equal(n, 2);
    assert_rect(out[0], 0, 0, 5, 5);
    assert_rect(out[1], 190, 140, 10, 10);
    assert_int_equal(wm_clip_damage(&p, head + 2 * sizeof p.damage[0], 200, 150, out, &n),
                     NX_ERR_INVALID);
    assert_int_equal(wm_clip_damage(&p, head - 1, 200, 150, out, &n), NX_ERR_INVALID);
    p.n = 0;
    assert_int_equal(wm_clip_damage(&p, sizeof p, 200, 150, out, &n), NX_ERR_INVALID);
    p.n = NX_WM_MAX_DAMAGE + 1;
    assert_int_equal(wm_clip_damage(&p, sizeof p, 200, 150, out, &n), NX_ERR_INVALID);
    p.n = NX_WM_MAX_DAMAGE;
    for (int i = 0; i < NX_WM_MAX_DAMAGE; i++)
        p.damage[i] = (struct nx_gfx_rect){ INT32_MAX, INT32_MIN, INT32_MAX, INT32_MAX };
    assert_int_equal(wm_clip_damage(&p, sizeof p, 200, 150, out, &n), NX_OK);
    assert_int_equal(n, 0);
}

static void titles_end_in_a_nul(void **state)
{
    char in[NX_WM_TITLE_MAX + 1], out[NX_WM_TITLE_MAX + 1];
    memset(in, 'x', sizeof in);
    wm_copy_title(out, in);
    assert_int_equal(strlen(out), NX_WM_TITLE_MAX);
    strcpy(in, "Terminal");
    wm_copy_title(out, in);
    assert_string_equal(out, "Terminal");
}

static void badges_name_a_client_of_one_epoch(void **state)
{
    unsigned slot;
    uint32_t gen;
    for (unsigned s = 0; s < NX_WM_MAX_CLIENTS; s++) {
        uint32_t b = wm_badge(77, 65535, s);
        assert_true(b & WM_BADGE_CLIENT);
        assert_true(wm_badge_slot(b, 77, &slot, &gen));
        assert_int_equal(slot, s);
        assert_int_equal(gen, 65535);
        assert_false(wm_badge_slot(b, 78, &slot, &gen));  // a restarted compositor's
    }
    assert_false(wm_badge_slot(5, 77, &slot, &gen));      // init's badges
    assert_false(wm_badge_slot(1ull << 32 | wm_badge(77, 1, 1), 77, &slot, &gen));
    assert_false(wm_badge_slot(wm_badge(77, 1, 0) | 31, 77, &slot, &gen));  // slot 31
    assert_int_equal(wm_badge(77, 65536, 3), wm_badge(77, 0, 3));  // generations wrap
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(split_matches_the_model),
        cmocka_unit_test(subtract_covers_the_difference),
        cmocka_unit_test(frames_and_parts),
        cmocka_unit_test(placement_keeps_the_title_bar_reachable),
        cmocka_unit_test(the_stack_orders_and_is_bounded),
        cmocka_unit_test(the_layers_stay_in_order),
        cmocka_unit_test(nothing_goes_over_the_lock),
        cmocka_unit_test(lock_and_idle_requests_are_checked),
        cmocka_unit_test(top_surfaces_are_placed_on_the_screen_and_keep_windows_below),
        cmocka_unit_test(surfaces_are_checked),
        cmocka_unit_test(damage_is_checked_and_clipped),
        cmocka_unit_test(titles_end_in_a_nul),
        cmocka_unit_test(badges_name_a_client_of_one_epoch),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
