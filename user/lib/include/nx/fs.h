#pragma once
// The file system service's protocol (user/services/fs; docs/storage.md). One service is
// both the VFS and the file system: it joins the boot archive, read-only at /boot, and the
// ext2/ext3 disk at / behind one endpoint. Every operation follows nx/rpc.h.
//
// Namespaces. Whom a request speaks for is the badge of the handle it came through:
//   - a process badge from init (bit 31 clear: the manifest's `fs` grant) sees the whole tree;
//   - a directory badge (bit 31 set, NX_FS_DIR_BADGE) is a directory handle the service
//     minted (NX_FS_OPENDIR, or init's `dir:PATH` grant): it sees that directory and what is
//     below it, nothing else.
// Paths in requests are always relative to the handle's directory: a leading '/' is refused,
// and so is a '..' that would climb above it (NX_ERR_ACCESS). libnx turns a program's
// absolute paths into (handle, relative path) with the handles it was granted (nx/file.h).
//
// Filebuffers. NX_FS_OPEN replies with a VMO handle: the file's page cache inside the
// service. The client maps it and reads (and, if opened for writing, writes) the file as
// memory; nothing is copied on the way. A read-only open gets READ|MAP (no WRITE, so no
// mapping of it can ever be writable: the "sealed view"); files of the boot archive are
// really sealed VMOs. Writes reach the disk at NX_FS_FSYNC or NX_FS_CLOSE; NX_FS_RESIZE
// changes the size. Deleting the file, or closing it, revokes the client's VMO handle
// (nx_handle_revoke on the service's handle it was copied from): mappings made before stay
// (the kernel keeps a mapping's VMO alive), new ones cannot be made.
#include <stdint.h>
#include <nexus/handle.h>

#define NX_FS_DIR_BADGE 0x80000000u   // set in the badge of every directory handle
#define NX_FS_PATH_MAX 256            // a path in a request, NUL included
#define NX_FS_NAME_MAX 255            // one component
#define NX_FS_BOOT "boot"             // where the boot archive is mounted (below the root)

// Open flags (nx_fs_open.flags); the access mode is the low two bits, as in POSIX.
#define NX_FS_RDONLY 0u
#define NX_FS_WRONLY 1u
#define NX_FS_RDWR 2u
#define NX_FS_ACCMODE 3u
#define NX_FS_CREATE (1u << 3)
#define NX_FS_EXCL (1u << 4)
#define NX_FS_TRUNC (1u << 5)

// File types (nx_fs_stat.mode & NX_FS_S_IFMT), as in ext2 and POSIX.
#define NX_FS_S_IFMT 0170000u
#define NX_FS_S_IFDIR 0040000u
#define NX_FS_S_IFREG 0100000u
#define NX_FS_S_IFLNK 0120000u

enum {
    // bytes: struct nx_fs_open then the path, NUL-terminated. Reply: struct nx_fs_open_rep
    // and 1 handle: the filebuffer VMO (READ|MAP, and WRITE when opened for writing).
    // Errors: NOT_FOUND, ACCESS (path escapes, read-only mount), BAD_STATE (a directory, or
    // EXCL and it exists), NO_SPACE (open-file table full), TOO_BIG.
    NX_FS_OPEN = 0x46000001,
    // bytes: struct nx_fs_file. Write the open's dirty pages back and forget it; its VMO
    // handle is revoked.
    NX_FS_CLOSE = 0x46000002,
    // bytes: struct nx_fs_file. The file's data and metadata are durable when it returns.
    NX_FS_FSYNC = 0x46000003,
    // bytes: struct nx_fs_resize. New size (at most the open's capacity: NX_ERR_TOO_BIG).
    NX_FS_RESIZE = 0x46000004,
    // bytes: the path. Reply: struct nx_fs_stat.
    NX_FS_STAT = 0x46000005,
    // bytes: struct nx_fs_readdir then the path. Reply: struct nx_fs_dirent records back to
    // back (each padded to 8 bytes), entries from index on; status = how many.
    NX_FS_READDIR = 0x46000006,
    // bytes: the path. Errors: BAD_STATE (exists), NOT_FOUND (parent missing).
    NX_FS_MKDIR = 0x46000007,
    // bytes: the path. Removes a file or an empty directory; every open of it is revoked.
    NX_FS_UNLINK = 0x46000008,
    // bytes: the old path, NUL, the new path, NUL.
    NX_FS_RENAME = 0x46000009,
    // bytes: the path of a directory. Reply: 1 handle, a directory handle for it (SIGNAL,
    // TRANSFER): a namespace that sees only that directory.
    NX_FS_OPENDIR = 0x4600000a,
    // Reply: struct nx_fs_statfs.
    NX_FS_STATFS = 0x4600000b,
    // Everything written so far is durable when it returns.
    NX_FS_SYNC = 0x4600000c,
    // init only. bytes: struct nx_badge_req (nx/services.h): the process with this badge
    // ended; the opens it made through its `fs` handle are closed (a writer's written back).
    // Status: how many. Opens made through a directory handle belong to that handle's
    // holders, who share its badge, and stay.
    NX_FS_DISCONNECT = 0x4600000d,
};

struct nx_fs_open {
    uint32_t flags;      // NX_FS_RDONLY... | NX_FS_CREATE...
    uint32_t mode;       // permission bits of a created file
};

struct nx_fs_open_rep {
    uint64_t file;       // the open's id in later calls
    uint64_t size;       // bytes in the file now
    uint64_t capacity;   // bytes the VMO holds: the file may grow to this (NX_FS_RESIZE)
};

struct nx_fs_file {
    uint64_t file;
};

struct nx_fs_resize {
    uint64_t file;
    uint64_t size;
};

struct nx_fs_stat {
    uint64_t ino;
    uint64_t size;
    uint64_t mtime;      // seconds since 1970
    uint32_t mode;       // type | permission bits
    uint32_t nlink;
    uint32_t uid, gid;
};

struct nx_fs_readdir {
    uint32_t index;
};

struct nx_fs_dirent {
    uint16_t reclen;     // bytes of this record, a multiple of 8
    uint8_t type;        // NX_FS_DT_*
    uint8_t namelen;
    uint32_t ino;
    char name[];         // namelen bytes, NUL-terminated
};

#define NX_FS_DT_REG 1
#define NX_FS_DT_DIR 2
#define NX_FS_DT_LNK 7

struct nx_fs_statfs {
    uint64_t block_size;
    uint64_t blocks, blocks_free;
    uint64_t inodes, inodes_free;
    uint64_t fs_bytes_copied;       // file bytes the service copied (boot archive files into
                                    // their page cache; disk files come by DMA: 0)
    uint64_t metadata_bytes_copied; // disk metadata the service copied (bounce VMO <-> the
                                    // ext2 library's block cache)
    uint64_t driver_bytes_copied;   // bytes the block driver copied (0 with DMA)
    uint64_t open_files;
    uint64_t cache_bytes;           // the page cache's budget: every open file's whole cache
                                    // must fit in it, whatever the disk has free
    uint64_t cache_free_bytes;      // what of it is not in use now
};
