#pragma once
// The font side of the library, the only one that knows stb_truetype: glyph metrics and
// rasterisation for the glyph cache and the text layout (user/lib/gfx).
#include <setjmp.h>
#include <stddef.h>
#include <stdint.h>
#include <nx/text.h>

// Bounded scratch memory for one rasterisation (stbtt.c).
struct gfx_arena {
    uint8_t *base;
    size_t size, used;
    jmp_buf fail;   // where an allocation that does not fit jumps
};

// A glyph's index, advance (1/64 px) and bitmap box relative to the pen on the baseline.
struct gfx_glyph_box {
    uint32_t index;
    int32_t advance;
    int32_t x0, y0, x1, y1;
};

// A face's scale as bits: glyphs are keyed by it (the same font at the same scale gives the
// same pixels).
uint32_t gfx_scale_bits(float scale);
void gfx_face_glyph(const struct nx_face *face, uint32_t codepoint, struct gfx_glyph_box *out);
// The kerning between two glyphs, 1/64 px (0 without NX_FACE_KERNING).
int32_t gfx_face_kern(const struct nx_face *face, uint32_t left, uint32_t right);
// Rasterises the glyph of box into out (its w x h bytes, rows w apart), with scratch memory
// from arena[0, arena_size). NX_ERR_NO_MEMORY: the arena was too small.
long gfx_face_raster(const struct nx_face *face, const struct gfx_glyph_box *box, uint8_t *out,
                     uint8_t *arena, size_t arena_size);
