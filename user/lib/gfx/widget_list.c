// Lists and scroll views (nx/widget.h): both a vertical extent larger than their rectangle,
// an offset into it kept by a scroll bar (widget_int.h), moved by keys, the wheel and the
// thumb. Geometry that depends on the theme (a list's row height) is recomputed from the
// form's theme at each event and drawing, so a theme change needs nothing more.
#include <string.h>
#include "widget_int.h"

// The scroll bar's track: the widget's right edge, inside a frame of 1 pixel.
static struct nx_gfx_rect bar_rect(const struct nx_widget *w)
{
    return (struct nx_gfx_rect){ w->rect.w - 1 - WGT_BAR_W, 1, WGT_BAR_W, w->rect.h - 2 };
}

// A pointer event on the bar (a press in its track, or a drag of its thumb): true when it
// was the bar's; *changed when it scrolled.
static bool bar_event(struct nx_widget *w, struct nx_scrollbar *b, const struct nx_wm_event *ev,
                      uint32_t pressed, uint32_t released)
{
    int32_t x, y;
    wgt_local(w, ev, &x, &y);
    struct nx_gfx_rect track = bar_rect(w);
    bool on_bar = wgt_bar_visible(b) && x >= track.x && (pressed & NX_WM_BUTTON_LEFT);
    if (!on_bar && b->grab < 0)
        return false;
    if (wgt_bar_pointer(b, track.h, y - track.y, pressed, released))
        nx_widget_dirty(w);
    return true;
}

static enum nx_widget_result scroll_by(struct nx_widget *w, struct nx_scrollbar *b, int32_t dy)
{
    if (wgt_bar_set(b, (int32_t)((int64_t)b->pos + dy)))
        nx_widget_dirty(w);
    return NX_WIDGET_HANDLED;
}

static void draw_frame_and_bar(struct nx_widget *w, const struct nx_scrollbar *b,
                               struct nx_gfx_surface *view, const struct nx_theme *t)
{
    bool focused = w->state & NX_WIDGET_FOCUSED;
    wgt_frame(view, 1, focused ? t->focus : t->border);
    if (wgt_bar_visible(b)) {
        struct nx_gfx_surface bar = wgt_subview(view, bar_rect(w));
        wgt_bar_draw(b, &bar, t);
    }
}

// The content's area: inside the frame, left of the bar when there is one.
static struct nx_gfx_rect content_rect(const struct nx_widget *w, const struct nx_scrollbar *b)
{
    int32_t bar = wgt_bar_visible(b) ? WGT_BAR_W : 0;
    return (struct nx_gfx_rect){ 1, 1, w->rect.w - 2 - bar, w->rect.h - 2 };
}

// ---- lists ----
int32_t nx_list_row_height(const struct nx_theme *t)
{
    return t->face->line_height + t->pad;
}

static void list_sync(struct nx_list *l, const struct nx_theme *t)
{
    int64_t content = (int64_t)l->count * nx_list_row_height(t);
    l->bar.content = content > INT32_MAX ? INT32_MAX : (int32_t)content;
    l->bar.view = l->base.rect.h - 2;
    wgt_bar_set(&l->bar, l->bar.pos);
}

// Scrolls the selected row into view.
static void show_selected(struct nx_list *l, const struct nx_theme *t)
{
    if (l->selected < 0)
        return;
    int32_t rh = nx_list_row_height(t), top = l->selected * rh;
    if (top < l->bar.pos)
        wgt_bar_set(&l->bar, top);
    else if (top + rh > l->bar.pos + l->bar.view)
        wgt_bar_set(&l->bar, top + rh - l->bar.view);
}

void nx_list_select(struct nx_list *l, int32_t index)
{
    if (index < -1 || index >= (int32_t)l->count)
        index = -1;
    if (index != l->selected)
        nx_widget_dirty(&l->base);
    l->selected = index;
}

void nx_list_set_items(struct nx_list *l, const char *const *items, size_t count)
{
    l->items = items;
    l->count = count > INT32_MAX ? INT32_MAX : count;
    nx_list_select(l, l->selected);
    nx_widget_dirty(&l->base);
}

static void list_draw(struct nx_widget *w, struct nx_ui *ui, struct nx_gfx_surface *view)
{
    struct nx_list *l = (struct nx_list *)w;
    const struct nx_theme *t = ui->theme;
    list_sync(l, t);
    struct nx_gfx_surface rows = wgt_subview(view, content_rect(w, &l->bar));
    nx_gfx_fill(&rows, nx_gfx_surface_rect(&rows), t->field_bg);
    int32_t rh = nx_list_row_height(t);
    for (int32_t i = l->bar.pos / rh; i < (int32_t)l->count; i++) {
        int32_t y = i * rh - l->bar.pos;
        if (y >= rows.height)
            break;
        bool sel = i == l->selected;
        if (sel)
            nx_gfx_fill(&rows, (struct nx_gfx_rect){ 0, y, rows.width, rh }, t->select_bg);
        wgt_text(&rows, t, t->pad, y + wgt_baseline(t, rh), l->items[i], strlen(l->items[i]),
                 sel ? t->select_fg : t->fg);
    }
    draw_frame_and_bar(w, &l->bar, view, t);
}

static enum nx_widget_result list_key(struct nx_widget *w, struct nx_ui *ui,
                                      const struct nx_wm_event *ev)
{
    struct nx_list *l = (struct nx_list *)w;
    const struct nx_theme *t = ui->theme;
    if (!wgt_key_down(ev) || l->count == 0)
        return NX_WIDGET_IGNORED;
    list_sync(l, t);
    int32_t last = (int32_t)l->count - 1, page = l->bar.view / nx_list_row_height(t);
    int32_t at = l->selected;
    switch (ev->key.code) {
    case NX_KEY_UP: at = at <= 0 ? 0 : at - 1; break;
    case NX_KEY_DOWN: at = at < last ? at + 1 : last; break;
    case NX_KEY_PAGEUP: at = at - (page > 1 ? page : 1); break;
    case NX_KEY_PAGEDOWN: at = at + (page > 1 ? page : 1); break;
    case NX_KEY_HOME: at = 0; break;
    case NX_KEY_END: at = last; break;
    case NX_KEY_ENTER:
    case NX_KEY_KPENTER:
        return l->selected >= 0 ? NX_WIDGET_ACTIVATED : NX_WIDGET_HANDLED;
    default:
        return NX_WIDGET_IGNORED;
    }
    nx_list_select(l, at < 0 ? 0 : at > last ? last : at);
    show_selected(l, t);
    nx_widget_dirty(w);
    return NX_WIDGET_HANDLED;
}

// A press on a row selects it; a press on the row already selected activates it.
static enum nx_widget_result list_pointer(struct nx_widget *w, struct nx_ui *ui,
                                          const struct nx_wm_event *ev, uint32_t pressed,
                                          uint32_t released)
{
    struct nx_list *l = (struct nx_list *)w;
    list_sync(l, ui->theme);
    if (bar_event(w, &l->bar, ev, pressed, released) || !(pressed & NX_WM_BUTTON_LEFT))
        return NX_WIDGET_HANDLED;
    int32_t x, y;
    wgt_local(w, ev, &x, &y);
    int64_t row = ((int64_t)y - 1 + l->bar.pos) / nx_list_row_height(ui->theme);
    if (y < 1 || row >= (int64_t)l->count)
        return NX_WIDGET_HANDLED;
    if (row == l->selected)
        return NX_WIDGET_ACTIVATED;
    nx_list_select(l, (int32_t)row);
    return NX_WIDGET_HANDLED;
}

static enum nx_widget_result list_scroll(struct nx_widget *w, struct nx_ui *ui, int32_t dy)
{
    struct nx_list *l = (struct nx_list *)w;
    list_sync(l, ui->theme);
    return scroll_by(w, &l->bar, (int32_t)((int64_t)dy * nx_list_row_height(ui->theme)));
}

static const struct nx_widget_ops list_ops = {
    .draw = list_draw, .key = list_key, .pointer = list_pointer, .scroll = list_scroll,
    .focusable = true,
};

void nx_list_init(struct nx_list *l, struct nx_gfx_rect r, const char *const *items, size_t count)
{
    *l = (struct nx_list){ .base = { &list_ops, r, NX_WIDGET_DIRTY }, .selected = -1,
                           .bar = { .grab = -1 } };
    nx_list_set_items(l, items, count);
}

// ---- scroll views ----
static void scroll_sync(struct nx_scroll *s)
{
    s->bar.view = s->base.rect.h - 2;
    wgt_bar_set(&s->bar, s->bar.pos);
}

static void scroll_draw(struct nx_widget *w, struct nx_ui *ui, struct nx_gfx_surface *view)
{
    struct nx_scroll *s = (struct nx_scroll *)w;
    scroll_sync(s);
    struct nx_gfx_surface content = wgt_subview(view, content_rect(w, &s->bar));
    if (s->draw_content)
        s->draw_content(s->ctx, &content, ui->theme, s->bar.pos);
    draw_frame_and_bar(w, &s->bar, view, ui->theme);
}

static enum nx_widget_result scroll_key(struct nx_widget *w, struct nx_ui *ui,
                                        const struct nx_wm_event *ev)
{
    struct nx_scroll *s = (struct nx_scroll *)w;
    if (!wgt_key_down(ev))
        return NX_WIDGET_IGNORED;
    scroll_sync(s);
    int32_t line = ui->theme->face->line_height, page = s->bar.view - line;
    switch (ev->key.code) {
    case NX_KEY_UP: return scroll_by(w, &s->bar, -line);
    case NX_KEY_DOWN: return scroll_by(w, &s->bar, line);
    case NX_KEY_PAGEUP: return scroll_by(w, &s->bar, -(page > line ? page : line));
    case NX_KEY_PAGEDOWN: return scroll_by(w, &s->bar, page > line ? page : line);
    case NX_KEY_HOME: return scroll_by(w, &s->bar, -s->bar.pos);
    case NX_KEY_END: return scroll_by(w, &s->bar, wgt_bar_max(&s->bar) - s->bar.pos);
    default: return NX_WIDGET_IGNORED;
    }
}

static enum nx_widget_result scroll_pointer(struct nx_widget *w, struct nx_ui *ui,
                                            const struct nx_wm_event *ev, uint32_t pressed,
                                            uint32_t released)
{
    (void)ui;
    struct nx_scroll *s = (struct nx_scroll *)w;
    scroll_sync(s);
    return bar_event(w, &s->bar, ev, pressed, released) ? NX_WIDGET_HANDLED : NX_WIDGET_IGNORED;
}

static enum nx_widget_result scroll_wheel(struct nx_widget *w, struct nx_ui *ui, int32_t dy)
{
    struct nx_scroll *s = (struct nx_scroll *)w;
    scroll_sync(s);
    return scroll_by(w, &s->bar, (int32_t)((int64_t)dy * 3 * ui->theme->face->line_height));
}

static const struct nx_widget_ops scroll_ops = {
    .draw = scroll_draw, .key = scroll_key, .pointer = scroll_pointer, .scroll = scroll_wheel,
    .focusable = true,
};

void nx_scroll_init(struct nx_scroll *s, struct nx_gfx_rect r, int32_t content_h,
                    void (*draw_content)(void *, struct nx_gfx_surface *,
                                         const struct nx_theme *, int32_t),
                    void *ctx)
{
    *s = (struct nx_scroll){ .base = { &scroll_ops, r, NX_WIDGET_DIRTY },
                             .draw_content = draw_content, .ctx = ctx, .bar = { .grab = -1 } };
    nx_scroll_set_content(s, content_h);
}

void nx_scroll_set_content(struct nx_scroll *s, int32_t content_h)
{
    s->bar.content = content_h < 0 ? 0 : content_h;
    scroll_sync(s);
    nx_widget_dirty(&s->base);
}

void nx_scroll_to(struct nx_scroll *s, int32_t offset)
{
    scroll_sync(s);
    if (wgt_bar_set(&s->bar, offset))
        nx_widget_dirty(&s->base);
}
