// The desktop apps' window (appwin.h).
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <nx/file.h>
#include <nx/keycodes.h>
#include <nx/nx.h>
#include <nx/settings.h>
#include "appwin.h"

#define SANS "/boot/DejaVuSans.ttf"
#define MONO "/boot/DejaVuSansMono.ttf"
#define CACHE_BYTES (256u << 10)
#define CONNECT_TRIES 50
#define CONNECT_GAP_NS 100000000ull

// The font file mapped (the mapping lives while the file stays open: it is never closed).
static long load_font(const struct appwin *a, const char *path, struct nx_font *font)
{
    long err = nx_font_map(path, font);
    if (err)
        fprintf(stderr, "%s: no font %s (%ld)\n", a->prog, path, err);
    return err;
}

static long load_fonts(struct appwin *a)
{
    long err = load_font(a, SANS, &a->sans);
    if (!err)
        err = load_font(a, MONO, &a->mono);
    if (!err)
        err = nx_face_init(&a->face, &a->sans, APPWIN_FONT_PX, NX_FACE_KERNING);
    if (!err)
        err = nx_face_init(&a->mono_face, &a->mono, APPWIN_FONT_PX, 0);
    return err ? err : nx_glyph_cache_alloc(&a->cache, CACHE_BYTES);
}

// The compositor's atlas when it has one (else every glyph comes from the cache).
static void attach_atlas(struct appwin *a)
{
    nx_handle_t vmo;
    size_t size = 0;
    a->glyphs = (struct nx_glyph_source){ NULL, 0, &a->cache };
    a->mono_glyphs = a->glyphs;
    if (nx_wm_glyph_atlas(&a->wm, &vmo))
        return;
    long va = nx_vmo_map_readonly(vmo, &size);
    if (va < 0 || nx_glyph_atlas_attach(&a->atlas, (const void *)va, size))
        return;
    long sans = nx_glyph_atlas_face(&a->atlas, NX_FONT_ID_SANS, &a->face);
    long mono = nx_glyph_atlas_face(&a->atlas, NX_FONT_ID_SANS_MONO, &a->mono_face);
    if (sans >= 0)
        a->glyphs = (struct nx_glyph_source){ &a->atlas, (uint32_t)sans, &a->cache };
    if (mono >= 0)
        a->mono_glyphs = (struct nx_glyph_source){ &a->atlas, (uint32_t)mono, &a->cache };
}

static long connect(struct appwin *a)
{
    long err = NX_ERR_NOT_FOUND;
    for (int i = 0; i < CONNECT_TRIES; i++) {
        uint64_t bits;
        if ((err = nx_wm_connect(&a->wm, a->notif, APPWIN_BIT_WM)) == NX_OK)
            return NX_OK;
        nx_notify_wait_bits(a->notif, (uint64_t)nx_clock_get() + CONNECT_GAP_NS, &bits);
    }
    fprintf(stderr, "%s: no compositor (%ld)\n", a->prog, err);
    return err;
}

// The theme setting's (docs/settings.md), read once: an app started after a change has the
// new one. Without the settings service (not reachable from the app), the default's.
static void pick_theme(struct appwin *a)
{
    (nx_settings_theme_dark() ? nx_theme_dark : nx_theme_light)(&a->theme, &a->face, &a->glyphs);
}

long appwin_open(struct appwin *a, const char *title, int32_t w, int32_t h, int32_t x,
                 int32_t y)
{
    long n = nx_notification_create();
    if (n < 0)
        return n;
    a->notif = (nx_handle_t)n;
    long err = load_fonts(a);
    if (!err)
        err = connect(a);
    if (err)
        return err;
    attach_atlas(a);
    a->x = x;
    a->y = y;
    err = nx_wm_surface_create(&a->wm, w, h, x, y, NX_WM_SURFACE_OPAQUE, title, &a->surf);
    if (err) {
        fprintf(stderr, "%s: no window (%ld)\n", a->prog, err);
        nx_wm_disconnect(&a->wm);
        return err;
    }
    pick_theme(a);
    nx_ui_init(&a->ui, &a->surf.gfx, &a->theme);
    return NX_OK;
}

const char *appwin_error(long err)
{
    switch (err) {
#define APPWIN_ERROR_TEXT(name, value, text) case value: return text;
    NX_ERRORS(APPWIN_ERROR_TEXT)
#undef APPWIN_ERROR_TEXT
    }
    return "unknown error";
}

#define DIALOG_W 420
#define DIALOG_H 96
#define BUTTON_W 110
#define BUTTON_H 28

long appwin_dialog_open(struct appwin *a, const char *title, const char *text,
                        const char *const *labels, size_t n)
{
    struct appwin_dialog *d = &a->dialog;
    if (d->open || n == 0 || n > APPWIN_DIALOG_BUTTONS)
        return NX_ERR_BAD_STATE;
    int32_t x = a->surf.gfx.width / 2 - DIALOG_W / 2, y = a->surf.gfx.height / 3;
    long err = nx_wm_surface_create(&a->wm, DIALOG_W, DIALOG_H, a->x + x, a->y + y,
                                    NX_WM_SURFACE_OPAQUE, title, &d->surf);
    if (err)
        return err;
    nx_ui_init(&d->ui, &d->surf.gfx, &a->theme);
    snprintf(d->text_buf, sizeof d->text_buf, "%s", text);
    nx_label_init(&d->text, (struct nx_gfx_rect){ 12, 12, DIALOG_W - 24, 24 }, d->text_buf,
                  strlen(d->text_buf));
    nx_ui_add(&d->ui, &d->text.base);
    for (size_t i = 0; i < n; i++) {
        int32_t bx = DIALOG_W - 12 - (int32_t)(n - i) * (BUTTON_W + 8) + 8;
        nx_button_init(&d->buttons[i], (struct nx_gfx_rect){ bx, DIALOG_H - 12 - BUTTON_H, BUTTON_W, BUTTON_H },
                       labels[i], strlen(labels[i]));
        nx_ui_add(&d->ui, &d->buttons[i].base);
    }
    nx_ui_focus(&d->ui, &d->buttons[0].base);
    d->n = n;
    d->open = true;
    d->frame_pending = false;
    return NX_OK;
}

static void dialog_close(struct appwin *a)
{
    nx_wm_surface_destroy(&a->wm, &a->dialog.surf);
    a->dialog.open = false;
}

int appwin_dialog_event(struct appwin *a, const struct nx_wm_event *ev)
{
    struct appwin_dialog *d = &a->dialog;
    int chosen = -1;
    if (ev->type == NX_WM_EV_CLOSE ||
        (ev->type == NX_WM_EV_KEY && ev->key.state == 1 && ev->key.code == NX_KEY_ESC)) {
        chosen = (int)d->n - 1;
    } else {
        struct nx_widget *hit = nx_ui_event(&d->ui, ev);
        for (size_t i = 0; i < d->n; i++)
            if (hit == &d->buttons[i].base)
                chosen = (int)i;
    }
    if (chosen >= 0)
        dialog_close(a);
    return chosen;
}

long appwin_next_event(struct appwin *a, struct nx_wm_event *ev)
{
    for (;;) {
        long err = a->quit ? NX_ERR_NOT_FOUND : nx_wm_poll_event(&a->wm, ev);
        if (err == NX_ERR_NOT_FOUND)
            return err;
        if (err) {
            fprintf(stderr, "%s: the compositor is gone (%ld)\n", a->prog, err);
            a->quit = true;
            return NX_ERR_NOT_FOUND;
        }
        bool main = ev->surface == a->surf.id;
        if (ev->type == NX_WM_EV_FRAME_DONE && main)
            a->frame_pending = false;
        else if (ev->type == NX_WM_EV_FRAME_DONE)
            a->dialog.frame_pending = false;
        else if (ev->type == NX_WM_EV_CLOSE && main && !a->ask_close)
            a->quit = true;
        else if (ev->type == NX_WM_EV_CLOSE && main)
            a->close_asked = true;
        else
            return NX_OK;
    }
}

// One surface's form drawn and its damage presented, unless its last frame is pending.
static void present_form(struct appwin *a, struct nx_wm_surface *s, struct nx_ui *ui,
                         bool *pending)
{
    if (*pending || a->quit)
        return;
    nx_ui_draw(ui);
    const struct nx_gfx_damage *d = &ui->damage;
    if (d->count == 0)
        return;
    long err = nx_wm_present(&a->wm, s, d->rects, d->count);
    nx_gfx_damage_clear(&ui->damage);
    if (err) {
        fprintf(stderr, "%s: the compositor is gone (%ld)\n", a->prog, err);
        a->quit = true;
    } else {
        *pending = true;
    }
}

void appwin_present(struct appwin *a)
{
    present_form(a, &a->surf, &a->ui, &a->frame_pending);
    if (a->dialog.open)
        present_form(a, &a->dialog.surf, &a->dialog.ui, &a->dialog.frame_pending);
}

uint64_t appwin_sleep(struct appwin *a, uint64_t deadline)
{
    uint64_t bits = 0;
    if (nx_ring_prepare_sleep(&a->wm.events)) {
        nx_notify_wait_bits(a->notif, deadline, &bits);
        nx_ring_end_sleep(&a->wm.events);
    }
    return bits;
}

void appwin_run(struct appwin *a, void (*event)(const struct nx_wm_event *ev),
                void (*woken)(uint64_t bits))
{
    while (!a->quit) {
        struct nx_wm_event ev;
        while (appwin_next_event(a, &ev) == NX_OK)
            event(&ev);
        appwin_present(a);
        if (!a->quit)
            woken(appwin_sleep(a, NX_DEADLINE_NEVER));
    }
}

void appwin_set_label(struct nx_label *l, char *text, size_t cap, const char *now)
{
    if (!strcmp(text, now))
        return;
    snprintf(text, cap, "%s", now);
    nx_label_set(l, text, strlen(text));
}

void appwin_vset_label(struct nx_label *l, char *text, size_t cap, const char *fmt, va_list ap)
{
    char line[APPWIN_LINE_MAX];
    vsnprintf(line, sizeof line, fmt, ap);
    appwin_set_label(l, text, cap, line);
}

void appwin_close(struct appwin *a)
{
    if (a->dialog.open)
        dialog_close(a);
    nx_wm_surface_destroy(&a->wm, &a->surf);
    nx_wm_disconnect(&a->wm);
}
