// Windows on the screen (scene.h).
#include <nx/wm.h>
#include "scene.h"

struct nx_gfx_rect wm_content(const struct wm_geom *g)
{
    return (struct nx_gfx_rect){ g->x, g->y, g->w, g->h };
}

struct nx_gfx_rect wm_frame(const struct wm_geom *g)
{
    if (!g->framed)
        return wm_content(g);
    return (struct nx_gfx_rect){ g->x - WM_BORDER, g->y - WM_TITLE_H, g->w + 2 * WM_BORDER,
                                 g->h + WM_TITLE_H + WM_BORDER };
}

struct nx_gfx_rect wm_title_bar(const struct wm_geom *g)
{
    if (!g->framed)
        return (struct nx_gfx_rect){ 0, 0, 0, 0 };
    struct nx_gfx_rect f = wm_frame(g);
    return (struct nx_gfx_rect){ f.x, f.y, f.w, WM_TITLE_H };
}

struct nx_gfx_rect wm_close_button(const struct wm_geom *g)
{
    if (!g->framed)
        return (struct nx_gfx_rect){ 0, 0, 0, 0 };
    struct nx_gfx_rect t = wm_title_bar(g);
    return (struct nx_gfx_rect){ t.x + t.w - WM_BORDER - WM_CLOSE, t.y + (WM_TITLE_H - WM_CLOSE) / 2,
                                 WM_CLOSE, WM_CLOSE };
}

static bool holds(struct nx_gfx_rect r, int32_t px, int32_t py)
{
    return px >= r.x && py >= r.y && (int64_t)px < (int64_t)r.x + r.w &&
           (int64_t)py < (int64_t)r.y + r.h;
}

enum wm_part wm_part_at(const struct wm_geom *g, int32_t px, int32_t py)
{
    struct nx_gfx_rect f = wm_frame(g);
    if (!holds(f, px, py))
        return WM_PART_NONE;
    if (holds(wm_content(g), px, py))
        return WM_PART_CONTENT;
    if (holds(wm_close_button(g), px, py))
        return WM_PART_CLOSE;
    if (holds(wm_title_bar(g), px, py))
        return WM_PART_TITLE;
    bool corner = (int64_t)f.x + f.w - px <= WM_GRAB && (int64_t)f.y + f.h - py <= WM_GRAB;
    return corner ? WM_PART_RESIZE : WM_PART_BORDER;
}

static int32_t clamp(int64_t v, int64_t lo, int64_t hi)
{
    return (int32_t)(v < lo ? lo : v > hi ? hi : v);
}

struct wm_geom wm_geom_new(uint32_t flags, int32_t w, int32_t h)
{
    bool top = flags & NX_WM_SURFACE_TOP;
    return (struct wm_geom){ 0, 0, w, h, !top && !(flags & NX_WM_SURFACE_FULLSCREEN), top };
}

void wm_place(struct wm_geom *g, int32_t x, int32_t y, int32_t sw, int32_t sh, int32_t inset)
{
    if (g->top) {
        g->x = clamp(x, 0, (int64_t)sw - g->w);
        g->y = clamp(y, 0, (int64_t)sh - g->h);
    } else if (!g->framed) {
        g->x = g->y = 0;
    } else {
        // The title bar's top stays on the screen below the inset (while the screen has room
        // for it), and WM_KEEP pixels of its width.
        int64_t lowest = (int64_t)sh - WM_KEEP + WM_TITLE_H;
        int64_t highest = (int64_t)WM_TITLE_H + (inset > 0 ? inset : 0);
        g->x = clamp(x, (int64_t)WM_KEEP - g->w - WM_BORDER, (int64_t)sw - WM_KEEP + WM_BORDER);
        g->y = clamp(y, highest < lowest ? highest : lowest, lowest);
    }
}

int32_t wm_top_inset(const struct wm_geom *geom, const bool *used, int n, int32_t sw)
{
    int32_t inset = 0;
    for (int i = 0; i < n; i++)
        if (used[i] && geom[i].top && geom[i].y == 0 && geom[i].x == 0 && geom[i].w == sw &&
            geom[i].h > inset)
            inset = geom[i].h;
    return inset;
}

int wm_stack_depth(const struct wm_stack *s, int win)
{
    for (int i = 0; i < s->n; i++)
        if (s->order[i] == win)
            return i;
    return -1;
}

void wm_stack_remove(struct wm_stack *s, int win)
{
    int d = wm_stack_depth(s, win);
    if (d < 0)
        return;
    for (int i = d; i + 1 < s->n; i++)
        s->order[i] = s->order[i + 1];
    s->n--;
    s->ntop -= s->layer[win] != WM_LAYER_WINDOW;
    s->nlock -= s->layer[win] == WM_LAYER_LOCK;
    s->layer[win] = WM_LAYER_WINDOW;
}

void wm_stack_push(struct wm_stack *s, int win, enum wm_layer layer)
{
    if (s->n == WM_MAX_WINDOWS || win < 0 || win >= WM_MAX_WINDOWS)
        return;
    int at = layer == WM_LAYER_LOCK ? 0 : layer == WM_LAYER_TOP ? s->nlock : s->ntop;
    for (int i = s->n; i > at; i--)
        s->order[i] = s->order[i - 1];
    s->order[at] = win;
    s->n++;
    s->layer[win] = (uint8_t)layer;
    s->ntop += layer != WM_LAYER_WINDOW;
    s->nlock += layer == WM_LAYER_LOCK;
}

void wm_stack_raise(struct wm_stack *s, int win)
{
    if (wm_stack_depth(s, win) < 0)
        return;
    enum wm_layer layer = s->layer[win];
    wm_stack_remove(s, win);
    wm_stack_push(s, win, layer);
}

bool wm_stack_takes_input(const struct wm_stack *s, int win)
{
    return win >= 0 && win < WM_MAX_WINDOWS &&
           (!s->nlock || (wm_stack_depth(s, win) >= 0 && s->layer[win] == WM_LAYER_LOCK));
}

int wm_stack_at(const struct wm_stack *s, const struct wm_geom *geom, int32_t px, int32_t py)
{
    for (int i = 0; i < s->n; i++)
        if (holds(wm_frame(&geom[s->order[i]]), px, py))
            return s->order[i];
    return -1;
}

void wm_stack_frames(const struct wm_stack *s, const struct wm_geom *geom,
                     struct nx_gfx_rect *out)
{
    for (int i = 0; i < s->n; i++)
        out[i] = wm_frame(&geom[s->order[i]]);
}
