// Key maps `us` and `de` (nx/keymap.h): a character per key and level. Keys alike in both
// layouts (letters, space, the control keys, the keypad) are in one shared table; a layout
// holds only its own keys and wins over it.
#include <stddef.h>
#include <string.h>
#include <nx/keymap.h>
#include <nx/wm.h>

enum { BASE, SHIFT, ALTGR, LEVELS };

struct nx_keymap {
    const char *name;
    const uint32_t (*keys)[LEVELS];  // NX_KEYMAP_CODES entries; base 0: the shared one
    bool altgr;                      // right Alt is AltGr (else a second Alt)
};

#define LETTER(c) { (c), (c) - 0x20, 0 }
#define SAME(c)   { (c), (c), (c) }

static const uint32_t shared[NX_KEYMAP_CODES][LEVELS] = {
    [NX_KEY_ESC] = SAME(0x1b),        [NX_KEY_BACKSPACE] = SAME(0x7f),
    [NX_KEY_TAB] = SAME('\t'),        [NX_KEY_ENTER] = SAME('\r'),
    [NX_KEY_KPENTER] = SAME('\r'),    [NX_KEY_SPACE] = SAME(' '),
    [NX_KEY_Q] = LETTER('q'), [NX_KEY_W] = LETTER('w'), [NX_KEY_E] = LETTER('e'),
    [NX_KEY_R] = LETTER('r'), [NX_KEY_T] = LETTER('t'), [NX_KEY_Y] = LETTER('y'),
    [NX_KEY_U] = LETTER('u'), [NX_KEY_I] = LETTER('i'), [NX_KEY_O] = LETTER('o'),
    [NX_KEY_P] = LETTER('p'), [NX_KEY_A] = LETTER('a'), [NX_KEY_S] = LETTER('s'),
    [NX_KEY_D] = LETTER('d'), [NX_KEY_F] = LETTER('f'), [NX_KEY_G] = LETTER('g'),
    [NX_KEY_H] = LETTER('h'), [NX_KEY_J] = LETTER('j'), [NX_KEY_K] = LETTER('k'),
    [NX_KEY_L] = LETTER('l'), [NX_KEY_Z] = LETTER('z'), [NX_KEY_X] = LETTER('x'),
    [NX_KEY_C] = LETTER('c'), [NX_KEY_V] = LETTER('v'), [NX_KEY_B] = LETTER('b'),
    [NX_KEY_N] = LETTER('n'), [NX_KEY_M] = LETTER('m'),
    [NX_KEY_KP0] = SAME('0'), [NX_KEY_KP1] = SAME('1'), [NX_KEY_KP2] = SAME('2'),
    [NX_KEY_KP3] = SAME('3'), [NX_KEY_KP4] = SAME('4'), [NX_KEY_KP5] = SAME('5'),
    [NX_KEY_KP6] = SAME('6'), [NX_KEY_KP7] = SAME('7'), [NX_KEY_KP8] = SAME('8'),
    [NX_KEY_KP9] = SAME('9'), [NX_KEY_KPDOT] = SAME('.'), [NX_KEY_KPPLUS] = SAME('+'),
    [NX_KEY_KPMINUS] = SAME('-'), [NX_KEY_KPASTERISK] = SAME('*'),
    [NX_KEY_KPSLASH] = SAME('/'), [NX_KEY_KPEQUAL] = SAME('='),
};

static const uint32_t us_keys[NX_KEYMAP_CODES][LEVELS] = {
    [NX_KEY_1] = { '1', '!' }, [NX_KEY_2] = { '2', '@' }, [NX_KEY_3] = { '3', '#' },
    [NX_KEY_4] = { '4', '$' }, [NX_KEY_5] = { '5', '%' }, [NX_KEY_6] = { '6', '^' },
    [NX_KEY_7] = { '7', '&' }, [NX_KEY_8] = { '8', '*' }, [NX_KEY_9] = { '9', '(' },
    [NX_KEY_0] = { '0', ')' }, [NX_KEY_MINUS] = { '-', '_' }, [NX_KEY_EQUAL] = { '=', '+' },
    [NX_KEY_LEFTBRACE] = { '[', '{' }, [NX_KEY_RIGHTBRACE] = { ']', '}' },
    [NX_KEY_SEMICOLON] = { ';', ':' }, [NX_KEY_APOSTROPHE] = { '\'', '"' },
    [NX_KEY_GRAVE] = { '`', '~' }, [NX_KEY_BACKSLASH] = { '\\', '|' },
    [NX_KEY_COMMA] = { ',', '<' }, [NX_KEY_DOT] = { '.', '>' }, [NX_KEY_SLASH] = { '/', '?' },
    [NX_KEY_102ND] = { '<', '>' },
};

// German QWERTZ (DIN 2137 T1, as xkb's `de` without its dead keys).
static const uint32_t de_keys[NX_KEYMAP_CODES][LEVELS] = {
    [NX_KEY_1] = { '1', '!', 0xb9 },       // ¹
    [NX_KEY_2] = { '2', '"', 0xb2 },       // ²
    [NX_KEY_3] = { '3', 0xa7, 0xb3 },      // § ³
    [NX_KEY_4] = { '4', '$', 0xbc },       // ¼
    [NX_KEY_5] = { '5', '%', 0xbd },       // ½
    [NX_KEY_6] = { '6', '&', 0xac },       // ¬
    [NX_KEY_7] = { '7', '/', '{' },
    [NX_KEY_8] = { '8', '(', '[' },
    [NX_KEY_9] = { '9', ')', ']' },
    [NX_KEY_0] = { '0', '=', '}' },
    [NX_KEY_MINUS] = { 0xdf, '?', '\\' },  // ß
    [NX_KEY_EQUAL] = { 0xb4, '`' },        // ´ (a dead key in xkb)
    [NX_KEY_Q] = { 'q', 'Q', '@' },
    [NX_KEY_E] = { 'e', 'E', 0x20ac },     // €
    [NX_KEY_Y] = LETTER('z'),
    [NX_KEY_Z] = LETTER('y'),
    [NX_KEY_M] = { 'm', 'M', 0xb5 },       // µ
    [NX_KEY_LEFTBRACE] = LETTER(0xfc),     // ü
    [NX_KEY_RIGHTBRACE] = { '+', '*', '~' },
    [NX_KEY_SEMICOLON] = LETTER(0xf6),     // ö
    [NX_KEY_APOSTROPHE] = LETTER(0xe4),    // ä
    [NX_KEY_GRAVE] = { '^', 0xb0 },        // ^ (a dead key in xkb) °
    [NX_KEY_BACKSLASH] = { '#', '\'' },
    [NX_KEY_COMMA] = { ',', ';' },
    [NX_KEY_DOT] = { '.', ':' },
    [NX_KEY_SLASH] = { '-', '_' },
    [NX_KEY_102ND] = { '<', '>', '|' },
    [NX_KEY_KPDOT] = SAME(','),
};

static const struct nx_keymap layouts[] = {
    { "us", us_keys, false },  // the first is the default
    { "de", de_keys, true },
};

const struct nx_keymap *nx_keymap_find(const char *name)
{
    if (!name)
        return NULL;
    for (size_t i = 0; i < sizeof layouts / sizeof layouts[0]; i++)
        if (strcmp(layouts[i].name, name) == 0)
            return &layouts[i];
    return NULL;
}

const char *nx_keymap_name(const struct nx_keymap *map)
{
    return map->name;
}

bool nx_keymap_has_altgr(const struct nx_keymap *map)
{
    return map->altgr;
}

// CapsLock shifts the letters only (ä ö ü included; not ß, digits or punctuation).
static bool caps_applies(const uint32_t key[LEVELS])
{
    uint32_t c = key[BASE];
    bool lower = (c >= 'a' && c <= 'z') || (c >= 0xe0 && c <= 0xfe && c != 0xf7);
    return lower && key[SHIFT] == c - 0x20;
}

// Ctrl with a letter or @[\]^_ gives the control code, as on a terminal; other characters
// stay as they are.
static uint32_t control_code(uint32_t c)
{
    if ((c >= '@' && c <= '_') || (c >= 'a' && c <= 'z'))
        return c & 0x1f;
    return c;
}

uint32_t nx_keymap_translate(const struct nx_keymap *map, unsigned code, uint32_t mods)
{
    if (code >= NX_KEYMAP_CODES)
        return 0;
    const uint32_t *key = map->keys[code][BASE] ? map->keys[code] : shared[code];
    uint32_t c = 0;
    if (mods & NX_WM_MOD_ALTGR)
        c = key[ALTGR];
    if (!c) {
        bool shift = (mods & NX_WM_MOD_SHIFT) != 0;
        if ((mods & NX_WM_MOD_CAPS) && caps_applies(key))
            shift = !shift;
        c = shift && key[SHIFT] ? key[SHIFT] : key[BASE];
    }
    return mods & NX_WM_MOD_CTRL ? control_code(c) : c;
}
