// The login screen's drawing (screen.h): the form is the widget library's (nx/widget.h), the
// clock, the date and the message line are drawn here, each into a rectangle of its own that
// is damaged only when its text changes.
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <nexus/errors.h>
#include <nx/file.h>
#include <nx/time.h>
#include "screen.h"

#define FONT "/boot/DejaVuSans.ttf"
#define UI_PX 18
#define CLOCK_PX 72
#define DATE_PX 24
#define CACHE_BYTES (512u << 10)
#define FORM_W 360
#define ROW_H 34

static const char *const weekdays[] = { "Sunday", "Monday", "Tuesday", "Wednesday",
                                        "Thursday", "Friday", "Saturday" };
static const char *const months[] = { "January", "February", "March", "April", "May", "June",
                                      "July", "August", "September", "October", "November",
                                      "December" };

static uint32_t error_colour(void)
{
    return nx_gfx_rgb(240, 110, 100);
}

long screen_init(struct screen *s)
{
    long err = nx_font_map(FONT, &s->font);
    if (!err)
        err = nx_face_init(&s->ui_face, &s->font, UI_PX, 0);
    if (!err)
        err = nx_face_init(&s->clock_face, &s->font, CLOCK_PX, 0);
    if (!err)
        err = nx_face_init(&s->date_face, &s->font, DATE_PX, 0);
    if (!err)
        err = nx_glyph_cache_alloc(&s->cache, CACHE_BYTES);
    s->glyphs = (struct nx_glyph_source){ .cache = &s->cache };
    screen_set_theme(s, true);
    return err;
}

void screen_set_theme(struct screen *s, bool dark)
{
    // The widgets' theme on a background of the login screen's own (blue-grey, not a form's).
    (dark ? nx_theme_dark : nx_theme_light)(&s->theme, &s->ui_face, &s->glyphs);
    s->theme.bg = dark ? nx_gfx_rgb(28, 34, 48) : nx_gfx_rgb(214, 222, 234);
    s->ui.all_dirty = true;
}

static struct nx_gfx_rect row(int32_t cx, int32_t y, int32_t h)
{
    return (struct nx_gfx_rect){ cx - FORM_W / 2, y, FORM_W, h };
}

// The widgets, placed around the middle of a w x h screen.
static void lay_out(struct screen *s, int32_t w, int32_t h, const char *locked_user)
{
    int32_t cx = w / 2, cy = h / 2;
    s->clock_rect = (struct nx_gfx_rect){ cx - 300, cy - 280, 600, 150 };
    if (locked_user)
        snprintf(s->heading_text, sizeof s->heading_text, "Locked: the password of %s",
                 locked_user);
    else
        snprintf(s->heading_text, sizeof s->heading_text, "Log in to Nexus OS");
    nx_label_init(&s->heading, row(cx, cy - 96, 28), s->heading_text, strlen(s->heading_text));
    nx_label_init(&s->name_label, row(cx, cy - 60, 24), "User name", 9);
    nx_field_init(&s->name, row(cx, cy - 34, ROW_H), s->name_buf, sizeof s->name_buf);
    nx_label_init(&s->password_label, row(cx, cy + 10, 24), "Password", 8);
    nx_field_init(&s->password, row(cx, cy + 36, ROW_H), s->password_buf, sizeof s->password_buf);
    s->password.password = true;
    const char *go = locked_user ? "Unlock" : "Log in";
    nx_button_init(&s->button, row(cx, cy + 88, 36), go, strlen(go));
    nx_ui_init(&s->ui, &s->surf.gfx, &s->theme);
    nx_ui_add(&s->ui, &s->heading.base);
    if (!locked_user) {
        nx_ui_add(&s->ui, &s->name_label.base);
        nx_ui_add(&s->ui, &s->name.base);
    }
    nx_ui_add(&s->ui, &s->password_label.base);
    nx_ui_add(&s->ui, &s->password.base);
    nx_ui_add(&s->ui, &s->button.base);
    nx_ui_focus(&s->ui, locked_user ? &s->password.base : &s->name.base);
}

long screen_show(struct screen *s, struct nx_wm *wm, const char *locked_user, uint32_t layer)
{
    s->wm = wm;
    long err = nx_wm_surface_create(wm, wm->screen_w, wm->screen_h, 0, 0,
                                    NX_WM_SURFACE_FULLSCREEN | layer, "Login", &s->surf);
    if (err)
        return err;
    s->shown = true;
    s->frame_pending = false;
    s->message_text[0] = '\0';
    lay_out(s, wm->screen_w, wm->screen_h, locked_user);
    return NX_OK;
}

static void wipe(void *p, size_t n)
{
    volatile char *v = p;
    while (n--)
        *v++ = 0;
}

void screen_clear_password(struct screen *s)
{
    nx_field_set(&s->password, "", 0);
    wipe(s->password_buf, sizeof s->password_buf);
}

void screen_hide(struct screen *s)
{
    screen_clear_password(s);
    if (s->shown)
        nx_wm_surface_destroy(s->wm, &s->surf);
    s->shown = false;
}

static struct nx_gfx_rect message_rect(const struct screen *s)
{
    return (struct nx_gfx_rect){ s->clock_rect.x, s->surf.gfx.height / 2 + 140,
                                 s->clock_rect.w, 32 };
}

void screen_set_time(struct screen *s, uint64_t local_s)
{
    struct nx_utc t;
    nx_utc_from_unix(local_s, &t);
    char clock[sizeof s->clock_text], date[sizeof s->date_text];
    snprintf(clock, sizeof clock, "%02u:%02u", t.hour, t.minute);
    snprintf(date, sizeof date, "%s %u %s %lld", weekdays[t.weekday % 7], t.day,
             months[(t.month + 11) % 12], (long long)t.year);
    if (strcmp(clock, s->clock_text) || strcmp(date, s->date_text)) {
        strcpy(s->clock_text, clock);
        strcpy(s->date_text, date);
        s->ui.all_dirty = true;   // the clock lies on the form's background
    }
}

void screen_message(struct screen *s, const char *text, bool error)
{
    snprintf(s->message_text, sizeof s->message_text, "%s", text);
    s->message_error = error;
    nx_gfx_damage_add(&s->ui.damage, message_rect(s));
}

// text centred in r at baseline (from r's top), in face.
static void centred(struct screen *s, struct nx_gfx_rect r, const struct nx_face *face,
                    int32_t baseline, const char *text, uint32_t colour)
{
    size_t len = strlen(text);
    int32_t x = r.x + (r.w - nx_text_width(face, text, len)) / 2;
    nx_text_draw_from(&s->surf.gfx, &s->glyphs, face, x, r.y + baseline, text, len, colour,
                      NULL);
}

long screen_present(struct screen *s)
{
    if (!s->shown || s->frame_pending)
        return NX_OK;
    bool background = s->ui.all_dirty;
    nx_ui_draw(&s->ui);
    if (background) {  // the whole surface was filled: the clock and the message again
        centred(s, s->clock_rect, &s->clock_face, 80, s->clock_text, s->theme.fg);
        centred(s, s->clock_rect, &s->date_face, 130, s->date_text, s->theme.muted);
    }
    struct nx_gfx_rect m = message_rect(s);
    for (uint32_t i = 0; i < s->ui.damage.count; i++) {
        struct nx_gfx_rect d = s->ui.damage.rects[i];
        if (d.x < m.x + m.w && m.x < d.x + d.w && d.y < m.y + m.h && m.y < d.y + d.h) {
            nx_gfx_fill(&s->surf.gfx, m, s->theme.bg);
            centred(s, m, &s->ui_face, 22, s->message_text,
                    s->message_error ? error_colour() : s->theme.muted);
            break;
        }
    }
    if (nx_gfx_damage_empty(&s->ui.damage))
        return NX_OK;
    long err = nx_wm_present(s->wm, &s->surf, s->ui.damage.rects, s->ui.damage.count);
    nx_gfx_damage_clear(&s->ui.damage);
    if (!err)
        s->frame_pending = true;
    return err;
}
