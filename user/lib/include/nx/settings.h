// System settings (docs/settings.md): a fixed schema of keys, each with a type, a range and a
// default, stored as text on the disk (/etc/settings), one `key=value` line per key:
//
//     power_mode=balanced
//     theme=dark
//
// The store is pure C over buffers (user/lib/settings.c), so the settings service, the host
// test and the fuzzer run the same code. A file is never refused whole: a bad line (unknown
// key, value out of range, too long, a duplicate) is reported and skipped, and its key keeps
// its default. The settings service (user/services/settingsd) is the one writer of the file;
// programs read and change settings through it (the calls at the end).
#ifndef NX_SETTINGS_H
#define NX_SETTINGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <nexus/handle.h>

#define NX_SETTINGS_FILE_MAX  4096   // bytes of a file; what lies past it is ignored (reported)
#define NX_SETTINGS_LINE_MAX  127    // bytes of a line, without its newline; longer: skipped
#define NX_SETTING_KEY_MAX    31     // bytes of a key's name
#define NX_SETTING_VALUE_MAX  31     // bytes of a value (its canonical form)
#define NX_SETTINGS_WHY_MAX   120    // bytes of a reason a value is refused, NUL included

// The keys, in the order files and listings give them.
enum nx_setting {
    NX_SETTING_POWER_MODE,       // performance | balanced | saver (the kernel's power mode)
    NX_SETTING_THEME,            // light | dark
    NX_SETTING_KEYBOARD_LAYOUT,  // us | de (the layouts of nx/keymap.h)
    NX_SETTING_LOCK_DELAY,       // lock_delay_s: 0 (never) or 30..3600 seconds of inactivity
    NX_SETTING_TIME_ZONE,        // UTC, or UTC+HH:MM / UTC-HH:MM, -12:00..+14:00, 15 min steps
    NX_SETTINGS_COUNT
};

// Every key's value in its canonical form (what nx_setting_check makes of it).
struct nx_settings {
    char value[NX_SETTINGS_COUNT][NX_SETTING_VALUE_MAX + 1];
};

// The key named name (len bytes, not NUL-terminated): its index, or NX_ERR_NOT_FOUND.
long nx_setting_find(const char *name, size_t len);
// The key's name and the human description of its range ("performance, balanced or saver").
const char *nx_setting_name(enum nx_setting key);
const char *nx_setting_range(enum nx_setting key);

// Every key at its default.
void nx_settings_defaults(struct nx_settings *s);

// Whether value (len bytes) is valid for key: NX_OK with its canonical form in
// canon[NX_SETTING_VALUE_MAX + 1] ("UTC+1" -> "UTC+01:00"), or NX_ERR_INVALID with why
// (why_cap bytes, may be 0) saying what is wrong and what would be right.
long nx_setting_check(enum nx_setting key, const char *value, size_t len, char *canon,
                      char *why, size_t why_cap);

// Parse a settings file of len bytes over s (which the caller has filled, with defaults
// usually): each valid line sets its key; each bad one is skipped and passed to report
// (may be NULL) with its 1-based line number and why (line 0: the file as a whole). Lines
// starting with '#' and blank lines are ignored; spaces around the key and the value too.
// Returns how many problems were reported (0: the file was clean). Never fails.
unsigned nx_settings_parse(const char *text, size_t len, struct nx_settings *s,
                           void (*report)(void *ctx, unsigned line, const char *why),
                           void *ctx);

// The file's text for s into out: its length, or NX_ERR_TOO_BIG if it does not fit cap.
// What it writes parses back to s with no problem.
long nx_settings_format(const struct nx_settings *s, char *out, size_t cap);

// Typed views of the canonical values.
long nx_settings_choice(const struct nx_settings *s, enum nx_setting key);  // index in range
uint32_t nx_settings_lock_delay_s(const struct nx_settings *s);             // 0: never
int32_t nx_settings_tz_offset_min(const struct nx_settings *s);            // east of UTC
bool nx_settings_dark(const struct nx_settings *s);                         // theme=dark
// The keys whose values differ between a and b: bit k for key k.
uint32_t nx_settings_changed(const struct nx_settings *a, const struct nx_settings *b);
// unix_s in the zone of s (nx_settings_tz_offset_min), for nx_utc_from_unix: never below 0.
uint64_t nx_settings_local_s(const struct nx_settings *s, uint64_t unix_s);

// ---- the settings service (user/services/settingsd, service "settings") ----
//
//   NX_SETTINGS_GET   request: the key's name. Status: the value's length, the value in the
//                     bytes; NX_ERR_NOT_FOUND for an unknown key.
//   NX_SETTINGS_SET   struct nx_settings_set_req, then the key's name, then the value.
//                     Status NX_OK with struct nx_settings_set_rep: `result` NX_OK once the
//                     value is applied and on the disk, NX_ERR_NOT_FOUND (unknown key),
//                     NX_ERR_INVALID (out of range), NX_ERR_ACCESS (power_mode while the
//                     service holds no power capability), NX_ERR_IO (the file not written);
//                     `why` says so in words. Whatever fails changes nothing.
//   NX_SETTINGS_LIST  no request bytes. Status: the length of the listing, every key's
//                     `key=value` line (the file's format) in the bytes.
//   NX_SETTINGS_WATCH struct nx_settings_watch_req; two handles: a notification with SIGNAL
//                     (and no other right), the caller's own process with READ (and no other
//                     right). Status NX_OK: after every change applied from then on, the
//                     service signals req.bits on the notification; the watch ends when that
//                     process ends. NX_ERR_NO_SPACE: NX_SETTINGS_WATCHERS watches already;
//                     NX_ERR_INVALID: bits 0, not two handles; NX_ERR_WRONG_TYPE: not a
//                     notification and a process; NX_ERR_ACCESS: other rights than those.
// A malformed request (sizes that disagree) fails the call itself with NX_ERR_INVALID.
#define NX_SETTINGS_SERVICE "settings"

enum {
    NX_SETTINGS_GET = 0x53450001,
    NX_SETTINGS_SET = 0x53450002,
    NX_SETTINGS_LIST = 0x53450003,
    NX_SETTINGS_WATCH = 0x53450004,
};

#define NX_SETTINGS_WATCHERS 16   // watches the service keeps at once

struct nx_settings_watch_req {
    uint64_t bits;
};

struct nx_settings_set_req {
    uint32_t key_len, value_len;
};

struct nx_settings_set_rep {
    int32_t result;
    char why[NX_SETTINGS_WHY_MAX];
};

// The service's handle (granted as "settings", else looked up through svcmgr).
long nx_settings_service(nx_handle_t *ep);
// The value of key into value[cap]: its length, or the error (NX_ERR_NOT_FOUND: no such key).
long nx_settings_get(const char *key, char *value, size_t cap);
// Set key to value: NX_OK, or the error with why[why_cap] (may be NULL) saying why.
long nx_settings_set(const char *key, const char *value, char *why, size_t why_cap);
// Every setting as `key=value` lines into text[cap]: the length, or the error.
long nx_settings_list(char *text, size_t cap);
// Every setting into *s (LIST, parsed): NX_OK, or the error with *s unchanged.
long nx_settings_fetch(struct nx_settings *s);
// Whether the theme is dark now: the service's setting, the default's (dark) without the
// service. How an app picks its look at start; one that follows changes uses
// nx_settings_follow.
bool nx_settings_theme_dark(void);
// Have bits signalled on notif after each change (NX_SETTINGS_WATCH): NX_OK or the error.
long nx_settings_watch(nx_handle_t notif, uint64_t bits);
// What a program that applies settings does at start: *s from the service and a watch
// signalling bits on notif. NX_OK, or the error: *s then holds the defaults if the service
// could not be read (unreachable: the program runs with them), the service's settings if
// only the watch was refused (they will not follow changes).
long nx_settings_follow(struct nx_settings *s, nx_handle_t notif, uint64_t bits);
// The watch's bits came: *s fetched again. The keys that changed (nx_settings_changed); 0 if
// the service could not be reached (*s kept).
uint32_t nx_settings_refresh(struct nx_settings *s);

#endif
