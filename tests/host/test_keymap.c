// Key maps and key repeat (nx/keymap.h): the characters of both layouts at every level,
// modifiers and CapsLock, the repeat state machine at its limits, and events out of range
// refused without a change of state.
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include <nexus/syscall.h>
#include <nx/keymap.h>
#include <nx/wm.h>

#pragma GCC diagnostic ignored "-Wunused-parameter"  // cmocka's void **state

#define MS 1000000ull
#define SHIFT NX_WM_MOD_SHIFT
#define CTRL NX_WM_MOD_CTRL
#define ALTGR NX_WM_MOD_ALTGR
#define CAPS NX_WM_MOD_CAPS

static uint32_t us(unsigned code, uint32_t mods)
{
    return nx_keymap_translate(nx_keymap_find("us"), code, mods);
}

static uint32_t de(unsigned code, uint32_t mods)
{
    return nx_keymap_translate(nx_keymap_find("de"), code, mods);
}

static struct nx_input_event key_event(uint16_t code, int32_t value, uint64_t t)
{
    return (struct nx_input_event){ .time_ns = t, .type = NX_INPUT_KEY, .code = code,
                                    .value = value };
}

// Feeds one event that must be taken; returns what came out.
static struct nx_key feed(struct nx_keyboard *kb, uint16_t code, int32_t value, uint64_t t)
{
    struct nx_input_event ev = key_event(code, value, t);
    struct nx_key k;
    assert_true(nx_keyboard_event(kb, &ev, &k));
    assert_int_equal(k.code, code);
    assert_int_equal(k.state, value);
    assert_int_equal(k.time_ns, t);
    return k;
}

static void layouts_are_found_by_name(void **state)
{
    assert_string_equal(nx_keymap_name(nx_keymap_find("us")), "us");
    assert_string_equal(nx_keymap_name(nx_keymap_find("de")), "de");
    assert_null(nx_keymap_find("fr"));
    assert_null(nx_keymap_find("US"));
    assert_null(nx_keymap_find(""));
    assert_null(nx_keymap_find("de "));
    assert_null(nx_keymap_find(NULL));

    struct nx_keyboard kb;
    nx_keyboard_init(&kb);
    assert_string_equal(nx_keymap_name(kb.map), "us");
    assert_int_equal(nx_keyboard_set_layout(&kb, "de"), NX_OK);
    assert_string_equal(nx_keymap_name(kb.map), "de");
    assert_int_equal(nx_keyboard_set_layout(&kb, "dvorak"), NX_ERR_NOT_FOUND);
    assert_int_equal(nx_keyboard_set_layout(&kb, NULL), NX_ERR_NOT_FOUND);
    assert_string_equal(nx_keymap_name(kb.map), "de");
}

static void us_characters(void **state)
{
    assert_int_equal(us(NX_KEY_A, 0), 'a');
    assert_int_equal(us(NX_KEY_A, SHIFT), 'A');
    assert_int_equal(us(NX_KEY_Z, 0), 'z');
    assert_int_equal(us(NX_KEY_Y, 0), 'y');
    assert_int_equal(us(NX_KEY_M, 0), 'm');
    assert_int_equal(us(NX_KEY_1, 0), '1');
    assert_int_equal(us(NX_KEY_2, SHIFT), '@');
    assert_int_equal(us(NX_KEY_0, SHIFT), ')');
    assert_int_equal(us(NX_KEY_MINUS, SHIFT), '_');
    assert_int_equal(us(NX_KEY_EQUAL, 0), '=');
    assert_int_equal(us(NX_KEY_LEFTBRACE, SHIFT), '{');
    assert_int_equal(us(NX_KEY_APOSTROPHE, SHIFT), '"');
    assert_int_equal(us(NX_KEY_GRAVE, SHIFT), '~');
    assert_int_equal(us(NX_KEY_BACKSLASH, SHIFT), '|');
    assert_int_equal(us(NX_KEY_SLASH, SHIFT), '?');
    assert_int_equal(us(NX_KEY_SPACE, SHIFT), ' ');
    // A level a key lacks falls back: AltGr means nothing in `us`.
    assert_int_equal(us(NX_KEY_Q, ALTGR), 'q');
    assert_int_equal(us(NX_KEY_2, ALTGR | SHIFT), '@');
}

static void control_keys_and_keys_without_characters(void **state)
{
    for (uint32_t mods = 0; mods < 64; mods++) {
        assert_int_equal(us(NX_KEY_ENTER, mods), '\r');
        assert_int_equal(de(NX_KEY_KPENTER, mods), '\r');
        assert_int_equal(us(NX_KEY_BACKSPACE, mods), 0x7f);
        assert_int_equal(de(NX_KEY_TAB, mods), '\t');
        assert_int_equal(us(NX_KEY_ESC, mods), 0x1b);
        static const unsigned none[] = {
            NX_KEY_UP, NX_KEY_DOWN, NX_KEY_LEFT, NX_KEY_RIGHT, NX_KEY_HOME, NX_KEY_END,
            NX_KEY_PAGEUP, NX_KEY_PAGEDOWN, NX_KEY_INSERT, NX_KEY_DELETE, NX_KEY_F1,
            NX_KEY_F12, NX_KEY_LEFTSHIFT, NX_KEY_RIGHTALT, NX_KEY_CAPSLOCK, NX_KEY_LEFTMETA,
            0, NX_KEYMAP_CODES, NX_KEYMAP_CODES + 1, 0x1ff, 0xffffffffu,
        };
        for (size_t i = 0; i < sizeof none / sizeof none[0]; i++) {
            assert_int_equal(us(none[i], mods), 0);
            assert_int_equal(de(none[i], mods), 0);
        }
    }
    assert_int_equal(us(NX_KEY_KP7, 0), '7');
    assert_int_equal(us(NX_KEY_KPDOT, 0), '.');
    assert_int_equal(de(NX_KEY_KPDOT, 0), ',');
    assert_int_equal(de(NX_KEY_KPSLASH, SHIFT), '/');
}

static void ctrl_gives_control_codes(void **state)
{
    assert_int_equal(us(NX_KEY_C, CTRL), 3);
    assert_int_equal(us(NX_KEY_C, CTRL | SHIFT), 3);
    assert_int_equal(us(NX_KEY_A, CTRL), 1);
    assert_int_equal(us(NX_KEY_Z, CTRL), 26);
    assert_int_equal(de(NX_KEY_Z, CTRL), 25);  // de's Y
    assert_int_equal(us(NX_KEY_LEFTBRACE, CTRL), 0x1b);
    assert_int_equal(us(NX_KEY_BACKSLASH, CTRL), 0x1c);
    assert_int_equal(us(NX_KEY_6, CTRL | SHIFT), 0x1e);  // Ctrl-^
    assert_int_equal(us(NX_KEY_MINUS, CTRL | SHIFT), 0x1f);  // Ctrl-_
    assert_int_equal(de(NX_KEY_8, CTRL | ALTGR), 0x1b);  // Ctrl-[ on de
    assert_int_equal(us(NX_KEY_1, CTRL), '1');
    assert_int_equal(us(NX_KEY_ENTER, CTRL), '\r');
    assert_int_equal(de(NX_KEY_APOSTROPHE, CTRL), 0xe4);
    assert_int_equal(us(NX_KEY_D, CTRL | NX_WM_MOD_ALT | NX_WM_MOD_META), 4);
}

static void de_characters(void **state)
{
    assert_int_equal(de(NX_KEY_Y, 0), 'z');
    assert_int_equal(de(NX_KEY_Z, 0), 'y');
    assert_int_equal(de(NX_KEY_Z, SHIFT), 'Y');
    assert_int_equal(de(NX_KEY_APOSTROPHE, 0), 0xe4);  // ä
    assert_int_equal(de(NX_KEY_APOSTROPHE, SHIFT), 0xc4);
    assert_int_equal(de(NX_KEY_SEMICOLON, 0), 0xf6);  // ö
    assert_int_equal(de(NX_KEY_LEFTBRACE, SHIFT), 0xdc);  // Ü
    assert_int_equal(de(NX_KEY_MINUS, 0), 0xdf);  // ß
    assert_int_equal(de(NX_KEY_MINUS, SHIFT), '?');
    assert_int_equal(de(NX_KEY_MINUS, ALTGR), '\\');
    assert_int_equal(de(NX_KEY_2, SHIFT), '"');
    assert_int_equal(de(NX_KEY_3, SHIFT), 0xa7);  // §
    assert_int_equal(de(NX_KEY_7, SHIFT), '/');
    assert_int_equal(de(NX_KEY_0, SHIFT), '=');
    assert_int_equal(de(NX_KEY_Q, ALTGR), '@');
    assert_int_equal(de(NX_KEY_E, ALTGR), 0x20ac);  // €
    assert_int_equal(de(NX_KEY_7, ALTGR), '{');
    assert_int_equal(de(NX_KEY_8, ALTGR), '[');
    assert_int_equal(de(NX_KEY_9, ALTGR), ']');
    assert_int_equal(de(NX_KEY_0, ALTGR), '}');
    assert_int_equal(de(NX_KEY_102ND, 0), '<');
    assert_int_equal(de(NX_KEY_102ND, SHIFT), '>');
    assert_int_equal(de(NX_KEY_102ND, ALTGR), '|');
    assert_int_equal(de(NX_KEY_RIGHTBRACE, ALTGR), '~');
    assert_int_equal(de(NX_KEY_RIGHTBRACE, SHIFT), '*');
    assert_int_equal(de(NX_KEY_BACKSLASH, 0), '#');
    assert_int_equal(de(NX_KEY_GRAVE, 0), '^');
    assert_int_equal(de(NX_KEY_SLASH, SHIFT), '_');
    assert_int_equal(de(NX_KEY_M, ALTGR), 0xb5);  // µ
    // Keys without an AltGr level keep their own character; AltGr beats Shift where it has one.
    assert_int_equal(de(NX_KEY_A, ALTGR), 'a');
    assert_int_equal(de(NX_KEY_A, ALTGR | SHIFT), 'A');
    assert_int_equal(de(NX_KEY_Q, ALTGR | SHIFT), '@');
}

static void capslock_shifts_letters_only(void **state)
{
    assert_int_equal(us(NX_KEY_A, CAPS), 'A');
    assert_int_equal(us(NX_KEY_A, CAPS | SHIFT), 'a');
    assert_int_equal(us(NX_KEY_1, CAPS), '1');
    assert_int_equal(us(NX_KEY_SEMICOLON, CAPS), ';');
    assert_int_equal(de(NX_KEY_APOSTROPHE, CAPS), 0xc4);  // Ä
    assert_int_equal(de(NX_KEY_SEMICOLON, CAPS | SHIFT), 0xf6);
    assert_int_equal(de(NX_KEY_MINUS, CAPS), 0xdf);  // ß stays
    assert_int_equal(de(NX_KEY_Q, CAPS | ALTGR), '@');
    assert_int_equal(us(NX_KEY_C, CAPS | CTRL), 3);
}

// No character of either layout is a surrogate, beyond Unicode, or a C1 control.
static void every_translation_is_a_character(void **state)
{
    const char *names[] = { "us", "de" };
    for (size_t l = 0; l < 2; l++)
        for (unsigned code = 0; code < NX_KEYMAP_CODES + 8; code++)
            for (uint32_t mods = 0; mods < 64; mods++) {
                uint32_t c = nx_keymap_translate(nx_keymap_find(names[l]), code, mods);
                assert_true(c <= 0x10ffff);
                assert_false(c >= 0xd800 && c <= 0xdfff);
                assert_false(c >= 0x80 && c < 0xa0);
            }
}

static void modifiers_are_tracked(void **state)
{
    struct nx_keyboard kb;
    nx_keyboard_init(&kb);
    assert_int_equal(feed(&kb, NX_KEY_LEFTSHIFT, 1, 1).mods, SHIFT);
    assert_int_equal(feed(&kb, NX_KEY_RIGHTSHIFT, 1, 2).mods, SHIFT);
    assert_int_equal(feed(&kb, NX_KEY_LEFTSHIFT, 0, 3).mods, SHIFT);  // right still held
    struct nx_key k = feed(&kb, NX_KEY_A, 1, 4);
    assert_int_equal(k.codepoint, 'A');
    k = feed(&kb, NX_KEY_A, 0, 5);
    assert_int_equal(k.codepoint, 0);  // a release has no character
    assert_int_equal(feed(&kb, NX_KEY_RIGHTSHIFT, 0, 6).mods, 0);
    assert_int_equal(feed(&kb, NX_KEY_A, 1, 7).codepoint, 'a');

    assert_int_equal(feed(&kb, NX_KEY_RIGHTCTRL, 1, 8).mods, CTRL);
    assert_int_equal(feed(&kb, NX_KEY_C, 1, 9).codepoint, 3);
    feed(&kb, NX_KEY_RIGHTCTRL, 0, 10);
    assert_int_equal(feed(&kb, NX_KEY_LEFTALT, 1, 11).mods, NX_WM_MOD_ALT);
    assert_int_equal(feed(&kb, NX_KEY_X, 1, 12).codepoint, 'x');
    feed(&kb, NX_KEY_LEFTALT, 0, 13);
    assert_int_equal(feed(&kb, NX_KEY_RIGHTMETA, 1, 14).mods, NX_WM_MOD_META);
    feed(&kb, NX_KEY_RIGHTMETA, 0, 15);

    // Right Alt: a second Alt in `us`, AltGr in `de`.
    assert_int_equal(feed(&kb, NX_KEY_RIGHTALT, 1, 16).mods, NX_WM_MOD_ALT);
    assert_int_equal(feed(&kb, NX_KEY_Q, 1, 17).codepoint, 'q');
    assert_int_equal(nx_keyboard_set_layout(&kb, "de"), NX_OK);
    assert_int_equal(feed(&kb, NX_KEY_Q, 1, 18).codepoint, '@');
    assert_int_equal(feed(&kb, NX_KEY_RIGHTALT, 0, 19).mods, 0);
    assert_int_equal(feed(&kb, NX_KEY_Q, 1, 20).codepoint, 'q');
}

static void capslock_toggles_on_press(void **state)
{
    struct nx_keyboard kb;
    nx_keyboard_init(&kb);
    assert_int_equal(feed(&kb, NX_KEY_CAPSLOCK, 1, 1).mods, CAPS);
    assert_int_equal(feed(&kb, NX_KEY_CAPSLOCK, 2, 2).mods, CAPS);  // a repeat: no toggle
    assert_int_equal(feed(&kb, NX_KEY_CAPSLOCK, 0, 3).mods, CAPS);
    assert_int_equal(feed(&kb, NX_KEY_B, 1, 4).codepoint, 'B');
    assert_int_equal(nx_keyboard_deadline(&kb), 4 + NX_KEY_REPEAT_DELAY_NS);
    assert_int_equal(feed(&kb, NX_KEY_CAPSLOCK, 1, 5).mods, 0);
    assert_int_equal(nx_keyboard_deadline(&kb), 4 + NX_KEY_REPEAT_DELAY_NS);  // not replaced
    assert_int_equal(feed(&kb, NX_KEY_B, 1, 6).codepoint, 'b');
}

// Events that are not keyboard keys are refused and change nothing, the repeat included.
static void bad_events_change_nothing(void **state)
{
    struct nx_keyboard kb;
    nx_keyboard_init(&kb);
    feed(&kb, NX_KEY_LEFTSHIFT, 1, 1);
    feed(&kb, NX_KEY_CAPSLOCK, 1, 2);
    feed(&kb, NX_KEY_K, 1, 3);
    struct nx_keyboard before = kb;

    const struct nx_input_event bad[] = {
        { 9, NX_INPUT_SYN, 0, 0 },
        { 9, NX_INPUT_REL, NX_KEY_A, 1 },
        { 9, NX_INPUT_ABS, NX_KEY_K, 0 },
        { 9, 4, NX_KEY_K, 0 },
        { 9, 0xffff, NX_KEY_K, 0 },
        key_event(0, 1, 9),
        key_event(NX_KEY_MAX + 1, 1, 9),
        key_event(0xffff, 0, 9),
        key_event(NX_BTN_LEFT, 1, 9),
        key_event(0x100, 0, 9),
        key_event(0x15f, 1, 9),
    };
    const int32_t bad_values[] = { -1, 3, 4, INT32_MIN, INT32_MAX };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct nx_key k = { .code = 0x5a5a };
        assert_false(nx_keyboard_event(&kb, &bad[i], &k));
        assert_int_equal(k.code, 0x5a5a);  // out untouched
        assert_memory_equal(&kb, &before, sizeof kb);
    }
    for (size_t i = 0; i < sizeof bad_values / sizeof bad_values[0]; i++) {
        struct nx_input_event ev = key_event(NX_KEY_LEFTSHIFT, bad_values[i], 9);
        struct nx_key k;
        assert_false(nx_keyboard_event(&kb, &ev, &k));
        ev.code = NX_KEY_K;
        assert_false(nx_keyboard_event(&kb, &ev, &k));
        assert_memory_equal(&kb, &before, sizeof kb);
    }
    // Keys of the keyboard without a character are taken, with none.
    struct nx_key k = feed(&kb, 0x1ff, 1, 9);
    assert_int_equal(k.codepoint, 0);
    assert_int_equal(feed(&kb, 0x160, 1, 10).codepoint, 0);  // KEY_OK: past the buttons
    assert_int_equal(feed(&kb, NX_KEY_MAX, 0, 11).codepoint, 0);
}

static void repeat_timing(void **state)
{
    struct nx_keyboard kb;
    nx_keyboard_init(&kb);
    struct nx_key out[NX_KEY_REPEAT_BURST];
    assert_true(nx_keyboard_deadline(&kb) == NX_DEADLINE_NEVER);
    assert_int_equal(nx_keyboard_repeat(&kb, UINT64_MAX - 1, out), 0);

    uint64_t t0 = 1000 * MS;
    feed(&kb, NX_KEY_J, 1, t0);
    uint64_t due = t0 + NX_KEY_REPEAT_DELAY_NS;
    assert_int_equal(nx_keyboard_deadline(&kb), due);
    assert_int_equal(nx_keyboard_repeat(&kb, due - 1, out), 0);
    assert_int_equal(nx_keyboard_repeat(&kb, due, out), 1);
    assert_int_equal(out[0].code, NX_KEY_J);
    assert_int_equal(out[0].state, 2);
    assert_int_equal(out[0].codepoint, 'j');
    assert_int_equal(out[0].time_ns, due);
    due += NX_KEY_REPEAT_INTERVAL_NS;
    assert_int_equal(nx_keyboard_deadline(&kb), due);

    // Late by the timer's slack: still one repeat, the next on the original grid.
    assert_int_equal(nx_keyboard_repeat(&kb, due + NX_KEY_REPEAT_SLACK_NS, out), 1);
    assert_int_equal(out[0].time_ns, due);
    due += NX_KEY_REPEAT_INTERVAL_NS;
    assert_int_equal(nx_keyboard_deadline(&kb), due);

    // Two intervals late: two repeats, a grid apart; Shift now held changes them.
    feed(&kb, NX_KEY_LEFTSHIFT, 1, due);
    assert_int_equal(nx_keyboard_deadline(&kb), due);  // a modifier leaves the repeat alone
    assert_int_equal(nx_keyboard_repeat(&kb, due + NX_KEY_REPEAT_INTERVAL_NS, out), 2);
    assert_int_equal(out[0].time_ns, due);
    assert_int_equal(out[1].time_ns, due + NX_KEY_REPEAT_INTERVAL_NS);
    assert_int_equal(out[1].codepoint, 'J');
    assert_int_equal(out[1].mods, SHIFT);
    feed(&kb, NX_KEY_LEFTSHIFT, 0, due);
    due += 2 * NX_KEY_REPEAT_INTERVAL_NS;

    // Far behind (a stalled caller): one burst, then the grid restarts from now.
    uint64_t now = due + 1000 * NX_KEY_REPEAT_INTERVAL_NS + 7;
    assert_int_equal(nx_keyboard_repeat(&kb, now, out), NX_KEY_REPEAT_BURST);
    assert_int_equal(nx_keyboard_deadline(&kb), now + NX_KEY_REPEAT_INTERVAL_NS);
    assert_int_equal(nx_keyboard_repeat(&kb, now, out), 0);

    // Exactly a burst due: all of it, and the grid goes on.
    due = now + NX_KEY_REPEAT_INTERVAL_NS;
    now = due + (NX_KEY_REPEAT_BURST - 1) * NX_KEY_REPEAT_INTERVAL_NS;
    assert_int_equal(nx_keyboard_repeat(&kb, now, out), NX_KEY_REPEAT_BURST);
    assert_int_equal(nx_keyboard_deadline(&kb), now + NX_KEY_REPEAT_INTERVAL_NS);
}

static void repeat_stops_and_is_replaced(void **state)
{
    struct nx_keyboard kb;
    nx_keyboard_init(&kb);
    struct nx_key out[NX_KEY_REPEAT_BURST];
    feed(&kb, NX_KEY_J, 1, 0);
    feed(&kb, NX_KEY_K, 1, 100 * MS);  // replaces J
    assert_int_equal(nx_keyboard_deadline(&kb), 100 * MS + NX_KEY_REPEAT_DELAY_NS);
    feed(&kb, NX_KEY_J, 0, 200 * MS);  // not the repeating key
    assert_int_equal(nx_keyboard_repeat(&kb, 600 * MS, out), 1);
    assert_int_equal(out[0].code, NX_KEY_K);
    // The device's own repeats pass through without touching the timer.
    assert_int_equal(feed(&kb, NX_KEY_L, 2, 610 * MS).codepoint, 'l');
    assert_int_equal(nx_keyboard_deadline(&kb), 633 * MS);
    feed(&kb, NX_KEY_K, 0, 620 * MS);
    assert_true(nx_keyboard_deadline(&kb) == NX_DEADLINE_NEVER);
    assert_int_equal(nx_keyboard_repeat(&kb, UINT64_MAX, out), 0);

    // Modifiers and locks never repeat.
    const uint16_t still[] = { NX_KEY_LEFTSHIFT, NX_KEY_RIGHTALT, NX_KEY_LEFTMETA,
                               NX_KEY_CAPSLOCK, NX_KEY_NUMLOCK, NX_KEY_SCROLLLOCK };
    for (size_t i = 0; i < sizeof still / sizeof still[0]; i++) {
        feed(&kb, still[i], 1, 700 * MS);
        assert_true(nx_keyboard_deadline(&kb) == NX_DEADLINE_NEVER);
    }
    // Keys without a character do (arrows).
    feed(&kb, NX_KEY_UP, 1, 800 * MS);
    assert_int_equal(nx_keyboard_deadline(&kb), 1300 * MS);
    nx_key_repeat_stop(&kb.repeat);
    assert_true(nx_keyboard_deadline(&kb) == NX_DEADLINE_NEVER);
}

static void repeat_settings_and_time_limits(void **state)
{
    struct nx_key_repeat r;
    nx_key_repeat_init(&r);
    assert_int_equal(nx_key_repeat_set(&r, 0, 33 * MS), NX_ERR_INVALID);
    assert_int_equal(nx_key_repeat_set(&r, 250 * MS, 0), NX_ERR_INVALID);
    assert_int_equal(nx_key_repeat_set(&r, NX_KEY_REPEAT_MIN_NS - 1, 33 * MS), NX_ERR_INVALID);
    assert_int_equal(nx_key_repeat_set(&r, 250 * MS, NX_KEY_REPEAT_MAX_NS + 1), NX_ERR_INVALID);
    assert_int_equal(r.delay_ns, NX_KEY_REPEAT_DELAY_NS);
    assert_int_equal(r.interval_ns, NX_KEY_REPEAT_INTERVAL_NS);
    assert_int_equal(nx_key_repeat_set(&r, NX_KEY_REPEAT_MIN_NS, NX_KEY_REPEAT_MAX_NS), NX_OK);
    assert_int_equal(r.delay_ns, NX_KEY_REPEAT_MIN_NS);
    assert_int_equal(r.interval_ns, NX_KEY_REPEAT_MAX_NS);

    // Times at the end of the clock saturate instead of wrapping to the past.
    uint64_t first = 0;
    nx_key_repeat_press(&r, NX_KEY_A, UINT64_MAX - 10);
    assert_true(nx_key_repeat_deadline(&r) == NX_DEADLINE_NEVER);
    assert_int_equal(nx_key_repeat_due(&r, UINT64_MAX, &first), 0);
    nx_key_repeat_press(&r, NX_KEY_A, UINT64_MAX - 2 * NX_KEY_REPEAT_MIN_NS);
    assert_int_equal(nx_key_repeat_due(&r, UINT64_MAX - 1, &first), 1);
    assert_true(nx_key_repeat_deadline(&r) == UINT64_MAX);
    nx_key_repeat_release(&r, NX_KEY_B);
    assert_int_equal(r.code, NX_KEY_A);
    nx_key_repeat_release(&r, NX_KEY_A);
    assert_int_equal(r.code, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(layouts_are_found_by_name),
        cmocka_unit_test(us_characters),
        cmocka_unit_test(control_keys_and_keys_without_characters),
        cmocka_unit_test(ctrl_gives_control_codes),
        cmocka_unit_test(de_characters),
        cmocka_unit_test(capslock_shifts_letters_only),
        cmocka_unit_test(every_translation_is_a_character),
        cmocka_unit_test(modifiers_are_tracked),
        cmocka_unit_test(capslock_toggles_on_press),
        cmocka_unit_test(bad_events_change_nothing),
        cmocka_unit_test(repeat_timing),
        cmocka_unit_test(repeat_stops_and_is_replaced),
        cmocka_unit_test(repeat_settings_and_time_limits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
