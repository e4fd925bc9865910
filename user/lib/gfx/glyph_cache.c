// The glyph cache (nx/text.h): a fixed number of slots, found through a hash index on
// (font, scale, code point), whose bitmaps live in a pool of 64-byte granules (first fit
// over a bitmap of used granules). When a new glyph finds no free slot or no run of free
// granules, a clock evicts: the hand passes over the slots, clearing the "referenced" bit a
// hit sets, and evicts the first slot found without it.
//
// Layout of the caller's memory: slots | buckets | granule bitmap | arena | pool.
#include <string.h>
#include <nexus/errors.h>
#include "font_int.h"

#define GRANULE 64
// Pool bytes per slot: glyphs of small text average about this much.
#define POOL_PER_SLOT 128

struct glyph_slot {
    struct nx_glyph g;
    const struct nx_font *font;
    uint32_t scale_bits;
    int32_t next;          // the bucket's chain when used, the free list when not
    uint32_t granule, ngranules;
    bool used, referenced;
};

static uint32_t bucket_of(const struct nx_glyph_cache *c, const struct nx_font *font,
                          uint32_t sbits, uint32_t cp)
{
    uint64_t h = (uint64_t)(uintptr_t)font ^ (uint64_t)sbits << 21 ^ cp;
    h *= 0x9e3779b97f4a7c15ull;
    return (uint32_t)(h >> 32) & (c->nbuckets - 1);
}

static size_t round8(size_t n)
{
    return (n + 7) & ~(size_t)7;
}

long nx_glyph_cache_init(struct nx_glyph_cache *c, void *mem, size_t size)
{
    if (!mem || (uintptr_t)mem % 8 || size < NX_GLYPH_CACHE_MIN_BYTES)
        return NX_ERR_INVALID;
    if (size > NX_GLYPH_CACHE_MAX_BYTES)
        return NX_ERR_TOO_BIG;
    size_t rest = size - NX_GLYPH_ARENA_BYTES;
    size_t nslots = rest / (sizeof(struct glyph_slot) + 2 * sizeof(int32_t) + POOL_PER_SLOT + 1);
    size_t nbuckets = 2;
    while (nbuckets < nslots)
        nbuckets *= 2;
    size_t head = round8(nslots * sizeof(struct glyph_slot)) + nbuckets * sizeof(int32_t);
    size_t ngranules = (rest - head) / GRANULE;   // less the bitmap's words, next
    size_t words = (ngranules + 63) / 64;
    ngranules = (rest - head - words * 8) / GRANULE;
    uint8_t *p = mem;
    *c = (struct nx_glyph_cache){
        .slots = (struct glyph_slot *)p,
        .buckets = (int32_t *)(p + round8(nslots * sizeof(struct glyph_slot))),
        .used_map = (uint64_t *)(p + head),
        .arena = p + head + words * 8,
        .pool = p + head + words * 8 + NX_GLYPH_ARENA_BYTES,
        .nslots = (uint32_t)nslots,
        .nbuckets = (uint32_t)nbuckets,
        .ngranules = (uint32_t)ngranules,
    };
    nx_glyph_cache_flush(c);
    return NX_OK;
}

void nx_glyph_cache_flush(struct nx_glyph_cache *c)
{
    for (uint32_t i = 0; i < c->nslots; i++)
        c->slots[i] = (struct glyph_slot){ .next = i + 1 < c->nslots ? (int32_t)i + 1 : -1 };
    for (uint32_t i = 0; i < c->nbuckets; i++)
        c->buckets[i] = -1;
    memset(c->used_map, 0, (c->ngranules + 63) / 64 * 8);
    c->free_slot = 0;
    c->hand = 0;
}

static bool granule_used(const struct nx_glyph_cache *c, uint32_t i)
{
    return c->used_map[i / 64] >> (i % 64) & 1;
}

static void mark_granules(struct nx_glyph_cache *c, uint32_t first, uint32_t n, bool used)
{
    for (uint32_t i = first; i < first + n; i++) {
        uint64_t bit = 1ull << (i % 64);
        c->used_map[i / 64] = used ? c->used_map[i / 64] | bit : c->used_map[i / 64] & ~bit;
    }
}

// The first run of n free granules; -1 when there is none.
static int64_t find_run(const struct nx_glyph_cache *c, uint32_t n)
{
    if (n == 0)
        return 0;   // a glyph without pixels (a space) takes no granule
    uint32_t run = 0;
    for (uint32_t i = 0; i < c->ngranules; i++) {
        if (i % 64 == 0 && c->used_map[i / 64] == ~0ull) {
            run = 0;
            i += 63;
            continue;
        }
        run = granule_used(c, i) ? 0 : run + 1;
        if (run == n)
            return (int64_t)i + 1 - n;
    }
    return -1;
}

static void unlink_slot(struct nx_glyph_cache *c, struct glyph_slot *s)
{
    int32_t idx = (int32_t)(s - c->slots);
    int32_t *link = &c->buckets[bucket_of(c, s->font, s->scale_bits, s->g.codepoint)];
    while (*link != idx)
        link = &c->slots[*link].next;
    *link = s->next;
}

static void release_slot(struct nx_glyph_cache *c, struct glyph_slot *s)
{
    mark_granules(c, s->granule, s->ngranules, false);
    *s = (struct glyph_slot){ .next = c->free_slot };
    c->free_slot = (int32_t)(s - c->slots);
}

// One pass of the clock: evicts the first slot in use not referenced since the hand last
// passed it. False when no slot is in use.
static bool evict_one(struct nx_glyph_cache *c)
{
    for (uint32_t step = 0; step < 2 * c->nslots; step++) {
        struct glyph_slot *s = &c->slots[c->hand];
        c->hand = (c->hand + 1) % c->nslots;
        if (!s->used)
            continue;
        if (s->referenced) {
            s->referenced = false;
            continue;
        }
        unlink_slot(c, s);
        release_slot(c, s);
        c->stats.evictions++;
        return true;
    }
    return false;
}

static struct glyph_slot *lookup(struct nx_glyph_cache *c, const struct nx_face *face,
                                 uint32_t sbits, uint32_t cp)
{
    for (int32_t i = c->buckets[bucket_of(c, face->font, sbits, cp)]; i >= 0;
         i = c->slots[i].next) {
        struct glyph_slot *s = &c->slots[i];
        if (s->g.codepoint == cp && s->font == face->font && s->scale_bits == sbits)
            return s;
    }
    return NULL;
}

// A free slot and a run of n free granules (evicting until both exist); the slot is taken
// off the free list and *granule set. False only if n can never fit.
static struct glyph_slot *make_room(struct nx_glyph_cache *c, uint32_t n, uint32_t *granule)
{
    while (c->free_slot < 0)
        if (!evict_one(c))
            return NULL;
    int64_t run;
    while ((run = find_run(c, n)) < 0)
        if (!evict_one(c))
            return NULL;
    struct glyph_slot *s = &c->slots[c->free_slot];
    c->free_slot = s->next;
    *granule = (uint32_t)run;
    return s;
}

static long insert(struct nx_glyph_cache *c, const struct nx_face *face, uint32_t sbits,
                   uint32_t cp, struct glyph_slot **out)
{
    struct gfx_glyph_box box;
    gfx_face_glyph(face, cp, &box);
    uint32_t w = (uint32_t)(box.x1 - box.x0), h = (uint32_t)(box.y1 - box.y0);
    if (w > NX_GLYPH_MAX_DIM || h > NX_GLYPH_MAX_DIM)
        return NX_ERR_TOO_BIG;
    uint32_t n = (w * h + GRANULE - 1) / GRANULE, granule;
    if (n > c->ngranules)
        return NX_ERR_TOO_BIG;
    struct glyph_slot *s = make_room(c, n, &granule);
    if (!s)
        return NX_ERR_TOO_BIG;
    uint8_t *bitmap = c->pool + (size_t)granule * GRANULE;
    mark_granules(c, granule, n, true);
    *s = (struct glyph_slot){
        .g = { cp, box.index, box.advance, (int16_t)box.x0, (int16_t)box.y0,
               (uint16_t)w, (uint16_t)h, n ? bitmap : NULL },
        .font = face->font, .scale_bits = sbits, .granule = granule, .ngranules = n,
    };
    long err = n ? gfx_face_raster(face, &box, bitmap, c->arena, NX_GLYPH_ARENA_BYTES) : NX_OK;
    if (err != NX_OK) {
        release_slot(c, s);
        return err;
    }
    uint32_t b = bucket_of(c, face->font, sbits, cp);
    s->next = c->buckets[b];
    c->buckets[b] = (int32_t)(s - c->slots);
    s->used = true;
    *out = s;
    return NX_OK;
}

long nx_glyph_get(struct nx_glyph_cache *c, const struct nx_face *face, uint32_t codepoint,
                  const struct nx_glyph **out)
{
    uint32_t sbits = gfx_scale_bits(face->scale);
    struct glyph_slot *s = lookup(c, face, sbits, codepoint);
    if (s) {
        c->stats.hits++;
        s->referenced = true;
    } else {
        c->stats.misses++;
        long err = insert(c, face, sbits, codepoint, &s);
        if (err != NX_OK)
            return err;
    }
    *out = &s->g;
    return NX_OK;
}
