#pragma once
// The file system service's shared state: mounts, directory handles, filebuffers.
#include <stdbool.h>
#include <nx/rpc.h>
#include "fbuf.h"
#include "mount.h"

#define FS_MAX_DIRS 64   // directories with handles minted at once (ns.c reuses free ones)

struct fs_dir {
    bool used;
    uint32_t gen;                // in the badge, so a reused slot's badge never names it
    char root[NX_FS_PATH_MAX];   // canonical
    nx_handle_t minted;          // the service's copy; clients' are copied from it
};

struct fs_state {
    nx_handle_t serve;           // the endpoint (MANAGE: directory handles are minted on it)
    struct fs_mount boot;        // at /boot
    struct fs_mount *disk;       // at /, or NULL without a disk
    struct fs_dir dirs[FS_MAX_DIRS];
    struct fb_table files;
    uint64_t bytes_copied;       // by the service itself (cache fills)
};

// The canonical path a request's relative path names, seen through the caller's handle.
long fs_resolve(struct fs_state *s, uint64_t badge, const char *rel, char *out);

// The mount holding the canonical path, and the path relative to it; NULL (with
// NX_ERR_NOT_FOUND) if none does.
struct fs_mount *fs_mount_of(struct fs_state *s, const char *path, const char **rel);

// stat through the mounts; "/" is a directory whatever is mounted.
long fs_stat(struct fs_state *s, const char *path, struct nx_fs_stat *st);

// NX_FS_OPENDIR: mint a directory handle for the canonical directory path.
long fs_opendir(struct fs_state *s, const char *path, struct nx_rpc_handles *reply);
