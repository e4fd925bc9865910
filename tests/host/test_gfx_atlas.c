// Host unit tests for the shared glyph atlas (user/lib/gfx/glyph_atlas.c): built for the
// interface's faces and attached again (every glyph equal to the glyph cache's, bitmap and
// all), every field of a malformed block refused, random corruption refused or harmless
// (ASan watches the exactly-sized block), lookups that miss, and text drawn through the atlas
// giving the same pixels as through the cache. Fonts: DejaVu from fonts-dejavu-core.
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include <nexus/errors.h>
#include <nx/glyph_atlas.h>
#include "support/gfx_files.h"
#include "support/gfx_scene.h"

static struct nx_font sans, mono;
static uint8_t *sans_data, *mono_data;
static struct nx_face sans14, mono16, sans15;
static struct nx_glyph_atlas_face_spec specs[2];
static uint8_t *atlas_mem;   // the built atlas, exactly atlas_len bytes
static size_t atlas_len;

static void *dup_aligned(const void *src, size_t n)
{
    void *p = aligned_alloc(8, (n + 7) & ~(size_t)7);
    assert_non_null(p);
    memcpy(p, src, n);
    return p;
}

static int setup(void **state)
{
    (void)state;
    size_t n;
    sans_data = gfx_read_file(DEJAVU_SANS, &n);
    assert_int_equal(nx_font_init(&sans, sans_data, n), NX_OK);
    mono_data = gfx_read_file(DEJAVU_MONO, &n);
    assert_int_equal(nx_font_init(&mono, mono_data, n), NX_OK);
    assert_int_equal(nx_face_init(&sans14, &sans, 14, NX_FACE_KERNING), NX_OK);
    assert_int_equal(nx_face_init(&mono16, &mono, 16, 0), NX_OK);
    assert_int_equal(nx_face_init(&sans15, &sans, 15, 0), NX_OK);
    specs[0] = (struct nx_glyph_atlas_face_spec){ NX_FONT_ID_SANS, 14, &sans14 };
    specs[1] = (struct nx_glyph_atlas_face_spec){ NX_FONT_ID_SANS_MONO, 16, &mono16 };
    size_t ncps, size;
    const uint32_t *cps = nx_glyph_atlas_ui_codepoints(&ncps);
    assert_int_equal(nx_glyph_atlas_size(specs, 2, cps, ncps, &size), NX_OK);
    uint8_t *mem = aligned_alloc(8, size);
    assert_int_equal(nx_glyph_atlas_build(mem, size, specs, 2, cps, ncps, &atlas_len), NX_OK);
    assert_true(atlas_len + NX_GLYPH_ARENA_BYTES == size);
    atlas_mem = malloc(atlas_len);   // exactly: ASan catches a read past it
    memcpy(atlas_mem, mem, atlas_len);
    free(mem);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    free(atlas_mem);
    free(sans_data);
    free(mono_data);
    return 0;
}

static void test_ui_codepoints(void **state)
{
    (void)state;
    size_t n;
    const uint32_t *cps = nx_glyph_atlas_ui_codepoints(&n);
    assert_int_equal(n, 95 + 96 + 17);   // docs/graphics-lib.md: 208
    assert_int_equal(cps[0], ' ');
    assert_int_equal(cps[94], '~');
    assert_int_equal(cps[95], 0xa0);
    for (size_t i = 1; i < n; i++)
        assert_true(cps[i] > cps[i - 1]);
    bool euro = false;
    for (size_t i = 0; i < n; i++)
        euro |= cps[i] == 0x20ac;
    assert_true(euro);
}

static void assert_same_glyph(const struct nx_glyph *a, const struct nx_glyph *b)
{
    assert_int_equal(a->codepoint, b->codepoint);
    assert_int_equal(a->index, b->index);
    assert_int_equal(a->advance, b->advance);
    assert_int_equal(a->x0, b->x0);
    assert_int_equal(a->y0, b->y0);
    assert_int_equal(a->w, b->w);
    assert_int_equal(a->h, b->h);
    assert_true((a->bitmap == NULL) == (b->bitmap == NULL));
    if (a->bitmap)
        assert_memory_equal(a->bitmap, b->bitmap, (size_t)a->w * a->h);
}

// Every glyph of every face is what the glyph cache rasterises.
static void test_round_trip(void **state)
{
    (void)state;
    struct nx_glyph_atlas atlas;
    assert_int_equal(nx_glyph_atlas_attach(&atlas, atlas_mem, atlas_len), NX_OK);
    assert_int_equal(atlas.nfaces, 2);
    size_t cache_size = 1u << 20, ncps;
    void *cmem = aligned_alloc(8, cache_size);
    struct nx_glyph_cache cache;
    assert_int_equal(nx_glyph_cache_init(&cache, cmem, cache_size), NX_OK);
    const uint32_t *cps = nx_glyph_atlas_ui_codepoints(&ncps);
    for (int f = 0; f < 2; f++) {
        long id = nx_glyph_atlas_face(&atlas, specs[f].font_id, specs[f].face);
        assert_int_equal(id, f);
        for (size_t i = 0; i < ncps; i++) {
            const struct nx_glyph *a = nx_glyph_atlas_find(&atlas, (uint32_t)id, cps[i]), *c;
            assert_non_null(a);
            assert_int_equal(nx_glyph_get(&cache, specs[f].face, cps[i], &c), NX_OK);
            assert_same_glyph(a, c);
        }
    }
    free(cmem);
}

static void test_lookup_misses(void **state)
{
    (void)state;
    struct nx_glyph_atlas atlas;
    assert_int_equal(nx_glyph_atlas_attach(&atlas, atlas_mem, atlas_len), NX_OK);
    // Faces: another size of the same font, another font at the same size, a wrong font id.
    assert_int_equal(nx_glyph_atlas_face(&atlas, NX_FONT_ID_SANS, &sans15), NX_ERR_NOT_FOUND);
    assert_int_equal(nx_glyph_atlas_face(&atlas, NX_FONT_ID_SANS_MONO, &sans14), NX_ERR_NOT_FOUND);
    assert_int_equal(nx_glyph_atlas_face(&atlas, 99, &sans14), NX_ERR_NOT_FOUND);
    // Code points below, between and above the set; a face number past the last.
    uint32_t absent[] = { 0, 0x1f, 0x7f, 0x9f, 0x100, 0x4e00, 0xfffe, 0x10ffff, 0xffffffffu };
    for (size_t i = 0; i < sizeof(absent) / sizeof(absent[0]); i++)
        assert_null(nx_glyph_atlas_find(&atlas, 0, absent[i]));
    assert_non_null(nx_glyph_atlas_find(&atlas, 1, 'A'));
    assert_null(nx_glyph_atlas_find(&atlas, 2, 'A'));
    assert_null(nx_glyph_atlas_find(&atlas, UINT32_MAX, 'A'));
    // A space has no pixels and no bitmap.
    const struct nx_glyph *sp = nx_glyph_atlas_find(&atlas, 0, ' ');
    assert_non_null(sp);
    assert_null(sp->bitmap);
    assert_true(sp->advance > 0);
}

static void test_build_checks(void **state)
{
    (void)state;
    uint32_t cps[] = { 'a', 'b', 'c' }, unsorted[] = { 'b', 'a' }, same[] = { 'a', 'a' },
             huge[] = { 0x110000 };
    size_t size, used;
    assert_int_equal(nx_glyph_atlas_size(specs, 0, cps, 3, &size), NX_ERR_INVALID);
    assert_int_equal(nx_glyph_atlas_size(specs, 2, unsorted, 2, &size), NX_ERR_INVALID);
    assert_int_equal(nx_glyph_atlas_size(specs, 2, same, 2, &size), NX_ERR_INVALID);
    assert_int_equal(nx_glyph_atlas_size(specs, 2, huge, 1, &size), NX_ERR_INVALID);
    struct nx_glyph_atlas_face_spec bad[NX_GLYPH_ATLAS_MAX_FACES + 1];
    for (int i = 0; i <= NX_GLYPH_ATLAS_MAX_FACES; i++)
        bad[i] = (struct nx_glyph_atlas_face_spec){ (uint32_t)i, 14, &sans14 };
    assert_int_equal(nx_glyph_atlas_size(bad, NX_GLYPH_ATLAS_MAX_FACES, cps, 3, &size), NX_OK);
    assert_int_equal(nx_glyph_atlas_size(bad, NX_GLYPH_ATLAS_MAX_FACES + 1, cps, 3, &size),
                     NX_ERR_TOO_BIG);
    bad[1].font_id = bad[0].font_id;   // the same face twice
    assert_int_equal(nx_glyph_atlas_size(bad, 2, cps, 3, &size), NX_ERR_INVALID);
    bad[1] = (struct nx_glyph_atlas_face_spec){ 7, 0, &sans14 };
    assert_int_equal(nx_glyph_atlas_size(bad, 2, cps, 3, &size), NX_ERR_INVALID);
    bad[1] = (struct nx_glyph_atlas_face_spec){ 7, 14, NULL };
    assert_int_equal(nx_glyph_atlas_size(bad, 2, cps, 3, &size), NX_ERR_INVALID);
    // Too many glyphs: the limit is over all faces.
    static uint32_t many[NX_GLYPH_ATLAS_MAX_GLYPHS / 2 + 1];
    for (uint32_t i = 0; i < sizeof(many) / sizeof(many[0]); i++)
        many[i] = i;
    assert_int_equal(nx_glyph_atlas_size(specs, 2, many, NX_GLYPH_ATLAS_MAX_GLYPHS / 2 + 1, &size),
                     NX_ERR_TOO_BIG);
    // The memory: NULL, misaligned, one byte short of what nx_glyph_atlas_size says.
    assert_int_equal(nx_glyph_atlas_size(specs, 2, cps, 3, &size), NX_OK);
    uint8_t *mem = aligned_alloc(8, size + 8);
    assert_int_equal(nx_glyph_atlas_build(NULL, size, specs, 2, cps, 3, &used), NX_ERR_INVALID);
    assert_int_equal(nx_glyph_atlas_build(mem + 4, size, specs, 2, cps, 3, &used), NX_ERR_INVALID);
    assert_int_equal(nx_glyph_atlas_build(mem, size - 1, specs, 2, cps, 3, &used), NX_ERR_NO_SPACE);
    assert_int_equal(nx_glyph_atlas_build(mem, size, specs, 2, cps, 3, &used), NX_OK);
    assert_int_equal(used, size - NX_GLYPH_ARENA_BYTES);
    // An atlas of no glyphs is a valid one.
    assert_int_equal(nx_glyph_atlas_build(mem, size, specs, 2, NULL, 0, &used), NX_OK);
    struct nx_glyph_atlas atlas;
    assert_int_equal(nx_glyph_atlas_attach(&atlas, mem, used), NX_OK);
    assert_null(nx_glyph_atlas_find(&atlas, 0, 'a'));
    free(mem);
}

// ---- malformed blocks ----
static struct nx_glyph_atlas_header *hdr(uint8_t *m)
{
    return (struct nx_glyph_atlas_header *)m;
}

static struct nx_glyph_atlas_face_rec *face_rec(uint8_t *m, uint32_t i)
{
    return (struct nx_glyph_atlas_face_rec *)(m + sizeof(struct nx_glyph_atlas_header)) + i;
}

static struct nx_glyph_atlas_glyph_rec *glyph_rec(uint8_t *m, uint32_t i)
{
    return (struct nx_glyph_atlas_glyph_rec *)face_rec(m, hdr(m)->nfaces) + i;
}

// A corruption of a fresh copy of the atlas, which attach must refuse.
typedef void corrupt_fn(uint8_t *m);
#define CORRUPT(name, body) \
    static void name(uint8_t *m) { body; }

CORRUPT(bad_magic, hdr(m)->magic ^= 1)
CORRUPT(bad_version, hdr(m)->version = NX_GLYPH_ATLAS_VERSION + 1)
CORRUPT(bad_reserved0, hdr(m)->reserved[0] = 1)
CORRUPT(bad_reserved1, hdr(m)->reserved[1] = 1u << 31)
CORRUPT(total_short, hdr(m)->total -= 8)
CORRUPT(total_long, hdr(m)->total += 8)
CORRUPT(no_faces, hdr(m)->nfaces = 0)
CORRUPT(too_many_faces, hdr(m)->nfaces = NX_GLYPH_ATLAS_MAX_FACES + 1)
CORRUPT(faces_huge, hdr(m)->nfaces = UINT32_MAX)
CORRUPT(one_glyph_more, hdr(m)->nglyphs += 1)
CORRUPT(one_glyph_less, hdr(m)->nglyphs -= 1)
CORRUPT(glyphs_huge, hdr(m)->nglyphs = UINT32_MAX)
CORRUPT(bitmaps_longer, hdr(m)->bitmap_bytes += 8)
CORRUPT(bitmaps_huge, hdr(m)->bitmap_bytes = UINT32_MAX)
CORRUPT(face_first, face_rec(m, 1)->first += 1)
CORRUPT(face_count_more, face_rec(m, 1)->count += 1)
CORRUPT(face_count_less, face_rec(m, 0)->count -= 1)
CORRUPT(face_count_huge, face_rec(m, 0)->count = UINT32_MAX)
CORRUPT(face_px_zero, face_rec(m, 0)->px = 0)
CORRUPT(face_px_big, face_rec(m, 0)->px = NX_FACE_MAX_PX + 1)
CORRUPT(face_ascent, face_rec(m, 0)->ascent = 0)
CORRUPT(face_descent, face_rec(m, 0)->descent = 1)
CORRUPT(face_line_height, face_rec(m, 1)->line_height = -3)
CORRUPT(face_duplicate, *face_rec(m, 1) = *face_rec(m, 0); face_rec(m, 1)->first = face_rec(m, 0)->count)
CORRUPT(glyph_order, glyph_rec(m, 5)->codepoint = glyph_rec(m, 4)->codepoint)
CORRUPT(glyph_unicode, glyph_rec(m, hdr(m)->nglyphs - 1)->codepoint = 0x110000)
CORRUPT(glyph_index, glyph_rec(m, 3)->index = 0x10000)
CORRUPT(glyph_wide, glyph_rec(m, 40)->w = NX_GLYPH_MAX_DIM + 1)
CORRUPT(glyph_tall, glyph_rec(m, 40)->h = NX_GLYPH_MAX_DIM + 1)
CORRUPT(glyph_bitmap_out, glyph_rec(m, 40)->bitmap = hdr(m)->bitmap_bytes)
CORRUPT(glyph_bitmap_wraps, glyph_rec(m, 40)->bitmap = UINT32_MAX - 2)
CORRUPT(glyph_bitmap_past_end,
        struct nx_glyph_atlas_glyph_rec *g = glyph_rec(m, hdr(m)->nglyphs - 1);
        g->bitmap = hdr(m)->bitmap_bytes - (uint32_t)g->w * g->h + 1)
CORRUPT(glyph_empty_with_bitmap, glyph_rec(m, 0)->bitmap = 1)   // U+0020, no pixels

static void test_malformed_fields(void **state)
{
    (void)state;
    static corrupt_fn *const corruptions[] = {
        bad_magic, bad_version, bad_reserved0, bad_reserved1, total_short, total_long,
        no_faces, too_many_faces, faces_huge, one_glyph_more, one_glyph_less, glyphs_huge,
        bitmaps_longer, bitmaps_huge, face_first, face_count_more, face_count_less,
        face_count_huge, face_px_zero, face_px_big, face_ascent, face_descent,
        face_line_height, face_duplicate, glyph_order, glyph_unicode, glyph_index, glyph_wide,
        glyph_tall, glyph_bitmap_out, glyph_bitmap_wraps, glyph_bitmap_past_end,
        glyph_empty_with_bitmap,
    };
    struct nx_glyph_atlas atlas;
    uint8_t *m = dup_aligned(atlas_mem, atlas_len);
    assert_int_equal(nx_glyph_atlas_attach(&atlas, m, atlas_len), NX_OK);   // the copy is fine
    for (size_t i = 0; i < sizeof(corruptions) / sizeof(corruptions[0]); i++) {
        memcpy(m, atlas_mem, atlas_len);
        corruptions[i](m);
        if (nx_glyph_atlas_attach(&atlas, m, atlas_len) != NX_ERR_INVALID)
            fail_msg("corruption %zu accepted", i);
    }
    free(m);
}

static void test_malformed_memory(void **state)
{
    (void)state;
    struct nx_glyph_atlas atlas;
    uint8_t *m = aligned_alloc(8, atlas_len + 8);
    memcpy(m + 8, atlas_mem, atlas_len);
    assert_int_equal(nx_glyph_atlas_attach(&atlas, m + 8, atlas_len), NX_OK);
    assert_int_equal(nx_glyph_atlas_attach(&atlas, NULL, atlas_len), NX_ERR_INVALID);
    assert_int_equal(nx_glyph_atlas_attach(&atlas, m + 8, atlas_len - 1), NX_ERR_INVALID);
    assert_int_equal(nx_glyph_atlas_attach(&atlas, m + 8, 0), NX_ERR_INVALID);
    assert_int_equal(nx_glyph_atlas_attach(&atlas, m + 8, 31), NX_ERR_INVALID);
    memmove(m + 4, m + 8, atlas_len);
    assert_int_equal(nx_glyph_atlas_attach(&atlas, m + 4, atlas_len), NX_ERR_INVALID);
    // A mapping larger than the atlas (a whole number of pages) is fine.
    uint8_t *big = calloc(1, atlas_len + 4096);
    memcpy(big, atlas_mem, atlas_len);
    assert_int_equal(nx_glyph_atlas_attach(&atlas, big, atlas_len + 4096), NX_OK);
    free(big);
    free(m);
}

// Reads every byte of every glyph the atlas gives, for every code point up to U+2800 in
// every face number (ASan: nothing outside the block).
static uint32_t touch_all(struct nx_glyph_atlas *atlas)
{
    uint32_t sum = 0;
    for (uint32_t f = 0; f <= atlas->nfaces; f++)
        for (uint32_t cp = 0; cp < 0x2800; cp++) {
            const struct nx_glyph *g = nx_glyph_atlas_find(atlas, f, cp);
            for (size_t i = 0; g && g->bitmap && i < (size_t)g->w * g->h; i++)
                sum += g->bitmap[i];
        }
    return sum;
}

// Random bytes changed anywhere: refused, or every lookup stays inside the block.
static void test_random_corruption(void **state)
{
    (void)state;
    srand(13);
    uint8_t *m = malloc(atlas_len);
    size_t accepted = 0;
    for (int round = 0; round < 400; round++) {
        memcpy(m, atlas_mem, atlas_len);
        int n = 1 + rand() % 4;
        for (int k = 0; k < n; k++) {
            // Most changes in the header and records, where the checks are.
            size_t span = rand() % 2 ? 32 + 64 + 24 * 300 : atlas_len;
            m[(size_t)rand() % span] = (uint8_t)rand();
        }
        struct nx_glyph_atlas atlas;
        if (nx_glyph_atlas_attach(&atlas, m, atlas_len) == NX_OK) {
            accepted++;
            touch_all(&atlas);
        }
    }
    assert_true(accepted > 0 && accepted < 400);   // both outcomes reached
    free(m);
}

// A block changed after attaching (not sealed): lookups still stay inside it.
static void test_changed_after_attach(void **state)
{
    (void)state;
    uint8_t *m = malloc(atlas_len);
    memcpy(m, atlas_mem, atlas_len);
    struct nx_glyph_atlas atlas;
    assert_int_equal(nx_glyph_atlas_attach(&atlas, m, atlas_len), NX_OK);
    face_rec(m, 0)->count = UINT32_MAX;
    face_rec(m, 1)->first = UINT32_MAX - 3;
    glyph_rec(m, 40)->bitmap = UINT32_MAX - 2;
    glyph_rec(m, 41)->w = 1000;
    glyph_rec(m, 41)->h = 1000;
    touch_all(&atlas);
    assert_null(nx_glyph_atlas_find(&atlas, 1, 'A'));
    free(m);
}

// ---- drawing ----
static void test_draw_same_pixels(void **state)
{
    (void)state;
    struct nx_glyph_atlas atlas;
    assert_int_equal(nx_glyph_atlas_attach(&atlas, atlas_mem, atlas_len), NX_OK);
    enum { W = 360, H = 48 };
    static uint32_t with_cache[W * H], with_atlas[W * H];
    struct nx_gfx_surface a, b;
    nx_gfx_surface_init(&a, with_cache, sizeof(with_cache), W, H, W * 4);
    nx_gfx_surface_init(&b, with_atlas, sizeof(with_atlas), W, H, W * 4);
    size_t cache_size = 256u << 10;
    void *m1 = aligned_alloc(8, cache_size), *m2 = aligned_alloc(8, cache_size);
    struct nx_glyph_cache c1, c2;
    nx_glyph_cache_init(&c1, m1, cache_size);
    nx_glyph_cache_init(&c2, m2, cache_size);
    const struct nx_face *faces[2] = { &sans14, &mono16 };
    for (int f = 0; f < 2; f++) {
        assert_int_equal(gfx_scene_text(&a, &c1, faces[f]), NX_OK);
        struct nx_glyph_source src = { &atlas, (uint32_t)f, &c2 };
        assert_int_equal(gfx_scene_text_from(&b, &src, faces[f]), NX_OK);
        int32_t end;   // drawing from the atlas ends where measuring says
        assert_int_equal(nx_text_draw_from(&b, &src, faces[f], 3, 20, gfx_scene_line,
                                           sizeof(gfx_scene_line) - 1, 0, &end), NX_OK);
        assert_int_equal(end, 3 + nx_text_width(faces[f], gfx_scene_line, sizeof(gfx_scene_line) - 1));
        assert_int_equal(gfx_scene_text_from(&b, &src, faces[f]), NX_OK);
        assert_memory_equal(with_cache, with_atlas, sizeof(with_cache));
        assert_int_equal(c2.stats.misses + c2.stats.hits, 0);   // every glyph from the atlas
    }
    // A miss falls back to the cache; an atlas-only source reports it.
    struct nx_glyph_source src = { &atlas, 0, &c2 }, only = { &atlas, 0, NULL };
    const char han[] = "a\xe4\xb8\xad";
    assert_int_equal(nx_text_draw_from(&b, &src, &sans14, 3, 20, han, 4, 0xff000000u, NULL), NX_OK);
    assert_int_equal(c2.stats.misses, 1);
    assert_int_equal(nx_text_draw_from(&b, &only, &sans14, 3, 20, han, 4, 0xff000000u, NULL),
                     NX_ERR_NOT_FOUND);
    free(m1);
    free(m2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ui_codepoints),
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_lookup_misses),
        cmocka_unit_test(test_build_checks),
        cmocka_unit_test(test_malformed_fields),
        cmocka_unit_test(test_malformed_memory),
        cmocka_unit_test(test_random_corruption),
        cmocka_unit_test(test_changed_after_attach),
        cmocka_unit_test(test_draw_same_pixels),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
