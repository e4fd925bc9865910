// libFuzzer target for text (user/lib/gfx): any bytes as UTF-8, decoded, measured and drawn
// in DejaVu Sans or Sans Mono at 4-43 px through the smallest glyph cache into a small
// surface anywhere around it. The decoder takes 1-4 bytes and gives a Unicode scalar value,
// U+FFFD or the code point those bytes encode; drawing ends where measuring says; and the
// second drawing of the text (glyphs from the cache, or rasterised again after eviction)
// gives the same pixels as the first. The first four bytes choose size, font, kerning and
// place; the text is the rest (at most MAX_TEXT bytes).
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <nexus/errors.h>
#include <nx/text.h>
#include "support/gfx_files.h"

#define W 64
#define H 24
#define MAX_TEXT 256

static struct nx_font fonts[2];
static struct nx_glyph_cache cache;
static uint32_t *pixels, *first;
static struct nx_gfx_surface surface;

static void setup(void)
{
    static const char *paths[2] = { DEJAVU_SANS, DEJAVU_MONO };
    for (int i = 0; i < 2; i++) {
        size_t size;
        uint8_t *data = gfx_read_file(paths[i], &size);   // kept for the whole run
        if (!data || nx_font_init(&fonts[i], data, size) != NX_OK)
            abort();
    }
    if (nx_glyph_cache_init(&cache, aligned_alloc(8, NX_GLYPH_CACHE_MIN_BYTES),
                            NX_GLYPH_CACHE_MIN_BYTES) != NX_OK)
        abort();
    pixels = malloc(W * H * 4);
    first = malloc(W * H * 4);
    if (nx_gfx_surface_init(&surface, pixels, W * H * 4, W, H, W * 4) != NX_OK)
        abort();
}

static void check_decoding(const char *s, size_t len)
{
    for (size_t at = 0, n; at < len; at += n) {
        uint32_t cp;
        n = nx_utf8_decode(s + at, len - at, &cp);
        if (n < 1 || n > 4 || n > len - at || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
            abort();
        if (cp == NX_UTF8_REPLACEMENT)
            continue;
        size_t want = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
        uint8_t lead = (uint8_t)s[at];
        if (n != want || (n == 1 && lead != cp) || (n > 1 && lead >> (7 - n) != (1u << (n + 1)) - 2))
            abort();
    }
}

// Draws the text on a cleared surface; its end pen x.
static int32_t draw(const struct nx_face *face, int32_t x, int32_t y, const char *s, size_t len)
{
    nx_gfx_fill(&surface, nx_gfx_surface_rect(&surface), nx_gfx_rgb(255, 255, 255));
    int32_t end = 0;
    if (nx_text_draw(&surface, &cache, face, x, y, s, len, nx_gfx_argb(220, 0, 0, 90), &end) != NX_OK)
        abort();   // every DejaVu glyph at these sizes fits the smallest cache
    return end;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!pixels)
        setup();
    if (size < 4)
        return 0;
    const char *text = (const char *)data + 4;
    size_t len = size - 4 > MAX_TEXT ? MAX_TEXT : size - 4;
    check_decoding(text, len);
    struct nx_face face;
    if (nx_face_init(&face, &fonts[data[1] >> 1 & 1], 4 + data[0] % 40,
                     data[1] & 1 ? NX_FACE_KERNING : 0) != NX_OK)
        abort();
    int32_t x = (int8_t)data[2], y = (int8_t)data[3];
    nx_glyph_cache_flush(&cache);
    int32_t end = draw(&face, x, y, text, len);
    if (end != x + nx_text_width(&face, text, len))
        abort();
    memcpy(first, pixels, W * H * 4);
    if (draw(&face, x, y, text, len) != end || memcmp(first, pixels, W * H * 4) != 0)
        abort();
    return 0;
}
