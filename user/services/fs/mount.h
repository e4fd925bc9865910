#pragma once
// A mounted file system as the service sees it: the boot archive (bootmnt.c) or the ext2
// disk (diskmnt.c). Paths handed to a mount are relative to its root ("" is the root itself),
// already resolved and checked (nx/path.h). Operations a read-only mount lacks are NULL and
// answer NX_ERR_ACCESS.
#include <stddef.h>
#include <stdint.h>
#include <nexus/handle.h>
#include <nx/bootfs.h>
#include <nx/fs.h>
#include "fbuf.h"

struct fs_mount {
    const char *name;   // for messages
    void *ctx;
    bool read_only;     // its files' page caches are sealed (nothing ever changes them)
    long (*stat)(void *ctx, const char *rel, struct nx_fs_stat *st);
    // Entries of a directory from index on, as nx_fs_dirent records in out[0..cap);
    // *len = bytes used; returns how many.
    long (*readdir)(void *ctx, const char *rel, uint32_t index, uint8_t *out, size_t cap,
                    size_t *len);
    // Set up f's page cache for the file at rel (f->ino: its stat's ino). A read-only mount
    // fills it whole (f->vmo, f->size; *copied += bytes the service copied); a writable one
    // (paged: fill set) attaches it to the driver (f->dev_id) and leaves the pages to fill.
    long (*load)(void *ctx, const char *rel, struct fb_file *f, uint64_t *copied);
    // The page cache is gone: undo what load set up.
    void (*unload)(void *ctx, struct fb_file *f);
    // Paged page caches (NULL for the boot archive). Read pages [first, first + n) of f from
    // the disk into its VMO: the bytes below f->valid; the rest of their blocks reads zeros.
    long (*fill)(void *ctx, struct fb_file *f, uint64_t first, uint64_t n);
    // Give the inode f's size, dropping the blocks at and past f->valid first (stale since a
    // shrink), before pages are written.
    long (*resize)(void *ctx, struct fb_file *f);
    // Write pages [first, first + n) of f (the part below f->size) to the disk, allocating
    // what is missing; durable at the next commit (ordered: the data goes first).
    long (*write_pages)(void *ctx, struct fb_file *f, uint64_t first, uint64_t n);
    // Make what was written of f and its size durable.
    long (*commit)(void *ctx, struct fb_file *f);
    // The file rel, made (mode: its permission bits) unless it exists: its stat in *st;
    // NX_ERR_BAD_STATE if it exists and excl.
    long (*create)(void *ctx, const char *rel, uint32_t mode, bool excl, struct nx_fs_stat *st);
    long (*mkdir)(void *ctx, const char *rel);
    long (*remove)(void *ctx, const char *rel);   // a file or an empty directory
    long (*rename)(void *ctx, const char *from, const char *to);
    long (*sync)(void *ctx);
    void (*statfs)(void *ctx, struct nx_fs_statfs *sf);
    uint64_t (*free_bytes)(void *ctx);   // what statfs says is free, without the driver's figures
};

// Append one nx_fs_dirent to out[*len..cap): NX_ERR_NO_SPACE if it does not fit.
long fs_dirent_put(uint8_t *out, size_t cap, size_t *len, const char *name, size_t namelen,
                   uint8_t type, uint32_t ino);

// The boot archive's mount over its mapping.
void bootmnt_init(struct fs_mount *m, const struct nx_bootfs *fs);

// Mount the ext2/ext3 disk behind the block service blk (replaying its journal); NX_OK, or
// an error with *why saying what failed.
long diskmnt_init(struct fs_mount *m, nx_handle_t blk, const char **why);
