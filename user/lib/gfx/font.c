// Fonts and faces over stb_truetype (nx/text.h): opening checks the table directory
// against the buffer (stb_truetype itself trusts every offset), then the metrics and the
// rasteriser the glyph cache and the layout use.
#include <math.h>
#include <string.h>
#include <nexus/errors.h>
#include <stb_truetype.h>
#include "font_int.h"

_Static_assert(sizeof(stbtt_fontinfo) <= NX_FONT_INFO_BYTES, "NX_FONT_INFO_BYTES too small");
_Static_assert(_Alignof(stbtt_fontinfo) <= 8, "nx_font.info is 8-byte aligned");

static const stbtt_fontinfo *info_of(const struct nx_font *font)
{
    return (const stbtt_fontinfo *)font->info;
}

static uint32_t be16(const uint8_t *p)
{
    return (uint32_t)p[0] << 8 | p[1];
}

static uint32_t be32(const uint8_t *p)
{
    return be16(p) << 16 | be16(p + 2);
}

// The offset table (12 bytes) and its table records (16 bytes each: tag, checksum,
// offset, length) all inside the buffer, and each table inside it too.
static bool directory_fits(const uint8_t *data, size_t size)
{
    if (size < 12)
        return false;
    size_t tables = be16(data + 4);
    if (size < 12 + 16 * tables)
        return false;
    for (size_t i = 0; i < tables; i++) {
        const uint8_t *rec = data + 12 + 16 * i;
        uint32_t off = be32(rec + 8), len = be32(rec + 12);
        if (off > size || len > size - off)
            return false;
    }
    return true;
}

long nx_font_init(struct nx_font *font, const void *data, size_t size)
{
    if (!data)
        return NX_ERR_INVALID;
    if (size > NX_FONT_MAX_BYTES)
        return NX_ERR_TOO_BIG;
    // A single font only (offset 0): a collection's directory is not the one checked.
    if (!directory_fits(data, size) || stbtt_GetFontOffsetForIndex(data, 0) != 0)
        return NX_ERR_INVALID;
    memset(font, 0, sizeof(*font));
    if (!stbtt_InitFont((stbtt_fontinfo *)font->info, data, 0))
        return NX_ERR_INVALID;
    font->data = data;
    font->size = size;
    return NX_OK;
}

long nx_face_init(struct nx_face *face, const struct nx_font *font, int32_t px, unsigned flags)
{
    if (px < 1 || px > NX_FACE_MAX_PX || (flags & ~NX_FACE_KERNING))
        return NX_ERR_INVALID;
    const stbtt_fontinfo *info = info_of(font);
    int ascent, descent, gap;
    stbtt_GetFontVMetrics(info, &ascent, &descent, &gap);
    float scale = stbtt_ScaleForMappingEmToPixels(info, (float)px);
    *face = (struct nx_face){
        .font = font,
        .scale = scale,
        .ascent = (int32_t)ceilf((float)ascent * scale),
        .descent = (int32_t)floorf((float)descent * scale),
        .kerning = flags & NX_FACE_KERNING,
    };
    face->line_height = face->ascent - face->descent + (int32_t)lroundf((float)gap * scale);
    return NX_OK;
}

uint32_t gfx_scale_bits(float scale)
{
    uint32_t bits;
    memcpy(&bits, &scale, sizeof(bits));
    return bits;
}

// Font units to 1/64 pixel, rounded.
static int32_t to_64ths(const struct nx_face *face, int units)
{
    return (int32_t)lroundf((float)units * face->scale * 64.0f);
}

void gfx_face_glyph(const struct nx_face *face, uint32_t codepoint, struct gfx_glyph_box *out)
{
    const stbtt_fontinfo *info = info_of(face->font);
    int index = stbtt_FindGlyphIndex(info, (int)codepoint), advance, bearing;
    stbtt_GetGlyphHMetrics(info, index, &advance, &bearing);
    int x0, y0, x1, y1;
    stbtt_GetGlyphBitmapBox(info, index, face->scale, face->scale, &x0, &y0, &x1, &y1);
    *out = (struct gfx_glyph_box){ (uint32_t)index, to_64ths(face, advance), x0, y0, x1, y1 };
}

int32_t gfx_face_kern(const struct nx_face *face, uint32_t left, uint32_t right)
{
    if (!face->kerning)
        return 0;
    return to_64ths(face, stbtt_GetGlyphKernAdvance(info_of(face->font), (int)left, (int)right));
}

long gfx_face_raster(const struct nx_face *face, const struct gfx_glyph_box *box, uint8_t *out,
                     uint8_t *arena, size_t arena_size)
{
    struct gfx_arena a = { .base = arena, .size = arena_size };
    stbtt_fontinfo info = *info_of(face->font);   // the font is shared; userdata is ours
    info.userdata = &a;
    if (setjmp(a.fail))
        return NX_ERR_NO_MEMORY;
    int w = box->x1 - box->x0, h = box->y1 - box->y0;
    memset(out, 0, (size_t)w * (size_t)h);   // a glyph without outlines draws nothing
    stbtt_MakeGlyphBitmapSubpixel(&info, out, w, h, w, face->scale, face->scale, 0, 0,
                                  (int)box->index);
    return NX_OK;
}
