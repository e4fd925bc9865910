#pragma once
// Internals shared by the widgets (user/lib/gfx/widget*.c): drawing helpers, the scroll bar
// the list and the scroll view share.
#include <nx/keycodes.h>
#include <nx/widget.h>

// Scroll bar width in pixels.
#define WGT_BAR_W 8

// A key press or repeat (not a release).
bool wgt_key_down(const struct nx_wm_event *ev);
// The baseline that centres a line of the theme's face in a row of height h.
int32_t wgt_baseline(const struct nx_theme *t, int32_t h);
void wgt_text(struct nx_gfx_surface *view, const struct nx_theme *t, int32_t x, int32_t baseline,
              const char *s, size_t len, uint32_t color);
// A frame of thickness px around view's whole area.
void wgt_frame(struct nx_gfx_surface *view, int32_t px, uint32_t color);
// The part r (in view's coordinates, inside it) of view as a surface of its own.
struct nx_gfx_surface wgt_subview(const struct nx_gfx_surface *view, struct nx_gfx_rect r);
// The pointer's position relative to w's top-left.
void wgt_local(const struct nx_widget *w, const struct nx_wm_event *ev, int32_t *x, int32_t *y);

// ---- the scroll bar ----
int32_t wgt_bar_max(const struct nx_scrollbar *b);
bool wgt_bar_visible(const struct nx_scrollbar *b);
// Sets pos, clamped to [0, max]; true when it changed.
bool wgt_bar_set(struct nx_scrollbar *b, int32_t pos);
// Draws the bar in view (its track: the whole view).
void wgt_bar_draw(const struct nx_scrollbar *b, struct nx_gfx_surface *view, const struct nx_theme *t);
// A pointer event at y in a track of height track_h: a press on the thumb takes it (then
// moves drag it), a press beside it pages; a release lets go. True when pos changed.
bool wgt_bar_pointer(struct nx_scrollbar *b, int32_t track_h, int32_t y, uint32_t pressed,
                     uint32_t released);
