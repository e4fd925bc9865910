// Mounting: the superblock and group descriptors are validated before anything uses them;
// then block and inode allocation over the bitmaps (every count checked against its bitmap).
#include <stdlib.h>

#include "ext2_int.h"

#define SUPPORTED_INCOMPAT (INCOMPAT_FILETYPE | INCOMPAT_RECOVER | INCOMPAT_FLEX_BG)
#define SUPPORTED_RO_COMPAT (RO_COMPAT_SPARSE | RO_COMPAT_LARGE_FILE)
#define DEFAULT_CACHE 256
#define MIN_CACHE 64

int fs_fail(struct ext2_fs *fs, int err)
{
    if (!fs->error && err != EXT2_E_ROFS)
        fs->error = err;
    fs->ro = 1;
    return err;
}

uint32_t fs_now(struct ext2_fs *fs)
{
    return fs->dev.now ? fs->dev.now(fs->dev.ctx) : 0;
}

const char *ext2_strerror(int err)
{
    static const char *const names[] = {
        "ok", "I/O error", "corrupt file system", "unsupported feature", "no such entry",
        "exists", "not a directory", "is a directory", "directory not empty", "no space",
        "read-only file system", "invalid argument", "name too long", "file too large",
        "too many links", "out of memory",
    };
    unsigned i = (unsigned)-err;
    return err <= 0 && i < sizeof(names) / sizeof(names[0]) ? names[i] : "unknown error";
}

int block_valid(const struct ext2_fs *fs, uint64_t blk)
{
    return blk >= fs->sb.first_data_block && blk < fs->sb.blocks_count;
}

// Geometry from a superblock, or an error: everything later computations rely on.
static int sb_check(struct ext2_fs *fs, uint64_t dev_sectors)
{
    struct ext2_super *s = &fs->sb;
    if (s->magic != EXT2_MAGIC || s->rev_level > 1 || s->log_block_size > 2)
        return EXT2_E_CORRUPT;
    fs->log_bs = 10 + s->log_block_size;
    fs->bs = 1u << fs->log_bs;
    fs->sectors_per_block = fs->bs / 512;
    fs->addr_per_block = fs->bs / 4;
    fs->inode_size = s->rev_level ? s->inode_size : EXT2_GOOD_OLD_ISIZE;
    if (s->rev_level == 0)
        s->first_ino = 11;
    if (fs->inode_size < EXT2_GOOD_OLD_ISIZE || fs->inode_size > fs->bs ||
        (fs->inode_size & (fs->inode_size - 1)))
        return EXT2_E_CORRUPT;
    fs->inodes_per_block = fs->bs / fs->inode_size;
    if (s->first_data_block != (fs->bs == 1024) || s->blocks_per_group != 8 * fs->bs ||
        s->inodes_per_group == 0 || s->inodes_per_group > 8 * fs->bs ||
        s->inodes_per_group % fs->inodes_per_block)
        return EXT2_E_CORRUPT;
    if (s->blocks_count <= s->first_data_block + 1 ||
        (uint64_t)s->blocks_count * fs->sectors_per_block > dev_sectors)
        return EXT2_E_CORRUPT;
    fs->ngroups = (s->blocks_count - s->first_data_block + s->blocks_per_group - 1) /
                  s->blocks_per_group;
    fs->itable_blocks = s->inodes_per_group / fs->inodes_per_block;
    fs->gd_blocks = (fs->ngroups * (uint32_t)sizeof(struct ext2_gd) + fs->bs - 1) / fs->bs;
    if ((uint64_t)fs->ngroups * s->inodes_per_group != s->inodes_count ||
        s->first_ino < 11 || s->first_ino >= s->inodes_count ||
        s->free_blocks_count > s->blocks_count || s->free_inodes_count > s->inodes_count ||
        s->r_blocks_count > s->blocks_count)
        return EXT2_E_CORRUPT;
    if (s->feature_incompat & ~SUPPORTED_INCOMPAT)
        return EXT2_E_UNSUPPORTED;
    if ((s->feature_incompat & INCOMPAT_RECOVER) && !(s->feature_compat & COMPAT_HAS_JOURNAL))
        return EXT2_E_CORRUPT;
    if (s->feature_ro_compat & ~SUPPORTED_RO_COMPAT)
        fs->ro = 1;
    uint64_t a = fs->addr_per_block;
    uint64_t max = EXT2_NDIR + a + a * a + a * a * a;
    if (max > UINT32_MAX)
        max = UINT32_MAX;
    if (!(s->feature_ro_compat & RO_COMPAT_LARGE_FILE) && max > (1u << 31) / fs->bs)
        max = (1u << 31) / fs->bs;
    fs->max_file_blocks = max;
    fs->sb_home_blk = fs->bs == 1024 ? 1 : 0;
    fs->sb_home_off = fs->bs == 1024 ? 0 : EXT2_SB_OFFSET;
    return 0;
}

int gd_get(struct ext2_fs *fs, uint32_t g, struct ext2_gd *gd)
{
    struct buf *b;
    uint32_t off = g * (uint32_t)sizeof(*gd);
    int r = bread(fs, fs->sb.first_data_block + 1 + off / fs->bs, &b);
    if (r < 0)
        return r;
    memcpy(gd, b->data + off % fs->bs, sizeof(*gd));
    brelse(fs, b);
    return 0;
}

int gd_put(struct ext2_fs *fs, uint32_t g, const struct ext2_gd *gd)
{
    struct buf *b;
    uint32_t off = g * (uint32_t)sizeof(*gd);
    int r = bread(fs, fs->sb.first_data_block + 1 + off / fs->bs, &b);
    if (r == 0 && (r = bjournal(fs, b)) == 0)
        memcpy(b->data + off % fs->bs, gd, sizeof(*gd));
    brelse(fs, b);
    return r;
}

// Every group's bitmaps and inode table inside the file system, counts within the group.
static int gd_check_all(struct ext2_fs *fs)
{
    const struct ext2_super *s = &fs->sb;
    uint64_t dirs = 0;
    for (uint32_t g = 0; g < fs->ngroups; g++) {
        struct ext2_gd gd;
        int r = gd_get(fs, g, &gd);
        if (r < 0)
            return r;
        if (!block_valid(fs, gd.block_bitmap) || !block_valid(fs, gd.inode_bitmap) ||
            !block_valid(fs, gd.inode_table) ||
            (uint64_t)gd.inode_table + fs->itable_blocks > s->blocks_count ||
            gd.free_blocks > s->blocks_per_group || gd.free_inodes > s->inodes_per_group ||
            gd.used_dirs > s->inodes_per_group)
            return corrupt(fs);
        dirs += gd.used_dirs;
    }
    return dirs ? 0 : corrupt(fs);   // the root is a directory
}

int sb_update(struct ext2_fs *fs)
{
    struct buf *b;
    int r = bread(fs, fs->sb_home_blk, &b);
    if (r == 0 && (r = bjournal(fs, b)) == 0)
        memcpy(b->data + fs->sb_home_off, &fs->sb, sizeof(fs->sb));
    brelse(fs, b);
    return r;
}

int sb_write_direct(struct ext2_fs *fs)
{
    struct buf *b;
    int r = bread(fs, fs->sb_home_blk, &b);
    if (r < 0)
        return r;
    memcpy(b->data + fs->sb_home_off, &fs->sb, sizeof(fs->sb));
    r = dev_rw(fs, b->blk, b->data, 1);
    brelse(fs, b);
    return r;
}

static int bit_test(const uint8_t *map, uint32_t i) { return map[i / 8] >> (i % 8) & 1; }

// The block's number of group g's bit i, or 0 if that block may not be handed out: past the
// end, or one of the group's own bitmaps / inode table or group 0's descriptors (a bitmap
// claiming otherwise is corrupt).
static uint32_t bit_block(struct ext2_fs *fs, uint32_t g, const struct ext2_gd *gd, uint32_t i)
{
    uint64_t blk = fs->sb.first_data_block + (uint64_t)g * fs->sb.blocks_per_group + i;
    if (blk >= fs->sb.blocks_count || blk == gd->block_bitmap || blk == gd->inode_bitmap ||
        (blk >= gd->inode_table && blk < (uint64_t)gd->inode_table + fs->itable_blocks) ||
        blk <= fs->sb.first_data_block + fs->gd_blocks)
        return 0;
    return (uint32_t)blk;
}

// Journals a bitmap block; a block bitmap keeps its state at the last commit, so blocks
// freed in the running transaction are not handed out again before it commits (a crash
// would otherwise leave them in their old file with new contents).
static int bitmap_journal(struct ext2_fs *fs, struct buf *b, int keep_committed)
{
    int r = bjournal(fs, b);
    if (r == 0 && keep_committed && !b->committed) {
        b->committed = malloc(fs->bs);
        if (!b->committed)
            return fs_fail(fs, EXT2_E_NOMEM);
        memcpy(b->committed, b->data, fs->bs);
    }
    return r;
}

// Is bit i of a block bitmap free to hand out: clear now and at the last commit?
static int bit_free(const struct buf *b, uint32_t i)
{
    return !bit_test(b->data, i) && !(b->committed && bit_test(b->committed, i));
}

// The first bit of a block bitmap at or after i (below end) free to hand out, or end. Whole
// bytes taken are stepped over at once: a scan from a file's first block crosses the file.
static uint32_t next_free_bit(const struct buf *b, uint32_t i, uint32_t end)
{
    while (i < end) {
        uint8_t used = b->data[i / 8] | (b->committed ? b->committed[i / 8] : 0);
        if (used == 0xff)
            i = (i / 8 + 1) * 8;
        else if (used >> (i % 8) & 1)
            i++;
        else
            return i;
    }
    return end;
}

// Up to want free blocks of group g at or after bit `from`, consecutive, taken; *blk the
// first and *got how many (*blk 0: none free there). The counts never go below zero, whatever
// the bitmap says.
static int take_block_bits(struct ext2_fs *fs, uint32_t g, uint32_t from, uint32_t want,
                           uint32_t *blk, uint32_t *got)
{
    struct ext2_gd gd;
    struct buf *b;
    *blk = 0;
    int r = gd_get(fs, g, &gd);
    if (r < 0 || gd.free_blocks == 0 || (r = bread(fs, gd.block_bitmap, &b)) < 0)
        return r;
    want = want < gd.free_blocks ? want : gd.free_blocks;
    want = want < fs->sb.free_blocks_count ? want : fs->sb.free_blocks_count;
    uint32_t i = from, n = 0, end = fs->sb.blocks_per_group;
    while ((i = next_free_bit(b, i, end)) < end && !bit_block(fs, g, &gd, i))
        i++;
    while (i + n < end && n < want && bit_free(b, i + n) && bit_block(fs, g, &gd, i + n))
        n++;
    if (n && (r = bitmap_journal(fs, b, 1)) == 0) {
        for (uint32_t k = i; k < i + n; k++)
            b->data[k / 8] |= (uint8_t)(1u << (k % 8));
        gd.free_blocks = (uint16_t)(gd.free_blocks - n);
        fs->sb.free_blocks_count -= n;
        if ((r = gd_put(fs, g, &gd)) == 0 && (r = sb_update(fs)) == 0) {
            *blk = bit_block(fs, g, &gd, i);
            *got = n;
        }
    }
    brelse(fs, b);
    return r;
}

int balloc_run(struct ext2_fs *fs, uint32_t goal, uint32_t want, uint32_t *blk, uint32_t *got)
{
    if (fs->sb.free_blocks_count == 0)
        return EXT2_E_NOSPC;
    uint32_t g0 = 0, from = 0;
    if (block_valid(fs, goal)) {
        g0 = (goal - fs->sb.first_data_block) / fs->sb.blocks_per_group;
        from = (goal - fs->sb.first_data_block) % fs->sb.blocks_per_group;
    }
    for (uint32_t i = 0; i < fs->ngroups; i++) {
        int r = take_block_bits(fs, (g0 + i) % fs->ngroups, i ? 0 : from, want, blk, got);
        if (r < 0 || *blk)
            return r;
    }
    if (from) {   // the goal group's bits before the goal
        int r = take_block_bits(fs, g0, 0, want, blk, got);
        if (r < 0 || *blk)
            return r;
    }
    return EXT2_E_NOSPC;
}

int bfree(struct ext2_fs *fs, uint32_t blk)
{
    if (!block_valid(fs, blk))
        return corrupt(fs);
    uint32_t g = (blk - fs->sb.first_data_block) / fs->sb.blocks_per_group;
    uint32_t i = (blk - fs->sb.first_data_block) % fs->sb.blocks_per_group;
    struct ext2_gd gd;
    struct buf *b;
    int r = gd_get(fs, g, &gd);
    if (r < 0 || (r = bread(fs, gd.block_bitmap, &b)) < 0)
        return r;
    if (!bit_test(b->data, i) || gd.free_blocks >= fs->sb.blocks_per_group) {
        brelse(fs, b);
        return corrupt(fs);   // freed twice: two owners of one block
    }
    if ((r = bitmap_journal(fs, b, 1)) == 0)
        b->data[i / 8] &= (uint8_t)~(1u << (i % 8));
    brelse(fs, b);
    if (r < 0)
        return r;
    gd.free_blocks++;
    fs->sb.free_blocks_count++;
    fs->txn_freed++;
    if ((r = bforget(fs, blk)) < 0 || (r = gd_put(fs, g, &gd)) < 0)
        return r;
    return sb_update(fs);
}

// Sets or clears inode ino's bitmap bit and the counts that go with it.
static int inode_bit(struct ext2_fs *fs, uint32_t ino, int set, int is_dir)
{
    uint32_t g = (ino - 1) / fs->sb.inodes_per_group, i = (ino - 1) % fs->sb.inodes_per_group;
    struct ext2_gd gd;
    struct buf *b;
    int r = gd_get(fs, g, &gd);
    if (r < 0 || (r = bread(fs, gd.inode_bitmap, &b)) < 0)
        return r;
    if (bit_test(b->data, i) == set || (set && gd.free_inodes == 0) ||
        (!set && is_dir && gd.used_dirs == 0)) {
        brelse(fs, b);
        return corrupt(fs);
    }
    if ((r = bjournal(fs, b)) == 0)
        b->data[i / 8] ^= (uint8_t)(1u << (i % 8));
    brelse(fs, b);
    if (r < 0)
        return r;
    int d = set ? -1 : 1;
    gd.free_inodes = (uint16_t)(gd.free_inodes + d);
    gd.used_dirs = (uint16_t)(gd.used_dirs - (is_dir ? d : 0));
    fs->sb.free_inodes_count += (uint32_t)d;
    if ((r = gd_put(fs, g, &gd)) < 0)
        return r;
    return sb_update(fs);
}

// The first free inode of group g (0: none).
static int find_free_inode(struct ext2_fs *fs, uint32_t g, uint32_t *ino)
{
    struct ext2_gd gd;
    struct buf *b;
    int r = gd_get(fs, g, &gd);
    *ino = 0;
    if (r < 0 || gd.free_inodes == 0 || (r = bread(fs, gd.inode_bitmap, &b)) < 0)
        return r;
    for (uint32_t i = 0; i < fs->sb.inodes_per_group; i++) {
        uint32_t cand = g * fs->sb.inodes_per_group + i + 1;
        if (i % 8 == 0 && b->data[i / 8] == 0xff) {   // eight inodes in use
            i += 7;
            continue;
        }
        if (!bit_test(b->data, i) && cand >= fs->sb.first_ino) {
            *ino = cand;
            break;
        }
    }
    brelse(fs, b);
    return 0;
}

int ialloc(struct ext2_fs *fs, uint32_t goal_ino, int is_dir, uint32_t *ino)
{
    if (fs->sb.free_inodes_count == 0)
        return EXT2_E_NOSPC;
    uint32_t g0 = (goal_ino - 1) / fs->sb.inodes_per_group;
    for (uint32_t i = 0; i < fs->ngroups; i++) {
        int r = find_free_inode(fs, (g0 + i) % fs->ngroups, ino);
        if (r < 0)
            return r;
        if (*ino)
            return inode_bit(fs, *ino, 1, is_dir);
    }
    return EXT2_E_NOSPC;
}

int ifree(struct ext2_fs *fs, uint32_t ino, int is_dir)
{
    return inode_bit(fs, ino, 0, is_dir);
}

// Reads and checks the superblock, sets up the cache, checks the group descriptors.
static int load(struct ext2_fs *fs, const struct ext2_mount_opts *opts)
{
    uint8_t raw[1024];
    if (fs->dev.sectors < 4 || fs->dev.read(fs->dev.ctx, 2, 2, raw) < 0)
        return EXT2_E_IO;
    memcpy(&fs->sb, raw, sizeof(fs->sb));
    int r = sb_check(fs, fs->dev.sectors);
    if (r < 0)
        return r;
    uint32_t n = opts && opts->cache_blocks ? opts->cache_blocks : DEFAULT_CACHE;
    if (n < MIN_CACHE)
        n = MIN_CACHE;
    // Room for a transaction of two steps besides the buffers being read.
    if (n < 2 * step_max(fs) + MIN_CACHE)
        n = 2 * step_max(fs) + MIN_CACHE;
    if ((r = cache_init(fs, n)) < 0)
        return r;
    if ((r = gd_check_all(fs)) < 0)
        return r;
    return journal_load(fs);
}

static void release(struct ext2_fs *fs)
{
    journal_free(fs);
    cache_free(fs);
    free(fs);
}

// Marks the file system in use (ext3: needs_recovery; ext2: not cleanly unmounted).
static int mark_mounted(struct ext2_fs *fs)
{
    struct ext2_super *s = &fs->sb;
    if (fs->has_journal)
        s->feature_incompat |= INCOMPAT_RECOVER;
    else
        s->state &= (uint16_t)~EXT2_VALID_FS;
    s->mnt_count++;
    s->mtime = fs_now(fs);
    int r = sb_write_direct(fs);
    return r < 0 ? r : cache_flush_dev(fs);
}

int ext2_mount(const struct ext2_blkdev *dev, const struct ext2_mount_opts *opts,
               struct ext2_fs **out)
{
    // A recovery replays the journal and rewrites the superblock: load again after it.
    for (int attempt = 0; attempt < 2; attempt++) {
        struct ext2_fs *fs = calloc(1, sizeof(*fs));
        if (!fs)
            return EXT2_E_NOMEM;
        fs->dev = *dev;
        fs->ro = opts && opts->read_only;
        int r = load(fs, opts);
        if (r == 1) {   // recovered
            release(fs);
            continue;
        }
        if (r == 0 && (r = ext2_stat(fs, EXT2_ROOT_INO, &(struct ext2_stat){0})) == 0 &&
            !fs->ro)
            r = mark_mounted(fs);
        if (r < 0) {
            release(fs);
            return r;
        }
        *out = fs;
        return 0;
    }
    return EXT2_E_CORRUPT;
}

int ext2_unmount(struct ext2_fs *fs)
{
    int r = 0;
    if (!fs->ro) {
        r = journal_sync(fs);
        fs->sb.feature_incompat &= ~(uint32_t)INCOMPAT_RECOVER;
        fs->sb.state |= EXT2_VALID_FS;
        fs->sb.wtime = fs_now(fs);
        if (r == 0)
            r = sb_write_direct(fs);
        if (r == 0)
            r = cache_flush_dev(fs);
    }
    release(fs);
    return r;
}

int ext2_statfs(struct ext2_fs *fs, struct ext2_statfs *st)
{
    st->block_size = fs->bs;
    st->blocks = fs->sb.blocks_count;
    st->free_blocks = fs->sb.free_blocks_count;
    st->reserved_blocks = fs->sb.r_blocks_count;
    st->inodes = fs->sb.inodes_count;
    st->free_inodes = fs->sb.free_inodes_count;
    st->read_only = fs->ro;
    st->error = fs->error;
    return 0;
}

void ext2_get_counters(const struct ext2_fs *fs, struct ext2_counters *c)
{
    *c = fs->cnt;
}

uint32_t ext2_block_size(const struct ext2_fs *fs)
{
    return fs->bs;
}
