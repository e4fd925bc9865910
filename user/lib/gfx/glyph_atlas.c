// The shared glyph atlas (nx/glyph_atlas.h): built by a producer with the same rasteriser
// as the glyph cache (so a glyph from either has the same pixels), attached by consumers who
// check every byte they rely on. A lookup re-checks the one record it returns against the
// counts taken at attach time, so even a block changed after attaching (a producer that did
// not seal it) can give wrong pixels but never a read outside it.
#include <string.h>
#include <nexus/errors.h>
#include <nx/glyph_atlas.h>
#include "font_int.h"

#define HEADER sizeof(struct nx_glyph_atlas_header)
#define FACE_REC sizeof(struct nx_glyph_atlas_face_rec)
#define GLYPH_REC sizeof(struct nx_glyph_atlas_glyph_rec)
_Static_assert(HEADER == 32 && FACE_REC == 32 && GLYPH_REC == 24, "the atlas format's records");
_Static_assert(FACE_REC % 4 == 0 && GLYPH_REC % 4 == 0, "records stay 4-byte aligned");

#define R8(b) b, b + 1, b + 2, b + 3, b + 4, b + 5, b + 6, b + 7
#define R16(b) R8(b), R8(b + 8)
static const uint32_t ui_codepoints[] = {
    R16(0x20), R16(0x30), R16(0x40), R16(0x50), R16(0x60), R8(0x70),   // printable ASCII
    0x78, 0x79, 0x7a, 0x7b, 0x7c, 0x7d, 0x7e,
    R16(0xa0), R16(0xb0), R16(0xc0), R16(0xd0), R16(0xe0), R16(0xf0),   // Latin-1 supplement
    0x2013, 0x2014, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2026, 0x20ac,
    0x2190, 0x2191, 0x2192, 0x2193, 0x25b2, 0x25bc, 0x2713, 0xfffd,
};

const uint32_t *nx_glyph_atlas_ui_codepoints(size_t *n)
{
    *n = sizeof(ui_codepoints) / sizeof(ui_codepoints[0]);
    return ui_codepoints;
}

// The atlas's bytes for these counts: header, records and bitmaps, rounded up to 8.
static uint64_t atlas_bytes(uint64_t nfaces, uint64_t nglyphs, uint64_t bitmap_bytes)
{
    return (HEADER + nfaces * FACE_REC + nglyphs * GLYPH_REC + bitmap_bytes + 7) & ~7ull;
}

static long check_specs(const struct nx_glyph_atlas_face_spec *faces, size_t nfaces,
                        const uint32_t *cps, size_t ncps)
{
    if (nfaces == 0 || !faces || (ncps && !cps))
        return NX_ERR_INVALID;
    if (nfaces > NX_GLYPH_ATLAS_MAX_FACES || ncps > NX_GLYPH_ATLAS_MAX_GLYPHS / nfaces)
        return NX_ERR_TOO_BIG;
    for (size_t i = 0; i < nfaces; i++) {
        if (!faces[i].face || faces[i].px < 1 || faces[i].px > NX_FACE_MAX_PX)
            return NX_ERR_INVALID;
        for (size_t j = 0; j < i; j++)
            if (faces[j].font_id == faces[i].font_id && faces[j].px == faces[i].px)
                return NX_ERR_INVALID;
    }
    for (size_t i = 0; i < ncps; i++)
        if (cps[i] > 0x10ffff || (i > 0 && cps[i] <= cps[i - 1]))
            return NX_ERR_INVALID;
    return NX_OK;
}

// Checks the specs and sums the glyphs' bitmap bytes.
static long plan(const struct nx_glyph_atlas_face_spec *faces, size_t nfaces, const uint32_t *cps,
                 size_t ncps, uint64_t *bitmap_bytes)
{
    long err = check_specs(faces, nfaces, cps, ncps);
    if (err != NX_OK)
        return err;
    uint64_t sum = 0;
    for (size_t f = 0; f < nfaces; f++)
        for (size_t i = 0; i < ncps; i++) {
            struct gfx_glyph_box box;
            gfx_face_glyph(faces[f].face, cps[i], &box);
            int64_t w = box.x1 - box.x0, h = box.y1 - box.y0;
            if (w > NX_GLYPH_MAX_DIM || h > NX_GLYPH_MAX_DIM)
                return NX_ERR_TOO_BIG;
            sum += (uint64_t)(w * h);
            if (sum > NX_GLYPH_ATLAS_MAX_BYTES)
                return NX_ERR_TOO_BIG;
        }
    if (atlas_bytes(nfaces, nfaces * ncps, sum) > NX_GLYPH_ATLAS_MAX_BYTES)
        return NX_ERR_TOO_BIG;
    *bitmap_bytes = sum;
    return NX_OK;
}

long nx_glyph_atlas_size(const struct nx_glyph_atlas_face_spec *faces, size_t nfaces,
                         const uint32_t *cps, size_t ncps, size_t *size)
{
    uint64_t bitmap_bytes;
    long err = plan(faces, nfaces, cps, ncps, &bitmap_bytes);
    if (err == NX_OK)
        *size = (size_t)atlas_bytes(nfaces, nfaces * ncps, bitmap_bytes) + NX_GLYPH_ARENA_BYTES;
    return err;
}

// Rasterises face's glyphs of cps into recs and the bitmaps from *at on, with scratch arena.
static long build_face(const struct nx_face *face, const uint32_t *cps, size_t ncps,
                       struct nx_glyph_atlas_glyph_rec *recs, uint8_t *bitmaps, uint32_t *at,
                       uint8_t *arena)
{
    for (size_t i = 0; i < ncps; i++) {
        struct gfx_glyph_box box;
        gfx_face_glyph(face, cps[i], &box);
        uint16_t w = (uint16_t)(box.x1 - box.x0), h = (uint16_t)(box.y1 - box.y0);
        bool empty = w == 0 || h == 0;
        recs[i] = (struct nx_glyph_atlas_glyph_rec){
            cps[i], box.index, box.advance, (int16_t)box.x0, (int16_t)box.y0, w, h,
            empty ? 0 : *at,
        };
        if (empty)
            continue;
        long err = gfx_face_raster(face, &box, bitmaps + *at, arena, NX_GLYPH_ARENA_BYTES);
        if (err != NX_OK)
            return err;
        *at += (uint32_t)w * h;
    }
    return NX_OK;
}

long nx_glyph_atlas_build(void *mem, size_t size, const struct nx_glyph_atlas_face_spec *faces,
                          size_t nfaces, const uint32_t *cps, size_t ncps, size_t *used)
{
    if (!mem || (uintptr_t)mem % 8)
        return NX_ERR_INVALID;
    uint64_t bitmap_bytes;
    long err = plan(faces, nfaces, cps, ncps, &bitmap_bytes);
    if (err != NX_OK)
        return err;
    uint32_t total = (uint32_t)atlas_bytes(nfaces, nfaces * ncps, bitmap_bytes);
    if (size < (size_t)total + NX_GLYPH_ARENA_BYTES)
        return NX_ERR_NO_SPACE;
    uint8_t *p = mem;
    memset(p, 0, total);
    struct nx_glyph_atlas_face_rec *frecs = (void *)(p + HEADER);
    struct nx_glyph_atlas_glyph_rec *grecs = (void *)(p + HEADER + nfaces * FACE_REC);
    uint8_t *bitmaps = p + HEADER + nfaces * FACE_REC + nfaces * ncps * GLYPH_REC;
    uint32_t at = 0;
    for (size_t f = 0; f < nfaces && err == NX_OK; f++) {
        const struct nx_face *face = faces[f].face;
        frecs[f] = (struct nx_glyph_atlas_face_rec){
            faces[f].font_id, faces[f].px, gfx_scale_bits(face->scale), face->ascent,
            face->descent, face->line_height, (uint32_t)(f * ncps), (uint32_t)ncps,
        };
        err = build_face(face, cps, ncps, grecs + f * ncps, bitmaps, &at, p + total);
    }
    if (err != NX_OK)
        return err;
    *(struct nx_glyph_atlas_header *)p = (struct nx_glyph_atlas_header){
        NX_GLYPH_ATLAS_MAGIC, NX_GLYPH_ATLAS_VERSION, total, (uint32_t)nfaces,
        (uint32_t)(nfaces * ncps), (uint32_t)bitmap_bytes, { 0, 0 },
    };
    *used = total;
    return NX_OK;
}

// ---- attaching: every check a lookup relies on ----

static bool header_ok(const struct nx_glyph_atlas_header *h, size_t size)
{
    if (h->magic != NX_GLYPH_ATLAS_MAGIC || h->version != NX_GLYPH_ATLAS_VERSION ||
        h->reserved[0] || h->reserved[1])
        return false;
    if (h->nfaces == 0 || h->nfaces > NX_GLYPH_ATLAS_MAX_FACES ||
        h->nglyphs > NX_GLYPH_ATLAS_MAX_GLYPHS || h->bitmap_bytes > NX_GLYPH_ATLAS_MAX_BYTES)
        return false;
    uint64_t total = atlas_bytes(h->nfaces, h->nglyphs, h->bitmap_bytes);
    return h->total == total && total <= size && total <= NX_GLYPH_ATLAS_MAX_BYTES;
}

static bool face_ok(const struct nx_glyph_atlas_face_rec *faces, uint32_t i, uint32_t first,
                    uint32_t nglyphs)
{
    const struct nx_glyph_atlas_face_rec *f = &faces[i];
    if (f->first != first || f->count > nglyphs - first)
        return false;
    if (f->px < 1 || f->px > NX_FACE_MAX_PX || f->ascent <= 0 || f->ascent > 4 * NX_FACE_MAX_PX ||
        f->descent > 0 || f->descent < -4 * NX_FACE_MAX_PX || f->line_height <= 0 ||
        f->line_height > 8 * NX_FACE_MAX_PX)
        return false;
    for (uint32_t j = 0; j < i; j++)
        if (faces[j].font_id == f->font_id && faces[j].px == f->px)
            return false;
    return true;
}

// A glyph record's bitmap lies inside the bitmap bytes (and an empty one claims none).
static bool bitmap_ok(const struct nx_glyph_atlas_glyph_rec *g, uint32_t bitmap_bytes)
{
    if (g->w > NX_GLYPH_MAX_DIM || g->h > NX_GLYPH_MAX_DIM)
        return false;
    uint64_t n = (uint64_t)g->w * g->h;
    return n ? g->bitmap <= bitmap_bytes && n <= bitmap_bytes - g->bitmap : g->bitmap == 0;
}

static bool glyphs_ok(const struct nx_glyph_atlas_glyph_rec *g, uint32_t count,
                      uint32_t bitmap_bytes)
{
    for (uint32_t i = 0; i < count; i++) {
        if (g[i].codepoint > 0x10ffff || (i > 0 && g[i].codepoint <= g[i - 1].codepoint) ||
            g[i].index > 0xffff || !bitmap_ok(&g[i], bitmap_bytes))
            return false;
    }
    return true;
}

long nx_glyph_atlas_attach(struct nx_glyph_atlas *atlas, const void *mem, size_t size)
{
    if (!mem || (uintptr_t)mem % 8 || size < HEADER)
        return NX_ERR_INVALID;
    const uint8_t *p = mem;
    const struct nx_glyph_atlas_header *h = mem;
    if (!header_ok(h, size))
        return NX_ERR_INVALID;
    const struct nx_glyph_atlas_face_rec *faces = (const void *)(p + HEADER);
    const struct nx_glyph_atlas_glyph_rec *glyphs = (const void *)(p + HEADER + h->nfaces * FACE_REC);
    uint32_t first = 0;
    for (uint32_t i = 0; i < h->nfaces; i++) {
        if (!face_ok(faces, i, first, h->nglyphs) ||
            !glyphs_ok(glyphs + first, faces[i].count, h->bitmap_bytes))
            return NX_ERR_INVALID;
        first += faces[i].count;
    }
    if (first != h->nglyphs)
        return NX_ERR_INVALID;
    *atlas = (struct nx_glyph_atlas){
        .base = p, .faces = faces, .glyphs = glyphs,
        .bitmaps = (const uint8_t *)(glyphs + h->nglyphs),
        .nfaces = h->nfaces, .nglyphs = h->nglyphs, .bitmap_bytes = h->bitmap_bytes,
    };
    return NX_OK;
}

long nx_glyph_atlas_face(const struct nx_glyph_atlas *atlas, uint32_t font_id,
                         const struct nx_face *face)
{
    uint32_t sbits = gfx_scale_bits(face->scale);
    for (uint32_t i = 0; i < atlas->nfaces; i++)
        if (atlas->faces[i].font_id == font_id && atlas->faces[i].scale_bits == sbits)
            return i;
    return NX_ERR_NOT_FOUND;
}

const struct nx_glyph *nx_glyph_atlas_find(struct nx_glyph_atlas *atlas, uint32_t face_id,
                                           uint32_t codepoint)
{
    if (face_id >= atlas->nfaces)
        return NULL;
    struct nx_glyph_atlas_face_rec f = atlas->faces[face_id];
    if (f.first > atlas->nglyphs || f.count > atlas->nglyphs - f.first)
        return NULL;
    const struct nx_glyph_atlas_glyph_rec *g = atlas->glyphs + f.first;
    uint32_t lo = 0, hi = f.count;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (g[mid].codepoint < codepoint)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == f.count)
        return NULL;
    struct nx_glyph_atlas_glyph_rec r = g[lo];   // read once, then checked
    if (r.codepoint != codepoint || !bitmap_ok(&r, atlas->bitmap_bytes))
        return NULL;
    atlas->found = (struct nx_glyph){
        r.codepoint, r.index, r.advance, r.x0, r.y0, r.w, r.h,
        r.w && r.h ? atlas->bitmaps + r.bitmap : NULL,
    };
    return &atlas->found;
}

long nx_glyph_source_get(const struct nx_glyph_source *src, const struct nx_face *face,
                         uint32_t codepoint, const struct nx_glyph **out)
{
    if (src->atlas) {
        const struct nx_glyph *g = nx_glyph_atlas_find(src->atlas, src->atlas_face, codepoint);
        if (g) {
            *out = g;
            return NX_OK;
        }
    }
    return src->cache ? nx_glyph_get(src->cache, face, codepoint, out) : NX_ERR_NOT_FOUND;
}
