#pragma once
// ext2 file system with the ext3 (jbd2) journal: a pure C library (user/lib/fs/), compiled
// into libnx for the fs service and unchanged for the host tests. The caller supplies the
// block device; the library owns a bounded block cache and the journal.
//
// Model: operations name inodes, not paths (the VFS walks paths and holds directory inodes as
// capabilities). Names are NUL-terminated, 1..255 bytes, no '/'; "." and ".." are looked up
// like any name but cannot be created, removed or renamed.
//
// Return values: 0 (or a byte count) on success, a negative enum ext2_err on failure.
// EXT2_E_CORRUPT means an on-disk value failed validation: the file system switches to
// read-only at once (nothing more is written) and stays so until unmounted.
//
// Durability (docs/storage.md, "File system"): every metadata change belongs to the running
// journal transaction; ext2_fsync/ext2_sync commit it (ordered mode: data blocks and the log
// flushed together, then the commit block, flushed), so when they return 0 everything done
// before is on the disk and survives a power cut. The library is not thread-safe: the caller
// serialises calls on one struct ext2_fs.
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define EXT2_ROOT_INO 2
#define EXT2_NAME_MAX 255

enum ext2_err {
    EXT2_OK = 0,
    EXT2_E_IO = -1,            // the device reported an error (the file system goes read-only)
    EXT2_E_CORRUPT = -2,       // on-disk metadata is invalid (the file system goes read-only)
    EXT2_E_UNSUPPORTED = -3,   // mount: an incompatible feature or layout
    EXT2_E_NOENT = -4,
    EXT2_E_EXIST = -5,
    EXT2_E_NOTDIR = -6,
    EXT2_E_ISDIR = -7,
    EXT2_E_NOTEMPTY = -8,
    EXT2_E_NOSPC = -9,         // no free block or inode (or the journal cannot hold the change)
    EXT2_E_ROFS = -10,
    EXT2_E_INVAL = -11,        // bad argument: name, offset, inode number, rename into itself
    EXT2_E_NAMETOOLONG = -12,
    EXT2_E_FBIG = -13,         // beyond the largest file the block size allows
    EXT2_E_MLINK = -14,        // link count would pass 65000
    EXT2_E_NOMEM = -15,
};

const char *ext2_strerror(int err);

// The block device, in 512-byte sectors. read/write/flush return 0 or a negative value
// (reported as EXT2_E_IO). flush returns once everything written before it is durable.
// A write may carry many blocks (the journal's log goes out in runs of up to 64 KiB).
struct ext2_blkdev {
    void *ctx;
    uint64_t sectors;
    int (*read)(void *ctx, uint64_t sector, uint32_t count, void *buf);
    int (*write)(void *ctx, uint64_t sector, uint32_t count, const void *buf);
    int (*flush)(void *ctx);
    uint32_t (*now)(void *ctx);   // seconds since 1970 for timestamps; NULL: always 0
};

struct ext2_mount_opts {
    uint32_t cache_blocks;   // block cache size in fs blocks (0: 256; at least 64)
    bool read_only;          // never write (no journal replay either: a dirty journal fails)
};

// File types and permission bits of ext2_stat.mode (the POSIX values).
#define EXT2_S_IFMT   0170000
#define EXT2_S_IFSOCK 0140000
#define EXT2_S_IFLNK  0120000
#define EXT2_S_IFREG  0100000
#define EXT2_S_IFBLK  0060000
#define EXT2_S_IFDIR  0040000
#define EXT2_S_IFCHR  0020000
#define EXT2_S_IFIFO  0010000
#define EXT2_S_PERM   07777

struct ext2_stat {
    uint32_t ino;
    uint16_t mode;       // type | permissions
    uint16_t nlink;
    uint32_t uid, gid;
    uint64_t size;
    uint64_t blocks;     // 512-byte units allocated (data, indirect and xattr blocks)
    uint32_t atime, mtime, ctime;
};

// Directory entry types (ext2_dirent.type), as stored with the filetype feature.
enum { EXT2_FT_UNKNOWN, EXT2_FT_REG, EXT2_FT_DIR, EXT2_FT_CHR, EXT2_FT_BLK, EXT2_FT_FIFO,
       EXT2_FT_SOCK, EXT2_FT_SYMLINK };

struct ext2_dirent {
    uint32_t ino;
    uint8_t type;
    uint8_t name_len;
    char name[EXT2_NAME_MAX + 1];   // NUL-terminated
};

struct ext2_statfs {
    uint32_t block_size;
    uint64_t blocks, free_blocks, reserved_blocks;
    uint32_t inodes, free_inodes;
    bool read_only;      // mounted read-only, or switched to it by an error
    int error;           // the error that made it read-only (0: none)
};

// What ext2_setattr changes: a mask of these bits.
enum { EXT2_SET_MODE = 1, EXT2_SET_UID = 2, EXT2_SET_GID = 4, EXT2_SET_ATIME = 8,
       EXT2_SET_MTIME = 16 };
struct ext2_attr {
    uint16_t mode;       // permission bits only (the type never changes)
    uint32_t uid, gid;
    uint32_t atime, mtime;
};

// Counters for benchmarks and the shell.
struct ext2_counters {
    uint64_t dev_reads, dev_writes, dev_flushes;   // calls to the device
    uint64_t cache_hits, cache_misses;
    uint64_t commits, journal_blocks;              // transactions and journal blocks written
    uint64_t checkpoints;                          // logged blocks written home, log emptied
    uint64_t bytes_copied;                         // by ext2_read/ext2_write between cache and caller
};

struct ext2_fs;

// Mount: validates the superblock and group descriptors, replays the journal if it holds
// committed transactions (recovery), and refuses incompatible features (EXT2_E_UNSUPPORTED);
// unknown read-only-compatible features mount read-only.
int ext2_mount(const struct ext2_blkdev *dev, const struct ext2_mount_opts *opts,
               struct ext2_fs **out);
// Commits, writes everything back, marks the file system clean and frees it (also on error).
int ext2_unmount(struct ext2_fs *fs);

int ext2_statfs(struct ext2_fs *fs, struct ext2_statfs *st);
void ext2_get_counters(const struct ext2_fs *fs, struct ext2_counters *c);
uint32_t ext2_block_size(const struct ext2_fs *fs);

int ext2_lookup(struct ext2_fs *fs, uint32_t dir, const char *name, uint32_t *ino);
int ext2_stat(struct ext2_fs *fs, uint32_t ino, struct ext2_stat *st);
int ext2_setattr(struct ext2_fs *fs, uint32_t ino, unsigned mask, const struct ext2_attr *a);

// One entry per call: fills *ent and advances *cookie (start at 0); returns 1, or 0 at the
// end. "." and ".." are returned like the others.
int ext2_readdir(struct ext2_fs *fs, uint32_t dir, uint64_t *cookie, struct ext2_dirent *ent);

// The entries from *cookie on, each handed to fn in turn (each directory block read once).
// fn returns EXT2_EACH_NEXT to go on, or a positive value to stop: EXT2_EACH_BEFORE leaves
// *cookie on this entry (the next call starts with it), any other past it. Returns the
// value fn stopped with, 0 at the end (*cookie past the last entry), or an error.
enum { EXT2_EACH_NEXT = 0, EXT2_EACH_STOP = 1, EXT2_EACH_BEFORE = 2 };
typedef int (*ext2_dirent_fn)(void *ctx, const struct ext2_dirent *ent);
int ext2_readdir_each(struct ext2_fs *fs, uint32_t dir, uint64_t *cookie, ext2_dirent_fn fn,
                      void *ctx);

// Byte I/O on regular files (symlinks and directories: EXT2_E_ISDIR / EXT2_E_INVAL).
// Return the bytes moved (read: short at end of file), or a negative error.
int64_t ext2_read(struct ext2_fs *fs, uint32_t ino, uint64_t off, void *buf, size_t len);
int64_t ext2_write(struct ext2_fs *fs, uint32_t ino, uint64_t off, const void *buf, size_t len);
// Sets the size: shrinking frees the blocks past it, growing leaves a hole (reads as zeros).
int ext2_truncate(struct ext2_fs *fs, uint32_t ino, uint64_t size);

// Maps a file block to its device block (in fs blocks), allocating it if alloc is set.
// *blk = 0: a hole (alloc false). For a caller that moves file data itself (DMA into its page
// cache): a new block is zeroed on the device before this returns, and the library keeps no
// cached copy of a block it mapped (nor of the block ext2_truncate cut), so the caller may
// write it at any time; it must write data before ext2_fsync for that to cover it (ordered
// mode), grow the size (ext2_truncate) before allocating past it, and not mix this with
// ext2_read/ext2_write on the same file.
int ext2_bmap(struct ext2_fs *fs, uint32_t ino, uint64_t file_block, bool alloc, uint64_t *blk);
// ext2_bmap allocating, for a caller that writes every block it gets whole: a new block is
// not zeroed (no write), only listed as unfilled until ext2_filled names it. A commit that
// comes first (a large transaction committing in a later call, or ext2_fsync before the
// caller wrote) zeroes every unfilled block before anything else, so no block with a deleted
// file's old bytes ever becomes part of a file; data written after that commit simply lands
// on the zeros.
int ext2_bmap_fill(struct ext2_fs *fs, uint32_t ino, uint64_t file_block, uint64_t *blk);
// ext2_bmap and ext2_bmap_fill over a run: the file blocks from file_block on, at most max
// of them, that lie on consecutive device blocks (or are all holes, when looking up): *blk
// the first (0: holes); returns how many (at least 1), or a negative error. A run ends where
// a table of pointers does (the inode's, an indirect block's: ask again for the next one), and
// where the blocks after it are taken or the free space ends. max 0: EXT2_E_INVAL.
enum ext2_map {
    EXT2_MAP_LOOKUP,   // holes stay holes
    EXT2_MAP_ALLOC,    // as ext2_bmap allocating: new blocks zeroed on the device
    EXT2_MAP_FILL,     // as ext2_bmap_fill: new blocks unfilled until ext2_filled
};
int ext2_bmap_run(struct ext2_fs *fs, uint32_t ino, uint64_t file_block, uint32_t max,
                  enum ext2_map how, uint64_t *blk);
// The caller's writes of device blocks [first, first + count) have completed. A caller that
// writes blocks itself says so here for every write (new blocks or not): ext2_fsync with no
// metadata change flushes the device only if something was written since the last flush.
void ext2_filled(struct ext2_fs *fs, uint64_t first, uint64_t count);

// Creation: mode holds permission bits only; *ino receives the new inode (may be NULL), or
// with EXT2_E_EXIST the inode the name already has.
int ext2_create(struct ext2_fs *fs, uint32_t dir, const char *name, uint16_t mode,
                uint32_t uid, uint32_t gid, uint32_t *ino);
int ext2_mkdir(struct ext2_fs *fs, uint32_t dir, const char *name, uint16_t mode,
               uint32_t uid, uint32_t gid, uint32_t *ino);
int ext2_symlink(struct ext2_fs *fs, uint32_t dir, const char *name, const char *target,
                 uint32_t uid, uint32_t gid, uint32_t *ino);
int ext2_link(struct ext2_fs *fs, uint32_t ino, uint32_t dir, const char *name);
// unlink refuses directories (EXT2_E_ISDIR); rmdir only takes empty ones. The inode is freed
// with its last link (the caller revokes open handles to it).
int ext2_unlink(struct ext2_fs *fs, uint32_t dir, const char *name);
int ext2_rmdir(struct ext2_fs *fs, uint32_t dir, const char *name);
// POSIX rename: replaces an existing target of a compatible type (an empty directory for a
// directory), refuses to move a directory under itself (EXT2_E_INVAL).
int ext2_rename(struct ext2_fs *fs, uint32_t odir, const char *oname, uint32_t ndir,
                const char *nname);
// Copies the target (not NUL-terminated) into buf; returns its length or a negative error.
int ext2_readlink(struct ext2_fs *fs, uint32_t ino, char *buf, size_t size);

// Durability: both commit the running transaction (see above); fsync is per file in name
// only: one transaction holds every change, so it makes everything before it durable. With
// nothing changed and nothing written since the last flush, fsync does no I/O at all. sync
// also checkpoints: every committed block is home and the log is empty when it returns.
int ext2_fsync(struct ext2_fs *fs, uint32_t ino);
int ext2_sync(struct ext2_fs *fs);
