// desktop: a session's shell on the compositor (docs/desktop.md). A bar across the top of
// the screen (a top surface: no window covers it) with the launcher's button, the active
// window's name, a status line, the clock and the power button; the launcher and the power
// menu open under it. Apps are started with only the capabilities their manifests ask for.
//
// One notification wakes it for everything: the compositor's events (BIT_WM), the clock's
// timer (BIT_CLOCK, once a minute, with a second of slack: no other wake-up while nobody
// touches anything), the apps' ends (BIT_APP) and a change of the settings (BIT_SETTINGS:
// the theme and the clock's time zone, look.c).
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <nexus/errors.h>
#include <nx/file.h>
#include <nx/keycodes.h>
#include <nx/log.h>
#include <nx/nx.h>
#include <nx/time.h>
#include "desktop.h"

#define FONT "/boot/DejaVuSans.ttf"
#define FONT_PX 14
#define CACHE_BYTES (128u << 10)
#define APPS_DIR "/boot"
#define MINUTE_NS (60ull * NX_NS_PER_S)
#define CLOCK_SLACK_NS NX_NS_PER_S
#define CONNECT_TRIES 50
#define CONNECT_WAIT_NS 100000000ull

struct nx_wm desktop_wm;
nx_handle_t desktop_notif;
struct apps desktop_apps;
const struct nx_theme *desktop_theme;
bool desktop_quit;

static struct {
    struct nx_font font;
    struct nx_face face;
    struct nx_glyph_cache cache;
    struct nx_glyph_source glyphs;
    struct nx_theme theme;
    nx_handle_t timer;
    struct panel bar;
    struct nx_button apps_button, power_button;
    struct nx_label active, status, clock;
    char active_text[NX_WM_TITLE_MAX + 1];
    char status_text[128];
    char clock_text[8];
} D;

void desktop_status(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(D.status_text, sizeof D.status_text, fmt, ap);
    va_end(ap);
    nx_log(NX_LOG_INFO, "status: %s", D.status_text);
    nx_label_set(&D.status, D.status_text, strlen(D.status_text));
    panel_present(&D.bar);
}

// ---- the clock ----

// The clock shows the wall clock's HH:MM in the settings' time zone (whole quarters of an
// hour: its minutes turn with UTC's); the timer fires when the minute turns.
static void clock_tick(void)
{
    uint64_t now;
    uint64_t wait = MINUTE_NS;
    if (nx_wallclock_get(&now) == NX_OK) {
        struct nx_utc t;
        nx_utc_from_unix(look_local_s(now / NX_NS_PER_S), &t);
        snprintf(D.clock_text, sizeof D.clock_text, "%02u:%02u", t.hour, t.minute);
        wait = MINUTE_NS - now % MINUTE_NS;
    } else {
        strcpy(D.clock_text, "--:--");
    }
    nx_label_set(&D.clock, D.clock_text, strlen(D.clock_text));
    nx_timer_set(D.timer, (uint64_t)nx_clock_get() + wait, CLOCK_SLACK_NS);
}

// The clock as set now, in the log (at start and when the zone changes: not each minute).
static void clock_logged(void)
{
    nx_log(NX_LOG_INFO, "clock %s (%s)", D.clock_text, look_zone());
}

static void settings_changed(void)
{
    uint32_t keys = look_refresh(&D.theme);
    if (keys & LOOK_THEME)
        panels_retheme();
    if (keys & LOOK_ZONE) {
        clock_tick();
        clock_logged();
    }
}

// ---- the bar ----

static long bar_open(void)
{
    int32_t w = desktop_wm.screen_w;
    long err = panel_open(&D.bar, (struct nx_gfx_rect){ 0, 0, w, BAR_H }, "Desktop");
    if (err)
        return err;
    static const char apps[] = "Apps", power[] = "Power";
    nx_button_init(&D.apps_button, (struct nx_gfx_rect){ 4, 2, 72, BAR_H - 4 }, apps,
                   sizeof apps - 1);
    nx_label_init(&D.active, (struct nx_gfx_rect){ 92, 2, w / 2 - 100, BAR_H - 4 }, "", 0);
    nx_label_init(&D.status, (struct nx_gfx_rect){ w / 2, 2, w / 2 - 170, BAR_H - 4 }, "", 0);
    D.status.muted = true;
    nx_label_init(&D.clock, (struct nx_gfx_rect){ w - 156, 2, 64, BAR_H - 4 }, "", 0);
    nx_button_init(&D.power_button, (struct nx_gfx_rect){ w - 86, 2, 82, BAR_H - 4 }, power,
                   sizeof power - 1);
    struct nx_widget *widgets[] = { &D.apps_button.base, &D.active.base, &D.status.base,
                                    &D.clock.base, &D.power_button.base };
    for (size_t i = 0; i < sizeof widgets / sizeof widgets[0]; i++)
        nx_ui_add(&D.bar.ui, widgets[i]);
    return NX_OK;
}

// The active window changed (NX_WM_EV_ACTIVE): its title is shown.
static void active_changed(void)
{
    struct nx_wm_stats st;
    if (nx_wm_stats(&desktop_wm, &st) != NX_OK)
        return;
    st.active_title[NX_WM_TITLE_MAX] = '\0';
    strcpy(D.active_text, st.active_title);
    nx_label_set(&D.active, D.active_text, strlen(D.active_text));
    nx_log(NX_LOG_INFO, "active: \"%s\"", D.active_text);
}

static void bar_event(const struct nx_wm_event *ev)
{
    switch (ev->type) {
    case NX_WM_EV_FRAME_DONE:
        panel_frame_done(&D.bar);
        return;
    case NX_WM_EV_ACTIVE:
        active_changed();
        break;
    default: {
        struct nx_widget *hit = nx_ui_event(&D.bar.ui, ev);
        if (hit == &D.apps_button.base)
            launcher_is_open() ? launcher_close() : launcher_open();
        else if (hit == &D.power_button.base)
            menu_toggle(desktop_wm.screen_w);
    }
    }
    panel_present(&D.bar);
}

static void event(const struct nx_wm_event *ev)
{
    bool meta = ev->type == NX_WM_EV_KEY &&
                (ev->key.code == NX_KEY_LEFTMETA || ev->key.code == NX_KEY_RIGHTMETA);
    if (meta) {  // the launcher's key, whichever of our surfaces it reached
        if (ev->key.state == 1)
            launcher_is_open() ? launcher_close() : launcher_open();
        return;
    }
    if (ev->type == NX_WM_EV_KEY && (ev->key.mods & NX_WM_MOD_META))
        return;  // no other shortcut yet
    if (!launcher_event(ev) && !menu_event(ev) && panel_owns(&D.bar, ev))
        bar_event(ev);
}

// ---- start ----

static long load_font(void)
{
    long err = nx_font_map(FONT, &D.font);
    if (!err)
        err = nx_face_init(&D.face, &D.font, FONT_PX, 0);
    if (!err)
        err = nx_glyph_cache_alloc(&D.cache, CACHE_BYTES);
    D.glyphs = (struct nx_glyph_source){ NULL, 0, &D.cache };
    desktop_theme = &D.theme;
    return err;
}

// The compositor may come up after us: a few tries.
static long connect(void)
{
    long err = NX_ERR_NOT_FOUND;
    uint64_t bits;
    for (int i = 0; i < CONNECT_TRIES; i++) {
        if ((err = nx_wm_connect(&desktop_wm, desktop_notif, BIT_WM)) == NX_OK)
            return NX_OK;
        nx_notify_wait_bits(desktop_notif, (uint64_t)nx_clock_get() + CONNECT_WAIT_NS, &bits);
    }
    return err;
}

static void drain_events(void)
{
    struct nx_wm_event ev;
    long err;
    while (!desktop_quit && (err = nx_wm_poll_event(&desktop_wm, &ev)) == NX_OK)
        event(&ev);
    if (!desktop_quit && err != NX_ERR_NOT_FOUND) {
        nx_log(NX_LOG_ERROR, "the compositor's events failed (%ld): exiting", err);
        desktop_quit = true;
    }
}

static void run(void)
{
    while (!desktop_quit) {
        drain_events();
        panel_present(&D.bar);
        if (desktop_quit)
            break;
        uint64_t bits = 0;
        if (nx_ring_prepare_sleep(&desktop_wm.events))
            nx_notify_wait_bits(desktop_notif, NX_DEADLINE_NEVER, &bits);
        nx_ring_end_sleep(&desktop_wm.events);
        if (bits & BIT_CLOCK)
            clock_tick();
        if (bits & BIT_SETTINGS)
            settings_changed();
        if (bits & ~(BIT_WM | BIT_CLOCK | BIT_SETTINGS)) {
            apps_reap(&desktop_apps, bits);
            launcher_refresh();
        }
    }
}

int main(void)
{
    long notif = nx_notification_create();
    long timer = notif > 0 ? nx_timer_create((nx_handle_t)notif, BIT_CLOCK) : notif;
    long err = timer < 0 ? timer : load_font();
    if (err) {
        fprintf(stderr, "desktop: cannot start: no notification, timer or font %s (%ld)\n",
                FONT, err);
        return 1;
    }
    desktop_notif = (nx_handle_t)notif;
    D.timer = (nx_handle_t)timer;
    look_start(&D.theme, &D.face, &D.glyphs);
    if ((err = connect()) || (err = bar_open())) {
        fprintf(stderr, "desktop: no compositor (%ld)\n", err);
        return 1;
    }
    apps_load(&desktop_apps, APPS_DIR);
    nx_log(NX_LOG_INFO, "%zu apps installed", desktop_apps.n);
    clock_tick();
    clock_logged();
    printf("desktop: up, %zu apps\n", desktop_apps.n);
    run();
    return 0;
}
