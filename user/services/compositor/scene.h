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
    bool framed;            // false: no frame (fullscreen)
};

enum wm_part { WM_PART_NONE, WM_PART_CONTENT, WM_PART_TITLE, WM_PART_CLOSE, WM_PART_BORDER,
               WM_PART_RESIZE };

struct nx_gfx_rect wm_content(const struct wm_geom *g);
struct nx_gfx_rect wm_frame(const struct wm_geom *g);
struct nx_gfx_rect wm_title_bar(const struct wm_geom *g);  // empty when not framed
struct nx_gfx_rect wm_close_button(const struct wm_geom *g);
// The part of the window at screen point (px, py).
enum wm_part wm_part_at(const struct wm_geom *g, int32_t px, int32_t py);
// Where a window's content may go on a screen of sw x sh: its title bar stays reachable.
void wm_place(struct wm_geom *g, int32_t x, int32_t y, int32_t sw, int32_t sh);

// The stacking order of windows 0 .. WM_MAX_WINDOWS - 1, order[0] the topmost.
struct wm_stack {
    int n;
    int order[WM_MAX_WINDOWS];
};

void wm_stack_push(struct wm_stack *s, int win);    // on top (win not in s yet)
void wm_stack_remove(struct wm_stack *s, int win);  // if it is in s
void wm_stack_raise(struct wm_stack *s, int win);   // to the top
// The topmost window of s whose frame (geom[win]) holds (px, py), or -1.
int wm_stack_at(const struct wm_stack *s, const struct wm_geom *geom, int32_t px, int32_t py);
// Frames of s's windows, topmost first, into out (room for s->n).
void wm_stack_frames(const struct wm_stack *s, const struct wm_geom *geom,
                     struct nx_gfx_rect *out);
// win's position in s (0: the top), or -1.
int wm_stack_depth(const struct wm_stack *s, int win);
