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

// Walks the pen over the text as nx_text_draw moves it (1/64 px); stops before the first
// character whose boundary after it lies past stop64 and returns that character's offset
// in *stop_at, the pen there in the result.
static int64_t walk(const struct nx_face *face, const char *text, size_t len, int64_t stop64,
                    size_t *stop_at)
{
    int64_t pen64 = 0;
    uint32_t prev = 0;
    size_t at = 0;
    for (size_t n; at < len; at += n) {
        uint32_t cp;
        n = nx_utf8_decode(text + at, len - at, &cp);
        struct gfx_glyph_box box;
        gfx_face_glyph(face, cp, &box);
        int64_t next = pen64 + (at > 0 ? gfx_face_kern(face, prev, box.index) : 0) + box.advance;
        if (next > stop64)
            break;
        pen64 = next;
        prev = box.index;
    }
    *stop_at = at;
    return pen64;
}

int32_t nx_text_width(const struct nx_face *face, const char *text, size_t len)
{
    size_t at;
    return clamp32(round64(walk(face, text, len, INT64_MAX, &at)));
}

size_t nx_text_offset_at(const struct nx_face *face, const char *text, size_t len, int32_t x)
{
    size_t at;
    int64_t x64 = (int64_t)x * 64;
    int64_t before = walk(face, text, len, x64, &at);
    if (at == len)
        return len;
    // x lies within the character at `at`: the nearer of its two boundaries.
    uint32_t cp;
    size_t n = nx_utf8_decode(text + at, len - at, &cp);
    size_t next_at;
    int64_t after = walk(face, text, at + n, INT64_MAX, &next_at);
    return x64 - before <= after - x64 ? at : at + n;
}
