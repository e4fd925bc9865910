#pragma once
// The text scene of the golden images (tests/host/test_gfx_golden.c), drawn the same way by
// the QEMU test of the library on the target (tests/qemu/progs/gfx.c): two lines with
// "äöü €", dark on light, then translucent amber over a dark band. Header-only: the QEMU
// test programs are one file each.
#include <nx/gfx.h>
#include <nx/glyph_atlas.h>
#include <nx/text.h>

static const char gfx_scene_line[] =
    "Hello, w\xc3\xb6rld! \xc3\xa4\xc3\xb6\xc3\xbc \xe2\x82\xac AVTo 0Oo1lI";

// The scene with glyphs from src (a shared atlas, a cache, or both). NX_OK, or the first
// error of nx_text_draw_from.
static inline long gfx_scene_text_from(struct nx_gfx_surface *s, const struct nx_glyph_source *src,
                                       const struct nx_face *face)
{
    nx_gfx_fill(s, nx_gfx_surface_rect(s), nx_gfx_rgb(250, 250, 245));
    int32_t baseline = 2 + face->ascent;
    long err = nx_text_draw_from(s, src, face, 3, baseline, gfx_scene_line,
                                 sizeof(gfx_scene_line) - 1, nx_gfx_rgb(20, 20, 30), NULL);
    if (err != NX_OK)
        return err;
    baseline += face->line_height;
    nx_gfx_fill(s, (struct nx_gfx_rect){ 0, baseline - face->ascent, s->width / 2, face->line_height },
                nx_gfx_rgb(0, 43, 54));
    return nx_text_draw_from(s, src, face, 3, baseline, gfx_scene_line, sizeof(gfx_scene_line) - 1,
                             nx_gfx_argb(200, 255, 180, 0), NULL);
}

// The scene with glyphs from the cache.
static inline long gfx_scene_text(struct nx_gfx_surface *s, struct nx_glyph_cache *cache,
                                  const struct nx_face *face)
{
    struct nx_glyph_source src = { .cache = cache };
    return gfx_scene_text_from(s, &src, face);
}
