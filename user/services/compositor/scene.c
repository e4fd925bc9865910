// Windows on the screen (scene.h).
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

void wm_place(struct wm_geom *g, int32_t x, int32_t y, int32_t sw, int32_t sh)
{
    if (!g->framed) {
        g->x = g->y = 0;
        return;
    }
    // The title bar's top stays on the screen, and WM_KEEP pixels of its width.
    g->x = clamp(x, (int64_t)WM_KEEP - g->w - WM_BORDER, (int64_t)sw - WM_KEEP + WM_BORDER);
    g->y = clamp(y, WM_TITLE_H, (int64_t)sh - WM_KEEP + WM_TITLE_H);
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
}

void wm_stack_push(struct wm_stack *s, int win)
{
    if (s->n == WM_MAX_WINDOWS)
        return;
    for (int i = s->n; i > 0; i--)
        s->order[i] = s->order[i - 1];
    s->order[0] = win;
    s->n++;
}

void wm_stack_raise(struct wm_stack *s, int win)
{
    wm_stack_remove(s, win);
    wm_stack_push(s, win);
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
