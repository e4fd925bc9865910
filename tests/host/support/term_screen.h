#pragma once
// The Terminal's screen on the host, drawn by the Terminal's own emulator and renderer
// (user/apps/terminal/vt*.c, render.c) in DejaVu Sans Mono 16 px, as the Terminal draws it:
// the golden-image tests (test_gfx_golden) and the QEMU cases' expected screens
// (tests/host/termshot.c) both use it.
#include <stdbool.h>
#include <stdint.h>
#include <nx/text.h>
#include "../../user/apps/terminal/render.h"
#include "../../user/apps/terminal/vt.h"

struct term_screen {
    uint8_t *font_data;
    struct nx_font font;
    struct nx_face face;
    void *cache_mem;
    struct nx_glyph_cache cache;
    struct term_render r;
    struct vt vt;
};

// An emulator of cols x rows cells with a line feed returning the carriage (the Terminal
// sets LNM) and a renderer in the palette; false (nothing held) if the font or memory is
// missing.
bool term_screen_open(struct term_screen *t, const struct term_palette *pal, int cols, int rows);
void term_screen_close(struct term_screen *t);
