#pragma once
// Windows on the screen (pure; host-tested): their frames (title bar, close button, border,
// the resize corner), what lies under a point, and the stacking order.
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <nx/gfx.h>

#define WM_MAX_WINDOWS 24   // on the screen at once, every client's together
#define WM_BORDER 4         // the frame's sides and bottom
#define WM_TITLE_H 24       // the title bar, the frame's top
#define WM_CLOSE 16         // the close button, a square at the title bar's right
#define WM_GRAB 16          // the resize corner: this far from the frame's bottom-right
#define WM_MIN_SIZE 32      // the smallest content a resize drag asks for
#define WM_KEEP 48          // a window's frame keeps this much on the screen when moved

struct wm_geom {
    int32_t x, y, w, h;     // the content's rectangle on the screen
    bool framed;            // false: no frame (fullscreen, or a top surface)
    bool top;               // a top surface (NX_WM_SURFACE_TOP): no frame, where it asked
};

// The geometry of a new surface of w x h with flags (NX_WM_SURFACE_*), before wm_place.
struct wm_geom wm_geom_new(uint32_t flags, int32_t w, int32_t h);

enum wm_part { WM_PART_NONE, WM_PART_CONTENT, WM_PART_TITLE, WM_PART_CLOSE, WM_PART_BORDER,
               WM_PART_RESIZE };

struct nx_gfx_rect wm_content(const struct wm_geom *g);
struct nx_gfx_rect wm_frame(const struct wm_geom *g);
struct nx_gfx_rect wm_title_bar(const struct wm_geom *g);  // empty when not framed
struct nx_gfx_rect wm_close_button(const struct wm_geom *g);
// The part of the window at screen point (px, py).
enum wm_part wm_part_at(const struct wm_geom *g, int32_t px, int32_t py);
// Where a window's content may go on a screen of sw x sh: a framed window's title bar stays
// reachable, its top at least inset pixels down (below the top surfaces across the screen's
// top: wm_top_inset); a top surface stays wholly on the screen; a fullscreen one at (0, 0).
void wm_place(struct wm_geom *g, int32_t x, int32_t y, int32_t sw, int32_t sh, int32_t inset);
// The rows at the screen's top (of width sw) that top surfaces spanning its whole width
// hold: the bottom of the lowest of those starting at row 0 (0: none).
int32_t wm_top_inset(const struct wm_geom *geom, const bool *used, int n, int32_t sw);

// The stacking order of windows 0 .. WM_MAX_WINDOWS - 1, order[0] the topmost, in three
// layers: the lock layer (the login screen's lock, NX_WM_SURFACE_LOCK: order[0 .. nlock)),
// the top layer (top and fullscreen surfaces: order[nlock .. ntop)), then the windows.
enum wm_layer { WM_LAYER_WINDOW, WM_LAYER_TOP, WM_LAYER_LOCK };

struct wm_stack {
    int n, ntop, nlock;         // ntop: the windows above the ordinary ones, the lock layer's too
    int order[WM_MAX_WINDOWS];
    uint8_t layer[WM_MAX_WINDOWS]; // enum wm_layer of each window in s
};

// On top of its layer (win not in s yet).
void wm_stack_push(struct wm_stack *s, int win, enum wm_layer layer);
void wm_stack_remove(struct wm_stack *s, int win);  // if it is in s
void wm_stack_raise(struct wm_stack *s, int win);   // to the top of its layer
// The topmost window of s whose frame (geom[win]) holds (px, py), or -1.
int wm_stack_at(const struct wm_stack *s, const struct wm_geom *geom, int32_t px, int32_t py);
// Frames of s's windows, topmost first, into out (room for s->n).
void wm_stack_frames(const struct wm_stack *s, const struct wm_geom *geom,
                     struct nx_gfx_rect *out);
// win's position in s (0: the top), or -1.
int wm_stack_depth(const struct wm_stack *s, int win);
// Whether input may go to win: while the lock layer holds a surface, only to the lock layer's.
bool wm_stack_takes_input(const struct wm_stack *s, int win);
