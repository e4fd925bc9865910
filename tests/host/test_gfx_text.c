// Host unit tests for the graphics library's text (user/lib/gfx): UTF-8 decoding (every
// code point round trip, the Unicode standard's ill-formed cases), font and face
// validation, the glyph cache's bounds, hits and clock eviction (every hit checked against
// a fresh rasterisation), the rasteriser's arena running out, and text measured and drawn
// at the edges of a surface. Fonts: DejaVu from Debian's fonts-dejavu-core.
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include <nexus/errors.h>
#include <nx/text.h>
#include "support/gfx_files.h"

// ---- UTF-8 ----
static size_t encode(uint32_t cp, char *out)
{
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xc0 | cp >> 6);
        out[1] = (char)(0x80 | (cp & 0x3f));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xe0 | cp >> 12);
        out[1] = (char)(0x80 | (cp >> 6 & 0x3f));
        out[2] = (char)(0x80 | (cp & 0x3f));
        return 3;
    }
    out[0] = (char)(0xf0 | cp >> 18);
    out[1] = (char)(0x80 | (cp >> 12 & 0x3f));
    out[2] = (char)(0x80 | (cp >> 6 & 0x3f));
    out[3] = (char)(0x80 | (cp & 0x3f));
    return 4;
}

static void test_utf8_every_code_point(void **state)
{
    (void)state;
    // What is not a scalar value is encoded as U+FFFD.
    uint32_t bad[] = { 0xd800, 0xdfff, 0x110000, 0xffffffffu };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        char out[4];
        assert_int_equal(nx_utf8_encode(bad[i], out), 3);
        assert_memory_equal(out, "\xef\xbf\xbd", 3);
    }
    for (uint32_t cp = 0; cp <= 0x10ffff; cp++) {
        if (cp >= 0xd800 && cp <= 0xdfff)
            continue;
        char buf[4], lib[4];
        size_t n = encode(cp, buf);
        assert_int_equal(nx_utf8_encode(cp, lib), n);   // the library's encoder agrees
        assert_memory_equal(lib, buf, n);
        uint32_t got = 0;
        assert_int_equal(nx_utf8_decode(buf, n, &got), n);
        assert_int_equal(got, cp);
        // Every shorter prefix is a sequence cut short: all of it one U+FFFD.
        for (size_t cut = 1; cut < n; cut++) {
            assert_int_equal(nx_utf8_decode(buf, cut, &got), cut);
            assert_int_equal(got, NX_UTF8_REPLACEMENT);
        }
    }
}

// Decodes s whole into the code points it gives.
static size_t decode_all(const char *s, size_t len, uint32_t *out)
{
    size_t n = 0;
    for (size_t at = 0, k; at < len; at += k)
        k = nx_utf8_decode(s + at, len - at, &out[n++]);
    return n;
}

#define FFFD NX_UTF8_REPLACEMENT

static void expect_decoding(const char *s, size_t len, const uint32_t *want, size_t nwant)
{
    uint32_t got[64];
    size_t n = decode_all(s, len, got);
    assert_int_equal(n, nwant);
    assert_memory_equal(got, want, n * sizeof(uint32_t));
}

// Ill-formed input: one U+FFFD per maximal ill-formed part (the Unicode standard, 3.9).
static void test_utf8_malformed(void **state)
{
    (void)state;
    uint32_t cp = 1;
    assert_int_equal(nx_utf8_decode("", 0, &cp), 0);
    // The standard's own example (table 3-8).
    static const char ex[] = "\x61\xf1\x80\x80\xe1\x80\xc2\x62\x80\x63\x80\xbf\x64";
    static const uint32_t ex_want[] = { 'a', FFFD, FFFD, FFFD, 'b', FFFD, 'c', FFFD, FFFD, 'd' };
    expect_decoding(ex, sizeof(ex) - 1, ex_want, 10);
    struct { const char *s; size_t len, took; } one[] = {
        { "\x80", 1, 1 },              // a stray continuation byte
        { "\xbf\x41", 2, 1 },
        { "\xc0\x80", 2, 1 },          // overlong NUL: C0 is never a lead
        { "\xc1\xbf", 2, 1 },
        { "\xe0\x80\x80", 3, 1 },      // overlong three-byte form
        { "\xe0\x9f\xbf", 3, 1 },
        { "\xed\xa0\x80", 3, 1 },      // a surrogate (U+D800)
        { "\xed\xbf\xbf", 3, 1 },
        { "\xf0\x80\x80\x80", 4, 1 },  // overlong four-byte form
        { "\xf0\x8f\xbf\xbf", 4, 1 },
        { "\xf4\x90\x80\x80", 4, 1 },  // above U+10FFFF
        { "\xf5\x80\x80\x80", 4, 1 },  // leads that never start anything
        { "\xfe", 1, 1 },
        { "\xff", 1, 1 },
        { "\xe2\x82\x41", 3, 2 },      // cut short by an ASCII byte
        { "\xf0\x9f\x98\x41", 4, 3 },
        { "\xe2\x82", 2, 2 },          // cut short by the end
        { "\xf0\x9f\x98", 3, 3 },
        { "\xc3\xc3\xa4", 3, 1 },      // a lead after a lead
    };
    for (size_t i = 0; i < sizeof(one) / sizeof(one[0]); i++) {
        cp = 0;
        if (nx_utf8_decode(one[i].s, one[i].len, &cp) != one[i].took || cp != FFFD)
            fail_msg("case %zu: took or gave the wrong thing (U+%04x)", i, cp);
    }
    // The limits of each form decode.
    static const char edges[] = "\xc2\x80\xdf\xbf\xe0\xa0\x80\xef\xbf\xbf\xf0\x90\x80\x80\xf4\x8f\xbf\xbf"
                                "\xed\x9f\xbf\xee\x80\x80";
    static const uint32_t edges_want[] = { 0x80, 0x7ff, 0x800, 0xffff, 0x10000, 0x10ffff, 0xd7ff, 0xe000 };
    expect_decoding(edges, sizeof(edges) - 1, edges_want, 8);
    static const char text[] = "\xc3\xa4\xc3\xb6\xc3\xbc \xe2\x82\xac";   // "äöü €"
    static const uint32_t text_want[] = { 0xe4, 0xf6, 0xfc, ' ', 0x20ac };
    expect_decoding(text, sizeof(text) - 1, text_want, 5);
}

// Random bytes: every code point given is well formed, and one that is not U+FFFD is the
// encoding of exactly the bytes taken.
static void test_utf8_random(void **state)
{
    (void)state;
    srand(7);
    for (int round = 0; round < 200000; round++) {
        char buf[4];
        size_t len = (size_t)(rand() % 4) + 1;
        for (size_t i = 0; i < len; i++)
            buf[i] = (char)(rand() % 3 ? 0x80 + rand() % 0x80 : rand() % 256);
        uint32_t cp;
        size_t took = nx_utf8_decode(buf, len, &cp);
        assert_true(took >= 1 && took <= len);
        assert_true(cp <= 0x10ffff && !(cp >= 0xd800 && cp <= 0xdfff));
        if (cp != FFFD) {
            char again[4];
            assert_int_equal(encode(cp, again), took);
            assert_memory_equal(again, buf, took);
        }
    }
}

// ---- fonts ----
struct fonts {
    uint8_t *sans_data, *mono_data;
    size_t sans_size, mono_size;
    struct nx_font sans, mono;
};

static int fonts_setup(void **state)
{
    struct fonts *f = calloc(1, sizeof(*f));
    f->sans_data = gfx_read_file(DEJAVU_SANS, &f->sans_size);
    f->mono_data = gfx_read_file(DEJAVU_MONO, &f->mono_size);
    if (!f->sans_data || !f->mono_data)
        return -1;   // fonts-dejavu-core missing: tools/setup-deps installs it
    if (nx_font_init(&f->sans, f->sans_data, f->sans_size) != NX_OK ||
        nx_font_init(&f->mono, f->mono_data, f->mono_size) != NX_OK)
        return -1;
    *state = f;
    return 0;
}

static int fonts_teardown(void **state)
{
    struct fonts *f = *state;
    free(f->sans_data);
    free(f->mono_data);
    free(f);
    return 0;
}

static uint32_t get_be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void put_be32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (24 - 8 * i));
}

// The table directory record of tag in a font, or NULL.
static uint8_t *table_record(uint8_t *font, const char *tag)
{
    size_t tables = (size_t)font[4] << 8 | font[5];
    for (size_t i = 0; i < tables; i++)
        if (memcmp(font + 12 + 16 * i, tag, 4) == 0)
            return font + 12 + 16 * i;
    return NULL;
}

static void test_font_init_checks(void **state)
{
    struct fonts *f = *state;
    struct nx_font font;
    assert_int_equal(nx_font_init(&font, NULL, 100), NX_ERR_INVALID);
    assert_int_equal(nx_font_init(&font, f->sans_data, 0), NX_ERR_INVALID);
    assert_int_equal(nx_font_init(&font, f->sans_data, 11), NX_ERR_INVALID);
    assert_int_equal(nx_font_init(&font, f->sans_data, NX_FONT_MAX_BYTES + 1), NX_ERR_TOO_BIG);
    // Cut short: the last tables reach past the end.
    assert_int_equal(nx_font_init(&font, f->sans_data, f->sans_size / 2), NX_ERR_INVALID);
    // Not a font at all.
    uint8_t junk[256];
    memset(junk, 0x41, sizeof(junk));
    assert_int_equal(nx_font_init(&font, junk, sizeof(junk)), NX_ERR_INVALID);
    // One table's length reaching one byte past the end of the buffer.
    uint8_t *copy = malloc(f->sans_size);
    memcpy(copy, f->sans_data, f->sans_size);
    uint8_t *glyf = table_record(copy, "glyf");
    assert_non_null(glyf);
    put_be32(glyf + 12, (uint32_t)f->sans_size - get_be32(glyf + 8) + 1);
    assert_int_equal(nx_font_init(&font, copy, f->sans_size), NX_ERR_INVALID);
    put_be32(glyf + 12, (uint32_t)f->sans_size - get_be32(glyf + 8));
    assert_int_equal(nx_font_init(&font, copy, f->sans_size), NX_OK);
    free(copy);
}

static void test_face_init(void **state)
{
    struct fonts *f = *state;
    struct nx_face face;
    assert_int_equal(nx_face_init(&face, &f->sans, 0, 0), NX_ERR_INVALID);
    assert_int_equal(nx_face_init(&face, &f->sans, NX_FACE_MAX_PX + 1, 0), NX_ERR_INVALID);
    assert_int_equal(nx_face_init(&face, &f->sans, 16, 2), NX_ERR_INVALID);
    assert_int_equal(nx_face_init(&face, &f->sans, NX_FACE_MAX_PX, NX_FACE_KERNING), NX_OK);
    assert_int_equal(nx_face_init(&face, &f->mono, 16, 0), NX_OK);
    // DejaVu: ascent 0.928 em, descent 0.236 em (hhea), no line gap.
    assert_int_equal(face.ascent, 15);
    assert_int_equal(face.descent, -4);
    assert_int_equal(face.line_height, 19);
    // Monospaced: every character advances the same (1233/2048 em).
    assert_int_equal(nx_text_width(&face, "iiii", 4), nx_text_width(&face, "MMMM", 4));
    assert_int_equal(nx_text_width(&face, "\xc3\xa4\xe2\x82\xac", 5), nx_text_width(&face, "ab", 2));
}

// ---- the glyph cache ----
struct cache_mem {
    void *mem;
    struct nx_glyph_cache c;
};

// A cache in exactly size bytes of heap (ASan catches any access past them).
static void cache_new(struct cache_mem *cm, size_t size)
{
    cm->mem = aligned_alloc(8, size);
    assert_int_equal(nx_glyph_cache_init(&cm->c, cm->mem, size), NX_OK);
}

static void test_cache_init_limits(void **state)
{
    (void)state;
    struct nx_glyph_cache c;
    static uint64_t mem[NX_GLYPH_CACHE_MIN_BYTES / 8 + 1];
    assert_int_equal(nx_glyph_cache_init(&c, NULL, sizeof(mem)), NX_ERR_INVALID);
    assert_int_equal(nx_glyph_cache_init(&c, (char *)mem + 4, NX_GLYPH_CACHE_MIN_BYTES), NX_ERR_INVALID);
    assert_int_equal(nx_glyph_cache_init(&c, mem, NX_GLYPH_CACHE_MIN_BYTES - 1), NX_ERR_INVALID);
    assert_int_equal(nx_glyph_cache_init(&c, mem, NX_GLYPH_CACHE_MAX_BYTES + 1), NX_ERR_TOO_BIG);
    assert_int_equal(nx_glyph_cache_init(&c, mem, NX_GLYPH_CACHE_MIN_BYTES), NX_OK);
    // Everything it lays out lies inside the memory given.
    uint8_t *lo = (uint8_t *)mem, *hi = lo + NX_GLYPH_CACHE_MIN_BYTES;
    assert_true((uint8_t *)c.slots >= lo);
    assert_true(c.pool + (size_t)c.ngranules * 64 <= hi);
    assert_true(c.nslots > 0 && c.ngranules > 0);
}

// A glyph equals what a cache that never evicts rasterises for the same code point.
static void assert_same_glyph(const struct nx_glyph *a, const struct nx_glyph *b)
{
    assert_int_equal(a->codepoint, b->codepoint);
    assert_int_equal(a->index, b->index);
    assert_int_equal(a->advance, b->advance);
    assert_true(a->x0 == b->x0 && a->y0 == b->y0 && a->w == b->w && a->h == b->h);
    if (a->w && a->h)
        assert_memory_equal(a->bitmap, b->bitmap, (size_t)a->w * a->h);
    else
        assert_null(a->bitmap);
}

// The smallest cache, fed far more glyphs than it holds at two sizes, with one hot glyph
// used between every two others: misses, hits and evictions add up, the hot glyph is never
// evicted (the clock keeps what is used), and every glyph returned (hit or not) is the
// glyph a reference cache rasterises.
static void test_cache_eviction(void **state)
{
    struct fonts *f = *state;
    struct cache_mem small, ref;
    cache_new(&small, NX_GLYPH_CACHE_MIN_BYTES);
    cache_new(&ref, 8u << 20);
    struct nx_face faces[2];
    assert_int_equal(nx_face_init(&faces[0], &f->sans, 14, 0), NX_OK);
    assert_int_equal(nx_face_init(&faces[1], &f->sans, 30, 0), NX_OK);
    const struct nx_glyph *g, *want;
    uint64_t calls = 0;
    for (int pass = 0; pass < 3; pass++)
        for (uint32_t cp = 0x21; cp < 0x17f; cp++) {
            const struct nx_face *face = &faces[cp % 2];
            assert_int_equal(nx_glyph_get(&small.c, face, cp, &g), NX_OK);
            assert_int_equal(nx_glyph_get(&ref.c, face, cp, &want), NX_OK);
            assert_same_glyph(g, want);
            uint64_t misses = small.c.stats.misses;
            assert_int_equal(nx_glyph_get(&small.c, &faces[0], 'A', &g), NX_OK);
            assert_int_equal(nx_glyph_get(&ref.c, &faces[0], 'A', &want), NX_OK);
            assert_same_glyph(g, want);
            if (calls > 0)
                assert_int_equal(small.c.stats.misses, misses);   // the hot glyph stayed
            calls += 2;
        }
    assert_int_equal(small.c.stats.hits + small.c.stats.misses, calls);
    assert_true(small.c.stats.evictions > 500);
    assert_int_equal(ref.c.stats.evictions, 0);
    // A flush forgets everything: the next lookup misses.
    nx_glyph_cache_flush(&small.c);
    uint64_t misses = small.c.stats.misses;
    assert_int_equal(nx_glyph_get(&small.c, &faces[0], 'A', &g), NX_OK);
    assert_int_equal(small.c.stats.misses, misses + 1);
    free(small.mem);
    free(ref.mem);
}

// Hits are found by font and size as well as code point.
static void test_cache_keys(void **state)
{
    struct fonts *f = *state;
    struct cache_mem cm;
    cache_new(&cm, 256u << 10);
    struct nx_face sans12, sans13, mono12;
    nx_face_init(&sans12, &f->sans, 12, 0);
    nx_face_init(&sans13, &f->sans, 13, 0);
    nx_face_init(&mono12, &f->mono, 12, 0);
    const struct nx_glyph *a, *b, *c, *again;
    assert_int_equal(nx_glyph_get(&cm.c, &sans12, 'W', &a), NX_OK);
    assert_int_equal(nx_glyph_get(&cm.c, &sans13, 'W', &b), NX_OK);
    assert_int_equal(nx_glyph_get(&cm.c, &mono12, 'W', &c), NX_OK);
    assert_true(a != b && b != c && a != c);
    assert_int_equal(cm.c.stats.misses, 3);
    assert_int_equal(nx_glyph_get(&cm.c, &sans13, 'W', &again), NX_OK);
    assert_ptr_equal(again, b);
    assert_int_equal(cm.c.stats.hits, 1);
    // A space: an advance and no pixels.
    assert_int_equal(nx_glyph_get(&cm.c, &sans12, ' ', &a), NX_OK);
    assert_null(a->bitmap);
    assert_true(a->advance > 0);
    free(cm.mem);
}

// A glyph larger than the whole pool is refused; the cache goes on working.
static void test_cache_glyph_too_big(void **state)
{
    struct fonts *f = *state;
    struct cache_mem cm;
    cache_new(&cm, NX_GLYPH_CACHE_MIN_BYTES);
    struct nx_face big, small;
    nx_face_init(&big, &f->sans, NX_FACE_MAX_PX, 0);
    nx_face_init(&small, &f->sans, 12, 0);
    const struct nx_glyph *g;
    assert_int_equal(nx_glyph_get(&cm.c, &small, 'x', &g), NX_OK);
    assert_int_equal(nx_glyph_get(&cm.c, &big, 'W', &g), NX_ERR_TOO_BIG);
    assert_int_equal(nx_glyph_get(&cm.c, &small, 'x', &g), NX_OK);
    assert_int_equal(cm.c.stats.hits, 1);
    // Drawing stops at it and says why.
    static uint32_t px[32 * 32];
    struct nx_gfx_surface s;
    nx_gfx_surface_init(&s, px, sizeof(px), 32, 32, 32 * 4);
    int32_t end = 0;
    assert_int_equal(nx_text_draw(&s, &cm.c, &big, 0, 20, "W", 1, 0xffffffffu, &end), NX_ERR_TOO_BIG);
    assert_int_equal(end, 0);
    free(cm.mem);
}

// A glyph whose outline needs more scratch memory than the arena (its last contour's end
// point made 65534, so stb_truetype asks for ~1 MiB of vertices) fails with
// NX_ERR_NO_MEMORY instead of reading on; the cache goes on working.
static void test_cache_arena_exhausted(void **state)
{
    struct fonts *f = *state;
    uint8_t *copy = malloc(f->sans_size);
    memcpy(copy, f->sans_data, f->sans_size);
    struct nx_font font;
    assert_int_equal(nx_font_init(&font, copy, f->sans_size), NX_OK);
    struct nx_face face;
    nx_face_init(&face, &font, 20, 0);
    struct cache_mem cm;
    cache_new(&cm, 256u << 10);
    const struct nx_glyph *g;
    assert_int_equal(nx_glyph_get(&cm.c, &face, 'O', &g), NX_OK);
    uint32_t index = g->index;
    nx_glyph_cache_flush(&cm.c);
    // The glyph's data through head.indexToLocFormat, loca and glyf.
    uint8_t *head = copy + get_be32(table_record(copy, "head") + 8);
    uint8_t *loca = copy + get_be32(table_record(copy, "loca") + 8);
    size_t glyf = get_be32(table_record(copy, "glyf") + 8);
    size_t off = head[51] ? get_be32(loca + 4 * index)
                          : 2 * ((size_t)loca[2 * index] << 8 | loca[2 * index + 1]);
    uint8_t *glyph = copy + glyf + off;
    size_t contours = (size_t)glyph[0] << 8 | glyph[1];
    assert_true(contours >= 1 && contours < 100);
    uint8_t *last_end = glyph + 10 + 2 * (contours - 1);
    last_end[0] = 0xff;
    last_end[1] = 0xfe;
    assert_int_equal(nx_glyph_get(&cm.c, &face, 'O', &g), NX_ERR_NO_MEMORY);
    assert_int_equal(nx_glyph_get(&cm.c, &face, 'o', &g), NX_OK);
    assert_non_null(g->bitmap);
    free(cm.mem);
    free(copy);
}

// ---- lines of text ----
static const char sample[] = "Wavy Tea, AV \xc3\xa4\xc3\xb6\xc3\xbc \xe2\x82\xac \xff!";

// Drawing ends where measuring says, with and without kerning, and kerning matters.
static void test_text_width_is_draw_advance(void **state)
{
    struct fonts *f = *state;
    struct cache_mem cm;
    cache_new(&cm, 256u << 10);
    static uint32_t px[64 * 64];
    struct nx_gfx_surface s;
    nx_gfx_surface_init(&s, px, sizeof(px), 64, 64, 64 * 4);
    int32_t widths[2];
    for (unsigned kern = 0; kern < 2; kern++) {
        struct nx_face face;
        nx_face_init(&face, &f->sans, 17, kern ? NX_FACE_KERNING : 0);
        int32_t end = 0;
        assert_int_equal(nx_text_draw(&s, &cm.c, &face, -7, 30, sample, sizeof(sample) - 1,
                                      0xffffffffu, &end), NX_OK);
        widths[kern] = nx_text_width(&face, sample, sizeof(sample) - 1);
        assert_int_equal(end, -7 + widths[kern]);
    }
    assert_true(widths[1] < widths[0]);   // "AV", "Wa", "Te" pulled together
    free(cm.mem);
}

// Text drawn partly or wholly outside the surface, at the ends of int32, touches nothing
// outside it (a surface of exactly its size in heap: ASan), and the second drawing of a
// line rasterises nothing.
static void test_text_clipping_and_cache_use(void **state)
{
    struct fonts *f = *state;
    struct cache_mem cm;
    cache_new(&cm, 256u << 10);
    uint32_t *px = malloc(40 * 20 * 4);
    struct nx_gfx_surface s;
    nx_gfx_surface_init(&s, px, 40 * 20 * 4, 40, 20, 40 * 4);
    struct nx_face face;
    nx_face_init(&face, &f->mono, 24, 0);
    static const int32_t spots[][2] = {
        { -30, 10 }, { 30, 10 }, { 5, -3 }, { 5, 40 }, { 0, 0 }, { 39, 19 },
        { INT32_MAX, 10 }, { INT32_MIN, 10 }, { 0, INT32_MAX }, { 0, INT32_MIN },
        { INT32_MAX - 5, INT32_MAX - 5 },
    };
    for (size_t i = 0; i < sizeof(spots) / sizeof(spots[0]); i++) {
        int32_t end;
        memset(px, 0, 40 * 20 * 4);
        assert_int_equal(nx_text_draw(&s, &cm.c, &face, spots[i][0], spots[i][1], sample,
                                      sizeof(sample) - 1, 0xff00ff00u, &end), NX_OK);
        bool far = spots[i][0] > 1000 || spots[i][0] < -1000 || spots[i][1] > 1000 || spots[i][1] < -1000;
        if (far)   // nothing lands
            for (int p = 0; p < 40 * 20; p++)
                assert_int_equal(px[p], 0);
        if (spots[i][0] == INT32_MAX)
            assert_int_equal(end, INT32_MAX);   // the pen's end clamped, not wrapped
    }
    uint64_t misses = cm.c.stats.misses;
    nx_text_draw(&s, &cm.c, &face, 0, 15, sample, sizeof(sample) - 1, 0xff00ff00u, NULL);
    assert_int_equal(cm.c.stats.misses, misses);
    free(px);
    free(cm.mem);
}

int main(void)
{
    const struct CMUnitTest utf8[] = {
        cmocka_unit_test(test_utf8_every_code_point),
        cmocka_unit_test(test_utf8_malformed),
        cmocka_unit_test(test_utf8_random),
        cmocka_unit_test(test_cache_init_limits),
    };
    const struct CMUnitTest text[] = {
        cmocka_unit_test(test_font_init_checks),
        cmocka_unit_test(test_face_init),
        cmocka_unit_test(test_cache_eviction),
        cmocka_unit_test(test_cache_keys),
        cmocka_unit_test(test_cache_glyph_too_big),
        cmocka_unit_test(test_cache_arena_exhausted),
        cmocka_unit_test(test_text_width_is_draw_advance),
        cmocka_unit_test(test_text_clipping_and_cache_use),
    };
    int failed = cmocka_run_group_tests(utf8, NULL, NULL);
    return failed | cmocka_run_group_tests(text, fonts_setup, fonts_teardown);
}
