#pragma once
// Internals of the ext2/ext3 library (user/lib/fs/): on-disk layouts, the mounted file
// system, and the functions the files share. Public API: nx/ext2.h.
//
// Files: cache.c (block cache, device I/O), journal.c (transactions, commit, recovery),
// super.c (mount, validation, bitmaps and allocation), inode.c (inodes, block map,
// truncate), dir.c (directory entries), ops.c (the public operations).
//
// On-disk structures are copied in and out with memcpy, never accessed in place, so block
// buffers need no alignment and the compiler no aliasing licence. ext2 is little-endian like
// both targets; the jbd2 journal is big-endian (be32 helpers).
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <nx/ext2.h>

_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "ext2 fields are read as host order");

#define EXT2_MAGIC          0xEF53
#define EXT2_SB_OFFSET      1024
#define EXT2_GOOD_OLD_ISIZE 128
#define EXT2_NDIR           12          // direct block pointers in an inode
#define EXT2_IND            12          // i_block[] index of the single indirect block
#define EXT2_NBLOCKS        15
#define EXT2_FAST_LINK_MAX  60          // a shorter target lives in i_block[]
#define EXT2_JOURNAL_INO    8
#define EXT2_LINK_MAX       65000

// Feature bits (superblock). Supported for writing: see super.c.
#define COMPAT_HAS_JOURNAL    0x0004
#define INCOMPAT_FILETYPE     0x0002
#define INCOMPAT_RECOVER      0x0004
#define INCOMPAT_FLEX_BG      0x0200
#define RO_COMPAT_SPARSE      0x0001
#define RO_COMPAT_LARGE_FILE  0x0002
#define EXT2_INDEX_FL         0x00001000   // htree directory (read as linear, cleared on change)
#define EXT2_VALID_FS         0x0001

struct ext2_super {
    uint32_t inodes_count, blocks_count, r_blocks_count, free_blocks_count;
    uint32_t free_inodes_count, first_data_block, log_block_size, log_frag_size;
    uint32_t blocks_per_group, frags_per_group, inodes_per_group, mtime, wtime;
    uint16_t mnt_count, max_mnt_count, magic, state, errors, minor_rev_level;
    uint32_t lastcheck, checkinterval, creator_os, rev_level;
    uint16_t def_resuid, def_resgid;
    uint32_t first_ino;
    uint16_t inode_size, block_group_nr;
    uint32_t feature_compat, feature_incompat, feature_ro_compat;
    uint8_t uuid[16];
    uint8_t rest_a[224 - 120];
    uint32_t journal_inum, journal_dev, last_orphan;
    uint8_t rest_b[0x15c - 236];
    uint16_t min_extra_isize, want_extra_isize;
    uint8_t rest_c[1024 - 0x160];
};
_Static_assert(sizeof(struct ext2_super) == 1024, "superblock");
_Static_assert(offsetof(struct ext2_super, feature_compat) == 92, "superblock");
_Static_assert(offsetof(struct ext2_super, journal_inum) == 224, "superblock");

struct ext2_gd {
    uint32_t block_bitmap, inode_bitmap, inode_table;
    uint16_t free_blocks, free_inodes, used_dirs, flags;
    uint8_t rest[12];
};
_Static_assert(sizeof(struct ext2_gd) == 32, "group descriptor");

struct ext2_inode {
    uint16_t mode, uid;
    uint32_t size, atime, ctime, mtime, dtime;
    uint16_t gid, links;
    uint32_t blocks, flags, osd1;
    uint32_t block[EXT2_NBLOCKS];
    uint32_t generation, file_acl, size_high, faddr;
    uint16_t blocks_hi, file_acl_high, uid_high, gid_high, csum_lo, reserved;
    uint16_t extra_isize, csum_hi;   // only with inode_size > 128
    uint8_t extra[28];
};
_Static_assert(offsetof(struct ext2_inode, extra_isize) == 128, "inode");

// One cached block. refs: callers holding it (bread .. brelse); a journaled block belongs to
// the running transaction and stays until commit; a pinned block was committed (it is in
// the log) but not yet written home, and stays until a checkpoint writes it there; a dirty
// data block is written back on eviction or before a commit (ordered mode).
struct buf {
    uint64_t blk;
    uint8_t *data;
    // The state at the last commit, for a journaled block that needs it: a block bitmap
    // (blocks freed in the transaction are not handed out again) and a pinned block (what a
    // checkpoint writes home while the transaction changes it).
    uint8_t *committed;
    uint64_t lru;
    uint32_t refs;
    int32_t hnext;          // hash chain (index into fs->bufs, -1 ends it)
    uint8_t valid, dirty, journaled, pinned;
};

#define EXT2_UNFILLED_MAX 256   // the fs service maps up to two 256-sector requests unwritten

struct ext2_fs {
    struct ext2_blkdev dev;
    struct ext2_super sb;
    uint32_t bs, log_bs, sectors_per_block, ngroups, gd_blocks, addr_per_block;
    uint32_t inode_size, inodes_per_block, itable_blocks;
    uint64_t max_file_blocks;
    uint16_t sb_home_off;   // superblock's offset in its block
    uint32_t sb_home_blk;
    int ro;                 // 1: mounted read-only
    int error;              // first error that made it read-only (0: none)
    // block cache
    struct buf *bufs;
    int32_t *hash;
    uint32_t nbufs, hash_mask;
    uint64_t tick;
    // journal (journal.c): a circular log of committed transactions in journal blocks
    // [jfirst, jlen), from the tail (the oldest not yet checkpointed) for jused blocks to
    // jhead, where the next commit goes; jseq is the running transaction's sequence.
    int has_journal;
    uint32_t *jmap;         // journal block -> fs block
    uint32_t jlen, jfirst, jseq, jhead, jused;
    uint32_t *revoked;      // pinned blocks freed in the running transaction (nbufs at most)
    uint32_t nrevoked;
    uint8_t *jrun;          // consecutive log blocks gathered for one device request
    bool unflushed;         // a write (the library's or the caller's) since the last flush
    uint32_t txn_blocks;    // blocks journaled in the running transaction
    uint32_t txn_freed;     // blocks freed in it (not reusable before it commits)
    uint32_t txn_limit;     // commit before a step when txn_blocks passes this
    uint8_t *jsb;           // the journal superblock as last read or written (NULL: none)
    // Data blocks allocated for a caller that writes them whole itself (ext2_bmap_fill) and
    // has not yet said it did (ext2_filled): a commit zeroes them first, so it never makes
    // a block with a deleted file's old bytes part of a file.
    uint32_t unfilled[EXT2_UNFILLED_MAX];
    uint32_t nunfilled;
    struct ext2_counters cnt;
};

// Marks the file system broken and read-only (first error kept); returns err for chaining.
int fs_fail(struct ext2_fs *fs, int err);
static inline int corrupt(struct ext2_fs *fs) { return fs_fail(fs, EXT2_E_CORRUPT); }
uint32_t fs_now(struct ext2_fs *fs);

static inline uint16_t get16(const void *p) { uint16_t v; memcpy(&v, p, 2); return v; }
static inline uint32_t get32(const void *p) { uint32_t v; memcpy(&v, p, 4); return v; }
static inline void put16(void *p, uint16_t v) { memcpy(p, &v, 2); }
static inline void put32(void *p, uint32_t v) { memcpy(p, &v, 4); }
static inline uint32_t getbe32(const void *p) { return __builtin_bswap32(get32(p)); }
static inline void putbe32(void *p, uint32_t v) { put32(p, __builtin_bswap32(v)); }

// ---- cache.c ----
int cache_init(struct ext2_fs *fs, uint32_t nbufs);
void cache_free(struct ext2_fs *fs);
void cache_drop_all(struct ext2_fs *fs);       // forget every clean block (after recovery)
int dev_rw(struct ext2_fs *fs, uint64_t blk, void *buf, int write);
int dev_write_run(struct ext2_fs *fs, uint64_t blk, uint32_t count, const void *buf);
// bread: the block's contents; bzero_get: a block about to be overwritten whole (zeroed,
// not read). Both hold the buffer until brelse.
int bread(struct ext2_fs *fs, uint64_t blk, struct buf **out);
int bzero_get(struct ext2_fs *fs, uint64_t blk, struct buf **out);
void brelse(struct ext2_fs *fs, struct buf *b);
void bdirty(struct buf *b);                    // data block: written back before the commit
int bforget(struct ext2_fs *fs, uint64_t blk);   // freed: drop it (and from the transaction)
int cache_write_dirty(struct ext2_fs *fs);     // every dirty data block to the device
int cache_zero_unfilled(struct ext2_fs *fs);   // zeros into every block still unfilled
// A data block the caller moves itself: written back if dirty, then no longer cached, so no
// stale copy of it can be written over the caller's data later.
int cache_evict(struct ext2_fs *fs, uint64_t blk);
int cache_flush_dev(struct ext2_fs *fs);

// The most blocks one step of an operation adds to the running transaction: a truncate may
// free blocks in every group (bitmaps, descriptors), plus inode, superblock, indirect and
// directory blocks. A step starts only while the transaction has this much room left.
static inline uint32_t step_max(const struct ext2_fs *fs)
{
    return fs->ngroups + fs->gd_blocks + 16;
}

// ---- journal.c ----
int journal_load(struct ext2_fs *fs);          // map the journal inode; recover if needed
void journal_free(struct ext2_fs *fs);
int bjournal(struct ext2_fs *fs, struct buf *b);  // b is about to change: into the transaction
int journal_commit(struct ext2_fs *fs);        // ordered data and log, commit record
int journal_checkpoint(struct ext2_fs *fs);    // every pinned block home, the log empty
int journal_sync(struct ext2_fs *fs);          // commit, then checkpoint
int journal_forget(struct ext2_fs *fs, struct buf *b);  // a pinned block is being freed
int journal_step(struct ext2_fs *fs);          // before each step: commit a large transaction
int sb_write_direct(struct ext2_fs *fs);       // superblock home copy, outside the journal

// ---- super.c ----
int sb_update(struct ext2_fs *fs);             // fs->sb into the transaction
int gd_get(struct ext2_fs *fs, uint32_t g, struct ext2_gd *gd);
int gd_put(struct ext2_fs *fs, uint32_t g, const struct ext2_gd *gd);
int block_valid(const struct ext2_fs *fs, uint64_t blk);
// Up to want (at least 1) consecutive free blocks, the first at or after goal if it can be
// (else the first free one after it, wrapping around the groups), in one bitmap: *blk the
// first, *got how many.
int balloc_run(struct ext2_fs *fs, uint32_t goal, uint32_t want, uint32_t *blk, uint32_t *got);
int bfree(struct ext2_fs *fs, uint32_t blk);
int ialloc(struct ext2_fs *fs, uint32_t goal_ino, int is_dir, uint32_t *ino);
int ifree(struct ext2_fs *fs, uint32_t ino, int is_dir);

// ---- inode.c ----
int iget(struct ext2_fs *fs, uint32_t ino, struct ext2_inode *ip);
int iput(struct ext2_fs *fs, uint32_t ino, const struct ext2_inode *ip);
int iput_new(struct ext2_fs *fs, uint32_t ino, const struct ext2_inode *ip);
uint64_t isize(const struct ext2_inode *ip);
void iset_size(struct ext2_inode *ip, uint64_t size);
int itype(const struct ext2_inode *ip);        // EXT2_FT_*
void iadd_blocks(struct ext2_fs *fs, struct ext2_inode *ip, int n);
// imap's alloc: 0 only looks up; the others allocate a missing block: IMAP_DATA zeroed (a
// dirty cached block), IMAP_META zeroed and journaled, IMAP_FILL not zeroed but listed as
// unfilled (the caller writes it whole). Indirect blocks are always IMAP_META.
enum { IMAP_DATA = 1, IMAP_META = 2, IMAP_FILL = 3 };
int imap(struct ext2_fs *fs, uint32_t ino, struct ext2_inode *ip, uint64_t fblk, int alloc,
         uint32_t *blk);
// The run imap's file block fblk starts (mapped to first, 0: a hole): the file blocks after
// it, inside the same table of pointers (the inode's, or one indirect block), that lie on
// the blocks after first (first 0: holes too), the holes among them allocated after it if
// alloc says so (a run of free bits per bitmap pass); *n: at most (at least 1), then how many.
int imap_extend(struct ext2_fs *fs, uint32_t ino, struct ext2_inode *ip, uint64_t fblk,
                uint32_t first, int alloc, uint32_t *n);
int itruncate_blocks(struct ext2_fs *fs, uint32_t ino, struct ext2_inode *ip, uint64_t from);
int idelete(struct ext2_fs *fs, uint32_t ino, struct ext2_inode *ip);
int fast_symlink(const struct ext2_fs *fs, const struct ext2_inode *ip);

// ---- file.c ----
int op_begin(struct ext2_fs *fs, uint32_t blocks);   // a changing operation may start
int op_done(struct ext2_fs *fs, int r);              // any failure after a change stops the fs
int iget_live(struct ext2_fs *fs, uint32_t ino, struct ext2_inode *ip);

// ---- dir.c ----
// An entry found (pos, ino, type); for a name not found, pos is where dir_add puts it.
struct dir_slot { uint64_t pos; uint32_t ino; uint8_t type; };
int dir_find(struct ext2_fs *fs, struct ext2_inode *dp, const char *name, size_t len,
             struct dir_slot *slot);
// Adds name at pos, where dir_find said it would go (nothing changed dp since).
int dir_add(struct ext2_fs *fs, uint32_t dino, struct ext2_inode *dp, uint64_t pos,
            const char *name, uint32_t ino, int type);
int dir_remove(struct ext2_fs *fs, uint32_t dino, struct ext2_inode *dp, uint64_t pos);
int dir_set(struct ext2_fs *fs, uint32_t dino, struct ext2_inode *dp, uint64_t pos, uint32_t ino,
            int type);
// ext2_readdir_each on dp.
int dir_each(struct ext2_fs *fs, struct ext2_inode *dp, uint64_t *pos, ext2_dirent_fn fn,
             void *ctx);
int dir_is_empty(struct ext2_fs *fs, struct ext2_inode *dp);
int dir_init(struct ext2_fs *fs, uint32_t ino, struct ext2_inode *ip, uint32_t parent);
