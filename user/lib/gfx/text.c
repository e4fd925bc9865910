// Lines of text (nx/text.h): UTF-8 decoded, each glyph placed at the pen rounded to a
// whole pixel, the pen kept in 1/64 pixel so rounding never accumulates. Drawing and
// measuring advance the pen by the same numbers (gfx_face_glyph), so a measured width is
// where drawing ends.
#include <nexus/errors.h>
#include <nx/glyph_atlas.h>
#include "font_int.h"
#include "gfx_int.h"

// 1/64 pixel to whole pixels, rounded.
static int64_t round64(int64_t pen64)
{
    return (pen64 + 32) >> 6;
}

static int32_t clamp32(int64_t v)
{
    return v < INT32_MIN ? INT32_MIN : v > INT32_MAX ? INT32_MAX : (int32_t)v;
}

static void draw_at(struct nx_gfx_surface *dst, const struct nx_glyph *g, int64_t x,
                    int64_t baseline, uint32_t color)
{
    if (!g->bitmap)
        return;
    struct nx_gfx_mask mask = { g->bitmap, g->w, g->h, g->w };
    gfx_mask_blend(dst, x + g->x0, baseline + g->y0, &mask, color);
}

void nx_glyph_draw(struct nx_gfx_surface *dst, const struct nx_glyph *g, int32_t x,
                   int32_t baseline, uint32_t color)
{
    draw_at(dst, g, x, baseline, color);
}

long nx_text_draw(struct nx_gfx_surface *dst, struct nx_glyph_cache *c, const struct nx_face *face,
                  int32_t x, int32_t baseline, const char *text, size_t len, uint32_t color,
                  int32_t *end_x)
{
    struct nx_glyph_source src = { .cache = c };
    return nx_text_draw_from(dst, &src, face, x, baseline, text, len, color, end_x);
}

long nx_text_draw_from(struct nx_gfx_surface *dst, const struct nx_glyph_source *src,
                       const struct nx_face *face, int32_t x, int32_t baseline, const char *text,
                       size_t len, uint32_t color, int32_t *end_x)
{
    int64_t pen64 = 0;
    uint32_t prev = 0;
    long err = NX_OK;
    for (size_t at = 0, n; at < len; at += n) {
        uint32_t cp;
        n = nx_utf8_decode(text + at, len - at, &cp);
        const struct nx_glyph *g;
        err = nx_glyph_source_get(src, face, cp, &g);
        if (err != NX_OK)
            break;
        if (at > 0)
            pen64 += gfx_face_kern(face, prev, g->index);
        draw_at(dst, g, (int64_t)x + round64(pen64), baseline, color);
        pen64 += g->advance;
        prev = g->index;
    }
    if (end_x)
        *end_x = clamp32((int64_t)x + round64(pen64));
    return err;
}

int32_t nx_text_width(const struct nx_face *face, const char *text, size_t len)
{
    int64_t pen64 = 0;
    uint32_t prev = 0;
    for (size_t at = 0, n; at < len; at += n) {
        uint32_t cp;
        n = nx_utf8_decode(text + at, len - at, &cp);
        struct gfx_glyph_box box;
        gfx_face_glyph(face, cp, &box);
        if (at > 0)
            pen64 += gfx_face_kern(face, prev, box.index);
        pen64 += box.advance;
        prev = box.index;
    }
    return clamp32(round64(pen64));
}
