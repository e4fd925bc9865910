#pragma once
// A mounted file system as the service sees it: the boot archive (bootmnt.c) or the ext2
// disk. Paths handed to a mount are relative to its root ("" is the root itself), already
// resolved and checked (nx/path.h). Operations a read-only mount lacks are NULL and answer
// NX_ERR_ACCESS.
#include <stddef.h>
#include <stdint.h>
#include <nexus/handle.h>
#include <nx/bootfs.h>
#include <nx/fs.h>

struct fs_mount {
    const char *name;   // for messages
    void *ctx;
    long (*stat)(void *ctx, const char *rel, struct nx_fs_stat *st);
    // Entries of a directory from index on, as nx_fs_dirent records in out[0..cap);
    // *len = bytes used; returns how many.
    long (*readdir)(void *ctx, const char *rel, uint32_t index, uint8_t *out, size_t cap,
                    size_t *len);
    // Fill vmo[0..size) with the file's contents; *copied += bytes the service copied.
    long (*fill)(void *ctx, const char *rel, nx_handle_t vmo, uint64_t size, uint64_t *copied);
    // Whether its files' page caches can be sealed (nothing ever changes them).
    int read_only;
};

// Append one nx_fs_dirent to out[*len..cap): NX_ERR_NO_SPACE if it does not fit.
long fs_dirent_put(uint8_t *out, size_t cap, size_t *len, const char *name, size_t namelen,
                   uint8_t type, uint32_t ino);

// The boot archive's mount over its mapping.
void bootmnt_init(struct fs_mount *m, const struct nx_bootfs *fs);
