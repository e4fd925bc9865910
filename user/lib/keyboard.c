// A keyboard's state (nx/keymap.h): the modifier keys held, CapsLock, the layout and the
// repeating key, fed one input event at a time.
#include <nexus/syscall.h>
#include <nx/keymap.h>
#include <nx/wm.h>

// A bit of nx_keyboard.held per modifier key, so releasing one Shift while the other is held
// keeps Shift.
enum {
    HELD_LSHIFT = 1u << 0, HELD_RSHIFT = 1u << 1,
    HELD_LCTRL = 1u << 2,  HELD_RCTRL = 1u << 3,
    HELD_LALT = 1u << 4,   HELD_RALT = 1u << 5,
    HELD_LMETA = 1u << 6,  HELD_RMETA = 1u << 7,
};

#define BUTTONS_FIRST 0x100  // BTN_MISC .. BTN_GEAR_UP: a pointer's or joystick's, not keys
#define BUTTONS_LAST 0x15f

static uint8_t held_bit(uint16_t code)
{
    switch (code) {
    case NX_KEY_LEFTSHIFT: return HELD_LSHIFT;
    case NX_KEY_RIGHTSHIFT: return HELD_RSHIFT;
    case NX_KEY_LEFTCTRL: return HELD_LCTRL;
    case NX_KEY_RIGHTCTRL: return HELD_RCTRL;
    case NX_KEY_LEFTALT: return HELD_LALT;
    case NX_KEY_RIGHTALT: return HELD_RALT;
    case NX_KEY_LEFTMETA: return HELD_LMETA;
    case NX_KEY_RIGHTMETA: return HELD_RMETA;
    default: return 0;
    }
}

// Modifiers and locks do not repeat.
static bool repeats(uint16_t code)
{
    return !held_bit(code) && code != NX_KEY_CAPSLOCK && code != NX_KEY_NUMLOCK &&
           code != NX_KEY_SCROLLLOCK;
}

void nx_keyboard_init(struct nx_keyboard *kb)
{
    kb->map = nx_keymap_find("us");
    kb->held = 0;
    kb->caps = false;
    nx_key_repeat_init(&kb->repeat);
}

long nx_keyboard_set_layout(struct nx_keyboard *kb, const char *name)
{
    const struct nx_keymap *map = nx_keymap_find(name);
    if (!map)
        return NX_ERR_NOT_FOUND;
    kb->map = map;
    return NX_OK;
}

uint8_t nx_keyboard_mods(const struct nx_keyboard *kb)
{
    uint8_t mods = 0;
    if (kb->held & (HELD_LSHIFT | HELD_RSHIFT))
        mods |= NX_WM_MOD_SHIFT;
    if (kb->held & (HELD_LCTRL | HELD_RCTRL))
        mods |= NX_WM_MOD_CTRL;
    if (kb->held & HELD_LALT)
        mods |= NX_WM_MOD_ALT;
    if (kb->held & HELD_RALT)
        mods |= nx_keymap_has_altgr(kb->map) ? NX_WM_MOD_ALTGR : NX_WM_MOD_ALT;
    if (kb->held & (HELD_LMETA | HELD_RMETA))
        mods |= NX_WM_MOD_META;
    if (kb->caps)
        mods |= NX_WM_MOD_CAPS;
    return mods;
}

static bool is_keyboard_key(const struct nx_input_event *ev)
{
    return ev->type == NX_INPUT_KEY && ev->code >= 1 && ev->code <= NX_KEY_MAX &&
           !(ev->code >= BUTTONS_FIRST && ev->code <= BUTTONS_LAST) && ev->value >= 0 &&
           ev->value <= 2;
}

static void track(struct nx_keyboard *kb, const struct nx_input_event *ev)
{
    uint8_t bit = held_bit(ev->code);
    if (ev->value == 0)
        kb->held &= (uint8_t)~bit;
    else
        kb->held |= bit;
    if (ev->code == NX_KEY_CAPSLOCK && ev->value == 1)
        kb->caps = !kb->caps;
    if (ev->value == 0)
        nx_key_repeat_release(&kb->repeat, ev->code);
    else if (ev->value == 1 && repeats(ev->code))
        nx_key_repeat_press(&kb->repeat, ev->code, ev->time_ns);
}

static void make_key(const struct nx_keyboard *kb, uint16_t code, uint8_t state,
                     uint64_t time_ns, struct nx_key *out)
{
    out->time_ns = time_ns;
    out->code = code;
    out->state = state;
    out->mods = nx_keyboard_mods(kb);
    out->codepoint = state ? nx_keymap_translate(kb->map, code, out->mods) : 0;
}

bool nx_keyboard_event(struct nx_keyboard *kb, const struct nx_input_event *ev,
                       struct nx_key *out)
{
    if (!is_keyboard_key(ev))
        return false;
    track(kb, ev);
    make_key(kb, ev->code, (uint8_t)ev->value, ev->time_ns, out);
    return true;
}

unsigned nx_keyboard_repeat(struct nx_keyboard *kb, uint64_t now,
                            struct nx_key out[NX_KEY_REPEAT_BURST])
{
    uint64_t t = 0;
    unsigned n = nx_key_repeat_due(&kb->repeat, now, &t);
    for (unsigned i = 0; i < n; i++)
        make_key(kb, kb->repeat.code, 2, t + i * kb->repeat.interval_ns, &out[i]);
    return n;
}

uint64_t nx_keyboard_deadline(const struct nx_keyboard *kb)
{
    return nx_key_repeat_deadline(&kb->repeat);
}
