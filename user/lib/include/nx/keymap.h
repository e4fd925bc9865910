#pragma once
// Key maps and key repeat (docs/input.md, "Key maps and repeat"): what the compositor makes of
// an input driver's key events (nx/input.h) before it hands them to the focused client
// (nx_wm_event.key). Pure: no system call, no allocation, no clock of its own (the caller
// passes times in ns of nx_clock_get), so it is host-tested and fuzzed as is.
//
// Characters: a key gives a Unicode code point, 0 for none (arrows, F-keys, Home, Delete...).
// Enter and keypad Enter give '\r', Backspace 0x7f, Tab '\t', Escape 0x1b: what a terminal
// sends, and what nsh's line editor takes. Ctrl with a letter or one of @[\]^_ gives its
// control code (Ctrl-C = 3, Ctrl-[ = 0x1b); Alt and Meta change no character (the client
// sees them in the modifiers). The keypad gives digits (NumLock is taken as on). No dead keys:
// the `de` layout's ^ ´ ` are plain characters.
#include <stdbool.h>
#include <stdint.h>
#include <nx/input.h>
#include <nx/keycodes.h>

#define NX_KEYMAP_CODES 128  // only codes below this have characters

struct nx_keymap;            // a layout: constant tables (keymap.c)

// The layout called name: "us" or "de". NULL for any other name (or NULL).
const struct nx_keymap *nx_keymap_find(const char *name);
const char *nx_keymap_name(const struct nx_keymap *map);
// Whether right Alt is AltGr (NX_WM_MOD_ALTGR: `de`) or a second Alt (NX_WM_MOD_ALT: `us`).
bool nx_keymap_has_altgr(const struct nx_keymap *map);
// The character key code gives under modifiers mods (NX_WM_MOD_* of nx/wm.h); 0 for none or
// for a code out of range. A level a key lacks falls back to the one it has: AltGr+A is 'a'.
uint32_t nx_keymap_translate(const struct nx_keymap *map, unsigned code, uint32_t mods);

// ---- repeat: a state machine over times in ns ----
// A press of a repeatable key (not a modifier or a lock) makes it repeat after delay_ns, then
// every interval_ns until it is released or another key is pressed. The caller arms a timer
// for nx_key_repeat_deadline with NX_KEY_REPEAT_SLACK_NS of slack (nx_timer_set): a repeat a
// few ms late is not seen, and the slack lets the kernel fold the wake-up into another.
#define NX_KEY_REPEAT_DELAY_NS    500000000ull  // 500 ms
#define NX_KEY_REPEAT_INTERVAL_NS  33000000ull  // 33 ms: ~30 per second
#define NX_KEY_REPEAT_SLACK_NS     10000000ull  // 10 ms
#define NX_KEY_REPEAT_MIN_NS        1000000ull  // the limits nx_key_repeat_set accepts
#define NX_KEY_REPEAT_MAX_NS    10000000000ull
// At most this many repeats come from one nx_key_repeat_due however late it is called: a
// stalled compositor resumes with a few repeats, not a flood.
#define NX_KEY_REPEAT_BURST 4

struct nx_key_repeat {
    uint64_t delay_ns, interval_ns;
    uint64_t due;            // the next repeat's time; NX_DEADLINE_NEVER when none
    uint16_t code;           // the key repeating (0: none)
};

// Defaults (NX_KEY_REPEAT_DELAY_NS, NX_KEY_REPEAT_INTERVAL_NS), nothing repeating.
void nx_key_repeat_init(struct nx_key_repeat *r);
// New timings, for the next press: NX_OK, or NX_ERR_INVALID (and no change) when either is
// outside [NX_KEY_REPEAT_MIN_NS, NX_KEY_REPEAT_MAX_NS].
long nx_key_repeat_set(struct nx_key_repeat *r, uint64_t delay_ns, uint64_t interval_ns);
// Key code went down at time now: it repeats from now + delay, replacing any other.
void nx_key_repeat_press(struct nx_key_repeat *r, uint16_t code, uint64_t now);
// Key code went up: the repeat stops if it is that key's.
void nx_key_repeat_release(struct nx_key_repeat *r, uint16_t code);
// Nothing repeats (the focus moved, the keyboard went away).
void nx_key_repeat_stop(struct nx_key_repeat *r);
// When the next repeat is due; NX_DEADLINE_NEVER when nothing repeats.
uint64_t nx_key_repeat_deadline(const struct nx_key_repeat *r);
// How many repeats of r->code are due at now (0..NX_KEY_REPEAT_BURST), *first the time of the
// first (the next are interval_ns apart). Repeats beyond the burst are dropped: the next is
// then due interval_ns after now.
unsigned nx_key_repeat_due(struct nx_key_repeat *r, uint64_t now, uint64_t *first);

// ---- a keyboard: modifiers, a layout and repeat together ----
struct nx_key {
    uint64_t time_ns;        // the event's, or the repeat's due time
    uint16_t code;           // evdev key code
    uint8_t state;           // 0 released, 1 pressed, 2 repeated
    uint8_t mods;            // NX_WM_MOD_* after this key
    uint32_t codepoint;      // 0: none (and for every release)
};

struct nx_keyboard {
    const struct nx_keymap *map;
    uint8_t held;            // modifier keys down, a bit per key (keymap.c)
    bool caps;               // CapsLock is on
    struct nx_key_repeat repeat;
};

// Layout `us`, no modifier, default repeat.
void nx_keyboard_init(struct nx_keyboard *kb);
// NX_OK, or NX_ERR_NOT_FOUND (layout unchanged) for an unknown name.
long nx_keyboard_set_layout(struct nx_keyboard *kb, const char *name);
// One input event. True, with *out filled, for a key of the keyboard (type NX_INPUT_KEY,
// code 1..NX_KEY_MAX but not a pointer button 0x100..0x15f, value 0..2); false, and no change
// of state, for anything else. Repeats the device sends itself (value 2) pass through and do
// not touch the repeat timer.
bool nx_keyboard_event(struct nx_keyboard *kb, const struct nx_input_event *ev,
                       struct nx_key *out);
// The repeats due at now, translated with the modifiers held now: how many were written to out.
unsigned nx_keyboard_repeat(struct nx_keyboard *kb, uint64_t now,
                            struct nx_key out[NX_KEY_REPEAT_BURST]);
// When nx_keyboard_repeat has something next; NX_DEADLINE_NEVER when nothing repeats.
uint64_t nx_keyboard_deadline(const struct nx_keyboard *kb);
// NX_WM_MOD_* now.
uint8_t nx_keyboard_mods(const struct nx_keyboard *kb);
