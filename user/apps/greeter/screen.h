// The login screen's look (screen.c): a screen-sized surface of the compositor with the clock
// and the date above a form of a user name field, a password field (bullets), a button and a
// line for messages. Drawing only; main.c decides what the form does.
#pragma once
#include <stdbool.h>
#include <stdint.h>
#include <nx/text.h>
#include <nx/users.h>
#include <nx/widget.h>
#include <nx/wm.h>

#define SCREEN_MESSAGE_MAX 96

struct screen {
    struct nx_wm *wm;
    struct nx_wm_surface surf;
    bool shown, frame_pending;
    struct nx_font font;
    struct nx_face ui_face, clock_face, date_face;
    struct nx_glyph_cache cache;
    struct nx_glyph_source glyphs;
    struct nx_theme theme;
    struct nx_ui ui;
    struct nx_label heading, name_label, password_label, message;
    struct nx_field name, password;
    struct nx_button button;
    struct nx_gfx_rect clock_rect;
    char name_buf[NX_USER_NAME_MAX], password_buf[NX_PASSWORD_MAX];
    char heading_text[NX_USER_NAME_MAX + 40], message_text[SCREEN_MESSAGE_MAX];
    char clock_text[8], date_text[48];
    bool message_error;
};

// The fonts (from /boot) and the glyph cache: NX_OK or the error.
long screen_init(struct screen *s);
// Puts the screen up on wm (a fullscreen surface, focused, with the flags layer: the lock
// layer's or 0): the form empty, the name field focused; locked_user (not NULL) fills the
// name in, fixed, and focuses the password.
long screen_show(struct screen *s, struct nx_wm *wm, const char *locked_user, uint32_t layer);
// Takes it down; the password's bytes are wiped.
void screen_hide(struct screen *s);
// The clock and date for local_s (seconds since 1970 in the time zone shown); redrawn at the
// next screen_present if they changed.
void screen_set_time(struct screen *s, uint64_t local_s);
// The dark or the light theme (screen_init's: dark), the whole screen redrawn.
void screen_set_theme(struct screen *s, bool dark);
// The message line (error: drawn in the error colour).
void screen_message(struct screen *s, const char *text, bool error);
// Empties the password field and wipes its bytes.
void screen_clear_password(struct screen *s);
// Draws what changed and presents it (nothing while a frame is pending). An error of the
// compositor's is returned (the window may be gone).
long screen_present(struct screen *s);
