// The page cache's policy (cache.h). Linear scans over the ranges: they run only when room
// must be made or a request comes in, next to a disk transfer each.
#include <string.h>
#include "cache.h"

static struct fb_file *file_of(const struct cache *c, uint64_t key)
{
    for (int i = 0; i < FB_MAX_FILES; i++)
        if (c->files->files[i].used && c->files->files[i].key == key)
            return &c->files->files[i];
    return NULL;
}

static void count_held(struct cache *c, uint64_t key, int64_t n)
{
    struct fb_file *f = file_of(c, key);
    if (f)
        f->held = (uint32_t)((int64_t)f->held + n);
    c->pages = (uint64_t)((int64_t)c->pages + n);
}

bool cache_add(struct cache *c, uint64_t key, uint64_t first, uint64_t n)
{
    struct cache_range *last = c->n ? &c->ranges[c->n - 1] : NULL;
    if (last && last->key == key && last->first + last->count == first &&
        last->count + n <= CACHE_MERGE_MAX) {
        last->count += (uint32_t)n;
        count_held(c, key, (int64_t)n);
        return true;
    }
    if ((n + CACHE_MERGE_MAX - 1) / CACHE_MERGE_MAX > CACHE_HELD_MAX - c->n)
        return false;
    count_held(c, key, (int64_t)n);
    for (uint64_t k; n; first += k, n -= k) {
        k = n < CACHE_MERGE_MAX ? n : CACHE_MERGE_MAX;
        c->ranges[c->n++] = (struct cache_range){ key, (uint32_t)first, (uint32_t)k };
    }
    return true;
}

static void unlink_range(struct cache *c, uint32_t i)
{
    memmove(&c->ranges[i], &c->ranges[i + 1], (c->n - i - 1) * sizeof(c->ranges[0]));
    c->n--;
}

void cache_remove(struct cache *c, uint32_t i)
{
    count_held(c, c->ranges[i].key, -(int64_t)c->ranges[i].count);
    unlink_range(c, i);
}

void cache_requeue(struct cache *c, uint32_t i)
{
    struct cache_range r = c->ranges[i];
    unlink_range(c, i);
    c->ranges[c->n++] = r;
}

// ---- the victim

// The files a set of opens names, as keys (those of files holding pages, or all).
struct keys { uint32_t n; uint64_t key[FB_MAX_FILES]; };

static bool has_key(const struct keys *k, uint64_t key)
{
    for (uint32_t i = 0; i < k->n; i++)
        if (k->key[i] == key)
            return true;
    return false;
}

static void add_key(struct keys *k, uint64_t key)
{
    if (!has_key(k, key))
        k->key[k->n++] = key;
}

// The keys of the files the client badge has open (every client: badge_all).
static void open_keys(const struct fb_table *t, bool badge_all, uint32_t badge, struct keys *k)
{
    k->n = 0;
    for (int i = 0; i < FB_MAX_OPENS; i++) {
        const struct fb_open *o = &t->opens[i];
        if (o->used && (badge_all || o->badge == badge))
            add_key(k, t->files[o->file].key);
    }
}

// The oldest range whose file is in k (in: true) or not in it (in: false), or -1.
static long oldest(const struct cache *c, const struct keys *k, bool in)
{
    for (uint32_t i = 0; i < c->n; i++)
        if (has_key(k, c->ranges[i].key) == in)
            return i;
    return -1;
}

struct clients {
    uint32_t n;
    uint32_t badge[FB_MAX_OPENS];
    uint64_t charge[FB_MAX_OPENS];   // pages
};

static uint32_t client_slot(struct clients *cl, uint32_t badge)
{
    for (uint32_t i = 0; i < cl->n; i++)
        if (cl->badge[i] == badge)
            return i;
    cl->badge[cl->n] = badge;
    cl->charge[cl->n] = 0;
    return cl->n++;
}

// Charge file f's pages evenly to the distinct clients having it open.
static void charge_file(const struct fb_table *t, int f, struct clients *cl)
{
    uint32_t badges[FB_MAX_OPENS], n = 0;
    for (int i = 0; i < FB_MAX_OPENS; i++) {
        const struct fb_open *o = &t->opens[i];
        bool seen = false;
        for (uint32_t j = 0; o->used && o->file == f && j < n; j++)
            seen |= badges[j] == o->badge;
        if (o->used && o->file == f && !seen)
            badges[n++] = o->badge;
    }
    for (uint32_t j = 0; j < n; j++)
        cl->charge[client_slot(cl, badges[j])] += t->files[f].held / n;
}

// The client most over its share of a cache of size pages; false if none is over.
static bool most_over(const struct fb_table *t, uint64_t size, uint32_t *badge)
{
    struct clients cl = { 0 };
    for (int f = 0; f < FB_MAX_FILES; f++)
        if (t->files[f].used && t->files[f].held)
            charge_file(t, f, &cl);
    uint64_t share = size / (cl.n > 2 ? cl.n : 2), worst = share;
    bool over = false;
    for (uint32_t i = 0; i < cl.n; i++) {
        if (cl.charge[i] > worst) {
            worst = cl.charge[i];
            *badge = cl.badge[i];
            over = true;
        }
    }
    return over;
}

long cache_victim(const struct cache *c, uint64_t size)
{
    struct keys k;
    open_keys(c->files, true, 0, &k);
    long i = oldest(c, &k, false);
    if (i >= 0 || !c->n)
        return i;
    uint32_t badge;
    if (most_over(c->files, size, &badge)) {
        open_keys(c->files, false, badge, &k);
        i = oldest(c, &k, true);
    }
    return i >= 0 ? i : 0;
}

// ---- second chance

// Runs of pages of r alike in touched: up to CACHE_MERGE_MAX / 2 of each kind.
struct runs { uint32_t n; struct cache_range r[CACHE_MERGE_MAX / 2]; };

static bool bit(const uint8_t *bits, uint32_t j)
{
    return bits[j / 8] & (1u << (j % 8));
}

static void split(const struct cache_range *r, const uint8_t *touched, struct runs *hot,
                  struct runs *cold)
{
    hot->n = cold->n = 0;
    for (uint32_t j = 0; j < r->count;) {
        bool t = bit(touched, j);
        uint32_t e = j;
        while (e < r->count && bit(touched, e) == t)
            e++;
        struct runs *to = t ? hot : cold;
        to->r[to->n++] = (struct cache_range){ r->key, r->first + j, e - j };
        j = e;
    }
}

uint32_t cache_second_chance(struct cache *c, uint32_t i, const uint8_t *touched)
{
    struct runs hot, cold;
    if (!touched)
        return 1;
    split(&c->ranges[i], touched, &hot, &cold);
    if (!hot.n)
        return 1;
    if (!cold.n || c->n - 1 + hot.n + cold.n > CACHE_HELD_MAX) {
        cache_requeue(c, i);
        return 0;
    }
    unlink_range(c, i);
    memmove(&c->ranges[i + cold.n], &c->ranges[i], (c->n - i) * sizeof(c->ranges[0]));
    memcpy(&c->ranges[i], cold.r, cold.n * sizeof(cold.r[0]));
    memcpy(&c->ranges[c->n + cold.n], hot.r, hot.n * sizeof(hot.r[0]));
    c->n += cold.n + hot.n;
    return cold.n;
}

// ---- dropping, looking up

void cache_trim(struct cache *c, uint64_t key, uint64_t from)
{
    for (uint32_t i = 0; i < c->n;) {
        struct cache_range *r = &c->ranges[i];
        uint64_t end = (uint64_t)r->first + r->count;
        if (r->key != key || end <= from) {
            i++;
        } else if (r->first >= from) {
            cache_remove(c, i);
        } else {
            count_held(c, key, -(int64_t)(end - from));
            r->count = (uint32_t)(from - r->first);
            i++;
        }
    }
}

// The held range of key holding page, or NULL.
static const struct cache_range *holding(const struct cache *c, uint64_t key, uint64_t page)
{
    for (uint32_t i = 0; i < c->n; i++) {
        const struct cache_range *r = &c->ranges[i];
        if (r->key == key && page >= r->first && page < (uint64_t)r->first + r->count)
            return r;
    }
    return NULL;
}

uint64_t cache_gap(const struct cache *c, uint64_t key, uint64_t *first, uint64_t end)
{
    for (const struct cache_range *r; *first < end && (r = holding(c, key, *first));)
        *first = (uint64_t)r->first + r->count;
    if (*first >= end)
        return 0;
    uint64_t next = end;
    for (uint32_t i = 0; i < c->n; i++)
        if (c->ranges[i].key == key && c->ranges[i].first > *first && c->ranges[i].first < next)
            next = c->ranges[i].first;
    return next - *first;
}

// ---- read-ahead

uint64_t cache_window(struct fb_file *f, uint64_t first, uint64_t n, uint64_t end)
{
    uint32_t w = 0;
    if (first == f->ahead_next)
        w = f->ahead_window * 2 < CACHE_AHEAD_MIN ? CACHE_AHEAD_MIN
          : f->ahead_window * 2 > CACHE_AHEAD_MAX ? CACHE_AHEAD_MAX : f->ahead_window * 2;
    f->ahead_window = w;
    uint64_t want = n > w ? n : w;
    want = first >= end ? 0 : want > end - first ? end - first : want;
    f->ahead_next = first + want;
    return want;
}
