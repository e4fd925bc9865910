#pragma once
// TrueType text (user/lib/gfx; docs/graphics-lib.md): UTF-8 decoding, fonts and faces (a
// font at a pixel size) rasterised by stb_truetype, a bounded glyph cache, and drawing and
// measuring a line of text. Fonts come only from the sealed boot archive: stb_truetype does
// not defend against hostile font files, and nx_font_init checks only the table directory.
//
// A cache is used by one thread at a time; the glyphs it returns stay valid until its next
// call. A font must outlive every cache holding its glyphs (or nx_glyph_cache_flush them).
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <nx/gfx.h>

#define NX_UTF8_REPLACEMENT 0xfffdu

// Decodes the code point at the start of s (len > 0 bytes) into *cp; returns the bytes it
// took (1-4). Malformed input (a stray continuation byte, an overlong form, a surrogate, a
// value above U+10FFFF, a sequence cut short) gives U+FFFD for each maximal ill-formed
// part, as the Unicode standard recommends; len == 0 gives 0.
size_t nx_utf8_decode(const char *s, size_t len, uint32_t *cp);
// Encodes cp into out; returns its length (1-4). A surrogate or a value above U+10FFFF is
// encoded as U+FFFD.
size_t nx_utf8_encode(uint32_t cp, char out[4]);

// ---- fonts and faces ----
#define NX_FONT_MAX_BYTES (16u << 20)
#define NX_FACE_MAX_PX 256
// Opaque room for stb_truetype's font information (checked at compile time in font.c).
#define NX_FONT_INFO_BYTES 192

struct nx_font {
    _Alignas(8) unsigned char info[NX_FONT_INFO_BYTES];
    const uint8_t *data;
    size_t size;
};

// Opens the TrueType font in data[0, size) (the bytes stay the caller's and must outlive
// the font). NX_ERR_INVALID: data NULL, too short for a table directory, a table reaching
// past size, or stb_truetype refusing it; NX_ERR_TOO_BIG: size above NX_FONT_MAX_BYTES.
long nx_font_init(struct nx_font *font, const void *data, size_t size);

// A font at a size: px pixels per em. Metrics in pixels, rounded outwards.
struct nx_face {
    const struct nx_font *font;
    float scale;            // pixels per font unit
    int32_t ascent;         // baseline to the top of the tallest glyphs (> 0)
    int32_t descent;        // baseline to the bottom of the lowest ones (<= 0)
    int32_t line_height;    // baseline to baseline
    bool kerning;
};
#define NX_FACE_KERNING 1u

// NX_ERR_INVALID: px outside [1, NX_FACE_MAX_PX] or flags other than NX_FACE_KERNING.
long nx_face_init(struct nx_face *face, const struct nx_font *font, int32_t px, unsigned flags);

// ---- the glyph cache ----
// A rasterised glyph: an 8-bit coverage bitmap and where it goes relative to the pen.
struct nx_glyph {
    uint32_t codepoint;
    uint32_t index;         // the glyph in the font
    int32_t advance;        // pen advance, 1/64 pixel
    int16_t x0, y0;         // the bitmap's top-left relative to the pen on the baseline
    uint16_t w, h;
    const uint8_t *bitmap;  // w x h bytes, rows w apart; NULL when w or h is 0
};

#define NX_GLYPH_CACHE_MIN_BYTES (64u << 10)
#define NX_GLYPH_CACHE_MAX_BYTES (64u << 20)
// Largest glyph bitmap width or height.
#define NX_GLYPH_MAX_DIM 1024
// The scratch memory stb_truetype rasterises a glyph in, taken from the cache's memory.
// Its rasteriser takes active edges in chunks of 32 KiB; every glyph of the DejaVu fonts up
// to U+2200 at NX_FACE_MAX_PX needs less than 39 KiB in all.
#define NX_GLYPH_ARENA_BYTES (48u << 10)

struct glyph_slot;
struct nx_glyph_cache {
    struct glyph_slot *slots;
    int32_t *buckets;
    uint64_t *used_map;      // one bit per pool granule
    uint8_t *arena, *pool;
    uint32_t nslots, nbuckets, ngranules;
    int32_t free_slot;       // head of the list of unused slots, -1 when none
    uint32_t hand;           // clock hand over slots
    struct nx_glyph_cache_stats {
        uint64_t hits, misses, evictions;
    } stats;
};

// Lays a cache out in mem[0, size) (the caller's; 8-byte aligned): its slots, index,
// rasteriser arena and bitmap pool. NX_ERR_INVALID: mem NULL or misaligned, size below
// NX_GLYPH_CACHE_MIN_BYTES; NX_ERR_TOO_BIG: size above NX_GLYPH_CACHE_MAX_BYTES.
long nx_glyph_cache_init(struct nx_glyph_cache *c, void *mem, size_t size);

// ---- from files (user/lib/gfx/font_file.c: libnx's file calls, so not on the host) ----

// The font file at path mapped and read (nx_font_init): NX_OK, NX_ERR_NOT_FOUND (no such
// file) or the mapping's or the font's error. The mapping lives while the file stays open:
// it is never closed, as a program keeps its fonts for good.
long nx_font_map(const char *path, struct nx_font *font);
// A glyph cache of size bytes from the heap: NX_OK or NX_ERR_NO_MEMORY (or the init's error).
long nx_glyph_cache_alloc(struct nx_glyph_cache *c, size_t size);
// Forgets every glyph.
void nx_glyph_cache_flush(struct nx_glyph_cache *c);
// The glyph of codepoint in face: from the cache, or rasterised into it (evicting the
// glyphs least recently used, by a clock). NX_ERR_TOO_BIG: its bitmap is wider or taller
// than NX_GLYPH_MAX_DIM or larger than the cache's pool; NX_ERR_NO_MEMORY: the arena ran
// out while rasterising. The glyph stays valid until the next call on the cache.
long nx_glyph_get(struct nx_glyph_cache *c, const struct nx_face *face, uint32_t codepoint,
                  const struct nx_glyph **out);
// Blends a glyph in the premultiplied color with its pen at (x, baseline).
void nx_glyph_draw(struct nx_gfx_surface *dst, const struct nx_glyph *g, int32_t x,
                   int32_t baseline, uint32_t color);

// ---- lines of text ----
// Draws the UTF-8 text (one line: control characters are drawn as the font maps them) with
// its pen starting at (x, baseline), clipped to dst; *end_x (if not NULL) gets the pen's
// final x. Stops at the first glyph nx_glyph_get refuses and returns its error.
long nx_text_draw(struct nx_gfx_surface *dst, struct nx_glyph_cache *c, const struct nx_face *face,
                  int32_t x, int32_t baseline, const char *text, size_t len, uint32_t color,
                  int32_t *end_x);
// The advance of the text in pixels, as nx_text_draw would move the pen (no rasterising).
int32_t nx_text_width(const struct nx_face *face, const char *text, size_t len);
// The byte offset of the character boundary of text nearest to x pixels from the pen's
// start (0 left of the text, len right of it): where a click puts a cursor.
size_t nx_text_offset_at(const struct nx_face *face, const char *text, size_t len, int32_t x);
