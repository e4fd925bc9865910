#pragma once
// The page cache's policy (docs/storage.md, "The page cache"): which held pages go when the
// file system's budget runs short, and how far a sequential reader is read ahead. Pure
// tables, no system calls: pages.c asks the kernel which pages were touched and moves the
// pages, so the host tests (tests/host/test_cache.c) prove the rule under ASan.
//
// The ranges held (supplied, not decommitted) are kept least recently used first. While pages
// are free anyone may fill the cache. When room must be made, the candidate is:
//  1. the oldest range of a file nobody has open;
//  2. else, if a client holds more than its fair share, the oldest range of the client most
//     over it. A file's pages are charged evenly to the clients (badges) having it open; the
//     share is the cache over the clients holding pages (at least two: a client alone may
//     keep at most half before its own pages go first);
//  3. else the oldest range of all.
// The candidate gets a second chance (CLOCK): its pages touched since the last look go to the
// back, the others are evicted.
#include <stdbool.h>
#include <stdint.h>
#include "fbuf.h"

#define CACHE_HELD_MAX 4096   // ranges remembered
#define CACHE_MERGE_MAX 64    // pages one range grows to (the unit of eviction)
#define CACHE_AHEAD_MIN 8     // read-ahead window of a reader found sequential, in pages
#define CACHE_AHEAD_MAX 64    // the most it grows to

// Pages [first, first + count) of the paged VMO key.
struct cache_range { uint64_t key; uint32_t first, count; };

struct cache {
    struct fb_table *files;   // whose fb_file.held the cache keeps, and their opens
    uint64_t pages;           // held, in all
    uint32_t n;               // ranges[0..n), least recently used first
    struct cache_range ranges[CACHE_HELD_MAX];
};

// Pages [first, first + n) of the file key are held now, the most recently used: the newest
// range grows if they follow it (up to CACHE_MERGE_MAX). false (nothing changed) if the
// table is full.
bool cache_add(struct cache *c, uint64_t key, uint64_t first, uint64_t n);
// Range i is gone (evicted).
void cache_remove(struct cache *c, uint32_t i);
// Range i was used (or could not go): it becomes the most recent.
void cache_requeue(struct cache *c, uint32_t i);
// The range to look at when room must be made, given the cache's size in pages (held and
// free), or -1 if nothing is held.
long cache_victim(const struct cache *c, uint64_t size);
// Range i is looked at: bit j of touched (NULL: none) says its page first + j was touched
// since the last look. The touched pages go to the back, the others stay at i in runs:
// returns how many ranges from i on are now untouched, to evict. A range is split only while
// the table has room for its pieces; otherwise it goes to the back whole if any page of it
// was touched.
uint32_t cache_second_chance(struct cache *c, uint32_t i, const uint8_t *touched);
// Forget the pages of key from page `from` on (dropped: a shrink, or the file is gone).
void cache_trim(struct cache *c, uint64_t key, uint64_t from);
// Of pages [*first, end) of key: moves *first past the held ones it starts on and returns how
// many pages follow it that are not held (0: all held up to end).
uint64_t cache_gap(const struct cache *c, uint64_t key, uint64_t *first, uint64_t end);
// A request for pages [first, first + n) of f, whose pages end at page `end`: how many pages
// from first to supply (n, or up to the read-ahead window when the request continues where
// f's previous one ended, never past end).
uint64_t cache_window(struct fb_file *f, uint64_t first, uint64_t n, uint64_t end);
