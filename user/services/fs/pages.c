// The disk's page caches as a pager (pages.h). One thread: the service's loop answers the
// pager's requests between client calls, so the tables need no lock.
#include <string.h>
#include <nexus/errors.h>
#include <nx/nx.h>
#include "pages.h"

#define PAGE 4096ull
#define REQUEST_BIT 1u
// Pages the service keeps for itself (tables, VMO metadata, its heap) out of its budget.
#define RESERVE_PAGES 64
// Free pages kept beyond a request's: a writer's supplied zero page is committed only when
// written, after it is counted, and the ext2 library's tables grow too.
#define MARGIN_PAGES 64
#define HELD_MAX 4096    // supplied ranges remembered
#define MERGE_MAX 64     // pages one range grows to (the unit of eviction)

// Pages [first, first + count) of the paged VMO key, supplied and not decommitted.
struct held { uint64_t key; uint32_t first, count; };

static struct {
    nx_handle_t pager;
    uint64_t next_key;
    uint64_t pages;               // held, in all
    uint32_t n;                   // ranges[0..n), oldest first
    struct held ranges[HELD_MAX];
} cache;

long pages_init(nx_handle_t serve)
{
    long notif = nx_notification_create();
    long err = notif < 0 ? notif : nx_endpoint_bind(serve, notif);
    long pager = err ? err : nx_pager_create(notif, REQUEST_BIT);
    if (pager < 0)
        return pager;
    cache.pager = (nx_handle_t)pager;
    return NX_OK;
}

long pages_create(uint64_t capacity, uint64_t *key)
{
    *key = ++cache.next_key;
    return nx_vmo_create_paged(cache.pager, (long)capacity, *key);
}

long pages_budget(uint64_t *total, uint64_t *free)
{
    struct nx_process_info self;
    long err = nx_process_info(nx_self, &self);
    if (err)
        return err;
    *total = self.budget_pages > RESERVE_PAGES ? self.budget_pages - RESERVE_PAGES : 0;
    *free = *total > self.used_pages ? *total - self.used_pages : 0;
    return NX_OK;
}

static struct fb_file *file_of(struct fs_state *s, uint64_t key)
{
    for (int i = 0; i < FB_MAX_FILES; i++)
        if (s->files.files[i].used && s->files.files[i].key == key)
            return &s->files.files[i];
    return NULL;
}

static void forget_range(uint32_t i)
{
    cache.pages -= cache.ranges[i].count;
    memmove(&cache.ranges[i], &cache.ranges[i + 1], (cache.n - i - 1) * sizeof(cache.ranges[0]));
    cache.n--;
}

// ---- write-back

// Write the dirty pages of [first, first + n) of f back (the inode sized first, once: *sized).
static long flush_range(struct fb_file *f, uint64_t first, uint64_t n, bool *sized,
                        struct fs_mount *m)
{
    static uint8_t bits[NX_PAGER_DIRTY_MAX / 8];
    for (uint64_t at = first; at < first + n;) {
        uint64_t k = first + n - at < NX_PAGER_DIRTY_MAX ? first + n - at : NX_PAGER_DIRTY_MAX;
        memset(bits, 0, sizeof(bits));
        long dirty = nx_pager_dirty(f->vmo, (long)(at * PAGE), (long)(k * PAGE), bits);
        if (dirty < 0)
            return dirty;
        if (dirty && !*sized) {
            long err = m->resize(m->ctx, f);
            if (err)
                return err;
            *sized = true;
        }
        for (uint64_t i = 0; dirty && i < k;) {
            if (!(bits[i / 8] & (1u << (i % 8)))) {
                i++;
                continue;
            }
            uint64_t j = i;
            while (j < k && (bits[j / 8] & (1u << (j % 8))))
                j++;
            long err = m->write_pages(m->ctx, f, at + i, j - i);
            if (err)
                return err;
            i = j;
        }
        at += k;
    }
    return NX_OK;
}

long pages_writeback(struct fs_state *s, struct fb_file *f, bool commit)
{
    bool sized = false;
    for (uint32_t i = 0; i < cache.n; i++) {
        const struct held *h = &cache.ranges[i];
        long err = h->key == f->key ? flush_range(f, h->first, h->count, &sized, s->disk) : NX_OK;
        if (err)
            return err;
    }
    long err = sized || !commit ? NX_OK : s->disk->resize(s->disk->ctx, f);
    return err || !commit ? err : s->disk->commit(s->disk->ctx, f);
}

// ---- eviction

// Take range i back: write its dirty pages, decommit. A range written again meanwhile (or
// given to the device) stays: it goes to the back. NX_OK if it went.
static long evict(struct fs_state *s, uint32_t i)
{
    struct held h = cache.ranges[i];
    struct fb_file *f = file_of(s, h.key);
    bool sized = false;
    long err = f ? flush_range(f, h.first, h.count, &sized, s->disk) : NX_OK;
    if (!err && f)
        err = nx_pager_decommit(f->vmo, (long)(h.first * PAGE), (long)(h.count * PAGE));
    if (err) {
        forget_range(i);
        cache.ranges[cache.n++] = h;
        cache.pages += h.count;
        return err;
    }
    if (f)
        f->held -= h.count;
    forget_range(i);
    return NX_OK;
}

// The oldest range of key (0: of any file), or -1.
static long oldest(uint64_t key)
{
    for (uint32_t i = 0; i < cache.n; i++)
        if (!key || cache.ranges[i].key == key)
            return i;
    return -1;
}

// Room for n more pages of f. While pages are free, any file may take them (one file alone
// may fill the cache: a share enforced without pressure would make a sequential read of a
// file over half the cache miss on every page). Under pressure the fair-share rule picks
// what goes: a file holding more than half the cache evicts its own oldest pages; otherwise
// the oldest pages of any file go.
static long make_room(struct fs_state *s, struct fb_file *f, uint64_t n)
{
    for (uint32_t tries = 0; tries <= 2 * HELD_MAX; tries++) {
        uint64_t total, free;
        long err = pages_budget(&total, &free);
        if (err)
            return err;
        if (free >= n + MARGIN_PAGES && cache.n < HELD_MAX)
            return NX_OK;
        bool over_share = f->held && f->held + n > (cache.pages + free) / 2;
        long i = oldest(over_share ? f->key : 0);
        if (i < 0)
            i = oldest(0);
        // No page left to take back: the tables of cached files nobody has open (a paged
        // VMO's, 12 bytes a page of its capacity) are what holds the budget.
        if (i < 0 && fb_drop_idle(&s->files, f))
            continue;
        if (i < 0)
            return free >= n + MARGIN_PAGES ? NX_OK : NX_ERR_NO_MEMORY;
        evict(s, (uint32_t)i);
    }
    return NX_ERR_NO_MEMORY;
}

long pages_make_room(struct fs_state *s, uint64_t n)
{
    static struct fb_file nobody;   // holds nothing: only the oldest pages of any file go
    return make_room(s, &nobody, n);
}

// Remember pages [first, first + n) of f as held, growing the newest range if they follow it.
static void remember(struct fb_file *f, uint64_t first, uint64_t n)
{
    struct held *last = cache.n ? &cache.ranges[cache.n - 1] : NULL;
    f->held += (uint32_t)n;
    cache.pages += n;
    if (last && last->key == f->key && last->first + last->count == first &&
        last->count + n <= MERGE_MAX) {
        last->count += (uint32_t)n;
        return;
    }
    cache.ranges[cache.n++] = (struct held){ f->key, (uint32_t)first, (uint32_t)n };
}

static void serve_one(struct fs_state *s, const struct nx_pager_request *r)
{
    struct fb_file *f = file_of(s, r->key);
    if (!f)
        return;   // its file is gone, and the VMO's touchers fail at their deadline
    uint64_t first = r->offset / PAGE, n = r->length / PAGE;
    long err = make_room(s, f, n);
    if (!err)
        err = s->disk->fill(s->disk->ctx, f, first, n);
    if (err) {
        nx_pager_fail(f->vmo, (long)r->offset, (long)r->length, NX_ERR_IO);
        return;
    }
    remember(f, first, n);
    nx_pager_supply(f->vmo, (long)r->offset, (long)r->length);
}

void pages_serve(struct fs_state *s)
{
    struct nx_pager_request r;
    while (nx_pager_next(cache.pager, &r) == NX_OK)
        serve_one(s, &r);
}

// ---- shrinking and forgetting

static bool resident(uint64_t key, uint64_t page)
{
    for (uint32_t i = 0; i < cache.n; i++) {
        const struct held *h = &cache.ranges[i];
        if (h->key == key && page >= h->first && page < h->first + h->count)
            return true;
    }
    return false;
}

// Drop f's held pages from page `from` on: their writes are past the end, unwanted.
static long drop_from(struct fb_file *f, uint64_t from)
{
    static uint8_t bits[NX_PAGER_DIRTY_MAX / 8];
    for (uint32_t i = 0; i < cache.n;) {
        struct held *h = &cache.ranges[i];
        uint64_t start = h->first > from ? h->first : from, end = h->first + h->count;
        if (h->key != f->key || start >= end) {
            i++;
            continue;
        }
        for (uint64_t at = start; at < end; at += NX_PAGER_DIRTY_MAX) {
            uint64_t k = end - at < NX_PAGER_DIRTY_MAX ? end - at : NX_PAGER_DIRTY_MAX;
            nx_pager_dirty(f->vmo, (long)(at * PAGE), (long)(k * PAGE), bits);
        }
        long err = nx_pager_decommit(f->vmo, (long)(start * PAGE), (long)((end - start) * PAGE));
        if (err)
            return err;
        f->held -= (uint32_t)(end - start);
        cache.pages -= end - start;
        h->count = (uint32_t)(start - h->first);
        if (!h->count) {
            memmove(h, h + 1, (cache.n - i - 1) * sizeof(*h));
            cache.n--;
        } else {
            i++;
        }
    }
    return NX_OK;
}

long pages_shrink(struct fs_state *s, struct fb_file *f, uint64_t size)
{
    (void)s;
    static const uint8_t zeros[512];
    uint64_t keep = (size + PAGE - 1) / PAGE;
    long err = drop_from(f, keep);
    for (uint64_t off = size; !err && off % PAGE && resident(f->key, keep - 1);) {
        uint64_t k = PAGE - off % PAGE < sizeof(zeros) ? PAGE - off % PAGE : sizeof(zeros);
        err = nx_vmo_write(f->vmo, (long)off, zeros, (long)k);
        off += k;
    }
    if (err)
        return err;
    if (f->valid > size)
        f->valid = size;
    f->size = size;
    return NX_OK;
}

void pages_forget(struct fb_file *f)
{
    for (uint32_t i = 0; i < cache.n;) {
        if (cache.ranges[i].key == f->key)
            forget_range(i);
        else
            i++;
    }
    f->held = 0;
}
