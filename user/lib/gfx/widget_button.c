// Labels and buttons (nx/widget.h).
#include "widget_int.h"

// ---- labels ----
static void label_draw(struct nx_widget *w, struct nx_ui *ui, struct nx_gfx_surface *view)
{
    struct nx_label *l = (struct nx_label *)w;
    const struct nx_theme *t = ui->theme;
    wgt_text(view, t, 0, wgt_baseline(t, w->rect.h), l->text, l->len, l->muted ? t->muted : t->fg);
}

static const struct nx_widget_ops label_ops = { .draw = label_draw };

void nx_label_init(struct nx_label *l, struct nx_gfx_rect r, const char *text, size_t len)
{
    *l = (struct nx_label){ .base = { &label_ops, r, NX_WIDGET_DIRTY }, .text = text, .len = len };
}

void nx_label_set(struct nx_label *l, const char *text, size_t len)
{
    l->text = text;
    l->len = len;
    nx_widget_dirty(&l->base);
}

// ---- buttons ----
static void button_draw(struct nx_widget *w, struct nx_ui *ui, struct nx_gfx_surface *view)
{
    struct nx_button *b = (struct nx_button *)w;
    const struct nx_theme *t = ui->theme;
    uint32_t bg = w->state & NX_WIDGET_PRESSED ? t->button_pressed
                  : w->state & NX_WIDGET_HOVER ? t->button_hover : t->button_bg;
    nx_gfx_fill(view, nx_gfx_surface_rect(view), bg);
    if (w->state & NX_WIDGET_FOCUSED)
        wgt_frame(view, 2, t->focus);
    else
        wgt_frame(view, 1, t->border);
    int32_t x = (w->rect.w - nx_text_width(t->face, b->text, b->len)) / 2;
    wgt_text(view, t, x, wgt_baseline(t, w->rect.h), b->text, b->len, t->button_fg);
}

static void set_pressed(struct nx_widget *w, bool on)
{
    if (((w->state & NX_WIDGET_PRESSED) != 0) != on) {
        w->state ^= NX_WIDGET_PRESSED;
        nx_widget_dirty(w);
    }
}

static enum nx_widget_result button_key(struct nx_widget *w, struct nx_ui *ui,
                                        const struct nx_wm_event *ev)
{
    (void)w;
    (void)ui;
    uint16_t c = ev->key.code;
    if (c != NX_KEY_ENTER && c != NX_KEY_KPENTER && c != NX_KEY_SPACE)
        return NX_WIDGET_IGNORED;
    return ev->key.state == 1 ? NX_WIDGET_ACTIVATED : NX_WIDGET_HANDLED;   // not on repeats
}

// Pressed while the left button, taken on it, is held over it; activated when released there.
static enum nx_widget_result button_pointer(struct nx_widget *w, struct nx_ui *ui,
                                            const struct nx_wm_event *ev, uint32_t pressed,
                                            uint32_t released)
{
    int32_t x, y;
    wgt_local(w, ev, &x, &y);
    bool inside = x >= 0 && y >= 0 && x < w->rect.w && y < w->rect.h;
    bool taken = ui->grab == w;
    set_pressed(w, taken && inside && (ev->pointer.buttons & NX_WM_BUTTON_LEFT));
    (void)pressed;
    if ((released & NX_WM_BUTTON_LEFT) && taken && inside)
        return NX_WIDGET_ACTIVATED;
    return NX_WIDGET_HANDLED;
}

static const struct nx_widget_ops button_ops = {
    .draw = button_draw, .key = button_key, .pointer = button_pointer, .focusable = true,
    .shows_hover = true,
};

void nx_button_init(struct nx_button *b, struct nx_gfx_rect r, const char *text, size_t len)
{
    *b = (struct nx_button){ .base = { &button_ops, r, NX_WIDGET_DIRTY }, .text = text, .len = len };
}
