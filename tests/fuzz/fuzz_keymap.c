// libFuzzer target for key maps and repeat (nx/keymap.h) over sequences of operations: input
// events of any type, code and value at any time, repeat queries at any time, layout changes
// (unknown names included) and repeat timings (out of range included). Checked each step:
// only keyboard keys are taken, a character is a Unicode scalar value, the modifiers follow
// the modifier keys as a model holds them, a repeat query gives at most a burst and leaves
// the next deadline after now, and nothing is read or written out of bounds (ASan).
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <nexus/syscall.h>
#include <nx/keymap.h>
#include <nx/wm.h>

#define OP_BYTES 13  // op, then 12 bytes of arguments

struct model {
    uint32_t held;   // modifier keys down, a bit per entry of mod_keys
    bool caps;
};

static const struct { uint16_t code; uint8_t mod; } mod_keys[] = {
    { NX_KEY_LEFTSHIFT, NX_WM_MOD_SHIFT }, { NX_KEY_RIGHTSHIFT, NX_WM_MOD_SHIFT },
    { NX_KEY_LEFTCTRL, NX_WM_MOD_CTRL },   { NX_KEY_RIGHTCTRL, NX_WM_MOD_CTRL },
    { NX_KEY_LEFTALT, NX_WM_MOD_ALT },     { NX_KEY_RIGHTALT, 0 /* the layout's */ },
    { NX_KEY_LEFTMETA, NX_WM_MOD_META },   { NX_KEY_RIGHTMETA, NX_WM_MOD_META },
};
#define MOD_KEYS (sizeof mod_keys / sizeof mod_keys[0])

static uint8_t model_mods(const struct model *m, const struct nx_keyboard *kb)
{
    uint8_t mods = m->caps ? NX_WM_MOD_CAPS : 0;
    for (size_t i = 0; i < MOD_KEYS; i++)
        if (m->held & (1u << i))
            mods |= mod_keys[i].mod ? mod_keys[i].mod
                    : nx_keymap_has_altgr(kb->map) ? NX_WM_MOD_ALTGR : NX_WM_MOD_ALT;
    return mods;
}

static void model_event(struct model *m, const struct nx_input_event *ev)
{
    for (size_t i = 0; i < MOD_KEYS; i++)
        if (ev->code == mod_keys[i].code)
            m->held = ev->value ? m->held | (1u << i) : m->held & ~(1u << i);
    if (ev->code == NX_KEY_CAPSLOCK && ev->value == 1)
        m->caps = !m->caps;
}

static bool is_key(const struct nx_input_event *ev)
{
    return ev->type == NX_INPUT_KEY && ev->code >= 1 && ev->code <= NX_KEY_MAX &&
           (ev->code < 0x100 || ev->code > 0x15f) && ev->value >= 0 && ev->value <= 2;
}

static void check_key(const struct nx_key *k, uint8_t mods)
{
    if (k->mods != mods || k->state > 2 || k->codepoint > 0x10ffff ||
        (k->codepoint >= 0xd800 && k->codepoint <= 0xdfff))
        abort();
}

static void step_event(struct nx_keyboard *kb, struct model *m, const uint8_t *a, uint64_t *now)
{
    struct nx_input_event ev;
    uint32_t delta;
    memcpy(&delta, a, 4);
    *now += delta;
    ev.time_ns = *now;
    memcpy(&ev.type, a + 4, 2);
    memcpy(&ev.code, a + 6, 2);
    memcpy(&ev.value, a + 8, 4);
    ev.type %= 8;        // mostly keys, some of everything else
    if (ev.type >= 4)
        ev.type = NX_INPUT_KEY;
    struct nx_key k;
    bool taken = nx_keyboard_event(kb, &ev, &k);
    if (taken != is_key(&ev))
        abort();
    if (!taken)
        return;
    model_event(m, &ev);
    check_key(&k, model_mods(m, kb));
    if (k.code != ev.code || k.state != ev.value || k.time_ns != ev.time_ns)
        abort();
}

static void step_repeat(struct nx_keyboard *kb, const struct model *m, const uint8_t *a,
                        uint64_t *now)
{
    uint64_t delta;
    memcpy(&delta, a, 8);
    *now += delta >> (a[8] % 64);  // small steps mostly, sometimes far in the future
    struct nx_key out[NX_KEY_REPEAT_BURST];
    unsigned n = nx_keyboard_repeat(kb, *now, out);
    if (n > NX_KEY_REPEAT_BURST)
        abort();
    for (unsigned i = 0; i < n; i++) {
        check_key(&out[i], model_mods(m, kb));
        if (out[i].state != 2 || out[i].time_ns > *now)
            abort();
    }
    uint64_t next = nx_keyboard_deadline(kb);
    if (next != NX_DEADLINE_NEVER && next <= *now)
        abort();
}

static void step_settings(struct nx_keyboard *kb, const uint8_t *a)
{
    static const char *names[] = { "us", "de", "fr", "", NULL };
    const char *name = names[a[0] % 5];
    const struct nx_keymap *before = kb->map;
    long err = nx_keyboard_set_layout(kb, name);
    if ((err == NX_OK) != (a[0] % 5 < 2) || (err != NX_OK && kb->map != before))
        abort();
    uint32_t delay, interval;
    memcpy(&delay, a + 4, 4);
    memcpy(&interval, a + 8, 4);
    nx_key_repeat_set(&kb->repeat, (uint64_t)delay << (a[1] % 8), interval);
    if (kb->repeat.interval_ns < NX_KEY_REPEAT_MIN_NS ||
        kb->repeat.interval_ns > NX_KEY_REPEAT_MAX_NS)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct nx_keyboard kb;
    struct model m = { 0 };
    uint64_t now = 0;
    nx_keyboard_init(&kb);
    for (; size >= OP_BYTES; data += OP_BYTES, size -= OP_BYTES) {
        switch (data[0] % 4) {
        case 0:
        case 1: step_event(&kb, &m, data + 1, &now); break;
        case 2: step_repeat(&kb, &m, data + 1, &now); break;
        default: step_settings(&kb, data + 1); break;
        }
    }
    return 0;
}
