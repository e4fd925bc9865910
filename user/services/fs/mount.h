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
    // Fill f's page cache (f->vmo, f->size) with the file's contents and set f->ino (and
    // f->dev_id if the driver reads into it). *copied += bytes the service copied.
    long (*load)(void *ctx, const char *rel, struct fb_file *f, uint64_t *copied);
    // The page cache is gone: undo what load set up.
    void (*unload)(void *ctx, struct fb_file *f);
    // Write f's page cache [0, f->size) back and make it and the size durable.
    long (*writeback)(void *ctx, struct fb_file *f, uint64_t *copied);
    long (*create)(void *ctx, const char *rel, uint32_t mode);
    long (*mkdir)(void *ctx, const char *rel);
    long (*remove)(void *ctx, const char *rel);   // a file or an empty directory
    long (*rename)(void *ctx, const char *from, const char *to);
    long (*sync)(void *ctx);
    void (*statfs)(void *ctx, struct nx_fs_statfs *sf);
};

// Append one nx_fs_dirent to out[*len..cap): NX_ERR_NO_SPACE if it does not fit.
long fs_dirent_put(uint8_t *out, size_t cap, size_t *len, const char *name, size_t namelen,
                   uint8_t type, uint32_t ino);

// The boot archive's mount over its mapping.
void bootmnt_init(struct fs_mount *m, const struct nx_bootfs *fs);

// Mount the ext2/ext3 disk behind the block service blk (replaying its journal); NX_OK, or
// an error with *why saying what failed.
long diskmnt_init(struct fs_mount *m, nx_handle_t blk, const char **why);
