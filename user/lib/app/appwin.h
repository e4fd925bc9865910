#pragma once
// One window of the compositor with a widget form on it: what the desktop's apps (sysmon,
// files, editor; docs/apps.md) share. The window has a fixed size (a resize the compositor
// asks for is not taken); the fonts come from /boot through the program's file namespace
// (a session's read-only dir:/boot, or a manifest's fs grant), their glyphs from the
// compositor's shared atlas first, then from a cache of the app's own. The theme is the
// `theme` setting's when the window opens (the settings service reached through svcmgr; its
// default, dark, without it): an app started after a change has the new one.
//
// One notification wakes the app: the compositor's events (APPWIN_BIT_WM) and whatever
// else the app arms on it (its timers: bits of its own, at or above APPWIN_BIT_APP).
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <nx/glyph_atlas.h>
#include <nx/text.h>
#include <nx/widget.h>
#include <nx/wm.h>

#define APPWIN_BIT_WM (1ull << 0)
#define APPWIN_BIT_APP (1ull << 1)     // the first bit an app may use
#define APPWIN_FONT_PX 14              // the UI's size: a face of the shared atlas

// A dialog: a small window of its own above the app's, a line of text and up to
// APPWIN_DIALOG_BUTTONS buttons (the last one is what Esc and the dialog's close button do).
#define APPWIN_DIALOG_BUTTONS 3
#define APPWIN_DIALOG_TEXT 160
struct appwin_dialog {
    struct nx_wm_surface surf;
    struct nx_ui ui;
    struct nx_label text;
    struct nx_button buttons[APPWIN_DIALOG_BUTTONS];
    char text_buf[APPWIN_DIALOG_TEXT];
    size_t n;
    bool open, frame_pending;
};

struct appwin {
    const char *prog;                  // the program's name, for its messages (set it first)
    struct nx_wm wm;
    struct nx_wm_surface surf;
    nx_handle_t notif;
    int32_t x, y;                      // where the window was placed
    struct nx_font sans, mono;
    struct nx_face face, mono_face;
    struct nx_glyph_cache cache;
    struct nx_glyph_atlas atlas;
    struct nx_glyph_source glyphs, mono_glyphs;
    struct nx_theme theme;
    struct nx_ui ui;
    bool frame_pending;                // presented, its FRAME_DONE not yet back
    bool quit;                         // the window was closed (NX_WM_EV_CLOSE) or lost
    bool close_asked;                  // the window's close button was pressed (set when
                                       // the app handles closing itself: ask_close)
    bool ask_close;                    // the app asks before closing (else close = quit)
    struct appwin_dialog dialog;
};

// Fonts, the connection (retried for a few seconds while the compositor starts) and a
// w x h window at (x, y) titled title; the form is empty (the app adds its widgets). On
// failure says why on stderr (prefixed by a->prog) and returns the error.
long appwin_open(struct appwin *a, const char *title, int32_t w, int32_t h, int32_t x,
                 int32_t y);
// The next event for the app: NX_OK, or NX_ERR_NOT_FOUND when none waits. Frame-done and
// close events are taken here (close sets quit; so does a lost connection).
long appwin_next_event(struct appwin *a, struct nx_wm_event *ev);
// The text of an NX_ERR_* code ("no such entry"), for messages.
const char *appwin_error(long err);
// Opens the dialog centred on the app's window: text, and buttons labels[0, n) (n 1..3).
long appwin_dialog_open(struct appwin *a, const char *title, const char *text,
                        const char *const *labels, size_t n);
// Feeds an event of the dialog's surface (ev->surface == a->dialog.surf.id): the index of
// the button it chose (Esc and its close button: the last), or -1. A choice closes it.
int appwin_dialog_event(struct appwin *a, const struct nx_wm_event *ev);
// Draws what changed on the form (and the dialog) and presents it (after the previous frame is done).
void appwin_present(struct appwin *a);
// Sleeps until an event or a bit on the notification (or the deadline): the bits taken.
uint64_t appwin_sleep(struct appwin *a, uint64_t deadline);
// The app's loop until its window is closed: each waiting event to event(), what changed
// presented, then asleep until the next event or bit; woken(bits) with the bits taken
// (0: events only).
void appwin_run(struct appwin *a, void (*event)(const struct nx_wm_event *ev),
                void (*woken)(uint64_t bits));
// A label's text (the buffer text[cap] the label shows) replaced by now only when it differs:
// an unchanged line is not drawn again.
void appwin_set_label(struct nx_label *l, char *text, size_t cap, const char *now);
// The same with the text formatted (cut to APPWIN_LINE_MAX - 1 bytes, and to cap).
#define APPWIN_LINE_MAX 256
void appwin_vset_label(struct nx_label *l, char *text, size_t cap, const char *fmt, va_list ap)
    __attribute__((format(printf, 4, 0)));
void appwin_close(struct appwin *a);
