// The disk's page caches as a pager (pages.h): the service's side of the kernel's pager
// protocol, with the policy (what to keep, how far to read ahead) in cache.c. One thread: the
// service's loop answers the pager's requests between client calls, so the tables need no
// lock.
#include <string.h>
#include <nexus/errors.h>
#include <nx/nx.h>
#include "cache.h"
#include "pages.h"

#define PAGE 4096ull
#define REQUEST_BIT 1u
#define SERVE_BATCH 16   // pager requests answered before a client's call gets its turn
// Pages the service keeps for itself (tables, VMO metadata, its heap) out of its budget.
#define RESERVE_PAGES 64
// Free pages kept beyond a request's: a writer's supplied zero page is committed only when
// written, after it is counted, and the ext2 library's tables grow too.
#define MARGIN_PAGES 64
// What a client touching a page cache the service let go of gets (pages_release).
#define RELEASED NX_ERR_PEER_CLOSED
// A touch at or past the end of the file (like SIGBUS): "past the end of the file".
#define PAST_END NX_ERR_NOT_FOUND

static struct {
    nx_handle_t pager;
    nx_handle_t notif;   // the pager signals it (bound to the service's endpoint)
    uint64_t next_key;
} pager;

static struct cache cache;

static uint64_t pages_in(uint64_t bytes)
{
    return (bytes + PAGE - 1) / PAGE;
}

long pages_init(struct fs_state *s)
{
    long notif = nx_notification_create();
    long err = notif < 0 ? notif : nx_endpoint_bind(s->serve, notif);
    long pg = err ? err : nx_pager_create(notif, REQUEST_BIT);
    if (pg < 0)
        return pg;
    pager.pager = (nx_handle_t)pg;
    pager.notif = (nx_handle_t)notif;
    cache.files = &s->files;
    return NX_OK;
}

long pages_create(uint64_t capacity, uint64_t *key)
{
    *key = ++pager.next_key;
    return nx_vmo_create_paged(pager.pager, (long)capacity, *key);
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
        const struct cache_range *h = &cache.ranges[i];
        long err = h->key == f->key ? flush_range(f, h->first, h->count, &sized, s->disk) : NX_OK;
        if (err)
            return err;
    }
    // Nothing written and the size unchanged: no new times, so nothing to commit (a close
    // after an fsync does no I/O).
    bool same = f->on_disk == f->size && f->valid >= f->size;
    long err = sized || !commit || same ? NX_OK : s->disk->resize(s->disk->ctx, f);
    return err || !commit ? err : s->disk->commit(s->disk->ctx, f);
}

// ---- eviction

// Take range i back: write its dirty pages, decommit. A range written again meanwhile (or
// given to the device) stays: it goes to the back.
static void evict(struct fs_state *s, uint32_t i)
{
    struct cache_range h = cache.ranges[i];
    struct fb_file *f = file_of(s, h.key);
    bool sized = false;
    long err = f ? flush_range(f, h.first, h.count, &sized, s->disk) : NX_OK;
    if (!err && f)
        err = nx_pager_decommit(f->vmo, (long)(h.first * PAGE), (long)(h.count * PAGE));
    if (err)
        cache_requeue(&cache, i);
    else
        cache_remove(&cache, i);
}

// Look at range i: its pages touched since the last look (the kernel's accessed bits) get a
// second chance, the others go. force: every page goes.
static void sweep(struct fs_state *s, uint32_t i, bool force)
{
    static uint8_t touched[CACHE_MERGE_MAX / 8];
    const struct cache_range *h = &cache.ranges[i];
    struct fb_file *f = file_of(s, h->key);
    memset(touched, 0, sizeof(touched));
    bool looked = !force && f &&
                  nx_pager_accessed(f->vmo, (long)(h->first * PAGE), (long)(h->count * PAGE),
                                    touched) >= 0;
    for (uint32_t k = cache_second_chance(&cache, i, looked ? touched : NULL); k; k--)
        evict(s, i);
}

// Room for n more pages (and one more range). While pages are free anyone may take them (a
// share enforced without pressure would make a sequential read of a file over half the
// cache miss on every page); under pressure cache.c's rule picks what goes. Each range held
// when the call began gets one look (one revolution of the clock), then candidates go
// whatever their use: readers that touch the whole cache between two looks (fast with the
// kernel's fault-around) once made a call look 4,096 times, past a client's 10 s deadline.
long pages_make_room(struct fs_state *s, const struct fb_file *keep, uint64_t n)
{
    uint32_t revolution = cache.n;
    for (uint32_t tries = 0; tries <= revolution + CACHE_HELD_MAX; tries++) {
        uint64_t total, free;
        long err = pages_budget(&total, &free);
        if (err)
            return err;
        if (free >= n + MARGIN_PAGES && cache.n < CACHE_HELD_MAX)
            return NX_OK;
        long i = cache_victim(&cache, cache.pages + free);
        // No page left to take back: what holds the budget is the tables of cached files
        // nobody has open; drop one (never keep, the file being served).
        if (i < 0 && fb_drop_idle(&s->files, keep))
            continue;
        if (i < 0)
            return free >= n + MARGIN_PAGES ? NX_OK : NX_ERR_NO_MEMORY;
        sweep(s, (uint32_t)i, tries >= revolution);
    }
    return NX_ERR_NO_MEMORY;
}

// ---- requests

// Bring pages [first, first + n) of f in (none of them held): read, supply, remember.
static long bring_in(struct fs_state *s, struct fb_file *f, uint64_t first, uint64_t n)
{
    long err = pages_make_room(s, f, n);
    if (!err)
        err = s->disk->fill(s->disk->ctx, f, first, n);
    if (!err)
        err = nx_pager_supply(f->vmo, (long)(first * PAGE), (long)(n * PAGE));
    // Room for the range was made above; were it not, the pages would stay, unevictable,
    // rather than be taken for held while absent (a touch would wait for nothing).
    if (!err)
        cache_add(&cache, f->key, first, n);
    return err;
}

// Pages [from, to) are at or past the end of f: their touches fail.
static void fail_past_end(struct fb_file *f, uint64_t from, uint64_t to)
{
    nx_pager_fail(f->vmo, (long)(from * PAGE), (long)((to - from) * PAGE), PAST_END);
    if (f->failed_end < to)
        f->failed_end = to;
}

// A request for pages [first, first + n) of f: those past the end fail, the rest come in with
// the read-ahead window after them. Pages held already (read ahead since the request was
// queued, and maybe written since) are skipped: reading the disk over them would lose writes.
// A disk error fails the request's pages; read ahead, it only ends the window.
static void serve_one(struct fs_state *s, const struct nx_pager_request *r)
{
    struct fb_file *f = file_of(s, r->key);
    if (!f)
        return;   // its file is gone, and pages_release failed the VMO's pages
    uint64_t first = r->offset / PAGE, n = r->length / PAGE, end = pages_in(f->size);
    if (first + n > end) {
        fail_past_end(f, first > end ? first : end, first + n);
        n = first < end ? end - first : 0;
    }
    uint64_t want = n ? cache_window(f, first, n, end) : 0;
    for (uint64_t at = first, k; (k = cache_gap(&cache, f->key, &at, first + want)); at += k) {
        k = k < CACHE_MERGE_MAX ? k : CACHE_MERGE_MAX;
        long err = bring_in(s, f, at, k);
        if (err && at < first + n)
            nx_pager_fail(f->vmo, (long)(at * PAGE), (long)((first + n - at) * PAGE), NX_ERR_IO);
        if (err)
            return;
    }
}

void pages_serve(struct fs_state *s)
{
    struct nx_pager_request r;
    for (unsigned i = 0; i < SERVE_BATCH; i++) {
        if (nx_pager_next(pager.pager, &r) != NX_OK)
            return;
        serve_one(s, &r);
    }
    // Readers faulting as fast as they are served would keep the service here for good, and
    // a client's call waiting (the kernel alternates signals and messages): come back later.
    nx_notify_signal(pager.notif, REQUEST_BIT);
}

// ---- size changes and letting go

// Drop f's held pages from page `from` on: their writes are past the end, unwanted.
static long drop_from(struct fb_file *f, uint64_t from)
{
    static uint8_t bits[NX_PAGER_DIRTY_MAX / 8];
    long err = NX_OK;
    for (uint32_t i = 0; i < cache.n; i++) {
        const struct cache_range *h = &cache.ranges[i];
        uint64_t start = h->first > from ? h->first : from, end = (uint64_t)h->first + h->count;
        if (h->key != f->key || start >= end)
            continue;
        nx_pager_dirty(f->vmo, (long)(start * PAGE), (long)((end - start) * PAGE), bits);
        long e = nx_pager_decommit(f->vmo, (long)(start * PAGE), (long)((end - start) * PAGE));
        err = err ? err : e;
    }
    cache_trim(&cache, f->key, from);   // even after an error: a page forgotten stays, unused
    return err;
}

static bool held(uint64_t key, uint64_t page)
{
    return cache_gap(&cache, key, &page, page + 1) == 0;
}

long pages_shrink(struct fs_state *s, struct fb_file *f, uint64_t size)
{
    (void)s;
    static const uint8_t zeros[512];
    long err = drop_from(f, pages_in(size));
    for (uint64_t off = size; !err && off % PAGE && held(f->key, off / PAGE);) {
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

long pages_grow(struct fb_file *f, uint64_t size)
{
    uint64_t from = pages_in(f->size), to = pages_in(size);
    to = to < f->failed_end ? to : f->failed_end;
    long err = to > from ? nx_pager_decommit(f->vmo, (long)(from * PAGE), (long)((to - from) * PAGE))
                         : NX_OK;
    if (!err)
        f->size = size;
    return err;
}

// The pages held stay for the mappings made before (the kernel keeps a mapped VMO alive);
// the file's others fail at once instead of at the kernel's deadline. Not those past the
// end (a writer's room to grow): failing them costs the kernel's unmapping walk over the
// whole capacity, 52,000 instructions a file in make bench's small files (+0.6%), for
// touches past the end of a file nobody has open.
void pages_release(struct fb_file *f)
{
    uint64_t end = pages_in(f->size);
    for (uint64_t at = 0, k; (k = cache_gap(&cache, f->key, &at, end)); at += k)
        nx_pager_fail(f->vmo, (long)(at * PAGE), (long)(k * PAGE), RELEASED);
    cache_trim(&cache, f->key, 0);
}
