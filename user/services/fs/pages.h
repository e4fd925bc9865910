#pragma once
// The disk's page caches as a pager (docs/storage.md, "The page cache"). Each disk file's
// filebuffer is a paged VMO: a client's first touch of a page asks the service, which reads
// its blocks by DMA straight into the page (and, for a sequential reader, the pages after it)
// and supplies it. When the service's budget runs short, cache.c's rule picks the pages that
// go (their dirty pages written back, in ordered mode, then decommitted): least recently used
// first, with a fair share per client. A touch at or past the end of the file fails.
#include <stdbool.h>
#include <stdint.h>
#include "fs.h"

// A pager whose requests wake the service's loop through s->serve (bound notification).
long pages_init(struct fs_state *s);
// A paged VMO of capacity bytes, named by the new *key (stored in its fb_file).
long pages_create(uint64_t capacity, uint64_t *key);
// Evict pages until n pages more are free (for a new page cache's tables, or pages coming
// in), as a last resort dropping cached files nobody has open, never keep (may be NULL).
long pages_make_room(struct fs_state *s, const struct fb_file *keep, uint64_t n);
// Answer every pending request (the loop's notification fired).
void pages_serve(struct fs_state *s);
// Write f's dirty pages back and give the inode f's size; commit: make it durable.
long pages_writeback(struct fs_state *s, struct fb_file *f, bool commit);
// f shrinks to size: its pages past it are dropped (their writes with them; a touch of them
// fails from then on) and the bytes past it in its last page read as zeros.
long pages_shrink(struct fs_state *s, struct fb_file *f, uint64_t size);
// f grows to size: its pages up to it that failed past the old end read as zeros again.
long pages_grow(struct fb_file *f, uint64_t size);
// f's page cache is going: its pages fail for whoever still maps it, and are forgotten.
void pages_release(struct fb_file *f);
// The cache's pages (the service's budget less a reserve) and those free now.
long pages_budget(uint64_t *total, uint64_t *free);
