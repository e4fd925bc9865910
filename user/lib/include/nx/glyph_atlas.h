#pragma once
// The shared glyph atlas (user/lib/gfx/glyph_atlas.c; docs/graphics-lib.md "Shared glyph
// atlas"): the common glyphs of the interface's faces rasterised once, by a producer (the
// compositor), into one block of memory it then puts in a sealed VMO and hands out
// read-only (NX_WM_GLYPH_ATLAS). A consumer maps the block and attaches it: attaching
// checks every byte it will ever rely on, so a malformed block is refused with an error and
// a lookup never reads outside the block. Glyphs the atlas lacks come from the consumer's own
// glyph cache (struct nx_glyph_source).
//
// The block is position-independent (offsets, no pointers), native-endian, and laid out as:
// header (32 bytes) | faces (32 bytes each) | glyphs (24 bytes each, each face's sorted by
// code point) | coverage bitmaps. Pure: no allocation, no system call.
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <nx/gfx.h>
#include <nx/text.h>

#define NX_GLYPH_ATLAS_MAGIC 0x4154474eu   // "NGTA" in memory
#define NX_GLYPH_ATLAS_VERSION 1u
#define NX_GLYPH_ATLAS_MAX_FACES 8
#define NX_GLYPH_ATLAS_MAX_GLYPHS 16384      // over all faces
#define NX_GLYPH_ATLAS_MAX_BYTES (16u << 20)

// Fonts the producer and its consumers both name (each loads the font from the sealed boot
// archive); an atlas face is a font at a size.
#define NX_FONT_ID_SANS 1u          // DejaVuSans.ttf
#define NX_FONT_ID_SANS_MONO 2u     // DejaVuSansMono.ttf

// A face the producer puts in the atlas.
struct nx_glyph_atlas_face_spec {
    uint32_t font_id;
    int32_t px;                     // the size face was made with (nx_face_init)
    const struct nx_face *face;
};

// The interface's common code points, ascending: printable ASCII, the Latin-1 supplement
// and a few symbols (€ • … – — quotes, arrows, ▲ ▼ ✓, U+FFFD). *n gets their number.
const uint32_t *nx_glyph_atlas_ui_codepoints(size_t *n);

// The memory nx_glyph_atlas_build needs for the code points cps[0, ncps) (strictly
// ascending) in each face: the atlas itself plus the scratch the rasteriser works in after
// it. NX_ERR_INVALID: nfaces 0, a NULL face, px outside [1, NX_FACE_MAX_PX], two specs with
// the same font_id and px, cps not strictly ascending or above U+10FFFF; NX_ERR_TOO_BIG:
// more than NX_GLYPH_ATLAS_MAX_FACES faces or NX_GLYPH_ATLAS_MAX_GLYPHS glyphs, a glyph wider
// or taller than NX_GLYPH_MAX_DIM, or an atlas over NX_GLYPH_ATLAS_MAX_BYTES.
long nx_glyph_atlas_size(const struct nx_glyph_atlas_face_spec *faces, size_t nfaces,
                         const uint32_t *cps, size_t ncps, size_t *size);
// Rasterises the glyphs into mem[0, size) (8-byte aligned, at least what nx_glyph_atlas_size
// says); *used gets the atlas's bytes, the part of mem to share (the rest was scratch).
// Errors: those of nx_glyph_atlas_size; NX_ERR_INVALID for mem NULL or misaligned,
// NX_ERR_NO_SPACE for size too small, NX_ERR_NO_MEMORY if the rasteriser's scratch ran out.
long nx_glyph_atlas_build(void *mem, size_t size, const struct nx_glyph_atlas_face_spec *faces,
                          size_t nfaces, const uint32_t *cps, size_t ncps, size_t *used);

// ---- the block's format ----
struct nx_glyph_atlas_header {
    uint32_t magic, version;
    uint32_t total;                 // the atlas's bytes: header to the end of the bitmaps, 8-aligned
    uint32_t nfaces, nglyphs;
    uint32_t bitmap_bytes;
    uint32_t reserved[2];           // zero
};

struct nx_glyph_atlas_face_rec {
    uint32_t font_id;
    int32_t px;
    uint32_t scale_bits;            // nx_face.scale's bits: the consumer's face must match
    int32_t ascent, descent, line_height;
    uint32_t first, count;          // its glyphs: [first, first + count) of the glyph array
};

struct nx_glyph_atlas_glyph_rec {
    uint32_t codepoint, index;      // as struct nx_glyph
    int32_t advance;
    int16_t x0, y0;
    uint16_t w, h;
    uint32_t bitmap;                // offset in the bitmap bytes; 0 when w or h is 0
};

// ---- the consumer's side ----
struct nx_glyph_atlas {
    const uint8_t *base;
    const struct nx_glyph_atlas_face_rec *faces;
    const struct nx_glyph_atlas_glyph_rec *glyphs;
    const uint8_t *bitmaps;
    uint32_t nfaces, nglyphs, bitmap_bytes;
    struct nx_glyph found;          // what nx_glyph_atlas_find returned last
};

// Attaches the atlas in mem[0, size) (the mapping; size may exceed the atlas, e.g. a whole
// number of pages) after checking it: mem 8-byte aligned; the magic, the version, reserved
// fields zero; the face and glyph counts within their limits and the atlas's length equal to
// what they and the bitmap bytes make, and within size; each face's font_id and px unique,
// px and metrics sane, its glyphs a run following the previous face's; each glyph's code
// point above the one before it in its face and at most U+10FFFF, its font glyph index
// 16-bit, its bitmap at most NX_GLYPH_MAX_DIM a side and inside the bitmap bytes.
// NX_ERR_INVALID for anything else, an atlas claiming over NX_GLYPH_ATLAS_MAX_BYTES too.
// The atlas reads mem from then on: keep it mapped (and sealed) while attached.
long nx_glyph_atlas_attach(struct nx_glyph_atlas *atlas, const void *mem, size_t size);
// The atlas face with font_id at face's size: its number, or NX_ERR_NOT_FOUND (no such face,
// or one rasterised at another scale: its glyphs would not be face's).
long nx_glyph_atlas_face(const struct nx_glyph_atlas *atlas, uint32_t font_id,
                         const struct nx_face *face);
// The glyph of codepoint in atlas face face_id (binary search), or NULL. Valid until the
// next call on the atlas.
const struct nx_glyph *nx_glyph_atlas_find(struct nx_glyph_atlas *atlas, uint32_t face_id,
                                           uint32_t codepoint);

// Where text finds its glyphs: the atlas first (face atlas_face of it), then the cache.
struct nx_glyph_source {
    struct nx_glyph_atlas *atlas;   // NULL: the cache only
    uint32_t atlas_face;
    struct nx_glyph_cache *cache;   // NULL: the atlas only (a miss is NX_ERR_NOT_FOUND)
};

// The glyph of codepoint in face: from the atlas, else from the cache (nx_glyph_get).
long nx_glyph_source_get(const struct nx_glyph_source *src, const struct nx_face *face,
                         uint32_t codepoint, const struct nx_glyph **out);
// nx_text_draw taking its glyphs from src.
long nx_text_draw_from(struct nx_gfx_surface *dst, const struct nx_glyph_source *src,
                       const struct nx_face *face, int32_t x, int32_t baseline, const char *text,
                       size_t len, uint32_t color, int32_t *end_x);
