// The form (nx/widget.h): widgets in Tab order, events routed to the focused widget or the
// one under the pointer, and drawing of only the widgets marked dirty, each clipped to its
// rectangle and added to the damage region. Also the themes and the drawing helpers the
// widgets share (widget_int.h).
#include <string.h>
#include <nexus/errors.h>
#include "widget_int.h"

// ---- themes ----
static void theme_common(struct nx_theme *t, const struct nx_face *face,
                         const struct nx_glyph_source *glyphs)
{
    t->face = face;
    t->glyphs = glyphs;
    t->pad = 6;
}

void nx_theme_light(struct nx_theme *t, const struct nx_face *face,
                    const struct nx_glyph_source *glyphs)
{
    *t = (struct nx_theme){
        .bg = nx_gfx_rgb(240, 240, 236), .fg = nx_gfx_rgb(28, 28, 32),
        .muted = nx_gfx_rgb(120, 120, 128), .field_bg = nx_gfx_rgb(255, 255, 255),
        .border = nx_gfx_rgb(170, 170, 176), .focus = nx_gfx_rgb(38, 110, 200),
        .button_bg = nx_gfx_rgb(222, 222, 218), .button_hover = nx_gfx_rgb(208, 214, 224),
        .button_pressed = nx_gfx_rgb(180, 190, 206), .button_fg = nx_gfx_rgb(28, 28, 32),
        .select_bg = nx_gfx_rgb(38, 110, 200), .select_fg = nx_gfx_rgb(255, 255, 255),
        .track = nx_gfx_rgb(228, 228, 226), .thumb = nx_gfx_rgb(160, 160, 166),
    };
    theme_common(t, face, glyphs);
}

void nx_theme_dark(struct nx_theme *t, const struct nx_face *face,
                   const struct nx_glyph_source *glyphs)
{
    *t = (struct nx_theme){
        .bg = nx_gfx_rgb(36, 38, 44), .fg = nx_gfx_rgb(222, 222, 226),
        .muted = nx_gfx_rgb(140, 142, 150), .field_bg = nx_gfx_rgb(24, 26, 30),
        .border = nx_gfx_rgb(80, 84, 94), .focus = nx_gfx_rgb(90, 160, 240),
        .button_bg = nx_gfx_rgb(60, 64, 74), .button_hover = nx_gfx_rgb(74, 80, 94),
        .button_pressed = nx_gfx_rgb(96, 104, 124), .button_fg = nx_gfx_rgb(234, 234, 238),
        .select_bg = nx_gfx_rgb(52, 100, 170), .select_fg = nx_gfx_rgb(255, 255, 255),
        .track = nx_gfx_rgb(44, 46, 54), .thumb = nx_gfx_rgb(100, 104, 116),
    };
    theme_common(t, face, glyphs);
}

// ---- drawing helpers ----
bool wgt_key_down(const struct nx_wm_event *ev)
{
    return ev->key.state != 0;
}

int32_t wgt_baseline(const struct nx_theme *t, int32_t h)
{
    return (h - t->face->line_height) / 2 + t->face->ascent;
}

void wgt_text(struct nx_gfx_surface *view, const struct nx_theme *t, int32_t x, int32_t baseline,
              const char *s, size_t len, uint32_t color)
{
    // A glyph the font cannot give (a cache too small) ends the line early: nothing to add.
    (void)nx_text_draw_from(view, t->glyphs, t->face, x, baseline, s, len, color, NULL);
}

void wgt_frame(struct nx_gfx_surface *view, int32_t px, uint32_t color)
{
    int32_t w = view->width, h = view->height;
    nx_gfx_fill(view, (struct nx_gfx_rect){ 0, 0, w, px }, color);
    nx_gfx_fill(view, (struct nx_gfx_rect){ 0, h - px, w, px }, color);
    nx_gfx_fill(view, (struct nx_gfx_rect){ 0, 0, px, h }, color);
    nx_gfx_fill(view, (struct nx_gfx_rect){ w - px, 0, px, h }, color);
}

struct nx_gfx_surface wgt_subview(const struct nx_gfx_surface *view, struct nx_gfx_rect r)
{
    r = nx_gfx_rect_intersect(r, nx_gfx_surface_rect(view));
    if (nx_gfx_rect_empty(r))   // a view of nothing: drawing into it draws nothing
        return (struct nx_gfx_surface){ view->pixels, 0, 0, view->stride };
    return (struct nx_gfx_surface){ view->pixels + (size_t)r.y * (size_t)view->stride + (size_t)r.x,
                                    r.w, r.h, view->stride };
}

void wgt_local(const struct nx_widget *w, const struct nx_wm_event *ev, int32_t *x, int32_t *y)
{
    int64_t lx = (int64_t)ev->pointer.x - w->rect.x, ly = (int64_t)ev->pointer.y - w->rect.y;
    *x = (int32_t)(lx < INT32_MIN ? INT32_MIN : lx > INT32_MAX ? INT32_MAX : lx);
    *y = (int32_t)(ly < INT32_MIN ? INT32_MIN : ly > INT32_MAX ? INT32_MAX : ly);
}

void nx_widget_dirty(struct nx_widget *w)
{
    w->state |= NX_WIDGET_DIRTY;
}

// ---- the form ----
void nx_ui_init(struct nx_ui *ui, struct nx_gfx_surface *surface, const struct nx_theme *theme)
{
    *ui = (struct nx_ui){ .surface = surface, .theme = theme, .all_dirty = true };
    nx_gfx_damage_init(&ui->damage, nx_gfx_surface_rect(surface));
}

long nx_ui_add(struct nx_ui *ui, struct nx_widget *w)
{
    if (!w || !w->ops || nx_gfx_rect_empty(w->rect) ||
        !nx_gfx_rect_contains(nx_gfx_surface_rect(ui->surface), w->rect))
        return NX_ERR_INVALID;
    for (uint32_t i = 0; i < ui->count; i++)
        if (ui->widgets[i] == w)
            return NX_ERR_INVALID;
    if (ui->count == NX_UI_MAX_WIDGETS)
        return NX_ERR_NO_SPACE;
    ui->widgets[ui->count++] = w;
    w->state = NX_WIDGET_DIRTY;
    return NX_OK;
}

void nx_ui_set_theme(struct nx_ui *ui, const struct nx_theme *theme)
{
    ui->theme = theme;
    ui->all_dirty = true;
}

static void set_state(struct nx_widget *w, uint32_t bit, bool on)
{
    if (!w || ((w->state & bit) != 0) == on)
        return;
    w->state ^= bit;
    if (bit != NX_WIDGET_HOVER || w->ops->shows_hover)
        w->state |= NX_WIDGET_DIRTY;
}

void nx_ui_focus(struct nx_ui *ui, struct nx_widget *w)
{
    if (w && !w->ops->focusable)
        return;
    set_state(ui->focus, NX_WIDGET_FOCUSED, false);
    ui->focus = w;
    set_state(w, NX_WIDGET_FOCUSED, true);
}

// The next focusable widget after the focused one in Tab order (dir 1) or before it (-1).
static void focus_step(struct nx_ui *ui, int dir)
{
    int32_t n = (int32_t)ui->count, at = -1;
    for (int32_t i = 0; i < n; i++)
        if (ui->widgets[i] == ui->focus)
            at = i;
    if (at < 0 && dir < 0)
        at = n;   // from nothing, Shift+Tab starts at the last
    for (int32_t step = 1; step <= n; step++) {
        struct nx_widget *w = ui->widgets[((at + dir * step) % n + n) % n];
        if (w->ops->focusable) {
            nx_ui_focus(ui, w);
            return;
        }
    }
}

static struct nx_widget *widget_at(const struct nx_ui *ui, int32_t x, int32_t y)
{
    for (uint32_t i = 0; i < ui->count; i++)
        if (nx_gfx_rect_contains(ui->widgets[i]->rect, (struct nx_gfx_rect){ x, y, 1, 1 }))
            return ui->widgets[i];
    return NULL;
}

static enum nx_widget_result key_event(struct nx_ui *ui, const struct nx_wm_event *ev)
{
    enum nx_widget_result r = NX_WIDGET_IGNORED;
    if (ui->focus && ui->focus->ops->key)
        r = ui->focus->ops->key(ui->focus, ui, ev);
    if (r == NX_WIDGET_IGNORED && ev->key.code == NX_KEY_TAB && wgt_key_down(ev) &&
        !(ev->key.mods & (NX_WM_MOD_CTRL | NX_WM_MOD_ALT | NX_WM_MOD_META)))
        focus_step(ui, ev->key.mods & NX_WM_MOD_SHIFT ? -1 : 1);
    return r;
}

static enum nx_widget_result pointer_event(struct nx_ui *ui, const struct nx_wm_event *ev,
                                           struct nx_widget **target)
{
    uint32_t pressed = ev->pointer.buttons & ~ui->buttons;
    uint32_t released = ui->buttons & ~ev->pointer.buttons;
    ui->buttons = ev->pointer.buttons;
    struct nx_widget *under = widget_at(ui, ev->pointer.x, ev->pointer.y);
    if (under != ui->hover) {
        set_state(ui->hover, NX_WIDGET_HOVER, false);
        set_state(under, NX_WIDGET_HOVER, true);
        ui->hover = under;
    }
    struct nx_widget *w = ui->grab ? ui->grab : under;
    if (w && (pressed & NX_WM_BUTTON_LEFT)) {
        nx_ui_focus(ui, w);
        ui->grab = w;
    }
    *target = w;
    enum nx_widget_result r = NX_WIDGET_IGNORED;
    if (w && w->ops->pointer)
        r = w->ops->pointer(w, ui, ev, pressed, released);
    if (!(ui->buttons & NX_WM_BUTTON_LEFT))
        ui->grab = NULL;
    return r;
}

struct nx_widget *nx_ui_event(struct nx_ui *ui, const struct nx_wm_event *ev)
{
    struct nx_widget *target = NULL;
    enum nx_widget_result r = NX_WIDGET_IGNORED;
    switch (ev->type) {
    case NX_WM_EV_KEY:
        target = ui->focus;
        r = key_event(ui, ev);
        break;
    case NX_WM_EV_POINTER:
        r = pointer_event(ui, ev, &target);
        break;
    case NX_WM_EV_SCROLL:
        target = ui->hover;
        if (target && target->ops->scroll)
            r = target->ops->scroll(target, ui, ev->scroll.dy);
        break;
    }
    return r == NX_WIDGET_ACTIVATED ? target : NULL;
}

void nx_ui_draw(struct nx_ui *ui)
{
    if (ui->all_dirty) {
        nx_gfx_fill(ui->surface, nx_gfx_surface_rect(ui->surface), ui->theme->bg);
        nx_gfx_damage_add(&ui->damage, nx_gfx_surface_rect(ui->surface));
        for (uint32_t i = 0; i < ui->count; i++)
            nx_widget_dirty(ui->widgets[i]);
        ui->all_dirty = false;
    }
    for (uint32_t i = 0; i < ui->count; i++) {
        struct nx_widget *w = ui->widgets[i];
        if (!(w->state & NX_WIDGET_DIRTY))
            continue;
        struct nx_gfx_surface view = wgt_subview(ui->surface, w->rect);
        nx_gfx_fill(&view, nx_gfx_surface_rect(&view), ui->theme->bg);
        w->ops->draw(w, ui, &view);
        nx_gfx_damage_add(&ui->damage, w->rect);
        w->state &= ~NX_WIDGET_DIRTY;
    }
}

// ---- the scroll bar ----
int32_t wgt_bar_max(const struct nx_scrollbar *b)
{
    return b->content > b->view ? b->content - b->view : 0;
}

bool wgt_bar_visible(const struct nx_scrollbar *b)
{
    return b->content > b->view && b->view > 0;
}

bool wgt_bar_set(struct nx_scrollbar *b, int32_t pos)
{
    int32_t max = wgt_bar_max(b);
    pos = pos < 0 ? 0 : pos > max ? max : pos;
    bool changed = pos != b->pos;
    b->pos = pos;
    return changed;
}

// The thumb's top and height in a track of track_h pixels.
static void thumb_of(const struct nx_scrollbar *b, int32_t track_h, int32_t *y, int32_t *h)
{
    int64_t len = (int64_t)track_h * b->view / (b->content > 0 ? b->content : 1);
    *h = (int32_t)(len < 16 ? 16 : len > track_h ? track_h : len);
    int32_t max = wgt_bar_max(b);
    *y = max ? (int32_t)((int64_t)(track_h - *h) * b->pos / max) : 0;
}

void wgt_bar_draw(const struct nx_scrollbar *b, struct nx_gfx_surface *view, const struct nx_theme *t)
{
    nx_gfx_fill(view, nx_gfx_surface_rect(view), t->track);
    int32_t y, h;
    thumb_of(b, view->height, &y, &h);
    nx_gfx_fill(view, (struct nx_gfx_rect){ 1, y + 1, view->width - 2, h - 2 }, t->thumb);
}

bool wgt_bar_pointer(struct nx_scrollbar *b, int32_t track_h, int32_t y, uint32_t pressed,
                     uint32_t released)
{
    int32_t ty, th;
    thumb_of(b, track_h, &ty, &th);
    bool changed = false;
    if (pressed & NX_WM_BUTTON_LEFT) {
        if (y >= ty && y < ty + th)
            b->grab = y - ty;
        else
            changed = wgt_bar_set(b, b->pos + (y < ty ? -b->view : b->view));
    } else if (b->grab >= 0 && track_h > th) {
        int64_t top = (int64_t)y - b->grab;
        top = top < 0 ? 0 : top > track_h - th ? track_h - th : top;
        changed = wgt_bar_set(b, (int32_t)(top * wgt_bar_max(b) / (track_h - th)));
    }
    if (released & NX_WM_BUTTON_LEFT)
        b->grab = -1;
    return changed;
}
