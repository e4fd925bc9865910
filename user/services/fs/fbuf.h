#pragma once
// Filebuffer bookkeeping: which files have a page cache (a VMO the service holds) and who has
// them open. Pure tables, no system calls: handles are numbers here, and what must happen to
// one (revoke a client's copy, close the cache) is asked of a callback, so the host tests
// (tests/host/test_fbuf.c) run every path under ASan.
#include <stdbool.h>
#include <stdint.h>
#include <nx/fs.h>

#define FB_MAX_FILES 32   // cached files (open or not)
#define FB_MAX_OPENS 64   // opens across all clients

struct fb_file {
    bool used;
    char path[NX_FS_PATH_MAX];   // canonical: the cache's key
    uint32_t hash;               // of path (fbuf.c), compared first
    uint32_t vmo;                // the page cache, every right (the service's)
    uint64_t size;               // the file's size now
    uint64_t valid;              // the disk's blocks hold the file's bytes below this (paged)
    uint64_t on_disk;            // the size the disk's inode has (set by the mount's resize)
    uint64_t key;                // names a paged VMO in the pager's requests (0: not paged)
    uint32_t held;               // pages supplied and not decommitted (cache.c)
    uint64_t ahead_next;         // the page after the last supplied for a request (cache.c)
    uint32_t ahead_window;       // read-ahead window now, in pages (0: not sequential)
    uint64_t failed_end;         // pages below this past the end of the file were failed
    uint64_t capacity;           // bytes the VMO holds
    uint32_t opens;              // live opens of it
    bool dirty;                  // written through a mapping since the last write-back
    bool sealed;                 // immutable (boot archive): never written back
    uint32_t ino;                // the mount's name for the file (its inode)
    int32_t dev_id;              // the block driver's id of the VMO (-1: not attached)
};

struct fb_open {
    bool used;
    uint32_t gen;                // in the id, so a closed open's id never names a new one
    uint32_t badge;              // the client's: only it may use the id
    int file;                    // index in files
    bool write;                  // opened for writing
    uint32_t parent;             // the service's handle the client's VMO handle was copied
                                 // from: revoking it takes the client's away
};

// What to do with handles the tables let go of.
struct fb_ops {
    void (*revoke)(void *ctx, uint32_t parent);   // revoke and close an open's parent handle
    void (*release)(void *ctx, struct fb_file *f);  // close an evicted page cache
    // Is no client copy of parent left (closed, or its process ended)? NULL: never asked.
    bool (*orphaned)(void *ctx, uint32_t parent);
    void *ctx;
};

struct fb_table {
    struct fb_file files[FB_MAX_FILES];
    struct fb_open opens[FB_MAX_OPENS];
    struct fb_ops ops;
};

// The cached file with this path, or -1.
int fb_find(const struct fb_table *t, const char *path);

// Cache a file: its VMO (kept by the table), size and capacity. When every slot is taken, a
// file nobody has open (and not dirty) is evicted. Returns its index (the caller fills in ino
// and dev_id), or NX_ERR_NO_SPACE (all open).
long fb_add(struct fb_table *t, const char *path, uint32_t vmo, uint64_t size,
            uint64_t capacity, bool sealed);

// Drop the first cached file nobody has open and nobody wrote without a write-back, other
// than keep (its page cache released: its VMO's tables go back to the service's budget);
// false if there is none.
bool fb_drop_idle(struct fb_table *t, const struct fb_file *keep);

// Record an open of file by badge; parent as in struct fb_open. With every slot taken, an
// open whose client copy is gone (ops.orphaned: a client killed before it closed, which the
// service cannot tell apart by badge when it opened through a directory handle) is closed to
// make room. Returns the open's id (never 0) or NX_ERR_NO_SPACE.
long fb_open(struct fb_table *t, int file, uint32_t badge, bool write, uint32_t parent);

// The open with this id if badge made it, else NULL.
struct fb_open *fb_get(struct fb_table *t, uint64_t id, uint32_t badge);

// Forget an open (revoking its client's handle).
void fb_close(struct fb_table *t, struct fb_open *o);

// The file at path is gone (unlinked): revoke every open of it and drop its cache.
// Returns how many opens were revoked.
int fb_forget(struct fb_table *t, const char *path);

// The next open badge made, from slot *from on (advanced past it), or NULL.
struct fb_open *fb_next_of(struct fb_table *t, uint32_t badge, int *from);

// Renamed from -> to: the cached file (or, for a directory, every cached file below it)
// takes the new path. NX_ERR_TOO_BIG if a new path would not fit (nothing is changed).
long fb_rename(struct fb_table *t, const char *from, const char *to);
