#pragma once
// Test support for the ext2 library (user/lib/fs): a block device in memory with a power-cut
// model, image files in and out, and a walk over a whole tree.
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <nx/ext2.h>

// Every write a device was given (sector, count, bytes) and, for each flush, how many writes
// came before it: a workload's I/O, to be replayed in part (memdev_record).
struct iolog {
    struct logged_write { uint64_t sector; uint32_t count; uint8_t *data; } *w;
    size_t nw, capw;
    uint64_t *flush_at;    // flush_at[f] = writes issued before flush f
    size_t nf, capf;
};

// The disk image in memory. A power cut after `cut` writes, or instead of flush number
// `cut_flush` (counting from 0): later writes are dropped, and in `lose_unflushed` mode every
// write since the last completed flush is lost too, each one independently with probability
// 1/2 (a volatile write cache losing any subset), seeded. With `revertible`, every write is
// remembered until memdev_revert puts the old bytes back (a scratch mount of an image).
struct memdev {
    uint8_t *data;
    uint64_t size;
    uint64_t writes, flushes;
    uint64_t cut;          // UINT64_MAX: never
    uint64_t cut_flush;    // UINT64_MAX: never
    bool lose_unflushed;
    bool revertible;
    struct iolog *log;     // not NULL: every write and flush is recorded there
    uint32_t seed;
    bool cut_done;
    // Undo log of the writes since the last flush (lose_unflushed mode).
    struct undo { uint64_t sector; uint32_t count; uint8_t *old; } *undo;
    size_t nundo, capundo;
    uint32_t now;          // the clock the file system sees
};

void memdev_init(struct memdev *m, uint8_t *data, uint64_t size);
void memdev_free(struct memdev *m);
struct ext2_blkdev memdev_blkdev(struct memdev *m);
// Applies the cut if it has not happened yet (the power goes now).
void memdev_power_cut(struct memdev *m);
// Undoes every write since memdev_init (revertible mode), newest first.
void memdev_revert(struct memdev *m);
void iolog_free(struct iolog *log);

// Whole image files.
int image_load(const char *path, uint8_t **data, uint64_t *size);
int image_save(const char *path, const uint8_t *data, uint64_t size);

// Reads every directory, file (and its block map, in runs) and symlink under the root, as a
// client would (bounded depth and entry count). Returns the number of inodes visited, or a
// negative error.
long ext2_walk(struct ext2_fs *fs, int max_depth);

// ext2_walk, then changes (create, write, mkdir, rename, unlink, truncate, block runs
// allocated with ext2_bmap_run) and a sync, each allowed to fail: for corrupted images,
// which must only ever give errors.
void ext2_exercise(struct ext2_fs *fs);

// A small ext3 image (made with mke2fs at path: 3 MiB, 1 KiB blocks, a 1 MiB journal near
// the front) holding a few files, cut off by a power cut right after a commit, so its
// journal holds a transaction to replay. Returns 0 and the image in memory.
int ext2_dirty_image(const char *path, uint8_t **data, uint64_t *size);
