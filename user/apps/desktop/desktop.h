#pragma once
// The desktop (docs/desktop.md): a session's shell on the compositor. main.c (start, the
// one notification, the bar), panel.c (a top surface holding a form of widgets), apps.c
// (the installed apps from their manifests, starting them with the capabilities they ask
// for, watching them), launcher.c (the list of apps, filtered as one types), menu.c (the
// power menu). One thread; the state needs no lock.
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <nexus/handle.h>
#include <nx/app.h>
#include <nx/settings.h>
#include <nx/widget.h>
#include <nx/wm.h>

// Bits of the desktop's notification.
#define BIT_WM    (1ull << 0)          // the compositor's events wait
#define BIT_CLOCK (1ull << 1)          // the minute turned: redraw the clock
#define BIT_SETTINGS (1ull << 7)       // a setting changed (the theme? the time zone?)
#define BIT_APP(i) (1ull << (8 + (i))) // app i's process ended (i < NX_APP_MAX)
_Static_assert(8 + NX_APP_MAX <= 64, "an app's bit fits the notification");

#define BAR_H 28
#define SCREEN_MAX_W 8192

// ---- panel.c: a top surface (NX_WM_SURFACE_TOP) and the form drawn on it ----
struct panel {
    bool up, frame_pending;
    struct nx_wm_surface surf;
    struct nx_ui ui;
};

long panel_open(struct panel *p, struct nx_gfx_rect r, const char *title);
void panel_close(struct panel *p);
// Draws what changed and presents it (after the last frame is on screen).
void panel_present(struct panel *p);
// Every open panel redrawn whole in desktop_theme (which changed).
void panels_retheme(void);
// Whether ev (of the compositor) is for p's surface.
bool panel_owns(const struct panel *p, const struct nx_wm_event *ev);
// FRAME_DONE for p: present what waited.
void panel_frame_done(struct panel *p);

// ---- look.c: the theme and the clock's time zone, the settings' ----
#define LOOK_THEME (1u << NX_SETTING_THEME)       // look_refresh's bits (nx_settings_changed)
#define LOOK_ZONE  (1u << NX_SETTING_TIME_ZONE)
// Reads the settings and watches them (BIT_SETTINGS on desktop_notif); *t made from face and
// glyphs in the theme they name (the defaults' without the settings service).
void look_start(struct nx_theme *t, const struct nx_face *face,
                const struct nx_glyph_source *glyphs);
// BIT_SETTINGS: the settings read again, *t remade if the theme changed. The LOOK_* that did.
uint32_t look_refresh(struct nx_theme *t);
// unix_s in the time zone of the settings; the zone's name ("UTC+02:00").
uint64_t look_local_s(uint64_t unix_s);
const char *look_zone(void);

// ---- apps.c: the installed apps ----
struct app {
    struct nx_app m;
    nx_handle_t proc;                  // while it runs (READ: watched), else 0
};

struct apps {
    struct app app[NX_APP_MAX];
    size_t n;
};

// The manifests of dir (NAME.app files), sorted by name; a bad one is logged and left out.
void apps_load(struct apps *a, const char *dir);
// Starts app i (/boot/PROGRAM) with the capabilities its manifest asks for, duplicates of
// this process's own with the same rights: NX_OK; NX_ERR_ACCESS with why naming the
// capability the session does not hold; NX_ERR_BAD_STATE (running already); the loader's
// errors. Its end signals BIT_APP(i) on notif.
long apps_start(struct apps *a, size_t i, nx_handle_t notif, char *why, size_t cap);
// Forgets the processes of the apps whose bits are set that have ended.
void apps_reap(struct apps *a, uint64_t bits);

// ---- launcher.c ----
void launcher_open(void);
void launcher_close(void);
bool launcher_is_open(void);
// The event for the launcher's surface; true if it was the launcher's.
bool launcher_event(const struct nx_wm_event *ev);
// The apps' running states changed: the list is redrawn.
void launcher_refresh(void);

// ---- menu.c: the power menu ----
void menu_toggle(int32_t right);       // opened under the bar, its right edge at right
void menu_close(void);
bool menu_event(const struct nx_wm_event *ev);

// ---- main.c: what the parts share ----
extern struct nx_wm desktop_wm;
extern nx_handle_t desktop_notif;
extern struct apps desktop_apps;
extern const struct nx_theme *desktop_theme;
extern bool desktop_quit;
// The bar's status line: text shown (and logged) until the next.
void desktop_status(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
